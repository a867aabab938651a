// Daemon helpers shared by ovsdb-server and vswitchd: the options Open vSwitch
// daemons take (--pidfile, --detach, --no-chdir, --log-file, --unixctl, -v),
// directories, pidfiles and detaching.
//
// Detaching is two-phase, as upstream does it: daemonize_start() forks before
// any set-up (the parent waits), daemonize_complete() is called once the
// daemon is ready to serve (sockets bound, database open), so the parent
// exits 0 only when the service is really there — or 1 if the child died
// during start-up.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common::daemon {

// $OVS_RUNDIR or /var/run/openvswitch; $OVS_LOGDIR or /var/log/openvswitch;
// $OVS_DBDIR or /etc/openvswitch; $OVS_SYSCONFDIR or /etc.
std::string rundir();
std::string logdir();
std::string dbdir();

struct Options {
    std::optional<std::string> pidfile;     // set, possibly to "" = default path
    bool detach = false;
    bool no_chdir = false;
    bool overwrite_pidfile = false;
    std::optional<std::string> log_file;    // set, possibly to "" = default path
    std::optional<std::string> unixctl;
    std::vector<std::string> verbose;       // -v specs in order
};

// Consumes `arg` if it is one of the daemon or logging options.
// Throws std::invalid_argument for a malformed one.
bool parse_option(Options& o, std::string_view arg);

// The help text for those options.
std::string options_help(const std::string& program);

// Applies -v settings and opens the log file; throws std::runtime_error.
void start_logging(const Options& o, const std::string& program);

// Phase one (before any set-up).  Only the child returns.
void daemonize_start(const Options& o, const std::string& program);
// Phase two (ready to serve): pidfile, tell the waiting parent, chdir("/")
// unless --no-chdir, stdio to /dev/null when detached.  Throws on failure.
void daemonize_complete(const Options& o, const std::string& program);
// Removes the pidfile written by daemonize_complete (at clean exit).
void remove_pidfile();

}  // namespace common::daemon
