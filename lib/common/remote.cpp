#include "common/remote.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(reconnect);

namespace common {

namespace {
unsigned next_unix_id() {
    static unsigned n = 0;
    return ++n;
}
}  // namespace

// ---------------------------------------------------------------- Listener

Listener::Listener(asio::io_context& io, const Target& target, SslProvider ssl,
                   AcceptHandler on_accept)
    : io_(io), target_(target), ssl_(std::move(ssl)), on_accept_(std::move(on_accept)),
      alive_(std::make_shared<bool>(true)) {
    if (!target.passive()) throw std::runtime_error(target.text + ": not a passive target");
    error_code ec;
    if (target.unix_socket()) {
        // A socket file left by a dead process would make bind() fail.
        struct stat st;
        if (::lstat(target.path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) ::unlink(target.path.c_str());
        uacc_ = std::make_unique<asio::local::stream_protocol::acceptor>(io);
        asio::local::stream_protocol::endpoint ep(target.path);
        uacc_->open(ep.protocol(), ec);
        if (!ec) uacc_->bind(ep, ec);
        if (!ec) uacc_->listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error(target.text + ": listen failed (" + ec.message() + ")");
        accept_unix();
        return;
    }
    if (target.ssl()) {
        // Fail early, with the reason, if the SSL settings cannot work.
        bool boot = false;
        make_ssl_context(ssl_(), true, &boot);
    }
    asio::ip::address addr = target.host.empty() ? asio::ip::address(asio::ip::address_v4::any())
                                                 : asio::ip::make_address(target.host, ec);
    if (ec) throw std::runtime_error(target.text + ": bad address");
    asio::ip::tcp::endpoint ep(addr, target.port);
    tacc_ = std::make_unique<asio::ip::tcp::acceptor>(io);
    tacc_->open(ep.protocol(), ec);
    if (!ec) tacc_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) tacc_->bind(ep, ec);
    if (!ec) tacc_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(target.text + ": listen failed (" + ec.message() + ")");
    bound_port_ = tacc_->local_endpoint(ec).port();
    accept_tcp();
}

Listener::~Listener() {
    *alive_ = false;
    error_code ec;
    if (uacc_) {
        uacc_->close(ec);
        ::unlink(target_.path.c_str());
    }
    if (tacc_) tacc_->close(ec);
}

bool Listener::accept_failed(const error_code& ec, void (Listener::*retry)()) {
    if (!ec) return false;
    if (ec == asio::error::operation_aborted) return true;
    last_error_ = ec.message();
    VLOG_WARN("%s: accept failed: %s", target_.text.c_str(), ec.message().c_str());
    // Too many open files and the like: retry shortly rather than spin.
    auto alive = alive_;
    auto t = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(100));
    t->async_wait([this, alive, t, retry](const error_code&) {
        if (*alive) (this->*retry)();
    });
    return true;
}

void Listener::accept_unix() {
    auto alive = alive_;
    uacc_->async_accept([this, alive](const error_code& ec, asio::local::stream_protocol::socket s) {
        if (!*alive) return;
        if (accept_failed(ec, &Listener::accept_unix)) return;
        on_accept_(make_unix_stream(std::move(s), "unix#" + std::to_string(next_unix_id())));
        accept_unix();
    });
}

void Listener::accept_tcp() {
    auto alive = alive_;
    tacc_->async_accept([this, alive](const error_code& ec, asio::ip::tcp::socket s) {
        if (!*alive) return;
        if (accept_failed(ec, &Listener::accept_tcp)) return;
        error_code ec2;
        auto peer = s.remote_endpoint(ec2);
        if (!target_.ssl()) {
            on_accept_(make_tcp_stream(std::move(s), endpoint_name("tcp", peer)));
        } else {
            std::string name = endpoint_name("ssl", peer);
            SslConfig cfg = ssl_();
            bool boot = false;
            std::shared_ptr<asio::ssl::context> ctx;
            try {
                ctx = make_ssl_context(cfg, true, &boot);
            } catch (const std::exception& e) {
                VLOG_ERR("%s: cannot accept SSL connection: %s", name.c_str(), e.what());
                accept_tcp();
                return;
            }
            auto ss = std::make_shared<std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>>>(
                std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(s), *ctx));
            (*ss)->async_handshake(asio::ssl::stream_base::server,
                                   [this, alive, ss, ctx, name, boot, cfg](const error_code& ec) {
                if (!*alive) return;
                if (ec) {
                    VLOG_WARN("%s: SSL_accept: %s", name.c_str(), ec.message().c_str());
                    return;
                }
                if (boot) {
                    std::string err = bootstrap_save_peer_ca((*ss)->native_handle(), cfg.ca_cert);
                    if (!err.empty())
                        VLOG_ERR("%s: bootstrap of CA certificate failed: %s", name.c_str(), err.c_str());
                    return;   // dropped: the peer must reconnect and be verified
                }
                on_accept_(make_ssl_stream(ctx, std::move(*ss), name));
            });
        }
        accept_tcp();
    });
}

