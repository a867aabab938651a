// dpif::Netdevs: the network devices that vports stand on.
//
// vswitchd reports Interface status (ifindex, mac_in_use, mtu, admin_state,
// link_state, link_speed, statistics) and sets up internal ports (MAC, MTU,
// up).  Those are properties of the devices, not of the datapath, so they
// come through this interface: SystemNetdevs reads /sys/class/net and uses
// the classic interface ioctls; the dummy datapath keeps its own devices
// (DummyDpif::netdevs()).  Dpif::netdevs() gives the one that matches a
// datapath implementation.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace dpif {

using Mac = std::array<uint8_t, 6>;

struct NetdevStats {
    uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
    uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
    uint64_t collisions = 0, multicast = 0;
};

struct NetdevInfo {
    std::string name;
    int ifindex = 0;
    Mac mac{};
    int mtu = 0;
    bool admin_up = false;   // IFF_UP
    bool carrier = false;    // link state
    std::optional<uint64_t> speed_mbps;  // absent when the device has none
    NetdevStats stats;
};

class Netdevs {
public:
    virtual ~Netdevs() = default;
    // nullopt when no such device.  with_stats=false may leave stats
    // zero (saves reading ten counters per device where they are unused).
    virtual std::optional<NetdevInfo> get(const std::string& name, bool with_stats = true) = 0;
    // These throw dpif::Error (ENODEV when absent, EPERM, EINVAL ...).
    virtual void set_admin_up(const std::string& name, bool up) = 0;
    virtual void set_mtu(const std::string& name, int mtu) = 0;
    virtual void set_mac(const std::string& name, const Mac& mac) = 0;
};

// /sys/class/net plus SIOCSIFFLAGS / SIOCSIFMTU / SIOCSIFHWADDR.
class SystemNetdevs : public Netdevs {
public:
    explicit SystemNetdevs(std::string sysfs_root = "/sys/class/net");
    std::optional<NetdevInfo> get(const std::string& name, bool with_stats = true) override;
    void set_admin_up(const std::string& name, bool up) override;
    void set_mtu(const std::string& name, int mtu) override;
    void set_mac(const std::string& name, const Mac& mac) override;

private:
    std::string root_;
};

// "02:00:00:00:00:01" <-> Mac; parse throws Error(EINVAL).
std::string to_string(const Mac& m);
Mac parse_mac(const std::string& s);

}  // namespace dpif
