#include "meta-flow/nxm.hpp"

#include <cstdio>
#include <cstring>

#include "meta-flow/ports.hpp"

namespace mf {

namespace {

using dpif::ByteView;
using dpif::Bytes;

constexpr uint16_t kClassExperimenter = 0xffff;
constexpr uint16_t kNxmCookieClass = 0x0001;
constexpr uint8_t kNxmCookieField = 30;

struct Hdr {
    uint16_t cls = 0;
    uint8_t field = 0;
    bool hasmask = false;
    uint8_t length = 0;  // as on the wire (includes the experimenter id)
    uint32_t experimenter = 0;

    size_t header_len() const { return cls == kClassExperimenter ? 8 : 4; }
    size_t exp_len() const { return cls == kClassExperimenter ? 4 : 0; }
    size_t payload_len() const { return length - exp_len(); }
    size_t value_len() const { return hasmask ? payload_len() / 2 : payload_len(); }
};

void put_header(Bytes& b, const Hdr& h)
{
    const uint32_t w = uint32_t{h.cls} << 16 | uint32_t{h.field} << 9 | uint32_t{h.hasmask} << 8 | h.length;
    for (int i = 3; i >= 0; --i)
        b.push_back(static_cast<uint8_t>(w >> (8 * i)));
    if (h.cls == kClassExperimenter)
        for (int i = 3; i >= 0; --i)
            b.push_back(static_cast<uint8_t>(h.experimenter >> (8 * i)));
}

class Encoder {
public:
    Encoder(const Match& m, uint8_t version) : m_(m), f_(m.flow()), w_(m.mask()), v_(version) {}

    // Puts an entry; `mask` null for an exact one.
    void put(FieldId id, const uint8_t* value, const uint8_t* mask, size_t n)
    {
        auto oh = field_header(id, v_);
        if (!oh)
            return;
        Hdr h;
        h.cls = oh->oxm_class;
        h.field = oh->oxm_field;
        h.experimenter = oh->experimenter;
        h.hasmask = mask != nullptr;
        h.length = static_cast<uint8_t>((mask ? 2 * n : n) + h.exp_len());
        put_header(out_, h);
        out_.insert(out_.end(), value, value + n);
        if (mask)
            out_.insert(out_.end(), mask, mask + n);
        if (field(id).prereq != Prereq::none)
            implied_ethernet_ = true;
    }
    // Masked put from raw bytes: nothing if the mask is zero, exact if all ones.
    void put_m(FieldId id, const uint8_t* value, const uint8_t* mask, size_t n)
    {
        bool zero = true, ones = true;
        for (size_t i = 0; i < n; ++i) {
            zero &= mask[i] == 0;
            ones &= mask[i] == 0xff;
        }
        if (zero)
            return;
        put(id, value, ones ? nullptr : mask, n);
    }
    template <size_t N>
    void put_m(FieldId id, const BeUint<N>& v, const BeUint<N>& m) { put_m(id, v.b, m.b, N); }
    void put_m(FieldId id, const Mac& v, const Mac& m) { put_m(id, v.b, m.b, 6); }
    void put_m(FieldId id, const In6& v, const In6& m) { put_m(id, v.b, m.b, 16); }
    void put8(FieldId id, uint8_t v) { put(id, &v, nullptr, 1); }
    void put8m(FieldId id, uint8_t v, uint8_t m) { put_m(id, &v, &m, 1); }
    void put16(FieldId id, uint16_t v)
    {
        const Be16 b = Be16::of(v);
        put(id, b.b, nullptr, 2);
    }
    void put32(FieldId id, uint32_t v)
    {
        const Be32 b = Be32::of(v);
        put(id, b.b, nullptr, 4);
    }

