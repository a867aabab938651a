#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <thread>

#include "dpif/dpctl.hpp"
#include "dpif/dummy_dpif.hpp"
#include "dpif/flow_key.hpp"
#include "dpif/nl_attr.hpp"
#include "dpif/odp_text.hpp"
#include "packets.hpp"

using namespace dpif;

namespace {

struct Run {
    int rc;
    std::string out, err;
};

Run run(Dpif& d, std::vector<std::string> args)
{
    std::ostringstream out, err;
    int rc = run_dpctl(d, args, out, err);
    return {rc, out.str(), err.str()};
}

}  // namespace

TEST_CASE("dpctl: datapaths and interfaces")
{
    DummyDpif d;
    CHECK(run(d, {"add-dp", "system@br0", "eth0", "int0,type=internal", "eth9,port_no=9"}).rc == 0);
    auto show = run(d, {"show"});
    CHECK(show.rc == 0);
    CHECK(show.out.find("system@br0:") != std::string::npos);
    CHECK(show.out.find("  port 0: br0 (internal)\n") != std::string::npos);
    CHECK(show.out.find("  port 1: eth0\n") != std::string::npos);
    CHECK(show.out.find("  port 2: int0 (internal)\n") != std::string::npos);
    CHECK(show.out.find("  port 9: eth9\n") != std::string::npos);
    CHECK(show.out.find("features: 0x00000003") != std::string::npos);
    // add-dp again adopts it.
    CHECK(run(d, {"add-dp", "br0"}).rc == 0);
    CHECK(run(d, {"dump-dps"}).out == "system@br0\n");

    CHECK(run(d, {"del-if", "br0", "eth0"}).rc == 0);
    CHECK(run(d, {"show", "br0"}).out.find("eth0") == std::string::npos);
    auto missing = run(d, {"del-if", "br0", "eth0"});
    CHECK(missing.rc == 1);
    CHECK(missing.err.find("no port named eth0") != std::string::npos);
    auto nodp = run(d, {"show", "nope"});
    CHECK(nodp.rc == 1);
    CHECK(nodp.err.find("datapath nope") != std::string::npos);
    CHECK(run(d, {"add-if", "br0", "x,color=red"}).rc == 2);
    CHECK(run(d, {"add-if", "br0", "x,type=warp"}).rc == 1);
    CHECK(run(d, {"frobnicate"}).rc == 2);
    CHECK(run(d, {}).rc == 2);
    CHECK(run(d, {"del-dp", "br0"}).rc == 0);
    CHECK(run(d, {"dump-dps"}).out.empty());
}

TEST_CASE("dpctl: devices")
{
    DummyDpif d;
    REQUIRE(run(d, {"add-dp", "br0", "p1"}).rc == 0);
    CHECK(run(d, {"netdev-set", "br0", "up", "mtu=9000", "mac=02:00:00:00:00:aa"}).rc == 0);
    auto s = run(d, {"netdev-show", "br0", "p1"});
    CHECK(s.rc == 0);
    CHECK(s.out.find("br0: ifindex=") == 0);
    CHECK(s.out.find("mac=02:00:00:00:00:aa mtu=9000 admin=up link=up speed=none") != std::string::npos);
    CHECK(s.out.find("p1: ifindex=") != std::string::npos);
    CHECK(s.out.find("speed=10000Mb/s") != std::string::npos);
    CHECK(run(d, {"netdev-show", "ghost"}).rc == 1);
    CHECK(run(d, {"netdev-set", "br0", "mtu=1"}).rc == 1);
    CHECK(run(d, {"netdev-set", "br0", "mac=zz"}).rc == 1);
    CHECK(run(d, {"netdev-set", "br0", "sideways"}).rc == 2);
}

