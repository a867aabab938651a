#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/openvswitch.h>
#include <poll.h>

#include <algorithm>
#include <cstring>
#include <thread>

#include "dpif/dummy_dpif.hpp"
#include "dpif/flow_key.hpp"
#include "dpif/open_dpif.hpp"
#include "packets.hpp"

using namespace dpif;
using dpif_test::mac;
using dpif_test::udp_packet;

namespace {

bool readable(int fd)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) == 1;
}

Bytes output_actions(std::initializer_list<uint32_t> ports)
{
    AttrWriter a;
    for (auto p : ports)
        a.put_u32(OVS_ACTION_ATTR_OUTPUT, p);
    return a.take();
}

// Megaflow on in_port + eth_dst.
FlowPut l2_flow(uint32_t in_port, uint8_t dst, Bytes actions, uint8_t ufid_byte = 0)
{
    AttrWriter k, m;
    k.put_u32(OVS_KEY_ATTR_IN_PORT, in_port);
    m.put_u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff);
    ovs_key_ethernet ek{}, em{};
    auto d = mac(dst);
    std::memcpy(ek.eth_dst, d.data(), 6);
    std::memset(em.eth_dst, 0xff, 6);
    k.put(OVS_KEY_ATTR_ETHERNET, &ek, sizeof ek);
    m.put(OVS_KEY_ATTR_ETHERNET, &em, sizeof em);
    FlowPut p;
    p.key = k.take();
    p.mask = m.take();
    p.actions = std::move(actions);
    if (ufid_byte)
        p.ufid = Bytes(16, ufid_byte);
    return p;
}

}  // namespace

TEST_CASE("datapath lifecycle, local port and feature negotiation")
{
    DummyDpif dpif;
    CHECK(dpif.list_datapaths().empty());
    auto dp = dpif.create_datapath("br0", 0, kDefaultFeatures);
    CHECK(dp.name == "br0");
    CHECK(dp.ifindex > 0);
    CHECK(dp.user_features == kDefaultFeatures);
    auto ports = dpif.list_vports(dp.ifindex);
    REQUIRE(ports.size() == 1);
    CHECK(ports[0].port_no == kLocalPort);
    CHECK(ports[0].type == VportType::Internal);
    CHECK(ports[0].name == "br0");

    try {
        dpif.create_datapath("br0");
        FAIL("duplicate accepted");
    } catch (const Error& e) {
        CHECK(e.code() == EEXIST);
    }
    // open_datapath adopts an existing datapath, negotiating features.
    dpif.set_user_features("br0", 0);
    auto adopted = dpif.open_datapath("br0", true);
    CHECK(adopted.ifindex == dp.ifindex);
    CHECK(adopted.user_features == kDefaultFeatures);
    CHECK(dpif.list_datapaths().size() == 1);
    // Per-CPU dispatch (as Debian's tools set it) is switched back off.
    dpif.set_user_features("br0", kFeatureUnaligned | kFeaturePerCpuDispatch);
    CHECK(dpif.open_datapath("br0", false).user_features == kDefaultFeatures);

    try {
        dpif.open_datapath("nope", false);
        FAIL("opened a missing datapath");
    } catch (const Error& e) {
        CHECK(e.code() == ENODEV);
    }
    CHECK_THROWS_AS(dpif.set_user_features("br0", 1u << 20), Error);
    dpif.delete_datapath("br0");
    CHECK_FALSE(dpif.get_datapath("br0"));
    CHECK_THROWS_AS(dpif.delete_datapath("br0"), Error);
    CHECK_THROWS_AS(dpif.create_datapath("a-name-much-too-long"), Error);
}

