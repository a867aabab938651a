// The field catalogue, tested from the catalogue itself: every entry, many
// random values, and the property that would have caught Open vSwitch's
// "setting eth_dst wrote eth_src": writing one field changes that field and
// no other field (except declared views of the same bits).
#include <catch2/catch.hpp>

#include <linux/openvswitch.h>

#include <set>
#include <string>

#include "meta-flow/field.hpp"
#include "test_util.hpp"

using namespace mf;
using mft::Rng;

namespace {

bool storage_overlaps(FieldId a, FieldId b)
{
    const Flow& ma = field_storage_mask(a);
    const Flow& mb = field_storage_mask(b);
    for (size_t i = 0; i < sizeof(Flow); ++i)
        if (ma.bytes()[i] & mb.bytes()[i])
            return true;
    return false;
}

}  // namespace

TEST_CASE("catalogue: one entry per id, names and headers resolve back", "[field]")
{
    REQUIRE(all_fields().size() == kNumFields);
    std::set<std::string_view> names;
    for (const FieldDesc& f : all_fields()) {
        INFO(f.name);
        CHECK(&field(f.id) == &f);
        CHECK(field_by_name(f.name) == &f);
        if (!f.extra_name.empty())
            CHECK(field_by_name(f.extra_name) == &f);
        CHECK(names.insert(f.name).second);
        for (const OxmHeader& h : f.headers)
            if (h.present)
                CHECK(field_by_header(h.oxm_class, h.oxm_field, h.experimenter) == &f);
        CHECK(f.n_bits <= 8 * f.n_bytes);
        CHECK(f.loc.offset + f.loc.size <= sizeof(Flow));
    }
    CHECK(field_by_name("no_such_field") == nullptr);
    CHECK(field_by_header(0x0000, 127, 0) == nullptr);
}

TEST_CASE("catalogue: set then get returns the value and changes no other field", "[field]")
{
    Rng rng(0x5eed0001);
    for (const FieldDesc& f : all_fields()) {
        DYNAMIC_SECTION(f.name)
        {
            // The fields a write to f may legitimately change: those sharing
            // storage bits with it, which must all be declared views.
            std::vector<FieldId> others;
            for (const FieldDesc& g : all_fields()) {
                if (g.id == f.id)
                    continue;
                if (storage_overlaps(f.id, g.id)) {
                    INFO("overlaps " << g.name);
                    CHECK(!f.view_group.empty());
                    CHECK(f.view_group == g.view_group);
                } else {
                    others.push_back(g.id);
                }
            }
            const Flow& sm = field_storage_mask(f.id);
            for (int i = 0; i < 300; ++i) {
                const Flow before = mft::random_flow(rng);
                const Value v = mft::random_value(f, rng);
                REQUIRE(is_value_valid(f.id, v));
                Flow after = before;
                set_field(after, f.id, v);
                REQUIRE(get_field(after, f.id) == v);
                // Not one bit outside the field's storage bits moved.
                for (size_t b = 0; b < sizeof(Flow); ++b)
                    REQUIRE(((before.bytes()[b] ^ after.bytes()[b]) & ~sm.bytes()[b]) == 0);
                // And so every non-overlapping field reads as before.
                for (FieldId g : others)
                    REQUIRE(get_field(after, g) == get_field(before, g));
                // Writing it again is idempotent; writing the old value back
                // restores the flow exactly.
                Flow again = after;
                set_field(again, f.id, v);
                REQUIRE(again == after);
                // (Unless the storage is wider than the value, as for ICMP
                // type in tp_src: then the value's zero extension is stored.)
                const bool narrow_value =
                    f.n_bytes < 8 && f.loc.size <= 8 &&
                    ((f.loc.bits >> f.loc.shift) >> (8 * f.n_bytes)) != 0;
                set_field(after, f.id, get_field(before, f.id));
                if (!narrow_value)
                    REQUIRE(after == before);
            }
        }
    }
}

