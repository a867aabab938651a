// Uuid: the 128-bit identifiers of OVSDB rows (RFC 4122 text form).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace ovsdb {

struct Uuid {
    uint64_t hi = 0, lo = 0;

    static Uuid random();                                   // version 4
    // Version 7: increasing over time (within a process), random below.
    // Rows get these, so that new rows land at the end of the storage's
    // B-trees instead of at random places.
    static Uuid time_ordered();
    static std::optional<Uuid> parse(std::string_view s);   // 8-4-4-4-12 hex
    static bool is_valid(std::string_view s) { return parse(s).has_value(); }
    std::string to_string() const;
    bool is_zero() const { return hi == 0 && lo == 0; }

    auto operator<=>(const Uuid&) const = default;
    bool operator==(const Uuid&) const = default;
};

}  // namespace ovsdb

template <>
struct std::hash<ovsdb::Uuid> {
    size_t operator()(const ovsdb::Uuid& u) const noexcept {
        return static_cast<size_t>(u.hi ^ (u.lo * 0x9e3779b97f4a7c15ull));
    }
};
