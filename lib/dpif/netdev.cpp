#include "dpif/netdev.hpp"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "dpif/error.hpp"

namespace dpif {

std::string to_string(const Mac& m)
{
    char b[18];
    std::snprintf(b, sizeof b, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return b;
}

Mac parse_mac(const std::string& s)
{
    unsigned v[6];
    char extra;
    if (std::sscanf(s.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                    &extra) != 6)
        throw Error(EINVAL, "bad MAC address '" + s + "'");
    Mac m;
    for (int i = 0; i < 6; ++i)
        m[static_cast<size_t>(i)] = static_cast<uint8_t>(v[i]);
    return m;
}

namespace {

// Reads one sysfs attribute; nullopt if absent or unreadable (some, like
// speed, fail with EINVAL on devices without the notion).
std::optional<std::string> read_attr(const std::string& path)
{
    std::ifstream f(path);
    std::string s;
    if (!f || !std::getline(f, s))
        return std::nullopt;
    return s;
}

std::optional<long long> read_num(const std::string& path, int base = 10)
{
    auto s = read_attr(path);
    if (!s || s->empty())
        return std::nullopt;
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s->c_str(), &end, base);
    if (errno || end == s->c_str())
        return std::nullopt;
    return v;
}

bool valid_name(const std::string& name)
{
    return !name.empty() && name.size() < IFNAMSIZ && name.find('/') == std::string::npos &&
           name != "." && name != "..";
}

// A socket for the interface ioctls, closed on scope exit.
class IoctlSocket {
public:
    IoctlSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
    {
        if (fd_ < 0)
            throw Error(errno, "socket for interface ioctls");
    }
    ~IoctlSocket() { ::close(fd_); }
    IoctlSocket(const IoctlSocket&) = delete;
    IoctlSocket& operator=(const IoctlSocket&) = delete;

    void call(unsigned long req, ifreq& ifr, const std::string& what)
    {
        if (::ioctl(fd_, req, &ifr) < 0)
            throw Error(errno, what + " " + ifr.ifr_name);
    }

private:
    int fd_;
};

ifreq request_for(const std::string& name)
{
    if (!valid_name(name))
        throw Error(EINVAL, "bad interface name '" + name + "'");
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    return ifr;
}

}  // namespace

SystemNetdevs::SystemNetdevs(std::string sysfs_root) : root_(std::move(sysfs_root)) {}

std::optional<NetdevInfo> SystemNetdevs::get(const std::string& name, bool with_stats)
{
    if (!valid_name(name))
        return std::nullopt;
    const std::string dir = root_ + "/" + name + "/";
    auto ifindex = read_num(dir + "ifindex");
    if (!ifindex)
        return std::nullopt;
    NetdevInfo n;
    n.name = name;
    n.ifindex = static_cast<int>(*ifindex);
    if (auto a = read_attr(dir + "address")) {
        try {
            n.mac = parse_mac(*a);
        } catch (const Error&) {
            // not Ethernet-like (e.g. a tunnel): leave zeros
        }
    }
    n.mtu = static_cast<int>(read_num(dir + "mtu").value_or(0));
    n.admin_up = (read_num(dir + "flags", 16).value_or(0) & IFF_UP) != 0;
    n.carrier = read_num(dir + "carrier").value_or(0) == 1;
    if (auto sp = read_num(dir + "speed"); sp && *sp > 0)
        n.speed_mbps = static_cast<uint64_t>(*sp);
    if (!with_stats)
        return n;
    const std::string st = dir + "statistics/";
    auto stat = [&](const char* f) { return static_cast<uint64_t>(read_num(st + f).value_or(0)); };
    n.stats = {stat("rx_packets"), stat("tx_packets"), stat("rx_bytes"), stat("tx_bytes"),
               stat("rx_errors"), stat("tx_errors"), stat("rx_dropped"), stat("tx_dropped"),
               stat("collisions"), stat("multicast")};
    return n;
}

void SystemNetdevs::set_admin_up(const std::string& name, bool up)
{
    IoctlSocket s;
    ifreq ifr = request_for(name);
    s.call(SIOCGIFFLAGS, ifr, "reading flags of");
    if (up)
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    else
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags & ~IFF_UP);
    s.call(SIOCSIFFLAGS, ifr, up ? "bringing up" : "bringing down");
}

void SystemNetdevs::set_mtu(const std::string& name, int mtu)
{
    IoctlSocket s;
    ifreq ifr = request_for(name);
    ifr.ifr_mtu = mtu;
    s.call(SIOCSIFMTU, ifr, "setting the MTU of");
}

void SystemNetdevs::set_mac(const std::string& name, const Mac& mac)
{
    IoctlSocket s;
    ifreq ifr = request_for(name);
    ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
    std::memcpy(ifr.ifr_hwaddr.sa_data, mac.data(), mac.size());
    s.call(SIOCSIFHWADDR, ifr, "setting the MAC address of");
}

}  // namespace dpif
