#include <catch2/catch.hpp>

#include "vswitchd/mac_learning.hpp"

using namespace vswitchd;
using namespace std::chrono_literals;

namespace {
Mac mac(uint8_t last) { return Mac{0x50, 0x54, 0, 0, 0, last}; }
const Clock::time_point T0{};
}  // namespace

TEST_CASE("learned MACs are found per VLAN and port, and moves are reported") {
    MacLearning t;
    CHECK(t.learn(mac(1), 0, 1, T0));
    CHECK(t.lookup(mac(1), 0, T0) == 1u);
    CHECK_FALSE(t.lookup(mac(1), 10, T0));            // another VLAN: unknown
    uint64_t g = t.generation();
    CHECK_FALSE(t.learn(mac(1), 0, 1, T0 + 1s));      // refresh: no forwarding change
    CHECK(t.generation() == g);
    CHECK(t.learn(mac(1), 0, 2, T0 + 2s));            // moved
    CHECK(t.generation() > g);
    CHECK(t.lookup(mac(1), 0, T0 + 2s) == 2u);
    CHECK(t.learn(mac(1), 10, 3, T0 + 2s));           // same MAC, other VLAN: separate entry
    CHECK(t.size() == 2);
}

TEST_CASE("multicast and broadcast sources are not learned") {
    MacLearning t;
    CHECK_FALSE(t.learn(Mac{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 0, 1, T0));
    CHECK_FALSE(t.learn(Mac{0x01, 0x00, 0x5e, 0, 0, 1}, 0, 1, T0));
    CHECK(t.size() == 0);
}

TEST_CASE("entries age out") {
    MacLearning t(10s);
    t.learn(mac(1), 0, 1, T0);
    t.learn(mac(2), 0, 1, T0 + 5s);
    CHECK(t.next_expiry() == T0 + 10s);
    CHECK(t.lookup(mac(1), 0, T0 + 9s));
    CHECK_FALSE(t.lookup(mac(1), 0, T0 + 10s));       // expired even before expire() runs
    CHECK(t.expire(T0 + 10s) == 1);
    CHECK(t.size() == 1);
    CHECK(t.expire(T0 + 15s) == 1);
    CHECK(t.size() == 0);
    CHECK_FALSE(t.next_expiry());
    // Re-learning an expired entry on the same port counts as a change.
    MacLearning u(10s);
    u.learn(mac(1), 0, 1, T0);
    CHECK(u.learn(mac(1), 0, 1, T0 + 11s));
}

TEST_CASE("a full table evicts the least recently used entry") {
    MacLearning t(300s, 3);
    t.learn(mac(1), 0, 1, T0);
    t.learn(mac(2), 0, 1, T0 + 1s);
    t.learn(mac(3), 0, 1, T0 + 2s);
    t.learn(mac(1), 0, 1, T0 + 3s);                   // 1 used again: 2 is now the oldest
    t.learn(mac(4), 0, 1, T0 + 4s);
    CHECK(t.size() == 3);
    CHECK_FALSE(t.lookup(mac(2), 0, T0 + 4s));
    CHECK(t.lookup(mac(1), 0, T0 + 4s));
    t.set_max_entries(1);
    CHECK(t.size() == 1);
    CHECK(t.lookup(mac(4), 0, T0 + 4s));
}

TEST_CASE("flushing a port forgets only what was learned there") {
    MacLearning t;
    t.learn(mac(1), 0, 1, T0);
    t.learn(mac(2), 0, 2, T0);
    t.learn(mac(3), 5, 1, T0);
    CHECK(t.flush_port(1) == 2);
    CHECK(t.size() == 1);
    CHECK(t.lookup(mac(2), 0, T0) == 2u);
    uint64_t g = t.generation();
    t.flush();
    CHECK(t.size() == 0);
    CHECK(t.generation() > g);
}

TEST_CASE("fdb/show format") {
    MacLearning t;
    t.learn(mac(1), 0, 1, T0);
    t.learn(mac(0xab), 10, 2, T0 + 2s);
    std::string s = t.format(T0 + 5s, [](uint32_t p) { return p == 2 ? std::string("LOCAL") : std::to_string(p); });
    CHECK(s ==
          " port  VLAN  MAC                Age\n"
          "LOCAL    10  50:54:00:00:00:ab    3\n"
          "    1     0  50:54:00:00:00:01    5\n");
}

TEST_CASE("MAC text forms") {
    CHECK(mac_from_string("50:54:00:00:00:0a") == mac(10));
    CHECK_FALSE(mac_from_string("50:54:00:00:00"));
    CHECK_FALSE(mac_from_string("50:54:00:00:00:0a:1"));
    CHECK(mac_to_string(mac(255)) == "50:54:00:00:00:ff");
}
