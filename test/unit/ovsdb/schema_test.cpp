#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ovsdb/schema.hpp"

using namespace ovsdb;

TEST_CASE("the shipped Open_vSwitch schema parses, with roots and indexes") {
    std::ifstream f(VSWITCH_SCHEMA);
    std::stringstream ss;
    ss << f.rdbuf();
    DatabaseSchema s = DatabaseSchema::from_json(json::parse(ss.str()));
    CHECK(s.name == "Open_vSwitch");
    CHECK(s.version == "8.3.1");
    CHECK(s.tables.size() == 19);
    CHECK(s.table("Open_vSwitch")->is_root);
    CHECK_FALSE(s.table("Bridge")->is_root);
    CHECK(s.table("Open_vSwitch")->max_rows == 1);
    REQUIRE(s.table("Bridge")->indexes.size() == 1);
    CHECK(s.table("Bridge")->columns[s.table("Bridge")->indexes[0][0]].name == "name");
    CHECK(s.table("Interface")->column("ofport")->type.is_optional_scalar());
}

TEST_CASE("invalid schemas are refused with a syntax error") {
    auto bad = [](const char* j) {
        try {
            DatabaseSchema::from_json(json::parse(j));
        } catch (const Error& e) {
            return e.kind() == "syntax error";
        }
        return false;
    };
    CHECK(bad(R"({"name":"X","tables":{"T":{"columns":{"c":{"type":{"key":{"type":"uuid","refTable":"Nope"}}}}}}})"));
    CHECK(bad(R"({"name":"X","tables":{"T":{"columns":{"_c":{"type":"integer"}}}}})"));
    CHECK(bad(R"({"name":"X","version":"1.2","tables":{}})"));
    CHECK(bad(R"({"name":"X","tables":{"T":{"columns":{"c":{"type":"integer"}},"indexes":[["d"]]}}})"));
    CHECK(bad(R"({"tables":{}})"));
    // When no table says isRoot, all are roots (RFC 7047).
    auto s = DatabaseSchema::from_json(json::parse(R"({"name":"X","tables":{"A":{"columns":{}},"B":{"columns":{}}}})"));
    CHECK(s.table("A")->is_root);
    CHECK(s.table("B")->is_root);
    CHECK(compare_versions("8.3.1", "8.10.0") < 0);
}
