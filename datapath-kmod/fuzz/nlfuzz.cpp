// ovsm-nlfuzz: sends random and mutated generic-netlink requests to the four
// Open vSwitch datapath families (ovs_datapath, ovs_vport, ovs_flow,
// ovs_packet) of whatever module is loaded, while other threads push random
// frames through the datapath's ports and create and delete a datapath and
// its ports.  It checks nothing itself: the kernel must survive, which the
// caller checks (kernel log, leak counters, module unload).
//
//   ovsm-nlfuzz [--seconds N] [--seed N] [--port IFACE]... [--inject IFACE]... [--verbose]
//
// --port: a device the fuzzer may attach to its datapaths (veth ends);
// --inject: a device to send random frames out of (the peers of --port).
// Prints one summary line per family and a total at the end; --verbose adds
// the refusal reasons (extended acks) of the well-formed requests.
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

// ---- a netlink message under construction --------------------------------

class Msg {
public:
    Msg(uint16_t type, uint16_t flags, uint8_t cmd, uint8_t version)
    {
        buf_.resize(NLMSG_HDRLEN + GENL_HDRLEN);
        auto* nh = reinterpret_cast<nlmsghdr*>(buf_.data());
        nh->nlmsg_type = type;
        nh->nlmsg_flags = flags;
        auto* gh = reinterpret_cast<genlmsghdr*>(buf_.data() + NLMSG_HDRLEN);
        gh->cmd = cmd;
        gh->version = version;
    }
    void put_raw(const void* p, size_t n)
    {
        if (!n)
            return;
        auto* b = static_cast<const uint8_t*>(p);
        buf_.insert(buf_.end(), b, b + n);
    }
    void align() { buf_.resize(NLMSG_ALIGN(buf_.size())); }
    void attr(uint16_t type, const void* p, size_t n)
    {
        nlattr a{static_cast<uint16_t>(NLA_HDRLEN + n), type};
        put_raw(&a, sizeof a);
        put_raw(p, n);
        align();
    }
    void attr(uint16_t type, const Bytes& b) { attr(type, b.data(), b.size()); }
    template <typename T> void attr_v(uint16_t type, T v) { attr(type, &v, sizeof v); }
    void flag(uint16_t type) { attr(type, nullptr, 0); }
    size_t begin(uint16_t type)
    {
        size_t at = buf_.size();
        nlattr a{NLA_HDRLEN, type};
        put_raw(&a, sizeof a);
        return at;
    }
    void end(size_t at)
    {
        auto* a = reinterpret_cast<nlattr*>(buf_.data() + at);
        a->nla_len = static_cast<uint16_t>(buf_.size() - at);
        align();
    }
    Bytes& bytes() { return buf_; }
    void finish(uint32_t seq)
    {
        auto* nh = reinterpret_cast<nlmsghdr*>(buf_.data());
        nh->nlmsg_len = static_cast<uint32_t>(buf_.size());
        nh->nlmsg_seq = seq;
    }

private:
    Bytes buf_;
};

std::vector<const nlattr*> attrs_of(const void* p, size_t len)
{
    std::vector<const nlattr*> out;
    auto* a = static_cast<const nlattr*>(p);
    while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
        out.push_back(a);
        size_t step = NLA_ALIGN(a->nla_len);
        if (step >= len)
            break;
        len -= step;
        a = reinterpret_cast<const nlattr*>(reinterpret_cast<const uint8_t*>(a) + step);
    }
    return out;
}

// ---- sockets ---------------------------------------------------------------

class NlSock {
public:
    NlSock()
    {
        fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
        if (fd_ < 0)
            throw std::runtime_error(std::string("netlink socket: ") + strerror(errno));
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0)
            throw std::runtime_error(std::string("netlink bind: ") + strerror(errno));
        socklen_t len = sizeof sa;
        getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        portid_ = sa.nl_pid;
        int one = 1;
        setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    }
    ~NlSock() { close(fd_); }
    NlSock(const NlSock&) = delete;
    NlSock& operator=(const NlSock&) = delete;
    int fd() const { return fd_; }
    uint32_t portid() const { return portid_; }
    void rcvbuf(int bytes) { setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }
    int send(const Bytes& b)
    {
        sockaddr_nl sa{};
        sa.nl_family = AF_NETLINK;
        ssize_t n = sendto(fd_, b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
        return n < 0 ? -errno : 0;
    }
    // Receives until an ack/error/done for 'seq' arrives or 'wait_ms' passes
    // with nothing. Returns the errno of the ack (0 = success), or 1 if none.
    // Calls 'each' for every data message.
    template <typename F> int transact_reply(uint32_t seq, int wait_ms, F&& each)
    {
        std::array<uint8_t, 65536> buf;
        for (;;) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, wait_ms) <= 0)
                return 1;
            ssize_t n = recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);
            if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    continue;
                return 1;  // ENOBUFS and the like: give up on this one
            }
            for (auto* nh = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(nh, n);
                 nh = NLMSG_NEXT(nh, n)) {
                if (nh->nlmsg_seq != seq)
                    continue;
                if (nh->nlmsg_type == NLMSG_ERROR) {
                    auto* e = static_cast<nlmsgerr*>(NLMSG_DATA(nh));
                    last_msg_.clear();
                    if (e->error && (nh->nlmsg_flags & NLM_F_ACK_TLVS)) {
                        size_t off = sizeof(nlmsgerr);
                        if (!(nh->nlmsg_flags & NLM_F_CAPPED))
                            off += e->msg.nlmsg_len - NLMSG_HDRLEN;
                        size_t total = nh->nlmsg_len - NLMSG_HDRLEN;
                        if (off < total)
                            for (auto* a : attrs_of(reinterpret_cast<uint8_t*>(e) + off, total - off))
                                if (a->nla_type == NLMSGERR_ATTR_MSG)
                                    last_msg_ = reinterpret_cast<const char*>(a) + NLA_HDRLEN;
                    }
                    return -e->error;
                }
                if (nh->nlmsg_type == NLMSG_DONE)
                    return 0;
                each(nh);  // a reply comes before its ack: keep reading
            }
        }
    }
    int drain()
    {
        std::array<uint8_t, 65536> buf;
        int n = 0;
        while (recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT) > 0)
            n++;
        return n;
    }

    const std::string& last_msg() const { return last_msg_; }

