// Flow/Match <-> OVS_KEY_ATTR_* keys and masks: field placement checked
// against the kernel's own structures, round trips, agreement with lib/dpif's
// independent key extraction, and malformed keys.
#include <catch2/catch.hpp>

#include <linux/openvswitch.h>

#include <cstddef>
#include <map>

#include "dpif/flow_key.hpp"
#include "dpif/nl_attr.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/datapath_text.hpp"
#include "meta-flow/error.hpp"
#include "meta-flow/extract.hpp"
#include "test_util.hpp"

using namespace mf;
using mft::Bytes;
using mft::Packet;
using mft::Rng;

namespace {

// An attribute's payload, if found.
struct Found {
    bool ok = false;
    Bytes b;
    explicit operator bool() const { return ok; }
    const Bytes* operator->() const { return &b; }
    bool operator==(const Bytes& x) const { return ok && b == x; }
};

// Finds an attribute by type, looking into nested ENCAP levels in order.
Found find(const Bytes& key, uint16_t type)
{
    std::vector<dpif::Attr> attrs = dpif::parse_attrs(key);
    for (size_t i = 0; i < attrs.size(); ++i) {
        if (attrs[i].type == type)
            return Found{true, attrs[i].bytes()};
        if (attrs[i].type == OVS_KEY_ATTR_ENCAP) {
            Found inner = find(attrs[i].bytes(), type);
            if (inner)
                return inner;
        }
    }
    return Found{};
}

// A flow with the protocol context `ctx` set up, so the attribute holding
// the field under test exists.
Flow context(FieldId id)
{
    Match m;
    m.add_prereqs(id);
    Flow f = m.flow();
    if (f.eth_type.is_zero())
        f.eth_type.set(0x1234);
    return f;
}

}  // namespace

