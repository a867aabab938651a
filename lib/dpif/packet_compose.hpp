// Building a frame from a datapath flow key: the inverse of
// extract_flow_key() for Ethernet, 802.1Q (ETHERTYPE 0x8100 + VLAN +
// ENCAP), ARP, IPv4 with TCP/UDP/ICMP, and IPv6 with TCP/UDP/ICMPv6.
// Checksums are computed (IPv4 header, TCP/UDP over the pseudo-header).
// Used to inject test traffic ("vswitch-dpctl execute DP PORT flow:...", the
// dummy datapath in vswitchd tests).  A key without ETHERNET is refused with
// EINVAL.
#pragma once

#include "dpif/nl_attr.hpp"

namespace dpif {

// payload_len: bytes of zero payload after the L4 header (or after L3 when
// there is no L4, or after Ethernet for other ethertypes).
Bytes compose_packet(ByteView key, size_t payload_len = 0);

}  // namespace dpif
