#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include "dpif/error.hpp"
#include "dpif/flow_key.hpp"
#include "dpif/odp_text.hpp"
#include "dpif/packet_compose.hpp"
#include "packets.hpp"

using namespace dpif;

namespace {

// One's-complement sum over a range; 0 when a stored checksum is right.
uint16_t verify(const Bytes& b, size_t off, size_t n, uint32_t acc = 0)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        acc += static_cast<uint32_t>(b[off + i] << 8 | b[off + i + 1]);
    if (n & 1)
        acc += static_cast<uint32_t>(b[off + n - 1] << 8);
    while (acc >> 16)
        acc = (acc & 0xffff) + (acc >> 16);
    return static_cast<uint16_t>(~acc);
}

// extract(compose(key)) has every attribute of key with the same value.
void round_trip(const std::string& text, size_t payload = 0)
{
    INFO(text);
    auto k = parse_key(text);
    Bytes frame = compose_packet(k.key, payload);
    auto back = flatten_key(extract_flow_key(frame, 1));
    const auto flat = flatten_key(k.key);
    // A hand-written tagged key is flat; the kernel's form nests the inner
    // headers in ENCAP, behind ETHERTYPE 0x8100.
    const bool tagged = flat.count(OVS_KEY_ATTR_VLAN) != 0;
    if (tagged)
        CHECK(back.at(OVS_KEY_ATTR_ETHERTYPE) == Bytes{0x81, 0x00});
    for (const auto& [type, value] : flat) {
        if (type == OVS_KEY_ATTR_IN_PORT || type == OVS_KEY_ATTR_ENCAP)
            continue;
        const uint32_t where = tagged && type != OVS_KEY_ATTR_ETHERNET && type != OVS_KEY_ATTR_VLAN
                                   ? kEncapBase + type : type;
        INFO("attribute " << type);
        REQUIRE(back.count(where));
        // Compare under the parsed mask: fields not given stay unconstrained.
        auto m = flatten_key(k.mask).at(type);
        for (size_t i = 0; i < value.size(); ++i)
            CHECK((back.at(where)[i] & m[i]) == (value[i] & m[i]));
    }
}

}  // namespace

TEST_CASE("composed frames extract back to their keys")
{
    round_trip("in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
               "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=16,ttl=9),udp(src=1234,dst=53)", 10);
    round_trip("eth(src=02:00:00:00:00:01,dst=ff:ff:ff:ff:ff:ff),eth_type(0x0800),"
               "ipv4(src=1.2.3.4,dst=5.6.7.8,proto=6),tcp(src=80,dst=8080)");
    round_trip("eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
               "ipv4(src=1.2.3.4,dst=5.6.7.8,proto=1)");
    round_trip("eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x88b5)", 46);
    round_trip("eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),vlan(vid=10,pcp=5),eth_type(0x0800),"
               "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17),udp(dst=7)");
}

TEST_CASE("composed frames carry correct checksums")
{
    auto k = parse_key("eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
                       "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17),udp(src=5,dst=6)");
    Bytes f = compose_packet(k.key, 5);
    REQUIRE(f.size() == 14 + 20 + 8 + 5);
    CHECK(verify(f, 14, 20) == 0);  // IPv4 header
    // UDP over the pseudo-header: src, dst, proto, length.
    uint32_t acc = 0;
    for (size_t i = 26; i < 34; i += 2)
        acc += static_cast<uint32_t>(f[i] << 8 | f[i + 1]);
    acc += 17 + 13;
    CHECK(verify(f, 34, 13, acc) == 0);
    // Same frame as the hand-built one in the other tests, but for checksums.
    Bytes hand = dpif_test::udp_packet(2, 1, -1, 5, 6);
    CHECK(std::equal(f.begin(), f.begin() + 14, hand.begin()));
}

TEST_CASE("ARP frames and keys without Ethernet")
{
    AttrWriter w;
    ovs_key_ethernet e{{2, 0, 0, 0, 0, 1}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    w.put(OVS_KEY_ATTR_ETHERNET, &e, sizeof e);
    w.put_be16(OVS_KEY_ATTR_ETHERTYPE, 0x0806);
    ovs_key_arp a{};
    a.arp_op = htons(1);
    a.arp_sip = htonl(0x0a000001);
    a.arp_tip = htonl(0x0a000002);
    w.put(OVS_KEY_ATTR_ARP, &a, sizeof a);
    Bytes f = compose_packet(w.bytes());
    CHECK(f.size() == 14 + 28);
    const Bytes back_key = extract_flow_key(f, 1);
    auto back = parse_attrs(back_key);
    REQUIRE(find_attr(back, OVS_KEY_ATTR_ARP));
    CHECK(find_attr(back, OVS_KEY_ATTR_ARP)->bytes() == Bytes((uint8_t*)&a, (uint8_t*)&a + sizeof a));

    AttrWriter no_eth;
    no_eth.put_u32(OVS_KEY_ATTR_IN_PORT, 1);
    CHECK_THROWS_AS(compose_packet(no_eth.bytes()), Error);
}
