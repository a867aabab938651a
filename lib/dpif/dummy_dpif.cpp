#include "dpif/dummy_dpif.hpp"

#include <linux/openvswitch.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <utility>

#include "dpif/flow_key.hpp"
#include "dpif/odp_execute.hpp"

namespace dpif {

namespace {

constexpr size_t kIfNameMax = 15;  // IFNAMSIZ - 1

// A queue whose eventfd (semaphore mode) is readable exactly while the
// queue holds something, so callers can poll it like a netlink socket.
template <typename T>
class EventQueue {
public:
    EventQueue() : fd_(eventfd(0, EFD_NONBLOCK | EFD_SEMAPHORE | EFD_CLOEXEC))
    {
        if (fd_ < 0)
            throw Error(errno, "eventfd");
    }
    ~EventQueue() { ::close(fd_); }
    EventQueue(const EventQueue&) = delete;
    EventQueue& operator=(const EventQueue&) = delete;

    int fd() const { return fd_; }

    bool push(T v, size_t capacity)
    {
        std::lock_guard lock(mu_);
        if (q_.size() >= capacity) {
            overflow_ = true;
            ++lost_;
            return false;
        }
        q_.push_back(std::move(v));
        uint64_t one = 1;
        if (::write(fd_, &one, sizeof one) < 0) { /* counter full: still queued */ }
        return true;
    }

    std::optional<T> pop()
    {
        std::lock_guard lock(mu_);
        if (q_.empty())
            return std::nullopt;
        uint64_t v;
        if (::read(fd_, &v, sizeof v) < 0) { /* already drained */ }
        T out = std::move(q_.front());
        q_.pop_front();
        return out;
    }

