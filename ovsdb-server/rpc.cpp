#include "ovsdb-server/rpc.hpp"

#include <algorithm>
#include <chrono>
#include <unordered_map>

#include "common/jsonrpc.hpp"
#include "common/vlog.hpp"
#include "ovsdb-server/transaction.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb_server_rpc);

namespace ovsdb::server {

using common::jsonrpc::error_reply;
using common::jsonrpc::notification;
using common::jsonrpc::reply;

namespace {

// The _Server database (Open vSwitch's _server.ovsschema, version 1.2.0):
// one Database row per database this server holds.  Clients read it to learn
// that a database is there and ready before they monitor it.
const char* kServerSchema = R"({
  "name": "_Server",
  "version": "1.2.0",
  "tables": {
    "Database": {
      "columns": {
        "name": {"type": "string"},
        "model": {"type": {"key": {"type": "string",
                                   "enum": ["set", ["standalone", "clustered", "relay"]]}}},
        "connected": {"type": "boolean"},
        "leader": {"type": "boolean"},
        "schema": {"type": {"key": {"type": "string"}, "min": 0, "max": 1}},
        "cid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
        "sid": {"type": {"key": {"type": "uuid"}, "min": 0, "max": 1}},
        "index": {"type": {"key": {"type": "integer"}, "min": 0, "max": 1}}},
      "isRoot": true}}})";

bool valid_lock_name(const std::string& s) { return is_valid_id(s, "-."); }

json error_object(const Error& e) { return e.to_json(); }

}  // namespace

struct Server::Trigger {
    std::weak_ptr<Session> session;
    Session* raw = nullptr;
    json id;
    std::string db;
    json ops;
    std::chrono::steady_clock::time_point start;
    std::unique_ptr<boost::asio::steady_timer> timer;
    bool done = false;
};

Server::Server(boost::asio::io_context& io) : io_(io), apply_timer_(io) {
    auto schema = DatabaseSchema::from_json(json::parse(kServerSchema));
    dbs_["_Server"] = std::make_unique<Database>(std::move(schema));
}

Server::~Server() = default;

void Server::open_database(const std::string& path) {
    auto storage = Storage::open(path, false, exclusive_storage_);
    auto db = std::make_unique<Database>(std::move(storage));
    std::string name = db->name();
    if (dbs_.count(name)) throw std::runtime_error(path + ": a database named " + name + " is already being served");
    dbs_[name] = std::move(db);
    update_server_db();
}

void Server::close_database(const std::string& name) {
    if (name == "_Server") return;
    auto it = dbs_.find(name);
    if (it == dbs_.end()) return;
    // Monitors of that database end, and their clients are told by the
    // _Server update (and by connection closure for unaware clients).
    for (Session* s : sessions_) {
        for (auto m = s->monitors.begin(); m != s->monitors.end();) {
            if (&m->second->db() == it->second.get())
                m = s->monitors.erase(m);
            else
                ++m;
        }
        if (!s->db_change_aware && s->peer) s->peer->close();
    }
    dbs_.erase(it);
    update_server_db();
}

std::vector<std::string> Server::database_names() const {
    std::vector<std::string> v;
    for (const auto& [n, d] : dbs_) v.push_back(n);
    return v;
}

Database* Server::find_database(const std::string& name) {
    auto it = dbs_.find(name);
    return it == dbs_.end() ? nullptr : it->second.get();
}

std::shared_ptr<Session> Server::connect(std::shared_ptr<Peer> peer) {
    auto s = std::make_shared<Session>(std::move(peer));
    sessions_.insert(s.get());
    owned_.push_back(s);
    return s;
}

void Server::disconnect(Session& s) {
    if (s.closed) return;
    s.closed = true;
    release_locks(s);
    for (auto& t : triggers_)
        if (t->raw == &s) {
            t->done = true;
            if (t->timer) t->timer->cancel();
        }
    triggers_.erase(std::remove_if(triggers_.begin(), triggers_.end(), [](auto& t) { return t->done; }),
                    triggers_.end());
    s.monitors.clear();
    sessions_.erase(&s);
    owned_.erase(std::remove_if(owned_.begin(), owned_.end(), [&](auto& p) { return p.get() == &s; }), owned_.end());
}

