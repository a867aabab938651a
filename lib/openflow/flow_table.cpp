#include "openflow/flow_table.hpp"

#include <cstring>

namespace ofp {

namespace {

uint64_t word(const mf::Flow& f, size_t i) {
    uint64_t w;
    std::memcpy(&w, f.bytes() + 8 * i, 8);
    return w;
}

// Two matches could both match one packet: where both look, they agree.
bool overlaps(const mf::Match& a, const mf::Match& b) {
    for (size_t i = 0; i < mf::kFlowWords; ++i) {
        uint64_t both = word(a.mask(), i) & word(b.mask(), i);
        if ((word(a.flow(), i) ^ word(b.flow(), i)) & both) return false;
    }
    return true;
}

}  // namespace

bool match_within(const mf::Match& a, const mf::Match& b) {
    for (size_t i = 0; i < mf::kFlowWords; ++i) {
        uint64_t bm = word(b.mask(), i);
        if ((word(a.mask(), i) & bm) != bm) return false;
        if ((word(a.flow(), i) & bm) != word(b.flow(), i)) return false;
    }
    return true;
}

bool FlowTable::selected(const FlowRule& r, const FlowMod& fm, bool strict) const {
    if (fm.table_id != kTableAll && r.table_id != fm.table_id) return false;
    if ((r.cookie & fm.cookie_mask) != (fm.cookie & fm.cookie_mask)) return false;
    if (strict) {
        if (!(r.match == fm.match) || r.priority != fm.priority) return false;
    } else if (!match_within(r.match, fm.match)) {
        return false;
    }
    if ((fm.command == OFPFC_DELETE || fm.command == OFPFC_DELETE_STRICT) &&
        !actions_output_to(r.actions, fm.out_port))
        return false;
    return true;
}

void FlowTable::insert(FlowRule r) {
    Table& t = table(r.table_id);
    t.cls.insert(r.match, r.priority, r.id);
    ++t.n;
    if (!t.wc_dirty)
        for (size_t i = 0; i < sizeof(mf::Flow); ++i) t.wc.bytes()[i] |= r.match.mask().bytes()[i];
    const uint64_t id = r.id;
    rules_.emplace(id, std::move(r));
    ++seq_;
}

void FlowTable::erase(uint64_t id) {
    auto it = rules_.find(id);
    if (it == rules_.end()) return;
    Table& t = table(it->second.table_id);
    t.cls.remove(it->second.match, it->second.priority, id);
    --t.n;
    t.wc_dirty = true;
    rules_.erase(it);
    ++seq_;
}

void FlowTable::add(const mf::Match& m, uint16_t priority, Actions actions, Clock::time_point now) {
    FlowMod fm;
    fm.match = m;
    fm.priority = priority;
    fm.table_id = 0;
    fm.actions = std::move(actions);
    apply(fm, now);
}

FlowTable::Outcome FlowTable::apply(const FlowMod& fm, Clock::time_point now) {
    Outcome out;
    // Table 254 is Open vSwitch's hidden, read-only table: EPERM.
    if (fm.table_id == kNumTables) throw OfError(Err::Eperm, "table 254 is read-only");
    if (fm.table_id != kTableAll && fm.table_id >= kNumTables)
        throw OfError(Err::BadTableId, "no table " + std::to_string(fm.table_id));
    const bool strict = fm.command == OFPFC_MODIFY_STRICT || fm.command == OFPFC_DELETE_STRICT;

    auto do_add = [&] {
        const uint8_t tid = fm.table_id == kTableAll ? 0 : fm.table_id;
        std::vector<uint64_t> same;
        for (const auto& [id, r] : rules_) {
            if (r.table_id != tid || r.priority != fm.priority) continue;
            if (r.match == fm.match) {
                same.push_back(id);
            } else if ((fm.flags & OFPFF_CHECK_OVERLAP) && overlaps(r.match, fm.match)) {
                throw OfError(Err::FlowOverlap, "flow overlaps an existing flow");
            }
        }
        // Without RESET_COUNTS the replacement keeps the counters.
        uint64_t packets = 0, bytes = 0;
        if (!(fm.flags & OFPFF_RESET_COUNTS))
            for (uint64_t id : same) {
                packets += rules_.at(id).packets;
                bytes += rules_.at(id).bytes;
            }
        for (uint64_t id : same) erase(id);
        FlowRule r;
        r.packets = packets;
        r.bytes = bytes;
        r.id = next_id_++;
        r.table_id = tid;
        r.match = fm.match;
        r.priority = fm.priority;
        r.cookie = fm.new_cookie == ~0ULL ? 0 : fm.new_cookie;
        r.idle_timeout = fm.idle_timeout;
        r.hard_timeout = fm.hard_timeout;
        r.flags = fm.flags & kRuleFlags;
        r.actions = fm.actions;
        r.created = r.modified = r.used = now;
        insert(std::move(r));
        ++out.added;
    };

    switch (fm.command) {
    case OFPFC_ADD:
        do_add();
        break;
    case OFPFC_MODIFY:
    case OFPFC_MODIFY_STRICT: {
        for (auto& [id, r] : rules_) {
            if (!selected(r, fm, strict)) continue;
            r.actions = fm.actions;
            if (fm.modify_cookie) r.cookie = fm.new_cookie;
            if (fm.flags & OFPFF_RESET_COUNTS) r.packets = r.bytes = 0;
            r.modified = now;
            ++out.modified;
        }
        if (out.modified) {
            ++seq_;
        } else if (fm.modify_may_add) {
            do_add();
        }
        break;
    }
    case OFPFC_DELETE:
    case OFPFC_DELETE_STRICT: {
        std::vector<uint64_t> gone;
        for (const auto& [id, r] : rules_)
            if (selected(r, fm, strict)) gone.push_back(id);
        for (uint64_t id : gone) removed(id, kRemovedDelete, now);
        out.deleted = gone.size();
        break;
    }
    default:
        throw OfError(Err::BadFlowCommand, "unknown flow_mod command");
    }
    return out;
}

const FlowRule* FlowTable::lookup(const mf::Flow& flow, uint8_t tid) const {
    auto t = tables_.find(tid);
    if (t == tables_.end()) return nullptr;
    ++t->second.lookups;
    const auto* hit = t->second.cls.lookup(flow);
    if (!hit) return nullptr;
    ++t->second.matched;
    return rule(hit->value);
}

const mf::Flow& FlowTable::wildcards(uint8_t tid) const {
    static const mf::Flow none{};
    auto t = tables_.find(tid);
    if (t == tables_.end()) return none;
    const Table& tb = t->second;
    if (tb.wc_dirty) {
        tb.wc = mf::Flow{};
        for (const auto& [_, r] : rules_)
            if (r.table_id == tid)
                for (size_t i = 0; i < sizeof(mf::Flow); ++i) tb.wc.bytes()[i] |= r.match.mask().bytes()[i];
        tb.wc_dirty = false;
    }
    return tb.wc;
}

std::vector<const FlowRule*> FlowTable::select(const FlowStatsRequest& q) const {
    std::vector<const FlowRule*> out;
    for (const auto& [_, r] : rules_) {
        if (q.table_id != kTableAll && r.table_id != q.table_id) continue;
        if ((r.cookie & q.cookie_mask) != (q.cookie & q.cookie_mask)) continue;
        if (!match_within(r.match, q.match)) continue;
        if (!actions_output_to(r.actions, q.out_port)) continue;
        out.push_back(&r);
    }
    return out;
}

void FlowTable::credit(uint64_t id, uint64_t packets, uint64_t bytes, Clock::time_point now) {
    auto it = rules_.find(id);
    if (it == rules_.end() || !packets) return;
    it->second.packets += packets;
    it->second.bytes += bytes;
    it->second.used = now;
}

size_t FlowTable::expire(Clock::time_point now) {
    std::vector<std::pair<uint64_t, uint8_t>> gone;
    for (const auto& [id, r] : rules_) {
        if (r.hard_timeout && now - r.modified >= std::chrono::seconds(r.hard_timeout))
            gone.emplace_back(id, kRemovedHardTimeout);
        else if (r.idle_timeout && now - r.used >= std::chrono::seconds(r.idle_timeout))
            gone.emplace_back(id, kRemovedIdleTimeout);
    }
    for (auto [id, reason] : gone) removed(id, reason, now);
    return gone.size();
}

void FlowTable::removed(uint64_t id, uint8_t reason, Clock::time_point now) {
    auto it = rules_.find(id);
    if (it == rules_.end()) return;
    if (on_removed && (it->second.flags & OFPFF_SEND_FLOW_REM)) on_removed(it->second, reason, now);
    erase(id);
}

void FlowTable::clear() {
    if (rules_.empty()) return;
    rules_.clear();
    for (auto& [_, t] : tables_) {
        t.cls = mf::Classifier<uint64_t>();
        t.n = 0;
        t.wc = mf::Flow{};
        t.wc_dirty = false;
    }
    ++seq_;
}

const FlowRule* FlowTable::rule(uint64_t id) const {
    auto it = rules_.find(id);
    return it == rules_.end() ? nullptr : &it->second;
}

size_t FlowTable::table_size(uint8_t tid) const {
    auto t = tables_.find(tid);
    return t == tables_.end() ? 0 : t->second.n;
}

uint64_t FlowTable::lookups(uint8_t tid) const {
    auto t = tables_.find(tid);
    return t == tables_.end() ? 0 : t->second.lookups;
}

uint64_t FlowTable::matched(uint8_t tid) const {
    auto t = tables_.find(tid);
    return t == tables_.end() ? 0 : t->second.matched;
}

}  // namespace ofp
