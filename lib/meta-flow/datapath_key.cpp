#include "meta-flow/datapath_key.hpp"

#include <linux/openvswitch.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "dpif/error.hpp"
#include "meta-flow/error.hpp"

namespace mf {

namespace {

// ---- small helpers -------------------------------------------------------------

// Host-order integers in the key <-> big-endian Flow storage.
template <size_t N>
void put_host(dpif::AttrWriter& w, uint16_t type, const BeUint<N>& v)
{
    const auto x = v.get();
    w.put(type, &x, N);
}

void put_labels(dpif::AttrWriter& w, const In6& label)
{
    // The kernel keeps the 128-bit label as a host-order integer.
    uint8_t b[16];
    for (int i = 0; i < 16; ++i)
        b[i] = label.b[15 - i];
    w.put(OVS_KEY_ATTR_CT_LABELS, b, 16);
}

uint8_t frag_to_odp(uint8_t nw_frag, bool is_mask)
{
    if (is_mask)
        return (nw_frag & kFragAny) ? 0xff : 0;
    if (!(nw_frag & kFragAny))
        return OVS_FRAG_TYPE_NONE;
    return (nw_frag & kFragLater) ? OVS_FRAG_TYPE_LATER : OVS_FRAG_TYPE_FIRST;
}

struct Emitter {
    const Flow& key;         // decides which attributes exist
    const Flow& data;        // what they hold (key or mask)
    bool is_mask;
    const DatapathKeyOptions& opt;

    bool tunnel_present() const
    {
        return !key.tun_dst.is_zero() || !key.tun_src.is_zero() || !key.tun_ipv6_dst.is_zero() ||
               !key.tun_ipv6_src.is_zero() || !key.tun_id.is_zero();
    }

    void tunnel(dpif::AttrWriter& w) const
    {
        const size_t t = w.begin_nested(OVS_KEY_ATTR_TUNNEL);
        const uint16_t df = data.tun_flags.get();
        if (!key.tun_id.is_zero() || (key.tun_flags.get() & kTunFlagKey))
            w.put(OVS_TUNNEL_KEY_ATTR_ID, data.tun_id.b, 8);
        if (!key.tun_src.is_zero())
            w.put(OVS_TUNNEL_KEY_ATTR_IPV4_SRC, data.tun_src.b, 4);
        if (!key.tun_dst.is_zero())
            w.put(OVS_TUNNEL_KEY_ATTR_IPV4_DST, data.tun_dst.b, 4);
        if (!key.tun_ipv6_src.is_zero())
            w.put(OVS_TUNNEL_KEY_ATTR_IPV6_SRC, data.tun_ipv6_src.b, 16);
        if (!key.tun_ipv6_dst.is_zero())
            w.put(OVS_TUNNEL_KEY_ATTR_IPV6_DST, data.tun_ipv6_dst.b, 16);
        w.put_u8(OVS_TUNNEL_KEY_ATTR_TOS, data.tun_tos);  // always, so a mask can name it
        w.put_u8(OVS_TUNNEL_KEY_ATTR_TTL, data.tun_ttl);
        if (df & kTunFlagDontFragment)
            w.put_flag(OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT);
        if (df & kTunFlagCsum)
            w.put_flag(OVS_TUNNEL_KEY_ATTR_CSUM);
        if (df & kTunFlagOam)
            w.put_flag(OVS_TUNNEL_KEY_ATTR_OAM);
        if (!key.tun_tp_src.is_zero() || !data.tun_tp_src.is_zero())
            w.put(OVS_TUNNEL_KEY_ATTR_TP_SRC, data.tun_tp_src.b, 2);
        if (!key.tun_tp_dst.is_zero() || !data.tun_tp_dst.is_zero())
            w.put(OVS_TUNNEL_KEY_ATTR_TP_DST, data.tun_tp_dst.b, 2);
        w.end_nested(t);
    }

