// Match operations, generated from the catalogue: for every field, random
// values and masks; nothing outside the field's storage (and the bits it
// implies) changes in either the flow or the mask.
#include <catch2/catch.hpp>

#include "meta-flow/error.hpp"
#include "meta-flow/match.hpp"
#include "test_util.hpp"

using namespace mf;
using mft::Rng;

namespace {

Match random_match(Rng& rng)
{
    Match m;
    m.set_raw(mft::random_flow(rng), mft::random_flow(rng));
    return m;
}

bool invariant(const Match& m)
{
    for (size_t i = 0; i < sizeof(Flow); ++i)
        if (m.flow().bytes()[i] & ~m.mask().bytes()[i])
            return false;
    return true;
}

// The bytes a field operation may touch: its storage bits plus implied bits
// (the whole TCI for the VLAN views, whose wildcarding may drop the tag).
Flow allowed_bits(const FieldDesc& f)
{
    Flow a = field_storage_mask(f.id);
    if (f.view_group == "vlan_tci")
        a.vlans[0].tci.set(0xffff);
    return a;
}

void require_only(const Flow& before, const Flow& after, const Flow& allowed)
{
    for (size_t b = 0; b < sizeof(Flow); ++b)
        REQUIRE(((before.bytes()[b] ^ after.bytes()[b]) & ~allowed.bytes()[b]) == 0);
}

uint64_t ones(size_t n) { return n >= 8 ? ~0ull : (1ull << (8 * n)) - 1; }

}  // namespace

TEST_CASE("match: exact set, read back, wildcard, for every field", "[match]")
{
    Rng rng(0x5eed0101);
    for (const FieldDesc& f : all_fields()) {
        DYNAMIC_SECTION(f.name)
        {
            const Flow allowed = allowed_bits(f);
            for (int i = 0; i < 200; ++i) {
                const Match before = random_match(rng);
                Match m = before;
                Value v = mft::random_value(f, rng);
                if (f.id == FieldId::dl_vlan && v.to_uint(2) == 0xffff)
                    v = Value::from_uint(1, 2);
                m.set(f.id, v);
                REQUIRE(invariant(m));
                REQUIRE(m.value(f.id) == v);
                REQUIRE(m.is_exact(f.id));
                REQUIRE_FALSE(m.is_wild(f.id));
                require_only(before.flow(), m.flow(), allowed);
                require_only(before.mask(), m.mask(), allowed);
                REQUIRE(m.matches(m.flow()));

                m.set_wild(f.id);
                REQUIRE(invariant(m));
                if (f.id == FieldId::vlan_vid && (m.mask().vlans[0].tci.get() & kVlanPcpMask)) {
                    // The PCP is still matched, so the tag stays required.
                    REQUIRE(m.mask_uint(f.id) == kVlanCfi);
                } else {
                    REQUIRE(m.is_wild(f.id));
                    REQUIRE(m.mask(f.id).is_zero(f.n_bytes));
                }
                require_only(before.flow(), m.flow(), allowed);
                require_only(before.mask(), m.mask(), allowed);
            }
            // On an empty match, set then wild gives the empty match back.
            Match m;
            m.set(f.id, mft::random_value(f, rng));
            m.set_wild(f.id);
            REQUIRE(m.is_catchall());
        }
    }
}

TEST_CASE("match: masked set for every maskable field", "[match]")
{
    Rng rng(0x5eed0102);
    for (const FieldDesc& f : all_fields()) {
        DYNAMIC_SECTION(f.name)
        {
            const Flow allowed = allowed_bits(f);
            for (int i = 0; i < 200; ++i) {
                const Match before = random_match(rng);
                Match m = before;
                const Value v = mft::random_value(f, rng);
                const Value mask = mft::random_mask(f, rng);
                const bool trivial = mask.is_zero(f.n_bytes) || mask.is_all_ones(f.n_bytes);
                if (f.maskable == Maskable::none && !trivial) {
                    REQUIRE_THROWS_AS(m.set_masked(f.id, v, mask), Error);
                    REQUIRE(m == before);
                    continue;
                }
                m.set_masked(f.id, v, mask);
                REQUIRE(invariant(m));
                require_only(before.flow(), m.flow(), allowed);
                require_only(before.mask(), m.mask(), allowed);
                if (mask.is_zero(f.n_bytes)) {
                    if (f.id != FieldId::vlan_vid || !(m.mask().vlans[0].tci.get() & kVlanPcpMask))
                        REQUIRE(m.is_wild(f.id));
                } else if (mask.is_all_ones(f.n_bytes)) {
                    REQUIRE(m.value(f.id) == v);
                } else if (f.n_bytes <= 8) {
                    const uint64_t cap = mft::capacity(f);
                    const uint64_t mm = mask.to_uint(f.n_bytes) & cap;
                    REQUIRE(m.mask_uint(f.id) == mm);
                    REQUIRE(m.value_uint(f.id) == (v.to_uint(f.n_bytes) & mm));
                } else {
                    for (size_t k = 0; k < f.n_bytes; ++k) {
                        REQUIRE(m.mask(f.id).b[k] == mask.b[k]);
                        REQUIRE(m.value(f.id).b[k] == (v.b[k] & mask.b[k]));
                    }
                }
                // A packet with the field's value matches; flipping a
                // significant bit of it does not.
                Flow pkt = m.flow();
                REQUIRE(m.matches(pkt));
                if (!m.is_wild(f.id)) {
                    const Flow& sm = field_storage_mask(f.id);
                    for (size_t k = 0; k < sizeof(Flow); ++k) {
                        const uint8_t bit = sm.bytes()[k] & m.mask().bytes()[k];
                        if (bit) {
                            pkt.bytes()[k] ^= static_cast<uint8_t>(bit & -bit);
                            break;
                        }
                    }
                    REQUIRE_FALSE(m.matches(pkt));
                }
            }
        }
    }
}