void Server::receive(Session& s, const json& msg) {
    if (s.closed) return;
    const bool has_method = msg.contains("method");
    const json id = msg.contains("id") ? msg["id"] : json(nullptr);
    if (!has_method) return;   // a reply (to an echo we sent): nothing to do
    bool reply_later = false;
    json out;
    try {
        out = dispatch(s, msg, &reply_later);
    } catch (const Error& e) {
        out = error_reply(error_object(e), id);
    } catch (const std::exception& e) {
        out = error_reply(Error("syntax error", e.what(), msg.dump()).to_json(), id);
    }
    if (id.is_null() || reply_later) return;   // notifications get no reply
    if (!s.closed && s.peer) deliver(s, out);
}

json Server::dispatch(Session& s, const json& req, bool* reply_later) {
    const std::string method = req["method"].get<std::string>();
    const json& params = req["params"];
    const json& id = req["id"];
    if (method == "echo") return reply(params, id);
    if (method == "list_dbs") return reply(database_names(), id);
    if (method == "get_schema") {
        if (params.size() != 1 || !params[0].is_string())
            throw syntax_error(params, "get_schema expects one database name");
        Database* db = find_database(params[0].get<std::string>());
        if (!db) throw Error("unknown database", "get_schema request specifies unknown database", params[0].dump());
        return reply(db->schema().to_json(), id);
    }
    if (method == "transact") return do_transact(s, req, reply_later);
    if (method == "monitor") return reply(do_monitor(s, params, Monitor::Version::V1), id);
    if (method == "monitor_cond") return reply(do_monitor(s, params, Monitor::Version::V2), id);
    if (method == "monitor_cond_since") return reply(do_monitor(s, params, Monitor::Version::V3), id);
    if (method == "monitor_cancel") {
        if (params.size() != 1) throw syntax_error(params, "monitor_cancel expects one monitor id");
        auto it = s.monitors.find(params[0].dump());
        if (it == s.monitors.end()) return error_reply("unknown monitor", id);
        s.monitors.erase(it);
        return reply(json::object(), id);
    }
    if (method == "monitor_cond_change") {
        if (params.size() != 3) throw syntax_error(params, "monitor_cond_change expects 3 parameters");
        auto it = s.monitors.find(params[0].dump());
        if (it == s.monitors.end()) return error_reply("unknown monitor", id);
        std::string new_key = params[1].dump();
        if (new_key != params[0].dump() && s.monitors.count(new_key))
            throw syntax_error(params, "duplicate monitor ID");
        std::unique_ptr<Monitor> m = std::move(it->second);
        s.monitors.erase(it);
        auto upd = m->change_conditions(params[2]);
        // The new id stands for the monitor from now on.
        json new_id = params[1];
        Monitor* raw = m.get();
        s.monitors[new_key] = std::move(m);
        json r = reply(json::object(), id);
        if (upd) {
            deliver(s, r);
            *reply_later = true;
            if (raw->version() == Monitor::Version::V3)
                deliver(s, notification("update3", json::array({new_id, raw->db().last_txn_id().to_string(), *upd})));
            else
                deliver(s, notification("update2", json::array({new_id, *upd})));
        }
        return r;
    }
    if (method == "lock" || method == "steal" || method == "unlock") return reply(do_lock(s, method, params), id);
    if (method == "set_db_change_aware") {
        s.db_change_aware = !params.empty() && params[0].is_boolean() && params[0].get<bool>();
        return reply(json::object(), id);
    }
    if (method == "get_server_id") return reply(server_id_.to_string(), id);
    if (method == "cancel") {
        // Cancels a transaction blocked in "wait"; "cancel" itself has no reply.
        *reply_later = true;
        if (params.size() == 1)
            for (auto& t : triggers_)
                if (t->raw == &s && !t->done && t->id == params[0]) {
                    t->done = true;
                    if (t->timer) t->timer->cancel();
                    deliver(s, error_reply("canceled", t->id));
                }
        return nullptr;
    }
    return error_reply("unknown method", id);
}

