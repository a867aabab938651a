// struct ofp_match (OpenFlow 1.0) to mf::Match and back.
#include <catch2/catch.hpp>

#include "meta-flow/match_string.hpp"
#include "openflow/match10.hpp"

using namespace ofp;

namespace {

mf::Match decode_hex(const std::string& hex) {
    Bytes b;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) b.push_back(static_cast<uint8_t>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    Reader r(b);
    return match10_decode(r);
}

}  // namespace

TEST_CASE("match10: what ovs-ofctl sends decodes to the flow it was given") {
    // ovs-ofctl add-flow "priority=100,in_port=1,ip,nw_dst=10.0.0.1,..." (captured)
    mf::Match m = decode_hex("003020ee000100000000000000000000000000000000080000000000000000000a00000100000000");
    CHECK(mf::format_match(m) == "ip,in_port=1,nw_dst=10.0.0.1");
    // dl_src=02:00:00:00:00:01
    mf::Match s = decode_hex("003820fb00000200000000010000000000000000000000000000000000000000000000000000000000");
    CHECK(mf::format_match(s) == "dl_src=02:00:00:00:00:01");
    // Everything wildcarded.
    mf::Match all = decode_hex("003820ff00000000000000000000000000000000000000000000000000000000000000000000000000");
    CHECK(all.is_catchall());
}

TEST_CASE("match10: round trip of expressible matches; prerequisites enforced") {
    for (const char* s : {"tcp,nw_src=10.1.0.0/16,tp_dst=80", "dl_vlan=5,dl_vlan_pcp=3", "vlan_tci=0x0000",
                          "arp,arp_spa=1.2.3.4", "icmp,icmp_type=8,icmp_code=0", "in_port=65534,dl_dst=ff:ff:ff:ff:ff:ff"}) {
        mf::Match m = mf::parse_match(s);
        Writer w;
        match10_encode(m, w);
        REQUIRE(w.size() == kMatch10Len);
        Reader r(w.raw());
        mf::Match back = match10_decode(r);
        INFO(s);
        CHECK(mf::format_match(back) == mf::format_match(m));
    }
    // tp_dst without a transport protocol means nothing (but, as in Open
    // vSwitch, a field other than in_port implies an Ethernet packet).
    mf::Match m = mf::parse_match("tp_dst=80");
    Writer w;
    match10_encode(m, w);
    Reader r(w.raw());
    mf::Match back = match10_decode(r);
    CHECK(back.mask().tp_dst.get() == 0);
    CHECK(back.mask().packet_type.get() == 0xffffffff);
    // Only in_port: no packet type implied.
    mf::Match ip = mf::parse_match("in_port=3");
    Writer w2;
    match10_encode(ip, w2);
    Reader r2(w2.raw());
    CHECK(match10_decode(r2) == ip);
}
