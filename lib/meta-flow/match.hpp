// mf::Match: a flow plus a mask (which bits of each field must equal the
// flow's).  Invariant: flow & ~mask == 0, so two equal matches have equal
// bytes and a match can be hashed directly.
//
// Field operations follow Open vSwitch's match semantics field by field,
// through the catalogue:
//   set(f, v)            exact match on f (plus bits f implies: dl_vlan and
//                        the PCP fields also require a VLAN tag; dl_vlan=0xffff
//                        means "no VLAN tag", as in OpenFlow 1.0)
//   set_masked(f, v, m)  masked match; m must be valid for f (a non-maskable
//                        field takes only all-zeros or all-ones); all-ones is
//                        set(), all-zeros is set_wild()
//   set_wild(f)          forget f (a VLAN match still constraining VID or PCP
//                        keeps requiring the tag)
//   value(f), mask(f)    read back, in the field's value space
//   prereqs_ok(f)        whether the match's values meet f's prerequisites
//   add_prereqs(f)       set the fields f's prerequisites need (eth_type,
//                        nw_proto, ...), throwing mf::Error on a conflict
//   drop_unmet_prereqs() wildcard every field whose prerequisites are not met
//                        (what an NXM/OpenFlow encoding does implicitly)
#pragma once

#include <cstdint>

#include "meta-flow/field.hpp"
#include "meta-flow/flow.hpp"

namespace mf {

class Match {
public:
    Match() = default;  // matches everything
    // flow & mask: bits outside the mask are cleared.
    Match(const Flow& flow, const Flow& mask);

    const Flow& flow() const { return flow_; }
    const Flow& mask() const { return mask_; }

    void set(FieldId id, const Value& value);
    void set_uint(FieldId id, uint64_t value);
    void set_masked(FieldId id, const Value& value, const Value& mask);
    void set_masked_uint(FieldId id, uint64_t value, uint64_t mask);
    void set_wild(FieldId id);

    Value value(FieldId id) const;
    Value mask(FieldId id) const;
    uint64_t value_uint(FieldId id) const;
    uint64_t mask_uint(FieldId id) const;
    bool is_wild(FieldId id) const;
    bool is_exact(FieldId id) const;

    bool prereqs_ok(FieldId id) const { return mf::prereqs_ok(flow_, id); }
    void add_prereqs(FieldId id);
    void drop_unmet_prereqs();

    // Sets bits ofs..ofs+n_bits-1 of field `id` to the low n_bits of
    // `value` and makes exactly those bits significant (other bits of the
    // field keep their value and mask).  Throws mf::Error if the range does
    // not fit the field.
    void set_subfield(FieldId id, unsigned ofs, unsigned n_bits, const Value& value);

    // Raw access to the flat representation, for code that builds masks
    // word by word (megaflow wildcards).  Re-establishes the invariant.
    void set_raw(const Flow& flow, const Flow& mask);

    bool matches(const Flow& packet) const { return flow_equal_masked(packet, flow_, mask_); }
    bool is_catchall() const { return flow_is_zero(mask_); }
    uint64_t hash(uint64_t basis = 0) const;

    friend bool operator==(const Match& a, const Match& b)
    {
        return a.flow_ == b.flow_ && a.mask_ == b.mask_;
    }

private:
    Flow flow_{};
    Flow mask_{};
};

// Unwildcards `id` and the fields its prerequisites examine, in a megaflow
// wildcard mask built while looking at `flow` (Open vSwitch's
// mf_mask_field_and_prereqs): e.g. tcp_dst also unwildcards eth_type,
// nw_proto and the fragment bits.
void mask_field_and_prereqs(Flow& wc, FieldId id);

}  // namespace mf
