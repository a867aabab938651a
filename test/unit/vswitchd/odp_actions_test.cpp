#include <catch2/catch.hpp>

#include <linux/openvswitch.h>

#include "dpif/odp_text.hpp"
#include "vswitchd/odp_actions.hpp"

using vswitchd::OdpActions;

TEST_CASE("odp actions: outputs, push and pop in the kernel's layout") {
    OdpActions a;
    a.output(3);
    a.push_vlan(10);
    a.output(4);
    a.pop_vlan();
    CHECK(dpif::format_actions(a.bytes()) == "3,push_vlan(vid=10,pcp=0),4,pop_vlan");
    auto attrs = dpif::parse_attrs(a.bytes());
    REQUIRE(attrs.size() == 4);
    CHECK(attrs[0].type == OVS_ACTION_ATTR_OUTPUT);
    CHECK(attrs[0].u32() == 3);
    CHECK(attrs[1].type == OVS_ACTION_ATTR_PUSH_VLAN);
    REQUIRE(attrs[1].payload.size() == sizeof(ovs_action_push_vlan));
    // TPID 0x8100 and TCI with the CFI bit, both big-endian.
    CHECK(attrs[1].payload[0] == 0x81);
    CHECK(attrs[1].payload[1] == 0x00);
    CHECK(attrs[1].payload[2] == 0x10);
    CHECK(attrs[1].payload[3] == 0x0a);
    CHECK(attrs[3].type == OVS_ACTION_ATTR_POP_VLAN);
    CHECK(attrs[3].payload.empty());
    CHECK(a.outputs() == 2);
}

TEST_CASE("odp actions: output_vlan emits only the tag changes each port needs") {
    SECTION("untagged in: access, trunk 10, trunk 20, access") {
        OdpActions a(0);
        a.output_vlan(1, 0);
        a.output_vlan(2, 10);
        a.output_vlan(3, 10);
        a.output_vlan(4, 20);
        a.output_vlan(5, 0);
        CHECK(dpif::format_actions(a.bytes()) ==
              "1,push_vlan(vid=10,pcp=0),2,3,pop_vlan,push_vlan(vid=20,pcp=0),4,pop_vlan,5");
    }
    SECTION("tagged in (VID 10, PCP 5): the PCP is kept when retagging") {
        OdpActions a(0x1000 | 5 << 13 | 10);
        a.output_vlan(1, 10);
        a.output_vlan(2, 30);
        a.output_vlan(3, 0);
        CHECK(dpif::format_actions(a.bytes()) == "1,pop_vlan,push_vlan(vid=30,pcp=5),2,pop_vlan,3");
    }
    SECTION("nothing: drop") {
        OdpActions a;
        CHECK(a.empty());
    }
}
