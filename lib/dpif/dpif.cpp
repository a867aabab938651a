#include "dpif/dpif.hpp"

#include <cerrno>

namespace dpif {

VportType vport_type_from_string(const std::string& s)
{
    if (s == "netdev" || s == "system" || s.empty()) return VportType::Netdev;
    if (s == "internal") return VportType::Internal;
    if (s == "gre") return VportType::Gre;
    if (s == "vxlan") return VportType::Vxlan;
    if (s == "geneve") return VportType::Geneve;
    throw Error(EINVAL, "unknown vport type '" + s + "'");
}

std::string to_string(VportType t)
{
    switch (t) {
    case VportType::Unspec: return "unspec";
    case VportType::Netdev: return "netdev";
    case VportType::Internal: return "internal";
    case VportType::Gre: return "gre";
    case VportType::Vxlan: return "vxlan";
    case VportType::Geneve: return "geneve";
    }
    return "type" + std::to_string(static_cast<uint32_t>(t));
}

DatapathInfo Dpif::open_datapath(const std::string& name, bool create)
{
    if (create) {
        try {
            return create_datapath(name, 0, kDefaultFeatures);
        } catch (const Error& e) {
            if (e.code() != EEXIST)
                throw;
        }
    }
    auto dp = get_datapath(name);
    if (!dp)
        throw Error(ENODEV, "datapath " + name);
    // Upcalls are dispatched by vport pids here: per-CPU dispatch (which
    // Debian's ovs-vswitchd and ovs-dpctl switch on) is turned off again.
    const uint32_t want = (dp->user_features & ~kFeaturePerCpuDispatch) | kDefaultFeatures;
    if (dp->user_features != want)
        return set_user_features(name, want);
    return *dp;
}

std::vector<Flow> Dpif::dump_flows(int dp_ifindex)
{
    std::vector<Flow> out;
    dump_flows(dp_ifindex, [&](const Flow& f) {
        out.push_back(f);
        return true;
    });
    return out;
}

}  // namespace dpif
