// unixctl: the Open vSwitch control-socket protocol, so that `ovs-appctl -t
// SOCKET COMMAND ARGS...` works against our daemons.
//
// JSON-RPC over a unix socket: the request is {"method": COMMAND, "params":
// [ARG, ...], "id": N} with string arguments; the reply carries either a
// "result" string (printed by ovs-appctl, exit 0) or an "error" string
// (printed to stderr, exit 2).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/jsonrpc.hpp"
#include "common/remote.hpp"

namespace common {

class UnixctlServer {
public:
    // What a command handler returns: ok() text or error() text.
    struct Reply {
        bool ok = true;
        std::string text;
        static Reply success(std::string t = {}) { return Reply{true, std::move(t)}; }
        static Reply failure(std::string t) { return Reply{false, std::move(t)}; }
    };
    using Handler = std::function<Reply(const std::vector<std::string>& args)>;

    // Listens on `path` (a plain path or "punix:PATH").  Registers the
    // standard commands: list-commands, version, vlog/set, vlog/list,
    // vlog/reopen, vlog/close.
    UnixctlServer(asio::io_context& io, const std::string& path, std::string version_text);
    ~UnixctlServer();

    void add(const std::string& name, const std::string& usage, int min_args, int max_args,
             Handler h);
    const std::string& path() const { return path_; }

    // Default socket path for `program`: $OVS_RUNDIR/PROGRAM.PID.ctl.
    static std::string default_path(const std::string& program);

private:
    struct Command {
        std::string usage;
        int min_args, max_args;
        Handler handler;
    };
    void on_accept(std::unique_ptr<Stream> s);
    json dispatch(const json& request);

    asio::io_context& io_;
    std::string path_;
    std::string version_;
    std::map<std::string, Command> commands_;
    std::unique_ptr<Listener> listener_;
    std::map<Connection*, std::shared_ptr<Connection>> conns_;
};

// Sends one command to a control socket and waits for the answer.
// Returns {ok, text}; throws std::runtime_error if the socket cannot be used.
std::pair<bool, std::string> unixctl_call(const std::string& path, const std::string& command,
                                          const std::vector<std::string>& args,
                                          int timeout_ms = 10000);

}  // namespace common
