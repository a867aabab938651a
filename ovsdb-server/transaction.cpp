#include "ovsdb-server/transaction.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ovsdb/condition.hpp"
#include "ovsdb/mutation.hpp"

namespace ovsdb::server {

namespace {

// The transaction's view: committed rows overlaid with its own changes.
class Overlay {
public:
    explicit Overlay(Database& db) : db_(db) {}

    const Row* get(const Table& t, const Uuid& u) const {
        auto ts = state_.find(t.schema->name);
        if (ts != state_.end()) {
            auto it = ts->second.find(u);
            if (it != ts->second.end()) return it->second ? &*it->second : nullptr;
        }
        auto r = t.rows.find(u);
        return r == t.rows.end() ? nullptr : &r->second;
    }

    // Visits every current row of `t`.  fn may not change the overlay.
    template <class F>
    void for_each(const Table& t, F&& fn) const {
        auto ts = state_.find(t.schema->name);
        const auto* changed = ts == state_.end() ? nullptr : &ts->second;
        for (const auto& [u, r] : t.rows) {
            if (changed) {
                auto it = changed->find(u);
                if (it != changed->end()) continue;
            }
            fn(r);
        }
        if (changed)
            for (const auto& [u, r] : *changed)
                if (r) fn(*r);
    }

    void put(const Table& t, Row r) {
        Uuid u = r.uuid;
        state_[t.schema->name].insert_or_assign(u, std::move(r));
    }
    void erase(const Table& t, const Uuid& u) { state_[t.schema->name].insert_or_assign(u, std::nullopt); }

    size_t count(const Table& t) const {
        size_t n = t.rows.size();
        auto ts = state_.find(t.schema->name);
        if (ts == state_.end()) return n;
        for (const auto& [u, r] : ts->second) {
            bool committed = t.rows.count(u) > 0;
            if (r && !committed) ++n;
            if (!r && committed) --n;
        }
        return n;
    }

