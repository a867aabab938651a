#include "ovsdb/idl/idl.hpp"

#include <stdexcept>
#include <thread>

#include "common/vlog.hpp"
#include "ovsdb/error.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb_idl);

namespace ovsdb::idl {

namespace {

// The error handed to pending requests when the connection goes away.
const json& connection_lost() {
    static const json e = {{"error", "connection lost"}};
    return e;
}

constexpr const char* kMonitorId = "idl";

}  // namespace

Idl::Idl(asio::io_context& io, const std::string& remote, Options opts)
    : io_(io), remote_(remote), opts_(std::move(opts)), alive_(std::make_shared<bool>(true)) {
    std::string err;
    auto t = common::parse_target(remote, &err);
    if (!t) throw std::invalid_argument(remote + ": " + err);
    if (t->passive()) throw std::invalid_argument(remote + ": a client needs an active remote (unix:, tcp:, ssl:)");
    target_ = *t;
}

Idl::~Idl() {
    *alive_ = false;
    if (conn_) conn_->close("client exiting");
}

void Idl::replicate(const std::string& table, std::vector<std::string> columns) {
    wanted_[table] = std::move(columns);
}

void Idl::set_lock(const std::string& name) { lock_ = name; }

void Idl::start() {
    if (!opts_.reconnect) {
        connect_once();
        return;
    }
    auto ssl = [this] { return opts_.ssl; };
    reconnect_ = std::make_unique<common::Reconnect>(
        io_, target_, ssl, [this](std::unique_ptr<common::Stream> s) { on_connected(std::move(s)); });
    reconnect_->set_max_backoff(opts_.max_backoff);
    reconnect_->start();
}

void Idl::connect_once() {
    auto alive = alive_;
    common::async_connect(io_, target_, opts_.ssl,
                          [this, alive](std::unique_ptr<common::Stream> s, const std::string& error) {
                              if (!*alive) return;
                              if (!s) {
                                  last_error_ = error;
                                  failed_ = true;
                                  changed();
                                  return;
                              }
                              on_connected(std::move(s));
                          });
}

void Idl::force_reconnect() {
    if (conn_) conn_->close("reconnect requested");
    else if (reconnect_) reconnect_->force_reconnect();
}

void Idl::on_connected(std::unique_ptr<common::Stream> s) {
    auto conn = std::make_shared<common::Connection>(io_, std::move(s));
    conn_ = conn;
    conn->set_probe_interval(opts_.probe_interval);
    auto alive = alive_;
    std::weak_ptr<common::Connection> weak = conn;
    conn->start(
        [this, alive](json msg) {
            if (*alive) on_message(std::move(msg));
        },
        [this, alive, weak](const std::string& reason) {
            if (!*alive) return;
            // Only the current connection's end matters.
            auto c = weak.lock();
            if (c && c == conn_) on_closed(reason);
        });
    request("get_schema", json::array({opts_.database}), [this](const json& result, const json& error) {
        if (!error.is_null()) {
            if (error != connection_lost()) {
                std::string why = error.is_object() && error.contains("details") && error["details"].is_string()
                                      ? error["details"].get<std::string>()
                                  : error.is_string() ? error.get<std::string>()
                                                      : error.dump();
                fail_connection("get_schema failed: " + why);
            }
            return;
        }
        try {
            if (result != schema_json_) {
                DatabaseSchema schema = DatabaseSchema::from_json(result);
                if (schema.name != opts_.database) throw Error("syntax error", "schema is for database " + schema.name);
                replica_.reset(schema, wanted_);
                schema_json_ = result;
            }
        } catch (const std::exception& e) {
            fail_connection(std::string("bad schema from server: ") + e.what());
            return;
        }
        send_monitor(true);
    });
}

void Idl::send_monitor(bool cond) {
    json params = json::array({opts_.database, kMonitorId, replica_.monitor_requests()});
    request(cond ? "monitor_cond" : "monitor", params, [this, cond](const json& result, const json& error) {
        if (!error.is_null()) {
            if (error == connection_lost()) return;
            if (cond && error == "unknown method") {
                send_monitor(false);   // an older server: plain monitor
                return;
            }
            fail_connection("monitor failed: " + error.dump());
            return;
        }
        try {
            replica_.apply_initial(result, cond);
        } catch (const std::exception& e) {
            fail_connection(std::string("bad monitor reply: ") + e.what());
            return;
        }
        synced_ = true;
        ever_synced_ = true;
        last_error_.clear();
        if (!lock_.empty()) {
            request("lock", json::array({lock_}), [this](const json& res, const json& err) {
                if (!err.is_null()) return;
                has_lock_ = res.is_object() && res.value("locked", false);
                lock_contended_ = !has_lock_;
                changed();
            });
        }
        changed();
    });
}

void Idl::on_message(json msg) {
    if (common::jsonrpc::is_reply(msg)) {
        if (!msg["id"].is_number_unsigned()) return;
        auto it = pending_.find(msg["id"].get<uint64_t>());
        if (it == pending_.end()) return;
        auto done = std::move(it->second);
        pending_.erase(it);
        // Moved, not copied: a monitor reply holds the whole database.
        json result, error;
        if (auto r = msg.find("result"); r != msg.end()) result = std::move(*r);
        if (auto e = msg.find("error"); e != msg.end()) error = std::move(*e);
        done(result, error);
        return;
    }
    const std::string method = msg["method"].get<std::string>();
    const json& params = msg["params"];
    if (common::jsonrpc::is_request(msg)) {
        if (method == "echo") conn_->send(common::jsonrpc::reply(params, msg["id"]));
        else conn_->send(common::jsonrpc::error_reply("unknown method", msg["id"]));
        return;
    }
    if ((method == "update" || method == "update2") && params.is_array() && params.size() == 2) {
        if (params[0] != kMonitorId) return;
        try {
            replica_.apply_update(params[1], method == "update2");
        } catch (const std::exception& e) {
            // The replica can no longer be trusted: start over.
            fail_connection(std::string("bad update, resynchronising: ") + e.what());
            return;
        }
        changed();
    } else if (method == "locked" && !lock_.empty()) {
        has_lock_ = true;
        lock_contended_ = false;
        changed();
    } else if (method == "stolen" && !lock_.empty()) {
        has_lock_ = false;
        lock_contended_ = true;
        changed();
    }
}

void Idl::on_closed(const std::string& reason) {
    // The Connection is still running this callback: release it later.
    auto dead = std::move(conn_);
    asio::post(io_, [dead] {});
    synced_ = false;
    has_lock_ = false;
    if (!error_close_) last_error_ = reason;   // else the reason given by fail_connection()
    error_close_ = false;
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [id, done] : pending) done(json(), connection_lost());
    if (reconnect_) reconnect_->disconnected(reason);
    else failed_ = true;
    changed();
}

