#include "common/vlog.hpp"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <sstream>

namespace vlog {
namespace {

struct State {
    std::map<std::string, Module*> modules;
    std::mutex mutex;
    unsigned long seq = 0;
    int log_fd = -1;
    std::string log_path;
    std::string program = "vswitch";
    bool syslog_open = false;
};

State& state() {
    static State s;   // constructed on first use, before any module registers
    return s;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

// "2026-11-25T02:10:33Z" (console) or "2026-11-25T02:10:33.123Z" (file).
std::string timestamp(bool millis) {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    if (millis) {
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
        std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms));
    } else {
        std::snprintf(buf + n, sizeof buf - n, "Z");
    }
    return buf;
}

void write_all(int fd, const std::string& s) {
    const char* p = s.data();
    size_t left = s.size();
    while (left) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
}

int syslog_priority(Level l) {
    switch (l) {
    case Level::Emer: return LOG_ALERT;
    case Level::Err: return LOG_ERR;
    case Level::Warn: return LOG_WARNING;
    case Level::Info: return LOG_NOTICE;
    default: return LOG_DEBUG;
    }
}

Module& vlog_module() {
    static Module m("vlog");
    return m;
}
const Module& registered_at_startup = vlog_module();

}  // namespace

const char* level_name(Level l) {
    switch (l) {
    case Level::Off: return "OFF";
    case Level::Emer: return "EMER";
    case Level::Err: return "ERR";
    case Level::Warn: return "WARN";
    case Level::Info: return "INFO";
    case Level::Dbg: return "DBG";
    }
    return "?";
}

const char* level_name_lower(Level l) {
    switch (l) {
    case Level::Off: return "off";
    case Level::Emer: return "emer";
    case Level::Err: return "err";
    case Level::Warn: return "warn";
    case Level::Info: return "info";
    case Level::Dbg: return "dbg";
    }
    return "?";
}

bool parse_level(const std::string& s, Level& out) {
    static const std::pair<const char*, Level> names[] = {
        {"off", Level::Off}, {"emer", Level::Emer}, {"err", Level::Err},
        {"warn", Level::Warn}, {"info", Level::Info}, {"dbg", Level::Dbg},
        {"debug", Level::Dbg}};
    std::string l = lower(s);
    for (auto& [n, v] : names) {
        if (l == n) {
            out = v;
            return true;
        }
    }
    return false;
}

const char* destination_name(Destination d) {
    switch (d) {
    case Console: return "console";
    case Syslog: return "syslog";
    case File: return "file";
    default: return "?";
    }
}

Module::Module(const char* name) : name_(name) {
    for (auto& l : levels_) l = Level::Info;
    state().modules[name_] = this;
}

bool Module::enabled(Level l) const {
    State& s = state();
    if (levels_[Console] >= l || levels_[Syslog] >= l) return true;
    return s.log_fd >= 0 && levels_[File] >= l;
}

const std::map<std::string, Module*>& modules() { return state().modules; }

Module* find_module(const std::string& name) {
    auto& m = state().modules;
    auto it = m.find(lower(name));
    if (it != m.end()) return it->second;
    for (auto& [n, mod] : m)
        if (lower(n) == lower(name)) return mod;
    return nullptr;
}

void vlog_va(Module& m, Level l, const char* fmt, va_list args) {
    char small[1024];
    va_list copy;
    va_copy(copy, args);
    int n = std::vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    std::string msg;
    if (n < 0) {
        msg = fmt;
    } else if (static_cast<size_t>(n) < sizeof small) {
        msg.assign(small, static_cast<size_t>(n));
    } else {
        msg.resize(static_cast<size_t>(n) + 1);
        std::vsnprintf(msg.data(), msg.size(), fmt, args);
        msg.resize(static_cast<size_t>(n));
    }

    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    unsigned long seq = ++s.seq;
    char seqbuf[32];
    std::snprintf(seqbuf, sizeof seqbuf, "%05lu", seq);
    std::string tail = std::string("|") + seqbuf + "|" + m.name() + "|" + level_name(l) + "|" + msg;
    if (m.level(Console) >= l) write_all(STDERR_FILENO, timestamp(false) + tail + "\n");
    if (s.log_fd >= 0 && m.level(File) >= l) write_all(s.log_fd, timestamp(true) + tail + "\n");
    if (m.level(Syslog) >= l) {
        if (!s.syslog_open) {
            openlog(s.program.c_str(), LOG_NDELAY, LOG_DAEMON);
            s.syslog_open = true;
        }
        ::syslog(syslog_priority(l), "%s", (std::string(seqbuf) + "|" + m.name() + "|" +
                                             level_name(l) + "|" + msg).c_str());
    }
}

