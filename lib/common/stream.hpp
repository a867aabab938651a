// Streams: byte streams over unix sockets, TCP and TLS, behind one interface,
// and the Open vSwitch target names that select them.
//
//   active:  unix:PATH   tcp:IP[:PORT]   ssl:IP[:PORT]      (IPv6 as [addr])
//   passive: punix:PATH  ptcp:[PORT][:IP] pssl:[PORT][:IP]
//
// The default port is 6640 (OVSDB's IANA port).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace common {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

struct Target {
    enum class Kind { Unix, Tcp, Ssl, PUnix, PTcp, PSsl };
    Kind kind = Kind::Unix;
    std::string path;         // unix kinds
    std::string host;         // tcp/ssl kinds ("" = any address for passive)
    uint16_t port = 6640;
    std::string text;         // as given

    bool passive() const { return kind == Kind::PUnix || kind == Kind::PTcp || kind == Kind::PSsl; }
    bool ssl() const { return kind == Kind::Ssl || kind == Kind::PSsl; }
    bool unix_socket() const { return kind == Kind::Unix || kind == Kind::PUnix; }
};

// Parses a target name; on failure returns nullopt and sets *error.
std::optional<Target> parse_target(const std::string& name, std::string* error);
// True if `name` looks like a stream name of any kind (used for --remote checks).
bool is_stream_name(const std::string& name);

// One connected byte stream.
class Stream {
public:
    using Handler = std::function<void(const error_code&, std::size_t)>;
    virtual ~Stream() = default;
    virtual void async_read_some(asio::mutable_buffer buf, Handler h) = 0;
    virtual void async_write(asio::const_buffer buf, Handler h) = 0;
    // Writes what the socket takes now without blocking and returns how
    // many bytes that was (0 on any error: async_write will report it).
    // Only while no async_write is in flight.  Streams that cannot (TLS)
    // return 0.
    virtual std::size_t try_write(asio::const_buffer) { return 0; }
    virtual void close() = 0;
    // Marks outgoing IP packets with a DSCP value (0-63); no-op on unix sockets.
    virtual void set_dscp(int) {}
    // The peer, as Open vSwitch names connections in logs ("unix#3",
    // "tcp:127.0.0.1:50312", "ssl:10.0.0.1:6632").
    virtual const std::string& name() const = 0;
};

// TLS settings shared by every SSL stream of a process.  Any change takes
// effect for the next connection.
struct SslConfig {
    std::string private_key;
    std::string certificate;
    std::string ca_cert;
    bool bootstrap_ca_cert = false;   // save the peer's CA to ca_cert if it is absent

    bool complete() const { return !private_key.empty() && !certificate.empty() && !ca_cert.empty(); }
    bool operator==(const SslConfig&) const = default;
};

// Builds a TLS (1.2 or newer) context for the role; throws std::runtime_error
// with a clear message when a file cannot be used.  `bootstrapping` is set
// when the CA file is absent and bootstrap is on: peers are then accepted
// unverified, once, to learn their CA.
std::shared_ptr<asio::ssl::context> make_ssl_context(const SslConfig& cfg, bool server,
                                                     bool* bootstrapping);

// After a handshake in bootstrap mode: saves the peer's CA certificate (the
// self-signed certificate at the top of its chain) to cfg.ca_cert.  Returns
// an empty string on success, else why not.
std::string bootstrap_save_peer_ca(SSL* ssl, const std::string& ca_path);

// Wraps connected sockets.
std::unique_ptr<Stream> make_unix_stream(asio::local::stream_protocol::socket s, std::string name);
std::unique_ptr<Stream> make_tcp_stream(asio::ip::tcp::socket s, std::string name);
std::unique_ptr<Stream> make_ssl_stream(std::shared_ptr<asio::ssl::context> ctx,
                                        std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> s,
                                        std::string name);

// Connects an active target.  The callback gets the stream or an error text.
// For ssl targets the handshake is done (and verified) before the callback.
using ConnectHandler = std::function<void(std::unique_ptr<Stream>, const std::string& error)>;
void async_connect(asio::io_context& io, const Target& t, const SslConfig& ssl, ConnectHandler h);

// Connects synchronously (for command-line tools); throws std::runtime_error.
std::unique_ptr<Stream> connect_blocking(asio::io_context& io, const Target& t, const SslConfig& ssl);

// "tcp:1.2.3.4:5" for an endpoint.
std::string endpoint_name(const char* kind, const asio::ip::tcp::endpoint& ep);

}  // namespace common
