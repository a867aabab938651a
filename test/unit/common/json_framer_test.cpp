#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "common/json_framer.hpp"

using common::JsonFramer;

namespace {
std::vector<std::string> drain(JsonFramer& f) {
    std::vector<std::string> out;
    while (auto t = f.next()) out.push_back(*t);
    return out;
}
}  // namespace

TEST_CASE("framer splits back-to-back values and keeps split reads together") {
    JsonFramer f;
    std::string stream = R"({"a":1}{"b":[1,{"c":"}"}]}  {"d":"\"{"})";
    // Feed one byte at a time: every value must come out whole, once.
    std::vector<std::string> got;
    for (char c : stream) {
        f.feed(std::string(1, c));
        for (auto& v : drain(f)) got.push_back(v);
    }
    REQUIRE(got == std::vector<std::string>{R"({"a":1})", R"({"b":[1,{"c":"}"}]})",
                                            R"({"d":"\"{"})"});
    REQUIRE(f.error().empty());
    REQUIRE(f.pending() == 0);
}

TEST_CASE("framer handles several messages in one read, and whitespace between") {
    JsonFramer f;
    f.feed("\n {\"x\":\"\\\\\"}\r\n\t[1,2]  ");
    auto got = drain(f);
    REQUIRE(got == std::vector<std::string>{"{\"x\":\"\\\\\"}", "[1,2]"});
}

TEST_CASE("framer returns top-level strings and scalars so they can be refused") {
    JsonFramer f;
    f.feed("\"just a string\" 42 ");
    auto got = drain(f);
    REQUIRE(got == std::vector<std::string>{"\"just a string\"", "42"});
}

TEST_CASE("framer reports garbage at the start of a value") {
    JsonFramer f;
    f.feed("}}} not json");
    REQUIRE_FALSE(f.next());
    REQUIRE_FALSE(f.error().empty());
    f.feed("{}");
    REQUIRE_FALSE(f.next());   // no recovery after an error
}

TEST_CASE("framer refuses a value over the limit without buffering it all") {
    JsonFramer f(1024);
    f.feed("{\"method\":\"echo\",\"params\":[\"");
    for (int i = 0; i < 100; ++i) f.feed(std::string(100, 'x'));
    REQUIRE_FALSE(f.next());
    REQUIRE(f.error().find("too long") != std::string::npos);
    REQUIRE(f.pending() == 0);
}

TEST_CASE("framer keeps an unfinished value pending") {
    JsonFramer f;
    f.feed("{\"a\": [1, 2");
    REQUIRE_FALSE(f.next());
    REQUIRE(f.error().empty());
    REQUIRE(f.pending() == 11);
    f.feed("]}");
    REQUIRE(f.next() == std::optional<std::string>("{\"a\": [1, 2]}"));
}
