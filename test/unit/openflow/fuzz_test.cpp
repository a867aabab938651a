// Fuzzing the OpenFlow decoders: valid messages (1.0, Nicira and 1.3
// flow_mods, flow statistics requests) mutated at random -- bytes flipped,
// lengths rewritten, cut short, grown -- must either decode or throw
// ofp::OfError (which the connection turns into an OpenFlow error); any
// other exception, a crash or a sanitizer report fails.  What decodes must
// also encode, and encode back to the same rule (a property of the 1.3
// action and instruction codecs).  Deterministic: fixed seeds.
#include <catch2/catch.hpp>

#include <random>

#include "meta-flow/match_string.hpp"
#include "meta-flow/nxm.hpp"
#include "openflow/actions.hpp"
#include "openflow/flow_mod.hpp"
#include "openflow/match10.hpp"

using namespace ofp;

namespace {

Bytes instructions() {
    Writer w;
    // apply_actions: push_vlan, set_field vlan_vid, set_field eth_dst, output:1
    Writer a;
    a.u16(17), a.u16(8), a.u16(0x8100), a.u16(0);
    a.u16(25), a.u16(16), a.u32(0x80000c02), a.u16(0x1007), a.zeros(6);
    a.u16(25), a.u16(16), a.u32(0x80000606), a.bytes("\x02\x00\x00\x00\x00\x44", 6), a.zeros(2);
    a.u16(0), a.u16(16), a.u32(1), a.u16(0), a.zeros(6);
    w.u16(4), w.u16(static_cast<uint16_t>(8 + a.size())), w.zeros(4), w.bytes(a.raw());
    w.u16(5), w.u16(8), w.zeros(4);   // clear_actions
    w.u16(3), w.u16(32), w.zeros(4);  // write_actions(pop_vlan, output:2)
    w.u16(18), w.u16(8), w.zeros(4);
    w.u16(0), w.u16(16), w.u32(2), w.u16(0), w.zeros(6);
    return std::move(w.raw());
}

Bytes flow_mod13() {
    Writer w(kOf13, OFPT_FLOW_MOD, 1);
    w.u64(1), w.u64(0), w.u8(0), w.u8(OFPFC_ADD), w.u16(0), w.u16(0), w.u16(10);
    w.u32(0xffffffff), w.u32(0xffffffff), w.u32(0xffffffff), w.u16(0), w.u16(0);
    w.bytes(mf::oxm_match_encode(mf::parse_match("dl_vlan=5,tcp,nw_src=10.0.0.0/8,tp_dst=80"), mf::kOfp13));
    w.bytes(instructions());
    return w.finish();
}

Bytes flow_mod10() {
    Writer w(kOf10, OFPT_FLOW_MOD, 1);
    match10_encode(mf::parse_match("in_port=1,dl_vlan=3,ip,nw_dst=10.1.0.0/16"), w);
    w.u64(5), w.u16(OFPFC_ADD), w.u16(0), w.u16(0), w.u16(10), w.u32(0xffffffff), w.u16(0xffff), w.u16(0);
    w.u16(1), w.u16(8), w.u16(7), w.u16(0);                                           // set_vlan_vid
    w.u16(4), w.u16(16), w.bytes("\x02\x00\x00\x00\x00\x33", 6), w.zeros(6);          // set_dl_src
    w.u16(0), w.u16(8), w.u16(2), w.u16(0);                                           // output:2
    return w.finish();
}

Bytes nx_flow_mod() {
    Writer w(kOf10, OFPT_VENDOR, 1);
    w.u32(kNxVendor), w.u32(NXT_FLOW_MOD);
    const Bytes m = mf::nxm_encode(mf::parse_match("udp,tp_src=53,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"));
    w.u64(0), w.u16(OFPFC_ADD), w.u16(0), w.u16(0), w.u16(10), w.u32(0xffffffff), w.u16(0xffff), w.u16(0);
    w.u16(static_cast<uint16_t>(m.size())), w.zeros(6), w.bytes(m), w.pad_to(8);
    w.u16(3), w.u16(8), w.zeros(4);                                                   // strip_vlan
    w.u16(0), w.u16(8), w.u16(0xfffb), w.u16(0);                                      // FLOOD
    return w.finish();
}

Bytes flow_stats13() {
    Writer w;
    w.u8(0xff), w.zeros(3), w.u32(0xffffffff), w.u32(0xffffffff), w.zeros(4), w.u64(0), w.u64(0);
    w.bytes(mf::oxm_match_encode(mf::parse_match("arp,arp_tpa=10.0.0.1"), mf::kOfp13));
    return std::move(w.raw());
}

// One random change; the length fields of the message (if it has a header)
// are sometimes kept consistent so that the damage reaches deeper.
Bytes mutate(Bytes b, std::mt19937& rng, bool has_header) {
    auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
    const int kinds = 6;
    const int n_changes = 1 + static_cast<int>(pick(3));
    for (int i = 0; i < n_changes && !b.empty(); ++i) {
        switch (pick(kinds)) {
        case 0: b[pick(b.size())] ^= static_cast<uint8_t>(1u << pick(8)); break;
        case 1: b[pick(b.size())] = static_cast<uint8_t>(pick(256)); break;
        case 2: b.resize(pick(b.size())); break;
        case 3: b.insert(b.begin() + static_cast<long>(pick(b.size() + 1)), pick(16), static_cast<uint8_t>(pick(256))); break;
        case 4: {   // a 16-bit big-endian field set to a "length-like" value
            const size_t at = pick(b.size()) & ~size_t{1};
            if (at + 1 < b.size()) {
                const uint16_t v = static_cast<uint16_t>(std::array<int, 8>{0, 4, 7, 8, 12, 16, 0xff, 0xffff}[pick(8)]);
                b[at] = static_cast<uint8_t>(v >> 8);
                b[at + 1] = static_cast<uint8_t>(v);
            }
            break;
        }
        case 5: {   // a 4-byte-aligned OXM/action header copied elsewhere
            const size_t from = pick(b.size()) & ~size_t{3}, to = pick(b.size()) & ~size_t{3};
            for (size_t k = 0; k < 4 && from + k < b.size() && to + k < b.size(); ++k) b[to + k] = b[from + k];
            break;
        }
        }
    }
    if (has_header && b.size() >= 4 && pick(2)) {
        b[2] = static_cast<uint8_t>(b.size() >> 8);
        b[3] = static_cast<uint8_t>(b.size());
    }
    return b;
}

// Runs `decode` over `n` mutations of `seed`; counts outcomes.
template <typename F>
std::pair<int, int> fuzz(const Bytes& seed, bool has_header, int n, uint32_t rng_seed, F decode) {
    std::mt19937 rng(rng_seed);
    int ok = 0, refused = 0;
    for (int i = 0; i < n; ++i) {
        Bytes m = mutate(seed, rng, has_header);
        if (has_header && m.size() < kHeaderLen) continue;   // the framer never hands these on
        try {
            decode(ByteView(m));
            ++ok;
        } catch (const OfError&) {
            ++refused;
        } catch (const std::exception& e) {
            FAIL("not an OfError: " << e.what());
        }
    }
    return {ok, refused};
}

// A rule decoded from 1.3 encodes in 1.3 to the same rule, and in 1.0 to
// actions that decode.
void round_trip13(const FlowMod& fm) {
    Writer w;
    instructions13_encode(fm.actions, fm.match, w);
    REQUIRE(instructions13_decode(w.raw()) == fm.actions);
    Writer w10;
    actions10_encode(fm.actions, w10);
    (void)actions10_decode(w10.raw());
    Bytes m = mf::oxm_match_encode(fm.match, mf::kOfp13);
    REQUIRE(mf::oxm_match_decode(m, true) == fm.match);
}

// A rule decoded from 1.0 encodes in 1.0 to the same actions, and in 1.3 to
// instructions that decode.
void round_trip10(const FlowMod& fm) {
    Writer w10;
    actions10_encode(fm.actions, w10);
    REQUIRE(actions10_decode(w10.raw()) == fm.actions);
    Writer w;
    instructions13_encode(fm.actions, fm.match, w);
    (void)instructions13_decode(w.raw());
}

}  // namespace