    uint64_t lost() const
    {
        std::lock_guard lock(mu_);
        return lost_;
    }
    bool take_overflow()
    {
        std::lock_guard lock(mu_);
        return std::exchange(overflow_, false);
    }

private:
    int fd_;
    mutable std::mutex mu_;
    std::deque<T> q_;
    uint64_t lost_ = 0;
    bool overflow_ = false;
};

using UpcallQueue = EventQueue<Upcall>;
using EventQueueV = EventQueue<VportEvent>;

class DummyUpcallChannel : public UpcallChannel {
public:
    DummyUpcallChannel(uint32_t pid, std::shared_ptr<UpcallQueue> q) : pid_(pid), q_(std::move(q)) {}
    uint32_t port_id() const override { return pid_; }
    int fd() const override { return q_->fd(); }
    std::optional<Upcall> recv() override { return q_->pop(); }
    uint64_t lost() const override { return q_->lost(); }

private:
    uint32_t pid_;
    std::shared_ptr<UpcallQueue> q_;
};

class DummyVportListener : public VportListener {
public:
    explicit DummyVportListener(std::shared_ptr<EventQueueV> q) : q_(std::move(q)) {}
    int fd() const override { return q_->fd(); }
    std::optional<VportEvent> recv() override { return q_->pop(); }
    bool overflowed() override { return q_->take_overflow(); }

private:
    std::shared_ptr<EventQueueV> q_;
};

struct DummyFlow {
    Flow flow;
    FlatKey key, mask, identity;
    bool has_mask = false;
};

struct DummyVport {
    VportInfo info;
    VportStats stats;
    std::deque<Bytes> transmitted;
};

struct DummyDatapath {
    DatapathInfo info;
    std::map<uint32_t, DummyVport> ports;
    std::vector<DummyFlow> flows;
    uint64_t n_mask_hit = 0;
};

}  // namespace

struct DummyDpif::State {
    std::mutex mu;
    std::map<int, DummyDatapath> dps;  // by ifindex
    std::map<uint32_t, std::weak_ptr<UpcallQueue>> channels;
    std::vector<std::weak_ptr<EventQueueV>> listeners;
    std::set<std::string> netdevs;
    std::map<std::string, int> netdev_ifindex;
    std::map<std::string, NetdevInfo> devices;  // stats filled on read
    bool strict = false;
    size_t capacity = 4096;
    int next_ifindex = 1000;
    uint32_t next_pid = 0x10000;
    std::function<uint64_t()> now = [] {
        return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now().time_since_epoch())
                                         .count());
    };

    int ifindex_for(const std::string& name)
    {
        auto [it, added] = netdev_ifindex.try_emplace(name, next_ifindex);
        if (added)
            ++next_ifindex;
        return it->second;
    }

    void ensure_device(const std::string& name, bool internal)
    {
        if (devices.count(name))
            return;
        NetdevInfo n;
        n.name = name;
        n.ifindex = ifindex_for(name);
        n.mac = {0x02, 0xdd, 0, 0, static_cast<uint8_t>(n.ifindex >> 8), static_cast<uint8_t>(n.ifindex)};
        n.mtu = 1500;
        n.admin_up = !internal;
        n.carrier = true;
        if (!internal)
            n.speed_mbps = 10000;
        devices.emplace(name, n);
    }

    void drop_device(const std::string& name)
    {
        devices.erase(name);
        netdev_ifindex.erase(name);
    }

    DummyDatapath& dp(int ifindex)
    {
        auto it = dps.find(ifindex);
        if (it == dps.end())
            throw Error(ENODEV, "datapath with ifindex " + std::to_string(ifindex));
        return it->second;
    }

    DummyDatapath* dp_by_name(const std::string& name)
    {
        for (auto& [_, d] : dps)
            if (d.info.name == name)
                return &d;
        return nullptr;
    }

    bool name_in_use(const std::string& name)
    {
        for (auto& [_, d] : dps)
            for (auto& [__, p] : d.ports)
                if (p.info.name == name)
                    return true;
        return false;
    }

    DatapathInfo snapshot(const DummyDatapath& d) const
    {
        DatapathInfo i = d.info;
        i.stats.n_flows = d.flows.size();
        std::set<FlatKey> masks;
        for (const auto& f : d.flows)
            masks.insert(f.mask);
        i.megaflow_stats = MegaflowStats{d.n_mask_hit, static_cast<uint32_t>(masks.size()), 0};
        return i;
    }

    static VportInfo snapshot(const DummyVport& p)
    {
        VportInfo v = p.info;
        v.stats = p.stats;
        return v;
    }

    void notify(VportEventType t, const VportInfo& v)
    {
        for (auto it = listeners.begin(); it != listeners.end();) {
            if (auto q = it->lock()) {
                q->push(VportEvent{t, v}, capacity);
                ++it;
            } else {
                it = listeners.erase(it);
            }
        }
    }

    // Queues an upcall; false (and n_lost) when nobody can take it.
    bool upcall(DummyDatapath& d, uint32_t pid, Upcall u)
    {
        auto it = channels.find(pid);
        std::shared_ptr<UpcallQueue> q;
        if (pid != 0 && it != channels.end())
            q = it->second.lock();
        if (!q || !q->push(std::move(u), capacity)) {
            ++d.info.stats.n_lost;
            return false;
        }
        return true;
    }

    DummyFlow* find_flow(DummyDatapath& d, const FlowId& id)
    {
        for (auto& f : d.flows) {
            if (!id.ufid.empty()) {
                if (f.flow.ufid == id.ufid)
                    return &f;
            } else if (f.key == flatten_key(id.key)) {
                return &f;
            }
        }
        return nullptr;
    }

    void run_actions(DummyDatapath& d, Bytes packet, ByteView key, ByteView actions)
    {
        ActionHooks hooks;
        hooks.output = [&](uint32_t port, const Bytes& pkt) {
            auto it = d.ports.find(port);
            if (it == d.ports.end())
                return;  // the kernel silently drops output to a missing port
            it->second.stats.tx_packets++;
            it->second.stats.tx_bytes += pkt.size();
            it->second.transmitted.push_back(pkt);
        };
        hooks.userspace = [&](uint32_t pid, const Bytes& pkt, ByteView userdata, ByteView acts) {
            Upcall u;
            u.type = UpcallType::Action;
            u.dp_ifindex = d.info.ifindex;
            u.packet = pkt;
            u.key.assign(key.begin(), key.end());
            u.userdata.assign(userdata.begin(), userdata.end());
            u.actions.assign(acts.begin(), acts.end());
            upcall(d, pid, std::move(u));
        };
        execute_actions(std::move(packet), actions, hooks);
    }
};

DummyDpif::DummyDpif() : s_(std::make_unique<State>()), netdevs_(std::make_unique<DummyNetdevs>(*s_)) {}
DummyDpif::~DummyDpif() = default;

// ---------------------------------------------------------------- datapaths

std::vector<DatapathInfo> DummyDpif::list_datapaths()
{
    std::lock_guard lock(s_->mu);
    std::vector<DatapathInfo> out;
    for (auto& [_, d] : s_->dps)
        out.push_back(s_->snapshot(d));
    return out;
}

