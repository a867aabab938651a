// Round trips of the OVS generic-netlink messages, checked against the
// UAPI layout of <linux/openvswitch.h>.
#include <catch2/catch.hpp>

#include <linux/netlink.h>
#include <linux/openvswitch.h>

#include <cstring>

#include "dpif/ovs_messages.hpp"

using namespace dpif;

namespace {

// Re-parses a message the way the kernel would see it on the wire.
OvsMessage wire(const OvsMessage& m)
{
    Bytes p = m.payload();
    REQUIRE(p.size() == sizeof(ovs_header) + m.attrs.size());
    ovs_header h;
    std::memcpy(&h, p.data(), sizeof h);
    CHECK(h.dp_ifindex == m.dp_ifindex);
    return parse_ovs_payload(m.family, m.cmd, p);
}

template <typename T>
void put_struct(AttrWriter& w, uint16_t type, const T& v)
{
    w.put(type, &v, sizeof v);
}

}  // namespace

TEST_CASE("datapath new request carries name, upcall pid and features")
{
    auto m = dp_new_request("dp0", 1234, kDefaultFeatures);
    CHECK(m.family == Family::Datapath);
    CHECK(m.cmd == OVS_DP_CMD_NEW);
    CHECK(m.dp_ifindex == 0);
    auto back = wire(m);
    auto attrs = parse_attrs(back.attrs);
    REQUIRE(find_attr(attrs, OVS_DP_ATTR_NAME));
    CHECK(find_attr(attrs, OVS_DP_ATTR_NAME)->str() == "dp0");
    // The kernel's policy wants a NUL-terminated string.
    CHECK(find_attr(attrs, OVS_DP_ATTR_NAME)->payload.size() == 4);
    CHECK(find_attr(attrs, OVS_DP_ATTR_UPCALL_PID)->u32() == 1234);
    CHECK(find_attr(attrs, OVS_DP_ATTR_USER_FEATURES)->u32() ==
          (OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS));
}

