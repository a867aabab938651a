#include "vswitchd/bridge.hpp"

#include <cstring>

#include "meta-flow/ports.hpp"

namespace vswitchd {

Bridge::Bridge(std::string name) : name_(std::move(name)) {}

const BridgePort* Bridge::port(uint32_t port_no) const {
    auto it = ports_.find(port_no);
    return it == ports_.end() ? nullptr : &it->second;
}

bool Bridge::configure(const BridgeConfig& cfg, const Reconciler& rec) {
    std::map<uint32_t, BridgePort> ports;
    for (const auto& [pname, p] : cfg.ports) {
        bool first = true;
        for (const auto& i : p.interfaces) {
            auto r = rec.interfaces().find(i.name);
            if (r == rec.interfaces().end() || !r->second.port_no) continue;
            BridgePort bp;
            bp.port_no = *r->second.port_no;
            bp.port = pname;
            bp.iface = i.name;
            bp.vlan = p.vlan;
            bp.active = first;
            first = false;
            ports[bp.port_no] = std::move(bp);
        }
    }
    const Reconciler::Datapath* dp = rec.datapath(cfg.name);
    int ifindex = dp ? dp->ifindex : 0;
    const bool forward_bpdu = cfg.forward_bpdu;

    datapath_id_ = cfg.datapath_id;
    if (!configured_ || cfg.fail_secure != fail_secure_) {
        flows_.clear();
        if (!cfg.fail_secure) {
            ofp::Action normal;
            normal.port = mf::kOfppNormal;
            flows_.add(mf::Match(), 0, {normal}, Clock::now());
        }
    }
    bool changed = !configured_ || ports != ports_ || ifindex != dp_ifindex_ || cfg.fail_secure != fail_secure_ ||
                   forward_bpdu != forward_bpdu_;
    if (changed) {
        // MACs learned on ports that went away or changed VLAN settings are
        // no longer true.
        for (const auto& [no, old] : ports_) {
            auto now = ports.find(no);
            if (now == ports.end() || !(now->second == old)) mac_.flush_port(no);
        }
        if (ifindex != dp_ifindex_) {
            mac_.flush();
            ukeys_.clear();
        }
        const auto now = Clock::now();
        std::map<uint32_t, Clock::time_point> created;
        for (const auto& [no, p] : ports) {
            auto old = ports_.find(no);
            auto at = port_created_.find(no);
            created[no] = old != ports_.end() && old->second.iface == p.iface && at != port_created_.end()
                              ? at->second
                              : now;
        }
        port_created_ = std::move(created);
        ports_ = std::move(ports);
        dp_ifindex_ = ifindex;
        fail_secure_ = cfg.fail_secure;
        forward_bpdu_ = forward_bpdu;
        configured_ = true;
        ++config_seq_;
    }
    if (mac_.aging() != cfg.mac_aging) mac_.set_aging(cfg.mac_aging);
    if (mac_.max_entries() != cfg.mac_table_size) mac_.set_max_entries(cfg.mac_table_size);
    return changed;
}

Clock::time_point Bridge::port_created(uint32_t port_no) const {
    auto it = port_created_.find(port_no);
    return it == port_created_.end() ? Clock::now() : it->second;
}

std::string Bridge::format_fdb(Clock::time_point now) const {
    return mac_.format(now, [](uint32_t port) {
        return port == dpif::kLocalPort ? std::string("LOCAL") : std::to_string(port);
    });
}

dpif::Bytes ufid_of(const mf::Match& m) {
    uint64_t a = m.hash(0x5b1d0f1e2d3c4b5aULL);
    uint64_t b = m.hash(0x0123456789abcdefULL);
    dpif::Bytes u(16);
    std::memcpy(u.data(), &a, 8);
    std::memcpy(u.data() + 8, &b, 8);
    return u;
}

}  // namespace vswitchd
