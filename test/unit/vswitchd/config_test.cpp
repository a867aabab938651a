#include <catch2/catch.hpp>

#include "db.hpp"
#include "vswitchd/config.hpp"

using namespace vswitchd;
using namespace vswitchd_test;

TEST_CASE("config: bridges, ports and interfaces by name, with the root's next_cfg") {
    Db db;
    Uuid br = db.add_bridge("br0");
    Uuid i1;
    db.add_port(br, "p1", "", &i1);
    db.add_port(br, "int1", "internal");
    db.set("Open_vSwitch", db.root, "next_cfg", 7);
    db.commit();

    Config c = read_config(db.replica);
    REQUIRE(c.root == db.root);
    CHECK(c.next_cfg == 7);
    REQUIRE(c.bridges.size() == 1);
    const BridgeConfig& b = c.bridges.at("br0");
    CHECK(b.uuid == br);
    CHECK(b.datapath_type.empty());
    CHECK_FALSE(b.fail_secure);
    REQUIRE(b.ports.size() == 3);
    CHECK(b.ports.at("p1").interfaces.at(0).uuid == i1);
    CHECK(b.ports.at("p1").interfaces.at(0).is_system());
    CHECK(b.ports.at("int1").interfaces.at(0).is_internal());
    CHECK(b.ports.at("br0").interfaces.at(0).is_internal());
    CHECK(b.port_of("p1") == &b.ports.at("p1"));
    CHECK(c.find_interface("int1").first == &b);
    CHECK(c.find_interface("nope").first == nullptr);
    CHECK(b.mac_aging == MacLearning::kDefaultAging);
    CHECK(b.mac_table_size == MacLearning::kDefaultMaxEntries);
    CHECK(c.max_idle == std::chrono::milliseconds(10000));
    CHECK(c.warnings.empty());
}

TEST_CASE("config: an empty database has no root and no bridges") {
    Db db;
    db.erase("Open_vSwitch", db.root);
    db.commit();
    Config c = read_config(db.replica);
    CHECK_FALSE(c.root);
    CHECK(c.bridges.empty());
}

TEST_CASE("config: MAC learning, fail_mode, hwaddr, datapath-id and flow settings") {
    Db db;
    Uuid br = db.add_bridge("br0");
    db.set("Bridge", br, "other_config",
           smap({{"mac-aging-time", "30"}, {"mac-table-size", "100"}, {"hwaddr", "00:11:22:33:44:55"},
                 {"datapath-id", "0000000000000abc"}}));
    db.set("Bridge", br, "fail_mode", "secure");
    db.set("Open_vSwitch", db.root, "other_config", smap({{"max-idle", "100"}, {"stats-update-interval", "9000"}}));
    db.commit();
    Config c = read_config(db.replica);
    const BridgeConfig& b = c.bridges.at("br0");
    CHECK(b.mac_aging == std::chrono::seconds(30));
    CHECK(b.mac_table_size == 100);
    CHECK(b.fail_secure);
    REQUIRE(b.hwaddr);
    CHECK(mac_to_string(*b.hwaddr) == "00:11:22:33:44:55");
    CHECK(b.datapath_id == 0xabc);
    CHECK(c.max_idle == std::chrono::milliseconds(500));   // clamped to the minimum
    CHECK(c.stats_interval == std::chrono::milliseconds(9000));
}

TEST_CASE("config: bad values are ignored with a warning, defaults kept") {
    Db db;
    Uuid br = db.add_bridge("br0");
    db.set("Bridge", br, "other_config",
           smap({{"mac-aging-time", "soon"}, {"hwaddr", "ff:ff:ff:ff:ff:ff"}, {"datapath-id", "12"}}));
    db.commit();
    Config c = read_config(db.replica);
    const BridgeConfig& b = c.bridges.at("br0");
    CHECK(b.mac_aging == MacLearning::kDefaultAging);
    CHECK_FALSE(b.hwaddr);
    CHECK_FALSE(b.datapath_id);
    CHECK(c.warnings.size() == 2);
}

TEST_CASE("config: VLAN settings of a port") {
    Db db;
    Uuid br = db.add_bridge("br0");
    Uuid p = db.add_port(br, "a1");
    db.set("Port", p, "tag", 10);
    Uuid t = db.add_port(br, "t1");
    db.set("Port", t, "trunks", json::array({"set", json::array({10, 20})}));
    db.commit();
    Config c = read_config(db.replica);
    const auto& ports = c.bridges.at("br0").ports;
    CHECK(ports.at("a1").vlan.mode() == VlanMode::Access);
    CHECK(ports.at("a1").vlan.tag() == 10);
    CHECK(ports.at("t1").vlan.mode() == VlanMode::Trunk);
    CHECK(ports.at("t1").vlan.trunks(20));
    CHECK_FALSE(ports.at("t1").vlan.trunks(30));
}

TEST_CASE("config: an interface on two ports is kept on the first, with a warning") {
    Db db;
    Uuid br = db.add_bridge("br0");
    Uuid i;
    db.add_port(br, "a", "", &i);
    Uuid p2 = db.insert("Port", {{"name", "b"}, {"interfaces", uuid_set({i})}});
    db.attach(br, p2);
    db.commit();
    Config c = read_config(db.replica);
    const auto& ports = c.bridges.at("br0").ports;
    CHECK(ports.count("a"));
    CHECK_FALSE(ports.count("b"));   // left without interfaces
    CHECK(c.warnings.size() == 2);   // the interface, then the port left empty
}

TEST_CASE("config: parse_datapath_id") {
    CHECK(parse_datapath_id("0000000000000001") == 1);
    CHECK(parse_datapath_id("0x00000000000000ff") == 255);
    CHECK_FALSE(parse_datapath_id("1"));
    CHECK_FALSE(parse_datapath_id("000000000000000g"));
}