// Where the kernel keeps each field, written against <linux/openvswitch.h>
// member names -- an oracle independent of both the catalogue and Flow.
TEST_CASE("datapath key: fields land where the kernel's structures say", "[datapath_key]")
{
    struct Place {
        FieldId id;
        uint16_t attr;
        size_t offset;
        size_t size;     // bytes of the field value in the attribute
        bool host_order; // integer attributes in host byte order
    };
    const Place places[] = {
        {FieldId::eth_src, OVS_KEY_ATTR_ETHERNET, offsetof(ovs_key_ethernet, eth_src), 6, false},
        {FieldId::eth_dst, OVS_KEY_ATTR_ETHERNET, offsetof(ovs_key_ethernet, eth_dst), 6, false},
        {FieldId::ipv4_src, OVS_KEY_ATTR_IPV4, offsetof(ovs_key_ipv4, ipv4_src), 4, false},
        {FieldId::ipv4_dst, OVS_KEY_ATTR_IPV4, offsetof(ovs_key_ipv4, ipv4_dst), 4, false},
        {FieldId::ip_ttl, OVS_KEY_ATTR_IPV4, offsetof(ovs_key_ipv4, ipv4_ttl), 1, false},
        {FieldId::ipv6_src, OVS_KEY_ATTR_IPV6, offsetof(ovs_key_ipv6, ipv6_src), 16, false},
        {FieldId::ipv6_dst, OVS_KEY_ATTR_IPV6, offsetof(ovs_key_ipv6, ipv6_dst), 16, false},
        {FieldId::ipv6_label, OVS_KEY_ATTR_IPV6, offsetof(ovs_key_ipv6, ipv6_label), 4, false},
        {FieldId::arp_spa, OVS_KEY_ATTR_ARP, offsetof(ovs_key_arp, arp_sip), 4, false},
        {FieldId::arp_tpa, OVS_KEY_ATTR_ARP, offsetof(ovs_key_arp, arp_tip), 4, false},
        {FieldId::arp_sha, OVS_KEY_ATTR_ARP, offsetof(ovs_key_arp, arp_sha), 6, false},
        {FieldId::arp_tha, OVS_KEY_ATTR_ARP, offsetof(ovs_key_arp, arp_tha), 6, false},
        {FieldId::arp_op, OVS_KEY_ATTR_ARP, offsetof(ovs_key_arp, arp_op), 2, false},
        {FieldId::tcp_src, OVS_KEY_ATTR_TCP, offsetof(ovs_key_tcp, tcp_src), 2, false},
        {FieldId::tcp_dst, OVS_KEY_ATTR_TCP, offsetof(ovs_key_tcp, tcp_dst), 2, false},
        {FieldId::udp_src, OVS_KEY_ATTR_UDP, offsetof(ovs_key_udp, udp_src), 2, false},
        {FieldId::udp_dst, OVS_KEY_ATTR_UDP, offsetof(ovs_key_udp, udp_dst), 2, false},
        {FieldId::sctp_src, OVS_KEY_ATTR_SCTP, offsetof(ovs_key_sctp, sctp_src), 2, false},
        {FieldId::sctp_dst, OVS_KEY_ATTR_SCTP, offsetof(ovs_key_sctp, sctp_dst), 2, false},
        {FieldId::tcp_flags, OVS_KEY_ATTR_TCP_FLAGS, 0, 2, false},
        {FieldId::icmpv4_type, OVS_KEY_ATTR_ICMP, offsetof(ovs_key_icmp, icmp_type), 1, false},
        {FieldId::icmpv4_code, OVS_KEY_ATTR_ICMP, offsetof(ovs_key_icmp, icmp_code), 1, false},
        {FieldId::icmpv6_code, OVS_KEY_ATTR_ICMPV6, offsetof(ovs_key_icmpv6, icmpv6_code), 1, false},
        {FieldId::nd_target, OVS_KEY_ATTR_ND, offsetof(ovs_key_nd, nd_target), 16, false},
        {FieldId::nd_sll, OVS_KEY_ATTR_ND, offsetof(ovs_key_nd, nd_sll), 6, false},
        {FieldId::nd_tll, OVS_KEY_ATTR_ND, offsetof(ovs_key_nd, nd_tll), 6, false},
        {FieldId::eth_type, OVS_KEY_ATTR_ETHERTYPE, 0, 2, false},
        {FieldId::pkt_mark, OVS_KEY_ATTR_SKB_MARK, 0, 4, true},
        {FieldId::skb_priority, OVS_KEY_ATTR_PRIORITY, 0, 4, true},
        {FieldId::recirc_id, OVS_KEY_ATTR_RECIRC_ID, 0, 4, true},
        {FieldId::dp_hash, OVS_KEY_ATTR_DP_HASH, 0, 4, true},
        {FieldId::ct_mark, OVS_KEY_ATTR_CT_MARK, 0, 4, true},
        {FieldId::ct_zone, OVS_KEY_ATTR_CT_ZONE, 0, 2, true},
        {FieldId::mpls_ttl, OVS_KEY_ATTR_MPLS, 3, 1, false},
    };
    Rng rng(0x5eed0201);
    for (const Place& p : places) {
        const FieldDesc& f = field(p.id);
        INFO(f.name);
        for (int i = 0; i < 20; ++i) {
            Flow fl = context(p.id);
            Value v = mft::random_value(f, rng);
            if (p.id == FieldId::eth_type)
                v = Value::from_uint(0x0600 + rng() % 0xf000, 2);
            if (p.id == FieldId::arp_op)
                v = Value::from_uint(rng() % 256, 2);
            if (p.id == FieldId::nd_sll || p.id == FieldId::nd_tll || p.id == FieldId::nd_target)
                fl.tp_src.set(p.id == FieldId::nd_tll ? kNdAdvert : kNdSolicit);
            set_field(fl, p.id, v);
            const Bytes key = flow_to_key(fl);
            auto a = find(key, p.attr);
            REQUIRE(a);
            REQUIRE(a->size() >= p.offset + p.size);
            Bytes want(v.b + f.n_bytes - p.size, v.b + f.n_bytes);
            Bytes got(a->begin() + static_cast<long>(p.offset),
                      a->begin() + static_cast<long>(p.offset + p.size));
            if (p.host_order) {
                std::reverse(want.begin(), want.end());  // x86 is little-endian
            }
            REQUIRE(got == want);
        }
    }
}

