// View: the database as the commands of one ovs-vsctl invocation see it —
// the IDL replica plus the changes the earlier commands of the same chain
// made — and, at the end, those changes as one IDL transaction.
//
// Rows created here carry the temporary UUIDs the transaction gives them, so
// they can be stored in other rows' columns before the server names them.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ovsdb/idl/idl.hpp"

namespace vsctl {

using ovsdb::Datum;
using ovsdb::Uuid;

struct VRow {
    const ovsdb::TableSchema* table = nullptr;
    Uuid uuid;
    // The replica's row while nothing was changed; cols holds a copy of
    // its columns (or a new row's) only once a command writes one.
    const ovsdb::idl::Row* base = nullptr;
    std::vector<Datum> cols;
    bool is_new = false;
    std::set<size_t> changed;

    const Datum& get(size_t index) const { return cols.empty() && base ? base->get(index) : cols[index]; }
    const Datum& get(const std::string& column) const;
    std::string string(const std::string& column) const;   // "" if empty
    std::optional<int64_t> integer(const std::string& column) const;
    std::vector<Uuid> refs(const std::string& column) const;
};

class View {
public:
    View(const ovsdb::idl::Idl& idl, ovsdb::idl::Txn& txn);

    const ovsdb::DatabaseSchema& schema() const { return *idl_.schema(); }
    const ovsdb::TableSchema& table(const std::string& name) const;

    // Live rows of a table, in UUID order.
    std::vector<VRow*> rows(const std::string& table);
    VRow* find(const std::string& table, const Uuid& u);

    VRow* insert(const std::string& table, std::optional<Uuid> uuid = std::nullopt);
    void set(VRow* row, const std::string& column, Datum value);
    void remove(VRow* row);
    // The transaction fails with "try again" if the column changed meanwhile.
    void verify(VRow* row, const std::string& column);

    // Adds the accumulated changes to the transaction.
    void finish();

private:
    struct TableRows {
        std::map<Uuid, std::unique_ptr<VRow>> rows;
        std::set<Uuid> deleted;
        bool loaded = false;
    };
    TableRows& load(const std::string& table);

    const ovsdb::idl::Idl& idl_;
    ovsdb::idl::Txn& txn_;
    std::map<std::string, TableRows> tables_;
    std::set<std::pair<std::string, Uuid>> verified_;
};

}  // namespace vsctl
