#include <catch2/catch.hpp>

#include "fixture.hpp"

using namespace test;

TEST_CASE("insert with forward named-uuid references, select, update, mutate, delete") {
    Db t;
    json r = t.run(R"([
      {"op": "insert", "table": "Root", "row": {"children": ["named-uuid", "c1"]}},
      {"op": "insert", "table": "Child", "row": {"name": "one"}, "uuid-name": "c1"}])");
    REQUIRE(error_of(r).empty());
    CHECK(t.count("Child") == 1);
    r = t.run(R"([{"op": "select", "table": "Child", "where": [["name", "==", "one"]], "columns": ["name"]}])");
    CHECK(r[0] == json::parse(R"({"rows": [{"name": "one"}]})"));
    r = t.run(R"([{"op": "update", "table": "Root", "where": [], "row": {"n": 7}},
                  {"op": "mutate", "table": "Root", "where": [], "mutations": [["n", "+=", 1]]},
                  {"op": "select", "table": "Root", "where": [], "columns": ["n"]}])");
    CHECK(r[0] == json{{"count", 1}});
    CHECK(r[2]["rows"][0]["n"] == 8);
    r = t.run(R"([{"op": "delete", "table": "Other", "where": []}])");
    CHECK(r[0] == json{{"count", 0}});
}

TEST_CASE("unreferenced rows of non-root tables are garbage-collected, transitively") {
    Db t;
    t.run(R"([{"op": "insert", "table": "Child", "row": {"name": "orphan"}}])");
    CHECK(t.count("Child") == 0);
    t.run(R"([
      {"op": "insert", "table": "Root", "row": {"children": ["named-uuid", "c"]}},
      {"op": "insert", "table": "Child", "row": {"name": "c", "leaf": ["named-uuid", "l"]}, "uuid-name": "c"},
      {"op": "insert", "table": "Leaf", "row": {"v": 1}, "uuid-name": "l"}])");
    CHECK(t.count("Child") == 1);
    CHECK(t.count("Leaf") == 1);
    t.run(R"([{"op": "update", "table": "Root", "where": [], "row": {"children": ["set", []]}}])");
    CHECK(t.count("Child") == 0);
    CHECK(t.count("Leaf") == 0);
}

TEST_CASE("strong references must resolve; referenced rows cannot be deleted") {
    Db t;
    json r = t.run(R"([{"op": "insert", "table": "Root",
                        "row": {"children": ["uuid", "11111111-1111-1111-1111-111111111111"]}}])");
    CHECK(error_of(r) == "referential integrity violation");
    CHECK(t.count("Root") == 0);
    t.run(R"([{"op": "insert", "table": "Root", "row": {"children": ["named-uuid", "c"]}},
              {"op": "insert", "table": "Child", "row": {"name": "c"}, "uuid-name": "c"}])");
    r = t.run(R"([{"op": "delete", "table": "Child", "where": []}])");
    CHECK(error_of(r) == "referential integrity violation");
    CHECK(t.count("Child") == 1);
}

TEST_CASE("weak references to deleted rows are removed, not errors") {
    Db t;
    t.run(R"([{"op": "insert", "table": "Root", "row": {"children": ["set", [["named-uuid", "a"], ["named-uuid", "b"]]]}},
              {"op": "insert", "table": "Child", "row": {"name": "a", "friend": ["named-uuid", "b"]}, "uuid-name": "a"},
              {"op": "insert", "table": "Child", "row": {"name": "b"}, "uuid-name": "b"}])");
    json sel = t.run(R"([{"op": "select", "table": "Child", "where": [["name", "==", "b"]], "columns": ["_uuid"]}])");
    std::string b = sel[0]["rows"][0]["_uuid"][1];
    json r = t.run((std::string(R"([{"op": "mutate", "table": "Root", "where": [], "mutations": [["children", "delete", ["uuid", ")") + b + R"("]]]}])").c_str());
    CHECK(error_of(r).empty());
    CHECK(t.count("Child") == 1);
    sel = t.run(R"([{"op": "select", "table": "Child", "where": [], "columns": ["name", "friend"]}])");
    CHECK(sel[0]["rows"][0]["friend"] == json::parse(R"(["set", []])"));
}

