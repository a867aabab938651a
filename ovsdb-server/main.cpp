// ovsdb-server: the OVSDB configuration database server.
//
// This file parses the command line (the same options as Open vSwitch's
// ovsdb-server) and wires the parts together: the engine (Server), the
// remotes, the control socket and the daemon plumbing.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "common/daemon.hpp"
#include "common/unixctl.hpp"
#include "common/vlog.hpp"
#include "ovsdb-server/control.hpp"
#include "ovsdb-server/db_remotes.hpp"
#include "ovsdb-server/remotes.hpp"
#include "ovsdb-server/rpc.hpp"

VLOG_DEFINE_THIS_MODULE(ovsdb_server);

namespace {

const char* kProgram = "ovsdb-server";

std::string version_text() { return std::string(kProgram) + " (vswitch) " VSWITCH_VERSION; }

void usage() {
    std::printf(
        "%s: Open vSwitch-compatible database server (vswitch)\n"
        "usage: %s [OPTIONS] [DATABASE...]\n"
        "where each DATABASE is a database file in vswitch's SQLite format\n"
        "(create one with ovsdb-tool create).  The default DATABASE, if none is given,\n"
        "is %s/conf.db.\n"
        "\nJSON-RPC options (may be specified any number of times):\n"
        "  --remote=REMOTE         connect or listen to REMOTE:\n"
        "                            punix:PATH, ptcp:[PORT][:IP], pssl:[PORT][:IP] (listen)\n"
        "                            unix:PATH, tcp:IP[:PORT], ssl:IP[:PORT] (connect)\n"
        "                            db:DB,TABLE,COLUMN (remotes named in a database column)\n"
        "\nPKI configuration (required to use SSL):\n"
        "  -p, --private-key=FILE  file with private key\n"
        "  -c, --certificate=FILE  file with certificate for private key\n"
        "  -C, --ca-cert=FILE      file with peer CA certificate\n"
        "  --bootstrap-ca-cert=FILE  file with peer CA certificate to read or create\n"
        "  (each may also be db:DB,TABLE,COLUMN to follow a database column)\n"
        "%s"
        "\nStorage options:\n"
        "  --no-sqlite-exclusive   let other processes (sqlite3, ovsdb-tool query) read\n"
        "                          each database file while the server runs; by default\n"
        "                          the server keeps it locked (SQLite's exclusive\n"
        "                          locking mode), which saves system calls per commit\n"
        "  --sqlite-exclusive      the default (accepted for older command lines)\n"
        "\nOther options:\n"
        "  -h, --help              display this help message\n"
        "  -V, --version           display version information\n",
        kProgram, kProgram, common::daemon::dbdir().c_str(),
        common::daemon::options_help(kProgram).c_str());
}

struct Options {
    std::vector<std::string> databases;
    std::vector<std::string> remotes;
    std::string private_key, certificate, ca_cert;
    bool bootstrap_ca_cert = false;
    bool sqlite_exclusive = true;
    common::daemon::Options daemon;
};

// "--name=value" or "--name value"; returns true and sets `value`.
bool take(const std::string& name, const std::string& shortname, int& i, int argc, char** argv,
          std::string& value) {
    std::string a = argv[i];
    if (a.rfind(name + "=", 0) == 0) {
        value = a.substr(name.size() + 1);
        return true;
    }
    if (a == name || (!shortname.empty() && a == shortname)) {
        if (i + 1 >= argc) throw std::invalid_argument(a + " requires an argument");
        value = argv[++i];
        return true;
    }
    if (!shortname.empty() && a.rfind(shortname, 0) == 0 && a.size() > shortname.size()) {
        value = a.substr(shortname.size());
        return true;
    }
    return false;
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i], v;
        if (a == "-h" || a == "--help") {
            usage();
            std::exit(0);
        }
        if (a == "-V" || a == "--version") {
            std::printf("%s\n", version_text().c_str());
            std::exit(0);
        }
        if (take("--remote", "", i, argc, argv, v)) {
            o.remotes.push_back(v);
        } else if (take("--private-key", "-p", i, argc, argv, v)) {
            o.private_key = v;
        } else if (take("--certificate", "-c", i, argc, argv, v)) {
            o.certificate = v;
        } else if (take("--ca-cert", "-C", i, argc, argv, v)) {
            o.ca_cert = v;
        } else if (take("--bootstrap-ca-cert", "", i, argc, argv, v)) {
            o.ca_cert = v;
            o.bootstrap_ca_cert = true;
        } else if (take("--peer-ca-cert", "", i, argc, argv, v) ||
                   take("--ssl-protocols", "", i, argc, argv, v) ||
                   take("--ssl-ciphers", "", i, argc, argv, v)) {
            // Accepted for compatibility: we send the whole --certificate
            // chain, and allow TLS 1.2 or newer with OpenSSL's defaults.
        } else if (a == "--sqlite-exclusive") {
            o.sqlite_exclusive = true;
        } else if (a == "--no-sqlite-exclusive") {
            o.sqlite_exclusive = false;
        } else if (a == "--disable-file-column-diff" || a == "--no-self-confinement") {
            // Accepted for compatibility; not applicable.
        } else if (common::daemon::parse_option(o.daemon, a)) {
        } else if (!a.empty() && a[0] == '-') {
            throw std::invalid_argument("unrecognized option '" + a + "' (use --help for help)");
        } else {
            o.databases.push_back(a);
        }
    }
    if (o.databases.empty()) o.databases.push_back(common::daemon::dbdir() + "/conf.db");
    return o;
}

