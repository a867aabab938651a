// mf::Error: the exception thrown for bad input anywhere in lib/meta-flow
// (an unknown field name, a value that does not parse, a mask a field does
// not allow, a prerequisite that cannot be met, a malformed netlink key).
// what() is a complete message for an operator; parse errors use the same
// wording as Open vSwitch's ovs-ofctl where it has one.
#pragma once

#include <stdexcept>
#include <string>

namespace mf {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace mf
