#include "dpif/dpctl.hpp"

#include <poll.h>
#include <time.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <map>
#include <ostream>
#include <stdexcept>

#include "dpif/flow_key.hpp"
#include "dpif/odp_text.hpp"
#include "dpif/packet_compose.hpp"

namespace dpif {

std::string dpctl_usage()
{
    return R"(Commands (DP is a datapath name, optionally written system@NAME):
  add-dp DP [IFACE...]          create DP (or adopt it) and add interfaces
  del-dp DP                     delete DP
  dump-dps                      list datapath names
  show [DP...] [--statistics]   datapath statistics and ports (with port counters)
  add-if DP IFACE[,type=internal|netdev][,port_no=N]...
                                add vports
  del-if DP IFACE...            delete vports by name
  dump-flows DP                 list flows with statistics
  add-flow DP FLOW ACTIONS [--ufid=HEX]
  mod-flow DP FLOW ACTIONS [--ufid=HEX] [--clear]
  add-flows DP FILE [--no-batch]
                                install one flow per line (FLOW ACTIONS) in one batch
  get-flow DP FLOW|--ufid=HEX   show one flow
  del-flow DP FLOW|--ufid=HEX   delete one flow
  del-flows DP                  delete every flow
  execute DP IN_PORT PACKET ACTIONS [--repeat=N]
                                run ACTIONS on a packet as if received on IN_PORT;
                                PACKET is hex, or flow:FLOW to compose one;
                                --repeat: N times in batches, with the time taken
  listen DP [--count=N] [--timeout=SECS] [--quiet] [--per-cpu]
                                point every vport's upcalls at us and print them
                                (--quiet: only count them and time them;
                                --per-cpu: by per-CPU dispatch instead of vport pids)
  netdev-show NAME...           device status (ifindex, MAC, MTU, admin/link state, speed)
  netdev-set NAME [up|down] [mtu=N] [mac=MAC]
                                configure a device (an internal port, say)
  extract-key IN_PORT PACKET    print the flow key this library extracts (offline)
  compose FLOW                  print the frame composed from FLOW, in hex (offline)
  monitor [--count=N] [--timeout=SECS]
                                print vport notifications (ovs_vport group)
FLOW: in_port(N),eth(src=MAC,dst=MAC),eth_type(0xNNNN),vlan(vid=N,pcp=N),
      ipv4(src=IP,dst=IP,proto=N,tos=N,ttl=N,frag=no),tcp(src=N,dst=N),udp(...)
      fields may carry /MASK; fields not given are wildcarded; or hex:KEY[/MASK]
ACTIONS: N (output), drop, push_vlan(vid=N,pcp=N), pop_vlan,
      userspace(pid=N[,userdata=HEX]), trunc(N), set(eth(src=MAC,dst=MAC)), or hex:ACTIONS
)";
}

