#include <catch2/catch.hpp>

#include "vswitchd/coverage.hpp"

COVERAGE_DEFINE(test_event);
COVERAGE_DEFINE(test_never);

TEST_CASE("coverage: totals, rates and the coverage/show layout") {
    uint64_t before = coverage_test_event.total();
    COVERAGE_INC(test_event);
    COVERAGE_ADD(test_event, 9);
    uint64_t v = 0;
    REQUIRE(coverage::read("test_event", &v));
    CHECK(v == before + 10);
    CHECK_FALSE(coverage::read("no_such_counter", &v));

    coverage::tick();
    std::string s = coverage::show();
    CHECK(s.rfind("Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=", 0) == 0);
    // 10 events in the last 5 s slice: 2.0/sec; over a minute 10/60.
    CHECK(s.find("test_event                 2.0/sec     0.167/sec        0.0028/sec   total: 10\n") !=
          std::string::npos);
    CHECK(s.find("test_never") == std::string::npos);
    CHECK(s.find("events never hit\n") != std::string::npos);

    coverage::tick();   // no new events: the last slice's rate is 0
    CHECK(coverage::show().find("test_event                 0.0/sec     0.167/sec") != std::string::npos);
}
