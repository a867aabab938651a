#include "common/unixctl.hpp"

#include <unistd.h>

#include <cstdio>
#include <stdexcept>

#include "common/daemon.hpp"
#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(unixctl);

namespace common {

UnixctlServer::UnixctlServer(asio::io_context& io, const std::string& path,
                             std::string version_text)
    : io_(io), path_(path.rfind("punix:", 0) == 0 ? path.substr(6) : path),
      version_(std::move(version_text)) {
    add("list-commands", "", 0, 0, [this](const std::vector<std::string>&) {
        std::string out = "The available commands are:\n";
        for (auto& [name, c] : commands_) {
            char line[512];
            std::snprintf(line, sizeof line, "  %-23s %s\n", name.c_str(), c.usage.c_str());
            out += line;
        }
        return Reply::success(out);
    });
    add("version", "", 0, 0,
        [this](const std::vector<std::string>&) { return Reply::success(version_ + "\n"); });
    add("vlog/set", "{spec | PATTERN:destination:pattern}", 0, 1000,
        [](const std::vector<std::string>& args) {
            for (const auto& a : args) {
                std::string err = vlog::set_levels_from_string(a);
                if (!err.empty()) return Reply::failure(err);
            }
            return Reply::success();
        });
    add("vlog/list", "", 0, 0,
        [](const std::vector<std::string>&) { return Reply::success(vlog::list()); });
    add("vlog/reopen", "", 0, 0, [](const std::vector<std::string>&) {
        if (vlog::log_file_path().empty()) return Reply::failure("Logging to file not configured");
        std::string err = vlog::reopen_log_file();
        return err.empty() ? Reply::success() : Reply::failure(err);
    });
    add("vlog/close", "", 0, 0, [](const std::vector<std::string>&) {
        vlog::close_log_file();
        return Reply::success();
    });

    Target t;
    t.kind = Target::Kind::PUnix;
    t.path = path_;
    t.text = "punix:" + path_;
    listener_ = std::make_unique<Listener>(io_, t, [] { return SslConfig{}; },
                                           [this](std::unique_ptr<Stream> s) { on_accept(std::move(s)); });
}

UnixctlServer::~UnixctlServer() {
    for (auto& [p, c] : conns_) c->close("server exiting");
    conns_.clear();
}

std::string UnixctlServer::default_path(const std::string& program) {
    return daemon::rundir() + "/" + program + "." + std::to_string(::getpid()) + ".ctl";
}

void UnixctlServer::add(const std::string& name, const std::string& usage, int min_args,
                        int max_args, Handler h) {
    commands_[name] = Command{usage, min_args, max_args, std::move(h)};
}

void UnixctlServer::on_accept(std::unique_ptr<Stream> s) {
    auto conn = std::make_shared<Connection>(io_, std::move(s));
    Connection* raw = conn.get();
    conns_[raw] = conn;
    conn->start(
        [this, raw](json msg) {
            auto it = conns_.find(raw);
            if (it == conns_.end()) return;
            auto keep = it->second;
            if (!jsonrpc::is_request(msg)) return;   // notifications and replies: nothing to do
            keep->send(dispatch(msg));
        },
        [this, raw](const std::string&) {
            // Defer the erase: we may be inside the connection's own callback.
            asio::post(io_, [this, raw] { conns_.erase(raw); });
        });
}

json UnixctlServer::dispatch(const json& req) {
    const json& id = req["id"];
    std::string method = req["method"].get<std::string>();
    std::vector<std::string> args;
    for (const auto& p : req["params"]) {
        if (!p.is_string()) return jsonrpc::error_reply("command has non-string argument: " + p.dump(), id);
        args.push_back(p.get<std::string>());
    }
    auto it = commands_.find(method);
    if (it == commands_.end())
        return jsonrpc::error_reply("\"" + method +
                                        "\" is not a valid command (use \"list-commands\" to see a "
                                        "list of valid commands)",
                                    id);
    const Command& c = it->second;
    if (static_cast<int>(args.size()) < c.min_args)
        return jsonrpc::error_reply("\"" + method + "\" command requires at least " +
                                        std::to_string(c.min_args) + " arguments",
                                    id);
    if (static_cast<int>(args.size()) > c.max_args)
        return jsonrpc::error_reply("\"" + method + "\" command takes at most " +
                                        std::to_string(c.max_args) + " arguments",
                                    id);
    Reply r;
    try {
        r = c.handler(args);
    } catch (const std::exception& e) {
        r = Reply::failure(e.what());
    }
    if (r.ok) return jsonrpc::reply(r.text, id);
    return jsonrpc::error_reply(r.text, id);
}

std::pair<bool, std::string> unixctl_call(const std::string& path, const std::string& command,
                                          const std::vector<std::string>& args, int timeout_ms) {
    asio::io_context io;
    Target t;
    t.kind = Target::Kind::Unix;
    t.path = path;
    t.text = "unix:" + path;
    auto conn = std::make_shared<Connection>(io, connect_blocking(io, t, SslConfig{}));
    std::optional<json> answer;
    std::string closed;
    conn->start([&](json m) {
                    if (jsonrpc::is_reply(m)) answer = std::move(m);
                },
                [&](const std::string& why) { closed = why; });
    conn->send(jsonrpc::request(command, args, 0));
    asio::steady_timer timer(io, std::chrono::milliseconds(timeout_ms));
    bool timed_out = false;
    timer.async_wait([&](const error_code& ec) {
        if (!ec) timed_out = true;
    });
    while (!answer && closed.empty() && !timed_out && io.run_one() > 0) {
    }
    if (!answer) {
        conn->close();
        throw std::runtime_error(path + ": " + (timed_out ? "timed out" : "connection closed: " + closed));
    }
    conn->close();
    const json& a = *answer;
    if (!a["error"].is_null())
        return {false, a["error"].is_string() ? a["error"].get<std::string>() : a["error"].dump()};
    return {true, a["result"].is_string() ? a["result"].get<std::string>() : a["result"].dump()};
}

}  // namespace common
