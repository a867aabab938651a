// OpenFlow 1.3: actions and instructions both ways, flow_mod and flow
// statistics requests with OXM matches, and the errors bad ones get.
#include <catch2/catch.hpp>

#include "meta-flow/match_string.hpp"
#include "meta-flow/nxm.hpp"
#include "openflow/actions.hpp"
#include "openflow/flow_mod.hpp"
#include "openflow/flow_table.hpp"

using namespace ofp;
using Kind = Action::Kind;

namespace {

Bytes hex(const std::string& h) {
    Bytes b;
    for (size_t i = 0; i + 1 < h.size(); i += 2) b.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
    return b;
}

std::string hexs(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (uint8_t c : b) {
        s += d[c >> 4];
        s += d[c & 15];
    }
    return s;
}

Err err_of(auto&& f) {
    try {
        f();
    } catch (const OfError& e) {
        return e.err();
    }
    FAIL("no error");
    return Err::BadType;
}

// apply_actions(output:1)
const std::string kOut1 = "0000" "0010" "00000001" "ffe5" "000000000000";

Bytes apply(const std::string& actions) {
    Writer w;
    w.u16(4);
    w.u16(static_cast<uint16_t>(8 + actions.size() / 2));
    w.zeros(4);
    w.bytes(hex(actions));
    return std::move(w.raw());
}

// A whole OFPT_FLOW_MOD (1.3).
Bytes flow_mod13(uint8_t command, uint8_t table, const mf::Match& m, const Bytes& instructions,
                 uint16_t flags = 0, uint64_t cookie = 0, uint64_t cookie_mask = 0) {
    Writer w(kOf13, OFPT_FLOW_MOD, 7);
    w.u64(cookie);
    w.u64(cookie_mask);
    w.u8(table);
    w.u8(command);
    w.u16(10);
    w.u16(20);
    w.u16(300);
    w.u32(0xffffffff);
    w.u32(0xffffffff);
    w.u32(0xffffffff);
    w.u16(flags);
    w.zeros(2);
    w.bytes(mf::oxm_match_encode(m, mf::kOfp13));
    w.bytes(instructions);
    return w.finish();
}

}  // namespace

TEST_CASE("OpenFlow 1.3 actions: decode, encode, round trip") {
    // output:1 max_len 0xffe5, push_vlan 0x8100, set_field vlan_vid 4103,
    // set_field eth_dst, pop_vlan.
    const std::string list = kOut1 + "0011000881000000" + "0019001080000c02" "1007" "000000000000" +
                             "0019001080000606" "020000000044" "0000" + "0012000800000000";
    Actions a = actions13_decode(hex(list));
    REQUIRE(a.size() == 5);
    CHECK(a[0].kind == Kind::Output);
    CHECK(a[0].port == 1);
    CHECK(a[0].max_len == 0xffe5);
    CHECK(a[1].kind == Kind::PushVlan);
    CHECK(a[1].ethertype == 0x8100);
    CHECK(a[2].kind == Kind::SetVlanVid);
    CHECK(a[2].vid == 7);
    CHECK_FALSE(a[2].push_if_needed);
    CHECK(a[3].kind == Kind::SetDlDst);
    CHECK(a[3].mac.b[5] == 0x44);
    CHECK(a[4].kind == Kind::StripVlan);
    Writer w;
    actions13_encode(a, mf::Match{}, w);
    CHECK(hexs(w.raw()) == list);

    // Reserved ports map to 1.0 numbers and back.
    a = actions13_decode(hex("00000010fffffffa0000000000000000"));
    CHECK(a[0].port == 0xfffa);
    Writer w2;
    actions13_encode(a, mf::Match{}, w2);
    CHECK(hexs(w2.raw()) == "00000010fffffffa0000000000000000");
}

TEST_CASE("OpenFlow 1.0 mod_vlan_vid in 1.3: push_vlan unless the match has a tag") {
    Actions a = actions10_decode(hex("0001000800070000" "0002000803000000"));
    REQUIRE(a.size() == 2);
    CHECK(a[0].push_if_needed);
    Writer untagged;
    actions13_encode(a, mf::parse_match("in_port=1"), untagged);
    // push_vlan, set_field vlan_vid=0x1007, set_field vlan_pcp=3 (no second push).
    CHECK(hexs(untagged.raw()) == "0011000881000000" "0019001080000c021007000000000000"
                                  "0019001080000e010300000000000000");
    Writer tagged;
    actions13_encode(a, mf::parse_match("dl_vlan=10"), tagged);
    CHECK(hexs(tagged.raw()).substr(0, 16) == "0019001080000c02");
    // And a 1.3 set_field vlan_vid goes to 1.0 as set_vlan_vid.
    Actions s = actions13_decode(hex("0019001080000c021007000000000000"));
    Writer w10;
    actions10_encode(s, w10);
    CHECK(hexs(w10.raw()) == "0001000800070000");
}

