// Bridge: one bridge's forwarding state, what the upcall handler and the
// revalidator work on: its ports by datapath port number (with their VLAN
// settings), its MAC learning table, its fail mode, and the megaflows it
// installed ("ukeys", by UFID).
//
// configure() takes each new configuration and the reconciler's outcome;
// whenever something that can change a forwarding decision changes (a port
// comes or goes, a VLAN setting, the fail mode), config_seq() moves and the
// MAC entries of the ports concerned are forgotten, so that the revalidator
// re-translates every installed flow.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "dpif/dpif.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/match.hpp"
#include "openflow/flow_table.hpp"
#include "vswitchd/config.hpp"
#include "vswitchd/mac_learning.hpp"
#include "vswitchd/reconciler.hpp"
#include "vswitchd/vlan.hpp"

namespace vswitchd {

struct BridgePort {
    uint32_t port_no = 0;
    std::string port;          // the Port's name
    std::string iface;         // the Interface's name
    PortVlan vlan;
    // A port with several interfaces (a bond) forwards through its first
    // interface in the datapath only; the others drop what they receive.
    bool active = true;
    bool operator==(const BridgePort&) const = default;
};

// A megaflow this switch installed (or found in the datapath).
struct Ukey {
    dpif::Bytes ufid;
    mf::Match match;             // what it matches (flow & mask)
    dpif::Bytes key, mask;       // as installed
    dpif::Bytes actions;
    uint64_t packets = 0;        // datapath counters at the last look
    uint64_t bytes = 0;
    Clock::time_point created;
    Clock::time_point last_active;   // when its packet count last moved
    uint64_t xlate_seq = 0;      // Bridge::seq() when translated
    uint64_t rule_id = 0;        // the OpenFlow rule it was translated by (0: none)
};

class Bridge {
public:
    explicit Bridge(std::string name);

    // Returns true if forwarding decisions may have changed.
    bool configure(const BridgeConfig& cfg, const Reconciler& rec);

    const std::string& name() const { return name_; }
    int dp_ifindex() const { return dp_ifindex_; }
    bool fail_secure() const { return fail_secure_; }
    bool forward_bpdu() const { return forward_bpdu_; }
    const std::map<uint32_t, BridgePort>& ports() const { return ports_; }
    const BridgePort* port(uint32_t port_no) const;
    // When the port (its number with its interface) appeared on the bridge:
    // OpenFlow 1.3's port statistics report its age.
    Clock::time_point port_created(uint32_t port_no) const;

    MacLearning& mac() { return mac_; }
    const MacLearning& mac() const { return mac_; }

    // Moves whenever a translation done before may now come out differently
    // (MAC table or configuration change).
    uint64_t seq() const { return mac_.generation() + config_seq_ + flows_.seq(); }   // all only grow
    uint64_t config_seq() const { return config_seq_; }

    std::map<dpif::Bytes, Ukey>& ukeys() { return ukeys_; }
    const std::map<dpif::Bytes, Ukey>& ukeys() const { return ukeys_; }

    // The OpenFlow flow tables.  A new bridge in fail_mode standalone gets
    // Open vSwitch's default flow, `priority=0 actions=NORMAL`; a change of
    // fail mode flushes the tables (and puts the default flow back when the
    // new mode is standalone), as ovs-vswitchd does without controllers.
    ofp::FlowTable& flows() { return flows_; }
    const ofp::FlowTable& flows() const { return flows_; }
    std::optional<uint64_t> datapath_id() const { return datapath_id_; }

    // Where the datapath sends packets for the controller (the upcall
    // channel's netlink port id), for userspace() actions.
    uint32_t upcall_pid() const { return upcall_pid_; }
    void set_upcall_pid(uint32_t pid) { upcall_pid_ = pid; }
    // Whether a miss (no flow matched) goes to the controller: some
    // OpenFlow connection with controller id 0 speaks a version below 1.3
    // (Open vSwitch's rule; 1.3 drops misses unless a table-miss flow says
    // otherwise).  A change re-translates installed flows.
    bool packet_in_on_miss() const { return packet_in_on_miss_; }
    void set_packet_in_on_miss(bool on) {
        if (on != packet_in_on_miss_) ++config_seq_;
        packet_in_on_miss_ = on;
    }

    // The text of `ovs-appctl fdb/show`.
    std::string format_fdb(Clock::time_point now) const;

private:
    std::string name_;
    int dp_ifindex_ = 0;
    bool fail_secure_ = false;
    bool forward_bpdu_ = false;
    std::map<uint32_t, BridgePort> ports_;
    std::map<uint32_t, Clock::time_point> port_created_;
    MacLearning mac_;
    uint64_t config_seq_ = 1;
    std::map<dpif::Bytes, Ukey> ukeys_;
    ofp::FlowTable flows_;
    bool configured_ = false;
    std::optional<uint64_t> datapath_id_;
    uint32_t upcall_pid_ = 0;
    bool packet_in_on_miss_ = false;
};

// How megaflows are written for the datapath: recirc_id (always 0 here)
// but no conntrack attributes, which NORMAL never looks at and which not
// every datapath accepts (our openvswitch_mod has no conntrack).
inline constexpr mf::DatapathKeyOptions kDatapathKeyOptions{true, false};

// The 16-byte UFID of a megaflow: a hash of its match, so the same megaflow
// gets the same id in every run (a restarted switch recognises its flows).
dpif::Bytes ufid_of(const mf::Match& m);

}  // namespace vswitchd
