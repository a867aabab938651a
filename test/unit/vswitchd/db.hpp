// A replica of the real Open_vSwitch schema, filled from JSON, for the
// switch's unit tests: rows are kept as the whole contents and applied as
// initial contents, which the replica turns into a difference (exactly what
// a resync after reconnecting does).
#pragma once

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "ovsdb/idl/replica.hpp"
#include "ovsdb/schema.hpp"

namespace vswitchd_test {

using json = nlohmann::json;
using ovsdb::Uuid;

inline json load_schema() {
    std::ifstream in(VSWITCH_SCHEMA_PATH);
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

inline json uuid_set(const std::vector<Uuid>& v) {
    json a = json::array();
    for (const auto& u : v) a.push_back(json::array({"uuid", u.to_string()}));
    return json::array({"set", a});
}

inline json smap(std::initializer_list<std::pair<const char*, const char*>> kv) {
    json pairs = json::array();
    for (const auto& [k, v] : kv) pairs.push_back(json::array({k, v}));
    return json::array({"map", pairs});
}

class Db {
public:
    Db() : schema_(ovsdb::DatabaseSchema::from_json(load_schema())) {
        replica.reset(schema_, {});
        root = Uuid::random();
        rows_["Open_vSwitch"][root.to_string()] = {{"next_cfg", 0}, {"cur_cfg", 0}};
    }

    Uuid insert(const std::string& table, json cols) {
        Uuid u = Uuid::random();
        rows_[table][u.to_string()] = std::move(cols);
        return u;
    }
    void set(const std::string& table, const Uuid& u, const std::string& col, json v) {
        rows_[table][u.to_string()][col] = std::move(v);
    }
    void erase(const std::string& table, const Uuid& u) { rows_[table].erase(u.to_string()); }
    json& row(const std::string& table, const Uuid& u) { return rows_[table][u.to_string()]; }

    // A bridge with its local interface and port, plus more ports each with
    // one interface {name, type}.
    Uuid add_bridge(const std::string& name) {
        Uuid i = insert("Interface", {{"name", name}, {"type", "internal"}});
        Uuid p = insert("Port", {{"name", name}, {"interfaces", uuid_set({i})}});
        Uuid b = insert("Bridge", {{"name", name}, {"ports", uuid_set({p})}});
        bridges_.push_back(b);
        set("Open_vSwitch", root, "bridges", uuid_set(bridges_));
        return b;
    }
    void del_bridge(const Uuid& b) {
        bridges_.erase(std::remove(bridges_.begin(), bridges_.end(), b), bridges_.end());
        set("Open_vSwitch", root, "bridges", uuid_set(bridges_));
        erase("Bridge", b);
    }
    // Returns the Port's UUID; `iface` gets the Interface's.
    Uuid add_port(const Uuid& bridge, const std::string& name, const std::string& type = "",
                  Uuid* iface = nullptr) {
        Uuid i = insert("Interface", {{"name", name}, {"type", type}});
        if (iface) *iface = i;
        Uuid p = insert("Port", {{"name", name}, {"interfaces", uuid_set({i})}});
        attach(bridge, p);
        return p;
    }
    void attach(const Uuid& bridge, const Uuid& port) {
        auto& ports = ports_[bridge];
        ports.push_back(port);
        refresh_ports(bridge);
    }
    void detach(const Uuid& bridge, const Uuid& port) {
        auto& ports = ports_[bridge];
        ports.erase(std::remove(ports.begin(), ports.end(), port), ports.end());
        refresh_ports(bridge);
    }
    void commit() {
        json upd = json::object();
        for (const auto& [table, rows] : rows_.items())
            for (const auto& [uuid, cols] : rows.items()) upd[table][uuid] = {{"initial", cols}};
        replica.apply_initial(upd, true);
    }

    ovsdb::idl::Replica replica;
    Uuid root;

private:
    void refresh_ports(const Uuid& bridge) {
        // The bridge's own port stays first.
        json& b = rows_["Bridge"][bridge.to_string()];
        std::vector<Uuid> all;
        json cur = b["ports"][1];
        if (!cur.empty()) all.push_back(*Uuid::parse(cur[0][1].get<std::string>()));
        for (const auto& p : ports_[bridge]) all.push_back(p);
        b["ports"] = uuid_set(all);
    }

    ovsdb::DatabaseSchema schema_;
    json rows_ = json::object();
    std::vector<Uuid> bridges_;
    std::map<Uuid, std::vector<Uuid>> ports_;
};

}  // namespace vswitchd_test
