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
// (OFPT_SET_CONFIG's flags and miss_send_len).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "common/stream.hpp"
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