TEST_CASE("datapath key: VLAN tags nest as the kernel expects", "[datapath_key]")
{
    Flow f{};
    f.eth_type.set(kEthTypeIp);
    f.vlans[0].tpid.set(kEthTypeQinQ);
    f.vlans[0].tci.set(0x1000 | 10);
    f.vlans[1].tpid.set(kEthTypeVlan);
    f.vlans[1].tci.set(0x1000 | 20);
    f.nw_proto = kIpProtoUdp;
    const Bytes key = flow_to_key(f);
    auto top = dpif::parse_attrs(key);
    std::vector<uint16_t> types;
    for (auto& a : top)
        types.push_back(a.type);
    // ETHERTYPE(tpid) VLAN ENCAP{ ETHERTYPE VLAN ENCAP{ ETHERTYPE IPV4 UDP } }
    auto et = dpif::find_attr(top, OVS_KEY_ATTR_ETHERTYPE);
    REQUIRE(et);
    CHECK(et->be16() == kEthTypeQinQ);
    auto enc = dpif::find_attr(top, OVS_KEY_ATTR_ENCAP);
    REQUIRE(enc);
    auto l1 = enc->nested();
    CHECK(dpif::find_attr(l1, OVS_KEY_ATTR_ETHERTYPE)->be16() == kEthTypeVlan);
    CHECK(dpif::find_attr(l1, OVS_KEY_ATTR_VLAN)->be16() == (0x1000 | 20));
    auto l2 = dpif::find_attr(l1, OVS_KEY_ATTR_ENCAP)->nested();
    CHECK(dpif::find_attr(l2, OVS_KEY_ATTR_ETHERTYPE)->be16() == kEthTypeIp);
    CHECK(dpif::find_attr(l2, OVS_KEY_ATTR_IPV4));
    CHECK(dpif::find_attr(l2, OVS_KEY_ATTR_UDP));
    CHECK(key_to_flow(key) == f);
}

namespace {

// Random packets of many kinds (built by hand), for flows that are what
// real extraction produces.
Bytes random_packet(Rng& rng)
{
    Packet p;
    p.eth(rng() & 0xffffffffffff, rng() & 0xffffffffffff);
    const int tags = static_cast<int>(rng() % 3);
    for (int i = 0; i < tags; ++i)
        p.u16(i == 0 && tags == 2 ? 0x88a8 : 0x8100).u16(static_cast<uint16_t>(rng()));
    uint8_t a[16], b[16];
    for (int i = 0; i < 16; ++i)
        a[i] = static_cast<uint8_t>(rng()), b[i] = static_cast<uint8_t>(rng());
    const uint16_t frag = (rng() % 4 == 0) ? static_cast<uint16_t>(rng() & 0x3fff) : 0;
    switch (rng() % 9) {
    case 0: {  // IPv4 TCP
        const Bytes t = mft::tcp_header(static_cast<uint16_t>(rng()), static_cast<uint16_t>(rng()),
                                        static_cast<uint16_t>(rng()));
        p.u16(0x0800).bytes(mft::ipv4_header(static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng()),
                                             6, t.size(), static_cast<uint8_t>(rng()),
                                             static_cast<uint8_t>(rng()), frag)).bytes(t);
        break;
    }
    case 1: {  // IPv4 UDP
        const Bytes u = mft::udp_header(static_cast<uint16_t>(rng()), static_cast<uint16_t>(rng()), 0);
        p.u16(0x0800).bytes(mft::ipv4_header(static_cast<uint32_t>(rng()), static_cast<uint32_t>(rng()),
                                             17, u.size(), static_cast<uint8_t>(rng()), 64, frag)).bytes(u);
        break;
    }
    case 2:  // IPv4 ICMP
        p.u16(0x0800).bytes(mft::ipv4_header(static_cast<uint32_t>(rng()), 9, 1, 8, 0, 1, frag));
        p.raw({static_cast<uint8_t>(rng()), static_cast<uint8_t>(rng())}).zeros(6);
        break;
    case 3: {  // IPv6 TCP
        const Bytes t = mft::tcp_header(static_cast<uint16_t>(rng()), 443, kTcpAck);
        p.u16(0x86dd).bytes(mft::ipv6_header(a, b, 6, t.size(), static_cast<uint8_t>(rng()),
                                             static_cast<uint32_t>(rng()))).bytes(t);
        break;
    }
    case 4: {  // IPv6 ICMPv6 (not ND)
        p.u16(0x86dd).bytes(mft::ipv6_header(a, b, 58, 8)).raw({128, 0}).zeros(6);
        break;
    }
    case 5: {  // ND solicitation with an SLL option
        Packet icmp;
        icmp.raw({135, 0, 0, 0, 0, 0, 0, 0});
        icmp.b.insert(icmp.b.end(), b, b + 16);
        icmp.raw({1, 1}).eth(rng() & 0xffffffffffff, 0);
        icmp.b.resize(icmp.b.size() - 6);
        p.u16(0x86dd).bytes(mft::ipv6_header(a, b, 58, icmp.size())).bytes(icmp.b);
        break;
    }
    case 6:  // ARP
        p.u16(0x0806).u16(1).u16(0x0800).raw({6, 4}).u16(static_cast<uint16_t>(rng() % 300));
        p.eth(rng() & 0xffffffffffff, rng() & 0xffffffffffff).u32(static_cast<uint32_t>(rng()));
        p.b.resize(p.b.size() - 4);
        p.u32(static_cast<uint32_t>(rng())).zeros(4);
        break;
    case 7:  // MPLS
        p.u16(0x8847).u32(static_cast<uint32_t>(rng()) & ~0x100u).u32(static_cast<uint32_t>(rng()) | 0x100u);
        break;
    default:  // something else
        p.u16(static_cast<uint16_t>(0x0600 + rng() % 0x100)).zeros(20);
        break;
    }
    return p.b;
}

