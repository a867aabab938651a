#include "dpif/odp_text.hpp"

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <vector>

#include "dpif/error.hpp"

namespace dpif {

namespace {

std::string ip4(uint32_t be)
{
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &be, buf, sizeof buf);
    return buf;
}

std::string ip6(const void* p)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, p, buf, sizeof buf);
    return buf;
}

bool all(ByteView b, uint8_t v)
{
    return std::all_of(b.begin(), b.end(), [v](uint8_t c) { return c == v; });
}

// Field printer: "name=value" or "name=value/mask", skipped when the mask
// is zero.  Values and masks are given as already-formatted strings plus the
// raw mask bytes to decide.
struct Fields {
    std::vector<std::string> parts;
    bool has_mask;
    void add(const char* name, const std::string& v, const std::string& m, ByteView mraw)
    {
        if (has_mask && all(mraw, 0))
            return;
        if (has_mask && !all(mraw, 0xff))
            parts.push_back(std::string(name) + "=" + v + "/" + m);
        else
            parts.push_back(std::string(name) + "=" + v);
    }
    std::string join(const char* attr) const
    {
        std::string s = std::string(attr) + "(";
        for (size_t i = 0; i < parts.size(); ++i)
            s += (i ? "," : "") + parts[i];
        return s + ")";
    }
};

template <typename T>
T as(ByteView b)
{
    T v{};
    std::memcpy(&v, b.data(), std::min(sizeof v, b.size()));
    return v;
}

std::string num(uint64_t v) { return std::to_string(v); }
std::string hex16(uint16_t v)
{
    char b[8];
    std::snprintf(b, sizeof b, "0x%04x", v);
    return b;
}

const char* frag_name(uint8_t f)
{
    switch (f) {
    case OVS_FRAG_TYPE_NONE: return "no";
    case OVS_FRAG_TYPE_FIRST: return "first";
    case OVS_FRAG_TYPE_LATER: return "later";
    }
    return "?";
}