    std::map<std::string, std::unordered_map<Uuid, std::optional<Row>>>& state() { return state_; }
    Database& db() { return db_; }

private:
    Database& db_;
    std::map<std::string, std::unordered_map<Uuid, std::optional<Row>>> state_;
};

const Table& get_table(Database& db, const json& op) {
    if (!op.contains("table") || !op["table"].is_string())
        throw syntax_error(op, "Required \"table\" member is missing or not a string.");
    const Table* t = db.find_table(op["table"].get<std::string>());
    if (!t) throw syntax_error(op, "No table named " + op["table"].get<std::string>() + ".");
    return *t;
}

const json& member(const json& op, const char* name) {
    auto it = op.find(name);
    if (it == op.end()) throw syntax_error(op, std::string("Required '") + name + "' member is missing.");
    return *it;
}

// Parses a "row" object into (column index, datum) pairs.
std::vector<std::pair<size_t, Datum>> parse_row(const json& row, const TableSchema& t, const NamedUuids& named,
                                                bool for_update, const json& op) {
    if (!row.is_object()) throw syntax_error(row, "row must be a JSON object");
    std::vector<std::pair<size_t, Datum>> out;
    for (auto& [name, v] : row.items()) {
        if (is_implicit_column(name)) {
            if (for_update)
                throw Error("constraint violation",
                            "Cannot update immutable column " + name + " in table " + t.name + ".", op.dump());
            throw syntax_error(op, "Column " + name + " may not be set.");
        }
        long ci = t.index_of(name);
        if (ci < 0) throw Error("unknown column", "No column " + name + " in table " + t.name + ".", row.dump());
        const ColumnSchema& cs = t.columns[static_cast<size_t>(ci)];
        if (for_update && !cs.mutable_)
            throw Error("constraint violation",
                        "Cannot update immutable column " + name + " in table " + t.name + ".", op.dump());
        out.emplace_back(static_cast<size_t>(ci), Datum::from_json(v, cs.type, &named));
    }
    return out;
}

json row_to_json(const TableSchema& t, const Row& r, const std::vector<long>& cols) {
    json j = json::object();
    for (long c : cols) {
        if (c == -1) j["_uuid"] = json::array({"uuid", r.uuid.to_string()});
        else if (c == -2) j["_version"] = json::array({"uuid", r.version.to_string()});
        else j[t.columns[static_cast<size_t>(c)].name] = r.cols[static_cast<size_t>(c)].to_json(t.columns[static_cast<size_t>(c)].type);
    }
    return j;
}

std::vector<long> parse_columns(const json& op, const TableSchema& t, bool with_implicit) {
    std::vector<long> cols;
    auto it = op.find("columns");
    if (it == op.end()) {
        if (with_implicit) {
            cols.push_back(-1);
            cols.push_back(-2);
        }
        for (size_t i = 0; i < t.columns.size(); ++i) cols.push_back(static_cast<long>(i));
        return cols;
    }
    if (!it->is_array()) throw syntax_error(op, "\"columns\" must be an array of column names");
    for (const auto& c : *it) {
        if (!c.is_string()) throw syntax_error(op, "\"columns\" must be an array of column names");
        long ci = column_index(t, c.get<std::string>());
        if (ci == -3) throw Error("unknown column", "No column " + c.get<std::string>() + " in table " + t.name + ".", op.dump());
        cols.push_back(ci);
    }
    return cols;
}

// Rows of `t` matching `cond`, in a stable order (by UUID).
std::vector<const Row*> matching(const Overlay& ov, const Table& t, const Condition& cond) {
    std::vector<const Row*> rows;
    if (cond.always_false()) return rows;
    if (const Uuid* u = cond.uuid_equality()) {
        if (const Row* r = ov.get(t, *u))
            if (cond.matches(*r)) rows.push_back(r);
        return rows;
    }
    ov.for_each(t, [&](const Row& r) {
        if (cond.matches(r)) rows.push_back(&r);
    });
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) { return a->uuid < b->uuid; });
    return rows;
}

// Strong and weak references held by a row: (target table, uuid).
template <class F>
void for_each_ref(const TableSchema& t, const Row& r, F&& fn) {
    for (size_t i = 0; i < t.columns.size(); ++i) {
        const Type& ty = t.columns[i].type;
        if (ty.key.is_ref())
            for (const auto& a : r.cols[i].keys()) fn(i, ty.key, a.uuid());
        if (ty.value && ty.value->is_ref())
            for (const auto& a : r.cols[i].values()) fn(i, *ty.value, a.uuid());
    }
}

class Executor {
public:
    Executor(Database& db, const json& ops, const TxnContext& ctx) : db_(db), ops_(ops), ctx_(ctx), ov_(db) {}

