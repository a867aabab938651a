#include "ovsdb-server/monitor.hpp"

#include <algorithm>

namespace ovsdb::server {

namespace {

// The update2 diff of one column: the new value for columns that hold at
// most one element (optional ones included, as Open vSwitch does); for
// larger sets, the elements added or removed; for maps, pairs removed, added
// or changed.
Datum column_diff(const Type& t, const Datum& o, const Datum& n) {
    if (t.max == 1) return n;
    std::vector<Atom> keys, values;
    size_t i = 0, j = 0;
    const auto& ok = o.keys();
    const auto& nk = n.keys();
    while (i < ok.size() || j < nk.size()) {
        if (j == nk.size() || (i < ok.size() && ok[i] < nk[j])) {
            keys.push_back(ok[i]);
            if (t.value) values.push_back(o.values()[i]);
            ++i;
        } else if (i == ok.size() || nk[j] < ok[i]) {
            keys.push_back(nk[j]);
            if (t.value) values.push_back(n.values()[j]);
            ++j;
        } else {
            if (t.value && !(o.values()[i] == n.values()[j])) {
                keys.push_back(nk[j]);
                values.push_back(n.values()[j]);
            }
            ++i;
            ++j;
        }
    }
    Datum d(std::move(keys), std::move(values));
    d.set_map(t.is_map());
    return d;
}

// Diffs may hold more elements than the column allows.
Type diff_type(const Type& t) {
    Type d = t;
    d.min = 0;
    d.max = Type::kUnlimited;
    return d;
}

}  // namespace

Monitor::Monitor(Database& db, json id, Version v, const json& requests)
    : db_(db), id_(std::move(id)), version_(v),
      signature_(std::to_string(static_cast<int>(v)) + requests.dump()) {
    if (!requests.is_object()) throw syntax_error(requests, "monitor-requests must be an object");
    for (auto& [tname, reqs] : requests.items()) {
        const Table* t = db.find_table(tname);
        if (!t) throw syntax_error(requests, "no table named " + tname);
        std::vector<json> list;
        if (reqs.is_array())
            for (const auto& r : reqs) list.push_back(r);
        else
            list.push_back(reqs);
        for (const auto& r : list) {
            if (!r.is_object()) throw syntax_error(r, "monitor-request must be an object");
            TableMonitor tm;
            tm.schema = t->schema;
            if (auto c = r.find("columns"); c != r.end()) {
                if (!c->is_array()) throw syntax_error(r, "\"columns\" must be an array");
                for (const auto& cn : *c) {
                    if (!cn.is_string()) throw syntax_error(r, "column names must be strings");
                    long ci = t->schema->index_of(cn.get<std::string>());
                    if (ci < 0) {
                        if (cn == "_uuid" || cn == "_version") continue;
                        throw syntax_error(r, tname + " table does not have a " + cn.get<std::string>() + " column");
                    }
                    if (std::find(tm.columns.begin(), tm.columns.end(), static_cast<size_t>(ci)) != tm.columns.end())
                        throw syntax_error(r, "column " + cn.get<std::string>() + " mentioned more than once");
                    tm.columns.push_back(static_cast<size_t>(ci));
                }
            } else {
                for (size_t i = 0; i < t->schema->columns.size(); ++i) tm.columns.push_back(i);
            }
            if (auto s = r.find("select"); s != r.end()) {
                if (!s->is_object()) throw syntax_error(r, "\"select\" must be an object");
                tm.initial = s->value("initial", true);
                tm.insert = s->value("insert", true);
                tm.del = s->value("delete", true);
                tm.modify = s->value("modify", true);
            }
            if (auto w = r.find("where"); w != r.end()) {
                if (v == Version::V1) throw syntax_error(r, "\"where\" is not allowed in monitor");
                tm.cond = Condition::from_json(*w, *t->schema, nullptr);
            }
            tables_[tname].push_back(std::move(tm));
        }
    }
}

json Monitor::row_json(const TableMonitor& tm, const Row& r, bool skip_defaults) const {
    json j = json::object();
    for (size_t c : tm.columns) {
        const ColumnSchema& cs = tm.schema->columns[c];
        if (skip_defaults && r.cols[c] == Datum::default_for(cs.type)) continue;
        j[cs.name] = r.cols[c].to_json(cs.type);
    }
    return j;
}

json Monitor::diff_json(const TableMonitor& tm, const Row& o, const Row& n, bool* any) const {
    json j = json::object();
    *any = false;
    for (size_t c : tm.columns) {
        if (o.cols[c] == n.cols[c]) continue;
        const ColumnSchema& cs = tm.schema->columns[c];
        *any = true;
        if (version_ == Version::V1) {
            j[cs.name] = o.cols[c].to_json(cs.type);   // "old" holds the changed columns' old values
        } else {
            j[cs.name] = column_diff(cs.type, o.cols[c], n.cols[c]).to_json(diff_type(cs.type));
        }
    }
    return j;
}

void Monitor::add_update(json& out, const TableMonitor& tm, const Uuid& u, const Row* o, const Row* n) const {
    const std::string& tname = tm.schema->name;
    std::string key = u.to_string();
    bool om = o && tm.cond.matches(*o);
    bool nm = n && tm.cond.matches(*n);
    if (!om && !nm) return;
    json entry;
    if (version_ == Version::V1) {
        if (om && nm) {
            if (!tm.modify) return;
            bool any;
            json old_cols = diff_json(tm, *o, *n, &any);
            if (!any) return;
            entry = {{"old", old_cols}, {"new", row_json(tm, *n, false)}};
        } else if (nm) {
            if (!tm.insert) return;
            entry = {{"new", row_json(tm, *n, false)}};
        } else {
            if (!tm.del) return;
            entry = {{"old", row_json(tm, *o, false)}};
        }
    } else {
        if (om && nm) {
            if (!tm.modify) return;
            bool any;
            json diff = diff_json(tm, *o, *n, &any);
            if (!any) return;
            entry = {{"modify", diff}};
        } else if (nm) {
            if (!tm.insert) return;
            entry = {{"insert", row_json(tm, *n, true)}};
        } else {
            if (!tm.del) return;
            entry = {{"delete", nullptr}};
        }
    }
    out[tname][key] = std::move(entry);
}

json Monitor::initial() const {
    json out = json::object();
    for (const auto& [tname, tms] : tables_) {
        const Table* t = db_.find_table(tname);
        for (const auto& tm : tms) {
            if (!tm.initial) continue;
            if (tm.cond.always_false()) continue;
            for (const auto& [u, r] : t->rows) {
                if (!tm.cond.matches(r)) continue;
                if (version_ == Version::V1)
                    out[tname][u.to_string()] = json{{"new", row_json(tm, r, false)}};
                else
                    out[tname][u.to_string()] = json{{"initial", row_json(tm, r, true)}};
            }
        }
    }
    return out;
}

std::optional<json> Monitor::update(const Changeset& cs) const {
    json out = json::object();
    for (const auto& ch : cs.changes) {
        auto it = tables_.find(ch.table->name);
        if (it == tables_.end()) continue;
        for (const auto& tm : it->second)
            add_update(out, tm, ch.uuid, ch.old_row ? &*ch.old_row : nullptr, ch.new_row ? &*ch.new_row : nullptr);
    }
    if (out.empty()) return std::nullopt;
    return out;
}

std::optional<json> Monitor::change_conditions(const json& cond_requests) {
    if (!cond_requests.is_object()) throw syntax_error(cond_requests, "monitor-cond-change-requests must be an object");
    // Conditions are now this monitor's own: share updates with nobody.
    signature_ += "#" + std::to_string(reinterpret_cast<uintptr_t>(this)) + cond_requests.dump();
    json out = json::object();
    for (auto& [tname, reqs] : cond_requests.items()) {
        auto it = tables_.find(tname);
        if (it == tables_.end()) throw syntax_error(cond_requests, "table " + tname + " is not monitored");
        const json& req = reqs.is_array() && !reqs.empty() ? reqs[0] : reqs;
        if (!req.is_object()) throw syntax_error(cond_requests, "condition request must be an object");
        const Table* t = db_.find_table(tname);
        for (auto& tm : it->second) {
            Condition old_cond = tm.cond;
            if (auto w = req.find("where"); w != req.end()) tm.cond = Condition::from_json(*w, *t->schema, nullptr);
            if (auto c = req.find("columns"); c != req.end() && c->is_array()) {
                tm.columns.clear();
                for (const auto& cn : *c) {
                    long ci = cn.is_string() ? t->schema->index_of(cn.get<std::string>()) : -1;
                    if (ci >= 0) tm.columns.push_back(static_cast<size_t>(ci));
                }
            }
            for (const auto& [u, r] : t->rows) {
                bool was = old_cond.matches(r), is = tm.cond.matches(r);
                if (was == is) continue;
                out[tname][u.to_string()] = is ? json{{"insert", row_json(tm, r, true)}} : json{{"delete", nullptr}};
            }
        }
    }
    if (out.empty()) return std::nullopt;
    return out;
}

}  // namespace ovsdb::server
