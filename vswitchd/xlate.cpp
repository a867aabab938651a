#include "vswitchd/xlate.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "meta-flow/ports.hpp"
#include "vswitchd/controller_cookie.hpp"
#include "vswitchd/odp_actions.hpp"

namespace vswitchd {

namespace {

Mac to_mac(const mf::Mac& m) {
    Mac out;
    std::memcpy(out.data(), m.b, 6);
    return out;
}

bool reserved_multicast(const Mac& m) {
    return m[0] == 0x01 && m[1] == 0x80 && m[2] == 0xc2 && m[3] == 0 && m[4] == 0 && (m[5] & 0xf0) == 0;
}

void all_ones(void* p, size_t n) { std::memset(p, 0xff, n); }

// One translation's state: the packet as the actions so far left it.
struct Ctx {
    Bridge& br;
    const mf::Flow& flow;
    bool may_learn;
    Clock::time_point now;
    XlateResult& r;
    OdpActions acts;
    uint32_t in_port;
    mf::Mac eth_src, eth_dst;
    bool eth_changed = false;
    std::string trace;
    uint16_t tpid = 0x8100;   // of the tag set actions write
    // IPv4 and TCP/UDP rewrites not yet written into the action list.
    ovs_key_ipv4 ip_v{}, ip_m{};
    uint8_t tp_v[4] = {}, tp_m[4] = {};
    uint16_t tp_key = 0;   // OVS_KEY_ATTR_TCP / _UDP while tp_m is pending
    ovs_key_ipv6 ip6_v{}, ip6_m{};
    int ttl = -1;          // the TTL / hop limit after dec_ttl (-1: the packet's)
    bool stopped = false;  // dec_ttl of a TTL of 1 or 0 ends the actions
    // For packet-ins: the OpenFlow input port, the rule's table and cookie,
    // and why its CONTROLLER actions send.
    uint16_t of_in_port = 0;
    uint8_t table_id = 0;
    uint64_t rule_cookie = ofp::kNoCookie;
    ofp::PinReason ctl_reason = ofp::PinReason::Action;