    TxnOutcome run() {
        TxnOutcome out;
        if (!ops_.is_array()) {
            out.result = json::array({syntax_error(ops_, "transaction must be an array").to_json()});
            out.error = true;
            return out;
        }
        // uuid-names of every insert are known before any operation runs, so
        // an operation may refer to a row inserted later in the transaction.
        for (const auto& op : ops_) {
            if (op.is_object() && op.value("op", "") == "insert" && op.contains("uuid-name") &&
                op["uuid-name"].is_string()) {
                std::string n = op["uuid-name"].get<std::string>();
                if (!named_.count(n)) {
                    Uuid u = Uuid::time_ordered();
                    if (op.contains("uuid") && op["uuid"].is_string())
                        if (auto given = Uuid::parse(op["uuid"].get<std::string>())) u = *given;
                    named_[n] = u;
                }
            }
        }
        size_t i = 0;
        for (; i < ops_.size(); ++i) {
            const json& op = ops_[i];
            try {
                json r = execute(op);
                if (blocked_) {
                    out.status = TxnOutcome::Status::Blocked;
                    out.wait_deadline_ms = wait_deadline_;
                    return out;
                }
                out.result.push_back(std::move(r));
            } catch (const Error& e) {
                out.result.push_back(e.to_json());
                out.error = true;
                break;
            } catch (const std::exception& e) {
                out.result.push_back(Error("syntax error", e.what(), op.dump()).to_json());
                out.error = true;
                break;
            }
        }
        if (out.error) {
            while (out.result.size() < ops_.size()) out.result.push_back(nullptr);
            return out;
        }
        try {
            out.changes = finish();
            out.changes.durable = durable_;
        } catch (const Error& e) {
            out.result.push_back(e.to_json());
            out.error = true;
            out.changes = Changeset{};
        }
        return out;
    }

private:
    json execute(const json& op) {
        if (!op.is_object()) throw syntax_error(op, "operation must be a JSON object");
        auto opn = op.find("op");
        if (opn == op.end() || !opn->is_string()) throw syntax_error(op, "Required 'op' member is missing.");
        const std::string& name = opn->get_ref<const std::string&>();
        if (name == "insert") return do_insert(op);
        if (name == "select") return do_select(op);
        if (name == "update") return do_update(op);
        if (name == "mutate") return do_mutate(op);
        if (name == "delete") return do_delete(op);
        if (name == "wait") return do_wait(op);
        if (name == "commit") {
            auto d = op.find("durable");
            if (d == op.end() || !d->is_boolean()) throw syntax_error(op, "\"durable\" must be a boolean");
            durable_ = durable_ || d->get<bool>();
            return json::object();
        }
        if (name == "abort") throw Error("aborted", "Aborted by request.");
        if (name == "comment") {
            auto c = op.find("comment");
            if (c == op.end() || !c->is_string()) throw syntax_error(op, "\"comment\" must be a string");
            return json::object();
        }
        if (name == "assert") {
            auto l = op.find("lock");
            if (l == op.end() || !l->is_string() || !is_valid_id(l->get<std::string>()))
                throw syntax_error(op, "\"lock\" must be a valid lock name");
            if (!ctx_.owns_lock(l->get<std::string>()))
                throw Error("not owner", "Asserted lock " + l->get<std::string>() + " not held.");
            return json::object();
        }
        throw syntax_error(op, "No operation \"" + name + "\".");
    }

    json do_insert(const json& op) {
        const Table& t = get_table(db_, op);
        Uuid u;
        if (auto un = op.find("uuid-name"); un != op.end()) {
            if (!un->is_string() || !is_valid_id(un->get<std::string>()))
                throw syntax_error(op, "\"uuid-name\" must be a valid identifier");
            std::string n = un->get<std::string>();
            if (used_names_.count(n))
                throw Error("duplicate uuid-name", "This \"uuid-name\" appeared on an earlier \"insert\" operation.",
                            json(n).dump());
            used_names_.insert(n);
            u = named_.at(n);
        } else if (auto given = op.find("uuid"); given != op.end()) {
            auto p = given->is_string() ? Uuid::parse(given->get<std::string>()) : std::nullopt;
            if (!p) throw syntax_error(op, "\"uuid\" must be a UUID string");
            u = *p;
        } else {
            u = Uuid::time_ordered();
        }
        if (ov_.get(t, u)) throw Error("duplicate uuid", "This UUID would duplicate a UUID already present within the table or deleted within the same transaction.", op.dump());
        Row r = Row::with_defaults(*t.schema, u);
        if (op.contains("row"))
            for (auto& [ci, d] : parse_row(op["row"], *t.schema, named_, false, op)) r.cols[ci] = std::move(d);
        ov_.put(t, std::move(r));
        inserted_.insert(u);
        return json{{"uuid", json::array({"uuid", u.to_string()})}};
    }

