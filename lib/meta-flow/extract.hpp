// Packet -> Flow: parse the headers of a frame into a Flow.
//
// What is parsed, with Open vSwitch's rules (miniflow_extract):
//   Ethernet (at least 14 bytes, else nothing), up to two 802.1Q/802.1ad tags
//   (a tag needs 4 bytes plus the next EtherType), 802.2 LLC/SNAP (an
//   Ethernet-II type inside SNAP is used, anything else is eth_type 0x05ff),
//   MPLS label stack (up to 3 LSEs kept; nothing above MPLS is parsed),
//   IPv4 (header length, total length and options checked; padding beyond
//   the total length ignored; fragments: no L4 for later fragments), IPv6
//   (payload length checked; hop-by-hop, routing, destination-options, AH and
//   fragment extension headers walked), ARP (Ethernet/IPv4 only; opcodes
//   above 255 leave arp_op 0), TCP (with data offset check and flags), UDP,
//   SCTP, ICMP, ICMPv6 with neighbour-discovery target and link-layer
//   address options.
//
// Robustness: the parser reads only inside the buffer, whatever its
// contents; a truncated or malformed header stops parsing at that layer, so
// the Flow holds exactly the layers that were complete (a 16-byte IPv4
// frame gives Ethernet fields and eth_type 0x0800, nothing more).  There
// are no errors to report: any byte string is some flow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "meta-flow/flow.hpp"

namespace mf {

// Offsets of the layers found, from the start of the packet; kNoLayer when
// a layer is absent or was not reached.
struct Layers {
    static constexpr uint16_t kNoLayer = 0xffff;
    uint16_t l2_5 = kNoLayer;  // first MPLS label
    uint16_t l3 = kNoLayer;    // network header (IP, ARP, or MPLS payload)
    uint16_t l4 = kNoLayer;    // transport header (after IP extension headers)
    uint16_t l7 = kNoLayer;    // after the transport header
};

// Fills every header field of `flow` (Layer 2 and up) from `packet`; the
// metadata already in `flow` (tunnel, in_port, registers, marks, conntrack,
// recirculation, packet_type) is kept.  packet_type decides where the
// packet starts: Ethernet (0) or an L3 packet of type (1, ethertype).
void extract_flow(std::span<const uint8_t> packet, Flow& flow, Layers* layers = nullptr);

// Convenience: a fresh Flow with only in_port set as metadata.
Flow extract_flow(std::span<const uint8_t> packet, uint32_t in_port);

}  // namespace mf
