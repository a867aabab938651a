// Flow keys as the datapath sees them: extraction from a packet and masked
// comparison, on OVS_KEY_ATTR_* attribute sequences.
//
// extract_flow_key() produces the attributes the Linux datapath reports in a
// miss upcall for the headers it understands here: metadata (priority,
// in_port, skb_mark), Ethernet, 802.1Q (the kernel's ETHERTYPE 0x8100 +
// VLAN + ENCAP nesting), ARP, IPv4, IPv6 and TCP/UDP/ICMP/ICMPv6.  The dummy
// datapath matches flows against it; vswitch-dpctl uses it to build execute
// keys.
//
// A FlatKey indexes the attributes by type, nested ENCAP children under
// kEncapBase + type, so that masked matching is a per-attribute byte
// comparison.
#pragma once

#include <cstdint>
#include <map>

#include "dpif/nl_attr.hpp"

namespace dpif {

constexpr uint32_t kEncapBase = 0x10000;

using FlatKey = std::map<uint32_t, Bytes>;

Bytes extract_flow_key(ByteView packet, uint32_t in_port, uint32_t priority = 0,
                       uint32_t skb_mark = 0);

// Throws Error(EPROTO/EINVAL) on malformed attributes.
FlatKey flatten_key(ByteView key);

// True when packet_key matches flow_key under mask.  An empty mask means an
// exact match on the attributes present in flow_key; otherwise attributes
// absent from the mask are wildcarded.  Absent values count as zeros.
bool key_matches(const FlatKey& packet_key, const FlatKey& flow_key, const FlatKey& mask,
                 bool has_mask);

// flow_key with mask applied (what identifies a megaflow); with no mask,
// the key itself.
FlatKey masked_key(const FlatKey& flow_key, const FlatKey& mask, bool has_mask);

// The in_port of a key, if it has one.
std::optional<uint32_t> key_in_port(ByteView key);

}  // namespace dpif