void format_attrs(std::vector<std::string>& out, ByteView key, ByteView mask, bool has_mask)
{
    std::map<uint16_t, Attr> masks;
    if (has_mask)
        for (const Attr& a : parse_attrs(mask))
            masks[a.type] = a;
    for (const Attr& a : parse_attrs(key)) {
        Bytes mbytes;
        if (has_mask) {
            auto it = masks.find(a.type);
            if (it == masks.end())
                continue;  // wildcarded entirely
            mbytes = it->second.bytes();
        } else {
            mbytes.assign(a.payload.size(), 0xff);
        }
        mbytes.resize(a.payload.size(), 0);
        const ByteView m(mbytes);
        if (has_mask && all(m, 0) && a.type != OVS_KEY_ATTR_ENCAP)
            continue;
        Fields f{{}, has_mask};
        switch (a.type) {
        case OVS_KEY_ATTR_PRIORITY:
        case OVS_KEY_ATTR_SKB_MARK:
        case OVS_KEY_ATTR_RECIRC_ID:
        case OVS_KEY_ATTR_DP_HASH: {
            const char* n = a.type == OVS_KEY_ATTR_PRIORITY ? "skb_priority"
                            : a.type == OVS_KEY_ATTR_SKB_MARK ? "skb_mark"
                            : a.type == OVS_KEY_ATTR_RECIRC_ID ? "recirc_id" : "dp_hash";
            std::ostringstream s;
            s << n << "(" << a.u32();
            if (has_mask && !all(m, 0xff))
                s << "/" << as<uint32_t>(m);
            s << ")";
            out.push_back(s.str());
            break;
        }
        case OVS_KEY_ATTR_IN_PORT:
            out.push_back("in_port(" + num(a.u32()) + ")");
            break;
        case OVS_KEY_ATTR_ETHERNET: {
            auto v = as<ovs_key_ethernet>(a.payload);
            auto mk = as<ovs_key_ethernet>(m);
            f.add("src", format_mac(v.eth_src), format_mac(mk.eth_src), ByteView(mk.eth_src, 6));
            f.add("dst", format_mac(v.eth_dst), format_mac(mk.eth_dst), ByteView(mk.eth_dst, 6));
            out.push_back(f.join("eth"));
            break;
        }
        case OVS_KEY_ATTR_ETHERTYPE: {
            std::string s = "eth_type(" + hex16(a.be16());
            if (has_mask && !all(m, 0xff))
                s += "/" + hex16(static_cast<uint16_t>(m[0] << 8 | m[1]));
            out.push_back(s + ")");
            break;
        }
        case OVS_KEY_ATTR_VLAN: {
            const uint16_t tci = a.be16();
            const uint16_t mt = static_cast<uint16_t>(m[0] << 8 | m[1]);
            const uint16_t mvid = has_mask ? (mt & 0xfff) : 0xfff;
            const uint16_t mpcp = has_mask ? (mt >> 13) : 7;
            if (mvid)
                f.parts.push_back("vid=" + num(tci & 0xfff) + (mvid == 0xfff ? "" : "/" + hex16(mvid)));
            if (mpcp)
                f.parts.push_back("pcp=" + num(tci >> 13) + (mpcp == 7 ? "" : "/" + num(mpcp)));
            if (!(tci & 0x1000))
                f.parts.push_back("cfi=0");
            out.push_back(f.join("vlan"));
            break;
        }
        case OVS_KEY_ATTR_ENCAP: {
            std::vector<std::string> inner;
            Bytes inner_mask;
            if (has_mask) {
                auto it = masks.find(OVS_KEY_ATTR_ENCAP);
                if (it != masks.end())
                    inner_mask = it->second.bytes();
            }
            format_attrs(inner, a.payload, inner_mask, has_mask);
            std::string s = "encap(";
            for (size_t i = 0; i < inner.size(); ++i)
                s += (i ? "," : "") + inner[i];
            out.push_back(s + ")");
            break;
        }
        case OVS_KEY_ATTR_IPV4: {
            auto v = as<ovs_key_ipv4>(a.payload);
            auto mk = as<ovs_key_ipv4>(m);
            f.add("src", ip4(v.ipv4_src), ip4(mk.ipv4_src), ByteView(reinterpret_cast<uint8_t*>(&mk.ipv4_src), 4));
            f.add("dst", ip4(v.ipv4_dst), ip4(mk.ipv4_dst), ByteView(reinterpret_cast<uint8_t*>(&mk.ipv4_dst), 4));
            f.add("proto", num(v.ipv4_proto), num(mk.ipv4_proto), ByteView(&mk.ipv4_proto, 1));
            f.add("tos", num(v.ipv4_tos), num(mk.ipv4_tos), ByteView(&mk.ipv4_tos, 1));
            f.add("ttl", num(v.ipv4_ttl), num(mk.ipv4_ttl), ByteView(&mk.ipv4_ttl, 1));
            f.add("frag", frag_name(v.ipv4_frag), num(mk.ipv4_frag), ByteView(&mk.ipv4_frag, 1));
            out.push_back(f.join("ipv4"));
            break;
        }
        case OVS_KEY_ATTR_IPV6: {
            auto v = as<ovs_key_ipv6>(a.payload);
            auto mk = as<ovs_key_ipv6>(m);
            f.add("src", ip6(v.ipv6_src), ip6(mk.ipv6_src), ByteView(reinterpret_cast<uint8_t*>(mk.ipv6_src), 16));
            f.add("dst", ip6(v.ipv6_dst), ip6(mk.ipv6_dst), ByteView(reinterpret_cast<uint8_t*>(mk.ipv6_dst), 16));
            f.add("proto", num(v.ipv6_proto), num(mk.ipv6_proto), ByteView(&mk.ipv6_proto, 1));
            f.add("hlimit", num(v.ipv6_hlimit), num(mk.ipv6_hlimit), ByteView(&mk.ipv6_hlimit, 1));
            out.push_back(f.join("ipv6"));
            break;
        }
        case OVS_KEY_ATTR_TCP:
        case OVS_KEY_ATTR_UDP: {
            auto v = as<ovs_key_udp>(a.payload);
            auto mk = as<ovs_key_udp>(m);
            f.add("src", num(ntohs(v.udp_src)), num(ntohs(mk.udp_src)), ByteView(reinterpret_cast<uint8_t*>(&mk.udp_src), 2));
            f.add("dst", num(ntohs(v.udp_dst)), num(ntohs(mk.udp_dst)), ByteView(reinterpret_cast<uint8_t*>(&mk.udp_dst), 2));
            out.push_back(f.join(a.type == OVS_KEY_ATTR_TCP ? "tcp" : "udp"));
            break;
        }
        case OVS_KEY_ATTR_ICMP:
        case OVS_KEY_ATTR_ICMPV6: {
            f.add("type", num(a.payload.size() > 0 ? a.payload[0] : 0), num(m[0]), m.subspan(0, std::min<size_t>(1, m.size())));
            f.add("code", num(a.payload.size() > 1 ? a.payload[1] : 0), num(m.size() > 1 ? m[1] : 0), m.subspan(std::min<size_t>(1, m.size())));
            out.push_back(f.join(a.type == OVS_KEY_ATTR_ICMP ? "icmp" : "icmpv6"));
            break;
        }
        case OVS_KEY_ATTR_ARP: {
            auto v = as<ovs_key_arp>(a.payload);
            auto mk = as<ovs_key_arp>(m);
            f.add("sip", ip4(v.arp_sip), ip4(mk.arp_sip), ByteView(reinterpret_cast<uint8_t*>(&mk.arp_sip), 4));
            f.add("tip", ip4(v.arp_tip), ip4(mk.arp_tip), ByteView(reinterpret_cast<uint8_t*>(&mk.arp_tip), 4));
            f.add("op", num(ntohs(v.arp_op)), num(ntohs(mk.arp_op)), ByteView(reinterpret_cast<uint8_t*>(&mk.arp_op), 2));
            f.add("sha", format_mac(v.arp_sha), format_mac(mk.arp_sha), ByteView(mk.arp_sha, 6));
            f.add("tha", format_mac(v.arp_tha), format_mac(mk.arp_tha), ByteView(mk.arp_tha, 6));
            out.push_back(f.join("arp"));
            break;
        }
        default: {
            const char* name = nullptr;
            switch (a.type) {
            case OVS_KEY_ATTR_CT_STATE: name = "ct_state"; break;
            case OVS_KEY_ATTR_CT_ZONE: name = "ct_zone"; break;
            case OVS_KEY_ATTR_CT_MARK: name = "ct_mark"; break;
            case OVS_KEY_ATTR_CT_LABELS: name = "ct_label"; break;
            case OVS_KEY_ATTR_TCP_FLAGS: name = "tcp_flags"; break;
            case OVS_KEY_ATTR_IPV6_EXTHDRS: name = "ipv6_exthdrs"; break;
            default: break;
            }
            std::string s = (name ? std::string(name) : "key" + num(a.type)) + "(" + to_hex(a.payload);
            if (has_mask && !all(m, 0xff))
                s += "/" + to_hex(m);
            out.push_back(s + ")");
        }
        }
    }
}

}  // namespace

