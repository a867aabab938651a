#include "vswitchd/appctl.hpp"

#include <cstdio>

#include "dpif/dummy_dpif.hpp"
#include "dpif/odp_text.hpp"
#include "dpif/packet_compose.hpp"
#include "vswitchd/coverage.hpp"

namespace vswitchd {

namespace {

using Reply = common::UnixctlServer::Reply;
using Args = std::vector<std::string>;

std::string used_text(uint64_t used_ms) {
    if (!used_ms) return "never";
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
    char b[32];
    std::snprintf(b, sizeof b, "%.3fs", now > used_ms ? static_cast<double>(now - used_ms) / 1000.0 : 0.0);
    return b;
}

std::string dp_prefix(Switch& sw) { return sw.dpif().type() == "dummy" ? "dummy@" : "system@"; }

std::string port_type(const Reconciler::Vport& v) {
    return v.type == dpif::VportType::Internal ? "internal" : v.type == dpif::VportType::Netdev ? "system"
                                                                                               : to_string(v.type);
}

size_t idl_cells(const ovsdb::idl::Idl& idl) {
    size_t n = 0;
    for (const auto& [_, t] : idl.replica().tables()) n += t.size() * t.columns().size();
    return n;
}

dpif::DummyDpif* dummy(Switch& sw) { return dynamic_cast<dpif::DummyDpif*>(&sw.dpif()); }

// The datapath and port of an interface the switch has in a datapath.
bool find_port(Switch& sw, const std::string& iface, int* dp_ifindex, uint32_t* port_no) {
    for (const auto& [b, dp] : sw.reconciler().datapaths()) {
        auto v = dp.vports.find(iface);
        if (v != dp.vports.end()) {
            *dp_ifindex = dp.ifindex;
            *port_no = v->second.port_no;
            return true;
        }
    }
    return false;
}

}  // namespace

std::string format_dpif_show(Switch& sw) {
    std::string out;
    for (const auto& [bridge, dp] : sw.reconciler().datapaths()) {
        std::optional<dpif::DatapathInfo> info;
        try {
            info = sw.dpif().get_datapath(bridge);
        } catch (const dpif::Error&) {
        }
        char line[512];
        std::snprintf(line, sizeof line, "%s%s: hit:%llu missed:%llu\n", dp_prefix(sw).c_str(), bridge.c_str(),
                      static_cast<unsigned long long>(info ? info->stats.n_hit : 0),
                      static_cast<unsigned long long>(info ? info->stats.n_missed : 0));
        out += line;
        out += "  " + bridge + ":\n";
        for (const auto& [name, v] : dp.vports) {
            std::snprintf(line, sizeof line, "    %s %lld/%u: (%s)\n", name.c_str(),
                          static_cast<long long>(ofport_of(v.port_no)), v.port_no, port_type(v).c_str());
            out += line;
        }
    }
    return out;
}

void register_appctl(common::UnixctlServer& s, Switch& sw, std::function<void(bool)> on_exit) {
    s.add("exit", "[--cleanup]", 0, 1, [on_exit](const Args& a) {
        bool cleanup = false;
        if (!a.empty()) {
            if (a[0] != "--cleanup") return Reply::failure("exit: unknown option " + a[0]);
            cleanup = true;
        }
        on_exit(cleanup);
        return Reply::success();
    });
    s.add("dpif/show", "", 0, 0, [&sw](const Args&) { return Reply::success(format_dpif_show(sw)); });
    s.add("dpif/dump-dps", "", 0, 0, [&sw](const Args&) {
        std::string out;
        for (const auto& [b, _] : sw.reconciler().datapaths()) out += dp_prefix(sw) + b + "\n";
        return Reply::success(out);
    });
    s.add("dpif/dump-flows", "[-m] bridge", 1, 3, [&sw](const Args& a) {
        bool verbose = false;
        std::string bridge;
        for (const auto& x : a) {
            if (x == "-m" || x == "--more")
                verbose = true;
            else if (x == "--names" || x == "--no-names")
                continue;
            else
                bridge = x;
        }
        const Reconciler::Datapath* dp = sw.reconciler().datapath(bridge);
        if (!dp) return Reply::failure("no such bridge");
        std::string out;
        sw.dpif().dump_flows(dp->ifindex, [&](const dpif::Flow& f) {
            if (verbose && !f.ufid.empty()) out += "ufid:" + dpif::to_hex(f.ufid) + ", ";
            out += dpif::format_key(f.key, f.mask) + ", packets:" + std::to_string(f.stats.n_packets) +
                   ", bytes:" + std::to_string(f.stats.n_bytes) + ", used:" + used_text(f.used_ms) +
                   ", actions:" + dpif::format_actions(f.actions) + "\n";
            return true;
        });
        return Reply::success(out);
    });
    s.add("memory/show", "", 0, 0, [&sw](const Args&) {
        size_t ports = 0, flows = 0, macs = 0;
        for (const auto& [_, b] : sw.bridges()) macs += b->mac().size();
        for (const auto& [b, dp] : sw.reconciler().datapaths()) {
            ports += dp.vports.size();
            try {
                if (auto info = sw.dpif().get_datapath(b)) flows += info->stats.n_flows;
            } catch (const dpif::Error&) {
            }
        }
        char line[256];
        std::snprintf(line, sizeof line, "bridges:%zu datapaths:%zu flows:%zu idl-cells-Open_vSwitch:%zu mac-entries:%zu ports:%zu\n",
                      sw.config().bridges.size(), sw.reconciler().datapaths().size(), flows,
                      idl_cells(sw.idl()), macs, ports);
        return Reply::success(line);
    });
    s.add("fdb/show", "bridge", 1, 1, [&sw](const Args& a) {
        Bridge* br = sw.bridge(a[0]);
        if (!br) return Reply::failure("no such bridge");
        return Reply::success(br->format_fdb(Clock::now()));
    });
    s.add("fdb/flush", "[bridge]", 0, 1, [&sw](const Args& a) {
        if (!a.empty()) {
            Bridge* br = sw.bridge(a[0]);
            if (!br) return Reply::failure("no such bridge");
            br->mac().flush();
        } else {
            for (const auto& [_, b] : sw.bridges()) b->mac().flush();
        }
        sw.schedule_revalidation();
        return Reply::success("table successfully flushed\n");
    });
    s.add("bridge/reconnect", "[bridge]", 0, 1, [&sw](const Args& a) {
        // Reconnects a bridge's OpenFlow controller connections; there are
        // none until OpenFlow is built (issue 10), so this only checks the
        // bridge exists.
        if (!a.empty() && !sw.bridge(a[0])) return Reply::failure("no such bridge");
        return Reply::success();
    });
    s.add("upcall/show", "", 0, 0, [&sw](const Args&) {
        const auto& st = sw.upcall_handler().stats();
        size_t flows = 0;
        for (const auto& [_, b] : sw.bridges()) flows += b->ukeys().size();
        char line[512];
        std::snprintf(line, sizeof line,
                      "%s:\n  flows         : (current %zu) (limit %zu)\n"
                      "  upcalls       : %llu (flows installed %llu, packets sent %llu)\n"
                      "  bad keys      : %llu\n  failed        : %llu\n  over limit    : %llu\n"
                      "  revalidations : %llu\n",
                      sw.dpif().type() == "dummy" ? "dummy" : "system", flows, sw.config().flow_limit,
                      static_cast<unsigned long long>(st.upcalls), static_cast<unsigned long long>(st.flows),
                      static_cast<unsigned long long>(st.executed), static_cast<unsigned long long>(st.bad_key),
                      static_cast<unsigned long long>(st.failed), static_cast<unsigned long long>(st.over_limit),
                      static_cast<unsigned long long>(sw.revalidator().passes()));
        return Reply::success(line);
    });
    s.add("revalidator/wait", "", 0, 0, [&sw](const Args&) {
        sw.revalidate_now();
        return Reply::success();
    });
    s.add("revalidator/purge", "", 0, 0, [&sw](const Args&) {
        sw.purge_flows();
        return Reply::success();
    });
    s.add("coverage/show", "", 0, 0, [](const Args&) { return Reply::success(coverage::show()); });
    s.add("coverage/read-counter", "COUNTER", 1, 1, [](const Args& a) {
        uint64_t v;
        if (!coverage::read(a[0], &v)) return Reply::failure("No such counter");
        return Reply::success(std::to_string(v) + "\n");
    });

    if (!dummy(sw)) return;

    s.add("netdev-dummy/receive", "name packet|flow", 2, 1000, [&sw](const Args& a) {
        int dp;
        uint32_t port;
        if (!find_port(sw, a[0], &dp, &port)) return Reply::failure("no such dummy netdev: '" + a[0] + "'");
        size_t n = 0;
        for (size_t i = 1; i < a.size(); ++i) {
            const std::string& p = a[i];
            dpif::Bytes frame = p.find('(') != std::string::npos ? dpif::compose_packet(dpif::parse_key(p).key)
                                                                  : dpif::from_hex(p);
            dummy(sw)->receive(dp, port, frame);
            ++n;
        }
        (void)n;
        return Reply::success();
    });
    s.add("netdev-dummy/transmitted", "name", 1, 1, [&sw](const Args& a) {
        int dp;
        uint32_t port;
        if (!find_port(sw, a[0], &dp, &port)) return Reply::failure("no such dummy netdev: '" + a[0] + "'");
        std::string out;
        for (const auto& f : dummy(sw)->take_transmitted(dp, port)) out += dpif::to_hex(f) + "\n";
        return Reply::success(out);
    });
    s.add("netdev-dummy/add", "name", 1, 1, [&sw](const Args& a) {
        dummy(sw)->add_netdev(a[0]);
        sw.schedule_reconfigure();
        return Reply::success();
    });
    s.add("netdev-dummy/del", "name", 1, 1, [&sw](const Args& a) {
        dummy(sw)->remove_netdev(a[0]);
        sw.schedule_reconfigure();
        return Reply::success();
    });
    auto updown = [](const std::string& v, bool* out) {
        if (v == "up") *out = true;
        else if (v == "down") *out = false;
        else return false;
        return true;
    };
    s.add("netdev-dummy/set-carrier", "name up|down", 2, 2, [&sw, updown](const Args& a) {
        bool up;
        if (!updown(a[1], &up)) return Reply::failure("Invalid carrier " + a[1] + " (use up or down)");
        dummy(sw)->set_carrier(a[0], up);
        sw.schedule_reconfigure();
        return Reply::success();
    });
    s.add("netdev-dummy/set-admin-state", "name up|down", 2, 2, [&sw, updown](const Args& a) {
        bool up;
        if (!updown(a[1], &up)) return Reply::failure("Invalid admin state " + a[1] + " (use up or down)");
        sw.dpif().netdevs().set_admin_up(a[0], up);
        sw.schedule_reconfigure();
        return Reply::success("OK");
    });
    s.add("dpif-dummy/strict", "on|off", 1, 1, [&sw](const Args& a) {
        if (a[0] != "on" && a[0] != "off") return Reply::failure("use on or off");
        dummy(sw)->set_strict_netdevs(a[0] == "on");
        return Reply::success();
    });
}

}  // namespace vswitchd