private:
    int fd_ = -1;
    uint32_t portid_ = 0;
    std::string last_msg_;
};

struct Family {
    std::string name;
    uint16_t id = 0;
    uint8_t version = 1;
    std::vector<uint32_t> groups;
};

Family resolve(NlSock& s, const char* name)
{
    Msg m(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, CTRL_CMD_GETFAMILY, 1);
    m.attr(CTRL_ATTR_FAMILY_NAME, name, strlen(name) + 1);
    m.finish(1);
    Family f;
    f.name = name;
    s.send(m.bytes());
    int err = s.transact_reply(1, 2000, [&](const nlmsghdr* nh) {
        auto* p = static_cast<const uint8_t*>(NLMSG_DATA(nh)) + GENL_HDRLEN;
        size_t len = nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
        for (auto* a : attrs_of(p, len)) {
            if (a->nla_type == CTRL_ATTR_FAMILY_ID)
                memcpy(&f.id, reinterpret_cast<const uint8_t*>(a) + NLA_HDRLEN, 2);
            else if (a->nla_type == CTRL_ATTR_VERSION)
                memcpy(&f.version, reinterpret_cast<const uint8_t*>(a) + NLA_HDRLEN, 1);
            else if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS) {
                for (auto* g : attrs_of(reinterpret_cast<const uint8_t*>(a) + NLA_HDRLEN,
                                        a->nla_len - NLA_HDRLEN))
                    for (auto* ga : attrs_of(reinterpret_cast<const uint8_t*>(g) + NLA_HDRLEN,
                                             g->nla_len - NLA_HDRLEN))
                        if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID) {
                            uint32_t id;
                            memcpy(&id, reinterpret_cast<const uint8_t*>(ga) + NLA_HDRLEN, 4);
                            f.groups.push_back(id);
                        }
            }
        }
    });
    if (err || !f.id)
        throw std::runtime_error(std::string("generic netlink family ") + name + " not found");
    return f;
}

// ---- random content ------------------------------------------------------

class Gen {
public:
    explicit Gen(uint64_t seed) : rng_(seed) {}
    uint32_t u32() { return static_cast<uint32_t>(rng_()); }
    uint32_t below(uint32_t n) { return n ? u32() % n : 0; }
    bool chance(unsigned percent) { return below(100) < percent; }
    Bytes bytes(size_t n)
    {
        Bytes b(n);
        for (auto& x : b)
            x = static_cast<uint8_t>(u32());
        return b;
    }
    template <typename T> T pick(std::initializer_list<T> l) { return *(l.begin() + below(l.size())); }
    // In a well-formed ("clean") request, invalid choices are not made.
    bool clean = false;
    bool bad(unsigned percent) { return !clean && chance(percent); }
    std::mt19937_64& rng() { return rng_; }

private:
    std::mt19937_64 rng_;
};

// Values that make requests reach deep code: real ports, real pids.
struct World {
    std::vector<std::string> ports;  // attachable devices
    std::mutex mu;
    std::vector<int32_t> dp_ifindexes;
    uint32_t upcall_pid = 0;
    void add_dp(int32_t i)
    {
        std::lock_guard<std::mutex> l(mu);
        for (auto x : dp_ifindexes)
            if (x == i)
                return;
        if (dp_ifindexes.size() > 16)
            dp_ifindexes.erase(dp_ifindexes.begin());
        dp_ifindexes.push_back(i);
    }
    int32_t some_dp(Gen& g)
    {
        std::lock_guard<std::mutex> l(mu);
        if (dp_ifindexes.empty() || g.chance(5))
            return static_cast<int32_t>(g.below(64));
        return dp_ifindexes[g.below(dp_ifindexes.size())];
    }
};

const char* kDpNames[] = {"fz0", "fz1", "fz2"};
const char* kIntNames[] = {"fzi0", "fzi1", "fzi2", "fzi3"};

std::string name_for(Gen& g, World& w, bool dp)
{
    switch (g.below(10)) {
    case 0:
        return std::string(g.below(20), 'x');
    case 1: {
        auto b = g.bytes(g.below(18));
        return std::string(b.begin(), b.end());
    }
    case 2:
    case 3:
        if (!w.ports.empty())
            return w.ports[g.below(w.ports.size())];
        [[fallthrough]];
    case 4:
    case 5:
        return kIntNames[g.below(4)];
    default:
        return dp ? kDpNames[g.below(3)] : kIntNames[g.below(4)];
    }
}

void put_name(Msg& m, uint16_t type, Gen& g, const std::string& s)
{
    if (g.chance(90))
        m.attr(type, s.c_str(), s.size() + 1);  // NUL-terminated
    else
        m.attr(type, s.data(), s.size());       // not
}

