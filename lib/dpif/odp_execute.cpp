#include "dpif/odp_execute.hpp"

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>

#include "dpif/error.hpp"

namespace dpif {

namespace {

constexpr uint16_t kVlanCfi = 0x1000;

void need_size(const Attr& a, size_t n, const char* name)
{
    if (a.payload.size() != n)
        throw Error(EINVAL, std::string("action ") + name + " has " +
                                std::to_string(a.payload.size()) + " bytes, expected " +
                                std::to_string(n));
}

void validate_set(const Attr& a, bool masked)
{
    auto inner = a.nested();
    if (inner.size() != 1)
        throw Error(EINVAL, "set action must hold exactly one key attribute");
    const size_t k = masked ? 2 : 1;
    switch (inner[0].type) {
    case OVS_KEY_ATTR_ETHERNET: need_size(inner[0], sizeof(ovs_key_ethernet) * k, "set(eth)"); break;
    case OVS_KEY_ATTR_IPV4: need_size(inner[0], sizeof(ovs_key_ipv4) * k, "set(ipv4)"); break;
    case OVS_KEY_ATTR_IPV6: {
        need_size(inner[0], sizeof(ovs_key_ipv6) * k, "set(ipv6)");
        // Addresses and hop limit only.
        ovs_key_ipv6 m;
        if (masked)
            std::memcpy(&m, inner[0].payload.data() + sizeof m, sizeof m);
        else
            std::memset(&m, 0xff, sizeof m);
        // Only the hop limit (an address change would need the L4 checksum).
        ovs_key_ipv6 only{};
        only.ipv6_hlimit = m.ipv6_hlimit;
        if (std::memcmp(&m, &only, sizeof m))
            throw Error(EINVAL, "set(ipv6) of other than the hop limit is not supported by the dummy datapath");
        break;
    }
    case OVS_KEY_ATTR_TCP: need_size(inner[0], sizeof(ovs_key_tcp) * k, "set(tcp)"); break;
    case OVS_KEY_ATTR_UDP: need_size(inner[0], sizeof(ovs_key_udp) * k, "set(udp)"); break;
    default:
        throw Error(EINVAL, "set action on key attribute " + std::to_string(inner[0].type) +
                                " is not supported by the dummy datapath");
    }
}

// `v` under `m` into `field` (n bytes).
void set_bytes(uint8_t* field, const uint8_t* v, const uint8_t* m, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        field[i] = static_cast<uint8_t>((field[i] & ~m[i]) | (v[i] & m[i]));
}

uint16_t checksum(const uint8_t* p, size_t n, uint32_t sum = 0)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n % 2)
        sum += static_cast<uint32_t>(p[n - 1] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// Where the network header starts (after Ethernet and any VLAN tags), if
// the packet's ethertype is `ethertype`.
std::optional<size_t> l3_offset(const Bytes& p, uint16_t ethertype)
{
    size_t off = 12;
    while (p.size() >= off + 2) {
        const uint16_t t = static_cast<uint16_t>(p[off] << 8 | p[off + 1]);
        if (t == 0x8100 || t == 0x88a8) {
            off += 4;
            continue;
        }
        if (t != ethertype)
            return std::nullopt;
        return off + 2;
    }
    return std::nullopt;
}

// Where the IPv4 header starts, if the packet is IPv4 with a whole header.
std::optional<size_t> ipv4_offset(const Bytes& p)
{
    auto ip = l3_offset(p, 0x0800);
    if (!ip || p.size() < *ip + 20 || (p[*ip] >> 4) != 4 || (p[*ip] & 15) < 5 ||
        p.size() < *ip + 4u * (p[*ip] & 15))
        return std::nullopt;
    return ip;
}

// Where the IPv6 header starts, if the packet is IPv6 with a whole header.
std::optional<size_t> ipv6_offset(const Bytes& p)
{
    auto ip = l3_offset(p, 0x86dd);
    if (!ip || p.size() < *ip + 40 || (p[*ip] >> 4) != 6)
        return std::nullopt;
    return ip;
}

// Recomputes the IPv4 header checksum and, for a whole unfragmented TCP or
// UDP packet, its checksum (a UDP checksum of 0 stays 0: none).
void fix_checksums(Bytes& p, size_t ip)
{
    const size_t ihl = 4u * (p[ip] & 15);
    p[ip + 10] = p[ip + 11] = 0;
    const uint16_t c = checksum(&p[ip], ihl);
    p[ip + 10] = static_cast<uint8_t>(c >> 8);
    p[ip + 11] = static_cast<uint8_t>(c);
    const uint16_t total = static_cast<uint16_t>(p[ip + 2] << 8 | p[ip + 3]);
    const bool fragment = (p[ip + 6] & 0x3f) || p[ip + 7];
    const uint8_t proto = p[ip + 9];
    if (fragment || total < ihl || p.size() < ip + total)
        return;
    const size_t l4 = ip + ihl, len = total - ihl;
    size_t at;
    if (proto == 6 && len >= 20)
        at = l4 + 16;
    else if (proto == 17 && len >= 8)
        at = l4 + 6;
    else
        return;
    if (proto == 17 && !p[at] && !p[at + 1])
        return;
    p[at] = p[at + 1] = 0;
    uint32_t pseudo = 0;
    for (size_t i = 12; i < 20; i += 2)
        pseudo += static_cast<uint32_t>(p[ip + i] << 8 | p[ip + i + 1]);
    pseudo += proto + static_cast<uint32_t>(len);
    uint16_t l4c = checksum(&p[l4], len, pseudo);
    if (proto == 17 && !l4c)
        l4c = 0xffff;
    p[at] = static_cast<uint8_t>(l4c >> 8);
    p[at + 1] = static_cast<uint8_t>(l4c);
}

void execute_set(Bytes& packet, const Attr& key, bool masked)
{
    const size_t n = key.payload.size() / (masked ? 2 : 1);
    const uint8_t* v = key.payload.data();
    uint8_t ones[sizeof(ovs_key_ipv6)];
    std::memset(ones, 0xff, sizeof ones);
    const uint8_t* m = masked ? v + n : ones;
    if (key.type == OVS_KEY_ATTR_ETHERNET) {
        if (packet.size() < 12)
            return;
        // ovs_key_ethernet is source, then destination.
        set_bytes(&packet[6], v, m, 6);
        set_bytes(&packet[0], v + 6, m + 6, 6);
        return;
    }
    if (key.type == OVS_KEY_ATTR_IPV6) {
        auto ip6 = ipv6_offset(packet);
        if (!ip6)
            return;
        set_bytes(&packet[*ip6 + 7], v + offsetof(ovs_key_ipv6, ipv6_hlimit),
                  m + offsetof(ovs_key_ipv6, ipv6_hlimit), 1);                      // hop limit
        return;
    }
    auto ip = ipv4_offset(packet);
    if (!ip)
        return;
    if (key.type == OVS_KEY_ATTR_IPV4) {
        set_bytes(&packet[*ip + 12], v, m, 8);        // src, dst
        set_bytes(&packet[*ip + 1], v + 9, m + 9, 1);  // tos
        set_bytes(&packet[*ip + 8], v + 10, m + 10, 1);  // ttl
    } else {
        const uint8_t want = key.type == OVS_KEY_ATTR_TCP ? 6 : 17;
        const size_t l4 = *ip + 4u * (packet[*ip] & 15);
        if (packet[*ip + 9] != want || packet.size() < l4 + 4)
            return;
        set_bytes(&packet[l4], v, m, 4);   // src, dst ports
    }
    fix_checksums(packet, *ip);
}

}  // namespace

void validate_actions(ByteView actions)
{
    for (const Attr& a : parse_attrs(actions)) {
        switch (a.type) {
        case OVS_ACTION_ATTR_OUTPUT: need_size(a, 4, "output"); break;
        case OVS_ACTION_ATTR_USERSPACE: {
            auto inner = a.nested();
            auto pid = find_attr(inner, OVS_USERSPACE_ATTR_PID);
            if (!pid)
                throw Error(EINVAL, "userspace action without a pid");
            pid->u32();
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            need_size(a, sizeof(ovs_action_push_vlan), "push_vlan");
            ovs_action_push_vlan v;
            std::memcpy(&v, a.payload.data(), sizeof v);
            if (!(ntohs(v.vlan_tci) & kVlanCfi))
                throw Error(EINVAL, "push_vlan TCI without the CFI bit");
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN: need_size(a, 0, "pop_vlan"); break;
        case OVS_ACTION_ATTR_SET: validate_set(a, false); break;
        case OVS_ACTION_ATTR_SET_MASKED: validate_set(a, true); break;
        case OVS_ACTION_ATTR_TRUNC: need_size(a, 4, "trunc"); break;
        default:
            throw Error(EINVAL, "action type " + std::to_string(a.type) +
                                    " is not supported by the dummy datapath");
        }
    }
}

void execute_actions(Bytes packet, ByteView actions, const ActionHooks& hooks)
{
    std::optional<uint32_t> trunc;
    for (const Attr& a : parse_attrs(actions)) {
        switch (a.type) {
        case OVS_ACTION_ATTR_OUTPUT:
            if (hooks.output) {
                if (trunc && packet.size() > *trunc) {
                    Bytes cut(packet.begin(), packet.begin() + *trunc);
                    hooks.output(a.u32(), cut);
                } else {
                    hooks.output(a.u32(), packet);
                }
            }
            trunc.reset();
            break;
        case OVS_ACTION_ATTR_USERSPACE: {
            auto inner = a.nested();
            const uint32_t pid = find_attr(inner, OVS_USERSPACE_ATTR_PID)->u32();
            auto ud = find_attr(inner, OVS_USERSPACE_ATTR_USERDATA);
            const bool want_actions = find_attr(inner, OVS_USERSPACE_ATTR_ACTIONS).has_value();
            if (hooks.userspace)
                hooks.userspace(pid, packet, ud ? ud->payload : ByteView{},
                                want_actions ? actions : ByteView{});
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            ovs_action_push_vlan v;
            std::memcpy(&v, a.payload.data(), sizeof v);
            if (packet.size() < 12)
                break;
            const uint16_t tci = htons(ntohs(v.vlan_tci) & ~kVlanCfi);
            uint8_t tag[4];
            std::memcpy(tag, &v.vlan_tpid, 2);
            std::memcpy(tag + 2, &tci, 2);
            packet.insert(packet.begin() + 12, tag, tag + 4);
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN:
            if (packet.size() >= 18) {
                const uint16_t tpid = static_cast<uint16_t>(packet[12] << 8 | packet[13]);
                if (tpid == 0x8100 || tpid == 0x88a8)
                    packet.erase(packet.begin() + 12, packet.begin() + 16);
            }
            break;
        case OVS_ACTION_ATTR_SET:
        case OVS_ACTION_ATTR_SET_MASKED:
            execute_set(packet, a.nested().at(0), a.type == OVS_ACTION_ATTR_SET_MASKED);
            break;
        case OVS_ACTION_ATTR_TRUNC:
            trunc = a.u32();
            break;
        default:
            break;  // validate_actions() keeps these out
        }
    }
}

}  // namespace dpif
