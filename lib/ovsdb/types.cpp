#include "ovsdb/types.hpp"

#include <algorithm>
#include <cmath>

#include "ovsdb/datum.hpp"

namespace ovsdb {

const char* to_string(AtomicType t) {
    switch (t) {
    case AtomicType::Integer: return "integer";
    case AtomicType::Real: return "real";
    case AtomicType::Boolean: return "boolean";
    case AtomicType::String: return "string";
    case AtomicType::Uuid: return "uuid";
    }
    return "?";
}

std::optional<AtomicType> atomic_type_from_string(const std::string& s) {
    if (s == "integer") return AtomicType::Integer;
    if (s == "real") return AtomicType::Real;
    if (s == "boolean") return AtomicType::Boolean;
    if (s == "string") return AtomicType::String;
    if (s == "uuid") return AtomicType::Uuid;
    return std::nullopt;
}

Atom Atom::default_of(AtomicType t) {
    switch (t) {
    case AtomicType::Integer: return Atom(int64_t{0});
    case AtomicType::Real: return Atom(0.0);
    case AtomicType::Boolean: return Atom(false);
    case AtomicType::String: return Atom(std::string());
    case AtomicType::Uuid: return Atom(Uuid{});
    }
    return Atom();
}

json Atom::to_json() const {
    switch (type()) {
    case AtomicType::Integer: return integer();
    case AtomicType::Real: return real();
    case AtomicType::Boolean: return boolean();
    case AtomicType::String: return string();
    case AtomicType::Uuid: return json::array({"uuid", uuid().to_string()});
    }
    return nullptr;
}

namespace {

size_t utf8_length(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xc0) != 0x80) ++n;
    return n;
}

std::string atom_text(const Atom& a) { return a.to_json().dump(); }

}  // namespace

BaseType BaseType::from_json(const json& j) {
    BaseType b;
    if (j.is_string()) {
        auto t = atomic_type_from_string(j.get<std::string>());
        if (!t) throw syntax_error(j, "unknown atomic type \"" + j.get<std::string>() + "\"");
        b.type = *t;
        return b;
    }
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw syntax_error(j, "base type must be an atomic type name or an object with \"type\"");
    auto t = atomic_type_from_string(j["type"].get<std::string>());
    if (!t) throw syntax_error(j, "unknown atomic type " + j["type"].dump());
    b.type = *t;
    for (auto& [k, v] : j.items()) {
        if (k == "type") continue;
        if (k == "enum") {
            Type et;
            et.key.type = b.type;
            et.min = 1;
            et.max = Type::kUnlimited;
            Datum d = Datum::from_json(v, et, nullptr);
            b.enumeration = std::make_shared<const std::vector<Atom>>(d.keys());
        } else if (k == "minInteger" || k == "maxInteger") {
            if (b.type != AtomicType::Integer || !v.is_number_integer())
                throw syntax_error(j, k + " requires an integer base type and an integer value");
            (k == "minInteger" ? b.min_integer : b.max_integer) = v.get<int64_t>();
        } else if (k == "minReal" || k == "maxReal") {
            if (b.type != AtomicType::Real || !v.is_number())
                throw syntax_error(j, k + " requires a real base type and a number");
            (k == "minReal" ? b.min_real : b.max_real) = v.get<double>();
        } else if (k == "minLength" || k == "maxLength") {
            if (b.type != AtomicType::String || !v.is_number_integer() || v.get<int64_t>() < 0)
                throw syntax_error(j, k + " requires a string base type and a non-negative integer");
            (k == "minLength" ? b.min_length : b.max_length) = v.get<uint64_t>();
        } else if (k == "refTable") {
            if (b.type != AtomicType::Uuid || !v.is_string())
                throw syntax_error(j, "refTable requires a uuid base type and a table name");
            b.ref_table = v.get<std::string>();
        } else if (k == "refType") {
            if (!v.is_string() || (v != "strong" && v != "weak"))
                throw syntax_error(j, "refType must be \"strong\" or \"weak\"");
            b.ref_type = v == "weak" ? RefType::Weak : RefType::Strong;
        } else {
            throw syntax_error(j, "unknown member \"" + k + "\" in base type");
        }
    }
    if (b.min_integer > b.max_integer) throw syntax_error(j, "minInteger exceeds maxInteger");
    if (b.min_real > b.max_real) throw syntax_error(j, "minReal exceeds maxReal");
    if (b.min_length > b.max_length) throw syntax_error(j, "minLength exceeds maxLength");
    return b;
}

json BaseType::to_json() const {
    json j{{"type", to_string(type)}};
    bool plain = true;
    if (enumeration) {
        Datum d(*enumeration, {});
        Type et;
        et.key.type = type;
        et.min = 0;
        et.max = Type::kUnlimited;
        j["enum"] = d.to_json(et);
        plain = false;
    }
    if (type == AtomicType::Integer) {
        if (min_integer != std::numeric_limits<int64_t>::min()) j["minInteger"] = min_integer, plain = false;
        if (max_integer != std::numeric_limits<int64_t>::max()) j["maxInteger"] = max_integer, plain = false;
    }
    if (type == AtomicType::Real) {
        if (min_real != -std::numeric_limits<double>::max()) j["minReal"] = min_real, plain = false;
        if (max_real != std::numeric_limits<double>::max()) j["maxReal"] = max_real, plain = false;
    }
    if (type == AtomicType::String) {
        if (min_length != 0) j["minLength"] = min_length, plain = false;
        if (max_length != std::numeric_limits<uint64_t>::max()) j["maxLength"] = max_length, plain = false;
    }
    if (!ref_table.empty()) {
        j["refTable"] = ref_table;
        if (ref_type == RefType::Weak) j["refType"] = "weak";
        plain = false;
    }
    if (plain) return to_string(type);
    return j;
}