Flow random_metadata(Rng& rng)
{
    Flow f{};
    f.in_port.set(static_cast<uint32_t>(rng() % 65536));
    f.skb_priority.set(static_cast<uint32_t>(rng()));
    f.pkt_mark.set(static_cast<uint32_t>(rng()));
    f.recirc_id.set(static_cast<uint32_t>(rng() % 4));
    f.dp_hash.set(static_cast<uint32_t>(rng()));
    f.ct_state.set(static_cast<uint32_t>(rng() & 0xff));
    f.ct_zone.set(static_cast<uint16_t>(rng()));
    f.ct_mark.set(static_cast<uint32_t>(rng()));
    for (auto& c : f.ct_label.b)
        c = static_cast<uint8_t>(rng());
    if (rng() & 1) {
        f.tun_dst.set(static_cast<uint32_t>(rng()) | 1);
        f.tun_src.set(static_cast<uint32_t>(rng()));
        f.tun_id.set(rng());
        f.tun_ttl = static_cast<uint8_t>(rng());
        f.tun_tos = static_cast<uint8_t>(rng());
        f.tun_tp_dst.set(4789);
        f.tun_flags.set(kTunFlagKey | (rng() & 1 ? kTunFlagOam : 0) |
                        (rng() & 1 ? kTunFlagDontFragment : 0));
    }
    return f;
}

}  // namespace

TEST_CASE("datapath key: flow -> key -> flow is the identity on extracted flows",
          "[datapath_key]")
{
    Rng rng(0x5eed0202);
    for (int i = 0; i < 3000; ++i) {
        Flow f = random_metadata(rng);
        const Bytes pkt = random_packet(rng);
        extract_flow(pkt, f);
        const Bytes key = flow_to_key(f);
        KeyFit fit;
        const Flow back = key_to_flow(key, &fit);
        INFO("packet " << dpif::to_hex(pkt) << "\nkey " << dpif::to_hex(key));
        REQUIRE(fit.complete());
        REQUIRE(back == f);
        // An exact match on the key (no mask) matches the packet's flow.
        const Match exact = key_mask_to_match(key, {});
        REQUIRE(exact.matches(f));
    }
}

