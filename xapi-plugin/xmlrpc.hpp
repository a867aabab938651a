// XML-RPC values and messages, as XAPI and its plugins exchange them:
// methodCall (what XAPI passes a plugin in argv[1], and what the plugin
// sends back to XAPI), methodResponse (what the plugin prints; what XAPI
// answers).  Types: string, int/i4, boolean, double, array, struct, nil.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace xmlrpc {

struct Value;
using Array = std::vector<Value>;
using Struct = std::map<std::string, Value>;

struct Nil {
    bool operator==(const Nil&) const { return true; }
};

struct Value {
    std::variant<std::string, int64_t, bool, double, Array, Struct, Nil> v;

    Value() : v(std::string()) {}
    Value(std::string s) : v(std::move(s)) {}
    Value(const char* s) : v(std::string(s)) {}
    Value(int64_t i) : v(i) {}
    Value(int i) : v(int64_t{i}) {}
    Value(bool b) : v(b) {}
    Value(double d) : v(d) {}
    Value(Array a) : v(std::move(a)) {}
    Value(Struct s) : v(std::move(s)) {}
    Value(Nil n) : v(n) {}

    bool is_string() const { return std::holds_alternative<std::string>(v); }
    bool is_array() const { return std::holds_alternative<Array>(v); }
    bool is_struct() const { return std::holds_alternative<Struct>(v); }
    // Accessors throw std::runtime_error("expected ...") on a type mismatch.
    const std::string& str() const;
    const Array& array() const;
    const Struct& members() const;
    // A struct member, or nullptr.
    const Value* get(const std::string& name) const;
    bool operator==(const Value& o) const { return v == o.v; }
};

struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Call {
    std::string method;
    Array params;
};

std::string escape(const std::string& s);
std::string serialize(const Value& v);
std::string method_call(const Call& c);
// As Python's xmlrpc.client.dumps((value,), methodresponse=True) prints it.
std::string method_response(const Value& v);

Call parse_method_call(const std::string& xml);
// The single param of a methodResponse; a <fault> is turned into a ParseError
// naming the fault string.
Value parse_method_response(const std::string& xml);

}  // namespace xmlrpc