TEST_CASE("OpenFlow 1.3 action errors") {
    CHECK(err_of([] { actions13_decode(hex("0000000c00000001ffff0000")); }) == Err::BadActionLen);
    CHECK(err_of([] { actions13_decode(hex("0000000800000001")); }) == Err::BadActionLen);
    CHECK(err_of([] { actions13_decode(hex("0016000800000001")); }) == Err::BadActionType);   // group
    CHECK(err_of([] { actions13_decode(hex("00000010ffffffff0000000000000000")); }) == Err::BadOutPort);
    CHECK(err_of([] { actions13_decode(hex("0011000808000000")); }) == Err::BadActionArgument);
    CHECK(err_of([] { actions13_decode(hex("ffff000812345678")); }) == Err::BadActionVendor);
    // set_field: unknown field, masked, wrong length, not writable, bad
    // value, VLAN id without OFPVID_PRESENT, a field not supported yet.
    CHECK(err_of([] { actions13_decode(hex("0019001080007e021007000000000000")); }) == Err::BadMatchField);
    CHECK(err_of([] { actions13_decode(hex("0019001080000d041007ffff00000000")); }) == Err::BadSetMask);
    CHECK(err_of([] { actions13_decode(hex("0019001080000c031007000000000000")); }) == Err::BadMatchLen);
    CHECK(err_of([] { actions13_decode(hex("0019001080000a020800000000000000")); }) == Err::BadSetArgument);
    CHECK(err_of([] { actions13_decode(hex("0019001080000e0108000000000000")); }) == Err::BadActionLen);
    CHECK(err_of([] { actions13_decode(hex("0019001080000e010800000000000000")); }) == Err::BadSetArgument);
    CHECK(err_of([] { actions13_decode(hex("0019001080000c020007000000000000")); }) == Err::BadSetArgument);
    CHECK(err_of([] { actions13_decode(hex("0019001080000c021007000000000100")); }) == Err::BadSetArgument);
}

TEST_CASE("OpenFlow 1.3 instructions") {
    // apply + clear + write, encoded back in Open vSwitch's order.
    Bytes clear = hex("0005000800000000");
    Bytes write = hex("0003001800000000" + kOut1);
    Bytes in = apply(kOut1);
    in.insert(in.end(), write.begin(), write.end());
    in.insert(in.end(), clear.begin(), clear.end());
    Actions a = instructions13_decode(in);
    REQUIRE(a.size() == 3);
    CHECK(a[1].kind == Kind::ClearActions);
    CHECK(a[2].kind == Kind::WriteActions);
    CHECK(a[2].nested.size() == 1);
    Writer w;
    instructions13_encode(a, mf::Match{}, w);
    Bytes want = apply(kOut1);
    want.insert(want.end(), clear.begin(), clear.end());
    want.insert(want.end(), write.begin(), write.end());
    CHECK(hexs(w.raw()) == hexs(want));
    // 1.0 has no instructions: only the apply-actions part.
    Writer w10;
    actions10_encode(a, w10);
    CHECK(hexs(w10.raw()) == "000000080001ffe5");
    // Empty: drop.
    CHECK(instructions13_decode({}).empty());

    CHECK(err_of([] { instructions13_decode(hex("000100080100000000")); }) == Err::BadInstLen);
    CHECK(err_of([] { instructions13_decode(hex("0001000801000000")); }) == Err::UnsupInst);   // goto_table
    CHECK(err_of([] { instructions13_decode(hex("0006000800000001")); }) == Err::UnsupInst);   // meter
    CHECK(err_of([] { instructions13_decode(hex("0009000800000000")); }) == Err::UnknownInst);
    CHECK(err_of([] { instructions13_decode(hex("ffff000800002320")); }) == Err::BadInstExperimenter);
    CHECK(err_of([] { instructions13_decode(hex("0005001000000000")); }) == Err::BadInstLen);
    CHECK(err_of([] { instructions13_decode(hex("00050008000000000005000800000000")); }) == Err::DupInst);
    CHECK(err_of([] { instructions13_decode(hex("0004000c00000000000000000000")); }) == Err::BadInstLen);
    CHECK(err_of([] { instructions13_decode(apply("0000000c00000001ffff000000000000")); }) == Err::BadActionLen);
}

