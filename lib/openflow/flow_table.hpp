// FlowTable: a bridge's OpenFlow flow tables (0..253), each a priority
// classifier (mf::Classifier) over rules, with Open vSwitch's flow_mod
// semantics:
//   add            replaces a rule with the same match and priority (its
//                  counters restart); with CHECK_OVERLAP, a rule of the same
//                  priority that could match the same packet is an error
//   modify[-strict] replaces the actions of the selected rules (loose:
//                  every rule at least as specific as the match; strict:
//                  same match and priority), keeps their counters, sets the
//                  cookie if the request carries one; with nothing selected
//                  it adds the flow if the request may add
//   delete[-strict] removes the selected rules
// Selection also honours the table (0xff: all), the cookie/mask, and for
// delete the out_port filter.  Rules expire on their idle and hard
// timeouts (hard counted from the last modification, as Open vSwitch does).
// A rule with OFPFF_SEND_FLOW_REM that a delete or a timeout removes is
// reported to on_removed (with the OFPRR_* reason) before it goes; rules
// replaced by an add or flushed by clear() are not.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "meta-flow/classifier.hpp"
#include "openflow/flow_mod.hpp"

namespace ofp {

using Clock = std::chrono::steady_clock;

constexpr uint8_t kNumTables = 254;

// Why a rule went (OFPRR_*).
constexpr uint8_t kRemovedIdleTimeout = 0, kRemovedHardTimeout = 1, kRemovedDelete = 2;

struct FlowRule {
    uint64_t id = 0;
    uint8_t table_id = 0;
    mf::Match match;
    uint16_t priority = 0x8000;
    uint64_t cookie = 0;
    uint16_t idle_timeout = 0, hard_timeout = 0, flags = 0;
    Actions actions;
    Clock::time_point created, modified, used;
    uint64_t packets = 0, bytes = 0;
};

class FlowTable {
public:
    struct Outcome {
        size_t added = 0, modified = 0, deleted = 0;
    };
    // Throws OfError (bad table, overlap).
    Outcome apply(const FlowMod& fm, Clock::time_point now);
    // A rule added directly (the bridge's default flow).
    void add(const mf::Match& m, uint16_t priority, Actions actions, Clock::time_point now);

    // The rule `flow` (OpenFlow port numbering) hits in `table`, counting
    // the lookup; nullptr on a miss.
    const FlowRule* lookup(const mf::Flow& flow, uint8_t table = 0) const;
    // Every bit any rule of `table` looks at: what a translation that went
    // through the table depends on.
    const mf::Flow& wildcards(uint8_t table = 0) const;

    // Rules selected like a flow stats request does (loose match).
    std::vector<const FlowRule*> select(const FlowStatsRequest& q) const;

    void credit(uint64_t id, uint64_t packets, uint64_t bytes, Clock::time_point now);
    // Removes rules past a timeout; returns how many.
    size_t expire(Clock::time_point now);
    void clear();

    const FlowRule* rule(uint64_t id) const;
    const std::map<uint64_t, FlowRule>& rules() const { return rules_; }
    size_t size() const { return rules_.size(); }
    size_t table_size(uint8_t table) const;
    uint64_t lookups(uint8_t table) const;
    uint64_t matched(uint8_t table) const;
    // Moves on every change: translations made before may be stale.
    uint64_t seq() const { return seq_; }

    // Called for each rule with send_flow_rem that a delete or a timeout
    // removes.
    std::function<void(const FlowRule&, uint8_t reason, Clock::time_point now)> on_removed;

private:
    struct Table {
        mf::Classifier<uint64_t> cls;
        size_t n = 0;
        mutable mf::Flow wc{};
        mutable bool wc_dirty = false;
        mutable uint64_t lookups = 0, matched = 0;
    };
    bool selected(const FlowRule& r, const FlowMod& fm, bool strict) const;
    void insert(FlowRule r);
    void erase(uint64_t id);
    void removed(uint64_t id, uint8_t reason, Clock::time_point now);
    Table& table(uint8_t id) { return tables_[id]; }

    std::map<uint64_t, FlowRule> rules_;
    std::map<uint8_t, Table> tables_;
    uint64_t next_id_ = 1;
    uint64_t seq_ = 1;
};

// `a` is at least as specific as `b`: every packet a matches, b matches.
bool match_within(const mf::Match& a, const mf::Match& b);

}  // namespace ofp
