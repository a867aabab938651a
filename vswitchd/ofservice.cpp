#include "vswitchd/ofservice.hpp"

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(connmgr);

namespace vswitchd {

OfService::OfService(asio::io_context& io, std::string rundir, OfContext ctx)
    : io_(io), rundir_(std::move(rundir)), ctx_(std::move(ctx)) {}

OfService::~OfService() {
    for (auto& [_, ep] : eps_) {
        auto conns = ep.conns;
        for (const auto& c : conns) c->close();
    }
}

void OfService::update(const std::vector<std::string>& bridges) {
    std::set<std::string> want(bridges.begin(), bridges.end());
    for (auto it = eps_.begin(); it != eps_.end();) {
        if (want.count(it->first)) {
            ++it;
            continue;
        }
        auto conns = it->second.conns;
        for (const auto& c : conns) c->close();
        it = eps_.erase(it);
    }
    for (const std::string& b : want) {
        if (eps_.count(b)) continue;
        std::string err;
        auto target = common::parse_target("punix:" + socket_path(b), &err);
        if (!target) {
            if (failed_.insert(b).second) VLOG_ERR("%s: %s", b.c_str(), err.c_str());
            continue;
        }
        try {
            Endpoint ep;
            ep.listener = std::make_unique<common::Listener>(
                io_, *target, nullptr, [this, b](std::unique_ptr<common::Stream> s) { accept(b, std::move(s)); });
            eps_.emplace(b, std::move(ep));
            failed_.erase(b);
            VLOG_INFO("%s: listening for OpenFlow connections on %s", b.c_str(), socket_path(b).c_str());
        } catch (const std::exception& e) {
            if (failed_.insert(b).second)
                VLOG_ERR("%s: could not listen on %s: %s", b.c_str(), socket_path(b).c_str(), e.what());
        }
    }
}

void OfService::accept(const std::string& bridge, std::unique_ptr<common::Stream> s) {
    auto it = eps_.find(bridge);
    if (it == eps_.end()) return;
    auto conn = std::make_shared<OfConn>(
        std::move(s),
        [this, bridge](OfConn& c, const ofp::Header& h, ofp::ByteView msg) {
            handle_openflow(ctx_, bridge, c, h, msg);
        },
        [this, bridge](OfConn& c) {
            auto e = eps_.find(bridge);
            if (e == eps_.end()) return;
            for (auto ci = e->second.conns.begin(); ci != e->second.conns.end(); ++ci)
                if (ci->get() == &c) {
                    // Keep it alive until this call returns.
                    auto keep = *ci;
                    e->second.conns.erase(ci);
                    asio::post(io_, [keep] {});
                    return;
                }
        });
    it->second.conns.insert(conn);
    VLOG_DBG("%s: OpenFlow connection %s", bridge.c_str(), conn->name().c_str());
    conn->start();
}

size_t OfService::n_connections() const {
    size_t n = 0;
    for (const auto& [_, ep] : eps_) n += ep.conns.size();
    return n;
}

}  // namespace vswitchd
