#include "vswitchd/coverage.hpp"

#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <vector>

namespace coverage {

namespace {

// Samples per minute and per hour.
constexpr size_t kPerMinute = 60 / kSlice.count();
constexpr size_t kPerHour = 3600 / kSlice.count();

struct Registry {
    std::mutex mu;
    std::vector<Counter*> counters;              // in definition order
    std::map<const Counter*, std::deque<uint64_t>> samples;  // totals, newest last
    size_t n_ticks = 0;
};

Registry& registry() {
    static Registry r;
    return r;
}

// Average rate per second over the last `slices` slices, from the totals
// sampled at each tick (newest last).  Before that many ticks, the window
// starts at zero, as upstream's does.
double rate(const std::deque<uint64_t>& s, size_t slices) {
    if (s.empty()) return 0.0;
    uint64_t then = s.size() > slices ? s[s.size() - 1 - slices] : 0;
    return static_cast<double>(s.back() - then) / static_cast<double>(slices * kSlice.count());
}

uint32_t hash_names(const std::vector<Counter*>& cs) {
    uint32_t h = 2166136261u;
    for (const Counter* c : cs)
        for (const char* p = c->name(); *p; ++p) h = (h ^ static_cast<uint8_t>(*p)) * 16777619u;
    return h;
}

}  // namespace

Counter::Counter(const char* name) : name_(name) {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    r.counters.push_back(this);
}

void tick() {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    ++r.n_ticks;
    for (Counter* c : r.counters) {
        auto& s = r.samples[c];
        s.push_back(c->total());
        while (s.size() > kPerHour + 1) s.pop_front();
    }
}

std::string show() {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    char line[256];
    std::snprintf(line, sizeof line,
                  "Event coverage, avg rate over last: %d seconds, last minute, last hour,  hash=%08x:\n",
                  static_cast<int>(kSlice.count()), hash_names(r.counters));
    std::string out = line;
    size_t never = 0;
    for (const Counter* c : r.counters) {
        uint64_t total = c->total();
        if (!total) {
            ++never;
            continue;
        }
        const auto& s = r.samples[c];
        double r5 = rate(s, 1), rm = rate(s, kPerMinute), rh = rate(s, kPerHour);
        std::snprintf(line, sizeof line, "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   total: %llu\n",
                      c->name(), r5, rm, rh, static_cast<unsigned long long>(total));
        out += line;
    }
    std::snprintf(line, sizeof line, "%zu events never hit\n", never);
    out += line;
    return out;
}

bool read(const std::string& name, uint64_t* total) {
    Registry& r = registry();
    std::lock_guard lock(r.mu);
    for (const Counter* c : r.counters)
        if (name == c->name()) {
            *total = c->total();
            return true;
        }
    return false;
}

}  // namespace coverage
