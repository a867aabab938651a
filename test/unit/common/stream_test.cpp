#include <catch2/catch.hpp>

#include "common/stream.hpp"

using common::parse_target;
using common::Target;

TEST_CASE("target names: active and passive, with defaults") {
    std::string err;
    auto t = parse_target("tcp:127.0.0.1:6641", &err);
    REQUIRE(t);
    CHECK(t->kind == Target::Kind::Tcp);
    CHECK(t->host == "127.0.0.1");
    CHECK(t->port == 6641);
    CHECK_FALSE(t->passive());

    t = parse_target("ssl:10.0.0.1", &err);
    REQUIRE(t);
    CHECK(t->port == 6640);
    CHECK(t->ssl());

    t = parse_target("ptcp:6640:127.0.0.1", &err);
    REQUIRE(t);
    CHECK(t->kind == Target::Kind::PTcp);
    CHECK(t->port == 6640);
    CHECK(t->host == "127.0.0.1");

    t = parse_target("ptcp:0", &err);
    REQUIRE(t);
    CHECK(t->port == 0);
    CHECK(t->host.empty());

    t = parse_target("punix:/tmp/x.sock", &err);
    REQUIRE(t);
    CHECK(t->path == "/tmp/x.sock");
    CHECK(t->unix_socket());
}

TEST_CASE("target names: IPv6 in brackets") {
    std::string err;
    auto t = parse_target("tcp:[::1]:6653", &err);
    REQUIRE(t);
    CHECK(t->host == "::1");
    CHECK(t->port == 6653);
    t = parse_target("pssl:6640:[::1]", &err);
    REQUIRE(t);
    CHECK(t->host == "::1");
}

TEST_CASE("target names: errors name the problem") {
    std::string err;
    CHECK_FALSE(parse_target("tcp:", &err));
    CHECK_FALSE(parse_target("tcp:not-an-ip:1", &err));
    CHECK(err.find("not an IP address") != std::string::npos);
    CHECK_FALSE(parse_target("tcp:1.2.3.4:99999", &err));
    CHECK(err.find("bad port") != std::string::npos);
    CHECK_FALSE(parse_target("frob:1", &err));
    CHECK(err.find("unknown stream type") != std::string::npos);
    CHECK_FALSE(parse_target("no-colon", &err));
}
