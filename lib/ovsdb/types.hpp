// OVSDB types (RFC 7047 section 3.2): atomic types, atoms, base types with
// their constraints, and column types (key, optional value, min, max).
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "ovsdb/error.hpp"
#include "ovsdb/uuid.hpp"

namespace ovsdb {

using json = nlohmann::json;

enum class AtomicType { Integer, Real, Boolean, String, Uuid };

const char* to_string(AtomicType t);
std::optional<AtomicType> atomic_type_from_string(const std::string& s);

// One value of an atomic type.  Ordered as OVSDB orders them: numbers
// numerically, false < true, strings bytewise, UUIDs by value.
class Atom {
public:
    Atom() : v_(int64_t{0}) {}
    explicit Atom(int64_t i) : v_(i) {}
    explicit Atom(double r) : v_(r) {}
    explicit Atom(bool b) : v_(b) {}
    explicit Atom(std::string s) : v_(std::move(s)) {}
    explicit Atom(Uuid u) : v_(u) {}

    AtomicType type() const { return static_cast<AtomicType>(v_.index()); }
    int64_t integer() const { return std::get<int64_t>(v_); }
    double real() const { return std::get<double>(v_); }
    bool boolean() const { return std::get<bool>(v_); }
    const std::string& string() const { return std::get<std::string>(v_); }
    const Uuid& uuid() const { return std::get<Uuid>(v_); }

    static Atom default_of(AtomicType t);
    json to_json() const;

    bool operator==(const Atom& o) const { return v_ == o.v_; }
    bool operator<(const Atom& o) const { return v_ < o.v_; }

private:
    std::variant<int64_t, double, bool, std::string, Uuid> v_;
};

// Maps "uuid-name"s of a transaction to the UUIDs they stand for.
using NamedUuids = std::map<std::string, Uuid>;

enum class RefType { Strong, Weak };

class Datum;

struct BaseType {
    AtomicType type = AtomicType::Integer;
    std::shared_ptr<const std::vector<Atom>> enumeration;   // sorted, when constrained
    int64_t min_integer = std::numeric_limits<int64_t>::min();
    int64_t max_integer = std::numeric_limits<int64_t>::max();
    double min_real = -std::numeric_limits<double>::max();
    double max_real = std::numeric_limits<double>::max();
    uint64_t min_length = 0;
    uint64_t max_length = std::numeric_limits<uint64_t>::max();
    std::string ref_table;                // for uuids
    RefType ref_type = RefType::Strong;

    static BaseType from_json(const json& j);   // throws Error("syntax error")
    json to_json() const;
    bool is_ref() const { return type == AtomicType::Uuid && !ref_table.empty(); }

    // Parses an atom of this type from its wire form.  `named` resolves
    // ["named-uuid", NAME] (nullptr: not allowed).  Throws syntax errors.
    Atom atom_from_json(const json& j, const NamedUuids* named) const;
    // Throws Error("constraint violation") when `a` breaks a constraint.
    void check(const Atom& a) const;
};

struct Type {
    BaseType key;
    std::optional<BaseType> value;
    unsigned min = 1;
    unsigned max = 1;   // kUnlimited for "unlimited"
    static constexpr unsigned kUnlimited = std::numeric_limits<unsigned>::max();

    static Type from_json(const json& j);
    json to_json() const;
    bool is_map() const { return value.has_value(); }
    bool is_scalar() const { return min == 1 && max == 1 && !value; }
    bool is_optional_scalar() const { return min == 0 && max == 1 && !value; }
};

}  // namespace ovsdb
