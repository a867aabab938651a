#include <catch2/catch.hpp>

#include <thread>
#include <unistd.h>

#include "common/unixctl.hpp"

using namespace common;

TEST_CASE("unixctl server answers commands, argument counts and unknown commands") {
    asio::io_context io;
    std::string path = "/tmp/vswitch-unixctl-test-" + std::to_string(::getpid()) + ".ctl";
    UnixctlServer server(io, path, "test-program (vswitch) 0");
    server.add("greet", "NAME", 1, 1, [](const std::vector<std::string>& a) {
        return UnixctlServer::Reply::success("hello " + a[0] + "\n");
    });
    server.add("fail", "", 0, 0, [](const std::vector<std::string>&) {
        return UnixctlServer::Reply::failure("it failed");
    });
    std::vector<std::pair<bool, std::string>> results;
    std::thread client([&] {
        results.push_back(unixctl_call(path, "greet", {"world"}));
        results.push_back(unixctl_call(path, "greet", {}));
        results.push_back(unixctl_call(path, "fail", {}));
        results.push_back(unixctl_call(path, "nope", {}));
        results.push_back(unixctl_call(path, "version", {}));
        results.push_back(unixctl_call(path, "list-commands", {}));
    });
    auto guard = asio::make_work_guard(io);
    std::thread stopper([&] {
        client.join();
        io.stop();
    });
    io.run();
    stopper.join();
    REQUIRE(results.size() == 6);
    CHECK(results[0] == std::make_pair(true, std::string("hello world\n")));
    CHECK(results[1] == std::make_pair(false, std::string("\"greet\" command requires at least 1 arguments")));
    CHECK(results[2] == std::make_pair(false, std::string("it failed")));
    CHECK_FALSE(results[3].first);
    CHECK(results[3].second.find("is not a valid command") != std::string::npos);
    CHECK(results[4].second == "test-program (vswitch) 0\n");
    CHECK(results[5].second.find("  greet                   NAME\n") != std::string::npos);
}
