#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dpif/dummy_dpif.hpp"
#include "dpif/netdev.hpp"
#include "packets.hpp"

using namespace dpif;
namespace fs = std::filesystem;

namespace {

struct FakeSysfs {
    fs::path root;
    FakeSysfs()
    {
        char tmpl[] = "/tmp/dpif-sysfs-XXXXXX";
        root = mkdtemp(tmpl);
    }
    ~FakeSysfs() { fs::remove_all(root); }
    void put(const std::string& rel, const std::string& text)
    {
        fs::create_directories((root / rel).parent_path());
        std::ofstream(root / rel) << text << "\n";
    }
};

}  // namespace

TEST_CASE("system netdevs are read from sysfs")
{
    FakeSysfs sys;
    sys.put("eth9/ifindex", "17");
    sys.put("eth9/address", "52:54:00:12:34:56");
    sys.put("eth9/mtu", "9000");
    sys.put("eth9/flags", "0x1003");
    sys.put("eth9/carrier", "1");
    sys.put("eth9/speed", "25000");
    sys.put("eth9/statistics/rx_packets", "5");
    sys.put("eth9/statistics/tx_bytes", "999");
    sys.put("lo9/ifindex", "1");
    sys.put("lo9/address", "00:00:00:00:00:00");
    sys.put("lo9/flags", "0x8");  // down
    // speed, carrier absent (reading them fails on such devices)
    SystemNetdevs nd(sys.root.string());
    auto e = nd.get("eth9");
    REQUIRE(e);
    CHECK(e->ifindex == 17);
    CHECK(to_string(e->mac) == "52:54:00:12:34:56");
    CHECK(e->mtu == 9000);
    CHECK(e->admin_up);
    CHECK(e->carrier);
    CHECK(e->speed_mbps == 25000u);
    CHECK(e->stats.rx_packets == 5);
    CHECK(e->stats.tx_bytes == 999);
    auto l = nd.get("lo9");
    REQUIRE(l);
    CHECK_FALSE(l->admin_up);
    CHECK_FALSE(l->carrier);
    CHECK_FALSE(l->speed_mbps);
    CHECK_FALSE(nd.get("nope"));
    CHECK_FALSE(nd.get("../eth9"));
    CHECK_FALSE(nd.get(""));
    CHECK_FALSE(nd.get("a-name-far-too-long-for-linux"));
}

TEST_CASE("system netdevs: the real loopback, and errors for absent devices")
{
    SystemNetdevs nd;
    auto lo = nd.get("lo");
    REQUIRE(lo);
    CHECK(lo->ifindex == 1);
    CHECK(lo->mtu > 0);
    CHECK(lo->admin_up);
    try {
        nd.set_mtu("no-such-dev0", 1500);
        FAIL("set on a missing device");
    } catch (const Error& e) {
        CHECK(e.code() == ENODEV);
        CHECK(std::string(e.what()).find("no-such-dev0") != std::string::npos);
    }
    CHECK_THROWS_AS(nd.set_admin_up("bad/name", true), Error);
}

TEST_CASE("MAC text")
{
    CHECK(to_string(parse_mac("02:0a:FF:00:01:02")) == "02:0a:ff:00:01:02");
    CHECK_THROWS_AS(parse_mac("02:0a:ff:00:01"), Error);
    CHECK_THROWS_AS(parse_mac("02:0a:ff:00:01:02:03"), Error);
    CHECK_THROWS_AS(parse_mac("zz:0a:ff:00:01:02"), Error);
}

TEST_CASE("dummy netdevs follow the vports")
{
    DummyDpif d;
    Netdevs& nd = d.netdevs();
    auto dp = d.create_datapath("br0");
    auto local = nd.get("br0");
    REQUIRE(local);
    CHECK(local->ifindex == dp.ifindex);
    CHECK_FALSE(local->admin_up);  // internal: down until brought up
    VportRequest r;
    r.name = "eth1";
    auto p = d.add_vport(dp.ifindex, r);
    r.name = "int1";
    r.type = VportType::Internal;
    auto pi = d.add_vport(dp.ifindex, r);
    auto e = nd.get("eth1");
    REQUIRE(e);
    CHECK(e->ifindex == p.ifindex);
    CHECK(e->admin_up);
    CHECK(e->carrier);
    CHECK(e->speed_mbps == 10000u);
    CHECK(e->mtu == 1500);
    CHECK(nd.get("int1")->mac != e->mac);

    nd.set_admin_up("int1", true);
    nd.set_mtu("int1", 9000);
    nd.set_mac("int1", parse_mac("02:00:00:00:aa:bb"));
    auto i = nd.get("int1");
    CHECK(i->admin_up);
    CHECK(i->mtu == 9000);
    CHECK(to_string(i->mac) == "02:00:00:00:aa:bb");
    CHECK_THROWS_AS(nd.set_mtu("int1", 10), Error);
    CHECK_THROWS_AS(nd.set_mac("int1", parse_mac("01:00:5e:00:00:01")), Error);
    CHECK_THROWS_AS(nd.set_admin_up("ghost", true), Error);

    d.set_carrier("eth1", false);
    CHECK_FALSE(nd.get("eth1")->carrier);

    // Counters mirror the vport's.
    d.receive(dp.ifindex, p.port_no, dpif_test::udp_packet(2, 1));
    CHECK(nd.get("eth1")->stats.rx_packets == 1);

    // An internal device goes with its vport; a system one stays.
    d.delete_vport(dp.ifindex, pi.port_no);
    CHECK_FALSE(nd.get("int1"));
    d.delete_vport(dp.ifindex, p.port_no);
    CHECK(nd.get("eth1"));

    // A device removed under an attached vport takes the vport with it.
    auto listener = d.open_vport_listener();
    r.name = "eth1";
    r.type = VportType::Netdev;
    auto again = d.add_vport(dp.ifindex, r);
    d.remove_netdev("eth1");
    CHECK_FALSE(d.get_vport(dp.ifindex, again.port_no));
    CHECK_FALSE(nd.get("eth1"));
    bool saw_del = false;
    while (auto ev = listener->recv())
        saw_del = saw_del || (ev->type == VportEventType::Del && ev->vport.name == "eth1");
    CHECK(saw_del);
    d.delete_datapath("br0");
    CHECK_FALSE(nd.get("br0"));
}