std::string format_mac(const uint8_t* m)
{
    char b[18];
    std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return b;
}

std::string format_key(ByteView key, ByteView mask)
{
    std::vector<std::string> parts;
    format_attrs(parts, key, mask, !mask.empty());
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i)
        s += (i ? "," : "") + parts[i];
    return s;
}

std::string format_actions(ByteView actions)
{
    std::vector<std::string> parts;
    for (const Attr& a : parse_attrs(actions)) {
        switch (a.type) {
        case OVS_ACTION_ATTR_OUTPUT: parts.push_back(num(a.u32())); break;
        case OVS_ACTION_ATTR_POP_VLAN: parts.push_back("pop_vlan"); break;
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            auto v = as<ovs_action_push_vlan>(a.payload);
            const uint16_t tci = ntohs(v.vlan_tci);
            std::string s = "push_vlan(";
            if (ntohs(v.vlan_tpid) != 0x8100)
                s += "tpid=" + hex16(ntohs(v.vlan_tpid)) + ",";
            parts.push_back(s + "vid=" + num(tci & 0xfff) + ",pcp=" + num(tci >> 13) + ")");
            break;
        }
        case OVS_ACTION_ATTR_USERSPACE: {
            auto inner = a.nested();
            std::string s = "userspace(pid=";
            if (auto p = find_attr(inner, OVS_USERSPACE_ATTR_PID))
                s += num(p->u32());
            if (auto u = find_attr(inner, OVS_USERSPACE_ATTR_USERDATA))
                s += ",userdata=" + to_hex(u->payload);
            if (find_attr(inner, OVS_USERSPACE_ATTR_ACTIONS))
                s += ",actions";
            parts.push_back(s + ")");
            break;
        }
        case OVS_ACTION_ATTR_TRUNC: parts.push_back("trunc(" + num(a.u32()) + ")"); break;
        case OVS_ACTION_ATTR_SET:
        case OVS_ACTION_ATTR_SET_MASKED: {
            auto inner = a.nested();
            std::string body;
            if (a.type == OVS_ACTION_ATTR_SET_MASKED && inner.size() == 1) {
                const size_t half = inner[0].payload.size() / 2;
                AttrWriter k, m;
                k.put(inner[0].type, inner[0].payload.subspan(0, half));
                m.put(inner[0].type, inner[0].payload.subspan(half));
                body = format_key(k.bytes(), m.bytes());
            } else {
                body = format_key(a.payload);
            }
            parts.push_back("set(" + body + ")");
            break;
        }
        default: parts.push_back("action" + num(a.type) + "(" + to_hex(a.payload) + ")");
        }
    }
    if (parts.empty())
        return "drop";
    std::string s;
    for (size_t i = 0; i < parts.size(); ++i)
        s += (i ? "," : "") + parts[i];
    return s;
}

