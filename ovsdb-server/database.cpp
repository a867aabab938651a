#include "ovsdb-server/database.hpp"

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb);

namespace ovsdb::server {

Database::Database(DatabaseSchema schema) : schema_(std::move(schema)) { init_tables(); }

Database::Database(std::unique_ptr<Storage> storage) : storage_(std::move(storage)) {
    try {
        schema_ = DatabaseSchema::from_json(storage_->schema());
    } catch (const Error& e) {
        throw StorageError(storage_->path() + ": stored schema is invalid: " + e.details());
    }
    init_tables();
    const std::string& path = storage_->path();
    storage_->load([&](const std::string& tname, const std::string& uuid, const json& cols) {
        auto it = tables_.find(tname);
        if (it == tables_.end()) throw StorageError(path + ": row in unknown table " + tname);
        Table& t = it->second;
        auto u = Uuid::parse(uuid);
        if (!u) throw StorageError(path + ": table " + tname + " has a row with a bad UUID \"" + uuid + "\"");
        Row r = Row::with_defaults(*t.schema, *u);
        for (auto& [cname, v] : cols.items()) {
            long ci = t.schema->index_of(cname);
            if (ci < 0) throw StorageError(path + ": unknown column " + tname + "." + cname);
            try {
                r.cols[static_cast<size_t>(ci)] =
                    Datum::from_json(v, t.schema->columns[static_cast<size_t>(ci)].type, nullptr);
            } catch (const Error& e) {
                throw StorageError(path + ": row " + uuid + " of " + tname + ", column " + cname + ": " +
                                   e.details());
            }
        }
        t.rows.emplace(*u, std::move(r));
    });
    if (auto id = storage_->get_meta("last_txn_id"))
        if (auto u = Uuid::parse(*id)) last_txn_id_ = *u;
}

void Database::init_tables() {
    for (auto& [name, ts] : schema_.tables) tables_[name].schema = &ts;
}

Table& Database::table(const std::string& name) { return tables_.at(name); }

const Table* Database::find_table(const std::string& name) const {
    auto it = tables_.find(name);
    return it == tables_.end() ? nullptr : &it->second;
}

const Row* Database::find_row(const std::string& table, const Uuid& uuid) const {
    const Table* t = find_table(table);
    if (!t) return nullptr;
    auto it = t->rows.find(uuid);
    return it == t->rows.end() ? nullptr : &it->second;
}

json Database::row_to_storage(const TableSchema& t, const Row& r) const {
    json j = json::object();
    for (size_t i = 0; i < t.columns.size(); ++i) {
        if (t.columns[i].ephemeral) continue;
        j[t.columns[i].name] = r.cols[i].to_json(t.columns[i].type);
    }
    return j;
}

void Database::commit(Changeset& cs) {
    if (cs.empty()) return;
    if (storage_) {
        std::vector<Storage::Change> out;
        out.reserve(cs.changes.size());
        for (const auto& ch : cs.changes) {
            // A change that touches only ephemeral columns need not be written.
            if (ch.old_row && ch.new_row) {
                bool persistent = false;
                for (size_t c : ch.changed_columns)
                    if (!ch.table->columns[c].ephemeral) persistent = true;
                if (!persistent) continue;
            }
            Storage::Change sc;
            sc.table = ch.table->name;
            sc.uuid = ch.uuid.to_string();
            if (ch.new_row) sc.columns = row_to_storage(*ch.table, *ch.new_row);
            out.push_back(std::move(sc));
        }
        if (!out.empty()) storage_->commit(out, cs.durable);
    }
    for (auto& ch : cs.changes) {
        Table& t = tables_.at(ch.table->name);
        if (ch.new_row)
            t.rows.insert_or_assign(ch.uuid, *ch.new_row);
        else
            t.rows.erase(ch.uuid);
    }
    last_txn_id_ = cs.txn_id;
}

uint64_t Database::n_cells() const {
    uint64_t n = 0;
    for (const auto& [name, t] : tables_) n += t.rows.size() * t.schema->columns.size();
    return n;
}

uint64_t Database::n_rows() const {
    uint64_t n = 0;
    for (const auto& [name, t] : tables_) n += t.rows.size();
    return n;
}

}  // namespace ovsdb::server
