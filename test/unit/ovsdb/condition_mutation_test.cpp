#include <catch2/catch.hpp>

#include "ovsdb/condition.hpp"
#include "ovsdb/mutation.hpp"

using namespace ovsdb;

namespace {
const DatabaseSchema& schema() {
    static DatabaseSchema s = DatabaseSchema::from_json(json::parse(R"({
      "name": "X", "tables": {"T": {"columns": {
        "n": {"type": "integer"},
        "r": {"type": "real"},
        "s": {"type": "string"},
        "tags": {"type": {"key": "string", "min": 0, "max": "unlimited"}},
        "nums": {"type": {"key": {"type": "integer", "maxInteger": 100}, "min": 0, "max": "unlimited"}},
        "m": {"type": {"key": "string", "value": "string", "min": 0, "max": "unlimited"}},
        "fixed": {"type": "integer", "mutable": false}}}}})"));
    return s;
}
const TableSchema& T() { return *schema().table("T"); }
Row row() {
    Row r = Row::with_defaults(T(), Uuid::random());
    r.cols[T().index_of("n")] = Datum::scalar(Atom(int64_t{5}));
    r.cols[T().index_of("s")] = Datum::scalar(Atom(std::string("br0")));
    r.cols[T().index_of("tags")] = Datum::from_json(json::parse(R"(["set",["a","b"]])"), T().column("tags")->type, nullptr);
    r.cols[T().index_of("m")] = Datum::from_json(json::parse(R"(["map",[["k","v"]]])"), T().column("m")->type, nullptr);
    return r;
}
bool match(const char* where, const Row& r) {
    return Condition::from_json(json::parse(where), T(), nullptr).matches(r);
}
}  // namespace

TEST_CASE("every condition function") {
    Row r = row();
    CHECK(match(R"([["n","==",5]])", r));
    CHECK_FALSE(match(R"([["n","!=",5]])", r));
    CHECK(match(R"([["n","<",6],["n","<=",5],["n",">",4],["n",">=",5]])", r));
    CHECK_FALSE(match(R"([["n",">",5]])", r));
    CHECK(match(R"([["tags","includes","a"]])", r));
    CHECK(match(R"([["tags","includes",["set",["a","b"]]]])", r));
    CHECK_FALSE(match(R"([["tags","includes",["set",["a","c"]]]])", r));
    CHECK(match(R"([["tags","excludes","c"]])", r));
    CHECK_FALSE(match(R"([["tags","excludes",["set",["c","a"]]]])", r));
    CHECK(match(R"([["m","includes",["map",[["k","v"]]]]])", r));
    CHECK_FALSE(match(R"([["m","includes",["map",[["k","w"]]]]])", r));
    CHECK(match((R"([["_uuid","==",["uuid",")" + r.uuid.to_string() + R"("]]])").c_str(), r));
    CHECK(match("[true]", r));
    CHECK_FALSE(match("[false]", r));
    CHECK(match("[]", r));
}

TEST_CASE("condition errors name the problem") {
    auto kind = [](const char* where) {
        try {
            Condition::from_json(json::parse(where), T(), nullptr);
        } catch (const Error& e) {
            return e.kind();
        }
        return std::string("none");
    };
    CHECK(kind(R"([["nope","==",1]])") == "unknown column");
    CHECK(kind(R"([["n","~",1]])") == "syntax error");
    CHECK(kind(R"([["s","<","x"]])") == "syntax error");
    CHECK(kind(R"([["n","==","five"]])") == "syntax error");
    CHECK(kind(R"({"n":1})") == "syntax error");
}

TEST_CASE("mutations: arithmetic, sets, maps, and their errors") {
    Row r = row();
    auto apply = [&](const char* ms) {
        Mutations::from_json(json::parse(ms), T(), nullptr).apply(r, T());
    };
    apply(R"([["n","+=",10],["n","*=",2],["n","-=",1],["n","/=",2],["n","%=",4]])");
    CHECK(r.cols[T().index_of("n")].keys()[0].integer() == ((5 + 10) * 2 - 1) / 2 % 4);
    apply(R"([["tags","insert",["set",["c","a"]]],["tags","delete","b"]])");
    CHECK(r.cols[T().index_of("tags")].to_json(T().column("tags")->type) == json::parse(R"(["set",["a","c"]])"));
    apply(R"([["m","insert",["map",[["k","ignored"],["x","y"]]]]])");
    CHECK(r.cols[T().index_of("m")].to_json(T().column("m")->type) == json::parse(R"(["map",[["k","v"],["x","y"]]])"));
    apply(R"([["m","delete",["set",["k"]]],["m","delete",["map",[["x","not-y"]]]]])");
    CHECK(r.cols[T().index_of("m")].to_json(T().column("m")->type) == json::parse(R"(["map",[["x","y"]]])"));

    auto kind = [&](const char* ms) {
        Row copy = row();
        try {
            Mutations::from_json(json::parse(ms), T(), nullptr).apply(copy, T());
        } catch (const Error& e) {
            return e.kind();
        }
        return std::string("none");
    };
    CHECK(kind(R"([["n","/=",0]])") == "domain error");
    CHECK(kind(R"([["n","+=",9223372036854775807]])") == "range error");
    CHECK(kind(R"([["nums","insert",["set",[101]]]])") == "constraint violation");
    CHECK(kind(R"([["fixed","+=",1]])") == "constraint violation");
    CHECK(kind(R"([["s","+=",1]])") == "syntax error");
    CHECK(kind(R"([["r","%=",1]])") == "syntax error");
    CHECK(kind(R"([["n","insert",1]])") == "syntax error");
}
