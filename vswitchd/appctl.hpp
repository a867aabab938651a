// The switch's control-socket commands, for Debian's ovs-appctl:
//
//   exit [--cleanup]            stop (with --cleanup: delete the datapaths too)
//   dpif/show                   datapaths, their counters and ports
//   dpif/dump-dps               datapath names
//   dpif/dump-flows [-m] BRIDGE the flows in a bridge's datapath
//   fdb/show BRIDGE, fdb/flush [BRIDGE], bridge/reconnect [BRIDGE]
//   upcall/show, revalidator/wait, revalidator/purge
//   memory/show, coverage/show, coverage/read-counter COUNTER
//
// With the dummy datapath, also the test hooks that stand in for devices
// and wires:
//
//   netdev-dummy/receive IFACE PACKET|FLOW   a frame arrives on an interface
//   netdev-dummy/transmitted IFACE           frames sent out of it since last asked (hex, one a line)
//   netdev-dummy/add NAME, netdev-dummy/del NAME   a "system" device appears / disappears
//   netdev-dummy/set-carrier NAME up|down, netdev-dummy/set-admin-state NAME up|down
//   dpif-dummy/strict on|off                 only added devices exist (as in the kernel)
//
// (version, vlog/set, vlog/list, list-commands come with the server.)
#pragma once

#include <functional>

#include "common/unixctl.hpp"
#include "vswitchd/switch.hpp"

namespace vswitchd {

// `exit` calls on_exit(cleanup) after replying.
void register_appctl(common::UnixctlServer& server, Switch& sw, std::function<void(bool cleanup)> on_exit);

// The dpif/show text for the switch's datapaths (exposed for tests).
std::string format_dpif_show(Switch& sw);

}  // namespace vswitchd
