#include <catch2/catch.hpp>

#include "db.hpp"
#include "dpif/dummy_dpif.hpp"
#include "dpif/flow_key.hpp"
#include "vswitchd/reconciler.hpp"

using namespace vswitchd;
using namespace vswitchd_test;

namespace {

constexpr uint32_t kPid = 4242;

std::map<std::string, uint32_t> ports_of(dpif::DummyDpif& d, const std::string& dp) {
    std::map<std::string, uint32_t> out;
    auto info = d.get_datapath(dp);
    if (!info) return out;
    for (const auto& v : d.list_vports(info->ifindex)) out[v.name] = v.port_no;
    return out;
}

struct Fixture {
    dpif::DummyDpif dp;
    Reconciler rec{dp, {kPid}};
    Db db;
    Reconciler::Outcome apply() {
        db.commit();
        return rec.apply(read_config(db.replica));
    }
};

}  // namespace

TEST_CASE("reconciler: a bridge becomes a datapath, its interfaces vports") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    f.db.add_port(br, "eth1");
    f.db.add_port(br, "int1", "internal");
    auto out = f.apply();
    CHECK(out.operations == 3);
    CHECK(out.changed == std::set<std::string>{"br0"});
    auto ports = ports_of(f.dp, "br0");
    CHECK(ports == std::map<std::string, uint32_t>{{"br0", 0}, {"eth1", 1}, {"int1", 2}});
    auto info = f.dp.get_datapath("br0");
    for (const auto& v : f.dp.list_vports(info->ifindex)) CHECK(v.upcall_pids == std::vector<uint32_t>{kPid});
    CHECK(f.dp.list_vports(info->ifindex)[2].type == dpif::VportType::Internal);
    const auto& ifs = f.rec.interfaces();
    CHECK(ifs.at("br0").port_no == 0u);
    CHECK(ifs.at("eth1").port_no == 1u);
    CHECK(ifs.at("eth1").error.empty());
    CHECK(ofport_of(0) == 65534);
    CHECK(ofport_of(3) == 3);
}

TEST_CASE("reconciler: idempotent and incremental") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    f.db.add_port(br, "a");
    Uuid pb = f.db.add_port(br, "b");
    f.apply();
    CHECK(f.apply().operations == 0);
    CHECK(f.apply().operations == 0);

    f.db.add_port(br, "c");
    auto out = f.apply();
    CHECK(out.operations == 1);
    CHECK(ports_of(f.dp, "br0") == std::map<std::string, uint32_t>{{"br0", 0}, {"a", 1}, {"b", 2}, {"c", 3}});

    f.db.detach(br, pb);
    out = f.apply();
    CHECK(out.operations == 1);
    CHECK(ports_of(f.dp, "br0") == std::map<std::string, uint32_t>{{"br0", 0}, {"a", 1}, {"c", 3}});
    CHECK_FALSE(f.rec.interfaces().count("b"));

    // A change elsewhere (another bridge) does not touch this one.
    Uuid br1 = f.db.add_bridge("br1");
    out = f.apply();
    CHECK(out.changed == std::set<std::string>{"br1"});
    f.db.del_bridge(br1);
    out = f.apply();
    CHECK(out.changed == std::set<std::string>{"br1"});
    CHECK_FALSE(f.dp.get_datapath("br1"));
    CHECK(f.dp.get_datapath("br0"));
}

TEST_CASE("reconciler: ofport_request picks the port number, and moves the port when changed") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    Uuid i;
    f.db.add_port(br, "a", "", &i);
    f.db.set("Interface", i, "ofport_request", 10);
    f.apply();
    CHECK(ports_of(f.dp, "br0").at("a") == 10);
    f.db.set("Interface", i, "ofport_request", 12);
    auto out = f.apply();
    CHECK(out.operations == 2);   // deleted and added again
    CHECK(ports_of(f.dp, "br0").at("a") == 12);
    // A request for a number in use falls back to any free number.
    Uuid j;
    f.db.add_port(br, "b", "", &j);
    f.db.set("Interface", j, "ofport_request", 12);
    f.apply();
    CHECK(ports_of(f.dp, "br0").at("b") == 1);
    CHECK(f.apply().operations == 0);
}

