#include <catch2/catch.hpp>

#include "ovsdb/error.hpp"
#include "ovsdb/idl/replica.hpp"
#include "schema.hpp"

using namespace ovsdb;
using namespace ovsdb::idl;
using json = nlohmann::json;

namespace {

const char* B1 = "11111111-1111-4111-8111-111111111111";
const char* B2 = "22222222-2222-4222-8222-222222222222";
const char* P1 = "33333333-3333-4333-8333-333333333333";

Uuid U(const char* s) { return *Uuid::parse(s); }

struct Fixture {
    DatabaseSchema schema = DatabaseSchema::from_json(idl_test::schema_json());
    Replica r;
    Fixture() { r.reset(schema, {}); }
    void initial2(const json& j) { r.apply_initial(j, true); }
};

}  // namespace

TEST_CASE("monitor requests name every column of every table by default") {
    Fixture f;
    json req = f.r.monitor_requests();
    REQUIRE(req.size() == 3);
    CHECK(req["Bridge"][0]["columns"] == json({"fail_mode", "name", "other_config", "ports"}));
}

TEST_CASE("replicating a subset asks for and holds only those columns") {
    DatabaseSchema s = DatabaseSchema::from_json(idl_test::schema_json());
    Replica r;
    r.reset(s, {{"Bridge", {"name", "ports"}}, {"NoSuchTable", {}}});
    json req = r.monitor_requests();
    REQUIRE(req.size() == 1);
    CHECK(req["Bridge"][0]["columns"] == json({"name", "ports"}));
    CHECK(r.table("Port") == nullptr);
}

TEST_CASE("update2 initial contents, then insert, modify and delete") {
    Fixture f;
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}, {"other_config", idl_test::smap({{"a", "1"}, {"b", "2"}})}}}}}}}});
    const Row* b = f.r.row("Bridge", U(B1));
    REQUIRE(b);
    CHECK(b->string("name") == "br0");
    CHECK(b->smap("other_config") == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
    CHECK(b->get("ports").empty());          // omitted column: default
    CHECK(f.r.table("Bridge")->changes().at(U(B1)).kind == RowChange::Kind::Inserted);
    f.r.clear_changes();

    // Map diff: a removed (same pair), b changed, c added.  Set diff toggles.
    f.r.apply_update({{"Port", {{P1, {{"insert", {{"name", "p1"}, {"trunks", {"set", {1, 2, 3}}}}}}}}}}, true);
    f.r.apply_update({{"Bridge", {{B1, {{"modify", {{"other_config", idl_test::smap({{"a", "1"}, {"b", "3"}, {"c", "4"}})},
                                                    {"ports", {"uuid", P1}}}}}}}}},
                     true);
    f.r.apply_update({{"Port", {{P1, {{"modify", {{"trunks", {"set", {2, 7}}}, {"tag", 5}}}}}}}}, true);
    b = f.r.row("Bridge", U(B1));
    CHECK(b->smap("other_config") == std::map<std::string, std::string>{{"b", "3"}, {"c", "4"}});
    CHECK(b->refs("ports") == std::vector<Uuid>{U(P1)});
    const Row* p = f.r.row("Port", U(P1));
    CHECK(p->integers("trunks") == std::vector<int64_t>{1, 3, 7});
    CHECK(p->integer("tag") == 5);
    auto& ch = f.r.table("Bridge")->changes().at(U(B1));
    CHECK(ch.kind == RowChange::Kind::Modified);
    CHECK(ch.columns == std::set<std::string>{"other_config", "ports"});
    CHECK(f.r.table("Port")->changes().at(U(P1)).kind == RowChange::Kind::Inserted);   // still new to the owner

    f.r.clear_changes();
    f.r.apply_update({{"Port", {{P1, {{"delete", nullptr}}}}}}, true);
    CHECK(f.r.row("Port", U(P1)) == nullptr);
    CHECK(f.r.table("Port")->changes().at(U(P1)).kind == RowChange::Kind::Deleted);
}

TEST_CASE("a row inserted and deleted between two looks is not reported") {
    Fixture f;
    f.initial2(json::object());
    f.r.apply_update({{"Port", {{P1, {{"insert", {{"name", "p"}}}}}}}}, true);
    f.r.apply_update({{"Port", {{P1, {{"delete", nullptr}}}}}}, true);
    CHECK(f.r.table("Port")->changes().empty());
    CHECK_FALSE(f.r.has_changes());
}

TEST_CASE("update (v1) notifications: new rows, modifications, deletions") {
    Fixture f;
    f.r.apply_initial({{"Bridge", {{B1, {{"new", {{"name", "br0"}, {"ports", {"set", json::array()}},
                                                   {"fail_mode", {"set", json::array()}},
                                                   {"other_config", {"map", json::array()}}}}}}}}},
                      false);
    f.r.clear_changes();
    f.r.apply_update({{"Bridge", {{B1, {{"old", {{"fail_mode", {"set", json::array()}}}},
                                         {"new", {{"name", "br0"}, {"fail_mode", "secure"}}}}}}}},
                     false);
    CHECK(f.r.row("Bridge", U(B1))->string("fail_mode") == "secure");
    CHECK(f.r.table("Bridge")->changes().at(U(B1)).columns == std::set<std::string>{"fail_mode"});
    f.r.apply_update({{"Bridge", {{B1, {{"old", {{"name", "br0"}}}}}}}}, false);
    CHECK(f.r.table("Bridge")->empty());
}

