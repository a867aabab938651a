#include "meta-flow/field_string.hpp"

#include <arpa/inet.h>
#include <strings.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "meta-flow/error.hpp"
#include "meta-flow/ports.hpp"

namespace mf {

namespace {

int hexit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

[[noreturn]] void fail(const std::string& msg) { throw Error(msg); }

std::string str(std::string_view s) { return std::string(s); }

// ---- flags ------------------------------------------------------------------------

struct FlagSet {
    const char* (*name)(uint32_t);
    uint32_t allowed;
    const char* what;  // "TCP", "tunnel", "ct_state"
};

// Open vSwitch's parse_flags: "0x12/0xfff", "+syn-ack", or "syn|ack|0x10".
// Returns flags and mask (mask all ones for the unmasked forms).
void parse_flags(std::string_view s, const FlagSet& fs, uint32_t& flags, uint32_t& mask)
{
    const std::string whole = str(s);
    auto unknown = [&](std::string_view at) { fail(str(at) + ": unknown " + fs.what + " flag(s)"); };

    // Numeric, masked.
    {
        const char* c = whole.c_str();
        char* end;
        errno = 0;
        const long long a = std::strtoll(c, &end, 0);
        if (end != c && *end == '/' && errno == 0) {
            const char* c2 = end + 1;
            char* end2;
            const long long b = std::strtoll(c2, &end2, 0);
            if (end2 != c2) {
                const uint32_t f = static_cast<uint32_t>(a), m = static_cast<uint32_t>(b);
                if ((f & ~fs.allowed) || (m & ~fs.allowed))
                    unknown(s);
                flags = f;
                mask = m;
                return;
            }
        }
    }
    // Masked names: +a-b.
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        uint32_t f = 0, m = 0;
        std::string_view rest = s;
        while (!rest.empty()) {
            const char sign = rest[0];
            if (sign != '+' && sign != '-')
                fail(str(rest) + ": " + fs.what +
                     " must be preceded by '+' (for SET) or '-' (NOT SET)");
            rest.remove_prefix(1);
            uint32_t bit = 1;
            size_t len = 0;
            for (; bit; bit <<= 1) {
                const char* n = fs.name(bit);
                if (!n)
                    continue;
                len = std::strlen(n);
                if (rest.substr(0, len) != n)
                    continue;
                if (rest.size() > len && rest[len] != '+' && rest[len] != '-')
                    continue;
                if (m & bit)
                    fail(str(rest) + ": Each " + fs.what + " flag can be specified only once");
                if (!(bit & fs.allowed))
                    unknown(rest);
                if (sign == '+')
                    f |= bit;
                m |= bit;
                break;
            }
            if (!bit)
                unknown(rest);
            rest.remove_prefix(len);
        }
        flags = f;
        mask = m;
        return;
    }
    // Unmasked: names and numbers separated by '|'.
    uint32_t result = 0;
    size_t n = 0;
    while (n < whole.size()) {
        const char* c = whole.c_str() + n;
        char* end;
        errno = 0;
        const unsigned long long v = std::strtoull(c, &end, 0);
        if (end != c && (is_digit(*c) || *c == '+' || *c == '-' || *c == ' ')) {
            if (v & ~static_cast<unsigned long long>(fs.allowed))
                unknown(s);
            n += static_cast<size_t>(end - c);
            if (n < whole.size() && whole[n] == '|')
                ++n;
            result |= static_cast<uint32_t>(v);
            continue;
        }
        uint32_t bit = 1;
        for (; bit; bit <<= 1) {
            const char* nm = fs.name(bit);
            if (!nm)
                continue;
            const size_t len = std::strlen(nm);
            if (whole.compare(n, len, nm) == 0 &&
                (n + len == whole.size() || whole[n + len] == '|')) {
                if (!(bit & fs.allowed))
                    unknown(s);
                result |= bit;
                n += len + (n + len < whole.size() && whole[n + len] == '|');
                break;
            }
        }
        if (!bit)
            unknown(s);
    }
    flags = result;
    mask = ~uint32_t{0};
}

const FlagSet kTcpFlags{tcp_flag_name, kTcpFlagsMask, "TCP"};
const FlagSet kTunFlags{tun_flag_name, kTunFlagPublicMask, "tunnel"};
const FlagSet kCtState{ct_state_name, kCsSupportedMask, "ct_state"};

// ---- addresses ----------------------------------------------------------------

// Decimal octets "a.b.c.d" (values above 255 wrap, as Open vSwitch's scanner
// lets them); returns characters consumed or 0.
size_t scan_ipv4(std::string_view s, uint8_t out[4])
{
    size_t i = 0;
    for (int k = 0; k < 4; ++k) {
        if (k) {
            if (i >= s.size() || s[i] != '.')
                return 0;
            ++i;
        }
        const size_t start = i;
        unsigned long v = 0;
        while (i < s.size() && is_digit(s[i]))
            v = v * 10 + static_cast<unsigned>(s[i++] - '0');
        if (i == start)
            return 0;
        out[k] = static_cast<uint8_t>(v);
    }
    return i;
}

ValueMask parse_ipv4(std::string_view s)
{
    ValueMask vm;
    const size_t n = scan_ipv4(s, vm.value.b);
    if (!n)
        fail(str(s) + ": invalid IP address");
    if (n == s.size()) {
        vm.mask = Value::all_ones(4);
        return vm;
    }
    if (s[n] != '/')
        fail(str(s) + ": invalid IP address");
    std::string_view m = s.substr(n + 1);
    const size_t mn = scan_ipv4(m, vm.mask.b);
    if (mn && mn == m.size())
        return vm;
    // A prefix length, possibly negative.
    size_t i = 0;
    bool neg = false;
    if (i < m.size() && (m[i] == '-' || m[i] == '+'))
        neg = m[i++] == '-';
    const size_t start = i;
    long v = 0;
    while (i < m.size() && is_digit(m[i]) && v < 100000)
        v = v * 10 + (m[i++] - '0');
    if (i == start)
        fail(str(s) + ": invalid IP address");
    if (neg)
        v = -v;
    if (v < 0 || v > 32)
        fail(str(s) + ": IPv4 network prefix bits not between 0 and 32, inclusive");
    if (i != m.size())
        fail(str(s) + ": invalid IP address");
    const uint32_t mask = v == 0 ? 0 : ~uint32_t{0} << (32 - v);
    vm.mask = Value::from_uint(mask, 4);
    return vm;
}

size_t scan_ipv6_chars(std::string_view s)
{
    size_t i = 0;
    while (i < s.size() && i < 46 && (hexit(s[i]) >= 0 || s[i] == ':' || s[i] == '.'))
        ++i;
    return i;
}

bool inet6(std::string_view s, uint8_t out[16])
{
    const std::string z(s);
    return inet_pton(AF_INET6, z.c_str(), out) == 1;
}

ValueMask parse_ipv6(std::string_view s)
{
    ValueMask vm;
    const size_t n = scan_ipv6_chars(s);
    if (!n || !inet6(s.substr(0, n), vm.value.b))
        fail(str(s) + ": invalid IPv6 address");
    if (n == s.size()) {
        vm.mask = Value::all_ones(16);
        return vm;
    }
    if (s[n] != '/')
        fail(str(s) + ": invalid IPv6 address");
    std::string_view m = s.substr(n + 1);
    size_t i = 0;
    bool neg = false;
    if (i < m.size() && (m[i] == '-' || m[i] == '+'))
        neg = m[i++] == '-';
    const size_t start = i;
    long v = 0;
    while (i < m.size() && is_digit(m[i]) && v < 100000)
        v = v * 10 + (m[i++] - '0');
    // A prefix length, unless the mask is an address (Open vSwitch takes
    // "/567f::" for prefix 567 and fails; an address is meant).
    if (i > start && m.find(':') == std::string_view::npos) {
        if (neg)
            v = -v;
        if (v < 0 || v > 128)
            fail(str(s) + ": IPv6 network prefix bits not between 0 and 128, inclusive");
        if (i != m.size())
            fail(str(s) + ": invalid IPv6 address");
        for (int k = 0; k < 16; ++k) {
            const long bits = std::min<long>(8, std::max<long>(0, v - 8 * k));
            vm.mask.b[k] = static_cast<uint8_t>(bits ? 0xff << (8 - bits) : 0);
        }
        return vm;
    }
    const size_t mn = scan_ipv6_chars(m);
    if (!mn)
        fail(str(s) + ": invalid IPv6 address");
    if (!inet6(m.substr(0, mn), vm.mask.b))
        fail(str(s) + ": Invalid IPv6 mask");
    if (mn != m.size())
        fail(str(s) + ": invalid IPv6 address");
    return vm;
}

// "x:x:x:x:x:x", hex digits greedy per octet (values wrap).
size_t scan_mac(std::string_view s, uint8_t out[6])
{
    size_t i = 0;
    for (int k = 0; k < 6; ++k) {
        if (k) {
            if (i >= s.size() || s[i] != ':')
                return 0;
            ++i;
        }
        const size_t start = i;
        unsigned v = 0;
        while (i < s.size() && hexit(s[i]) >= 0)
            v = (v << 4 | static_cast<unsigned>(hexit(s[i++]))) & 0xffff;
        if (i == start)
            return 0;
        out[k] = static_cast<uint8_t>(v);
    }
    return i;
}

ValueMask parse_mac(std::string_view s)
{
    ValueMask vm;
    const size_t n = scan_mac(s, vm.value.b);
    if (n && n == s.size()) {
        vm.mask = Value::all_ones(6);
        return vm;
    }
    if (n && s[n] == '/') {
        const size_t mn = scan_mac(s.substr(n + 1), vm.mask.b);
        if (mn && n + 1 + mn == s.size())
            return vm;
    }
    fail(str(s) + ": invalid Ethernet address");
}

// ---- the other formats --------------------------------------------------------

struct Frag {
    const char* name;
    uint8_t mask, value;
};
constexpr Frag kFrags[] = {
    {"no", kFragMask, 0},
    {"first", kFragMask, kFragAny},
    {"later", kFragMask, kFragAny | kFragLater},
    {"no", kFragAny, 0},
    {"yes", kFragAny, kFragAny},
    {"not_later", kFragLater, 0},
    {"later", kFragLater, kFragLater},
};

ValueMask parse_integer(const FieldDesc& f, std::string_view s)
{
    ValueMask vm;
    const char* what = "value";
    size_t end = 0;
    int err = parse_int_string(s, vm.value.b, f.n_bytes, &end);
    if (!err && end < s.size() && s[end] != '/')
        err = EINVAL;
    if (!err) {
        if (end < s.size()) {
            what = "mask";
            std::string_view m = s.substr(end + 1);
            size_t mend = 0;
            err = parse_int_string(m, vm.mask.b, f.n_bytes, &mend);
            if (!err && mend != m.size())
                err = EINVAL;
        } else {
            vm.mask = Value::all_ones(f.n_bytes);
        }
    }
    if (err == ERANGE)
        fail(str(s) + ": " + what + " too large for " + std::to_string(f.n_bytes) +
             "-byte field " + str(f.name));
    if (err)
        fail(str(s) + ": bad syntax for " + str(f.name) + " " + what);
    return vm;
}

ValueMask parse_packet_type(std::string_view s)
{
    ValueMask vm;
    vm.mask = Value::all_ones(4);
    std::string_view at = s;
    auto bad = [&](const char* what) {
        fail(str(at) + ": bad syntax for packet type " + what);
    };
    if (at.empty() || at[0] != '(')
        bad("missing '('");
    at.remove_prefix(1);
    size_t end = 0;
    if (parse_int_string(at, vm.value.b, 2, &end))
        bad("ns");
    at.remove_prefix(end);
    if (at.empty() || at[0] != ',')
        bad("missing ','");
    at.remove_prefix(1);
    if (parse_int_string(at, vm.value.b + 2, 2, &end))
        bad("ns_type");
    at.remove_prefix(end);
    if (at.empty() || at[0] != ')')
        bad("missing ')'");
    return vm;
}

}  // namespace

