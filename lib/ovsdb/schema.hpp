// Schemas (RFC 7047 section 3.2): database, tables, columns.
//
// Each table has the implicit columns _uuid and _version besides the ones
// the schema lists; `columns` holds only the listed ones, in name order,
// and column indexes refer to that vector.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ovsdb/types.hpp"

namespace ovsdb {

struct ColumnSchema {
    std::string name;
    Type type;
    bool ephemeral = false;
    bool mutable_ = true;
    json to_json() const;
};

struct TableSchema {
    std::string name;
    std::vector<ColumnSchema> columns;
    std::map<std::string, size_t> column_index;
    bool is_root = false;
    unsigned max_rows = 0;                     // 0 = unlimited
    std::vector<std::vector<size_t>> indexes;  // each a set of column indexes

    // nullptr if there is no such column (the implicit ones included: use
    // is_implicit_column() for _uuid/_version).
    const ColumnSchema* column(const std::string& name) const;
    long index_of(const std::string& name) const;
    json to_json() const;
};

bool is_implicit_column(const std::string& name);   // _uuid, _version

// An RFC 7047 <id>: a letter or '_' followed by letters, digits and '_'.
// `also_allowed` adds characters after the first (lock names take '-', '.').
bool is_valid_id(std::string_view s, std::string_view also_allowed = {});

struct DatabaseSchema {
    std::string name;
    std::string version;
    std::string cksum;
    std::map<std::string, TableSchema> tables;
    json original;   // as given

    // The schema in Open vSwitch's normalized form, as its get_schema and
    // _Server send it: defaults left out (min/max 1, mutable, plain atomic
    // types), enums as sorted sets, isRoot only where not every table is root.
    json to_json() const;

    // Parses and validates (names, types, refTables that exist, indexes).
    static DatabaseSchema from_json(const json& j);
    const TableSchema* table(const std::string& name) const;
};

// "1.2.3" style comparison; throws on a malformed version.
int compare_versions(const std::string& a, const std::string& b);

}  // namespace ovsdb
