// UpcallHandler: packets the datapath had no flow for.
//
// For each miss: the key becomes an mf::Flow, xlate() decides (learning
// the source MAC), the megaflow (the flow under the decision's wildcards)
// is installed with its UFID, and the packet itself is executed with the
// same actions.  A batch of upcalls goes to the datapath as one batch of
// operations (Dpif::operate).  Beyond the flow limit, packets are still
// forwarded but no flows are installed.
//
// An ACTION upcall carrying a ControllerCookie (a CONTROLLER action, or a
// miss that goes to the controller) becomes a packet-in for on_packet_in:
// the packet as the datapath passed it up, the input port, table, cookie
// and reason from the cookie.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "dpif/dpif.hpp"
#include "openflow/async.hpp"
#include "vswitchd/bridge.hpp"

namespace vswitchd {

class UpcallHandler {
public:
    struct Stats {
        uint64_t upcalls = 0;        // misses handled
        uint64_t flows = 0;          // megaflows installed
        uint64_t executed = 0;       // packets sent on
        uint64_t bad_key = 0;        // keys that could not be read
        uint64_t no_bridge = 0;      // from a datapath no bridge owns
        uint64_t failed = 0;         // datapath refused a put or an execute
        uint64_t over_limit = 0;     // flows not installed because of the flow limit
        uint64_t packet_ins = 0;     // ACTION upcalls turned into packet-ins
        uint64_t bad_userdata = 0;   // ACTION upcalls whose userdata is not ours
    };

    UpcallHandler(dpif::Dpif& dpif, std::function<Bridge*(int dp_ifindex)> find_bridge);

    void handle(std::vector<dpif::Upcall>& batch, Clock::time_point now);

    void set_flow_limit(size_t n) { flow_limit_ = n; }
    // Installed flows across bridges, maintained by the caller's bridges.
    std::function<size_t()> count_flows;
    // A packet for the bridge's controllers.
    std::function<void(Bridge&, const ofp::PacketIn&, uint16_t controller_id)> on_packet_in;
    // Called when a translation changed a bridge's MAC table.
    std::function<void(Bridge&)> on_learned;

    const Stats& stats() const { return stats_; }

private:
    void to_controller(dpif::Upcall& u);

    dpif::Dpif& dpif_;
    std::function<Bridge*(int)> find_;
    size_t flow_limit_ = 200000;
    Stats stats_;
};

}  // namespace vswitchd
