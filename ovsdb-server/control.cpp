#include "ovsdb-server/control.hpp"

#include <algorithm>
#include <sstream>

namespace ovsdb::server {

using Reply = common::UnixctlServer::Reply;
using Args = std::vector<std::string>;

void register_control_commands(common::UnixctlServer& ctl, Server& server, Remotes& remotes,
                               std::function<std::string(const std::string&)> add_remote,
                               std::function<bool(const std::string&)> remove_remote,
                               std::function<std::vector<std::string>()> list_remotes,
                               std::function<void()> exit_requested) {
    ctl.add("exit", "", 0, 0, [exit_requested](const Args&) {
        exit_requested();
        return Reply::success();
    });
    ctl.add("ovsdb-server/list-remotes", "", 0, 0, [list_remotes](const Args&) {
        auto names = list_remotes();
        std::sort(names.begin(), names.end());
        std::string out;
        for (const auto& n : names) out += n + "\n";
        return Reply::success(out);
    });
    ctl.add("ovsdb-server/add-remote", "REMOTE", 1, 1, [add_remote](const Args& a) {
        std::string err = add_remote(a[0]);
        return err.empty() ? Reply::success() : Reply::failure(err);
    });
    ctl.add("ovsdb-server/remove-remote", "REMOTE", 1, 1, [remove_remote](const Args& a) {
        return remove_remote(a[0]) ? Reply::success() : Reply::failure("no such remote");
    });
    ctl.add("ovsdb-server/reconnect", "", 0, 0, [&remotes](const Args&) {
        remotes.reconnect_all();
        return Reply::success();
    });
    ctl.add("ovsdb-server/list-dbs", "", 0, 0, [&server](const Args&) {
        auto names = server.database_names();
        std::sort(names.begin(), names.end());
        std::string out;
        for (const auto& n : names) out += n + "\n";
        return Reply::success(out);
    });
    ctl.add("ovsdb-server/add-db", "DB", 1, 1, [&server](const Args& a) {
        try {
            server.open_database(a[0]);
        } catch (const std::exception& e) {
            return Reply::failure(e.what());
        }
        return Reply::success();
    });
    ctl.add("ovsdb-server/remove-db", "DB", 1, 1, [&server](const Args& a) {
        auto names = server.database_names();
        if (std::find(names.begin(), names.end(), a[0]) == names.end() || a[0] == "_Server")
            return Reply::failure("Failed to find the database.");
        server.close_database(a[0]);
        return Reply::success();
    });
    ctl.add("memory/show", "", 0, 0, [&server, &remotes](const Args&) {
        std::ostringstream out;
        bool first = true;
        for (const auto& [k, v] : server.memory_usage()) {
            out << (first ? "" : " ") << k << ":" << v;
            first = false;
        }
        out << (first ? "" : " ") << "sessions:" << remotes.n_connections() << "\n";
        return Reply::success(out.str());
    });
}

}  // namespace ovsdb::server
