#include "openflow/actions.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "meta-flow/field.hpp"
#include "meta-flow/nxm.hpp"
#include "meta-flow/ports.hpp"

namespace ofp {

namespace {

using Kind = Action::Kind;

enum : uint16_t {
    OFPAT10_OUTPUT = 0, OFPAT10_SET_VLAN_VID = 1, OFPAT10_SET_VLAN_PCP = 2, OFPAT10_STRIP_VLAN = 3,
    OFPAT10_SET_DL_SRC = 4, OFPAT10_SET_DL_DST = 5, OFPAT10_SET_NW_SRC = 6, OFPAT10_SET_NW_DST = 7,
    OFPAT10_SET_NW_TOS = 8, OFPAT10_SET_TP_SRC = 9, OFPAT10_SET_TP_DST = 10,
};
enum : uint16_t {
    OFPAT11_OUTPUT = 0, OFPAT11_PUSH_VLAN = 17, OFPAT11_POP_VLAN = 18, OFPAT11_DEC_NW_TTL = 24,
    OFPAT12_SET_FIELD = 25,
};
constexpr uint16_t kNxastDecTtl = 18;
constexpr uint16_t kOfpatVendor = 0xffff;
enum : uint16_t {
    OFPIT_GOTO_TABLE = 1, OFPIT_WRITE_METADATA = 2, OFPIT_WRITE_ACTIONS = 3, OFPIT_APPLY_ACTIONS = 4,
    OFPIT_CLEAR_ACTIONS = 5, OFPIT_METER = 6, OFPIT_EXPERIMENTER = 0xffff,
};
constexpr uint16_t kVidPresent = 0x1000;

// The fixed length of each action type this switch decodes (0: at least 8,
// a multiple of 8); unknown types are not in the table.
struct Spec {
    uint16_t type, len;
};
constexpr std::array kSpecs10{Spec{OFPAT10_OUTPUT, 8},       Spec{OFPAT10_SET_VLAN_VID, 8},
                              Spec{OFPAT10_SET_VLAN_PCP, 8}, Spec{OFPAT10_STRIP_VLAN, 8},
                              Spec{OFPAT10_SET_DL_SRC, 16},  Spec{OFPAT10_SET_DL_DST, 16},
                              Spec{OFPAT10_SET_NW_SRC, 8},   Spec{OFPAT10_SET_NW_DST, 8},
                              Spec{OFPAT10_SET_NW_TOS, 8},   Spec{OFPAT10_SET_TP_SRC, 8},
                              Spec{OFPAT10_SET_TP_DST, 8}};
constexpr std::array kSpecs13{Spec{OFPAT11_OUTPUT, 16}, Spec{OFPAT11_PUSH_VLAN, 8}, Spec{OFPAT11_POP_VLAN, 8},
                              Spec{OFPAT11_DEC_NW_TTL, 8}, Spec{OFPAT12_SET_FIELD, 0}};

template <size_t N>
const Spec* spec_of(const std::array<Spec, N>& specs, uint16_t type) {
    for (const Spec& s : specs)
        if (s.type == type) return &s;
    return nullptr;
}

uint16_t checked_port(std::optional<uint16_t> port, uint32_t raw) {
    const bool ok = port && (*port < mf::kOfppMax || *port == mf::kOfppInPort || *port == mf::kOfppNormal ||
                             *port == mf::kOfppFlood || *port == mf::kOfppAll || *port == mf::kOfppController ||
                             *port == mf::kOfppLocal);
    if (!ok) throw OfError(Err::BadOutPort, "output to port " + std::to_string(raw));
    return *port;
}

mf::Mac read_mac(Reader& r) {
    mf::Mac m;
    std::memcpy(m.b, r.take(6).data(), 6);
    return m;
}

// Walks a list of actions: the type, the length checked against the
// version's table, and the body handed to `body` (which must read it all).
template <size_t N, typename F>
Actions decode_list(ByteView b, const std::array<Spec, N>& specs, F body) {
    Actions out;
    if (b.size() % 8) throw OfError(Err::BadActionLen, "action list not a multiple of 8 bytes");
    Reader r(b, Err::BadActionLen);
    while (r.left()) {
        const uint16_t type = r.u16();
        const uint16_t len = r.u16();
        if (len < 8 || len % 8 || len > r.left() + 4) throw OfError(Err::BadActionLen, "bad action length");
        if (type == kOfpatVendor) {
            const uint32_t vendor = r.u32();
            if (vendor != kNxVendor) throw OfError(Err::BadActionVendor, "unsupported vendor action");
            if (len < 16) throw OfError(Err::BadActionLen, "Nicira action shorter than its header");
            // Nicira actions: only NXAST_DEC_TTL (16 bytes: subtype, 6 of padding).
            const uint16_t subtype = r.u16();
            if (subtype != kNxastDecTtl) throw OfError(Err::BadActionType, "unsupported Nicira action");
            if (len != 16) throw OfError(Err::BadActionLen, "dec_ttl of the wrong length");
            r.skip(6);
            Action a;
            a.kind = Kind::DecTtl;
            out.push_back(a);
            continue;
        }
        const Spec* s = spec_of(specs, type);
        if (!s) throw OfError(Err::BadActionType, "unsupported action type " + std::to_string(type));
        if (s->len && len != s->len) throw OfError(Err::BadActionLen, "action of type with wrong length");
        Reader ar(r.take(len - 4u), Err::BadActionLen);
        out.push_back(body(type, ar));
        if (ar.left()) throw OfError(Err::BadActionLen, "bad action length");
    }
    return out;
}

Action decode10(uint16_t type, Reader& r) {
    Action a;
    switch (type) {
    case OFPAT10_OUTPUT:
        a.port = r.u16();
        a.port = checked_port(a.port, a.port);
        a.max_len = r.u16();
        break;
    case OFPAT10_SET_VLAN_VID:
        a.kind = Kind::SetVlanVid;
        a.vid = r.u16();
        r.skip(2);
        if (a.vid > 0xfff) throw OfError(Err::BadActionArgument, "VLAN id above 4095");
        break;
    case OFPAT10_SET_VLAN_PCP:
        a.kind = Kind::SetVlanPcp;
        a.pcp = r.u8();
        r.skip(3);
        if (a.pcp > 7) throw OfError(Err::BadActionArgument, "VLAN priority above 7");
        break;
    case OFPAT10_STRIP_VLAN:
        a.kind = Kind::StripVlan;
        r.skip(4);
        break;
    case OFPAT10_SET_NW_SRC:
    case OFPAT10_SET_NW_DST:
        a.kind = type == OFPAT10_SET_NW_SRC ? Kind::SetNwSrc : Kind::SetNwDst;
        a.nw = r.u32();
        break;
    case OFPAT10_SET_NW_TOS:
        a.kind = Kind::SetNwTos;
        a.tos = r.u8();
        r.skip(3);
        if (a.tos & ~mf::kIpDscpMask) throw OfError(Err::BadActionArgument, "nw_tos with ECN bits");
        break;
    case OFPAT10_SET_TP_SRC:
    case OFPAT10_SET_TP_DST:
        a.kind = type == OFPAT10_SET_TP_SRC ? Kind::SetTpSrc : Kind::SetTpDst;
        a.tp = r.u16();
        r.skip(2);
        break;
    default:   // OFPAT10_SET_DL_SRC, OFPAT10_SET_DL_DST
        a.kind = type == OFPAT10_SET_DL_SRC ? Kind::SetDlSrc : Kind::SetDlDst;
        a.mac = read_mac(r);
        r.skip(6);
        break;
    }
    return a;
}

// OFPAT12_SET_FIELD: one OXM entry without mask, zero padding.
Action decode_set_field(Reader& r) {
    Reader h(r.rest(), Err::BadMatchLen);
    const uint16_t oxm_class = h.u16();
    const uint8_t fh = h.u8();
    const uint8_t len = h.u8();
    uint32_t experimenter = 0;
    size_t payload = len;
    if (oxm_class == 0xffff) {
        experimenter = h.u32();
        if (len < 4) throw OfError(Err::BadMatchLen, "experimenter OXM too short");
        payload = len - 4u;
    }
    const mf::FieldDesc* f = mf::field_by_header(oxm_class, static_cast<uint8_t>(fh >> 1), experimenter);
    if (!f) throw OfError(Err::BadMatchField, "set_field of an unknown field");
    if (fh & 1) throw OfError(Err::BadSetMask, "set_field with a mask");
    if (payload != f->n_bytes) throw OfError(Err::BadMatchLen, "set_field value of the wrong length");
    mf::Value v;
    std::memcpy(v.b, h.take(payload).data(), payload);
    for (uint8_t c : h.rest())
        if (c) throw OfError(Err::BadSetArgument, "set_field with nonzero padding");
    r.skip(r.left());
    if (f->id == mf::FieldId::in_port_oxm || !f->writable)
        throw OfError(Err::BadSetArgument, std::string("field ") + std::string(f->name) + " is not writable");
    if (!mf::is_value_valid(f->id, v)) throw OfError(Err::BadSetArgument, "invalid set_field value");
    Action a;
    a.push_if_needed = false;
    switch (f->id) {
    case mf::FieldId::eth_src:
    case mf::FieldId::eth_dst:
        a.kind = f->id == mf::FieldId::eth_src ? Kind::SetDlSrc : Kind::SetDlDst;
        std::memcpy(a.mac.b, v.b, 6);
        return a;
    case mf::FieldId::vlan_vid: {
        const uint16_t vid = static_cast<uint16_t>(v.to_uint(2));
        if (!(vid & kVidPresent)) throw OfError(Err::BadSetArgument, "set_field vlan_vid without OFPVID_PRESENT");
        a.kind = Kind::SetVlanVid;
        a.vid = vid & 0xfff;
        return a;
    }
    case mf::FieldId::vlan_pcp:
        a.kind = Kind::SetVlanPcp;
        a.pcp = v.b[0];
        return a;
    case mf::FieldId::ipv4_src:
    case mf::FieldId::ipv4_dst:
        a.kind = f->id == mf::FieldId::ipv4_src ? Kind::SetNwSrc : Kind::SetNwDst;
        a.nw = static_cast<uint32_t>(v.to_uint(4));
        a.field = f->id;
        return a;
    case mf::FieldId::ip_dscp:
    case mf::FieldId::ip_dscp_shifted:
        a.kind = Kind::SetNwTos;
        a.tos = static_cast<uint8_t>(f->id == mf::FieldId::ip_dscp ? v.b[0] : v.b[0] << 2);
        a.field = f->id;
        return a;
    case mf::FieldId::tcp_src:
    case mf::FieldId::udp_src:
    case mf::FieldId::tcp_dst:
    case mf::FieldId::udp_dst:
        a.kind = f->id == mf::FieldId::tcp_src || f->id == mf::FieldId::udp_src ? Kind::SetTpSrc : Kind::SetTpDst;
        a.tp = static_cast<uint16_t>(v.to_uint(2));
        a.field = f->id;
        return a;
    default:
        throw OfError(Err::BadSetType, std::string("set_field of ") + std::string(f->name) + " is not supported");
    }
}

Action decode13(uint16_t type, Reader& r) {
    Action a;
    switch (type) {
    case OFPAT11_OUTPUT: {
        const uint32_t p = r.u32();
        a.port = checked_port(mf::ofp11_to_ofp10_port(p), p);
        a.max_len = r.u16();
        r.skip(6);
        break;
    }
    case OFPAT11_PUSH_VLAN:
        a.kind = Kind::PushVlan;
        a.ethertype = r.u16();
        r.skip(2);
        if (a.ethertype != 0x8100 && a.ethertype != 0x88a8)
            throw OfError(Err::BadActionArgument, "push_vlan of a non-VLAN ethertype");
        break;
    case OFPAT11_POP_VLAN:
        a.kind = Kind::StripVlan;
        r.skip(4);
        break;
    case OFPAT11_DEC_NW_TTL:
        a.kind = Kind::DecTtl;
        r.skip(4);
        break;
    default:   // OFPAT12_SET_FIELD
        a = decode_set_field(r);
        break;
    }
    return a;
}

void header(Writer& w, uint16_t type, uint16_t len) {
    w.u16(type);
    w.u16(len);
}

void encode10(const Action& a, Writer& w) {
    switch (a.kind) {
    case Kind::Output:
        header(w, OFPAT10_OUTPUT, 8);
        w.u16(a.port);
        w.u16(a.max_len);
        break;
    case Kind::SetVlanVid:
        header(w, OFPAT10_SET_VLAN_VID, 8);
        w.u16(a.vid);
        w.u16(0);
        break;
    case Kind::SetVlanPcp:
        header(w, OFPAT10_SET_VLAN_PCP, 8);
        w.u8(a.pcp);
        w.zeros(3);
        break;
    case Kind::StripVlan:
        header(w, OFPAT10_STRIP_VLAN, 8);
        w.zeros(4);
        break;
    case Kind::SetDlSrc:
    case Kind::SetDlDst:
        header(w, a.kind == Kind::SetDlSrc ? OFPAT10_SET_DL_SRC : OFPAT10_SET_DL_DST, 16);
        w.bytes(a.mac.b, 6);
        w.zeros(6);
        break;
    case Kind::SetNwSrc:
    case Kind::SetNwDst:
        header(w, a.kind == Kind::SetNwSrc ? OFPAT10_SET_NW_SRC : OFPAT10_SET_NW_DST, 8);
        w.u32(a.nw);
        break;
    case Kind::SetNwTos:
        header(w, OFPAT10_SET_NW_TOS, 8);
        w.u8(a.tos);
        w.zeros(3);
        break;
    case Kind::SetTpSrc:
    case Kind::SetTpDst:
        header(w, a.kind == Kind::SetTpSrc ? OFPAT10_SET_TP_SRC : OFPAT10_SET_TP_DST, 8);
        w.u16(a.tp);
        w.u16(0);
        break;
    case Kind::DecTtl:
        header(w, kOfpatVendor, 16);
        w.u32(kNxVendor);
        w.u16(kNxastDecTtl);
        w.zeros(6);
        break;
    case Kind::PushVlan:       // a side effect of mod_vlan_* in 1.0
    case Kind::ClearActions:   // no instructions in 1.0
    case Kind::WriteActions:
        break;
    }
}

void put_set_field(Writer& w, mf::FieldId id, const uint8_t* value) {
    const mf::FieldDesc& f = mf::field(id);
    // The OXM header of 1.3, else the field's NXM one (nw_tos: NXM_OF_IP_TOS).
    auto oh = mf::field_header(id, mf::kOfp13);
    if (!oh) oh = mf::field_header(id, 0);
    const mf::OxmHeader h = *oh;
    const size_t start = w.size();
    header(w, OFPAT12_SET_FIELD, 0);
    w.u16(h.oxm_class);
    w.u8(static_cast<uint8_t>(h.oxm_field << 1));
    w.u8(f.n_bytes);
    w.bytes(value, f.n_bytes);
    w.pad_to(8);
    w.set_u16(start + 2, static_cast<uint16_t>(w.size() - start));
}

// Whether the packet is known to carry a VLAN tag at this point of the list
// (Open vSwitch's flow_has_vlan, from the rule's match and the actions
// before).
struct VlanState {
    bool tagged;
    const mf::Match* match = nullptr;
    void after(const Action& a) {
        if (a.kind == Kind::StripVlan) tagged = false;
        if (a.kind == Kind::PushVlan || ((a.kind == Kind::SetVlanVid || a.kind == Kind::SetVlanPcp) &&
                                         a.push_if_needed))
            tagged = true;
    }
};

bool match_tagged(const mf::Match& m) { return m.flow().vlans[0].tci.get() & mf::kVlanCfi; }

void encode13(const Action& a, VlanState& st, Writer& w) {
    switch (a.kind) {
    case Kind::Output:
        header(w, OFPAT11_OUTPUT, 16);
        w.u32(mf::ofp10_to_ofp11_port(a.port));
        w.u16(a.max_len);
        w.zeros(6);
        break;
    case Kind::SetVlanVid:
    case Kind::SetVlanPcp: {
        if (a.push_if_needed && !st.tagged) {
            header(w, OFPAT11_PUSH_VLAN, 8);
            w.u16(0x8100);
            w.zeros(2);
        }
        uint8_t v[2];
        if (a.kind == Kind::SetVlanVid) {
            const uint16_t vid = a.vid | kVidPresent;
            v[0] = static_cast<uint8_t>(vid >> 8);
            v[1] = static_cast<uint8_t>(vid);
            put_set_field(w, mf::FieldId::vlan_vid, v);
        } else {
            v[0] = a.pcp;
            put_set_field(w, mf::FieldId::vlan_pcp, v);
        }
        break;
    }
    case Kind::StripVlan:
        header(w, OFPAT11_POP_VLAN, 8);
        w.zeros(4);
        break;
    case Kind::PushVlan:
        header(w, OFPAT11_PUSH_VLAN, 8);
        w.u16(a.ethertype);
        w.zeros(2);
        break;
    case Kind::SetDlSrc:
    case Kind::SetDlDst:
        put_set_field(w, a.kind == Kind::SetDlSrc ? mf::FieldId::eth_src : mf::FieldId::eth_dst, a.mac.b);
        break;
    case Kind::SetNwSrc:
    case Kind::SetNwDst: {
        const uint8_t v[4] = {static_cast<uint8_t>(a.nw >> 24), static_cast<uint8_t>(a.nw >> 16),
                              static_cast<uint8_t>(a.nw >> 8), static_cast<uint8_t>(a.nw)};
        put_set_field(w, a.kind == Kind::SetNwSrc ? mf::FieldId::ipv4_src : mf::FieldId::ipv4_dst, v);
        break;
    }
    case Kind::SetNwTos: {
        // ip_dscp (0-63) unless it came as a set_field of nw_tos (the TOS byte).
        const bool tos_byte = a.field == mf::FieldId::ip_dscp;
        const uint8_t v = tos_byte ? a.tos : static_cast<uint8_t>(a.tos >> 2);
        put_set_field(w, tos_byte ? mf::FieldId::ip_dscp : mf::FieldId::ip_dscp_shifted, &v);
        break;
    }
    case Kind::SetTpSrc:
    case Kind::SetTpDst: {
        // The field the set_field names, else the one the rule's protocol
        // gives (a 1.0 mod_tp_*): UDP for nw_proto=17, TCP otherwise.
        const bool src = a.kind == Kind::SetTpSrc;
        mf::FieldId f = a.field;
        if (f == mf::FieldId::count_) {
            const bool udp = st.match && st.match->flow().nw_proto == mf::kIpProtoUdp;
            f = udp ? (src ? mf::FieldId::udp_src : mf::FieldId::udp_dst)
                    : (src ? mf::FieldId::tcp_src : mf::FieldId::tcp_dst);
        }
        const uint8_t v[2] = {static_cast<uint8_t>(a.tp >> 8), static_cast<uint8_t>(a.tp)};
        put_set_field(w, f, v);
        break;
    }
    case Kind::DecTtl:
        header(w, OFPAT11_DEC_NW_TTL, 8);
        w.zeros(4);
        break;
    case Kind::ClearActions:
    case Kind::WriteActions:
        break;   // instructions: instructions13_encode
    }
    st.after(a);
}

bool is_instruction(const Action& a) { return a.kind == Kind::ClearActions || a.kind == Kind::WriteActions; }

void check_list(const Actions& acts, VlanState st) {
    for (const Action& a : acts) {
        if ((a.kind == Kind::SetVlanVid || a.kind == Kind::SetVlanPcp) && !a.push_if_needed && !st.tagged)
            throw OfError(Err::MatchInconsistent, "set_field of a VLAN field needs a VLAN tag");
        if (a.field != mf::FieldId::count_ && !mf::prereqs_ok(st.match->flow(), a.field))
            throw OfError(Err::MatchInconsistent, "set_field of " + std::string(mf::field(a.field).name) +
                                                      " without its prerequisites in the match");
        if (a.kind == Kind::WriteActions) check_list(a.nested, st);
        st.after(a);
    }
}

}  // namespace

Actions actions10_decode(ByteView b) { return decode_list(b, kSpecs10, decode10); }

Actions actions13_decode(ByteView b) { return decode_list(b, kSpecs13, decode13); }

void actions10_encode(const Actions& acts, Writer& w) {
    for (const Action& a : acts) encode10(a, w);
}

void actions13_encode(const Actions& acts, const mf::Match& match, Writer& w) {
    VlanState st{match_tagged(match), &match};
    for (const Action& a : acts) encode13(a, st, w);
}

Actions instructions13_decode(ByteView b) {
    if (b.size() % 8) throw OfError(Err::BadInstLen, "instructions not a multiple of 8 bytes");
    std::array<std::optional<ByteView>, 7> inst{};   // by type, 1..6
    Reader r(b, Err::BadInstLen);
    while (r.left()) {
        const uint16_t type = r.u16();
        const uint16_t len = r.u16();
        if (len < 8 || len % 8 || len > r.left() + 4) throw OfError(Err::BadInstLen, "bad instruction length");
        ByteView body = r.take(len - 4u);
        if (type == OFPIT_EXPERIMENTER) throw OfError(Err::BadInstExperimenter, "experimenter instruction");
        if (type < OFPIT_GOTO_TABLE || type > OFPIT_METER)
            throw OfError(Err::UnknownInst, "unknown instruction " + std::to_string(type));
        const bool extensible = type == OFPIT_WRITE_ACTIONS || type == OFPIT_APPLY_ACTIONS;
        const uint16_t fixed = type == OFPIT_WRITE_METADATA ? 24 : 8;
        if (extensible ? len < 8 : len != fixed) throw OfError(Err::BadInstLen, "bad instruction length");
        if (inst[type]) throw OfError(Err::DupInst, "instruction " + std::to_string(type) + " twice");
        inst[type] = body;
    }
    // Open vSwitch's order: meter, apply, clear, write, write_metadata, goto.
    if (inst[OFPIT_METER]) throw OfError(Err::UnsupInst, "meters are not supported");
    Actions out;
    if (inst[OFPIT_APPLY_ACTIONS]) out = actions13_decode(inst[OFPIT_APPLY_ACTIONS]->subspan(4));
    if (inst[OFPIT_CLEAR_ACTIONS]) {
        Action a;
        a.kind = Kind::ClearActions;
        out.push_back(a);
    }
    if (inst[OFPIT_WRITE_ACTIONS]) {
        Action a;
        a.kind = Kind::WriteActions;
        a.nested = actions13_decode(inst[OFPIT_WRITE_ACTIONS]->subspan(4));
        out.push_back(std::move(a));
    }
    if (inst[OFPIT_WRITE_METADATA]) throw OfError(Err::UnsupInst, "write_metadata is not supported");
    if (inst[OFPIT_GOTO_TABLE])
        throw OfError(Err::UnsupInst, "goto_table is not supported: only table 0 is looked up");
    return out;
}

void instructions13_encode(const Actions& acts, const mf::Match& match, Writer& w) {
    VlanState st{match_tagged(match), &match};
    for (size_t i = 0; i < acts.size();) {
        const size_t start = w.size();
        if (!is_instruction(acts[i])) {
            header(w, OFPIT_APPLY_ACTIONS, 0);
            w.zeros(4);
            for (; i < acts.size() && !is_instruction(acts[i]); ++i) encode13(acts[i], st, w);
        } else if (acts[i].kind == Kind::ClearActions) {
            header(w, OFPIT_CLEAR_ACTIONS, 8);
            w.zeros(4);
            ++i;
        } else {
            header(w, OFPIT_WRITE_ACTIONS, 0);
            w.zeros(4);
            VlanState nst = st;
            for (const Action& a : acts[i].nested) encode13(a, nst, w);
            ++i;
        }
        w.set_u16(start + 2, static_cast<uint16_t>(w.size() - start));
    }
}

void actions_check(const Actions& acts, const mf::Match& match) {
    check_list(acts, VlanState{match_tagged(match), &match});
}

bool actions_output_to(const Actions& acts, uint16_t port) {
    if (port == mf::kOfppNone) return true;
    for (const Action& a : acts) {
        if (a.kind == Kind::Output && a.port == port) return true;
        if (a.kind == Kind::WriteActions && actions_output_to(a.nested, port)) return true;
    }
    return false;
}

}  // namespace ofp
