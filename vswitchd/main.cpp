// vswitchd: the switch daemon (Open vSwitch's ovs-vswitchd).
//
// This file parses the command line (Open vSwitch's options, plus --dpif to
// choose the datapath) and wires the parts: the datapath, the Switch, the
// control socket and the daemon plumbing.
#include <signal.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include <boost/asio.hpp>

#include "common/daemon.hpp"
#include "common/unixctl.hpp"
#include "common/vlog.hpp"
#include "dpif/open_dpif.hpp"
#include "vswitchd/appctl.hpp"
#include "vswitchd/switch.hpp"

VLOG_DEFINE_THIS_MODULE(vswitchd);

namespace {

// Default file names follow Open vSwitch's daemon so that ovs-appctl (whose
// default target is ovs-vswitchd) and existing scripts find it.
const char* kProgram = "ovs-vswitchd";

std::string version_text() { return std::string(kProgram) + " (vswitch) " VSWITCH_VERSION; }

void usage() {
    std::printf(
        "vswitchd: Open vSwitch-compatible switch daemon (vswitch)\n"
        "usage: vswitchd [OPTIONS] [DATABASE]\n"
        "where DATABASE is a socket on which ovsdb-server is listening\n"
        "      (unix:PATH, tcp:IP:PORT or ssl:IP:PORT; default: \"unix:%s/db.sock\").\n"
        "\nDatapath options:\n"
        "  --dpif=TYPE             datapath implementation: netlink (the kernel's\n"
        "                          openvswitch module; also \"system\"), or dummy (in\n"
        "                          process, for tests); default netlink\n"
        "  --enable-dummy[=override]  same as --dpif=dummy\n"
        "\nPKI configuration (required to use SSL to the database):\n"
        "  -p, --private-key=FILE  file with private key\n"
        "  -c, --certificate=FILE  file with certificate for private key\n"
        "  -C, --ca-cert=FILE      file with peer CA certificate\n"
        "  --bootstrap-ca-cert=FILE  file with peer CA certificate to read or create\n"
        "%s"
        "\nOther options:\n"
        "  --mlockall              lock all memory into RAM\n"
        "  -h, --help              display this help message\n"
        "  -V, --version           display version information\n",
        common::daemon::rundir().c_str(), common::daemon::options_help(kProgram).c_str());
}

struct Options {
    std::string remote;
    std::string dpif = "netlink";
    common::SslConfig ssl;
    bool mlockall = false;
    common::daemon::Options daemon;
};

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
        if (take("--dpif", "", i, argc, argv, v)) {
            o.dpif = v;
        } else if (a == "--enable-dummy" || a.rfind("--enable-dummy=", 0) == 0) {
            o.dpif = "dummy";
        } else if (take("--private-key", "-p", i, argc, argv, v)) {
            o.ssl.private_key = v;
        } else if (take("--certificate", "-c", i, argc, argv, v)) {
            o.ssl.certificate = v;
        } else if (take("--ca-cert", "-C", i, argc, argv, v)) {
            o.ssl.ca_cert = v;
        } else if (take("--bootstrap-ca-cert", "", i, argc, argv, v)) {
            o.ssl.ca_cert = v;
            o.ssl.bootstrap_ca_cert = true;
        } else if (take("--peer-ca-cert", "", i, argc, argv, v) || take("--ssl-protocols", "", i, argc, argv, v) ||
                   take("--ssl-ciphers", "", i, argc, argv, v)) {
            // Accepted for compatibility (TLS 1.2 or newer, OpenSSL's defaults).
        } else if (a == "--mlockall") {
            o.mlockall = true;
        } else if (a == "--disable-system" || a == "--no-self-confinement" || a == "--disable-system-route") {
            // Accepted for compatibility; nothing to do here.
        } else if (common::daemon::parse_option(o.daemon, a)) {
        } else if (!a.empty() && a[0] == '-') {
            throw std::invalid_argument("unrecognized option '" + a + "' (use --help for help)");
        } else if (o.remote.empty()) {
            o.remote = a;
        } else {
            throw std::invalid_argument("exactly zero or one non-option argument required; use --help for usage");
        }
    }
    if (o.remote.empty()) o.remote = "unix:" + common::daemon::rundir() + "/db.sock";
    // A plain path is a unix socket, as most people mean it.
    if (o.remote[0] == '/') o.remote = "unix:" + o.remote;
    bool known = false;
    for (const auto& t : dpif::dpif_types()) known |= t == o.dpif;
    if (!known) {
        std::string list;
        for (const auto& t : dpif::dpif_types()) list += (list.empty() ? "" : ", ") + t;
        throw std::invalid_argument("unknown datapath type '" + o.dpif + "' (this build has: " + list + ")");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    Options opts;
    try {
        opts = parse(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vswitchd: %s\n", e.what());
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);
    try {
        common::daemon::start_logging(opts.daemon, kProgram);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vswitchd: %s\n", e.what());
        return 1;
    }
    common::daemon::daemonize_start(opts.daemon, kProgram);
    if (opts.mlockall && ::mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
        VLOG_ERR("mlockall failed: %s", std::strerror(errno));

    boost::asio::io_context io;
    std::unique_ptr<vswitchd::Switch> sw;
    try {
        sw = std::make_unique<vswitchd::Switch>(io, dpif::open_dpif(opts.dpif), opts.remote, opts.ssl);
    } catch (const std::exception& e) {
        VLOG_EMER("%s", e.what());
        std::fprintf(stderr, "vswitchd: %s\n", e.what());
        return 1;
    }

    std::unique_ptr<common::UnixctlServer> ctl;
    try {
        ctl = std::make_unique<common::UnixctlServer>(
            io, opts.daemon.unixctl.value_or(common::UnixctlServer::default_path(kProgram)), version_text());
    } catch (const std::exception& e) {
        VLOG_EMER("could not open the control socket: %s", e.what());
        std::fprintf(stderr, "vswitchd: could not open the control socket: %s\n", e.what());
        return 1;
    }
    bool cleanup = false;
    vswitchd::register_appctl(*ctl, *sw, [&](bool c) {
        cleanup = c;
        // After the reply is on its way.
        boost::asio::post(io, [&] {
            sw->shutdown(cleanup);
            io.stop();
        });
    });

    boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec) return;
        VLOG_WARN("terminating with signal %d (%s)", sig, ::strsignal(sig));
        sw->shutdown(false);
        io.stop();
    });

    sw->start();
    try {
        common::daemon::daemonize_complete(opts.daemon, kProgram);
    } catch (const std::exception& e) {
        VLOG_EMER("%s", e.what());
        std::fprintf(stderr, "vswitchd: %s\n", e.what());
        return 1;
    }
    VLOG_INFO("%s (datapath: %s)", version_text().c_str(), opts.dpif.c_str());
    io.run();
    // Let the exit reply reach its client.
    io.restart();
    io.run_for(std::chrono::milliseconds(100));
    common::daemon::remove_pidfile();
    return 0;
}