    void l4(dpif::AttrWriter& w, bool v6) const
    {
        if (key.nw_frag & kFragLater)
            return;
        const uint8_t p = key.nw_proto;
        if (p == kIpProtoTcp || p == kIpProtoUdp || p == kIpProtoSctp) {
            uint8_t ports[4];
            std::memcpy(ports, data.tp_src.b, 2);
            std::memcpy(ports + 2, data.tp_dst.b, 2);
            w.put(p == kIpProtoTcp ? OVS_KEY_ATTR_TCP
                  : p == kIpProtoUdp ? OVS_KEY_ATTR_UDP : OVS_KEY_ATTR_SCTP,
                  ports, 4);
            if (p == kIpProtoTcp)
                w.put(OVS_KEY_ATTR_TCP_FLAGS, data.tcp_flags.b, 2);
        } else if (!v6 && p == kIpProtoIcmp) {
            const uint8_t tc[2] = {data.tp_src.b[1], data.tp_dst.b[1]};
            w.put(OVS_KEY_ATTR_ICMP, tc, 2);
        } else if (v6 && p == kIpProtoIcmpv6) {
            const uint8_t tc[2] = {data.tp_src.b[1], data.tp_dst.b[1]};
            w.put(OVS_KEY_ATTR_ICMPV6, tc, 2);
            const uint16_t type = key.tp_src.get();
            // The kernel expects ND for types 135/136 whatever the code, and
            // takes an ND mask only with an exact type.
            if ((type == kNdSolicit || type == kNdAdvert) &&
                (!is_mask || data.tp_src.b[1] == 0xff)) {
                ovs_key_nd nd;
                std::memcpy(nd.nd_target, data.nd_target.b, 16);
                std::memcpy(nd.nd_sll, data.arp_sha.b, 6);
                std::memcpy(nd.nd_tll, data.arp_tha.b, 6);
                w.put(OVS_KEY_ATTR_ND, &nd, sizeof nd);
            }
        }
    }

    void l3(dpif::AttrWriter& w) const
    {
        const uint16_t t = key.eth_type.get();
        if (t == kEthTypeIp) {
            ovs_key_ipv4 k{};
            std::memcpy(&k.ipv4_src, data.nw_src.b, 4);
            std::memcpy(&k.ipv4_dst, data.nw_dst.b, 4);
            k.ipv4_proto = data.nw_proto;
            k.ipv4_tos = data.nw_tos;
            k.ipv4_ttl = data.nw_ttl;
            k.ipv4_frag = frag_to_odp(data.nw_frag, is_mask);
            w.put(OVS_KEY_ATTR_IPV4, &k, sizeof k);
            if (!is_mask || data.nw_proto == 0xff)
                l4(w, false);
        } else if (t == kEthTypeIpv6) {
            ovs_key_ipv6 k{};
            std::memcpy(k.ipv6_src, data.ipv6_src.b, 16);
            std::memcpy(k.ipv6_dst, data.ipv6_dst.b, 16);
            std::memcpy(&k.ipv6_label, data.ipv6_label.b, 4);
            k.ipv6_proto = data.nw_proto;
            k.ipv6_tclass = data.nw_tos;
            k.ipv6_hlimit = data.nw_ttl;
            k.ipv6_frag = frag_to_odp(data.nw_frag, is_mask);
            w.put(OVS_KEY_ATTR_IPV6, &k, sizeof k);
            if (!is_mask || data.nw_proto == 0xff)
                l4(w, true);
        } else if (t == kEthTypeArp || t == kEthTypeRarp) {
            ovs_key_arp k{};
            std::memcpy(&k.arp_sip, data.nw_src.b, 4);
            std::memcpy(&k.arp_tip, data.nw_dst.b, 4);
            const uint16_t op = is_mask && data.nw_proto == 0xff ? 0xffff : data.nw_proto;
            const Be16 be = Be16::of(op);
            std::memcpy(&k.arp_op, be.b, 2);
            std::memcpy(k.arp_sha, data.arp_sha.b, 6);
            std::memcpy(k.arp_tha, data.arp_tha.b, 6);
            w.put(OVS_KEY_ATTR_ARP, &k, sizeof k);
        } else if (t == kEthTypeMpls || t == kEthTypeMplsMcast) {
            // The labels up to the bottom of stack; without one, up to the
            // last that is not zero (at least one).
            int n = 0, last = 0;
            for (int i = 0; i < kMaxMplsLabels && !n; ++i) {
                if (key.mpls_lse[i].get() & kMplsBosMask)
                    n = i + 1;
                else if (!key.mpls_lse[i].is_zero())
                    last = i + 1;
            }
            if (!n)
                n = std::max(last, 1);
            uint8_t buf[4 * kMaxMplsLabels];
            for (int i = 0; i < n; ++i)
                std::memcpy(buf + 4 * i, data.mpls_lse[i].b, 4);
            w.put(OVS_KEY_ATTR_MPLS, buf, 4 * static_cast<size_t>(n));
        }
    }

