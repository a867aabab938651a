// Network-byte-order value types for packet header fields.
//
// Every multi-byte member of mf::Flow is one of these: a plain array of bytes
// in network (big-endian) order, alignment 1, no padding.  That makes a Flow
// a flat byte string: a field's location is an (offset, size) pair, masking
// is a bytewise AND, and nothing can silently mix host and network order --
// the only way in or out of a BeUint is get()/set() with a host integer.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace mf {

template <size_t N>
using uint_for_t = std::conditional_t<
    N == 1, uint8_t,
    std::conditional_t<N == 2, uint16_t, std::conditional_t<N <= 4, uint32_t, uint64_t>>>;

// An N-byte unsigned integer stored big-endian (N = 2, 4 or 8).
template <size_t N>
struct BeUint {
    static_assert(N == 2 || N == 4 || N == 8);
    using host_type = uint_for_t<N>;

    uint8_t b[N];

    constexpr host_type get() const
    {
        host_type v = 0;
        for (size_t i = 0; i < N; ++i)
            v = static_cast<host_type>((v << 8) | b[i]);
        return v;
    }
    constexpr void set(host_type v)
    {
        for (size_t i = N; i-- > 0;) {
            b[i] = static_cast<uint8_t>(v & 0xff);
            v = static_cast<host_type>(v >> 8);
        }
    }
    static constexpr BeUint of(host_type v)
    {
        BeUint r{};
        r.set(v);
        return r;
    }
    constexpr bool is_zero() const { return get() == 0; }

    friend constexpr bool operator==(const BeUint& a, const BeUint& c)
    {
        return a.get() == c.get();
    }
    friend constexpr bool operator==(const BeUint& a, host_type v) { return a.get() == v; }
};

using Be16 = BeUint<2>;
using Be32 = BeUint<4>;
using Be64 = BeUint<8>;

// A 6-byte Ethernet address.
struct Mac {
    uint8_t b[6];

    static constexpr Mac of(uint64_t v)
    {
        Mac m{};
        for (int i = 5; i >= 0; --i, v >>= 8)
            m.b[i] = static_cast<uint8_t>(v);
        return m;
    }
    constexpr bool is_zero() const
    {
        for (uint8_t c : b)
            if (c)
                return false;
        return true;
    }
    constexpr bool is_multicast() const { return b[0] & 1; }
    friend constexpr bool operator==(const Mac&, const Mac&) = default;
};

// A 16-byte IPv6 address (or any 128-bit big-endian value).
struct In6 {
    uint8_t b[16];

    constexpr bool is_zero() const
    {
        for (uint8_t c : b)
            if (c)
                return false;
        return true;
    }
    friend constexpr bool operator==(const In6&, const In6&) = default;
};

static_assert(sizeof(Be16) == 2 && alignof(Be16) == 1);
static_assert(sizeof(Be32) == 4 && alignof(Be32) == 1);
static_assert(sizeof(Be64) == 8 && alignof(Be64) == 1);
static_assert(sizeof(Mac) == 6 && alignof(Mac) == 1);
static_assert(sizeof(In6) == 16 && alignof(In6) == 1);

// Text forms, as Open vSwitch prints them.
std::string format_mac(const Mac& m);           // "01:23:45:67:89:ab"
std::string format_ipv4(const Be32& a);         // "10.0.0.1"
std::string format_ipv6(const In6& a);          // RFC 5952 compressed, "::1"

}  // namespace mf
