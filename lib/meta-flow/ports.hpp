// OpenFlow port numbers as text, with Open vSwitch's rules.
//
// Ports are kept in OpenFlow 1.0 numbering (16 bits): 0..0xfeff are real
// ports, 0xfff7..0xffff the reserved ones (UNSET, IN_PORT, TABLE, NORMAL,
// FLOOD, ALL, CONTROLLER, LOCAL, ANY).  OpenFlow 1.1+ numbers 0xffffff00 and
// up map onto them by subtracting 0xffff0000.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mf {

constexpr uint16_t kOfppMax = 0xff00;
constexpr uint16_t kOfppUnset = 0xfff7;
constexpr uint16_t kOfppInPort = 0xfff8;
constexpr uint16_t kOfppTable = 0xfff9;
constexpr uint16_t kOfppNormal = 0xfffa;
constexpr uint16_t kOfppFlood = 0xfffb;
constexpr uint16_t kOfppAll = 0xfffc;
constexpr uint16_t kOfppController = 0xfffd;
constexpr uint16_t kOfppLocal = 0xfffe;
constexpr uint16_t kOfppNone = 0xffff;  // ANY
constexpr uint32_t kOfpp11Offset = 0xffff0000;

// A decimal number (OpenFlow 1.0 or mappable 1.1 value) or a reserved name
// (any case; "NONE" is ANY).  nullopt if neither.
std::optional<uint16_t> parse_ofp_port(std::string_view s);
// The reserved name, else the number.
std::string format_ofp_port(uint16_t port);
// The name of a reserved port, or nullptr.
const char* reserved_port_name(uint16_t port);

std::optional<uint16_t> ofp11_to_ofp10_port(uint32_t p);
uint32_t ofp10_to_ofp11_port(uint16_t p);

}  // namespace mf