// An Ethernet frame with plausible headers and random fields.
Bytes frame(Gen& g)
{
    Bytes f;
    auto put = [&](const Bytes& b) { f.insert(f.end(), b.begin(), b.end()); };
    auto be16 = [&](uint16_t v) { f.push_back(v >> 8); f.push_back(v & 0xff); };
    Bytes mac = g.bytes(12);
    if (g.chance(50))
        mac[0] &= 0xfe;  // unicast
    put(mac);
    int tags = g.pick({0, 0, 0, 1, 1, 2, 3});
    for (int i = 0; i < tags; i++) {
        be16(g.pick<uint16_t>({0x8100, 0x88a8}));
        be16(static_cast<uint16_t>(g.u32()));
    }
    uint16_t type = g.pick<uint16_t>({0x0800, 0x0800, 0x86dd, 0x86dd, 0x0806, 0x88b5, 0x0040,
                                      0x8847, static_cast<uint16_t>(g.u32())});
    be16(type);
    if (type == 0x0040)  // 802.3 length, maybe with LLC/SNAP
        put(g.chance(50) ? Bytes{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00} : g.bytes(3));
    uint8_t proto = g.pick<uint8_t>({6, 6, 17, 17, 1, 58, 132, 0, 44, 60,
                                     static_cast<uint8_t>(g.u32())});
    if (type == 0x0800) {
        Bytes ip = g.bytes(20);
        ip[0] = g.chance(90) ? 0x45 : static_cast<uint8_t>(g.u32());
        ip[9] = proto;
        if (g.chance(70))
            ip[6] = ip[7] = 0;  // not a fragment
        put(ip);
    } else if (type == 0x86dd) {
        Bytes ip = g.bytes(40);
        ip[0] = 0x60;
        ip[6] = proto;
        put(ip);
        if (proto == 44 || proto == 60) {  // a fragment or options header
            Bytes ext = g.bytes(8);
            ext[0] = g.pick<uint8_t>({6, 17, 58});
            ext[1] = 0;
            put(ext);
        }
    } else if (type == 0x0806) {
        Bytes arp = g.bytes(28);
        arp[0] = 0; arp[1] = 1; arp[2] = 8; arp[3] = 0; arp[4] = 6; arp[5] = 4;
        arp[6] = 0; arp[7] = static_cast<uint8_t>(g.pick({1, 2, 3}));
        put(arp);
    }
    if (proto == 58 && g.chance(50)) {  // neighbour discovery with options
        Bytes nd = g.bytes(24);
        nd[0] = g.pick<uint8_t>({135, 136});
        nd[1] = 0;
        put(nd);
        Bytes opt = g.bytes(8);
        opt[0] = g.pick<uint8_t>({1, 2});
        opt[1] = g.pick<uint8_t>({1, 1, 0, 2});
        put(opt);
    } else {
        put(g.bytes(g.pick<size_t>({0, 4, 8, 20, 40, 100})));
    }
    if (g.chance(10) && f.size() > 14)
        f.resize(14 + g.below(f.size() - 14));  // cut anywhere
    if (f.size() < 14)
        f.resize(14);
    return f;
}

// ---- keys, masks, actions ------------------------------------------------

const int kKeyLen[] = {
    -1, -1, 4, 4, 12, 2, 2, 12, 40, 4, 4, 2, 2, 24, 28, 4, -1, 4, 2, 4, 4, 4, 4, 2, 4, 16, 13, 37,
    -1, 4, 8, -1, 2,
};

void put_tunnel(Msg& m, Gen& g, bool key)
{
    size_t t = m.begin(OVS_KEY_ATTR_TUNNEL);
    int n = g.clean ? 0 : g.below(8);
    for (int i = 0; i < n; i++) {
        uint16_t type = static_cast<uint16_t>(g.below(OVS_TUNNEL_KEY_ATTR_MAX + 2));
        static const int len[] = {8, 4, 4, 1, 1, 0, 0, 0, -1, 2, 2, -1, 16, 16, 0, -1, 0};
        int l = type < sizeof len / sizeof len[0] ? len[type] : 4;
        if (l < 0 || g.chance(5))
            l = g.below(20);
        m.attr(type, g.bytes(l));
    }
    if (g.clean) {
        if (g.chance(50)) m.attr_v<uint64_t>(OVS_TUNNEL_KEY_ATTR_ID, g.rng()());
        if (g.chance(50)) m.attr_v<uint32_t>(OVS_TUNNEL_KEY_ATTR_IPV4_SRC, g.u32());
        if (g.chance(30)) m.flag(OVS_TUNNEL_KEY_ATTR_CSUM);
        if (g.chance(30)) m.attr_v<uint16_t>(OVS_TUNNEL_KEY_ATTR_TP_DST, htons(4789));
    }
    if (key && (g.clean || g.chance(70))) {
        uint32_t dst = g.u32() | 1;
        m.attr_v<uint32_t>(OVS_TUNNEL_KEY_ATTR_IPV4_DST, dst);
        m.attr_v<uint8_t>(OVS_TUNNEL_KEY_ATTR_TTL, 64);
    }
    m.end(t);
}

void put_l3_l4(Msg& m, Gen& g, uint16_t type, bool mask)
{
    auto fill = [&](size_t n) {
        if (!mask)
            return g.bytes(n);
        switch (g.below(3)) {
        case 0: return Bytes(n, 0xff);
        case 1: return Bytes(n, 0);
        default: return g.bytes(n);
        }
    };
    uint8_t proto = 0;
    if (type == 0x0800) {
        Bytes ip = fill(12);
        if (!mask) {
            ip[8] = proto = g.pick<uint8_t>({6, 17, 1, 132, 47});
            ip[11] = static_cast<uint8_t>(g.below(g.clean ? 3 : 4));
        }
        m.attr(OVS_KEY_ATTR_IPV4, ip);
    } else if (type == 0x86dd) {
        Bytes ip = fill(40);
        if (!mask) {
            ip[36] = proto = g.pick<uint8_t>({6, 17, 58, 132, 44});
            ip[39] = static_cast<uint8_t>(g.below(g.clean ? 3 : 4));
            ip[32] = 0; ip[33] &= 0x0f;
        }
        m.attr(OVS_KEY_ATTR_IPV6, ip);
    } else if (type == 0x0806) {
        Bytes arp = fill(24);
        if (!mask) arp[8] = 0;
        m.attr(OVS_KEY_ATTR_ARP, arp);
    }
    if (!proto && !mask)
        return;
    if (mask)
        proto = g.pick<uint8_t>({6, 17, 1, 58});
    switch (proto) {
    case 6:
        m.attr(OVS_KEY_ATTR_TCP, fill(4));
        if (g.chance(60))
            m.attr(OVS_KEY_ATTR_TCP_FLAGS, fill(2));
        break;
    case 17: m.attr(OVS_KEY_ATTR_UDP, fill(4)); break;
    case 132: m.attr(OVS_KEY_ATTR_SCTP, fill(4)); break;
    case 1: m.attr(OVS_KEY_ATTR_ICMP, fill(2)); break;
    case 58: {
        Bytes ic = fill(2);
        if (!mask && g.chance(50))
            ic[0] = g.pick<uint8_t>({135, 136}), ic[1] = 0;
        m.attr(OVS_KEY_ATTR_ICMPV6, ic);
        if (g.chance(50))
            m.attr(OVS_KEY_ATTR_ND, fill(28));
        break;
    }
    }
}