    // From the VLAN tags (if any) inwards.
    void l2_onward(dpif::AttrWriter& w, int depth) const
    {
        if (depth < kMaxVlans && (key.vlans[depth].tci.get() & kVlanCfi)) {
            const uint16_t tpid = key.vlans[depth].tpid.is_zero() ? kEthTypeVlan
                                                                   : key.vlans[depth].tpid.get();
            w.put_be16(OVS_KEY_ATTR_ETHERTYPE, is_mask ? 0xffff : tpid);
            w.put(OVS_KEY_ATTR_VLAN, data.vlans[depth].tci.b, 2);
            const size_t e = w.begin_nested(OVS_KEY_ATTR_ENCAP);
            l2_onward(w, depth + 1);
            w.end_nested(e);
            return;
        }
        const uint16_t t = key.eth_type.get();
        if (is_mask) {
            if (data.eth_type.is_zero())
                return;  // EtherType wildcarded: nothing below can be matched
            w.put_be16(OVS_KEY_ATTR_ETHERTYPE, 0xffff);
        } else {
            if (t < kEthTypeMin)
                return;  // 802.2, or unknown: no ETHERTYPE attribute
            w.put_be16(OVS_KEY_ATTR_ETHERTYPE, t);
        }
        l3(w);
    }

    void all(dpif::AttrWriter& w) const
    {
        put_host(w, OVS_KEY_ATTR_PRIORITY, data.skb_priority);
        if (tunnel_present())
            tunnel(w);
        put_host(w, OVS_KEY_ATTR_SKB_MARK, data.pkt_mark);
        if (opt.conntrack) {
            put_host(w, OVS_KEY_ATTR_CT_STATE, data.ct_state);
            put_host(w, OVS_KEY_ATTR_CT_ZONE, data.ct_zone);
            put_host(w, OVS_KEY_ATTR_CT_MARK, data.ct_mark);
            put_labels(w, data.ct_label);
        }
        if (opt.recirc) {
            put_host(w, OVS_KEY_ATTR_RECIRC_ID, data.recirc_id);
            put_host(w, OVS_KEY_ATTR_DP_HASH, data.dp_hash);
        }
        // The kernel matches in_port exactly whenever the mask names it, so a
        // wildcarded in_port is left out of the mask.
        if (!is_mask || !data.in_port.is_zero())
            put_host(w, OVS_KEY_ATTR_IN_PORT, data.in_port);
        const uint32_t pt = key.packet_type.get();
        if (pt != kPacketTypeEthernet) {
            w.put(OVS_KEY_ATTR_PACKET_TYPE, data.packet_type.b, 4);
            if ((pt >> 16) == kPacketTypeNsEthertype) {
                // An L3 packet: its EtherType is in the packet type.
                l3(w);
            }
            return;
        }
        ovs_key_ethernet eth;
        std::memcpy(eth.eth_src, data.eth_src.b, 6);
        std::memcpy(eth.eth_dst, data.eth_dst.b, 6);
        w.put(OVS_KEY_ATTR_ETHERNET, &eth, sizeof eth);
        l2_onward(w, 0);
    }
};

// ---- parsing -----------------------------------------------------------------

const char* attr_name(uint16_t t)
{
    switch (t) {
    case OVS_KEY_ATTR_ENCAP: return "ENCAP";
    case OVS_KEY_ATTR_PRIORITY: return "PRIORITY";
    case OVS_KEY_ATTR_IN_PORT: return "IN_PORT";
    case OVS_KEY_ATTR_ETHERNET: return "ETHERNET";
    case OVS_KEY_ATTR_VLAN: return "VLAN";
    case OVS_KEY_ATTR_ETHERTYPE: return "ETHERTYPE";
    case OVS_KEY_ATTR_IPV4: return "IPV4";
    case OVS_KEY_ATTR_IPV6: return "IPV6";
    case OVS_KEY_ATTR_TCP: return "TCP";
    case OVS_KEY_ATTR_UDP: return "UDP";
    case OVS_KEY_ATTR_ICMP: return "ICMP";
    case OVS_KEY_ATTR_ICMPV6: return "ICMPV6";
    case OVS_KEY_ATTR_ARP: return "ARP";
    case OVS_KEY_ATTR_ND: return "ND";
    case OVS_KEY_ATTR_SKB_MARK: return "SKB_MARK";
    case OVS_KEY_ATTR_TUNNEL: return "TUNNEL";
    case OVS_KEY_ATTR_SCTP: return "SCTP";
    case OVS_KEY_ATTR_TCP_FLAGS: return "TCP_FLAGS";
    case OVS_KEY_ATTR_DP_HASH: return "DP_HASH";
    case OVS_KEY_ATTR_RECIRC_ID: return "RECIRC_ID";
    case OVS_KEY_ATTR_MPLS: return "MPLS";
    case OVS_KEY_ATTR_CT_STATE: return "CT_STATE";
    case OVS_KEY_ATTR_CT_ZONE: return "CT_ZONE";
    case OVS_KEY_ATTR_CT_MARK: return "CT_MARK";
    case OVS_KEY_ATTR_CT_LABELS: return "CT_LABELS";
    case OVS_KEY_ATTR_PACKET_TYPE: return "PACKET_TYPE";
    default: return "?";
    }
}

// Expected payload length of each key attribute (-1: variable or nested).
int attr_len(uint16_t t)
{
    switch (t) {
    case OVS_KEY_ATTR_ENCAP: return -1;
    case OVS_KEY_ATTR_PRIORITY: return 4;
    case OVS_KEY_ATTR_IN_PORT: return 4;
    case OVS_KEY_ATTR_ETHERNET: return sizeof(ovs_key_ethernet);
    case OVS_KEY_ATTR_VLAN: return 2;
    case OVS_KEY_ATTR_ETHERTYPE: return 2;
    case OVS_KEY_ATTR_IPV4: return sizeof(ovs_key_ipv4);
    case OVS_KEY_ATTR_IPV6: return sizeof(ovs_key_ipv6);
    case OVS_KEY_ATTR_TCP: return sizeof(ovs_key_tcp);
    case OVS_KEY_ATTR_UDP: return sizeof(ovs_key_udp);
    case OVS_KEY_ATTR_ICMP: return sizeof(ovs_key_icmp);
    case OVS_KEY_ATTR_ICMPV6: return sizeof(ovs_key_icmpv6);
    case OVS_KEY_ATTR_ARP: return sizeof(ovs_key_arp);
    case OVS_KEY_ATTR_ND: return sizeof(ovs_key_nd);
    case OVS_KEY_ATTR_SKB_MARK: return 4;
    case OVS_KEY_ATTR_TUNNEL: return -1;
    case OVS_KEY_ATTR_SCTP: return sizeof(ovs_key_sctp);
    case OVS_KEY_ATTR_TCP_FLAGS: return 2;
    case OVS_KEY_ATTR_DP_HASH: return 4;
    case OVS_KEY_ATTR_RECIRC_ID: return 4;
    case OVS_KEY_ATTR_MPLS: return -1;
    case OVS_KEY_ATTR_CT_STATE: return 4;
    case OVS_KEY_ATTR_CT_ZONE: return 2;
    case OVS_KEY_ATTR_CT_MARK: return 4;
    case OVS_KEY_ATTR_CT_LABELS: return 16;
    case OVS_KEY_ATTR_PACKET_TYPE: return 4;
    default: return -2;  // not one we decode
    }
}

template <size_t N>
void get_host(const dpif::Attr& a, BeUint<N>& out)
{
    typename BeUint<N>::host_type x;
    std::memcpy(&x, a.payload.data(), N);
    out.set(x);
}

struct Parser {
    Flow& f;
    bool is_mask;
    KeyFit& fit;

