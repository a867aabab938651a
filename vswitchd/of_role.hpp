// Controller roles (OpenFlow 1.3's OFPT_ROLE_REQUEST, Nicira's
// NXT_ROLE_REQUEST for 1.0), with Open vSwitch's rules:
//
//   * every connection starts "equal" (Nicira: "other"); a request for
//     master turns the bridge's other masters into slaves (a 1.3 one is
//     told with ONF's role status message); "no change" (1.3) only asks;
//   * in 1.3 a master or slave request carries a generation id: one older
//     than the last one seen (compared as a signed 64-bit difference) is
//     refused with OFPRRFC_STALE, a newer one is kept;
//   * a slave may not change the switch: flow mods, packet-outs and port
//     mods get OFPBRC_IS_SLAVE; by default it gets only port status of the
//     asynchronous messages (ofp::default_async_config).
//
// The reply carries the role now held (and, in 1.3, the generation id, all
// ones while none is known).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "openflow/wire.hpp"
#include "vswitchd/ofconn.hpp"

namespace vswitchd {

struct RoleState {
    std::optional<uint64_t> generation_id;
};

// Handles a role request (returns false for any other message); `peers`
// are the bridge's other connections.  Throws ofp::OfError.
bool handle_role_request(OfConn& conn, const ofp::Header& h, ofp::ByteView msg, RoleState& st,
                         const std::vector<OfConn*>& peers);

// Throws OFPBRC_IS_SLAVE when a slave sends a request that changes the
// switch.
void check_not_slave(const OfConn& conn, const ofp::Header& h, ofp::ByteView msg);

// "master", "slave", "other" (the Controller table's role column).
const char* role_name(OfConn::Role r);

}  // namespace vswitchd
