#include "dpif/nl_attr.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

#include "dpif/error.hpp"

namespace dpif {

void AttrWriter::put(uint16_t type, const void* data, size_t len)
{
    if (len + kAttrHeader > 0xffff)
        throw Error(EMSGSIZE, "netlink attribute " + std::to_string(type) + " too long");
    const uint16_t total = static_cast<uint16_t>(kAttrHeader + len);
    const size_t at = buf_.size();
    buf_.resize(at + attr_align(total), 0);
    std::memcpy(&buf_[at], &total, 2);
    std::memcpy(&buf_[at + 2], &type, 2);
    if (len)
        std::memcpy(&buf_[at + kAttrHeader], data, len);
}

void AttrWriter::put_be16(uint16_t type, uint16_t v)
{
    const uint16_t n = htons(v);
    put(type, &n, 2);
}

void AttrWriter::put_be32(uint16_t type, uint32_t v)
{
    const uint32_t n = htonl(v);
    put(type, &n, 4);
}

void AttrWriter::put_string(uint16_t type, std::string_view s)
{
    std::string z(s);
    put(type, z.c_str(), z.size() + 1);
}

size_t AttrWriter::begin_nested(uint16_t type)
{
    const size_t at = buf_.size();
    put(type, nullptr, 0);
    return at;
}

void AttrWriter::end_nested(size_t token)
{
    const size_t len = buf_.size() - token;
    if (len > 0xffff)
        throw Error(EMSGSIZE, "nested netlink attribute too long");
    const uint16_t total = static_cast<uint16_t>(len);
    std::memcpy(&buf_[token], &total, 2);
}

void AttrWriter::append_raw(ByteView raw)
{
    buf_.insert(buf_.end(), raw.begin(), raw.end());
    buf_.resize(attr_align(buf_.size()), 0);
}

namespace {

void need(const Attr& a, size_t n)
{
    if (a.payload.size() < n)
        throw Error(EPROTO, "netlink attribute " + std::to_string(a.type) + " has " +
                                std::to_string(a.payload.size()) + " bytes, expected " +
                                std::to_string(n));
}

}  // namespace

uint8_t Attr::u8() const { need(*this, 1); return payload[0]; }
uint16_t Attr::u16() const { need(*this, 2); uint16_t v; std::memcpy(&v, payload.data(), 2); return v; }
uint32_t Attr::u32() const { need(*this, 4); uint32_t v; std::memcpy(&v, payload.data(), 4); return v; }
uint64_t Attr::u64() const { need(*this, 8); uint64_t v; std::memcpy(&v, payload.data(), 8); return v; }
uint16_t Attr::be16() const { return ntohs(u16()); }
uint32_t Attr::be32() const { return ntohl(u32()); }

std::string Attr::str() const
{
    std::string s(payload.begin(), payload.end());
    if (auto nul = s.find('\0'); nul != std::string::npos)
        s.resize(nul);
    return s;
}

std::vector<Attr> Attr::nested() const { return parse_attrs(payload); }

std::vector<Attr> parse_attrs(ByteView buf)
{
    std::vector<Attr> out;
    size_t off = 0;
    while (off + kAttrHeader <= buf.size()) {
        uint16_t len, type;
        std::memcpy(&len, &buf[off], 2);
        std::memcpy(&type, &buf[off + 2], 2);
        if (len < kAttrHeader || off + len > buf.size())
            throw Error(EPROTO, "malformed netlink attribute at offset " + std::to_string(off) +
                                    " (length " + std::to_string(len) + ", " +
                                    std::to_string(buf.size() - off) + " bytes left)");
        Attr a;
        a.raw_type = type;
        a.type = type & kAttrTypeMask;
        a.payload = buf.subspan(off + kAttrHeader, len - kAttrHeader);
        out.push_back(a);
        off += attr_align(len);
    }
    if (off < buf.size()) {
        // Fewer than 4 bytes left: only zero padding is acceptable.
        for (size_t i = off; i < buf.size(); ++i)
            if (buf[i] != 0)
                throw Error(EPROTO, "trailing garbage after netlink attributes");
    }
    return out;
}

std::optional<Attr> find_attr(const std::vector<Attr>& attrs, uint16_t type)
{
    for (const auto& a : attrs)
        if (a.type == type)
            return a;
    return std::nullopt;
}

std::string to_hex(ByteView b)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(b.size() * 2);
    for (uint8_t c : b) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

Bytes from_hex(std::string_view s)
{
    if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s.remove_prefix(2);
    Bytes out;
    int hi = -1;
    for (char c : s) {
        int v;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else if (c == ':' || c == '.' || c == ' ') continue;
        else throw Error(EINVAL, std::string("bad hex digit '") + c + "'");
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<uint8_t>(hi << 4 | v));
            hi = -1;
        }
    }
    if (hi >= 0)
        throw Error(EINVAL, "odd number of hex digits");
    return out;
}

}  // namespace dpif