TEST_CASE("datapath key: agrees with lib/dpif's own extraction", "[datapath_key]")
{
    // lib/dpif extracts keys straight from frames, independently of this
    // library; for what both understand, the flows must be equal.
    Rng rng(0x5eed0203);
    int compared = 0;
    for (int i = 0; i < 3000; ++i) {
        Bytes pkt = random_packet(rng);
        // dpif handles one tag, no MPLS, no ND options, no 802.2.
        Flow ours{};
        ours.in_port.set(7);
        ours.skb_priority.set(3);
        ours.pkt_mark.set(9);
        extract_flow(pkt, ours);
        if (ours.vlans[1].tci.get() || is_mpls(ours) || is_nd(ours) ||
            ours.eth_type.get() < kEthTypeMin)
            continue;
        const Bytes key = dpif::extract_flow_key(pkt, 7, 3, 9);
        const Flow theirs = key_to_flow(key);
        INFO("packet " << dpif::to_hex(pkt));
        REQUIRE(theirs == ours);
        ++compared;
    }
    CHECK(compared > 1500);
}

namespace {

// A random match the datapath can express, from a real packet's flow.
Match random_dp_match(Rng& rng)
{
    Flow f = random_metadata(rng);
    extract_flow(random_packet(rng), f);
    Flow wc{};
    // Always-exact parts of a datapath match.
    if (rng() % 4)
        wc.in_port.set(0xffffffff);
    wc.packet_type.set(0xffffffff);
    for (const FieldDesc& d : all_fields()) {
        if (!prereqs_ok(f, d.prereq) || d.codec != Codec::plain || (rng() % 3))
            continue;
        if (d.id == FieldId::tun_flags || d.id == FieldId::tun_ttl || d.id == FieldId::tun_tos ||
            d.id == FieldId::tun_id || d.id == FieldId::tun_src || d.id == FieldId::tun_dst ||
            d.id == FieldId::tun_ipv6_src || d.id == FieldId::tun_ipv6_dst)
            continue;  // tunnel masks: whole-key only, below
        if ((d.id >= FieldId::reg0 && d.id <= FieldId::xxreg3) || d.id == FieldId::metadata)
            continue;  // pipeline fields: not in a datapath key
        mask_field_and_prereqs(wc, d.id);
    }
    if (!wc.in_port.is_zero())
        wc.in_port.set(0xffffffff);  // the kernel's in_port is exact or absent
    if (!f.tun_dst.is_zero() && (rng() & 1)) {
        for (FieldId t : {FieldId::tun_id, FieldId::tun_src, FieldId::tun_dst, FieldId::tun_ttl,
                          FieldId::tun_tos})
            mask_field(wc, t);
        wc.tun_flags.set(f.tun_flags.get() & ~kTunFlagKey);
        wc.tun_tp_dst.set(0xffff);
    }
    // Partial masks on a few maskable fields.
    if (rng() & 1)
        wc.nw_src.set(wc.nw_src.get() & 0xffffff00);
    if (rng() & 1)
        wc.eth_dst.b[5] = 0;
    // Shapes the kernel insists on.
    for (int d = 0; d < kMaxVlans; ++d) {
        // A present tag needs its CFI bit and TPID exact; an absent one is
        // matched as absent (the kernel's rule).
        if (f.vlans[d].tci.get() & kVlanCfi) {
            uint16_t m = wc.vlans[d].tci.get() | kVlanCfi;
            if (d == 1)
                m = static_cast<uint16_t>(m | (rng() & 0xefff));
            wc.vlans[d].tci.set(m);
        } else {
            wc.vlans[d].tci.set(0xffff);
        }
        wc.vlans[d].tpid.set(0xffff);
    }
    if (wc.nw_frag)
        wc.nw_frag = kFragMask;
    if (wc.tp_src.get() && (is_icmpv4(f) || is_icmpv6(f)))
        wc.tp_src.set(0xffff);
    if (wc.tp_dst.get() && (is_icmpv4(f) || is_icmpv6(f)))
        wc.tp_dst.set(0xffff);
    if (is_nd(f) && !(wc.tp_src == 0xffff)) {
        wc.nd_target = {};
        wc.arp_sha = {};
        wc.arp_tha = {};
    }
    if (!wc.mpls_lse[0].is_zero()) {
        // The labels the key will carry, each matched whole.
        for (int k = 0; k < kMaxMplsLabels; ++k) {
            wc.mpls_lse[k].set(0xffffffff);
            if (f.mpls_lse[k].get() & kMplsBosMask)
                break;
        }
    }
    if (f.nw_frag & kFragLater) {
        wc.tp_src = {};
        wc.tp_dst = {};
        wc.tcp_flags = {};
    }
    if (is_arp(f) && wc.nw_proto)
        wc.nw_proto = 0xff;
    if (wc.eth_type.is_zero()) {
        // Nothing above L2 can be matched without the EtherType.
        Flow keep{};
        std::memcpy(keep.bytes(), wc.bytes(), offsetof(Flow, eth_type));
        keep.vlans[0] = wc.vlans[0];
        keep.vlans[1] = wc.vlans[1];
        wc = keep;
    }
    if (wc.nw_proto != 0xff) {
        wc.tp_src = {};
        wc.tp_dst = {};
        wc.tcp_flags = {};
        wc.nd_target = {};
        if (!is_arp(f)) {
            wc.arp_sha = {};
            wc.arp_tha = {};
        }
    }
    return Match(f, wc);
}

}  // namespace