TEST_CASE("match: Open vSwitch's special cases", "[match]")
{
    SECTION("dl_vlan implies a tag; 0xffff means no tag")
    {
        Match m;
        m.set_uint(FieldId::dl_vlan, 10);
        CHECK(m.flow().vlans[0].tci == 0x100a);
        CHECK(m.mask().vlans[0].tci == 0x1fff);
        m.set_uint(FieldId::dl_vlan_pcp, 3);
        CHECK(m.flow().vlans[0].tci == 0x700a);
        CHECK(m.mask().vlans[0].tci == 0xffff);
        m.set_wild(FieldId::dl_vlan);  // PCP still matched: the tag stays required
        CHECK(m.flow().vlans[0].tci == 0x7000);
        CHECK(m.mask().vlans[0].tci == 0xf000);
        m.set_wild(FieldId::vlan_pcp);
        CHECK(m.mask().vlans[0].tci == 0);
        m.set_uint(FieldId::dl_vlan, 0xffff);
        CHECK(m.flow().vlans[0].tci == 0);
        CHECK(m.mask().vlans[0].tci == 0xffff);
    }
    SECTION("vlan_vid is OpenFlow 1.2's VID plus present bit")
    {
        Match m;
        m.set_masked_uint(FieldId::vlan_vid, 0x1000, 0x1000);  // any tag
        CHECK(m.mask().vlans[0].tci == 0x1000);
        m.set_uint(FieldId::vlan_vid, 5);  // no present bit: "no tag, VID 5"
        CHECK(m.flow().vlans[0].tci == 0x0005);
        CHECK(m.mask().vlans[0].tci == 0x1fff);
    }
    SECTION("icmp_type is an exact 16-bit tp_src")
    {
        Match m;
        m.set_uint(FieldId::icmpv4_type, 8);
        CHECK(m.mask().tp_src == 0xffff);
        CHECK(m.is_exact(FieldId::tcp_src));
    }
    SECTION("arp_op lives in nw_proto")
    {
        Match m;
        m.set_uint(FieldId::arp_op, 2);
        CHECK(m.flow().nw_proto == 2);
        CHECK(m.mask().nw_proto == 0xff);
        CHECK(m.mask_uint(FieldId::arp_op) == 0x00ff);
    }
    SECTION("tcp_flags and ipv6_label: exact means all 16/32 bits, as in Open vSwitch")
    {
        Match m;
        m.set_uint(FieldId::tcp_flags, 0x12);
        CHECK(m.mask().tcp_flags == 0xffff);
        m.set_masked_uint(FieldId::tcp_flags, 0x12, 0x0fff);
        CHECK(m.mask().tcp_flags == 0x0fff);
        CHECK_FALSE(m.is_exact(FieldId::tcp_flags));
    }
}

