#include "dpif/netlink_dpif.hpp"

#include <linux/openvswitch.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <utility>

namespace dpif {

namespace {

constexpr Family kFamilies[] = {Family::Datapath, Family::Vport, Family::Flow, Family::Packet};

bool is_absent(const Error& e) { return e.code() == ENOENT || e.code() == ENODEV; }

}  // namespace

NetlinkDpif::NetlinkDpif()
{
    for (Family f : kFamilies)
        ids_[static_cast<int>(f)] = sock_.resolve_family(family_name(f));
}

uint16_t NetlinkDpif::family_id(Family f) const { return ids_[static_cast<int>(f)]; }

std::vector<OvsMessage> NetlinkDpif::transact(const OvsMessage& m)
{
    std::lock_guard lock(mutex_);
    std::vector<OvsMessage> out;
    sock_.transact(family_id(m.family), family_version(m.family), m, [&](GenlMessage&& g) {
        if (g.family_id != family_id(m.family))
            return;
        out.push_back(parse_ovs_payload(m.family, g.cmd, g.payload));
    });
    return out;
}

// ---------------------------------------------------------------- datapaths

std::vector<DatapathInfo> NetlinkDpif::list_datapaths()
{
    std::vector<DatapathInfo> out;
    for (const auto& m : transact(dp_get_request("")))
        out.push_back(decode_datapath(m));
    return out;
}

DatapathInfo NetlinkDpif::create_datapath(const std::string& name, uint32_t upcall_pid,
                                          uint32_t features)
{
    try {
        auto r = transact(dp_new_request(name, upcall_pid, features));
        if (r.empty())
            throw Error(EPROTO, "no reply to datapath creation");
        return decode_datapath(r.front());
    } catch (const Error& e) {
        throw Error("creating datapath " + name, e);
    }
}

std::optional<DatapathInfo> NetlinkDpif::get_datapath(const std::string& name)
{
    try {
        auto r = transact(dp_get_request(name));
        if (r.empty())
            return std::nullopt;
        return decode_datapath(r.front());
    } catch (const Error& e) {
        if (is_absent(e))
            return std::nullopt;
        throw;
    }
}

DatapathInfo NetlinkDpif::set_user_features(const std::string& name, uint32_t features)
{
    try {
        auto r = transact(dp_set_features_request(name, features));
        if (r.empty())
            throw Error(EPROTO, "no reply");
        return decode_datapath(r.front());
    } catch (const Error& e) {
        throw Error("setting features of datapath " + name, e);
    }
}

DatapathInfo NetlinkDpif::set_per_cpu_upcall_pids(const std::string& name,
                                                   const std::vector<uint32_t>& pids)
{
    try {
        auto dp = get_datapath(name);
        if (!dp)
            throw Error(ENODEV, "no such datapath");
        auto r = transact(dp_set_per_cpu_pids_request(name, dp->user_features, pids));
        if (r.empty())
            throw Error(EPROTO, "no reply");
        return decode_datapath(r.front());
    } catch (const Error& e) {
        throw Error("setting per-CPU upcall pids of datapath " + name, e);
    }
}

void NetlinkDpif::delete_datapath(const std::string& name)
{
    try {
        transact(dp_del_request(name));
    } catch (const Error& e) {
        throw Error("deleting datapath " + name, e);
    }
}

// ---------------------------------------------------------------- vports

VportInfo NetlinkDpif::add_vport(int dp_ifindex, const VportRequest& req)
{
    try {
        auto r = transact(vport_new_request(dp_ifindex, req));
        if (r.empty())
            throw Error(EPROTO, "no reply");
        return decode_vport(r.front());
    } catch (const Error& e) {
        throw Error("adding vport " + req.name, e);
    }
}

std::optional<VportInfo> NetlinkDpif::get_vport(int dp_ifindex, const std::string& name)
{
    try {
        auto r = transact(vport_get_request(dp_ifindex, name));
        if (r.empty())
            return std::nullopt;
        return decode_vport(r.front());
    } catch (const Error& e) {
        if (is_absent(e))
            return std::nullopt;
        throw;
    }
}

std::optional<VportInfo> NetlinkDpif::get_vport(int dp_ifindex, uint32_t port_no)
{
    try {
        auto r = transact(vport_get_request(dp_ifindex, port_no));
        if (r.empty())
            return std::nullopt;
        return decode_vport(r.front());
    } catch (const Error& e) {
        if (is_absent(e))
            return std::nullopt;
        throw;
    }
}

std::vector<VportInfo> NetlinkDpif::list_vports(int dp_ifindex)
{
    std::vector<VportInfo> out;
    for (const auto& m : transact(vport_dump_request(dp_ifindex)))
        out.push_back(decode_vport(m));
    return out;
}

void NetlinkDpif::delete_vport(int dp_ifindex, uint32_t port_no)
{
    try {
        transact(vport_del_request(dp_ifindex, port_no));
    } catch (const Error& e) {
        throw Error("deleting vport " + std::to_string(port_no), e);
    }
}

VportInfo NetlinkDpif::set_vport_upcall_pids(int dp_ifindex, uint32_t port_no,
                                             const std::vector<uint32_t>& pids)
{
    try {
        auto r = transact(vport_set_pids_request(dp_ifindex, port_no, pids));
        if (r.empty())
            throw Error(EPROTO, "no reply");
        return decode_vport(r.front());
    } catch (const Error& e) {
        throw Error("setting upcall pids of vport " + std::to_string(port_no), e);
    }
}

// ---------------------------------------------------------------- flows

std::optional<FlowStats> NetlinkDpif::put_flow(int dp_ifindex, const FlowPut& put)
{
    // To learn whether the put replaced a flow, ask first when modifying.
    std::optional<FlowStats> old;
    if (put.flags & kPutModify) {
        FlowId id{put.ufid, put.ufid.empty() ? put.key : Bytes{}};
        if (auto f = get_flow(dp_ifindex, id))
            old = f->stats;
    }
    try {
        transact(flow_put_request(dp_ifindex, put));
    } catch (const Error& e) {
        throw Error("installing flow", e);
    }
    return old;
}

std::optional<Flow> NetlinkDpif::get_flow(int dp_ifindex, const FlowId& id)
{
    try {
        auto r = transact(flow_get_request(dp_ifindex, id));
        if (r.empty())
            return std::nullopt;
        return decode_flow(r.front());
    } catch (const Error& e) {
        if (is_absent(e))
            return std::nullopt;
        throw;
    }
}

FlowStats NetlinkDpif::del_flow(int dp_ifindex, const FlowId& id)
{
    try {
        auto r = transact(flow_del_request(dp_ifindex, id));
        return r.empty() ? FlowStats{} : decode_flow(r.front()).stats;
    } catch (const Error& e) {
        throw Error("deleting flow", e);
    }
}

void NetlinkDpif::dump_flows(int dp_ifindex, const std::function<bool(const Flow&)>& fn)
{
    // A socket of its own, and no lock held while fn runs: fn may call back
    // into this object (a revalidator deleting the flows it dumps).
    GenlSocket dump_sock;
    const uint16_t id = family_id(Family::Flow);
    bool more = true;
    // Once fn says stop, the rest of the dump is still read and dropped.
    dump_sock.transact(id, family_version(Family::Flow), flow_dump_request(dp_ifindex),
                       [&](GenlMessage&& g) {
                           if (!more || g.family_id != id)
                               return;
                           more = fn(decode_flow(parse_ovs_payload(Family::Flow, g.cmd, g.payload)));
                       });
}

void NetlinkDpif::flush_flows(int dp_ifindex)
{
    try {
        transact(flow_flush_request(dp_ifindex));
    } catch (const Error& e) {
        throw Error("flushing flows", e);
    }
}

// ---------------------------------------------------------------- packets

void NetlinkDpif::execute(int dp_ifindex, ByteView packet, ByteView key, ByteView actions)
{
    try {
        transact(packet_execute_request(dp_ifindex, packet, key, actions));
    } catch (const Error& e) {
        throw Error("executing actions on a packet", e);
    }
}

void NetlinkDpif::operate(std::vector<DpifOp>& ops)
{
    // Chunks keep the acks (and echoed DEL replies) well inside the socket's
    // receive buffer.
    constexpr size_t kChunk = 64;
    for (size_t start = 0; start < ops.size(); start += kChunk) {
        const size_t end = std::min(ops.size(), start + kChunk);
        std::vector<OvsMessage> msgs;
        std::vector<size_t> index;  // msgs[i] is ops[index[i]]
        for (size_t i = start; i < end; ++i) {
            DpifOp& op = ops[i];
            try {
                switch (op.kind) {
                case DpifOp::Kind::Put: msgs.push_back(flow_put_request(op.dp_ifindex, op.put)); break;
                case DpifOp::Kind::Del: msgs.push_back(flow_del_request(op.dp_ifindex, op.del)); break;
                case DpifOp::Kind::Execute:
                    msgs.push_back(packet_execute_request(op.dp_ifindex, op.packet, op.key, op.actions));
                    break;
                }
                index.push_back(i);
                op.error = 0;
            } catch (const Error& e) {
                op.error = e.code();  // refused before sending
            }
        }
        std::vector<GenlSocket::BatchItem> items;
        for (const auto& m : msgs)
            items.push_back({family_id(m.family), family_version(m.family), &m});
        std::vector<int> errs;
        {
            std::lock_guard lock(mutex_);
            errs = sock_.transact_batch(items);
        }
        for (size_t k = 0; k < errs.size(); ++k)
            ops[index[k]].error = errs[k];
    }
}

namespace {

class NetlinkUpcallChannel : public UpcallChannel {
public:
    explicit NetlinkUpcallChannel(uint16_t packet_family) : family_(packet_family)
    {
        sock_.set_nonblocking();
        sock_.set_rcvbuf(4 << 20);
        // An upcall holds at most a 64 KiB packet plus key and userdata.
        sock_.set_fixed_buffer(128 << 10);
    }
    uint32_t port_id() const override { return sock_.port_id(); }
    int fd() const override { return sock_.fd(); }
    uint64_t lost() const override { return lost_; }