void log(Module& m, Level l, const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vlog_va(m, l, fmt, args);
    va_end(args);
}

std::string set_levels_from_string(const std::string& spec) {
    // Split on ':' (Open vSwitch also accepts spaces and commas).
    std::vector<std::string> words;
    std::string cur;
    for (char c : spec) {
        if (c == ':' || c == ' ' || c == ',') {
            if (!cur.empty()) words.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) words.push_back(cur);
    if (words.empty()) return "empty log level specification";
    if (lower(words[0]) == "pattern") return "log patterns are not supported";

    int dest = -1;          // -1 = any
    Module* module = nullptr;
    bool any_module = true;
    Level level = Level::Dbg;
    for (const std::string& w : words) {
        std::string lw = lower(w);
        Level l;
        if (lw == "any") continue;
        if (lw == "console") {
            dest = Console;
        } else if (lw == "syslog") {
            dest = Syslog;
        } else if (lw == "file") {
            dest = File;
        } else if (parse_level(lw, l)) {
            level = l;
        } else if (Module* m = find_module(lw)) {
            module = m;
            any_module = false;
        } else {
            return "no destination, level, or module \"" + w + "\"";
        }
    }
    std::lock_guard<std::mutex> lock(state().mutex);
    auto apply = [&](Module& m) {
        for (int d = 0; d < NDestinations; ++d)
            if (dest < 0 || dest == d) m.set_level(static_cast<Destination>(d), level);
    };
    if (any_module) {
        for (auto& [n, m] : state().modules) apply(*m);
    } else {
        apply(*module);
    }
    return {};
}

std::string list() {
    std::ostringstream out;
    out << "                 console    syslog    file\n";
    out << "                 -------    ------    ------\n";
    for (auto& [name, m] : state().modules) {
        char line[256];
        std::snprintf(line, sizeof line, "%-16s  %4s       %4s       %4s\n", name.c_str(),
                      level_name(m->level(Console)), level_name(m->level(Syslog)),
                      level_name(m->level(File)));
        out << line;
    }
    return out.str();
}

std::string set_log_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0660);
    if (fd < 0) return "could not open log file " + path + " (" + std::strerror(errno) + ")";
    State& s = state();
    {
        std::lock_guard<std::mutex> lock(s.mutex);
        if (s.log_fd >= 0) ::close(s.log_fd);
        s.log_fd = fd;
        s.log_path = path;
    }
    log(vlog_module(), Level::Info, "opened log file %s", path.c_str());
    return {};
}

std::string reopen_log_file() {
    if (state().log_path.empty()) return {};
    return set_log_file(state().log_path);
}

const std::string& log_file_path() { return state().log_path; }

void close_log_file() {
    State& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    if (s.log_fd >= 0) ::close(s.log_fd);
    s.log_fd = -1;
}

void init(const std::string& program_name) { state().program = program_name; }

RateLimit::RateLimit(unsigned per_minute, unsigned burst)
    : tokens_(burst), per_ms_(per_minute / 60000.0), burst_(burst),
      last_(std::chrono::steady_clock::now()) {}

bool RateLimit::allow() {
    auto now = std::chrono::steady_clock::now();
    double ms = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + ms * per_ms_);
    if (tokens_ >= 1.0) {
        tokens_ -= 1.0;
        return true;
    }
    ++dropped_;
    return false;
}

}  // namespace vlog
