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

DpifOp DpifOp::make_put(int dp, FlowPut p)
{
    DpifOp op;
    op.kind = Kind::Put;
    op.dp_ifindex = dp;
    op.put = std::move(p);
    return op;
}

DpifOp DpifOp::make_del(int dp, FlowId id)
{
    DpifOp op;
    op.kind = Kind::Del;
    op.dp_ifindex = dp;
    op.del = std::move(id);
    return op;
}

DpifOp DpifOp::make_execute(int dp, Bytes packet, Bytes key, Bytes actions)
{
    DpifOp op;
    op.kind = Kind::Execute;
    op.dp_ifindex = dp;
    op.packet = std::move(packet);
    op.key = std::move(key);
    op.actions = std::move(actions);
    return op;
}

void Dpif::operate(std::vector<DpifOp>& ops)
{
    for (auto& op : ops) {
        try {
            switch (op.kind) {
            case DpifOp::Kind::Put: put_flow(op.dp_ifindex, op.put); break;
            case DpifOp::Kind::Del: del_flow(op.dp_ifindex, op.del); break;
            case DpifOp::Kind::Execute: execute(op.dp_ifindex, op.packet, op.key, op.actions); break;
            }
            op.error = 0;
        } catch (const Error& e) {
            op.error = e.code();
        }
    }
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
