#include "ovsdb/idl/txn.hpp"

#include <algorithm>

#include "ovsdb/error.hpp"

namespace ovsdb::idl {

namespace {

json uuid_where(const Uuid& u) { return json::array({json::array({"_uuid", "==", json::array({"uuid", u.to_string()})})}); }

}  // namespace

const char* to_string(Result::Status s) {
    switch (s) {
    case Result::Status::Success: return "success";
    case Result::Status::Unchanged: return "unchanged";
    case Result::Status::TryAgain: return "try again";
    case Result::Status::NotLocked: return "not locked";
    case Result::Status::Error: return "error";
    }
    return "?";
}

Txn::Txn(const Replica& replica) : replica_(&replica) {}

const Type& Txn::column_type(const std::string& table, const std::string& column) const {
    const DatabaseSchema* s = replica_->schema();
    const TableSchema* ts = s ? s->table(table) : nullptr;
    if (!ts) throw Error("unknown table", "no table named " + table);
    const ColumnSchema* cs = ts->column(column);
    if (!cs) throw Error("unknown column", "table " + table + " has no column " + column);
    return cs->type;
}

Uuid Txn::insert(const std::string& table, std::optional<Uuid> temp) {
    const DatabaseSchema* s = replica_->schema();
    if (!s || !s->table(table)) throw Error("unknown table", "no table named " + table);
    Uuid u = temp ? *temp : Uuid::random();
    RowWrite w;
    w.table = table;
    w.insert = true;
    writes_.emplace(u, std::move(w));
    write_order_.push_back(u);
    inserted_names_.emplace(u, "row" + std::to_string(next_name_++));
    return u;
}

void Txn::set(const std::string& table, const Uuid& row, const std::string& column, Datum value) {
    const Type& t = column_type(table, column);
    value.check(t);
    auto it = writes_.find(row);
    if (it == writes_.end()) {
        RowWrite w;
        w.table = table;
        it = writes_.emplace(row, std::move(w)).first;
        write_order_.push_back(row);
    }
    it->second.cols[column] = std::move(value);
}

void Txn::remove(const std::string& table, const Uuid& row) {
    auto it = writes_.find(row);
    if (it != writes_.end() && it->second.insert) {
        // Inserted and deleted in one transaction: it never existed.
        writes_.erase(it);
        write_order_.erase(std::find(write_order_.begin(), write_order_.end(), row));
        inserted_names_.erase(row);
        return;
    }
    if (it == writes_.end()) {
        RowWrite w;
        w.table = table;
        it = writes_.emplace(row, std::move(w)).first;
        write_order_.push_back(row);
    }
    it->second.remove = true;
    it->second.cols.clear();
}

void Txn::mutate(const std::string& table, const Uuid& row, const std::string& column,
                 const std::string& mutator, Datum value) {
    const Type& t = column_type(table, column);
    Type vt = t;
    if (mutator == "insert" || mutator == "delete") {
        vt.min = 0;
        vt.max = Type::kUnlimited;
        // Deleting keys from a map takes a set of keys.
        if (mutator == "delete" && t.is_map() && !value.is_map()) vt.value.reset();
    }
    extra_.push_back({{"op", "mutate"}, {"table", table}, {"where", uuid_where(row)},
                      {"mutations", json::array({json::array({column, mutator, value_json(vt, value)})})}});
}

void Txn::verify(const std::string& table, const Uuid& row, const std::string& column) {
    if (is_new(row)) return;   // our own row: nothing to verify
    const Type& t = column_type(table, column);
    const Row* r = replica_->row(table, row);
    json rows = json::array();
    if (r) rows.push_back({{column, r->get(column).to_json(t)}});
    // A deleted row verifies as "no such row": the wait fails if it came back.
    waits_.push_back({{"op", "wait"}, {"timeout", 0}, {"table", table}, {"where", uuid_where(row)},
                      {"columns", json::array({column})}, {"until", "=="}, {"rows", rows}});
}

void Txn::increment(const std::string& table, const Uuid& row, const std::string& column) {
    column_type(table, column);
    increment_ = {table, {row, column}};
}

void Txn::comment(const std::string& text) { comments_.push_back(text); }

void Txn::add_op(json op) { extra_.push_back(std::move(op)); }

bool Txn::empty() const { return writes_.empty() && extra_.empty() && !increment_; }

json Txn::value_json(const Type& t, const Datum& d) const {
    json j = d.to_json(t);
    if (inserted_names_.empty()) return j;
    // Temporary UUIDs of rows this transaction inserts become named UUIDs.
    auto fix = [&](auto& self, json& v) -> void {
        if (!v.is_array()) return;
        if (v.size() == 2 && v[0] == "uuid" && v[1].is_string()) {
            if (auto u = Uuid::parse(v[1].get<std::string>())) {
                auto it = inserted_names_.find(*u);
                if (it != inserted_names_.end()) v = json::array({"named-uuid", it->second});
            }
            return;
        }
        for (auto& e : v) self(self, e);
    };
    fix(fix, j);
    return j;
}

json Txn::params(const std::string& database) const { return build(database); }

std::string Txn::joined_comments() const {
    std::string all;
    for (const auto& c : comments_) all += (all.empty() ? "" : "\n") + c;
    return all;
}

// build() and reader() walk the same operations in the same order: keep them in step.
json Txn::build(const std::string& database) const {
    json p = json::array({database});
    auto op = [](const char* name, const std::string& table) {
        json o = json::object();
        o["op"] = name;
        o["table"] = table;
        return o;
    };
    if (!lock_.empty()) p.push_back({{"op", "assert"}, {"lock", lock_}});
    for (const auto& w : waits_) p.push_back(w);
    for (const Uuid& u : write_order_) {
        const RowWrite& w = writes_.at(u);
        if (w.remove && !w.insert) {
            json o = op("delete", w.table);
            o["where"] = uuid_where(u);
            p.push_back(std::move(o));
            continue;
        }
        if (!w.insert && w.cols.empty()) continue;
        json row = json::object();
        for (const auto& [c, d] : w.cols) row[c] = value_json(column_type(w.table, c), d);
        json o = op(w.insert ? "insert" : "update", w.table);
        if (!w.insert) o["where"] = uuid_where(u);
        o["row"] = std::move(row);
        if (w.insert) o["uuid-name"] = inserted_names_.at(u);
        p.push_back(std::move(o));
    }
    for (const auto& o : extra_) p.push_back(o);
    if (increment_) {
        const auto& [table, rc] = *increment_;
        const auto& [row, column] = rc;
        p.push_back({{"op", "mutate"}, {"table", table}, {"where", uuid_where(row)},
                     {"mutations", json::array({json::array({column, "+=", 1})})}});
        p.push_back({{"op", "select"}, {"table", table}, {"where", uuid_where(row)},
                     {"columns", json::array({column})}});
    }
    if (std::string all = joined_comments(); !all.empty()) p.push_back({{"op", "comment"}, {"comment", all}});
    return p;
}

Txn::Reader Txn::reader() const {
    Reader r;
    Layout& layout = r.layout_;
    if (!lock_.empty()) layout.emplace_back(OpKind::Assert, Uuid{});
    for (size_t i = 0; i < waits_.size(); ++i) layout.emplace_back(OpKind::Wait, Uuid{});
    for (const Uuid& u : write_order_) {
        const RowWrite& w = writes_.at(u);
        if (w.remove && !w.insert) layout.emplace_back(OpKind::Write, u);
        else if (w.insert) layout.emplace_back(OpKind::Insert, u);
        else if (!w.cols.empty()) layout.emplace_back(OpKind::Write, u);
    }
    for (size_t i = 0; i < extra_.size(); ++i) layout.emplace_back(OpKind::Extra, Uuid{});
    if (increment_) {
        layout.emplace_back(OpKind::IncMutate, increment_->second.first);
        layout.emplace_back(OpKind::IncSelect, increment_->second.first);
        r.increment_column_ = increment_->second.second;
    }
    if (!joined_comments().empty()) layout.emplace_back(OpKind::Comment, Uuid{});
    return r;
}

Result Txn::Reader::interpret(const json& result, const json& error) const {
    Result r;
    r.reply = result;
    if (!error.is_null()) {
        r.status = Result::Status::Error;
        r.error = error.is_string() ? error.get<std::string>() : error.dump();
        return r;
    }
    if (!result.is_array()) {
        r.status = Result::Status::Error;
        r.error = "malformed transaction reply: " + result.dump();
        return r;
    }
    const Layout& layout = layout_;
    auto err_text = [](const json& e) {
        std::string s = e.value("error", std::string("error"));
        if (e.contains("details") && e["details"].is_string()) s += ": " + e["details"].get<std::string>();
        return s;
    };
    for (size_t i = 0; i < result.size(); ++i) {
        const json& e = result[i];
        if (!e.is_object() || !e.contains("error")) continue;
        OpKind k = i < layout.size() ? layout[i].first : OpKind::Extra;
        std::string kind = e["error"].is_string() ? e["error"].get<std::string>() : "";
        if (k == OpKind::Wait && kind == "timed out") {
            r.status = Result::Status::TryAgain;
            return r;
        }
        if (k == OpKind::Assert && kind == "not owner") {
            r.status = Result::Status::NotLocked;
            r.error = err_text(e);
            return r;
        }
        r.status = Result::Status::Error;
        r.error = err_text(e);
        return r;
    }
    if (result.size() < layout.size()) {
        r.status = Result::Status::Error;
        r.error = "transaction reply has " + std::to_string(result.size()) + " results for " +
                  std::to_string(layout.size()) + " operations";
        return r;
    }
    r.status = Result::Status::Success;
    for (size_t i = 0; i < layout.size(); ++i) {
        const json& e = result[i];
        if (layout[i].first == OpKind::Insert && e.is_object() && e.contains("uuid")) {
            const json& u = e["uuid"];
            if (u.is_array() && u.size() == 2 && u[1].is_string())
                if (auto real = Uuid::parse(u[1].get<std::string>())) r.inserted[layout[i].second] = *real;
        }
        if (layout[i].first == OpKind::IncSelect && increment_column_ && e.is_object() && e.contains("rows")) {
            const json& rows = e["rows"];
            const std::string& column = *increment_column_;
            if (rows.is_array() && !rows.empty() && rows[0].contains(column) && rows[0][column].is_number_integer())
                r.increment = rows[0][column].get<int64_t>();
        }
    }
    return r;
}

}  // namespace ovsdb::idl
