#include "utilities/vsctl/context.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <set>

#include "ovsdb/error.hpp"

namespace vsctl {

namespace {

char fold(char c) { return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// How well user input `s` matches `name`: UINT_MAX exact, UINT_MAX-1 equal
// but for case and '-'/'_', else the length of a matching prefix (0: none).
unsigned score_partial_match(const std::string& name, const std::string& s) {
    if (name == s) return UINT_MAX;
    size_t i = 0;
    for (;; ++i) {
        char a = i < name.size() ? name[i] : '\0';
        char b = i < s.size() ? s[i] : '\0';
        if (fold(a) != fold(b)) break;
        if (a == '\0') return UINT_MAX - 1;
    }
    return i >= s.size() ? static_cast<unsigned>(i) : 0;
}

template <typename Items, typename NameOf>
std::vector<std::string> best_matches(const Items& items, const std::string& s, NameOf name_of) {
    unsigned best = 0;
    std::vector<std::string> out;
    for (const auto& it : items) {
        const std::string& name = name_of(it);
        unsigned score = score_partial_match(name, s);
        if (score && score >= best) {
            if (score > best) out.clear();
            best = score;
            out.push_back(name);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string s;
    for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
    return s;
}

bool is_partial_uuid(const std::string& s) {
    if (s.size() < 4 || s.size() > 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

// How a table's records are named on the command line: by a column of the
// table itself, or of another table whose row refers to the record.
struct RowId {
    const char* name_table;
    const char* name_column;
    const char* uuid_column;   // in name_table; nullptr: the record itself
};

const RowId* row_id(const std::string& table) {
    static const std::map<std::string, RowId> ids = {
        {"Bridge", {"Bridge", "name", nullptr}},
        {"Controller", {"Bridge", "name", "controller"}},
        {"Interface", {"Interface", "name", nullptr}},
        {"Mirror", {"Mirror", "name", nullptr}},
        {"Manager", {"Manager", "target", nullptr}},
        {"NetFlow", {"Bridge", "name", "netflow"}},
        {"Port", {"Port", "name", nullptr}},
        {"QoS", {"Port", "name", "qos"}},
        {"sFlow", {"Bridge", "name", "sflow"}},
        {"Flow_Table", {"Flow_Table", "name", nullptr}},
        {"IPFIX", {"Bridge", "name", "ipfix"}},
        {"AutoAttach", {"Bridge", "name", "auto_attach"}},
        {"Flow_Sample_Collector_Set", {"Flow_Sample_Collector_Set", "id", nullptr}},
    };
    auto it = ids.find(table);
    return it == ids.end() ? nullptr : &it->second;
}

}  // namespace

const ovsdb::TableSchema& Context::get_table(const std::string& name) {
    const auto& tables = view.schema().tables;
    auto m = best_matches(tables, name, [](const auto& kv) -> const std::string& { return kv.first; });
    if (m.empty()) throw Fatal("unknown table \"" + name + "\"");
    if (m.size() > 1) throw Fatal("\"" + name + "\" matches multiple table names: " + join(m, ", "));
    return tables.at(m[0]);
}

const ovsdb::ColumnSchema& Context::get_column(const ovsdb::TableSchema& t, const std::string& name) {
    auto m = best_matches(t.columns, name, [](const auto& c) -> const std::string& { return c.name; });
    if (m.empty()) throw Fatal(t.name + " does not contain a column whose name matches \"" + name + "\"");
    if (m.size() > 1)
        throw Fatal(t.name + " contains more than one column whose name matches \"" + name + "\": " + join(m, ", "));
    return *t.column(m[0]);
}

VRow* Context::get_row(const ovsdb::TableSchema& t, const std::string& id, bool must_exist) {
    VRow* row = nullptr;
    if (auto u = Uuid::parse(id)) row = view.find(t.name, *u);
    if (!row && id == ".") {
        auto rows = view.rows(t.name);
        if (rows.size() == 1) row = rows[0];
    }
    if (!row) {
        if (const RowId* rid = row_id(t.name)) {
            const ovsdb::TableSchema& nt = view.table(rid->name_table);
            const ovsdb::ColumnSchema* nc = nt.column(rid->name_column);
            bool integer = nc && nc->type.key.type == ovsdb::AtomicType::Integer;
            bool valid = !integer || (!id.empty() && id.find_first_not_of("0123456789") == std::string::npos);
            VRow* referrer = nullptr;
            if (nc && valid) {
                for (VRow* r : view.rows(nt.name)) {
                    const Datum& d = r->get(nc->name);
                    if (d.size() != 1) continue;
                    const ovsdb::Atom& a = d.keys()[0];
                    bool match = integer ? a.integer() == std::stoll(id)
                                         : (a.string() == id || (id.size() >= 4 && Uuid::is_valid(a.string()) &&
                                                                 a.string().compare(0, id.size(), id) == 0));
                    if (!match) continue;
                    if (referrer) throw Fatal("multiple rows in " + nt.name + " match \"" + id + "\"");
                    referrer = r;
                }
            }
            if (referrer) {
                if (rid->uuid_column) {
                    view.verify(referrer, rid->uuid_column);
                    auto refs = referrer->refs(rid->uuid_column);
                    row = refs.size() == 1 ? view.find(t.name, refs[0]) : nullptr;
                } else {
                    row = referrer;
                }
            }
        }
    }
    if (!row && is_partial_uuid(id)) {
        for (VRow* r : view.rows(t.name)) {
            if (r->uuid.to_string().compare(0, id.size(), id) != 0) continue;
            if (row)
                throw Fatal(t.name + " contains 2 or more rows whose UUIDs begin with " + id + ": at least " +
                            row->uuid.to_string() + " and " + r->uuid.to_string());
            row = r;
        }
    }
    if (must_exist && !row) throw Fatal("no row \"" + id + "\" in table " + t.name);
    return row;
}

SymbolResolver Context::resolver() {
    return [this](const std::string& name, const ovsdb::BaseType& base) {
        Symbol& s = symbols[name];
        if (base.is_ref()) {
            if (base.ref_type == ovsdb::RefType::Strong) s.strong_ref = true;
            else s.weak_ref = true;
        }
        return s.uuid;
    };
}

Symbol& Context::create_symbol(const std::string& id, bool* is_new) {
    if (id.empty() || id[0] != '@') throw Fatal("row id \"" + id + "\" does not begin with \"@\"");
    if (is_new) *is_new = symbols.find(id) == symbols.end();
    Symbol& s = symbols[id];
    if (s.created) throw Fatal("row id \"" + id + "\" may only be specified on one --id option");
    s.created = true;
    return s;
}

void Context::check_mutable(VRow* row, const ovsdb::ColumnSchema& c) {
    if (!c.mutable_ && !row->is_new)
        throw Fatal("cannot modify read-only column " + c.name + " in table " + row->table->name);
}

void Context::set_column(VRow* row, const std::string& arg) {
    const char* p = arg.c_str();
    std::string cname;
    try {
        cname = parse_token(&p);
    } catch (const ParseError& e) {
        throw Fatal(e.what());
    }
    if (cname.empty()) throw Fatal(arg + ": missing column name");
    const ovsdb::ColumnSchema& col = get_column(*row->table, cname);
    std::optional<std::string> key;
    if (*p == ':') {
        ++p;
        key = parse_token(&p);
    }
    if (*p != '=' || !p[1]) throw Fatal(arg + ": argument does not end in \"=\" followed by a value.");
    std::string value = p + 1;
    check_mutable(row, col);
    auto res = resolver();
    try {
        if (key) {
            if (!col.type.is_map()) throw Fatal("cannot specify key to set for non-map column " + col.name);
            Atom k = atom_from_string(col.type.key, *key, &res);
            Atom v = atom_from_string(*col.type.value, value, &res);
            Datum d = row->get(col.name);
            long i = d.find(k);
            if (i >= 0) {
                d.mutable_values()[static_cast<size_t>(i)] = v;
            } else {
                Datum add({k}, {v});
                add.set_map(true);
                d.insert_all(add);
            }
            view.verify(row, col.name);
            view.set(row, col.name, std::move(d));
        } else {
            view.set(row, col.name, datum_from_string(col.type, value, &res));
        }
    } catch (const ParseError& e) {
        throw Fatal(e.what());
    }
}

// ---------------------------------------------------------------- cache

void Context::invalidate_cache() {
    cache_.reset();
}

void Context::add_port_to_cache(Bridge* parent, VRow* port_cfg) {
    auto tag = port_cfg->integer("tag");
    if (tag && *tag >= 0 && *tag <= 4095) {
        auto it = parent->children.find(static_cast<int>(*tag));
        if (it != parent->children.end()) parent = it->second;
    }
    auto port = std::make_unique<Port>(Port{port_cfg, parent, {}});
    parent->ports.push_back(port.get());
    Port* raw = port.get();
    cache_->ports.emplace(port_cfg->string("name"), std::move(port));
    for (const Uuid& iu : port_cfg->refs("interfaces")) {
        VRow* iface_cfg = view.find("Interface", iu);
        if (!iface_cfg) continue;
        std::string iname = iface_cfg->string("name");
        if (cache_->ifaces.count(iname)) continue;   // duplicate: the database is inconsistent
        auto iface = std::make_unique<Iface>(Iface{iface_cfg, raw});
        raw->ifaces.push_back(iface.get());
        cache_->ifaces.emplace(iname, std::move(iface));
    }
}

void Context::populate_cache() {
    if (cache_) return;
    cache_.emplace();
    auto is_fake = [](VRow* p) {
        auto tag = p->integer("tag");
        const Datum& fb = p->get("fake_bridge");
        return !fb.empty() && fb.keys()[0].boolean() && tag && *tag >= 0 && *tag <= 4095;
    };
    std::vector<VRow*> brs;
    for (const Uuid& u : ovs->refs("bridges"))
        if (VRow* b = view.find("Bridge", u)) brs.push_back(b);
    std::set<std::string> seen_ports;
    for (VRow* b : brs) {
        std::string name = b->string("name");
        if (cache_->bridges.count(name)) continue;
        auto br = std::make_unique<Bridge>();
        br->name = name;
        br->cfg = b;
        Bridge* raw = br.get();
        cache_->bridges.emplace(name, std::move(br));
        for (const Uuid& pu : b->refs("ports")) {
            VRow* p = view.find("Port", pu);
            if (!p || !seen_ports.insert(p->string("name")).second) continue;
            if (is_fake(p) && !cache_->bridges.count(p->string("name"))) {
                auto fb = std::make_unique<Bridge>();
                fb->name = p->string("name");
                fb->parent = raw;
                fb->vlan = static_cast<int>(*p->integer("tag"));
                raw->children.emplace(fb->vlan, fb.get());
                cache_->bridges.emplace(fb->name, std::move(fb));
            }
        }
    }
    std::set<std::string> done;
    for (VRow* b : brs) {
        std::string name = b->string("name");
        if (!done.insert(name).second) continue;
        Bridge* br = cache_->bridges.at(name).get();
        for (const Uuid& pu : b->refs("ports")) {
            VRow* p = view.find("Port", pu);
            if (!p || cache_->ports.count(p->string("name"))) continue;
            add_port_to_cache(br, p);
        }
    }
}

std::map<std::string, Context::Bridge*> Context::bridges() const {
    std::map<std::string, Bridge*> out;
    for (auto& [n, b] : cache_->bridges) out.emplace(n, b.get());
    return out;
}

void Context::verify_ports() {
    if (verified_ports_) return;
    verified_ports_ = true;
    view.verify(ovs, "bridges");
    for (VRow* b : view.rows("Bridge")) view.verify(b, "ports");
    for (VRow* p : view.rows("Port")) view.verify(p, "interfaces");
}

Context::Bridge* Context::find_bridge(const std::string& name, bool must_exist) {
    populate_cache();
    auto it = cache_->bridges.find(name);
    Bridge* br = it == cache_->bridges.end() ? nullptr : it->second.get();
    if (must_exist && !br) throw Fatal("no bridge named " + name);
    view.verify(ovs, "bridges");
    return br;
}

Context::Bridge* Context::find_real_bridge(const std::string& name, bool must_exist) {
    Bridge* br = find_bridge(name, must_exist);
    if (br && br->parent) throw Fatal(name + " is a fake bridge");
    return br;
}

Context::Port* Context::find_port(const std::string& name, bool must_exist) {
    populate_cache();
    auto it = cache_->ports.find(name);
    Port* p = it == cache_->ports.end() ? nullptr : it->second.get();
    if (p && p->bridge->name == name) p = nullptr;   // a bridge's local port is not a port
    if (must_exist && !p) throw Fatal("no port named " + name);
    verify_ports();
    return p;
}

Context::Iface* Context::find_iface(const std::string& name, bool must_exist) {
    populate_cache();
    auto it = cache_->ifaces.find(name);
    Iface* i = it == cache_->ifaces.end() ? nullptr : it->second.get();
    if (i && i->port->bridge->name == name) i = nullptr;
    if (must_exist && !i) throw Fatal("no interface named " + name);
    verify_ports();
    return i;
}

void Context::check_conflicts(const std::string& name, const std::string& msg) {
    populate_cache();
    verify_ports();
    if (cache_->bridges.count(name)) throw Fatal(msg + " because a bridge named " + name + " already exists");
    if (auto it = cache_->ports.find(name); it != cache_->ports.end())
        throw Fatal(msg + " because a port named " + name + " already exists on bridge " + it->second->bridge->name);
    if (auto it = cache_->ifaces.find(name); it != cache_->ifaces.end())
        throw Fatal(msg + " because an interface named " + name + " already exists on bridge " +
                    it->second->port->bridge->name);
}

}  // namespace vsctl
