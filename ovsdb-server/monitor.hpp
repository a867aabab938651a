// Monitors (RFC 7047 section 4.1.5 and Open vSwitch's extensions):
//   monitor            -> "update"  notifications, old/new row images
//   monitor_cond       -> "update2" notifications, initial/insert/delete/modify with diffs
//   monitor_cond_since -> "update3" notifications, with the transaction id
// A Monitor is created from the request's monitor-requests, produces the
// initial contents, and turns each committed Changeset into an update (or
// nothing, when no monitored row or column changed).
#pragma once

#include "ovsdb-server/database.hpp"
#include "ovsdb/condition.hpp"

namespace ovsdb::server {

class Monitor {
public:
    enum class Version { V1 = 1, V2 = 2, V3 = 3 };

    // Parses the monitor-requests object; throws ovsdb::Error.
    Monitor(Database& db, json id, Version v, const json& requests);

    const json& id() const { return id_; }
    Version version() const { return version_; }
    Database& db() { return db_; }
    // Monitors with equal signatures produce identical updates.
    const std::string& signature() const { return signature_; }

    json initial() const;                           // the reply's table-updates
    std::optional<json> update(const Changeset& cs) const;
    // monitor_cond_change: new conditions; returns the update that moves the
    // client from the old row set to the new one (may be empty -> nullopt).
    std::optional<json> change_conditions(const json& cond_requests);

private:
    struct TableMonitor {
        const TableSchema* schema = nullptr;
        std::vector<size_t> columns;
        bool initial = true, insert = true, del = true, modify = true;
        Condition cond;
    };

    json row_json(const TableMonitor& tm, const Row& r, bool skip_defaults) const;
    json diff_json(const TableMonitor& tm, const Row& old_row, const Row& new_row, bool* any) const;
    void add_update(json& out, const TableMonitor& tm, const Uuid& u, const Row* old_row, const Row* new_row) const;

    Database& db_;
    json id_;
    Version version_;
    std::map<std::string, std::vector<TableMonitor>> tables_;
    std::string signature_;
};

}  // namespace ovsdb::server
