#include "ovsdb-server/db_remotes.hpp"

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(remotes);

namespace ovsdb::server {

namespace {
constexpr std::chrono::milliseconds kStatusInterval{2500};

std::optional<int64_t> int_column(const TableSchema& t, const Row& r, const char* name) {
    long ci = t.index_of(name);
    if (ci < 0) return std::nullopt;
    const Datum& d = r.cols[static_cast<size_t>(ci)];
    if (d.size() != 1 || d.keys()[0].type() != AtomicType::Integer) return std::nullopt;
    return d.keys()[0].integer();
}
}  // namespace

DbRemotes::DbRemotes(boost::asio::io_context& io, Server& server, Remotes& remotes, PkiOptions pki)
    : io_(io), server_(server), remotes_(remotes), pki_(std::move(pki)), timer_(io) {
    server_.add_commit_observer([this](Database&, const Changeset&) {
        if (!writing_) refresh();
    });
    schedule_status();
}

std::optional<DbRemotes::Spec> DbRemotes::parse(const std::string& spec, std::string* err) const {
    if (spec.rfind("db:", 0) != 0) {
        *err = spec + ": not a db: remote";
        return std::nullopt;
    }
    std::string rest = spec.substr(3);
    auto c1 = rest.find(','), c2 = rest.find(',', c1 == std::string::npos ? 0 : c1 + 1);
    if (c1 == std::string::npos || c2 == std::string::npos) {
        *err = "\"" + spec + "\": invalid syntax (expected db:DB,TABLE,COLUMN)";
        return std::nullopt;
    }
    Spec s{rest.substr(0, c1), rest.substr(c1 + 1, c2 - c1 - 1), rest.substr(c2 + 1)};
    Database* db = server_.find_database(s.db);
    if (!db) {
        *err = "\"" + spec + "\": no database named " + s.db;
        return std::nullopt;
    }
    const TableSchema* t = db->schema().table(s.table);
    if (!t) {
        *err = "\"" + spec + "\": no table named " + s.table;
        return std::nullopt;
    }
    const ColumnSchema* c = t->column(s.column);
    if (!c) {
        *err = "\"" + spec + "\": table " + s.table + " has no column " + s.column;
        return std::nullopt;
    }
    bool strings = c->type.key.type == AtomicType::String && !c->type.value;
    bool refs = c->type.key.is_ref() && !c->type.value;
    if (!strings && !refs) {
        *err = "\"" + spec + "\": column " + s.column + " is neither strings nor references";
        return std::nullopt;
    }
    return s;
}

std::string DbRemotes::add_spec(const std::string& spec) {
    std::string err;
    if (!parse(spec, &err)) return err;
    specs_.insert(spec);
    refresh();
    return {};
}

bool DbRemotes::remove_spec(const std::string& spec) {
    if (!specs_.erase(spec)) return false;
    refresh();
    return true;
}

std::optional<std::string> DbRemotes::read_string(const std::string& spec) const {
    if (spec.rfind("db:", 0) != 0) return spec;
    std::string err;
    auto s = parse(spec, &err);
    if (!s) return std::nullopt;
    Database* db = server_.find_database(s->db);
    const Table& t = db->table(s->table);
    long ci = t.schema->index_of(s->column);
    for (const auto& [u, r] : t.rows) {
        const Datum& d = r.cols[static_cast<size_t>(ci)];
        if (!d.empty() && d.keys()[0].type() == AtomicType::String && !d.keys()[0].string().empty())
            return d.keys()[0].string();
    }
    return std::nullopt;
}

void DbRemotes::refresh() {
    if (refreshing_) return;
    refreshing_ = true;
    // TLS settings first, so new ssl: remotes use them.
    common::SslConfig ssl;
    ssl.private_key = read_string(pki_.private_key).value_or("");
    ssl.certificate = read_string(pki_.certificate).value_or("");
    ssl.ca_cert = read_string(pki_.ca_cert).value_or("");
    ssl.bootstrap_ca_cert = pki_.bootstrap_ca_cert;
    if (!(ssl == remotes_.ssl())) remotes_.set_ssl(ssl);

    std::map<std::string, std::pair<RemoteOptions, std::optional<Managed>>> want;
    for (const auto& spec : specs_) {
        std::string err;
        auto s = parse(spec, &err);
        if (!s) continue;
        Database* db = server_.find_database(s->db);
        const Table& t = db->table(s->table);
        long ci = t.schema->index_of(s->column);
        const ColumnSchema& cs = t.schema->columns[static_cast<size_t>(ci)];
        for (const auto& [u, r] : t.rows) {
            const Datum& d = r.cols[static_cast<size_t>(ci)];
            for (const auto& a : d.keys()) {
                if (cs.type.key.type == AtomicType::String) {
                    want[a.string()] = {RemoteOptions{}, std::nullopt};
                    continue;
                }
                const Table& target_table = db->table(cs.type.key.ref_table);
                auto row = target_table.rows.find(a.uuid());
                if (row == target_table.rows.end()) continue;
                long tc = target_table.schema->index_of("target");
                if (tc < 0) continue;
                const Datum& target = row->second.cols[static_cast<size_t>(tc)];
                if (target.size() != 1 || target.keys()[0].type() != AtomicType::String) continue;
                RemoteOptions o;
                if (auto v = int_column(*target_table.schema, row->second, "max_backoff"))
                    o.max_backoff = std::chrono::milliseconds(*v);
                if (auto v = int_column(*target_table.schema, row->second, "inactivity_probe"))
                    o.inactivity_probe = std::chrono::milliseconds(*v);
                long oc = target_table.schema->index_of("other_config");
                if (oc >= 0) {
                    const Datum& m = row->second.cols[static_cast<size_t>(oc)];
                    long k = m.is_map() ? m.find(Atom(std::string("dscp"))) : -1;
                    if (k >= 0) o.dscp = std::atoi(m.values()[static_cast<size_t>(k)].string().c_str());
                }
                want[target.keys()[0].string()] = {o, Managed{s->db, cs.type.key.ref_table, a.uuid()}};
            }
        }
    }
    // Close what is no longer wanted, open or update what is.
    for (auto it = active_.begin(); it != active_.end();) {
        if (!want.count(it->first)) {
            VLOG_INFO("%s: remote removed from the database", it->first.c_str());
            remotes_.remove(it->first);
            it = active_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [name, w] : want) {
        std::string err = remotes_.add(name, w.first);
        if (!err.empty()) {
            VLOG_WARN("%s", err.c_str());
            continue;
        }
        active_[name] = w.second.value_or(Managed{});
    }
    refreshing_ = false;
}

void DbRemotes::schedule_status() {
    timer_.expires_after(kStatusInterval);
    timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec) return;
        write_status();
        schedule_status();
    });
}