// ---------------------------------------------------------------- parsing

namespace {

[[noreturn]] void bad(const std::string& what) { throw Error(EINVAL, "parsing '" + what + "'"); }

// Splits "a(b,c),d" at top-level commas.
std::vector<std::string> split_top(const std::string& s)
{
    std::vector<std::string> out;
    int depth = 0;
    std::string cur;
    for (char c : s) {
        if (c == '(') ++depth;
        if (c == ')') --depth;
        if (depth < 0) bad(s);
        if (c == ',' && depth == 0) {
            out.push_back(cur);
            cur.clear();
        } else if (!std::isspace(static_cast<unsigned char>(c))) {
            cur.push_back(c);
        }
    }
    if (depth != 0) bad(s);
    if (!cur.empty()) out.push_back(cur);
    return out;
}

// "name(args)" -> name, args; plain "name" -> name, "".
std::pair<std::string, std::string> call(const std::string& t)
{
    auto p = t.find('(');
    if (p == std::string::npos)
        return {t, ""};
    if (t.back() != ')') bad(t);
    return {t.substr(0, p), t.substr(p + 1, t.size() - p - 2)};
}

uint64_t parse_uint(const std::string& s, uint64_t max)
{
    if (s.empty()) bad(s);
    size_t used = 0;
    unsigned long long v;
    try {
        v = std::stoull(s, &used, 0);
    } catch (...) {
        bad(s);
    }
    if (used != s.size() || v > max) bad(s);
    return v;
}

void parse_mac(const std::string& s, uint8_t* out)
{
    unsigned b[6];
    char extra;
    if (std::sscanf(s.c_str(), "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &extra) != 6)
        bad(s);
    for (int i = 0; i < 6; ++i) {
        if (b[i] > 255) bad(s);
        out[i] = static_cast<uint8_t>(b[i]);
    }
}

void parse_ip4(const std::string& s, uint32_t* out)
{
    if (inet_pton(AF_INET, s.c_str(), out) != 1) bad(s);
}

// key=value[/mask] pairs.
struct Arg {
    std::string value, mask;
};
std::map<std::string, Arg> kv(const std::string& args, std::initializer_list<const char*> allowed)
{
    std::map<std::string, Arg> out;
    for (const auto& part : split_top(args)) {
        auto eq = part.find('=');
        if (eq == std::string::npos) bad(part);
        std::string k = part.substr(0, eq), v = part.substr(eq + 1);
        if (std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }) == allowed.end())
            bad(part);
        Arg a;
        auto sl = v.find('/');
        a.value = v.substr(0, sl);
        if (sl != std::string::npos)
            a.mask = v.substr(sl + 1);
        out[k] = a;
    }
    return out;
}

template <typename T>
void put_both(AttrWriter& k, AttrWriter& m, uint16_t type, const T& v, const T& mask)
{
    k.put(type, &v, sizeof v);
    m.put(type, &mask, sizeof mask);
}

}  // namespace