    [[noreturn]] static void bad(const std::string& what) { throw Error("datapath flow key: " + what); }

    static std::vector<dpif::Attr> split(ByteView b)
    {
        try {
            return dpif::parse_attrs(b);
        } catch (const dpif::Error& e) {
            bad(e.what());
        }
    }

    // Index the attributes of one level by type, checking lengths and
    // duplicates.
    std::array<const dpif::Attr*, OVS_KEY_ATTR_MAX + 1> index(const std::vector<dpif::Attr>& attrs)
    {
        std::array<const dpif::Attr*, OVS_KEY_ATTR_MAX + 1> a{};
        for (const dpif::Attr& x : attrs) {
            const int len = attr_len(x.type);
            if (x.type > OVS_KEY_ATTR_MAX || len == -2) {
                ++fit.ignored;
                continue;
            }
            if (a[x.type])
                bad(std::string("duplicate ") + attr_name(x.type) + " attribute");
            if (len >= 0 && x.payload.size() != static_cast<size_t>(len))
                bad(std::string(attr_name(x.type)) + " attribute has " +
                    std::to_string(x.payload.size()) + " bytes, expected " + std::to_string(len));
            if (x.type == OVS_KEY_ATTR_MPLS &&
                (x.payload.empty() || x.payload.size() % 4 || x.payload.size() > 4 * 3 * 4))
                bad("MPLS attribute has " + std::to_string(x.payload.size()) + " bytes");
            a[x.type] = &x;
        }
        return a;
    }