TEST_CASE("catalogue: bits the storage cannot hold are dropped, as Open vSwitch drops them",
          "[field]")
{
    Rng rng(0x5eed0002);
    for (const FieldDesc& f : all_fields()) {
        if (f.n_bytes > 8 || f.codec != Codec::plain)
            continue;
        DYNAMIC_SECTION(f.name)
        {
            const uint64_t cap = mft::capacity(f);
            for (int i = 0; i < 100; ++i) {
                const uint64_t raw = rng() & (f.n_bytes == 8 ? ~0ull : (1ull << (8 * f.n_bytes)) - 1);
                Flow fl = mft::random_flow(rng);
                set_field_uint(fl, f.id, raw);
                REQUIRE(get_field_uint(fl, f.id) == (raw & cap));
                REQUIRE(is_value_valid(f.id, Value::from_uint(raw, f.n_bytes)) ==
                        ((raw & ~f.valid_bits) == 0));
            }
        }
    }
    // The classic cases.
    Flow fl{};
    set_field_uint(fl, FieldId::arp_op, 0x0102);
    CHECK(fl.nw_proto == 0x02);
    CHECK_FALSE(is_value_valid(FieldId::arp_op, Value::from_uint(0x0102, 2)));
    set_field_uint(fl, FieldId::ip_dscp, 0x03);
    CHECK(fl.nw_tos == 0);
    CHECK_FALSE(is_value_valid(FieldId::ip_dscp, Value::from_uint(3, 1)));
    set_field_uint(fl, FieldId::icmpv4_type, 8);
    CHECK(fl.tp_src == 8);
}

TEST_CASE("catalogue: views of shared storage agree", "[field]")
{
    Flow f{};
    set_field_uint(f, FieldId::vlan_tci, 0xb00a);  // PCP 5, CFI, VID 10
    CHECK(get_field_uint(f, FieldId::dl_vlan) == 10);
    CHECK(get_field_uint(f, FieldId::vlan_vid) == 0x100a);
    CHECK(get_field_uint(f, FieldId::dl_vlan_pcp) == 5);
    CHECK(get_field_uint(f, FieldId::vlan_pcp) == 5);
    set_field_uint(f, FieldId::ip_dscp_shifted, 0x2e);  // EF
    set_field_uint(f, FieldId::ip_ecn, 2);
    CHECK(f.nw_tos == 0xba);
    CHECK(get_field_uint(f, FieldId::ip_dscp) == 0xb8);
    set_field_uint(f, FieldId::reg2, 0x11223344);
    set_field_uint(f, FieldId::reg3, 0x55667788);
    CHECK(get_field_uint(f, FieldId::xreg1) == 0x1122334455667788ull);
    CHECK(to_hex(get_field(f, FieldId::xxreg0), 16) == "00000000000000001122334455667788");
    set_field_uint(f, FieldId::mpls_label, 0xabcde);
    set_field_uint(f, FieldId::mpls_tc, 5);
    set_field_uint(f, FieldId::mpls_bos, 1);
    set_field_uint(f, FieldId::mpls_ttl, 64);
    CHECK(f.mpls_lse[0].get() == (0xabcdeu << 12 | 5u << 9 | 1u << 8 | 64u));
    set_field_uint(f, FieldId::in_port_oxm, 0xfffffffe);  // OpenFlow 1.1 LOCAL
    CHECK(get_field_uint(f, FieldId::in_port) == 0xfffe);
    CHECK_FALSE(is_value_valid(FieldId::in_port_oxm, Value::from_uint(0x12345678, 4)));
    set_field_uint(f, FieldId::in_port, 7);
    CHECK(get_field_uint(f, FieldId::in_port_oxm) == 7);
}

