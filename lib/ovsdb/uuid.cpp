#include "ovsdb/uuid.hpp"

#include <chrono>
#include <random>

namespace ovsdb {

namespace {
std::mt19937_64& rng() {
    static std::mt19937_64 g([] {
        std::random_device rd;
        return (static_cast<uint64_t>(rd()) << 32) ^ rd();
    }());
    return g;
}
int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

Uuid Uuid::random() {
    Uuid u{rng()(), rng()()};
    u.hi = (u.hi & ~0xf000ull) | 0x4000ull;                          // version 4
    u.lo = (u.lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;   // variant 1
    return u;
}

Uuid Uuid::time_ordered() {
    // RFC 9562 version 7: 48 bits of Unix time in milliseconds, then 12
    // bits used as a counter so that UUIDs made within one millisecond
    // still increase, then 62 random bits.
    static uint64_t last_hi = 0;
    uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
    uint64_t hi = (ms << 16) | 0x7000ull | (rng()() & 0x3ffull);   // counter starts low in its range
    if (hi <= last_hi) {
        hi = last_hi + 1;
        if ((hi & 0xf000ull) != 0x7000ull)   // the counter overflowed into the version nibble
            hi = (((hi >> 16) + 1) << 16) | 0x7000ull;
    }
    last_hi = hi;
    Uuid u{hi, rng()()};
    u.lo = (u.lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;   // variant 1
    return u;
}

std::optional<Uuid> Uuid::parse(std::string_view s) {
    if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return std::nullopt;
    Uuid u;
    int n = 0;
    for (size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        int v = hexval(s[i]);
        if (v < 0) return std::nullopt;
        if (n < 16)
            u.hi = (u.hi << 4) | static_cast<uint64_t>(v);
        else
            u.lo = (u.lo << 4) | static_cast<uint64_t>(v);
        ++n;
    }
    return u;
}

std::string Uuid::to_string() const {
    static const char* hex = "0123456789abcdef";
    std::string s(36, '-');
    int n = 0;
    for (size_t i = 0; i < 36; ++i) {
        if (i == 8 || i == 13 || i == 18 || i == 23) continue;
        uint64_t word = n < 16 ? hi : lo;
        int shift = 60 - 4 * (n % 16);
        s[i] = hex[(word >> shift) & 15];
        ++n;
    }
    return s;
}

}  // namespace ovsdb
