#include "ovsdb-server/remotes.hpp"

#include <set>

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb_jsonrpc_server);

namespace ovsdb::server {

using common::Connection;
using common::json;

// One client connection: the engine sees it as a Peer.
struct Remotes::Conn : Peer, std::enable_shared_from_this<Conn> {
    std::shared_ptr<Connection> conn;
    std::shared_ptr<Session> session;
    std::string peer_name;

    void send(const json& message) override { conn->send(message); }
    void send_raw(std::string text) override { conn->send_raw(std::move(text)); }
    std::string name() const override { return peer_name; }
    void close() override { conn->close("closed by the server"); }
};

struct Remotes::Remote {
    std::string name;
    common::Target target;
    RemoteOptions opts;
    std::unique_ptr<common::Listener> listener;
    std::unique_ptr<common::Reconnect> reconnect;
    std::map<Conn*, std::shared_ptr<Conn>> conns;
    std::shared_ptr<bool> alive = std::make_shared<bool>(true);

    std::chrono::milliseconds probe() const {
        if (opts.inactivity_probe) return *opts.inactivity_probe;
        // Open vSwitch probes network peers every 5 s and trusts local sockets.
        return target.unix_socket() ? std::chrono::milliseconds(0) : std::chrono::milliseconds(5000);
    }
};

Remotes::Remotes(boost::asio::io_context& io, Server& server) : io_(io), server_(server) {}

Remotes::~Remotes() {
    for (auto& [n, r] : remotes_) {
        *r->alive = false;
        auto conns = r->conns;
        for (auto& [p, c] : conns) c->conn->close("server exiting");
    }
}

std::string Remotes::add(const std::string& name, const RemoteOptions& opts) {
    auto existing = remotes_.find(name);
    if (existing != remotes_.end()) {
        // Options may change (a Manager row was updated).
        Remote& r = *existing->second;
        r.opts = opts;
        if (r.reconnect) r.reconnect->set_max_backoff(opts.max_backoff);
        for (auto& [p, c] : r.conns) c->conn->set_probe_interval(r.probe());
        return {};
    }
    std::string err;
    auto t = common::parse_target(name, &err);
    if (!t) return err;
    auto r = std::make_unique<Remote>();
    r->name = name;
    r->target = *t;
    r->opts = opts;
    Remote* raw = r.get();
    auto ssl = [this] { return ssl_; };
    try {
        if (t->passive()) {
            r->listener = std::make_unique<common::Listener>(
                io_, *t, ssl, [this, raw](std::unique_ptr<common::Stream> s) { attach(*raw, std::move(s)); });
        } else {
            r->reconnect = std::make_unique<common::Reconnect>(
                io_, *t, ssl, [this, raw](std::unique_ptr<common::Stream> s) { attach(*raw, std::move(s)); });
            r->reconnect->set_max_backoff(opts.max_backoff);
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    remotes_[name] = std::move(r);
    if (raw->reconnect) raw->reconnect->start();
    return {};
}

void Remotes::attach(Remote& r, std::unique_ptr<common::Stream> s) {
    if (r.opts.dscp >= 0) s->set_dscp(r.opts.dscp);
    auto c = std::make_shared<Conn>();
    c->peer_name = s->name();
    c->conn = std::make_shared<Connection>(io_, std::move(s));
    c->conn->set_probe_interval(r.probe());
    c->session = server_.connect(c);
    r.conns[c.get()] = c;
    Conn* raw = c.get();
    Remote* rp = &r;
    auto alive = r.alive;
    c->conn->start(
        [this, raw, rp, alive](json msg) {
            if (!*alive) return;
            auto it = rp->conns.find(raw);
            if (it == rp->conns.end()) return;
            auto keep = it->second;
            // Group commit: every message ready now, on any connection,
            // commits together; the batch ends once the handlers already
            // queued on the io_context have run.
            if (!batch_open_) {
                batch_open_ = true;
                server_.begin_batch();
                boost::asio::post(io_, [this] {
                    batch_open_ = false;
                    server_.end_batch();
                });
            }
            server_.receive(*keep->session, msg);
        },
        [this, raw, rp, alive](const std::string& reason) {
            if (!*alive) return;
            auto it = rp->conns.find(raw);
            if (it == rp->conns.end()) return;
            auto keep = it->second;
            rp->conns.erase(it);
            server_.disconnect(*keep->session);
            if (rp->reconnect) rp->reconnect->disconnected(reason);
            // The Connection may still be on the stack: release it later.
            boost::asio::post(io_, [keep] {});
        });
}

bool Remotes::remove(const std::string& name) {
    auto it = remotes_.find(name);
    if (it == remotes_.end()) return false;
    std::unique_ptr<Remote> r = std::move(it->second);
    remotes_.erase(it);
    *r->alive = false;
    auto conns = r->conns;
    for (auto& [p, c] : conns) {
        c->conn->close("remote removed");
        server_.disconnect(*c->session);
    }
    // Destroy listeners/timers after the current handler finishes.
    std::shared_ptr<Remote> dead(r.release());
    boost::asio::post(io_, [dead] {});
    return true;
}

std::vector<std::string> Remotes::names() const {
    std::vector<std::string> v;
    for (auto& [n, r] : remotes_) v.push_back(n);
    return v;
}

void Remotes::reconnect_all() {
    for (auto& [n, r] : remotes_) {
        auto conns = r->conns;
        for (auto& [p, c] : conns) c->conn->close("reconnect requested");
        if (r->reconnect) r->reconnect->force_reconnect();
    }
}

size_t Remotes::n_connections() const {
    size_t n = 0;
    for (auto& [name, r] : remotes_) n += r->conns.size();
    return n;
}

std::optional<Remotes::Status> Remotes::status(const std::string& name) const {
    auto it = remotes_.find(name);
    if (it == remotes_.end()) return std::nullopt;
    const Remote& r = *it->second;
    Status st;
    // Locks of the sessions on this remote, as Open vSwitch reports them.
    std::set<std::string> held, waiting;
    unsigned lost = 0;
    for (const auto& [p, c] : r.conns) {
        if (!c->session) continue;
        held.insert(c->session->locks_held.begin(), c->session->locks_held.end());
        waiting.insert(c->session->locks_waiting.begin(), c->session->locks_waiting.end());
        lost += c->session->locks_lost;
    }
    auto join = [](const std::set<std::string>& s) {
        std::string out;
        for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
        return out;
    };
    if (!held.empty()) st.status["locks_held"] = join(held);
    if (!waiting.empty()) st.status["locks_waiting"] = join(waiting);
    if (lost) st.status["locks_lost"] = std::to_string(lost);
    if (r.listener) {
        st.is_connected = !r.conns.empty();
        if (!r.target.unix_socket()) st.status["bound_port"] = std::to_string(r.listener->bound_port());
        st.status["n_connections"] = std::to_string(r.conns.size());
        if (!r.listener->last_error().empty()) st.status["last_error"] = r.listener->last_error();
        return st;
    }
    const common::Reconnect& rc = *r.reconnect;
    st.is_connected = rc.is_connected() && !r.conns.empty();
    st.status["state"] = rc.state();
    if (auto s = rc.sec_since_connect()) st.status["sec_since_connect"] = std::to_string(*s);
    if (auto s = rc.sec_since_disconnect()) st.status["sec_since_disconnect"] = std::to_string(*s);
    if (!rc.last_error().empty()) st.status["last_error"] = rc.last_error();
    return st;
}

}  // namespace ovsdb::server
