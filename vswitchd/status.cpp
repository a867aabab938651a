#include "vswitchd/status.hpp"

#include <cstdio>

#include "common/vlog.hpp"
#include "ovsdb/error.hpp"
#include "vswitchd/coverage.hpp"

VLOG_DEFINE_THIS_MODULE(status);

COVERAGE_DEFINE(status_txn);
COVERAGE_DEFINE(status_txn_failed);

namespace vswitchd {

namespace {

const json kEmptySet = json::array({"set", json::array()});

json optional_string(const std::optional<std::string>& s) { return s ? json(*s) : kEmptySet; }

json integer_map(const std::vector<std::pair<std::string, uint64_t>>& kv) {
    json pairs = json::array();
    for (const auto& [k, v] : kv) pairs.push_back(json::array({k, static_cast<int64_t>(v)}));
    return json::array({"map", pairs});
}

std::string dpid_text(uint64_t id) {
    char b[17];
    std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(id));
    return b;
}

uint64_t dpid_from_mac(const Mac& m) {
    uint64_t id = 0;
    for (uint8_t b : m) id = (id << 8) | b;
    return id;
}

}  // namespace

StatusColumns collect_status(const Config& config, const Reconciler& rec, dpif::Dpif& dpif,
                             const StatusOptions& opts) {
    StatusColumns out;
    dpif::Netdevs& nd = dpif.netdevs();
    auto& ifaces = out["Interface"];
    for (const auto& [bname, b] : config.bridges) {
        const Reconciler::Datapath* dp = rec.datapath(bname);
        std::map<std::string, dpif::VportStats> vstats;
        if (dp && opts.statistics) {
            try {
                for (const auto& v : dpif.list_vports(dp->ifindex))
                    if (v.stats) vstats[v.name] = *v.stats;
            } catch (const dpif::Error& e) {
                VLOG_WARN("%s: could not read port statistics: %s", bname.c_str(), e.what());
            }
        }
        for (const auto& [_, p] : b.ports) {
            for (const auto& i : p.interfaces) {
                auto& cols = ifaces[i.uuid];
                auto r = rec.interfaces().find(i.name);
                bool in_dp = r != rec.interfaces().end() && r->second.port_no;
                std::optional<dpif::NetdevInfo> dev;
                if (in_dp) dev = nd.get(i.name, opts.statistics);
                if (!in_dp) {
                    cols["ofport"] = -1;
                    std::string err = r != rec.interfaces().end() ? r->second.error : "";
                    cols["error"] = err.empty() ? kEmptySet : json(err);
                } else {
                    cols["ofport"] = ofport_of(*r->second.port_no);
                    cols["error"] = kEmptySet;
                }
                if (!dev) {
                    for (const char* c : {"admin_state", "link_state", "link_speed", "mtu", "mac_in_use", "ifindex"})
                        cols[c] = kEmptySet;
                    if (opts.statistics) cols["statistics"] = json::array({"map", json::array()});
                    continue;
                }
                cols["admin_state"] = dev->admin_up ? "up" : "down";
                cols["link_state"] = dev->admin_up && dev->carrier ? "up" : "down";
                cols["link_speed"] = dev->speed_mbps ? json(static_cast<int64_t>(*dev->speed_mbps * 1000000))
                                                     : kEmptySet;
                cols["mtu"] = dev->mtu;
                cols["mac_in_use"] = mac_to_string(dev->mac);
                cols["ifindex"] = dev->ifindex;
                if (opts.statistics) {
                    // The datapath's view when it has one (rx: into the
                    // switch), else the device's counters.
                    auto vs = vstats.find(i.name);
                    if (vs != vstats.end()) {
                        const auto& s = vs->second;
                        cols["statistics"] = integer_map({{"collisions", dev->stats.collisions},
                                                          {"rx_bytes", s.rx_bytes},
                                                          {"rx_dropped", s.rx_dropped},
                                                          {"rx_errors", s.rx_errors},
                                                          {"rx_packets", s.rx_packets},
                                                          {"tx_bytes", s.tx_bytes},
                                                          {"tx_dropped", s.tx_dropped},
                                                          {"tx_errors", s.tx_errors},
                                                          {"tx_packets", s.tx_packets}});
                    } else {
                        const auto& s = dev->stats;
                        cols["statistics"] = integer_map({{"collisions", s.collisions},
                                                          {"rx_bytes", s.rx_bytes},
                                                          {"rx_dropped", s.rx_dropped},
                                                          {"rx_errors", s.rx_errors},
                                                          {"rx_packets", s.rx_packets},
                                                          {"tx_bytes", s.tx_bytes},
                                                          {"tx_dropped", s.tx_dropped},
                                                          {"tx_errors", s.tx_errors},
                                                          {"tx_packets", s.tx_packets}});
                    }
                }
            }
        }
        auto& bcols = out["Bridge"][b.uuid];
        std::optional<std::string> dpid;
        if (dp) {
            if (b.datapath_id) {
                dpid = dpid_text(*b.datapath_id);
            } else if (auto dev = nd.get(bname, false)) {
                dpid = dpid_text(dpid_from_mac(dev->mac));
            }
        }
        bcols["datapath_id"] = optional_string(dpid);
        bcols["datapath_version"] = dpif.type() == "dummy" ? "<built-in>" : "<unknown>";
    }
    if (config.root) {
        auto& o = out["Open_vSwitch"][*config.root];
        if (opts.cur_cfg) o["cur_cfg"] = *opts.cur_cfg;
        json dts = json::array({"system"});
        if (dpif.type() == "dummy") dts = json::array({"dummy", "system"});
        o["datapath_types"] = json::array({"set", dts});
        o["iface_types"] = json::array({"set", json::array({"internal", "system"})});
    }
    return out;
}

