// A small schema and an in-memory database for engine tests.
#pragma once

#include "ovsdb-server/database.hpp"
#include "ovsdb-server/transaction.hpp"

namespace test {

using namespace ovsdb;
using namespace ovsdb::server;

inline DatabaseSchema test_schema() {
    return DatabaseSchema::from_json(json::parse(R"({
      "name": "Test", "version": "1.0.0",
      "tables": {
        "Root": {"isRoot": true, "maxRows": 1, "columns": {
          "children": {"type": {"key": {"type": "uuid", "refTable": "Child"}, "min": 0, "max": "unlimited"}},
          "n": {"type": "integer"}}},
        "Child": {"indexes": [["name"]], "columns": {
          "name": {"type": "string"},
          "friend": {"type": {"key": {"type": "uuid", "refTable": "Child", "refType": "weak"}, "min": 0, "max": 1}},
          "leaf": {"type": {"key": {"type": "uuid", "refTable": "Leaf"}, "min": 0, "max": 1}}}},
        "Leaf": {"columns": {"v": {"type": "integer"}}},
        "Other": {"isRoot": true, "columns": {"tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
                                              "m": {"type": {"key": "string", "value": "integer", "min": 0, "max": "unlimited"}}}}}})"));
}

struct Db {
    Database db{test_schema()};
    // Executes and commits; returns the result array.
    json run(const char* ops) {
        TxnContext ctx;
        auto out = execute_transaction(db, json::parse(ops), ctx);
        if (!out.error && !out.changes.empty()) {
            db.commit(out.changes);
            last = out.changes;
        }
        return out.result;
    }
    size_t count(const char* table) { return db.table(table).rows.size(); }
    Changeset last;
};

inline std::string error_of(const json& result) {
    for (const auto& r : result)
        if (r.is_object() && r.contains("error")) return r["error"].get<std::string>();
    return "";
}

}  // namespace test