    std::optional<Upcall> recv() override
    {
        while (queue_.empty()) {
            std::vector<GenlMessage> got;
            bool overflow = false;
            if (!sock_.receive(got, &overflow))
                return std::nullopt;
            if (overflow)
                ++lost_;
            for (auto& g : got) {
                if (g.family_id != family_)
                    continue;
                try {
                    queue_.push_back(decode_upcall(parse_ovs_payload(Family::Packet, g.cmd, g.payload)));
                } catch (const Error&) {
                    ++lost_;  // malformed: counted, never fatal
                }
            }
        }
        Upcall u = std::move(queue_.front());
        queue_.pop_front();
        return u;
    }

private:
    GenlSocket sock_;
    uint16_t family_;
    std::deque<Upcall> queue_;
    uint64_t lost_ = 0;
};

class NetlinkVportListener : public VportListener {
public:
    NetlinkVportListener()
    {
        family_ = sock_.resolve_family(OVS_VPORT_FAMILY);
        sock_.join_group(sock_.resolve_group(OVS_VPORT_FAMILY, OVS_VPORT_MCGROUP));
        sock_.set_nonblocking();
        sock_.set_rcvbuf(1 << 20);
    }
    int fd() const override { return sock_.fd(); }
    bool overflowed() override { return std::exchange(overflow_, false); }

