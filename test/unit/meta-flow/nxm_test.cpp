// NXM/OXM encoding and decoding: round trips on random matches for every
// OpenFlow version, every error the decoder reports, and the text form.
#include <catch2/catch.hpp>

#include "dpif/nl_attr.hpp"
#include "meta-flow/match_string.hpp"
#include "meta-flow/nxm.hpp"
#include "test_util.hpp"

using namespace mf;
using mft::Rng;

namespace {

Match random_match(Rng& rng, bool oxm)
{
    Match m;
    const auto& fields = all_fields();
    const FieldDesc& anchor = fields[rng() % fields.size()];
    m.add_prereqs(anchor.id);
    const int n = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < n; ++i) {
        const FieldDesc& f = i == 0 ? anchor : fields[rng() % fields.size()];
        if (!m.prereqs_ok(f.id) || !field_header(f.id, oxm ? kOfp13 : 0))
            continue;
        if (f.id == FieldId::eth_type || f.id == FieldId::ip_proto || f.id == FieldId::packet_type ||
            f.id == FieldId::icmpv6_type || f.id == FieldId::icmpv6_code)
            continue;
        if (f.id == FieldId::skb_priority || f.id == FieldId::tun_ttl || f.id == FieldId::tun_tos)
            continue;  // not expressible in NXM/OXM
        if (oxm && f.id == FieldId::vlan_tci)
            continue;  // OXM has only VID and PCP
        Value v = mft::random_value(f, rng);
        Value mk = f.maskable == Maskable::none ? Value::all_ones(f.n_bytes) : mft::random_mask(f, rng);
        if (f.id == FieldId::ip_frag) {
            const uint8_t ok[][2] = {{0, 3}, {1, 3}, {3, 3}, {0, 1}, {1, 1}, {0, 2}, {2, 2}};
            const auto& p = ok[rng() % 7];
            v = Value::from_uint(p[0], 1);
            mk = Value::from_uint(p[1], 1);
        }
        if (oxm && f.id == FieldId::vlan_vid) {
            // A tag present, so that a PCP match stays meaningful.
            mk = Value::from_uint(mk.to_uint(2) | kVlanCfi, 2);
            v = Value::from_uint(v.to_uint(2) | kVlanCfi, 2);
        }
        m.set_masked(f.id, v, mk);
    }
    m.drop_unmet_prereqs();
    return m;
}

// What a decode gives back for `m`: the same, except that Open vSwitch
// pins packet_type to Ethernet when the encoding names it.
Match expected(const Match& m, const Match& back)
{
    Match want = m;
    if (back.is_exact(FieldId::packet_type) && m.is_wild(FieldId::packet_type))
        want.set_uint(FieldId::packet_type, kPacketTypeEthernet);
    return want;
}

}  // namespace

TEST_CASE("nxm: decode(encode(m)) == m, NXM and OXM versions", "[nxm]")
{
    Rng rng(0x5eed0401);
    for (uint8_t version : {uint8_t{0}, kOfp12, kOfp13, kOfp15}) {
        DYNAMIC_SECTION("version " << int(version))
        {
            for (int i = 0; i < 4000; ++i) {
                const Match m = random_match(rng, version != 0);
                const dpif::Bytes b = nxm_encode(m, version);
                INFO("match " << format_match(m) << "\nnxm " << nxm_to_string(b));
                const Match back = nxm_decode(b, true);
                REQUIRE(back == expected(m, back));
                // The text form round-trips the bytes.
                REQUIRE(nxm_from_string(nxm_to_string(b)) == b);
                // OXM wrapper.
                if (version) {
                    const dpif::Bytes om = oxm_match_encode(m, version);
                    REQUIRE(om.size() % 8 == 0);
                    size_t used = 0;
                    REQUIRE(oxm_match_decode(om, true, &used) == back);
                    REQUIRE(used == om.size());
                }
            }
        }
    }
}