void put_key_body(Msg& m, Gen& g, World& w, bool mask, int depth = 0)
{
    auto u32 = [&](uint16_t t, uint32_t v) { m.attr_v<uint32_t>(t, mask && g.chance(50) ? 0xffffffff : v); };
    if (depth == 0) {
        if (g.chance(60)) u32(OVS_KEY_ATTR_RECIRC_ID, g.below(4));
        if (g.chance(30)) u32(OVS_KEY_ATTR_DP_HASH, g.below(3));
        if (g.chance(50)) u32(OVS_KEY_ATTR_PRIORITY, g.below(3));
        if (g.chance(50)) u32(OVS_KEY_ATTR_SKB_MARK, g.below(3));
        if (g.chance(80)) u32(OVS_KEY_ATTR_IN_PORT, g.bad(5) ? g.u32() : g.below(6));
        if (g.chance(g.clean ? 4 : 15)) put_tunnel(m, g, !mask);
        if (g.chance(95)) {
            Bytes eth = mask ? Bytes(12, g.chance(50) ? 0xff : 0) : g.bytes(12);
            m.attr(OVS_KEY_ATTR_ETHERNET, eth);
        }
    }
    if (g.chance(10))
        return;  // no ethertype: an 802.3 frame
    uint16_t type = g.pick<uint16_t>({0x0800, 0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8, 0x88b5,
                                      0x8847, static_cast<uint16_t>(g.u32())});
    uint16_t be = htons(mask ? 0xffff : type);
    if ((type == 0x8100 || type == 0x88a8) && depth < 3) {
        m.attr_v<uint16_t>(OVS_KEY_ATTR_ETHERTYPE, be);
        uint16_t tci = static_cast<uint16_t>(g.u32());
        if (!g.bad(15)) tci |= 0x1000;
        if (g.bad(5)) tci = 0;
        m.attr_v<uint16_t>(OVS_KEY_ATTR_VLAN, htons(mask && g.chance(50) ? 0xffff : tci));
        size_t e = m.begin(OVS_KEY_ATTR_ENCAP);
        if (tci)
            put_key_body(m, g, w, mask, depth + 1);
        m.end(e);
        return;
    }
    m.attr_v<uint16_t>(OVS_KEY_ATTR_ETHERTYPE, be);
    put_l3_l4(m, g, type, mask);
}

// A mask shaped like 'key' (a key nest's payload): each field exact, wild or
// random; ethertypes exact and tag-present bits set, as a valid mask has.
Bytes mask_like(const uint8_t* p, size_t len, Gen& g, bool tunnel = false)
{
    Bytes out;
    for (auto* a : attrs_of(p, len)) {
        const uint8_t* data = reinterpret_cast<const uint8_t*>(a) + NLA_HDRLEN;
        size_t n = a->nla_len - NLA_HDRLEN;
        Bytes body;
        if (!tunnel && (a->nla_type == OVS_KEY_ATTR_ENCAP || a->nla_type == OVS_KEY_ATTR_TUNNEL)) {
            body = mask_like(data, n, g, a->nla_type == OVS_KEY_ATTR_TUNNEL);
        } else {
            switch (g.below(4)) {
            case 0: body.assign(n, 0xff); break;
            case 1: body.assign(n, 0); break;
            case 2: body = g.bytes(n); break;
            default: body.assign(data, data + n); break;  // the key's own bits
            }
            if (!tunnel && a->nla_type == OVS_KEY_ATTR_ETHERTYPE)
                body.assign(n, 0xff);
            if (!tunnel && a->nla_type == OVS_KEY_ATTR_VLAN && n == 2)
                body[0] |= 0x10;
            if (!tunnel && a->nla_type == OVS_KEY_ATTR_IN_PORT)
                body.assign(n, 0xff);
        }
        nlattr h{static_cast<uint16_t>(NLA_HDRLEN + body.size()), a->nla_type};
        const uint8_t* hp = reinterpret_cast<const uint8_t*>(&h);
        out.insert(out.end(), hp, hp + sizeof h);
        out.insert(out.end(), body.begin(), body.end());
        out.resize(NLA_ALIGN(out.size()));
    }
    return out;
}

void put_key(Msg& m, uint16_t attr, Gen& g, World& w, bool mask, bool clean = false)
{
    size_t k = m.begin(attr);
    if (g.chance(95)) {
        put_key_body(m, g, w, mask);
    }
    int junk = !clean && g.chance(10) ? 1 + g.below(3) : 0;
    for (int i = 0; i < junk; i++) {  // any attribute, right length or not
        uint16_t t = static_cast<uint16_t>(g.below(36));
        int l = t < sizeof kKeyLen / sizeof kKeyLen[0] ? kKeyLen[t] : 4;
        m.attr(t, g.bytes(l < 0 || g.chance(20) ? g.below(48) : l));
    }
    m.end(k);
}

void put_actions_body(Msg& m, Gen& g, World& w, int depth);