TEST_CASE("vports: numbering, lookups, uniqueness, missing netdevs")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "eth0";
    auto p1 = dpif.add_vport(dp.ifindex, r);
    CHECK(p1.port_no == 1);
    r.name = "int0";
    r.type = VportType::Internal;
    auto p2 = dpif.add_vport(dp.ifindex, r);
    CHECK(p2.port_no == 2);
    r.name = "eth5";
    r.type = VportType::Netdev;
    r.port_no = 10;
    CHECK(dpif.add_vport(dp.ifindex, r).port_no == 10);

    CHECK(dpif.get_vport(dp.ifindex, std::string("int0"))->port_no == 2);
    CHECK(dpif.get_vport(dp.ifindex, 1u)->name == "eth0");
    CHECK_FALSE(dpif.get_vport(dp.ifindex, 99u));
    CHECK(dpif.list_vports(dp.ifindex).size() == 4);

    // Same name twice, even in another datapath: refused.
    auto dp2 = dpif.create_datapath("br1");
    VportRequest again;
    again.name = "eth0";
    try {
        dpif.add_vport(dp2.ifindex, again);
        FAIL("netdev attached twice");
    } catch (const Error& e) {
        CHECK(e.code() == EBUSY);
    }
    // Port number in use.
    r.name = "eth6";
    CHECK_THROWS_AS(dpif.add_vport(dp.ifindex, r), Error);
    // Tunnel types are not modelled.
    VportRequest gre;
    gre.name = "gre0";
    gre.type = VportType::Gre;
    CHECK_THROWS_AS(dpif.add_vport(dp.ifindex, gre), Error);

    // Strict netdevs: unknown names fail with ENODEV.
    dpif.set_strict_netdevs(true);
    VportRequest missing;
    missing.name = "ghost0";
    try {
        dpif.add_vport(dp.ifindex, missing);
        FAIL("missing netdev accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ENODEV);
        CHECK(std::string(e.what()).find("ghost0") != std::string::npos);
    }
    dpif.add_netdev("ghost0");
    CHECK(dpif.add_vport(dp.ifindex, missing).name == "ghost0");

    dpif.delete_vport(dp.ifindex, 1);
    CHECK_FALSE(dpif.get_vport(dp.ifindex, 1u));
    CHECK_THROWS_AS(dpif.delete_vport(dp.ifindex, 1), Error);
    CHECK_THROWS_AS(dpif.delete_vport(dp.ifindex, kLocalPort), Error);
    CHECK_THROWS_AS(dpif.list_vports(12345), Error);

    auto set = dpif.set_vport_upcall_pids(dp.ifindex, 2, {5, 6});
    CHECK(set.upcall_pids == std::vector<uint32_t>{5, 6});
}

TEST_CASE("vport listener sees new, set and deleted vports")
{
    DummyDpif dpif;
    auto listener = dpif.open_vport_listener();
    CHECK_FALSE(readable(listener->fd()));
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "eth0";
    auto p = dpif.add_vport(dp.ifindex, r);
    dpif.set_vport_upcall_pids(dp.ifindex, p.port_no, {9});
    dpif.delete_vport(dp.ifindex, p.port_no);
    CHECK(readable(listener->fd()));
    std::vector<std::pair<VportEventType, std::string>> seen;
    while (auto ev = listener->recv())
        seen.emplace_back(ev->type, ev->vport.name);
    CHECK_FALSE(readable(listener->fd()));
    REQUIRE(seen.size() == 4);
    CHECK(seen[0] == std::make_pair(VportEventType::New, std::string("br0")));
    CHECK(seen[1] == std::make_pair(VportEventType::New, std::string("eth0")));
    CHECK(seen[2] == std::make_pair(VportEventType::Set, std::string("eth0")));
    CHECK(seen[3] == std::make_pair(VportEventType::Del, std::string("eth0")));
    CHECK_FALSE(listener->overflowed());
}

TEST_CASE("a miss becomes an upcall with the packet's key; a flow then forwards it")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    auto ch = dpif.open_upcall_channel();
    CHECK(ch->port_id() != 0);
    VportRequest r;
    r.name = "p1";
    r.upcall_pids = {ch->port_id()};
    auto p1 = dpif.add_vport(dp.ifindex, r);
    r.name = "p2";
    auto p2 = dpif.add_vport(dp.ifindex, r);

    auto pkt = udp_packet(2, 1);
    CHECK(dpif.receive(dp.ifindex, p1.port_no, pkt) == DummyDpif::Verdict::Upcall);
    CHECK(readable(ch->fd()));
    auto up = ch->recv();
    REQUIRE(up);
    CHECK_FALSE(readable(ch->fd()));
    CHECK(up->type == UpcallType::Miss);
    CHECK(up->dp_ifindex == dp.ifindex);
    CHECK(up->packet == pkt);
    CHECK(key_in_port(up->key) == p1.port_no);
    CHECK(up->key == extract_flow_key(pkt, p1.port_no));

    // Install a megaflow on in_port+eth_dst with the upcall's answer.
    CHECK_FALSE(dpif.put_flow(dp.ifindex, l2_flow(p1.port_no, 2, output_actions({p2.port_no}), 1)));
    CHECK(dpif.receive(dp.ifindex, p1.port_no, pkt) == DummyDpif::Verdict::Forwarded);
    // A different source, same destination: the wildcarded megaflow hits.
    auto other = udp_packet(2, 9, -1, 1, 1);
    CHECK(dpif.receive(dp.ifindex, p1.port_no, other) == DummyDpif::Verdict::Forwarded);
    auto tx = dpif.take_transmitted(dp.ifindex, p2.port_no);
    REQUIRE(tx.size() == 2);
    CHECK(tx[0] == pkt);
    CHECK(tx[1] == other);
    CHECK(dpif.take_transmitted(dp.ifindex, p2.port_no).empty());
    // Another destination still misses.
    CHECK(dpif.receive(dp.ifindex, p1.port_no, udp_packet(3, 1)) == DummyDpif::Verdict::Upcall);

    auto info = *dpif.get_datapath("br0");
    CHECK(info.stats.n_hit == 2);
    CHECK(info.stats.n_missed == 2);
    CHECK(info.stats.n_lost == 0);
    CHECK(info.stats.n_flows == 1);
    REQUIRE(info.megaflow_stats);
    CHECK(info.megaflow_stats->n_masks == 1);

    auto flows = dpif.dump_flows(dp.ifindex);
    REQUIRE(flows.size() == 1);
    CHECK(flows[0].stats.n_packets == 2);
    CHECK(flows[0].stats.n_bytes == pkt.size() + other.size());
    CHECK(flows[0].used_ms > 0);
    CHECK(flows[0].ufid == Bytes(16, 1));

    auto s1 = dpif.get_vport(dp.ifindex, p1.port_no)->stats;
    auto s2 = dpif.get_vport(dp.ifindex, p2.port_no)->stats;
    CHECK(s1->rx_packets == 4);
    CHECK(s2->tx_packets == 2);
}