ParsedKey parse_key(const std::string& text)
{
    if (text.rfind("hex:", 0) == 0) {
        ParsedKey p;
        auto slash = text.find('/');
        p.key = from_hex(text.substr(4, slash == std::string::npos ? std::string::npos : slash - 4));
        parse_attrs(p.key);
        if (slash != std::string::npos) {
            p.mask = from_hex(text.substr(slash + 1));
            parse_attrs(p.mask);
        }
        return p;
    }
    AttrWriter k, m;
    for (const auto& tok : split_top(text)) {
        auto [name, args] = call(tok);
        if (name == "in_port") {
            k.put_u32(OVS_KEY_ATTR_IN_PORT, static_cast<uint32_t>(parse_uint(args, 0xffffffff)));
            m.put_u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff);
        } else if (name == "eth") {
            ovs_key_ethernet v{}, mk{};
            for (auto& [f, a] : kv(args, {"src", "dst"})) {
                uint8_t* vp = f == "src" ? v.eth_src : v.eth_dst;
                uint8_t* mp = f == "src" ? mk.eth_src : mk.eth_dst;
                parse_mac(a.value, vp);
                if (a.mask.empty())
                    std::memset(mp, 0xff, 6);
                else
                    parse_mac(a.mask, mp);
            }
            put_both(k, m, OVS_KEY_ATTR_ETHERNET, v, mk);
        } else if (name == "eth_type") {
            auto sl = args.find('/');
            k.put_be16(OVS_KEY_ATTR_ETHERTYPE, static_cast<uint16_t>(parse_uint(args.substr(0, sl), 0xffff)));
            m.put_be16(OVS_KEY_ATTR_ETHERTYPE, sl == std::string::npos ? 0xffff : static_cast<uint16_t>(parse_uint(args.substr(sl + 1), 0xffff)));
        } else if (name == "vlan") {
            uint16_t tci = 0x1000, mt = 0x1000;
            for (auto& [f, a] : kv(args, {"vid", "pcp"})) {
                if (f == "vid") {
                    tci |= static_cast<uint16_t>(parse_uint(a.value, 4095));
                    mt |= a.mask.empty() ? 0x0fff : static_cast<uint16_t>(parse_uint(a.mask, 4095));
                } else {
                    tci |= static_cast<uint16_t>(parse_uint(a.value, 7) << 13);
                    mt |= static_cast<uint16_t>((a.mask.empty() ? 7 : parse_uint(a.mask, 7)) << 13);
                }
            }
            k.put_be16(OVS_KEY_ATTR_VLAN, tci);
            m.put_be16(OVS_KEY_ATTR_VLAN, mt);
        } else if (name == "ipv4") {
            ovs_key_ipv4 v{}, mk{};
            for (auto& [f, a] : kv(args, {"src", "dst", "proto", "tos", "ttl", "frag"})) {
                if (f == "src" || f == "dst") {
                    uint32_t* vp = f == "src" ? &v.ipv4_src : &v.ipv4_dst;
                    uint32_t* mp = f == "src" ? &mk.ipv4_src : &mk.ipv4_dst;
                    parse_ip4(a.value, vp);
                    if (a.mask.empty()) *mp = 0xffffffff; else parse_ip4(a.mask, mp);
                } else if (f == "frag") {
                    v.ipv4_frag = a.value == "no" ? OVS_FRAG_TYPE_NONE : a.value == "first" ? OVS_FRAG_TYPE_FIRST
                                  : a.value == "later" ? OVS_FRAG_TYPE_LATER : (bad(a.value), 0);
                    mk.ipv4_frag = 0xff;
                } else {
                    uint8_t* vp = f == "proto" ? &v.ipv4_proto : f == "tos" ? &v.ipv4_tos : &v.ipv4_ttl;
                    uint8_t* mp = f == "proto" ? &mk.ipv4_proto : f == "tos" ? &mk.ipv4_tos : &mk.ipv4_ttl;
                    *vp = static_cast<uint8_t>(parse_uint(a.value, 255));
                    *mp = a.mask.empty() ? 0xff : static_cast<uint8_t>(parse_uint(a.mask, 255));
                }
            }
            put_both(k, m, OVS_KEY_ATTR_IPV4, v, mk);
        } else if (name == "tcp" || name == "udp") {
            ovs_key_udp v{}, mk{};
            for (auto& [f, a] : kv(args, {"src", "dst"})) {
                uint16_t* vp = f == "src" ? &v.udp_src : &v.udp_dst;
                uint16_t* mp = f == "src" ? &mk.udp_src : &mk.udp_dst;
                *vp = htons(static_cast<uint16_t>(parse_uint(a.value, 0xffff)));
                *mp = htons(a.mask.empty() ? 0xffff : static_cast<uint16_t>(parse_uint(a.mask, 0xffff)));
            }
            put_both(k, m, name == "tcp" ? OVS_KEY_ATTR_TCP : OVS_KEY_ATTR_UDP, v, mk);
        } else {
            bad(tok);
        }
    }
    if (k.size() == 0)
        throw Error(EINVAL, "empty flow key");
    return ParsedKey{k.take(), m.take()};
}

