// The flow table's flow_mod semantics and lookups.
#include <catch2/catch.hpp>

#include "meta-flow/match_string.hpp"
#include "openflow/flow_table.hpp"

using namespace ofp;

namespace {

FlowMod mod(uint8_t cmd, const char* match, uint16_t prio = 0x8000, uint16_t port = 1) {
    FlowMod fm;
    fm.command = cmd;
    fm.match = mf::parse_match(match);
    fm.priority = prio;
    fm.new_cookie = 0;
    fm.modify_cookie = true;
    fm.modify_may_add = true;
    Action a;
    a.port = port;
    fm.actions = {a};
    if (cmd == OFPFC_ADD) fm.table_id = 0;
    return fm;
}

mf::Flow packet(uint16_t in_port, uint16_t eth_type = 0x0800, uint32_t nw_dst = 0) {
    mf::Flow f{};
    f.in_port.set(in_port);
    f.eth_type.set(eth_type);
    f.nw_dst.set(nw_dst);
    return f;
}

}  // namespace

TEST_CASE("flow table: priorities, replace, modify, delete loose and strict") {
    FlowTable t;
    auto now = Clock::now();
    t.apply(mod(OFPFC_ADD, "", 0, 0xfffa), now);
    t.apply(mod(OFPFC_ADD, "ip,nw_dst=10.0.0.1", 100, 2), now);
    t.apply(mod(OFPFC_ADD, "in_port=1", 200, 3), now);
    REQUIRE(t.size() == 3);
    CHECK(t.lookup(packet(1, 0x0800, 0x0a000001))->actions[0].port == 3);
    CHECK(t.lookup(packet(2, 0x0800, 0x0a000001))->actions[0].port == 2);
    CHECK(t.lookup(packet(2, 0x0806))->actions[0].port == 0xfffa);
    CHECK(t.lookups(0) == 3);

    // Same match and priority: replaced.
    t.apply(mod(OFPFC_ADD, "in_port=1", 200, 4), now);
    CHECK(t.size() == 3);
    CHECK(t.lookup(packet(1))->actions[0].port == 4);

    // Loose modify: every flow at least as specific as "ip".
    auto m = mod(OFPFC_MODIFY, "ip", 0, 5);
    CHECK(t.apply(m, now).modified == 1);
    CHECK(t.lookup(packet(2, 0x0800, 0x0a000001))->actions[0].port == 5);
    // Strict modify with the wrong priority selects nothing (and may add).
    auto ms = mod(OFPFC_MODIFY_STRICT, "ip,nw_dst=10.0.0.1", 99, 6);
    ms.modify_may_add = false;
    CHECK(t.apply(ms, now).modified == 0);
    CHECK(t.size() == 3);

    // Strict delete needs the priority; loose delete takes all within.
    CHECK(t.apply(mod(OFPFC_DELETE_STRICT, "in_port=1", 100), now).deleted == 0);
    CHECK(t.apply(mod(OFPFC_DELETE_STRICT, "in_port=1", 200), now).deleted == 1);
    CHECK(t.lookup(packet(1))->actions[0].port == 0xfffa);
    auto del = mod(OFPFC_DELETE, "");
    del.out_port = 5;   // only flows that output to 5
    CHECK(t.apply(del, now).deleted == 1);
    CHECK(t.size() == 1);
    del.out_port = 0xffff;
    CHECK(t.apply(del, now).deleted == 1);
    CHECK(!t.lookup(packet(1)));
}

TEST_CASE("flow table: cookies, overlap check, timeouts, wildcards union") {
    FlowTable t;
    auto now = Clock::now();
    auto a = mod(OFPFC_ADD, "in_port=1", 10);
    a.new_cookie = 0x5;
    a.idle_timeout = 5;
    t.apply(a, now);
    auto b = mod(OFPFC_ADD, "in_port=2", 10);
    b.new_cookie = 0x6;
    b.hard_timeout = 10;
    t.apply(b, now);

    auto ov = mod(OFPFC_ADD, "dl_type=0x0800", 10);
    ov.flags = OFPFF_CHECK_OVERLAP;
    CHECK_THROWS_AS(t.apply(ov, now), OfError);
    ov.priority = 11;
    CHECK_NOTHROW(t.apply(ov, now));

    auto d = mod(OFPFC_DELETE, "");
    d.cookie = 0x5;
    d.cookie_mask = ~0ULL;
    CHECK(t.apply(d, now).deleted == 1);

    // wildcards: in_port and eth_type are looked at.
    const mf::Flow& wc = t.wildcards();
    CHECK(wc.in_port.get() == 0xffff);
    CHECK(wc.eth_type.get() == 0xffff);
    CHECK(wc.nw_dst.get() == 0);

    // Hard timeout counts from the last modification, idle from last use.
    auto c = mod(OFPFC_ADD, "in_port=3", 20);
    c.idle_timeout = 2;
    t.apply(c, now);
    const uint64_t cid = t.lookup(packet(3))->id;
    t.credit(cid, 1, 60, now + std::chrono::seconds(1));
    CHECK(t.expire(now + std::chrono::milliseconds(2500)) == 0);
    CHECK(t.expire(now + std::chrono::seconds(11)) == 2);   // b (hard) and c (idle)
    CHECK(t.size() == 1);

    auto bad = mod(OFPFC_ADD, "", 1);
    bad.table_id = 254;
    CHECK_THROWS_AS(t.apply(bad, now), OfError);
}
