// OpenFlow wire basics shared by every message codec: versions, the 8-byte
// header, message type numbers of OpenFlow 1.0 and 1.3, big-endian writing
// and bounds-checked reading, and error messages.
//
// Every decoding error is an ofp::OfError naming a logical error (Err);
// error_message() turns it into the OFPT_ERROR of the connection's version
// (the numbers differ between 1.0 and 1.3, and Open vSwitch's Nicira codes
// stand in where OpenFlow 1.0 has none).
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace ofp {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

constexpr uint8_t kOf10 = 0x01;
constexpr uint8_t kOf13 = 0x04;
// The versions this switch speaks, as a hello version bitmap.
constexpr uint32_t kSupportedVersions = (1u << kOf10) | (1u << kOf13);

constexpr size_t kHeaderLen = 8;
constexpr size_t kMaxMessageLen = 65535;   // the length field's range

// Types common to 1.0 and 1.3 (same numbers).
enum : uint8_t {
    OFPT_HELLO = 0, OFPT_ERROR = 1, OFPT_ECHO_REQUEST = 2, OFPT_ECHO_REPLY = 3, OFPT_VENDOR = 4,
    OFPT_FEATURES_REQUEST = 5, OFPT_FEATURES_REPLY = 6, OFPT_GET_CONFIG_REQUEST = 7,
    OFPT_GET_CONFIG_REPLY = 8, OFPT_SET_CONFIG = 9, OFPT_PACKET_IN = 10, OFPT_FLOW_REMOVED = 11,
    OFPT_PORT_STATUS = 12, OFPT_PACKET_OUT = 13, OFPT_FLOW_MOD = 14,
};
// OpenFlow 1.0 only.
enum : uint8_t {
    OFPT10_PORT_MOD = 15, OFPT10_STATS_REQUEST = 16, OFPT10_STATS_REPLY = 17,
    OFPT10_BARRIER_REQUEST = 18, OFPT10_BARRIER_REPLY = 19, OFPT10_QUEUE_GET_CONFIG_REQUEST = 20,
};
// OpenFlow 1.3 only.
enum : uint8_t {
    OFPT13_GROUP_MOD = 15, OFPT13_PORT_MOD = 16, OFPT13_TABLE_MOD = 17, OFPT13_MULTIPART_REQUEST = 18,
    OFPT13_MULTIPART_REPLY = 19, OFPT13_BARRIER_REQUEST = 20, OFPT13_BARRIER_REPLY = 21,
    OFPT13_QUEUE_GET_CONFIG_REQUEST = 22, OFPT13_ROLE_REQUEST = 24, OFPT13_GET_ASYNC_REQUEST = 26,
    OFPT13_SET_ASYNC = 28, OFPT13_METER_MOD = 29,
};
// Statistics (1.0) / multipart (1.3) types.
enum : uint16_t {
    OFPST_DESC = 0, OFPST_FLOW = 1, OFPST_AGGREGATE = 2, OFPST_TABLE = 3, OFPST_PORT = 4,
    OFPST_QUEUE = 5, OFPMP_GROUP = 6, OFPMP_GROUP_DESC = 7, OFPMP_GROUP_FEATURES = 8,
    OFPMP_METER = 9, OFPMP_METER_CONFIG = 10, OFPMP_METER_FEATURES = 11, OFPMP_TABLE_FEATURES = 12,
    OFPST_PORT_DESC = 13, OFPST_VENDOR = 0xffff,
};
constexpr uint16_t kStatsReplyMore = 1;

// Nicira extensions (vendor 0x00002320).
constexpr uint32_t kNxVendor = 0x00002320;
constexpr uint32_t kOnfExperimenter = 0x4f4e4600;
enum : uint32_t {
    NXT_ROLE_REQUEST = 10, NXT_SET_FLOW_FORMAT = 12, NXT_FLOW_MOD = 13, NXT_FLOW_MOD_TABLE_ID = 15,
    NXT_SET_PACKET_IN_FORMAT = 16, NXT_SET_CONTROLLER_ID = 20,
};
enum : uint32_t { NXST_FLOW = 0, NXST_AGGREGATE = 1 };
enum : uint32_t { NXFF_OPENFLOW10 = 0, NXFF_NXM = 2 };

// Logical errors; error_code() gives each one's (type, code) per version.
enum class Err : uint8_t {
    HelloIncompatible,
    BadVersion, BadType, BadStat, BadVendor, BadSubtype, Eperm, BadLen, BufferUnknown,
    BadTableId, BadPort,
    BadActionType, BadActionLen, BadOutPort, BadActionArgument, TooManyActions,
    BadFlowCommand, FlowOverlap, FlowUnsupported, BadFlowFlags,
    BadMatchLen, BadMatchField, BadMatchValue, BadMatchMask, BadMatchPrereq, BadMatchWildcards,
    DupMatchField, BadMatchType, NxmInvalid,
    // Set-field actions (OpenFlow 1.2+ codes; Nicira's in 1.0).
    BadSetType, BadSetLen, BadSetArgument, BadSetMask, MatchInconsistent, BadActionVendor,
    // Instructions (OpenFlow 1.1+ only).
    UnknownInst, UnsupInst, BadInstTableId, BadInstExperimenter, BadInstLen, DupInst,
    // flow_mod naming a table it may not (OFPFMFC_BAD_TABLE_ID).
    FlowBadTableId,
    // A table features request that would change them (OFPTFFC_EPERM).
    TableFeaturesEperm,
    // Roles: a slave changing the switch, an old generation id, a role
    // that does not exist.
    IsSlave, RoleStale, BadRole,
};
// An error's (type, code); type 0xffff is an experimenter error (OpenFlow
// 1.2+), such as the ONF codes OpenFlow 1.3 uses for duplicate instructions.
struct ErrorCode {
    uint16_t type, code;
    uint32_t experimenter = 0;
};
ErrorCode error_code(Err e, uint8_t version);
// "OFPBRC_BAD_TYPE", ... (for logs).
const char* err_name(Err e);

class OfError : public std::runtime_error {
public:
    OfError(Err e, const std::string& what) : std::runtime_error(what), err_(e) {}
    Err err() const { return err_; }

private:
    Err err_;
};

struct Header {
    uint8_t version = 0;
    uint8_t type = 0;
    uint16_t length = 0;
    uint32_t xid = 0;
};
// Reads the header at the start of `b` (at least 8 bytes).
Header read_header(ByteView b);

// Appends big-endian values; start() writes a header whose length finish()
// fills in.
class Writer {
public:
    Writer() = default;
    Writer(uint8_t version, uint8_t type, uint32_t xid) { start(version, type, xid); }
    void start(uint8_t version, uint8_t type, uint32_t xid);
    void u8(uint8_t v) { b_.push_back(v); }
    void u16(uint16_t v);
    void u32(uint32_t v);
    void u64(uint64_t v);
    void zeros(size_t n) { b_.insert(b_.end(), n, 0); }
    void bytes(ByteView v) { b_.insert(b_.end(), v.begin(), v.end()); }
    void bytes(const void* p, size_t n);
    // A NUL-padded fixed-size string field.
    void str(const std::string& s, size_t n);
    void pad_to(size_t multiple) { zeros((multiple - b_.size() % multiple) % multiple); }
    void set_u16(size_t at, uint16_t v);
    size_t size() const { return b_.size(); }
    // Sets the header's length; returns the message.
    Bytes finish();
    Bytes& raw() { return b_; }

private:
    Bytes b_;
};

// Bounds-checked big-endian reading; running short throws OfError(err)
// (BadLen unless told otherwise).
class Reader {
public:
    explicit Reader(ByteView b, Err err = Err::BadLen) : b_(b), err_(err) {}
    uint8_t u8();
    uint16_t u16();
    uint32_t u32();
    uint64_t u64();
    ByteView take(size_t n);
    void skip(size_t n) { take(n); }
    size_t left() const { return b_.size() - pos_; }
    size_t pos() const { return pos_; }
    ByteView rest() const { return b_.subspan(pos_); }

private:
    void need(size_t n) const;
    ByteView b_;
    size_t pos_ = 0;
    Err err_;
};

// An OFPT_ERROR for `request` (echoed whole, or as much as fits, as Open
// vSwitch does); `version` is the connection's.  In OpenFlow 1.0 a Nicira
// code (256 and up) goes inside an NXET_VENDOR error, as Open vSwitch sends
// it; in 1.3 an experimenter code as OFPET_EXPERIMENTER.
Bytes error_message(uint8_t version, uint32_t xid, Err e, ByteView request);

// "OFPT_FEATURES_REQUEST" and friends, for logs ("type 42" if unknown).
std::string type_name(uint8_t version, uint8_t type);

}  // namespace ofp
