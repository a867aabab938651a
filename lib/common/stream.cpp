#include "common/stream.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <type_traits>

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(stream_ssl);

namespace common {

namespace {

void apply_dscp(asio::ip::tcp::socket& s, int dscp) {
    if (dscp < 0 || dscp > 63) return;
    int tos = dscp << 2;
    error_code ec;
    auto ep = s.local_endpoint(ec);
    if (ec) return;
    if (ep.address().is_v6())
        ::setsockopt(s.native_handle(), IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos);
    else
        ::setsockopt(s.native_handle(), IPPROTO_IP, IP_TOS, &tos, sizeof tos);
}

bool parse_port(const std::string& s, uint16_t& port) {
    if (s.empty() || s.size() > 5) return false;
    unsigned long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<unsigned long>(c - '0');
    }
    if (v > 65535) return false;
    port = static_cast<uint16_t>(v);
    return true;
}

// Splits "HOST:PORT" or "[V6]:PORT" (active form).
bool split_host_port(const std::string& s, std::string& host, std::string& port) {
    if (!s.empty() && s[0] == '[') {
        auto close = s.find(']');
        if (close == std::string::npos) return false;
        host = s.substr(1, close - 1);
        std::string rest = s.substr(close + 1);
        if (rest.empty()) {
            port.clear();
            return true;
        }
        if (rest[0] != ':') return false;
        port = rest.substr(1);
        return true;
    }
    auto colon = s.find(':');
    if (colon == std::string::npos) {
        host = s;
        port.clear();
    } else {
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
    }
    return true;
}

template <class Socket>
class AsioStream final : public Stream {
public:
    AsioStream(Socket s, std::string name) : sock_(std::move(s)), name_(std::move(name)) {}
    void async_read_some(asio::mutable_buffer buf, Handler h) override {
        sock_.async_read_some(buf, std::move(h));
    }
    void async_write(asio::const_buffer buf, Handler h) override {
        asio::async_write(sock_, buf, std::move(h));
    }
    std::size_t try_write(asio::const_buffer buf) override {
        ssize_t n = ::send(sock_.native_handle(), buf.data(), buf.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }
    void close() override {
        error_code ec;
        sock_.shutdown(asio::socket_base::shutdown_both, ec);
        sock_.close(ec);
    }
    const std::string& name() const override { return name_; }
    void set_dscp(int dscp) override {
        if constexpr (std::is_same_v<Socket, asio::ip::tcp::socket>) apply_dscp(sock_, dscp);
    }

private:
    Socket sock_;
    std::string name_;
};

class SslStream final : public Stream {
public:
    SslStream(std::shared_ptr<asio::ssl::context> ctx,
              std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> s, std::string name)
        : ctx_(std::move(ctx)), s_(std::move(s)), name_(std::move(name)) {}
    void async_read_some(asio::mutable_buffer buf, Handler h) override {
        s_->async_read_some(buf, std::move(h));
    }
    void async_write(asio::const_buffer buf, Handler h) override {
        asio::async_write(*s_, buf, std::move(h));
    }
    void close() override {
        error_code ec;
        s_->lowest_layer().shutdown(asio::socket_base::shutdown_both, ec);
        s_->lowest_layer().close(ec);
    }
    const std::string& name() const override { return name_; }
    void set_dscp(int dscp) override { apply_dscp(s_->next_layer(), dscp); }

private:
    std::shared_ptr<asio::ssl::context> ctx_;   // keeps the context alive
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> s_;
    std::string name_;
};

std::string openssl_error() {
    unsigned long e = ERR_get_error();
    if (!e) return "unknown error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

bool file_exists(const std::string& p) {
    struct stat st;
    return ::stat(p.c_str(), &st) == 0;
}

}  // namespace

std::optional<Target> parse_target(const std::string& name, std::string* error) {
    auto fail = [&](const std::string& why) -> std::optional<Target> {
        if (error) *error = name + ": " + why;
        return std::nullopt;
    };
    auto colon = name.find(':');
    if (colon == std::string::npos) return fail("not a valid stream name (expected TYPE:ARGS)");
    std::string kind = name.substr(0, colon), rest = name.substr(colon + 1);
    Target t;
    t.text = name;
    if (kind == "unix" || kind == "punix") {
        if (rest.empty()) return fail("missing socket path");
        t.kind = kind == "unix" ? Target::Kind::Unix : Target::Kind::PUnix;
        t.path = rest;
        return t;
    }
    if (kind == "tcp" || kind == "ssl") {
        t.kind = kind == "tcp" ? Target::Kind::Tcp : Target::Kind::Ssl;
        std::string host, port;
        if (!split_host_port(rest, host, port) || host.empty())
            return fail("expected " + kind + ":IP[:PORT]");
        if (!port.empty() && !parse_port(port, t.port)) return fail("bad port \"" + port + "\"");
        boost::system::error_code ec;
        asio::ip::make_address(host, ec);
        if (ec) return fail("\"" + host + "\" is not an IP address");
        t.host = host;
        return t;
    }
    if (kind == "ptcp" || kind == "pssl") {
        t.kind = kind == "ptcp" ? Target::Kind::PTcp : Target::Kind::PSsl;
        // ptcp:[PORT][:IP]
        std::string port = rest, host;
        auto c = rest.find(':');
        if (c != std::string::npos) {
            port = rest.substr(0, c);
            host = rest.substr(c + 1);
            if (!host.empty() && host.front() == '[' && host.back() == ']')
                host = host.substr(1, host.size() - 2);
        }
        if (!port.empty() && !parse_port(port, t.port)) return fail("bad port \"" + port + "\"");
        if (!host.empty()) {
            boost::system::error_code ec;
            asio::ip::make_address(host, ec);
            if (ec) return fail("\"" + host + "\" is not an IP address");
        }
        t.host = host;
        return t;
    }
    return fail("unknown stream type \"" + kind + "\"");
}

bool is_stream_name(const std::string& name) {
    std::string e;
    return parse_target(name, &e).has_value();
}

std::string endpoint_name(const char* kind, const asio::ip::tcp::endpoint& ep) {
    auto a = ep.address();
    std::string host = a.is_v6() ? "[" + a.to_string() + "]" : a.to_string();
    return std::string(kind) + ":" + host + ":" + std::to_string(ep.port());
}

std::unique_ptr<Stream> make_unix_stream(asio::local::stream_protocol::socket s, std::string name) {
    return std::make_unique<AsioStream<asio::local::stream_protocol::socket>>(std::move(s),
                                                                             std::move(name));
}

std::unique_ptr<Stream> make_tcp_stream(asio::ip::tcp::socket s, std::string name) {
    error_code ec;
    s.set_option(asio::ip::tcp::no_delay(true), ec);
    return std::make_unique<AsioStream<asio::ip::tcp::socket>>(std::move(s), std::move(name));
}

std::unique_ptr<Stream> make_ssl_stream(std::shared_ptr<asio::ssl::context> ctx,
                                        std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> s,
                                        std::string name) {
    return std::make_unique<SslStream>(std::move(ctx), std::move(s), std::move(name));
}

std::shared_ptr<asio::ssl::context> make_ssl_context(const SslConfig& cfg, bool server,
                                                     bool* bootstrapping) {
    auto ctx = std::make_shared<asio::ssl::context>(server ? asio::ssl::context::tls_server
                                                           : asio::ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    if (cfg.private_key.empty() || cfg.certificate.empty())
        throw std::runtime_error("SSL requires a private key and a certificate "
                                 "(--private-key and --certificate)");
    if (SSL_CTX_use_certificate_chain_file(native, cfg.certificate.c_str()) != 1)
        throw std::runtime_error("could not load certificate " + cfg.certificate + ": " +
                                 openssl_error());
    if (SSL_CTX_use_PrivateKey_file(native, cfg.private_key.c_str(), SSL_FILETYPE_PEM) != 1)
        throw std::runtime_error("could not load private key " + cfg.private_key + ": " +
                                 openssl_error());
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("private key " + cfg.private_key + " does not match certificate " +
                                 cfg.certificate);
    bool boot = false;
    if (cfg.ca_cert.empty()) {
        throw std::runtime_error("SSL requires a CA certificate (--ca-cert or --bootstrap-ca-cert)");
    } else if (!file_exists(cfg.ca_cert)) {
        if (!cfg.bootstrap_ca_cert)
            throw std::runtime_error("could not read CA certificate " + cfg.ca_cert +
                                     " (file does not exist)");
        boot = true;   // learn the peer's CA on first connection
        SSL_CTX_set_verify(native, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    } else {
        if (SSL_CTX_load_verify_locations(native, cfg.ca_cert.c_str(), nullptr) != 1)
            throw std::runtime_error("could not load CA certificate " + cfg.ca_cert + ": " +
                                     openssl_error());
        if (server) {
            STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(cfg.ca_cert.c_str());
            if (names) SSL_CTX_set_client_CA_list(native, names);
        }
        SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    if (bootstrapping) *bootstrapping = boot;
    return ctx;
}

std::string bootstrap_save_peer_ca(SSL* ssl, const std::string& ca_path) {
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    if (!chain || sk_X509_num(chain) == 0) return "peer sent no certificate chain";
    X509* ca = nullptr;
    for (int i = 0; i < sk_X509_num(chain); ++i) {
        X509* c = sk_X509_value(chain, i);
        if (X509_check_issued(c, c) == X509_V_OK) {   // self-signed: the root
            ca = c;
            break;
        }
    }
    if (!ca)
        return "peer's certificate chain contains no self-signed CA certificate "
               "(the peer must send its CA certificate after its own)";
    std::string tmp = ca_path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return "could not create " + tmp;
    bool ok = PEM_write_X509(f, ca) == 1;
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), ca_path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return "could not write " + ca_path;
    }
    ::chmod(ca_path.c_str(), 0444);
    char subject[256];
    X509_NAME_oneline(X509_get_subject_name(ca), subject, sizeof subject);
    VLOG_INFO("successfully bootstrapped CA cert to %s", ca_path.c_str());
    VLOG_INFO("Trusting CA cert from %s (%s)", ca_path.c_str(), subject);
    return {};
}

namespace {

struct ConnectOp : std::enable_shared_from_this<ConnectOp> {
    asio::io_context& io;
    Target target;
    SslConfig ssl;
    ConnectHandler handler;
    std::unique_ptr<asio::local::stream_protocol::socket> usock;
    std::unique_ptr<asio::ip::tcp::socket> tsock;
    std::shared_ptr<asio::ssl::context> ctx;
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> sslsock;
    bool bootstrapping = false;

    ConnectOp(asio::io_context& i, Target t, SslConfig s, ConnectHandler h)
        : io(i), target(std::move(t)), ssl(std::move(s)), handler(std::move(h)) {}

    void fail(const std::string& e) { handler(nullptr, e); }

    void start() {
        auto self = shared_from_this();
        if (target.kind == Target::Kind::Unix) {
            usock = std::make_unique<asio::local::stream_protocol::socket>(io);
            usock->async_connect(asio::local::stream_protocol::endpoint(target.path),
                                 [self](const error_code& ec) {
                                     if (ec) return self->fail(ec.message());
                                     self->handler(make_unix_stream(std::move(*self->usock),
                                                                    self->target.text),
                                                   {});
                                 });
            return;
        }
        error_code ec;
        auto addr = asio::ip::make_address(target.host, ec);
        if (ec) return fail("bad address " + target.host);
        asio::ip::tcp::endpoint ep(addr, target.port);
        if (target.kind == Target::Kind::Tcp) {
            tsock = std::make_unique<asio::ip::tcp::socket>(io);
            tsock->async_connect(ep, [self](const error_code& ec) {
                if (ec) return self->fail(ec.message());
                self->handler(make_tcp_stream(std::move(*self->tsock), self->target.text), {});
            });
            return;
        }
        try {
            ctx = make_ssl_context(ssl, false, &bootstrapping);
        } catch (const std::exception& e) {
            return fail(e.what());
        }
        sslsock = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(io, *ctx);
        sslsock->lowest_layer().async_connect(ep, [self](const error_code& ec) {
            if (ec) return self->fail(ec.message());
            error_code ec2;
            self->sslsock->lowest_layer().set_option(asio::ip::tcp::no_delay(true), ec2);
            self->sslsock->async_handshake(
                asio::ssl::stream_base::client, [self](const error_code& ec) {
                    if (ec) {
                        std::string why = ec.message();
                        VLOG_WARN("SSL_connect: %s", why.c_str());
                        return self->fail("SSL handshake failed: " + why);
                    }
                    if (self->bootstrapping) {
                        std::string err = bootstrap_save_peer_ca(self->sslsock->native_handle(),
                                                                 self->ssl.ca_cert);
                        if (!err.empty()) {
                            VLOG_ERR("%s: bootstrap of CA certificate failed: %s",
                                     self->target.text.c_str(), err.c_str());
                            return self->fail("CA bootstrap failed: " + err);
                        }
                        VLOG_INFO("killing successful connection to retry using CA cert");
                        return self->fail("bootstrapped CA certificate; reconnecting to verify");
                    }
                    self->handler(make_ssl_stream(self->ctx, std::move(self->sslsock),
                                                  self->target.text),
                                  {});
                });
        });
    }
};

}  // namespace

void async_connect(asio::io_context& io, const Target& t, const SslConfig& ssl, ConnectHandler h) {
    if (t.passive()) {
        h(nullptr, t.text + ": cannot connect to a passive target");
        return;
    }
    std::make_shared<ConnectOp>(io, t, ssl, std::move(h))->start();
}

std::unique_ptr<Stream> connect_blocking(asio::io_context& io, const Target& t,
                                         const SslConfig& ssl) {
    std::unique_ptr<Stream> result;
    std::string error;
    bool done = false;
    async_connect(io, t, ssl, [&](std::unique_ptr<Stream> s, const std::string& e) {
        result = std::move(s);
        error = e;
        done = true;
    });
    while (!done && io.run_one() > 0) {
    }
    io.restart();
    if (!result) throw std::runtime_error(t.text + ": " + (error.empty() ? "connection failed" : error));
    return result;
}

}  // namespace common
