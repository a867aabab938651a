#include "dpif/genl_socket.hpp"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/openvswitch.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include <sys/socket.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace dpif {

namespace {

// libnl reports its own NLE_* codes; give back an errno-ish value and text.
Error nl_error(int nle, const std::string& context)
{
    int e = nle < 0 ? -nle : nle;
    int code;
    switch (e) {
    case NLE_AGAIN: code = EAGAIN; break;
    case NLE_NOMEM: code = ENOBUFS; break;
    case NLE_PERM: code = EPERM; break;
    case NLE_NOACCESS: code = EACCES; break;
    case NLE_OBJ_NOTFOUND: code = ENOENT; break;
    case NLE_MSGSIZE: code = EMSGSIZE; break;
    default: code = EIO; break;
    }
    return Error(code, context + " (" + nl_geterror(e) + ")");
}

struct MsgFree {
    void operator()(nl_msg* m) const { nlmsg_free(m); }
};

struct BufFree {
    void operator()(unsigned char* p) const { std::free(p); }
};

}  // namespace

void GenlSocket::Deleter::operator()(nl_sock* s) const { nl_socket_free(s); }

GenlSocket::GenlSocket() : sock_(nl_socket_alloc())
{
    if (!sock_)
        throw Error(ENOMEM, "allocating a netlink socket");
    nl_socket_disable_auto_ack(sock_.get());
    nl_socket_enable_msg_peek(sock_.get());
    if (int r = genl_connect(sock_.get()); r < 0)
        throw nl_error(r, "connecting a generic netlink socket");
}

GenlSocket::~GenlSocket() = default;

uint32_t GenlSocket::port_id() const { return nl_socket_get_local_port(sock_.get()); }
int GenlSocket::fd() const { return nl_socket_get_fd(sock_.get()); }

void GenlSocket::set_nonblocking()
{
    if (int r = nl_socket_set_nonblocking(sock_.get()); r < 0)
        throw nl_error(r, "making a netlink socket non-blocking");
}

