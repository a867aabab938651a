// OpenFlow actions as the flow table keeps them, and their wire encodings:
// OpenFlow 1.0's struct ofp_action_* and OpenFlow 1.3's actions inside
// instructions (apply-actions, write-actions, clear-actions).
//
// One list per rule, as Open vSwitch keeps it: the apply-actions first, then
// ClearActions and WriteActions (whose `nested` list is the action set) as
// list entries of their own.  The same rule is written in either version:
// OpenFlow 1.0 has no instructions (write/clear are left out, as Open
// vSwitch leaves them out), OpenFlow 1.3 has no mod_vlan_vid (it becomes
// set_field vlan_vid, after a push_vlan when the packet may be untagged).
//
// Supported: output (to a port number or IN_PORT, NORMAL, FLOOD, ALL,
// CONTROLLER, LOCAL), set_vlan_vid, set_vlan_pcp, strip_vlan/pop_vlan,
// push_vlan (1.3), set_dl_src, set_dl_dst, set_nw_src, set_nw_dst,
// set_nw_tos, set_tp_src, set_tp_dst (1.0), set_field of eth_src, eth_dst,
// vlan_vid, vlan_pcp, ipv4_src, ipv4_dst, ip_dscp, tcp_src, tcp_dst,
// udp_src, udp_dst (1.3), dec_ttl (Nicira's NXAST_DEC_TTL in 1.0, 1.3's
// OFPAT_DEC_NW_TTL); an empty list is "drop".  Anything else is
// refused with OFPBAC_BAD_TYPE (unknown set_field fields with the OXM
// error Open vSwitch gives) rather than accepted and ignored.  goto_table,
// write_metadata and meter instructions get OFPBIC_UNSUP_INST: this switch
// looks rules up in table 0 only.
#pragma once

#include <string>
#include <vector>

#include "meta-flow/match.hpp"
#include "meta-flow/net_types.hpp"
#include "openflow/wire.hpp"

namespace ofp {

struct Action {
    enum class Kind : uint8_t {
        Output, SetVlanVid, SetVlanPcp, StripVlan, SetDlSrc, SetDlDst, PushVlan,
        ClearActions, WriteActions,
        SetNwSrc, SetNwDst, SetNwTos, SetTpSrc, SetTpDst, DecTtl,
    };
    Kind kind = Kind::Output;
    uint16_t port = 0;      // Output: OpenFlow 1.0 numbering
    uint16_t max_len = 0;   // Output to CONTROLLER
    uint16_t vid = 0;       // SetVlanVid
    uint8_t pcp = 0;        // SetVlanPcp
    // SetVlanVid/Pcp: mod_vlan_* (1.0's set_vlan_*), which tags an untagged
    // packet; false for 1.3's set_field, which leaves it alone.
    bool push_if_needed = true;
    uint16_t ethertype = 0; // PushVlan: 0x8100 or 0x88a8
    mf::Mac mac{};          // SetDlSrc / SetDlDst
    uint32_t nw = 0;        // SetNwSrc / SetNwDst: IPv4 address
    uint8_t tos = 0;        // SetNwTos: the DSCP bits, in place (ECN bits 0)
    uint16_t tp = 0;        // SetTpSrc / SetTpDst: TCP/UDP port
    // A 1.3 set_field's field (mf::FieldId::count_ for 1.0's set_* actions):
    // its prerequisites must hold in the match.
    mf::FieldId field = mf::FieldId::count_;
    std::vector<Action> nested;   // WriteActions: the action set
    bool operator==(const Action&) const = default;
};
using Actions = std::vector<Action>;

// Decodes a whole action list (a multiple of 8 bytes); throws OfError.
Actions actions10_decode(ByteView b);
void actions10_encode(const Actions& a, Writer& w);

// OpenFlow 1.3: an action list (inside an apply- or write-actions
// instruction) and a whole instruction list.
Actions actions13_decode(ByteView b);
Actions instructions13_decode(ByteView b);
// `match` is the rule's: whether a mod_vlan_vid needs a push_vlan in front
// depends on whether the rule matches tagged packets only.
void actions13_encode(const Actions& a, const mf::Match& match, Writer& w);
void instructions13_encode(const Actions& a, const mf::Match& match, Writer& w);

// Checks a rule's actions against its match as Open vSwitch does
// (set_field vlan_vid/vlan_pcp needs a VLAN tag the match or an earlier
// action guarantees, any other set_field the prerequisites of its field in
// the match: OFPBAC_MATCH_INCONSISTENT); throws OfError.
void actions_check(const Actions& a, const mf::Match& match);

// Whether the list outputs to `port` (OFPP_NONE: any port), for the
// out_port filters of flow_mod and flow stats.
bool actions_output_to(const Actions& a, uint16_t port);

}  // namespace ofp
