// dpif::NetlinkDpif: the datapath interface over generic netlink (libnl-3),
// for Linux's openvswitch.ko and our openvswitch_mod (same ABI,
// <linux/openvswitch.h>).
#pragma once

#include <memory>
#include <mutex>

#include "dpif/dpif.hpp"
#include "dpif/genl_socket.hpp"

namespace dpif {

class NetlinkDpif : public Dpif {
public:
    // Resolves the four OVS families; throws Error(ENOENT) with a hint that
    // the module is not loaded when they are absent.
    NetlinkDpif();

    std::string type() const override { return "netlink"; }

    std::vector<DatapathInfo> list_datapaths() override;
    DatapathInfo create_datapath(const std::string& name, uint32_t upcall_pid,
                                 uint32_t features) override;
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
    void operate(std::vector<DpifOp>& ops) override;
    std::unique_ptr<UpcallChannel> open_upcall_channel() override;
    std::unique_ptr<VportListener> open_vport_listener() override;

    Netdevs& netdevs() override { return netdevs_; }

    uint16_t family_id(Family f) const;

private:
    std::vector<OvsMessage> transact(const OvsMessage& m);

    std::mutex mutex_;  // one request at a time on sock_
    GenlSocket sock_;
    uint16_t ids_[4] = {};
    SystemNetdevs netdevs_;
};

}  // namespace dpif