DatapathInfo DummyDpif::create_datapath(const std::string& name, uint32_t upcall_pid,
                                        uint32_t features)
{
    std::lock_guard lock(s_->mu);
    if (name.empty() || name.size() > kIfNameMax)
        throw Error(EINVAL, "creating datapath '" + name + "': bad name");
    if (s_->dp_by_name(name) || s_->name_in_use(name))
        throw Error(EEXIST, "creating datapath " + name);
    if (features & ~(kFeatureUnaligned | kFeatureVportPids | kFeatureTcRecircSharing |
                     kFeaturePerCpuDispatch))
        throw Error(EOPNOTSUPP, "creating datapath " + name + ": unknown user features");
    DummyDatapath d;
    d.info.name = name;
    d.info.ifindex = s_->ifindex_for(name);
    s_->ensure_device(name, true);
    d.info.user_features = features;
    DummyVport local;
    local.info.dp_ifindex = d.info.ifindex;
    local.info.port_no = kLocalPort;
    local.info.type = VportType::Internal;
    local.info.name = name;
    local.info.upcall_pids = {upcall_pid};
    local.info.ifindex = d.info.ifindex;
    const VportInfo localinfo = local.info;
    d.ports.emplace(kLocalPort, std::move(local));
    const int ifindex = d.info.ifindex;
    s_->dps.emplace(ifindex, std::move(d));
    s_->notify(VportEventType::New, localinfo);
    return s_->snapshot(s_->dps.at(ifindex));
}

std::optional<DatapathInfo> DummyDpif::get_datapath(const std::string& name)
{
    std::lock_guard lock(s_->mu);
    if (auto* d = s_->dp_by_name(name))
        return s_->snapshot(*d);
    return std::nullopt;
}

DatapathInfo DummyDpif::set_user_features(const std::string& name, uint32_t features)
{
    std::lock_guard lock(s_->mu);
    auto* d = s_->dp_by_name(name);
    if (!d)
        throw Error(ENODEV, "setting features of datapath " + name);
    if (features & ~(kFeatureUnaligned | kFeatureVportPids | kFeatureTcRecircSharing |
                     kFeaturePerCpuDispatch))
        throw Error(EOPNOTSUPP, "setting features of datapath " + name);
    d->info.user_features = features;
    return s_->snapshot(*d);
}

DatapathInfo DummyDpif::set_per_cpu_upcall_pids(const std::string& name,
                                                 const std::vector<uint32_t>& pids)
{
    std::lock_guard lock(s_->mu);
    auto* d = s_->dp_by_name(name);
    if (!d)
        throw Error(ENODEV, "setting per-CPU upcall pids of datapath " + name);
    if (pids.empty())
        throw Error(EINVAL, "setting per-CPU upcall pids of datapath " + name + ": no pids");
    d->info.user_features |= kFeaturePerCpuDispatch;
    d->info.per_cpu_pids = pids;
    return s_->snapshot(*d);
}

void DummyDpif::delete_datapath(const std::string& name)
{
    std::lock_guard lock(s_->mu);
    auto* d = s_->dp_by_name(name);
    if (!d)
        throw Error(ENODEV, "deleting datapath " + name);
    for (auto& [_, p] : d->ports) {
        s_->notify(VportEventType::Del, State::snapshot(p));
        if (p.info.type == VportType::Internal)
            s_->drop_device(p.info.name);
    }
    s_->dps.erase(d->info.ifindex);
}

// ---------------------------------------------------------------- vports

VportInfo DummyDpif::add_vport(int dp_ifindex, const VportRequest& req)
{
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    const std::string what = "adding vport " + req.name;
    if (req.name.empty() || req.name.size() > kIfNameMax)
        throw Error(EINVAL, what + ": bad name");
    if (req.type != VportType::Netdev && req.type != VportType::Internal)
        throw Error(EAFNOSUPPORT, what + ": type " + to_string(req.type) +
                                      " not supported by the dummy datapath");
    if (s_->name_in_use(req.name))
        throw Error(req.type == VportType::Netdev ? EBUSY : EEXIST, what);
    if (req.type == VportType::Netdev && s_->strict && !s_->netdevs.count(req.name))
        throw Error(ENODEV, what);
    uint32_t port_no;
    if (req.port_no) {
        port_no = *req.port_no;
        if (d.ports.count(port_no))
            throw Error(EBUSY, what + ": port " + std::to_string(port_no) + " in use");
    } else {
        port_no = 1;
        while (d.ports.count(port_no))
            ++port_no;
    }
    DummyVport p;
    p.info.dp_ifindex = dp_ifindex;
    p.info.port_no = port_no;
    p.info.type = req.type;
    p.info.name = req.name;
    p.info.upcall_pids = req.upcall_pids.empty() ? std::vector<uint32_t>{0} : req.upcall_pids;
    p.info.options = req.options;
    p.info.ifindex = s_->ifindex_for(req.name);
    s_->ensure_device(req.name, req.type == VportType::Internal);
    VportInfo v = State::snapshot(p);
    d.ports.emplace(port_no, std::move(p));
    s_->notify(VportEventType::New, v);
    return v;
}

