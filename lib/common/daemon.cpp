#include "common/daemon.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(daemon);

namespace common::daemon {

namespace {

int ready_fd = -1;          // the child's end of the pipe to the waiting parent
std::string pidfile_path;
int pidfile_fd = -1;

std::string env_or(const char* var, const char* dflt) {
    const char* v = std::getenv(var);
    return v && *v ? v : dflt;
}

std::string abs_path(const std::string& p) {
    if (p.empty() || p[0] == '/') return p;
    char cwd[4096];
    if (!::getcwd(cwd, sizeof cwd)) return p;
    return std::string(cwd) + "/" + p;
}

}  // namespace

std::string rundir() { return env_or("OVS_RUNDIR", "/var/run/openvswitch"); }
std::string logdir() { return env_or("OVS_LOGDIR", "/var/log/openvswitch"); }
std::string dbdir() { return env_or("OVS_DBDIR", "/etc/openvswitch"); }

bool parse_option(Options& o, std::string_view arg) {
    auto value_of = [&](std::string_view name) -> std::optional<std::string> {
        if (arg.substr(0, name.size()) != name) return std::nullopt;
        if (arg.size() == name.size()) return std::string();
        if (arg[name.size()] != '=') return std::nullopt;
        return std::string(arg.substr(name.size() + 1));
    };
    if (auto v = value_of("--pidfile")) {
        o.pidfile = *v;
        return true;
    }
    if (arg == "--detach") {
        o.detach = true;
        return true;
    }
    if (arg == "--no-chdir") {
        o.no_chdir = true;
        return true;
    }
    if (arg == "--overwrite-pidfile") {
        o.overwrite_pidfile = true;
        return true;
    }
    if (arg == "--monitor") return true;   // accepted for compatibility; we do not respawn
    if (auto v = value_of("--log-file")) {
        o.log_file = *v;
        return true;
    }
    if (auto v = value_of("--unixctl")) {
        if (v->empty()) throw std::invalid_argument("--unixctl requires a socket path");
        o.unixctl = *v;
        return true;
    }
    if (auto v = value_of("--verbose")) {
        o.verbose.push_back(v->empty() ? "dbg" : *v);
        return true;
    }
    if (arg.substr(0, 2) == "-v" && arg.substr(0, 3) != "-v=") {
        o.verbose.push_back(arg.size() == 2 ? "dbg" : std::string(arg.substr(2)));
        return true;
    }
    return false;
}

std::string options_help(const std::string& program) {
    return "\nDaemon options:\n"
           "  --detach                run in background as daemon\n"
           "  --pidfile[=FILE]        create pidfile (default: " + rundir() + "/" + program + ".pid)\n"
           "  --overwrite-pidfile     with --pidfile, start even if already running\n"
           "  --no-chdir              do not chdir to '/'\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "\nLogging options:\n"
           "  -vSPEC, --verbose=SPEC   set logging levels (e.g. -vconsole:warn, -vjsonrpc:file:dbg)\n"
           "  -v, --verbose            set maximum verbosity level\n"
           "  --log-file[=FILE]       enable logging to specified FILE\n"
           "                          (default: " + logdir() + "/" + program + ".log)\n";
}

void start_logging(const Options& o, const std::string& program) {
    vlog::init(program);
    for (const auto& spec : o.verbose) {
        std::string err = vlog::set_levels_from_string(spec);
        if (!err.empty()) throw std::runtime_error(err);
    }
    if (o.log_file) {
        std::string path = o.log_file->empty() ? logdir() + "/" + program + ".log" : *o.log_file;
        std::string err = vlog::set_log_file(abs_path(path));
        if (!err.empty()) throw std::runtime_error(err);
    }
}

void daemonize_start(const Options& o, const std::string& program) {
    if (!o.detach) return;
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error(std::string("pipe failed: ") + std::strerror(errno));
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid > 0) {
        // Parent: wait for the child to say it is ready, or to die.
        ::close(fds[1]);
        char c;
        ssize_t n;
        do {
            n = ::read(fds[0], &c, 1);
        } while (n < 0 && errno == EINTR);
        if (n == 1) std::_Exit(0);
        int status = 0;
        ::waitpid(pid, &status, 0);
        std::fprintf(stderr, "%s: child process failed to start (%s %d)\n", program.c_str(),
                     WIFSIGNALED(status) ? "killed by signal" : "exit status",
                     WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        std::_Exit(1);
    }
    ::close(fds[0]);
    ready_fd = fds[1];
    ::setsid();
}

void daemonize_complete(const Options& o, const std::string& program) {
    if (o.pidfile) {
        pidfile_path = abs_path(o.pidfile->empty() ? rundir() + "/" + program + ".pid" : *o.pidfile);
        int fd = ::open(pidfile_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            throw std::runtime_error(pidfile_path + ": create failed (" + std::strerror(errno) + ")");
        struct flock lk{};
        lk.l_type = F_WRLCK;
        lk.l_whence = SEEK_SET;
        if (::fcntl(fd, F_SETLK, &lk) != 0) {
            struct flock who{};
            who.l_type = F_WRLCK;
            who.l_whence = SEEK_SET;
            ::fcntl(fd, F_GETLK, &who);
            ::close(fd);
            if (!o.overwrite_pidfile)
                throw std::runtime_error(pidfile_path + ": already running as pid " +
                                         std::to_string(who.l_pid) + ", aborting");
        } else {
            std::string pid = std::to_string(::getpid()) + "\n";
            if (::ftruncate(fd, 0) != 0 || ::write(fd, pid.data(), pid.size()) != static_cast<ssize_t>(pid.size()))
                throw std::runtime_error(pidfile_path + ": write failed");
            pidfile_fd = fd;   // kept open: the lock says we are running
        }
    }
    if (!o.no_chdir && ::chdir("/") != 0) VLOG_WARN("could not chdir to /: %s", std::strerror(errno));
    if (ready_fd >= 0) {
        int null = ::open("/dev/null", O_RDWR);
        if (null >= 0) {
            ::dup2(null, STDIN_FILENO);
            ::dup2(null, STDOUT_FILENO);
            ::dup2(null, STDERR_FILENO);
            if (null > 2) ::close(null);
        }
        char c = 1;
        ssize_t ignored = ::write(ready_fd, &c, 1);
        (void)ignored;
        ::close(ready_fd);
        ready_fd = -1;
    }
}

void remove_pidfile() {
    if (pidfile_fd >= 0) {
        ::unlink(pidfile_path.c_str());
        ::close(pidfile_fd);
        pidfile_fd = -1;
    }
}

}  // namespace common::daemon
