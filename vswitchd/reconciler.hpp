// Reconciler: makes the datapath hold what the configuration says.
//
// Each Bridge is a datapath of the same name (its local port 0 is the
// bridge's own internal interface); each other Interface is a vport in its
// bridge's datapath: `system` (or empty) types attach the existing network
// device of that name, `internal` ones create a device.  apply() compares the
// configuration with what it knows the datapath holds and makes only the
// calls that differ, so it is idempotent and a change to one port touches
// one port.  Interfaces that cannot be added (no such device, unsupported
// type, name in use) are reported per interface and retried on the next
// apply(); they never stop the others.
//
// On the first apply() after construction (or after forget()) it reads what
// the datapath already holds: datapaths of configured bridges and their
// vports are adopted (no flows are lost, traffic keeps flowing across a
// restart), datapaths no bridge names are deleted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dpif/dpif.hpp"
#include "vswitchd/config.hpp"

namespace vswitchd {

// Datapath port number <-> OpenFlow port number: the same, except the local
// port (0 in the datapath, OFPP_LOCAL = 65534 in OpenFlow and ofport).
constexpr int64_t kOfpLocal = 65534;
int64_t ofport_of(uint32_t port_no);

class Reconciler {
public:
    struct Vport {
        uint32_t port_no = 0;
        dpif::VportType type = dpif::VportType::Netdev;
        std::vector<uint32_t> upcall_pids;
    };
    struct Datapath {
        int ifindex = 0;
        std::map<std::string, Vport> vports;   // by name, the local port included
    };
    // The outcome for one configured interface.
    struct Interface {
        std::string bridge;
        std::optional<uint32_t> port_no;   // none: not in the datapath
        std::string error;                 // why not, when it is not
    };
    struct Outcome {
        size_t operations = 0;                 // datapath changes made
        std::set<std::string> changed;         // bridges whose datapath or ports changed
    };

    // `upcall_pids`: what every vport's misses go to.
    Reconciler(dpif::Dpif& dpif, std::vector<uint32_t> upcall_pids);

    Outcome apply(const Config& config);

    // Read the datapath again on the next apply() (notifications were lost).
    void forget() { synced_ = false; }
    // A vport notification (ours or anyone's): keeps the picture right when
    // someone else deletes a vport (or its device disappears).  Returns true
    // if it changed what we know, i.e. apply() has work to do.
    bool handle_event(const dpif::VportEvent& ev);
    // Upcall dispatch: per CPU (misses of every port to our pids, as
    // ovs-vswitchd does), or by port where the datapath cannot.  Other
    // programs change it (Debian's ovs-dpctl switches per-CPU dispatch on
    // whenever it opens a datapath); this puts ours back.  Returns true if
    // it had to.
    bool check_dispatch();
    bool per_cpu_dispatch() const { return per_cpu_; }
    // Deletes every datapath this object manages (exit --cleanup).
    void delete_all();

    const std::map<std::string, Datapath>& datapaths() const { return dps_; }
    const std::map<std::string, Interface>& interfaces() const { return ifaces_; }
    const Datapath* datapath(const std::string& bridge) const;
    // The bridge and vport of a datapath port.
    std::optional<std::string> vport_name(int dp_ifindex, uint32_t port_no) const;
    // Whether this implementation can run a bridge of `datapath_type`.
    bool supports(const std::string& datapath_type) const;

private:
    void sync(const Config& config, Outcome& out);
    bool ensure_datapath(const BridgeConfig& b, Outcome& out);
    void remove_stale_vports(const BridgeConfig& b, Datapath& dp, Outcome& out);
    void add_vports(const BridgeConfig& b, Datapath& dp, Outcome& out);
    void setup_internal(const BridgeConfig& b, const Datapath& dp);
    void adopt_pids(const std::string& bridge, Datapath& dp);
    void set_dispatch(const std::string& bridge);

    dpif::Dpif& dpif_;
    std::vector<uint32_t> pids_;
    bool synced_ = false;
    bool per_cpu_ = true;        // until the datapath refuses it
    std::map<std::string, Datapath> dps_;         // by bridge name
    std::map<std::string, Interface> ifaces_;     // by interface name
    std::map<std::string, std::string> dp_errors_;
    std::map<std::string, std::string> prev_errors_;  // interface -> error at the previous apply()  // bridge -> why its datapath is missing
};

}  // namespace vswitchd
