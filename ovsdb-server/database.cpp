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
    // Rows go from SQLite's columns straight into Datums (no JSON step for
    // the columns stored natively), each checked against the schema.
    const std::string& path = storage_->path();
    using Cell = Storage::Cell;
    Table* t = nullptr;
    std::vector<size_t> where;        // storage column -> schema column
    std::vector<Datum> defaults;      // the table's default row
    std::string tname;
    storage_->load_cells(
        [&](const std::string& name, const std::vector<std::string>& columns) {
            auto it = tables_.find(name);
            if (it == tables_.end()) throw StorageError(path + ": row in unknown table " + name);
            t = &it->second;
            tname = name;
            where.clear();
            for (const auto& c : columns) {
                long ci = t->schema->index_of(c);
                if (ci < 0) throw StorageError(path + ": unknown column " + name + "." + c);
                where.push_back(static_cast<size_t>(ci));
            }
            defaults.clear();
            for (const auto& c : t->schema->columns) defaults.push_back(Datum::default_for(c.type));
        },
        [&](std::string_view uuid, const std::vector<Cell>& cells) {
            auto u = Uuid::parse(uuid);
            if (!u)
                throw StorageError(path + ": table " + tname + " has a row with a bad UUID \"" + std::string(uuid) +
                                   "\"");
            Row r;
            r.uuid = *u;
            r.version = Uuid::random();
            r.cols = defaults;
            for (size_t i = 0; i < cells.size(); ++i) {
                const Cell& c = cells[i];
                if (c.kind == Cell::Kind::Null) continue;
                size_t ci = where[i];
                const Type& type = t->schema->columns[ci].type;
                try {
                    Datum& d = r.cols[ci];
                    auto scalar = [&](Atom a) {
                        type.key.check(a);
                        d.mutable_keys().assign(1, std::move(a));
                    };
                    switch (c.kind) {
                    case Cell::Kind::Integer: scalar(Atom(c.integer)); break;
                    case Cell::Kind::Boolean: scalar(Atom(c.integer != 0)); break;
                    case Cell::Kind::Real: scalar(Atom(c.real)); break;
                    case Cell::Kind::String: scalar(Atom(std::string(c.text))); break;
                    case Cell::Kind::Uuid: {
                        auto ref = Uuid::parse(c.text);
                        if (!ref) throw Error("syntax error", "\"" + std::string(c.text) + "\" is not a UUID");
                        scalar(Atom(*ref));
                        break;
                    }
                    case Cell::Kind::Json:
                        d = Datum::from_json(json::parse(c.text), type, nullptr);
                        break;
                    case Cell::Kind::Null: break;
                    }
                } catch (const Error& e) {
                    throw StorageError(path + ": row " + std::string(uuid) + " of " + tname + ", column " +
                                       t->schema->columns[ci].name + ": " + e.details());
                } catch (const json::exception& e) {
                    throw StorageError(path + ": row " + std::string(uuid) + " of " + tname + ", column " +
                                       t->schema->columns[ci].name + ": unreadable value (" + e.what() + ")");
                }
            }
            t->rows.emplace(*u, std::move(r));
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