std::optional<VportInfo> DummyDpif::get_vport(int dp_ifindex, const std::string& name)
{
    std::lock_guard lock(s_->mu);
    for (auto& [_, p] : s_->dp(dp_ifindex).ports)
        if (p.info.name == name)
            return State::snapshot(p);
    return std::nullopt;
}

std::optional<VportInfo> DummyDpif::get_vport(int dp_ifindex, uint32_t port_no)
{
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    auto it = d.ports.find(port_no);
    if (it == d.ports.end())
        return std::nullopt;
    return State::snapshot(it->second);
}

std::vector<VportInfo> DummyDpif::list_vports(int dp_ifindex)
{
    std::lock_guard lock(s_->mu);
    std::vector<VportInfo> out;
    for (auto& [_, p] : s_->dp(dp_ifindex).ports)
        out.push_back(State::snapshot(p));
    return out;
}

void DummyDpif::delete_vport(int dp_ifindex, uint32_t port_no)
{
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    auto it = d.ports.find(port_no);
    if (it == d.ports.end())
        throw Error(ENOENT, "deleting vport " + std::to_string(port_no));
    if (port_no == kLocalPort)
        throw Error(EINVAL, "deleting vport 0: the local port goes with its datapath");
    VportInfo v = State::snapshot(it->second);
    d.ports.erase(it);
    if (v.type == VportType::Internal)
        s_->drop_device(v.name);
    s_->notify(VportEventType::Del, v);
}

VportInfo DummyDpif::set_vport_upcall_pids(int dp_ifindex, uint32_t port_no,
                                           const std::vector<uint32_t>& pids)
{
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    auto it = d.ports.find(port_no);
    if (it == d.ports.end())
        throw Error(ENOENT, "setting upcall pids of vport " + std::to_string(port_no));
    it->second.info.upcall_pids = pids.empty() ? std::vector<uint32_t>{0} : pids;
    VportInfo v = State::snapshot(it->second);
    s_->notify(VportEventType::Set, v);
    return v;
}

// ---------------------------------------------------------------- flows

std::optional<FlowStats> DummyDpif::put_flow(int dp_ifindex, const FlowPut& put)
{
    if (!(put.flags & (kPutCreate | kPutModify)))
        throw Error(EINVAL, "flow put needs create or modify");
    if (put.key.empty())
        throw Error(EINVAL, "installing flow: no key");
    if (!put.ufid.empty() && put.ufid.size() != 16)
        throw Error(EINVAL, "installing flow: UFID must be 16 bytes");
    DummyFlow nf;
    try {
        nf.key = flatten_key(put.key);
        nf.has_mask = !put.mask.empty();
        if (nf.has_mask)
            nf.mask = flatten_key(put.mask);
        validate_actions(put.actions);
    } catch (const Error& e) {
        throw Error(EINVAL, std::string("installing flow: ") + e.what());
    }
    nf.identity = masked_key(nf.key, nf.mask, nf.has_mask);
    nf.flow.key = put.key;
    nf.flow.mask = put.mask;
    nf.flow.actions = put.actions;
    nf.flow.ufid = put.ufid;

    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    DummyFlow* existing = nullptr;
    for (auto& f : d.flows) {
        if (!put.ufid.empty() && f.flow.ufid == put.ufid) {
            existing = &f;
            break;
        }
        if (f.identity == nf.identity && f.mask == nf.mask && f.has_mask == nf.has_mask) {
            existing = &f;
            break;
        }
    }
    if (existing) {
        if (!(put.flags & kPutModify))
            throw Error(EEXIST, "installing flow");
        FlowStats old = existing->flow.stats;
        existing->flow.actions = put.actions;
        if (put.flags & kPutZeroStats) {
            existing->flow.stats = {};
            existing->flow.used_ms = 0;
            existing->flow.tcp_flags = 0;
        }
        return old;
    }
    if (!(put.flags & kPutCreate))
        throw Error(ENOENT, "modifying flow");
    d.flows.push_back(std::move(nf));
    return std::nullopt;
}

