#include <catch2/catch.hpp>

#include <linux/openvswitch.h>

#include "dpif/error.hpp"
#include "dpif/flow_key.hpp"
#include "dpif/odp_text.hpp"
#include "packets.hpp"

using namespace dpif;
using dpif_test::udp_packet;

TEST_CASE("an extracted key prints like ovs-dpctl")
{
    auto key = extract_flow_key(udp_packet(2, 1), 3);
    CHECK(format_key(key) ==
          "skb_priority(0),in_port(3),skb_mark(0),"
          "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
          "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=16,ttl=64,frag=no),udp(src=1000,dst=2000)");
    auto tagged = extract_flow_key(udp_packet(2, 1, 10), 1);
    CHECK(format_key(tagged).find("eth_type(0x8100),vlan(vid=10,pcp=0),encap(eth_type(0x0800),ipv4(") !=
          std::string::npos);
}

TEST_CASE("parsed keys and masks round-trip through the formatter")
{
    auto p = parse_key("in_port(1),eth(dst=02:00:00:00:00:02),eth_type(0x0800),"
                       "ipv4(src=10.0.0.0/255.255.255.0,proto=6),tcp(dst=80)");
    auto attrs = parse_attrs(p.key);
    CHECK(find_attr(attrs, OVS_KEY_ATTR_IN_PORT)->u32() == 1);
    CHECK(format_key(p.key, p.mask) ==
          "in_port(1),eth(dst=02:00:00:00:00:02),eth_type(0x0800),"
          "ipv4(src=10.0.0.0/255.255.255.0,proto=6),tcp(dst=80)");
    // The mask matches what it says.
    auto pkt = flatten_key(extract_flow_key(udp_packet(2, 1), 1));
    auto eth_only = parse_key("in_port(1),eth(dst=02:00:00:00:00:02)");
    CHECK(key_matches(pkt, flatten_key(eth_only.key), flatten_key(eth_only.mask), true));
    auto other = parse_key("in_port(1),eth(dst=02:00:00:00:00:03)");
    CHECK_FALSE(key_matches(pkt, flatten_key(other.key), flatten_key(other.mask), true));

    auto hex = parse_key("hex:" + to_hex(p.key) + "/" + to_hex(p.mask));
    CHECK(hex.key == p.key);
    CHECK(hex.mask == p.mask);

    auto v = parse_key("in_port(2),vlan(vid=10)");
    CHECK(format_key(v.key, v.mask) == "in_port(2),vlan(vid=10)");
}

TEST_CASE("actions parse and print")
{
    for (std::string s : {"2,3", "drop", "push_vlan(vid=10,pcp=3),1", "pop_vlan,4",
                          "userspace(pid=77,userdata=0a0b)", "trunc(100),1",
                          "set(eth(src=02:00:00:00:00:09,dst=02:00:00:00:00:0a)),1"}) {
        CHECK(format_actions(parse_actions(s)) == s);
    }
    CHECK(format_actions(parse_actions("output(5)")) == "5");
    CHECK(format_actions(parse_actions("set(eth(dst=02:00:00:00:00:0a))")) ==
          "set(eth(dst=02:00:00:00:00:0a))");
}

TEST_CASE("bad key and action text is refused with EINVAL")
{
    for (std::string s : {"", "in_port(x)", "in_port(1", "eth(src=1:2)", "bogus(1)",
                          "eth(foo=02:00:00:00:00:01)", "ipv4(src=300.1.1.1)", "vlan(vid=5000)",
                          "hex:abc"}) {
        INFO(s);
        try {
            parse_key(s);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == EINVAL);
        }
    }
    for (std::string s : {"x", "push_vlan(vid=9999)", "userspace(userdata=00)", "1,drop", "set(ipv4(src=1.1.1.1))",
                          "99999999999"}) {
        INFO(s);
        CHECK_THROWS_AS(parse_actions(s), Error);
    }
}
