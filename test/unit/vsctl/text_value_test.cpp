#include <catch2/catch.hpp>

#include "utilities/vsctl/text_value.hpp"

using namespace vsctl;
using ovsdb::AtomicType;

namespace {
Type type(const char* j) { return Type::from_json(nlohmann::json::parse(j)); }
}  // namespace

TEST_CASE("strings print bare only when they read back the same") {
    CHECK(atom_to_string(Atom(std::string("br0"))) == "br0");
    CHECK(atom_to_string(Atom(std::string("a-b.c_d"))) == "a-b.c_d");
    CHECK(atom_to_string(Atom(std::string("1"))) == "\"1\"");
    CHECK(atom_to_string(Atom(std::string(""))) == "\"\"");
    CHECK(atom_to_string(Atom(std::string("true"))) == "\"true\"");
    CHECK(atom_to_string(Atom(std::string("ptcp:6640"))) == "\"ptcp:6640\"");
    CHECK(atom_to_string(Atom(std::string("hello world"))) == "\"hello world\"");
    CHECK(atom_to_string(Atom(std::string("5bc80bdc-6c5a-4a9b-8ed6-1c5d6bd4c6a1"))) ==
          "\"5bc80bdc-6c5a-4a9b-8ed6-1c5d6bd4c6a1\"");
    CHECK(atom_to_string(Atom(2.5)) == "2.5");
}

TEST_CASE("datums print with brackets for sets, braces for maps, bare for one optional value") {
    Type opt = type(R"({"key": "string", "min": 0, "max": 1})");
    CHECK(datum_to_string(Datum(), opt) == "[]");
    CHECK(datum_to_string(Datum::scalar(Atom(std::string("secure"))), opt) == "secure");
    Type set = type(R"({"key": "integer", "min": 0, "max": "unlimited"})");
    CHECK(datum_to_string(datum_from_string(set, "3,1 2", nullptr), set) == "[1, 2, 3]");
    Type map = type(R"({"key": "string", "value": "string", "min": 0, "max": "unlimited"})");
    Datum m = datum_from_string(map, "{b=2, a=\"x y\"}", nullptr);
    CHECK(datum_to_string(m, map) == "{a=\"x y\", b=\"2\"}");
    CHECK(datum_to_bare(m, map) == "a=x y b=2");
    CHECK(datum_to_string(datum_from_string(map, "{}", nullptr), map) == "{}");
}

TEST_CASE("parsing follows Open vSwitch's rules and messages") {
    Type set = type(R"({"key": {"type": "integer", "minInteger": 0, "maxInteger": 4095}, "min": 0, "max": 4096})");
    CHECK(datum_from_string(set, "[1-3,7]", nullptr).size() == 4);
    CHECK_THROWS_WITH(datum_from_string(set, "", nullptr), "use \"[]\" to specify the empty set");
    CHECK_THROWS_WITH(datum_from_string(set, "x", nullptr), "\"x\" is not a valid integer or range");
    CHECK_THROWS_WITH(datum_from_string(set, "9999", nullptr),
                      "constraint violation: 9999 is not in the valid range 0 to 4095 (inclusive)");
    CHECK_THROWS_WITH(datum_from_string(set, "[1,1]", nullptr), "[1,1]: set contains duplicate value");
    CHECK_THROWS_WITH(datum_from_string(set, "[1", nullptr), "[1: missing \"]\" at end of data");
    Type b = type(R"({"key": "boolean"})");
    CHECK(datum_from_string(b, "yes", nullptr).keys()[0].boolean());
    CHECK_THROWS_WITH(datum_from_string(b, "maybe", nullptr),
                      "\"maybe\" is not a valid boolean (use \"true\" or \"false\")");
    Type s = type(R"({"key": "string"})");
    CHECK_THROWS(datum_from_string(s, "\"open", nullptr));
    CHECK(datum_from_string(s, "\"a\\\"b\"", nullptr).keys()[0].string() == "a\"b");
    Type map = type(R"({"key": "string", "value": "string", "min": 0, "max": "unlimited"})");
    CHECK_THROWS_WITH(datum_from_string(map, "{a}", nullptr), "a}: syntax error at \"}\" expecting \"=\"");
}

TEST_CASE("tokens end at delimiters unless quoted or escaped") {
    const char* p = "other_config:key=value";
    CHECK(parse_token(&p) == "other_config");
    CHECK(*p == ':');
    const char* q = "\"a:b\"=c";
    CHECK(parse_token(&q) == "\"a:b\"");
    const char* r = "a\\:b=c";
    CHECK(parse_token(&r) == "a:b");
    const char* bad = "x\\";
    CHECK_THROWS(parse_token(&bad));
}

TEST_CASE("@names resolve through the symbol resolver") {
    Type ref = type(R"({"key": {"type": "uuid", "refTable": "Bridge"}, "min": 0, "max": "unlimited"})");
    Uuid u = Uuid::random();
    int calls = 0;
    SymbolResolver res = [&](const std::string& name, const ovsdb::BaseType&) {
        ++calls;
        CHECK(name == "@br");
        return u;
    };
    Datum d = datum_from_string(ref, "[@br]", &res);
    CHECK(calls == 1);
    CHECK(d.keys()[0].uuid() == u);
}
