#include "vswitchd/of_ports.hpp"

#include <algorithm>
#include <cstring>

#include "meta-flow/ports.hpp"

namespace vswitchd {

namespace {

// OpenFlow 1.0 port feature bits for a speed (full duplex).
uint32_t speed_bits10(const std::optional<uint64_t>& mbps) {
    if (!mbps) return 0;
    switch (*mbps) {
    case 10: return 1u << 1;
    case 100: return 1u << 3;
    case 1000: return 1u << 5;
    case 10000: return 1u << 6;
    }
    return 0;
}

}  // namespace

std::vector<OfPort> of_ports(dpif::Dpif& dpif, const Bridge& br) {
    std::vector<OfPort> out;
    for (const auto& [no, p] : br.ports()) {
        OfPort op;
        op.dp_port = no;
        ofp::PortDesc& d = op.desc;
        d.port_no = no == dpif::kLocalPort ? mf::kOfppLocal : static_cast<uint16_t>(no);
        d.name = p.iface;
        if (auto dev = dpif.netdevs().get(p.iface, false)) {
            std::memcpy(d.mac.b, dev->mac.data(), 6);
            d.config = dev->admin_up ? 0 : 1;    // OFPPC_PORT_DOWN
            // OFPPS_LINK_DOWN: a device that is administratively down has
            // no link either (the kernel clears IFF_RUNNING).
            d.state = dev->admin_up && dev->carrier ? 0 : 1;
            d.curr = speed_bits10(dev->speed_mbps);
            d.curr_speed_kbps = d.max_speed_kbps =
                dev->speed_mbps ? static_cast<uint32_t>(*dev->speed_mbps * 1000) : 0;
        }
        out.push_back(std::move(op));
    }
    std::sort(out.begin(), out.end(),
              [](const OfPort& a, const OfPort& b) { return a.desc.port_no < b.desc.port_no; });
    return out;
}

}  // namespace vswitchd
