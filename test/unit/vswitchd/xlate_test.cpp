#include <catch2/catch.hpp>

#include "dpif/odp_text.hpp"
#include "forwarding.hpp"
#include "meta-flow/extract.hpp"
#include "vswitchd/xlate.hpp"

using namespace vswitchd;
using namespace vswitchd_test;

namespace {

mf::Flow flow_of(const Bytes& f, uint32_t in_port) { return mf::extract_flow(f, in_port); }

std::string xl(Net& n, const std::string& in, const Bytes& f, bool learn = true) {
    return dpif::format_actions(xlate(*n.bridge, flow_of(f, n.no(in)), learn, n.now).actions);
}

}  // namespace

TEST_CASE("xlate: unknown destinations flood, learned ones go to their port") {
    Net n;
    n.port("p1");
    n.port("p2");
    n.port("p3");
    n.apply();
    const std::string p1 = std::to_string(n.no("p1")), p2 = std::to_string(n.no("p2")),
                      p3 = std::to_string(n.no("p3"));
    // br0 (0) is a port of the bridge too.
    CHECK(xl(n, "p1", frame(2, 1)) == "0," + p2 + "," + p3);
    CHECK(n.bridge->mac().lookup(Mac{2, 0, 0, 0, 0, 1}, 0, n.now) == n.no("p1"));
    CHECK(xl(n, "p2", frame(1, 2)) == p1);
    CHECK(xl(n, "p1", frame(2, 1)) == p2);
    // Broadcast and multicast always flood.
    CHECK(xl(n, "p1", broadcast(1)) == "0," + p2 + "," + p3);
    // A destination learned on the input port: dropped.
    CHECK(xl(n, "p1", frame(1, 9)) == "drop");
}

TEST_CASE("xlate: the megaflow mask covers exactly what the decision examined") {
    Net n;
    n.port("p1");
    n.port("p2");
    n.apply();
    XlateResult r = xlate(*n.bridge, flow_of(frame(2, 1), n.no("p1")), true, n.now);
    const mf::Flow& wc = r.wc;
    CHECK(wc.in_port.get() == 0xffffffff);
    for (int i = 0; i < 6; ++i) {
        CHECK(wc.eth_src.b[i] == 0xff);
        CHECK(wc.eth_dst.b[i] == 0xff);
    }
    CHECK(wc.vlans[0].tci.get() == 0xffff);
    CHECK(wc.eth_type.get() == 0);   // not examined: one megaflow for IP, ARP and the rest
    CHECK(wc.nw_src.get() == 0);
    CHECK(wc.tp_dst.get() == 0);
    CHECK(wc.recirc_id.get() == 0xffffffff);
    CHECK(r.learned);
    CHECK_FALSE(xlate(*n.bridge, flow_of(frame(2, 1), n.no("p1")), true, n.now).learned);   // a refresh
}

TEST_CASE("xlate: without may_learn nothing is learned") {
    Net n;
    n.port("p1");
    n.port("p2");
    n.apply();
    XlateResult r = xlate(*n.bridge, flow_of(frame(2, 1), n.no("p1")), false, n.now);
    CHECK_FALSE(r.learned);
    CHECK(n.bridge->mac().size() == 0);
}

TEST_CASE("xlate: access ports isolate VLANs; trunks carry them tagged") {
    Net n;
    n.port("a10", 10);
    n.port("b10", 10);
    n.port("a20", 20);
    n.port("t", std::nullopt, {10, 20});
    n.port("t20", std::nullopt, {20});
    n.apply();
    const auto N = [&](const char* p) { return std::to_string(n.no(p)); };
    // From an access port of VLAN 10: the other VLAN 10 access port untagged,
    // the trunk tagged 10; nothing to VLAN 20 ports nor br0 (a trunk of
    // all VLANs: tagged too).
    CHECK(xl(n, "a10", broadcast(1)) == N("b10") + ",push_vlan(vid=10,pcp=0),0," + N("t"));
    // From the trunk, VLAN 20 tagged: to the access port of 20 untagged.
    CHECK(xl(n, "t", broadcast(2, 20)) == "0," + N("t20") + ",pop_vlan," + N("a20"));
    // A VLAN the trunk does not carry, and a tagged frame on an access port: dropped.
    CHECK(xl(n, "t", broadcast(3, 30)) == "drop");
    CHECK(xl(n, "a10", broadcast(4, 10)) == "drop");
    // MACs are learned per VLAN: 02:..:01 is known in VLAN 10 only.
    CHECK(xl(n, "t", frame(1, 5, 10)) == "pop_vlan," + N("a10"));
    CHECK(xl(n, "t", frame(1, 5, 20)) == "0," + N("t20") + ",pop_vlan," + N("a20"));
}

TEST_CASE("xlate: native-untagged and native-tagged ports") {
    Net n;
    n.port("nu", 10, {20}, "native-untagged");
    n.port("nt", 10, {20}, "native-tagged");
    n.port("a10", 10);
    n.apply();
    const auto N = [&](const char* p) { return std::to_string(n.no(p)); };
    // Untagged on native-untagged belongs to VLAN 10; native-tagged sends 10 tagged.
    CHECK(xl(n, "nu", broadcast(1)) == N("a10") + ",push_vlan(vid=10,pcp=0),0," + N("nt"));
    // VLAN 20 from native-tagged: tagged out of native-untagged.
    CHECK(xl(n, "nt", broadcast(2, 20)) == "0," + N("nu"));
    // VLAN 10 tagged into native-untagged: out of it untagged.
    CHECK(xl(n, "nt", broadcast(3, 10)) == "0,pop_vlan," + N("a10") + "," + N("nu"));
}

TEST_CASE("xlate: reserved multicast is dropped unless forward-bpdu") {
    Net n;
    n.port("p1");
    n.port("p2");
    n.apply();
    Bytes stp = frame(0, 1, -1, 0, Bytes{0x01, 0x80, 0xc2, 0, 0, 0});
    CHECK(xl(n, "p1", stp) == "drop");
    n.db.set("Bridge", n.br_uuid, "other_config", smap({{"forward-bpdu", "true"}}));
    CHECK(n.apply());
    CHECK(xl(n, "p1", stp) == "0," + std::to_string(n.no("p2")));
}

TEST_CASE("xlate: a secure bridge forwards nothing (no OpenFlow flows)") {
    Net n;
    n.port("p1");
    n.port("p2");
    n.db.set("Bridge", n.br_uuid, "fail_mode", "secure");
    n.apply();
    XlateResult r = xlate(*n.bridge, flow_of(broadcast(1), n.no("p1")), true, n.now);
    CHECK(r.actions.empty());
    CHECK(r.trace.find("secure") != std::string::npos);
    CHECK(n.bridge->mac().size() == 0);
    // The drop flow holds for the whole input port.
    CHECK(r.wc.eth_src.b[0] == 0);
    CHECK(r.wc.in_port.get() == 0xffffffff);
}

TEST_CASE("xlate: only the first interface of a bond port forwards") {
    Net n;
    Uuid i1 = n.db.insert("Interface", {{"name", "m1"}, {"type", ""}});
    Uuid i2 = n.db.insert("Interface", {{"name", "m2"}, {"type", ""}});
    Uuid p = n.db.insert("Port", {{"name", "bond0"}, {"interfaces", uuid_set({i1, i2})}});
    n.db.attach(n.br_uuid, p);
    n.port("p1");
    n.apply();
    CHECK(xl(n, "m2", broadcast(1)) == "drop");
    CHECK(xl(n, "p1", broadcast(2)) == "0," + std::to_string(n.no("m1")));
}