TEST_CASE("OpenFlow 1.3 flow_mod") {
    const mf::Match m = mf::parse_match("ip,nw_dst=10.0.0.1");
    FlowMod fm = decode_flow_mod13(flow_mod13(OFPFC_ADD, 3, m, apply(kOut1), OFPFF_SEND_FLOW_REM, 0x55));
    CHECK(fm.match == m);
    CHECK(fm.table_id == 3);
    CHECK(fm.priority == 300);
    CHECK(fm.idle_timeout == 10);
    CHECK(fm.hard_timeout == 20);
    CHECK(fm.new_cookie == 0x55);
    CHECK(fm.cookie_mask == 0);
    CHECK(fm.flags == OFPFF_SEND_FLOW_REM);
    CHECK(fm.out_port == 0xffff);
    CHECK_FALSE(fm.modify_may_add);
    REQUIRE(fm.actions.size() == 1);

    FlowMod mod = decode_flow_mod13(flow_mod13(OFPFC_MODIFY, 0, m, {}, 0, 0x50, 0xf0));
    CHECK(mod.cookie == 0x50);
    CHECK(mod.cookie_mask == 0xf0);
    CHECK_FALSE(mod.modify_cookie);
    CHECK_FALSE(mod.modify_may_add);
    CHECK(mod.actions.empty());

    CHECK(err_of([&] { decode_flow_mod13(flow_mod13(OFPFC_ADD, 0xff, m, {})); }) == Err::FlowBadTableId);
    CHECK_NOTHROW(decode_flow_mod13(flow_mod13(OFPFC_DELETE, 0xff, m, {})));
    CHECK(err_of([&] { decode_flow_mod13(flow_mod13(9, 0, m, {})); }) == Err::BadFlowCommand);
    CHECK(err_of([&] { decode_flow_mod13(flow_mod13(OFPFC_ADD, 0, m, {}, 0x40)); }) == Err::BadFlowFlags);
    // set_field vlan_vid on a match without a tag.
    CHECK(err_of([&] {
        decode_flow_mod13(flow_mod13(OFPFC_ADD, 0, m, apply("0019001080000c021007000000000000")));
    }) == Err::MatchInconsistent);
    CHECK_NOTHROW(decode_flow_mod13(
        flow_mod13(OFPFC_ADD, 0, mf::parse_match("dl_vlan=5"), apply("0019001080000c021007000000000000"))));
    // A match that is not OXM; a truncated one; a prerequisite missing.
    Bytes bad = flow_mod13(OFPFC_ADD, 0, m, {});
    bad[49] = 2;   // ofp_match type 1 -> 2
    CHECK(err_of([&] { decode_flow_mod13(bad); }) == Err::BadMatchType);
    Bytes trunc = flow_mod13(OFPFC_ADD, 0, m, {});
    trunc.resize(56);
    trunc[2] = 0;
    trunc[3] = 56;
    CHECK(err_of([&] { decode_flow_mod13(trunc); }) == Err::BadMatchLen);
    Writer nopre;
    nopre.u16(1);
    nopre.u16(12);
    nopre.bytes(hex("80001804" "0a000001" "00000000"));   // ipv4_dst without eth_type
    Bytes np = flow_mod13(OFPFC_ADD, 0, mf::Match{}, {});
    np.resize(48);
    np.insert(np.end(), nopre.raw().begin(), nopre.raw().end());
    np[2] = static_cast<uint8_t>(np.size() >> 8);
    np[3] = static_cast<uint8_t>(np.size());
    CHECK(err_of([&] { decode_flow_mod13(np); }) == Err::BadMatchPrereq);
}

TEST_CASE("OpenFlow 1.3 flow stats request") {
    Writer w;
    w.u8(0xff);
    w.zeros(3);
    w.u32(0xfffffffe);   // out_port LOCAL
    w.u32(0xffffffff);
    w.zeros(4);
    w.u64(0x10);
    w.u64(0xff);
    w.bytes(mf::oxm_match_encode(mf::parse_match("arp"), mf::kOfp13));
    FlowStatsRequest q = decode_flow_stats_request13(w.raw());
    CHECK(q.table_id == 0xff);
    CHECK(q.out_port == 0xfffe);
    CHECK(q.cookie == 0x10);
    CHECK(q.cookie_mask == 0xff);
    CHECK(q.match == mf::parse_match("arp"));
    CHECK(err_of([] { decode_flow_stats_request13(hex("ff000000")); }) == Err::BadLen);
}