int parse_int_string(std::string_view s, uint8_t* out, size_t n_bytes, size_t* end)
{
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t i = 2;
        std::string digits;
        for (;;) {
            while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
                ++i;
            if (i >= s.size() || hexit(s[i]) < 0)
                break;
            if (hexit(s[i]) != 0 || !digits.empty()) {
                if ((digits.size() + 2) / 2 > n_bytes)
                    return ERANGE;
                digits.push_back(s[i]);
            }
            ++i;
        }
        *end = i;
        std::memset(out, 0, n_bytes);
        size_t idx = n_bytes;
        for (size_t k = digits.size(); k > 0; k -= std::min<size_t>(k, 2)) {
            --idx;
            out[idx] = static_cast<uint8_t>(hexit(digits[k - 1]));
            if (k >= 2)
                out[idx] = static_cast<uint8_t>(out[idx] | hexit(digits[k - 2]) << 4);
        }
        return 0;
    }
    const std::string z(s);
    char* tail;
    errno = 0;
    unsigned long long v = std::strtoull(z.c_str(), &tail, 0);
    if (errno)
        return errno;
    if (tail == z.c_str())
        return EINVAL;
    *end = static_cast<size_t>(tail - z.c_str());
    for (size_t i = n_bytes; i-- > 0;) {
        out[i] = static_cast<uint8_t>(v);
        v >>= 8;
    }
    return v ? ERANGE : 0;
}

