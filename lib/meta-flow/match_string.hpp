// Matches as text, the way ovs-ofctl reads and prints them:
//   "tcp,nw_src=10.0.0.0/8,tp_dst=80"  "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00"
//   "reg3[0..7]=5"  "ipv6,ipv6_label=0x12345"  "icmp6,icmp_type=135,nd_target=::1"
//
// Parsing (parse_match, parse_match_token) follows ovs-ofctl's flow syntax:
// key=value or key:value pairs separated by commas or white space; the
// protocol shorthands ip/ipv4/ip4, ipv6/ip6, icmp, icmp6, tcp, tcp6, udp,
// udp6, sctp, sctp6, arp, rarp, mpls, mplsm; "eth" (packet_type Ethernet);
// every field by canonical or alternative name; subfields.  A field with
// prerequisites also pins packet_type to Ethernet, as Open vSwitch does.
// Prerequisites are not checked while parsing (Open vSwitch does not either):
// fields whose prerequisites fail are dropped when the match is encoded --
// see Match::drop_unmet_prereqs().
//
// Formatting (format_match) produces Open vSwitch's canonical string
// (match_format): fields in its order, shorthands instead of
// dl_type/nw_proto, tp_src/tp_dst for every transport, icmp_type for ICMPv6,
// arp_spa for ARP addresses, CIDR masks, and so on.  parse_match of that
// string gives the match back.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "meta-flow/match.hpp"

namespace mf {

constexpr int kDefaultPriority = 0x8000;

// Splits a flow string into key/value pairs as ovs-ofctl does (values may
// contain parentheses with commas inside; "key" alone has an empty value).
std::vector<std::pair<std::string, std::string>> split_key_values(std::string_view s);

// Applies one key/value to `match`.  Returns false if `key` is not a match
// keyword (the caller may know it: priority, cookie, actions, ...); throws
// mf::Error if it is one and the value is bad.
bool parse_match_token(Match& match, std::string_view key, std::string_view value);

// Fix-ups Open vSwitch applies after all tokens (packet_type (1,ethertype)
// also sets eth_type).
void finish_match(Match& match);

// A whole string of match keywords; anything else is an error
// ("unknown keyword foo").
Match parse_match(std::string_view s);

// The canonical string; "" for the catch-all match.  A priority other than
// the default is printed first, as ovs-ofctl does.
std::string format_match(const Match& match, int priority = kDefaultPriority);

}  // namespace mf