TEST_CASE("datapath get: by name, or a dump")
{
    auto one = dp_get_request("dp0");
    CHECK(one.cmd == OVS_DP_CMD_GET);
    CHECK((one.nlmsg_flags & NLM_F_DUMP) == 0);
    auto all = dp_get_request("");
    CHECK((all.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
    CHECK(all.attrs.empty());
    auto set = dp_set_features_request("dp0", 7);
    CHECK(set.cmd == OVS_DP_CMD_SET);
    CHECK(find_attr(parse_attrs(set.attrs), OVS_DP_ATTR_USER_FEATURES)->u32() == 7);
    CHECK(dp_del_request("dp0").cmd == OVS_DP_CMD_DEL);
}

TEST_CASE("datapath reply decodes stats, megaflow stats and features")
{
    AttrWriter w;
    w.put_string(OVS_DP_ATTR_NAME, "ovs-system");
    ovs_dp_stats s{10, 20, 3, 4};
    put_struct(w, OVS_DP_ATTR_STATS, s);
    ovs_dp_megaflow_stats ms{};
    ms.n_mask_hit = 55;
    ms.n_masks = 2;
    ms.n_cache_hit = 9;
    put_struct(w, OVS_DP_ATTR_MEGAFLOW_STATS, ms);
    w.put_u32(OVS_DP_ATTR_USER_FEATURES, 3);
    w.put_u32(OVS_DP_ATTR_MASKS_CACHE_SIZE, 256);
    w.put_u32(200, 1);  // unknown future attribute: ignored
    OvsMessage m;
    m.family = Family::Datapath;
    m.cmd = OVS_DP_CMD_NEW;
    m.dp_ifindex = 17;
    m.attrs = w.take();
    auto dp = decode_datapath(wire(m));
    CHECK(dp.name == "ovs-system");
    CHECK(dp.ifindex == 17);
    CHECK(dp.stats.n_hit == 10);
    CHECK(dp.stats.n_missed == 20);
    CHECK(dp.stats.n_lost == 3);
    CHECK(dp.stats.n_flows == 4);
    REQUIRE(dp.megaflow_stats);
    CHECK(dp.megaflow_stats->n_mask_hit == 55);
    CHECK(dp.megaflow_stats->n_masks == 2);
    CHECK(dp.megaflow_stats->n_cache_hit == 9);
    CHECK(dp.user_features == 3);
    CHECK(dp.masks_cache_size == 256u);
}

TEST_CASE("per-CPU upcall pids request round-trips")
{
    auto m = dp_set_per_cpu_pids_request("dp0", OVS_DP_F_UNALIGNED, {7, 8, 9});
    CHECK(m.cmd == OVS_DP_CMD_SET);
    auto dp = decode_datapath(wire(m));
    CHECK(dp.user_features == (OVS_DP_F_UNALIGNED | OVS_DP_F_DISPATCH_UPCALL_PER_CPU));
    CHECK(dp.per_cpu_pids == std::vector<uint32_t>{7, 8, 9});
    CHECK_THROWS_AS(dp_set_per_cpu_pids_request("dp0", 0, {}), Error);
}

TEST_CASE("malformed datapath replies are rejected")
{
    OvsMessage m;
    m.family = Family::Datapath;
    AttrWriter w;
    w.put_u32(OVS_DP_ATTR_STATS, 1);  // far shorter than struct ovs_dp_stats
    w.put_string(OVS_DP_ATTR_NAME, "x");
    m.attrs = w.take();
    CHECK_THROWS_AS(decode_datapath(m), Error);
    m.attrs.clear();
    CHECK_THROWS_AS(decode_datapath(m), Error);  // no name
    Bytes tiny{1, 2};
    CHECK_THROWS_AS(parse_ovs_payload(Family::Datapath, 1, tiny), Error);
    OvsMessage v;
    v.family = Family::Vport;
    CHECK_THROWS_AS(decode_datapath(v), Error);  // wrong family
}

TEST_CASE("vport new request round-trips through the reply decoder")
{
    VportRequest req;
    req.name = "veth0";
    req.type = VportType::Internal;
    req.port_no = 5;
    req.upcall_pids = {100, 200};
    auto m = vport_new_request(42, req);
    CHECK(m.cmd == OVS_VPORT_CMD_NEW);
    auto attrs = parse_attrs(m.attrs);
    CHECK(find_attr(attrs, OVS_VPORT_ATTR_TYPE)->u32() == OVS_VPORT_TYPE_INTERNAL);
    CHECK(find_attr(attrs, OVS_VPORT_ATTR_UPCALL_PID)->payload.size() == 8);
    auto v = decode_vport(wire(m));
    CHECK(v.dp_ifindex == 42);
    CHECK(v.name == "veth0");
    CHECK(v.type == VportType::Internal);
    CHECK(v.port_no == 5);
    CHECK(v.upcall_pids == std::vector<uint32_t>{100, 200});
    CHECK_FALSE(v.stats);
}

TEST_CASE("vport request without pids sends the single 0 pid the kernel requires")
{
    VportRequest req;
    req.name = "eth1";
    req.upcall_pids.clear();
    auto m = vport_new_request(1, req);
    auto attrs = parse_attrs(m.attrs);
    auto pid = find_attr(attrs, OVS_VPORT_ATTR_UPCALL_PID);
    REQUIRE(pid);
    CHECK(pid->u32() == 0);
    CHECK_FALSE(find_attr(attrs, OVS_VPORT_ATTR_PORT_NO));
}

TEST_CASE("vport reply with stats, ifindex and netnsid")
{
    AttrWriter w;
    w.put_u32(OVS_VPORT_ATTR_PORT_NO, 0);
    w.put_u32(OVS_VPORT_ATTR_TYPE, OVS_VPORT_TYPE_NETDEV);
    w.put_string(OVS_VPORT_ATTR_NAME, "eth9");
    ovs_vport_stats s{1, 2, 3, 4, 5, 6, 7, 8};
    put_struct(w, OVS_VPORT_ATTR_STATS, s);
    w.put_u32(OVS_VPORT_ATTR_IFINDEX, 33);
    w.put_u32(OVS_VPORT_ATTR_NETNSID, static_cast<uint32_t>(-1));
    OvsMessage m;
    m.family = Family::Vport;
    m.cmd = OVS_VPORT_CMD_NEW;
    m.dp_ifindex = 3;
    m.attrs = w.take();
    auto v = decode_vport(m);
    REQUIRE(v.stats);
    CHECK(v.stats->rx_packets == 1);
    CHECK(v.stats->tx_dropped == 8);
    CHECK(v.ifindex == 33);
    CHECK(v.netnsid == -1);
    CHECK(v.type == VportType::Netdev);

    // Odd-sized pid array.
    AttrWriter bad;
    bad.put_u32(OVS_VPORT_ATTR_PORT_NO, 1);
    bad.put_string(OVS_VPORT_ATTR_NAME, "x");
    bad.put(OVS_VPORT_ATTR_UPCALL_PID, "abc", 3);
    m.attrs = bad.take();
    CHECK_THROWS_AS(decode_vport(m), Error);
}

TEST_CASE("vport get/del/set/dump requests")
{
    auto g = vport_get_request(4, std::string("p1"));
    CHECK(find_attr(parse_attrs(g.attrs), OVS_VPORT_ATTR_NAME)->str() == "p1");
    auto gn = vport_get_request(4, 7u);
    CHECK(find_attr(parse_attrs(gn.attrs), OVS_VPORT_ATTR_PORT_NO)->u32() == 7);
    auto d = vport_dump_request(4);
    CHECK(d.nlmsg_flags == NLM_F_DUMP);
    CHECK(d.dp_ifindex == 4);
    auto del = vport_del_request(4, 7);
    CHECK(del.cmd == OVS_VPORT_CMD_DEL);
    auto set = vport_set_pids_request(4, 7, {9, 10, 11});
    CHECK(set.cmd == OVS_VPORT_CMD_SET);
    CHECK(find_attr(parse_attrs(set.attrs), OVS_VPORT_ATTR_UPCALL_PID)->payload.size() == 12);
}

TEST_CASE("flow put maps create/modify to the kernel's commands and flags")
{
    AttrWriter key;
    key.put_u32(OVS_KEY_ATTR_IN_PORT, 1);
    AttrWriter act;
    act.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    FlowPut p;
    p.key = key.bytes();
    p.actions = act.bytes();
    p.ufid = Bytes(16, 0xaa);

    p.flags = kPutCreate;
    auto m = flow_put_request(8, p);
    CHECK(m.cmd == OVS_FLOW_CMD_NEW);
    CHECK(m.nlmsg_flags == (NLM_F_CREATE | NLM_F_EXCL));

    p.flags = kPutCreate | kPutModify;
    m = flow_put_request(8, p);
    CHECK(m.cmd == OVS_FLOW_CMD_NEW);
    CHECK(m.nlmsg_flags == NLM_F_CREATE);

    p.flags = kPutModify | kPutZeroStats;
    m = flow_put_request(8, p);
    CHECK(m.cmd == OVS_FLOW_CMD_SET);
    auto attrs = parse_attrs(m.attrs);
    CHECK(find_attr(attrs, OVS_FLOW_ATTR_CLEAR));
    CHECK(find_attr(attrs, OVS_FLOW_ATTR_KEY)->raw_type & NLA_F_NESTED);
    CHECK(find_attr(attrs, OVS_FLOW_ATTR_UFID)->payload.size() == 16);
    CHECK_FALSE(find_attr(attrs, OVS_FLOW_ATTR_MASK));

    auto f = decode_flow(wire(m));
    CHECK(f.key == p.key);
    CHECK(f.actions == p.actions);
    CHECK(f.ufid == p.ufid);

    p.flags = 0;
    CHECK_THROWS_AS(flow_put_request(8, p), Error);
}

TEST_CASE("flow put with no actions still sends an empty actions attribute (drop)")
{
    AttrWriter key;
    key.put_u32(OVS_KEY_ATTR_IN_PORT, 1);
    FlowPut p;
    p.key = key.bytes();
    auto m = flow_put_request(1, p);
    auto attrs = parse_attrs(m.attrs);
    auto a = find_attr(attrs, OVS_FLOW_ATTR_ACTIONS);
    REQUIRE(a);
    CHECK(a->payload.empty());
}

TEST_CASE("flow reply decodes stats, used and tcp flags")
{
    AttrWriter w;
    AttrWriter key;
    key.put_u32(OVS_KEY_ATTR_IN_PORT, 3);
    w.put(OVS_FLOW_ATTR_KEY | kAttrNestedFlag, key.bytes());
    w.put(OVS_FLOW_ATTR_MASK | kAttrNestedFlag, key.bytes());
    ovs_flow_stats s{5, 500};
    put_struct(w, OVS_FLOW_ATTR_STATS, s);
    w.put_u8(OVS_FLOW_ATTR_TCP_FLAGS, 0x12);
    w.put_u64(OVS_FLOW_ATTR_USED, 123456);
    w.put(OVS_FLOW_ATTR_ACTIONS | kAttrNestedFlag, nullptr, 0);
    OvsMessage m;
    m.family = Family::Flow;
    m.cmd = OVS_FLOW_CMD_NEW;
    m.attrs = w.take();
    auto f = decode_flow(m);
    CHECK(f.stats.n_packets == 5);
    CHECK(f.stats.n_bytes == 500);
    CHECK(f.tcp_flags == 0x12);
    CHECK(f.used_ms == 123456);
    CHECK(f.key == key.bytes());
    CHECK(f.mask == key.bytes());
    CHECK(f.actions.empty());
}

TEST_CASE("flow get/del by ufid or key; flush has no attributes; dump flag")
{
    Bytes ufid(16, 1);
    auto g = flow_get_request(2, FlowId::by_ufid(ufid));
    CHECK(g.cmd == OVS_FLOW_CMD_GET);
    CHECK(find_attr(parse_attrs(g.attrs), OVS_FLOW_ATTR_UFID));
    AttrWriter key;
    key.put_u32(OVS_KEY_ATTR_IN_PORT, 3);
    auto d = flow_del_request(2, FlowId::by_key(key.bytes()));
    CHECK(d.cmd == OVS_FLOW_CMD_DEL);
    CHECK(find_attr(parse_attrs(d.attrs), OVS_FLOW_ATTR_KEY));
    CHECK(flow_flush_request(2).attrs.empty());
    CHECK(flow_flush_request(2).cmd == OVS_FLOW_CMD_DEL);
    CHECK(flow_dump_request(2).nlmsg_flags == NLM_F_DUMP);
    CHECK_THROWS_AS(flow_get_request(2, FlowId{}), Error);
}

TEST_CASE("execute request and upcall decoding")
{
    Bytes pkt(60, 0x11);
    AttrWriter key;
    key.put_u32(OVS_KEY_ATTR_IN_PORT, 1);
    AttrWriter act;
    act.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    auto m = packet_execute_request(9, pkt, key.bytes(), act.bytes());
    CHECK(m.cmd == OVS_PACKET_CMD_EXECUTE);
    auto back = wire(m);
    auto attrs = parse_attrs(back.attrs);
    CHECK(find_attr(attrs, OVS_PACKET_ATTR_PACKET)->bytes() == pkt);
    CHECK(find_attr(attrs, OVS_PACKET_ATTR_KEY)->bytes() == key.bytes());
    CHECK(find_attr(attrs, OVS_PACKET_ATTR_ACTIONS)->bytes() == act.bytes());
    CHECK_THROWS_AS(packet_execute_request(9, Bytes{}, key.bytes(), act.bytes()), Error);

    // A kernel-style userspace-action upcall.
    AttrWriter up;
    up.put(OVS_PACKET_ATTR_PACKET, pkt);
    up.put(OVS_PACKET_ATTR_KEY | kAttrNestedFlag, key.bytes());
    up.put(OVS_PACKET_ATTR_USERDATA, "cookie", 6);
    up.put_u16(OVS_PACKET_ATTR_MRU, 1400);
    up.put_u32(OVS_PACKET_ATTR_LEN, 1500);
    OvsMessage u;
    u.family = Family::Packet;
    u.cmd = OVS_PACKET_CMD_ACTION;
    u.dp_ifindex = 9;
    u.attrs = up.take();
    auto upcall = decode_upcall(wire(u));
    CHECK(upcall.type == UpcallType::Action);
    CHECK(upcall.dp_ifindex == 9);
    CHECK(upcall.packet == pkt);
    CHECK(upcall.key == key.bytes());
    CHECK(std::string(upcall.userdata.begin(), upcall.userdata.end()) == "cookie");
    CHECK(upcall.mru == 1400u);
    CHECK(upcall.orig_len == 1500u);

    u.cmd = OVS_PACKET_CMD_MISS;
    CHECK(decode_upcall(u).type == UpcallType::Miss);
    u.cmd = OVS_PACKET_CMD_EXECUTE;
    CHECK_THROWS_AS(decode_upcall(u), Error);
    u.cmd = OVS_PACKET_CMD_MISS;
    u.attrs.clear();
    CHECK_THROWS_AS(decode_upcall(u), Error);
}

TEST_CASE("family names and versions match the UAPI")
{
    CHECK(std::string(family_name(Family::Datapath)) == "ovs_datapath");
    CHECK(std::string(family_name(Family::Vport)) == "ovs_vport");
    CHECK(std::string(family_name(Family::Flow)) == "ovs_flow");
    CHECK(std::string(family_name(Family::Packet)) == "ovs_packet");
    CHECK(family_version(Family::Datapath) == OVS_DATAPATH_VERSION);
    CHECK(family_version(Family::Packet) == OVS_PACKET_VERSION);
}
