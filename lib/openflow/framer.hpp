// Framer: cuts a byte stream into OpenFlow messages by their headers.
//
// A header whose length is below 8 cannot be skipped (the stream has lost
// its framing): next() reports it once as Bad and the connection must be
// closed after replying OFPBRC_BAD_LEN.  A length above max_len (at most
// 65535, the field's range) is reported the same way.
#pragma once

#include <optional>

#include "openflow/wire.hpp"

namespace ofp {

class Framer {
public:
    explicit Framer(size_t max_len = kMaxMessageLen) : max_len_(max_len) {}

    void feed(const uint8_t* p, size_t n) { buf_.insert(buf_.end(), p, p + n); }

    enum class Status { Message, NeedMore, Bad };
    // On Message, *msg is the whole message (header included).  On Bad,
    // *msg holds the 8 bytes of the offending header.
    Status next(Bytes* msg);
    size_t buffered() const { return buf_.size() - start_; }

private:
    Bytes buf_;
    size_t start_ = 0;
    size_t max_len_;
    bool bad_ = false;
};

}  // namespace ofp
