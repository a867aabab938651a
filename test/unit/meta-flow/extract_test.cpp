// Packet extraction on frames built by hand, including every truncation of
// them: a truncated frame yields exactly the layers that were complete.
#include <catch2/catch.hpp>

#include "meta-flow/extract.hpp"
#include "meta-flow/field.hpp"
#include "test_util.hpp"

using namespace mf;
using mft::Bytes;
using mft::Packet;

namespace {

const uint8_t kV6a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
const uint8_t kV6b[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

Bytes tcp4(bool vlan, const Bytes& options = {})
{
    Packet p;
    p.eth(0x0a0000000001, 0x0a0000000002);
    if (vlan)
        p.u16(0x8100).u16(0x6005);  // PCP 3, VID 5
    p.u16(0x0800);
    const Bytes tcp = mft::tcp_header(1234, 80, kTcpSyn | kTcpAck);
    p.bytes(mft::ipv4_header(0xc0a80001, 0xc0a80002, kIpProtoTcp, tcp.size(), 0xb9, 17, 0,
                             options));
    p.bytes(tcp);
    return p.b;
}

}  // namespace

TEST_CASE("extract: Ethernet, VLAN, IPv4 with options, TCP", "[extract]")
{
    const Bytes pkt = tcp4(true, {0x01, 0x01, 0x01, 0x00});  // NOP NOP NOP EOL
    Layers l;
    Flow f{};
    f.in_port.set(3);
    f.regs[2].set(99);
    extract_flow(pkt, f, &l);
    CHECK(f.in_port == 3);
    CHECK(f.regs[2] == 99);  // metadata kept
    CHECK(f.eth_dst == Mac::of(0x0a0000000001));
    CHECK(f.eth_src == Mac::of(0x0a0000000002));
    CHECK(f.vlans[0].tpid == 0x8100);
    CHECK(f.vlans[0].tci == 0x7005);  // CFI added
    CHECK(f.eth_type == kEthTypeIp);
    CHECK(f.nw_src == 0xc0a80001);
    CHECK(f.nw_dst == 0xc0a80002);
    CHECK(f.nw_tos == 0xb9);
    CHECK(f.nw_ttl == 17);
    CHECK(f.nw_proto == kIpProtoTcp);
    CHECK(f.nw_frag == 0);
    CHECK(f.tp_src == 1234);
    CHECK(f.tp_dst == 80);
    CHECK(f.tcp_flags == (kTcpSyn | kTcpAck));
    CHECK(l.l3 == 18);
    CHECK(l.l4 == 18 + 24);
    CHECK(l.l7 == 18 + 24 + 20);
    CHECK(get_field_uint(f, FieldId::dl_vlan) == 5);
    CHECK(get_field_uint(f, FieldId::dl_vlan_pcp) == 3);
    CHECK(get_field_uint(f, FieldId::ip_dscp_shifted) == (0xb9 >> 2));
    CHECK(get_field_uint(f, FieldId::ip_ecn) == 1);
}

TEST_CASE("extract: every truncation keeps only complete layers", "[extract]")
{
    const Bytes full = tcp4(true);
    Flow whole{};
    extract_flow(full, whole);
    for (size_t len = 0; len <= full.size(); ++len) {
        INFO("length " << len);
        Flow f{};
        extract_flow(std::span<const uint8_t>(full.data(), len), f);
        if (len < 14) {
            CHECK(flow_is_zero(f));
            continue;
        }
        CHECK(f.eth_dst == whole.eth_dst);
        if (len < 18) {
            // The tag needs 4 bytes and the next EtherType 2 more: without
            // them, 0x8100 is the EtherType.
            CHECK(f.vlans[0].tci == 0);
            CHECK(f.eth_type == kEthTypeVlan);
            continue;
        }
        CHECK(f.vlans[0].tci == 0x7005);
        CHECK(f.eth_type == kEthTypeIp);
        // The IPv4 total length covers the whole packet, so the IP layer is
        // complete only with every byte present.
        if (len < full.size()) {
            CHECK(f.nw_src == 0);
            CHECK(f.nw_proto == 0);
            CHECK(f.tp_dst == 0);
        } else {
            CHECK(f == whole);
        }
    }
}

TEST_CASE("extract: short transport headers leave L4 empty", "[extract]")
{
    // IPv4 claiming exactly the bytes present, with a 10-byte TCP segment.
    Packet p;
    p.eth(1, 2).u16(0x0800);
    p.bytes(mft::ipv4_header(1, 2, kIpProtoTcp, 10));
    p.zeros(10);
    Flow f{};
    extract_flow(p.b, f);
    CHECK(f.nw_proto == kIpProtoTcp);
    CHECK(f.nw_src == 1);
    CHECK(f.tp_src == 0);
    CHECK(f.tcp_flags == 0);

    // TCP data offset beyond the segment.
    Packet q;
    q.eth(1, 2).u16(0x0800);
    Bytes tcp = mft::tcp_header(5, 6, kTcpSyn);
    tcp[12] = 0xf0;  // 60-byte header claimed, 20 present
    q.bytes(mft::ipv4_header(1, 2, kIpProtoTcp, tcp.size())).bytes(tcp);
    extract_flow(q.b, f);
    CHECK(f.tp_src == 0);

    // Ethernet padding after the IP datagram is not payload.
    Packet r;
    r.eth(1, 2).u16(0x0800);
    r.bytes(mft::ipv4_header(1, 2, kIpProtoUdp, 4));
    r.raw({0, 53, 0, 53});   // a 4-byte "UDP header" inside the datagram
    r.zeros(20);             // padding: must not complete it
    extract_flow(r.b, f);
    CHECK(f.nw_proto == kIpProtoUdp);
    CHECK(f.tp_src == 0);
}

TEST_CASE("extract: IPv4 fragments", "[extract]")
{
    for (uint16_t frag : {uint16_t{0x2000}, uint16_t{0x2010}, uint16_t{0x0010}, uint16_t{0x4000}}) {
        INFO("frag " << frag);
        Packet p;
        p.eth(1, 2).u16(0x0800);
        const Bytes udp = mft::udp_header(7, 8, 0);
        p.bytes(mft::ipv4_header(1, 2, kIpProtoUdp, udp.size(), 0, 64, frag)).bytes(udp);
        Flow f{};
        extract_flow(p.b, f);
        const bool any = frag & 0x3fff, later = frag & 0x1fff;
        CHECK(f.nw_frag == ((any ? kFragAny : 0) | (later ? kFragLater : 0)));
        CHECK(f.tp_src == (later ? 0 : 7));
    }
}

TEST_CASE("extract: IPv6 with extension headers", "[extract]")
{
    Packet ext;
    // Hop-by-hop (8 bytes) -> routing (16 bytes) -> fragment (first) -> TCP.
    ext.raw({43, 0, 1, 4, 0, 0, 0, 0});
    ext.raw({44, 1, 0, 0, 0, 0, 0, 0}).zeros(8);
    ext.raw({kIpProtoTcp, 0, 0x00, 0x01, 0, 0, 0, 7});  // offset 0, M=1
    const Bytes tcp = mft::tcp_header(22, 2222, kTcpPsh);
    Packet p;
    p.eth(1, 2).u16(0x86dd);
    p.bytes(mft::ipv6_header(kV6a, kV6b, 0, ext.size() + tcp.size(), 0x2e, 0xabcde, 9));
    p.bytes(ext.b).bytes(tcp);
    Flow f{};
    Layers l;
    extract_flow(p.b, f, &l);
    CHECK(f.eth_type == kEthTypeIpv6);
    CHECK(std::memcmp(f.ipv6_src.b, kV6a, 16) == 0);
    CHECK(std::memcmp(f.ipv6_dst.b, kV6b, 16) == 0);
    CHECK(f.ipv6_label == 0xabcde);
    CHECK(f.nw_tos == 0x2e);
    CHECK(f.nw_ttl == 9);
    CHECK(f.nw_proto == kIpProtoTcp);
    CHECK(f.nw_frag == kFragAny);
    CHECK(f.tp_src == 22);
    CHECK(f.tcp_flags == kTcpPsh);
    CHECK(l.l4 == 14 + 40 + 32);

    // A later fragment: protocol 44, no L4.
    Packet later;
    later.eth(1, 2).u16(0x86dd);
    later.bytes(mft::ipv6_header(kV6a, kV6b, 44, 8 + 8));
    later.raw({kIpProtoUdp, 0, 0x01, 0x00, 0, 0, 0, 7}).zeros(8);
    extract_flow(later.b, f);
    CHECK(f.nw_proto == 44);
    CHECK(f.nw_frag == (kFragAny | kFragLater));
    CHECK(f.tp_src == 0);

    // A truncated extension header leaves only the addresses.
    Packet bad;
    bad.eth(1, 2).u16(0x86dd);
    bad.bytes(mft::ipv6_header(kV6a, kV6b, 0, 8, 0x10, 5));
    bad.raw({60, 3, 0, 0, 0, 0, 0, 0});  // claims 32 bytes
    extract_flow(bad.b, f);
    CHECK(std::memcmp(f.ipv6_src.b, kV6a, 16) == 0);
    CHECK(f.nw_proto == 0);
    CHECK(f.ipv6_label == 0);

    // A payload length beyond the frame: the IPv6 layer is not complete.
    Packet longer;
    longer.eth(1, 2).u16(0x86dd);
    longer.bytes(mft::ipv6_header(kV6a, kV6b, kIpProtoUdp, 100));
    longer.bytes(mft::udp_header(1, 2, 0));
    extract_flow(longer.b, f);
    CHECK(f.eth_type == kEthTypeIpv6);
    CHECK(f.ipv6_src.is_zero());
}

TEST_CASE("extract: ICMPv6 neighbour discovery", "[extract]")
{
    auto nd = [](uint8_t type, std::initializer_list<uint8_t> opts) {
        Packet icmp;
        icmp.raw({type, 0, 0, 0, 0x60, 0, 0, 0});
        icmp.b.insert(icmp.b.end(), kV6b, kV6b + 16);
        icmp.raw(opts);
        Packet p;
        p.eth(1, 2).u16(0x86dd);
        p.bytes(mft::ipv6_header(kV6a, kV6b, kIpProtoIcmpv6, icmp.size(), 0, 0, 255));
        p.bytes(icmp.b);
        Flow f{};
        extract_flow(p.b, f);
        return f;
    };
    Flow s = nd(kNdSolicit, {1, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff});
    CHECK(s.tp_src == kNdSolicit);
    CHECK(std::memcmp(s.nd_target.b, kV6b, 16) == 0);
    CHECK(s.arp_sha == Mac::of(0xaabbccddeeff));
    CHECK(get_field_uint(s, FieldId::icmpv6_type) == kNdSolicit);
    CHECK(get_field(s, FieldId::nd_sll) == get_field(s, FieldId::arp_sha));

    Flow a = nd(kNdAdvert, {2, 1, 1, 2, 3, 4, 5, 6, 9, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(a.arp_tha == Mac::of(0x010203040506));
    CHECK(a.arp_sha.is_zero());

    // The same option twice: the message's addresses are not trusted.
    Flow d = nd(kNdSolicit, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2});
    CHECK(d.arp_sha.is_zero());
    CHECK(d.nd_target.is_zero());
    CHECK(d.tp_src == kNdSolicit);

    // A zero-length option stops the walk but keeps what was found.
    Flow z = nd(kNdSolicit, {1, 1, 7, 7, 7, 7, 7, 7, 5, 0, 0, 0, 0, 0, 0, 0});
    CHECK(z.arp_sha == Mac::of(0x070707070707));
}

TEST_CASE("extract: ARP, 802.2, SNAP, MPLS, QinQ, L3 packets", "[extract]")
{
    Flow f{};
    // Ethernet/IPv4 ARP: sha, spa, tha, tpa.
    Packet a2;
    a2.eth(0xffffffffffff, 0x020000000001).u16(0x0806).u16(1).u16(0x0800).raw({6, 4}).u16(2);
    a2.raw({2, 0, 0, 0, 0, 1}).u32(0x0a000001).raw({2, 0, 0, 0, 0, 2}).u32(0x0a000002);
    extract_flow(a2.b, f);
    CHECK(f.eth_type == kEthTypeArp);
    CHECK(get_field_uint(f, FieldId::arp_op) == 2);
    CHECK(f.nw_src == 0x0a000001);
    CHECK(f.nw_dst == 0x0a000002);
    CHECK(f.arp_sha == Mac::of(0x020000000001));
    CHECK(f.arp_tha == Mac::of(0x020000000002));
    a2.put16(20, 0x0102);  // opcode above 255
    extract_flow(a2.b, f);
    CHECK(f.nw_proto == 0);
    CHECK(f.nw_src == 0x0a000001);
    a2.put16(14, 6);  // not Ethernet hardware: nothing from the ARP header
    extract_flow(a2.b, f);
    CHECK(f.nw_src == 0);

    Packet llc;
    llc.eth(1, 2).u16(46).raw({0x42, 0x42, 0x03}).zeros(43);
    extract_flow(llc.b, f);
    CHECK(f.eth_type == kEthTypeNone);
    Packet snap;
    snap.eth(1, 2).u16(46).raw({0xaa, 0xaa, 0x03, 0, 0, 0}).u16(0x0806).zeros(38);
    extract_flow(snap.b, f);
    CHECK(f.eth_type == kEthTypeArp);

    Packet mpls;
    mpls.eth(1, 2).u16(0x8847).u32(0x00014040).u32(0x00015140).bytes(mft::ipv4_header(1, 2, 17, 0));
    Layers l;
    extract_flow(mpls.b, f, &l);
    CHECK(f.eth_type == kEthTypeMpls);
    CHECK(f.mpls_lse[0] == 0x00014040);
    CHECK(f.mpls_lse[1] == 0x00015140);
    CHECK(get_field_uint(f, FieldId::mpls_label) == 0x14);
    CHECK(get_field_uint(f, FieldId::mpls_ttl) == 0x40);
    CHECK(f.nw_src == 0);  // nothing above MPLS
    CHECK(l.l2_5 == 14);
    CHECK(l.l3 == 22);

    Packet qinq;
    qinq.eth(1, 2).u16(0x88a8).u16(100).u16(0x8100).u16(200).u16(0x0800).bytes(
        mft::ipv4_header(5, 6, 200, 0));
    extract_flow(qinq.b, f);
    CHECK(f.vlans[0].tpid == 0x88a8);
    CHECK(f.vlans[0].tci == (0x1000 | 100));
    CHECK(f.vlans[1].tpid == 0x8100);
    CHECK(f.vlans[1].tci == (0x1000 | 200));
    CHECK(f.eth_type == kEthTypeIp);
    CHECK(f.nw_proto == 200);

    Flow l3{};
    l3.packet_type.set(packet_type(1, kEthTypeIp));
    const Bytes ip = mft::ipv4_header(7, 8, 1, 8);
    Bytes icmp = ip;
    icmp.insert(icmp.end(), {8, 0, 0, 0, 0, 0, 0, 0});
    extract_flow(icmp, l3);
    CHECK(l3.eth_type == kEthTypeIp);
    CHECK(l3.nw_src == 7);
    CHECK(get_field_uint(l3, FieldId::icmpv4_type) == 8);
    CHECK(l3.eth_src.is_zero());
}

TEST_CASE("extract: arbitrary bytes never read outside the buffer", "[extract]")
{
    // (Run under the sanitizers in the fuzz build; here, a cheap sweep.)
    mft::Rng rng(11);
    for (int i = 0; i < 20000; ++i) {
        Bytes b(rng() % 120);
        for (auto& c : b)
            c = static_cast<uint8_t>(rng());
        if (b.size() > 13 && (rng() & 1)) {
            const uint16_t types[] = {0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x8847, 0x0020};
            const uint16_t t = types[rng() % 7];
            b[12] = static_cast<uint8_t>(t >> 8);
            b[13] = static_cast<uint8_t>(t);
            if (b.size() > 14 && t == 0x0800)
                b[14] = 0x45;
        }
        Flow f{};
        extract_flow(b, f);
        REQUIRE(f.in_port == 0);
    }
}