std::optional<Flow> DummyDpif::get_flow(int dp_ifindex, const FlowId& id)
{
    if (id.ufid.empty() && id.key.empty())
        throw Error(EINVAL, "flow id needs a UFID or a key");
    std::lock_guard lock(s_->mu);
    if (auto* f = s_->find_flow(s_->dp(dp_ifindex), id))
        return f->flow;
    return std::nullopt;
}

FlowStats DummyDpif::del_flow(int dp_ifindex, const FlowId& id)
{
    if (id.ufid.empty() && id.key.empty())
        throw Error(EINVAL, "flow id needs a UFID or a key");
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    auto* f = s_->find_flow(d, id);
    if (!f)
        throw Error(ENOENT, "deleting flow");
    FlowStats st = f->flow.stats;
    d.flows.erase(d.flows.begin() + (f - d.flows.data()));
    return st;
}

void DummyDpif::dump_flows(int dp_ifindex, const std::function<bool(const Flow&)>& fn)
{
    std::vector<Flow> copy;
    {
        std::lock_guard lock(s_->mu);
        for (const auto& f : s_->dp(dp_ifindex).flows)
            copy.push_back(f.flow);
    }
    for (const auto& f : copy)
        if (!fn(f))
            break;
}

void DummyDpif::flush_flows(int dp_ifindex)
{
    std::lock_guard lock(s_->mu);
    s_->dp(dp_ifindex).flows.clear();
}

// ---------------------------------------------------------------- packets

void DummyDpif::execute(int dp_ifindex, ByteView packet, ByteView key, ByteView actions)
{
    if (packet.empty())
        throw Error(EINVAL, "executing actions: empty packet");
    try {
        flatten_key(key);
        validate_actions(actions);
    } catch (const Error& e) {
        throw Error(EINVAL, std::string("executing actions: ") + e.what());
    }
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    s_->run_actions(d, Bytes(packet.begin(), packet.end()), key, actions);
}

DummyDpif::Verdict DummyDpif::receive(int dp_ifindex, uint32_t port_no, ByteView packet)
{
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    auto pit = d.ports.find(port_no);
    if (pit == d.ports.end())
        throw Error(ENODEV, "receiving on vport " + std::to_string(port_no));
    auto& port = pit->second;
    port.stats.rx_packets++;
    port.stats.rx_bytes += packet.size();

    const Bytes key = extract_flow_key(packet, port_no);
    const FlatKey flat = flatten_key(key);
    for (auto& f : d.flows) {
        ++d.n_mask_hit;
        if (!key_matches(flat, f.key, f.mask, f.has_mask))
            continue;
        d.info.stats.n_hit++;
        f.flow.stats.n_packets++;
        f.flow.stats.n_bytes += packet.size();
        f.flow.used_ms = s_->now();
        const Bytes actions = f.flow.actions;  // run_actions must not see f moved
        s_->run_actions(d, Bytes(packet.begin(), packet.end()), key, actions);
        return Verdict::Forwarded;
    }
    d.info.stats.n_missed++;
    // Per-CPU dispatch: the dummy has no CPUs; it spreads by flow over the
    // per-CPU pids the way vport dispatch spreads over a port's pids.
    const bool per_cpu = (d.info.user_features & kFeaturePerCpuDispatch) && !d.info.per_cpu_pids.empty();
    const auto& pids = per_cpu ? d.info.per_cpu_pids : port.info.upcall_pids;
    uint32_t pid = 0;
    if (!pids.empty()) {
        // Spread a port's upcalls over its pids by flow, like the kernel's hash.
        size_t h = std::hash<std::string>{}(std::string(key.begin(), key.end()));
        pid = pids[h % pids.size()];
    }
    Upcall u;
    u.type = UpcallType::Miss;
    u.dp_ifindex = dp_ifindex;
    u.packet.assign(packet.begin(), packet.end());
    u.key = key;
    return s_->upcall(d, pid, std::move(u)) ? Verdict::Upcall : Verdict::Lost;
}

std::vector<Bytes> DummyDpif::take_transmitted(int dp_ifindex, uint32_t port_no)
{
    std::lock_guard lock(s_->mu);
    auto& d = s_->dp(dp_ifindex);
    auto it = d.ports.find(port_no);
    if (it == d.ports.end())
        throw Error(ENODEV, "vport " + std::to_string(port_no));
    std::vector<Bytes> out(it->second.transmitted.begin(), it->second.transmitted.end());
    it->second.transmitted.clear();
    return out;
}

