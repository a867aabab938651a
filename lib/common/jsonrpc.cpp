#include "common/jsonrpc.hpp"

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

namespace common {

namespace jsonrpc {

json request(const std::string& method, json params, json id) {
    return json{{"method", method}, {"params", std::move(params)}, {"id", std::move(id)}};
}

json notification(const std::string& method, json params) {
    return json{{"method", method}, {"params", std::move(params)}, {"id", nullptr}};
}

json reply(json result, const json& id) {
    return json{{"result", std::move(result)}, {"error", nullptr}, {"id", id}};
}

json error_reply(json error, const json& id) {
    return json{{"result", nullptr}, {"error", std::move(error)}, {"id", id}};
}

std::string validate(const json& m) {
    if (!m.is_object()) return "message is not a JSON object";
    auto method = m.find("method");
    auto params = m.find("params");
    auto result = m.find("result");
    auto error = m.find("error");
    auto id = m.find("id");
    if (method != m.end()) {
        if (!method->is_string()) return "method is not a JSON string";
        if (params == m.end()) return "request must have \"params\"";
        if (!params->is_array()) return "\"params\" must be JSON array";
        if (result != m.end() || error != m.end())
            return "request must not have \"result\" or \"error\"";
        return {};
    }
    if (result == m.end() && error == m.end()) return "request must have \"method\"";
    if (id == m.end() || id->is_null()) return "reply must have \"id\"";
    for (auto& [k, v] : m.items()) {
        (void)v;
        if (k != "result" && k != "error" && k != "id")
            return "message has unexpected member \"" + k + "\"";
    }
    return {};
}

std::string to_wire(const json& m) {
    return m.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace jsonrpc

Connection::Connection(asio::io_context& io, std::unique_ptr<Stream> stream, size_t max_message)
    : io_(io), stream_(std::move(stream)), name_(stream_->name()), framer_(max_message),
      probe_timer_(io), last_rx_(std::chrono::steady_clock::now()) {}

Connection::~Connection() {
    if (stream_) stream_->close();
}

void Connection::start(MessageHandler on_message, CloseHandler on_close) {
    on_message_ = std::move(on_message);
    on_close_ = std::move(on_close);
    open_ = true;
    last_rx_ = std::chrono::steady_clock::now();
    read_more();
    arm_probe();
}

void Connection::read_more() {
    auto self = shared_from_this();
    stream_->async_read_some(asio::buffer(rbuf_),
                             [self](const error_code& ec, size_t n) { self->on_read(ec, n); });
}

void Connection::on_read(const error_code& ec, size_t n) {
    if (!open_) return;
    if (ec) {
        if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
            if (framer_.pending() > 0)
                VLOG_WARN("%s: connection closed in the middle of a message (%zu bytes discarded)",
                          name_.c_str(), framer_.pending());
            close("connection closed by peer");
        } else if (ec != asio::error::operation_aborted) {
            VLOG_WARN("%s: receive error: %s", name_.c_str(), ec.message().c_str());
            close(ec.message());
        }
        return;
    }
    last_rx_ = std::chrono::steady_clock::now();
    probe_sent_ = false;
    framer_.feed(std::string_view(rbuf_.data(), n));
    auto self = shared_from_this();   // handlers may close us
    while (open_) {
        auto text = framer_.next();
        if (!text) break;
        json msg;
        try {
            msg = json::parse(*text);
        } catch (const json::parse_error& e) {
            VLOG_WARN("%s: error parsing stream: %s", name_.c_str(), e.what());
            close("protocol error");
            return;
        }
        std::string problem = jsonrpc::validate(msg);
        if (!problem.empty()) {
            VLOG_WARN("%s: received bad JSON-RPC message: %s", name_.c_str(), problem.c_str());
            close("protocol error");
            return;
        }
        ++n_rx_;
        // Replies to our own inactivity probes stop here.
        if (jsonrpc::is_reply(msg) && msg["id"] == "echo") continue;
        on_message_(std::move(msg));
    }
    if (!open_) return;
    if (!framer_.error().empty()) {
        VLOG_WARN("%s: error parsing stream: %s", name_.c_str(), framer_.error().c_str());
        close("protocol error");
        return;
    }
    read_more();
}

void Connection::send(const json& msg) {
    if (!open_) return;
    send_raw(jsonrpc::to_wire(msg));
}

void Connection::send_raw(std::string text) {
    if (!open_) return;
    // Nothing queued: write at once, which spares a trip through the event
    // loop for the completion; queue only what the socket did not take.
    if (!writing_ && out_.empty()) {
        size_t n = stream_->try_write(asio::buffer(text));
        if (n == text.size()) return;
        text.erase(0, n);
    }
    backlog_ += text.size();
    out_.push_back(std::move(text));
    if (!writing_) write_next();
}

void Connection::write_next() {
    if (out_.empty() || !open_) {
        writing_ = false;
        return;
    }
    writing_ = true;
    // What queued up while the last write was in flight goes out in one.
    if (out_.size() > 1) {
        size_t total = 0;
        for (const auto& m : out_) total += m.size();
        std::string all;
        all.reserve(total);
        for (const auto& m : out_) all += m;
        out_.clear();
        out_.push_back(std::move(all));
    }
    auto self = shared_from_this();
    stream_->async_write(asio::buffer(out_.front()), [self](const error_code& ec, size_t) {
        if (!self->open_) return;
        if (ec) {
            if (ec != asio::error::operation_aborted) {
                VLOG_WARN("%s: send error: %s", self->name_.c_str(), ec.message().c_str());
                self->close(ec.message());
            }
            return;
        }
        self->backlog_ -= self->out_.front().size();
        self->out_.pop_front();
        self->write_next();
    });
}

void Connection::close(const std::string& reason) {
    if (!open_) return;
    open_ = false;
    probe_timer_.cancel();
    out_.clear();
    backlog_ = 0;
    stream_->close();
    auto handler = std::move(on_close_);
    on_message_ = nullptr;
    if (handler) handler(reason);
}

void Connection::set_probe_interval(std::chrono::milliseconds interval) {
    probe_ = interval;
    if (open_) arm_probe();
}

void Connection::arm_probe() {
    probe_timer_.cancel();
    if (probe_.count() <= 0 || !open_) return;
    probe_timer_.expires_after(probe_ / 4 > std::chrono::milliseconds(50) ? probe_ / 4
                                                                        : std::chrono::milliseconds(50));
    std::weak_ptr<Connection> weak = shared_from_this();
    probe_timer_.async_wait([weak](const error_code& ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->on_probe_timer();
    });
}

void Connection::on_probe_timer() {
    if (!open_ || probe_.count() <= 0) return;
    auto idle = std::chrono::steady_clock::now() - last_rx_;
    if (probe_sent_ && idle >= 2 * probe_) {
        VLOG_WARN("%s: no response to inactivity probe after %.3g seconds, disconnecting",
                  name_.c_str(), std::chrono::duration<double>(idle).count());
        close("no response to inactivity probe");
        return;
    }
    if (!probe_sent_ && idle >= probe_) {
        VLOG_DBG("%s: idle %lld ms, sending inactivity probe", name_.c_str(),
                 static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(idle).count()));
        probe_sent_ = true;
        send(jsonrpc::request("echo", json::array(), "echo"));
    }
    arm_probe();
}

}  // namespace common