TEST_CASE("dpctl: flows")
{
    DummyDpif d;
    REQUIRE(run(d, {"add-dp", "br0", "p1", "p2"}).rc == 0);
    const std::string ufid = "000102030405060708090a0b0c0d0e0f";
    auto add = run(d, {"add-flow", "br0", "in_port(1),eth(dst=02:00:00:00:00:02)", "2", "--ufid=" + ufid});
    CHECK(add.rc == 0);
    CHECK(add.err.empty());
    auto dup = run(d, {"add-flow", "br0", "in_port(1),eth(dst=02:00:00:00:00:02)", "2"});
    CHECK(dup.rc == 1);
    CHECK(dup.err.find("File exists") != std::string::npos);

    auto dp = *d.get_datapath("br0");
    d.receive(dp.ifindex, 1, dpif_test::udp_packet(2, 1));
    auto dump = run(d, {"dump-flows", "br0"});
    CHECK(dump.out.find("ufid:" + ufid + ", in_port(1),eth(dst=02:00:00:00:00:02), packets:1, bytes:") !=
          std::string::npos);
    CHECK(dump.out.find("actions:2\n") != std::string::npos);

    CHECK(run(d, {"mod-flow", "br0", "in_port(1),eth(dst=02:00:00:00:00:02)", "drop", "--clear"}).rc == 0);
    auto got = run(d, {"get-flow", "br0", "--ufid=" + ufid});
    CHECK(got.out.find("packets:0") != std::string::npos);
    CHECK(got.out.find("actions:drop") != std::string::npos);
    CHECK(run(d, {"del-flow", "br0", "--ufid=" + ufid}).rc == 0);
    CHECK(run(d, {"get-flow", "br0", "--ufid=" + ufid}).rc == 1);
    CHECK(run(d, {"add-flow", "br0", "in_port(1)", "2"}).rc == 0);
    CHECK(run(d, {"del-flow", "br0", "in_port(1)"}).rc == 0);
    CHECK(run(d, {"add-flow", "br0", "in_port(1)", "2"}).rc == 0);
    CHECK(run(d, {"del-flows", "br0"}).rc == 0);
    CHECK(run(d, {"dump-flows", "br0"}).out.empty());
    auto badkey = run(d, {"add-flow", "br0", "in_port(1),eth(dst=zz)", "2"});
    CHECK(badkey.rc == 1);
    CHECK(badkey.err.find("parsing 'zz'") != std::string::npos);
    CHECK(run(d, {"add-flow", "br0", "in_port(1)", "2", "--ufid=00"}).rc == 1);
    CHECK(run(d, {"add-flow", "br0", "in_port(1)", "2", "--colour=1"}).rc == 2);
}

TEST_CASE("dpctl: offline compose and extract-key")
{
    DummyDpif d;
    auto c = run(d, {"compose", "eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
                                "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17),udp(src=1000,dst=2000)"});
    CHECK(c.rc == 0);
    const std::string hex = c.out.substr(0, c.out.size() - 1);
    CHECK(hex.substr(0, 28) == "0200000000020200000000010800");
    auto k = run(d, {"extract-key", "4", hex});
    CHECK(k.rc == 0);
    CHECK(k.out.find("in_port(4),") != std::string::npos);
    CHECK(k.out.find("udp(src=1000,dst=2000)") != std::string::npos);
    CHECK(run(d, {"extract-key", "4", "zz"}).rc == 1);
    CHECK(run(d, {"compose", "in_port(1)"}).rc == 1);
}

