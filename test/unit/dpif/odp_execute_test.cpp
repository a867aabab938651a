#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <cstring>

#include "dpif/error.hpp"
#include "dpif/odp_execute.hpp"
#include "packets.hpp"

using namespace dpif;
using dpif_test::udp_packet;

namespace {

struct Sink {
    std::vector<std::pair<uint32_t, Bytes>> out;
    std::vector<std::tuple<uint32_t, Bytes, Bytes>> up;
    ActionHooks hooks()
    {
        ActionHooks h;
        h.output = [this](uint32_t p, const Bytes& b) { out.emplace_back(p, b); };
        h.userspace = [this](uint32_t pid, const Bytes& b, ByteView ud, ByteView) {
            up.emplace_back(pid, b, Bytes(ud.begin(), ud.end()));
        };
        return h;
    }
};

}  // namespace

TEST_CASE("output to several ports, in order")
{
    AttrWriter a;
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 3);
    validate_actions(a.bytes());
    Sink s;
    auto pkt = udp_packet(2, 1);
    execute_actions(pkt, a.bytes(), s.hooks());
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[0].first == 2);
    CHECK(s.out[1].first == 3);
    CHECK(s.out[0].second == pkt);
}

TEST_CASE("push_vlan then pop_vlan")
{
    AttrWriter a;
    ovs_action_push_vlan v{htons(0x8100), htons(0x1000 | 20)};
    a.put(OVS_ACTION_ATTR_PUSH_VLAN, &v, sizeof v);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 1);
    a.put_flag(OVS_ACTION_ATTR_POP_VLAN);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    validate_actions(a.bytes());
    Sink s;
    auto pkt = udp_packet(2, 1);
    execute_actions(pkt, a.bytes(), s.hooks());
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[0].second == udp_packet(2, 1, 20));  // CFI cleared on the wire
    CHECK(s.out[1].second == pkt);
}

TEST_CASE("set and set_masked Ethernet addresses")
{
    AttrWriter a;
    ovs_key_ethernet e{};
    std::memset(e.eth_dst, 0xaa, 6);
    std::memset(e.eth_src, 0xbb, 6);
    auto t = a.begin_nested(OVS_ACTION_ATTR_SET);
    a.put(OVS_KEY_ATTR_ETHERNET, &e, sizeof e);
    a.end_nested(t);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 1);
    ovs_key_ethernet vals[2]{};
    vals[0].eth_dst[5] = 0x77;
    vals[1].eth_dst[5] = 0xff;  // mask: only the last dst byte
    t = a.begin_nested(OVS_ACTION_ATTR_SET_MASKED);
    a.put(OVS_KEY_ATTR_ETHERNET, vals, sizeof vals);
    a.end_nested(t);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    validate_actions(a.bytes());
    Sink s;
    execute_actions(udp_packet(2, 1), a.bytes(), s.hooks());
    REQUIRE(s.out.size() == 2);
    CHECK(s.out[0].second[0] == 0xaa);
    CHECK(s.out[0].second[6] == 0xbb);
    CHECK(s.out[1].second[0] == 0xaa);
    CHECK(s.out[1].second[5] == 0x77);
}

TEST_CASE("userspace action carries pid and userdata; trunc shortens one output")
{
    AttrWriter a;
    auto t = a.begin_nested(OVS_ACTION_ATTR_USERSPACE);
    a.put_u32(OVS_USERSPACE_ATTR_PID, 77);
    a.put(OVS_USERSPACE_ATTR_USERDATA, "ck", 2);
    a.end_nested(t);
    a.put_u32(OVS_ACTION_ATTR_TRUNC, 20);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 1);
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    validate_actions(a.bytes());
    Sink s;
    auto pkt = udp_packet(2, 1);
    execute_actions(pkt, a.bytes(), s.hooks());
    REQUIRE(s.up.size() == 1);
    CHECK(std::get<0>(s.up[0]) == 77);
    CHECK(std::get<2>(s.up[0]) == Bytes{'c', 'k'});
    CHECK(s.out[0].second.size() == 20);
    CHECK(s.out[1].second.size() == pkt.size());
}

TEST_CASE("unsupported or malformed actions are refused with EINVAL")
{
    auto expect_einval = [](const AttrWriter& a) {
        try {
            validate_actions(a.bytes());
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == EINVAL);
        }
    };
    AttrWriter recirc;
    recirc.put_u32(OVS_ACTION_ATTR_RECIRC, 1);
    expect_einval(recirc);
    AttrWriter short_out;
    short_out.put_u16(OVS_ACTION_ATTR_OUTPUT, 1);
    expect_einval(short_out);
    AttrWriter no_pid;
    auto t = no_pid.begin_nested(OVS_ACTION_ATTR_USERSPACE);
    no_pid.end_nested(t);
    expect_einval(no_pid);
    AttrWriter no_cfi;
    ovs_action_push_vlan v{htons(0x8100), htons(20)};
    no_cfi.put(OVS_ACTION_ATTR_PUSH_VLAN, &v, sizeof v);
    expect_einval(no_cfi);
    AttrWriter set_ip;
    t = set_ip.begin_nested(OVS_ACTION_ATTR_SET);
    set_ip.put_u32(OVS_KEY_ATTR_IPV4, 0);
    set_ip.end_nested(t);
    expect_einval(set_ip);
}
