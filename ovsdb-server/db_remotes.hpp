// DbRemotes: remotes and TLS settings read from the database itself.
//
// `--remote=db:DB,TABLE,COLUMN` names a column whose values are remotes:
// either strings (each a target), or references to rows with a "target"
// column — Manager rows, whose inactivity_probe, max_backoff and
// other_config also apply, and into which the connection status is written
// back (is_connected, status).  `--private-key=db:DB,TABLE,COLUMN` and the
// other PKI options name a string column to read a file name from.
// Everything is re-read after each commit, so adding or removing a Manager
// opens or closes its connection at once.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include <boost/asio.hpp>

#include "ovsdb-server/remotes.hpp"
#include "ovsdb-server/rpc.hpp"

namespace ovsdb::server {

class DbRemotes {
public:
    struct PkiOptions {
        std::string private_key, certificate, ca_cert;   // file names or db: specs
        bool bootstrap_ca_cert = false;
    };

    DbRemotes(boost::asio::io_context& io, Server& server, Remotes& remotes, PkiOptions pki);

    // Adds a db:DB,TABLE,COLUMN spec; returns an empty string or the error.
    std::string add_spec(const std::string& spec);
    bool remove_spec(const std::string& spec);
    const std::set<std::string>& specs() const { return specs_; }
    // True for a remote that exists because the database names it.
    bool derived(const std::string& name) const { return active_.count(name) > 0; }

    // Re-reads everything (called after each commit and at start).
    void refresh();

private:
    struct Spec {
        std::string db, table, column;
    };
    struct Managed {                 // a remote that came from a row
        std::string db, table;
        Uuid row;
    };
    std::optional<Spec> parse(const std::string& spec, std::string* err) const;
    std::optional<std::string> read_string(const std::string& spec) const;
    void write_status();
    void schedule_status();

    boost::asio::io_context& io_;
    Server& server_;
    Remotes& remotes_;
    PkiOptions pki_;
    std::set<std::string> specs_;
    std::map<std::string, Managed> active_;                   // remote name -> its row (if any)
    std::map<std::pair<std::string, Uuid>, json> last_status_;
    boost::asio::steady_timer timer_;
    bool refreshing_ = false;
    bool writing_ = false;
};

}  // namespace ovsdb::server
