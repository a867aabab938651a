// The field catalogue: one entry per matchable/settable field, in one table
// (field.cpp), with everything every other part needs to know about it --
// names as Open vSwitch accepts them, widths, maskability, prerequisites,
// string format, NXM/OXM header numbers -- and, crucially, where its bits live
// in a Flow.
//
// Location is a single source of truth: each entry names a Flow member (its
// byte offset and size come from offsetof/sizeof of that member, never typed
// by hand) plus, for fields that view part of a member (VLAN VID/PCP in the
// TCI, DSCP/ECN in nw_tos, MPLS label/TC/BOS/TTL in an LSE), the storage bits
// and shift.  get_field()/set_field() are generic over that description: there
// is no per-field accessor code in which "eth_dst" could write "eth_src".
// field.cpp checks at compile time that no two fields overlap unless they are
// declared views of the same storage, so a misplaced entry does not build.
//
// A field's value is Value: n_bytes big-endian bytes (the NXM/OXM payload
// width).  Storage may be narrower (arp_op: 2-byte value, stored in the 1-byte
// nw_proto) or wider (icmp_type: 1-byte value, stored in the 2-byte tp_src);
// the mapping truncates or zero-extends exactly as Open vSwitch does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "meta-flow/flow.hpp"

namespace mf {

enum class FieldId : uint8_t {
    // Pipeline metadata.
    dp_hash, recirc_id, packet_type,
    tun_id, tun_src, tun_dst, tun_ipv6_src, tun_ipv6_dst, tun_flags, tun_ttl, tun_tos,
    metadata, in_port, in_port_oxm, skb_priority, pkt_mark,
    ct_state, ct_zone, ct_mark, ct_label,
    reg0, reg1, reg2, reg3, reg4, reg5, reg6, reg7,
    reg8, reg9, reg10, reg11, reg12, reg13, reg14, reg15,
    xreg0, xreg1, xreg2, xreg3, xreg4, xreg5, xreg6, xreg7,
    xxreg0, xxreg1, xxreg2, xxreg3,
    // Layer 2.
    eth_src, eth_dst, eth_type,
    vlan_tci, dl_vlan, vlan_vid, dl_vlan_pcp, vlan_pcp,
    mpls_label, mpls_tc, mpls_bos, mpls_ttl,
    // Layer 3.
    ipv4_src, ipv4_dst, ipv6_src, ipv6_dst, ipv6_label,
    ip_proto, ip_dscp, ip_dscp_shifted, ip_ecn, ip_ttl, ip_frag,
    arp_op, arp_spa, arp_tpa, arp_sha, arp_tha,
    // Layer 4.
    tcp_src, tcp_dst, tcp_flags, udp_src, udp_dst, sctp_src, sctp_dst,
    icmpv4_type, icmpv4_code, icmpv6_type, icmpv6_code,
    nd_target, nd_sll, nd_tll,
    count_
};
constexpr size_t kNumFields = static_cast<size_t>(FieldId::count_);

// How a field may be masked in NXM/OXM.  (Open vSwitch 3.1 accepts arbitrary
// bitwise masks wherever it accepts a mask at all; CIDR-only masks exist for
// OpenFlow 1.0, see OfMatch.)
enum class Maskable : uint8_t { none, cidr, arbitrary };

// What the fixed-format OpenFlow 1.0 / 1.1 matches can express for a field.
enum class OfMatch : uint8_t { no, exact, cidr, bitwise };

// A field may be matched only where its prerequisites hold.
enum class Prereq : uint8_t {
    none, ethernet, arp, vlan_vid, ipv4, ipv6, ip_any, mpls,
    tcp, udp, sctp, icmpv4, icmpv6, nd, nd_solicit, nd_advert,
};

// How a value is written as text (ovs-ofctl syntax).
enum class StringFormat : uint8_t {
    decimal, hexadecimal, ethernet, ipv4, ipv6,
    ofp_port,      // OpenFlow 1.0 port: a number or LOCAL, CONTROLLER, ...
    ofp_port_oxm,  // OpenFlow 1.1+ port (32-bit), same names
    frag,          // no, yes, first, later, not_later
    tcp_flags,     // syn|ack or +syn-ack
    tun_flags,     // oam or +oam
    ct_state,      // new|est|trk or +trk-new
    packet_type,   // (ns,type)
};

// Extra value <-> storage conversion, for the one field that is not a plain
// bit view: in_port_oxm holds OpenFlow 1.1 port numbers (0xfffffffe = LOCAL)
// over the same storage as the 16-bit in_port (0xfffe = LOCAL).
enum class Codec : uint8_t { plain, ofp11_port };

// An NXM or OXM header (without length and has-mask bit).
struct OxmHeader {
    std::string_view name;      // as Open vSwitch spells it: "NXM_OF_ETH_DST", "OXM_OF_IPV4_SRC"
    uint16_t oxm_class = 0;     // 0x0000/0x0001 NXM, 0x8000 basic, 0x8001 packet regs,
                                // 0xffff experimenter
    uint8_t oxm_field = 0;
    uint32_t experimenter = 0;  // for class 0xffff
    uint8_t of_version = 0;     // first OpenFlow version (wire number: 3 = 1.2, ...);
                                // 0 for NXM and Nicira-extension headers
    bool present = false;

