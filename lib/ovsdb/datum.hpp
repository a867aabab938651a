// Datum: the value of a column — a set of atoms, or a map from atoms to
// atoms (RFC 7047 <value>).  Keys are kept sorted and unique, so equality
// and set operations are linear.
#pragma once

#include <vector>

#include "ovsdb/types.hpp"

namespace ovsdb {

class Datum {
public:
    Datum() = default;
    Datum(std::vector<Atom> keys, std::vector<Atom> values) : keys_(std::move(keys)), values_(std::move(values)) {}
    static Datum scalar(Atom a) { return Datum({std::move(a)}, {}); }

    // The column default: empty when min is 0, else one default atom (and value).
    static Datum default_for(const Type& t);
    // Parses a wire value for `t`: checks syntax, atom constraints and size.
    static Datum from_json(const json& j, const Type& t, const NamedUuids* named);
    json to_json(const Type& t) const;

    const std::vector<Atom>& keys() const { return keys_; }
    const std::vector<Atom>& values() const { return values_; }
    bool is_map() const { return !values_.empty() || map_; }
    size_t size() const { return keys_.size(); }
    bool empty() const { return keys_.empty(); }

    // Index of `key`, or -1.
    long find(const Atom& key) const;
    bool contains_key(const Atom& key) const { return find(key) >= 0; }
    // For maps: true if (key, value) is present.  For sets: key present.
    bool contains(const Datum& other) const;   // `other` is a subset (pairs for maps)
    bool disjoint(const Datum& other) const;   // no element (pair) in common

    // Set/map algebra used by mutations and by the engine.
    void insert_all(const Datum& other);        // union; for maps, existing keys win
    void remove_all(const Datum& other, bool match_values);  // maps: by key or by pair
    void sort_unique(bool is_map);               // after building unsorted; throws on duplicate keys

    // Atom constraints of every element, and the size bounds of `t`.
    void check(const Type& t) const;

    bool operator==(const Datum& o) const { return keys_ == o.keys_ && values_ == o.values_; }
    bool operator<(const Datum& o) const {
        return keys_ != o.keys_ ? keys_ < o.keys_ : values_ < o.values_;
    }

    std::vector<Atom>& mutable_keys() { return keys_; }
    std::vector<Atom>& mutable_values() { return values_; }
    void set_map(bool m) { map_ = m; }

private:
    std::vector<Atom> keys_;
    std::vector<Atom> values_;
    bool map_ = false;
};

}  // namespace ovsdb