void Idl::fail_connection(const std::string& why) {
    last_error_ = why;
    VLOG_WARN("%s: %s", remote_.c_str(), why.c_str());
    if (conn_) {
        error_close_ = true;
        conn_->close(why);
    }
}

void Idl::changed() {
    ++seqno_;
    if (on_change) on_change();
}

void Idl::request(const std::string& method, json params,
                  std::function<void(const json& result, const json& error)> done) {
    if (!connected()) {
        auto alive = alive_;
        asio::post(io_, [alive, done = std::move(done)] {
            if (*alive) done(json(), connection_lost());
        });
        return;
    }
    uint64_t id = next_id_++;
    pending_.emplace(id, std::move(done));
    conn_->send(common::jsonrpc::request(method, std::move(params), id));
}

Txn Idl::txn() const {
    Txn t(replica_);
    if (!lock_.empty()) t.assert_lock(lock_);
    return t;
}

void Idl::commit(const Txn& txn, std::function<void(Result)> done) {
    auto alive = alive_;
    if (txn.empty() || !synced_) {
        Result r;
        r.status = txn.empty() ? Result::Status::Unchanged : Result::Status::TryAgain;
        if (!synced_ && !txn.empty()) r.error = "not connected";
        asio::post(io_, [alive, r, done = std::move(done)] {
            if (*alive) done(r);
        });
        return;
    }
    request("transact", txn.params(opts_.database),
            [reader = txn.reader(), done = std::move(done)](const json& res, const json& err) {
        if (err == connection_lost()) {
            Result r;
            r.status = Result::Status::TryAgain;
            r.error = "connection lost";
            done(r);
            return;
        }
        done(reader.interpret(res, err));
    });
}

bool Idl::run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    using Clock = std::chrono::steady_clock;
    auto deadline = Clock::now() + timeout;
    while (!pred()) {
        if (failed_) return pred();
        auto now = Clock::now();
        if (timeout.count() > 0 && now >= deadline) return false;
        auto slice = timeout.count() > 0 ? std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)
                                         : std::chrono::milliseconds(1000);
        if (io_.stopped()) io_.restart();
        if (io_.run_one_for(slice) == 0 && io_.stopped()) {
            // Nothing left to wait for: pred() cannot change any more.
            io_.restart();
            return pred();
        }
    }
    return true;
}

Result Idl::commit_blocking(const Txn& txn, std::chrono::milliseconds timeout) {
    struct State {
        bool done = false;
        Result r;
    };
    auto st = std::make_shared<State>();
    commit(txn, [st](Result r) {
        st->r = std::move(r);
        st->done = true;
    });
    if (!run_until([&] { return st->done; }, timeout) && !st->done) {
        Result r;
        r.status = Result::Status::TryAgain;
        r.error = failed_ ? last_error_ : "timed out";
        return r;
    }
    return st->r;
}

}  // namespace ovsdb::idl
