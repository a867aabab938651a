// A whole forwarding setup for unit tests: the dummy datapath, a bridge
// configured from a database replica through the reconciler, the upcall
// handler and the revalidator, and hand-built frames.
#pragma once

#include <linux/openvswitch.h>

#include <optional>

#include "db.hpp"
#include "dpif/dummy_dpif.hpp"
#include "vswitchd/bridge.hpp"
#include "vswitchd/reconciler.hpp"
#include "vswitchd/revalidator.hpp"
#include "vswitchd/upcall.hpp"

namespace vswitchd_test {

using dpif::Bytes;

inline Bytes mac_bytes(uint8_t last) { return {0x02, 0, 0, 0, 0, last}; }

// An Ethernet frame dst <- src (02:00:00:00:00:NN), optional 802.1Q tag
// (vid, pcp), EtherType 0x88b5 and 46 bytes of payload.
inline Bytes frame(uint8_t dst, uint8_t src, int vid = -1, int pcp = 0, std::optional<Bytes> dst_mac = {}) {
    Bytes p = dst_mac ? *dst_mac : mac_bytes(dst);
    Bytes s = mac_bytes(src);
    p.insert(p.end(), s.begin(), s.end());
    if (vid >= 0) {
        uint16_t tci = static_cast<uint16_t>(pcp << 13 | vid);
        p.insert(p.end(), {0x81, 0x00, static_cast<uint8_t>(tci >> 8), static_cast<uint8_t>(tci)});
    }
    p.insert(p.end(), {0x88, 0xb5});
    p.insert(p.end(), 46, 0xab);
    return p;
}
inline Bytes broadcast(uint8_t src, int vid = -1) {
    return frame(0, src, vid, 0, Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
}
// The VID of a frame (-1: untagged).
inline int vid_of(const Bytes& f) {
    if (f.size() < 18 || f[12] != 0x81 || f[13] != 0) return -1;
    return ((f[14] << 8) | f[15]) & 0xfff;
}
inline int pcp_of(const Bytes& f) { return vid_of(f) < 0 ? -1 : f[14] >> 5; }

class Net {
public:
    Net()
        : chan(dp.open_upcall_channel()),
          rec(dp, {chan->port_id()}),
          handler(dp, [this](int ifindex) { return bridge_by_ifindex(ifindex); }),
          reval(dp) {
        br_uuid = db.add_bridge("br0");
        handler.count_flows = [this] { return bridge ? bridge->ukeys().size() : 0; };
    }

    // Adds a port with one interface, returns the Port's UUID.
    Uuid port(const std::string& name, std::optional<int> tag = {}, std::vector<int> trunks = {},
              const std::string& vlan_mode = "") {
        Uuid p = db.add_port(br_uuid, name);
        if (tag) db.set("Port", p, "tag", *tag);
        if (!trunks.empty()) db.set("Port", p, "trunks", json::array({"set", trunks}));
        if (!vlan_mode.empty()) db.set("Port", p, "vlan_mode", vlan_mode);
        return p;
    }

    // Applies the database to datapath and bridge; returns whether
    // forwarding changed.
    bool apply() {
        db.commit();
        config = vswitchd::read_config(db.replica);
        rec.apply(config);
        if (!bridge) bridge = std::make_unique<vswitchd::Bridge>("br0");
        return bridge->configure(config.bridges.at("br0"), rec);
    }

    uint32_t no(const std::string& iface) const { return *rec.interfaces().at(iface).port_no; }
    int ifindex() const { return rec.datapath("br0")->ifindex; }

    // A frame arrives on `iface`; misses are handled at once.  Returns the
    // datapath's verdict.
    dpif::DummyDpif::Verdict send(const std::string& iface, const Bytes& f) {
        auto v = dp.receive(ifindex(), no(iface), f);
        std::vector<dpif::Upcall> batch;
        while (auto u = chan->recv()) batch.push_back(std::move(*u));
        if (!batch.empty()) handler.handle(batch, now);
        return v;
    }
    std::vector<Bytes> out(const std::string& iface) { return dp.take_transmitted(ifindex(), no(iface)); }
    void drain() {
        for (const auto& [name, i] : rec.interfaces())
            if (i.port_no) dp.take_transmitted(ifindex(), *i.port_no);
    }
    vswitchd::Revalidator::Pass revalidate() { return reval.run(*bridge, now, max_idle); }
    std::vector<dpif::Flow> flows() { return dp.dump_flows(ifindex()); }

    dpif::DummyDpif dp;
    std::unique_ptr<dpif::UpcallChannel> chan;
    vswitchd::Reconciler rec;
    Db db;
    Uuid br_uuid;
    vswitchd::Config config;
    std::unique_ptr<vswitchd::Bridge> bridge;
    vswitchd::UpcallHandler handler;
    vswitchd::Revalidator reval;
    vswitchd::Clock::time_point now = vswitchd::Clock::now();
    std::chrono::milliseconds max_idle{10000};

private:
    vswitchd::Bridge* bridge_by_ifindex(int ifindex) {
        return bridge && bridge->dp_ifindex() == ifindex ? bridge.get() : nullptr;
    }
};

}  // namespace vswitchd_test
