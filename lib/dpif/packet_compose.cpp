#include "dpif/packet_compose.hpp"

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "dpif/error.hpp"

namespace dpif {

namespace {

void put16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

void append(Bytes& b, const void* p, size_t n)
{
    const auto* c = static_cast<const uint8_t*>(p);
    b.insert(b.end(), c, c + n);
}

uint32_t sum16(const uint8_t* p, size_t n, uint32_t acc = 0)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
    if (n & 1)
        acc += static_cast<uint32_t>(p[n - 1] << 8);
    return acc;
}

uint16_t fold(uint32_t acc)
{
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<uint16_t>(~acc);
}

template <typename T>
std::optional<T> get(const std::vector<Attr>& attrs, uint16_t type)
{
    auto a = find_attr(attrs, type);
    if (!a)
        return std::nullopt;
    if (a->payload.size() < sizeof(T))
        throw Error(EINVAL, "key attribute " + std::to_string(type) + " too short");
    T v;
    std::memcpy(&v, a->payload.data(), sizeof v);
    return v;
}

// L4 header + payload; checksum filled by the caller once the pseudo-header
// is known.  Returns the offset of the checksum field, or -1.
long put_l4(Bytes& l4, uint8_t proto, const std::vector<Attr>& attrs, bool v6, size_t payload_len)
{
    long csum_at = -1;
    if (proto == 6) {
        auto k = get<ovs_key_tcp>(attrs, OVS_KEY_ATTR_TCP).value_or(ovs_key_tcp{});
        append(l4, &k.tcp_src, 2);
        append(l4, &k.tcp_dst, 2);
        l4.insert(l4.end(), 8, 0);  // seq, ack
        uint16_t flags = 0x002;     // SYN unless told
        if (auto f = find_attr(attrs, OVS_KEY_ATTR_TCP_FLAGS))
            flags = f->be16() & 0x0fff;
        put16(l4, static_cast<uint16_t>(0x5000 | flags));
        put16(l4, 65535);  // window
        csum_at = static_cast<long>(l4.size());
        put16(l4, 0);
        put16(l4, 0);  // urgent
    } else if (proto == 17) {
        auto k = get<ovs_key_udp>(attrs, OVS_KEY_ATTR_UDP).value_or(ovs_key_udp{});
        append(l4, &k.udp_src, 2);
        append(l4, &k.udp_dst, 2);
        put16(l4, static_cast<uint16_t>(8 + payload_len));
        csum_at = static_cast<long>(l4.size());
        put16(l4, 0);
    } else if ((proto == 1 && !v6) || (proto == 58 && v6)) {
        auto k = get<ovs_key_icmp>(attrs, v6 ? OVS_KEY_ATTR_ICMPV6 : OVS_KEY_ATTR_ICMP)
                     .value_or(ovs_key_icmp{static_cast<uint8_t>(v6 ? 128 : 8), 0});
        l4.push_back(k.icmp_type);
        l4.push_back(k.icmp_code);
        csum_at = static_cast<long>(l4.size());
        put16(l4, 0);
        l4.insert(l4.end(), 4, 0);  // id/seq or unused
    }
    l4.insert(l4.end(), payload_len, 0);
    return csum_at;
}

void put_l3(Bytes& out, uint16_t ethertype, const std::vector<Attr>& attrs, size_t payload_len)
{
    if (ethertype == 0x0800) {
        auto k = get<ovs_key_ipv4>(attrs, OVS_KEY_ATTR_IPV4).value_or(ovs_key_ipv4{});
        Bytes l4;
        const long csum_at = put_l4(l4, k.ipv4_proto, attrs, false, payload_len);
        uint8_t ip[20] = {0x45, k.ipv4_tos};
        const uint16_t total = static_cast<uint16_t>(20 + l4.size());
        ip[2] = static_cast<uint8_t>(total >> 8);
        ip[3] = static_cast<uint8_t>(total);
        if (k.ipv4_frag == OVS_FRAG_TYPE_FIRST)
            ip[6] = 0x20;
        else if (k.ipv4_frag == OVS_FRAG_TYPE_LATER)
            ip[7] = 0x10;  // offset 16*8 bytes
        ip[8] = k.ipv4_ttl ? k.ipv4_ttl : 64;
        ip[9] = k.ipv4_proto;
        std::memcpy(ip + 12, &k.ipv4_src, 4);
        std::memcpy(ip + 16, &k.ipv4_dst, 4);
        const uint16_t hc = fold(sum16(ip, 20));
        ip[10] = static_cast<uint8_t>(hc >> 8);
        ip[11] = static_cast<uint8_t>(hc);
        if (csum_at >= 0) {
            uint32_t acc = 0;
            if (k.ipv4_proto != 1) {
                acc = sum16(ip + 12, 8);
                acc += k.ipv4_proto;
                acc += static_cast<uint32_t>(l4.size());
            }
            uint16_t c = fold(sum16(l4.data(), l4.size(), acc));
            if (c == 0 && k.ipv4_proto == 17)
                c = 0xffff;
            l4[static_cast<size_t>(csum_at)] = static_cast<uint8_t>(c >> 8);
            l4[static_cast<size_t>(csum_at) + 1] = static_cast<uint8_t>(c);
        }
        append(out, ip, 20);
        out.insert(out.end(), l4.begin(), l4.end());
    } else if (ethertype == 0x86dd) {
        auto k = get<ovs_key_ipv6>(attrs, OVS_KEY_ATTR_IPV6).value_or(ovs_key_ipv6{});
        Bytes l4;
        const long csum_at = put_l4(l4, k.ipv6_proto, attrs, true, payload_len);
        uint8_t ip[40] = {};
        const uint32_t vtf = 6u << 28 | static_cast<uint32_t>(k.ipv6_tclass) << 20 | (ntohl(k.ipv6_label) & 0xfffff);
        ip[0] = static_cast<uint8_t>(vtf >> 24);
        ip[1] = static_cast<uint8_t>(vtf >> 16);
        ip[2] = static_cast<uint8_t>(vtf >> 8);
        ip[3] = static_cast<uint8_t>(vtf);
        ip[4] = static_cast<uint8_t>(l4.size() >> 8);
        ip[5] = static_cast<uint8_t>(l4.size());
        ip[6] = k.ipv6_proto;
        ip[7] = k.ipv6_hlimit ? k.ipv6_hlimit : 64;
        std::memcpy(ip + 8, k.ipv6_src, 16);
        std::memcpy(ip + 24, k.ipv6_dst, 16);
        if (csum_at >= 0) {
            uint32_t acc = sum16(ip + 8, 32);
            acc += static_cast<uint32_t>(l4.size());
            acc += k.ipv6_proto;
            uint16_t c = fold(sum16(l4.data(), l4.size(), acc));
            if (c == 0 && k.ipv6_proto == 17)
                c = 0xffff;
            l4[static_cast<size_t>(csum_at)] = static_cast<uint8_t>(c >> 8);
            l4[static_cast<size_t>(csum_at) + 1] = static_cast<uint8_t>(c);
        }
        append(out, ip, 40);
        out.insert(out.end(), l4.begin(), l4.end());
    } else if (ethertype == 0x0806) {
        auto k = get<ovs_key_arp>(attrs, OVS_KEY_ATTR_ARP).value_or(ovs_key_arp{});
        put16(out, 1);
        put16(out, 0x0800);
        out.push_back(6);
        out.push_back(4);
        uint16_t op = ntohs(k.arp_op);
        put16(out, op ? op : 1);
        append(out, k.arp_sha, 6);
        append(out, &k.arp_sip, 4);
        append(out, k.arp_tha, 6);
        append(out, &k.arp_tip, 4);
        out.insert(out.end(), payload_len, 0);
    } else {
        out.insert(out.end(), payload_len, 0);
    }
}

}  // namespace

