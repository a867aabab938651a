#include "vswitchd/xlate.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

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
    if (br.fail_secure()) {
        // No OpenFlow table yet: a secure bridge has no flows to follow.
        r.trace = "drop: fail_mode=secure and no OpenFlow flows";
        return r;
    }
    if (!mf::is_ethernet(flow)) {
        r.trace = "drop: not an Ethernet packet";
        return r;
    }

    // The VLAN the frame belongs to.
    all_ones(&wc.vlans[0], sizeof wc.vlans[0]);
    const uint16_t tci = flow.vlans[0].tci.get();
    const uint16_t vid = (tci & mf::kVlanCfi) ? (tci & mf::kVlanVidMask) : 0;
    std::optional<uint16_t> vlan = in->vlan.input_vlan(vid);
    if (!vlan) {
        r.trace = "drop: port " + in->port + " does not accept VLAN " + std::to_string(vid);
        return r;
    }

    all_ones(&wc.eth_dst, sizeof wc.eth_dst);
    const Mac dst = to_mac(flow.eth_dst);
    if (reserved_multicast(dst) && !br.forward_bpdu()) {
        r.trace = "drop: reserved multicast destination " + mac_to_string(dst);
        return r;
    }

    all_ones(&wc.eth_src, sizeof wc.eth_src);
    const Mac src = to_mac(flow.eth_src);
    if (may_learn && !is_multicast(src)) r.learned = br.mac().learn(src, *vlan, in_port, now);

    OdpActions acts(tci & mf::kVlanCfi ? tci : 0);
    std::optional<uint32_t> out;
    if (!is_multicast(dst)) out = br.mac().lookup(dst, *vlan, now);
    const BridgePort* to = out ? br.port(*out) : nullptr;
    if (to && to->active && to->vlan.carries(*vlan)) {
        if (to->port_no == in_port) {
            r.trace = "drop: " + mac_to_string(dst) + " was learned on the input port";
            return r;
        }
        acts.output_vlan(to->port_no, to->vlan.output_vid(*vlan));
        r.trace = "unicast to " + to->iface + " in VLAN " + std::to_string(*vlan);
    } else {
        // Outputs grouped by the tag they need, the packet's own first, so
        // that each tag change is made once.
        std::vector<std::pair<uint32_t, uint16_t>> outs;
        for (const auto& [no, p] : br.ports()) {
            if (no == in_port || !p.active || !p.vlan.carries(*vlan)) continue;
            outs.emplace_back(no, p.vlan.output_vid(*vlan));
        }
        const uint16_t cur = (tci & mf::kVlanCfi) ? vid : 0;
        std::stable_sort(outs.begin(), outs.end(), [cur](const auto& a, const auto& b) {
            return (a.second != cur) < (b.second != cur) ||
                   ((a.second != cur) == (b.second != cur) && a.second != cur && a.second < b.second);
        });
        for (const auto& [no, v] : outs) acts.output_vlan(no, v);
        r.trace = "flood in VLAN " + std::to_string(*vlan) + " to " + std::to_string(acts.outputs()) + " ports";
    }
    r.actions = acts.take();
    return r;
}

}  // namespace vswitchd
