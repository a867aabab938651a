#include "meta-flow/match.hpp"

#include <cstring>
#include <string>

#include "meta-flow/error.hpp"

namespace mf {

namespace {

constexpr uint16_t kOfp10VlanNone = 0xffff;

// Storage bits of f in `flow` (f at most 8 bytes wide).
uint64_t bits_of(const Flow& flow, const FieldDesc& f) { return load_storage(flow, f) & f.loc.bits; }

// Replaces the bits `which` of f's storage in `flow` with those of `v`.
void put_bits(Flow& flow, const FieldDesc& f, uint64_t which, uint64_t v)
{
    const uint64_t s = load_storage(flow, f);
    store_storage(flow, f, (s & ~which) | (v & which));
}

bool is_vlan_view(FieldId id)
{
    return id == FieldId::dl_vlan || id == FieldId::vlan_vid || id == FieldId::dl_vlan_pcp ||
           id == FieldId::vlan_pcp;
}

}  // namespace

Match::Match(const Flow& flow, const Flow& mask) { set_raw(flow, mask); }

void Match::set_raw(const Flow& flow, const Flow& mask)
{
    flow_ = flow;
    mask_ = mask;
    flow_and(flow_, mask_);
}

void Match::set(FieldId id, const Value& value)
{
    const FieldDesc& f = field(id);
    if (f.wide()) {
        std::memcpy(flow_.bytes() + f.loc.offset, value.b, f.loc.size);
        std::memset(mask_.bytes() + f.loc.offset, 0xff, f.loc.size);
        return;
    }
    if (id == FieldId::dl_vlan && value.to_uint(2) == kOfp10VlanNone) {
        // OpenFlow 1.0's "no VLAN tag": the whole TCI must be zero.
        put_bits(flow_, f, 0xffff, 0);
        put_bits(mask_, f, 0xffff, 0xffff);
        return;
    }
    put_bits(flow_, f, f.loc.bits, value_to_storage(f, value));
    put_bits(mask_, f, f.loc.bits, ~uint64_t{0});
    if (f.implied_bits) {
        put_bits(flow_, f, f.implied_bits, f.implied_value);
        put_bits(mask_, f, f.implied_bits, ~uint64_t{0});
    }
}

void Match::set_uint(FieldId id, uint64_t value)
{
    set(id, Value::from_uint(value, field(id).n_bytes));
}

void Match::set_masked(FieldId id, const Value& value, const Value& mask)
{
    const FieldDesc& f = field(id);
    if (mask.is_all_ones(f.n_bytes)) {
        set(id, value);
        return;
    }
    if (mask.is_zero(f.n_bytes)) {
        set_wild(id);
        return;
    }
    if (f.maskable == Maskable::none)
        throw Error("field " + std::string(f.name) + " does not support masking");
    if (id == FieldId::ipv6_label && (mask.to_uint(4) & f.valid_bits) == f.valid_bits) {
        // Open vSwitch treats a mask covering the 20 label bits as exact.
        set(id, value);
        return;
    }
    if (f.wide()) {
        for (size_t i = 0; i < f.loc.size; ++i) {
            flow_.bytes()[f.loc.offset + i] = value.b[i] & mask.b[i];
            mask_.bytes()[f.loc.offset + i] = mask.b[i];
        }
        return;
    }
    const uint64_t m = value_to_storage(f, mask) & f.loc.bits;
    put_bits(mask_, f, f.loc.bits, m);
    put_bits(flow_, f, f.loc.bits, value_to_storage(f, value) & m);
}

void Match::set_masked_uint(FieldId id, uint64_t value, uint64_t mask)
{
    const size_t n = field(id).n_bytes;
    set_masked(id, Value::from_uint(value, n), Value::from_uint(mask, n));
}

void Match::set_wild(FieldId id)
{
    const FieldDesc& f = field(id);
    if (f.wide()) {
        std::memset(flow_.bytes() + f.loc.offset, 0, f.loc.size);
        std::memset(mask_.bytes() + f.loc.offset, 0, f.loc.size);
        return;
    }
    uint64_t clear = f.loc.bits;
    if (is_vlan_view(id)) {
        // Forgetting the VID (or the PCP) keeps requiring a tag while the
        // other part is still matched; with nothing left, the whole TCI goes.
        clear &= ~uint64_t{kVlanCfi};
        if ((bits_of(mask_, field(FieldId::vlan_tci)) & ~clear & ~uint64_t{kVlanCfi}) == 0)
            clear = 0xffff;
    }
    put_bits(flow_, f, clear, 0);
    put_bits(mask_, f, clear, 0);
}

Value Match::value(FieldId id) const { return get_field(flow_, id); }

Value Match::mask(FieldId id) const
{
    const FieldDesc& f = field(id);
    if (f.wide())
        return get_field(mask_, id);
    const uint64_t m = bits_of(mask_, f);
    if (f.codec != Codec::plain)
        return m == f.loc.bits ? Value::all_ones(f.n_bytes) : Value{};
    return storage_to_value(f, m);
}

uint64_t Match::value_uint(FieldId id) const { return value(id).to_uint(field(id).n_bytes); }
uint64_t Match::mask_uint(FieldId id) const { return mask(id).to_uint(field(id).n_bytes); }

bool Match::is_wild(FieldId id) const
{
    const FieldDesc& f = field(id);
    if (f.wide())
        return get_field(mask_, id).is_zero(f.n_bytes);
    return bits_of(mask_, f) == 0;
}

bool Match::is_exact(FieldId id) const
{
    const FieldDesc& f = field(id);
    if (f.wide())
        return get_field(mask_, id).is_all_ones(f.n_bytes);
    return bits_of(mask_, f) == f.loc.bits;
}

uint64_t Match::hash(uint64_t basis) const { return flow_hash(mask_, flow_hash(flow_, basis)); }

namespace {

[[noreturn]] void conflict(FieldId id, const std::string& need, const Match& m, FieldId have)
{
    throw Error("field " + std::string(field(id).name) + " requires " + need + " but the match has " +
                std::string(field(have).name) + "=" +
                to_hex(m.value(have), field(have).n_bytes));
}

// Requires field `req` to equal `v` (or, with v2, one of two values),
// setting it when it is wildcarded.
void require(Match& m, FieldId id, FieldId req, uint64_t v, const std::string& need,
             std::optional<uint64_t> v2 = std::nullopt)
{
    if (m.is_wild(req)) {
        m.set_uint(req, v);
        return;
    }
    const uint64_t have = m.value_uint(req);
    if (!m.is_exact(req) || (have != v && (!v2 || have != *v2)))
        conflict(id, need, m, req);
}

}  // namespace

void Match::add_prereqs(FieldId id)
{
    const Prereq p = field(id).prereq;
    auto ip_any = [&] {
        require(*this, id, FieldId::eth_type, kEthTypeIp, "IPv4 or IPv6", kEthTypeIpv6);
    };
    auto l4 = [&](uint8_t proto, const char* name) {
        ip_any();
        require(*this, id, FieldId::ip_proto, proto, name);
        if (flow_.nw_frag & kFragLater)
            throw Error("field " + std::string(field(id).name) +
                        " requires a first fragment or unfragmented packet");
    };
    auto nd = [&](uint8_t type) {
        require(*this, id, FieldId::eth_type, kEthTypeIpv6, "IPv6");
        require(*this, id, FieldId::ip_proto, kIpProtoIcmpv6, "ICMPv6");
        require(*this, id, FieldId::icmpv6_type, type, "an ND message",
                type == kNdSolicit ? std::optional<uint64_t>(kNdAdvert) : std::nullopt);
        require(*this, id, FieldId::icmpv6_code, 0, "ICMPv6 code 0");
    };
    switch (p) {
    case Prereq::none:
        return;
    case Prereq::ethernet:
        if (is_wild(FieldId::packet_type))
            set_uint(FieldId::packet_type, kPacketTypeEthernet);
        else if (flow_.packet_type != kPacketTypeEthernet)
            conflict(id, "an Ethernet packet", *this, FieldId::packet_type);
        return;
    case Prereq::arp:
        require(*this, id, FieldId::eth_type, kEthTypeArp, "ARP", kEthTypeRarp);
        return;
    case Prereq::vlan_vid:
        flow_.vlans[0].tci.set(flow_.vlans[0].tci.get() | kVlanCfi);
        mask_.vlans[0].tci.set(mask_.vlans[0].tci.get() | kVlanCfi);
        return;
    case Prereq::ipv4:
        require(*this, id, FieldId::eth_type, kEthTypeIp, "IPv4");
        return;
    case Prereq::ipv6:
        require(*this, id, FieldId::eth_type, kEthTypeIpv6, "IPv6");
        return;
    case Prereq::ip_any:
        ip_any();
        return;
    case Prereq::mpls:
        require(*this, id, FieldId::eth_type, kEthTypeMpls, "MPLS", kEthTypeMplsMcast);
        return;
    case Prereq::tcp: l4(kIpProtoTcp, "TCP"); return;
    case Prereq::udp: l4(kIpProtoUdp, "UDP"); return;
    case Prereq::sctp: l4(kIpProtoSctp, "SCTP"); return;
    case Prereq::icmpv4:
        require(*this, id, FieldId::eth_type, kEthTypeIp, "IPv4");
        require(*this, id, FieldId::ip_proto, kIpProtoIcmp, "ICMP");
        return;
    case Prereq::icmpv6:
        require(*this, id, FieldId::eth_type, kEthTypeIpv6, "IPv6");
        require(*this, id, FieldId::ip_proto, kIpProtoIcmpv6, "ICMPv6");
        return;
    case Prereq::nd: nd(kNdSolicit); return;
    case Prereq::nd_solicit: nd(kNdSolicit); require(*this, id, FieldId::icmpv6_type, kNdSolicit, "a neighbor solicitation"); return;
    case Prereq::nd_advert: nd(kNdAdvert); require(*this, id, FieldId::icmpv6_type, kNdAdvert, "a neighbor advertisement"); return;
    }
}

void Match::drop_unmet_prereqs()
{
    // Keep a bit if some field whose prerequisites hold covers it, or if no
    // field covers it at all (datapath-only storage such as the VLAN TPID).
    Flow covered{}, keep{};
    for (const FieldDesc& f : all_fields()) {
        const Flow& sm = field_storage_mask(f.id);
        for (size_t i = f.loc.offset; i < size_t{f.loc.offset} + f.loc.size; ++i) {
            covered.bytes()[i] |= sm.bytes()[i];
            if (mf::prereqs_ok(flow_, f.prereq))
                keep.bytes()[i] |= sm.bytes()[i];
        }
        // Bits a field implies (the VLAN tag bit) live with it.
        if (f.implied_bits && mf::prereqs_ok(flow_, f.prereq)) {
            Flow im{};
            store_storage(im, f, f.implied_bits);
            for (size_t i = f.loc.offset; i < size_t{f.loc.offset} + f.loc.size; ++i)
                keep.bytes()[i] |= im.bytes()[i];
        }
    }
    for (size_t i = 0; i < sizeof(Flow); ++i)
        keep.bytes()[i] |= static_cast<uint8_t>(~covered.bytes()[i]);
    flow_and(mask_, keep);
    flow_and(flow_, mask_);
}

void Match::set_subfield(FieldId id, unsigned ofs, unsigned n_bits, const Value& value)
{
    const FieldDesc& f = field(id);
    if (n_bits == 0 || ofs + n_bits > f.n_bits)
        throw Error("bits " + std::to_string(ofs) + ".." + std::to_string(ofs + n_bits - 1) +
                    " do not fit in " + std::to_string(f.n_bits) + "-bit field " +
                    std::string(f.name));
    // Build value and mask in the field's value space, bit by bit from the
    // least significant end (bit i of a Value lives in byte n_bytes-1-i/8).
    Value v = this->value(id), m = this->mask(id);
    const size_t nb = f.n_bytes;
    for (unsigned i = 0; i < n_bits; ++i) {
        const unsigned bit = ofs + i;
        const size_t byte = nb - 1 - bit / 8;
        const uint8_t mb = static_cast<uint8_t>(1u << (bit % 8));
        const bool on = value.b[nb - 1 - i / 8] & (1u << (i % 8));
        v.b[byte] = static_cast<uint8_t>(on ? v.b[byte] | mb : v.b[byte] & ~mb);
        m.b[byte] |= mb;
    }
    if (f.maskable == Maskable::none && !m.is_all_ones(nb)) {
        // Open vSwitch writes the bits directly even for unmaskable fields.
        if (f.wide()) {
            for (size_t i = 0; i < nb; ++i) {
                flow_.bytes()[f.loc.offset + i] = v.b[i] & m.b[i];
                mask_.bytes()[f.loc.offset + i] |= m.b[i];
            }
        } else {
            const uint64_t sm = value_to_storage(f, m) & f.loc.bits;
            put_bits(mask_, f, sm, ~uint64_t{0});
            put_bits(flow_, f, sm, value_to_storage(f, v));
        }
        return;
    }
    set_masked(id, v, m);
}

void mask_field_and_prereqs(Flow& wc, FieldId id)
{
    mask_field(wc, id);
    auto eth = [&] { mask_field(wc, FieldId::eth_type); mask_field(wc, FieldId::packet_type); };
    auto ip = [&] { eth(); mask_field(wc, FieldId::ip_proto); };
    switch (field(id).prereq) {
    case Prereq::none:
        break;
    case Prereq::ethernet:
        mask_field(wc, FieldId::packet_type);
        break;
    case Prereq::arp: case Prereq::ipv4: case Prereq::ipv6: case Prereq::ip_any: case Prereq::mpls:
        eth();
        break;
    case Prereq::vlan_vid:
        wc.vlans[0].tci.set(wc.vlans[0].tci.get() | kVlanCfi);
        break;
    case Prereq::tcp: case Prereq::udp: case Prereq::sctp:
        ip();
        wc.nw_frag |= kFragLater;
        break;
    case Prereq::icmpv4: case Prereq::icmpv6:
        ip();
        break;
    case Prereq::nd: case Prereq::nd_solicit: case Prereq::nd_advert:
        ip();
        mask_field(wc, FieldId::icmpv6_type);
        mask_field(wc, FieldId::icmpv6_code);
        break;
    }
}

}  // namespace mf