    void ip()
    {
        if (f_.eth_type == kEthTypeIp) {
            put_m(FieldId::ipv4_src, f_.nw_src, w_.nw_src);
            put_m(FieldId::ipv4_dst, f_.nw_dst, w_.nw_dst);
        } else {
            put_m(FieldId::ipv6_src, f_.ipv6_src, w_.ipv6_src);
            put_m(FieldId::ipv6_dst, f_.ipv6_dst, w_.ipv6_dst);
        }
        const uint8_t frag_mask = w_.nw_frag & kFragMask;
        put8m(FieldId::ip_frag, f_.nw_frag & kFragMask, frag_mask == kFragMask ? 0xff : frag_mask);
        if (w_.nw_tos & kIpDscpMask) {
            if (v_)
                put8(FieldId::ip_dscp_shifted, static_cast<uint8_t>(f_.nw_tos >> 2));
            else
                put8(FieldId::ip_dscp, f_.nw_tos & kIpDscpMask);
        }
        if (w_.nw_tos & kIpEcnMask)
            put8(FieldId::ip_ecn, f_.nw_tos & kIpEcnMask);
        if (w_.nw_ttl)
            put8(FieldId::ip_ttl, f_.nw_ttl);
        put_m(FieldId::ipv6_label, f_.ipv6_label, w_.ipv6_label);
        if (!w_.nw_proto)
            return;
        put8(FieldId::ip_proto, f_.nw_proto);
        switch (f_.nw_proto) {
        case kIpProtoTcp:
            put_m(FieldId::tcp_src, f_.tp_src, w_.tp_src);
            put_m(FieldId::tcp_dst, f_.tp_dst, w_.tp_dst);
            put_m(FieldId::tcp_flags, f_.tcp_flags, w_.tcp_flags);
            return;
        case kIpProtoUdp:
            put_m(FieldId::udp_src, f_.tp_src, w_.tp_src);
            put_m(FieldId::udp_dst, f_.tp_dst, w_.tp_dst);
            return;
        case kIpProtoSctp:
            put_m(FieldId::sctp_src, f_.tp_src, w_.tp_src);
            put_m(FieldId::sctp_dst, f_.tp_dst, w_.tp_dst);
            return;
        default:
            break;
        }
        if (is_icmpv4(f_)) {
            if (!w_.tp_src.is_zero())
                put8(FieldId::icmpv4_type, static_cast<uint8_t>(f_.tp_src.get()));
            if (!w_.tp_dst.is_zero())
                put8(FieldId::icmpv4_code, static_cast<uint8_t>(f_.tp_dst.get()));
        } else if (is_icmpv6(f_)) {
            if (!w_.tp_src.is_zero())
                put8(FieldId::icmpv6_type, static_cast<uint8_t>(f_.tp_src.get()));
            if (!w_.tp_dst.is_zero())
                put8(FieldId::icmpv6_code, static_cast<uint8_t>(f_.tp_dst.get()));
            if (is_nd(f_)) {
                put_m(FieldId::nd_target, f_.nd_target, w_.nd_target);
                if (f_.tp_src == kNdSolicit)
                    put_m(FieldId::nd_sll, f_.arp_sha, w_.arp_sha);
                if (f_.tp_src == kNdAdvert)
                    put_m(FieldId::nd_tll, f_.arp_tha, w_.arp_tha);
            }
        }
    }

