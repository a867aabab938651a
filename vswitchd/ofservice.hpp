// OfService: every bridge's OpenFlow management socket, a unix socket
// `$OVS_RUNDIR/BRIDGE.mgmt` (the one `ovs-ofctl COMMAND BRIDGE` connects
// to), and the connections accepted on them.  update() makes the set of
// sockets follow the bridges; a bridge that goes away closes its socket and
// connections.  Messages are answered by handle_openflow() (of_handler).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/remote.hpp"
#include "vswitchd/of_handler.hpp"
#include "vswitchd/ofconn.hpp"

namespace vswitchd {

namespace asio = boost::asio;

class OfService {
public:
    OfService(asio::io_context& io, std::string rundir, OfContext ctx);
    ~OfService();

    void update(const std::vector<std::string>& bridges);
    size_t n_connections() const;
    std::string socket_path(const std::string& bridge) const { return rundir_ + "/" + bridge + ".mgmt"; }

private:
    struct Endpoint {
        std::unique_ptr<common::Listener> listener;
        std::set<std::shared_ptr<OfConn>> conns;
    };
    void accept(const std::string& bridge, std::unique_ptr<common::Stream> s);

    asio::io_context& io_;
    std::string rundir_;
    OfContext ctx_;
    std::map<std::string, Endpoint> eps_;
    std::set<std::string> failed_;
};

}  // namespace vswitchd