json Server::do_transact(Session& s, const json& req, bool* reply_later) {
    const json& params = req["params"];
    const json& id = req["id"];
    if (params.empty() || !params[0].is_string()) throw syntax_error(params, "transact expects a database name first");
    std::string dbname = params[0].get<std::string>();
    Database* db = find_database(dbname);
    if (!db) throw Error("unknown database", "transaction specifies unknown database " + dbname, params[0].dump());
    auto trig = std::make_shared<Trigger>();
    trig->raw = &s;
    for (auto& o : owned_)
        if (o.get() == &s) trig->session = o;
    trig->id = id;
    trig->db = dbname;
    trig->ops = json(params.begin() + 1, params.end());
    trig->start = std::chrono::steady_clock::now();
    if (run_trigger(trig)) {
        *reply_later = true;   // run_trigger sent the reply
        return nullptr;
    }
    triggers_.push_back(trig);
    *reply_later = true;
    return nullptr;
}

// Runs a (possibly blocked) transaction; true when it is finished and
// answered, false when it must wait for another commit or its timeout.
bool Server::run_trigger(const std::shared_ptr<Trigger>& t) {
    Session* s = t->raw;
    Database* db = find_database(t->db);
    if (!db) {
        deliver(*s, error_reply(Error("unknown database", "database " + t->db + " went away").to_json(), t->id));
        return true;
    }
    TxnContext ctx;
    ctx.owns_lock = [s](const std::string& l) { return s->locks_held.count(l) > 0; };
    ctx.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t->start).count();
    TxnOutcome out = execute_transaction(*db, t->ops, ctx);
    if (out.status == TxnOutcome::Status::Blocked) {
        if (out.wait_deadline_ms) arm_trigger_timer(t, *out.wait_deadline_ms);
        return false;
    }
    if (!out.error && !out.changes.empty()) {
        if (db->name() == "_Server") {
            out.result.push_back(Error("not allowed", "the _Server database is read-only").to_json());
        } else {
            try {
                commit(*db, out.changes);
            } catch (const StorageError& e) {
                VLOG_ERR("%s: commit failed: %s", t->db.c_str(), e.what());
                out.result.push_back(Error("I/O error", e.what()).to_json());
            }
        }
    }
    t->done = true;
    if (t->timer) t->timer->cancel();
    if (!s->closed && s->peer) deliver(*s, reply(std::move(out.result), t->id));
    return true;
}

void Server::arm_trigger_timer(const std::shared_ptr<Trigger>& t, int64_t deadline_ms) {
    if (t->timer) return;
    t->timer = std::make_unique<boost::asio::steady_timer>(io_, t->start + std::chrono::milliseconds(deadline_ms));
    std::weak_ptr<Trigger> weak = t;
    t->timer->async_wait([this, weak](const boost::system::error_code& ec) {
        if (ec) return;
        auto t = weak.lock();
        if (!t || t->done) return;
        if (run_trigger(t))
            triggers_.erase(std::remove(triggers_.begin(), triggers_.end(), t), triggers_.end());
    });
}

void Server::commit(Database& db, Changeset& cs) {
    db.commit(cs);   // throws StorageError: nothing applied, nothing sent
    if (db.storage() && db.storage()->log_pending()) schedule_log_apply();
    // Monitors with the same requests get the same update: serialize it once.
    std::map<std::string, std::string> bodies;
    const std::string txn_id = json(cs.txn_id.to_string()).dump();
    for (Session* s : sessions_) {
        if (s->closed || !s->peer) continue;
        for (auto& [key, m] : s->monitors) {
            if (&m->db() != &db) continue;
            auto it = bodies.find(m->signature());
            if (it == bodies.end()) {
                auto upd = m->update(cs);
                it = bodies.emplace(m->signature(), upd ? upd->dump() : std::string()).first;
            }
            if (it->second.empty()) continue;
            std::string msg;
            switch (m->version()) {
            case Monitor::Version::V1: msg = R"({"id":null,"method":"update","params":[)" + m->id().dump() + "," + it->second + "]}"; break;
            case Monitor::Version::V2: msg = R"({"id":null,"method":"update2","params":[)" + m->id().dump() + "," + it->second + "]}"; break;
            case Monitor::Version::V3:
                msg = R"({"id":null,"method":"update3","params":[)" + m->id().dump() + "," + txn_id + "," + it->second + "]}";
                break;
            }
            deliver_raw(*s, std::move(msg));
        }
    }
    retry_triggers(db);
    for (auto& f : observers_) f(db, cs);
}

