// Subfields: bits ofs..ofs+n_bits-1 of a field, written as Open vSwitch
// writes them: "reg0[]" (all of it), "reg0[5]" (one bit), "reg0[0..15]",
// with a field name or an NXM/OXM header name ("NXM_NX_REG0[0..15]",
// "NXM_OF_ETH_DST[]").  Used by match strings ("reg3[0..7]=5") and, later,
// by actions (move, load, learn).
#pragma once

#include <string>
#include <string_view>

#include "meta-flow/field.hpp"

namespace mf {

struct Subfield {
    FieldId field{};
    unsigned ofs = 0;
    unsigned n_bits = 0;
    friend bool operator==(const Subfield&, const Subfield&) = default;
};

// Parses a subfield at the start of `s`; *consumed (if given) receives the
// characters used.  Throws mf::Error with Open vSwitch's wording.
Subfield parse_subfield(std::string_view s, size_t* consumed = nullptr);

// "NXM_NX_REG0[0..15]": the NXM name when the field has one, else its name.
std::string format_subfield(const Subfield& sf);

// Reads the subfield from a flow (as an n_bits-bit number in a Value of the
// field's width) and writes it.
Value read_subfield(const Flow& flow, const Subfield& sf);
void write_subfield(Flow& flow, const Subfield& sf, const Value& bits);

}  // namespace mf