    void tunnel(const dpif::Attr& t)
    {
        uint16_t flags = 0;
        for (const dpif::Attr& x : split(t.payload)) {
            auto need = [&](size_t n) {
                if (x.payload.size() != n)
                    bad("tunnel attribute " + std::to_string(x.type) + " has " +
                        std::to_string(x.payload.size()) + " bytes, expected " + std::to_string(n));
            };
            switch (x.type) {
            case OVS_TUNNEL_KEY_ATTR_ID:
                need(8), std::memcpy(f.tun_id.b, x.payload.data(), 8), flags |= kTunFlagKey;
                break;
            case OVS_TUNNEL_KEY_ATTR_IPV4_SRC: need(4), std::memcpy(f.tun_src.b, x.payload.data(), 4); break;
            case OVS_TUNNEL_KEY_ATTR_IPV4_DST: need(4), std::memcpy(f.tun_dst.b, x.payload.data(), 4); break;
            case OVS_TUNNEL_KEY_ATTR_IPV6_SRC: need(16), std::memcpy(f.tun_ipv6_src.b, x.payload.data(), 16); break;
            case OVS_TUNNEL_KEY_ATTR_IPV6_DST: need(16), std::memcpy(f.tun_ipv6_dst.b, x.payload.data(), 16); break;
            case OVS_TUNNEL_KEY_ATTR_TOS: need(1), f.tun_tos = x.payload[0]; break;
            case OVS_TUNNEL_KEY_ATTR_TTL: need(1), f.tun_ttl = x.payload[0]; break;
            case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT: flags |= kTunFlagDontFragment; break;
            case OVS_TUNNEL_KEY_ATTR_CSUM: flags |= kTunFlagCsum; break;
            case OVS_TUNNEL_KEY_ATTR_OAM: flags |= kTunFlagOam; break;
            case OVS_TUNNEL_KEY_ATTR_TP_SRC: need(2), std::memcpy(f.tun_tp_src.b, x.payload.data(), 2); break;
            case OVS_TUNNEL_KEY_ATTR_TP_DST: need(2), std::memcpy(f.tun_tp_dst.b, x.payload.data(), 2); break;
            default: ++fit.ignored; break;
            }
        }
        if (is_mask)
            flags &= static_cast<uint16_t>(~kTunFlagKey);
        f.tun_flags.set(flags);
    }

