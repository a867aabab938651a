// OfConn: one OpenFlow connection (a management socket client such as
// ovs-ofctl): framing, hello and version negotiation (1.0 and 1.3), echo,
// and errors for what cannot be read; every other message goes to the
// handler, whose OfError becomes an OFPT_ERROR reply.  Nothing a peer sends
// ends the daemon: a header with an impossible length gets OFPBRC_BAD_LEN
// and the connection is closed (its framing is lost), a first message that
// is not a hello or a hello with no common version gets OFPHFC_INCOMPATIBLE
// and a close, everything else gets an error and the connection goes on.
//
// It also holds the per-connection protocol state Open vSwitch keeps: the
// flow format (OpenFlow 1.0 or NXM, NXT_SET_FLOW_FORMAT), whether flow_mods
// name a table (NXT_FLOW_MOD_TABLE_ID), and the switch configuration
// (OFPT_SET_CONFIG's flags and miss_send_len), and what steers its
// asynchronous messages: the packet-in format (NXT_SET_PACKET_IN_FORMAT),
// the async configuration (OFPT_SET_ASYNC, NXT_SET_ASYNC_CONFIG) and the
// role.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/stream.hpp"
#include "openflow/async.hpp"
#include "openflow/framer.hpp"
#include "openflow/wire.hpp"

namespace vswitchd {

namespace asio = boost::asio;

class OfConn : public std::enable_shared_from_this<OfConn> {
public:
    using Handler = std::function<void(OfConn&, const ofp::Header&, ofp::ByteView)>;
    using CloseHandler = std::function<void(OfConn&)>;

    OfConn(std::unique_ptr<common::Stream> stream, Handler handler, CloseHandler on_close);
    ~OfConn();

    // Sends our hello and starts reading.
    void start();
    void send(ofp::Bytes msg);
    // Closes once what is queued has been written.
    void close_after_flush();
    void close();

    uint8_t version() const { return version_; }   // 0 until negotiated
    const std::string& name() const { return stream_->name(); }
    uint64_t n_received() const { return n_rx_; }

    // Protocol state.
    bool nxm_flow_format = false;
    bool flow_mod_table_id = false;
    uint16_t config_flags = 0;
    uint16_t miss_send_len = 0;
    ofp::PacketInFormat packet_in_format = ofp::PacketInFormat::Standard;
    std::optional<ofp::AsyncConfig> async;   // unset: the version's default
    enum class Role : uint8_t { Equal, Master, Slave };
    Role role = Role::Equal;
    // A controller connection (from the Controller table) rather than a
    // service one (management socket): service connections get
    // asynchronous messages only once they set a nonzero miss_send_len.
    bool controller = false;
    uint16_t controller_id = 0;

    ofp::AsyncConfig async_config() const { return async ? *async : ofp::default_async_config(version_); }
    // Whether this connection takes an asynchronous message of `kind`
    // (packet-in, port-status, flow-removed) with wire reason `reason`.
    enum class AsyncKind : uint8_t { PacketIn, PortStatus, FlowRemoved };
    bool wants(AsyncKind kind, uint8_t reason) const;

    // Called once the version is negotiated.
    std::function<void(OfConn&)> on_ready;

private:
    void read();
    void process(ofp::Bytes msg);
    void write_next();

    std::unique_ptr<common::Stream> stream_;
    Handler handler_;
    CloseHandler on_close_;
    ofp::Framer framer_;
    std::vector<uint8_t> rbuf_;
    std::deque<ofp::Bytes> wq_;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
    uint8_t version_ = 0;
    uint64_t n_rx_ = 0;
};

}  // namespace vswitchd
