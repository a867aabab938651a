// JSON-RPC 1.0 over a Stream, as OVSDB (RFC 7047 section 4) and the unixctl
// control socket use it.
//
// A Connection reads JSON texts (JsonFramer), checks that each is a valid
// JSON-RPC message, and hands it to the owner; it queues outgoing messages
// and writes them in order.  Optionally it probes an idle peer: after
// `probe_interval` of silence it sends an "echo" request, and if nothing at
// all arrives within another interval it closes the connection.  Replies to
// its own probes never reach the owner.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/json_framer.hpp"
#include "common/stream.hpp"

namespace common {

using json = nlohmann::json;

namespace jsonrpc {

// Message constructors.
json request(const std::string& method, json params, json id);
json notification(const std::string& method, json params);
json reply(json result, const json& id);
json error_reply(json error, const json& id);

// Empty if `msg` is a well-formed JSON-RPC 1.0 message, else the problem
// (worded as Open vSwitch words it, e.g. 'request must have "params"').
std::string validate(const json& msg);

inline bool is_request(const json& m) { return m.contains("method") && !m["id"].is_null(); }
inline bool is_notification(const json& m) {
    return m.contains("method") && (!m.contains("id") || m["id"].is_null());
}
inline bool is_reply(const json& m) { return !m.contains("method"); }

// Serialises compactly, as the wire wants it.
std::string to_wire(const json& m);

}  // namespace jsonrpc

class Connection : public std::enable_shared_from_this<Connection> {
public:
    using MessageHandler = std::function<void(json msg)>;
    using CloseHandler = std::function<void(const std::string& reason)>;

    Connection(asio::io_context& io, std::unique_ptr<Stream> stream,
               size_t max_message = JsonFramer::kDefaultMaxMessage);
    ~Connection();

    // Starts reading.  Handlers are called on the io_context; after the close
    // handler runs, neither is called again.
    void start(MessageHandler on_message, CloseHandler on_close);

    // Queues one message.  Ignored once closed.
    void send(const json& msg);
    void send_raw(std::string text);

    // Closes now (pending output is discarded) and calls the close handler.
    void close(const std::string& reason = "closed by this side");

    // 0 disables probing.
    void set_probe_interval(std::chrono::milliseconds interval);

    const std::string& name() const { return name_; }
    bool is_open() const { return open_; }
    size_t backlog_bytes() const { return backlog_; }
    std::chrono::steady_clock::time_point last_received() const { return last_rx_; }
    uint64_t messages_received() const { return n_rx_; }

private:
    void read_more();
    void on_read(const error_code& ec, size_t n);
    void write_next();
    void arm_probe();
    void on_probe_timer();

    asio::io_context& io_;
    std::unique_ptr<Stream> stream_;
    std::string name_;
    JsonFramer framer_;
    MessageHandler on_message_;
    CloseHandler on_close_;
    std::array<char, 65536> rbuf_{};
    std::deque<std::string> out_;
    bool writing_ = false;
    bool open_ = false;
    size_t backlog_ = 0;
    uint64_t n_rx_ = 0;
    std::chrono::milliseconds probe_{0};
    bool probe_sent_ = false;
    asio::steady_timer probe_timer_;
    std::chrono::steady_clock::time_point last_rx_;
};

}  // namespace common