    json do_select(const json& op) {
        const Table& t = get_table(db_, op);
        Condition cond = Condition::from_json(member(op, "where"), *t.schema, &named_);
        std::vector<long> cols = parse_columns(op, *t.schema, true);
        json rows = json::array();
        for (const Row* r : matching(ov_, t, cond)) rows.push_back(row_to_json(*t.schema, *r, cols));
        return json{{"rows", std::move(rows)}};
    }

    json do_update(const json& op) {
        const Table& t = get_table(db_, op);
        Condition cond = Condition::from_json(member(op, "where"), *t.schema, &named_);
        auto changes = parse_row(member(op, "row"), *t.schema, named_, true, op);
        auto rows = matching(ov_, t, cond);
        std::vector<Row> updated;
        for (const Row* r : rows) {
            Row n = *r;
            for (const auto& [ci, d] : changes) n.cols[ci] = d;
            updated.push_back(std::move(n));
        }
        for (auto& n : updated) ov_.put(t, std::move(n));
        return json{{"count", rows.size()}};
    }

    json do_mutate(const json& op) {
        const Table& t = get_table(db_, op);
        Condition cond = Condition::from_json(member(op, "where"), *t.schema, &named_);
        Mutations ms = Mutations::from_json(member(op, "mutations"), *t.schema, &named_);
        auto rows = matching(ov_, t, cond);
        std::vector<Row> updated;
        for (const Row* r : rows) {
            Row n = *r;
            ms.apply(n, *t.schema);
            updated.push_back(std::move(n));
        }
        for (auto& n : updated) ov_.put(t, std::move(n));
        return json{{"count", rows.size()}};
    }

    json do_delete(const json& op) {
        const Table& t = get_table(db_, op);
        Condition cond = Condition::from_json(member(op, "where"), *t.schema, &named_);
        auto rows = matching(ov_, t, cond);
        std::vector<Uuid> gone;
        for (const Row* r : rows) gone.push_back(r->uuid);
        for (const auto& u : gone) ov_.erase(t, u);
        return json{{"count", gone.size()}};
    }

    json do_wait(const json& op) {
        const Table& t = get_table(db_, op);
        int64_t timeout = -1;   // none: wait forever
        if (auto to = op.find("timeout"); to != op.end()) {
            if (!to->is_number_integer() || to->get<int64_t>() < 0)
                throw syntax_error(op, "\"timeout\" must be a non-negative integer");
            timeout = to->get<int64_t>();
        }
        Condition cond = Condition::from_json(member(op, "where"), *t.schema, &named_);
        std::vector<long> cols = parse_columns(op, *t.schema, false);
        const json& until = member(op, "until");
        if (!until.is_string() || (until != "==" && until != "!="))
            throw syntax_error(op, "\"until\" must be \"==\" or \"!=\"");
        const json& rows_j = member(op, "rows");
        if (!rows_j.is_array()) throw syntax_error(op, "\"rows\" must be an array");
        // Expected rows, projected on `cols`, as a multiset of datum vectors.
        std::multiset<std::vector<Datum>> expected, actual;
        for (const auto& rj : rows_j) {
            if (!rj.is_object()) throw syntax_error(op, "each of \"rows\" must be an object");
            Row r = Row::with_defaults(*t.schema, Uuid{});
            std::vector<Datum> proj;
            for (long c : cols) {
                const std::string& cname = c == -1 ? std::string("_uuid") : c == -2 ? std::string("_version") : t.schema->columns[static_cast<size_t>(c)].name;
                auto v = rj.find(cname);
                if (v == rj.end()) throw syntax_error(op, "row lacks column " + cname);
                proj.push_back(Datum::from_json(*v, column_type(*t.schema, c), &named_));
            }
            for (auto& [k, v] : rj.items())
                if (std::find_if(cols.begin(), cols.end(), [&](long c) { return c >= 0 && t.schema->columns[static_cast<size_t>(c)].name == k; }) == cols.end() && !is_implicit_column(k))
                    throw syntax_error(op, "row has column " + k + " not in \"columns\"");
            expected.insert(std::move(proj));
        }
        for (const Row* r : matching(ov_, t, cond)) {
            std::vector<Datum> proj;
            for (long c : cols) proj.push_back(r->value(c));
            actual.insert(std::move(proj));
        }
        bool equal = expected == actual;
        bool satisfied = until == "==" ? equal : !equal;
        if (satisfied) return json::object();
        if (timeout >= 0 && ctx_.elapsed_ms >= timeout)
            throw Error("timed out", "\"wait\" timed out after " + std::to_string(timeout) + " ms");
        blocked_ = true;
        if (timeout >= 0) wait_deadline_ = timeout;
        return nullptr;
    }