void Server::schedule_log_apply() {
    if (apply_armed_) return;
    apply_armed_ = true;
    apply_timer_.expires_after(std::chrono::milliseconds(200));
    apply_timer_.async_wait([this](const boost::system::error_code& ec) {
        apply_armed_ = false;
        if (ec) return;
        for (auto& [n, db] : dbs_) {
            Storage* st = db->storage();
            if (!st || !st->log_pending()) continue;
            try {
                st->apply_log();
            } catch (const std::exception& e) {
                // The transactions are safe in the log; try again later.
                VLOG_ERR("%s: applying the transaction log failed: %s", n.c_str(), e.what());
                schedule_log_apply();
            }
        }
    });
}

void Server::deliver(Session& s, const json& msg) { deliver_raw(s, common::jsonrpc::to_wire(msg)); }

void Server::deliver_raw(Session& s, std::string text) {
    if (s.closed || !s.peer) return;
    if (batch_depth_ > 0) {
        held_.emplace_back(s.peer, std::move(text));
        return;
    }
    s.peer->send_raw(std::move(text));
}

void Server::begin_batch() {
    if (batch_depth_++ > 0) return;
    for (auto& [n, db] : dbs_)
        if (db->storage()) db->storage()->begin_batch();
}

void Server::end_batch() {
    if (batch_depth_ == 0 || --batch_depth_ > 0) return;
    for (auto& [n, db] : dbs_) {
        if (!db->storage()) continue;
        try {
            db->storage()->end_batch(false);
        } catch (const std::exception& e) {
            // The replies of this batch claim success: they must never go
            // out for commits that are not on disk.  Stop here instead.
            VLOG_EMER("%s: could not write committed transactions: %s", n.c_str(), e.what());
            std::abort();
        }
    }
    // Everything a peer is owed goes out in one write: replies to pipelined
    // requests and updates to monitors in order, joined.
    auto held = std::move(held_);
    held_.clear();
    std::vector<std::pair<std::shared_ptr<Peer>, std::string>> out;
    std::unordered_map<Peer*, size_t> slot;
    for (auto& [weak, text] : held) {
        auto p = weak.lock();
        if (!p) continue;
        auto [it, fresh] = slot.emplace(p.get(), out.size());
        if (fresh)
            out.emplace_back(std::move(p), std::move(text));
        else
            out[it->second].second += text;
    }
    for (auto& [p, text] : out) p->send_raw(std::move(text));
}

void Server::retry_triggers(Database& db) {
    // Each retry may commit and so call us again: work on a snapshot.
    auto pending = triggers_;
    for (auto& t : pending) {
        if (t->done || t->db != db.name()) continue;
        run_trigger(t);
    }
    triggers_.erase(std::remove_if(triggers_.begin(), triggers_.end(), [](auto& t) { return t->done; }),
                    triggers_.end());
}

json Server::do_monitor(Session& s, const json& params, Monitor::Version v) {
    size_t need = v == Monitor::Version::V3 ? 4 : 3;
    if (params.size() < 3 || params.size() > need || !params[0].is_string())
        throw syntax_error(params, "monitor expects [db, monitor-id, monitor-requests]");
    Database* db = find_database(params[0].get<std::string>());
    if (!db) throw Error("unknown database", "monitor request specifies unknown database", params[0].dump());
    std::string key = params[1].dump();
    if (s.monitors.count(key)) throw syntax_error(params[1], "duplicate monitor ID");
    auto m = std::make_unique<Monitor>(*db, params[1], v, params[2]);
    json initial = m->initial();
    s.monitors[key] = std::move(m);
    if (v == Monitor::Version::V3)
        // We keep no transaction history: the client always gets the full
        // contents ("found" false), which the protocol allows.
        return json::array({false, db->last_txn_id().to_string(), initial});
    return initial;
}

