// xlate: what the datapath should do with a flow, and how widely that
// answer holds (the megaflow's wildcards).
//
// xlate() is the one place forwarding is decided, for upcalls and for
// revalidation alike:
//
//   packet's flow ──> OpenFlow table 0 (highest-priority rule) ──> its actions
//                      (output, IN_PORT, FLOOD, ALL, LOCAL, NORMAL, VLAN
//                       push/pop/set, Ethernet, IPv4 and TCP/UDP port
//                       rewrites -- the last two as masked sets -- then
//                       the action set of write_actions; CONTROLLER; a
//                       miss drops, or goes to the controller when
//                       Bridge says so)
//
// CONTROLLER becomes a datapath userspace() action carrying a
// ControllerCookie, at its place in the list: the packet goes up as the
// earlier actions left it, every time (Open vSwitch 3.1 does the same), and
// the actions after it still run in the datapath.
//
// A standalone bridge starts with `priority=0 actions=NORMAL`, a secure one
// with no flows (so it forwards nothing).  NORMAL is the learning L2 switch: the source MAC is
// learned on the input port's VLAN, known unicast destinations go to their
// port, unknown and multicast ones are flooded to every other port that
// carries the VLAN, with each port's tagging (access, trunk, native-tagged,
// native-untagged).  Frames a port's VLAN settings refuse are dropped, as
// are frames to reserved multicast addresses (01:80:c2:00:00:0x, e.g. STP)
// unless other_config:forward-bpdu=true.
//
// The wildcard mask records every field the decision looked at: the input
// port, every bit any rule of the table matches on (the union of the
// table's masks, a conservative stand-in for what the lookup examined),
// and for NORMAL the Ethernet addresses and VLAN tag -- a mask under which
// every packet gets the same actions.
#pragma once

#include <string>

#include "dpif/nl_attr.hpp"
#include "meta-flow/flow.hpp"
#include "vswitchd/bridge.hpp"

namespace vswitchd {

struct XlateResult {
    dpif::Bytes actions;     // empty: drop
    mf::Flow wc{};           // the bits of the flow the decision depends on
    bool learned = false;    // the MAC table changed
    std::string trace;       // one line on why, for logs and tests
    uint64_t rule_id = 0;    // the OpenFlow rule that matched (0: none)
    bool controller = false; // the actions send the packet to the controller
};

// `flow.in_port` is the datapath port number.  With `may_learn`, the source
// MAC is learned (upcalls; revalidation of a flow that saw packets).
XlateResult xlate(Bridge& br, const mf::Flow& flow, bool may_learn, Clock::time_point now);

// A packet-out's actions on its packet: `flow.in_port` is the datapath port
// it claims to come from (kNoDpPort for OFPP_NONE and CONTROLLER, so that
// every port counts as "another port"); `of_in_port` the OpenFlow one.
constexpr uint32_t kNoDpPort = 0xffffffff;
XlateResult xlate_packet_out(Bridge& br, const mf::Flow& flow, uint16_t of_in_port, const ofp::Actions& actions,
                             Clock::time_point now);

}  // namespace vswitchd