std::string format_hex_compact(const uint8_t* b, size_t n)
{
    std::string s;
    char buf[4];
    for (size_t i = 0; i < n; ++i) {
        if (s.empty() && !b[i])
            continue;
        std::snprintf(buf, sizeof buf, s.empty() ? "%x" : "%02x", b[i]);
        if (s.empty())
            s = "0x";
        s += buf;
    }
    return s.empty() ? "0" : s;
}

const char* tcp_flag_name(uint32_t bit)
{
    switch (bit) {
    case kTcpFin: return "fin";
    case kTcpSyn: return "syn";
    case kTcpRst: return "rst";
    case kTcpPsh: return "psh";
    case kTcpAck: return "ack";
    case kTcpUrg: return "urg";
    case kTcpEce: return "ece";
    case kTcpCwr: return "cwr";
    case kTcpNs: return "ns";
    case 0x200: return "[200]";
    case 0x400: return "[400]";
    case 0x800: return "[800]";
    default: return nullptr;
    }
}

const char* tun_flag_name(uint32_t bit)
{
    switch (bit) {
    case kTunFlagDontFragment: return "df";
    case kTunFlagCsum: return "csum";
    case kTunFlagKey: return "key";
    case kTunFlagOam: return "oam";
    default: return nullptr;
    }
}