// --------------------------------------------------------------- Reconnect

Reconnect::Reconnect(asio::io_context& io, Target target, SslProvider ssl,
                     ConnectedHandler on_connected)
    : io_(io), target_(std::move(target)), ssl_(std::move(ssl)),
      on_connected_(std::move(on_connected)), timer_(io), alive_(std::make_shared<bool>(true)) {}

Reconnect::~Reconnect() {
    *alive_ = false;
    timer_.cancel();
}

void Reconnect::start() {
    if (started_) return;
    started_ = true;
    attempt();
}

void Reconnect::set_max_backoff(std::chrono::milliseconds m) {
    max_backoff_ = m < std::chrono::milliseconds(1000) ? std::chrono::milliseconds(1000) : m;
    if (backoff_ > max_backoff_) backoff_ = max_backoff_;
}

const char* Reconnect::state() const {
    if (connected_) return "ACTIVE";
    if (connecting_) return "CONNECTING";
    if (started_) return "BACKOFF";
    return "VOID";
}

std::optional<long> Reconnect::sec_since_connect() const {
    if (!connected_at_) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - *connected_at_).count();
}

std::optional<long> Reconnect::sec_since_disconnect() const {
    if (!disconnected_at_ || connected_) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - *disconnected_at_).count();
}

void Reconnect::attempt() {
    connecting_ = true;
    ++n_attempts_;
    VLOG_INFO("%s: connecting...", target_.text.c_str());
    auto alive = alive_;
    SslConfig cfg = target_.ssl() ? ssl_() : SslConfig{};
    async_connect(io_, target_, cfg, [this, alive](std::unique_ptr<Stream> s, const std::string& err) {
        if (!*alive) return;
        connecting_ = false;
        if (!s) {
            last_error_ = err;
            VLOG_INFO("%s: connection attempt failed (%s)", target_.text.c_str(), err.c_str());
            backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(1000)
                                             : std::min(backoff_ * 2, max_backoff_);
            if (backoff_ > std::chrono::milliseconds(1000))
                VLOG_INFO("%s: waiting %lld seconds before reconnect", target_.text.c_str(),
                          static_cast<long long>(backoff_.count() / 1000));
            schedule(backoff_);
            return;
        }
        VLOG_INFO("%s: connected", target_.text.c_str());
        connected_ = true;
        connected_at_ = Clock::now();
        on_connected_(std::move(s));
    });
}

void Reconnect::disconnected(const std::string& reason) {
    if (!connected_) return;
    connected_ = false;
    disconnected_at_ = Clock::now();
    last_error_ = reason;
    VLOG_INFO("%s: %s", target_.text.c_str(), reason.c_str());
    // A connection that lasted at least the backoff resets it.
    auto lived = Clock::now() - *connected_at_;
    if (lived >= backoff_) backoff_ = std::chrono::milliseconds(0);
    backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(1000)
                                     : std::min(backoff_ * 2, max_backoff_);
    schedule(backoff_);
}

void Reconnect::force_reconnect() {
    backoff_ = std::chrono::milliseconds(0);
    if (!connected_ && !connecting_) {
        timer_.cancel();
        attempt();
    }
}

void Reconnect::schedule(std::chrono::milliseconds delay) {
    timer_.expires_after(delay);
    auto alive = alive_;
    timer_.async_wait([this, alive](const error_code& ec) {
        if (ec || !*alive) return;
        attempt();
    });
}

}  // namespace common