// Where each field lives, named independently of the catalogue: through the
// Flow member names.  A catalogue entry pointing at the wrong member fails
// here even if it is consistent with itself.
TEST_CASE("catalogue: locations agree with the named Flow members", "[field]")
{
    Rng rng(0x5eed0003);
    struct Named {
        FieldId id;
        const uint8_t* (*at)(const Flow&);
        size_t size;
    };
#define NAMED(id, member) \
    Named{FieldId::id, [](const Flow& f) { return reinterpret_cast<const uint8_t*>(&f.member); }, \
          sizeof(Flow{}.member)}
    const Named named[] = {
        NAMED(eth_src, eth_src), NAMED(eth_dst, eth_dst), NAMED(eth_type, eth_type),
        NAMED(vlan_tci, vlans[0].tci), NAMED(ipv4_src, nw_src), NAMED(ipv4_dst, nw_dst),
        NAMED(ipv6_src, ipv6_src), NAMED(ipv6_dst, ipv6_dst), NAMED(arp_spa, nw_src),
        NAMED(arp_tpa, nw_dst), NAMED(arp_sha, arp_sha), NAMED(arp_tha, arp_tha),
        NAMED(nd_target, nd_target), NAMED(nd_sll, arp_sha), NAMED(nd_tll, arp_tha),
        NAMED(tcp_src, tp_src), NAMED(tcp_dst, tp_dst), NAMED(udp_src, tp_src),
        NAMED(udp_dst, tp_dst), NAMED(sctp_src, tp_src), NAMED(sctp_dst, tp_dst),
        NAMED(tcp_flags, tcp_flags), NAMED(tun_id, tun_id), NAMED(tun_src, tun_src),
        NAMED(tun_dst, tun_dst), NAMED(tun_ipv6_src, tun_ipv6_src),
        NAMED(tun_ipv6_dst, tun_ipv6_dst), NAMED(metadata, metadata), NAMED(pkt_mark, pkt_mark),
        NAMED(skb_priority, skb_priority), NAMED(dp_hash, dp_hash), NAMED(recirc_id, recirc_id),
        NAMED(ct_mark, ct_mark), NAMED(ct_zone, ct_zone), NAMED(ct_label, ct_label),
        NAMED(reg0, regs[0]), NAMED(reg7, regs[7]), NAMED(reg15, regs[15]),
        NAMED(ip_proto, nw_proto), NAMED(ip_ttl, nw_ttl), NAMED(tun_ttl, tun_ttl),
        NAMED(tun_tos, tun_tos), NAMED(packet_type, packet_type), NAMED(ipv6_label, ipv6_label),
    };
#undef NAMED
    for (const Named& n : named) {
        const FieldDesc& f = field(n.id);
        INFO(f.name);
        REQUIRE(f.n_bytes == n.size);
        for (int i = 0; i < 20; ++i) {
            Flow fl = mft::random_flow(rng);
            const Value v = mft::random_value(f, rng);
            set_field(fl, f.id, v);
            REQUIRE(std::memcmp(n.at(fl), v.b, n.size) == 0);
        }
    }
}

