#include "dpif/ovs_messages.hpp"

#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include <cerrno>
#include <cstring>

namespace dpif {

const char* family_name(Family f)
{
    switch (f) {
    case Family::Datapath: return OVS_DATAPATH_FAMILY;
    case Family::Vport: return OVS_VPORT_FAMILY;
    case Family::Flow: return OVS_FLOW_FAMILY;
    case Family::Packet: return OVS_PACKET_FAMILY;
    }
    return "?";
}

uint8_t family_version(Family f)
{
    switch (f) {
    case Family::Datapath: return OVS_DATAPATH_VERSION;
    case Family::Vport: return OVS_VPORT_VERSION;
    case Family::Flow: return OVS_FLOW_VERSION;
    case Family::Packet: return OVS_PACKET_VERSION;
    }
    return 0;
}

Bytes OvsMessage::payload() const
{
    Bytes out(sizeof(ovs_header) + attrs.size());
    ovs_header h{dp_ifindex};
    std::memcpy(out.data(), &h, sizeof h);
    if (!attrs.empty())
        std::memcpy(out.data() + sizeof h, attrs.data(), attrs.size());
    return out;
}

OvsMessage parse_ovs_payload(Family family, uint8_t cmd, ByteView payload)
{
    if (payload.size() < sizeof(ovs_header))
        throw Error(EPROTO, std::string(family_name(family)) + " message shorter than ovs_header");
    OvsMessage m;
    m.family = family;
    m.cmd = cmd;
    ovs_header h;
    std::memcpy(&h, payload.data(), sizeof h);
    m.dp_ifindex = h.dp_ifindex;
    m.attrs.assign(payload.begin() + sizeof h, payload.end());
    // Validate now so that later decoding never meets a bad length.
    parse_attrs(m.attrs);
    return m;
}

namespace {

OvsMessage msg(Family f, uint8_t cmd, int dp_ifindex, AttrWriter&& w, uint16_t flags = 0)
{
    OvsMessage m;
    m.family = f;
    m.cmd = cmd;
    m.dp_ifindex = dp_ifindex;
    m.attrs = w.take();
    m.nlmsg_flags = flags;
    return m;
}

template <typename T>
T get_struct(const Attr& a, const char* what)
{
    // Newer kernels may append fields; older ones never send less.
    if (a.payload.size() < sizeof(T))
        throw Error(EPROTO, std::string(what) + " attribute too short");
    T v;
    std::memcpy(&v, a.payload.data(), sizeof v);
    return v;
}

void check_family(const OvsMessage& m, Family f)
{
    if (m.family != f)
        throw Error(EPROTO, std::string("expected a ") + family_name(f) + " message, got " +
                                family_name(m.family));
}

}  // namespace

// ---------------------------------------------------------------- datapaths

OvsMessage dp_new_request(const std::string& name, uint32_t upcall_pid, uint32_t features)
{
    AttrWriter w;
    w.put_string(OVS_DP_ATTR_NAME, name);
    w.put_u32(OVS_DP_ATTR_UPCALL_PID, upcall_pid);
    w.put_u32(OVS_DP_ATTR_USER_FEATURES, features);
    return msg(Family::Datapath, OVS_DP_CMD_NEW, 0, std::move(w));
}

OvsMessage dp_get_request(const std::string& name)
{
    AttrWriter w;
    if (name.empty())
        return msg(Family::Datapath, OVS_DP_CMD_GET, 0, std::move(w), NLM_F_DUMP);
    w.put_string(OVS_DP_ATTR_NAME, name);
    return msg(Family::Datapath, OVS_DP_CMD_GET, 0, std::move(w));
}

OvsMessage dp_del_request(const std::string& name)
{
    AttrWriter w;
    w.put_string(OVS_DP_ATTR_NAME, name);
    return msg(Family::Datapath, OVS_DP_CMD_DEL, 0, std::move(w));
}

OvsMessage dp_set_features_request(const std::string& name, uint32_t features)
{
    AttrWriter w;
    w.put_string(OVS_DP_ATTR_NAME, name);
    w.put_u32(OVS_DP_ATTR_USER_FEATURES, features);
    return msg(Family::Datapath, OVS_DP_CMD_SET, 0, std::move(w));
}

OvsMessage dp_set_per_cpu_pids_request(const std::string& name, uint32_t features,
                                       const std::vector<uint32_t>& pids)
{
    if (pids.empty())
        throw Error(EINVAL, "per-CPU dispatch needs at least one pid");
    AttrWriter w;
    w.put_string(OVS_DP_ATTR_NAME, name);
    w.put_u32(OVS_DP_ATTR_USER_FEATURES, features | OVS_DP_F_DISPATCH_UPCALL_PER_CPU);
    w.put(OVS_DP_ATTR_PER_CPU_PIDS, pids.data(), pids.size() * 4);
    return msg(Family::Datapath, OVS_DP_CMD_SET, 0, std::move(w));
}

DatapathInfo decode_datapath(const OvsMessage& m)
{
    check_family(m, Family::Datapath);
    DatapathInfo dp;
    dp.ifindex = m.dp_ifindex;
    bool have_name = false;
    for (const Attr& a : parse_attrs(m.attrs)) {
        switch (a.type) {
        case OVS_DP_ATTR_NAME: dp.name = a.str(); have_name = true; break;
        case OVS_DP_ATTR_STATS: {
            auto s = get_struct<ovs_dp_stats>(a, "OVS_DP_ATTR_STATS");
            dp.stats = {s.n_hit, s.n_missed, s.n_lost, s.n_flows};
            break;
        }
        case OVS_DP_ATTR_MEGAFLOW_STATS: {
            auto s = get_struct<ovs_dp_megaflow_stats>(a, "OVS_DP_ATTR_MEGAFLOW_STATS");
            dp.megaflow_stats = MegaflowStats{s.n_mask_hit, s.n_masks, s.n_cache_hit};
            break;
        }
        case OVS_DP_ATTR_USER_FEATURES: dp.user_features = a.u32(); break;
        case OVS_DP_ATTR_MASKS_CACHE_SIZE: dp.masks_cache_size = a.u32(); break;
        case OVS_DP_ATTR_PER_CPU_PIDS:
            if (a.payload.size() % 4)
                throw Error(EPROTO, "OVS_DP_ATTR_PER_CPU_PIDS not a u32 array");
            dp.per_cpu_pids.resize(a.payload.size() / 4);
            std::memcpy(dp.per_cpu_pids.data(), a.payload.data(), a.payload.size());
            break;
        default: break;  // newer attributes are ignored
        }
    }
    if (!have_name)
        throw Error(EPROTO, "datapath message without OVS_DP_ATTR_NAME");
    return dp;
}

// ---------------------------------------------------------------- vports

OvsMessage vport_new_request(int dp_ifindex, const VportRequest& req)
{
    AttrWriter w;
    w.put_u32(OVS_VPORT_ATTR_TYPE, static_cast<uint32_t>(req.type));
    w.put_string(OVS_VPORT_ATTR_NAME, req.name);
    if (req.port_no)
        w.put_u32(OVS_VPORT_ATTR_PORT_NO, *req.port_no);
    std::vector<uint32_t> pids = req.upcall_pids.empty() ? std::vector<uint32_t>{0} : req.upcall_pids;
    w.put(OVS_VPORT_ATTR_UPCALL_PID, pids.data(), pids.size() * 4);
    if (!req.options.empty())
        w.put(OVS_VPORT_ATTR_OPTIONS | kAttrNestedFlag, req.options);
    return msg(Family::Vport, OVS_VPORT_CMD_NEW, dp_ifindex, std::move(w));
}

OvsMessage vport_get_request(int dp_ifindex, const std::string& name)
{
    AttrWriter w;
    w.put_string(OVS_VPORT_ATTR_NAME, name);
    return msg(Family::Vport, OVS_VPORT_CMD_GET, dp_ifindex, std::move(w));
}

OvsMessage vport_get_request(int dp_ifindex, uint32_t port_no)
{
    AttrWriter w;
    w.put_u32(OVS_VPORT_ATTR_PORT_NO, port_no);
    return msg(Family::Vport, OVS_VPORT_CMD_GET, dp_ifindex, std::move(w));
}

OvsMessage vport_dump_request(int dp_ifindex)
{
    return msg(Family::Vport, OVS_VPORT_CMD_GET, dp_ifindex, AttrWriter{}, NLM_F_DUMP);
}

OvsMessage vport_del_request(int dp_ifindex, uint32_t port_no)
{
    AttrWriter w;
    w.put_u32(OVS_VPORT_ATTR_PORT_NO, port_no);
    return msg(Family::Vport, OVS_VPORT_CMD_DEL, dp_ifindex, std::move(w));
}

OvsMessage vport_set_pids_request(int dp_ifindex, uint32_t port_no,
                                  const std::vector<uint32_t>& pids)
{
    AttrWriter w;
    w.put_u32(OVS_VPORT_ATTR_PORT_NO, port_no);
    std::vector<uint32_t> p = pids.empty() ? std::vector<uint32_t>{0} : pids;
    w.put(OVS_VPORT_ATTR_UPCALL_PID, p.data(), p.size() * 4);
    return msg(Family::Vport, OVS_VPORT_CMD_SET, dp_ifindex, std::move(w));
}

VportInfo decode_vport(const OvsMessage& m)
{
    check_family(m, Family::Vport);
    VportInfo v;
    v.dp_ifindex = m.dp_ifindex;
    bool have_port = false, have_name = false;
    for (const Attr& a : parse_attrs(m.attrs)) {
        switch (a.type) {
        case OVS_VPORT_ATTR_PORT_NO: v.port_no = a.u32(); have_port = true; break;
        case OVS_VPORT_ATTR_TYPE: v.type = static_cast<VportType>(a.u32()); break;
        case OVS_VPORT_ATTR_NAME: v.name = a.str(); have_name = true; break;
        case OVS_VPORT_ATTR_OPTIONS: v.options = a.bytes(); break;
        case OVS_VPORT_ATTR_UPCALL_PID:
            if (a.payload.size() % 4)
                throw Error(EPROTO, "OVS_VPORT_ATTR_UPCALL_PID not a u32 array");
            v.upcall_pids.resize(a.payload.size() / 4);
            std::memcpy(v.upcall_pids.data(), a.payload.data(), a.payload.size());
            break;
        case OVS_VPORT_ATTR_STATS: {
            auto s = get_struct<ovs_vport_stats>(a, "OVS_VPORT_ATTR_STATS");
            v.stats = VportStats{s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes,
                                 s.rx_errors, s.tx_errors, s.rx_dropped, s.tx_dropped};
            break;
        }
        case OVS_VPORT_ATTR_IFINDEX: v.ifindex = static_cast<int>(a.u32()); break;
        case OVS_VPORT_ATTR_NETNSID: v.netnsid = static_cast<int32_t>(a.u32()); break;
        default: break;
        }
    }
    if (!have_port || !have_name)
        throw Error(EPROTO, "vport message without port number or name");
    return v;
}

// ---------------------------------------------------------------- flows

namespace {

void put_flow_id(AttrWriter& w, const FlowId& id)
{
    if (id.ufid.empty() && id.key.empty())
        throw Error(EINVAL, "flow id needs a UFID or a key");
    if (!id.ufid.empty())
        w.put(OVS_FLOW_ATTR_UFID, id.ufid);
    if (!id.key.empty())
        w.put(OVS_FLOW_ATTR_KEY | kAttrNestedFlag, id.key);
}

}  // namespace

OvsMessage flow_put_request(int dp_ifindex, const FlowPut& put)
{
    if (!(put.flags & (kPutCreate | kPutModify)))
        throw Error(EINVAL, "flow put needs create or modify");
    if (put.key.empty())
        throw Error(EINVAL, "flow put needs a key");
    AttrWriter w;
    w.put(OVS_FLOW_ATTR_KEY | kAttrNestedFlag, put.key);
    if (!put.mask.empty())
        w.put(OVS_FLOW_ATTR_MASK | kAttrNestedFlag, put.mask);
    // An empty nested actions attribute means "drop" and must be present.
    w.put(OVS_FLOW_ATTR_ACTIONS | kAttrNestedFlag, put.actions);
    if (!put.ufid.empty())
        w.put(OVS_FLOW_ATTR_UFID, put.ufid);
    if (put.flags & kPutZeroStats)
        w.put_flag(OVS_FLOW_ATTR_CLEAR);
    uint8_t cmd = OVS_FLOW_CMD_NEW;
    uint16_t flags = 0;
    if ((put.flags & kPutCreate) && (put.flags & kPutModify))
        flags = NLM_F_CREATE;
    else if (put.flags & kPutCreate)
        flags = NLM_F_CREATE | NLM_F_EXCL;
    else
        cmd = OVS_FLOW_CMD_SET;
    return msg(Family::Flow, cmd, dp_ifindex, std::move(w), flags);
}

OvsMessage flow_get_request(int dp_ifindex, const FlowId& id)
{
    AttrWriter w;
    put_flow_id(w, id);
    return msg(Family::Flow, OVS_FLOW_CMD_GET, dp_ifindex, std::move(w));
}

OvsMessage flow_del_request(int dp_ifindex, const FlowId& id)
{
    AttrWriter w;
    put_flow_id(w, id);
    return msg(Family::Flow, OVS_FLOW_CMD_DEL, dp_ifindex, std::move(w));
}

OvsMessage flow_flush_request(int dp_ifindex)
{
    // OVS_FLOW_CMD_DEL without a key or UFID deletes every flow.
    return msg(Family::Flow, OVS_FLOW_CMD_DEL, dp_ifindex, AttrWriter{});
}

OvsMessage flow_dump_request(int dp_ifindex)
{
    return msg(Family::Flow, OVS_FLOW_CMD_GET, dp_ifindex, AttrWriter{}, NLM_F_DUMP);
}

Flow decode_flow(const OvsMessage& m)
{
    check_family(m, Family::Flow);
    Flow f;
    for (const Attr& a : parse_attrs(m.attrs)) {
        switch (a.type) {
        case OVS_FLOW_ATTR_KEY: f.key = a.bytes(); break;
        case OVS_FLOW_ATTR_MASK: f.mask = a.bytes(); break;
        case OVS_FLOW_ATTR_ACTIONS: f.actions = a.bytes(); break;
        case OVS_FLOW_ATTR_UFID: f.ufid = a.bytes(); break;
        case OVS_FLOW_ATTR_STATS: {
            auto s = get_struct<ovs_flow_stats>(a, "OVS_FLOW_ATTR_STATS");
            f.stats = {s.n_packets, s.n_bytes};
            break;
        }
        case OVS_FLOW_ATTR_USED: f.used_ms = a.u64(); break;
        case OVS_FLOW_ATTR_TCP_FLAGS: f.tcp_flags = a.u8(); break;
        default: break;
        }
    }
    return f;
}

// ---------------------------------------------------------------- packets

OvsMessage packet_execute_request(int dp_ifindex, ByteView packet, ByteView key, ByteView actions)
{
    if (packet.empty())
        throw Error(EINVAL, "execute needs a packet");
    AttrWriter w;
    w.put(OVS_PACKET_ATTR_PACKET, packet);
    w.put(OVS_PACKET_ATTR_KEY | kAttrNestedFlag, key);
    w.put(OVS_PACKET_ATTR_ACTIONS | kAttrNestedFlag, actions);
    return msg(Family::Packet, OVS_PACKET_CMD_EXECUTE, dp_ifindex, std::move(w));
}

Upcall decode_upcall(const OvsMessage& m)
{
    check_family(m, Family::Packet);
    Upcall u;
    if (m.cmd == OVS_PACKET_CMD_MISS)
        u.type = UpcallType::Miss;
    else if (m.cmd == OVS_PACKET_CMD_ACTION)
        u.type = UpcallType::Action;
    else
        throw Error(EPROTO, "unexpected ovs_packet command " + std::to_string(m.cmd));
    u.dp_ifindex = m.dp_ifindex;
    bool have_packet = false, have_key = false;
    for (const Attr& a : parse_attrs(m.attrs)) {
        switch (a.type) {
        case OVS_PACKET_ATTR_PACKET: u.packet = a.bytes(); have_packet = true; break;
        case OVS_PACKET_ATTR_KEY: u.key = a.bytes(); have_key = true; break;
        case OVS_PACKET_ATTR_USERDATA: u.userdata = a.bytes(); break;
        case OVS_PACKET_ATTR_ACTIONS: u.actions = a.bytes(); break;
        case OVS_PACKET_ATTR_MRU: u.mru = a.u16(); break;
        case OVS_PACKET_ATTR_LEN: u.orig_len = a.u32(); break;
        case OVS_PACKET_ATTR_HASH: u.hash = a.u64(); break;
        default: break;
        }
    }
    if (!have_packet || !have_key)
        throw Error(EPROTO, "upcall without packet or key");
    return u;
}

}  // namespace dpif
