// Replica: the client's in-memory copy of the tables it monitors, kept up to
// date from the server's "update" (RFC 7047 4.1.6) and "update2" (Open
// vSwitch's monitor_cond) notifications.
//
// Each table remembers which rows changed (inserted, modified with the
// columns touched, deleted) since the owner last called clear_changes(), so
// that a daemon can act on one changed Port instead of rescanning them all.
// A full resynchronisation (after a reconnect) is applied as a difference
// against what the replica already holds: rows and columns that did not
// change are not reported as changed.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "ovsdb/datum.hpp"
#include "ovsdb/schema.hpp"
#include "ovsdb/uuid.hpp"

namespace ovsdb::idl {

using json = nlohmann::json;

class Replica;
class Table;

// One row of the replica.  Columns that are not replicated read as the
// column type's default.
//
// A row keeps only its columns whose value differs from the default, as
// (schema index, value) pairs sorted by index; the rest read as the table's
// shared defaults.  Most columns of most rows (Interface has about fifty) hold
// their defaults, so a replica of a large database is mostly those shared
// values, and building one touches far less memory.
class Row {
public:
    Row(const Table& table, Uuid uuid);

    const Uuid& uuid() const { return uuid_; }
    const Table& table() const { return *table_; }

    // The value of a column; throws std::out_of_range for a name the schema
    // does not have.
    const Datum& get(const std::string& column) const;
    const Datum& get(size_t column_index) const;

    // Conveniences for the common shapes.
    std::string string(const std::string& column) const;           // "" if empty
    std::optional<int64_t> integer(const std::string& column) const;
    bool boolean(const std::string& column, bool dflt = false) const;
    std::optional<Uuid> ref(const std::string& column) const;      // first uuid
    std::vector<Uuid> refs(const std::string& column) const;
    std::vector<std::string> strings(const std::string& column) const;
    std::vector<int64_t> integers(const std::string& column) const;
    // A string->string map column (other_config, external_ids, status, ...).
    std::map<std::string, std::string> smap(const std::string& column) const;
    // One key of a string-keyed map, if present.
    std::optional<std::string> smap_get(const std::string& column, const std::string& key) const;

private:
    friend class Table;
    friend class Replica;
    using Cells = std::vector<std::pair<size_t, Datum>>;   // sorted by index, none at its default
    Row(const Table& table, Uuid uuid, Cells cells) : table_(&table), uuid_(uuid), cells_(std::move(cells)) {}
    // Stores `value` for column `column_index` (dropping the cell if it is the default).
    // Returns false if the column already held that value.
    bool set(size_t column_index, Datum value);
    const Table* table_;
    Uuid uuid_;
    Cells cells_;
};

struct RowChange {
    enum class Kind { Inserted, Modified, Deleted };
    Kind kind = Kind::Modified;
    std::set<std::string> columns;   // for Modified: the columns whose value changed
};

class Table {
public:
    Table(const TableSchema& schema, std::vector<std::string> columns);

    const std::string& name() const { return schema_->name; }
    const TableSchema& schema() const { return *schema_; }
    // The replicated columns (all of the schema's when none were named).
    const std::vector<std::string>& columns() const { return columns_; }

    const Row* find(const Uuid& u) const;
    const std::unordered_map<Uuid, Row>& rows() const { return rows_; }
    size_t size() const { return rows_.size(); }
    bool empty() const { return rows_.empty(); }
    // The rows whose string column `column` equals `value` (e.g. Bridge by name).
    std::vector<const Row*> find_by(const std::string& column, const std::string& value) const;
    // Rows sorted by a string column then UUID, for deterministic output.
    std::vector<const Row*> sorted(const std::string& column = "") const;

    // Changes since the last clear_changes().
    const std::map<Uuid, RowChange>& changes() const { return changes_; }

private:
    friend class Replica;
    friend class Row;
    void note(const Uuid& u, RowChange::Kind k, const std::string* column);
    Row& emplace(const Uuid& u);

    const TableSchema* schema_;
    std::vector<std::string> columns_;
    std::vector<Datum> defaults_;   // each column's default, in schema order
    std::unordered_map<Uuid, Row> rows_;
    std::map<Uuid, RowChange> changes_;
};

class Replica {
public:
    Replica() = default;
    Replica(const Replica&) = delete;
    Replica& operator=(const Replica&) = delete;

    // Starts over for `schema` with the tables to replicate: table name ->
    // columns (empty: all).  An empty map means every table, every column.
    void reset(const DatabaseSchema& schema, const std::map<std::string, std::vector<std::string>>& tables);
    // The monitor request ({table: [{"columns": [...]}]}) for these tables.
    json monitor_requests() const;

    // The reply of a monitor/monitor_cond request: the whole contents.
    // Applied as a difference against the current replica (see top).
    // `update2` selects the format.  Throws Error on malformed input; the
    // replica is then left unchanged.
    void apply_initial(const json& updates, bool update2);
    // An "update" / "update2" notification's table-updates.
    void apply_update(const json& updates, bool update2);

    const DatabaseSchema* schema() const { return schema_.get(); }
    const Table* table(const std::string& name) const;
    const Row* row(const std::string& table, const Uuid& u) const;
    const std::map<std::string, Table>& tables() const { return tables_; }

    bool has_changes() const;
    void clear_changes();

private:
    struct Pending;   // a parsed update, applied only once fully valid
    void parse(const json& updates, bool update2, bool initial, Pending* out) const;
    void apply(Pending& p, bool initial);

    std::unique_ptr<DatabaseSchema> schema_;
    std::map<std::string, Table> tables_;
};

}  // namespace ovsdb::idl