TEST_CASE("datapath key: match -> key+mask -> match is the identity", "[datapath_key]")
{
    Rng rng(0x5eed0204);
    for (int i = 0; i < 3000; ++i) {
        const Match m = random_dp_match(rng);
        const KeyMask km = match_to_key_mask(m);
        const Match back = key_mask_to_match(km.key, km.mask);
        INFO("key " << dpif::to_hex(km.key) << "\nmask " << dpif::to_hex(km.mask));
        if (!(back == m)) {
            for (const FieldDesc& d : all_fields())
                if (!(back.value(d.id) == m.value(d.id)) || !(back.mask(d.id) == m.mask(d.id)))
                    UNSCOPED_INFO(d.name << ": " << to_hex(m.value(d.id), d.n_bytes) << "/"
                                         << to_hex(m.mask(d.id), d.n_bytes) << " came back "
                                         << to_hex(back.value(d.id), d.n_bytes) << "/"
                                         << to_hex(back.mask(d.id), d.n_bytes));
        }
        REQUIRE(back == m);
    }
}

TEST_CASE("datapath key: the mask follows the kernel's rules", "[datapath_key]")
{
    // EtherType wildcarded: no L3 mask at all, and no ETHERTYPE attribute.
    Match m;
    m.set_uint(FieldId::in_port, 3);
    KeyMask km = match_to_key_mask(m);
    CHECK_FALSE(find(km.key, OVS_KEY_ATTR_ETHERTYPE));
    CHECK_FALSE(find(km.mask, OVS_KEY_ATTR_ETHERTYPE));
    CHECK(find(km.mask, OVS_KEY_ATTR_IN_PORT));

    // IPv4 with the protocol wildcarded: an IPV4 mask, no L4.
    m.set_uint(FieldId::eth_type, kEthTypeIp);
    m.set_masked_uint(FieldId::ipv4_dst, 0x0a000000, 0xff000000);
    km = match_to_key_mask(m);
    CHECK(find(km.mask, OVS_KEY_ATTR_ETHERTYPE) == Bytes{0xff, 0xff});
    CHECK(find(km.mask, OVS_KEY_ATTR_IPV4));
    CHECK_FALSE(find(km.key, OVS_KEY_ATTR_TCP));

    // TCP: TCP and TCP_FLAGS in both key and mask.
    m.set_uint(FieldId::ip_proto, kIpProtoTcp);
    m.set_uint(FieldId::tcp_dst, 80);
    km = match_to_key_mask(m);
    CHECK(find(km.key, OVS_KEY_ATTR_TCP_FLAGS));
    CHECK(find(km.mask, OVS_KEY_ATTR_TCP) == Bytes{0, 0, 0xff, 0xff});

    // Fragment mask: all or nothing in the datapath.
    m.set_masked_uint(FieldId::ip_frag, kFragLater, kFragLater);
    km = match_to_key_mask(m);
    ovs_key_ipv4 k4;
    auto a = find(km.mask, OVS_KEY_ATTR_IPV4);
    std::memcpy(&k4, a->data(), sizeof k4);
    CHECK(k4.ipv4_frag == 0);  // the LATER bit alone cannot be expressed
    m.set_masked_uint(FieldId::ip_frag, kFragAny, kFragAny);
    km = match_to_key_mask(m);
    a = find(km.mask, OVS_KEY_ATTR_IPV4);
    std::memcpy(&k4, a->data(), sizeof k4);
    CHECK(k4.ipv4_frag == 0xff);

    // A VLAN match: TPID exact, CFI in the mask, inner EtherType in ENCAP.
    Match v;
    v.set_uint(FieldId::dl_vlan, 5);
    v.set_uint(FieldId::eth_type, kEthTypeArp);
    km = match_to_key_mask(v);
    auto top = dpif::parse_attrs(km.mask);
    CHECK(dpif::find_attr(top, OVS_KEY_ATTR_ETHERTYPE)->be16() == 0xffff);
    CHECK(dpif::find_attr(top, OVS_KEY_ATTR_VLAN)->be16() == 0x1fff);
    CHECK(dpif::find_attr(top, OVS_KEY_ATTR_ENCAP));
    CHECK(dpif::find_attr(dpif::parse_attrs(km.key), OVS_KEY_ATTR_ETHERTYPE)->be16() ==
          kEthTypeVlan);
}

