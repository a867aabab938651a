// The classifier against a brute-force scan: same answer for random rules
// and random packets.
#include <catch2/catch.hpp>

#include "meta-flow/classifier.hpp"
#include "test_util.hpp"

using namespace mf;
using mft::Rng;

TEST_CASE("classifier: highest priority match, as a linear scan finds it", "[classifier]")
{
    Rng rng(0x5eed0501);
    // A few masks (subtables), many rules, packets drawn near the rules.
    const FieldId picks[] = {FieldId::in_port, FieldId::eth_dst, FieldId::eth_type, FieldId::ipv4_src,
                             FieldId::ipv4_dst, FieldId::ip_proto, FieldId::tcp_dst, FieldId::vlan_tci};
    std::vector<Flow> masks;
    for (int i = 0; i < 12; ++i) {
        Flow wc{};
        for (FieldId id : picks)
            if (rng() % 3 == 0)
                mask_field(wc, id);
        if (rng() & 1)
            wc.nw_src.set(static_cast<uint32_t>(~0u << (rng() % 32)));
        masks.push_back(wc);
    }
    Classifier<int> cls;
    std::vector<std::pair<Match, int>> rules;
    std::vector<Flow> seeds;
    for (int i = 0; i < 2000; ++i) {
        Flow f = mft::random_flow(rng);
        f.in_port.set(static_cast<uint32_t>(rng() % 4));
        f.eth_type.set(rng() & 1 ? kEthTypeIp : kEthTypeIpv6);
        f.nw_proto = rng() & 1 ? 6 : 17;
        f.tp_dst.set(static_cast<uint16_t>(rng() % 8));
        seeds.push_back(f);
        const Match m(f, masks[rng() % masks.size()]);
        const int prio = static_cast<int>(rng() % 100);
        cls.insert(m, prio, i);
        rules.emplace_back(m, prio);
    }
    CHECK(cls.size() == 2000);
    CHECK(cls.n_subtables() <= masks.size());
    for (int i = 0; i < 5000; ++i) {
        Flow pkt = seeds[rng() % seeds.size()];
        if (rng() & 1)
            pkt.bytes()[rng() % sizeof(Flow)] ^= static_cast<uint8_t>(1u << (rng() % 8));
        int best = -1, best_prio = -1;
        for (size_t r = 0; r < rules.size(); ++r)
            if (rules[r].first.matches(pkt) && rules[r].second > best_prio) {
                best = static_cast<int>(r);
                best_prio = rules[r].second;
            }
        const auto* hit = cls.lookup(pkt);
        if (best < 0) {
            REQUIRE(hit == nullptr);
        } else {
            REQUIRE(hit != nullptr);
            REQUIRE(hit->priority == best_prio);
            REQUIRE(hit->match.matches(pkt));
        }
    }
    Classifier<int> empty;
    CHECK(empty.lookup(Flow{}) == nullptr);
}
