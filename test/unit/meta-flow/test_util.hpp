// Helpers shared by the meta-flow unit tests: deterministic random flows and
// values, and a small packet builder that does not use the code under test.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <vector>

#include "meta-flow/field.hpp"
#include "meta-flow/flow.hpp"

namespace mft {

using Bytes = std::vector<uint8_t>;
using Rng = std::mt19937_64;

inline mf::Flow random_flow(Rng& rng)
{
    mf::Flow f;
    for (size_t i = 0; i < sizeof f; ++i)
        f.bytes()[i] = static_cast<uint8_t>(rng());
    f.pad0_ = {};
    return f;
}

// A random value the field can take (every valid bit pattern is reachable).
inline mf::Value random_value(const mf::FieldDesc& f, Rng& rng)
{
    mf::Value v;
    if (f.codec == mf::Codec::ofp11_port) {
        const uint32_t p = (rng() & 1) ? static_cast<uint32_t>(rng() % 0xff00)
                                       : 0xffffff00u + static_cast<uint32_t>(rng() % 0x100);
        return mf::Value::from_uint(p, 4);
    }
    for (size_t i = 0; i < f.n_bytes; ++i)
        v.b[i] = static_cast<uint8_t>(rng());
    if (f.n_bytes <= 8)
        v = mf::Value::from_uint(v.to_uint(f.n_bytes) & f.valid_bits, f.n_bytes);
    return v;
}

// A random mask over the field's value bits (any pattern, may be 0 or all).
inline mf::Value random_mask(const mf::FieldDesc& f, Rng& rng)
{
    mf::Value m;
    const int kind = static_cast<int>(rng() % 4);
    for (size_t i = 0; i < f.n_bytes; ++i)
        m.b[i] = kind == 0 ? 0xff : static_cast<uint8_t>(rng());
    if (kind == 1) {  // a prefix (CIDR-like) mask
        const size_t bits = rng() % (8 * f.n_bytes + 1);
        for (size_t i = 0; i < f.n_bytes; ++i) {
            const size_t have = std::min<size_t>(8, bits > 8 * i ? bits - 8 * i : 0);
            m.b[i] = static_cast<uint8_t>(have ? 0xff << (8 - have) : 0);
        }
    }
    return m;
}

// The bits of a field value the storage can hold (before validity rules).
inline uint64_t capacity(const mf::FieldDesc& f)
{
    const uint64_t ones = f.n_bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * f.n_bytes)) - 1;
    return (f.loc.bits >> f.loc.shift) & ones;
}

// ---- packets, built by hand ---------------------------------------------------

struct Packet {
    Bytes b;
    Packet& raw(std::initializer_list<uint8_t> x)
    {
        b.insert(b.end(), x);
        return *this;
    }
    Packet& bytes(const Bytes& x)
    {
        b.insert(b.end(), x.begin(), x.end());
        return *this;
    }
    Packet& u16(uint16_t v) { return raw({static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)}); }
    Packet& u32(uint32_t v) { return u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v)); }
    Packet& zeros(size_t n)
    {
        b.insert(b.end(), n, 0);
        return *this;
    }
    Packet& eth(uint64_t dst, uint64_t src)
    {
        for (int i = 5; i >= 0; --i)
            b.push_back(static_cast<uint8_t>(dst >> (8 * i)));
        for (int i = 5; i >= 0; --i)
            b.push_back(static_cast<uint8_t>(src >> (8 * i)));
        return *this;
    }
    size_t size() const { return b.size(); }
    // Patches a 16-bit big-endian value at `at`.
    void put16(size_t at, uint16_t v)
    {
        b[at] = static_cast<uint8_t>(v >> 8);
        b[at + 1] = static_cast<uint8_t>(v);
    }
};

// IPv4 header (20 bytes + options), total length patched by the caller or
// computed from `payload`.
inline Bytes ipv4_header(uint32_t src, uint32_t dst, uint8_t proto, size_t payload,
                         uint8_t tos = 0, uint8_t ttl = 64, uint16_t frag = 0,
                         const Bytes& options = {})
{
    Packet p;
    const size_t ihl = 20 + options.size();
    p.raw({static_cast<uint8_t>(0x40 | (ihl / 4)), tos});
    p.u16(static_cast<uint16_t>(ihl + payload));
    p.u16(0x1234).u16(frag);
    p.raw({ttl, proto, 0, 0});
    p.u32(src).u32(dst);
    p.bytes(options);
    return p.b;
}

inline Bytes ipv6_header(const uint8_t src[16], const uint8_t dst[16], uint8_t next,
                         size_t payload, uint8_t tclass = 0, uint32_t label = 0,
                         uint8_t hlim = 64)
{
    Packet p;
    p.u32(0x60000000u | uint32_t{tclass} << 20 | (label & 0xfffff));
    p.u16(static_cast<uint16_t>(payload));
    p.raw({next, hlim});
    p.b.insert(p.b.end(), src, src + 16);
    p.b.insert(p.b.end(), dst, dst + 16);
    return p.b;
}

inline Bytes tcp_header(uint16_t sport, uint16_t dport, uint16_t flags, size_t options = 0)
{
    Packet p;
    p.u16(sport).u16(dport).u32(1).u32(0);
    const size_t hlen = 20 + options;
    p.u16(static_cast<uint16_t>((hlen / 4) << 12 | (flags & 0x0fff)));
    p.u16(1024).u16(0).u16(0);
    p.zeros(options);
    return p.b;
}

inline Bytes udp_header(uint16_t sport, uint16_t dport, size_t payload)
{
    Packet p;
    p.u16(sport).u16(dport).u16(static_cast<uint16_t>(8 + payload)).u16(0);
    return p.b;
}

}  // namespace mft
