#include "meta-flow/net_types.hpp"

#include <arpa/inet.h>

#include <cstdio>

namespace mf {

std::string format_mac(const Mac& m)
{
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m.b[0], m.b[1], m.b[2],
                  m.b[3], m.b[4], m.b[5]);
    return buf;
}

std::string format_ipv4(const Be32& a)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.b[0], a.b[1], a.b[2], a.b[3]);
    return buf;
}

std::string format_ipv6(const In6& a)
{
    char buf[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, a.b, buf, sizeof buf);
    return buf;
}

}  // namespace mf
