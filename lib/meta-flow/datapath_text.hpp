// The datapath flow text form that ovs-dpctl and ovs-appctl dpctl/* print
// and read:
//   recirc_id(0),dp_hash(0),skb_priority(0),in_port(1),skb_mark(0),
//   ct_state(0),ct_zone(0),ct_mark(0),ct_label(0),
//   eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),
//   ipv4(src=10.0.0.1,dst=10.0.0.0/255.0.0.0,proto=6,tos=0,ttl=64,frag=no),
//   tcp(src=1,dst=80),tcp_flags(syn|ack)
//
// format_datapath_flow() prints netlink key+mask attributes as Open
// vSwitch's odp_flow_format() does (not verbose): fields with an all-zero
// mask and attributes whose mask is all zero are left out (except nested
// ones, and "eth()" for an Ethernet packet), partial masks as value/mask,
// VLAN tags as vlan(vid=..,pcp=..),encap(...).  With no mask every field is
// printed exactly.
//
// parse_datapath_flow() reads that form back into a Match: each attribute
// and field named is matched (exactly, or with the /mask given), anything
// not named is wildcarded.  Integers may be decimal or 0x hex; errors are
// mf::Error naming the bad token.
#pragma once

#include <string>
#include <string_view>

#include "dpif/nl_attr.hpp"
#include "meta-flow/match.hpp"

namespace mf {

std::string format_datapath_flow(dpif::ByteView key, dpif::ByteView mask = {});
std::string format_datapath_flow(const Match& match);

Match parse_datapath_flow(std::string_view s);

}  // namespace mf