    void l4(const std::array<const dpif::Attr*, OVS_KEY_ATTR_MAX + 1>& a)
    {
        for (uint16_t t : {OVS_KEY_ATTR_TCP, OVS_KEY_ATTR_UDP, OVS_KEY_ATTR_SCTP})
            if (a[t]) {
                std::memcpy(f.tp_src.b, a[t]->payload.data(), 2);
                std::memcpy(f.tp_dst.b, a[t]->payload.data() + 2, 2);
            }
        if (a[OVS_KEY_ATTR_TCP_FLAGS])
            std::memcpy(f.tcp_flags.b, a[OVS_KEY_ATTR_TCP_FLAGS]->payload.data(), 2);
        for (uint16_t t : {OVS_KEY_ATTR_ICMP, OVS_KEY_ATTR_ICMPV6})
            if (a[t]) {
                const uint8_t type = a[t]->payload[0], code = a[t]->payload[1];
                // An exact ICMP type/code is an exact tp_src/tp_dst.
                f.tp_src.set(is_mask && type == 0xff ? 0xffff : type);
                f.tp_dst.set(is_mask && code == 0xff ? 0xffff : code);
            }
        if (a[OVS_KEY_ATTR_ND]) {
            ovs_key_nd nd;
            std::memcpy(&nd, a[OVS_KEY_ATTR_ND]->payload.data(), sizeof nd);
            std::memcpy(f.nd_target.b, nd.nd_target, 16);
            std::memcpy(f.arp_sha.b, nd.nd_sll, 6);
            std::memcpy(f.arp_tha.b, nd.nd_tll, 6);
        }
    }

    uint8_t frag_from_odp(uint8_t v)
    {
        if (is_mask)
            return v ? kFragMask : 0;
        switch (v) {
        case OVS_FRAG_TYPE_NONE: return 0;
        case OVS_FRAG_TYPE_FIRST: return kFragAny;
        case OVS_FRAG_TYPE_LATER: return kFragAny | kFragLater;
        default: bad("invalid fragment type " + std::to_string(v));
        }
    }

    void l3(const std::array<const dpif::Attr*, OVS_KEY_ATTR_MAX + 1>& a)
    {
        if (const dpif::Attr* x = a[OVS_KEY_ATTR_IPV4]) {
            ovs_key_ipv4 k;
            std::memcpy(&k, x->payload.data(), sizeof k);
            std::memcpy(f.nw_src.b, &k.ipv4_src, 4);
            std::memcpy(f.nw_dst.b, &k.ipv4_dst, 4);
            f.nw_proto = k.ipv4_proto;
            f.nw_tos = k.ipv4_tos;
            f.nw_ttl = k.ipv4_ttl;
            f.nw_frag = frag_from_odp(k.ipv4_frag);
        }
        if (const dpif::Attr* x = a[OVS_KEY_ATTR_IPV6]) {
            ovs_key_ipv6 k;
            std::memcpy(&k, x->payload.data(), sizeof k);
            std::memcpy(f.ipv6_src.b, k.ipv6_src, 16);
            std::memcpy(f.ipv6_dst.b, k.ipv6_dst, 16);
            std::memcpy(f.ipv6_label.b, &k.ipv6_label, 4);
            f.nw_proto = k.ipv6_proto;
            f.nw_tos = k.ipv6_tclass;
            f.nw_ttl = k.ipv6_hlimit;
            f.nw_frag = frag_from_odp(k.ipv6_frag);
        }
        if (const dpif::Attr* x = a[OVS_KEY_ATTR_ARP]) {
            ovs_key_arp k;
            std::memcpy(&k, x->payload.data(), sizeof k);
            std::memcpy(f.nw_src.b, &k.arp_sip, 4);
            std::memcpy(f.nw_dst.b, &k.arp_tip, 4);
            Be16 op;
            std::memcpy(op.b, &k.arp_op, 2);
            f.nw_proto = static_cast<uint8_t>(op.get());  // opcodes above 255 do not fit
            std::memcpy(f.arp_sha.b, k.arp_sha, 6);
            std::memcpy(f.arp_tha.b, k.arp_tha, 6);
        }
        if (const dpif::Attr* x = a[OVS_KEY_ATTR_MPLS]) {
            const size_t n = std::min<size_t>(x->payload.size() / 4, kMaxMplsLabels);
            for (size_t i = 0; i < n; ++i)
                std::memcpy(f.mpls_lse[i].b, x->payload.data() + 4 * i, 4);
            if (x->payload.size() / 4 > kMaxMplsLabels)
                ++fit.ignored;
        }
        l4(a);
    }