TEST_CASE("catalogue: Open vSwitch's names, widths and header numbers", "[field]")
{
    struct Fact {
        const char* name;
        const char* alias;
        int n_bytes, n_bits;
        Maskable maskable;
        Prereq prereq;
        int nxm_class, nxm_field;  // -1: none
    };
    const Fact facts[] = {
        {"eth_dst", "dl_dst", 6, 48, Maskable::arbitrary, Prereq::ethernet, 0, 1},
        {"eth_src", "dl_src", 6, 48, Maskable::arbitrary, Prereq::ethernet, 0, 2},
        {"eth_type", "dl_type", 2, 16, Maskable::none, Prereq::ethernet, 0, 3},
        {"vlan_tci", "", 2, 16, Maskable::arbitrary, Prereq::ethernet, 0, 4},
        {"nw_tos", "", 1, 8, Maskable::none, Prereq::ip_any, 0, 5},
        {"nw_proto", "ip_proto", 1, 8, Maskable::none, Prereq::ip_any, 0, 6},
        {"ip_src", "nw_src", 4, 32, Maskable::arbitrary, Prereq::ipv4, 0, 7},
        {"tcp_dst", "tp_dst", 2, 16, Maskable::arbitrary, Prereq::tcp, 0, 10},
        {"icmp_type", "", 1, 8, Maskable::none, Prereq::icmpv4, 0, 13},
        {"arp_op", "", 2, 16, Maskable::none, Prereq::arp, 0, 15},
        {"reg0", "", 4, 32, Maskable::arbitrary, Prereq::none, 1, 0},
        {"tun_id", "tunnel_id", 8, 64, Maskable::arbitrary, Prereq::none, 1, 16},
        {"ipv6_src", "", 16, 128, Maskable::arbitrary, Prereq::ipv6, 1, 19},
        {"nd_target", "", 16, 128, Maskable::arbitrary, Prereq::nd, 1, 23},
        {"nd_sll", "", 6, 48, Maskable::arbitrary, Prereq::nd_solicit, 1, 24},
        {"ip_frag", "nw_frag", 1, 2, Maskable::arbitrary, Prereq::ip_any, 1, 26},
        {"ipv6_label", "", 4, 20, Maskable::arbitrary, Prereq::ipv6, 1, 27},
        {"tcp_flags", "", 2, 12, Maskable::arbitrary, Prereq::tcp, 1, 34},
        {"dl_vlan", "", 2, 12, Maskable::none, Prereq::ethernet, -1, -1},
        {"vlan_pcp", "", 1, 3, Maskable::none, Prereq::vlan_vid, -1, -1},
        {"sctp_src", "", 2, 16, Maskable::arbitrary, Prereq::sctp, -1, -1},
        {"metadata", "", 8, 64, Maskable::arbitrary, Prereq::none, -1, -1},
    };
    for (const Fact& x : facts) {
        INFO(x.name);
        const FieldDesc* f = field_by_name(x.name);
        REQUIRE(f);
        CHECK(f->name == x.name);
        CHECK(f->extra_name == x.alias);
        CHECK(f->n_bytes == x.n_bytes);
        CHECK(f->n_bits == x.n_bits);
        CHECK(f->maskable == x.maskable);
        CHECK(f->prereq == x.prereq);
        auto h = field_header(f->id, 0);
        if (x.nxm_class < 0) {
            CHECK((!h || h->oxm_class == 0x8000 || h->oxm_class == 0x8001));
        } else {
            REQUIRE(h);
            CHECK(h->oxm_class == x.nxm_class);
            CHECK(h->oxm_field == x.nxm_field);
        }
    }
    // Version-dependent header choice.
    CHECK(field_header(FieldId::tcp_flags, 4)->experimenter == kOnfExperimenter);
    CHECK(field_header(FieldId::tcp_flags, 6)->oxm_class == 0x8000);
    CHECK(field_header(FieldId::eth_dst, 4)->oxm_class == 0x8000);
    CHECK(field_header(FieldId::eth_dst, 4)->oxm_field == 3);
    CHECK(field_header(FieldId::metadata, 0)->oxm_field == 2);
    CHECK(field_header(FieldId::xreg3, 4)->oxm_class == 0x8001);
    CHECK(!field_header(FieldId::skb_priority, 4));
}

TEST_CASE("catalogue: mask validity follows maskability", "[field]")
{
    for (const FieldDesc& f : all_fields()) {
        INFO(f.name);
        CHECK(is_mask_valid(f.id, Value{}));
        CHECK(is_mask_valid(f.id, Value::all_ones(f.n_bytes)));
        Value partial = Value::all_ones(f.n_bytes);
        partial.b[f.n_bytes - 1] = 0xfe;
        CHECK(is_mask_valid(f.id, partial) == (f.maskable != Maskable::none));
    }
}

TEST_CASE("flow: masked helpers", "[flow]")
{
    Rng rng(7);
    for (int i = 0; i < 200; ++i) {
        Flow a = mft::random_flow(rng), m = mft::random_flow(rng);
        Flow b = a;
        // Change bits outside the mask only.
        for (size_t k = 0; k < sizeof(Flow); ++k)
            b.bytes()[k] ^= static_cast<uint8_t>(rng()) & ~m.bytes()[k];
        CHECK(flow_equal_masked(a, b, m));
        CHECK(flow_hash_masked(a, m) == flow_hash_masked(b, m));
        Flow c = a;
        const size_t k = rng() % sizeof(Flow);
        if (m.bytes()[k]) {
            c.bytes()[k] ^= m.bytes()[k];
            CHECK_FALSE(flow_equal_masked(a, c, m));
        }
        Flow am = a;
        flow_and(am, m);
        CHECK(flow_equal_masked(am, a, m));
    }
    CHECK(flow_is_zero(Flow{}));
}