namespace {

struct Usage : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string dp_name(const std::string& s)
{
    if (s.rfind("system@", 0) == 0)
        return s.substr(7);
    return s;
}

DatapathInfo need_dp(Dpif& d, const std::string& arg)
{
    auto dp = d.get_datapath(dp_name(arg));
    if (!dp)
        throw Error(ENODEV, "datapath " + dp_name(arg));
    return *dp;
}

// Splits "--name=value" options off the positional arguments.
struct Args {
    std::vector<std::string> pos;
    std::map<std::string, std::string> opt;
    Args(const std::vector<std::string>& a, std::initializer_list<const char*> allowed)
    {
        for (size_t i = 1; i < a.size(); ++i) {
            if (a[i].rfind("--", 0) == 0) {
                auto eq = a[i].find('=');
                std::string k = a[i].substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
                bool ok = false;
                for (auto* x : allowed)
                    ok = ok || k == x;
                if (!ok)
                    throw Usage("unknown option " + a[i]);
                opt[k] = eq == std::string::npos ? "" : a[i].substr(eq + 1);
            } else {
                pos.push_back(a[i]);
            }
        }
    }
    void count(size_t lo, size_t hi, const char* cmd) const
    {
        if (pos.size() < lo || pos.size() > hi)
            throw Usage(std::string("wrong number of arguments to ") + cmd);
    }
};

uint64_t now_ms()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

std::string used_text(uint64_t used)
{
    if (!used)
        return "never";
    const uint64_t now = now_ms();
    const double ago = now > used ? static_cast<double>(now - used) / 1000.0 : 0.0;
    char b[32];
    std::snprintf(b, sizeof b, "%.3fs", ago);
    return b;
}

void print_flow(std::ostream& out, const Flow& f)
{
    if (!f.ufid.empty())
        out << "ufid:" << to_hex(f.ufid) << ", ";
    out << format_key(f.key, f.mask) << ", packets:" << f.stats.n_packets
        << ", bytes:" << f.stats.n_bytes << ", used:" << used_text(f.used_ms)
        << ", actions:" << format_actions(f.actions) << "\n";
}

void add_ifaces(Dpif& d, const DatapathInfo& dp, const std::vector<std::string>& specs, size_t from)
{
    for (size_t i = from; i < specs.size(); ++i) {
        VportRequest r;
        std::string spec = specs[i];
        auto comma = spec.find(',');
        r.name = spec.substr(0, comma);
        while (comma != std::string::npos) {
            auto next = spec.find(',', comma + 1);
            std::string kv = spec.substr(comma + 1, next == std::string::npos ? std::string::npos : next - comma - 1);
            auto eq = kv.find('=');
            std::string k = kv.substr(0, eq), v = eq == std::string::npos ? "" : kv.substr(eq + 1);
            if (k == "type")
                r.type = vport_type_from_string(v);
            else if (k == "port_no")
                r.port_no = static_cast<uint32_t>(std::stoul(v));
            else
                throw Usage("unknown interface option '" + k + "'");
            comma = next;
        }
        d.add_vport(dp.ifindex, r);
    }
}

Bytes parse_ufid(const std::string& s)
{
    Bytes u = from_hex(s);
    if (u.size() != 16)
        throw Error(EINVAL, "UFID must be 16 bytes (32 hex digits)");
    return u;
}

FlowId flow_id(const Args& a, size_t key_pos)
{
    if (a.opt.count("ufid"))
        return FlowId::by_ufid(parse_ufid(a.opt.at("ufid")));
    if (a.pos.size() <= key_pos)
        throw Usage("need a FLOW or --ufid");
    return FlowId::by_key(parse_key(a.pos[key_pos]).key);
}

// Waits until fd is readable or the deadline passes; false on timeout.
bool wait_readable(int fd, std::chrono::steady_clock::time_point deadline, bool forever)
{
    for (;;) {
        int ms = -1;
        if (!forever) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0)
                return false;
            ms = static_cast<int>(left.count());
        }
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, ms);
        if (r > 0)
            return true;
        if (r == 0)
            return false;
        if (errno != EINTR)
            throw Error(errno, "poll");
    }
}

int cmd_show(Dpif& d, const Args& a, std::ostream& out)
{
    const bool stats = a.opt.count("statistics");
    std::vector<DatapathInfo> dps;
    if (a.pos.empty())
        dps = d.list_datapaths();
    else
        for (const auto& n : a.pos)
            dps.push_back(need_dp(d, n));
    for (const auto& dp : dps) {
        out << "system@" << dp.name << ":\n";
        out << "  lookups: hit:" << dp.stats.n_hit << " missed:" << dp.stats.n_missed
            << " lost:" << dp.stats.n_lost << "\n";
        out << "  flows: " << dp.stats.n_flows << "\n";
        if (dp.megaflow_stats) {
            const uint64_t pkts = dp.stats.n_hit + dp.stats.n_missed;
            char ratio[32];
            std::snprintf(ratio, sizeof ratio, "%.2f",
                          pkts ? static_cast<double>(dp.megaflow_stats->n_mask_hit) / static_cast<double>(pkts) : 0.0);
            out << "  masks: hit:" << dp.megaflow_stats->n_mask_hit
                << " total:" << dp.megaflow_stats->n_masks << " hit/pkt:" << ratio << "\n";
        }
        if (dp.masks_cache_size)
            out << "  caches:\n    masks-cache: size:" << *dp.masks_cache_size << "\n";
        out << "  features: 0x" << std::hex << std::setw(8) << std::setfill('0')
            << dp.user_features << std::dec << std::setfill(' ') << "\n";
        for (const auto& v : d.list_vports(dp.ifindex)) {
            out << "  port " << v.port_no << ": " << v.name;
            if (v.type != VportType::Netdev)
                out << " (" << to_string(v.type) << ")";
            out << "\n";
            if (stats && v.stats) {
                const auto& s = *v.stats;
                out << "    RX packets:" << s.rx_packets << " errors:" << s.rx_errors
                    << " dropped:" << s.rx_dropped << "\n"
                    << "    TX packets:" << s.tx_packets << " errors:" << s.tx_errors
                    << " dropped:" << s.tx_dropped << "\n"
                    << "    RX bytes:" << s.rx_bytes << "  TX bytes:" << s.tx_bytes << "\n";
            }
        }
    }
    return 0;
}

