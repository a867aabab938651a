#include <catch2/catch.hpp>

#include "ovsdb/error.hpp"
#include "ovsdb/idl/txn.hpp"
#include "schema.hpp"

using namespace ovsdb;
using namespace ovsdb::idl;
using json = nlohmann::json;

namespace {

const char* R1 = "11111111-1111-4111-8111-111111111111";
const char* B1 = "22222222-2222-4222-8222-222222222222";
Uuid U(const char* s) { return *Uuid::parse(s); }
Datum str(const std::string& s) { return Datum::scalar(Atom(s)); }

struct Fixture {
    DatabaseSchema schema = DatabaseSchema::from_json(idl_test::schema_json());
    Replica r;
    Fixture() {
        r.reset(schema, {});
        r.apply_initial({{"Root", {{R1, {{"initial", {{"next_cfg", 3}, {"bridges", {"uuid", B1}}}}}}}},
                         {"Bridge", {{B1, {{"initial", {{"name", "br0"}}}}}}}},
                        true);
    }
};

}  // namespace

TEST_CASE("a new row referenced by another is sent with a named UUID") {
    Fixture f;
    Txn t(f.r);
    Uuid nb = t.insert("Bridge");
    t.set("Bridge", nb, "name", str("br1"));
    Datum bridges({Atom(U(B1)), Atom(nb)}, {});
    bridges.sort_unique(false);
    t.set("Root", U(R1), "bridges", bridges);
    t.verify("Root", U(R1), "bridges");
    t.comment("ovs-vsctl add-br br1");
    json p = t.params("Test");
    REQUIRE(p.size() == 5);
    CHECK(p[0] == "Test");
    // The wait comes first and holds the value the replica has now.
    CHECK(p[1]["op"] == "wait");
    CHECK(p[1]["rows"] == json::array({{{"bridges", {"uuid", B1}}}}));
    CHECK(p[2]["op"] == "insert");
    std::string name = p[2]["uuid-name"];
    CHECK(p[2]["row"] == json({{"name", "br1"}}));
    CHECK(p[3]["op"] == "update");
    json set = p[3]["row"]["bridges"];
    REQUIRE(set[0] == "set");
    CHECK(std::count(set[1].begin(), set[1].end(), json({"named-uuid", name})) == 1);
    CHECK(std::count(set[1].begin(), set[1].end(), json({"uuid", B1})) == 1);
    CHECK(p[4] == json({{"op", "comment"}, {"comment", "ovs-vsctl add-br br1"}}));

    const char* REAL = "44444444-4444-4444-8444-444444444444";
    Result ok = t.interpret(json::array({json::object(), {{"uuid", {"uuid", REAL}}}, {{"count", 1}}, json::object()}),
                            nullptr);
    CHECK(ok.status == Result::Status::Success);
    CHECK(ok.real(nb) == U(REAL));
}

TEST_CASE("a failed verification means try again; other errors are errors") {
    Fixture f;
    Txn t(f.r);
    t.verify("Bridge", U(B1), "name");
    t.set("Bridge", U(B1), "fail_mode", str("secure"));
    Result again = t.interpret(json::array({{{"error", "timed out"}}, nullptr}), nullptr);
    CHECK(again.status == Result::Status::TryAgain);
    Result bad = t.interpret(json::array({json::object(), {{"count", 1}},
                                          {{"error", "constraint violation"}, {"details", "no"}}}),
                             nullptr);
    CHECK(bad.status == Result::Status::Error);
    CHECK(bad.error == "constraint violation: no");
    Result rpc = t.interpret(nullptr, "unknown database");
    CHECK(rpc.status == Result::Status::Error);
    Result short_reply = t.interpret(json::array({json::object()}), nullptr);
    CHECK(short_reply.status == Result::Status::Error);
}

TEST_CASE("values are checked when set, not when the server refuses them") {
    Fixture f;
    Txn t(f.r);
    CHECK_THROWS_AS(t.set("Bridge", U(B1), "fail_mode", str("bogus")), Error);
    CHECK_THROWS_AS(t.set("Bridge", U(B1), "nope", str("x")), Error);
    CHECK_THROWS_AS(t.insert("Nope"), Error);
    CHECK(t.empty());
}

TEST_CASE("increment reads back the new value; lock assertion comes first") {
    Fixture f;
    Txn t(f.r);
    t.assert_lock("vswitchd");
    t.increment("Root", U(R1), "next_cfg");
    json p = t.params("Test");
    REQUIRE(p.size() == 4);
    CHECK(p[1] == json({{"op", "assert"}, {"lock", "vswitchd"}}));
    CHECK(p[2]["mutations"] == json::array({{"next_cfg", "+=", 1}}));
    CHECK(p[3]["op"] == "select");
    Result r = t.interpret(json::array({json::object(), {{"count", 1}}, {{"rows", {{{"next_cfg", 4}}}}}}), nullptr);
    CHECK(r.status == Result::Status::Success);
    CHECK(r.increment == 4);
    Result nl = t.interpret(json::array({{{"error", "not owner"}}}), nullptr);
    CHECK(nl.status == Result::Status::NotLocked);
}

TEST_CASE("deleting a row inserted by the same transaction sends nothing for it") {
    Fixture f;
    Txn t(f.r);
    Uuid nb = t.insert("Bridge");
    t.remove("Bridge", nb);
    CHECK(t.empty());
    t.remove("Bridge", U(B1));
    json p = t.params("Test");
    REQUIRE(p.size() == 2);
    CHECK(p[1]["op"] == "delete");
}

TEST_CASE("mutations take sets of keys for map deletions") {
    Fixture f;
    Txn t(f.r);
    t.mutate("Bridge", U(B1), "other_config", "delete", Datum({Atom(std::string("k"))}, {}));
    Datum pair({Atom(std::string("a"))}, {Atom(std::string("b"))});
    pair.set_map(true);
    t.mutate("Bridge", U(B1), "other_config", "insert", pair);
    json p = t.params("Test");
    CHECK(p[1]["mutations"][0] == json({"other_config", "delete", "k"}));
    CHECK(p[2]["mutations"][0] == json({"other_config", "insert", idl_test::smap({{"a", "b"}})}));
}