TEST_CASE("flow table: reset_counts decides whether an add keeps counters") {
    FlowTable t;
    const auto now = Clock::now();
    FlowMod fm;
    fm.command = OFPFC_ADD;
    fm.table_id = 0;
    fm.match = mf::parse_match("in_port=1");
    fm.new_cookie = 0;
    t.apply(fm, now);
    t.credit(t.rules().begin()->first, 3, 300, now);
    t.apply(fm, now);   // 1.3 add without reset_counts: counters carried over
    CHECK(t.rules().begin()->second.packets == 3);
    fm.flags = OFPFF_RESET_COUNTS;
    t.apply(fm, now);
    CHECK(t.rules().begin()->second.packets == 0);
    CHECK(t.rules().begin()->second.flags == OFPFF_RESET_COUNTS);
    t.credit(t.rules().begin()->first, 2, 200, now);
    fm.command = OFPFC_MODIFY;
    fm.flags = 0;
    t.apply(fm, now);
    CHECK(t.rules().begin()->second.packets == 2);
    fm.flags = OFPFF_RESET_COUNTS;
    t.apply(fm, now);
    CHECK(t.rules().begin()->second.packets == 0);
}

TEST_CASE("IPv4 and TCP/UDP rewrites: 1.0 actions, 1.3 set_fields, both ways") {
    // mod_nw_src:10.1.1.1, mod_nw_dst, mod_nw_tos:16, mod_tp_src:1000, mod_tp_dst:2000
    const std::string l10 = "000600080a010101" "000700080a020202" "0008000810000000" "0009000803e80000"
                            "000a000807d00000";
    Actions a = actions10_decode(hex(l10));
    REQUIRE(a.size() == 5);
    CHECK(a[0].kind == Kind::SetNwSrc);
    CHECK(a[0].nw == 0x0a010101);
    CHECK(a[2].tos == 16);
    CHECK(a[3].tp == 1000);
    Writer w10;
    actions10_encode(a, w10);
    CHECK(hexs(w10.raw()) == l10);
    // In 1.3: set_field ipv4_src/dst, ip_dscp (16 >> 2), and the L4 field
    // of the rule's protocol.
    Writer w13;
    actions13_encode(a, mf::parse_match("udp"), w13);
    CHECK(hexs(w13.raw()) == "00190010800016040a01010100000000" "00190010800018040a02020200000000"
                             "00190010800010010400000000000000" "0019001080001e0203e8000000000000"
                             "001900108000200207d0000000000000");
    // ECN bits in mod_nw_tos are refused.
    CHECK(err_of([] { actions10_decode(hex("0008000811000000")); }) == Err::BadActionArgument);
    // 1.3 set_field tcp_dst goes to 1.0 as set_tp_dst; its prerequisite is TCP.
    Actions t = actions13_decode(hex("0019001080001c020050000000000000"));
    REQUIRE(t.size() == 1);
    CHECK(t[0].kind == Kind::SetTpDst);
    CHECK(t[0].field == mf::FieldId::tcp_dst);
    Writer t10;
    actions10_encode(t, t10);
    CHECK(hexs(t10.raw()) == "000a000800500000");
    CHECK_NOTHROW(actions_check(t, mf::parse_match("tcp")));
    CHECK(err_of([&] { actions_check(t, mf::parse_match("udp")); }) == Err::MatchInconsistent);
    // 1.0's set_tp_dst is not checked against the match (Open vSwitch lets
    // OpenFlow 1.0 connections add it anywhere).
    CHECK_NOTHROW(actions_check(actions10_decode(hex("000a000800500000")), mf::parse_match("arp")));
}

TEST_CASE("dec_ttl: Nicira's NXAST_DEC_TTL in 1.0, OFPAT_DEC_NW_TTL in 1.3") {
    const std::string nx = "ffff001000002320" "0012000000000000";
    Actions a = actions10_decode(hex(nx));
    REQUIRE(a.size() == 1);
    CHECK(a[0].kind == Kind::DecTtl);
    Writer w10, w13;
    actions10_encode(a, w10);
    CHECK(hexs(w10.raw()) == nx);
    actions13_encode(a, mf::Match{}, w13);
    CHECK(hexs(w13.raw()) == "0018000800000000");
    CHECK(actions13_decode(w13.raw()) == a);
    // Other Nicira actions, short ones, and other vendors are refused.
    CHECK(err_of([] { actions10_decode(hex("ffff001000002320" "0001000000000000")); }) == Err::BadActionType);
    CHECK(err_of([] { actions10_decode(hex("ffff000800002320")); }) == Err::BadActionLen);
    CHECK(err_of([] { actions10_decode(hex("ffff001000001234" "0012000000000000")); }) == Err::BadActionVendor);
}