void put_set(Msg& m, Gen& g, bool masked)
{
    size_t s = m.begin(masked ? OVS_ACTION_ATTR_SET_MASKED : OVS_ACTION_ATTR_SET);
    uint16_t type = g.pick<uint16_t>({OVS_KEY_ATTR_ETHERNET, OVS_KEY_ATTR_IPV4, OVS_KEY_ATTR_IPV6,
                                      OVS_KEY_ATTR_TCP, OVS_KEY_ATTR_UDP, OVS_KEY_ATTR_PRIORITY,
                                      OVS_KEY_ATTR_SKB_MARK, OVS_KEY_ATTR_SCTP, OVS_KEY_ATTR_TUNNEL,
                                      OVS_KEY_ATTR_ARP, static_cast<uint16_t>(g.below(40))});
    int l = type < sizeof kKeyLen / sizeof kKeyLen[0] ? kKeyLen[type] : 4;
    if (l < 0) l = 8;
    if (masked) l *= 2;
    if (g.chance(10)) l = g.below(90);
    Bytes v = g.bytes(l);
    if (type == OVS_KEY_ATTR_IPV4 && l >= 12 && g.chance(70)) {
        v[8] = g.pick<uint8_t>({6, 17, 1}); v[11] = 0;
        if (masked && l >= 24) v[20] = v[23] = 0;
    }
    if (type == OVS_KEY_ATTR_IPV6 && l >= 40 && g.chance(70)) {
        v[36] = g.pick<uint8_t>({6, 17, 58}); v[39] = 0; v[32] = 0; v[33] &= 0x0f;
        if (masked && l >= 80) { v[76] = v[79] = 0; v[72] = 0; v[73] &= 0x0f; }
    }
    m.attr(type, v);
    if (g.chance(5))
        m.attr(type, v);  // two in one set
    m.end(s);
}

void put_action(Msg& m, Gen& g, World& w, int depth, bool last)
{
    switch (g.below(g.clean ? 17 : 22)) {
    case 0:
    case 1:
    case 2:
        m.attr_v<uint32_t>(OVS_ACTION_ATTR_OUTPUT, g.bad(5) ? g.u32() : g.below(6));
        break;
    case 3: {
        size_t u = m.begin(OVS_ACTION_ATTR_USERSPACE);
        if (!g.bad(5)) m.attr_v<uint32_t>(OVS_USERSPACE_ATTR_PID, g.bad(10) ? g.u32() : w.upcall_pid);
        if (g.chance(60)) m.attr(OVS_USERSPACE_ATTR_USERDATA, g.bytes(g.below(40)));
        if (g.chance(30)) m.flag(OVS_USERSPACE_ATTR_ACTIONS);
        if (g.chance(10)) m.attr_v<uint32_t>(OVS_USERSPACE_ATTR_EGRESS_TUN_PORT, g.below(4));
        if (g.bad(5)) m.attr(static_cast<uint16_t>(g.below(10)), g.bytes(g.below(8)));
        m.end(u);
        break;
    }
    case 4: put_set(m, g, false); break;
    case 5:
    case 6: put_set(m, g, true); break;
    case 7: {
        struct ovs_action_push_vlan pv;
        pv.vlan_tpid = htons(g.bad(20) ? 0x1234 : g.pick<uint16_t>({0x8100, 0x88a8}));
        pv.vlan_tci = htons(static_cast<uint16_t>((g.u32() & ~0x1000u) | (g.bad(10) ? 0 : 0x1000)));
        m.attr_v(OVS_ACTION_ATTR_PUSH_VLAN, pv);
        break;
    }
    case 8: m.flag(OVS_ACTION_ATTR_POP_VLAN); break;
    case 9:
    case 10: {
        size_t s = m.begin(OVS_ACTION_ATTR_SAMPLE);
        if (!g.bad(5)) m.attr_v<uint32_t>(OVS_SAMPLE_ATTR_PROBABILITY, g.pick<uint32_t>({0, UINT32_MAX, UINT32_MAX, g.u32()}));
        if (!g.bad(5)) {
            size_t a = m.begin(OVS_SAMPLE_ATTR_ACTIONS);
            put_actions_body(m, g, w, depth + 1);
            m.end(a);
        }
        m.end(s);
        break;
    }
    case 11: {
        size_t c = m.begin(OVS_ACTION_ATTR_CLONE);
        put_actions_body(m, g, w, depth + 1);
        m.end(c);
        break;
    }
    case 12: {
        size_t c = m.begin(OVS_ACTION_ATTR_CHECK_PKT_LEN);
        m.attr_v<uint16_t>(OVS_CHECK_PKT_LEN_ATTR_PKT_LEN, static_cast<uint16_t>(g.below(200)));
        size_t a = m.begin(OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER);
        put_actions_body(m, g, w, depth + 1);
        m.end(a);
        if (!g.bad(10)) {
            a = m.begin(OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL);
            put_actions_body(m, g, w, depth + 1);
            m.end(a);
        }
        m.end(c);
        break;
    }
    case 13: m.attr_v<uint32_t>(OVS_ACTION_ATTR_RECIRC, g.below(4)); break;
    case 14: {
        struct ovs_action_hash h{g.bad(50) ? g.pick<uint32_t>({1, g.u32()}) : 0, g.u32()};
        m.attr_v(OVS_ACTION_ATTR_HASH, h);
        break;
    }
    case 15: m.attr_v<uint32_t>(OVS_ACTION_ATTR_TRUNC, g.bad(20) ? 10 : g.pick<uint32_t>({14, 20, 60, g.u32()})); break;
    case 16:
        if (last || !g.clean)
            m.attr_v<uint32_t>(OVS_ACTION_ATTR_DEC_TTL + 1, 0);  // Linux 6.4's drop
        else
            m.flag(OVS_ACTION_ATTR_CT_CLEAR);
        break;
    case 17: m.flag(OVS_ACTION_ATTR_CT_CLEAR); break;
    case 18: {
        size_t c = m.begin(OVS_ACTION_ATTR_CT);
        m.flag(OVS_CT_ATTR_COMMIT);
        m.end(c);
        break;
    }
    default:
        m.attr(static_cast<uint16_t>(g.below(30)), g.bytes(g.below(24)));
        break;
    }
}