int cmd_listen(Dpif& d, const Args& a, std::ostream& out)
{
    a.count(1, 1, "listen");
    need_dp(d, a.pos[0]);
    // Upcalls must follow the vport pids (not per-CPU dispatch).
    const auto dp = d.open_datapath(dp_name(a.pos[0]), false);
    const long count = a.opt.count("count") ? std::stol(a.opt.at("count")) : -1;
    const bool forever = !a.opt.count("timeout");
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(forever ? 0 : static_cast<long>(std::stod(a.opt.at("timeout")) * 1000));
    auto ch = d.open_upcall_channel();
    const bool per_cpu = a.opt.count("per-cpu");
    std::map<uint32_t, std::vector<uint32_t>> saved;
    if (per_cpu) {
        d.set_per_cpu_upcall_pids(dp.name, {ch->port_id()});
    } else {
        for (const auto& v : d.list_vports(dp.ifindex)) {
            saved[v.port_no] = v.upcall_pids;
            d.set_vport_upcall_pids(dp.ifindex, v.port_no, {ch->port_id()});
        }
    }
    out << "listening pid=" << ch->port_id() << std::endl;
    const bool quiet = a.opt.count("quiet");
    long seen = 0;
    std::chrono::steady_clock::time_point first, last;
    while (count < 0 || seen < count) {
        if (!wait_readable(ch->fd(), deadline, forever))
            break;
        while (auto u = ch->recv()) {
            last = std::chrono::steady_clock::now();
            if (seen == 0)
                first = last;
            if (!quiet) {
                out << (u->type == UpcallType::Miss ? "miss" : "action") << " " << format_key(u->key);
                if (!u->userdata.empty())
                    out << " userdata=" << to_hex(u->userdata);
                out << " packet=" << to_hex(u->packet) << std::endl;
            }
            if (count >= 0 && ++seen >= count)
                break;
            if (count < 0)
                ++seen;
        }
    }
    if (quiet)
        out << seen << " upcalls in "
            << std::chrono::duration_cast<std::chrono::microseconds>(last - first).count()
            << " us from the first, " << ch->lost() << " lost by the channel" << std::endl;
    if (per_cpu)
        d.open_datapath(dp.name, false);  // back to dispatch by vport pids
    for (const auto& [port, pids] : saved) {
        try {
            d.set_vport_upcall_pids(dp.ifindex, port, pids);
        } catch (const Error&) {
            // the port went away meanwhile
        }
    }
    return count >= 0 && seen < count ? 1 : 0;
}

int cmd_monitor(Dpif& d, const Args& a, std::ostream& out)
{
    const long count = a.opt.count("count") ? std::stol(a.opt.at("count")) : -1;
    const bool forever = !a.opt.count("timeout");
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(forever ? 0 : static_cast<long>(std::stod(a.opt.at("timeout")) * 1000));
    auto l = d.open_vport_listener();
    out << "monitoring" << std::endl;
    long seen = 0;
    while (count < 0 || seen < count) {
        if (!wait_readable(l->fd(), deadline, forever))
            break;
        while (auto ev = l->recv()) {
            const char* t = ev->type == VportEventType::New ? "new" : ev->type == VportEventType::Del ? "del" : "set";
            out << t << " dp_ifindex=" << ev->vport.dp_ifindex << " port " << ev->vport.port_no << ": "
                << ev->vport.name << " (" << to_string(ev->vport.type) << ")" << std::endl;
            if (count >= 0 && ++seen >= count)
                break;
        }
        if (l->overflowed())
            out << "overflow: notifications lost" << std::endl;
    }
    return count >= 0 && seen < count ? 1 : 0;
}

