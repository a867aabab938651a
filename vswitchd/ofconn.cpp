#include "vswitchd/ofconn.hpp"

#include "common/vlog.hpp"
#include "openflow/hello.hpp"

VLOG_DEFINE_THIS_MODULE(rconn);

namespace vswitchd {

OfConn::OfConn(std::unique_ptr<common::Stream> stream, Handler handler, CloseHandler on_close)
    : stream_(std::move(stream)), handler_(std::move(handler)), on_close_(std::move(on_close)), rbuf_(16384) {}

OfConn::~OfConn() = default;

void OfConn::start() {
    send(ofp::hello_message(0));
    read();
}

void OfConn::read() {
    if (closed_) return;
    auto self = shared_from_this();
    stream_->async_read_some(asio::buffer(rbuf_), [self](const common::error_code& ec, size_t n) {
        if (self->closed_) return;
        if (ec) {
            if (ec != asio::error::eof && ec != asio::error::operation_aborted)
                VLOG_DBG("%s: connection dropped (%s)", self->name().c_str(), ec.message().c_str());
            self->close();
            return;
        }
        self->framer_.feed(self->rbuf_.data(), n);
        ofp::Bytes msg;
        for (;;) {
            if (self->closing_ || self->closed_) return;
            auto st = self->framer_.next(&msg);
            if (st == ofp::Framer::Status::NeedMore) break;
            if (st == ofp::Framer::Status::Bad) {
                static vlog::RateLimit rl(5, 10);
                VLOG_WARN_RL(rl, "%s: message with bad length %u: closing", self->name().c_str(),
                             static_cast<unsigned>(msg[2] << 8 | msg[3]));
                const uint8_t v = self->version_ ? self->version_ : ofp::kOf13;
                self->send(ofp::error_message(v, ofp::read_header(msg).xid, ofp::Err::BadLen, msg));
                self->close_after_flush();
                return;
            }
            self->process(std::move(msg));
        }
        self->read();
    });
}

void OfConn::process(ofp::Bytes msg) {
    ++n_rx_;
    const ofp::Header h = ofp::read_header(msg);
    if (!version_) {
        if (h.type != ofp::OFPT_HELLO) {
            VLOG_WARN("%s: received %s before hello: closing", name().c_str(),
                      ofp::type_name(h.version, h.type).c_str());
            send(ofp::error_message(h.version ? h.version : ofp::kOf10, h.xid, ofp::Err::HelloIncompatible, msg));
            close_after_flush();
            return;
        }
        uint32_t theirs = 0;
        try {
            theirs = ofp::hello_versions(msg);
        } catch (const ofp::OfError& e) {
            send(ofp::error_message(h.version ? h.version : ofp::kOf10, h.xid, e.err(), msg));
            close_after_flush();
            return;
        }
        auto v = ofp::negotiate(ofp::kSupportedVersions, theirs);
        if (!v) {
            VLOG_WARN("%s: version negotiation failed (we support 1.0 and 1.3, peer supports 0x%08x)",
                      name().c_str(), theirs);
            ofp::Writer w(h.version ? h.version : ofp::kOf10, ofp::OFPT_ERROR, h.xid);
            w.u16(0);
            w.u16(0);
            const std::string text = "We support versions 0x01, 0x04, you support no common version.";
            w.bytes(text.data(), text.size());
            send(w.finish());
            close_after_flush();
            return;
        }
        version_ = *v;
        VLOG_DBG("%s: negotiated OpenFlow %s", name().c_str(), ofp::version_name(version_).c_str());
        if (on_ready) on_ready(*this);
        return;
    }
    if (h.type == ofp::OFPT_HELLO) return;
    if (h.version != version_) {
        send(ofp::error_message(version_, h.xid, ofp::Err::BadVersion, msg));
        return;
    }
    switch (h.type) {
    case ofp::OFPT_ECHO_REQUEST: {
        ofp::Writer w(version_, ofp::OFPT_ECHO_REPLY, h.xid);
        w.bytes(ofp::ByteView(msg).subspan(ofp::kHeaderLen));
        send(w.finish());
        return;
    }
    case ofp::OFPT_ECHO_REPLY:
        return;
    case ofp::OFPT_ERROR:
        VLOG_DBG("%s: peer sent an error", name().c_str());
        return;
    }
    try {
        handler_(*this, h, msg);
    } catch (const ofp::OfError& e) {
        static vlog::RateLimit rl(10, 20);
        if (rl.allow())
            VLOG_INFO("%s: %s: %s (%s)", name().c_str(), ofp::type_name(h.version, h.type).c_str(),
                      ofp::err_name(e.err()), e.what());
        send(ofp::error_message(version_, h.xid, e.err(), msg));
    } catch (const std::exception& e) {
        VLOG_WARN("%s: %s: %s", name().c_str(), ofp::type_name(h.version, h.type).c_str(), e.what());
        send(ofp::error_message(version_, h.xid, ofp::Err::Eperm, msg));
    }
}

bool OfConn::wants(AsyncKind kind, uint8_t reason) const {
    if (!version_ || closed_ || closing_) return false;
    if (!controller && !miss_send_len) return false;
    const ofp::AsyncConfig c = async_config();
    const int r = role == Role::Slave ? 1 : 0;
    const uint32_t mask = kind == AsyncKind::PacketIn     ? c.packet_in[r]
                          : kind == AsyncKind::PortStatus ? c.port_status[r]
                                                          : c.flow_removed[r];
    return reason < 32 && (mask >> reason & 1);
}

void OfConn::send(ofp::Bytes msg) {
    if (closed_) return;
    wq_.push_back(std::move(msg));
    if (!writing_) write_next();
}

void OfConn::write_next() {
    if (closed_) return;
    if (wq_.empty()) {
        writing_ = false;
        if (closing_) close();
        return;
    }
    writing_ = true;
    auto self = shared_from_this();
    stream_->async_write(asio::buffer(wq_.front()), [self](const common::error_code& ec, size_t) {
        if (self->closed_) return;
        if (ec) {
            self->close();
            return;
        }
        self->wq_.pop_front();
        self->write_next();
    });
}

void OfConn::close_after_flush() {
    closing_ = true;
    if (!writing_) close();
}

void OfConn::close() {
    if (closed_) return;
    closed_ = true;
    stream_->close();
    wq_.clear();
    if (on_close_) {
        auto cb = std::move(on_close_);
        cb(*this);
    }
}

}  // namespace vswitchd
