// Idl: a client's live replica of an OVSDB database (Open vSwitch's "IDL").
//
// It connects to a server (unix:PATH, tcp:IP:PORT, ssl:IP:PORT), reads the
// schema, monitors the tables it was asked for (monitor_cond, or monitor on
// servers without it), keeps the Replica up to date, and commits Txns.  On
// a lost connection it reconnects with backoff and resynchronises; the
// resync is applied as a difference, so rows that did not change are not
// reported as changed.  Everything runs on the caller's io_context, on its
// thread; on_change is called after every change of contents or state.
//
// Daemons (vswitchd) use it asynchronously; command-line tools use the
// blocking helpers run_until() and commit_blocking().
//
//   asio::io_context io;
//   ovsdb::idl::Idl idl(io, "unix:/var/run/openvswitch/db.sock");
//   idl.start();
//   if (!idl.run_until([&] { return idl.synced(); }, 5s)) fail(idl.last_error());
//   for (auto* br : idl.table("Bridge")->sorted("name")) puts(br->string("name").c_str());
//   auto txn = idl.txn();
//   Uuid b = txn.insert("Bridge");
//   txn.set("Bridge", b, "name", Datum::scalar(Atom(std::string("br0"))));
//   Result r = idl.commit_blocking(txn, 5s);
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/jsonrpc.hpp"
#include "common/remote.hpp"
#include "common/stream.hpp"
#include "ovsdb/idl/replica.hpp"
#include "ovsdb/idl/txn.hpp"

namespace ovsdb::idl {

namespace asio = boost::asio;

class Idl {
public:
    struct Options {
        std::string database = "Open_vSwitch";
        common::SslConfig ssl;                         // for ssl: remotes
        std::chrono::milliseconds probe_interval{0};   // 0: never probe an idle server
        std::chrono::milliseconds max_backoff{8000};
        // false: one connection attempt only; when it fails or the connection
        // is lost, failed() turns true (command-line tools without --retry).
        bool reconnect = true;
    };

    // Throws std::invalid_argument for a malformed remote.
    Idl(asio::io_context& io, const std::string& remote, Options opts);
    Idl(asio::io_context& io, const std::string& remote) : Idl(io, remote, Options{}) {}
    ~Idl();
    Idl(const Idl&) = delete;
    Idl& operator=(const Idl&) = delete;

    // Before start(): replicate this table (only these columns; empty: all).
    // Without any call, every table and column is replicated.
    void replicate(const std::string& table, std::vector<std::string> columns = {});
    // Before start(): ask for this lock after each (re)connection; has_lock()
    // tells when it is held.  Transactions then assert it.
    void set_lock(const std::string& name);

    void start();

    // Called (on the io_context) after every change of contents or state.
    std::function<void()> on_change;

    bool connected() const { return conn_ && conn_->is_open(); }
    // The replica holds the server's current contents (initial contents
    // received on the current connection).
    bool synced() const { return synced_; }
    bool has_ever_synced() const { return ever_synced_; }
    // Only with Options::reconnect = false: the connection failed or was lost.
    bool failed() const { return failed_; }
    // Increases on every change of contents or state.
    uint64_t seqno() const { return seqno_; }
    const std::string& last_error() const { return last_error_; }
    const std::string& remote() const { return remote_; }
    const Options& options() const { return opts_; }
    bool has_lock() const { return has_lock_; }
    bool lock_contended() const { return lock_contended_; }

    const Replica& replica() const { return replica_; }
    const DatabaseSchema* schema() const { return replica_.schema(); }
    const Table* table(const std::string& name) const { return replica_.table(name); }
    const Row* row(const std::string& table, const Uuid& u) const { return replica_.row(table, u); }
    // Row change tracking (see Replica).
    void clear_changes() { replica_.clear_changes(); }

    // A transaction against the current replica (asserting the lock, if any).
    Txn txn() const;
    // Sends it; `done` runs on the io_context with the outcome.  Not
    // connected: TryAgain.  Nothing to change: Unchanged, without a round trip.
    void commit(const Txn& txn, std::function<void(Result)> done);

    // Any other request on the current connection (e.g. for tools).
    void request(const std::string& method, json params,
                 std::function<void(const json& result, const json& error)> done);

    // Runs the io_context until pred() is true or `timeout` passes (0: no
    // limit).  Returns pred().  Also stops early once failed().
    bool run_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout);
    // commit() and wait: TryAgain if the time runs out.
    Result commit_blocking(const Txn& txn, std::chrono::milliseconds timeout);

    // Drops the connection and connects again (resynchronising).
    void force_reconnect();

private:
    void connect_once();
    void on_connected(std::unique_ptr<common::Stream> s);
    void on_message(json msg);
    void on_closed(const std::string& reason);
    void send_monitor(bool cond);
    void changed();
    void fail_connection(const std::string& why);

    asio::io_context& io_;
    std::string remote_;
    common::Target target_;
    Options opts_;
    std::map<std::string, std::vector<std::string>> wanted_;
    std::string lock_;
    std::unique_ptr<common::Reconnect> reconnect_;
    std::shared_ptr<common::Connection> conn_;
    Replica replica_;
    json schema_json_;
    uint64_t next_id_ = 1;
    std::map<uint64_t, std::function<void(const json&, const json&)>> pending_;
    bool synced_ = false;
    bool ever_synced_ = false;
    bool failed_ = false;
    bool error_close_ = false;
    bool has_lock_ = false;
    bool lock_contended_ = false;
    uint64_t seqno_ = 0;
    std::string last_error_;
    std::shared_ptr<bool> alive_;
};

}  // namespace ovsdb::idl