TEST_CASE("fuzz: the seeds themselves decode") {
    FlowMod fm = decode_flow_mod13(flow_mod13());
    CHECK(fm.actions.size() == 6);
    round_trip13(fm);
    CHECK(decode_flow_mod10(flow_mod10(), false).actions.size() == 3);
    CHECK(decode_nx_flow_mod(nx_flow_mod(), false).actions.size() == 2);
    CHECK_NOTHROW(decode_flow_stats_request13(flow_stats13()));
}

TEST_CASE("fuzz: OpenFlow 1.3 flow_mod") {
    auto [ok, refused] = fuzz(flow_mod13(), true, 30000, 1, [](ByteView m) { round_trip13(decode_flow_mod13(m)); });
    // Both outcomes happen: the mutations are neither all harmless nor all fatal.
    CHECK(ok > 100);
    CHECK(refused > 1000);
}

TEST_CASE("fuzz: OpenFlow 1.0 and Nicira flow_mods") {
    auto [ok10, refused10] = fuzz(flow_mod10(), true, 20000, 2, [](ByteView m) {
        FlowMod fm = decode_flow_mod10(m, true);
        round_trip10(fm);
    });
    CHECK(ok10 > 100);
    CHECK(refused10 > 1000);
    auto [oknx, refusednx] = fuzz(nx_flow_mod(), true, 20000, 3, [](ByteView m) {
        FlowMod fm = decode_nx_flow_mod(m, false);
        round_trip10(fm);
    });
    CHECK(oknx > 100);
    CHECK(refusednx > 1000);
}

TEST_CASE("fuzz: flow statistics requests and bare action lists") {
    auto [ok, refused] = fuzz(flow_stats13(), false, 20000, 4, [](ByteView b) { decode_flow_stats_request13(b); });
    CHECK(ok > 100);
    CHECK(refused > 1000);
    const Bytes inst = instructions();
    auto [oki, refusedi] = fuzz(inst, false, 20000, 5, [](ByteView b) {
        Actions a = instructions13_decode(b);
        Writer w;
        instructions13_encode(a, mf::parse_match("dl_vlan=1"), w);
        REQUIRE(instructions13_decode(w.raw()) == a);
    });
    CHECK(oki > 100);
    CHECK(refusedi > 1000);
}