TEST_CASE("upcalls without a listener, or beyond capacity, are lost and counted")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "p1";  // upcall pid 0: no upcalls
    auto p1 = dpif.add_vport(dp.ifindex, r);
    CHECK(dpif.receive(dp.ifindex, p1.port_no, udp_packet(2, 1)) == DummyDpif::Verdict::Lost);

    auto ch = dpif.open_upcall_channel();
    dpif.set_vport_upcall_pids(dp.ifindex, p1.port_no, {ch->port_id()});
    dpif.set_channel_capacity(2);
    for (int i = 0; i < 3; ++i)
        dpif.receive(dp.ifindex, p1.port_no, udp_packet(2, 1));
    CHECK(ch->lost() == 1);
    CHECK(dpif.get_datapath("br0")->stats.n_lost == 2);

    // A closed channel's pid no longer receives.
    const uint32_t pid = ch->port_id();
    ch.reset();
    dpif.set_vport_upcall_pids(dp.ifindex, p1.port_no, {pid});
    CHECK(dpif.receive(dp.ifindex, p1.port_no, udp_packet(2, 1)) == DummyDpif::Verdict::Lost);
    CHECK_THROWS_AS(dpif.receive(dp.ifindex, 77, udp_packet(2, 1)), Error);
}

TEST_CASE("flow put semantics: create, modify, zero stats, EEXIST, ENOENT, get and del")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "p1";
    auto p1 = dpif.add_vport(dp.ifindex, r);
    r.name = "p2";
    auto p2 = dpif.add_vport(dp.ifindex, r);

    auto put = l2_flow(p1.port_no, 2, output_actions({p2.port_no}), 7);
    put.flags = kPutCreate;
    dpif.put_flow(dp.ifindex, put);
    try {
        dpif.put_flow(dp.ifindex, put);
        FAIL("duplicate create accepted");
    } catch (const Error& e) {
        CHECK(e.code() == EEXIST);
    }
    // Same key+mask without a UFID is the same flow, too.
    auto no_ufid = put;
    no_ufid.ufid.clear();
    CHECK_THROWS_AS(dpif.put_flow(dp.ifindex, no_ufid), Error);

    dpif.receive(dp.ifindex, p1.port_no, udp_packet(2, 1));
    // Modify to drop; returns the old stats.
    auto mod = put;
    mod.actions.clear();
    mod.flags = kPutModify;
    auto old = dpif.put_flow(dp.ifindex, mod);
    REQUIRE(old);
    CHECK(old->n_packets == 1);
    dpif.receive(dp.ifindex, p1.port_no, udp_packet(2, 1));
    CHECK(dpif.take_transmitted(dp.ifindex, p2.port_no).size() == 1);  // only the first
    mod.flags = kPutModify | kPutZeroStats;
    dpif.put_flow(dp.ifindex, mod);
    CHECK(dpif.get_flow(dp.ifindex, FlowId::by_ufid(Bytes(16, 7)))->stats.n_packets == 0);

    auto absent = l2_flow(p1.port_no, 9, {}, 8);
    absent.flags = kPutModify;
    try {
        dpif.put_flow(dp.ifindex, absent);
        FAIL("modify of a missing flow accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ENOENT);
    }

    CHECK_FALSE(dpif.get_flow(dp.ifindex, FlowId::by_ufid(Bytes(16, 8))));
    auto st = dpif.del_flow(dp.ifindex, FlowId::by_ufid(Bytes(16, 7)));
    CHECK(st.n_packets == 0);
    CHECK(dpif.dump_flows(dp.ifindex).empty());
    CHECK_THROWS_AS(dpif.del_flow(dp.ifindex, FlowId::by_ufid(Bytes(16, 7))), Error);

    // By key, for flows without a UFID.
    auto bykey = l2_flow(p1.port_no, 3, output_actions({p2.port_no}));
    dpif.put_flow(dp.ifindex, bykey);
    CHECK(dpif.get_flow(dp.ifindex, FlowId::by_key(bykey.key)));
    dpif.del_flow(dp.ifindex, FlowId::by_key(bykey.key));
    CHECK(dpif.dump_flows(dp.ifindex).empty());

    for (uint8_t d = 1; d <= 5; ++d)
        dpif.put_flow(dp.ifindex, l2_flow(p1.port_no, d, {}, d));
    int seen = 0;
    dpif.dump_flows(dp.ifindex, [&](const Flow&) { return ++seen < 3; });
    CHECK(seen == 3);
    dpif.flush_flows(dp.ifindex);
    CHECK(dpif.dump_flows(dp.ifindex).empty());
}