    void level(ByteView buf, int depth, const Flow* key_flow)
    {
        const std::vector<dpif::Attr> attrs = split(buf);
        const auto a = index(attrs);
        if (depth == 0) {
            if (a[OVS_KEY_ATTR_PRIORITY]) get_host(*a[OVS_KEY_ATTR_PRIORITY], f.skb_priority);
            if (a[OVS_KEY_ATTR_SKB_MARK]) get_host(*a[OVS_KEY_ATTR_SKB_MARK], f.pkt_mark);
            if (a[OVS_KEY_ATTR_IN_PORT]) {
                get_host(*a[OVS_KEY_ATTR_IN_PORT], f.in_port);
                if (is_mask)
                    f.in_port.set(0xffffffff);  // the kernel's rule: always exact
            }
            if (a[OVS_KEY_ATTR_DP_HASH]) get_host(*a[OVS_KEY_ATTR_DP_HASH], f.dp_hash);
            if (a[OVS_KEY_ATTR_RECIRC_ID]) get_host(*a[OVS_KEY_ATTR_RECIRC_ID], f.recirc_id);
            if (a[OVS_KEY_ATTR_CT_STATE]) get_host(*a[OVS_KEY_ATTR_CT_STATE], f.ct_state);
            if (a[OVS_KEY_ATTR_CT_ZONE]) get_host(*a[OVS_KEY_ATTR_CT_ZONE], f.ct_zone);
            if (a[OVS_KEY_ATTR_CT_MARK]) get_host(*a[OVS_KEY_ATTR_CT_MARK], f.ct_mark);
            if (a[OVS_KEY_ATTR_CT_LABELS])
                for (int i = 0; i < 16; ++i)
                    f.ct_label.b[i] = a[OVS_KEY_ATTR_CT_LABELS]->payload[15 - i];
            if (a[OVS_KEY_ATTR_TUNNEL]) tunnel(*a[OVS_KEY_ATTR_TUNNEL]);
            if (a[OVS_KEY_ATTR_PACKET_TYPE])
                std::memcpy(f.packet_type.b, a[OVS_KEY_ATTR_PACKET_TYPE]->payload.data(), 4);
            if (a[OVS_KEY_ATTR_ETHERNET]) {
                ovs_key_ethernet e;
                std::memcpy(&e, a[OVS_KEY_ATTR_ETHERNET]->payload.data(), sizeof e);
                std::memcpy(f.eth_src.b, e.eth_src, 6);
                std::memcpy(f.eth_dst.b, e.eth_dst, 6);
            }
            const uint32_t pt = (key_flow ? *key_flow : f).packet_type.get();
            if (!is_mask && pt != kPacketTypeEthernet) {
                if ((pt >> 16) == kPacketTypeNsEthertype)
                    f.eth_type.set(static_cast<uint16_t>(pt));
                l3(a);
                return;
            }
        } else {
            for (uint16_t t : {OVS_KEY_ATTR_PRIORITY, OVS_KEY_ATTR_SKB_MARK, OVS_KEY_ATTR_IN_PORT,
                               OVS_KEY_ATTR_TUNNEL, OVS_KEY_ATTR_ETHERNET})
                if (a[t])
                    bad(std::string(attr_name(t)) + " attribute inside ENCAP");
        }

        if (a[OVS_KEY_ATTR_VLAN] || a[OVS_KEY_ATTR_ENCAP]) {
            if (!a[OVS_KEY_ATTR_VLAN] || !a[OVS_KEY_ATTR_ENCAP])
                bad("VLAN and ENCAP attributes must come together");
            if (depth >= kMaxVlans)
                bad("more than " + std::to_string(kMaxVlans) + " VLAN headers");
            VlanHeader& v = f.vlans[depth];
            std::memcpy(v.tci.b, a[OVS_KEY_ATTR_VLAN]->payload.data(), 2);
            if (a[OVS_KEY_ATTR_ETHERTYPE])
                v.tpid.set(is_mask ? 0xffff : a[OVS_KEY_ATTR_ETHERTYPE]->be16());
            else if (!is_mask)
                bad("VLAN without ETHERTYPE (TPID)");
            if (!is_mask && !(v.tci.get() & kVlanCfi)) {
                // A truncated tag: the kernel reports tci 0 and an empty ENCAP.
                if (!v.tci.is_zero() || !a[OVS_KEY_ATTR_ENCAP]->payload.empty())
                    bad("VLAN TCI without the CFI (tag present) bit");
                f.eth_type = v.tpid;
                v = VlanHeader{};
                return;
            }
            level(a[OVS_KEY_ATTR_ENCAP]->payload, depth + 1, key_flow);
            return;
        }
        if (is_mask) {
            // No tag named here: the kernel matches the TCI (zero: untagged)
            // exactly, at this depth and below.
            for (int d = depth; d < kMaxVlans; ++d) {
                f.vlans[d].tci.set(0xffff);
                f.vlans[d].tpid.set(0xffff);
            }
        }
        if (a[OVS_KEY_ATTR_ETHERTYPE]) {
            // In a mask the kernel takes any EtherType as an exact match.
            f.eth_type.set(is_mask ? 0xffff : a[OVS_KEY_ATTR_ETHERTYPE]->be16());
            if (!is_mask && f.eth_type.get() < kEthTypeMin)
                bad("EtherType " + std::to_string(f.eth_type.get()) + " is below 0x600");
        } else if (!is_mask) {
            f.eth_type.set(kEthTypeNone);
        }
        l3(a);
    }
};

// Builds the kernel's implicit mask for a key given without one: every
// attribute present is exact.
void exact_for_key(ByteView key, dpif::AttrWriter& w, bool key_level = true)
{
    for (const dpif::Attr& a : Parser::split(key)) {
        if (key_level && (a.type == OVS_KEY_ATTR_ENCAP || a.type == OVS_KEY_ATTR_TUNNEL)) {
            const size_t t = w.begin_nested(a.type);
            exact_for_key(a.payload, w, a.type == OVS_KEY_ATTR_ENCAP);
            w.end_nested(t);
        } else {
            Bytes ones(a.payload.size(), 0xff);
            w.put(a.type, ones);
        }
    }
}

}  // namespace

Bytes flow_to_key(const Flow& flow, const DatapathKeyOptions& options)
{
    dpif::AttrWriter w;
    Emitter{flow, flow, false, options}.all(w);
    return w.take();
}

KeyMask match_to_key_mask(const Match& match, const DatapathKeyOptions& options)
{
    KeyMask km;
    dpif::AttrWriter k, m;
    Emitter{match.flow(), match.flow(), false, options}.all(k);
    Emitter{match.flow(), match.mask(), true, options}.all(m);
    km.key = k.take();
    km.mask = m.take();
    return km;
}

Flow key_to_flow(ByteView key, KeyFit* fit)
{
    KeyFit local;
    Flow f{};
    Parser{f, false, fit ? *fit : local}.level(key, 0, nullptr);
    return f;
}

Match key_mask_to_match(ByteView key, ByteView mask, KeyFit* fit)
{
    KeyFit local;
    KeyFit& kf = fit ? *fit : local;
    Flow f{};
    Parser{f, false, kf}.level(key, 0, nullptr);
    Flow m{};
    KeyFit ignore;
    if (mask.empty()) {
        dpif::AttrWriter w;
        exact_for_key(key, w);
        Bytes ones = w.take();
        Parser{m, true, ignore}.level(ones, 0, &f);
        // An exact key also pins the EtherType (absent means 802.2), and a
        // tunnel key is exact as a whole.
        if (f.packet_type == kPacketTypeEthernet)
            m.eth_type.set(0xffff);
        if (!f.tun_dst.is_zero() || !f.tun_ipv6_dst.is_zero() || !f.tun_src.is_zero() ||
            !f.tun_ipv6_src.is_zero()) {
            constexpr size_t b = offsetof(Flow, tun_id), e = offsetof(Flow, metadata);
            std::memset(m.bytes() + b, 0xff, e - b);
        }
    } else {
        Parser{m, true, ignore}.level(mask, 0, &f);
    }
    // The datapath always tells Ethernet frames from L3 packets.
    m.packet_type.set(0xffffffff);
    return Match(f, m);
}

}  // namespace mf
