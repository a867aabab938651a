// The JSON-RPC method dispatcher of ovsdb-server: every database of the
// process, every client session with its monitors and locks, and the
// methods of RFC 7047 plus Open vSwitch's extensions.
//
// Single-threaded on one io_context.  The transport (remotes.cpp) creates a
// Peer per connection, calls connect(), then receive() for each parsed
// message and disconnect() when it ends.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <nlohmann/json.hpp>

#include "ovsdb-server/database.hpp"
#include "ovsdb-server/monitor.hpp"

namespace ovsdb::server {

class Peer {
public:
    virtual ~Peer() = default;
    virtual void send(const nlohmann::json& message) = 0;
    virtual void send_raw(std::string text) = 0;   // one serialized message
    virtual std::string name() const = 0;
    virtual void close() = 0;
};

class Server;

class Session {
public:
    explicit Session(std::shared_ptr<Peer> p) : peer(std::move(p)) {}
    std::shared_ptr<Peer> peer;
    std::map<std::string, std::unique_ptr<Monitor>> monitors;   // by id (JSON text)
    std::set<std::string> locks_held, locks_waiting;
    unsigned locks_lost = 0;
    bool db_change_aware = false;
    bool closed = false;
};

class Server {
public:
    explicit Server(boost::asio::io_context& io);
    ~Server();

    void open_database(const std::string& path);
    // Whether databases opened from now on use SQLite's exclusive locking
    // mode (the default; --no-sqlite-exclusive turns it off; see
    // Storage::open).
    void set_exclusive_storage(bool on) { exclusive_storage_ = on; }
    void close_database(const std::string& name);
    std::vector<std::string> database_names() const;
    Database* find_database(const std::string& name);

    std::shared_ptr<Session> connect(std::shared_ptr<Peer> peer);
    void receive(Session& s, const nlohmann::json& message);
    void disconnect(Session& s);

    // Group commit: the transactions received between begin_batch() and
    // end_batch() are written to storage together, and every message the
    // server sends meanwhile is held until that write is done.
    void begin_batch();
    void end_batch();

    // Runs a transaction on behalf of the server itself (status write-back).
    nlohmann::json transact_internal(const std::string& db, const nlohmann::json& ops);

    // Called after every commit to any database, after the monitors.
    using CommitObserver = std::function<void(Database&, const Changeset&)>;
    void add_commit_observer(CommitObserver f) { observers_.push_back(std::move(f)); }

    // For memory/show.
    std::map<std::string, uint64_t> memory_usage() const;
    size_t n_sessions() const { return sessions_.size(); }

private:
    struct Trigger;   // a transaction blocked in "wait"

    nlohmann::json dispatch(Session& s, const nlohmann::json& req, bool* reply_later);
    nlohmann::json do_transact(Session& s, const nlohmann::json& req, bool* reply_later);
    nlohmann::json do_monitor(Session& s, const nlohmann::json& params, Monitor::Version v);
    nlohmann::json do_lock(Session& s, const std::string& method, const nlohmann::json& params);
    void commit(Database& db, Changeset& cs);
    void retry_triggers(Database& db);
    void arm_trigger_timer(const std::shared_ptr<Trigger>& t, int64_t deadline_ms);
    bool run_trigger(const std::shared_ptr<Trigger>& t);
    void release_locks(Session& s);
    void update_server_db();
    void deliver(Session& s, const nlohmann::json& msg);
    void deliver_raw(Session& s, std::string text);
    void schedule_log_apply();

    boost::asio::io_context& io_;
    std::map<std::string, std::unique_ptr<Database>> dbs_;   // includes _Server
    std::set<Session*> sessions_;
    std::vector<std::shared_ptr<Session>> owned_;
    std::map<std::string, std::vector<Session*>> locks_;     // lock -> [owner, waiters...]
    std::vector<std::shared_ptr<Trigger>> triggers_;
    Uuid server_id_ = Uuid::random();
    std::vector<CommitObserver> observers_;
    int batch_depth_ = 0;
    bool exclusive_storage_ = true;
    // Applies the databases' transaction logs to their tables a moment
    // after the last commit (see Storage::apply_log).
    boost::asio::steady_timer apply_timer_;
    bool apply_armed_ = false;
    std::vector<std::pair<std::weak_ptr<Peer>, std::string>> held_;
};

}  // namespace ovsdb::server