int dispatch(Dpif& d, const std::vector<std::string>& args, std::ostream& out)
{
    const std::string& cmd = args[0];
    if (cmd == "add-dp") {
        Args a(args, {});
        a.count(1, 1000, "add-dp");
        auto dp = d.open_datapath(dp_name(a.pos[0]), true);
        add_ifaces(d, dp, a.pos, 1);
        return 0;
    }
    if (cmd == "del-dp") {
        Args a(args, {});
        a.count(1, 1, "del-dp");
        d.delete_datapath(dp_name(a.pos[0]));
        return 0;
    }
    if (cmd == "dump-dps") {
        Args a(args, {});
        a.count(0, 0, "dump-dps");
        for (const auto& dp : d.list_datapaths())
            out << "system@" << dp.name << "\n";
        return 0;
    }
    if (cmd == "show")
        return cmd_show(d, Args(args, {"statistics"}), out);
    if (cmd == "add-if") {
        Args a(args, {});
        a.count(2, 1000, "add-if");
        add_ifaces(d, need_dp(d, a.pos[0]), a.pos, 1);
        return 0;
    }
    if (cmd == "del-if") {
        Args a(args, {});
        a.count(2, 1000, "del-if");
        auto dp = need_dp(d, a.pos[0]);
        for (size_t i = 1; i < a.pos.size(); ++i) {
            auto v = d.get_vport(dp.ifindex, a.pos[i]);
            if (!v)
                throw Error(ENOENT, "no port named " + a.pos[i] + " in " + dp.name);
            d.delete_vport(dp.ifindex, v->port_no);
        }
        return 0;
    }
    if (cmd == "dump-flows") {
        Args a(args, {});
        a.count(1, 1, "dump-flows");
        auto dp = need_dp(d, a.pos[0]);
        d.dump_flows(dp.ifindex, [&](const Flow& f) {
            print_flow(out, f);
            return true;
        });
        return 0;
    }
    if (cmd == "add-flow" || cmd == "mod-flow") {
        Args a(args, {"ufid", "clear"});
        a.count(3, 3, cmd.c_str());
        auto dp = need_dp(d, a.pos[0]);
        auto k = parse_key(a.pos[1]);
        FlowPut p;
        p.key = k.key;
        p.mask = k.mask;
        p.actions = parse_actions(a.pos[2]);
        if (a.opt.count("ufid"))
            p.ufid = parse_ufid(a.opt.at("ufid"));
        p.flags = cmd == "add-flow" ? kPutCreate : kPutModify;
        if (a.opt.count("clear"))
            p.flags |= kPutZeroStats;
        d.put_flow(dp.ifindex, p);
        return 0;
    }
    if (cmd == "add-flows") {
        // One "FLOW ACTIONS" per line ('#' comments); one batch via operate().
        Args a(args, {"no-batch"});
        a.count(2, 2, "add-flows");
        auto dp = need_dp(d, a.pos[0]);
        std::ifstream in(a.pos[1]);
        if (!in)
            throw Error(errno ? errno : ENOENT, "reading " + a.pos[1]);
        std::vector<DpifOp> ops;
        std::vector<size_t> lines;
        std::string line;
        for (size_t no = 1; std::getline(in, line); ++no) {
            auto first = line.find_first_not_of(" \t");
            if (first == std::string::npos || line[first] == '#')
                continue;
            auto sp = line.find_first_of(" \t", first);
            if (sp == std::string::npos)
                throw Error(EINVAL, a.pos[1] + ":" + std::to_string(no) + ": need FLOW ACTIONS");
            auto k = parse_key(line.substr(first, sp - first));
            FlowPut p;
            p.key = k.key;
            p.mask = k.mask;
            p.actions = parse_actions(line.substr(line.find_first_not_of(" \t", sp)));
            ops.push_back(DpifOp::make_put(dp.ifindex, std::move(p)));
            lines.push_back(no);
        }
        const auto t0 = std::chrono::steady_clock::now();
        if (a.opt.count("no-batch"))
            d.Dpif::operate(ops);
        else
            d.operate(ops);
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - t0).count();
        size_t failed = 0;
        for (size_t i = 0; i < ops.size(); ++i) {
            if (ops[i].error) {
                ++failed;
                out << a.pos[1] << ":" << lines[i] << ": " << error_text(ops[i].error, "installing flow") << "\n";
            }
        }
        out << ops.size() - failed << " flows installed, " << failed << " failed, in " << us << " us\n";
        return failed ? 1 : 0;
    }
    if (cmd == "get-flow") {
        Args a(args, {"ufid"});
        a.count(1, 2, "get-flow");
        auto dp = need_dp(d, a.pos[0]);
        auto f = d.get_flow(dp.ifindex, flow_id(a, 1));
        if (!f)
            throw Error(ENOENT, "flow");
        print_flow(out, *f);
        return 0;
    }
    if (cmd == "del-flow") {
        Args a(args, {"ufid"});
        a.count(1, 2, "del-flow");
        auto dp = need_dp(d, a.pos[0]);
        d.del_flow(dp.ifindex, flow_id(a, 1));
        return 0;
    }
    if (cmd == "del-flows") {
        Args a(args, {});
        a.count(1, 1, "del-flows");
        d.flush_flows(need_dp(d, a.pos[0]).ifindex);
        return 0;
    }
    if (cmd == "execute") {
        Args a(args, {"repeat"});
        a.count(4, 4, "execute");
        auto dp = need_dp(d, a.pos[0]);
        const uint32_t in_port = static_cast<uint32_t>(std::stoul(a.pos[1]));
        Bytes pkt = a.pos[2].rfind("flow:", 0) == 0 ? compose_packet(parse_key(a.pos[2].substr(5)).key)
                                                     : from_hex(a.pos[2]);
        const Bytes key = extract_flow_key(pkt, in_port);
        const Bytes actions = parse_actions(a.pos[3]);
        if (!a.opt.count("repeat")) {
            d.execute(dp.ifindex, pkt, key, actions);
            return 0;
        }
        // --repeat=N: N executions in batches, reporting the rate.
        const long n = std::stol(a.opt.at("repeat"));
        std::vector<DpifOp> ops;
        for (long i = 0; i < n; ++i)
            ops.push_back(DpifOp::make_execute(dp.ifindex, pkt, key, actions));
        const auto t0 = std::chrono::steady_clock::now();
        d.operate(ops);
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::steady_clock::now() - t0).count();
        long failed = 0;
        for (const auto& op : ops)
            failed += op.error != 0;
        out << n - failed << " executed, " << failed << " failed, in " << us << " us\n";
        return failed ? 1 : 0;
    }
    if (cmd == "extract-key") {
        // Offline: the key this library extracts (as the dummy datapath and
        // execute use it), to compare with the kernel's in upcalls.
        Args a(args, {});
        a.count(2, 2, "extract-key");
        const uint32_t in_port = static_cast<uint32_t>(std::stoul(a.pos[0]));
        Bytes pkt = a.pos[1].rfind("flow:", 0) == 0 ? compose_packet(parse_key(a.pos[1].substr(5)).key)
                                                     : from_hex(a.pos[1]);
        out << format_key(extract_flow_key(pkt, in_port)) << "\n";
        return 0;
    }
    if (cmd == "compose") {
        Args a(args, {});
        a.count(1, 1, "compose");
        out << to_hex(compose_packet(parse_key(a.pos[0]).key)) << "\n";
        return 0;
    }
    if (cmd == "netdev-show") {
        Args a(args, {});
        a.count(1, 1000, "netdev-show");
        for (const auto& name : a.pos) {
            auto n = d.netdevs().get(name);
            if (!n)
                throw Error(ENODEV, "device " + name);
            out << n->name << ": ifindex=" << n->ifindex << " mac=" << to_string(n->mac)
                << " mtu=" << n->mtu << " admin=" << (n->admin_up ? "up" : "down")
                << " link=" << (n->carrier ? "up" : "down") << " speed="
                << (n->speed_mbps ? std::to_string(*n->speed_mbps) + "Mb/s" : std::string("none"))
                << " rx_packets=" << n->stats.rx_packets << " tx_packets=" << n->stats.tx_packets
                << "\n";
        }
        return 0;
    }
    if (cmd == "netdev-set") {
        // netdev-set NAME [up|down] [mtu=N] [mac=MAC]...
        Args a(args, {});
        a.count(2, 1000, "netdev-set");
        const std::string& name = a.pos[0];
        for (size_t i = 1; i < a.pos.size(); ++i) {
            const std::string& s = a.pos[i];
            if (s == "up" || s == "down")
                d.netdevs().set_admin_up(name, s == "up");
            else if (s.rfind("mtu=", 0) == 0)
                d.netdevs().set_mtu(name, std::stoi(s.substr(4)));
            else if (s.rfind("mac=", 0) == 0)
                d.netdevs().set_mac(name, parse_mac(s.substr(4)));
            else
                throw Usage("netdev-set: unknown setting '" + s + "'");
        }
        return 0;
    }
    if (cmd == "listen")
        return cmd_listen(d, Args(args, {"count", "timeout", "quiet", "per-cpu"}), out);
    if (cmd == "monitor")
        return cmd_monitor(d, Args(args, {"count", "timeout"}), out);
    throw Usage("unknown command '" + cmd + "'");
}

}  // namespace

int run_dpctl(Dpif& dpif, const std::vector<std::string>& args, std::ostream& out,
              std::ostream& err)
{
    if (args.empty()) {
        err << "vswitch-dpctl: missing command (try --help)\n";
        return 2;
    }
    try {
        return dispatch(dpif, args, out);
    } catch (const Usage& e) {
        err << "vswitch-dpctl: " << e.what() << " (try --help)\n";
        return 2;
    } catch (const Error& e) {
        err << "vswitch-dpctl: " << args[0] << ": " << e.what() << "\n";
        return 1;
    } catch (const std::logic_error& e) {  // std::stoul and friends
        err << "vswitch-dpctl: " << args[0] << ": bad number\n";
        return 2;
    }
}

}  // namespace dpif