TEST_CASE("bad flows and actions are refused without changing the table")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    FlowPut p = l2_flow(1, 2, {});
    p.ufid = Bytes(3, 1);
    CHECK_THROWS_AS(dpif.put_flow(dp.ifindex, p), Error);  // short UFID
    p = l2_flow(1, 2, {});
    p.key = Bytes{200, 0, 1, 0};  // attribute length past the end
    CHECK_THROWS_AS(dpif.put_flow(dp.ifindex, p), Error);
    p = l2_flow(1, 2, {});
    AttrWriter rec;
    rec.put_u32(OVS_ACTION_ATTR_RECIRC, 1);
    p.actions = rec.take();
    try {
        dpif.put_flow(dp.ifindex, p);
        FAIL("unsupported action accepted");
    } catch (const Error& e) {
        CHECK(e.code() == EINVAL);
    }
    p = l2_flow(1, 2, {});
    p.flags = 0;
    CHECK_THROWS_AS(dpif.put_flow(dp.ifindex, p), Error);
    CHECK(dpif.dump_flows(dp.ifindex).empty());
    CHECK_THROWS_AS(dpif.put_flow(999, l2_flow(1, 2, {})), Error);
}

TEST_CASE("execute runs actions; a userspace action becomes an ACTION upcall")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "p1";
    auto p1 = dpif.add_vport(dp.ifindex, r);
    auto ch = dpif.open_upcall_channel();

    AttrWriter a;
    a.put_u32(OVS_ACTION_ATTR_OUTPUT, p1.port_no);
    auto t = a.begin_nested(OVS_ACTION_ATTR_USERSPACE);
    a.put_u32(OVS_USERSPACE_ATTR_PID, ch->port_id());
    a.put(OVS_USERSPACE_ATTR_USERDATA, "abcd", 4);
    a.end_nested(t);
    auto pkt = udp_packet(2, 1);
    auto key = extract_flow_key(pkt, kLocalPort);
    dpif.execute(dp.ifindex, pkt, key, a.bytes());
    CHECK(dpif.take_transmitted(dp.ifindex, p1.port_no).size() == 1);
    auto up = ch->recv();
    REQUIRE(up);
    CHECK(up->type == UpcallType::Action);
    CHECK(up->userdata == Bytes{'a', 'b', 'c', 'd'});
    CHECK(up->packet == pkt);

    CHECK_THROWS_AS(dpif.execute(dp.ifindex, Bytes{}, key, a.bytes()), Error);
    AttrWriter bad;
    bad.put_u32(OVS_ACTION_ATTR_HASH, 0);
    CHECK_THROWS_AS(dpif.execute(dp.ifindex, pkt, key, bad.bytes()), Error);
}

