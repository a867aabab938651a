// mf::Flow: the packet header fields (and pipeline metadata) that a datapath
// flow key carries, in one flat structure.
//
// Layout rules, checked at compile time below:
//   * every member is a byte, a byte array or a network-order BeUint/Mac/In6,
//     so the struct has alignment 8 (for word-wise masking) and no padding
//     bytes at all (std::has_unique_object_representations): two Flows are
//     equal iff their bytes are, and masking is a bytewise AND;
//   * a zero-initialised Flow (Flow{}) is "nothing known": an Ethernet
//     packet (packet_type 0) with every field zero.
//
// Storage is shared the way Open vSwitch shares it, because its text forms
// and wire encodings depend on it: the ARP opcode lives in nw_proto, the ARP
// IPv4 addresses in nw_src/nw_dst, ICMP type/code in tp_src/tp_dst (16 bits,
// value in the low byte), ND source/target link-layer addresses in
// arp_sha/arp_tha.  Which field views which bytes is the field catalogue's
// business (field.hpp), not the reader's: use get_field()/set_field() unless
// you mean the raw storage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "meta-flow/net_types.hpp"

namespace mf {

constexpr int kNumRegs = 16;      // reg0..reg15 (xreg/xxreg view them)
constexpr int kMaxVlans = 2;      // 802.1ad + 802.1Q, as the kernel
constexpr int kMaxMplsLabels = 3;

struct VlanHeader {
    Be16 tpid;  // 0x8100 or 0x88a8; zero when absent
    Be16 tci;   // PCP(3) CFI(1) VID(12); CFI set means "a tag is present"
};

struct alignas(8) Flow {
    // Tunnel metadata.
    Be64 tun_id;
    Be32 tun_src;
    Be32 tun_dst;
    In6 tun_ipv6_src;
    In6 tun_ipv6_dst;
    Be16 tun_flags;      // kTunFlag* bits (only OAM is public)
    uint8_t tun_tos;
    uint8_t tun_ttl;
    Be16 tun_tp_src;     // outer UDP ports (datapath only, no field)
    Be16 tun_tp_dst;

    // Pipeline metadata.
    Be64 metadata;
    Be32 regs[kNumRegs];
    Be32 in_port;        // OpenFlow port (16-bit values) or datapath port number
    Be32 skb_priority;
    Be32 pkt_mark;
    Be32 dp_hash;
    Be32 recirc_id;
    Be32 packet_type;    // namespace << 16 | type; 0 = Ethernet
    Be32 ct_state;       // kCs* bits
    Be16 ct_zone;
    Be16 pad0_;          // explicit, always zero
    Be32 ct_mark;
    In6 ct_label;        // 128-bit value, big-endian

    // Layer 2.
    Mac eth_dst;
    Mac eth_src;
    Be16 eth_type;       // innermost Ethertype; 0x05ff for 802.2 frames
    VlanHeader vlans[kMaxVlans];
    Be32 mpls_lse[kMaxMplsLabels];

    // Layer 3.
    Be32 nw_src;         // IPv4 source, or ARP sender protocol address
    Be32 nw_dst;         // IPv4 destination, or ARP target protocol address
    In6 ipv6_src;
    In6 ipv6_dst;
    Be32 ipv6_label;     // low 20 bits
    uint8_t nw_proto;    // IP protocol, or the low 8 bits of the ARP opcode
    uint8_t nw_tos;      // DSCP (high 6 bits) + ECN (low 2 bits)
    uint8_t nw_ttl;
    uint8_t nw_frag;     // kFragAny | kFragLater
    Mac arp_sha;         // ARP sender hardware address, or ND source LLA
    Mac arp_tha;         // ARP target hardware address, or ND target LLA
    In6 nd_target;

    // Layer 4.
    Be16 tp_src;         // TCP/UDP/SCTP port, or ICMP type (low byte)
    Be16 tp_dst;         // TCP/UDP/SCTP port, or ICMP code (low byte)
    Be16 tcp_flags;      // low 12 bits of the TCP header's flags