const char* ct_state_name(uint32_t bit)
{
    switch (bit) {
    case kCsNew: return "new";
    case kCsEstablished: return "est";
    case kCsRelated: return "rel";
    case kCsReplyDir: return "rpl";
    case kCsInvalid: return "inv";
    case kCsTracked: return "trk";
    case kCsSrcNat: return "snat";
    case kCsDstNat: return "dnat";
    default: return nullptr;
    }
}

std::string format_flags(uint32_t flags, const char* (*name)(uint32_t), char sep)
{
    if (!flags)
        return "0";
    std::string s;
    uint32_t bad = 0;
    while (flags) {
        const uint32_t bit = flags & (~flags + 1);
        if (const char* n = name(bit)) {
            s += n;
            s += sep;
        } else {
            bad |= bit;
        }
        flags &= ~bit;
    }
    if (bad) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "0x%x", bad);
        s += buf;
        s += sep;
    }
    s.pop_back();
    return s;
}

std::string format_flags_masked(uint32_t flags, uint32_t mask, uint32_t max_mask,
                                const char* (*name)(uint32_t))
{
    if (mask == max_mask)
        return format_flags(flags, name, '|');
    if (!mask)
        return "0/0";
    std::string s;
    while (mask) {
        const uint32_t bit = mask & (~mask + 1);
        const char* n = name(bit);
        s += (flags & bit) ? '+' : '-';
        s += n ? n : "[Unknown]";
        mask &= ~bit;
    }
    return s;
}