TEST_CASE("dpctl: add-flows installs a file of flows in one batch")
{
    DummyDpif d;
    REQUIRE(run(d, {"add-dp", "br0", "p1", "p2"}).rc == 0);
    char path[] = "/tmp/dpctl-flows-XXXXXX";
    int fd = mkstemp(path);
    REQUIRE(fd >= 0);
    std::string text = "# comment\n"
                       "in_port(1),eth(dst=02:00:00:00:00:02) 2\n"
                       "\n"
                       "in_port(2),eth(dst=02:00:00:00:00:01) 1\n"
                       "in_port(1),eth(dst=02:00:00:00:00:02) drop\n";
    REQUIRE(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    close(fd);
    auto r = run(d, {"add-flows", "br0", path});
    CHECK(r.rc == 1);
    CHECK(r.out.find(std::string(path) + ":5: installing flow: File exists") != std::string::npos);
    CHECK(r.out.find("2 flows installed, 1 failed") != std::string::npos);
    CHECK(d.dump_flows(d.get_datapath("br0")->ifindex).size() == 2);
    CHECK(run(d, {"add-flows", "br0", "/nonexistent/file"}).rc == 1);
    unlink(path);
}

TEST_CASE("dpctl: execute and listen")
{
    DummyDpif d;
    REQUIRE(run(d, {"add-dp", "br0", "p1", "p2"}).rc == 0);
    auto dp = *d.get_datapath("br0");
    auto pkt = dpif_test::udp_packet(2, 1);
    CHECK(run(d, {"execute", "br0", "1", to_hex(pkt), "2"}).rc == 0);
    auto tx = d.take_transmitted(dp.ifindex, 2);
    REQUIRE(tx.size() == 1);
    CHECK(tx[0] == pkt);
    auto st = run(d, {"show", "br0", "--statistics"});
    CHECK(st.out.find("  port 2: p2\n    RX packets:0 errors:0 dropped:0\n    TX packets:1 errors:0 dropped:0\n"
                      "    RX bytes:0  TX bytes:" + std::to_string(pkt.size())) != std::string::npos);

    // flow: composes the frame from a key.
    CHECK(run(d, {"execute", "br0", "1",
                  "flow:eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),"
                  "ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17),udp(src=1000,dst=2000)",
                  "2"}).rc == 0);
    tx = d.take_transmitted(dp.ifindex, 2);
    REQUIRE(tx.size() == 1);
    CHECK(format_key(extract_flow_key(tx[0], 1)).find("udp(src=1000,dst=2000)") != std::string::npos);
    CHECK(run(d, {"execute", "br0", "1", "flow:in_port(1)", "2"}).rc == 1);

    // listen redirects upcalls to itself, prints them, then restores pids.
    Run r;
    std::thread t([&] { r = run(d, {"listen", "br0", "--count=1", "--timeout=5"}); });
    // Wait until the listener took over the port's upcall pid.
    for (int i = 0; i < 500; ++i) {
        auto v = d.get_vport(dp.ifindex, 1u);
        if (v->upcall_pids != std::vector<uint32_t>{0})
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(d.receive(dp.ifindex, 1, pkt) == DummyDpif::Verdict::Upcall);
    t.join();
    CHECK(r.rc == 0);
    CHECK(r.out.find("listening pid=") == 0);
    CHECK(r.out.find("miss skb_priority(0),in_port(1),") != std::string::npos);
    CHECK(r.out.find("packet=" + to_hex(pkt)) != std::string::npos);
    CHECK(d.get_vport(dp.ifindex, 1u)->upcall_pids == std::vector<uint32_t>{0});

    // --repeat batches executions; --quiet listening only counts.
    auto rep = run(d, {"execute", "br0", "1", to_hex(pkt), "2", "--repeat=50"});
    CHECK(rep.rc == 0);
    CHECK(rep.out.find("50 executed, 0 failed, in ") == 0);
    CHECK(d.take_transmitted(dp.ifindex, 2).size() == 50);
    Run q;
    std::thread tq([&] { q = run(d, {"listen", "br0", "--count=20", "--timeout=5", "--quiet"}); });
    for (int i = 0; i < 500; ++i) {
        if (d.get_vport(dp.ifindex, 1u)->upcall_pids != std::vector<uint32_t>{0})
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (int i = 0; i < 20; ++i)
        d.receive(dp.ifindex, 1, pkt);
    tq.join();
    CHECK(q.rc == 0);
    CHECK(q.out.find("20 upcalls in ") != std::string::npos);
    CHECK(q.out.find("miss ") == std::string::npos);

    // Per-CPU dispatch: the vport pids stay 0, the datapath's per-CPU pids
    // take the misses, and dispatch returns to vport pids afterwards.
    Run pc;
    std::thread tp([&] { pc = run(d, {"listen", "br0", "--count=1", "--timeout=5", "--per-cpu"}); });
    for (int i = 0; i < 500; ++i) {
        if (d.get_datapath("br0")->user_features & kFeaturePerCpuDispatch)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK(d.get_vport(dp.ifindex, 1u)->upcall_pids == std::vector<uint32_t>{0});
    CHECK(d.receive(dp.ifindex, 1, pkt) == DummyDpif::Verdict::Upcall);
    tp.join();
    CHECK(pc.rc == 0);
    CHECK(pc.out.find("miss ") != std::string::npos);
    CHECK((d.get_datapath("br0")->user_features & kFeaturePerCpuDispatch) == 0);
    CHECK(d.receive(dp.ifindex, 1, pkt) == DummyDpif::Verdict::Lost);

    // Timeout without upcalls: exit status 1.
    CHECK(run(d, {"listen", "br0", "--count=1", "--timeout=0.1"}).rc == 1);
}
