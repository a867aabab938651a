#include <catch2/catch.hpp>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <cstring>

#include "dpif/genl_socket.hpp"
#include "dpif/netlink_dpif.hpp"

using namespace dpif;

namespace {

Bytes nlmsg(uint16_t type, uint32_t seq, Bytes body)
{
    nlmsghdr h{};
    h.nlmsg_len = static_cast<uint32_t>(sizeof h + body.size());
    h.nlmsg_type = type;
    h.nlmsg_seq = seq;
    Bytes out(NLMSG_ALIGN(h.nlmsg_len), 0);
    std::memcpy(out.data(), &h, sizeof h);
    std::memcpy(out.data() + sizeof h, body.data(), body.size());
    return out;
}

bool ovs_module_loaded()
{
    try {
        GenlSocket s;
        s.resolve_family("ovs_datapath");
        return true;
    } catch (const Error&) {
        return false;
    }
}

}  // namespace

TEST_CASE("netlink datagrams split into messages with length checks")
{
    Bytes a = nlmsg(20, 5, Bytes{1, 2, 3});
    Bytes b = nlmsg(NLMSG_DONE, 5, Bytes{0, 0, 0, 0});
    Bytes both = a;
    both.insert(both.end(), b.begin(), b.end());
    auto msgs = parse_netlink_datagram(both);
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0].type == 20);
    CHECK(msgs[0].seq == 5);
    CHECK(msgs[0].body.size() == 3);
    CHECK(msgs[1].type == NLMSG_DONE);

    Bytes bad = a;
    uint32_t huge = 4096;
    std::memcpy(bad.data(), &huge, 4);
    CHECK_THROWS_AS(parse_netlink_datagram(bad), Error);
    uint32_t tiny = 3;
    std::memcpy(bad.data(), &tiny, 4);
    CHECK_THROWS_AS(parse_netlink_datagram(bad), Error);
}

TEST_CASE("generic netlink controller answers on this host")
{
    GenlSocket s;
    CHECK(s.port_id() != 0);
    CHECK(s.fd() >= 0);
    // nlctrl itself always exists.
    CHECK(s.resolve_family("nlctrl") > 0);
    try {
        s.resolve_family("no_such_family_xyz");
        FAIL("resolved a bogus family");
    } catch (const Error& e) {
        CHECK(e.code() == ENOENT);
    }
}

TEST_CASE("without the kernel module NetlinkDpif fails with a clear error")
{
    if (ovs_module_loaded()) {
        // Covered by the VM tests instead; here the datapath families exist.
        NetlinkDpif d;
        CHECK(d.family_id(Family::Datapath) > 0);
        return;
    }
    try {
        NetlinkDpif d;
        FAIL("constructed without the module");
    } catch (const Error& e) {
        CHECK(e.code() == ENOENT);
        std::string what = e.what();
        CHECK(what.find("ovs_datapath") != std::string::npos);
        CHECK(what.find("not loaded") != std::string::npos);
    }
}
