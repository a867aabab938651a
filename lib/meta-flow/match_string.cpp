#include "meta-flow/match_string.hpp"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "meta-flow/error.hpp"
#include "meta-flow/field_string.hpp"
#include "meta-flow/ports.hpp"
#include "meta-flow/subfield.hpp"

namespace mf {

namespace {

bool is_delim(char c, const char* delims) { return c && std::strchr(delims, c); }

// Length of a value up to one of `delims`, stepping over parenthesised
// groups (which may contain delimiters).
size_t value_length(std::string_view s, size_t from, const char* delims)
{
    size_t n = from;
    while (n < s.size() && !is_delim(s[n], delims)) {
        if (s[n] == '(') {
            int level = 0;
            do {
                if (n >= s.size())
                    return n;
                if (s[n] == '(')
                    ++level;
                else if (s[n] == ')')
                    --level;
                ++n;
            } while (level > 0);
        } else {
            ++n;
        }
    }
    return n;
}

struct Protocol {
    const char* name;
    uint16_t eth_type;
    uint8_t nw_proto;
};
constexpr Protocol kProtocols[] = {
    {"ip", kEthTypeIp, 0},         {"ipv4", kEthTypeIp, 0},       {"ip4", kEthTypeIp, 0},
    {"arp", kEthTypeArp, 0},       {"icmp", kEthTypeIp, kIpProtoIcmp},
    {"tcp", kEthTypeIp, kIpProtoTcp}, {"udp", kEthTypeIp, kIpProtoUdp},
    {"sctp", kEthTypeIp, kIpProtoSctp}, {"ipv6", kEthTypeIpv6, 0}, {"ip6", kEthTypeIpv6, 0},
    {"icmp6", kEthTypeIpv6, kIpProtoIcmpv6}, {"tcp6", kEthTypeIpv6, kIpProtoTcp},
    {"udp6", kEthTypeIpv6, kIpProtoUdp}, {"sctp6", kEthTypeIpv6, kIpProtoSctp},
    {"rarp", kEthTypeRarp, 0},     {"mpls", kEthTypeMpls, 0},    {"mplsm", kEthTypeMplsMcast, 0},
};

void set_default_packet_type(Match& m)
{
    if (m.is_wild(FieldId::packet_type))
        m.set_uint(FieldId::packet_type, kPacketTypeEthernet);
}

// Open vSwitch's mf_set(): exact, wild or masked.
void set_parsed(Match& m, FieldId id, const ValueMask& vm)
{
    m.set_masked(id, vm.value, vm.mask);
    if (field(id).prereq != Prereq::none)
        set_default_packet_type(m);
}

void parse_subfield_token(Match& m, std::string_view key, std::string_view value)
{
    const Subfield sf = parse_subfield(key);
    const FieldDesc& f = field(sf.field);
    Value v;
    size_t end = 0;
    if (parse_int_string(value, v.b, f.n_bytes, &end) || end != value.size())
        throw Error(std::string(key) + ": cannot parse integer value: " + std::string(value));
    // The value must fit in the subfield's width.
    for (unsigned bit = sf.n_bits; bit < 8u * f.n_bytes; ++bit)
        if (v.b[f.n_bytes - 1 - bit / 8] >> (bit % 8) & 1)
            throw Error(std::string(key) + ": value " + format_field_value(sf.field, v) +
                        " does not fit into " + std::to_string(sf.n_bits) + " bits");
    Value value_now = m.value(sf.field), mask_now = m.mask(sf.field);
    for (unsigned i = 0; i < sf.n_bits; ++i) {
        const unsigned to = sf.ofs + i;
        uint8_t& vb = value_now.b[f.n_bytes - 1 - to / 8];
        const uint8_t bm = static_cast<uint8_t>(1u << (to % 8));
        const bool on = v.b[f.n_bytes - 1 - i / 8] >> (i % 8) & 1;
        vb = static_cast<uint8_t>(on ? vb | bm : vb & ~bm);
        mask_now.b[f.n_bytes - 1 - to / 8] |= bm;
    }
    if (f.maskable == Maskable::none && !mask_now.is_all_ones(f.n_bytes) &&
        !mask_now.is_zero(f.n_bytes)) {
        // Open vSwitch takes this and then finds no protocol can express it.
        throw Error(std::string(key) + ": field " + std::string(f.name) +
                    " cannot be matched bit by bit (it takes no mask)");
    }
    m.set_masked(sf.field, value_now, mask_now);
    if (f.prereq != Prereq::none)
        set_default_packet_type(m);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> split_key_values(std::string_view s)
{
    std::vector<std::pair<std::string, std::string>> out;
    size_t i = 0;
    for (;;) {
        while (i < s.size() && is_delim(s[i], ", \t\r\n"))
            ++i;
        if (i >= s.size())
            break;
        size_t k = i;
        while (k < s.size() && !is_delim(s[k], ":=(, \t\r\n"))
            ++k;
        std::string key(s.substr(i, k - i));
        const char delim = k < s.size() ? s[k] : '\0';
        i = k + (delim ? 1 : 0);
        if (delim != ':' && delim != '=' && delim != '(') {
            out.emplace_back(std::move(key), std::string());
            continue;
        }
        const char* delims = delim == '(' ? ")" : ", \t\r\n";
        size_t e = value_length(s, i, delims);
        if (delim == '(' && e + 2 < s.size() && s[e] == ')' && s[e + 1] == '-' && s[e + 2] == '>')
            e = value_length(s, e, ", \t\r\n");
        out.emplace_back(std::move(key), std::string(s.substr(i, e - i)));
        i = e + (e < s.size() ? 1 : 0);
    }
    return out;
}

bool parse_match_token(Match& m, std::string_view key, std::string_view value)
{
    for (const Protocol& p : kProtocols)
        if (key == p.name) {
            m.set_uint(FieldId::eth_type, p.eth_type);
            if (p.nw_proto)
                m.set_uint(FieldId::ip_proto, p.nw_proto);
            set_default_packet_type(m);
            return true;
        }
    if (key == "eth") {
        m.set_uint(FieldId::packet_type, kPacketTypeEthernet);
        return true;
    }
    if (key == "no_readonly_table" || key == "allow_hidden_fields")
        return true;
    if (const FieldDesc* f = field_by_name(key)) {
        set_parsed(m, f->id, parse_field_value(f->id, value.empty() ? "0/0" : value));
        return true;
    }
    if (key.find('[') != std::string_view::npos) {
        parse_subfield_token(m, key, value);
        return true;
    }
    return false;
}

void finish_match(Match& m)
{
    // A packet type (1, ethertype) names the EtherType too.
    if (m.is_exact(FieldId::packet_type) && (m.flow().packet_type.get() >> 16) == kPacketTypeNsEthertype &&
        m.is_exact(FieldId::eth_type))
        m.set_uint(FieldId::eth_type, m.flow().packet_type.get() & 0xffff);
}

Match parse_match(std::string_view s)
{
    Match m;
    for (const auto& [k, v] : split_key_values(s)) {
        if (parse_match_token(m, k, v))
            continue;
        if (v.empty())
            throw Error("field " + k + " missing value");
        throw Error("unknown keyword " + k);
    }
    finish_match(m);
    return m;
}

// ---- formatting -----------------------------------------------------------------

namespace {

class Out {
public:
    void put(const std::string& s) { s_ += s; s_ += ','; }
    void raw(const std::string& s) { s_ += s; }
    std::string take()
    {
        if (!s_.empty() && s_.back() == ',')
            s_.pop_back();
        return std::move(s_);
    }

private:
    std::string s_;
};

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

// The "%#x" forms: "0" for zero, else 0x...
void u32_hex_masked(Out& o, const char* name, uint32_t v, uint32_t m)
{
    if (!m)
        return;
    std::string s = fmt("%s=%#" PRIx32, name, v);
    if (m != UINT32_MAX)
        s += fmt("/%#" PRIx32, m);
    o.put(s);
}

void u64_hex_masked(Out& o, const char* name, uint64_t v, uint64_t m)
{
    if (!m)
        return;
    std::string s = fmt("%s=%#" PRIx64, name, v);
    if (m != UINT64_MAX)
        s += fmt("/%#" PRIx64, m);
    o.put(s);
}

void be16_masked(Out& o, const char* name, uint16_t v, uint16_t m)
{
    if (!m)
        return;
    if (m == 0xffff)
        o.put(fmt("%s=%" PRIu16, name, v));
    else
        o.put(fmt("%s=0x%" PRIx16 "/0x%" PRIx16, name, v, m));
}

void u16_masked(Out& o, const char* name, uint16_t v, uint16_t m) { be16_masked(o, name, v, m); }

void be32_masked(Out& o, const char* name, uint32_t v, uint32_t m)
{
    if (!m)
        return;
    if (m == UINT32_MAX)
        o.put(fmt("%s=%" PRIu32, name, v));
    else
        o.put(fmt("%s=0x%08" PRIx32 "/0x%08" PRIx32, name, v, m));
}

void ip_masked(Out& o, const char* name, const Match& m, FieldId id)
{
    const Value mask = m.mask(id);
    if (mask.is_zero(4))
        return;
    o.put(std::string(name) + "=" + format_field_value(id, m.value(id), &mask));
}

void wide_masked(Out& o, const char* name, const Match& m, FieldId id)
{
    const size_t n = field(id).n_bytes;
    const Value mask = m.mask(id);
    if (mask.is_zero(n))
        return;
    o.put(std::string(name) + "=" + format_field_value(id, m.value(id), &mask));
}

}  // namespace

std::string format_match(const Match& match, int priority)
{
    const Flow& f = match.flow();
    const Flow& w = match.mask();
    Out o;
    if (priority != kDefaultPriority)
        o.put(fmt("priority=%d", priority));

    u32_hex_masked(o, "pkt_mark", f.pkt_mark.get(), w.pkt_mark.get());
    bool megaflow = false;
    if (!w.recirc_id.is_zero()) {
        u32_hex_masked(o, "recirc_id", f.recirc_id.get(), w.recirc_id.get());
        megaflow = true;
    }
    u32_hex_masked(o, "dp_hash", f.dp_hash.get(), w.dp_hash.get());
    if (!w.skb_priority.is_zero())
        o.put(fmt("skb_priority=%#" PRIx32, f.skb_priority.get()));

    const uint32_t cs = f.ct_state.get() & 0xff, csm = w.ct_state.get() & 0xff;
    if (csm) {
        if (csm == 0xff)
            o.put("ct_state=" + format_flags(cs, ct_state_name, '|'));
        else
            o.put("ct_state=" + format_flags_masked(cs, csm, 0xff, ct_state_name));
    }
    u16_masked(o, "ct_zone", f.ct_zone.get(), w.ct_zone.get());
    u32_hex_masked(o, "ct_mark", f.ct_mark.get(), w.ct_mark.get());
    if (!w.ct_label.is_zero()) {
        std::string s = "ct_label=" + format_hex_compact(f.ct_label.b, 16);
        Value lm = match.mask(FieldId::ct_label);
        if (!lm.is_all_ones(16))
            s += "/" + format_hex_compact(w.ct_label.b, 16);
        o.put(s);
    }

    uint16_t dl_type = f.eth_type.get();
    const uint32_t pt = f.packet_type.get(), ptm = w.packet_type.get();
    const bool default_pt = pt == kPacketTypeEthernet && ptm == UINT32_MAX;
    if (ptm && (!default_pt || megaflow)) {
        if (default_pt) {
            o.put("eth");
        } else {
            const Value ptmask = match.mask(FieldId::packet_type);
            o.put("packet_type=" + format_field_value(FieldId::packet_type,
                                                      match.value(FieldId::packet_type), &ptmask));
        }
        if ((pt >> 16) == kPacketTypeNsEthertype)
            dl_type = static_cast<uint16_t>(pt);
    }

    bool skip_type = false, skip_proto = false;
    if (!w.eth_type.is_zero()) {
        skip_type = true;
        const bool proto = w.nw_proto != 0;
        if (dl_type == kEthTypeIp || dl_type == kEthTypeIpv6) {
            const bool v6 = dl_type == kEthTypeIpv6;
            const char* name = v6 ? "ipv6" : "ip";
            if (proto) {
                skip_proto = true;
                switch (f.nw_proto) {
                case kIpProtoIcmp: name = v6 ? nullptr : "icmp"; break;
                case kIpProtoIcmpv6: name = v6 ? "icmp6" : nullptr; break;
                case kIpProtoTcp: name = v6 ? "tcp6" : "tcp"; break;
                case kIpProtoUdp: name = v6 ? "udp6" : "udp"; break;
                case kIpProtoSctp: name = v6 ? "sctp6" : "sctp"; break;
                default: name = nullptr; break;
                }
                if (!name) {
                    name = v6 ? "ipv6" : "ip";
                    skip_proto = false;
                }
            }
            o.put(name);
        } else if (dl_type == kEthTypeArp) {
            o.put("arp");
        } else if (dl_type == kEthTypeRarp) {
            o.put("rarp");
        } else if (dl_type == kEthTypeMpls) {
            o.put("mpls");
        } else if (dl_type == kEthTypeMplsMcast) {
            o.put("mplsm");
        } else {
            skip_type = false;
        }
    }

    for (int i = 0; i < kNumRegs; ++i)
        u32_hex_masked(o, ("reg" + std::to_string(i)).c_str(), f.regs[i].get(), w.regs[i].get());

    // Tunnel.
    u64_hex_masked(o, "tun_id", f.tun_id.get(), w.tun_id.get());
    ip_masked(o, "tun_src", match, FieldId::tun_src);
    ip_masked(o, "tun_dst", match, FieldId::tun_dst);
    wide_masked(o, "tun_ipv6_src", match, FieldId::tun_ipv6_src);
    wide_masked(o, "tun_ipv6_dst", match, FieldId::tun_ipv6_dst);
    if (w.tun_tos)  // (Open vSwitch prints this one in hex without "0x", and reads decimal)
        o.put(fmt("tun_tos=%" PRIu8, f.tun_tos));
    if (w.tun_ttl)
        o.put(fmt("tun_ttl=%" PRIu8, f.tun_ttl));
    constexpr uint32_t kTunFlagsAll = 0xf;
    if (w.tun_flags.get() & kTunFlagsAll)
        o.put("tun_flags=" + format_flags_masked(f.tun_flags.get() & kTunFlagsAll,
                                                 w.tun_flags.get() & kTunFlagsAll, kTunFlagsAll,
                                                 tun_flag_name));

    u64_hex_masked(o, "metadata", f.metadata.get(), w.metadata.get());

    if (w.in_port.get() & 0xffff)
        o.put("in_port=" + format_ofp_port(static_cast<uint16_t>(f.in_port.get())));

    for (int i = 0; i < kMaxVlans; ++i) {
        const uint16_t tci = f.vlans[i].tci.get(), m = w.vlans[i].tci.get();
        if (!m)
            break;
        const std::string suffix = i ? std::to_string(i) : "";
        const uint16_t vid_mask = m & kVlanVidMask, pcp_mask = m & kVlanPcpMask;
        if ((m & kVlanCfi) && (tci & kVlanCfi) && (!vid_mask || vid_mask == kVlanVidMask) &&
            (!pcp_mask || pcp_mask == kVlanPcpMask) && (vid_mask || pcp_mask)) {
            if (vid_mask)
                o.put(fmt("dl_vlan%s=%u", suffix.c_str(), tci & kVlanVidMask));
            if (pcp_mask)
                o.put(fmt("dl_vlan_pcp%s=%u", suffix.c_str(), tci >> kVlanPcpShift));
        } else if (m == 0xffff) {
            o.put(fmt("vlan_tci%s=0x%04" PRIx16, suffix.c_str(), tci));
        } else {
            o.put(fmt("vlan_tci%s=0x%04" PRIx16 "/0x%04" PRIx16, suffix.c_str(), tci, m));
        }
    }

    wide_masked(o, "dl_src", match, FieldId::eth_src);
    wide_masked(o, "dl_dst", match, FieldId::eth_dst);

    if (!skip_type && !w.eth_type.is_zero())
        o.put(fmt("dl_type=0x%04" PRIx16, dl_type));

    const bool arp = dl_type == kEthTypeArp || dl_type == kEthTypeRarp;
    if (dl_type == kEthTypeIpv6) {
        wide_masked(o, "ipv6_src", match, FieldId::ipv6_src);
        wide_masked(o, "ipv6_dst", match, FieldId::ipv6_dst);
        if (!w.ipv6_label.is_zero()) {
            if (w.ipv6_label.get() == UINT32_MAX)
                o.put(fmt("ipv6_label=0x%05" PRIx32, f.ipv6_label.get()));
            else
                o.put(fmt("ipv6_label=0x%05" PRIx32 "/0x%05" PRIx32, f.ipv6_label.get(),
                          w.ipv6_label.get()));
        }
    } else if (arp) {
        ip_masked(o, "arp_spa", match, FieldId::arp_spa);
        ip_masked(o, "arp_tpa", match, FieldId::arp_tpa);
    } else {
        ip_masked(o, "nw_src", match, FieldId::ipv4_src);
        ip_masked(o, "nw_dst", match, FieldId::ipv4_dst);
    }
    if (!skip_proto && w.nw_proto)
        o.put(fmt(arp ? "arp_op=%u" : "nw_proto=%u", f.nw_proto));
    if (arp) {
        wide_masked(o, "arp_sha", match, FieldId::arp_sha);
        wide_masked(o, "arp_tha", match, FieldId::arp_tha);
    }
    if (w.nw_tos & kIpDscpMask)
        o.put(fmt("nw_tos=%d", f.nw_tos & kIpDscpMask));
    if (w.nw_tos & kIpEcnMask)
        o.put(fmt("nw_ecn=%d", f.nw_tos & kIpEcnMask));
    if (w.nw_ttl)
        o.put(fmt("nw_ttl=%d", f.nw_ttl));

    const uint32_t lse = f.mpls_lse[0].get(), lsem = w.mpls_lse[0].get();
    if (lsem & kMplsLabelMask)
        o.put(fmt("mpls_label=%" PRIu32, (lse & kMplsLabelMask) >> kMplsLabelShift));
    if (lsem & kMplsTcMask)
        o.put(fmt("mpls_tc=%" PRIu32, (lse & kMplsTcMask) >> kMplsTcShift));
    if (lsem & kMplsTtlMask)
        o.put(fmt("mpls_ttl=%" PRIu32, lse & kMplsTtlMask));
    if (lsem & kMplsBosMask)
        o.put(fmt("mpls_bos=%" PRIu32, (lse & kMplsBosMask) >> kMplsBosShift));
    be32_masked(o, "mpls_lse1", f.mpls_lse[1].get(), w.mpls_lse[1].get());
    be32_masked(o, "mpls_lse2", f.mpls_lse[2].get(), w.mpls_lse[2].get());

    switch (w.nw_frag & kFragMask) {
    case kFragAny | kFragLater:
        o.put(std::string("nw_frag=") +
              ((f.nw_frag & kFragAny) ? ((f.nw_frag & kFragLater) ? "later" : "first")
                                       : ((f.nw_frag & kFragLater) ? "<error>" : "no")));
        break;
    case kFragAny:
        o.put(std::string("nw_frag=") + ((f.nw_frag & kFragAny) ? "yes" : "no"));
        break;
    case kFragLater:
        o.put(std::string("nw_frag=") + ((f.nw_frag & kFragLater) ? "later" : "not_later"));
        break;
    }

    if (dl_type == kEthTypeIp && f.nw_proto == kIpProtoIcmp) {
        be16_masked(o, "icmp_type", f.tp_src.get(), w.tp_src.get());
        be16_masked(o, "icmp_code", f.tp_dst.get(), w.tp_dst.get());
    } else if (dl_type == kEthTypeIpv6 && f.nw_proto == kIpProtoIcmpv6) {
        be16_masked(o, "icmp_type", f.tp_src.get(), w.tp_src.get());
        be16_masked(o, "icmp_code", f.tp_dst.get(), w.tp_dst.get());
        wide_masked(o, "nd_target", match, FieldId::nd_target);
        wide_masked(o, "nd_sll", match, FieldId::nd_sll);
        wide_masked(o, "nd_tll", match, FieldId::nd_tll);
    } else {
        be16_masked(o, "tp_src", f.tp_src.get(), w.tp_src.get());
        be16_masked(o, "tp_dst", f.tp_dst.get(), w.tp_dst.get());
    }
    if ((dl_type == kEthTypeIp || dl_type == kEthTypeIpv6) && f.nw_proto == kIpProtoTcp &&
        !w.tcp_flags.is_zero())
        o.put("tcp_flags=" + format_flags_masked(f.tcp_flags.get(),
                                                 w.tcp_flags.get() & kTcpFlagsMask, kTcpFlagsMask,
                                                 tcp_flag_name));
    return o.take();
}

}  // namespace mf
