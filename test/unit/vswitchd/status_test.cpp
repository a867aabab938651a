#include <catch2/catch.hpp>

#include "db.hpp"
#include "dpif/dummy_dpif.hpp"
#include "vswitchd/status.hpp"

using namespace vswitchd;
using namespace vswitchd_test;

namespace {

struct Fixture {
    dpif::DummyDpif dp;
    Reconciler rec{dp, {1}};
    Db db;
    Config config;
    void apply() {
        db.commit();
        config = read_config(db.replica);
        rec.apply(config);
    }
    StatusColumns collect(bool stats = false, std::optional<int64_t> cfg = std::nullopt) {
        return collect_status(config, rec, dp, {stats, cfg});
    }
    // The "update" operations of a status transaction, as {table: {uuid: row}}.
    json writes(const StatusColumns& want) {
        ovsdb::idl::Txn txn(db.replica);
        json out = json::object();
        if (!status_diff(db.replica, want, txn)) return out;
        for (const auto& op : txn.params("Open_vSwitch")) {
            if (!op.is_object() || op.value("op", "") != "update") continue;
            out[op["table"].get<std::string>()][op["where"][0][2][1].get<std::string>()] = op["row"];
        }
        return out;
    }
    // Writes them into the database, as the server would.
    void store(const json& w) {
        for (const auto& [table, rows] : w.items())
            for (const auto& [uuid, row] : rows.items())
                for (const auto& [col, v] : row.items()) db.set(table, *Uuid::parse(uuid), col, v);
        db.commit();
    }
};

}  // namespace

TEST_CASE("status: interfaces in the datapath get ofport and device state") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    Uuid eth, intf;
    f.db.add_port(br, "eth1", "", &eth);
    f.db.add_port(br, "int1", "internal", &intf);
    f.apply();
    auto st = f.collect();
    const auto& e = st["Interface"][eth];
    CHECK(e.at("ofport") == 1);
    CHECK(e.at("error") == json::parse(R"(["set",[]])"));
    CHECK(e.at("admin_state") == "up");
    CHECK(e.at("link_state") == "up");
    CHECK(e.at("link_speed") == 10000000000LL);
    CHECK(e.at("mtu") == 1500);
    auto dev = f.dp.netdevs().get("eth1");
    CHECK(e.at("mac_in_use") == mac_to_string(dev->mac));
    CHECK(e.at("ifindex") == dev->ifindex);
    CHECK_FALSE(e.count("statistics"));
    const auto& i = st["Interface"][intf];
    CHECK(i.at("admin_state") == "down");   // internal devices start down
    CHECK(i.at("link_state") == "down");
    CHECK(i.at("link_speed") == json::parse(R"(["set",[]])"));

    f.dp.set_carrier("eth1", false);
    CHECK(f.collect()["Interface"][eth].at("link_state") == "down");
}

TEST_CASE("status: a missing interface gets ofport -1 and its error; the bridge its datapath_id") {
    Fixture f;
    f.dp.set_strict_netdevs(true);
    Uuid br = f.db.add_bridge("br0");
    Uuid eth;
    f.db.add_port(br, "eth9", "", &eth);
    f.apply();
    auto st = f.collect(false, 3);
    const auto& e = st["Interface"][eth];
    CHECK(e.at("ofport") == -1);
    CHECK(e.at("error") == "could not open network device eth9 (No such device)");
    CHECK(e.at("mtu") == json::parse(R"(["set",[]])"));
    auto mac = f.dp.netdevs().get("br0")->mac;
    char want[17];
    std::snprintf(want, sizeof want, "%02x%02x%02x%02x%02x%02x%02x%02x", 0, 0, mac[0], mac[1], mac[2], mac[3],
                  mac[4], mac[5]);
    CHECK(st["Bridge"][br].at("datapath_id") == want);
    CHECK(st["Open_vSwitch"][f.db.root].at("cur_cfg") == 3);

    f.db.set("Bridge", br, "other_config", smap({{"datapath-id", "00000000000000aa"}}));
    f.apply();
    CHECK(f.collect()["Bridge"][br].at("datapath_id") == "00000000000000aa");
}

TEST_CASE("status: only differing columns are written; once stored, nothing") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    Uuid eth;
    f.db.add_port(br, "eth1", "", &eth);
    f.apply();
    auto st = f.collect(true, 1);
    json w = f.writes(st);
    CHECK(w["Interface"][eth.to_string()]["ofport"] == 1);
    CHECK(w["Interface"][eth.to_string()].contains("statistics"));
    CHECK(w["Open_vSwitch"][f.db.root.to_string()]["cur_cfg"] == 1);
    CHECK_FALSE(w["Bridge"][br.to_string()].contains("name"));
    f.store(w);
    CHECK(f.writes(f.collect(true, 1)).empty());

    // Traffic changes the counters only.
    auto info = f.dp.get_datapath("br0");
    f.dp.receive(info->ifindex, 1, dpif::Bytes(64, 0));
    json w2 = f.writes(f.collect(true, 1));
    REQUIRE(w2["Interface"].size() == 1);
    auto row = w2["Interface"][eth.to_string()];
    CHECK(row.size() == 1);
    CHECK(row.contains("statistics"));
    CHECK(w2["Open_vSwitch"].is_null());
}

TEST_CASE("status: rows deleted meanwhile are skipped") {
    Fixture f;
    Uuid br = f.db.add_bridge("br0");
    Uuid eth;
    Uuid p = f.db.add_port(br, "eth1", "", &eth);
    f.apply();
    auto st = f.collect();
    f.db.detach(br, p);
    f.db.erase("Port", p);
    f.db.erase("Interface", eth);
    f.db.commit();
    json w = f.writes(st);
    CHECK_FALSE(w["Interface"].contains(eth.to_string()));
}
