#include "openflow/framer.hpp"

namespace ofp {

Framer::Status Framer::next(Bytes* msg) {
    if (bad_) return Status::NeedMore;
    const size_t avail = buf_.size() - start_;
    if (avail < kHeaderLen) {
        if (start_ && start_ == buf_.size()) {
            buf_.clear();
            start_ = 0;
        }
        return Status::NeedMore;
    }
    const uint8_t* p = buf_.data() + start_;
    const size_t len = static_cast<size_t>(p[2] << 8 | p[3]);
    if (len < kHeaderLen || len > max_len_) {
        bad_ = true;
        msg->assign(p, p + kHeaderLen);
        return Status::Bad;
    }
    if (avail < len) return Status::NeedMore;
    msg->assign(p, p + len);
    start_ += len;
    if (start_ == buf_.size()) {
        buf_.clear();
        start_ = 0;
    } else if (start_ > 65536) {
        buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(start_));
        start_ = 0;
    }
    return Status::Message;
}

}  // namespace ofp
