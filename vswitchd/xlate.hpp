// xlate: what the datapath should do with a flow, and how widely that
// answer holds (the megaflow's wildcards).
//
// xlate() is the one place forwarding is decided, for upcalls and for
// revalidation alike:
//
//   packet's flow ──> [OpenFlow table, issue 10: not built yet] ──> NORMAL
//
// Until an OpenFlow table exists, a bridge behaves as one whose table holds
// the fail-mode default: `standalone` forwards with NORMAL, `secure`
// forwards nothing.  NORMAL is the learning L2 switch: the source MAC is
// learned on the input port's VLAN, known unicast destinations go to their
// port, unknown and multicast ones are flooded to every other port that
// carries the VLAN, with each port's tagging (access, trunk, native-tagged,
// native-untagged).  Frames a port's VLAN settings refuse are dropped, as
// are frames to reserved multicast addresses (01:80:c2:00:00:0x, e.g. STP)
// unless other_config:forward-bpdu=true.
//
// The wildcard mask records every field the decision looked at: the input
// port, the Ethernet addresses, the VLAN tag (and, through the datapath's
// rules, the EtherType) -- the widest mask under which every packet gets
// the same actions.
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
};

// `flow.in_port` is the datapath port number.  With `may_learn`, the source
// MAC is learned (upcalls; revalidation of a flow that saw packets).
XlateResult xlate(Bridge& br, const mf::Flow& flow, bool may_learn, Clock::time_point now);

}  // namespace vswitchd
