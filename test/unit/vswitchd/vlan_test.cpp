#include <catch2/catch.hpp>

#include "vswitchd/vlan.hpp"

using namespace vswitchd;

TEST_CASE("a port without VLAN settings trunks everything") {
    PortVlan p;
    CHECK(p.mode() == VlanMode::Trunk);
    CHECK(p.input_vlan(0) == 0);
    CHECK(p.input_vlan(42) == 42);
    CHECK(p.carries(0));
    CHECK(p.carries(4095));
    CHECK(p.output_vid(42) == 42);
    CHECK(p.output_vid(0) == 0);
    CHECK_FALSE(p.input_vlan(4096));
}

TEST_CASE("an access port: untagged in, its VLAN only, untagged out") {
    std::string w;
    PortVlan p = PortVlan::configure(10, {}, "", &w);
    CHECK(w.empty());
    CHECK(p.mode() == VlanMode::Access);
    CHECK(p.input_vlan(0) == 10);
    CHECK_FALSE(p.input_vlan(10));                 // tagged frames are dropped
    CHECK_FALSE(p.input_vlan(20));
    CHECK(p.carries(10));
    CHECK_FALSE(p.carries(20));
    CHECK_FALSE(p.carries(0));
    CHECK(p.output_vid(10) == 0);
}

TEST_CASE("a trunk port with a list of VLANs") {
    PortVlan p = PortVlan::configure(std::nullopt, {10, 20}, "", nullptr);
    CHECK(p.mode() == VlanMode::Trunk);
    CHECK(p.input_vlan(10) == 10);
    CHECK_FALSE(p.input_vlan(30));
    CHECK_FALSE(p.input_vlan(0));                  // untagged needs VLAN 0 trunked
    CHECK(p.carries(20));
    CHECK_FALSE(p.carries(0));
    CHECK(p.output_vid(20) == 20);
    PortVlan with0 = PortVlan::configure(std::nullopt, {0, 10}, "trunk", nullptr);
    CHECK(with0.input_vlan(0) == 0);
}

TEST_CASE("a tag with trunks and no mode is a trunk; the tag is ignored with a warning") {
    std::string w;
    PortVlan p = PortVlan::configure(5, {10}, "", &w);
    CHECK(p.mode() == VlanMode::Trunk);
    CHECK(p.tag() == -1);
    CHECK_FALSE(w.empty());
    CHECK_FALSE(p.carries(5));
}

TEST_CASE("native VLAN modes") {
    PortVlan t = PortVlan::configure(10, {20}, "native-tagged", nullptr);
    CHECK(t.input_vlan(0) == 10);
    CHECK(t.input_vlan(20) == 20);
    CHECK(t.input_vlan(10) == 10);                 // the native VLAN is always carried
    CHECK_FALSE(t.input_vlan(30));
    CHECK(t.output_vid(10) == 10);
    PortVlan u = PortVlan::configure(10, {20}, "native-untagged", nullptr);
    CHECK(u.output_vid(10) == 0);
    CHECK(u.output_vid(20) == 20);
    CHECK(u.carries(10));
    CHECK(u.carries(20));
    CHECK_FALSE(u.carries(30));
}

TEST_CASE("odd settings are survivable") {
    std::string w;
    PortVlan p = PortVlan::configure(std::nullopt, {}, "access", &w);
    CHECK(p.mode() == VlanMode::Access);
    CHECK(p.input_vlan(0) == 0);
    PortVlan q = PortVlan::configure(5000, {-1, 9999, 7}, "bogus", &w);
    CHECK(w == "unknown VLAN mode bogus");
    CHECK(q.mode() == VlanMode::Trunk);
    CHECK(q.input_vlan(7) == 7);
    CHECK_FALSE(q.input_vlan(8));
    CHECK(PortVlan::configure(10, {}, "", nullptr) == PortVlan::configure(10, {}, "access", nullptr));
}