void put_actions_body(Msg& m, Gen& g, World& w, int depth)
{
    if (depth > 12)
        return;
    int n = g.below(depth ? 3 : 6);
    for (int i = 0; i < n; i++)
        put_action(m, g, w, depth, i == n - 1);
}

void put_actions(Msg& m, uint16_t attr, Gen& g, World& w)
{
    size_t a = m.begin(attr);
    put_actions_body(m, g, w, 0);
    m.end(a);
}

// ---- requests ------------------------------------------------------------

Msg request(Gen& g, World& w, const std::vector<Family>& fams, int& which, bool clean)
{
    which = static_cast<int>(g.below(fams.size()));
    const Family& f = fams[which];
    uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
    if (g.chance(30)) flags |= NLM_F_ECHO;
    if (g.chance(15)) flags |= NLM_F_DUMP;
    if (g.chance(20)) flags |= NLM_F_CREATE;
    if (g.chance(5)) flags |= NLM_F_EXCL;
    uint8_t cmd = static_cast<uint8_t>(g.chance(97) ? 1 + g.below(4) : g.below(8));
    if (which == 3 && g.chance(90))
        cmd = OVS_PACKET_CMD_EXECUTE;
    if (which == 2 && g.chance(30))
        cmd = OVS_FLOW_CMD_NEW;
    Msg m(f.id, flags, cmd, g.chance(95) ? f.version : static_cast<uint8_t>(g.u32()));
    ovs_header h{w.some_dp(g)};
    if (g.chance(10)) h.dp_ifindex = 0;
    m.put_raw(&h, sizeof h);

    switch (which) {
    case 0:  // ovs_datapath
        if (g.chance(80)) put_name(m, OVS_DP_ATTR_NAME, g, name_for(g, w, true));
        if (g.chance(70)) m.attr_v<uint32_t>(OVS_DP_ATTR_UPCALL_PID, g.chance(80) ? w.upcall_pid : g.u32());
        if (g.chance(50)) m.attr_v<uint32_t>(OVS_DP_ATTR_USER_FEATURES, g.chance(70) ? g.below(16) : g.u32());
        if (g.chance(20)) {
            std::vector<uint32_t> pids(g.chance(20) ? 5000 : g.below(6), w.upcall_pid);
            Bytes raw(pids.size() * 4 + (g.chance(10) ? 1 : 0));
            if (!pids.empty())
                memcpy(raw.data(), pids.data(), pids.size() * 4);
            m.attr(OVS_DP_ATTR_PER_CPU_PIDS, raw);
        }
        if (g.chance(5)) m.attr_v<uint32_t>(OVS_DP_ATTR_MASKS_CACHE_SIZE, g.below(300));
        if (g.chance(5)) m.attr_v<uint32_t>(OVS_DP_ATTR_IFINDEX, g.below(100));
        break;
    case 1:  // ovs_vport
        if (g.chance(70)) put_name(m, OVS_VPORT_ATTR_NAME, g, name_for(g, w, false));
        if (g.chance(60)) m.attr_v<uint32_t>(OVS_VPORT_ATTR_TYPE, g.pick<uint32_t>({1, 2, 1, 2, 3, 4, 5, 0, 9}));
        if (g.chance(40)) m.attr_v<uint32_t>(OVS_VPORT_ATTR_PORT_NO, g.chance(90) ? g.below(8) : g.u32());
        if (g.chance(60)) {
            std::vector<uint32_t> pids(1 + g.below(4), w.upcall_pid);
            m.attr(OVS_VPORT_ATTR_UPCALL_PID, pids.data(), pids.size() * 4 - (g.chance(5) ? 1 : 0));

        }
        if (g.chance(10)) {
            size_t o = m.begin(OVS_VPORT_ATTR_OPTIONS);
            m.attr_v<uint16_t>(OVS_TUNNEL_ATTR_DST_PORT, 4789);
            m.end(o);
        }
        if (g.chance(5)) m.attr_v<uint32_t>(OVS_VPORT_ATTR_IFINDEX, g.below(100));
        if (g.chance(5)) m.attr(OVS_VPORT_ATTR_STATS, g.bytes(64));
        break;
    case 2:  // ovs_flow
        if (g.chance(90)) {
            size_t at = m.bytes().size();
            put_key(m, OVS_FLOW_ATTR_KEY, g, w, false, clean);
            if (g.chance(70)) {
                auto* key = reinterpret_cast<const nlattr*>(m.bytes().data() + at);
                Bytes mk = mask_like(reinterpret_cast<const uint8_t*>(key) + NLA_HDRLEN,
                                     key->nla_len - NLA_HDRLEN, g);
                m.attr(OVS_FLOW_ATTR_MASK, mk);
            } else if (!clean && g.chance(30)) {
                put_key(m, OVS_FLOW_ATTR_MASK, g, w, true);
            }
        }
        if (g.chance(85)) put_actions(m, OVS_FLOW_ATTR_ACTIONS, g, w);
        if (g.chance(50)) m.attr(OVS_FLOW_ATTR_UFID, g.bytes(g.chance(90) ? 16 : g.below(20)));
        if (g.chance(20)) m.attr_v<uint32_t>(OVS_FLOW_ATTR_UFID_FLAGS, g.below(8));
        if (g.chance(10)) m.flag(OVS_FLOW_ATTR_CLEAR);
        if (g.chance(10)) m.flag(OVS_FLOW_ATTR_PROBE);
        break;
    default:  // ovs_packet
        if (g.chance(95)) m.attr(OVS_PACKET_ATTR_PACKET, frame(g));
        if (g.chance(95)) put_key(m, OVS_PACKET_ATTR_KEY, g, w, false, clean);
        if (g.chance(95)) put_actions(m, OVS_PACKET_ATTR_ACTIONS, g, w);
        if (g.chance(10)) m.attr_v<uint16_t>(OVS_PACKET_ATTR_MRU, static_cast<uint16_t>(g.u32()));
        if (g.chance(10)) m.attr_v<uint64_t>(OVS_PACKET_ATTR_HASH, g.rng()());
        if (g.chance(10)) m.flag(OVS_PACKET_ATTR_PROBE);
        break;
    }
    return m;
}

