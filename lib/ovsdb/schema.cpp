#include "ovsdb/schema.hpp"

#include <cctype>
#include <sstream>

namespace ovsdb {

bool is_valid_id(std::string_view s, std::string_view also_allowed) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
              also_allowed.find(c) != std::string_view::npos))
            return false;
    return true;
}

bool is_implicit_column(const std::string& name) { return name == "_uuid" || name == "_version"; }

json ColumnSchema::to_json() const {
    json j{{"type", type.to_json()}};
    if (ephemeral) j["ephemeral"] = true;
    if (!mutable_) j["mutable"] = false;
    return j;
}

const ColumnSchema* TableSchema::column(const std::string& n) const {
    auto it = column_index.find(n);
    return it == column_index.end() ? nullptr : &columns[it->second];
}

long TableSchema::index_of(const std::string& n) const {
    auto it = column_index.find(n);
    return it == column_index.end() ? -1 : static_cast<long>(it->second);
}

json TableSchema::to_json() const {
    json cols = json::object();
    for (const auto& c : columns) cols[c.name] = c.to_json();
    json j{{"columns", cols}};
    if (max_rows) j["maxRows"] = max_rows;
    if (is_root) j["isRoot"] = true;
    if (!indexes.empty()) {
        json idx = json::array();
        for (const auto& ix : indexes) {
            json one = json::array();
            for (size_t c : ix) one.push_back(columns[c].name);
            idx.push_back(one);
        }
        j["indexes"] = idx;
    }
    return j;
}

json DatabaseSchema::to_json() const {
    bool all_root = true;
    for (const auto& [n, t] : tables) all_root = all_root && t.is_root;
    json ts = json::object();
    for (const auto& [n, t] : tables) {
        json tj = t.to_json();
        if (all_root) tj.erase("isRoot");
        ts[n] = std::move(tj);
    }
    json j{{"name", name}, {"tables", std::move(ts)}};
    if (!version.empty()) j["version"] = version;
    if (!cksum.empty()) j["cksum"] = cksum;
    return j;
}

const TableSchema* DatabaseSchema::table(const std::string& n) const {
    auto it = tables.find(n);
    return it == tables.end() ? nullptr : &it->second;
}

DatabaseSchema DatabaseSchema::from_json(const json& j) {
    if (!j.is_object()) throw syntax_error(j, "database schema is not a JSON object");
    DatabaseSchema s;
    s.original = j;
    if (!j.contains("name") || !j["name"].is_string() || !is_valid_id(j["name"].get<std::string>()))
        throw syntax_error(j, "database schema needs a valid \"name\"");
    s.name = j["name"].get<std::string>();
    if (j.contains("version")) {
        if (!j["version"].is_string()) throw syntax_error(j, "\"version\" must be a string");
        s.version = j["version"].get<std::string>();
        compare_versions(s.version, s.version);   // validates the form
    }
    if (j.contains("cksum") && j["cksum"].is_string()) s.cksum = j["cksum"].get<std::string>();
    if (!j.contains("tables") || !j["tables"].is_object()) throw syntax_error(j, "database schema needs \"tables\"");
    bool any_root_flag = false;
    for (auto& [tname, tj] : j["tables"].items()) {
        if (!is_valid_id(tname) || tname[0] == '_') throw syntax_error(j, "invalid table name \"" + tname + "\"");
        if (!tj.is_object() || !tj.contains("columns") || !tj["columns"].is_object())
            throw syntax_error(tj, "table " + tname + " needs a \"columns\" object");
        TableSchema t;
        t.name = tname;
        for (auto& [cname, cj] : tj["columns"].items()) {
            if (!is_valid_id(cname) || cname[0] == '_')
                throw syntax_error(tj, "invalid column name \"" + cname + "\" in table " + tname);
            if (!cj.is_object() || !cj.contains("type")) throw syntax_error(cj, "column " + cname + " needs a type");
            ColumnSchema c;
            c.name = cname;
            c.type = Type::from_json(cj["type"]);
            for (auto& [k, v] : cj.items()) {
                if (k == "type") continue;
                if (k == "ephemeral" && v.is_boolean()) c.ephemeral = v.get<bool>();
                else if (k == "mutable" && v.is_boolean()) c.mutable_ = v.get<bool>();
                else throw syntax_error(cj, "unknown member \"" + k + "\" in column " + cname);
            }
            t.column_index[cname] = t.columns.size();
            t.columns.push_back(std::move(c));
        }
        if (tj.contains("isRoot")) {
            if (!tj["isRoot"].is_boolean()) throw syntax_error(tj, "isRoot must be a boolean");
            t.is_root = tj["isRoot"].get<bool>();
            any_root_flag = true;
        }
        if (tj.contains("maxRows")) {
            if (!tj["maxRows"].is_number_integer() || tj["maxRows"].get<int64_t>() < 1)
                throw syntax_error(tj, "maxRows must be a positive integer");
            t.max_rows = tj["maxRows"].get<unsigned>();
        }
        if (tj.contains("indexes")) {
            if (!tj["indexes"].is_array()) throw syntax_error(tj, "indexes must be an array");
            for (const auto& ix : tj["indexes"]) {
                if (!ix.is_array() || ix.empty()) throw syntax_error(tj, "each index must be a non-empty array");
                std::vector<size_t> cols;
                for (const auto& cn : ix) {
                    if (!cn.is_string()) throw syntax_error(ix, "index columns must be names");
                    long ci = t.index_of(cn.get<std::string>());
                    if (ci < 0) throw syntax_error(ix, "index column " + cn.dump() + " is not a column of " + tname);
                    if (t.columns[static_cast<size_t>(ci)].ephemeral)
                        throw syntax_error(ix, "ephemeral column " + cn.dump() + " cannot be indexed");
                    cols.push_back(static_cast<size_t>(ci));
                }
                t.indexes.push_back(cols);
            }
        }
        for (auto& [k, v] : tj.items())
            if (k != "columns" && k != "isRoot" && k != "maxRows" && k != "indexes")
                throw syntax_error(tj, "unknown member \"" + k + "\" in table " + tname);
        s.tables[tname] = std::move(t);
    }
    // RFC 7047: if no table says isRoot, every table is a root table.
    if (!any_root_flag)
        for (auto& [n, t] : s.tables) t.is_root = true;
    for (auto& [n, t] : s.tables) {
        for (const auto& c : t.columns) {
            for (const BaseType* b : {&c.type.key, c.type.value ? &*c.type.value : nullptr}) {
                if (b && !b->ref_table.empty() && !s.tables.count(b->ref_table))
                    throw syntax_error(j, "column " + n + "." + c.name + " refers to undefined table " + b->ref_table);
            }
        }
    }
    return s;
}

int compare_versions(const std::string& a, const std::string& b) {
    auto parse = [](const std::string& v) {
        std::vector<long> parts;
        std::stringstream ss(v);
        std::string p;
        while (std::getline(ss, p, '.')) {
            if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos)
                throw Error("syntax error", "\"" + v + "\" is not a valid version (expected x.y.z)");
            parts.push_back(std::stol(p));
        }
        if (parts.size() != 3) throw Error("syntax error", "\"" + v + "\" is not a valid version (expected x.y.z)");
        return parts;
    };
    auto pa = parse(a), pb = parse(b);
    return pa < pb ? -1 : (pa > pb ? 1 : 0);
}

}  // namespace ovsdb
