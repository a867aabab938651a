// OpenFlow 1.0's fixed struct ofp_match (40 bytes) <-> mf::Match.
//
// Decoding follows Open vSwitch: the wildcard bits pick the fields, the
// nw_src/nw_dst wildcard counts are CIDR prefixes, dl_vlan 0xffff means "no
// 802.1Q tag", nw_tos is the DSCP, and fields whose prerequisites the match
// does not meet are dropped (tp_dst without nw_proto=6 means nothing).
// Encoding writes what struct ofp_match can express (a non-CIDR address
// mask or an NXM-only field is widened to a wildcard).
#pragma once

#include "meta-flow/match.hpp"
#include "openflow/wire.hpp"

namespace ofp {

constexpr size_t kMatch10Len = 40;
constexpr uint32_t kOfpfw10All = (1u << 22) - 1;

// Reads 40 bytes.
mf::Match match10_decode(Reader& r);
// Whether every field is exact (no wildcard bits), which OpenFlow 1.0 gives
// the highest priority.
bool match10_exact(ByteView m40);
void match10_encode(const mf::Match& m, Writer& w);

}  // namespace ofp