    Bytes run(NxmCookie cookie)
    {
        const bool default_pt = f_.packet_type == kPacketTypeEthernet && w_.packet_type == 0xffffffffu;
        if (!w_.packet_type.is_zero() && !default_pt)
            put_m(FieldId::packet_type, f_.packet_type, w_.packet_type);

        put_m(FieldId::dp_hash, f_.dp_hash, w_.dp_hash);
        if (!w_.recirc_id.is_zero())
            put32(FieldId::recirc_id, f_.recirc_id.get());
        if (w_.in_port.get() & 0xffff) {
            const uint16_t p = static_cast<uint16_t>(f_.in_port.get());
            if (v_)
                put32(FieldId::in_port_oxm, ofp10_to_ofp11_port(p));
            else
                put16(FieldId::in_port, p);
        }

        put_m(FieldId::eth_src, f_.eth_src, w_.eth_src);
        put_m(FieldId::eth_dst, f_.eth_dst, w_.eth_dst);
        put_m(FieldId::eth_type, f_.eth_type, w_.eth_type);

        if (v_) {
            const uint16_t vid = f_.vlans[0].tci.get() & (kVlanVidMask | kVlanCfi);
            const uint16_t mask = w_.vlans[0].tci.get() & (kVlanVidMask | kVlanCfi);
            if (mask == (kVlanVidMask | kVlanCfi))
                put16(FieldId::vlan_vid, vid);
            else if (mask)
                put_m(FieldId::vlan_vid, Be16::of(vid), Be16::of(mask));
            if (vid && (w_.vlans[0].tci.get() & kVlanPcpMask))
                put8(FieldId::vlan_pcp, static_cast<uint8_t>(f_.vlans[0].tci.get() >> kVlanPcpShift));
        } else {
            put_m(FieldId::vlan_tci, f_.vlans[0].tci, w_.vlans[0].tci);
        }

        if (is_mpls(f_)) {
            const uint32_t lse = f_.mpls_lse[0].get(), m = w_.mpls_lse[0].get();
            if (m & kMplsTcMask)
                put8(FieldId::mpls_tc, static_cast<uint8_t>((lse & kMplsTcMask) >> kMplsTcShift));
            if (m & kMplsBosMask)
                put8(FieldId::mpls_bos, static_cast<uint8_t>((lse & kMplsBosMask) >> kMplsBosShift));
            if (m & kMplsTtlMask)
                put8(FieldId::mpls_ttl, static_cast<uint8_t>(lse & kMplsTtlMask));
            if (m & kMplsLabelMask)
                put32(FieldId::mpls_label, (lse & kMplsLabelMask) >> kMplsLabelShift);
        }

        if (is_ip_any(f_)) {
            ip();
        } else if (is_arp(f_)) {
            if (w_.nw_proto)
                put16(FieldId::arp_op, f_.nw_proto);
            put_m(FieldId::arp_spa, f_.nw_src, w_.nw_src);
            put_m(FieldId::arp_tpa, f_.nw_dst, w_.nw_dst);
            put_m(FieldId::arp_sha, f_.arp_sha, w_.arp_sha);
            put_m(FieldId::arp_tha, f_.arp_tha, w_.arp_tha);
        }

        put_m(FieldId::tun_id, f_.tun_id, w_.tun_id);
        put_m(FieldId::tun_flags, f_.tun_flags, w_.tun_flags);
        put_m(FieldId::tun_src, f_.tun_src, w_.tun_src);
        put_m(FieldId::tun_dst, f_.tun_dst, w_.tun_dst);
        put_m(FieldId::tun_ipv6_src, f_.tun_ipv6_src, w_.tun_ipv6_src);
        put_m(FieldId::tun_ipv6_dst, f_.tun_ipv6_dst, w_.tun_ipv6_dst);

        if (v_ < kOfp15) {
            for (int i = 0; i < kNumRegs; ++i)
                put_m(static_cast<FieldId>(static_cast<int>(FieldId::reg0) + i), f_.regs[i], w_.regs[i]);
        } else {
            for (int i = 0; i < kNumRegs / 2; ++i)
                put_m(static_cast<FieldId>(static_cast<int>(FieldId::xreg0) + i), f_.regs[2 * i].b,
                      w_.regs[2 * i].b, 8);
        }

        put_m(FieldId::pkt_mark, f_.pkt_mark, w_.pkt_mark);
        put_m(FieldId::ct_state, f_.ct_state, w_.ct_state);
        put_m(FieldId::ct_zone, f_.ct_zone, w_.ct_zone);
        put_m(FieldId::ct_mark, f_.ct_mark, w_.ct_mark);
        put_m(FieldId::ct_label, f_.ct_label, w_.ct_label);
        put_m(FieldId::metadata, f_.metadata, w_.metadata);

        if (cookie.mask) {
            Hdr h;
            h.cls = kNxmCookieClass;
            h.field = kNxmCookieField;
            h.hasmask = cookie.mask != ~uint64_t{0};
            h.length = h.hasmask ? 16 : 8;
            put_header(out_, h);
            const Be64 c = Be64::of(cookie.cookie & cookie.mask), cm = Be64::of(cookie.mask);
            out_.insert(out_.end(), c.b, c.b + 8);
            if (h.hasmask)
                out_.insert(out_.end(), cm.b, cm.b + 8);
        }

        if (default_pt && !implied_ethernet_) {
            Bytes pt;
            std::swap(pt, out_);
            const Be32 zero{};
            put(FieldId::packet_type, zero.b, nullptr, 4);
            out_.insert(out_.end(), pt.begin(), pt.end());
        }
        return std::move(out_);
    }

private:
    const Match& m_;
    const Flow& f_;
    const Flow& w_;
    uint8_t v_;
    Bytes out_;
    bool implied_ethernet_ = false;
};

uint32_t rd32(const uint8_t* p)
{
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

[[noreturn]] void err(NxmErr e, const std::string& what)
{
    throw NxmError(e, std::string(nxm_err_name(e)) + ": " + what);
}

// One pulled entry.
struct Entry {
    Hdr h;
    const FieldDesc* field = nullptr;  // null: unknown (or the cookie)
    bool cookie = false;
    Value value, mask;
    uint8_t raw_value[128] = {}, raw_mask[128] = {};
};

// Reads the header at p (n bytes left).  Returns false (and sets *e) on a
// short or inconsistent header.
bool read_header(const uint8_t* p, size_t n, Hdr& h)
{
    if (n < 4)
        return false;
    const uint32_t w = rd32(p);
    h.cls = static_cast<uint16_t>(w >> 16);
    h.field = static_cast<uint8_t>(w >> 9 & 0x7f);
    h.hasmask = w >> 8 & 1;
    h.length = static_cast<uint8_t>(w);
    if (h.cls == kClassExperimenter) {
        if (n < 8)
            return false;
        h.experimenter = rd32(p + 4);
    }
    return h.length >= h.exp_len();
}

const FieldDesc* lookup(const Hdr& h)
{
    const FieldDesc* f = field_by_header(h.cls, h.field, h.experimenter);
    if (!f)
        return nullptr;
    // The length must be the field's (exact-equivalent) length.
    const size_t exact_len = (h.hasmask ? h.payload_len() / 2 : h.payload_len()) + h.exp_len();
    if (exact_len != f->n_bytes + h.exp_len())
        return nullptr;
    return f;
}

// Pulls one entry from b[*off..]; throws on errors other than an unknown
// field, which is reported through entry.field == null.
Entry pull_entry(ByteView b, size_t& off, bool allow_cookie)
{
    Entry e;
    if (!read_header(b.data() + off, b.size() - off, e.h))
        err(NxmErr::bad_len, "partial or invalid NXM/OXM header at offset " + std::to_string(off));
    off += e.h.header_len();
    e.field = lookup(e.h);
    if (!e.field && allow_cookie && e.h.cls == kNxmCookieClass && e.h.field == kNxmCookieField &&
        e.h.length == (e.h.hasmask ? 16 : 8))
        e.cookie = true;
    const size_t plen = e.h.payload_len();
    if (b.size() - off < plen)
        err(NxmErr::bad_len, "header at offset " + std::to_string(off - e.h.header_len()) +
                                 " calls for " + std::to_string(plen) + " payload bytes");
    const uint8_t* payload = b.data() + off;
    off += plen;
    const size_t width = e.h.value_len();
    if (e.h.hasmask)
        for (size_t i = 0; i < width; ++i)
            if (payload[i] & ~payload[width + i])
                err(NxmErr::bad_wildcards, "1-bits in the value for bits wildcarded by the mask");
    const size_t copy = std::min<size_t>(width, sizeof e.raw_value);
    std::memcpy(e.raw_value, payload, copy);
    if (e.h.hasmask)
        std::memcpy(e.raw_mask, payload + width, copy);
    else
        std::memset(e.raw_mask, 0xff, copy);
    if (e.field) {
        std::memcpy(e.value.b, payload, e.field->n_bytes);
        if (e.h.hasmask)
            std::memcpy(e.mask.b, payload + width, e.field->n_bytes);
        else
            e.mask = Value::all_ones(e.field->n_bytes);
    }
    return e;
}

std::string header_text(const Hdr& h)
{
    const FieldDesc* f = lookup(h);
    if (f) {
        for (const OxmHeader& oh : f->headers)
            if (oh.present && oh.oxm_class == h.cls && oh.oxm_field == h.field &&
                oh.experimenter == h.experimenter)
                return std::string(oh.name) + (h.hasmask ? "_W" : "");
    }
    if (h.cls == kNxmCookieClass && h.field == kNxmCookieField && h.length == (h.hasmask ? 16 : 8))
        return h.hasmask ? "NXM_NX_COOKIE_W" : "NXM_NX_COOKIE";
    return std::to_string(h.cls) + ":" + std::to_string(h.field);
}

int hexit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads pairs of hex digits (spaces allowed between pairs) into b.
size_t put_hex(std::string_view s, size_t i, Bytes& b, size_t& n)
{
    n = 0;
    for (;;) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        if (i + 1 >= s.size() || hexit(s[i]) < 0 || hexit(s[i + 1]) < 0)
            return i;
        b.push_back(static_cast<uint8_t>(hexit(s[i]) << 4 | hexit(s[i + 1])));
        i += 2;
        ++n;
    }
}

}  // namespace

const char* nxm_err_name(NxmErr e)
{
    switch (e) {
    case NxmErr::bad_len: return "OFPBMC_BAD_LEN";
    case NxmErr::bad_field: return "OFPBMC_BAD_FIELD";
    case NxmErr::bad_wildcards: return "OFPBMC_BAD_WILDCARDS";
    case NxmErr::bad_mask: return "OFPBMC_BAD_MASK";
    case NxmErr::bad_value: return "OFPBMC_BAD_VALUE";
    case NxmErr::bad_prereq: return "OFPBMC_BAD_PREREQ";
    case NxmErr::dup_field: return "OFPBMC_DUP_FIELD";
    case NxmErr::bad_type: return "OFPBMC_BAD_TYPE";
    }
    return "?";
}

dpif::Bytes nxm_encode(const Match& match, uint8_t of_version, NxmCookie cookie)
{
    return Encoder(match, of_version).run(cookie);
}

Match nxm_decode(dpif::ByteView b, bool strict, NxmCookie* cookie)
{
    Match m;
    if (cookie)
        *cookie = NxmCookie{};
    size_t off = 0;
    while (off < b.size()) {
        const size_t at = off;
        Entry e = pull_entry(b, off, cookie != nullptr);
        if (e.cookie) {
            if (cookie->mask)
                err(NxmErr::dup_field, "cookie given twice");
            Value c, cm;
            std::memcpy(c.b, e.raw_value, 8);
            std::memcpy(cm.b, e.raw_mask, 8);
            cookie->cookie = c.to_uint(8);
            cookie->mask = cm.to_uint(8);
            continue;
        }
        if (!e.field) {
            if (!strict)
                continue;
            err(NxmErr::bad_field, "unknown field " + header_text(e.h) + " at offset " +
                                       std::to_string(at));
        }
        const FieldDesc& f = *e.field;
        if (!is_mask_valid(f.id, e.mask))
            err(NxmErr::bad_mask, "bad mask for field " + std::string(f.name));
        if (!is_value_valid(f.id, e.value))
            err(NxmErr::bad_value, "bad value for field " + std::string(f.name));
        if (strict && !m.prereqs_ok(f.id))
            err(NxmErr::bad_prereq, "prerequisites of field " + std::string(f.name) + " not met");
        if (!m.is_wild(f.id))
            err(NxmErr::dup_field, "field " + std::string(f.name) + " given twice");
        m.set_masked(f.id, e.value, e.mask);
        if (f.prereq != Prereq::none && m.is_wild(FieldId::packet_type))
            m.set_uint(FieldId::packet_type, kPacketTypeEthernet);
    }
    return m;
}

dpif::Bytes oxm_match_encode(const Match& match, uint8_t of_version)
{
    Bytes entries = nxm_encode(match, of_version);
    Bytes out;
    const size_t len = 4 + entries.size();
    out.push_back(0);
    out.push_back(1);  // OFPMT_OXM
    out.push_back(static_cast<uint8_t>(len >> 8));
    out.push_back(static_cast<uint8_t>(len));
    out.insert(out.end(), entries.begin(), entries.end());
    out.resize((len + 7) / 8 * 8, 0);
    return out;
}

Match oxm_match_decode(dpif::ByteView b, bool strict, size_t* consumed)
{
    if (b.size() < 4)
        err(NxmErr::bad_len, "ofp_match shorter than its header");
    const uint16_t type = static_cast<uint16_t>(b[0] << 8 | b[1]);
    const uint16_t len = static_cast<uint16_t>(b[2] << 8 | b[3]);
    if (type != 1)
        err(NxmErr::bad_type, "ofp_match type " + std::to_string(type) + " is not OXM");
    if (len < 4 || size_t{len} > b.size())
        err(NxmErr::bad_len, "ofp_match length " + std::to_string(len));
    const size_t padded = (size_t{len} + 7) / 8 * 8;
    if (padded > b.size())
        err(NxmErr::bad_len, "ofp_match padding runs past the message");
    if (consumed)
        *consumed = padded;
    return nxm_decode(b.subspan(4, len - 4), strict, nullptr);
}

std::string nxm_to_string(dpif::ByteView b)
{
    if (b.empty())
        return "<any>";
    std::string s;
    size_t off = 0;
    while (off < b.size()) {
        Entry e;
        const size_t at = off;
        try {
            e = pull_entry(b, off, true);
        } catch (const NxmError&) {
            off = at;
            break;
        }
        if (!s.empty())
            s += ", ";
        s += header_text(e.h) + "(";
        const size_t n = std::min<size_t>(e.h.value_len(), sizeof e.raw_value);
        char buf[4];
        for (size_t i = 0; i < n; ++i) {
            std::snprintf(buf, sizeof buf, "%02x", e.raw_value[i]);
            s += buf;
        }
        if (e.h.hasmask) {
            s += "/";
            for (size_t i = 0; i < n; ++i) {
                std::snprintf(buf, sizeof buf, "%02x", e.raw_mask[i]);
                s += buf;
            }
        }
        s += ")";
    }
    if (off < b.size()) {
        if (!s.empty())
            s += ", ";
        s += "<" + std::to_string(b.size() - off) + " invalid bytes>";
    }
    return s;
}

dpif::Bytes nxm_from_string(std::string_view s)
{
    Bytes b;
    if (s == "<any>")
        return b;
    const std::string full(s);
    size_t i = 0;
    auto skip = [&](const char* set) {
        while (i < s.size() && std::strchr(set, s[i]))
            ++i;
    };
    for (skip(", "); i < s.size(); skip(", ")) {
        const size_t paren = s.find('(', i);
        if (paren == std::string_view::npos)
            throw Error(full + ": missing ( at end of nx_match");
        std::string_view name = s.substr(i, paren - i);
        Hdr h;
        bool known = false;
        std::string_view base = name;
        const bool wild = base.size() > 2 && base.substr(base.size() - 2) == "_W";
        if (wild)
            base.remove_suffix(2);
        if (auto nh = header_by_name(base)) {
            if (!wild || nh->field->maskable != Maskable::none) {
                h.cls = nh->header.oxm_class;
                h.field = nh->header.oxm_field;
                h.experimenter = nh->header.experimenter;
                h.hasmask = wild;
                h.length = static_cast<uint8_t>(nh->field->n_bytes * (wild ? 2 : 1) + h.exp_len());
                known = true;
            }
        }
        if (!known && (name == "NXM_NX_COOKIE" || name == "NXM_NX_COOKIE_W")) {
            h.cls = kNxmCookieClass;
            h.field = kNxmCookieField;
            h.hasmask = name.size() > 13;
            h.length = h.hasmask ? 16 : 8;
            known = true;
        }
        if (!known && (name.size() == 8 || name.size() == 16)) {
            // A header written as hex (for testing error handling).
            uint64_t v = 0;
            bool ok = true;
            for (char c : name) {
                if (hexit(c) < 0)
                    ok = false;
                v = v << 4 | static_cast<uint64_t>(std::max(0, hexit(c)));
            }
            if (ok && name.size() == 8) {
                known = true;
                h.cls = static_cast<uint16_t>(v >> 16);
                h.field = static_cast<uint8_t>(v >> 9 & 0x7f);
                h.hasmask = v >> 8 & 1;
                h.length = static_cast<uint8_t>(v);
                if (h.cls == kClassExperimenter)
                    known = false;
            } else if (ok && (v >> 48) == kClassExperimenter) {
                known = true;
                h.cls = kClassExperimenter;
                h.field = static_cast<uint8_t>(v >> 41 & 0x7f);
                h.hasmask = v >> 40 & 1;
                h.length = static_cast<uint8_t>(v >> 32);
                h.experimenter = static_cast<uint32_t>(v);
            }
        }
        if (!known)
            throw Error(full + ": unknown field `" + std::string(name) + "'");
        i = paren + 1;
        const size_t hdr_at = b.size();
        put_header(b, h);
        size_t n = 0;
        i = put_hex(s, i, b, n);
        if (n != h.value_len())
            throw Error("expected to read " + std::to_string(h.value_len()) + " bytes but got " +
                        std::to_string(n));
        (void)hdr_at;
        if (h.hasmask) {
            skip(" ");
            if (i >= s.size() || s[i] != '/')
                throw Error(full + ": missing / in masked field " + std::string(name));
            i = put_hex(s, i + 1, b, n);
            if (n != h.value_len())
                throw Error(std::string(s.substr(i, 2)) + ": hex digits expected");
        }
        skip(" ");
        if (i >= s.size() || s[i] != ')')
            throw Error(full + ": missing ) following field " + std::string(name));
        ++i;
    }
    return b;
}

}  // namespace mf