TEST_CASE("VLAN-aware megaflows: tagged and untagged traffic kept apart")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "trunk";
    auto trunk = dpif.add_vport(dp.ifindex, r);
    r.name = "access";
    auto access = dpif.add_vport(dp.ifindex, r);

    // From the trunk, VLAN 10 frames: pop the tag and send to the access port.
    AttrWriter k, m;
    k.put_u32(OVS_KEY_ATTR_IN_PORT, trunk.port_no);
    m.put_u32(OVS_KEY_ATTR_IN_PORT, 0xffffffff);
    k.put_be16(OVS_KEY_ATTR_VLAN, 0x1000 | 10);
    m.put_be16(OVS_KEY_ATTR_VLAN, 0x1fff);
    AttrWriter act;
    act.put_flag(OVS_ACTION_ATTR_POP_VLAN);
    act.put_u32(OVS_ACTION_ATTR_OUTPUT, access.port_no);
    FlowPut p;
    p.key = k.take();
    p.mask = m.take();
    p.actions = act.take();
    dpif.put_flow(dp.ifindex, p);

    CHECK(dpif.receive(dp.ifindex, trunk.port_no, udp_packet(2, 1, 10)) == DummyDpif::Verdict::Forwarded);
    CHECK(dpif.receive(dp.ifindex, trunk.port_no, udp_packet(2, 1, 20)) == DummyDpif::Verdict::Lost);
    CHECK(dpif.receive(dp.ifindex, trunk.port_no, udp_packet(2, 1)) == DummyDpif::Verdict::Lost);
    auto tx = dpif.take_transmitted(dp.ifindex, access.port_no);
    REQUIRE(tx.size() == 1);
    CHECK(tx[0] == udp_packet(2, 1));
}

TEST_CASE("concurrent receive and channel draining")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    auto ch = dpif.open_upcall_channel();
    VportRequest r;
    r.name = "p1";
    r.upcall_pids = {ch->port_id()};
    auto p1 = dpif.add_vport(dp.ifindex, r);
    constexpr int kPackets = 2000;
    std::thread producer([&] {
        for (int i = 0; i < kPackets; ++i)
            dpif.receive(dp.ifindex, p1.port_no, udp_packet(2, 1, -1, static_cast<uint16_t>(i)));
    });
    int got = 0;
    while (got < kPackets) {
        if (ch->recv())
            ++got;
        else
            std::this_thread::yield();
    }
    producer.join();
    CHECK(got == kPackets);
    CHECK(ch->lost() == 0);
}

TEST_CASE("a dump callback may call back into the datapath")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    for (uint8_t d = 1; d <= 4; ++d)
        dpif.put_flow(dp.ifindex, l2_flow(1, d, {}, d));
    int deleted = 0;
    dpif.dump_flows(dp.ifindex, [&](const Flow& f) {
        dpif.del_flow(dp.ifindex, FlowId::by_ufid(f.ufid));
        ++deleted;
        return true;
    });
    CHECK(deleted == 4);
    CHECK(dpif.dump_flows(dp.ifindex).empty());
}

TEST_CASE("operate: each op of a batch succeeds or fails on its own")
{
    DummyDpif dpif;
    auto dp = dpif.create_datapath("br0");
    VportRequest r;
    r.name = "p1";
    auto p1 = dpif.add_vport(dp.ifindex, r);
    std::vector<DpifOp> ops;
    ops.push_back(DpifOp::make_put(dp.ifindex, l2_flow(p1.port_no, 2, output_actions({p1.port_no}), 1)));
    ops.push_back(DpifOp::make_put(dp.ifindex, l2_flow(p1.port_no, 2, {}, 1)));  // same UFID: EEXIST
    ops.push_back(DpifOp::make_del(dp.ifindex, FlowId::by_ufid(Bytes(16, 9))));  // absent: ENOENT
    ops.push_back(DpifOp::make_execute(dp.ifindex, udp_packet(2, 1), extract_flow_key(udp_packet(2, 1), 0),
                                       output_actions({p1.port_no})));
    ops.push_back(DpifOp::make_put(dp.ifindex, l2_flow(p1.port_no, 3, {}, 2)));
    dpif.operate(ops);
    CHECK(ops[0].error == 0);
    CHECK(ops[1].error == EEXIST);
    CHECK(ops[2].error == ENOENT);
    CHECK(ops[3].error == 0);
    CHECK(ops[4].error == 0);
    CHECK(dpif.dump_flows(dp.ifindex).size() == 2);
    CHECK(dpif.take_transmitted(dp.ifindex, p1.port_no).size() == 1);
}

TEST_CASE("open_dpif picks an implementation by name")
{
    auto d = open_dpif("dummy");
    CHECK(d->type() == "dummy");
    CHECK(d->create_datapath("br0").name == "br0");
    try {
        open_dpif("warp");
        FAIL("unknown type accepted");
    } catch (const Error& e) {
        CHECK(e.code() == EINVAL);
        CHECK(std::string(e.what()).find("known: ") != std::string::npos);
    }
    auto types = dpif_types();
    CHECK(std::find(types.begin(), types.end(), "dummy") != types.end());
}
