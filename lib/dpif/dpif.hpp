// dpif::Dpif: the datapath interface.
//
// One abstract class over "a datapath provider": the kernel's generic-netlink
// families (NetlinkDpif, for Linux's openvswitch.ko and our openvswitch_mod)
// or an in-process dummy (DummyDpif, for tests on machines without the
// module).  Datapaths are created and looked up by name; everything inside a
// datapath is addressed by the datapath's ifindex (the dp_ifindex of the
// kernel's struct ovs_header), which DatapathInfo carries.
//
// Flow keys, masks and actions are netlink attribute sequences (OVS_KEY_ATTR_*
// and OVS_ACTION_ATTR_*, see nl_attr.hpp); this layer moves them, it does not
// interpret them (the dummy datapath does, to match and execute).
//
// Every call either succeeds or throws dpif::Error carrying the errno.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dpif/error.hpp"
#include "dpif/netdev.hpp"
#include "dpif/nl_attr.hpp"

namespace dpif {

// OVS_DP_F_* user features; ovs-vswitchd asks for these two on creation.
constexpr uint32_t kFeatureUnaligned = 1u << 0;
constexpr uint32_t kFeatureVportPids = 1u << 1;
constexpr uint32_t kFeatureTcRecircSharing = 1u << 2;
constexpr uint32_t kFeaturePerCpuDispatch = 1u << 3;
constexpr uint32_t kDefaultFeatures = kFeatureUnaligned | kFeatureVportPids;

constexpr uint32_t kLocalPort = 0;  // OVSP_LOCAL

struct DatapathStats {
    uint64_t n_hit = 0, n_missed = 0, n_lost = 0, n_flows = 0;
};

struct MegaflowStats {
    uint64_t n_mask_hit = 0;
    uint32_t n_masks = 0;
    uint64_t n_cache_hit = 0;
};

struct DatapathInfo {
    std::string name;
    int ifindex = 0;
    DatapathStats stats;
    std::optional<MegaflowStats> megaflow_stats;
    uint32_t user_features = 0;
    std::optional<uint32_t> masks_cache_size;
    std::vector<uint32_t> per_cpu_pids;  // when the datapath reports them
};

enum class VportType : uint32_t {
    Unspec = 0,
    Netdev = 1,
    Internal = 2,
    Gre = 3,
    Vxlan = 4,
    Geneve = 5,
};

// "netdev"/"system", "internal", "gre", "vxlan", "geneve"; throws EINVAL.
VportType vport_type_from_string(const std::string& s);
std::string to_string(VportType t);

struct VportStats {
    uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
    uint64_t rx_errors = 0, tx_errors = 0, rx_dropped = 0, tx_dropped = 0;
};

struct VportInfo {
    int dp_ifindex = 0;
    uint32_t port_no = 0;
    VportType type = VportType::Unspec;
    std::string name;
    std::vector<uint32_t> upcall_pids;
    std::optional<VportStats> stats;
    int ifindex = 0;                 // of the vport's netdev, when reported
    std::optional<int32_t> netnsid;  // when the netdev is in another netns
    Bytes options;                   // OVS_VPORT_ATTR_OPTIONS payload, raw
};

struct VportRequest {
    std::string name;
    VportType type = VportType::Netdev;
    std::optional<uint32_t> port_no;   // none: the datapath picks one
    std::vector<uint32_t> upcall_pids{0};
    Bytes options;                     // raw OVS_VPORT_ATTR_OPTIONS payload
};

struct FlowStats {
    uint64_t n_packets = 0, n_bytes = 0;
};

struct Flow {
    Bytes key;      // OVS_KEY_ATTR_* sequence
    Bytes mask;     // OVS_KEY_ATTR_* sequence (empty: exact match on key)
    Bytes actions;  // OVS_ACTION_ATTR_* sequence (empty: drop)
    Bytes ufid;     // 16 bytes when the flow has one
    FlowStats stats;
    uint64_t used_ms = 0;  // monotonic msecs of last use, 0 = never
    uint8_t tcp_flags = 0;
};

// Flags of put_flow(), like Open vSwitch's DPIF_FP_*.
enum PutFlags : unsigned {
    kPutCreate = 1,     // create if absent
    kPutModify = 2,     // replace actions if present
    kPutZeroStats = 4,  // clear stats when modifying
};

struct FlowPut {
    Bytes key, mask, actions, ufid;
    unsigned flags = kPutCreate;
};

// Identifies a flow: by UFID when the flow was installed with one, else by
// its key (the kernel looks an un-UFID'd flow up by exact key).
struct FlowId {
    Bytes ufid;
    Bytes key;
    static FlowId by_ufid(Bytes u) { return FlowId{std::move(u), {}}; }
    static FlowId by_key(Bytes k) { return FlowId{{}, std::move(k)}; }
};

enum class UpcallType { Miss, Action };

struct Upcall {
    UpcallType type = UpcallType::Miss;
    int dp_ifindex = 0;
    Bytes packet;
    Bytes key;        // OVS_KEY_ATTR_* extracted by the datapath
    Bytes userdata;   // OVS_USERSPACE_ATTR_USERDATA of the userspace action
    Bytes actions;    // present when the userspace action asked for them
    std::optional<uint32_t> mru;
    std::optional<uint32_t> orig_len;  // before truncation
    std::optional<uint64_t> hash;
};

// A source of upcalls: in the kernel a netlink socket whose port id is set
// as a vport's (or a userspace action's) upcall pid.  fd() becomes readable
// when recv() has something; recv() never blocks.
class UpcallChannel {
public:
    virtual ~UpcallChannel() = default;
    virtual uint32_t port_id() const = 0;
    virtual int fd() const = 0;
    virtual std::optional<Upcall> recv() = 0;
    // Upcalls dropped because the channel overflowed (ENOBUFS), so far.
    virtual uint64_t lost() const = 0;
};

enum class VportEventType { New, Del, Set };

struct VportEvent {
    VportEventType type = VportEventType::New;
    VportInfo vport;
};

// Subscription to the ovs_vport multicast group: vports added, deleted or
// changed by anyone (including us).
class VportListener {
public:
    virtual ~VportListener() = default;
    virtual int fd() const = 0;
    virtual std::optional<VportEvent> recv() = 0;
    // True once notifications were lost (ENOBUFS): the caller must resync.
    virtual bool overflowed() = 0;
};

// One operation of a batch (Dpif::operate): a flow put, a flow delete or a
// packet execution.  error is filled in: 0 or the errno of that operation.
struct DpifOp {
    enum class Kind { Put, Del, Execute };
    Kind kind = Kind::Put;
    int dp_ifindex = 0;
    FlowPut put;                  // Put
    FlowId del;                   // Del
    Bytes packet, key, actions;   // Execute
    int error = 0;