TEST_CASE("match: prerequisites, added and dropped, for every field", "[match]")
{
    Rng rng(0x5eed0103);
    for (const FieldDesc& f : all_fields()) {
        DYNAMIC_SECTION(f.name)
        {
            Match m;
            m.add_prereqs(f.id);
            REQUIRE(m.prereqs_ok(f.id));
            const Value v = mft::random_value(f, rng);
            m.set(f.id, v);
            if (f.prereq == Prereq::nd || f.prereq == Prereq::nd_solicit ||
                f.prereq == Prereq::nd_advert || f.prereq == Prereq::icmpv6 ||
                f.prereq == Prereq::icmpv4) {
                // Setting an ICMP type may itself change an ND prerequisite.
                if (!m.prereqs_ok(f.id))
                    continue;
            }
            const Match with = m;
            m.drop_unmet_prereqs();
            REQUIRE(m == with);

            // Without its prerequisites the field is dropped (unless they
            // hold in an empty match: no prerequisite, or Ethernet).
            Match bare;
            bare.set(f.id, v);
            Match dropped = bare;
            dropped.drop_unmet_prereqs();
            if (prereqs_ok(Flow{}, f.prereq) ||
                (f.prereq == Prereq::vlan_vid && bare.prereqs_ok(f.id)))
                REQUIRE(dropped == bare);
            else
                REQUIRE(dropped.is_wild(f.id));
        }
    }
}

TEST_CASE("match: conflicting prerequisites are an error", "[match]")
{
    Match m;
    m.set_uint(FieldId::eth_type, kEthTypeArp);
    CHECK_THROWS_WITH(m.add_prereqs(FieldId::tcp_dst),
                      Catch::Contains("tcp_dst requires IPv4 or IPv6"));
    Match u;
    u.set_uint(FieldId::eth_type, kEthTypeIpv6);
    u.set_uint(FieldId::ip_proto, kIpProtoUdp);
    CHECK_THROWS_AS(u.add_prereqs(FieldId::tcp_src), Error);
    u.add_prereqs(FieldId::udp_src);
    CHECK(u.prereqs_ok(FieldId::udp_src));
    Match n;
    n.add_prereqs(FieldId::nd_tll);
    CHECK(n.value_uint(FieldId::icmpv6_type) == kNdAdvert);
    CHECK(n.value_uint(FieldId::eth_type) == kEthTypeIpv6);
}

TEST_CASE("match: subfields", "[match]")
{
    Match m;
    m.set_subfield(FieldId::reg0, 8, 8, Value::from_uint(0xab, 4));
    CHECK(m.value_uint(FieldId::reg0) == 0xab00);
    CHECK(m.mask_uint(FieldId::reg0) == 0xff00);
    m.set_subfield(FieldId::reg0, 0, 4, Value::from_uint(0x5, 4));
    CHECK(m.value_uint(FieldId::reg0) == 0xab05);
    CHECK(m.mask_uint(FieldId::reg0) == 0xff0f);
    m.set_subfield(FieldId::xxreg1, 100, 20, Value::from_uint(0xfffff, 16));
    CHECK(to_hex(m.mask(FieldId::xxreg1), 16) == "00fffff0000000000000000000000000");
    CHECK_THROWS_AS(m.set_subfield(FieldId::reg1, 30, 4, Value{}), Error);
    CHECK_THROWS_AS(m.set_subfield(FieldId::vlan_vid, 0, 13, Value{}), Error);

    Rng rng(0x5eed0104);
    for (const FieldDesc& f : all_fields()) {
        if (f.n_bits == 0 || f.codec != Codec::plain)
            continue;
        DYNAMIC_SECTION(f.name)
        {
            for (int i = 0; i < 50; ++i) {
                Match s;
                const unsigned ofs = static_cast<unsigned>(rng() % f.n_bits);
                const unsigned n = 1 + static_cast<unsigned>(rng() % (f.n_bits - ofs));
                const Value v = mft::random_value(f, rng);
                s.set_subfield(f.id, ofs, n, v);
                REQUIRE(invariant(s));
                if (f.n_bytes <= 8) {
                    const uint64_t want_mask = (n >= 64 ? ~0ull : ((1ull << n) - 1)) << ofs;
                    const uint64_t cap = mft::capacity(f);
                    REQUIRE(s.mask_uint(f.id) == (want_mask & cap & ones(f.n_bytes)));
                    REQUIRE(s.value_uint(f.id) ==
                            (((v.to_uint(f.n_bytes) << ofs) & want_mask) & cap & ones(f.n_bytes)));
                }
            }
        }
    }
}

TEST_CASE("match: megaflow wildcards with prerequisites", "[match]")
{
    Flow wc{};
    mask_field_and_prereqs(wc, FieldId::tcp_dst);
    CHECK(wc.tp_dst == 0xffff);
    CHECK(wc.eth_type == 0xffff);
    CHECK(wc.nw_proto == 0xff);
    CHECK((wc.nw_frag & kFragLater));
    CHECK(wc.tp_src == 0);
    Flow wc2{};
    mask_field_and_prereqs(wc2, FieldId::nd_sll);
    CHECK(wc2.tp_src == 0xffff);
    CHECK(wc2.tp_dst == 0xffff);
}
