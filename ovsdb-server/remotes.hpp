// Remotes: where ovsdb-server accepts or makes its client connections.
//
// Each remote is a target name as on the command line (`--remote`) or the
// control socket (`ovsdb-server/add-remote`): punix:/ptcp:/pssl: listen,
// unix:/tcp:/ssl: connect out and stay connected (backoff, probes).  Every
// connection becomes a Peer of the engine's Server.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/jsonrpc.hpp"
#include "common/remote.hpp"
#include "ovsdb-server/rpc.hpp"

namespace ovsdb::server {

// Per-remote options (from the command line: defaults; from Manager rows:
// the row's columns).
struct RemoteOptions {
    std::chrono::milliseconds max_backoff{8000};
    std::optional<std::chrono::milliseconds> inactivity_probe;   // default by kind
    int dscp = -1;
};

class Remotes {
public:
    Remotes(boost::asio::io_context& io, Server& server);
    ~Remotes();

    // Adds a remote; returns an empty string or the error text.  Adding a
    // remote that exists is not an error.
    std::string add(const std::string& name, const RemoteOptions& opts = {});
    bool remove(const std::string& name);
    bool has(const std::string& name) const { return remotes_.count(name) > 0; }
    std::vector<std::string> names() const;

    // Drops every connection (clients reconnect; active remotes reconnect
    // at once).
    void reconnect_all();

    // TLS settings for ssl:/pssl: remotes (files; may change at run time).
    void set_ssl(const common::SslConfig& cfg) { ssl_ = cfg; }
    const common::SslConfig& ssl() const { return ssl_; }

    // Status of one remote, as written to a Manager row.
    struct Status {
        bool is_connected = false;
        std::map<std::string, std::string> status;
    };
    std::optional<Status> status(const std::string& name) const;

    size_t n_connections() const;

private:
    struct Conn;
    struct Remote;
    void accepted(Remote& r, std::unique_ptr<common::Stream> s);
    void attach(Remote& r, std::unique_ptr<common::Stream> s);

    boost::asio::io_context& io_;
    Server& server_;
    common::SslConfig ssl_;
    std::map<std::string, std::unique_ptr<Remote>> remotes_;
    bool batch_open_ = false;
};

}  // namespace ovsdb::server