void GenlSocket::set_rcvbuf(int bytes)
{
    if (int r = nl_socket_set_buffer_size(sock_.get(), bytes, 0); r < 0)
        throw nl_error(r, "setting a netlink receive buffer");
    // SO_RCVBUF is capped by net.core.rmem_max; root may go beyond it, as
    // ovs-vswitchd does.  Without the privilege the capped size stays.
    if (::setsockopt(fd(), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0) {
        // EPERM: keep what SO_RCVBUF gave
    }
}

void GenlSocket::set_fixed_buffer(size_t bytes)
{
    fixed_.assign(bytes, 0);
}

uint16_t GenlSocket::resolve_family(const std::string& name)
{
    int id = genl_ctrl_resolve(sock_.get(), name.c_str());
    if (id < 0)
        throw Error(ENOENT, "generic netlink family '" + name +
                                "' not found: the Open vSwitch kernel module (openvswitch or "
                                "openvswitch_mod) is probably not loaded");
    return static_cast<uint16_t>(id);
}

int GenlSocket::resolve_group(const std::string& family, const std::string& group)
{
    int id = genl_ctrl_resolve_grp(sock_.get(), family.c_str(), group.c_str());
    if (id < 0)
        throw Error(ENOENT, "multicast group '" + group + "' of generic netlink family '" +
                                family + "' not found");
    return id;
}

void GenlSocket::join_group(int group)
{
    if (int r = nl_socket_add_membership(sock_.get(), group); r < 0)
        throw nl_error(r, "joining netlink multicast group " + std::to_string(group));
}

std::vector<RawNetlinkMessage> parse_netlink_datagram(ByteView buf)
{
    std::vector<RawNetlinkMessage> out;
    size_t off = 0;
    while (off + sizeof(nlmsghdr) <= buf.size()) {
        nlmsghdr h;
        std::memcpy(&h, &buf[off], sizeof h);
        if (h.nlmsg_len < sizeof h || off + h.nlmsg_len > buf.size())
            throw Error(EPROTO, "malformed netlink message (length " +
                                    std::to_string(h.nlmsg_len) + ")");
        RawNetlinkMessage m;
        m.type = h.nlmsg_type;
        m.flags = h.nlmsg_flags;
        m.seq = h.nlmsg_seq;
        m.body = buf.subspan(off + sizeof h, h.nlmsg_len - sizeof h);
        out.push_back(m);
        off += NLMSG_ALIGN(h.nlmsg_len);
    }
    return out;
}

namespace {

GenlMessage to_genl(const RawNetlinkMessage& r)
{
    if (r.body.size() < GENL_HDRLEN)
        throw Error(EPROTO, "generic netlink message shorter than its header");
    genlmsghdr g;
    std::memcpy(&g, r.body.data(), sizeof g);
    GenlMessage m;
    m.family_id = r.type;
    m.cmd = g.cmd;
    m.seq = r.seq;
    m.payload.assign(r.body.begin() + GENL_HDRLEN, r.body.end());
    return m;
}

bool wants_echo(const OvsMessage& m)
{
    return !(m.family == Family::Packet ||
             (m.family == Family::Flow && m.cmd != OVS_FLOW_CMD_DEL && m.cmd != OVS_FLOW_CMD_GET));
}

int error_code(const RawNetlinkMessage& r)
{
    int err;
    if (r.body.size() < sizeof err)
        throw Error(EPROTO, "truncated netlink error message");
    std::memcpy(&err, r.body.data(), sizeof err);
    return err;
}

}  // namespace

std::vector<GenlMessage> GenlSocket::transact(uint16_t family_id, uint8_t version,
                                              const OvsMessage& m)
{
    std::vector<GenlMessage> out;
    transact(family_id, version, m, [&](GenlMessage&& g) { out.push_back(std::move(g)); });
    return out;
}

void GenlSocket::transact(uint16_t family_id, uint8_t version, const OvsMessage& m,
                          const std::function<void(GenlMessage&&)>& on_reply)
{
    const bool dump = (m.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    const std::string what = std::string(family_name(m.family)) + " command " +
                             std::to_string(m.cmd);
    std::unique_ptr<nl_msg, MsgFree> msg(nlmsg_alloc());
    if (!msg)
        throw Error(ENOMEM, what);
    // NLM_F_ECHO: the kernel answers NEW/DEL/SET with a notification that it
    // only sends back to the requester when asked to echo.  Flow installs and
    // packet executions need no reply (a flow DEL does: its final stats).
    const int flags = m.nlmsg_flags | (dump ? 0 : NLM_F_ACK | (wants_echo(m) ? NLM_F_ECHO : 0));
    if (!genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_id, 0, flags, m.cmd, version))
        throw Error(EMSGSIZE, what);
    Bytes payload = m.payload();
    if (int r = nlmsg_append(msg.get(), payload.data(), payload.size(), NLMSG_ALIGNTO); r < 0)
        throw nl_error(r, what);
    if (int r = nl_send_auto(sock_.get(), msg.get()); r < 0)
        throw nl_error(r, "sending " + what);
    const uint32_t seq = nlmsg_hdr(msg.get())->nlmsg_seq;

    for (;;) {
        sockaddr_nl peer{};
        unsigned char* raw = nullptr;
        int n = nl_recv(sock_.get(), &peer, &raw, nullptr);
        std::unique_ptr<unsigned char, BufFree> holder(raw);
        if (n < 0)
            throw nl_error(n, "receiving reply to " + what);
        if (n == 0)
            throw Error(EPROTO, "netlink socket closed during " + what);
        for (const auto& r : parse_netlink_datagram(ByteView(raw, static_cast<size_t>(n)))) {
            if (r.seq != seq)
                continue;  // stale reply to an earlier, abandoned request
            if (r.type == NLMSG_ERROR) {
                int err = error_code(r);
                if (err == 0)
                    return;  // the ack
                throw Error(-err, what);
            }
            if (r.type == NLMSG_DONE) {
                // A dump may end with an error code in the DONE message.
                if (r.body.size() >= sizeof(int)) {
                    int err = error_code(r);
                    if (err < 0)
                        throw Error(-err, what);
                }
                return;
            }
            if (r.type == NLMSG_NOOP || r.type == NLMSG_OVERRUN)
                continue;
            on_reply(to_genl(r));
        }
    }
}

std::vector<int> GenlSocket::transact_batch(const std::vector<BatchItem>& items)
{
    std::vector<int> result(items.size(), 0);
    if (items.empty())
        return result;
    Bytes buf;
    std::vector<uint32_t> seqs;
    const uint32_t port = port_id();
    for (const auto& it : items) {
        if ((it.msg->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP)
            throw Error(EINVAL, "dump requests cannot be batched");
        const Bytes payload = it.msg->payload();
        nlmsghdr h{};
        h.nlmsg_len = static_cast<uint32_t>(NLMSG_HDRLEN + GENL_HDRLEN + payload.size());
        h.nlmsg_type = it.family_id;
        h.nlmsg_flags = static_cast<uint16_t>(NLM_F_REQUEST | NLM_F_ACK | it.msg->nlmsg_flags);
        h.nlmsg_seq = nl_socket_use_seq(sock_.get());
        h.nlmsg_pid = port;
        genlmsghdr g{};
        g.cmd = it.msg->cmd;
        g.version = it.version;
        const size_t at = buf.size();
        buf.resize(at + NLMSG_ALIGN(h.nlmsg_len), 0);
        std::memcpy(&buf[at], &h, sizeof h);
        std::memcpy(&buf[at + NLMSG_HDRLEN], &g, sizeof g);
        if (!payload.empty())
            std::memcpy(&buf[at + NLMSG_HDRLEN + GENL_HDRLEN], payload.data(), payload.size());
        seqs.push_back(h.nlmsg_seq);
    }
    if (int r = nl_sendto(sock_.get(), buf.data(), buf.size()); r < 0)
        throw nl_error(r, "sending a batch of " + std::to_string(items.size()) + " requests");

    std::vector<bool> done(items.size(), false);
    size_t pending = items.size();
    while (pending) {
        sockaddr_nl peer{};
        unsigned char* raw = nullptr;
        int n = nl_recv(sock_.get(), &peer, &raw, nullptr);
        std::unique_ptr<unsigned char, BufFree> holder(raw);
        if (n < 0)
            throw nl_error(n, "receiving acks of a batch");
        if (n == 0)
            throw Error(EPROTO, "netlink socket closed during a batch");
        for (const auto& r : parse_netlink_datagram(ByteView(raw, static_cast<size_t>(n)))) {
            if (r.type != NLMSG_ERROR)
                continue;  // echoed replies
            for (size_t i = 0; i < seqs.size(); ++i) {
                if (!done[i] && seqs[i] == r.seq) {
                    result[i] = -error_code(r);
                    done[i] = true;
                    --pending;
                    break;
                }
            }
        }
    }
    return result;
}

bool GenlSocket::receive(std::vector<GenlMessage>& out, bool* overflow)
{
    std::unique_ptr<unsigned char, BufFree> holder;
    const unsigned char* raw = nullptr;
    ssize_t n;
    if (!fixed_.empty()) {
        // One recv() into the reusable buffer; MSG_TRUNC reports the real size.
        do {
            n = ::recv(fd(), fixed_.data(), fixed_.size(), MSG_DONTWAIT | MSG_TRUNC);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return false;
            if (errno == ENOBUFS) {
                if (overflow)
                    *overflow = true;
                return true;
            }
            throw Error(errno, "receiving from netlink");
        }
        if (static_cast<size_t>(n) > fixed_.size()) {
            if (overflow)
                *overflow = true;  // too big for the buffer: dropped
            return true;
        }
        raw = fixed_.data();
    } else {
        sockaddr_nl peer{};
        unsigned char* buf = nullptr;
        int r = nl_recv(sock_.get(), &peer, &buf, nullptr);
        holder.reset(buf);
        if (r == -NLE_AGAIN || r == 0)
            return false;
        if (r == -NLE_NOMEM || r == -NLE_MSG_TRUNC) {
            if (overflow)
                *overflow = true;
            return true;
        }
        if (r < 0)
            throw nl_error(r, "receiving from netlink");
        n = r;
        raw = buf;
    }
    if (n == 0)
        return false;
    for (const auto& r : parse_netlink_datagram(ByteView(raw, static_cast<size_t>(n)))) {
        if (r.type == NLMSG_ERROR || r.type == NLMSG_DONE || r.type == NLMSG_NOOP)
            continue;
        try {
            out.push_back(to_genl(r));
        } catch (const Error&) {
            // A malformed message is dropped, not fatal for the channel.
        }
    }
    return true;
}

}  // namespace dpif
