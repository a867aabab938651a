// Conversion between Flow/Match and the datapath's flow key and mask: the
// nested OVS_KEY_ATTR_* netlink attributes of <linux/openvswitch.h>, in the
// shape the kernel module expects and reports (OVS_FLOW_ATTR_KEY/MASK,
// OVS_PACKET_ATTR_KEY).
//
// Key layout written (only what the flow has):
//   PRIORITY, [TUNNEL{ID,IPV4_SRC,IPV4_DST,IPV6_SRC,IPV6_DST,TOS,TTL,
//   DONT_FRAGMENT,CSUM,OAM,TP_SRC,TP_DST}], SKB_MARK, [CT_STATE, CT_ZONE,
//   CT_MARK, CT_LABELS], [RECIRC_ID, DP_HASH], IN_PORT, [PACKET_TYPE],
//   ETHERNET, then for each VLAN tag ETHERTYPE(tpid) VLAN(tci) ENCAP{...}
//   around ETHERTYPE, IPV4|IPV6|ARP|MPLS, TCP+TCP_FLAGS|UDP|SCTP|ICMP|
//   ICMPV6[+ND] (no L4 for later fragments).
//
// A mask has the same attributes as its key (the kernel insists), holding
// mask bits.  The kernel's own rules are applied so that what is written is
// accepted: the EtherType and the VLAN TPID are exact whenever present, an
// L3 mask appears only with an exact EtherType, an L4 mask only with an
// exact IP protocol, an ND mask only with an exact ICMPv6 type.  Read back,
// a mask says what the kernel does with it: an IN_PORT or ETHERTYPE mask
// attribute means an exact match whatever it holds, and packet_type (Ethernet
// or L3) is always exact, and so is the VLAN TCI at every depth the mask
// does not name (the kernel matches "untagged" exactly: a datapath flow
// cannot wildcard the presence of a tag).  So are fragment masks (all or nothing) and ICMP
// type/code masks (an exact 8-bit type is an exact tp_src).
//
// Flow.in_port is the datapath port number here; ct_state, ct_zone,
// ct_mark, dp_hash, recirc_id, priority and skb_mark travel in host byte
// order and ct_labels as the kernel's 16 bytes (the 128-bit label in host
// order), converted from and to Flow's big-endian storage.
#pragma once

#include <cstdint>

#include "dpif/nl_attr.hpp"
#include "meta-flow/flow.hpp"
#include "meta-flow/match.hpp"

namespace mf {

using dpif::ByteView;
using dpif::Bytes;

struct DatapathKeyOptions {
    bool recirc = true;   // RECIRC_ID and DP_HASH attributes
    bool conntrack = true;  // CT_STATE, CT_ZONE, CT_MARK, CT_LABELS
};

// Flow -> key.
Bytes flow_to_key(const Flow& flow, const DatapathKeyOptions& options = {});

struct KeyMask {
    Bytes key;
    Bytes mask;
};
// Match -> key (its flow) and mask (its mask), ready for OVS_FLOW_CMD_NEW.
KeyMask match_to_key_mask(const Match& match, const DatapathKeyOptions& options = {});

// How well a key was understood.
struct KeyFit {
    int ignored = 0;  // attributes of known-but-unsupported or unknown types skipped
    bool complete() const { return ignored == 0; }
};

// key -> Flow.  Throws mf::Error on a malformed key (bad attribute length,
// duplicate attribute, VLAN without ENCAP, ...).  An Ethernet key without
// ETHERTYPE is an 802.2 frame (eth_type 0x05ff).
Flow key_to_flow(ByteView key, KeyFit* fit = nullptr);

// key + mask -> Match.  An empty mask means what it means to the kernel:
// every attribute the key has is matched exactly.  Attributes missing from
// a non-empty mask are wildcarded.
Match key_mask_to_match(ByteView key, ByteView mask, KeyFit* fit = nullptr);

}  // namespace mf