TEST_CASE("reconciler: a missing device is reported, the others still work, and it is added once it exists") {
    Fixture f;
    f.dp.set_strict_netdevs(true);
    f.dp.add_netdev("eth1");
    Uuid br = f.db.add_bridge("br0");
    f.db.add_port(br, "eth1");
    f.db.add_port(br, "eth9");
    f.db.add_port(br, "vx", "vxlan");
    f.apply();
    const auto& ifs = f.rec.interfaces();
    CHECK(ifs.at("eth1").port_no);
    CHECK_FALSE(ifs.at("eth9").port_no);
    CHECK(ifs.at("eth9").error == "could not open network device eth9 (No such device)");
    CHECK(ifs.at("vx").error == "could not open network device vx (Address family not supported by protocol)");
    CHECK(f.apply().operations == 0);   // retried, still missing

    f.dp.add_netdev("eth9");
    auto out = f.apply();
    CHECK(out.operations == 1);
    CHECK(f.rec.interfaces().at("eth9").port_no);
    CHECK(f.rec.interfaces().at("eth9").error.empty());
}

TEST_CASE("reconciler: a device that disappears under its vport is noticed and retried") {
    Fixture f;
    f.dp.set_strict_netdevs(true);
    f.dp.add_netdev("eth1");
    auto listener = f.dp.open_vport_listener();
    Uuid br = f.db.add_bridge("br0");
    f.db.add_port(br, "eth1");
    f.apply();
    while (auto ev = listener->recv()) CHECK_FALSE(f.rec.handle_event(*ev));   // our own changes

    f.dp.remove_netdev("eth1");
    bool changed = false;
    while (auto ev = listener->recv()) changed |= f.rec.handle_event(*ev);
    CHECK(changed);
    f.apply();
    CHECK(f.rec.interfaces().at("eth1").error == "could not open network device eth1 (No such device)");
    f.dp.add_netdev("eth1");
    f.apply();
    CHECK(f.rec.interfaces().at("eth1").port_no);
}

TEST_CASE("reconciler: an interface moving between bridges in one change") {
    Fixture f;
    Uuid b0 = f.db.add_bridge("br0");
    Uuid b1 = f.db.add_bridge("br1");
    Uuid p = f.db.add_port(b1, "x");
    f.apply();
    CHECK(ports_of(f.dp, "br1").count("x"));
    // The port moves from br1 to br0 (br0 is handled first by name).
    f.db.detach(b1, p);
    f.db.attach(b0, p);
    f.apply();
    CHECK(ports_of(f.dp, "br0").count("x"));
    CHECK_FALSE(ports_of(f.dp, "br1").count("x"));
    CHECK(f.rec.interfaces().at("x").bridge == "br0");
    CHECK(f.rec.interfaces().at("x").error.empty());
}

TEST_CASE("reconciler: a type change re-creates the vport") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    Uuid i;
    f.db.add_port(br, "x", "", &i);
    f.apply();
    f.db.set("Interface", i, "type", "internal");
    auto out = f.apply();
    CHECK(out.operations == 2);
    auto info = f.dp.get_datapath("br0");
    CHECK(f.dp.get_vport(info->ifindex, "x")->type == dpif::VportType::Internal);
}

