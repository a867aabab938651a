#include <catch2/catch.hpp>

#include "ovsdb/datum.hpp"

using namespace ovsdb;

namespace {
Type type(const char* j) { return Type::from_json(json::parse(j)); }
}

TEST_CASE("UUIDs parse, print and compare") {
    auto u = Uuid::parse("0123abcd-4567-89ef-0123-456789abcdef");
    REQUIRE(u);
    CHECK(u->to_string() == "0123abcd-4567-89ef-0123-456789abcdef");
    CHECK_FALSE(Uuid::parse("0123abcd-4567-89ef-0123-456789abcdeg"));
    CHECK_FALSE(Uuid::parse("0123abcd4567-89ef-0123-456789abcdef0"));
    Uuid a = Uuid::random(), b = Uuid::random();
    CHECK_FALSE(a == b);
    CHECK(Uuid::parse(a.to_string()) == a);
}

TEST_CASE("types round-trip through JSON in their compact form") {
    for (const char* j : {R"("integer")", R"({"key":"string","min":0,"max":"unlimited"})",
                          R"({"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":4096})",
                          R"({"key":"string","value":"string","min":0,"max":"unlimited"})",
                          R"({"key":{"type":"uuid","refTable":"Port","refType":"weak"},"min":0})",
                          R"({"key":{"type":"string","enum":["set",["secure","standalone"]]},"min":0})"}) {
        CHECK(type(j).to_json() == json::parse(j));
    }
    CHECK_THROWS_AS(type(R"("float")"), Error);
    CHECK_THROWS_AS(type(R"({"key":"integer","min":2})"), Error);
    CHECK_THROWS_AS(type(R"({"key":{"type":"string","minInteger":1}})"), Error);
}

TEST_CASE("datums: wire forms, sorting, and the one-element shortcut") {
    Type set = type(R"({"key":"integer","min":0,"max":"unlimited"})");
    Datum d = Datum::from_json(json::parse(R"(["set",[3,1,2]])"), set, nullptr);
    CHECK(d.to_json(set) == json::parse(R"(["set",[1,2,3]])"));
    CHECK(Datum::from_json(json::parse("7"), set, nullptr).to_json(set) == json(7));
    CHECK_THROWS_WITH(Datum::from_json(json::parse(R"(["set",[1,1]])"), set, nullptr), Catch::Contains("duplicate"));

    Type map = type(R"({"key":"string","value":"integer","min":0,"max":"unlimited"})");
    Datum m = Datum::from_json(json::parse(R"(["map",[["b",2],["a",1]]])"), map, nullptr);
    CHECK(m.to_json(map) == json::parse(R"(["map",[["a",1],["b",2]]])"));
    CHECK(Datum::default_for(map).to_json(map) == json::parse(R"(["map",[]])"));
    CHECK_THROWS_AS(Datum::from_json(json::parse(R"(["set",["a"]])"), map, nullptr), Error);
}

TEST_CASE("constraints: ranges, enums, lengths and sizes are enforced with the RFC's error kinds") {
    Type vlan = type(R"({"key":{"type":"integer","minInteger":0,"maxInteger":4095},"min":0,"max":1})");
    CHECK_NOTHROW(Datum::from_json(json(4095), vlan, nullptr));
    try {
        Datum::from_json(json(4096), vlan, nullptr);
        FAIL("accepted 4096");
    } catch (const Error& e) {
        CHECK(e.kind() == "constraint violation");
    }
    Type mode = type(R"({"key":{"type":"string","enum":["set",["secure","standalone"]]}})");
    CHECK_THROWS_WITH(Datum::from_json(json("bogus"), mode, nullptr), Catch::Contains("not one of the allowed values"));
    Type name = type(R"({"key":{"type":"string","minLength":1,"maxLength":3}})");
    CHECK_THROWS_AS(Datum::from_json(json(""), name, nullptr), Error);
    CHECK_NOTHROW(Datum::from_json(json("\xc3\xa9\xc3\xa9\xc3\xa9"), name, nullptr));   // 3 code points
    Type two = type(R"({"key":"integer","min":1,"max":2})");
    try {
        Datum::from_json(json::parse(R"(["set",[1,2,3]])"), two, nullptr);
        FAIL("accepted 3 elements");
    } catch (const Error& e) {
        CHECK(e.kind() == "syntax error");
    }
}

TEST_CASE("named-uuid resolves only where names are allowed") {
    Type ref = type(R"({"key":{"type":"uuid","refTable":"T"}})");
    NamedUuids names{{"row1", Uuid::random()}};
    Datum d = Datum::from_json(json::parse(R"(["named-uuid","row1"])"), ref, &names);
    CHECK(d.keys()[0].uuid() == names["row1"]);
    CHECK_THROWS_AS(Datum::from_json(json::parse(R"(["named-uuid","row1"])"), ref, nullptr), Error);
    CHECK_THROWS_AS(Datum::from_json(json::parse(R"(["named-uuid","nope"])"), ref, &names), Error);
}