void raise_fd_limit() {
    struct rlimit rl;
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &rl);
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options opts;
    try {
        opts = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", kProgram, e.what());
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);
    // A write past a file size limit fails (EFBIG) and is answered as an
    // I/O error instead of killing the server.
    ::signal(SIGXFSZ, SIG_IGN);
    raise_fd_limit();
    try {
        common::daemon::start_logging(opts.daemon, kProgram);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", kProgram, e.what());
        return 1;
    }
    common::daemon::daemonize_start(opts.daemon, kProgram);

    // One thread runs everything: tell asio, which then locks less.
    boost::asio::io_context io(1);
    ovsdb::server::Server server(io);
    server.set_exclusive_storage(opts.sqlite_exclusive);
    for (const auto& db : opts.databases) {
        try {
            server.open_database(db);
        } catch (const std::exception& e) {
            VLOG_EMER("%s", e.what());
            std::fprintf(stderr, "%s: %s\n", kProgram, e.what());
            return 1;
        }
    }

    ovsdb::server::Remotes remotes(io, server);
    // PKI options may name files or db:DB,TABLE,COLUMN columns; DbRemotes
    // resolves both, and follows db: remotes as the database changes.
    ovsdb::server::DbRemotes db_remotes(io, server, remotes,
                                        {opts.private_key, opts.certificate, opts.ca_cert,
                                         opts.bootstrap_ca_cert});
    auto add_remote = [&](const std::string& name) -> std::string {
        if (name.rfind("db:", 0) == 0) return db_remotes.add_spec(name);
        return remotes.add(name);
    };
    auto remove_remote = [&](const std::string& name) {
        if (db_remotes.remove_spec(name)) {
            db_remotes.refresh();
            return true;
        }
        return remotes.remove(name);
    };
    auto list_remotes = [&] {
        std::vector<std::string> v(db_remotes.specs().begin(), db_remotes.specs().end());
        for (auto& n : remotes.names())
            if (!db_remotes.derived(n)) v.push_back(n);
        return v;
    };
    db_remotes.refresh();
    for (const auto& r : opts.remotes) {
        std::string err = add_remote(r);
        if (!err.empty()) {
            VLOG_EMER("%s", err.c_str());
            std::fprintf(stderr, "%s: %s\n", kProgram, err.c_str());
            return 1;
        }
    }

    std::unique_ptr<common::UnixctlServer> ctl;
    try {
        ctl = std::make_unique<common::UnixctlServer>(
            io, opts.daemon.unixctl.value_or(common::UnixctlServer::default_path(kProgram)),
            version_text());
    } catch (const std::exception& e) {
        VLOG_EMER("could not open the control socket: %s", e.what());
        std::fprintf(stderr, "%s: could not open the control socket: %s\n", kProgram, e.what());
        return 1;
    }
    bool exiting = false;
    ovsdb::server::register_control_commands(*ctl, server, remotes, add_remote, remove_remote,
                                             list_remotes, [&] {
                                                 exiting = true;
                                                 boost::asio::post(io, [&] { io.stop(); });
                                             });

    boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        VLOG_WARN("terminating with signal %d (%s)", sig, ::strsignal(sig));
        io.stop();
    });

    try {
        common::daemon::daemonize_complete(opts.daemon, kProgram);
    } catch (const std::exception& e) {
        VLOG_EMER("%s", e.what());
        std::fprintf(stderr, "%s: %s\n", kProgram, e.what());
        return 1;
    }
    VLOG_INFO("%s", version_text().c_str());

    io.run();
    (void)exiting;
    common::daemon::remove_pidfile();
    return 0;
}
