// Database: one OVSDB database held in memory — schema, tables, rows,
// unique indexes — and persisted through Storage.  Rows change only by
// committing a Changeset (see transaction.hpp), which is validated first,
// written to storage, then applied here and handed to the monitors.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ovsdb-server/storage.hpp"
#include "ovsdb/row.hpp"

namespace ovsdb::server {

struct Table {
    const TableSchema* schema = nullptr;
    std::unordered_map<Uuid, Row> rows;
};

// One committed change of one row.
struct RowChange {
    const TableSchema* table = nullptr;
    Uuid uuid;
    std::optional<Row> old_row;   // nullopt: inserted
    std::optional<Row> new_row;   // nullopt: deleted
    // Indexes of the columns whose value differs (modifications only).
    std::vector<size_t> changed_columns;
};

struct Changeset {
    std::vector<RowChange> changes;
    Uuid txn_id;                  // the transaction id (monitor_cond_since)
    bool durable = false;
    bool empty() const { return changes.empty(); }
};

class Database {
public:
    // In memory only (the _Server database).
    explicit Database(DatabaseSchema schema);
    // Backed by a storage file: loads every row, checking it against the schema.
    explicit Database(std::unique_ptr<Storage> storage);

    const DatabaseSchema& schema() const { return schema_; }
    const std::string& name() const { return schema_.name; }
    Table& table(const std::string& name);
    const Table* find_table(const std::string& name) const;
    std::map<std::string, Table>& tables() { return tables_; }
    Storage* storage() { return storage_.get(); }

    const Row* find_row(const std::string& table, const Uuid& uuid) const;

    // Persists (unless in memory) and applies a validated changeset.
    // Throws StorageError if it cannot be written; nothing is applied then.
    void commit(Changeset& cs);

    const Uuid& last_txn_id() const { return last_txn_id_; }
    uint64_t n_cells() const;
    uint64_t n_rows() const;

    // Storage's JSON form of a row (persistent columns only).
    json row_to_storage(const TableSchema& t, const Row& r) const;

private:
    void init_tables();

    DatabaseSchema schema_;
    std::unique_ptr<Storage> storage_;
    std::map<std::string, Table> tables_;
    Uuid last_txn_id_;
};

}  // namespace ovsdb::server
