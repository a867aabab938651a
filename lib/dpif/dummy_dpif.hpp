// dpif::DummyDpif: an in-process datapath with the Dpif interface, for
// testing the switch daemon on machines without the kernel module.
//
// It keeps datapaths (each with its local internal port 0), vports, a flow
// table with masked lookup and UFIDs, and statistics like the kernel.  Test
// code feeds packets in with receive(): a matching flow's actions run
// (output queues the packet on the port, readable with take_transmitted()),
// a miss becomes an upcall to one of the port's upcall pids, i.e. to an
// UpcallChannel opened on this object.  Vport changes are announced to
// VportListeners like the ovs_vport multicast group does.
//
// Netdev vports need a "network device": by default any name is accepted;
// with set_strict_netdevs(true) only names given to add_netdev() are, and
// others fail with ENODEV as in the kernel.  It is thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "dpif/dpif.hpp"

namespace dpif {

class DummyDpif : public Dpif {
public:
    DummyDpif();
    ~DummyDpif() override;

    std::string type() const override { return "dummy"; }

    std::vector<DatapathInfo> list_datapaths() override;
    DatapathInfo create_datapath(const std::string& name, uint32_t upcall_pid = 0,
                                 uint32_t features = kDefaultFeatures) override;
    std::optional<DatapathInfo> get_datapath(const std::string& name) override;
    DatapathInfo set_user_features(const std::string& name, uint32_t features) override;
    DatapathInfo set_per_cpu_upcall_pids(const std::string& name,
                                         const std::vector<uint32_t>& pids) override;
    void delete_datapath(const std::string& name) override;

    VportInfo add_vport(int dp_ifindex, const VportRequest& req) override;
    std::optional<VportInfo> get_vport(int dp_ifindex, const std::string& name) override;
    std::optional<VportInfo> get_vport(int dp_ifindex, uint32_t port_no) override;
    std::vector<VportInfo> list_vports(int dp_ifindex) override;
    void delete_vport(int dp_ifindex, uint32_t port_no) override;
    VportInfo set_vport_upcall_pids(int dp_ifindex, uint32_t port_no,
                                    const std::vector<uint32_t>& pids) override;

    std::optional<FlowStats> put_flow(int dp_ifindex, const FlowPut& put) override;
    std::optional<Flow> get_flow(int dp_ifindex, const FlowId& id) override;
    FlowStats del_flow(int dp_ifindex, const FlowId& id) override;
    void dump_flows(int dp_ifindex, const std::function<bool(const Flow&)>& fn) override;
    using Dpif::dump_flows;
    void flush_flows(int dp_ifindex) override;

    void execute(int dp_ifindex, ByteView packet, ByteView key, ByteView actions) override;
    std::unique_ptr<UpcallChannel> open_upcall_channel() override;
    std::unique_ptr<VportListener> open_vport_listener() override;
    // Its own devices: one per vport (internal ones go with their vport,
    // others stay, like system devices) and per add_netdev().  MACs are
    // 02:dd:00:00:HH:LL from the ifindex, MTU 1500, carrier on; netdev
    // vports start up with 10 Gb/s, internal ones down without a speed.
    Netdevs& netdevs() override;

    // ---- test hooks
    enum class Verdict { Forwarded, Upcall, Lost };
    // A packet arrives on a vport.  Throws ENODEV for an unknown dp or port.
    Verdict receive(int dp_ifindex, uint32_t port_no, ByteView packet);
    // Packets the datapath sent out of a vport since the last call.
    std::vector<Bytes> take_transmitted(int dp_ifindex, uint32_t port_no);

    void set_strict_netdevs(bool strict);
    void set_carrier(const std::string& name, bool carrier);  // throws ENODEV
    void add_netdev(const std::string& name);
    void remove_netdev(const std::string& name);
    // Upcall channel queue limit (default 4096): beyond, upcalls are lost.
    void set_channel_capacity(size_t n);
    // Monotonic milliseconds used for OVS_FLOW_ATTR_USED; tests may override.
    void set_clock(std::function<uint64_t()> now_ms);

    struct State;
    class DummyNetdevs;

private:
    std::unique_ptr<State> s_;
    std::unique_ptr<DummyNetdevs> netdevs_;
};

}  // namespace dpif
