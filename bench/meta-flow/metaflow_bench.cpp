// Micro-benchmarks of lib/meta-flow (Google Benchmark), side by side with
// Debian's Open vSwitch 3.1 library when built with -DWITH_OVS (see
// bench/meta-flow/run, which builds that library from the
// openvswitch-source package and prints the ratios).
//
// Workloads, identical inputs on both sides:
//   extract   64 frames (TCP/UDP over IPv4 and IPv6, VLAN, ARP, ICMPv6 ND,
//             IPv6 with extension headers), packet -> flow
//   lookup    1000 OpenFlow-style rules in 10 mask shapes with priorities,
//             a priority classifier lookup of 64 extracted flows
//   parse     the 1000 rule strings, text -> match
//   format    the 1000 matches, match -> canonical text
//   nxm       the 1000 matches, match -> NXM bytes
// and, ours only: flow -> datapath key, key -> flow, lib/dpif's older
// key extraction for comparison.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "dpif/flow_key.hpp"
#include "meta-flow/classifier.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/extract.hpp"
#include "meta-flow/match_string.hpp"
#include "meta-flow/nxm.hpp"

#ifdef WITH_OVS
#include "ovs_side.h"
#endif

namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v)
{
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}

Bytes ether(uint16_t type, int vlan = -1)
{
    Bytes b = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
    if (vlan >= 0) {
        put16(b, 0x8100);
        put16(b, static_cast<uint16_t>(vlan));
    }
    put16(b, type);
    return b;
}

Bytes ipv4(uint8_t proto, uint32_t src, uint32_t dst, size_t payload)
{
    Bytes b = {0x45, 0};
    put16(b, static_cast<uint16_t>(20 + payload));
    put16(b, 1);
    put16(b, 0);
    b.push_back(64);
    b.push_back(proto);
    put16(b, 0);
    for (uint32_t a : {src, dst})
        for (int i = 3; i >= 0; --i)
            b.push_back(static_cast<uint8_t>(a >> (8 * i)));
    return b;
}

Bytes ipv6(uint8_t next, size_t payload, uint8_t last)
{
    Bytes b = {0x60, 0, 0, 0};
    put16(b, static_cast<uint16_t>(payload));
    b.push_back(next);
    b.push_back(64);
    b.insert(b.end(), {0x20, 0x01, 0x0d, 0xb8});
    b.insert(b.end(), 11, 0);
    b.push_back(1);
    b.insert(b.end(), {0x20, 0x01, 0x0d, 0xb8});
    b.insert(b.end(), 11, 0);
    b.push_back(last);
    return b;
}

Bytes l4(uint16_t sport, uint16_t dport, bool tcp)
{
    Bytes b;
    put16(b, sport);
    put16(b, dport);
    if (tcp) {
        b.insert(b.end(), {0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x12, 0x10, 0, 0, 0, 0, 0});
    } else {
        put16(b, 8);
        put16(b, 0);
    }
    return b;
}

