// vlog: logging in the Open vSwitch style.
//
// Every log line is "TIME|SEQ|MODULE|LEVEL|MESSAGE", written to up to three
// destinations (console = stderr, syslog, file), each with its own level per
// module.  Levels can be changed at run time (`ovs-appctl vlog/set`), which
// is why modules register themselves by name:
//
//     VLOG_DEFINE_THIS_MODULE(jsonrpc);
//     ...
//     VLOG_WARN("%s: connection dropped (%s)", name.c_str(), why.c_str());
//
// Single-threaded by design (one io_context per daemon), but the writers
// take a mutex so a helper thread cannot interleave half lines.
#pragma once

#include <cstdarg>
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace vlog {

enum class Level { Off = 0, Emer, Err, Warn, Info, Dbg };
enum Destination { Console = 0, Syslog = 1, File = 2, NDestinations = 3 };

const char* level_name(Level l);          // "EMER", "ERR", ... (as printed in lines)
const char* level_name_lower(Level l);    // "emer", "err", ... (as typed in specs)
bool parse_level(const std::string& s, Level& out);
const char* destination_name(Destination d);

class Module {
public:
    explicit Module(const char* name);
    const std::string& name() const { return name_; }
    Level level(Destination d) const { return levels_[d]; }
    void set_level(Destination d, Level l) { levels_[d] = l; }
    // True when a message at `l` goes anywhere (cheap check before formatting).
    bool enabled(Level l) const;

private:
    std::string name_;
    Level levels_[NDestinations];
};

// All registered modules, by name.
const std::map<std::string, Module*>& modules();
Module* find_module(const std::string& name);

// printf-style logging.
void log(Module& m, Level l, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
void vlog_va(Module& m, Level l, const char* fmt, va_list args);

// Applies one specification as `-v`/`--verbose` and `vlog/set` take them:
// "module:destination:level" in any order and any subset, "any" for all, e.g.
// "dbg", "console:off", "jsonrpc:file:dbg", "ANY:syslog:warn".
// Returns an empty string on success, else the error text.
std::string set_levels_from_string(const std::string& spec);

// The table `vlog/list` prints.
std::string list();

// Log file: opened (or reopened for rotation) at `path`.  Returns an empty
// string on success, else the error text.
std::string set_log_file(const std::string& path);
std::string reopen_log_file();
const std::string& log_file_path();
void close_log_file();

// Program name used for syslog; call once from main().
void init(const std::string& program_name);

// Rate limiting: at most `burst` messages, refilled at `per_minute` a minute.
class RateLimit {
public:
    RateLimit(unsigned per_minute = 5, unsigned burst = 20);
    bool allow();                       // false: drop this message
private:
    double tokens_;
    double per_ms_;
    double burst_;
    std::chrono::steady_clock::time_point last_;
    unsigned dropped_ = 0;
};

}  // namespace vlog

#define VLOG_DEFINE_THIS_MODULE(NAME) static ::vlog::Module this_module_(#NAME)
#define VLOG_AT(LEVEL, ...)                                                  \
    do {                                                                     \
        if (this_module_.enabled(LEVEL)) ::vlog::log(this_module_, LEVEL, __VA_ARGS__); \
    } while (0)
#define VLOG_EMER(...) VLOG_AT(::vlog::Level::Emer, __VA_ARGS__)
#define VLOG_ERR(...) VLOG_AT(::vlog::Level::Err, __VA_ARGS__)
#define VLOG_WARN(...) VLOG_AT(::vlog::Level::Warn, __VA_ARGS__)
#define VLOG_INFO(...) VLOG_AT(::vlog::Level::Info, __VA_ARGS__)
#define VLOG_DBG(...) VLOG_AT(::vlog::Level::Dbg, __VA_ARGS__)
#define VLOG_WARN_RL(RL, ...)                                                \
    do {                                                                     \
        if (this_module_.enabled(::vlog::Level::Warn) && (RL).allow())       \
            ::vlog::log(this_module_, ::vlog::Level::Warn, __VA_ARGS__);     \
    } while (0)
