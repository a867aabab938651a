#include "ovsdb/datum.hpp"

#include <algorithm>
#include <numeric>

namespace ovsdb {

Datum Datum::default_for(const Type& t) {
    Datum d;
    d.map_ = t.is_map();
    if (t.min == 0) return d;
    d.keys_.push_back(Atom::default_of(t.key.type));
    if (t.value) d.values_.push_back(Atom::default_of(t.value->type));
    return d;
}

void Datum::sort_unique(bool is_map) {
    map_ = is_map;
    if (keys_.size() < 2) return;
    std::vector<size_t> idx(keys_.size());
    std::iota(idx.begin(), idx.end(), 0);
    if (is_map) {
        std::stable_sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return keys_[a] < keys_[b]; });
        std::vector<Atom> k, v;
        for (size_t i : idx) {
            if (!k.empty() && k.back() == keys_[i])
                throw Error("constraint violation", "map contains duplicate key " + keys_[i].to_json().dump());
            k.push_back(std::move(keys_[i]));
            v.push_back(std::move(values_[i]));
        }
        keys_ = std::move(k);
        values_ = std::move(v);
    } else {
        std::sort(keys_.begin(), keys_.end());
        auto dup = std::adjacent_find(keys_.begin(), keys_.end());
        if (dup != keys_.end())
            throw Error("constraint violation", "set contains duplicate value " + dup->to_json().dump());
    }
}

Datum Datum::from_json(const json& j, const Type& t, const NamedUuids* named) {
    Datum d;
    d.map_ = t.is_map();
    if (t.is_map()) {
        if (!j.is_array() || j.size() != 2 || j[0] != "map" || !j[1].is_array())
            throw syntax_error(j, "expected [\"map\", [[KEY, VALUE], ...]]");
        for (const auto& pair : j[1]) {
            if (!pair.is_array() || pair.size() != 2) throw syntax_error(j, "map element is not a [KEY, VALUE] pair");
            Atom k = t.key.atom_from_json(pair[0], named);
            Atom v = t.value->atom_from_json(pair[1], named);
            t.key.check(k);
            t.value->check(v);
            d.keys_.push_back(std::move(k));
            d.values_.push_back(std::move(v));
        }
    } else if (j.is_array() && j.size() == 2 && j[0] == "set") {
        if (!j[1].is_array()) throw syntax_error(j, "expected [\"set\", [ATOM, ...]]");
        for (const auto& e : j[1]) {
            Atom a = t.key.atom_from_json(e, named);
            t.key.check(a);
            d.keys_.push_back(std::move(a));
        }
    } else {
        Atom a = t.key.atom_from_json(j, named);
        t.key.check(a);
        d.keys_.push_back(std::move(a));
    }
    d.sort_unique(t.is_map());
    if (d.size() < t.min || d.size() > t.max)
        throw syntax_error(j, std::string(t.is_map() ? "map" : "set") + " must have " + std::to_string(t.min) +
                                  " to " + (t.max == Type::kUnlimited ? "unlimited" : std::to_string(t.max)) +
                                  " members but " + std::to_string(d.size()) + " are present");
    return d;
}

json Datum::to_json(const Type& t) const {
    if (t.is_map()) {
        json pairs = json::array();
        for (size_t i = 0; i < keys_.size(); ++i) pairs.push_back(json::array({keys_[i].to_json(), values_[i].to_json()}));
        return json::array({"map", std::move(pairs)});
    }
    if (keys_.size() == 1) return keys_[0].to_json();
    json atoms = json::array();
    for (const auto& k : keys_) atoms.push_back(k.to_json());
    return json::array({"set", std::move(atoms)});
}

long Datum::find(const Atom& key) const {
    auto it = std::lower_bound(keys_.begin(), keys_.end(), key);
    if (it == keys_.end() || !(*it == key)) return -1;
    return it - keys_.begin();
}

bool Datum::contains(const Datum& o) const {
    for (size_t i = 0; i < o.keys_.size(); ++i) {
        long j = find(o.keys_[i]);
        if (j < 0) return false;
        if (is_map() && !o.values_.empty() && !(values_[static_cast<size_t>(j)] == o.values_[i])) return false;
    }
    return true;
}

bool Datum::disjoint(const Datum& o) const {
    for (size_t i = 0; i < o.keys_.size(); ++i) {
        long j = find(o.keys_[i]);
        if (j < 0) continue;
        if (!is_map() || o.values_.empty() || values_[static_cast<size_t>(j)] == o.values_[i]) return false;
    }
    return true;
}

void Datum::insert_all(const Datum& o) {
    bool m = is_map() || o.is_map();
    for (size_t i = 0; i < o.keys_.size(); ++i) {
        if (find(o.keys_[i]) >= 0) continue;   // existing keys win
        auto pos = std::lower_bound(keys_.begin(), keys_.end(), o.keys_[i]) - keys_.begin();
        keys_.insert(keys_.begin() + pos, o.keys_[i]);
        if (m) values_.insert(values_.begin() + pos, o.values_[i]);
    }
    map_ = m;
}

void Datum::remove_all(const Datum& o, bool match_values) {
    for (size_t i = 0; i < o.keys_.size(); ++i) {
        long j = find(o.keys_[i]);
        if (j < 0) continue;
        if (is_map() && match_values && !(values_[static_cast<size_t>(j)] == o.values_[i])) continue;
        keys_.erase(keys_.begin() + j);
        if (is_map()) values_.erase(values_.begin() + j);
    }
}

void Datum::check(const Type& t) const {
    for (const auto& k : keys_) t.key.check(k);
    if (t.value)
        for (const auto& v : values_) t.value->check(v);
    if (size() < t.min || size() > t.max)
        throw Error("constraint violation",
                    "value has " + std::to_string(size()) + " elements but the column allows " + std::to_string(t.min) +
                        " to " + (t.max == Type::kUnlimited ? "unlimited" : std::to_string(t.max)));
}

}  // namespace ovsdb
