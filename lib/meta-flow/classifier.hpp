// A priority classifier over Matches (tuple-space search): rules are grouped
// by mask into subtables, each a hash table keyed by the masked flow; a
// lookup hashes the packet's flow once per subtable and keeps the
// highest-priority hit.  Subtables are visited in decreasing order of their
// best priority, so a lookup stops as soon as no remaining subtable can beat
// the hit.  What the OpenFlow table and megaflow caches need; measured in
// bench/meta-flow against Open vSwitch's classifier.
#pragma once

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <unordered_map>
#include <vector>

#include "meta-flow/match.hpp"

namespace mf {

template <typename T>
class Classifier {
public:
    struct Rule {
        Match match;
        int priority;
        T value;
    };

    // Adds a rule (a rule with the same match and priority is kept too;
    // among equals the one added first wins).
    void insert(const Match& m, int priority, T value)
    {
        Subtable* st = subtable(m.mask());
        auto& bucket = st->rules[st->hash(m.flow())];
        bucket.push_back(Rule{m, priority, std::move(value)});
        if (priority > st->max_priority) {
            st->max_priority = priority;
            sorted_ = false;
        }
        ++n_;
    }

    // Removes the rule with exactly this match and priority and a value equal
    // to `value`; returns whether there was one.  (The subtable keeps its
    // priority bound, which only makes lookups look a little further.)
    bool remove(const Match& m, int priority, const T& value)
    {
        for (auto& st : subtables_) {
            if (!(st->mask == m.mask()))
                continue;
            auto it = st->rules.find(st->hash(m.flow()));
            if (it == st->rules.end())
                return false;
            auto& v = it->second;
            for (auto r = v.begin(); r != v.end(); ++r)
                if (r->priority == priority && r->match == m && r->value == value) {
                    v.erase(r);
                    if (v.empty())
                        st->rules.erase(it);
                    --n_;
                    return true;
                }
            return false;
        }
        return false;
    }

    // The highest-priority rule matching `flow`, or nullptr.
    const Rule* lookup(const Flow& flow) const
    {
        sort();
        const Rule* best = nullptr;
        for (const Subtable* st : order_) {
            if (best && st->max_priority <= best->priority)
                break;
            auto it = st->rules.find(st->hash(flow));
            if (it == st->rules.end())
                continue;
            for (const Rule& r : it->second)
                if (st->matches(r.match.flow(), flow) && (!best || r.priority > best->priority))
                    best = &r;
        }
        return best;
    }

    size_t size() const { return n_; }
    size_t n_subtables() const { return subtables_.size(); }

private:
    struct Subtable {
        Flow mask;
        std::vector<uint8_t> words;  // the 64-bit words of the mask that are not zero
        std::vector<uint64_t> mask_words;
        int max_priority = INT32_MIN;
        std::unordered_map<uint64_t, std::vector<Rule>> rules;

        static uint64_t word(const Flow& f, size_t i)
        {
            uint64_t w;
            std::memcpy(&w, f.bytes() + 8 * i, 8);
            return w;
        }
        void init(const Flow& m)
        {
            mask = m;
            for (size_t i = 0; i < kFlowWords; ++i)
                if (word(m, i)) {
                    words.push_back(static_cast<uint8_t>(i));
                    mask_words.push_back(word(m, i));
                }
        }
        // Hash of the flow's significant words only.
        uint64_t hash(const Flow& f) const
        {
            uint64_t h = 0x9e3779b97f4a7c15ULL;
            for (size_t k = 0; k < words.size(); ++k) {
                h ^= word(f, words[k]) & mask_words[k];
                h *= 0xff51afd7ed558ccdULL;
                h ^= h >> 32;
            }
            return h;
        }
        // rule_flow is already masked.
        bool matches(const Flow& rule_flow, const Flow& f) const
        {
            uint64_t diff = 0;
            for (size_t k = 0; k < words.size(); ++k)
                diff |= (word(f, words[k]) & mask_words[k]) ^ word(rule_flow, words[k]);
            return diff == 0;
        }
    };

    Subtable* subtable(const Flow& mask)
    {
        for (auto& st : subtables_)
            if (st->mask == mask)
                return st.get();
        subtables_.push_back(std::make_unique<Subtable>());
        subtables_.back()->init(mask);
        sorted_ = false;
        return subtables_.back().get();
    }

    void sort() const
    {
        if (sorted_)
            return;
        order_.clear();
        for (const auto& st : subtables_)
            order_.push_back(st.get());
        std::sort(order_.begin(), order_.end(),
                  [](const Subtable* a, const Subtable* b) { return a->max_priority > b->max_priority; });
        sorted_ = true;
    }

    std::vector<std::unique_ptr<Subtable>> subtables_;
    mutable std::vector<const Subtable*> order_;
    mutable bool sorted_ = true;
    size_t n_ = 0;
};

}  // namespace mf
