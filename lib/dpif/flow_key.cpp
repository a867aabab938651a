#include "dpif/flow_key.hpp"

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "dpif/error.hpp"

namespace dpif {

namespace {

constexpr uint16_t kEthVlan = 0x8100;
constexpr uint16_t kEthQinQ = 0x88a8;
constexpr uint16_t kEthIp = 0x0800;
constexpr uint16_t kEthArp = 0x0806;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr uint16_t kNotEthType = 0x05ff;
constexpr uint16_t kVlanCfi = 0x1000;

uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

template <typename T>
void put_struct(AttrWriter& w, uint16_t type, const T& v)
{
    w.put(type, &v, sizeof v);
}

void put_l4(AttrWriter& w, uint8_t proto, ByteView l4, bool v6, bool later_fragment)
{
    if (later_fragment)
        return;
    if (proto == 6 && l4.size() >= 20) {
        ovs_key_tcp k;
        std::memcpy(&k.tcp_src, &l4[0], 2);
        std::memcpy(&k.tcp_dst, &l4[2], 2);
        put_struct(w, OVS_KEY_ATTR_TCP, k);
        const uint16_t flags = htons(static_cast<uint16_t>((l4[12] << 8 | l4[13]) & 0x0fff));
        w.put(OVS_KEY_ATTR_TCP_FLAGS, &flags, 2);
    } else if (proto == 17 && l4.size() >= 8) {
        ovs_key_udp k;
        std::memcpy(&k.udp_src, &l4[0], 2);
        std::memcpy(&k.udp_dst, &l4[2], 2);
        put_struct(w, OVS_KEY_ATTR_UDP, k);
    } else if (proto == 1 && !v6 && l4.size() >= 4) {
        ovs_key_icmp k{l4[0], l4[1]};
        put_struct(w, OVS_KEY_ATTR_ICMP, k);
    } else if (proto == 58 && v6 && l4.size() >= 4) {
        ovs_key_icmpv6 k{l4[0], l4[1]};
        put_struct(w, OVS_KEY_ATTR_ICMPV6, k);
    }
}

void put_l3(AttrWriter& w, uint16_t ethertype, ByteView l3)
{
    if (ethertype == kEthIp && l3.size() >= 20 && (l3[0] >> 4) == 4) {
        const size_t ihl = (l3[0] & 15) * 4u;
        if (ihl < 20 || ihl > l3.size())
            return;
        ovs_key_ipv4 k{};
        std::memcpy(&k.ipv4_src, &l3[12], 4);
        std::memcpy(&k.ipv4_dst, &l3[16], 4);
        k.ipv4_proto = l3[9];
        k.ipv4_tos = l3[1];
        k.ipv4_ttl = l3[8];
        const uint16_t frag = rd16(&l3[6]);
        const bool more = frag & 0x2000;
        const uint16_t offset = frag & 0x1fff;
        k.ipv4_frag = offset ? OVS_FRAG_TYPE_LATER : more ? OVS_FRAG_TYPE_FIRST : OVS_FRAG_TYPE_NONE;
        put_struct(w, OVS_KEY_ATTR_IPV4, k);
        put_l4(w, k.ipv4_proto, l3.subspan(ihl), false, offset != 0);
    } else if (ethertype == kEthIpv6 && l3.size() >= 40 && (l3[0] >> 4) == 6) {
        ovs_key_ipv6 k{};
        std::memcpy(k.ipv6_src, &l3[8], 16);
        std::memcpy(k.ipv6_dst, &l3[24], 16);
        const uint32_t vtf = static_cast<uint32_t>(l3[0]) << 24 | l3[1] << 16 | l3[2] << 8 | l3[3];
        k.ipv6_label = htonl(vtf & 0xfffff);
        k.ipv6_tclass = static_cast<uint8_t>(vtf >> 20);
        k.ipv6_proto = l3[6];
        k.ipv6_hlimit = l3[7];
        k.ipv6_frag = OVS_FRAG_TYPE_NONE;  // extension headers are not walked here
        put_struct(w, OVS_KEY_ATTR_IPV6, k);
        put_l4(w, k.ipv6_proto, l3.subspan(40), true, false);
    } else if (ethertype == kEthArp && l3.size() >= 28) {
        // Only Ethernet/IPv4 ARP, as the kernel.
        if (rd16(&l3[0]) != 1 || rd16(&l3[2]) != kEthIp || l3[4] != 6 || l3[5] != 4)
            return;
        ovs_key_arp k{};
        std::memcpy(&k.arp_sip, &l3[14], 4);
        std::memcpy(&k.arp_tip, &l3[24], 4);
        const uint16_t op = rd16(&l3[6]);
        k.arp_op = htons(op <= 0xff ? op : 0);
        std::memcpy(k.arp_sha, &l3[8], 6);
        std::memcpy(k.arp_tha, &l3[18], 6);
        put_struct(w, OVS_KEY_ATTR_ARP, k);
    }
}

}  // namespace

Bytes extract_flow_key(ByteView p, uint32_t in_port, uint32_t priority, uint32_t skb_mark)
{
    AttrWriter w;
    w.put_u32(OVS_KEY_ATTR_PRIORITY, priority);
    w.put_u32(OVS_KEY_ATTR_IN_PORT, in_port);
    w.put_u32(OVS_KEY_ATTR_SKB_MARK, skb_mark);
    if (p.size() < 14) {
        // Too short for Ethernet: only metadata, like a truncated frame.
        return w.take();
    }
    ovs_key_ethernet eth;
    std::memcpy(eth.eth_dst, &p[0], 6);
    std::memcpy(eth.eth_src, &p[6], 6);
    put_struct(w, OVS_KEY_ATTR_ETHERNET, eth);

    size_t off = 12;
    uint16_t type = rd16(&p[off]);
    std::optional<size_t> encap;
    if ((type == kEthVlan || type == kEthQinQ) && p.size() >= off + 4) {
        const uint16_t tci = rd16(&p[off + 2]);
        w.put_be16(OVS_KEY_ATTR_ETHERTYPE, type);
        w.put_be16(OVS_KEY_ATTR_VLAN, tci | kVlanCfi);
        encap = w.begin_nested(OVS_KEY_ATTR_ENCAP);
        off += 4;
        if (p.size() < off + 2) {
            w.end_nested(*encap);
            return w.take();
        }
        type = rd16(&p[off]);
    }
    off += 2;
    if (type < 0x600) {
        // 802.3 with a length field (LLC/SNAP is not decoded here).
        type = kNotEthType;
    }
    w.put_be16(OVS_KEY_ATTR_ETHERTYPE, type);
    put_l3(w, type, p.subspan(off));
    if (encap)
        w.end_nested(*encap);
    return w.take();
}

namespace {

void flatten_into(FlatKey& out, ByteView key, uint32_t base)
{
    for (const Attr& a : parse_attrs(key)) {
        if (a.type == OVS_KEY_ATTR_ENCAP && base == 0) {
            out[a.type] = {};
            flatten_into(out, a.payload, kEncapBase);
        } else {
            out[base + a.type] = a.bytes();
        }
    }
}

}  // namespace

FlatKey flatten_key(ByteView key)
{
    FlatKey out;
    flatten_into(out, key, 0);
    return out;
}

namespace {

const Bytes kEmpty;

const Bytes& value_of(const FlatKey& k, uint32_t type)
{
    auto it = k.find(type);
    return it == k.end() ? kEmpty : it->second;
}

uint8_t byte_at(const Bytes& b, size_t i) { return i < b.size() ? b[i] : 0; }

}  // namespace

bool key_matches(const FlatKey& packet_key, const FlatKey& flow_key, const FlatKey& mask,
                 bool has_mask)
{
    const FlatKey& which = has_mask ? mask : flow_key;
    for (const auto& [type, m] : which) {
        if (type == OVS_KEY_ATTR_ENCAP)
            continue;  // its children are compared on their own
        const Bytes& fv = value_of(flow_key, type);
        const Bytes& pv = value_of(packet_key, type);
        const size_t n = has_mask ? m.size() : std::max(fv.size(), pv.size());
        for (size_t i = 0; i < n; ++i) {
            const uint8_t mb = has_mask ? m[i] : 0xff;
            if ((byte_at(pv, i) & mb) != (byte_at(fv, i) & mb))
                return false;
        }
    }
    return true;
}

FlatKey masked_key(const FlatKey& flow_key, const FlatKey& mask, bool has_mask)
{
    if (!has_mask)
        return flow_key;
    FlatKey out;
    for (const auto& [type, m] : mask) {
        const Bytes& fv = value_of(flow_key, type);
        Bytes v(m.size());
        for (size_t i = 0; i < m.size(); ++i)
            v[i] = byte_at(fv, i) & m[i];
        out[type] = std::move(v);
    }
    return out;
}

std::optional<uint32_t> key_in_port(ByteView key)
{
    if (auto a = find_attr(parse_attrs(key), OVS_KEY_ATTR_IN_PORT))
        return a->u32();
    return std::nullopt;
}

}  // namespace dpif
