// NXM and OXM match encodings (the TLVs of Nicira's nx_match and of
// OpenFlow 1.2+'s ofp_match), as Open vSwitch writes and reads them.
//
// Encoding (nxm_encode) writes the fields a match constrains in Open
// vSwitch's order, only those whose prerequisites the match's values meet
// (TCP ports only under nw_proto=6, ...), exact headers where the mask is
// all ones, "_W" headers with value/mask otherwise; VLAN as NXM_OF_VLAN_TCI
// in NXM and as OXM_OF_VLAN_VID + OXM_OF_VLAN_PCP in OXM; registers as
// NXM_NX_REGn before OpenFlow 1.5 and OXM_OF_PKT_REGn from 1.5; and a leading
// OXM_OF_PACKET_TYPE(0) when nothing else implies an Ethernet packet.  The
// header chosen for each field follows field_header(id, version).
//
// Decoding (nxm_decode) checks every entry: lengths (OFPBMC_BAD_LEN), known
// field (BAD_FIELD; skipped in loose mode), 1-bits in the value outside the
// mask (BAD_WILDCARDS), mask allowed for the field (BAD_MASK), value valid
// (BAD_VALUE), prerequisites met by earlier entries (BAD_PREREQ; strict mode
// only), no field twice (DUP_FIELD).  Errors are NxmError carrying the
// OpenFlow error name.
//
// The text form (nxm_to_string / nxm_from_string) is ovs-ofctl's:
// "NXM_OF_ETH_TYPE(0800), NXM_OF_IP_SRC_W(0a000000/ff000000)".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dpif/nl_attr.hpp"
#include "meta-flow/error.hpp"
#include "meta-flow/match.hpp"

namespace mf {

enum class NxmErr : uint8_t {
    bad_len, bad_field, bad_wildcards, bad_mask, bad_value, bad_prereq, dup_field, bad_type,
};
// "OFPBMC_BAD_LEN", ...
const char* nxm_err_name(NxmErr e);

class NxmError : public Error {
public:
    NxmError(NxmErr code, const std::string& what) : Error(what), code_(code) {}
    NxmErr code() const { return code_; }

private:
    NxmErr code_;
};

struct NxmCookie {
    uint64_t cookie = 0;
    uint64_t mask = 0;  // 0: none
};

// OpenFlow wire versions.
constexpr uint8_t kOfp12 = 3, kOfp13 = 4, kOfp14 = 5, kOfp15 = 6;

// Encodes `match` as NXM (of_version 0) or OXM (of_version >= kOfp12)
// entries, without padding.  An NXM cookie (flow mods, stats requests) is
// appended when cookie.mask is nonzero.
dpif::Bytes nxm_encode(const Match& match, uint8_t of_version = 0, NxmCookie cookie = {});

// Decodes entries (no padding).  strict: unknown fields and unmet
// prerequisites are errors (Open vSwitch's nx_pull_match); loose: unknown
// fields are skipped and prerequisites not checked (nx_pull_match_loose).
// A cookie entry is accepted only when `cookie` is given.
Match nxm_decode(dpif::ByteView entries, bool strict, NxmCookie* cookie = nullptr);

// OpenFlow 1.2+ struct ofp_match: type OFPMT_OXM, length, entries, padded to
// a multiple of 8.
dpif::Bytes oxm_match_encode(const Match& match, uint8_t of_version);
// Decodes an ofp_match; *consumed gets the padded length.
Match oxm_match_decode(dpif::ByteView b, bool strict, size_t* consumed = nullptr);

// ovs-ofctl's text forms.  to_string never fails ("<any>" for no entries,
// "<N invalid bytes>" for a malformed tail); from_string throws mf::Error.
std::string nxm_to_string(dpif::ByteView entries);
dpif::Bytes nxm_from_string(std::string_view s);

}  // namespace mf
