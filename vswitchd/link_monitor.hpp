// LinkMonitor: tells when network devices appear, disappear or change
// state (rtnetlink RTMGRP_LINK notifications), so the switch retries
// interfaces whose device was missing and refreshes link_state, mtu and
// mac_in_use at once instead of at the next statistics round.
//
// It only says "something changed"; the switch re-reads what it needs.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio.hpp>

namespace vswitchd {

class LinkMonitor {
public:
    // Throws std::system_error if the socket cannot be opened.
    LinkMonitor(boost::asio::io_context& io, std::function<void()> on_change);
    ~LinkMonitor();
    LinkMonitor(const LinkMonitor&) = delete;
    LinkMonitor& operator=(const LinkMonitor&) = delete;

    uint64_t events() const { return events_; }

private:
    void arm();
    void drain();

    boost::asio::posix::stream_descriptor sock_;
    std::function<void()> on_change_;
    uint64_t events_ = 0;
    std::shared_ptr<bool> alive_;
};

}  // namespace vswitchd