// Random damage: bytes, lengths, truncation, extra and repeated attributes.
void mutate(Bytes& b, Gen& g)
{
    const size_t fixed = NLMSG_HDRLEN + GENL_HDRLEN;
    int n = 1 + g.below(4);
    for (int i = 0; i < n && b.size() > fixed; i++) {
        size_t body = b.size() - fixed;
        switch (g.below(6)) {
        case 0:  // flip a bit
            b[fixed + g.below(body)] ^= static_cast<uint8_t>(1u << g.below(8));
            break;
        case 1:  // a random byte
            b[fixed + g.below(body)] = static_cast<uint8_t>(g.u32());
            break;
        case 2:  // cut
            b.resize(fixed + g.below(body + 1));
            break;
        case 3: {  // an attribute length field
            size_t at = fixed + 4 + (g.below(body) & ~size_t(3));
            if (at + 2 <= b.size()) {
                uint16_t v = static_cast<uint16_t>(g.pick<uint32_t>({0, 1, 3, 4, 5, 0xffff, g.u32()}));
                memcpy(&b[at], &v, 2);
            }
            break;
        }
        case 4: {  // append junk attributes
            Bytes extra = g.bytes(4 + g.below(40));
            uint16_t len = static_cast<uint16_t>(extra.size());
            memcpy(&extra[0], &len, 2);
            b.insert(b.end(), extra.begin(), extra.end());
            b.resize(NLMSG_ALIGN(b.size()));
            break;
        }
        default: {  // repeat the tail
            size_t from = fixed + 4 + (g.below(body) & ~size_t(3));
            if (from < b.size()) {
                Bytes tail(b.begin() + from, b.end());
                b.insert(b.end(), tail.begin(), tail.end());
            }
            break;
        }
        }
    }
}

// ---- the other threads ---------------------------------------------------

std::atomic<bool> stop{false};
std::atomic<uint64_t> frames_sent{0}, churn_ops{0};

void traffic(std::vector<std::string> ifaces, uint64_t seed)
{
    Gen g(seed);
    std::vector<std::pair<int, int>> socks;  // fd, ifindex
    for (auto& n : ifaces) {
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        int idx = static_cast<int>(if_nametoindex(n.c_str()));
        if (fd >= 0 && idx)
            socks.emplace_back(fd, idx);
    }
    if (socks.empty())
        return;
    while (!stop) {
        auto& [fd, idx] = socks[g.below(socks.size())];
        Bytes f = frame(g);
        sockaddr_ll sa{};
        sa.sll_family = AF_PACKET;
        sa.sll_ifindex = idx;
        sa.sll_halen = 6;
        memcpy(sa.sll_addr, f.data(), 6);
        if (sendto(fd, f.data(), f.size(), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&sa), sizeof sa) >= 0)
            frames_sent++;
        if (g.chance(2))
            usleep(1000);
    }
    for (auto& [fd, idx] : socks)
        close(fd);
}

// Creates and deletes a datapath with ports while traffic flows.
void churn(Family dp, Family vport, std::vector<std::string> ports, uint64_t seed, World& w)
{
    Gen g(seed);
    NlSock s;
    uint32_t seq = 1;
    auto simple = [&](const Family& f, uint8_t cmd, int32_t ifindex, auto&& fill) {
        Msg m(f.id, NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO, cmd, f.version);
        ovs_header h{ifindex};
        m.put_raw(&h, sizeof h);
        fill(m);
        m.finish(++seq);
        s.send(m.bytes());
        int32_t got = 0;
        int err = s.transact_reply(seq, 2000, [&](const nlmsghdr* nh) {
            memcpy(&got, static_cast<const uint8_t*>(NLMSG_DATA(nh)) + GENL_HDRLEN, 4);
        });
        churn_ops++;
        return std::make_pair(err, got);
    };
    while (!stop) {
        auto [err, ifindex] = simple(dp, OVS_DP_CMD_NEW, 0, [&](Msg& m) {
            m.attr(OVS_DP_ATTR_NAME, "fzc", 4);
            m.attr_v<uint32_t>(OVS_DP_ATTR_UPCALL_PID, w.upcall_pid);
            m.attr_v<uint32_t>(OVS_DP_ATTR_USER_FEATURES, OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS);
        });
        if (err == 0 && ifindex)
            w.add_dp(ifindex);
        for (int i = 0; i < 4 && !stop; i++) {
            std::string name = g.chance(50) && !ports.empty() ? ports[g.below(ports.size())]
                                                              : std::string("fzc") + char('a' + i);
            simple(vport, OVS_VPORT_CMD_NEW, ifindex, [&](Msg& m) {
                m.attr(OVS_VPORT_ATTR_NAME, name.c_str(), name.size() + 1);
                m.attr_v<uint32_t>(OVS_VPORT_ATTR_TYPE, name.rfind("fzc", 0) == 0 ? 2 : 1);
                m.attr_v<uint32_t>(OVS_VPORT_ATTR_UPCALL_PID, w.upcall_pid);
            });
        }
        usleep(g.below(20000));
        simple(dp, OVS_DP_CMD_DEL, 0, [&](Msg& m) { m.attr(OVS_DP_ATTR_NAME, "fzc", 4); });
    }
}

// ---- main ----------------------------------------------------------------

struct Tally {
    uint64_t sent = 0, replies = 0, ok = 0, noack = 0;
    std::map<int, uint64_t> errors;
    std::map<std::string, uint64_t> reasons;  // extended-ack messages
};