    std::optional<VportEvent> recv() override
    {
        while (queue_.empty()) {
            std::vector<GenlMessage> got;
            if (!sock_.receive(got, &overflow_))
                return std::nullopt;
            for (auto& g : got) {
                if (g.family_id != family_)
                    continue;
                VportEvent ev;
                switch (g.cmd) {
                case OVS_VPORT_CMD_NEW: ev.type = VportEventType::New; break;
                case OVS_VPORT_CMD_DEL: ev.type = VportEventType::Del; break;
                case OVS_VPORT_CMD_SET: ev.type = VportEventType::Set; break;
                default: continue;
                }
                try {
                    ev.vport = decode_vport(parse_ovs_payload(Family::Vport, g.cmd, g.payload));
                } catch (const Error&) {
                    overflow_ = true;  // lost information: make the caller resync
                    continue;
                }
                queue_.push_back(std::move(ev));
            }
        }
        VportEvent ev = std::move(queue_.front());
        queue_.pop_front();
        return ev;
    }

private:
    GenlSocket sock_;
    uint16_t family_ = 0;
    bool overflow_ = false;
    std::deque<VportEvent> queue_;
};

}  // namespace

std::unique_ptr<UpcallChannel> NetlinkDpif::open_upcall_channel()
{
    return std::make_unique<NetlinkUpcallChannel>(family_id(Family::Packet));
}

std::unique_ptr<VportListener> NetlinkDpif::open_vport_listener()
{
    return std::make_unique<NetlinkVportListener>();
}

}  // namespace dpif
