#include <catch2/catch.hpp>

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(vlog_test);

TEST_CASE("vlog levels are set per module and destination from specs") {
    auto* m = vlog::find_module("vlog_test");
    REQUIRE(m);
    CHECK(m->level(vlog::File) == vlog::Level::Info);
    CHECK(vlog::set_levels_from_string("vlog_test:file:dbg").empty());
    CHECK(m->level(vlog::File) == vlog::Level::Dbg);
    CHECK(m->level(vlog::Console) == vlog::Level::Info);
    CHECK(vlog::set_levels_from_string("console:off").empty());
    CHECK(m->level(vlog::Console) == vlog::Level::Off);
    CHECK(vlog::set_levels_from_string("ANY:any:info").empty());
    CHECK(m->level(vlog::Console) == vlog::Level::Info);
    CHECK(vlog::set_levels_from_string("nosuchmodule:dbg") ==
          "no destination, level, or module \"nosuchmodule\"");
    std::string l = vlog::list();
    CHECK(l.find("vlog_test") != std::string::npos);
    CHECK(l.find("console    syslog    file") != std::string::npos);
}

TEST_CASE("rate limit allows a burst, then drops") {
    vlog::RateLimit rl(60, 3);
    CHECK(rl.allow());
    CHECK(rl.allow());
    CHECK(rl.allow());
    CHECK_FALSE(rl.allow());
}