TEST_CASE("unique indexes and maxRows hold; a failing transaction changes nothing") {
    Db t;
    json r = t.run(R"([{"op": "insert", "table": "Root", "row": {}}, {"op": "insert", "table": "Root", "row": {}}])");
    CHECK(error_of(r) == "constraint violation");
    CHECK(t.count("Root") == 0);
    r = t.run(R"([{"op": "insert", "table": "Root", "row": {"children": ["set", [["named-uuid", "a"], ["named-uuid", "b"]]]}},
                  {"op": "insert", "table": "Child", "row": {"name": "same"}, "uuid-name": "a"},
                  {"op": "insert", "table": "Child", "row": {"name": "same"}, "uuid-name": "b"}])");
    CHECK(error_of(r) == "constraint violation");
    CHECK(t.count("Child") == 0);
    CHECK(t.count("Root") == 0);
}

TEST_CASE("errors null-fill the rest; abort, comment, commit, duplicate uuid-name") {
    Db t;
    json r = t.run(R"([{"op": "insert", "table": "Other", "row": {"tags": 5}}, {"op": "comment", "comment": "x"}])");
    CHECK(r.size() == 2);
    CHECK(r[0]["error"] == "syntax error");
    CHECK(r[1].is_null());
    r = t.run(R"([{"op": "insert", "table": "Other", "row": {}}, {"op": "abort"}])");
    CHECK(r[1]["error"] == "aborted");
    CHECK(t.count("Other") == 0);
    r = t.run(R"([{"op": "insert", "table": "Other", "row": {}, "uuid-name": "x"},
                  {"op": "insert", "table": "Other", "row": {}, "uuid-name": "x"}])");
    CHECK(r[1]["error"] == "duplicate uuid-name");
    r = t.run(R"([{"op": "insert", "table": "Other", "row": {}}, {"op": "commit", "durable": true}])");
    CHECK(r[1] == json::object());
    CHECK(t.last.durable);
    r = t.run(R"([{"op": "select", "table": "Nope", "where": []}])");
    CHECK(r[0]["error"] == "syntax error");
    r = t.run(R"([{"op": "frob", "table": "Other"}])");
    CHECK(r[0]["error"] == "syntax error");
}

TEST_CASE("wait: satisfied, timed out, or blocked until it can be retried") {
    Db t;
    t.run(R"([{"op": "insert", "table": "Root", "row": {"n": 1}}])");
    json ok = t.run(R"([{"op": "wait", "table": "Root", "where": [], "columns": ["n"], "until": "==", "rows": [{"n": 1}], "timeout": 0}])");
    CHECK(ok[0] == json::object());
    json to = t.run(R"([{"op": "wait", "table": "Root", "where": [], "columns": ["n"], "until": "==", "rows": [{"n": 2}], "timeout": 0}])");
    CHECK(to[0]["error"] == "timed out");
    TxnContext ctx;
    auto out = execute_transaction(t.db, json::parse(R"([{"op": "wait", "table": "Root", "where": [], "columns": ["n"], "until": "!=", "rows": [{"n": 1}], "timeout": 5000}])"), ctx);
    CHECK(out.status == TxnOutcome::Status::Blocked);
    CHECK(out.wait_deadline_ms == 5000);
}

TEST_CASE("assert succeeds only for a lock the session holds") {
    Db t;
    TxnContext ctx;
    ctx.owns_lock = [](const std::string& l) { return l == "mine"; };
    auto out = execute_transaction(t.db, json::parse(R"([{"op": "assert", "lock": "mine"}, {"op": "assert", "lock": "theirs"}])"), ctx);
    CHECK(out.result[0] == json::object());
    CHECK(out.result[1]["error"] == "not owner");
}