    // ---- commit checks ---------------------------------------------------

    Changeset finish() {
        auto& state = ov_.state();
        // Weak references to rows that no longer exist are dropped; rows
        // whose strong references point nowhere make the commit fail.
        // Rows touched by the transaction are checked; deleted rows must not
        // be referenced by surviving rows.
        std::set<std::pair<std::string, Uuid>> gc_candidates;
        for (auto& [tname, rows] : state) {
            const Table& t = db_.table(tname);
            if (!t.schema->is_root)
                for (const auto& [u, r] : rows)
                    if (r && inserted_.count(u)) gc_candidates.insert({tname, u});
            for (const auto& [u, r] : rows) {
                // References the old row held may leave targets unreferenced.
                auto old = t.rows.find(u);
                if (old == t.rows.end()) continue;
                for_each_ref(*t.schema, old->second, [&](size_t, const BaseType& b, const Uuid& target) {
                    if (b.ref_type == RefType::Strong && !db_.table(b.ref_table).schema->is_root)
                        gc_candidates.insert({b.ref_table, target});
                });
            }
        }
        // As Open vSwitch does, strong references written by the transaction
        // must resolve even in rows that garbage collection is about to drop.
        check_written_strong_refs();
        collect_garbage(gc_candidates);
        check_references();
        check_indexes_and_limits();
        return build_changeset();
    }

    // Counts strong references to each candidate from the transaction's view.
    void collect_garbage(std::set<std::pair<std::string, Uuid>> candidates) {
        while (!candidates.empty()) {
            // Which tables reference the candidates' tables?
            std::set<std::string> target_tables;
            for (const auto& [tn, u] : candidates) target_tables.insert(tn);
            std::unordered_map<Uuid, size_t> refs;
            for (auto& [tname, t] : db_.tables()) {
                bool refers = false;
                for (const auto& c : t.schema->columns) {
                    if (c.type.key.is_ref() && c.type.key.ref_type == RefType::Strong && target_tables.count(c.type.key.ref_table)) refers = true;
                    if (c.type.value && c.type.value->is_ref() && c.type.value->ref_type == RefType::Strong && target_tables.count(c.type.value->ref_table)) refers = true;
                }
                if (!refers) continue;
                ov_.for_each(t, [&](const Row& r) {
                    for_each_ref(*t.schema, r, [&](size_t, const BaseType& b, const Uuid& target) {
                        if (b.ref_type == RefType::Strong && target_tables.count(b.ref_table)) ++refs[target];
                    });
                });
            }
            std::set<std::pair<std::string, Uuid>> next;
            for (const auto& [tn, u] : candidates) {
                const Table& t = db_.table(tn);
                if (t.schema->is_root) continue;
                const Row* r = ov_.get(t, u);
                if (!r || refs.count(u)) continue;
                // Unreferenced: delete it, and re-examine what it referenced.
                for_each_ref(*t.schema, *r, [&](size_t, const BaseType& b, const Uuid& target) {
                    if (b.ref_type == RefType::Strong && !db_.table(b.ref_table).schema->is_root)
                        next.insert({b.ref_table, target});
                });
                ov_.erase(t, u);
            }
            candidates = std::move(next);
        }
    }