TEST_CASE("datapath key: malformed keys are errors, never crashes", "[datapath_key]")
{
    auto key = [](auto build) {
        dpif::AttrWriter w;
        build(w);
        return w.take();
    };
    const uint8_t three[3] = {1, 2, 3};
    CHECK_THROWS_WITH(key_to_flow(key([&](auto& w) { w.put(OVS_KEY_ATTR_IN_PORT, three, 3); })),
                      Catch::Contains("IN_PORT attribute has 3 bytes, expected 4"));
    CHECK_THROWS_WITH(key_to_flow(key([](auto& w) {
                          w.put_u32(OVS_KEY_ATTR_IN_PORT, 1);
                          w.put_u32(OVS_KEY_ATTR_IN_PORT, 2);
                      })),
                      Catch::Contains("duplicate IN_PORT"));
    CHECK_THROWS_WITH(key_to_flow(key([](auto& w) {
                          w.put_be16(OVS_KEY_ATTR_ETHERTYPE, 0x8100);
                          w.put_be16(OVS_KEY_ATTR_VLAN, 0x1005);
                      })),
                      Catch::Contains("VLAN and ENCAP"));
    CHECK_THROWS_WITH(key_to_flow(key([](auto& w) { w.put_be16(OVS_KEY_ATTR_ETHERTYPE, 0x0100); })),
                      Catch::Contains("below 0x600"));
    const Bytes truncated = {8, 0, 3, 0, 1, 0, 0};
    CHECK_THROWS_AS(key_to_flow(truncated), Error);
    // An unknown attribute is skipped and counted.
    KeyFit fit;
    const Flow f = key_to_flow(key([](auto& w) {
                                   w.put_u32(OVS_KEY_ATTR_IN_PORT, 4);
                                   w.put_u32(200, 1);
                               }),
                               &fit);
    CHECK(fit.ignored == 1);
    CHECK(f.in_port == 4);

    // Random corruption of valid keys: an mf::Error or a flow, nothing else.
    Rng rng(0x5eed0205);
    for (int i = 0; i < 20000; ++i) {
        Flow fl = random_metadata(rng);
        extract_flow(random_packet(rng), fl);
        Bytes k = flow_to_key(fl);
        const int n = 1 + static_cast<int>(rng() % 4);
        for (int j = 0; j < n; ++j)
            k[rng() % k.size()] = static_cast<uint8_t>(rng());
        if (rng() % 4 == 0)
            k.resize(rng() % (k.size() + 1));
        try {
            (void)key_to_flow(k);
            (void)key_mask_to_match(k, k);
        } catch (const Error&) {
        }
    }
}

