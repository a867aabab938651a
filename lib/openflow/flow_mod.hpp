// Flow table requests: flow_mod (OpenFlow 1.0's OFPT_FLOW_MOD and Nicira's
// NXT_FLOW_MOD with an NXM match) and flow/aggregate statistics requests
// (OFPST_FLOW, OFPST_AGGREGATE, NXST_FLOW, NXST_AGGREGATE), decoded into
// plain structs with Open vSwitch's semantics:
//   * OpenFlow 1.0: an exact match gets priority 65535; the message's cookie
//     is the new cookie (no cookie matching); modify may add a flow;
//   * NXM: the match may carry a cookie and mask (NXM_NX_COOKIE_W), which
//     an add may not; new_cookie all-ones means "leave cookies alone";
//   * with NXT_FLOW_MOD_TABLE_ID on, the command's high byte is the table;
//   * OpenFlow 1.3 (OFPT_FLOW_MOD with an OXM match and instructions): the
//     table is in the message (255 only for deletes), an add sets the
//     cookie, modify and delete match on cookie/mask and modify never adds;
//     counters restart on an add only with OFPFF_RESET_COUNTS (1.0's adds
//     always carry it, as in Open vSwitch, and a 1.3 dump shows it).
// Flags are kept in OpenFlow 1.3's numbering whatever the version.
#pragma once

#include <optional>

#include "meta-flow/match.hpp"
#include "openflow/actions.hpp"
#include "openflow/wire.hpp"

namespace ofp {

enum : uint8_t { OFPFC_ADD = 0, OFPFC_MODIFY = 1, OFPFC_MODIFY_STRICT = 2, OFPFC_DELETE = 3, OFPFC_DELETE_STRICT = 4 };
enum : uint16_t {
    OFPFF_SEND_FLOW_REM = 1, OFPFF_CHECK_OVERLAP = 2, OFPFF10_EMERG = 4,
    OFPFF_RESET_COUNTS = 4, OFPFF_NO_PKT_COUNTS = 8, OFPFF_NO_BYT_COUNTS = 16,   // 1.3
};
// The flags a rule keeps (Open vSwitch's OFPUTIL_FF_STATE).
constexpr uint16_t kRuleFlags =
    OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP | OFPFF_RESET_COUNTS | OFPFF_NO_PKT_COUNTS | OFPFF_NO_BYT_COUNTS;
constexpr uint8_t kTableAll = 0xff;
constexpr uint32_t kNoBuffer = 0xffffffff;

struct FlowMod {
    mf::Match match;
    uint16_t priority = 0x8000;
    uint8_t command = OFPFC_ADD;
    uint8_t table_id = kTableAll;      // all (delete/modify) or table 0 (add)
    uint64_t cookie = 0, cookie_mask = 0;   // which flows (modify/delete)
    uint64_t new_cookie = 0;           // all-ones: none
    bool modify_cookie = false;
    bool modify_may_add = false;
    uint16_t idle_timeout = 0, hard_timeout = 0;
    uint32_t buffer_id = kNoBuffer;
    uint16_t out_port = 0xffff;        // OFPP_NONE: no filter
    uint16_t flags = 0;
    Actions actions;
};

// `msg` is the whole message.  Throw OfError.
FlowMod decode_flow_mod10(ByteView msg, bool table_id_ext);
FlowMod decode_nx_flow_mod(ByteView msg, bool table_id_ext);
FlowMod decode_flow_mod13(ByteView msg);

struct FlowStatsRequest {
    mf::Match match;
    uint8_t table_id = kTableAll;
    uint16_t out_port = 0xffff;
    uint64_t cookie = 0, cookie_mask = 0;
};
// The body after the statistics header: OFPST_FLOW/AGGREGATE (1.0 match) or
// NXST_FLOW/AGGREGATE (NXM match).
FlowStatsRequest decode_flow_stats_request10(ByteView body);
FlowStatsRequest decode_nx_flow_stats_request(ByteView body);
// OpenFlow 1.3's ofp_flow_stats_request / ofp_aggregate_stats_request.
FlowStatsRequest decode_flow_stats_request13(ByteView body);

// An OpenFlow 1.3 ofp_match (OXM) from `r`, padding included; errors as
// OFPBMC_* OfErrors.
mf::Match read_oxm_match(Reader& r);

}  // namespace ofp