// Writes is_connected and status into the rows remotes came from, only for
// rows whose status changed, in one transaction per database.
void DbRemotes::write_status() {
    std::map<std::string, json> ops;   // db -> operations
    for (const auto& [name, m] : active_) {
        if (m.table.empty()) continue;
        auto st = remotes_.status(name);
        if (!st) continue;
        Database* db = server_.find_database(m.db);
        if (!db) continue;
        const Table& t = db->table(m.table);
        if (!t.rows.count(m.row)) continue;
        json status_map = json::array();
        for (const auto& [k, v] : st->status) status_map.push_back(json::array({k, v}));
        json row = json::object();
        if (t.schema->column("is_connected")) row["is_connected"] = st->is_connected;
        if (t.schema->column("status")) row["status"] = json::array({"map", status_map});
        if (row.empty()) continue;
        auto key = std::make_pair(m.db + "/" + m.table, m.row);
        if (last_status_[key] == row) continue;
        last_status_[key] = row;
        ops[m.db].push_back(json{{"op", "update"},
                                 {"table", m.table},
                                 {"where", json::array({json::array({"_uuid", "==", json::array({"uuid", m.row.to_string()})})})},
                                 {"row", row}});
    }
    for (auto& [db, list] : ops) {
        writing_ = true;
        try {
            server_.transact_internal(db, list);
        } catch (const std::exception& e) {
            VLOG_WARN("could not write remote status to %s: %s", db.c_str(), e.what());
        }
        writing_ = false;
    }
}

}  // namespace ovsdb::server