ValueMask parse_field_value(FieldId id, std::string_view s)
{
    const FieldDesc& f = field(id);
    ValueMask vm;
    if (s == "*")
        return vm;
    switch (f.format) {
    case StringFormat::decimal:
    case StringFormat::hexadecimal:
        vm = parse_integer(f, s);
        break;
    case StringFormat::ethernet:
        vm = parse_mac(s);
        break;
    case StringFormat::ipv4:
        vm = parse_ipv4(s);
        break;
    case StringFormat::ipv6:
        vm = parse_ipv6(s);
        break;
    case StringFormat::ofp_port: {
        auto p = parse_ofp_port(s);
        if (!p)
            fail(str(s) + ": invalid or unknown port for " + str(f.name));
        vm.value = Value::from_uint(*p, 2);
        vm.mask = Value::all_ones(2);
        break;
    }
    case StringFormat::ofp_port_oxm: {
        auto p = parse_ofp_port(s);
        if (!p)
            fail(str(s) + ": port value out of range for " + str(f.name));
        vm.value = Value::from_uint(ofp10_to_ofp11_port(*p), 4);
        vm.mask = Value::all_ones(4);
        break;
    }
    case StringFormat::frag: {
        const std::string z(s);
        bool found = false;
        for (const Frag& fr : kFrags)
            if (!strcasecmp(z.c_str(), fr.name)) {
                vm.value = Value::from_uint(fr.value, 1);
                // Upper bits forced on so that "first" counts as exact.
                vm.mask = Value::from_uint(static_cast<uint8_t>(fr.mask | ~kFragMask), 1);
                found = true;
                break;
            }
        if (!found)
            fail(str(s) + ": unknown fragment type (valid types are \"no\", \"yes\", "
                          "\"first\", \"later\", \"not_later\"");
        break;
    }
    case StringFormat::tcp_flags:
    case StringFormat::tun_flags: {
        uint32_t fl, m;
        parse_flags(s, f.format == StringFormat::tcp_flags ? kTcpFlags : kTunFlags, fl, m);
        vm.value = Value::from_uint(fl & 0xffff, 2);
        vm.mask = Value::from_uint(m & 0xffff, 2);
        break;
    }
    case StringFormat::ct_state: {
        uint32_t fl, m;
        parse_flags(s, kCtState, fl, m);
        vm.value = Value::from_uint(fl, 4);
        vm.mask = Value::from_uint(m, 4);
        break;
    }
    case StringFormat::packet_type:
        vm = parse_packet_type(s);
        break;
    }
    if (!is_mask_valid(id, vm.mask))
        fail(str(s) + ": invalid mask for field " + str(f.name));
    return vm;
}

