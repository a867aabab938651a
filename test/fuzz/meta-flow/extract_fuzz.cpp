// Fuzz target: packet -> Flow extraction (lib/meta-flow/extract.cpp).
//
// Input: one mode byte, then the packet.  Mode bit 0 picks an L3 packet
// type (the packet starts at IPv4/IPv6 per bit 1) instead of Ethernet.
// Besides "no crash, no sanitizer report", every input checks properties
// that must hold for any packet:
//   * layer offsets lie inside the packet and are ordered;
//   * metadata already in the flow survives extraction;
//   * flow -> datapath key -> flow is the identity (a frame too short for
//     Ethernet comes back as 802.2);
//   * the exact match built from that key matches the flow.
// Any violation aborts, which libFuzzer reports like a crash.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "meta-flow/datapath_key.hpp"
#include "meta-flow/extract.hpp"

namespace {

[[noreturn]] void fail(const char* what)
{
    std::fprintf(stderr, "extract_fuzz: property violated: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t mode = data[0];
    std::span<const uint8_t> pkt(data + 1, size - 1);

    mf::Flow f{};
    f.in_port.set(0x1234);
    f.regs[5].set(0xdeadbeef);
    f.pkt_mark.set(mode);
    if (mode & 1)
        f.packet_type.set(mf::packet_type(1, (mode & 2) ? mf::kEthTypeIpv6 : mf::kEthTypeIp));
    mf::Layers l;
    mf::extract_flow(pkt, f, &l);

    if (f.in_port != 0x1234 || f.regs[5] != 0xdeadbeef || f.pkt_mark != mode)
        fail("metadata changed");
    const uint16_t none = mf::Layers::kNoLayer;
    for (uint16_t off : {l.l2_5, l.l3, l.l4, l.l7})
        if (off != none && off > pkt.size())
            fail("layer offset beyond the packet");
    if (l.l4 != none && (l.l3 == none || l.l4 < l.l3))
        fail("l4 before l3");
    if (l.l7 != none && (l.l4 == none || l.l7 < l.l4))
        fail("l7 before l4");

    const mf::Bytes key = mf::flow_to_key(f);
    mf::KeyFit fit;
    const mf::Flow back = mf::key_to_flow(key, &fit);
    // A frame too short for Ethernet has eth_type 0, which a key (like Open
    // vSwitch's) cannot tell from 802.2's 0x05ff.
    mf::Flow want = f;
    want.regs[5] = {};  // registers are pipeline state, not in a datapath key
    if (mf::is_ethernet(f) && f.eth_type.is_zero())
        want.eth_type.set(mf::kEthTypeNone);
    if (!(back == want))
        fail("flow -> key -> flow changed the flow");
    if (!fit.complete())
        fail("own key not fully understood");
    if (!mf::key_mask_to_match(key, {}).matches(want))
        fail("exact match from the key does not match the flow");
    return 0;
}