std::unique_ptr<UpcallChannel> DummyDpif::open_upcall_channel()
{
    auto q = std::make_shared<UpcallQueue>();
    std::lock_guard lock(s_->mu);
    const uint32_t pid = s_->next_pid++;
    s_->channels[pid] = q;
    return std::make_unique<DummyUpcallChannel>(pid, q);
}

std::unique_ptr<VportListener> DummyDpif::open_vport_listener()
{
    auto q = std::make_shared<EventQueueV>();
    std::lock_guard lock(s_->mu);
    s_->listeners.push_back(q);
    return std::make_unique<DummyVportListener>(q);
}

void DummyDpif::set_strict_netdevs(bool strict)
{
    std::lock_guard lock(s_->mu);
    s_->strict = strict;
}

void DummyDpif::add_netdev(const std::string& name)
{
    std::lock_guard lock(s_->mu);
    s_->netdevs.insert(name);
    s_->ensure_device(name, false);
}

void DummyDpif::remove_netdev(const std::string& name)
{
    std::lock_guard lock(s_->mu);
    s_->netdevs.erase(name);
    // As when a device disappears under the kernel datapath: its vport goes.
    for (auto& [_, d] : s_->dps) {
        for (auto it = d.ports.begin(); it != d.ports.end(); ++it) {
            if (it->second.info.name == name && it->second.info.type == VportType::Netdev) {
                VportInfo v = State::snapshot(it->second);
                d.ports.erase(it);
                s_->notify(VportEventType::Del, v);
                break;
            }
        }
    }
    s_->drop_device(name);
}

void DummyDpif::set_carrier(const std::string& name, bool carrier)
{
    std::lock_guard lock(s_->mu);
    auto it = s_->devices.find(name);
    if (it == s_->devices.end())
        throw Error(ENODEV, "device " + name);
    it->second.carrier = carrier;
}

class DummyDpif::DummyNetdevs : public Netdevs {
public:
    explicit DummyNetdevs(State& s) : s_(s) {}

    std::optional<NetdevInfo> get(const std::string& name, bool /*with_stats*/) override
    {
        std::lock_guard lock(s_.mu);
        auto it = s_.devices.find(name);
        if (it == s_.devices.end())
            return std::nullopt;
        NetdevInfo n = it->second;
        // The device's counters are its vport's.
        for (auto& [_, d] : s_.dps)
            for (auto& [__, p] : d.ports)
                if (p.info.name == name) {
                    const auto& v = p.stats;
                    n.stats = {v.rx_packets, v.tx_packets, v.rx_bytes, v.tx_bytes,
                               v.rx_errors, v.tx_errors, v.rx_dropped, v.tx_dropped, 0, 0};
                }
        return n;
    }
    void set_admin_up(const std::string& name, bool up) override
    {
        std::lock_guard lock(s_.mu);
        dev(name, "bringing up/down").admin_up = up;
    }
    void set_mtu(const std::string& name, int mtu) override
    {
        if (mtu < 68 || mtu > 65535)
            throw Error(EINVAL, "setting the MTU of " + name + " to " + std::to_string(mtu));
        std::lock_guard lock(s_.mu);
        dev(name, "setting the MTU of").mtu = mtu;
    }
    void set_mac(const std::string& name, const Mac& mac) override
    {
        if (mac[0] & 1)
            throw Error(EADDRNOTAVAIL, "setting a multicast MAC address on " + name);
        std::lock_guard lock(s_.mu);
        dev(name, "setting the MAC address of").mac = mac;
    }

private:
    // Caller holds s_.mu.
    NetdevInfo& dev(const std::string& name, const char* what)
    {
        auto it = s_.devices.find(name);
        if (it == s_.devices.end())
            throw Error(ENODEV, std::string(what) + " " + name);
        return it->second;
    }
    State& s_;
};

Netdevs& DummyDpif::netdevs() { return *netdevs_; }

void DummyDpif::set_channel_capacity(size_t n)
{
    std::lock_guard lock(s_->mu);
    s_->capacity = n;
}

void DummyDpif::set_clock(std::function<uint64_t()> now_ms)
{
    std::lock_guard lock(s_->mu);
    s_->now = std::move(now_ms);
}

}  // namespace dpif
