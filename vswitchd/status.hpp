// Status write-back: the columns the switch owns in the database.
//
// collect_status() gathers, for every configured interface, bridge and the
// Open_vSwitch row, the values the switch reports: Interface ofport (-1 and
// `error` when the interface could not be added), admin_state, link_state,
// link_speed, mtu, mac_in_use, ifindex and (when asked) statistics;
// Bridge datapath_id and datapath_version; Open_vSwitch cur_cfg,
// datapath_types and iface_types.  Values are wire JSON for the column's
// type.
//
// StatusWriter sends only the columns whose value differs from what the
// replica holds, one transaction at a time: while one is in flight, newer
// values wait and go in the next.  A refused or interrupted transaction is
// retried on fresh data.  So cur_cfg reaches the database exactly once the
// configuration it acknowledges has been applied, which is what makes
// `ovs-vsctl` (without --no-wait) return when the switch is configured.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dpif/dpif.hpp"
#include "ovsdb/idl/idl.hpp"
#include "vswitchd/config.hpp"
#include "vswitchd/reconciler.hpp"

namespace vswitchd {

using json = nlohmann::json;

// table -> row -> column -> value
using StatusColumns = std::map<std::string, std::map<ovsdb::Uuid, std::map<std::string, json>>>;

struct StatusOptions {
    bool statistics = false;                // include Interface.statistics
    std::optional<int64_t> cur_cfg;         // write Open_vSwitch.cur_cfg
};

StatusColumns collect_status(const Config& config, const Reconciler& rec, dpif::Dpif& dpif,
                             const StatusOptions& opts);

// The operations that bring the replica's values to `want`; false if none.
bool status_diff(const ovsdb::idl::Replica& replica, const StatusColumns& want, ovsdb::idl::Txn& txn);

class StatusWriter {
public:
    explicit StatusWriter(ovsdb::idl::Idl& idl) : idl_(idl) {}

    // New values; columns absent from `cols` but present before (e.g.
    // statistics between two samples) keep their previous values.
    void update(StatusColumns cols);
    // Tries to send what differs (call after update(), and when the
    // connection comes back).
    void flush();
    bool in_flight() const { return in_flight_; }
    uint64_t commits() const { return commits_; }
    // Called after each finished transaction (for tests and logs).
    std::function<void(const ovsdb::idl::Result&)> on_result;

private:
    ovsdb::idl::Idl& idl_;
    StatusColumns want_;
    bool in_flight_ = false;
    bool again_ = false;
    uint64_t commits_ = 0;
};

}  // namespace vswitchd