TEST_CASE("nxm: Open vSwitch's encodings", "[nxm]")
{
    auto nxm = [](const char* s, uint8_t v = 0) { return nxm_to_string(nxm_encode(parse_match(s), v)); };
    CHECK(nxm("in_port=1,ip") == "NXM_OF_IN_PORT(0001), NXM_OF_ETH_TYPE(0800)");
    CHECK(nxm("tcp,tp_dst=80/0xfff0") ==
          "NXM_OF_ETH_TYPE(0800), NXM_OF_IP_PROTO(06), NXM_OF_TCP_DST_W(0050/fff0)");
    CHECK(nxm("") == "<any>");
    CHECK(nxm("reg0=5") == "NXM_NX_REG0(00000005)");
    CHECK(nxm("eth,reg0=5") == "OXM_OF_PACKET_TYPE(00000000), NXM_NX_REG0(00000005)");
    CHECK(nxm("dl_vlan=5") == "NXM_OF_VLAN_TCI_W(1005/1fff)");
    CHECK(nxm("dl_vlan=5", kOfp13) == "OXM_OF_VLAN_VID(1005)");
    CHECK(nxm("dl_vlan=5,dl_vlan_pcp=3", kOfp13) == "OXM_OF_VLAN_VID(1005), OXM_OF_VLAN_PCP(03)");
    CHECK(nxm("tcp,tcp_flags=+syn", kOfp13) ==
          "OXM_OF_ETH_TYPE(0800), OXM_OF_IP_PROTO(06), ONFOXM_ET_TCP_FLAGS_W(0002/0002)");
    CHECK(nxm("tcp,tcp_flags=+syn", kOfp15) ==
          "OXM_OF_ETH_TYPE(0800), OXM_OF_IP_PROTO(06), OXM_OF_TCP_FLAGS_W(0002/0002)");
    CHECK(nxm("in_port=LOCAL", kOfp13) == "OXM_OF_IN_PORT(fffffffe)");
    CHECK(nxm("ip,ip_dscp=4", kOfp13) == "OXM_OF_ETH_TYPE(0800), OXM_OF_IP_DSCP(04)");
    CHECK(nxm("ip,ip_dscp=4") == "NXM_OF_ETH_TYPE(0800), NXM_OF_IP_TOS(10)");
    CHECK(nxm("xreg1=7", kOfp15) == "OXM_OF_PKT_REG1(0000000000000007)");
    CHECK(nxm("tp_dst=80") == "OXM_OF_PACKET_TYPE(00000000)");  // no TCP: dropped
    const dpif::Bytes b = nxm_encode(parse_match("ip"), 0, NxmCookie{0x1234, ~0ull});
    CHECK(nxm_to_string(b) == "NXM_OF_ETH_TYPE(0800), NXM_NX_COOKIE(0000000000001234)");
    NxmCookie c;
    nxm_decode(b, true, &c);
    CHECK(c.cookie == 0x1234);
    CHECK(c.mask == ~0ull);
}

TEST_CASE("nxm: every decode error", "[nxm]")
{
    auto code = [](const char* text, bool strict = true) -> std::string {
        try {
            nxm_decode(nxm_from_string(text), strict);
        } catch (const NxmError& e) {
            return nxm_err_name(e.code());
        }
        return "ok";
    };
    CHECK(code("NXM_OF_ETH_TYPE(0800), NXM_OF_ETH_TYPE(0800)") == "OFPBMC_DUP_FIELD");
    CHECK(code("NXM_OF_TCP_DST(0050)") == "OFPBMC_BAD_PREREQ");
    CHECK(code("NXM_OF_TCP_DST(0050)", false) == "ok");
    CHECK(code("NXM_OF_ETH_DST_W(010000000000/000000000000)") == "OFPBMC_BAD_WILDCARDS");
    CHECK(code("NXM_OF_ETH_TYPE(0800), NXM_OF_IP_TOS(03)") == "OFPBMC_BAD_VALUE");
    CHECK(code("OXM_OF_IN_PORT(12345678)") == "OFPBMC_BAD_VALUE");
    CHECK(code("00000104(0000/00ff)") == "OFPBMC_BAD_MASK");  // NXM_OF_IN_PORT_W
    CHECK(code("00000104(0000/0000)") == "ok");               // an all-zero mask is wild
    CHECK(code("0000fe04(00000001)") == "OFPBMC_BAD_FIELD");
    CHECK(code("0000fe04(00000001)", false) == "ok");
    CHECK(code("00000006(000100000000)") == "OFPBMC_BAD_FIELD");  // in_port, wrong length
    const uint8_t partial[] = {0x00, 0x00, 0x02};
    CHECK_THROWS_AS(nxm_decode(dpif::ByteView(partial, 3), true), NxmError);
    const uint8_t short_payload[] = {0x00, 0x00, 0x02, 0x06, 1, 2, 3};
    try {
        nxm_decode(dpif::ByteView(short_payload, sizeof short_payload), true);
        FAIL("accepted");
    } catch (const NxmError& e) {
        CHECK(e.code() == NxmErr::bad_len);
    }
    CHECK(nxm_to_string(dpif::ByteView(short_payload, sizeof short_payload)) == "<7 invalid bytes>");
    CHECK_THROWS_WITH(nxm_from_string("NXM_OF_IN_PORT(01)"), "expected to read 2 bytes but got 1");
    CHECK_THROWS_WITH(nxm_from_string("NOPE(01)"), "NOPE(01): unknown field `NOPE'");
    CHECK_THROWS_WITH(nxm_from_string("NXM_OF_IN_PORT"), "NXM_OF_IN_PORT: missing ( at end of nx_match");

    // Random bytes: an NxmError or a match, nothing else.
    Rng rng(0x5eed0402);
    for (int i = 0; i < 20000; ++i) {
        dpif::Bytes b = nxm_encode(random_match(rng, false), 0);
        if (b.empty())
            continue;
        for (int j = 0; j < 3; ++j)
            b[rng() % b.size()] = static_cast<uint8_t>(rng());
        try {
            nxm_decode(b, rng() & 1);
        } catch (const NxmError&) {
        }
        (void)nxm_to_string(b);
    }
}
