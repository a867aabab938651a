// Remotes: passive listeners and active connections that stay connected.
//
// Listener accepts connections on punix:/ptcp:/pssl: targets.  Reconnect
// keeps one active target (unix:/tcp:/ssl:) connected: the first attempt is
// immediate, then failures back off 1 s, 2 s, 4 s ... up to max_backoff;
// a connection that lived at least as long as the current backoff resets
// it.  Both report the state Open vSwitch shows in a Manager's `status`.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/stream.hpp"

namespace common {

using SslProvider = std::function<SslConfig()>;

class Listener {
public:
    using AcceptHandler = std::function<void(std::unique_ptr<Stream>)>;

    // Binds and listens; throws std::runtime_error with a clear message.
    Listener(asio::io_context& io, const Target& target, SslProvider ssl, AcceptHandler on_accept);
    ~Listener();

    const Target& target() const { return target_; }
    // The port actually bound (meaningful for ptcp:0).
    uint16_t bound_port() const { return bound_port_; }
    const std::string& last_error() const { return last_error_; }

private:
    void accept_unix();
    void accept_tcp();
    // On an accept error: logs it and, unless the listener is closing,
    // calls `retry` after a short pause. Returns true if there was an error.
    bool accept_failed(const boost::system::error_code& ec, void (Listener::*retry)());

    asio::io_context& io_;
    Target target_;
    SslProvider ssl_;
    AcceptHandler on_accept_;
    std::unique_ptr<asio::local::stream_protocol::acceptor> uacc_;
    std::unique_ptr<asio::ip::tcp::acceptor> tacc_;
    uint16_t bound_port_ = 0;
    std::string last_error_;
    std::shared_ptr<bool> alive_;
};

class Reconnect {
public:
    using ConnectedHandler = std::function<void(std::unique_ptr<Stream>)>;
    using Clock = std::chrono::steady_clock;

    Reconnect(asio::io_context& io, Target target, SslProvider ssl, ConnectedHandler on_connected);
    ~Reconnect();

    void start();
    // The owner's connection ended: reconnect after the backoff.
    void disconnected(const std::string& reason);
    // Drop the backoff and connect again now (ovsdb-server/reconnect).
    void force_reconnect();
    void set_max_backoff(std::chrono::milliseconds m);

    const Target& target() const { return target_; }
    // "VOID", "CONNECTING", "BACKOFF", "ACTIVE"
    const char* state() const;
    bool is_connected() const { return connected_; }
    std::optional<long> sec_since_connect() const;
    std::optional<long> sec_since_disconnect() const;
    const std::string& last_error() const { return last_error_; }
    unsigned n_attempts() const { return n_attempts_; }

private:
    void attempt();
    void schedule(std::chrono::milliseconds delay);

    asio::io_context& io_;
    Target target_;
    SslProvider ssl_;
    ConnectedHandler on_connected_;
    asio::steady_timer timer_;
    std::chrono::milliseconds backoff_{0};
    std::chrono::milliseconds max_backoff_{8000};
    bool connecting_ = false;
    bool connected_ = false;
    bool started_ = false;
    std::optional<Clock::time_point> connected_at_, disconnected_at_;
    std::string last_error_;
    unsigned n_attempts_ = 0;
    std::shared_ptr<bool> alive_;
};

}  // namespace common
