// The text forms of OVSDB values that ovs-vsctl reads and prints, as Open
// vSwitch's tools write them: `br0`, `"quoted string"`, `[1, 2]`,
// `{key=value, k2=v2}`, `true`, UUIDs, and `@name` row ids.
//
// Tokens end at one of  : = , space [ ] { } ! < >  unless quoted or
// escaped with a backslash.  Strings are printed bare when that reads back
// unambiguously (a letter or '_' then letters, digits, '_', '-', '.'; not
// "true"/"false"; not a UUID), else as JSON strings.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "ovsdb/datum.hpp"
#include "ovsdb/types.hpp"

namespace vsctl {

using ovsdb::Atom;
using ovsdb::BaseType;
using ovsdb::Datum;
using ovsdb::Type;
using ovsdb::Uuid;

// Resolves "@name" row ids to UUIDs (creating them on first use).
using SymbolResolver = std::function<Uuid(const std::string& name, const BaseType& base)>;

// Thrown with Open vSwitch's wording.
struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool is_token_delim(char c);
// Reads one token from *p (advancing it); throws ParseError.
std::string parse_token(const char** p);

// One atom of `base` from a complete token; checks the base type's constraints.
Atom atom_from_string(const BaseType& base, const std::string& s, const SymbolResolver* symbols);
// A whole value of `type`: atoms separated by spaces or commas, optionally in
// [] (sets) or {} (maps); integer ranges like 1-5 in sets.
Datum datum_from_string(const Type& type, const std::string& s, const SymbolResolver* symbols);

std::string atom_to_string(const Atom& a);
std::string datum_to_string(const Datum& d, const Type& type);
// Strings unquoted, elements separated by spaces, no brackets.
std::string datum_to_bare(const Datum& d, const Type& type);

}  // namespace vsctl
