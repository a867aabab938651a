// Text forms of datapath keys and actions, close to what ovs-dpctl prints:
//   in_port(1),eth(src=02:00:00:00:00:01,dst=02:00:00:00:00:02),eth_type(0x0800),
//   ipv4(src=10.0.0.1,dst=10.0.0.2,proto=17,tos=0,ttl=64,frag=no),udp(src=1,dst=2)
//   actions: 2,push_vlan(vid=10,pcp=0),pop_vlan,userspace(pid=5,userdata=0a0b),drop
//
// format_key() prints every attribute it knows (unknown ones as
// "key<type>(hex)"); with a mask, a field is printed as value/mask unless
// the mask is all ones, and an attribute whose mask is all zeros is left
// out.  parse_key() reads a practical subset: in_port, eth, eth_type, vlan,
// ipv4, tcp, udp, with optional /mask per field (fields given are exact by
// default, fields not given are wildcarded), or "hex:<attrs>" raw.  It
// returns a mask for the attributes given.  All parse errors are
// dpif::Error(EINVAL) naming the bad token.
#pragma once

#include <string>
#include <utility>

#include "dpif/nl_attr.hpp"

namespace dpif {

std::string format_key(ByteView key, ByteView mask = {});
std::string format_actions(ByteView actions);

struct ParsedKey {
    Bytes key, mask;
};
ParsedKey parse_key(const std::string& text);
Bytes parse_actions(const std::string& text);

std::string format_mac(const uint8_t* m);

}  // namespace dpif