std::string format_field_value(FieldId id, const Value& value, const Value* mask)
{
    const FieldDesc& f = field(id);
    const size_t n = f.n_bytes;
    if (mask && mask->is_zero(n))
        return "*";  // Open vSwitch prints "ANY", which it cannot read back
    if (mask && mask->is_all_ones(n))
        mask = nullptr;
    auto integer = [&] {
        std::string s;
        if (f.format == StringFormat::hexadecimal || n > 8) {
            s = format_hex_compact(value.b, n);
        } else {
            s = std::to_string(value.to_uint(n));
        }
        if (mask)
            s += "/" + format_hex_compact(mask->b, n);
        return s;
    };
    switch (f.format) {
    case StringFormat::decimal:
    case StringFormat::hexadecimal:
        return integer();
    case StringFormat::ofp_port:
        if (!mask)
            return format_ofp_port(static_cast<uint16_t>(value.to_uint(2)));
        return integer();
    case StringFormat::ofp_port_oxm:
        if (!mask) {
            if (auto p = ofp11_to_ofp10_port(static_cast<uint32_t>(value.to_uint(4))))
                return format_ofp_port(*p);
        }
        return integer();
    case StringFormat::ethernet: {
        Mac m;
        std::memcpy(m.b, value.b, 6);
        std::string s = format_mac(m);
        if (mask) {
            std::memcpy(m.b, mask->b, 6);
            s += "/" + format_mac(m);
        }
        return s;
    }
    case StringFormat::ipv4: {
        Be32 a;
        std::memcpy(a.b, value.b, 4);
        std::string s = format_ipv4(a);
        if (mask) {
            const uint32_t m = static_cast<uint32_t>(mask->to_uint(4));
            const uint32_t inv = ~m;
            if ((inv & (inv + 1)) == 0) {
                int bits = 0;
                for (uint32_t x = m; x; x <<= 1)
                    ++bits;
                s += "/" + std::to_string(bits);
            } else {
                std::memcpy(a.b, mask->b, 4);
                s += "/" + format_ipv4(a);
            }
        }
        return s;
    }
    case StringFormat::ipv6: {
        In6 a;
        std::memcpy(a.b, value.b, 16);
        std::string s = format_ipv6(a);
        if (mask) {
            int bits = 0;
            bool cidr = true;
            for (int k = 0; k < 16 && cidr; ++k) {
                const uint8_t b = mask->b[k];
                if (b == 0xff) {
                    bits += 8;
                    continue;
                }
                const uint8_t inv = static_cast<uint8_t>(~b);
                if (inv & (inv + 1))
                    cidr = false;
                for (uint8_t x = b; x; x = static_cast<uint8_t>(x << 1))
                    ++bits;
                for (int j = k + 1; j < 16; ++j)
                    if (mask->b[j])
                        cidr = false;
                break;
            }
            if (cidr) {
                s += "/" + std::to_string(bits);
            } else {
                std::memcpy(a.b, mask->b, 16);
                s += "/" + format_ipv6(a);
            }
        }
        return s;
    }
    case StringFormat::frag: {
        const uint8_t m = static_cast<uint8_t>((mask ? mask->b[0] : 0xff) & kFragMask);
        const uint8_t v = static_cast<uint8_t>(value.b[0] & m);
        for (const Frag& fr : kFrags)
            if (fr.mask == m && fr.value == v)
                return fr.name;
        return "<error>";
    }
    case StringFormat::tcp_flags: {
        const uint32_t v = static_cast<uint32_t>(value.to_uint(2));
        const uint32_t m = mask ? static_cast<uint32_t>(mask->to_uint(2)) : 0xffff;
        if (m == 0xffff && !(v & ~uint32_t{kTcpFlagsMask}))
            return format_flags(v, tcp_flag_name, '|');
        if ((m & ~uint32_t{kTcpFlagsMask}) || (v & ~uint32_t{kTcpFlagsMask}) || m == kTcpFlagsMask) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "0x%03x/0x%04x", v, m);
            return buf;
        }
        return format_flags_masked(v, m, 0xffff, tcp_flag_name);
    }
    case StringFormat::tun_flags: {
        const uint32_t v = static_cast<uint32_t>(value.to_uint(2)) & kTunFlagPublicMask;
        const uint32_t m = (mask ? static_cast<uint32_t>(mask->to_uint(2)) : 0xffff) & kTunFlagPublicMask;
        if (m == kTunFlagPublicMask)
            return format_flags(v, tun_flag_name, '|');
        return format_flags_masked(v, m, kTunFlagPublicMask, tun_flag_name);
    }
    case StringFormat::ct_state: {
        const uint32_t v = static_cast<uint32_t>(value.to_uint(4));
        const uint32_t m = mask ? static_cast<uint32_t>(mask->to_uint(4)) : ~uint32_t{0};
        if ((m & kCsSupportedMask) == kCsSupportedMask && !(v & ~kCsSupportedMask))
            return format_flags(v, ct_state_name, '|');
        return format_flags_masked(v, m & kCsSupportedMask, kCsSupportedMask, ct_state_name);
    }
    case StringFormat::packet_type: {
        auto u16 = [](uint16_t v, uint16_t m) {
            if (!m)
                return std::string("*");
            char buf[16];
            std::snprintf(buf, sizeof buf, v > 9 ? "0x%x" : "%u", v);
            std::string s = buf;
            if (m != 0xffff) {
                std::snprintf(buf, sizeof buf, "/0x%x", m);
                s += buf;
            }
            return s;
        };
        const uint32_t v = static_cast<uint32_t>(value.to_uint(4));
        const uint32_t m = mask ? static_cast<uint32_t>(mask->to_uint(4)) : ~uint32_t{0};
        return "(" + u16(static_cast<uint16_t>(v >> 16), static_cast<uint16_t>(m >> 16)) + "," +
               u16(static_cast<uint16_t>(v), static_cast<uint16_t>(m)) + ")";
    }
    }
    return {};
}

}  // namespace mf
