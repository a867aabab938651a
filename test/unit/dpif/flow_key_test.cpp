#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <cstring>

#include "dpif/flow_key.hpp"
#include "packets.hpp"

using namespace dpif;
using dpif_test::arp_request;
using dpif_test::udp_packet;

TEST_CASE("key of an untagged UDP packet has the kernel's attributes")
{
    auto pkt = udp_packet(2, 1);
    Bytes key = extract_flow_key(pkt, 3);
    auto attrs = parse_attrs(key);
    CHECK(find_attr(attrs, OVS_KEY_ATTR_IN_PORT)->u32() == 3);
    CHECK(find_attr(attrs, OVS_KEY_ATTR_PRIORITY)->u32() == 0);
    auto eth = find_attr(attrs, OVS_KEY_ATTR_ETHERNET);
    REQUIRE(eth);
    REQUIRE(eth->payload.size() == sizeof(ovs_key_ethernet));
    ovs_key_ethernet e;
    std::memcpy(&e, eth->payload.data(), sizeof e);
    CHECK(e.eth_src[5] == 1);
    CHECK(e.eth_dst[5] == 2);
    CHECK(find_attr(attrs, OVS_KEY_ATTR_ETHERTYPE)->be16() == 0x0800);
    auto ip = find_attr(attrs, OVS_KEY_ATTR_IPV4);
    REQUIRE(ip);
    ovs_key_ipv4 k;
    std::memcpy(&k, ip->payload.data(), sizeof k);
    CHECK(ntohl(k.ipv4_src) == 0x0a000001);
    CHECK(ntohl(k.ipv4_dst) == 0x0a000002);
    CHECK(k.ipv4_proto == 17);
    CHECK(k.ipv4_ttl == 64);
    CHECK(k.ipv4_tos == 0x10);
    CHECK(k.ipv4_frag == OVS_FRAG_TYPE_NONE);
    auto udp = find_attr(attrs, OVS_KEY_ATTR_UDP);
    REQUIRE(udp);
    ovs_key_udp u;
    std::memcpy(&u, udp->payload.data(), sizeof u);
    CHECK(ntohs(u.udp_src) == 1000);
    CHECK(ntohs(u.udp_dst) == 2000);
    CHECK_FALSE(find_attr(attrs, OVS_KEY_ATTR_VLAN));
}

TEST_CASE("802.1Q packets nest the inner headers in ENCAP, TCI with CFI")
{
    auto pkt = udp_packet(2, 1, 10);
    Bytes key = extract_flow_key(pkt, 1);
    auto attrs = parse_attrs(key);
    CHECK(find_attr(attrs, OVS_KEY_ATTR_ETHERTYPE)->be16() == 0x8100);
    CHECK(find_attr(attrs, OVS_KEY_ATTR_VLAN)->be16() == (10 | 0x1000));
    auto encap = find_attr(attrs, OVS_KEY_ATTR_ENCAP);
    REQUIRE(encap);
    auto inner = encap->nested();
    CHECK(find_attr(inner, OVS_KEY_ATTR_ETHERTYPE)->be16() == 0x0800);
    CHECK(find_attr(inner, OVS_KEY_ATTR_IPV4));
    CHECK(find_attr(inner, OVS_KEY_ATTR_UDP));
    auto flat = flatten_key(key);
    CHECK(flat.count(kEncapBase + OVS_KEY_ATTR_ETHERTYPE));
}

TEST_CASE("ARP key")
{
    auto attrs_buf = extract_flow_key(arp_request(1, 2), 1);
    auto attrs = parse_attrs(attrs_buf);
    auto arp = find_attr(attrs, OVS_KEY_ATTR_ARP);
    REQUIRE(arp);
    ovs_key_arp a;
    std::memcpy(&a, arp->payload.data(), sizeof a);
    CHECK(ntohs(a.arp_op) == 1);
    CHECK(ntohl(a.arp_tip) == 0x0a000002);
    CHECK(a.arp_sha[5] == 1);
}

TEST_CASE("runt and truncated packets give partial keys, never a crash")
{
    auto pkt = udp_packet(2, 1, 5);
    for (size_t n = 0; n <= pkt.size(); ++n) {
        Bytes cut(pkt.begin(), pkt.begin() + n);
        Bytes key = extract_flow_key(cut, 1);
        auto flat = flatten_key(key);
        CHECK(flat.count(OVS_KEY_ATTR_IN_PORT));
        if (n < 14)
            CHECK_FALSE(flat.count(OVS_KEY_ATTR_ETHERNET));
    }
}

TEST_CASE("masked matching")
{
    auto k1 = flatten_key(extract_flow_key(udp_packet(2, 1), 1));
    auto k2 = flatten_key(extract_flow_key(udp_packet(3, 1), 1));
    auto k3 = flatten_key(extract_flow_key(udp_packet(2, 1), 2));

    // Mask: in_port exact, eth_dst exact, everything else wildcarded.
    AttrWriter m;
    m.put_u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff);
    ovs_key_ethernet em{};
    std::memset(em.eth_dst, 0xff, 6);
    m.put(OVS_KEY_ATTR_ETHERNET, &em, sizeof em);
    auto mask = flatten_key(m.bytes());

    CHECK(key_matches(k1, k1, mask, true));
    CHECK_FALSE(key_matches(k2, k1, mask, true));  // different eth_dst
    CHECK_FALSE(key_matches(k3, k1, mask, true));  // different in_port
    auto k4 = flatten_key(extract_flow_key(udp_packet(2, 7, -1, 5, 6), 1));
    CHECK(key_matches(k4, k1, mask, true));  // src and ports wildcarded

    // No mask: exact on the attributes given in the flow key only.
    AttrWriter only_port;
    only_port.put_u32(OVS_KEY_ATTR_IN_PORT, 1);
    auto fk = flatten_key(only_port.bytes());
    CHECK(key_matches(k1, fk, {}, false));
    CHECK(key_matches(k2, fk, {}, false));
    CHECK_FALSE(key_matches(k3, fk, {}, false));

    // A mask on VLAN with value 0 matches only untagged packets.
    AttrWriter vm;
    vm.put_be16(OVS_KEY_ATTR_VLAN, 0xffff);
    auto vmask = flatten_key(vm.bytes());
    AttrWriter vk;
    vk.put_be16(OVS_KEY_ATTR_VLAN, 0);
    auto vkey = flatten_key(vk.bytes());
    CHECK(key_matches(k1, vkey, vmask, true));
    auto tagged = flatten_key(extract_flow_key(udp_packet(2, 1, 10), 1));
    CHECK_FALSE(key_matches(tagged, vkey, vmask, true));

    // Masked identity ignores wildcarded bits.
    CHECK(masked_key(k1, mask, true) == masked_key(k4, mask, true));
    CHECK(key_in_port(extract_flow_key(udp_packet(2, 1), 9)) == 9u);
}
