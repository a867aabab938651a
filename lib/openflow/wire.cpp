#include "openflow/wire.hpp"

#include <algorithm>
#include <cstring>

namespace ofp {

ErrorCode error_code(Err e, uint8_t version) {
    const bool v10 = version < kOf13;
    switch (e) {
    case Err::HelloIncompatible: return {0, 0};
    case Err::BadVersion: return {1, 0};
    case Err::BadType: return {1, 1};
    case Err::BadStat: return {1, 2};
    case Err::BadVendor: return {1, 3};
    case Err::BadSubtype: return {1, 4};
    case Err::Eperm: return {1, 5};
    case Err::BadLen: return {1, 6};
    case Err::BufferUnknown: return {1, 8};
    case Err::BadTableId: return v10 ? ErrorCode{1, 512} : ErrorCode{1, 9};
    case Err::BadPort: return v10 ? ErrorCode{1, 514} : ErrorCode{1, 11};
    case Err::BadActionType: return {2, 0};
    case Err::BadActionLen: return {2, 1};
    case Err::BadOutPort: return {2, 4};
    case Err::BadActionArgument: return {2, 5};
    case Err::TooManyActions: return {2, 7};
    case Err::BadFlowCommand: return v10 ? ErrorCode{3, 4} : ErrorCode{5, 6};
    case Err::FlowOverlap: return v10 ? ErrorCode{3, 1} : ErrorCode{5, 3};
    case Err::FlowUnsupported: return v10 ? ErrorCode{3, 5} : ErrorCode{5, 0};
    case Err::BadFlowFlags: return v10 ? ErrorCode{3, 5} : ErrorCode{5, 7};
    case Err::BadMatchLen: return v10 ? ErrorCode{1, 521} : ErrorCode{4, 1};   // 1.0: unencodable
    case Err::BadMatchField: return v10 ? ErrorCode{0, 263} : ErrorCode{4, 6};
    case Err::BadMatchValue: return v10 ? ErrorCode{1, 258} : ErrorCode{4, 7};
    case Err::BadMatchMask: return v10 ? ErrorCode{1, 259} : ErrorCode{4, 8};
    case Err::BadMatchPrereq: return v10 ? ErrorCode{1, 260} : ErrorCode{4, 9};
    case Err::DupMatchField: return v10 ? ErrorCode{1, 261} : ErrorCode{4, 10};
    case Err::BadMatchWildcards: return v10 ? ErrorCode{1, 262} : ErrorCode{4, 5};
    case Err::BadMatchType: return v10 ? ErrorCode{1, 521} : ErrorCode{4, 0};
    case Err::NxmInvalid: return v10 ? ErrorCode{1, 256} : ErrorCode{4, 1};
    case Err::BadSetType: return v10 ? ErrorCode{1, 523} : ErrorCode{2, 13};
    case Err::BadSetLen: return v10 ? ErrorCode{1, 524} : ErrorCode{2, 14};
    case Err::BadSetArgument: return v10 ? ErrorCode{1, 525} : ErrorCode{2, 15};
    case Err::BadSetMask: return v10 ? ErrorCode{2, 5} : ErrorCode{0xffff, 4250, kOnfExperimenter};
    case Err::MatchInconsistent: return v10 ? ErrorCode{1, 522} : ErrorCode{2, 10};
    case Err::BadActionVendor: return {2, 2};
    case Err::UnknownInst: return {3, 0};
    case Err::UnsupInst: return v10 ? ErrorCode{2, 257} : ErrorCode{3, 1};
    case Err::BadInstTableId: return {3, 2};
    case Err::BadInstExperimenter: return {3, 5};
    case Err::BadInstLen: return {3, 7};
    case Err::DupInst: return v10 ? ErrorCode{3, 256} : ErrorCode{0xffff, 2600, kOnfExperimenter};
    case Err::FlowBadTableId: return v10 ? ErrorCode{1, 512} : ErrorCode{5, 2};
    case Err::TableFeaturesEperm: return v10 ? ErrorCode{1, 5} : ErrorCode{13, 5};
    case Err::IsSlave: return v10 ? ErrorCode{1, 5} : ErrorCode{1, 10};
    case Err::RoleStale: return {11, 0};
    case Err::BadRole: return v10 ? ErrorCode{1, 513} : ErrorCode{11, 2};
    }
    return {1, 1};
}

const char* err_name(Err e) {
    switch (e) {
    case Err::HelloIncompatible: return "OFPHFC_INCOMPATIBLE";
    case Err::BadVersion: return "OFPBRC_BAD_VERSION";
    case Err::BadType: return "OFPBRC_BAD_TYPE";
    case Err::BadStat: return "OFPBRC_BAD_STAT";
    case Err::BadVendor: return "OFPBRC_BAD_VENDOR";
    case Err::BadSubtype: return "OFPBRC_BAD_SUBTYPE";
    case Err::Eperm: return "OFPBRC_EPERM";
    case Err::BadLen: return "OFPBRC_BAD_LEN";
    case Err::BufferUnknown: return "OFPBRC_BUFFER_UNKNOWN";
    case Err::BadTableId: return "OFPBRC_BAD_TABLE_ID";
    case Err::BadPort: return "OFPBRC_BAD_PORT";
    case Err::BadActionType: return "OFPBAC_BAD_TYPE";
    case Err::BadActionLen: return "OFPBAC_BAD_LEN";
    case Err::BadOutPort: return "OFPBAC_BAD_OUT_PORT";
    case Err::BadActionArgument: return "OFPBAC_BAD_ARGUMENT";
    case Err::TooManyActions: return "OFPBAC_TOO_MANY";
    case Err::BadFlowCommand: return "OFPFMFC_BAD_COMMAND";
    case Err::FlowOverlap: return "OFPFMFC_OVERLAP";
    case Err::FlowUnsupported: return "OFPFMFC_UNSUPPORTED";
    case Err::BadFlowFlags: return "OFPFMFC_BAD_FLAGS";
    case Err::BadMatchLen: return "OFPBMC_BAD_LEN";
    case Err::BadMatchField: return "OFPBMC_BAD_FIELD";
    case Err::BadMatchValue: return "OFPBMC_BAD_VALUE";
    case Err::BadMatchMask: return "OFPBMC_BAD_MASK";
    case Err::BadMatchPrereq: return "OFPBMC_BAD_PREREQ";
    case Err::DupMatchField: return "OFPBMC_DUP_FIELD";
    case Err::BadMatchWildcards: return "OFPBMC_BAD_WILDCARDS";
    case Err::BadMatchType: return "OFPBMC_BAD_TYPE";
    case Err::NxmInvalid: return "NXBRC_NXM_INVALID";
    case Err::BadSetType: return "OFPBAC_BAD_SET_TYPE";
    case Err::BadSetLen: return "OFPBAC_BAD_SET_LEN";
    case Err::BadSetArgument: return "OFPBAC_BAD_SET_ARGUMENT";
    case Err::BadSetMask: return "OFPBAC_BAD_SET_MASK";
    case Err::MatchInconsistent: return "OFPBAC_MATCH_INCONSISTENT";
    case Err::BadActionVendor: return "OFPBAC_BAD_VENDOR";
    case Err::UnknownInst: return "OFPBIC_UNKNOWN_INST";
    case Err::UnsupInst: return "OFPBIC_UNSUP_INST";
    case Err::BadInstTableId: return "OFPBIC_BAD_TABLE_ID";
    case Err::BadInstExperimenter: return "OFPBIC_BAD_EXPERIMENTER";
    case Err::BadInstLen: return "OFPBIC_BAD_LEN";
    case Err::DupInst: return "OFPBIC_DUP_INST";
    case Err::FlowBadTableId: return "OFPFMFC_BAD_TABLE_ID";
    case Err::TableFeaturesEperm: return "OFPTFFC_EPERM";
    case Err::IsSlave: return "OFPBRC_IS_SLAVE";
    case Err::RoleStale: return "OFPRRFC_STALE";
    case Err::BadRole: return "OFPRRFC_BAD_ROLE";
    }
    return "?";
}

Header read_header(ByteView b) {
    Header h;
    h.version = b[0];
    h.type = b[1];
    h.length = static_cast<uint16_t>(b[2] << 8 | b[3]);
    h.xid = static_cast<uint32_t>(b[4]) << 24 | static_cast<uint32_t>(b[5]) << 16 |
            static_cast<uint32_t>(b[6]) << 8 | b[7];
    return h;
}

void Writer::start(uint8_t version, uint8_t type, uint32_t xid) {
    b_.clear();
    u8(version);
    u8(type);
    u16(0);
    u32(xid);
}

void Writer::u16(uint16_t v) {
    b_.push_back(static_cast<uint8_t>(v >> 8));
    b_.push_back(static_cast<uint8_t>(v));
}

void Writer::u32(uint32_t v) {
    u16(static_cast<uint16_t>(v >> 16));
    u16(static_cast<uint16_t>(v));
}

void Writer::u64(uint64_t v) {
    u32(static_cast<uint32_t>(v >> 32));
    u32(static_cast<uint32_t>(v));
}

void Writer::bytes(const void* p, size_t n) {
    const auto* c = static_cast<const uint8_t*>(p);
    b_.insert(b_.end(), c, c + n);
}

void Writer::str(const std::string& s, size_t n) {
    size_t k = std::min(s.size(), n - 1);
    bytes(s.data(), k);
    zeros(n - k);
}

void Writer::set_u16(size_t at, uint16_t v) {
    b_[at] = static_cast<uint8_t>(v >> 8);
    b_[at + 1] = static_cast<uint8_t>(v);
}

Bytes Writer::finish() {
    if (b_.size() >= 4) set_u16(2, static_cast<uint16_t>(b_.size()));
    return std::move(b_);
}

void Reader::need(size_t n) const {
    if (b_.size() - pos_ < n) throw OfError(err_, "message too short");
}

uint8_t Reader::u8() {
    need(1);
    return b_[pos_++];
}

uint16_t Reader::u16() {
    need(2);
    uint16_t v = static_cast<uint16_t>(b_[pos_] << 8 | b_[pos_ + 1]);
    pos_ += 2;
    return v;
}

uint32_t Reader::u32() {
    uint32_t hi = u16();
    return hi << 16 | u16();
}

uint64_t Reader::u64() {
    uint64_t hi = u32();
    return hi << 32 | u32();
}

ByteView Reader::take(size_t n) {
    need(n);
    ByteView v = b_.subspan(pos_, n);
    pos_ += n;
    return v;
}

Bytes error_message(uint8_t version, uint32_t xid, Err e, ByteView request) {
    ErrorCode c = error_code(e, version);
    Writer w(version, OFPT_ERROR, xid);
    if (version == kOf10 && c.code >= 256) {
        // A Nicira code: OpenFlow 1.0 has no experimenter errors, so Open
        // vSwitch sends NXET_VENDOR/NXVC_VENDOR_ERROR with the real one inside.
        w.u16(0xb0c2);
        w.u16(0);
        w.u32(kNxVendor);
    }
    w.u16(c.type);
    w.u16(c.code);
    if (c.type == 0xffff) w.u32(c.experimenter);
    w.bytes(request.subspan(0, std::min<size_t>(request.size(), kMaxMessageLen - w.size())));
    return w.finish();
}

std::string type_name(uint8_t version, uint8_t type) {
    static const char* common[] = {"OFPT_HELLO", "OFPT_ERROR", "OFPT_ECHO_REQUEST", "OFPT_ECHO_REPLY",
                                   "OFPT_VENDOR", "OFPT_FEATURES_REQUEST", "OFPT_FEATURES_REPLY",
                                   "OFPT_GET_CONFIG_REQUEST", "OFPT_GET_CONFIG_REPLY", "OFPT_SET_CONFIG",
                                   "OFPT_PACKET_IN", "OFPT_FLOW_REMOVED", "OFPT_PORT_STATUS",
                                   "OFPT_PACKET_OUT", "OFPT_FLOW_MOD"};
    static const char* v10[] = {"OFPT_PORT_MOD", "OFPT_STATS_REQUEST", "OFPT_STATS_REPLY",
                                "OFPT_BARRIER_REQUEST", "OFPT_BARRIER_REPLY",
                                "OFPT_QUEUE_GET_CONFIG_REQUEST", "OFPT_QUEUE_GET_CONFIG_REPLY"};
    static const char* v13[] = {"OFPT_GROUP_MOD", "OFPT_PORT_MOD", "OFPT_TABLE_MOD",
                                "OFPT_MULTIPART_REQUEST", "OFPT_MULTIPART_REPLY", "OFPT_BARRIER_REQUEST",
                                "OFPT_BARRIER_REPLY", "OFPT_QUEUE_GET_CONFIG_REQUEST",
                                "OFPT_QUEUE_GET_CONFIG_REPLY", "OFPT_ROLE_REQUEST", "OFPT_ROLE_REPLY",
                                "OFPT_GET_ASYNC_REQUEST", "OFPT_GET_ASYNC_REPLY", "OFPT_SET_ASYNC",
                                "OFPT_METER_MOD"};
    if (type < 15) return common[type];
    if (version == kOf10 && type - 15u < std::size(v10)) return v10[type - 15];
    if (version != kOf10 && type - 15u < std::size(v13)) return v13[type - 15];
    return "type " + std::to_string(type);
}

}  // namespace ofp
