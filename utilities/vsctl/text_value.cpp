#include "utilities/vsctl/text_value.hpp"

#include <cctype>
#include <cerrno>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include "ovsdb/error.hpp"

namespace vsctl {

namespace {

const char* skip_spaces(const char* p) {
    while (std::isspace(static_cast<unsigned char>(*p))) ++p;
    return p;
}

bool parse_int(const std::string& s, int64_t* out) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

// Describes a type as Open vSwitch's messages do ("set of 1 or more strings").
std::string type_to_english(const Type& t) {
    const std::string key = ovsdb::to_string(t.key.type);
    if (t.is_scalar()) return key;
    std::string s = t.is_map() ? "map" : "set";
    if (t.max == Type::kUnlimited) s += t.min ? " of " + std::to_string(t.min) + " or more" : std::string(" of");
    else if (t.min) s += " of " + std::to_string(t.min) + " to " + std::to_string(t.max);
    else s += " of up to " + std::to_string(t.max);
    if (t.is_map()) s += " (" + key + ", " + ovsdb::to_string(t.value->type) + ") pairs";
    else s += " " + key + "s";
    return s;
}

std::string json_quote(const std::string& s) { return nlohmann::json(s).dump(); }

bool needs_quotes(const std::string& s) {
    if (s.empty()) return true;
    unsigned char c = static_cast<unsigned char>(s[0]);
    if (!std::isalpha(c) && c != '_') return true;
    for (size_t i = 1; i < s.size(); ++i) {
        c = static_cast<unsigned char>(s[i]);
        if (!std::isalpha(c) && !std::isdigit(c) && c != '_' && c != '-' && c != '.') return true;
    }
    if (s == "true" || s == "false") return true;
    return Uuid::is_valid(s);
}

}  // namespace

bool is_token_delim(char c) { return c == '\0' || std::strchr(":=, []{}!<>", c) != nullptr; }

std::string parse_token(const char** s) {
    std::string out;
    bool in_quotes = false;
    const char* p = *s;
    while (*p) {
        char c = *p++;
        if (c == '\\') {
            if (in_quotes) out += '\\';
            if (!*p) throw ParseError(std::string(*s) + ": backslash at end of argument");
            out += *p++;
        } else if (!in_quotes && is_token_delim(c)) {
            --p;
            break;
        } else {
            out += c;
            if (c == '"') in_quotes = !in_quotes;
        }
    }
    if (in_quotes) throw ParseError(std::string(*s) + ": quoted string extends past end of argument");
    *s = p;
    return out;
}

Atom atom_from_string(const BaseType& base, const std::string& s, const SymbolResolver* symbols) {
    Atom a;
    switch (base.type) {
    case ovsdb::AtomicType::Integer: {
        int64_t v;
        if (!parse_int(s, &v)) throw ParseError("\"" + s + "\" is not a valid integer or range");
        a = Atom(v);
        break;
    }
    case ovsdb::AtomicType::Real: {
        errno = 0;
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (s.empty() || errno || *end) throw ParseError("\"" + s + "\" is not a valid real number");
        a = Atom(d == 0.0 ? 0.0 : d);
        break;
    }
    case ovsdb::AtomicType::Boolean:
        if (s == "true" || s == "yes" || s == "on" || s == "1") a = Atom(true);
        else if (s == "false" || s == "no" || s == "off" || s == "0") a = Atom(false);
        else throw ParseError("\"" + s + "\" is not a valid boolean (use \"true\" or \"false\")");
        break;
    case ovsdb::AtomicType::String:
        if (s.empty())
            throw ParseError("An empty string is not valid as input; use \"\" to represent the empty string");
        if (s[0] == '"') {
            if (s.size() < 2 || s.back() != '"') throw ParseError(s + ": missing quote at end of quoted string");
            try {
                a = Atom(nlohmann::json::parse(s).get<std::string>());
            } catch (const std::exception&) {
                throw ParseError(s + ": invalid JSON string");
            }
        } else {
            a = Atom(s);
        }
        break;
    case ovsdb::AtomicType::Uuid:
        if (!s.empty() && s[0] == '@' && symbols) {
            a = Atom((*symbols)(s, base));
        } else if (auto u = Uuid::parse(s)) {
            a = Atom(*u);
        } else {
            throw ParseError("\"" + s + "\" is not a valid UUID");
        }
        break;
    }
    try {
        base.check(a);
    } catch (const ovsdb::Error& e) {
        throw ParseError(e.what());
    }
    return a;
}

Datum datum_from_string(const Type& type, const std::string& s, const SymbolResolver* symbols) {
    const bool is_map = type.is_map();
    const char* p = skip_spaces(s.c_str());
    char end_delim = 0;
    if (*p == (is_map ? '{' : '[')) {
        end_delim = is_map ? '}' : ']';
        p = skip_spaces(p + 1);
    } else if (!*p) {
        throw ParseError(is_map ? "use \"{}\" to specify the empty map" : "use \"[]\" to specify the empty set");
    }
    std::vector<std::pair<Atom, std::optional<Atom>>> items;
    while (*p && *p != end_delim) {
        if (is_token_delim(*p))
            throw ParseError(s + ": unexpected \"" + std::string(1, *p) + "\" parsing " + type_to_english(type));
        const char* start = p;
        std::string tok = parse_token(&p);
        // Integer ranges ("1-5") in sets of integers.
        int64_t lo, hi;
        std::optional<std::pair<int64_t, int64_t>> range;
        if (type.key.type == ovsdb::AtomicType::Integer && !is_map) {
            auto dash = tok.find('-', 1);
            if (dash != std::string::npos && parse_int(tok.substr(0, dash), &lo) &&
                parse_int(tok.substr(dash + 1), &hi)) {
                if (hi < lo) throw ParseError("\"" + tok + "\" is not a valid range. Range end cannot be before start.");
                if (hi - lo >= 4096) throw ParseError("\"" + tok + "\" is too large a range");
                range = std::make_pair(lo, hi);
            }
        }
        if (range) {
            for (int64_t v = range->first; v <= range->second; ++v)
                items.emplace_back(atom_from_string(type.key, std::to_string(v), symbols), std::nullopt);
        } else {
            Atom key = atom_from_string(type.key, tok, symbols);
            std::optional<Atom> value;
            if (is_map) {
                p = skip_spaces(p);
                if (*p != '=')
                    throw ParseError(std::string(start) + ": syntax error at \"" + std::string(1, *p) +
                                     "\" expecting \"=\"");
                p = skip_spaces(p + 1);
                value = atom_from_string(*type.value, parse_token(&p), symbols);
            }
            items.emplace_back(std::move(key), std::move(value));
        }
        p = skip_spaces(p);
        if (*p == ',') p = skip_spaces(p + 1);
    }
    if (*p != end_delim)
        throw ParseError(s + ": missing \"" + std::string(1, end_delim) + "\" at end of data");
    if (end_delim) {
        p = skip_spaces(p + 1);
        if (*p) throw ParseError(s + ": trailing garbage after \"" + std::string(1, end_delim) + "\"");
    }
    if (items.size() < type.min)
        throw ParseError(s + ": " + std::to_string(items.size()) + (is_map ? " pair(s)" : " value(s)") +
                         " specified but the minimum number is " + std::to_string(type.min));
    if (items.size() > type.max)
        throw ParseError(s + ": " + std::to_string(items.size()) + (is_map ? " pair(s)" : " value(s)") +
                         " specified but the maximum number is " + std::to_string(type.max));
    std::map<Atom, std::optional<Atom>> sorted;
    for (auto& [k, v] : items)
        if (!sorted.emplace(k, v).second)
            throw ParseError(s + (is_map ? ": map contains duplicate key" : ": set contains duplicate value"));
    std::vector<Atom> keys, values;
    for (auto& [k, v] : sorted) {
        keys.push_back(k);
        if (v) values.push_back(*v);
    }
    Datum d(std::move(keys), std::move(values));
    d.set_map(is_map);
    return d;
}

std::string atom_to_string(const Atom& a) {
    switch (a.type()) {
    case ovsdb::AtomicType::Integer: return std::to_string(a.integer());
    case ovsdb::AtomicType::Real: {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*g", DBL_DIG, a.real());
        return buf;
    }
    case ovsdb::AtomicType::Boolean: return a.boolean() ? "true" : "false";
    case ovsdb::AtomicType::String: return needs_quotes(a.string()) ? json_quote(a.string()) : a.string();
    case ovsdb::AtomicType::Uuid: return a.uuid().to_string();
    }
    return "";
}

std::string datum_to_string(const Datum& d, const Type& type) {
    const bool is_map = type.is_map();
    const bool brackets = type.max > 1 || d.empty();
    std::string out;
    if (brackets) out += is_map ? '{' : '[';
    for (size_t i = 0; i < d.size(); ++i) {
        if (i) out += ", ";
        out += atom_to_string(d.keys()[i]);
        if (is_map) out += "=" + atom_to_string(d.values()[i]);
    }
    if (brackets) out += is_map ? '}' : ']';
    return out;
}

std::string datum_to_bare(const Datum& d, const Type& type) {
    auto bare = [](const Atom& a) {
        return a.type() == ovsdb::AtomicType::String ? a.string() : atom_to_string(a);
    };
    std::string out;
    for (size_t i = 0; i < d.size(); ++i) {
        if (i) out += ' ';
        out += bare(d.keys()[i]);
        if (type.is_map()) out += "=" + bare(d.values()[i]);
    }
    return out;
}

}  // namespace vsctl
