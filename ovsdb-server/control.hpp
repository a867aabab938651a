// The ovsdb-server commands of the control socket (`ovs-appctl -t ...`):
// exit, ovsdb-server/{list-remotes,add-remote,remove-remote,reconnect,
// list-dbs,add-db,remove-db}, memory/show.  The generic ones (version,
// list-commands, vlog/*) come with common::UnixctlServer.
#pragma once

#include <functional>

#include "common/unixctl.hpp"
#include "ovsdb-server/remotes.hpp"
#include "ovsdb-server/rpc.hpp"

namespace ovsdb::server {

// `remote_added(name)` lets the caller remember db: remotes and the like;
// `exit_requested()` stops the daemon.
void register_control_commands(common::UnixctlServer& ctl, Server& server, Remotes& remotes,
                               std::function<std::string(const std::string&)> add_remote,
                               std::function<bool(const std::string&)> remove_remote,
                               std::function<std::vector<std::string>()> list_remotes,
                               std::function<void()> exit_requested);

}  // namespace ovsdb::server
