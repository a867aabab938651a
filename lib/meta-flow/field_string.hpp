// Field values as text, in ovs-ofctl's syntax, per the catalogue's format:
//   decimal/hexadecimal  123, 0x7b, 010 (octal), "0x" alone is 0; "/mask" in
//                        either base; wider than the field is an error
//   ethernet             01:23:45:67:89:ab[/ff:ff:ff:00:00:00]
//   ipv4                 10.0.0.1[/8 | /255.0.255.0]
//   ipv6                 2001:db8::1[/64 | /ffff::]
//   ofp_port(_oxm)       a decimal port number or LOCAL, CONTROLLER, ...
//   frag                 no, yes, first, later, not_later
//   tcp_flags etc.       syn|ack (exact), +syn-ack (masked), 0x12/0xfff
//   packet_type          (ns,type)
// and "*" for "anything".  Errors are mf::Error with Open vSwitch's wording
// ("65536: value too large for 2-byte field tcp_dst").
#pragma once

#include <string>
#include <string_view>

#include "meta-flow/field.hpp"

namespace mf {

struct ValueMask {
    Value value;
    Value mask;
};

// Parses a value with an optional mask.  The mask must suit the field (a
// non-maskable field takes none, all-zeros or all-ones).
ValueMask parse_field_value(FieldId id, std::string_view s);

// Formats a value; `mask` null or all-ones is exact, all-zeros is "ANY".
// The text parses back to the same value and mask.
std::string format_field_value(FieldId id, const Value& value, const Value* mask = nullptr);

// Open vSwitch's integer syntax (used for subfields and packet types too):
// parses `s` into n_bytes big-endian bytes; sets *end to the first
// unparsed character.  Returns 0, EINVAL (no digits) or ERANGE.
int parse_int_string(std::string_view s, uint8_t* out, size_t n_bytes, size_t* end);

// "0x1a2b" without leading zero bytes' digits; "0" for zero.
std::string format_hex_compact(const uint8_t* b, size_t n);

// Flag names: TCP flags, tunnel flags, connection-tracking state.
const char* tcp_flag_name(uint32_t bit);
const char* tun_flag_name(uint32_t bit);
const char* ct_state_name(uint32_t bit);
// Open vSwitch's flags_to_string forms: "a|b" (exact; "0" for none) and
// "+a-b" (masked; "0/0" for an empty mask).
std::string format_flags(uint32_t flags, const char* (*name)(uint32_t), char sep);
std::string format_flags_masked(uint32_t flags, uint32_t mask, uint32_t max_mask,
                                const char* (*name)(uint32_t));

}  // namespace mf