    static Error dangling(const std::string& table, const std::string& column, const Uuid& row,
                          const Uuid& target, const std::string& target_table) {
        return Error("referential integrity violation",
                     "Table " + table + " column " + column + " row " + row.to_string() +
                         " references nonexistent row " + target.to_string() + " in table " + target_table + ".");
    }

    void check_written_strong_refs() {
        for (auto& [tname, rows] : ov_.state()) {
            const Table& t = db_.table(tname);
            for (auto& [u, r] : rows) {
                if (!r) continue;
                for_each_ref(*t.schema, *r, [&](size_t col, const BaseType& b, const Uuid& target) {
                    if (b.ref_type == RefType::Strong && !ov_.get(db_.table(b.ref_table), target))
                        throw dangling(tname, t.schema->columns[col].name, u, target, b.ref_table);
                });
            }
        }
    }

    void check_references() {
        auto& state = ov_.state();
        // Rows written by the transaction: their references must resolve.
        for (auto& [tname, rows] : state) {
            const Table& t = db_.table(tname);
            for (auto& [u, r] : rows) {
                if (!r) continue;
                bool changed = false;
                Row fixed = *r;
                for (size_t i = 0; i < t.schema->columns.size(); ++i) {
                    const Type& ty = t.schema->columns[i].type;
                    bool key_ref = ty.key.is_ref(), val_ref = ty.value && ty.value->is_ref();
                    if (!key_ref && !val_ref) continue;
                    Datum& d = fixed.cols[i];
                    std::vector<Atom> nk, nv;
                    for (size_t e = 0; e < d.keys().size(); ++e) {
                        bool drop = false;
                        for (int side = 0; side < 2; ++side) {
                            const BaseType* b = side == 0 ? (key_ref ? &ty.key : nullptr) : (val_ref ? &*ty.value : nullptr);
                            if (!b) continue;
                            const Atom& a = side == 0 ? d.keys()[e] : d.values()[e];
                            if (ov_.get(db_.table(b->ref_table), a.uuid())) continue;
                            if (b->ref_type == RefType::Weak) {
                                drop = true;
                                continue;
                            }
                            throw dangling(tname, t.schema->columns[i].name, u, a.uuid(), b->ref_table);
                        }
                        if (drop) {
                            changed = true;
                            continue;
                        }
                        nk.push_back(d.keys()[e]);
                        if (!d.values().empty()) nv.push_back(d.values()[e]);
                    }
                    if (nk.size() != d.keys().size()) {
                        bool m = ty.is_map();
                        d = Datum(std::move(nk), std::move(nv));
                        d.set_map(m);
                        if (d.size() < ty.min)
                            throw Error("constraint violation",
                                        "Deleting a weakly referenced row leaves column " + t.schema->columns[i].name +
                                            " of table " + tname + " with too few elements.");
                    }
                }
                if (changed) r = std::move(fixed);
            }
        }
        // Weak references held by untouched rows to rows deleted now.
        std::set<std::string> tables_with_deletes;
        for (auto& [tname, rows] : state)
            for (auto& [u, r] : rows)
                if (!r && db_.table(tname).rows.count(u)) tables_with_deletes.insert(tname);
        if (tables_with_deletes.empty()) return;
        std::vector<std::pair<const Table*, Row>> weak_fixes;
        for (auto& [tname, t] : db_.tables()) {
            bool refers = false;
            for (const auto& c : t.schema->columns) {
                if (c.type.key.is_ref() && tables_with_deletes.count(c.type.key.ref_table)) refers = true;
                if (c.type.value && c.type.value->is_ref() && tables_with_deletes.count(c.type.value->ref_table)) refers = true;
            }
            if (!refers) continue;
            auto ts = state.find(tname);
            for (const auto& [u, r] : t.rows) {
                if (ts != state.end() && ts->second.count(u)) continue;   // checked above
                bool needs_fix = false;
                for_each_ref(*t.schema, r, [&](size_t col, const BaseType& b, const Uuid& target) {
                    if (ov_.get(db_.table(b.ref_table), target)) return;
                    if (b.ref_type == RefType::Strong)
                        throw Error("referential integrity violation",
                                    "cannot delete " + b.ref_table + " row " + target.to_string() +
                                        " because of remaining reference from " + tname + " row " + u.to_string() +
                                        " column " + t.schema->columns[col].name + ".");
                    needs_fix = true;
                });
                if (needs_fix) weak_fixes.emplace_back(&t, r);
            }
        }
        for (auto& [t, r] : weak_fixes) {
            ov_.put(*t, r);   // re-run the cleanup on it
        }
        if (!weak_fixes.empty()) check_references();
    }