TEST_CASE("datapath text: parse(format(m)) == m on random datapath matches", "[datapath_text]")
{
    Rng rng(0x5eed0206);
    for (int i = 0; i < 3000; ++i) {
        const Match m = random_dp_match(rng);
        const std::string s = format_datapath_flow(m);
        INFO("text " << s);
        const Match back = parse_datapath_flow(s);
        if (!(back == m)) {
            for (const FieldDesc& d : all_fields())
                if (!(back.value(d.id) == m.value(d.id)) || !(back.mask(d.id) == m.mask(d.id)))
                    UNSCOPED_INFO(d.name << ": " << to_hex(m.value(d.id), d.n_bytes) << "/"
                                         << to_hex(m.mask(d.id), d.n_bytes) << " came back "
                                         << to_hex(back.value(d.id), d.n_bytes) << "/"
                                         << to_hex(back.mask(d.id), d.n_bytes));
        }
        REQUIRE(back == m);
        // And through the attributes: text -> match -> key/mask -> text.
        REQUIRE(format_datapath_flow(back) == s);
    }
}

TEST_CASE("datapath text: ovs-dpctl's forms", "[datapath_text]")
{
    // Exact keys print every field.
    Flow f{};
    f.in_port.set(1);
    const Bytes pkt = [] {
        Packet p;
        p.eth(0x020000000002, 0x020000000001).u16(0x0800);
        const Bytes t = mft::tcp_header(1, 2, kTcpSyn);
        p.bytes(mft::ipv4_header(0x0a000001, 0x0a000002, 6, t.size())).bytes(t);
        return p.b;
    }();
    extract_flow(pkt, f);
    CHECK(format_datapath_flow(flow_to_key(f)) ==
          "skb_priority(0),skb_mark(0),ct_state(0),ct_zone(0),ct_mark(0),ct_label(0),"
          "recirc_id(0),dp_hash(0),in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),"
          "eth_type(0x0800),ipv4(src=10.0.0.1,dst=10.0.0.2,proto=6,tos=0,ttl=64,frag=no),"
          "tcp(src=1,dst=2),tcp_flags(syn)");
    // A megaflow leaves out what it does not match.
    const Match m = parse_datapath_flow(
        "recirc_id(0),in_port(2),eth(src=00:00:00:00:00:01,dst=01:00:00:00:00:00/01:00:00:00:00:00),"
        "eth_type(0x0800),ipv4(src=10.0.0.0/255.0.0.0,proto=6,frag=no),tcp(dst=80),"
        "tcp_flags(+syn-ack)");
    CHECK(m.value_uint(FieldId::in_port) == 2);
    CHECK(m.mask_uint(FieldId::ipv4_src) == 0xff000000);
    CHECK(m.is_wild(FieldId::ipv4_dst));
    CHECK(m.value_uint(FieldId::tcp_dst) == 80);
    CHECK(m.is_wild(FieldId::tcp_src));
    CHECK(m.mask_uint(FieldId::tcp_flags) == (kTcpSyn | kTcpAck));
    CHECK(format_datapath_flow(m) ==
          "recirc_id(0),in_port(2),"
          "eth(src=00:00:00:00:00:01,dst=01:00:00:00:00:00/01:00:00:00:00:00),eth_type(0x0800),"
          "ipv4(src=10.0.0.0/255.0.0.0,proto=6,frag=no),tcp(dst=80),tcp_flags(+syn-ack)");
    // Without an exact IP protocol the datapath cannot match L4: not written.
    CHECK(format_datapath_flow(parse_datapath_flow("eth_type(0x0800),ipv4(frag=no),tcp(dst=80)")) ==
          "eth(),eth_type(0x0800),ipv4(frag=no)");
    const Match v = parse_datapath_flow(
        "in_port(1),eth(),eth_type(0x8100),vlan(vid=10,pcp=3),encap(eth_type(0x0806),arp(op=1))");
    CHECK(v.value_uint(FieldId::dl_vlan) == 10);
    CHECK(v.value_uint(FieldId::eth_type) == kEthTypeArp);
    CHECK(v.value_uint(FieldId::arp_op) == 1);
    CHECK_THROWS_AS(parse_datapath_flow("in_port(1),bogus(3)"), Error);
    CHECK_THROWS_AS(parse_datapath_flow("ipv4(src=1.2.3.4"), Error);
    CHECK_THROWS_AS(parse_datapath_flow("tcp(src=70000)"), Error);
}