Bytes compose_packet(ByteView key, size_t payload_len)
{
    const auto attrs = parse_attrs(key);
    auto eth = get<ovs_key_ethernet>(attrs, OVS_KEY_ATTR_ETHERNET);
    if (!eth)
        throw Error(EINVAL, "composing a packet needs an eth() key");
    Bytes out;
    append(out, eth->eth_dst, 6);
    append(out, eth->eth_src, 6);
    uint16_t type = 0;
    if (auto t = find_attr(attrs, OVS_KEY_ATTR_ETHERTYPE))
        type = t->be16();
    auto vlan = find_attr(attrs, OVS_KEY_ATTR_VLAN);
    std::vector<Attr> inner = attrs;
    if (vlan && (vlan->be16() & 0x1000)) {
        put16(out, type == 0x88a8 ? 0x88a8 : 0x8100);
        put16(out, vlan->be16() & static_cast<uint16_t>(~0x1000));
        type = 0;
        if (auto enc = find_attr(attrs, OVS_KEY_ATTR_ENCAP)) {
            inner = enc->nested();
            if (auto t = find_attr(inner, OVS_KEY_ATTR_ETHERTYPE))
                type = t->be16();
        } else {
            // Flat form written by hand: eth_type() is the inner type.
            if (auto t = find_attr(attrs, OVS_KEY_ATTR_ETHERTYPE); t && t->be16() != 0x8100)
                type = t->be16();
        }
    }
    if (type == 0 || type < 0x600) {
        // No type, or 802.3: a length field.
        put16(out, static_cast<uint16_t>(payload_len));
        out.insert(out.end(), payload_len, 0);
        return out;
    }
    put16(out, type);
    put_l3(out, type, inner, payload_len);
    return out;
}

}  // namespace dpif