Atom BaseType::atom_from_json(const json& j, const NamedUuids* named) const {
    switch (type) {
    case AtomicType::Integer:
        if (j.is_number_integer()) return Atom(j.get<int64_t>());
        if (j.is_number_unsigned()) {
            if (j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                throw syntax_error(j, "integer out of range");
            return Atom(static_cast<int64_t>(j.get<uint64_t>()));
        }
        throw syntax_error(j, "expected integer");
    case AtomicType::Real:
        if (j.is_number()) return Atom(j.get<double>());
        throw syntax_error(j, "expected real");
    case AtomicType::Boolean:
        if (j.is_boolean()) return Atom(j.get<bool>());
        throw syntax_error(j, "expected boolean");
    case AtomicType::String:
        if (j.is_string()) return Atom(j.get<std::string>());
        throw syntax_error(j, "expected string");
    case AtomicType::Uuid:
        if (j.is_array() && j.size() == 2 && j[0].is_string() && j[1].is_string()) {
            const std::string& tag = j[0].get_ref<const std::string&>();
            const std::string& v = j[1].get_ref<const std::string&>();
            if (tag == "uuid") {
                auto u = Uuid::parse(v);
                if (!u) throw syntax_error(j, "\"" + v + "\" is not a valid UUID");
                return Atom(*u);
            }
            if (tag == "named-uuid") {
                if (!named) throw syntax_error(j, "named-uuid is not allowed here");
                auto it = named->find(v);
                if (it == named->end()) throw syntax_error(j, "unknown named-uuid \"" + v + "\"");
                return Atom(it->second);
            }
        }
        throw syntax_error(j, "expected [\"uuid\", UUID] or [\"named-uuid\", NAME]");
    }
    throw syntax_error(j, "bad atomic type");
}

void BaseType::check(const Atom& a) const {
    if (enumeration) {
        if (!std::binary_search(enumeration->begin(), enumeration->end(), a)) {
            std::string allowed;
            for (const auto& e : *enumeration) allowed += (allowed.empty() ? "" : ", ") + atom_text(e);
            throw Error("constraint violation",
                        atom_text(a) + " is not one of the allowed values ([" + allowed + "])");
        }
        return;
    }
    switch (type) {
    case AtomicType::Integer:
        if (a.integer() < min_integer || a.integer() > max_integer)
            throw Error("constraint violation", std::to_string(a.integer()) + " is not in the valid range " +
                                                    std::to_string(min_integer) + " to " +
                                                    std::to_string(max_integer) + " (inclusive)");
        return;
    case AtomicType::Real:
        if (a.real() < min_real || a.real() > max_real)
            throw Error("constraint violation", atom_text(a) + " is not in the valid range");
        return;
    case AtomicType::String: {
        size_t n = utf8_length(a.string());
        if (n < min_length || n > max_length)
            throw Error("constraint violation", "\"" + a.string() + "\" length " + std::to_string(n) +
                                                    " is not in the valid range " + std::to_string(min_length) +
                                                    " to " + std::to_string(max_length) + " (inclusive)");
        return;
    }
    default: return;
    }
}

Type Type::from_json(const json& j) {
    Type t;
    if (j.is_string()) {
        t.key = BaseType::from_json(j);
        return t;
    }
    if (!j.is_object() || !j.contains("key")) throw syntax_error(j, "type must be a string or an object with \"key\"");
    for (auto& [k, v] : j.items()) {
        if (k == "key") {
            t.key = BaseType::from_json(v);
        } else if (k == "value") {
            t.value = BaseType::from_json(v);
        } else if (k == "min") {
            if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > 1)
                throw syntax_error(j, "min must be 0 or 1");
            t.min = v.get<unsigned>();
        } else if (k == "max") {
            if (v == "unlimited") {
                t.max = kUnlimited;
            } else if (v.is_number_integer() && v.get<int64_t>() >= 1) {
                t.max = v.get<unsigned>();
            } else {
                throw syntax_error(j, "max must be a positive integer or \"unlimited\"");
            }
        } else {
            throw syntax_error(j, "unknown member \"" + k + "\" in type");
        }
    }
    if (t.min > t.max) throw syntax_error(j, "min exceeds max");
    return t;
}

json Type::to_json() const {
    json k = key.to_json();
    if (!value && min == 1 && max == 1 && k.is_string()) return k;
    json j{{"key", k}};
    if (value) j["value"] = value->to_json();
    if (min != 1) j["min"] = min;
    if (max != 1) j["max"] = max == kUnlimited ? json("unlimited") : json(max);
    return j;
}

}  // namespace ovsdb
