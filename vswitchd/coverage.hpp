// coverage: named event counters, as `ovs-appctl coverage/show` prints them.
//
// A counter is defined once at file scope and bumped where the event
// happens:
//
//     COVERAGE_DEFINE(dpif_flow_put);
//     ...
//     COVERAGE_INC(dpif_flow_put);
//
// The registry samples every counter once per coverage::kSlice (5 s, driven
// by the daemon's timer through coverage::tick()), and keeps enough samples
// to report average rates over the last 5 seconds, minute and hour next to
// the total, in Open vSwitch's layout.  Counters are atomics, so a helper
// thread may bump them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace coverage {

constexpr std::chrono::seconds kSlice{5};

class Counter {
public:
    explicit Counter(const char* name);
    const char* name() const { return name_; }
    void inc(uint64_t n = 1) { total_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t total() const { return total_.load(std::memory_order_relaxed); }

private:
    const char* name_;
    std::atomic<uint64_t> total_{0};
};

// Takes a sample of every counter (call once per kSlice).
void tick();
// The coverage/show text.
std::string show();
// A counter's total by name, if it exists.
bool read(const std::string& name, uint64_t* total);

}  // namespace coverage

#define COVERAGE_DEFINE(NAME) static ::coverage::Counter coverage_##NAME(#NAME)
#define COVERAGE_INC(NAME) coverage_##NAME.inc()
#define COVERAGE_ADD(NAME, N) coverage_##NAME.inc(N)
