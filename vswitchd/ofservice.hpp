// OfService: every bridge's OpenFlow management socket, a unix socket
// `$OVS_RUNDIR/BRIDGE.mgmt` (the one `ovs-ofctl COMMAND BRIDGE` connects
// to), and the connections accepted on them.  update() makes the set of
// sockets follow the bridges; a bridge that goes away closes its socket and
// connections.  Messages are answered by handle_openflow() (of_handler).
//
// It also sends the asynchronous messages to the connections that want them
// (OfConn::wants): packet-ins, flow removals, and port status when a
// bridge's ports change (update_ports() compares with what it last saw).
// It keeps each bridge's packet_in_on_miss true while some connection of
// controller id 0 speaks OpenFlow below 1.3, as Open vSwitch does.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/remote.hpp"
#include "openflow/async.hpp"
#include "openflow/flow_table.hpp"
#include "vswitchd/of_handler.hpp"
#include "vswitchd/of_role.hpp"
#include "vswitchd/ofconn.hpp"

namespace vswitchd {

namespace asio = boost::asio;

class OfService {
public:
    OfService(asio::io_context& io, std::string rundir, OfContext ctx);
    ~OfService();

    void update(const std::vector<std::string>& bridges);

    void send_packet_in(const std::string& bridge, const ofp::PacketIn& pin, uint16_t controller_id);
    void send_flow_removed(const std::string& bridge, const ofp::FlowRule& rule, uint8_t reason,
                           ofp::Clock::time_point now);
    // The bridge's ports now: ADD, DELETE and MODIFY for what changed since
    // the last call (the first call only records them).
    void update_ports(const std::string& bridge, const std::vector<ofp::PortDesc>& ports);
    size_t n_connections() const;
    std::string socket_path(const std::string& bridge) const { return rundir_ + "/" + bridge + ".mgmt"; }

private:
    struct Endpoint {
        std::unique_ptr<common::Listener> listener;
        std::set<std::shared_ptr<OfConn>> conns;
        std::optional<std::map<uint16_t, ofp::PortDesc>> ports;
        bool miss_wanted = false;
        RoleState roles;
    };
    void update_miss_wanted(const std::string& bridge);
    template <class F>
    void each_conn(const std::string& bridge, F f);
    void accept(const std::string& bridge, std::unique_ptr<common::Stream> s);

    asio::io_context& io_;
    std::string rundir_;
    OfContext ctx_;
    std::map<std::string, Endpoint> eps_;
    std::set<std::string> failed_;
};

}  // namespace vswitchd
