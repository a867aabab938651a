#include "meta-flow/ports.hpp"

#include <strings.h>

#include <charconv>

namespace mf {

namespace {

struct Named {
    const char* name;
    uint16_t port;
};
constexpr Named kNamed[] = {
    {"IN_PORT", kOfppInPort}, {"TABLE", kOfppTable}, {"NORMAL", kOfppNormal},
    {"FLOOD", kOfppFlood},   {"ALL", kOfppAll},     {"CONTROLLER", kOfppController},
    {"LOCAL", kOfppLocal},   {"ANY", kOfppNone},    {"UNSET", kOfppUnset},
};

}  // namespace

const char* reserved_port_name(uint16_t port)
{
    for (const Named& n : kNamed)
        if (n.port == port)
            return n.name;
    return nullptr;
}

std::optional<uint16_t> parse_ofp_port(std::string_view s)
{
    if (!s.empty() && s[0] == '-')
        return std::nullopt;
    std::string_view num = s;
    if (!num.empty() && num[0] == '+')
        num.remove_prefix(1);
    uint64_t v = 0;
    const char* b = num.data();
    const char* e = num.data() + num.size();
    auto [p, ec] = std::from_chars(b, e, v, 10);
    if (ec == std::errc() && p == e && !num.empty()) {
        if (v <= 0xffff)
            return static_cast<uint16_t>(v);
        if (v >= kOfpp11Offset + kOfppMax && v <= 0xffffffffu)
            return static_cast<uint16_t>(v - kOfpp11Offset);
        return std::nullopt;
    }
    const std::string z(s);
    for (const Named& n : kNamed)
        if (!strcasecmp(z.c_str(), n.name))
            return n.port;
    if (!strcasecmp(z.c_str(), "NONE"))
        return kOfppNone;
    return std::nullopt;
}

std::string format_ofp_port(uint16_t port)
{
    if (const char* n = reserved_port_name(port))
        return n;
    return std::to_string(port);
}

std::optional<uint16_t> ofp11_to_ofp10_port(uint32_t p)
{
    if (p < kOfppMax)
        return static_cast<uint16_t>(p);
    if (p >= kOfpp11Offset + kOfppMax)
        return static_cast<uint16_t>(p - kOfpp11Offset);
    return std::nullopt;
}

uint32_t ofp10_to_ofp11_port(uint16_t p) { return p < kOfppMax ? p : p + kOfpp11Offset; }

}  // namespace mf
