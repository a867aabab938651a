#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "ovsdb-server/monitor.hpp"

using namespace test;

TEST_CASE("monitor (v1): initial, insert, modify with old values, delete") {
    Db t;
    t.run(R"([{"op": "insert", "table": "Other", "row": {"tags": "a"}, "uuid-name": "o"}])");
    Monitor m(t.db, "m", Monitor::Version::V1, json::parse(R"({"Other": {"columns": ["tags"]}})"));
    json init = m.initial();
    REQUIRE(init["Other"].size() == 1);
    std::string u = init["Other"].begin().key();
    CHECK(init["Other"][u] == json::parse(R"({"new": {"tags": "a"}})"));

    t.run(R"([{"op": "mutate", "table": "Other", "where": [], "mutations": [["tags", "insert", "b"]]}])");
    auto upd = m.update(t.last);
    REQUIRE(upd);
    CHECK((*upd)["Other"][u] == json::parse(R"({"old": {"tags": "a"}, "new": {"tags": ["set", ["a", "b"]]}})"));

    // A change to an unmonitored column reports nothing.
    t.run(R"([{"op": "update", "table": "Other", "where": [], "row": {"m": ["map", [["x", 1]]]}}])");
    CHECK_FALSE(m.update(t.last));

    t.run(R"([{"op": "delete", "table": "Other", "where": []}])");
    upd = m.update(t.last);
    REQUIRE(upd);
    CHECK((*upd)["Other"][u] == json::parse(R"({"old": {"tags": ["set", ["a", "b"]]}})"));
}

TEST_CASE("monitor_cond (v2): conditions, set and map diffs, rows entering and leaving") {
    Db t;
    t.run(R"([{"op": "insert", "table": "Other", "row": {"tags": "keep", "m": ["map", [["a", 1], ["b", 2]]]}},
              {"op": "insert", "table": "Other", "row": {"tags": "skip"}}])");
    Monitor m(t.db, json::array({"m", 2}), Monitor::Version::V2,
              json::parse(R"({"Other": [{"where": [["tags", "includes", "keep"]]}]})"));
    json init = m.initial();
    REQUIRE(init["Other"].size() == 1);
    std::string u = init["Other"].begin().key();
    CHECK(init["Other"][u]["initial"]["m"] == json::parse(R"(["map", [["a", 1], ["b", 2]]])"));
    CHECK_FALSE(init["Other"][u]["initial"].contains("nope"));

    t.run(R"([{"op": "mutate", "table": "Other", "where": [["tags", "includes", "keep"]],
               "mutations": [["m", "delete", ["set", ["a"]]], ["m", "insert", ["map", [["c", 3]]]], ["tags", "insert", "x"]]}])");
    auto upd = m.update(t.last);
    REQUIRE(upd);
    json mod = (*upd)["Other"][u]["modify"];
    CHECK(mod["m"] == json::parse(R"(["map", [["a", 1], ["c", 3]]])"));   // removed a, added c
    CHECK(mod["tags"] == json("x"));                                     // added element

    // The row leaves the condition: a delete; another enters: an insert.
    t.run(R"([{"op": "update", "table": "Other", "where": [], "row": {"tags": ["set", ["keep"]]}}])");
    upd = m.update(t.last);
    REQUIRE(upd);
    int inserts = 0;
    for (auto& [k, v] : (*upd)["Other"].items())
        if (v.contains("insert")) ++inserts;
    CHECK(inserts == 1);

    auto changed = m.change_conditions(json::parse(R"({"Other": [{"where": [false]}]})"));
    REQUIRE(changed);
    for (auto& [k, v] : (*changed)["Other"].items()) CHECK(v == json::parse(R"({"delete": null})"));
}