void delete_all_datapaths(NlSock& s, const Family& dp)
{
    std::vector<std::string> names;
    Msg m(dp.id, NLM_F_REQUEST | NLM_F_DUMP, OVS_DP_CMD_GET, dp.version);
    ovs_header h{0};
    m.put_raw(&h, sizeof h);
    m.finish(900000);
    s.send(m.bytes());
    s.transact_reply(900000, 2000, [&](const nlmsghdr* nh) {
        auto* p = static_cast<const uint8_t*>(NLMSG_DATA(nh)) + GENL_HDRLEN + sizeof(ovs_header);
        size_t len = nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN - sizeof(ovs_header);
        for (auto* a : attrs_of(p, len))
            if (a->nla_type == OVS_DP_ATTR_NAME)
                names.emplace_back(reinterpret_cast<const char*>(a) + NLA_HDRLEN);
    });
    uint32_t seq = 900001;
    for (auto& n : names) {
        Msg d(dp.id, NLM_F_REQUEST | NLM_F_ACK, OVS_DP_CMD_DEL, dp.version);
        d.put_raw(&h, sizeof h);
        d.attr(OVS_DP_ATTR_NAME, n.c_str(), n.size() + 1);
        d.finish(seq);
        s.send(d.bytes());
        s.transact_reply(seq++, 2000, [](const nlmsghdr*) {});
    }
    printf("deleted %zu datapaths\n", names.size());
}

int usage()
{
    fprintf(stderr, "usage: ovsm-nlfuzz [--seconds N] [--seed N] [--port IFACE]... [--inject IFACE]... "
                    "[--verbose]\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv)
{
    double seconds = 30;
    uint64_t seed = static_cast<uint64_t>(time(nullptr));
    World w;
    std::vector<std::string> inject;
    bool verbose = false;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--verbose") {
            verbose = true;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (a == "--seconds")
            seconds = atof(argv[++i]);
        else if (a == "--seed")
            seed = strtoull(argv[++i], nullptr, 0);
        else if (a == "--port")
            w.ports.push_back(argv[++i]);
        else if (a == "--inject")
            inject.push_back(argv[++i]);
        else
            return usage();
    }
    try {
        NlSock ctl, upcalls;
        upcalls.rcvbuf(64 * 1024);  // small, so that it overflows too
        w.upcall_pid = upcalls.portid();
        std::vector<Family> fams = {resolve(ctl, OVS_DATAPATH_FAMILY), resolve(ctl, OVS_VPORT_FAMILY),
                                    resolve(ctl, OVS_FLOW_FAMILY), resolve(ctl, OVS_PACKET_FAMILY)};
        NlSock listener;
        for (auto& f : fams)
            for (uint32_t grp : f.groups)
                setsockopt(listener.fd(), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof grp);
        printf("seed %llu, %.0f s, upcall pid %u\n", static_cast<unsigned long long>(seed), seconds,
               w.upcall_pid);
        fflush(stdout);

        std::thread t1(traffic, inject, seed + 1);
        std::thread t2(churn, fams[0], fams[1], w.ports, seed + 2, std::ref(w));
        Gen g(seed);
        NlSock s;
        std::array<Tally, 4> tally;
        uint64_t upcalls_seen = 0, notifications = 0;
        uint32_t seq = 0;
        auto start = std::chrono::steady_clock::now();
        while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
            int which;
            bool clean = g.chance(50);  // well formed, to reach deep code
            g.clean = clean;
            Msg m = request(g, w, fams, which, clean);
            m.finish(++seq);
            Bytes& b = m.bytes();
            if (!clean)
                mutate(b, g);
            auto* nh = reinterpret_cast<nlmsghdr*>(b.data());
            nh->nlmsg_len = static_cast<uint32_t>(b.size());
            if (!clean && g.chance(4))
                nh->nlmsg_len = static_cast<uint32_t>(g.below(b.size() + 8));
            Tally& t = tally[which];
            t.sent++;
            if (s.send(b) < 0) {
                t.errors[-1]++;
                continue;
            }
            int err = s.transact_reply(seq, 100, [&](const nlmsghdr* r) {
                t.replies++;
                if (which == 0 && r->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN + 4) {
                    int32_t idx;
                    memcpy(&idx, static_cast<const uint8_t*>(NLMSG_DATA(r)) + GENL_HDRLEN, 4);
                    if (idx > 0)
                        w.add_dp(idx);
                }
            });
            if (err == 0)
                t.ok++;
            else if (err == 1)
                t.noack++;
            else {
                t.errors[err]++;
                if (clean && !s.last_msg().empty())
                    t.reasons[s.last_msg()]++;
            }
            if ((seq & 63) == 0) {
                upcalls_seen += upcalls.drain();
                notifications += listener.drain();
            }
        }
        stop = true;
        t1.join();
        t2.join();
        upcalls_seen += upcalls.drain();
        uint64_t total = 0;
        for (size_t i = 0; i < fams.size(); i++) {
            const Tally& t = tally[i];
            total += t.sent;
            printf("%-13s sent %llu ok %llu replies %llu no-ack %llu errors:", fams[i].name.c_str(),
                   static_cast<unsigned long long>(t.sent), static_cast<unsigned long long>(t.ok),
                   static_cast<unsigned long long>(t.replies), static_cast<unsigned long long>(t.noack));
            for (auto& [e, n] : t.errors)
                printf(" %s=%llu", e > 0 ? strerror(e) : "send", static_cast<unsigned long long>(n));
            printf("\n");
            if (verbose)
                for (auto& [r, n] : t.reasons)
                    printf("    %6llu  %s\n", static_cast<unsigned long long>(n), r.c_str());
        }
        printf("total %llu requests, %llu frames injected, %llu churn operations, %llu upcalls, "
               "%llu notifications\n",
               static_cast<unsigned long long>(total), static_cast<unsigned long long>(frames_sent.load()),
               static_cast<unsigned long long>(churn_ops.load()),
               static_cast<unsigned long long>(upcalls_seen), static_cast<unsigned long long>(notifications));
        delete_all_datapaths(ctl, fams[0]);
    } catch (const std::exception& e) {
        fprintf(stderr, "ovsm-nlfuzz: %s\n", e.what());
        return 1;
    }
    return 0;
}