Bytes parse_actions(const std::string& text)
{
    if (text.rfind("hex:", 0) == 0) {
        Bytes b = from_hex(text.substr(4));
        parse_attrs(b);
        return b;
    }
    AttrWriter w;
    for (const auto& tok : split_top(text)) {
        auto [name, args] = call(tok);
        if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) && args.empty()) {
            w.put_u32(OVS_ACTION_ATTR_OUTPUT, static_cast<uint32_t>(parse_uint(name, 0xffffffff)));
        } else if (name == "output") {
            w.put_u32(OVS_ACTION_ATTR_OUTPUT, static_cast<uint32_t>(parse_uint(args, 0xffffffff)));
        } else if (name == "drop") {
            if (split_top(text).size() != 1) bad(text);
        } else if (name == "pop_vlan") {
            w.put_flag(OVS_ACTION_ATTR_POP_VLAN);
        } else if (name == "push_vlan") {
            uint16_t tpid = 0x8100, tci = 0x1000;
            for (auto& [f, a] : kv(args, {"vid", "pcp", "tpid"})) {
                if (f == "vid") tci |= static_cast<uint16_t>(parse_uint(a.value, 4095));
                else if (f == "pcp") tci |= static_cast<uint16_t>(parse_uint(a.value, 7) << 13);
                else tpid = static_cast<uint16_t>(parse_uint(a.value, 0xffff));
            }
            ovs_action_push_vlan v{htons(tpid), htons(tci)};
            w.put(OVS_ACTION_ATTR_PUSH_VLAN, &v, sizeof v);
        } else if (name == "userspace") {
            auto t = w.begin_nested(OVS_ACTION_ATTR_USERSPACE);
            bool pid = false;
            for (const auto& part : split_top(args)) {
                auto eq = part.find('=');
                std::string f = part.substr(0, eq);
                std::string v = eq == std::string::npos ? "" : part.substr(eq + 1);
                if (f == "pid") {
                    w.put_u32(OVS_USERSPACE_ATTR_PID, static_cast<uint32_t>(parse_uint(v, 0xffffffff)));
                    pid = true;
                } else if (f == "userdata") {
                    w.put(OVS_USERSPACE_ATTR_USERDATA, from_hex(v));
                } else if (f == "actions" && eq == std::string::npos) {
                    w.put_flag(OVS_USERSPACE_ATTR_ACTIONS);
                } else {
                    bad(part);
                }
            }
            if (!pid) bad(tok);
            w.end_nested(t);
        } else if (name == "trunc") {
            w.put_u32(OVS_ACTION_ATTR_TRUNC, static_cast<uint32_t>(parse_uint(args, 0xffffffff)));
        } else if (name == "set") {
            auto [inner, iargs] = call(args);
            if (inner != "eth") bad(tok);
            ovs_key_ethernet v{}, mk{};
            bool masked = false;
            for (auto& [f, a] : kv(iargs, {"src", "dst"})) {
                uint8_t* vp = f == "src" ? v.eth_src : v.eth_dst;
                uint8_t* mp = f == "src" ? mk.eth_src : mk.eth_dst;
                parse_mac(a.value, vp);
                if (a.mask.empty()) std::memset(mp, 0xff, 6); else parse_mac(a.mask, mp);
            }
            masked = !all(ByteView(reinterpret_cast<uint8_t*>(&mk), sizeof mk), 0xff);
            auto t = w.begin_nested(masked ? OVS_ACTION_ATTR_SET_MASKED : OVS_ACTION_ATTR_SET);
            if (masked) {
                ovs_key_ethernet both[2] = {v, mk};
                w.put(OVS_KEY_ATTR_ETHERNET, both, sizeof both);
            } else {
                w.put(OVS_KEY_ATTR_ETHERNET, &v, sizeof v);
            }
            w.end_nested(t);
        } else {
            bad(tok);
        }
    }
    return w.take();
}

}  // namespace dpif
