#include "vswitchd/reconciler.hpp"

#include <cerrno>
#include <cstring>

#include "common/vlog.hpp"
#include "vswitchd/coverage.hpp"

VLOG_DEFINE_THIS_MODULE(reconciler);

COVERAGE_DEFINE(dpif_port_add);
COVERAGE_DEFINE(dpif_port_del);
COVERAGE_DEFINE(dpif_port_add_failed);
COVERAGE_DEFINE(dpif_datapath_create);
COVERAGE_DEFINE(dpif_datapath_delete);

namespace vswitchd {

namespace {

std::string errtext(const dpif::Error& e) { return std::strerror(e.code()); }

bool locally_administered(const Mac& m) { return m[0] & 2; }

}  // namespace

int64_t ofport_of(uint32_t port_no) { return port_no == dpif::kLocalPort ? kOfpLocal : port_no; }

Reconciler::Reconciler(dpif::Dpif& dpif, std::vector<uint32_t> upcall_pids)
    : dpif_(dpif), pids_(std::move(upcall_pids)) {}

bool Reconciler::supports(const std::string& t) const {
    return t.empty() || t == "system" || t == dpif_.type();
}

const Reconciler::Datapath* Reconciler::datapath(const std::string& bridge) const {
    auto it = dps_.find(bridge);
    return it == dps_.end() ? nullptr : &it->second;
}

std::optional<std::string> Reconciler::vport_name(int dp_ifindex, uint32_t port_no) const {
    for (const auto& [_, dp] : dps_) {
        if (dp.ifindex != dp_ifindex) continue;
        for (const auto& [name, v] : dp.vports)
            if (v.port_no == port_no) return name;
    }
    return std::nullopt;
}

void Reconciler::sync(const Config& config, Outcome& out) {
    dps_.clear();
    for (const auto& info : dpif_.list_datapaths()) {
        auto b = config.bridges.find(info.name);
        if (b == config.bridges.end() || !supports(b->second.datapath_type)) {
            VLOG_INFO("deleting datapath %s: no bridge of this datapath type is configured", info.name.c_str());
            try {
                dpif_.delete_datapath(info.name);
                COVERAGE_INC(dpif_datapath_delete);
                ++out.operations;
            } catch (const dpif::Error& e) {
                VLOG_WARN("could not delete datapath %s: %s", info.name.c_str(), e.what());
            }
            continue;
        }
        Datapath dp;
        dp.ifindex = info.ifindex;
        for (const auto& v : dpif_.list_vports(info.ifindex))
            dp.vports[v.name] = Vport{v.port_no, v.type, v.upcall_pids};
        VLOG_INFO("adopted datapath %s with %zu ports", info.name.c_str(), dp.vports.size());
        dps_.emplace(info.name, std::move(dp));
    }
    synced_ = true;
}

void Reconciler::adopt_pids(const std::string& bridge, Datapath& dp) {
    for (auto& [name, v] : dp.vports) {
        if (v.upcall_pids == pids_) continue;
        try {
            dpif_.set_vport_upcall_pids(dp.ifindex, v.port_no, pids_);
            v.upcall_pids = pids_;
        } catch (const dpif::Error& e) {
            VLOG_WARN("%s: could not set the upcall pid of port %s: %s", bridge.c_str(), name.c_str(), e.what());
        }
    }
}

void Reconciler::set_dispatch(const std::string& bridge) {
    if (!per_cpu_) return;
    try {
        dpif_.set_per_cpu_upcall_pids(bridge, pids_);
    } catch (const dpif::Error& e) {
        if (e.code() == EOPNOTSUPP || e.code() == EINVAL) {
            VLOG_INFO("%s: no per-CPU upcall dispatch (%s): dispatching by port", bridge.c_str(), e.what());
            per_cpu_ = false;
            try {
                dpif_.open_datapath(bridge, false);   // back to dispatch by vport pids
            } catch (const dpif::Error&) {
            }
        } else {
            VLOG_WARN("%s: could not set the upcall dispatch: %s", bridge.c_str(), e.what());
        }
    }
}

bool Reconciler::check_dispatch() {
    bool fixed = false;
    for (const auto& [name, dp] : dps_) {
        std::optional<dpif::DatapathInfo> info;
        try {
            info = dpif_.get_datapath(name);
        } catch (const dpif::Error&) {
            continue;
        }
        if (!info) continue;
        const bool on = info->user_features & dpif::kFeaturePerCpuDispatch;
        bool ok = per_cpu_ ? on && (info->per_cpu_pids.empty() || info->per_cpu_pids == pids_) : !on;
        if (ok) continue;
        VLOG_INFO("%s: upcall dispatch was changed by another program; restoring it", name.c_str());
        fixed = true;
        if (per_cpu_) {
            set_dispatch(name);
        } else {
            try {
                dpif_.open_datapath(name, false);
            } catch (const dpif::Error& e) {
                VLOG_WARN("%s: %s", name.c_str(), e.what());
            }
        }
    }
    return fixed;
}

bool Reconciler::ensure_datapath(const BridgeConfig& b, Outcome& out) {
    if (dps_.count(b.name)) return true;
    try {
        dpif::DatapathInfo info = dpif_.open_datapath(b.name, true);
        Datapath dp;
        dp.ifindex = info.ifindex;
        for (const auto& v : dpif_.list_vports(info.ifindex))
            dp.vports[v.name] = Vport{v.port_no, v.type, v.upcall_pids};
        COVERAGE_INC(dpif_datapath_create);
        ++out.operations;
        out.changed.insert(b.name);
        VLOG_INFO("%s: datapath ready (ifindex %d)", b.name.c_str(), info.ifindex);
        dps_.emplace(b.name, std::move(dp));
        set_dispatch(b.name);
        dp_errors_.erase(b.name);
        return true;
    } catch (const dpif::Error& e) {
        std::string why = "could not open datapath " + b.name + " (" + errtext(e) + ")";
        if (dp_errors_[b.name] != why) VLOG_ERR("%s: %s", why.c_str(), e.what());
        dp_errors_[b.name] = why;
        return false;
    }
}

void Reconciler::remove_stale_vports(const BridgeConfig& b, Datapath& dp, Outcome& out) {
    for (auto it = dp.vports.begin(); it != dp.vports.end();) {
        const std::string& name = it->first;
        const Vport& v = it->second;
        if (v.port_no == dpif::kLocalPort) {
            ++it;
            continue;
        }
        const PortConfig* p = b.port_of(name);
        const InterfaceConfig* want = nullptr;
        if (p)
            for (const auto& i : p->interfaces)
                if (i.name == name) want = &i;
        std::string why;
        if (!want) {
            why = "not in the configuration";
        } else if (want->is_internal() != (v.type == dpif::VportType::Internal) ||
                   (!want->is_internal() && !want->is_system())) {
            why = "type changed";
        } else if (want->ofport_request && *want->ofport_request != static_cast<int64_t>(v.port_no) &&
                   *want->ofport_request >= 1 && *want->ofport_request < 65280) {
            // Moving to the requested number, unless another port holds it.
            bool taken = false;
            for (const auto& [n2, v2] : dp.vports)
                if (static_cast<int64_t>(v2.port_no) == *want->ofport_request) taken = true;
            if (!taken) why = "ofport_request changed";
        }
        if (why.empty()) {
            ++it;
            continue;
        }
        try {
            dpif_.delete_vport(dp.ifindex, v.port_no);
            COVERAGE_INC(dpif_port_del);
            VLOG_INFO("%s: deleted port %s (%u): %s", b.name.c_str(), name.c_str(), v.port_no, why.c_str());
        } catch (const dpif::Error& e) {
            if (e.code() != ENOENT && e.code() != ENODEV) {
                VLOG_WARN("%s: could not delete port %s: %s", b.name.c_str(), name.c_str(), e.what());
                ++it;
                continue;
            }
        }
        ++out.operations;
        out.changed.insert(b.name);
        it = dp.vports.erase(it);
    }
}

void Reconciler::add_vports(const BridgeConfig& b, Datapath& dp, Outcome& out) {
    for (const auto& [_, p] : b.ports) {
        for (const auto& i : p.interfaces) {
            Interface& r = ifaces_[i.name];
            r.bridge = b.name;
            if (i.name == b.name) {
                // The bridge's own interface is the datapath's local port.
                r.port_no = dpif::kLocalPort;
                r.error.clear();
                continue;
            }
            if (auto v = dp.vports.find(i.name); v != dp.vports.end()) {
                r.port_no = v->second.port_no;
                r.error.clear();
                continue;
            }
            r.port_no.reset();
            if (!i.is_system() && !i.is_internal()) {
                r.error = "could not open network device " + i.name + " (Address family not supported by protocol)";
                continue;
            }
            dpif::VportRequest req;
            req.name = i.name;
            req.type = i.is_internal() ? dpif::VportType::Internal : dpif::VportType::Netdev;
            req.upcall_pids = pids_;
            if (i.ofport_request && *i.ofport_request >= 1 && *i.ofport_request < 65280) {
                bool taken = false;
                for (const auto& [n2, v2] : dp.vports)
                    if (static_cast<int64_t>(v2.port_no) == *i.ofport_request) taken = true;
                if (!taken) req.port_no = static_cast<uint32_t>(*i.ofport_request);
            }
            try {
                dpif::VportInfo v = dpif_.add_vport(dp.ifindex, req);
                COVERAGE_INC(dpif_port_add);
                dp.vports[i.name] = Vport{v.port_no, v.type, pids_};
                r.port_no = v.port_no;
                r.error.clear();
                ++out.operations;
                out.changed.insert(b.name);
                VLOG_INFO("%s: added %s port %s on port %u", b.name.c_str(),
                          i.is_internal() ? "internal" : "system", i.name.c_str(), v.port_no);
            } catch (const dpif::Error& e) {
                COVERAGE_INC(dpif_port_add_failed);
                std::string why = "could not open network device " + i.name + " (" + errtext(e) + ")";
                auto before = prev_errors_.find(i.name);
                if (before == prev_errors_.end() || before->second != why)
                    VLOG_WARN("%s: %s", b.name.c_str(), e.what());
                r.error = why;
            }
        }
    }
}

void Reconciler::setup_internal(const BridgeConfig& b, const Datapath& dp) {
    dpif::Netdevs& nd = dpif_.netdevs();
    // MTU of internal interfaces without mtu_request: the smallest of the
    // bridge's other ports (as Open vSwitch does), if it has any.
    std::optional<int> min_mtu;
    std::optional<Mac> min_mac;
    for (const auto& [name, v] : dp.vports) {
        if (v.type == dpif::VportType::Internal) continue;
        auto info = nd.get(name, false);
        if (!info) continue;
        if (info->mtu > 0 && (!min_mtu || info->mtu < *min_mtu)) min_mtu = info->mtu;
        // The bridge's MAC follows its smallest universally administered
        // port MAC, unless other_config:hwaddr says otherwise.
        if (!is_multicast(info->mac) && !locally_administered(info->mac) && info->mac != Mac{} &&
            (!min_mac || info->mac < *min_mac))
            min_mac = info->mac;
    }
    auto configure = [&](const std::string& name, std::optional<int64_t> mtu_request, std::optional<Mac> mac) {
        auto info = nd.get(name, false);
        if (!info) return;
        std::optional<int> mtu = mtu_request ? std::optional<int>(static_cast<int>(*mtu_request)) : min_mtu;
        try {
            if (mtu && info->mtu != *mtu) nd.set_mtu(name, *mtu);
            if (mac && info->mac != *mac) nd.set_mac(name, *mac);
        } catch (const dpif::Error& e) {
            static vlog::RateLimit rl(5, 10);
            VLOG_WARN_RL(rl, "%s: could not configure %s: %s", b.name.c_str(), name.c_str(), e.what());
        }
    };
    const InterfaceConfig* local = nullptr;
    for (const auto& [_, p] : b.ports)
        for (const auto& i : p.interfaces) {
            if (i.name == b.name) {
                local = &i;
                continue;
            }
            auto v = dp.vports.find(i.name);
            if (v == dp.vports.end() || v->second.type != dpif::VportType::Internal) continue;
            configure(i.name, i.mtu_request, i.mac);
        }
    std::optional<Mac> bridge_mac = b.hwaddr ? b.hwaddr : (local && local->mac ? local->mac : min_mac);
    configure(b.name, local ? local->mtu_request : std::nullopt, bridge_mac);
}

Reconciler::Outcome Reconciler::apply(const Config& config) {
    Outcome out;
    if (!synced_) {
        try {
            sync(config, out);
        } catch (const dpif::Error& e) {
            VLOG_ERR("could not read the datapaths: %s", e.what());
            return out;
        }
        for (auto& [name, dp] : dps_) {
            adopt_pids(name, dp);
            set_dispatch(name);
            out.changed.insert(name);
        }
    }
    // Datapaths of bridges that are gone.
    for (auto it = dps_.begin(); it != dps_.end();) {
        auto b = config.bridges.find(it->first);
        if (b != config.bridges.end() && supports(b->second.datapath_type)) {
            ++it;
            continue;
        }
        try {
            dpif_.delete_datapath(it->first);
            COVERAGE_INC(dpif_datapath_delete);
            VLOG_INFO("%s: deleted datapath", it->first.c_str());
        } catch (const dpif::Error& e) {
            if (e.code() != ENODEV && e.code() != ENOENT)
                VLOG_WARN("could not delete datapath %s: %s", it->first.c_str(), e.what());
        }
        ++out.operations;
        out.changed.insert(it->first);
        it = dps_.erase(it);
    }
    // Datapaths of configured bridges (creating or adopting).
    for (const auto& [name, b] : config.bridges) {
        if (!supports(b.datapath_type)) {
            std::string why = "datapath type " + b.datapath_type + " is not supported by the " + dpif_.type() +
                              " datapath";
            if (dp_errors_[name] != why) VLOG_ERR("bridge %s: %s", name.c_str(), why.c_str());
            dp_errors_[name] = why;
            continue;
        }
        if (ensure_datapath(b, out)) adopt_pids(name, dps_.at(name));
    }
    // Removals everywhere first, so that an interface moving between
    // bridges is free before it is added to its new one.
    for (const auto& [name, b] : config.bridges)
        if (auto it = dps_.find(name); it != dps_.end()) remove_stale_vports(b, it->second, out);
    prev_errors_.clear();
    for (const auto& [name, i] : ifaces_)
        if (!i.error.empty()) prev_errors_[name] = i.error;
    ifaces_.clear();
    for (const auto& [name, b] : config.bridges) {
        auto it = dps_.find(name);
        if (it == dps_.end()) {
            std::string why = dp_errors_.count(name) ? dp_errors_[name] : "no datapath";
            for (const auto& [_, p] : b.ports)
                for (const auto& i : p.interfaces) ifaces_[i.name] = Interface{name, std::nullopt, why};
            continue;
        }
        add_vports(b, it->second, out);
        setup_internal(b, it->second);
    }
    for (auto it = dp_errors_.begin(); it != dp_errors_.end();)
        it = config.bridges.count(it->first) ? std::next(it) : dp_errors_.erase(it);
    return out;
}

bool Reconciler::handle_event(const dpif::VportEvent& ev) {
    for (auto& [bridge, dp] : dps_) {
        if (dp.ifindex != ev.vport.dp_ifindex) continue;
        auto it = dp.vports.find(ev.vport.name);
        if (ev.type == dpif::VportEventType::Del) {
            if (it != dp.vports.end() && it->second.port_no == ev.vport.port_no) {
                if (ev.vport.port_no == dpif::kLocalPort) {
                    // The whole datapath went away.
                    VLOG_WARN("datapath %s was deleted", bridge.c_str());
                    dps_.erase(bridge);
                    return true;
                }
                VLOG_INFO("%s: port %s (%u) was removed from the datapath", bridge.c_str(),
                          ev.vport.name.c_str(), ev.vport.port_no);
                dp.vports.erase(it);
                return true;
            }
            return false;
        }
        if (it == dp.vports.end() || it->second.port_no != ev.vport.port_no) {
            // A vport someone else added: apply() decides whether it stays.
            dp.vports[ev.vport.name] = Vport{ev.vport.port_no, ev.vport.type, ev.vport.upcall_pids};
            return true;
        }
        // A vport we know: the notification may be older than what we did
        // since (e.g. the pids we set right after creating it).
        return false;
    }
    return false;
}

void Reconciler::delete_all() {
    for (const auto& [name, _] : dps_) {
        try {
            dpif_.delete_datapath(name);
            VLOG_INFO("%s: deleted datapath", name.c_str());
        } catch (const dpif::Error& e) {
            VLOG_WARN("could not delete datapath %s: %s", name.c_str(), e.what());
        }
    }
    dps_.clear();
    ifaces_.clear();
}

}  // namespace vswitchd
