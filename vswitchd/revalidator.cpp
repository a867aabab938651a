#include "vswitchd/revalidator.hpp"

#include <cerrno>
#include <set>

#include "common/vlog.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/error.hpp"
#include "vswitchd/coverage.hpp"
#include "vswitchd/xlate.hpp"

VLOG_DEFINE_THIS_MODULE(revalidator);

COVERAGE_DEFINE(rev_flow_idle);
COVERAGE_DEFINE(rev_flow_reshaped);
COVERAGE_DEFINE(rev_flow_modified);
COVERAGE_DEFINE(rev_flow_adopted);
COVERAGE_DEFINE(rev_pass);

namespace vswitchd {

Revalidator::Pass Revalidator::run(Bridge& br, Clock::time_point now, std::chrono::milliseconds max_idle) {
    Pass pass;
    ++passes_;
    COVERAGE_INC(rev_pass);
    if (!br.dp_ifindex()) return pass;
    if (br.mac().expire(now)) pass.learned = true;

    std::vector<dpif::Flow> flows;
    try {
        flows = dpif_.dump_flows(br.dp_ifindex());
    } catch (const dpif::Error& e) {
        VLOG_WARN("%s: could not dump flows: %s", br.name().c_str(), e.what());
        return pass;
    }
    std::vector<dpif::DpifOp> ops;
    std::vector<dpif::Bytes> deleting;
    std::set<dpif::Bytes> seen;
    auto& ukeys = br.ukeys();
    const uint64_t gen0 = br.mac().generation();

    for (const auto& f : flows) {
        ++pass.dumped;
        dpif::FlowId id = f.ufid.empty() ? dpif::FlowId::by_key(f.key) : dpif::FlowId::by_ufid(f.ufid);
        const dpif::Bytes handle = f.ufid.empty() ? f.key : f.ufid;
        seen.insert(handle);
        auto it = ukeys.find(handle);
        bool adopted = false;
        if (it == ukeys.end()) {
            Ukey uk;
            try {
                uk.match = mf::key_mask_to_match(f.key, f.mask);
            } catch (const mf::Error& e) {
                ++pass.unreadable;
                VLOG_INFO("%s: deleting a flow it cannot read: %s", br.name().c_str(), e.what());
                ops.push_back(dpif::DpifOp::make_del(br.dp_ifindex(), id));
                deleting.push_back(handle);
                continue;
            }
            // Judged by our own encoding of what it matches, so that masks
            // compare like for like below.
            mf::KeyMask km = mf::match_to_key_mask(uk.match, kDatapathKeyOptions);
            uk.ufid = f.ufid;
            uk.key = std::move(km.key);
            uk.mask = std::move(km.mask);
            uk.actions = f.actions;
            uk.packets = f.stats.n_packets;
            uk.bytes = f.stats.n_bytes;
            uk.created = uk.last_active = now;   // a full idle period before it may go
            uk.xlate_seq = 0;                    // never translated by us
            it = ukeys.emplace(handle, std::move(uk)).first;
            adopted = true;
            ++pass.adopted;
            COVERAGE_INC(rev_flow_adopted);
        }
        Ukey& uk = it->second;
        const bool active = f.stats.n_packets != uk.packets || (adopted && f.stats.n_packets > 0);
        // What passed since the last look counts for the OpenFlow rule the
        // flow was translated by.
        if (uk.rule_id && f.stats.n_packets > uk.packets)
            br.flows().credit(uk.rule_id, f.stats.n_packets - uk.packets,
                              f.stats.n_bytes > uk.bytes ? f.stats.n_bytes - uk.bytes : 0, now);
        uk.packets = f.stats.n_packets;
        uk.bytes = f.stats.n_bytes;
        if (active && !adopted) uk.last_active = now;
        if (!active && now - uk.last_active >= max_idle) {
            ++pass.idle;
            COVERAGE_INC(rev_flow_idle);
            ops.push_back(dpif::DpifOp::make_del(br.dp_ifindex(), id));
            deleting.push_back(handle);
            continue;
        }
        if (!active && uk.xlate_seq == br.seq()) continue;

        XlateResult x = xlate(br, uk.match.flow(), active, now);
        if (x.learned) pass.learned = true;
        mf::Match m(uk.match.flow(), x.wc);
        mf::KeyMask km = mf::match_to_key_mask(m, kDatapathKeyOptions);
        if (km.mask != uk.mask) {
            ++pass.reshaped;
            COVERAGE_INC(rev_flow_reshaped);
            VLOG_DBG("%s: flow no longer has the right shape: %s", br.name().c_str(), x.trace.c_str());
            ops.push_back(dpif::DpifOp::make_del(br.dp_ifindex(), id));
            deleting.push_back(handle);
            continue;
        }
        uk.xlate_seq = br.seq();
        uk.rule_id = x.rule_id;
        if (x.actions != f.actions) {
            ++pass.modified;
            COVERAGE_INC(rev_flow_modified);
            VLOG_DBG("%s: flow actions change: %s", br.name().c_str(), x.trace.c_str());
            // Our own encoding of the match (the one the datapath accepted,
            // or for an adopted flow our reading of it): what a datapath
            // dumps back is not always what it takes in (the kernel reports
            // an 802.2 EtherType mask for keys without an EtherType).
            dpif::FlowPut put;
            put.key = uk.key;
            put.mask = uk.mask;
            put.actions = x.actions;
            put.ufid = f.ufid;
            put.flags = dpif::kPutModify;
            ops.push_back(dpif::DpifOp::make_put(br.dp_ifindex(), std::move(put)));
            uk.actions = x.actions;
        }
    }
    // Flows the datapath no longer has (deleted by someone, or lost).
    for (auto it = ukeys.begin(); it != ukeys.end();)
        it = seen.count(it->first) ? std::next(it) : ukeys.erase(it);
    for (const auto& h : deleting) ukeys.erase(h);
    if (!ops.empty()) {
        dpif_.operate(ops);
        for (const auto& op : ops)
            if (op.error && op.error != ENOENT) {
                static vlog::RateLimit rl(5, 10);
                VLOG_WARN_RL(rl, "%s: revalidation: %s", br.name().c_str(), std::strerror(op.error));
            }
    }
    if (br.mac().generation() != gen0) pass.learned = true;
    return pass;
}

size_t Revalidator::purge(Bridge& br) {
    size_t n = br.ukeys().size();
    if (br.dp_ifindex()) {
        try {
            dpif_.flush_flows(br.dp_ifindex());
        } catch (const dpif::Error& e) {
            VLOG_WARN("%s: could not flush flows: %s", br.name().c_str(), e.what());
        }
    }
    br.ukeys().clear();
    return n;
}

}  // namespace vswitchd