    void note(const std::string& s) {
        if (!trace.empty()) trace += "; ";
        trace += s;
    }
    void flush_eth() {
        if (!eth_changed) return;
        acts.set_ethernet(eth_src.b, eth_dst.b);
        eth_changed = false;
    }
    void flush_l3() {
        static const ovs_key_ipv4 none{};
        if (std::memcmp(&ip_m, &none, sizeof none)) acts.set_masked(OVS_KEY_ATTR_IPV4, &ip_v, &ip_m, sizeof ip_v);
        ip_m = none;
        if (ip6_m.ipv6_hlimit) acts.set_masked(OVS_KEY_ATTR_IPV6, &ip6_v, &ip6_m, sizeof ip6_v);
        ip6_m = ovs_key_ipv6{};
        if (tp_key) acts.set_masked(tp_key, tp_v, tp_m, sizeof tp_v);
        std::memset(tp_m, 0, sizeof tp_m);
        tp_key = 0;
    }
    void output(uint32_t port_no) {
        flush_eth();
        flush_l3();
        acts.output(port_no);
    }
};

// NORMAL: the learning L2 switch, VLAN semantics included.
void xlate_normal(Ctx& c) {
    Bridge& br = c.br;
    const mf::Flow& flow = c.flow;
    mf::Flow& wc = c.r.wc;
    const BridgePort* in = br.port(c.in_port);
    if (!in) {
        c.note("NORMAL: drop: no input port");
        return;
    }

    all_ones(&wc.vlans[0], sizeof wc.vlans[0]);
    const uint16_t tci = flow.vlans[0].tci.get();
    const uint16_t vid = (tci & mf::kVlanCfi) ? (tci & mf::kVlanVidMask) : 0;
    std::optional<uint16_t> vlan = in->vlan.input_vlan(vid);
    if (!vlan) {
        c.note("NORMAL: drop: port " + in->port + " does not accept VLAN " + std::to_string(vid));
        return;
    }

    all_ones(&wc.eth_dst, sizeof wc.eth_dst);
    const Mac dst = to_mac(flow.eth_dst);
    if (reserved_multicast(dst) && !br.forward_bpdu()) {
        c.note("NORMAL: drop: reserved multicast destination " + mac_to_string(dst));
        return;
    }

    all_ones(&wc.eth_src, sizeof wc.eth_src);
    const Mac src = to_mac(flow.eth_src);
    if (c.may_learn && !is_multicast(src)) c.r.learned |= br.mac().learn(src, *vlan, c.in_port, c.now);

    c.flush_eth();
    c.flush_l3();
    std::optional<uint32_t> out;
    if (!is_multicast(dst)) out = br.mac().lookup(dst, *vlan, c.now);
    const BridgePort* to = out ? br.port(*out) : nullptr;
    if (to && to->active && to->vlan.carries(*vlan)) {
        if (to->port_no == c.in_port) {
            c.note("NORMAL: drop: " + mac_to_string(dst) + " was learned on the input port");
            return;
        }
        c.acts.output_vlan(to->port_no, to->vlan.output_vid(*vlan));
        c.note("NORMAL: unicast to " + to->iface + " in VLAN " + std::to_string(*vlan));
    } else {
        // Outputs grouped by the tag they need, the packet's own first, so
        // that each tag change is made once.
        std::vector<std::pair<uint32_t, uint16_t>> outs;
        for (const auto& [no, p] : br.ports()) {
            if (no == c.in_port || !p.active || !p.vlan.carries(*vlan)) continue;
            outs.emplace_back(no, p.vlan.output_vid(*vlan));
        }
        const uint16_t cur = (tci & mf::kVlanCfi) ? vid : 0;
        std::stable_sort(outs.begin(), outs.end(), [cur](const auto& a, const auto& b) {
            return (a.second != cur) < (b.second != cur) ||
                   ((a.second != cur) == (b.second != cur) && a.second != cur && a.second < b.second);
        });
        const size_t before = c.acts.outputs();
        for (const auto& [no, v] : outs) c.acts.output_vlan(no, v);
        c.note("NORMAL: flood in VLAN " + std::to_string(*vlan) + " to " +
               std::to_string(c.acts.outputs() - before) + " ports");
    }
}

// The packet as it is now goes up to userspace, which makes a packet-in of
// it (ControllerCookie says how).
void to_controller(Ctx& c, ofp::PinReason reason, uint16_t max_len) {
    ControllerCookie ck;
    ck.reason = reason;
    ck.table_id = c.table_id;
    ck.in_port = c.of_in_port;
    ck.cookie = c.rule_cookie;
    ck.max_len = max_len;
    c.flush_eth();
    c.flush_l3();
    c.acts.userspace(c.br.upcall_pid(), ck.encode());
    c.r.controller = true;
    c.note("CONTROLLER");
}

// OpenFlow port number -> datapath port number (LOCAL is 0).
uint32_t dp_port_of(uint16_t ofport) { return ofport == mf::kOfppLocal ? dpif::kLocalPort : ofport; }

void xlate_output(Ctx& c, const ofp::Action& a) {
    switch (a.port) {
    case mf::kOfppNormal:
        xlate_normal(c);
        return;
    case mf::kOfppFlood:
    case mf::kOfppAll: {
        size_t n = 0;
        for (const auto& [no, p] : c.br.ports()) {
            if (no == c.in_port || !p.active) continue;
            c.output(no);
            ++n;
        }
        c.note(std::string(a.port == mf::kOfppFlood ? "FLOOD" : "ALL") + " to " + std::to_string(n) + " ports");
        return;
    }
    case mf::kOfppInPort:
        if (c.in_port == kNoDpPort) {
            c.note("output to the input port: there is none");
            return;
        }
        c.output(c.in_port);
        c.note("output to the input port");
        return;
    case mf::kOfppController:
        to_controller(c, c.ctl_reason, a.max_len);
        return;
    default: {
        const uint32_t dp = dp_port_of(a.port);
        const BridgePort* p = c.br.port(dp);
        if (!p) {
            c.note("output to port " + std::to_string(a.port) + ": no such port");
        } else if (dp == c.in_port) {
            // OpenFlow: only IN_PORT sends a packet back where it came from.
            c.note("output to port " + std::to_string(a.port) + ": skipped, it is the input port");
        } else {
            c.output(dp);
            c.note("output to " + p->iface);
        }
        return;
    }
    }
}

void xlate_actions(Ctx& c, const ofp::Actions& actions);

// The action set (write_actions) run at the end of the pipeline, in
// OpenFlow's order: the last pop, the last push, every set-field, the last
// output; without an output nothing is done.
void xlate_action_set(Ctx& c, const ofp::Actions& set) {
    using K = ofp::Action::Kind;
    auto last = [&](K k) -> const ofp::Action* {
        for (auto it = set.rbegin(); it != set.rend(); ++it)
            if (it->kind == k) return &*it;
        return nullptr;
    };
    const ofp::Action* out = last(K::Output);
    if (!out) return;
    ofp::Actions run;
    if (const auto* a = last(K::StripVlan)) run.push_back(*a);
    if (const auto* a = last(K::PushVlan)) run.push_back(*a);
    if (const auto* a = last(K::DecTtl)) run.push_back(*a);
    for (const ofp::Action& a : set)
        if (a.kind == K::SetVlanVid || a.kind == K::SetVlanPcp || a.kind == K::SetDlSrc || a.kind == K::SetDlDst ||
            a.kind == K::SetNwSrc || a.kind == K::SetNwDst || a.kind == K::SetNwTos || a.kind == K::SetTpSrc ||
            a.kind == K::SetTpDst)
            run.push_back(a);
    run.push_back(*out);
    xlate_actions(c, run);
}

void xlate_actions(Ctx& c, const ofp::Actions& actions) {
    ofp::Actions action_set;
    bool has_set = false;
    for (const ofp::Action& a : actions) {
        if (c.stopped) return;
        switch (a.kind) {
        case ofp::Action::Kind::DecTtl: {
            // IPv4 TTL or IPv6 hop limit; at 1 or 0 the packet would go to
            // the controllers (there are none) and the actions stop.
            const uint16_t et = c.flow.eth_type.get();
            if (et != 0x0800 && et != 0x86dd) break;
            all_ones(&c.r.wc.eth_type, sizeof c.r.wc.eth_type);
            all_ones(&c.r.wc.nw_ttl, sizeof c.r.wc.nw_ttl);
            all_ones(&c.r.wc.nw_proto, sizeof c.r.wc.nw_proto);
            const int ttl = c.ttl >= 0 ? c.ttl : c.flow.nw_ttl;
            if (ttl <= 1) {
                c.note("dec_ttl: TTL " + std::to_string(ttl) + ", dropped");
                c.stopped = true;
                return;
            }
            c.ttl = ttl - 1;
            if (et == 0x0800) {
                c.ip_v.ipv4_ttl = static_cast<uint8_t>(c.ttl);
                c.ip_m.ipv4_ttl = 0xff;
            } else {
                c.ip6_v.ipv6_hlimit = static_cast<uint8_t>(c.ttl);
                c.ip6_m.ipv6_hlimit = 0xff;
            }
            break;
        }
        case ofp::Action::Kind::Output:
            xlate_output(c, a);
            break;
        case ofp::Action::Kind::StripVlan:
            all_ones(&c.r.wc.vlans[0], sizeof c.r.wc.vlans[0]);
            if (c.acts.tci() & mf::kVlanCfi) c.acts.pop_vlan();
            break;
        case ofp::Action::Kind::PushVlan:
            // A new outer tag, VLAN 0 priority 0 until set.
            all_ones(&c.r.wc.vlans[0], sizeof c.r.wc.vlans[0]);
            c.acts.push_vlan(0, a.ethertype);
            c.tpid = a.ethertype;
            break;
        case ofp::Action::Kind::SetVlanVid:
        case ofp::Action::Kind::SetVlanPcp: {
            all_ones(&c.r.wc.vlans[0], sizeof c.r.wc.vlans[0]);
            const uint16_t cur = c.acts.tci();
            // set_field leaves an untagged packet alone; mod_vlan_* tags it.
            if (!(cur & mf::kVlanCfi) && !a.push_if_needed) break;
            uint16_t tci = (cur & mf::kVlanCfi) ? static_cast<uint16_t>(cur & ~mf::kVlanCfi) : 0;
            if (a.kind == ofp::Action::Kind::SetVlanVid)
                tci = static_cast<uint16_t>((tci & ~mf::kVlanVidMask) | a.vid);
            else
                tci = static_cast<uint16_t>((tci & ~mf::kVlanPcpMask) | (a.pcp << mf::kVlanPcpShift));
            if (cur & mf::kVlanCfi) c.acts.pop_vlan();
            c.acts.push_vlan(tci, c.tpid);
            break;
        }
        case ofp::Action::Kind::SetDlSrc:
        case ofp::Action::Kind::SetDlDst:
            all_ones(&c.r.wc.eth_src, sizeof c.r.wc.eth_src);
            all_ones(&c.r.wc.eth_dst, sizeof c.r.wc.eth_dst);
            (a.kind == ofp::Action::Kind::SetDlSrc ? c.eth_src : c.eth_dst) = a.mac;
            c.eth_changed = true;
            break;
        case ofp::Action::Kind::SetNwSrc:
        case ofp::Action::Kind::SetNwDst:
        case ofp::Action::Kind::SetNwTos: {
            // Only an IPv4 packet is changed (Open vSwitch's semantics).
            all_ones(&c.r.wc.eth_type, sizeof c.r.wc.eth_type);
            if (c.flow.eth_type.get() != 0x0800) break;
            if (a.kind == ofp::Action::Kind::SetNwTos) {
                c.r.wc.nw_tos |= mf::kIpDscpMask;
                c.ip_v.ipv4_tos = static_cast<uint8_t>((c.ip_v.ipv4_tos & ~mf::kIpDscpMask) | a.tos);
                c.ip_m.ipv4_tos |= mf::kIpDscpMask;
                break;
            }
            const bool src = a.kind == ofp::Action::Kind::SetNwSrc;
            all_ones(src ? static_cast<void*>(&c.r.wc.nw_src) : static_cast<void*>(&c.r.wc.nw_dst), 4);
            const uint32_t be = htonl(a.nw);
            std::memcpy(src ? &c.ip_v.ipv4_src : &c.ip_v.ipv4_dst, &be, 4);
            std::memset(src ? &c.ip_m.ipv4_src : &c.ip_m.ipv4_dst, 0xff, 4);
            break;
        }
        case ofp::Action::Kind::SetTpSrc:
        case ofp::Action::Kind::SetTpDst: {
            // TCP and UDP packets that carry their ports (not later
            // fragments); a set_field of tcp_* leaves UDP alone and back.
            all_ones(&c.r.wc.eth_type, sizeof c.r.wc.eth_type);
            all_ones(&c.r.wc.nw_proto, sizeof c.r.wc.nw_proto);
            all_ones(&c.r.wc.nw_frag, sizeof c.r.wc.nw_frag);
            const uint8_t proto = c.flow.nw_proto;
            if (c.flow.eth_type.get() != 0x0800 || (c.flow.nw_frag & mf::kFragLater)) break;
            if (proto != mf::kIpProtoTcp && proto != mf::kIpProtoUdp) break;
            const bool tcp_field = a.field == mf::FieldId::tcp_src || a.field == mf::FieldId::tcp_dst;
            const bool udp_field = a.field == mf::FieldId::udp_src || a.field == mf::FieldId::udp_dst;
            if ((tcp_field && proto != mf::kIpProtoTcp) || (udp_field && proto != mf::kIpProtoUdp)) break;
            const bool src = a.kind == ofp::Action::Kind::SetTpSrc;
            all_ones(src ? static_cast<void*>(&c.r.wc.tp_src) : static_cast<void*>(&c.r.wc.tp_dst), 2);
            const size_t at = src ? 0 : 2;
            c.tp_v[at] = static_cast<uint8_t>(a.tp >> 8);
            c.tp_v[at + 1] = static_cast<uint8_t>(a.tp);
            c.tp_m[at] = c.tp_m[at + 1] = 0xff;
            c.tp_key = proto == mf::kIpProtoTcp ? OVS_KEY_ATTR_TCP : OVS_KEY_ATTR_UDP;
            break;
        }
        case ofp::Action::Kind::ClearActions:
            action_set.clear();
            break;
        case ofp::Action::Kind::WriteActions:
            action_set.insert(action_set.end(), a.nested.begin(), a.nested.end());
            has_set = true;
            break;
        }
    }
    if (has_set && !c.stopped) xlate_action_set(c, action_set);
}

}  // namespace

XlateResult xlate(Bridge& br, const mf::Flow& flow, bool may_learn, Clock::time_point now) {
    XlateResult r;
    mf::Flow& wc = r.wc;
    // Always: where it came from, and that it is a first pass Ethernet packet.
    all_ones(&wc.in_port, sizeof wc.in_port);
    all_ones(&wc.recirc_id, sizeof wc.recirc_id);
    all_ones(&wc.packet_type, sizeof wc.packet_type);

    const uint32_t in_port = flow.in_port.get();
    const BridgePort* in = br.port(in_port);
    if (!in) {
        r.trace = "drop: input port " + std::to_string(in_port) + " is not configured";
        return r;
    }
    if (!in->active) {
        r.trace = "drop: " + in->iface + " is not the active interface of port " + in->port;
        return r;
    }
    if (!mf::is_ethernet(flow)) {
        r.trace = "drop: not an Ethernet packet";
        return r;
    }

    // The OpenFlow table, in OpenFlow port numbering.
    mf::Flow of_flow = flow;
    of_flow.in_port.set(in_port == dpif::kLocalPort ? mf::kOfppLocal : in_port);
    const ofp::FlowRule* rule = br.flows().lookup(of_flow);
    const mf::Flow& looked = br.flows().wildcards();
    for (size_t i = 0; i < sizeof(mf::Flow); ++i) wc.bytes()[i] |= looked.bytes()[i];
    // Whether a tag is there at all is part of the datapath key only through
    // the outer EtherType (0x8100 or the packet's own): a rule on any VLAN bit
    // needs the whole VLAN header and the EtherType, or an untagged megaflow
    // would also take tagged packets.
    if (looked.vlans[0].tci.get() || looked.vlans[0].tpid.get()) {
        all_ones(&wc.vlans[0], sizeof wc.vlans[0]);
        all_ones(&wc.eth_type, sizeof wc.eth_type);
    }
    const uint16_t tci = flow.vlans[0].tci.get();
    Ctx c{br, flow, may_learn, now, r, OdpActions(tci & mf::kVlanCfi ? tci : 0), in_port,
          flow.eth_src, flow.eth_dst, false, {}};
    c.of_in_port = static_cast<uint16_t>(of_flow.in_port.get());
    if (!rule) {
        if (br.packet_in_on_miss()) {
            // Open vSwitch's miss rule: to the controller, table 0, cookie 0.
            c.rule_cookie = 0;
            to_controller(c, ofp::PinReason::ImplicitMiss, 0xffff);
            r.trace = "no matching OpenFlow flow: to the controller";
            r.actions = c.acts.take();
            return r;
        }
        r.trace = br.fail_secure() ? "drop: fail_mode=secure and no matching OpenFlow flow"
                                   : "drop: no matching OpenFlow flow";
        return r;
    }
    r.rule_id = rule->id;
    c.table_id = rule->table_id;
    c.rule_cookie = rule->cookie;
    // A table-miss flow (priority 0, matching everything) sends as a miss.
    const mf::Flow& m = rule->match.mask();
    const bool catch_all = std::all_of(m.bytes(), m.bytes() + sizeof(mf::Flow), [](uint8_t b) { return b == 0; });
    c.ctl_reason = rule->priority == 0 && catch_all ? ofp::PinReason::ExplicitMiss : ofp::PinReason::Action;
    xlate_actions(c, rule->actions);
    r.trace = c.trace.empty() ? "drop: the flow's actions drop" : c.trace;
    r.actions = c.acts.take();
    return r;
}

XlateResult xlate_packet_out(Bridge& br, const mf::Flow& flow, uint16_t of_in_port, const ofp::Actions& actions,
                             Clock::time_point now) {
    XlateResult r;
    const uint16_t tci = flow.vlans[0].tci.get();
    Ctx c{br, flow, false, now, r, OdpActions(tci & mf::kVlanCfi ? tci : 0), flow.in_port.get(),
          flow.eth_src, flow.eth_dst, false, {}};
    c.of_in_port = of_in_port;
    c.ctl_reason = ofp::PinReason::PacketOut;
    xlate_actions(c, actions);
    r.trace = c.trace.empty() ? "drop: the packet-out's actions drop" : c.trace;
    r.actions = c.acts.take();
    return r;
}

}  // namespace vswitchd
