// Malformed input never crashes: random and mutated buffers through every
// decoder and parser must either succeed or throw dpif::Error.
#include <catch2/catch.hpp>

#include <linux/openvswitch.h>

#include <random>

#include "dpif/dummy_dpif.hpp"
#include "dpif/flow_key.hpp"
#include "dpif/genl_socket.hpp"
#include "dpif/odp_execute.hpp"
#include "dpif/odp_text.hpp"
#include "dpif/ovs_messages.hpp"
#include "packets.hpp"

using namespace dpif;

namespace {

template <typename F>
void survives(F&& f)
{
    try {
        f();
    } catch (const Error&) {
        // refused cleanly
    }
}

Bytes mutate(Bytes b, std::mt19937& rng)
{
    std::uniform_int_distribution<int> byte(0, 255), what(0, 2);
    for (int i = 0; i < 3 && !b.empty(); ++i) {
        std::uniform_int_distribution<size_t> pos(0, b.size() - 1);
        switch (what(rng)) {
        case 0: b[pos(rng)] = static_cast<uint8_t>(byte(rng)); break;
        case 1: b.resize(pos(rng)); break;
        default: b.insert(b.begin() + static_cast<long>(pos(rng)), static_cast<uint8_t>(byte(rng))); break;
        }
    }
    return b;
}

}  // namespace

TEST_CASE("mutated messages, keys and actions are refused or handled, never crash")
{
    std::mt19937 rng(12345);
    // Seeds: realistic messages of each kind.
    AttrWriter act;
    act.put_u32(OVS_ACTION_ATTR_OUTPUT, 2);
    auto t = act.begin_nested(OVS_ACTION_ATTR_USERSPACE);
    act.put_u32(OVS_USERSPACE_ATTR_PID, 1);
    act.end_nested(t);
    const Bytes key = extract_flow_key(dpif_test::udp_packet(2, 1, 7), 1);
    FlowPut fp;
    fp.key = key;
    fp.mask = key;
    fp.actions = act.bytes();
    fp.ufid = Bytes(16, 3);
    VportRequest vr;
    vr.name = "eth0";
    const std::vector<OvsMessage> seeds = {
        dp_new_request("dp0", 1, 3), vport_new_request(1, vr), flow_put_request(1, fp),
        packet_execute_request(1, dpif_test::udp_packet(2, 1), key, act.bytes()),
    };

    DummyDpif dummy;
    auto dp = dummy.create_datapath("br0");
    for (int round = 0; round < 3000; ++round) {
        const OvsMessage& seed = seeds[static_cast<size_t>(round) % seeds.size()];
        Bytes payload = mutate(seed.payload(), rng);
        survives([&] {
            auto m = parse_ovs_payload(seed.family, seed.cmd, payload);
            switch (seed.family) {
            case Family::Datapath: decode_datapath(m); break;
            case Family::Vport: decode_vport(m); break;
            case Family::Flow: decode_flow(m); break;
            case Family::Packet:
                m.cmd = OVS_PACKET_CMD_MISS;
                decode_upcall(m);
                break;
            }
        });
        Bytes k = mutate(key, rng);
        Bytes a = mutate(act.bytes(), rng);
        survives([&] { flatten_key(k); });
        survives([&] { format_key(k, k); });
        survives([&] { format_actions(a); });
        survives([&] { validate_actions(a); execute_actions(dpif_test::udp_packet(2, 1), a, {}); });
        survives([&] {
            FlowPut p;
            p.key = k;
            p.mask = mutate(key, rng);
            p.actions = a;
            dummy.put_flow(dp.ifindex, p);
        });
        survives([&] { dummy.execute(dp.ifindex, mutate(dpif_test::udp_packet(2, 1), rng), k, a); });
        survives([&] { parse_netlink_datagram(payload); });
        Bytes frame = mutate(dpif_test::udp_packet(2, 1, 5), rng);
        survives([&] { flatten_key(extract_flow_key(frame, 1)); });
    }
    // Random junk frames through the dummy datapath with the flows installed above.
    for (int i = 0; i < 500; ++i) {
        std::uniform_int_distribution<size_t> len(0, 100);
        Bytes frame(len(rng));
        for (auto& b : frame)
            b = static_cast<uint8_t>(rng());
        survives([&] { dummy.receive(dp.ifindex, kLocalPort, frame); });
    }
    SUCCEED("no crash");
}

TEST_CASE("text parser survives junk")
{
    std::mt19937 rng(7);
    const std::string alphabet = "in_port(1),eth(src=dst=/:0x)ipv4udp.255,vlan=hex";
    for (int i = 0; i < 3000; ++i) {
        std::uniform_int_distribution<size_t> len(0, 40), ch(0, alphabet.size() - 1);
        std::string s;
        for (size_t n = len(rng); n > 0; --n)
            s.push_back(alphabet[ch(rng)]);
        survives([&] { parse_key(s); });
        survives([&] { parse_actions(s); });
    }
    SUCCEED("no crash");
}