TEST_CASE("a resynchronisation reports only what really changed") {
    Fixture f;
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}}}}}, {B2, {{"initial", {{"name", "br1"}}}}}}}});
    f.r.clear_changes();
    // After a reconnect: br0 unchanged, br1 gone, a port appeared, br0 got a fail_mode.
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}, {"fail_mode", "standalone"}}}}}}},
                {"Port", {{P1, {{"initial", {{"name", "p1"}}}}}}}});
    auto& bc = f.r.table("Bridge")->changes();
    REQUIRE(bc.size() == 2);
    CHECK(bc.at(U(B1)).kind == RowChange::Kind::Modified);
    CHECK(bc.at(U(B1)).columns == std::set<std::string>{"fail_mode"});
    CHECK(bc.at(U(B2)).kind == RowChange::Kind::Deleted);
    CHECK(f.r.table("Port")->changes().at(U(P1)).kind == RowChange::Kind::Inserted);

    f.r.clear_changes();
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}, {"fail_mode", "standalone"}}}}}}},
                {"Port", {{P1, {{"initial", {{"name", "p1"}}}}}}}});
    CHECK_FALSE(f.r.has_changes());
}

TEST_CASE("a column left out of a resynchronisation, or set to its default, reads as the default") {
    Fixture f;
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}, {"fail_mode", "secure"},
                                                {"other_config", idl_test::smap({{"a", "1"}})}}}}}}}});
    f.r.clear_changes();
    // The resync no longer names fail_mode; other_config is given as its default (empty map).
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}, {"other_config", idl_test::smap({})}}}}}}}});
    const Row* b = f.r.row("Bridge", U(B1));
    REQUIRE(b);
    CHECK(b->string("fail_mode").empty());
    CHECK(b->get("other_config").empty());
    CHECK(b->string("name") == "br0");
    CHECK(f.r.table("Bridge")->changes().at(U(B1)).columns == std::set<std::string>{"fail_mode", "other_config"});
    // Setting a column back to a value and then to its default again through diffs.
    f.r.clear_changes();
    f.r.apply_update({{"Bridge", {{B1, {{"modify", {{"fail_mode", "standalone"}}}}}}}}, true);
    CHECK(b->string("fail_mode") == "standalone");
    f.r.apply_update({{"Bridge", {{B1, {{"modify", {{"fail_mode", {"set", json::array()}}}}}}}}}, true);
    CHECK(b->string("fail_mode").empty());
    CHECK(f.r.table("Bridge")->changes().at(U(B1)).columns == std::set<std::string>{"fail_mode"});
}

TEST_CASE("malformed updates are refused and change nothing") {
    Fixture f;
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}}}}}}}});
    f.r.clear_changes();
    auto bad = std::vector<json>{
        json::array(),                                                             // not an object
        {{"Nope", json::object()}},                                                // unknown table
        {{"Bridge", {{"not-a-uuid", {{"delete", nullptr}}}}}},                     // bad uuid
        {{"Bridge", {{B1, {{"frobnicate", 1}}}}}},                                 // no known kind
        {{"Bridge", {{B2, {{"insert", {{"name", 42}}}}}}}},                        // wrong type
        {{"Port", {{P1, {{"insert", {{"tag", 5000}}}}}}}},                         // constraint
        // The first row is fine, the second is not: neither is applied.
        {{"Bridge", {{B1, {{"delete", nullptr}}}, {B2, {{"insert", {{"fail_mode", "bogus"}}}}}}}},
    };
    for (const auto& u : bad) {
        CHECK_THROWS(f.r.apply_update(u, true));
        CHECK(f.r.row("Bridge", U(B1)) != nullptr);
        CHECK(f.r.table("Bridge")->size() == 1);
        CHECK_FALSE(f.r.has_changes());
    }
}

TEST_CASE("row helpers read the usual shapes") {
    Fixture f;
    f.initial2({{"Root", {{B1, {{"initial", {{"next_cfg", 7}, {"bridges", {"uuid", B2}}}}}}}},
                {"Bridge", {{B2, {{"initial", {{"name", "br0"}, {"other_config", idl_test::smap({{"k", "v"}})}}}}}}}});
    const Row* root = f.r.row("Root", U(B1));
    CHECK(root->integer("next_cfg") == 7);
    CHECK(root->integer("cur_cfg") == 0);
    CHECK(root->ref("bridges") == U(B2));
    const Row* br = f.r.row("Bridge", U(B2));
    CHECK(br->smap_get("other_config", "k") == "v");
    CHECK_FALSE(br->smap_get("other_config", "x"));
    CHECK(br->string("fail_mode").empty());
    CHECK_THROWS_AS(br->get("nonexistent"), std::out_of_range);
    CHECK(f.r.table("Bridge")->find_by("name", "br0").size() == 1);
}

TEST_CASE("an optional column's diff is its new value, also when emptied") {
    // As Open vSwitch's servers send it: for columns of at most one element
    // the update2 diff is the new value, not a toggle.
    Fixture f;
    f.initial2({{"Bridge", {{B1, {{"initial", {{"name", "br0"}, {"fail_mode", "secure"}}}}}}}});
    f.r.apply_update({{"Bridge", {{B1, {{"modify", {{"fail_mode", "standalone"}}}}}}}}, true);
    CHECK(f.r.row("Bridge", U(B1))->string("fail_mode") == "standalone");
    f.r.apply_update({{"Bridge", {{B1, {{"modify", {{"fail_mode", {"set", json::array()}}}}}}}}}, true);
    CHECK(f.r.row("Bridge", U(B1))->get("fail_mode").empty());
}