    const uint8_t* bytes() const { return reinterpret_cast<const uint8_t*>(this); }
    uint8_t* bytes() { return reinterpret_cast<uint8_t*>(this); }
    friend bool operator==(const Flow& a, const Flow& b)
    {
        return std::memcmp(&a, &b, sizeof(Flow)) == 0;
    }
};

static_assert(std::is_trivially_copyable_v<Flow>);
static_assert(std::is_standard_layout_v<Flow>);
static_assert(std::has_unique_object_representations_v<Flow>,
              "mf::Flow must have no padding: add or move members so every byte is named");
static_assert(sizeof(Flow) % 8 == 0);
constexpr size_t kFlowWords = sizeof(Flow) / 8;

// Ethertypes.
constexpr uint16_t kEthTypeIp = 0x0800;
constexpr uint16_t kEthTypeArp = 0x0806;
constexpr uint16_t kEthTypeRarp = 0x8035;
constexpr uint16_t kEthTypeVlan = 0x8100;
constexpr uint16_t kEthTypeQinQ = 0x88a8;
constexpr uint16_t kEthTypeIpv6 = 0x86dd;
constexpr uint16_t kEthTypeMpls = 0x8847;
constexpr uint16_t kEthTypeMplsMcast = 0x8848;
constexpr uint16_t kEthTypeMin = 0x0600;     // smaller values are 802.3 lengths
constexpr uint16_t kEthTypeNone = 0x05ff;    // "not Ethernet II" in a flow

// IP protocols.
constexpr uint8_t kIpProtoIcmp = 1;
constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;
constexpr uint8_t kIpProtoIcmpv6 = 58;
constexpr uint8_t kIpProtoSctp = 132;

// ICMPv6 neighbour discovery.
constexpr uint8_t kNdSolicit = 135;
constexpr uint8_t kNdAdvert = 136;

// nw_frag bits.
constexpr uint8_t kFragAny = 1;    // a fragment (first or later)
constexpr uint8_t kFragLater = 2;  // not the first fragment
constexpr uint8_t kFragMask = kFragAny | kFragLater;

// nw_tos parts.
constexpr uint8_t kIpDscpMask = 0xfc;
constexpr uint8_t kIpEcnMask = 0x03;

// VLAN TCI parts.
constexpr uint16_t kVlanVidMask = 0x0fff;
constexpr uint16_t kVlanCfi = 0x1000;
constexpr uint16_t kVlanPcpMask = 0xe000;
constexpr int kVlanPcpShift = 13;

// MPLS label stack entry parts.
constexpr uint32_t kMplsLabelMask = 0xfffff000;
constexpr int kMplsLabelShift = 12;
constexpr uint32_t kMplsTcMask = 0x00000e00;
constexpr int kMplsTcShift = 9;
constexpr uint32_t kMplsBosMask = 0x00000100;
constexpr int kMplsBosShift = 8;
constexpr uint32_t kMplsTtlMask = 0x000000ff;

// TCP flags (tcp_flags).
constexpr uint16_t kTcpFin = 0x001, kTcpSyn = 0x002, kTcpRst = 0x004, kTcpPsh = 0x008,
                   kTcpAck = 0x010, kTcpUrg = 0x020, kTcpEce = 0x040, kTcpCwr = 0x080,
                   kTcpNs = 0x100;
constexpr uint16_t kTcpFlagsMask = 0x0fff;

// Connection tracking state (ct_state); same bits as the kernel's OVS_CS_F_*.
constexpr uint32_t kCsNew = 0x01, kCsEstablished = 0x02, kCsRelated = 0x04,
                   kCsReplyDir = 0x08, kCsInvalid = 0x10, kCsTracked = 0x20,
                   kCsSrcNat = 0x40, kCsDstNat = 0x80;
constexpr uint32_t kCsSupportedMask = 0xff;

// Tunnel flags (tun_flags).  Only OAM is a public (matchable) flag; the
// others exist for the datapath's tunnel key.
constexpr uint16_t kTunFlagOam = 0x1;
constexpr uint16_t kTunFlagDontFragment = 0x2;
constexpr uint16_t kTunFlagCsum = 0x4;
constexpr uint16_t kTunFlagKey = 0x8;   // tun_id is present
constexpr uint16_t kTunFlagPublicMask = 0x1;

// Packet types (packet_type): namespace << 16 | type.
constexpr uint32_t kPacketTypeEthernet = 0;            // (0,0)
constexpr uint32_t kPacketTypeNsEthertype = 1;          // (1, ethertype)
constexpr uint32_t packet_type(uint16_t ns, uint16_t type)
{
    return static_cast<uint32_t>(ns) << 16 | type;
}

// Convenience predicates over a Flow's values.
inline bool is_ethernet(const Flow& f) { return f.packet_type == kPacketTypeEthernet; }
inline bool is_ipv4(const Flow& f) { return f.eth_type == kEthTypeIp; }
inline bool is_ipv6(const Flow& f) { return f.eth_type == kEthTypeIpv6; }
inline bool is_ip_any(const Flow& f) { return is_ipv4(f) || is_ipv6(f); }
inline bool is_arp(const Flow& f) { return f.eth_type == kEthTypeArp || f.eth_type == kEthTypeRarp; }
inline bool is_mpls(const Flow& f)
{
    return f.eth_type == kEthTypeMpls || f.eth_type == kEthTypeMplsMcast;
}
inline bool has_vlan(const Flow& f) { return f.vlans[0].tci.get() & kVlanCfi; }
inline bool is_later_fragment(const Flow& f) { return f.nw_frag & kFragLater; }
inline bool is_l4(const Flow& f, uint8_t proto)
{
    return is_ip_any(f) && f.nw_proto == proto;
}
inline bool is_icmpv4(const Flow& f) { return is_ipv4(f) && f.nw_proto == kIpProtoIcmp; }
inline bool is_icmpv6(const Flow& f) { return is_ipv6(f) && f.nw_proto == kIpProtoIcmpv6; }
// A neighbour solicitation or advertisement (ICMPv6 type 135/136, code 0).
inline bool is_nd(const Flow& f)
{
    return is_icmpv6(f) && f.tp_dst == 0 && (f.tp_src == kNdSolicit || f.tp_src == kNdAdvert);
}

// Word-wise helpers over the flat representation.
void flow_and(Flow& dst, const Flow& mask);                 // dst &= mask
bool flow_equal_masked(const Flow& a, const Flow& b, const Flow& mask);
bool flow_is_zero(const Flow& f);
// A 64-bit hash of (f & mask); f and mask need not be pre-masked.
uint64_t flow_hash_masked(const Flow& f, const Flow& mask, uint64_t basis = 0);
uint64_t flow_hash(const Flow& f, uint64_t basis = 0);

}  // namespace mf