json Server::do_lock(Session& s, const std::string& method, const json& params) {
    if (params.size() != 1 || !params[0].is_string() || !valid_lock_name(params[0].get<std::string>()))
        throw syntax_error(params, method + " request params must be <id>");
    std::string name = params[0].get<std::string>();
    auto& q = locks_[name];
    auto it = std::find(q.begin(), q.end(), &s);
    if (method == "unlock") {
        if (it == q.end()) throw syntax_error(params, "unlock: \"unlock\" without \"lock\" or \"steal\"");
        bool was_owner = it == q.begin();
        q.erase(it);
        s.locks_held.erase(name);
        s.locks_waiting.erase(name);
        if (was_owner && !q.empty()) {
            Session* next = q.front();
            next->locks_waiting.erase(name);
            next->locks_held.insert(name);
            deliver(*next, notification("locked", json::array({name})));
        }
        if (q.empty()) locks_.erase(name);
        return json::object();
    }
    // The same messages as Open vSwitch's server.
    if (it != q.end()) throw syntax_error(params, "must issue \"unlock\" before new \"" + method + "\"");
    if (method == "lock") {
        q.push_back(&s);
        bool got = q.front() == &s;
        (got ? s.locks_held : s.locks_waiting).insert(name);
        return json{{"locked", got}};
    }
    // steal: the thief goes to the head of the queue; the owner it robbed
    // stays in the queue right behind it (as in Open vSwitch), so it gets the
    // lock back when the thief lets go.
    if (!q.empty()) {
        Session* victim = q.front();
        victim->locks_held.erase(name);
        victim->locks_waiting.insert(name);
        ++victim->locks_lost;
        deliver(*victim, notification("stolen", json::array({name})));
    }
    q.insert(q.begin(), &s);
    s.locks_waiting.erase(name);
    s.locks_held.insert(name);
    return json{{"locked", true}};
}

void Server::release_locks(Session& s) {
    for (auto it = locks_.begin(); it != locks_.end();) {
        auto& q = it->second;
        auto pos = std::find(q.begin(), q.end(), &s);
        if (pos != q.end()) {
            bool was_owner = pos == q.begin();
            q.erase(pos);
            if (was_owner && !q.empty()) {
                Session* next = q.front();
                next->locks_waiting.erase(it->first);
                next->locks_held.insert(it->first);
                deliver(*next, notification("locked", json::array({it->first})));
            }
        }
        it = q.empty() ? locks_.erase(it) : std::next(it);
    }
    s.locks_held.clear();
    s.locks_waiting.clear();
}

void Server::update_server_db() {
    Database& sdb = *dbs_.at("_Server");
    json ops = json::array({json{{"op", "delete"}, {"table", "Database"}, {"where", json::array()}}});
    for (const auto& [name, db] : dbs_) {
        if (name == "_Server") continue;
        ops.push_back(json{{"op", "insert"},
                           {"table", "Database"},
                           {"row", json{{"name", name},
                                        {"model", "standalone"},
                                        {"connected", true},
                                        {"leader", true},
                                        {"schema", db->schema().to_json().dump()}}}});
    }
    TxnContext ctx;
    TxnOutcome out = execute_transaction(sdb, ops, ctx);
    if (!out.error && !out.changes.empty()) commit(sdb, out.changes);
}

json Server::transact_internal(const std::string& dbname, const json& ops) {
    Database* db = find_database(dbname);
    if (!db) throw Error("unknown database", dbname);
    TxnContext ctx;
    TxnOutcome out = execute_transaction(*db, ops, ctx);
    if (out.status == TxnOutcome::Status::Blocked) throw Error("not supported", "internal transactions cannot wait");
    if (!out.error && !out.changes.empty()) commit(*db, out.changes);
    return out.result;
}

std::map<std::string, uint64_t> Server::memory_usage() const {
    uint64_t cells = 0, monitors = 0;
    for (const auto& [n, db] : dbs_) cells += db->n_cells();
    for (const Session* s : sessions_) monitors += s->monitors.size();
    return {{"cells", cells}, {"monitors", monitors}, {"triggers", triggers_.size()}};
}

}  // namespace ovsdb::server
