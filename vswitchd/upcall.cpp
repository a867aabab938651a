#include "vswitchd/upcall.hpp"

#include <cerrno>

#include "common/vlog.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/error.hpp"
#include "vswitchd/controller_cookie.hpp"
#include "vswitchd/coverage.hpp"
#include "vswitchd/xlate.hpp"

VLOG_DEFINE_THIS_MODULE(upcall);

COVERAGE_DEFINE(upcall_miss);
COVERAGE_DEFINE(upcall_bad_key);
COVERAGE_DEFINE(upcall_packet_in);
COVERAGE_DEFINE(upcall_flow_limit);
COVERAGE_DEFINE(dpif_flow_put);
COVERAGE_DEFINE(dpif_execute);

namespace vswitchd {

UpcallHandler::UpcallHandler(dpif::Dpif& dpif, std::function<Bridge*(int)> find_bridge)
    : dpif_(dpif), find_(std::move(find_bridge)) {}

void UpcallHandler::to_controller(dpif::Upcall& u) {
    Bridge* br = find_(u.dp_ifindex);
    if (!br) {
        ++stats_.no_bridge;
        return;
    }
    auto ck = ControllerCookie::decode(u.userdata);
    if (!ck) {
        ++stats_.bad_userdata;
        static vlog::RateLimit rl(5, 10);
        VLOG_WARN_RL(rl, "%s: action upcall with userdata that is not a controller cookie", br->name().c_str());
        return;
    }
    ++stats_.packet_ins;
    COVERAGE_INC(upcall_packet_in);
    ofp::PacketIn pin;
    pin.packet = std::move(u.packet);
    pin.reason = ck->reason;
    pin.table_id = ck->table_id;
    pin.cookie = ck->cookie;
    pin.in_port = ck->in_port;
    if (on_packet_in) on_packet_in(*br, pin, ck->controller_id);
}

void UpcallHandler::handle(std::vector<dpif::Upcall>& batch, Clock::time_point now) {
    std::vector<dpif::DpifOp> ops;
    ops.reserve(batch.size() * 2);
    // For each put op: the bridge and UFID of the ukey it creates.
    std::vector<std::pair<Bridge*, dpif::Bytes>> put_owner;
    std::vector<Bridge*> learned;
    size_t n_flows = count_flows ? count_flows() : 0;

    for (auto& u : batch) {
        if (u.type == dpif::UpcallType::Action) {
            to_controller(u);
            continue;
        }
        if (u.type != dpif::UpcallType::Miss) continue;
        ++stats_.upcalls;
        COVERAGE_INC(upcall_miss);
        Bridge* br = find_(u.dp_ifindex);
        if (!br) {
            ++stats_.no_bridge;
            continue;
        }
        mf::Flow flow;
        try {
            flow = mf::key_to_flow(u.key);
        } catch (const mf::Error& e) {
            ++stats_.bad_key;
            COVERAGE_INC(upcall_bad_key);
            static vlog::RateLimit rl(5, 10);
            VLOG_WARN_RL(rl, "%s: upcall with an unreadable key: %s", br->name().c_str(), e.what());
            continue;
        }
        XlateResult x = xlate(*br, flow, true, now);
        if (x.learned) learned.push_back(br);
        if (x.rule_id) br->flows().credit(x.rule_id, 1, u.packet.size(), now);
        VLOG_DBG("%s: miss on port %u: %s", br->name().c_str(), flow.in_port.get(), x.trace.c_str());

        mf::Match match(flow, x.wc);
        dpif::Bytes ufid = ufid_of(match);
        if (!br->ukeys().count(ufid)) {
            if (n_flows >= flow_limit_) {
                ++stats_.over_limit;
                COVERAGE_INC(upcall_flow_limit);
            } else {
                mf::KeyMask km = mf::match_to_key_mask(match, kDatapathKeyOptions);
                Ukey uk;
                uk.ufid = ufid;
                uk.match = match;
                uk.key = km.key;
                uk.mask = km.mask;
                uk.actions = x.actions;
                uk.created = uk.last_active = now;
                uk.xlate_seq = br->seq();
                uk.rule_id = x.rule_id;
                dpif::FlowPut put;
                put.key = std::move(km.key);
                put.mask = std::move(km.mask);
                put.actions = x.actions;
                put.ufid = ufid;
                put.flags = dpif::kPutCreate;
                ops.push_back(dpif::DpifOp::make_put(br->dp_ifindex(), std::move(put)));
                put_owner.emplace_back(br, ufid);
                br->ukeys().emplace(ufid, std::move(uk));
                ++n_flows;
            }
        }
        if (!x.actions.empty())
            ops.push_back(dpif::DpifOp::make_execute(br->dp_ifindex(), std::move(u.packet), std::move(u.key),
                                                      x.actions));
    }
    if (ops.empty()) return;
    dpif_.operate(ops);
    size_t next_put = 0;
    for (auto& op : ops) {
        if (op.kind == dpif::DpifOp::Kind::Put) {
            auto [br, ufid] = put_owner[next_put++];
            COVERAGE_INC(dpif_flow_put);
            if (op.error == 0 || op.error == EEXIST) {
                if (op.error == 0) ++stats_.flows;
                continue;
            }
            ++stats_.failed;
            br->ukeys().erase(ufid);
            static vlog::RateLimit rl(5, 10);
            VLOG_WARN_RL(rl, "%s: installing a flow failed: %s", br->name().c_str(), std::strerror(op.error));
        } else if (op.kind == dpif::DpifOp::Kind::Execute) {
            COVERAGE_INC(dpif_execute);
            if (op.error == 0) {
                ++stats_.executed;
            } else {
                ++stats_.failed;
                static vlog::RateLimit rl(5, 10);
                VLOG_WARN_RL(rl, "executing a packet failed: %s", std::strerror(op.error));
            }
        }
    }
    if (on_learned)
        for (Bridge* br : learned) on_learned(*br);
}

}  // namespace vswitchd