    void check_indexes_and_limits() {
        for (auto& [tname, rows] : ov_.state()) {
            const Table& t = db_.table(tname);
            if (t.schema->max_rows && ov_.count(t) > t.schema->max_rows)
                throw Error("constraint violation", "Transaction causes \"" + tname + "\" table to contain " +
                                                        std::to_string(ov_.count(t)) + " rows, greater than the schema-defined limit of " +
                                                        std::to_string(t.schema->max_rows) + " row(s).");
            for (const auto& index : t.schema->indexes) {
                std::map<std::vector<Datum>, Uuid> seen;
                bool touched = false;
                for (auto& [u, r] : rows)
                    if (r) touched = true;
                if (!touched) continue;
                ov_.for_each(t, [&](const Row& r) {
                    std::vector<Datum> key;
                    for (size_t c : index) key.push_back(r.cols[c]);
                    auto [it, fresh] = seen.emplace(std::move(key), r.uuid);
                    if (!fresh) {
                        std::string cols;
                        for (size_t c : index) cols += (cols.empty() ? "" : ",") + t.schema->columns[c].name;
                        throw Error("constraint violation",
                                    "Transaction causes multiple rows in \"" + tname + "\" table to have identical values (" +
                                        cols + ") for index on columns " + cols + ".  First row, with UUID " +
                                        it->second.to_string() + ", existed in the database before this transaction or was inserted by this transaction.  Second row, with UUID " +
                                        r.uuid.to_string() + ", was inserted by this transaction.");
                    }
                });
            }
        }
    }

    Changeset build_changeset() {
        Changeset cs;
        cs.txn_id = Uuid::random();
        for (auto& [tname, rows] : ov_.state()) {
            const Table& t = db_.table(tname);
            for (auto& [u, r] : rows) {
                auto old = t.rows.find(u);
                bool existed = old != t.rows.end();
                if (!r && !existed) continue;   // inserted then deleted
                RowChange ch;
                ch.table = t.schema;
                ch.uuid = u;
                if (existed) ch.old_row = old->second;
                if (r) {
                    if (existed) {
                        for (size_t i = 0; i < t.schema->columns.size(); ++i)
                            if (!(old->second.cols[i] == r->cols[i])) ch.changed_columns.push_back(i);
                        if (ch.changed_columns.empty()) continue;   // no real change
                    }
                    ch.new_row = std::move(*r);
                    ch.new_row->version = Uuid::random();
                }
                cs.changes.push_back(std::move(ch));
            }
        }
        return cs;
    }

    Database& db_;
    const json& ops_;
    const TxnContext& ctx_;
    Overlay ov_;
    NamedUuids named_;
    std::set<std::string> used_names_;
    std::unordered_set<Uuid> inserted_;
    bool durable_ = false;
    bool blocked_ = false;
    std::optional<int64_t> wait_deadline_;
};

}  // namespace

TxnOutcome execute_transaction(Database& db, const json& ops, const TxnContext& ctx) {
    Executor ex(db, ops, ctx);
    return ex.run();
}

}  // namespace ovsdb::server
