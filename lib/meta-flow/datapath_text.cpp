#include "meta-flow/datapath_text.hpp"

#include <linux/openvswitch.h>

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "dpif/error.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/error.hpp"
#include "meta-flow/field_string.hpp"

namespace mf {

namespace {

using dpif::Attr;
using dpif::ByteView;

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

bool all(const uint8_t* p, size_t n, uint8_t v)
{
    for (size_t i = 0; i < n; ++i)
        if (p[i] != v)
            return false;
    return true;
}

uint64_t be(const uint8_t* p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v = v << 8 | p[i];
    return v;
}

// Fields of one attribute: "name=value[/mask]," unless the mask is zero.
class Fields {
public:
    Fields(const uint8_t* k, const uint8_t* m) : k_(k), m_(m) {}

    bool skip(size_t off, size_t n) const { return m_ && all(m_ + off, n, 0); }
    bool exact(size_t off, size_t n) const { return !m_ || all(m_ + off, n, 0xff); }

    void dec(const char* name, size_t off, size_t n)
    {
        if (skip(off, n))
            return;
        s_ += fmt("%s=%" PRIu64, name, be(k_ + off, n));
        if (!exact(off, n))
            s_ += fmt("/%#" PRIx64, be(m_ + off, n));
        s_ += ',';
    }
    void hex(const char* name, size_t off, size_t n)
    {
        if (skip(off, n))
            return;
        s_ += fmt("%s=%#" PRIx64, name, be(k_ + off, n));
        if (!exact(off, n))
            s_ += fmt("/%#" PRIx64, be(m_ + off, n));
        s_ += ',';
    }
    void ipv4(const char* name, size_t off)
    {
        if (skip(off, 4))
            return;
        Be32 a;
        std::memcpy(a.b, k_ + off, 4);
        s_ += std::string(name) + "=" + format_ipv4(a);
        if (!exact(off, 4)) {
            std::memcpy(a.b, m_ + off, 4);
            s_ += "/" + format_ipv4(a);
        }
        s_ += ',';
    }
    void ipv6(const char* name, size_t off)
    {
        if (skip(off, 16))
            return;
        In6 a;
        std::memcpy(a.b, k_ + off, 16);
        s_ += std::string(name) + "=" + format_ipv6(a);
        if (!exact(off, 16)) {
            std::memcpy(a.b, m_ + off, 16);
            s_ += "/" + format_ipv6(a);
        }
        s_ += ',';
    }
    void eth(const char* name, size_t off)
    {
        if (skip(off, 6))
            return;
        Mac a;
        std::memcpy(a.b, k_ + off, 6);
        s_ += std::string(name) + "=" + format_mac(a);
        if (!exact(off, 6)) {
            std::memcpy(a.b, m_ + off, 6);
            s_ += "/" + format_mac(a);
        }
        s_ += ',';
    }
    void frag(size_t off)
    {
        if (skip(off, 1))
            return;
        if (!exact(off, 1)) {
            s_ += fmt("error: partial mask not supported for frag (%#x),", m_[off]);
            return;
        }
        static const char* names[] = {"no", "first", "later"};
        const uint8_t v = k_[off];
        s_ += std::string("frag=") + (v < 3 ? names[v] : "<error>") + ",";
    }
    void raw(const std::string& x) { s_ += x; }
    std::string take()
    {
        if (!s_.empty() && s_.back() == ',')
            s_.pop_back();
        return std::move(s_);
    }

private:
    const uint8_t* k_;
    const uint8_t* m_;
    std::string s_;
};

const char* attr_name(uint16_t t)
{
    switch (t) {
    case OVS_KEY_ATTR_ENCAP: return "encap";
    case OVS_KEY_ATTR_PRIORITY: return "skb_priority";
    case OVS_KEY_ATTR_IN_PORT: return "in_port";
    case OVS_KEY_ATTR_ETHERNET: return "eth";
    case OVS_KEY_ATTR_VLAN: return "vlan";
    case OVS_KEY_ATTR_ETHERTYPE: return "eth_type";
    case OVS_KEY_ATTR_IPV4: return "ipv4";
    case OVS_KEY_ATTR_IPV6: return "ipv6";
    case OVS_KEY_ATTR_TCP: return "tcp";
    case OVS_KEY_ATTR_UDP: return "udp";
    case OVS_KEY_ATTR_ICMP: return "icmp";
    case OVS_KEY_ATTR_ICMPV6: return "icmpv6";
    case OVS_KEY_ATTR_ARP: return "arp";
    case OVS_KEY_ATTR_ND: return "nd";
    case OVS_KEY_ATTR_SKB_MARK: return "skb_mark";
    case OVS_KEY_ATTR_TUNNEL: return "tunnel";
    case OVS_KEY_ATTR_SCTP: return "sctp";
    case OVS_KEY_ATTR_TCP_FLAGS: return "tcp_flags";
    case OVS_KEY_ATTR_DP_HASH: return "dp_hash";
    case OVS_KEY_ATTR_RECIRC_ID: return "recirc_id";
    case OVS_KEY_ATTR_MPLS: return "mpls";
    case OVS_KEY_ATTR_CT_STATE: return "ct_state";
    case OVS_KEY_ATTR_CT_ZONE: return "ct_zone";
    case OVS_KEY_ATTR_CT_MARK: return "ct_mark";
    case OVS_KEY_ATTR_CT_LABELS: return "ct_label";
    case OVS_KEY_ATTR_PACKET_TYPE: return "packet_type";
    default: return nullptr;
    }
}

std::vector<Attr> split(ByteView b)
{
    try {
        return dpif::parse_attrs(b);
    } catch (const dpif::Error& e) {
        throw Error(std::string("datapath flow key: ") + e.what());
    }
}

const Attr* find(const std::vector<Attr>& v, uint16_t t)
{
    for (const Attr& a : v)
        if (a.type == t)
            return &a;
    return nullptr;
}

template <typename T>
T host(const uint8_t* p)
{
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::string tunnel(const Attr& a, const Attr* ma)
{
    const std::vector<Attr> ks = split(a.payload);
    std::vector<Attr> ms;
    if (ma)
        ms = split(ma->payload);
    std::string s;
    uint16_t flags = 0, mflags = 0;
    for (const Attr& k : ks) {
        const Attr* m = ma ? find(ms, k.type) : nullptr;
        std::vector<uint8_t> zero(k.payload.size(), 0);
        Fields f(k.payload.data(), ma ? (m ? m->payload.data() : zero.data()) : nullptr);
        switch (k.type) {
        case OVS_TUNNEL_KEY_ATTR_ID: f.hex("tun_id", 0, 8); flags |= kTunFlagKey; if (m) mflags |= kTunFlagKey; break;
        case OVS_TUNNEL_KEY_ATTR_IPV4_SRC: f.ipv4("src", 0); break;
        case OVS_TUNNEL_KEY_ATTR_IPV4_DST: f.ipv4("dst", 0); break;
        case OVS_TUNNEL_KEY_ATTR_IPV6_SRC: f.ipv6("ipv6_src", 0); break;
        case OVS_TUNNEL_KEY_ATTR_IPV6_DST: f.ipv6("ipv6_dst", 0); break;
        case OVS_TUNNEL_KEY_ATTR_TOS: f.hex("tos", 0, 1); break;
        case OVS_TUNNEL_KEY_ATTR_TTL: f.dec("ttl", 0, 1); break;
        case OVS_TUNNEL_KEY_ATTR_TP_SRC: f.dec("tp_src", 0, 2); break;
        case OVS_TUNNEL_KEY_ATTR_TP_DST: f.dec("tp_dst", 0, 2); break;
        case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT: flags |= kTunFlagDontFragment; break;
        case OVS_TUNNEL_KEY_ATTR_CSUM: flags |= kTunFlagCsum; break;
        case OVS_TUNNEL_KEY_ATTR_OAM: flags |= kTunFlagOam; break;
        default: break;
        }
        s += f.take();
        if (!s.empty() && s.back() != ',')
            s += ',';
    }
    for (const Attr& m : ms) {
        if (m.type == OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT) mflags |= kTunFlagDontFragment;
        if (m.type == OVS_TUNNEL_KEY_ATTR_CSUM) mflags |= kTunFlagCsum;
        if (m.type == OVS_TUNNEL_KEY_ATTR_OAM) mflags |= kTunFlagOam;
    }
    if (!ma)
        s += "flags(" + format_flags(flags, tun_flag_name, '|') + ")";
    else if (mflags)
        s += "flags(" + format_flags_masked(flags, mflags, 0xffff, tun_flag_name) + ")";
    if (!s.empty() && s.back() == ',')
        s.pop_back();
    return s;
}

std::string attr_body(const Attr& a, const Attr* ma)
{
    const uint8_t* k = a.payload.data();
    const uint8_t* m = ma ? ma->payload.data() : nullptr;
    const bool exact = !m || all(m, a.payload.size(), 0xff);
    Fields f(k, m);
    switch (a.type) {
    case OVS_KEY_ATTR_PRIORITY:
    case OVS_KEY_ATTR_SKB_MARK:
    case OVS_KEY_ATTR_DP_HASH:
    case OVS_KEY_ATTR_RECIRC_ID:
    case OVS_KEY_ATTR_CT_MARK: {
        std::string s = fmt("%#" PRIx32, host<uint32_t>(k));
        if (!exact)
            s += fmt("/%#" PRIx32, host<uint32_t>(m));
        return s;
    }
    case OVS_KEY_ATTR_CT_ZONE: {
        std::string s = fmt("%#" PRIx16, host<uint16_t>(k));
        if (!exact)
            s += fmt("/%#" PRIx16, host<uint16_t>(m));
        return s;
    }
    case OVS_KEY_ATTR_CT_STATE:
        if (exact)
            return format_flags(host<uint32_t>(k), ct_state_name, '|');
        return format_flags_masked(host<uint32_t>(k), host<uint32_t>(m), 0xffffffff, ct_state_name);
    case OVS_KEY_ATTR_CT_LABELS: {
        uint8_t v[16], w[16];
        for (int i = 0; i < 16; ++i) {
            v[i] = k[15 - i];
            w[i] = m ? m[15 - i] : 0xff;
        }
        std::string s = format_hex_compact(v, 16);
        if (!exact)
            s += "/" + format_hex_compact(w, 16);
        return s;
    }
    case OVS_KEY_ATTR_IN_PORT:
        if (exact)
            return std::to_string(host<uint32_t>(k));
        return fmt("%" PRIu32 "/%#" PRIx32, host<uint32_t>(k), host<uint32_t>(m));
    case OVS_KEY_ATTR_PACKET_TYPE:
        f.dec("ns", 0, 2);
        f.hex("id", 2, 2);
        return f.take();
    case OVS_KEY_ATTR_ETHERNET:
        f.eth("src", offsetof(ovs_key_ethernet, eth_src));
        f.eth("dst", offsetof(ovs_key_ethernet, eth_dst));
        return f.take();
    case OVS_KEY_ATTR_VLAN: {
        const uint16_t tci = static_cast<uint16_t>(be(k, 2));
        const uint16_t mk = m ? static_cast<uint16_t>(be(m, 2)) : 0xffff;
        std::string s;
        if ((tci & kVlanVidMask) || (mk & kVlanVidMask)) {
            s += fmt("vid=%u", tci & kVlanVidMask);
            if ((mk & kVlanVidMask) != kVlanVidMask)
                s += fmt("/0x%x", mk & kVlanVidMask);
            s += ',';
        }
        if ((tci >> kVlanPcpShift) || (mk >> kVlanPcpShift)) {
            s += fmt("pcp=%u", tci >> kVlanPcpShift);
            if ((mk >> kVlanPcpShift) != 7)
                s += fmt("/0x%x", mk >> kVlanPcpShift);
            s += ',';
        }
        if (!(tci & kVlanCfi))
            s += "cfi=0,";
        if (!s.empty())
            s.pop_back();
        return s;
    }
    case OVS_KEY_ATTR_ETHERTYPE: {
        std::string s = fmt("0x%04" PRIx64, be(k, 2));
        if (!exact)
            s += fmt("/0x%04" PRIx64, be(m, 2));
        return s;
    }
    case OVS_KEY_ATTR_IPV4:
        f.ipv4("src", offsetof(ovs_key_ipv4, ipv4_src));
        f.ipv4("dst", offsetof(ovs_key_ipv4, ipv4_dst));
        f.dec("proto", offsetof(ovs_key_ipv4, ipv4_proto), 1);
        f.hex("tos", offsetof(ovs_key_ipv4, ipv4_tos), 1);
        f.dec("ttl", offsetof(ovs_key_ipv4, ipv4_ttl), 1);
        f.frag(offsetof(ovs_key_ipv4, ipv4_frag));
        return f.take();
    case OVS_KEY_ATTR_IPV6: {
        f.ipv6("src", offsetof(ovs_key_ipv6, ipv6_src));
        f.ipv6("dst", offsetof(ovs_key_ipv6, ipv6_dst));
        const size_t lo = offsetof(ovs_key_ipv6, ipv6_label);
        if (!f.skip(lo, 4)) {
            std::string s = fmt("label=%#" PRIx64, be(k + lo, 4));
            if (m && (be(m + lo, 4) & 0xfffff) != 0xfffff)
                s += fmt("/%#" PRIx64, be(m + lo, 4));
            f.raw(s + ",");
        }
        f.dec("proto", offsetof(ovs_key_ipv6, ipv6_proto), 1);
        f.hex("tclass", offsetof(ovs_key_ipv6, ipv6_tclass), 1);
        f.dec("hlimit", offsetof(ovs_key_ipv6, ipv6_hlimit), 1);
        f.frag(offsetof(ovs_key_ipv6, ipv6_frag));
        return f.take();
    }
    case OVS_KEY_ATTR_TCP:
    case OVS_KEY_ATTR_UDP:
    case OVS_KEY_ATTR_SCTP:
        f.dec("src", 0, 2);
        f.dec("dst", 2, 2);
        return f.take();
    case OVS_KEY_ATTR_TCP_FLAGS: {
        const uint32_t v = static_cast<uint32_t>(be(k, 2));
        if (exact)
            return format_flags(v, tcp_flag_name, '|');
        return format_flags_masked(v, static_cast<uint32_t>(be(m, 2)) & kTcpFlagsMask, kTcpFlagsMask,
                                   tcp_flag_name);
    }
    case OVS_KEY_ATTR_ICMP:
    case OVS_KEY_ATTR_ICMPV6:
        f.dec("type", 0, 1);
        f.dec("code", 1, 1);
        return f.take();
    case OVS_KEY_ATTR_ARP:
        f.ipv4("sip", offsetof(ovs_key_arp, arp_sip));
        f.ipv4("tip", offsetof(ovs_key_arp, arp_tip));
        f.dec("op", offsetof(ovs_key_arp, arp_op), 2);
        f.eth("sha", offsetof(ovs_key_arp, arp_sha));
        f.eth("tha", offsetof(ovs_key_arp, arp_tha));
        return f.take();
    case OVS_KEY_ATTR_ND:
        f.ipv6("target", offsetof(ovs_key_nd, nd_target));
        f.eth("sll", offsetof(ovs_key_nd, nd_sll));
        f.eth("tll", offsetof(ovs_key_nd, nd_tll));
        return f.take();
    case OVS_KEY_ATTR_MPLS: {
        std::string s;
        for (size_t i = 0; i + 4 <= a.payload.size(); i += 4) {
            const uint32_t l = static_cast<uint32_t>(be(k + i, 4));
            if (exact) {
                s += fmt("label=%u,tc=%u,ttl=%u,bos=%u,", l >> 12, l >> 9 & 7, l & 0xff, l >> 8 & 1);
            } else {
                const uint32_t w = static_cast<uint32_t>(be(m + i, 4));
                s += fmt("label=%u/0x%x,tc=%u/%x,ttl=%u/0x%x,bos=%u/%x,", l >> 12, w >> 12, l >> 9 & 7,
                         w >> 9 & 7, l & 0xff, w & 0xff, l >> 8 & 1, w >> 8 & 1);
            }
        }
        if (!s.empty())
            s.pop_back();
        return s;
    }
    default: {
        std::string s = dpif::to_hex(a.payload);
        if (!exact)
            s += "/" + dpif::to_hex(ma->payload);
        return s;
    }
    }
}

std::string format_level(ByteView key, ByteView mask, bool has_mask)
{
    const std::vector<Attr> ks = split(key);
    std::vector<Attr> ms;
    if (has_mask)
        ms = split(mask);
    std::string s;
    bool ethertype = false;
    for (const Attr& a : ks) {
        const Attr* ma = has_mask ? find(ms, a.type) : nullptr;
        const bool wildcard = has_mask && (!ma || all(ma->payload.data(), ma->payload.size(), 0));
        const bool nested = a.type == OVS_KEY_ATTR_ENCAP || a.type == OVS_KEY_ATTR_TUNNEL;
        if (a.type == OVS_KEY_ATTR_ETHERTYPE)
            ethertype = true;
        if (!attr_name(a.type)) {
            // An attribute we do not decode (e.g. the kernel's IPV6_EXTHDRS):
            // always shown, as bytes, the way Open vSwitch shows one it does
            // not know.
            auto spaced = [](ByteView b) {
                std::string h;
                for (size_t k = 0; k < b.size(); ++k)
                    h += fmt(k ? " %02x" : "%02x", b[k]);
                return h;
            };
            s += std::string(s.empty() ? "" : ",") + "key" + std::to_string(a.type) + "(" +
                 spaced(a.payload);
            if (has_mask)
                s += "/" + (ma ? spaced(ma->payload) : std::string());
            s += ")";
            continue;
        }
        if (wildcard && !nested) {
            if (a.type == OVS_KEY_ATTR_ETHERNET)
                s += std::string(s.empty() ? "" : ",") + "eth()";
            continue;
        }
        const char* name = attr_name(a.type);
        if (!s.empty())
            s += ',';
        s += name ? std::string(name) : "key" + std::to_string(a.type);
        s += '(';
        if (a.type == OVS_KEY_ATTR_ENCAP)
            s += a.payload.empty() ? "" : format_level(a.payload, ma ? ma->payload : ByteView{},
                                                       has_mask && ma);
        else if (a.type == OVS_KEY_ATTR_TUNNEL)
            s += tunnel(a, ma);
        else {
            // A mask attribute of another length than its key is not used.
            const Attr* use = ma && ma->payload.size() == a.payload.size() ? ma : nullptr;
            if (ma && !use)
                use = nullptr;
            s += attr_body(a, has_mask ? use : nullptr);
        }
        s += ')';
    }
    if (!ethertype && has_mask) {
        if (const Attr* ma = find(ms, OVS_KEY_ATTR_ETHERTYPE))
            s += fmt(",eth_type(0/0x%04" PRIx64 ")", be(ma->payload.data(), 2));
    }
    return s;
}

// ---- parsing ----------------------------------------------------------------------

struct Parser {
    std::string_view s;
    size_t i = 0;
    Flow key{}, mask{};

    [[noreturn]] void bad(const std::string& what) const
    {
        throw Error("datapath flow \"" + std::string(s) + "\": " + what);
    }

    void skip_ws()
    {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
            ++i;
    }
    std::string_view name()
    {
        const size_t b = i;
        while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
            ++i;
        return s.substr(b, i - b);
    }
    void expect(char c)
    {
        skip_ws();
        if (i >= s.size() || s[i] != c)
            bad(std::string("expected '") + c + "' at offset " + std::to_string(i));
        ++i;
    }
    // The text up to the ')' closing the current group (nested parens kept).
    std::string_view group()
    {
        const size_t b = i;
        int depth = 0;
        while (i < s.size()) {
            if (s[i] == '(')
                ++depth;
            else if (s[i] == ')') {
                if (depth == 0)
                    break;
                --depth;
            }
            ++i;
        }
        if (i >= s.size())
            bad("missing ')'");
        return s.substr(b, i - b);
    }

    static uint64_t number(std::string_view t, const Parser& p)
    {
        const std::string z(t);
        char* end;
        errno = 0;
        const uint64_t v = std::strtoull(z.c_str(), &end, 0);
        if (z.empty() || *end || errno)
            p.bad("bad number \"" + z + "\"");
        return v;
    }
    // "v" or "v/m" as integers; mask defaults to `full`.
    void value_mask(std::string_view t, uint64_t full, uint64_t& v, uint64_t& m) const
    {
        const size_t slash = t.find('/');
        v = number(t.substr(0, slash), *this);
        m = slash == std::string_view::npos ? full : number(t.substr(slash + 1), *this);
        if ((v | m) & ~full)
            bad("value \"" + std::string(t) + "\" too large");
    }

    // Splits "a=1,b=2" (commas inside parentheses kept).
    std::vector<std::pair<std::string_view, std::string_view>> fields(std::string_view g) const
    {
        std::vector<std::pair<std::string_view, std::string_view>> out;
        size_t j = 0;
        while (j < g.size()) {
            size_t e = j;
            int depth = 0;
            while (e < g.size() && (depth || g[e] != ',')) {
                if (g[e] == '(') ++depth;
                if (g[e] == ')') --depth;
                ++e;
            }
            std::string_view item = g.substr(j, e - j);
            const size_t eq = item.find_first_of("=(");
            if (eq == std::string_view::npos)
                bad("field \"" + std::string(item) + "\" has no value");
            out.emplace_back(item.substr(0, eq), item[eq] == '=' ? item.substr(eq + 1) : item.substr(eq));
            j = e + 1;
        }
        return out;
    }

    template <size_t N>
    void put(BeUint<N>& kv, BeUint<N>& mv, std::string_view t)
    {
        uint64_t v, m;
        value_mask(t, N == 8 ? ~0ull : (1ull << (8 * N)) - 1, v, m);
        kv.set(static_cast<typename BeUint<N>::host_type>(v & m));
        mv.set(static_cast<typename BeUint<N>::host_type>(m));
    }
    void put8(uint8_t& kv, uint8_t& mv, std::string_view t)
    {
        uint64_t v, m;
        value_mask(t, 0xff, v, m);
        kv = static_cast<uint8_t>(v & m);
        mv = static_cast<uint8_t>(m);
    }
    template <typename T>
    void put_addr(FieldId id, T& kv, T& mv, std::string_view t)
    {
        const ValueMask vm = parse_field_value(id, t);
        const size_t n = field(id).n_bytes;
        for (size_t k = 0; k < n; ++k) {
            mv.b[k] = vm.mask.b[k];
            kv.b[k] = vm.value.b[k] & vm.mask.b[k];
        }
    }
    void frag(uint8_t& kv, uint8_t& mv, std::string_view t)
    {
        if (t == "no") kv = 0;
        else if (t == "first") kv = kFragAny;
        else if (t == "later") kv = kFragAny | kFragLater;
        else bad("unknown fragment type \"" + std::string(t) + "\"");
        mv = kFragMask;
    }

    void attr(std::string_view n, std::string_view g, int depth, uint16_t& pending_type,
              bool& pending_type_masked, bool& vlan)
    {
        auto unknown = [&](std::string_view f) {
            bad("unknown field \"" + std::string(f) + "\" in " + std::string(n));
        };
        if (n == "recirc_id") return put(key.recirc_id, mask.recirc_id, g);
        if (n == "dp_hash") return put(key.dp_hash, mask.dp_hash, g);
        if (n == "skb_priority") return put(key.skb_priority, mask.skb_priority, g);
        if (n == "skb_mark") return put(key.pkt_mark, mask.pkt_mark, g);
        if (n == "ct_mark") return put(key.ct_mark, mask.ct_mark, g);
        if (n == "ct_zone") return put(key.ct_zone, mask.ct_zone, g);
        if (n == "in_port") {
            put(key.in_port, mask.in_port, g);
            mask.in_port.set(0xffffffff);
            return;
        }
        if (n == "ct_state") {
            const ValueMask vm = parse_field_value(FieldId::ct_state, g);
            const uint32_t mm = static_cast<uint32_t>(vm.mask.to_uint(4)) & kCsSupportedMask;
            key.ct_state.set(static_cast<uint32_t>(vm.value.to_uint(4)) & mm);
            mask.ct_state.set(mm);
            return;
        }
        if (n == "ct_label") return put_addr(FieldId::ct_label, key.ct_label, mask.ct_label, g);
        if (n == "eth") {
            for (auto [f, v] : fields(g)) {
                if (f == "src") put_addr(FieldId::eth_src, key.eth_src, mask.eth_src, v);
                else if (f == "dst") put_addr(FieldId::eth_dst, key.eth_dst, mask.eth_dst, v);
                else unknown(f);
            }
            return;
        }
        if (n == "eth_type") {
            uint64_t v, m;
            value_mask(g, 0xffff, v, m);
            pending_type = static_cast<uint16_t>(v & m);
            pending_type_masked = m != 0;
            return;
        }
        if (n == "vlan") {
            if (depth >= kMaxVlans)
                bad("more than " + std::to_string(kMaxVlans) + " VLAN headers");
            uint16_t tci = kVlanCfi, tm = kVlanCfi;
            for (auto [f, v] : fields(g)) {
                uint64_t x, xm;
                if (f == "vid") {
                    value_mask(v, kVlanVidMask, x, xm);
                    tci = static_cast<uint16_t>(tci | (x & xm));
                    tm = static_cast<uint16_t>(tm | xm);
                } else if (f == "pcp") {
                    value_mask(v, 7, x, xm);
                    tci = static_cast<uint16_t>(tci | (x & xm) << kVlanPcpShift);
                    tm = static_cast<uint16_t>(tm | xm << kVlanPcpShift);
                } else if (f == "cfi") {
                    if (number(v, *this) == 0)
                        tci = static_cast<uint16_t>(tci & ~kVlanCfi);
                } else {
                    unknown(f);
                }
            }
            key.vlans[depth].tci.set(tci);
            mask.vlans[depth].tci.set(tm);
            key.vlans[depth].tpid.set(pending_type ? pending_type : kEthTypeVlan);
            mask.vlans[depth].tpid.set(0xffff);
            pending_type = 0;
            pending_type_masked = false;
            vlan = true;
            return;
        }
        if (n == "encap") {
            if (!vlan)
                bad("encap() without vlan()");
            level(g, depth + 1);
            return;
        }
        auto l4 = [&](bool tcp) {
            for (auto [f, v] : fields(g)) {
                if (f == "src") put(key.tp_src, mask.tp_src, v);
                else if (f == "dst") put(key.tp_dst, mask.tp_dst, v);
                else unknown(f);
            }
            (void)tcp;
        };
        if (n == "ipv4") {
            for (auto [f, v] : fields(g)) {
                if (f == "src") put_addr(FieldId::ipv4_src, key.nw_src, mask.nw_src, v);
                else if (f == "dst") put_addr(FieldId::ipv4_dst, key.nw_dst, mask.nw_dst, v);
                else if (f == "proto") put8(key.nw_proto, mask.nw_proto, v);
                else if (f == "tos") put8(key.nw_tos, mask.nw_tos, v);
                else if (f == "ttl") put8(key.nw_ttl, mask.nw_ttl, v);
                else if (f == "frag") frag(key.nw_frag, mask.nw_frag, v);
                else unknown(f);
            }
            return;
        }
        if (n == "ipv6") {
            for (auto [f, v] : fields(g)) {
                if (f == "src") put_addr(FieldId::ipv6_src, key.ipv6_src, mask.ipv6_src, v);
                else if (f == "dst") put_addr(FieldId::ipv6_dst, key.ipv6_dst, mask.ipv6_dst, v);
                else if (f == "label") put(key.ipv6_label, mask.ipv6_label, v);
                else if (f == "proto") put8(key.nw_proto, mask.nw_proto, v);
                else if (f == "tclass") put8(key.nw_tos, mask.nw_tos, v);
                else if (f == "hlimit") put8(key.nw_ttl, mask.nw_ttl, v);
                else if (f == "frag") frag(key.nw_frag, mask.nw_frag, v);
                else unknown(f);
            }
            return;
        }
        if (n == "tcp" || n == "udp" || n == "sctp")
            return l4(n == "tcp");
        if (n == "tcp_flags") {
            const ValueMask vm = parse_field_value(FieldId::tcp_flags, g);
            const uint16_t mm = static_cast<uint16_t>(vm.mask.to_uint(2));
            key.tcp_flags.set(static_cast<uint16_t>(vm.value.to_uint(2) & mm));
            mask.tcp_flags.set(mm);
            return;
        }
        if (n == "icmp" || n == "icmpv6") {
            for (auto [f, v] : fields(g)) {
                uint8_t x = 0, xm = 0;
                put8(x, xm, v);
                Be16& kv = f == "type" ? key.tp_src : key.tp_dst;
                Be16& mv = f == "type" ? mask.tp_src : mask.tp_dst;
                if (f != "type" && f != "code")
                    unknown(f);
                kv.set(x);
                mv.set(xm == 0xff ? 0xffff : xm);
            }
            return;
        }
        if (n == "arp") {
            for (auto [f, v] : fields(g)) {
                if (f == "sip") put_addr(FieldId::arp_spa, key.nw_src, mask.nw_src, v);
                else if (f == "tip") put_addr(FieldId::arp_tpa, key.nw_dst, mask.nw_dst, v);
                else if (f == "op") {
                    uint64_t x, xm;
                    value_mask(v, 0xffff, x, xm);
                    key.nw_proto = static_cast<uint8_t>(x & xm);
                    mask.nw_proto = static_cast<uint8_t>(xm);
                } else if (f == "sha") put_addr(FieldId::arp_sha, key.arp_sha, mask.arp_sha, v);
                else if (f == "tha") put_addr(FieldId::arp_tha, key.arp_tha, mask.arp_tha, v);
                else unknown(f);
            }
            return;
        }
        if (n == "nd") {
            for (auto [f, v] : fields(g)) {
                if (f == "target") put_addr(FieldId::nd_target, key.nd_target, mask.nd_target, v);
                else if (f == "sll") put_addr(FieldId::nd_sll, key.arp_sha, mask.arp_sha, v);
                else if (f == "tll") put_addr(FieldId::nd_tll, key.arp_tha, mask.arp_tha, v);
                else unknown(f);
            }
            return;
        }
        if (n == "mpls") {
            int idx = -1;
            uint32_t lse = 0, lm = 0;
            auto flush = [&] {
                if (idx >= 0 && idx < kMaxMplsLabels) {
                    key.mpls_lse[idx].set(lse & lm);
                    mask.mpls_lse[idx].set(lm);
                }
            };
            for (auto [f, v] : fields(g)) {
                uint64_t x, xm;
                if (f == "label") {
                    flush();
                    ++idx;
                    lse = lm = 0;
                    value_mask(v, 0xfffff, x, xm);
                    lse |= static_cast<uint32_t>(x) << 12;
                    lm |= static_cast<uint32_t>(xm) << 12;
                } else if (f == "tc") {
                    value_mask(v, 7, x, xm);
                    lse |= static_cast<uint32_t>(x) << 9;
                    lm |= static_cast<uint32_t>(xm) << 9;
                } else if (f == "ttl") {
                    value_mask(v, 0xff, x, xm);
                    lse |= static_cast<uint32_t>(x);
                    lm |= static_cast<uint32_t>(xm);
                } else if (f == "bos") {
                    value_mask(v, 1, x, xm);
                    lse |= static_cast<uint32_t>(x) << 8;
                    lm |= static_cast<uint32_t>(xm) << 8;
                } else {
                    unknown(f);
                }
            }
            flush();
            return;
        }
        if (n == "packet_type") {
            uint32_t pt = 0, pm = 0;
            for (auto [f, v] : fields(g)) {
                uint64_t x, xm;
                value_mask(v, 0xffff, x, xm);
                if (f == "ns") {
                    pt |= static_cast<uint32_t>(x) << 16;
                    pm |= static_cast<uint32_t>(xm) << 16;
                } else if (f == "id") {
                    pt |= static_cast<uint32_t>(x);
                    pm |= static_cast<uint32_t>(xm);
                } else {
                    unknown(f);
                }
            }
            key.packet_type.set(pt & pm);
            mask.packet_type.set(pm);
            return;
        }
        if (n == "tunnel") {
            uint16_t flags = 0, fm = 0;
            for (auto [f, v] : fields(g)) {
                if (f == "tun_id") put(key.tun_id, mask.tun_id, v);
                else if (f == "src") put_addr(FieldId::tun_src, key.tun_src, mask.tun_src, v);
                else if (f == "dst") put_addr(FieldId::tun_dst, key.tun_dst, mask.tun_dst, v);
                else if (f == "ipv6_src") put_addr(FieldId::tun_ipv6_src, key.tun_ipv6_src, mask.tun_ipv6_src, v);
                else if (f == "ipv6_dst") put_addr(FieldId::tun_ipv6_dst, key.tun_ipv6_dst, mask.tun_ipv6_dst, v);
                else if (f == "tos") put8(key.tun_tos, mask.tun_tos, v);
                else if (f == "ttl") put8(key.tun_ttl, mask.tun_ttl, v);
                else if (f == "tp_src") put(key.tun_tp_src, mask.tun_tp_src, v);
                else if (f == "tp_dst") put(key.tun_tp_dst, mask.tun_tp_dst, v);
                else if (f == "flags") {
                    std::string_view body = v;
                    if (body.size() >= 2 && body.front() == '(' && body.back() == ')')
                        body = body.substr(1, body.size() - 2);
                    Value fv, fmk;
                    // Tunnel flags by name: df, csum, key, oam.
                    std::string tmp(body);
                    uint32_t x = 0, xm = 0;
                    auto set_flag = [&](std::string_view nm, bool on) {
                        uint32_t bit = 0;
                        for (uint32_t b = 1; b <= 8; b <<= 1)
                            if (tun_flag_name(b) && nm == tun_flag_name(b))
                                bit = b;
                        if (!bit)
                            bad("unknown tunnel flag \"" + std::string(nm) + "\"");
                        if (on)
                            x |= bit;
                        xm |= bit;
                    };
                    if (!tmp.empty() && (tmp[0] == '+' || tmp[0] == '-')) {
                        size_t p = 0;
                        while (p < tmp.size()) {
                            const bool on = tmp[p] == '+';
                            size_t q = tmp.find_first_of("+-", p + 1);
                            set_flag(std::string_view(tmp).substr(p + 1, q == std::string::npos ? std::string::npos : q - p - 1), on);
                            p = q == std::string::npos ? tmp.size() : q;
                        }
                    } else if (tmp != "0" && !tmp.empty()) {
                        size_t p = 0;
                        while (p <= tmp.size()) {
                            size_t q = tmp.find('|', p);
                            set_flag(std::string_view(tmp).substr(p, q == std::string::npos ? std::string::npos : q - p), true);
                            if (q == std::string::npos)
                                break;
                            p = q + 1;
                        }
                        xm = 0xf;
                    } else {
                        xm = 0xf;
                    }
                    (void)fv;
                    (void)fmk;
                    flags = static_cast<uint16_t>(x);
                    fm = static_cast<uint16_t>(xm);
                } else {
                    unknown(f);
                }
            }
            key.tun_flags.set(static_cast<uint16_t>(flags & fm & ~kTunFlagKey));
            mask.tun_flags.set(static_cast<uint16_t>(fm & ~kTunFlagKey));
            return;
        }
        if (n.size() > 3 && n.substr(0, 3) == "key" &&
            n.find_first_not_of("0123456789", 3) == std::string_view::npos)
            return;  // an attribute shown as bytes: not something a Match holds
        bad("unknown attribute \"" + std::string(n) + "\"");
    }

    void level(std::string_view text, int depth)
    {
        Parser sub{text};
        sub.key = key;
        sub.mask = mask;
        uint16_t pending = 0;
        bool pending_masked = false, vlan = false;
        bool any_type = false;
        for (;;) {
            sub.skip_ws();
            if (sub.i >= sub.s.size())
                break;
            const std::string_view n = sub.name();
            if (n.empty())
                sub.bad("expected an attribute name at offset " + std::to_string(sub.i));
            sub.expect('(');
            const std::string_view g = sub.group();
            sub.expect(')');
            if (n == "eth_type")
                any_type = true;
            sub.attr(n, g, depth, pending, pending_masked, vlan);
            sub.skip_ws();
            if (sub.i < sub.s.size()) {
                if (sub.s[sub.i] != ',')
                    sub.bad("expected ',' at offset " + std::to_string(sub.i));
                ++sub.i;
            }
        }
        if (any_type && !vlan) {
            sub.key.eth_type.set(pending);
            sub.mask.eth_type.set(pending_masked ? 0xffff : 0);
        }
        key = sub.key;
        mask = sub.mask;
    }
};

}  // namespace

std::string format_datapath_flow(dpif::ByteView key, dpif::ByteView mask)
{
    const std::string s = format_level(key, mask, !mask.empty());
    return s.empty() ? "<empty>" : s;
}

std::string format_datapath_flow(const Match& match)
{
    const KeyMask km = match_to_key_mask(match);
    return format_datapath_flow(km.key, km.mask);
}

Match parse_datapath_flow(std::string_view s)
{
    Parser p{s};
    p.level(s, 0);
    // The datapath matches packet_type and the TCI of tags not named, and
    // in_port whenever it is named (see datapath_key.hpp).
    p.mask.packet_type.set(0xffffffff);
    for (int d = 0; d < kMaxVlans; ++d)
        if (!(p.key.vlans[d].tci.get() & kVlanCfi) && p.mask.vlans[d].tci.is_zero()) {
            p.mask.vlans[d].tci.set(0xffff);
            p.mask.vlans[d].tpid.set(0xffff);
        }
    return Match(p.key, p.mask);
}

}  // namespace mf