    constexpr bool is_experimenter() const { return oxm_class == 0xffff; }
    friend constexpr bool operator==(const OxmHeader& a, const OxmHeader& b)
    {
        return a.oxm_class == b.oxm_class && a.oxm_field == b.oxm_field &&
               a.experimenter == b.experimenter && a.present == b.present;
    }
};

constexpr uint32_t kNxExperimenter = 0x00002320;   // Nicira
constexpr uint32_t kOnfExperimenter = 0x4f4e4600;  // Open Networking Foundation

// Where a field's bits live in a Flow.
struct Storage {
    uint16_t offset = 0;  // bytes from the start of Flow
    uint8_t size = 0;     // bytes
    uint8_t shift = 0;    // value bit 0 is storage bit `shift`
    uint64_t bits = 0;    // storage bits that belong to the field (size <= 8);
                          // fields wider than 8 bytes own their whole storage
};

struct FieldDesc {
    FieldId id;
    std::string_view name;        // canonical, as Open vSwitch names it
    std::string_view extra_name;  // the alternative name it accepts, or empty
    uint8_t n_bytes;              // value width (NXM/OXM payload)
    uint16_t n_bits;              // significant bits, as Open vSwitch counts them
    Maskable maskable;
    StringFormat format;
    Prereq prereq;
    bool writable;                // may be the destination of a set-field
    Storage loc;
    uint64_t valid_bits;          // bits a valid value may have (n_bytes <= 8)
    uint64_t implied_bits;        // storage bits an exact match also forces ...
    uint64_t implied_value;       // ... to these values (VLAN "present" bit)
    Codec codec;
    std::array<OxmHeader, 3> headers;  // in ascending of_version (NXM first)
    OfMatch of10, of11;
    std::string_view view_group;  // fields sharing storage bits name the same group

    constexpr size_t index() const { return static_cast<size_t>(id); }
    constexpr bool wide() const { return loc.size > 8; }
};

// The catalogue.
std::span<const FieldDesc> all_fields();
const FieldDesc& field(FieldId id);
// By canonical or alternative name; nullptr if unknown.
const FieldDesc* field_by_name(std::string_view name);
// By NXM/OXM header (class, field, experimenter); nullptr if unknown.
const FieldDesc* field_by_header(uint16_t oxm_class, uint8_t oxm_field, uint32_t experimenter);
// By NXM/OXM header name ("NXM_OF_ETH_DST"); the field and its header.
struct NamedHeader {
    const FieldDesc* field;
    OxmHeader header;
};
std::optional<NamedHeader> header_by_name(std::string_view name);
// The header to use for `id` in a given OpenFlow version (0 = NXM): NXM
// legacy headers are preferred for 0, else the newest OXM not newer than
// the version.  Empty if the field has no header at all.
std::optional<OxmHeader> field_header(FieldId id, uint8_t of_version);

// A field value or mask: n_bytes big-endian bytes at the start of b.
struct Value {
    uint8_t b[16] = {};

    static Value from_uint(uint64_t v, size_t n_bytes);
    static Value all_ones(size_t n_bytes);
    uint64_t to_uint(size_t n_bytes) const;  // n_bytes <= 8
    bool is_zero(size_t n_bytes) const;
    bool is_all_ones(size_t n_bytes) const;
    friend bool operator==(const Value&, const Value&) = default;
};
std::string to_hex(const Value& v, size_t n_bytes);  // "0a1b..."

// Value access in a Flow, generic over the catalogue entry.  set_field()
// stores (value << shift) & bits: bits the storage cannot hold are dropped,
// as Open vSwitch drops them (arp_op=0x100 stores 0).
Value get_field(const Flow& flow, FieldId id);
void set_field(Flow& flow, FieldId id, const Value& value);
uint64_t get_field_uint(const Flow& flow, FieldId id);   // n_bytes <= 8
void set_field_uint(Flow& flow, FieldId id, uint64_t value);

// True if `value` is one the field can take (e.g. nw_tos with its ECN bits
// clear, a VLAN PCP below 8, an OpenFlow 1.1 port that maps to a 1.0 one).
bool is_value_valid(FieldId id, const Value& value);
// True if `mask` is acceptable: any mask for a maskable field, else all
// zeros or all ones.
bool is_mask_valid(FieldId id, const Value& mask);

// A field's storage bits, as a mask over the whole Flow (zeros elsewhere).
const Flow& field_storage_mask(FieldId id);
// Sets every storage bit of the field in `wc` (unwildcards it).
void mask_field(Flow& wc, FieldId id);

// Low level, for code that works on storage bits directly (match.cpp,
// subfields): the whole storage of a field of at most 8 bytes as an integer,
// and a value converted to storage bits (before masking with loc.bits).
uint64_t load_storage(const Flow& flow, const FieldDesc& f);
void store_storage(Flow& flow, const FieldDesc& f, uint64_t v);
uint64_t value_to_storage(const FieldDesc& f, const Value& value);
Value storage_to_value(const FieldDesc& f, uint64_t storage_bits);

// Prerequisites over a Flow's values (Open vSwitch's semantics: a Match
// passes its flow, whose wildcarded bits are zero).
bool prereqs_ok(const Flow& flow, Prereq p);
inline bool prereqs_ok(const Flow& flow, FieldId id) { return prereqs_ok(flow, field(id).prereq); }

std::string_view to_string(Prereq p);
std::string_view to_string(Maskable m);
std::string_view to_string(StringFormat f);

}  // namespace mf
