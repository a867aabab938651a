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
            auto e = eps_.find(bridge);
            if (e != eps_.end()) {
                std::vector<OfConn*> peers;
                for (const auto& p : e->second.conns) peers.push_back(p.get());
                if (handle_role_request(c, h, msg, e->second.roles, peers)) return;
            }
            check_not_slave(c, h, msg);
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
                    update_miss_wanted(bridge);
                    return;
                }
        });
    conn->on_ready = [this, bridge](OfConn&) { update_miss_wanted(bridge); };
    it->second.conns.insert(conn);
    VLOG_DBG("%s: OpenFlow connection %s", bridge.c_str(), conn->name().c_str());
    conn->start();
}

void OfService::update_miss_wanted(const std::string& bridge) {
    auto e = eps_.find(bridge);
    if (e == eps_.end()) return;
    bool want = false;
    for (const auto& c : e->second.conns)
        want |= c->version() && c->version() < ofp::kOf13 && c->controller_id == 0;
    if (want == e->second.miss_wanted) return;
    e->second.miss_wanted = want;
    if (ctx_.set_packet_in_on_miss) ctx_.set_packet_in_on_miss(bridge, want);
}

template <class F>
void OfService::each_conn(const std::string& bridge, F f) {
    auto e = eps_.find(bridge);
    if (e == eps_.end()) return;
    auto conns = e->second.conns;   // a send may close one
    for (const auto& c : conns) f(*c);
}

void OfService::send_packet_in(const std::string& bridge, const ofp::PacketIn& pin, uint16_t controller_id) {
    each_conn(bridge, [&](OfConn& c) {
        if (c.controller_id != controller_id) return;
        // OpenFlow 1.3 drops misses unless a table-miss flow says otherwise.
        if (pin.reason == ofp::PinReason::ImplicitMiss && c.version() >= ofp::kOf13) return;
        if (!c.wants(OfConn::AsyncKind::PacketIn, ofp::wire_reason(pin.reason, c.version()))) return;
        c.send(ofp::encode_packet_in(pin, c.version(), c.packet_in_format));
    });
}

void OfService::send_flow_removed(const std::string& bridge, const ofp::FlowRule& r, uint8_t reason,
                                  ofp::Clock::time_point now) {
    ofp::FlowRemoved fr;
    fr.match = r.match;
    fr.priority = r.priority;
    fr.reason = reason;
    fr.table_id = r.table_id;
    fr.cookie = r.cookie;
    fr.duration_ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now - r.created).count());
    fr.idle_timeout = r.idle_timeout;
    fr.hard_timeout = r.hard_timeout;
    fr.packets = r.packets;
    fr.bytes = r.bytes;
    each_conn(bridge, [&](OfConn& c) {
        if (!c.wants(OfConn::AsyncKind::FlowRemoved, reason)) return;
        c.send(ofp::encode_flow_removed(fr, c.version(), c.nxm_flow_format));
    });
}

void OfService::update_ports(const std::string& bridge, const std::vector<ofp::PortDesc>& ports) {
    auto e = eps_.find(bridge);
    if (e == eps_.end()) return;
    std::map<uint16_t, ofp::PortDesc> now;
    for (const auto& p : ports) now.emplace(p.port_no, p);
    auto& before = e->second.ports;
    if (before) {
        // (port, its previous description for a MODIFY, reason)
        struct Change {
            const ofp::PortDesc* port;
            const ofp::PortDesc* old;
            uint8_t reason;
        };
        std::vector<Change> changes;
        for (const auto& [no, p] : *before)
            if (!now.count(no)) changes.push_back({&p, nullptr, ofp::OFPPR_DELETE});
        for (const auto& [no, p] : now) {
            auto it = before->find(no);
            if (it == before->end())
                changes.push_back({&p, nullptr, ofp::OFPPR_ADD});
            else if (!(it->second == p))
                changes.push_back({&p, &it->second, ofp::OFPPR_MODIFY});
        }
        for (const Change& ch : changes)
            each_conn(bridge, [&](OfConn& c) {
                if (!c.wants(OfConn::AsyncKind::PortStatus, ch.reason)) return;
                ofp::Bytes m = ofp::encode_port_status(*ch.port, ch.reason, c.version());
                // A change this version cannot express is not reported
                // (as Open vSwitch does).
                if (ch.old && m == ofp::encode_port_status(*ch.old, ch.reason, c.version())) return;
                c.send(std::move(m));
            });
    }
    before = std::move(now);
}

size_t OfService::n_connections() const {
    size_t n = 0;
    for (const auto& [_, ep] : eps_) n += ep.conns.size();
    return n;
}

}  // namespace vswitchd
