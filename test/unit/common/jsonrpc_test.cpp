#include <catch2/catch.hpp>

#include <sys/socket.h>

#include "common/jsonrpc.hpp"
#include "common/remote.hpp"

using namespace common;
using local = boost::asio::local::stream_protocol;

TEST_CASE("JSON-RPC validation follows Open vSwitch's rules") {
    CHECK(jsonrpc::validate(json::parse(R"({"method":"echo","params":[],"id":1})")).empty());
    CHECK(jsonrpc::validate(json::parse(R"({"method":"update","params":[],"id":null})")).empty());
    CHECK(jsonrpc::validate(json::parse(R"({"result":[],"error":null,"id":1})")).empty());
    CHECK(jsonrpc::validate(json::parse("[1,2]")) == "message is not a JSON object");
    CHECK(jsonrpc::validate(json::parse(R"({"method":"echo","id":1})")) ==
          "request must have \"params\"");
    CHECK(jsonrpc::validate(json::parse(R"({"id":5,"params":[]})")) ==
          "request must have \"method\"");
    CHECK_FALSE(jsonrpc::validate(json::parse(R"({"method":"x","params":{}, "id":1})")).empty());
    CHECK_FALSE(jsonrpc::validate(json::parse(R"({"method":7,"params":[], "id":1})")).empty());
}

namespace {
struct Pair {
    asio::io_context io;
    std::shared_ptr<Connection> a, b;
    std::vector<json> at_a, at_b;
    std::string closed_a, closed_b;
    Pair() {
        local::socket s1(io), s2(io);
        asio::local::connect_pair(s1, s2);
        a = std::make_shared<Connection>(io, make_unix_stream(std::move(s1), "a"));
        b = std::make_shared<Connection>(io, make_unix_stream(std::move(s2), "b"));
        a->start([this](json m) { at_a.push_back(m); }, [this](const std::string& r) { closed_a = r; });
        b->start([this](json m) { at_b.push_back(m); }, [this](const std::string& r) { closed_b = r; });
    }
    void run_for(int ms) {
        io.restart();
        io.run_for(std::chrono::milliseconds(ms));
    }
};
}  // namespace

TEST_CASE("a connection delivers messages in order, both ways") {
    Pair p;
    for (int i = 0; i < 100; ++i) p.a->send(jsonrpc::request("echo", json::array({i}), i));
    p.b->send(jsonrpc::notification("update", json::array({"x"})));
    p.run_for(200);
    REQUIRE(p.at_b.size() == 100);
    for (int i = 0; i < 100; ++i) CHECK(p.at_b[i]["params"][0] == i);
    REQUIRE(p.at_a.size() == 1);
    CHECK(p.at_a[0]["method"] == "update");
}

TEST_CASE("a bad message closes the connection") {
    Pair p;
    p.a->send_raw(R"({"method":"echo","id":1})");
    p.run_for(200);
    CHECK(p.closed_b == "protocol error");
    CHECK(p.at_b.empty());
    CHECK_FALSE(p.closed_a.empty());   // and the peer sees it closed
}

TEST_CASE("an idle peer is probed, and dropped when it does not answer") {
    Pair p;
    p.a->set_probe_interval(std::chrono::milliseconds(100));
    // b never answers echo (nobody replies in this test): a must probe, then close.
    p.run_for(600);
    REQUIRE_FALSE(p.at_b.empty());
    CHECK(p.at_b[0]["method"] == "echo");
    CHECK(p.at_b[0]["id"] == "echo");
    CHECK(p.closed_a == "no response to inactivity probe");
}

TEST_CASE("a peer that answers probes stays connected, and the answers are consumed") {
    Pair p;
    p.a->set_probe_interval(std::chrono::milliseconds(100));
    // b answers every echo.
    auto b = p.b;
    b->start([b, &p](json m) {
                 p.at_b.push_back(m);
                 if (m["method"] == "echo") b->send(jsonrpc::reply(m["params"], m["id"]));
             },
             [](const std::string&) {});
    p.run_for(700);
    CHECK(p.closed_a.empty());
    CHECK(p.at_a.empty());        // echo replies never reach the owner
    CHECK(p.at_b.size() >= 2);
}

TEST_CASE("reconnect backs off while the target is absent") {
    asio::io_context io;
    std::string err;
    auto t = parse_target("unix:/nonexistent/vswitch-test.sock", &err);
    REQUIRE(t);
    int connected = 0;
    Reconnect r(io, *t, [] { return SslConfig{}; },
                [&](std::unique_ptr<Stream>) { ++connected; });
    CHECK(std::string(r.state()) == "VOID");
    r.start();
    io.run_for(std::chrono::milliseconds(1500));
    CHECK(connected == 0);
    CHECK(std::string(r.state()) == "BACKOFF");
    CHECK(r.n_attempts() == 2);      // immediately, then after 1 s
    CHECK_FALSE(r.last_error().empty());
}

TEST_CASE("listener and reconnect meet over a unix socket; bound port for ptcp:0") {
    asio::io_context io;
    std::string path = "/tmp/vswitch-common-test-" + std::to_string(::getpid()) + ".sock";
    std::string err;
    int accepted = 0, connected = 0;
    Listener l(io, *parse_target("punix:" + path, &err), [] { return SslConfig{}; },
               [&](std::unique_ptr<Stream>) { ++accepted; });
    Reconnect r(io, *parse_target("unix:" + path, &err), [] { return SslConfig{}; },
                [&](std::unique_ptr<Stream>) { ++connected; });
    r.start();
    io.run_for(std::chrono::milliseconds(300));
    CHECK(accepted == 1);
    CHECK(connected == 1);
    CHECK(std::string(r.state()) == "ACTIVE");

    Listener tcp(io, *parse_target("ptcp:0:127.0.0.1", &err), [] { return SslConfig{}; },
                 [](std::unique_ptr<Stream>) {});
    CHECK(tcp.bound_port() != 0);
}
