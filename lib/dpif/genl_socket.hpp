// dpif::GenlSocket: one generic-netlink socket (libnl-3), RAII.
//
// It resolves families and multicast groups through the genl controller,
// sends OvsMessages and runs request/reply transactions (acks, dumps, the
// kernel's error codes turned into dpif::Error with the errno text), and
// receives unsolicited messages (upcalls, notifications) without blocking.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dpif/ovs_messages.hpp"

struct nl_sock;

namespace dpif {

// A received generic-netlink message: its family id (nlmsg_type), genl
// command and payload after the genl header.
struct GenlMessage {
    uint16_t family_id = 0;
    uint8_t cmd = 0;
    uint32_t seq = 0;
    Bytes payload;
};

class GenlSocket {
public:
    GenlSocket();  // connected, blocking; throws dpif::Error
    ~GenlSocket();
    GenlSocket(const GenlSocket&) = delete;
    GenlSocket& operator=(const GenlSocket&) = delete;

    uint32_t port_id() const;
    int fd() const;
    void set_nonblocking();
    void set_rcvbuf(int bytes);
    // Makes receive() read into one reusable buffer of this size with a
    // single recv() instead of libnl's peek-then-allocate (for busy upcall
    // sockets).  Messages that do not fit are dropped (receive() reports
    // overflow).
    void set_fixed_buffer(size_t bytes);

    // Family id by name; throws Error(ENOENT) with a hint when absent.
    uint16_t resolve_family(const std::string& name);
    // Multicast group id; throws Error(ENOENT) when absent.
    int resolve_group(const std::string& family, const std::string& group);
    void join_group(int group);

    // Sends a request and collects the replies: for a dump every message up
    // to NLMSG_DONE; otherwise the reply (if any) and the ack.  Throws
    // Error(errno) when the kernel answers with an error.
    std::vector<GenlMessage> transact(uint16_t family_id, uint8_t version, const OvsMessage& m);
    // Same, delivering dump replies one by one.
    void transact(uint16_t family_id, uint8_t version, const OvsMessage& m,
                  const std::function<void(GenlMessage&&)>& on_reply);

    // Sends several requests in one datagram (the kernel processes each in
    // turn) and waits for all their acks; returns 0 or the errno per request.
    // Replies other than acks are discarded.  No dumps.
    struct BatchItem {
        uint16_t family_id;
        uint8_t version;
        const OvsMessage* msg;
    };
    std::vector<int> transact_batch(const std::vector<BatchItem>& items);

    // Non-blocking receive of whatever is queued (one datagram, possibly
    // several messages).  Returns false when nothing is waiting.  Sets
    // *overflow (and returns true with no messages) when the kernel dropped
    // messages for lack of buffer space (ENOBUFS).
    bool receive(std::vector<GenlMessage>& out, bool* overflow);

private:
    struct Deleter {
        void operator()(nl_sock* s) const;
    };
    std::unique_ptr<nl_sock, Deleter> sock_;
    Bytes fixed_;  // receive buffer set by set_fixed_buffer(), reused
};

// Splits one received datagram into netlink messages, checking lengths.
// Error messages (NLMSG_ERROR) come back with family_id = NLMSG_ERROR and the
// (negative) errno in cmd's place encoded in payload as an int; callers use
// parse_netlink_datagram through GenlSocket.  Exposed for the unit tests.
struct RawNetlinkMessage {
    uint16_t type = 0;
    uint16_t flags = 0;
    uint32_t seq = 0;
    ByteView body;  // after struct nlmsghdr
};
std::vector<RawNetlinkMessage> parse_netlink_datagram(ByteView buf);

}  // namespace dpif