    static DpifOp make_put(int dp, FlowPut p);
    static DpifOp make_del(int dp, FlowId id);
    static DpifOp make_execute(int dp, Bytes packet, Bytes key, Bytes actions);
};

class Dpif {
public:
    virtual ~Dpif() = default;
    virtual std::string type() const = 0;  // "netlink" or "dummy"

    // --- datapaths
    virtual std::vector<DatapathInfo> list_datapaths() = 0;
    // Fails with EEXIST when it exists.
    virtual DatapathInfo create_datapath(const std::string& name, uint32_t upcall_pid = 0,
                                         uint32_t features = kDefaultFeatures) = 0;
    virtual std::optional<DatapathInfo> get_datapath(const std::string& name) = 0;
    // OVS_DP_CMD_SET of the user features; returns what the datapath now has.
    virtual DatapathInfo set_user_features(const std::string& name, uint32_t features) = 0;
    // Switches the datapath to per-CPU upcall dispatch (OVS_DP_F_DISPATCH_
    // UPCALL_PER_CPU) with these pids, one per CPU (the kernel uses
    // pids[cpu % n]); vport upcall pids are then ignored for misses.
    // open_datapath() switches back to dispatch by vport pids.
    virtual DatapathInfo set_per_cpu_upcall_pids(const std::string& name,
                                                 const std::vector<uint32_t>& pids) = 0;
    virtual void delete_datapath(const std::string& name) = 0;

    // Open (and with create, make) a datapath the way ovs-vswitchd does:
    // create with kDefaultFeatures; if it exists, adopt it and negotiate the
    // same features with OVS_DP_CMD_SET, turning per-CPU upcall dispatch off
    // (this library dispatches by vport upcall pids).  Throws ENODEV if
    // absent and !create.
    DatapathInfo open_datapath(const std::string& name, bool create);

    // --- vports
    virtual VportInfo add_vport(int dp_ifindex, const VportRequest& req) = 0;
    virtual std::optional<VportInfo> get_vport(int dp_ifindex, const std::string& name) = 0;
    virtual std::optional<VportInfo> get_vport(int dp_ifindex, uint32_t port_no) = 0;
    virtual std::vector<VportInfo> list_vports(int dp_ifindex) = 0;
    virtual void delete_vport(int dp_ifindex, uint32_t port_no) = 0;
    virtual VportInfo set_vport_upcall_pids(int dp_ifindex, uint32_t port_no,
                                            const std::vector<uint32_t>& pids) = 0;

    // --- flows
    // Returns the stats of the flow it replaced (modify), or none (created).
    virtual std::optional<FlowStats> put_flow(int dp_ifindex, const FlowPut& put) = 0;
    virtual std::optional<Flow> get_flow(int dp_ifindex, const FlowId& id) = 0;
    // Returns the deleted flow's final stats; throws ENOENT if absent.
    virtual FlowStats del_flow(int dp_ifindex, const FlowId& id) = 0;
    // Calls fn for each flow; fn returns false to stop early.
    virtual void dump_flows(int dp_ifindex, const std::function<bool(const Flow&)>& fn) = 0;
    virtual void flush_flows(int dp_ifindex) = 0;
    std::vector<Flow> dump_flows(int dp_ifindex);

    // --- packets
    // key: the packet's metadata and flow key (OVS_KEY_ATTR_*, at least
    // IN_PORT); the datapath re-extracts the rest from the packet.
    virtual void execute(int dp_ifindex, ByteView packet, ByteView key, ByteView actions) = 0;
    // Runs many puts, deletes and executes, each independently (a failure
    // sets that op's error and the others still run).  The netlink
    // implementation sends the whole batch in one system call; the default
    // runs them one by one.
    virtual void operate(std::vector<DpifOp>& ops);

    virtual std::unique_ptr<UpcallChannel> open_upcall_channel() = 0;
    virtual std::unique_ptr<VportListener> open_vport_listener() = 0;

    // --- the devices under the vports (status, internal port setup)
    virtual Netdevs& netdevs() = 0;
};

}  // namespace dpif