bool status_diff(const ovsdb::idl::Replica& replica, const StatusColumns& want, ovsdb::idl::Txn& txn) {
    bool any = false;
    for (const auto& [table, rows] : want) {
        const ovsdb::idl::Table* t = replica.table(table);
        if (!t) continue;
        for (const auto& [uuid, cols] : rows) {
            const ovsdb::idl::Row* row = t->find(uuid);
            if (!row) continue;   // deleted meanwhile
            for (const auto& [col, value] : cols) {
                const ovsdb::ColumnSchema* cs = t->schema().column(col);
                if (!cs) continue;   // an older schema without it
                try {
                    ovsdb::Datum d = ovsdb::Datum::from_json(value, cs->type, nullptr);
                    if (row->get(col) == d) continue;
                    txn.set(table, uuid, col, std::move(d));
                    any = true;
                } catch (const std::exception& e) {
                    static vlog::RateLimit rl(5, 10);
                    VLOG_WARN_RL(rl, "%s.%s: cannot write %s: %s", table.c_str(), col.c_str(),
                                 value.dump().c_str(), e.what());
                }
            }
        }
    }
    return any;
}

void StatusWriter::update(StatusColumns cols) {
    // Keep previous values of columns this update does not carry.
    for (const auto& [table, rows] : want_) {
        auto t = cols.find(table);
        if (t == cols.end()) continue;
        for (const auto& [uuid, old] : rows) {
            auto r = t->second.find(uuid);
            if (r == t->second.end()) continue;
            for (const auto& [col, v] : old) r->second.emplace(col, v);
        }
    }
    want_ = std::move(cols);
}

void StatusWriter::flush() {
    if (in_flight_) {
        again_ = true;
        return;
    }
    if (!idl_.connected() || !idl_.synced()) return;
    ovsdb::idl::Txn txn = idl_.txn();
    if (!status_diff(idl_.replica(), want_, txn)) return;
    in_flight_ = true;
    again_ = false;
    COVERAGE_INC(status_txn);
    idl_.commit(txn, [this](ovsdb::idl::Result r) {
        in_flight_ = false;
        ++commits_;
        if (r.status == ovsdb::idl::Result::Status::Error) {
            COVERAGE_INC(status_txn_failed);
            static vlog::RateLimit rl(5, 10);
            VLOG_WARN_RL(rl, "status transaction failed: %s", r.error.c_str());
        } else if (r.status == ovsdb::idl::Result::Status::TryAgain) {
            again_ = true;   // on fresh data, at the next flush
        }
        if (on_result) on_result(r);
        if (again_ && r.status != ovsdb::idl::Result::Status::Error) flush();
    });
}

}  // namespace vswitchd