Bytes cat(std::initializer_list<Bytes> parts)
{
    Bytes out;
    for (const Bytes& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<Bytes> packets()
{
    std::vector<Bytes> v;
    std::mt19937 rng(7);
    for (int i = 0; i < 64; ++i) {
        const uint32_t src = 0x0a000000 | (rng() & 0xffff), dst = 0x0a010000 | (rng() & 0xffff);
        const uint16_t sp = static_cast<uint16_t>(1024 + rng() % 50000), dp = static_cast<uint16_t>(rng() % 32);
        switch (i % 8) {
        case 0: case 1: case 2: v.push_back(cat({ether(0x0800), ipv4(6, src, dst, 20), l4(sp, dp, true)})); break;
        case 3: v.push_back(cat({ether(0x0800), ipv4(17, src, dst, 8), l4(sp, dp, false)})); break;
        case 4: v.push_back(cat({ether(0x0800, 100 + i), ipv4(6, src, dst, 20), l4(sp, dp, true)})); break;
        case 5: v.push_back(cat({ether(0x86dd), ipv6(6, 20, static_cast<uint8_t>(i)), l4(sp, dp, true)})); break;
        case 6: {
            Bytes ext = {6, 0, 1, 4, 0, 0, 0, 0};  // hop-by-hop, then TCP
            v.push_back(cat({ether(0x86dd), ipv6(0, 28, static_cast<uint8_t>(i)), ext, l4(sp, dp, true)}));
            break;
        }
        default: {
            Bytes arp = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0,
                         static_cast<uint8_t>(i)};
            v.push_back(cat({ether(0x0806), arp}));
            break;
        }
        }
    }
    return v;
}

// 1000 distinct rules in 10 shapes, priorities by shape.
std::vector<std::string> rule_strings()
{
    std::vector<std::string> v;
    for (int i = 0; i < 1000; ++i) {
        char b[160];
        const int a = i % 256, c = (i / 256) % 256;
        switch (i % 10) {
        case 0: std::snprintf(b, sizeof b, "tcp,nw_dst=10.1.%d.%d,tp_dst=%d", c, a, i % 32); break;
        case 1: std::snprintf(b, sizeof b, "tcp,nw_src=10.0.%d.0/24", a); break;
        case 2: std::snprintf(b, sizeof b, "udp,nw_dst=10.1.%d.0/24,tp_dst=%d", a, i % 32); break;
        case 3: std::snprintf(b, sizeof b, "in_port=%d,dl_dst=02:00:00:00:%02x:%02x", i % 8, c, a); break;
        case 4: std::snprintf(b, sizeof b, "arp,arp_tpa=10.0.%d.%d", c, a); break;
        case 5: std::snprintf(b, sizeof b, "tcp6,ipv6_dst=2001:db8::%x,tp_dst=%d", a, i % 32); break;
        case 6: std::snprintf(b, sizeof b, "ip,nw_src=10.0.%d.%d,nw_dst=10.1.0.0/16", c, a); break;
        case 7: std::snprintf(b, sizeof b, "dl_vlan=%d,ip,nw_dst=10.2.%d.%d", 100 + i % 64, c, a); break;
        case 8: std::snprintf(b, sizeof b, "tcp,tcp_flags=+syn-ack,nw_dst=10.3.%d.%d,tp_dst=%d", c, a, i % 32); break;
        default: std::snprintf(b, sizeof b, "ip,reg0=%d,nw_dst=10.1.%d.0/24", i % 16, a); break;
        }
        v.push_back(b);
    }
    return v;
}

int priority_of(size_t i) { return 100 + static_cast<int>(i % 10) * 10; }

struct Inputs {
    std::vector<Bytes> pkts = packets();
    std::vector<std::string> rules = rule_strings();
    std::vector<mf::Match> matches;
    std::vector<mf::Flow> flows;
    mf::Classifier<int> cls;

    Inputs()
    {
        for (size_t i = 0; i < rules.size(); ++i) {
            matches.push_back(mf::parse_match(rules[i]));
            cls.insert(matches.back(), priority_of(i), static_cast<int>(i));
        }
        for (const Bytes& p : pkts)
            flows.push_back(mf::extract_flow(p, 1));
    }
};

const Inputs& inputs()
{
    static const Inputs in;
    return in;
}

constexpr size_t kBatch = 64;

void BM_extract_ours(benchmark::State& st)
{
    const auto& in = inputs();
    mf::Flow f{};
    uint64_t sum = 0;
    for (auto _ : st) {
        for (size_t i = 0; i < kBatch; ++i) {
            mf::extract_flow(in.pkts[i % in.pkts.size()], f);
            sum += f.tp_dst.get() + f.nw_proto;
        }
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_extract_ours);

void BM_extract_dpif_key(benchmark::State& st)
{
    const auto& in = inputs();
    uint64_t sum = 0;
    for (auto _ : st) {
        for (size_t i = 0; i < kBatch; ++i)
            sum += dpif::extract_flow_key(in.pkts[i % in.pkts.size()], 1).size();
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_extract_dpif_key);

void BM_extract_then_key_ours(benchmark::State& st)
{
    const auto& in = inputs();
    uint64_t sum = 0;
    for (auto _ : st) {
        for (size_t i = 0; i < kBatch; ++i)
            sum += mf::flow_to_key(mf::extract_flow(in.pkts[i % in.pkts.size()], 1)).size();
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_extract_then_key_ours);

void BM_key_to_flow_ours(benchmark::State& st)
{
    const auto& in = inputs();
    std::vector<mf::Bytes> keys;
    for (const mf::Flow& f : in.flows)
        keys.push_back(mf::flow_to_key(f));
    uint64_t sum = 0;
    for (auto _ : st) {
        for (size_t i = 0; i < kBatch; ++i)
            sum += mf::key_to_flow(keys[i % keys.size()]).nw_proto;
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_key_to_flow_ours);

void BM_lookup_ours(benchmark::State& st)
{
    const auto& in = inputs();
    uint64_t sum = 0;
    for (auto _ : st) {
        for (size_t i = 0; i < kBatch; ++i) {
            const auto* r = in.cls.lookup(in.flows[i % in.flows.size()]);
            sum += r ? static_cast<uint64_t>(r->priority) : 1;
        }
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_lookup_ours);

void BM_match_linear_ours(benchmark::State& st)
{
    // Match::matches over all 1000 rules, for scale.
    const auto& in = inputs();
    uint64_t sum = 0;
    for (auto _ : st) {
        const mf::Flow& f = in.flows[sum % in.flows.size()];
        for (const mf::Match& m : in.matches)
            sum += m.matches(f);
        ++sum;
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * in.matches.size()));
}
BENCHMARK(BM_match_linear_ours);

void BM_parse_ours(benchmark::State& st)
{
    const auto& in = inputs();
    uint64_t sum = 0;
    size_t i = 0;
    for (auto _ : st) {
        for (size_t k = 0; k < kBatch; ++k)
            sum += mf::parse_match(in.rules[i++ % in.rules.size()]).flow().tp_dst.get();
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_parse_ours);

void BM_format_ours(benchmark::State& st)
{
    const auto& in = inputs();
    uint64_t sum = 0;
    size_t i = 0;
    for (auto _ : st) {
        for (size_t k = 0; k < kBatch; ++k)
            sum += mf::format_match(in.matches[i++ % in.matches.size()]).size();
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_format_ours);

void BM_nxm_ours(benchmark::State& st)
{
    const auto& in = inputs();
    uint64_t sum = 0;
    size_t i = 0;
    for (auto _ : st) {
        for (size_t k = 0; k < kBatch; ++k)
            sum += mf::nxm_encode(in.matches[i++ % in.matches.size()]).size();
    }
    benchmark::DoNotOptimize(sum);
    st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));
}
BENCHMARK(BM_nxm_ours);

#ifdef WITH_OVS

struct OvsInputs {
    ovs_packets* pkts;
    ovs_flows* flows;
    ovs_rules* rules;
    std::vector<const char*> strings;
    OvsInputs()
    {
        ovs_side_init();
        const auto& in = inputs();
        std::vector<const uint8_t*> d;
        std::vector<size_t> l;
        for (const Bytes& p : in.pkts) {
            d.push_back(p.data());
            l.push_back(p.size());
        }
        pkts = ovs_packets_new(d.data(), l.data(), d.size());
        flows = ovs_flows_new(pkts);
        std::vector<int> prio;
        for (size_t i = 0; i < in.rules.size(); ++i) {
            strings.push_back(in.rules[i].c_str());
            prio.push_back(priority_of(i));
        }
        rules = ovs_rules_new(strings.data(), prio.data(), strings.size());
        if (!rules) {
            std::fprintf(stderr, "ovs side: a rule did not parse\n");
            std::abort();
        }
    }
};

const OvsInputs& ovs()
{
    static const OvsInputs o;
    return o;
}

#define OVS_BENCH(name, call)                                                      \
    void name(benchmark::State& st)                                                \
    {                                                                              \
        const auto& o = ovs();                                                     \
        uint64_t sum = 0;                                                          \
        for (auto _ : st)                                                          \
            sum += call;                                                           \
        benchmark::DoNotOptimize(sum);                                             \
        st.SetItemsProcessed(static_cast<int64_t>(st.iterations() * kBatch));      \
    }                                                                              \
    BENCHMARK(name);

OVS_BENCH(BM_extract_ovs, ovs_extract(o.pkts, kBatch))
OVS_BENCH(BM_lookup_ovs, ovs_lookup(o.rules, o.flows, kBatch))
OVS_BENCH(BM_parse_ovs, ovs_parse(o.strings.data(), o.strings.size(), kBatch))
OVS_BENCH(BM_format_ovs, ovs_format(o.rules, kBatch))
OVS_BENCH(BM_nxm_ovs, ovs_nxm_encode(o.rules, kBatch))

#endif

}  // namespace

BENCHMARK_MAIN();
