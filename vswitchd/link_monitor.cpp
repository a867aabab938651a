#include "vswitchd/link_monitor.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace vswitchd {

namespace {

int open_socket() {
    int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "rtnetlink socket");
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = RTMGRP_LINK;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        int e = errno;
        ::close(fd);
        throw std::system_error(e, std::generic_category(), "binding rtnetlink socket");
    }
    return fd;
}

}  // namespace

LinkMonitor::LinkMonitor(boost::asio::io_context& io, std::function<void()> on_change)
    : sock_(io, open_socket()), on_change_(std::move(on_change)), alive_(std::make_shared<bool>(true)) {
    arm();
}

LinkMonitor::~LinkMonitor() { *alive_ = false; }

void LinkMonitor::arm() {
    std::weak_ptr<bool> alive = alive_;
    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [this, alive](const boost::system::error_code& ec) {
                         if (ec || alive.expired()) return;
                         drain();
                         arm();
                     });
}

void LinkMonitor::drain() {
    char buf[16384];
    bool any = false;
    for (;;) {
        ssize_t n = ::recv(sock_.native_handle(), buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            any = true;
            continue;
        }
        // ENOBUFS: notifications were lost; a change happened anyway.
        if (n < 0 && errno == ENOBUFS) {
            any = true;
            continue;
        }
        break;
    }
    if (any) {
        ++events_;
        on_change_();
    }
}

}  // namespace vswitchd