TEST_CASE("reconciler: adopts what the datapath holds from before a restart, cleans the rest") {
    dpif::DummyDpif dp;
    // A previous run left br0 with eth1 (port 5) and stale, and a datapath
    // nobody configures any more.
    auto info = dp.create_datapath("br0", 7);
    dp.add_vport(info.ifindex, {"eth1", dpif::VportType::Netdev, 5u, {7}, {}});
    dp.add_vport(info.ifindex, {"stale", dpif::VportType::Netdev, 6u, {7}, {}});
    dp.create_datapath("old", 7);
    dpif::FlowPut put;
    put.key = dpif::extract_flow_key(dpif::Bytes(60, 0), 5);
    dp.put_flow(info.ifindex, put);

    Db db;
    Uuid br = db.add_bridge("br0");
    db.add_port(br, "eth1");
    db.add_port(br, "eth2");
    db.commit();
    Reconciler rec(dp, {kPid});
    rec.apply(read_config(db.replica));

    auto now = dp.get_datapath("br0");
    REQUIRE(now);
    CHECK(now->ifindex == info.ifindex);    // the same datapath
    CHECK(dp.dump_flows(now->ifindex).size() == 1);   // its flows kept
    CHECK_FALSE(dp.get_datapath("old"));
    CHECK(ports_of(dp, "br0") == std::map<std::string, uint32_t>{{"br0", 0}, {"eth1", 5}, {"eth2", 1}});
    for (const auto& v : dp.list_vports(now->ifindex)) CHECK(v.upcall_pids == std::vector<uint32_t>{kPid});

    // forget(): read again, nothing to do.
    rec.forget();
    CHECK(rec.apply(read_config(db.replica)).operations == 0);
}

TEST_CASE("reconciler: unsupported datapath types are reported, not created") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    f.db.set("Bridge", br, "datapath_type", "netdev");
    f.db.add_port(br, "a");
    f.apply();
    CHECK_FALSE(f.dp.get_datapath("br0"));
    CHECK(f.rec.interfaces().at("a").error == "datapath type netdev is not supported by the dummy datapath");
    f.db.set("Bridge", br, "datapath_type", "system");
    f.apply();
    CHECK(f.dp.get_datapath("br0"));
    CHECK(f.rec.interfaces().at("a").port_no);
}

TEST_CASE("reconciler: internal interfaces get mtu_request and mac; the bridge follows hwaddr") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    Uuid i;
    f.db.add_port(br, "int1", "internal", &i);
    f.db.set("Interface", i, "mtu_request", 9000);
    f.db.set("Interface", i, "mac", "02:00:00:00:00:99");
    f.db.set("Bridge", br, "other_config", smap({{"hwaddr", "00:11:22:33:44:55"}}));
    f.apply();
    auto dev = f.dp.netdevs().get("int1");
    CHECK(dev->mtu == 9000);
    CHECK(mac_to_string(dev->mac) == "02:00:00:00:00:99");
    CHECK(mac_to_string(f.dp.netdevs().get("br0")->mac) == "00:11:22:33:44:55");
}

TEST_CASE("reconciler: delete_all removes the datapaths") {
    Fixture f;
    f.db.add_bridge("br0");
    f.db.add_bridge("br1");
    f.apply();
    CHECK(f.dp.list_datapaths().size() == 2);
    f.rec.delete_all();
    CHECK(f.dp.list_datapaths().empty());
    CHECK(f.rec.datapaths().empty());
}

TEST_CASE("reconciler: per-CPU upcall dispatch to our pids, restored when someone changes it") {
    Fixture f;
    f.db.add_bridge("br0");
    f.apply();
    auto info = f.dp.get_datapath("br0");
    CHECK(info->user_features & dpif::kFeaturePerCpuDispatch);
    CHECK(info->per_cpu_pids == std::vector<uint32_t>{kPid});
    CHECK_FALSE(f.rec.check_dispatch());
    // Another program (Debian's ovs-dpctl does this) switches it.
    f.dp.set_per_cpu_upcall_pids("br0", {0});
    CHECK(f.rec.check_dispatch());
    CHECK(f.dp.get_datapath("br0")->per_cpu_pids == std::vector<uint32_t>{kPid});
    f.dp.set_user_features("br0", dpif::kDefaultFeatures);
    CHECK(f.rec.check_dispatch());
    CHECK(f.dp.get_datapath("br0")->user_features & dpif::kFeaturePerCpuDispatch);
    CHECK_FALSE(f.rec.check_dispatch());
}
