// Asynchronous messages: packet-in (1.0, 1.3, NXT_PACKET_IN, NXT_PACKET_IN2),
// flow-removed, port-status, packet-out decoding, async configuration.
// Byte layouts are the ones Debian's `ovs-ofctl ofp-print` decodes (the
// integration tests have ovs-ofctl monitor read them off the wire).
#include <catch2/catch.hpp>

#include "meta-flow/field.hpp"
#include "meta-flow/ports.hpp"
#include "openflow/async.hpp"

using namespace ofp;

namespace {

Bytes hex(const std::string& s) {
    Bytes b;
    for (size_t i = 0; i + 1 < s.size();) {
        if (s[i] == ' ') {
            ++i;
            continue;
        }
        b.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
        i += 2;
    }
    return b;
}

std::string to_hex(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (uint8_t c : b) {
        s += d[c >> 4];
        s += d[c & 15];
    }
    return s;
}

uint16_t be16(const Bytes& b, size_t at) { return static_cast<uint16_t>(b[at] << 8 | b[at + 1]); }
uint32_t be32(const Bytes& b, size_t at) { return uint32_t{be16(b, at)} << 16 | be16(b, at + 2); }

PacketIn sample_pin() {
    PacketIn p;
    p.packet = Bytes(60, 0xab);
    p.reason = PinReason::Action;
    p.table_id = 3;
    p.cookie = 0x42;
    p.in_port = 7;
    return p;
}

}  // namespace

TEST_CASE("packet-in: OpenFlow 1.0 carries in_port, reason and the whole packet, unbuffered") {
    Bytes m = encode_packet_in(sample_pin(), kOf10, PacketInFormat::Standard);
    CHECK(m.size() == 18 + 60);
    CHECK(m[0] == kOf10);
    CHECK(m[1] == OFPT_PACKET_IN);
    CHECK(be16(m, 2) == m.size());
    CHECK(be32(m, 8) == 0xffffffff);   // no buffer
    CHECK(be16(m, 12) == 60);           // total_len
    CHECK(be16(m, 14) == 7);            // in_port
    CHECK(m[16] == OFPR_ACTION);
    CHECK(Bytes(m.begin() + 18, m.end()) == Bytes(60, 0xab));
}

TEST_CASE("packet-in: OpenFlow 1.3 has table, cookie and an OXM in_port") {
    Bytes m = encode_packet_in(sample_pin(), kOf13, PacketInFormat::Standard);
    CHECK(m[0] == kOf13);
    CHECK(m[1] == OFPT_PACKET_IN);
    CHECK(m[14] == OFPR_ACTION);
    CHECK(m[15] == 3);
    Bytes want = hex("04 0a 00 66 00 00 00 00  ff ff ff ff 00 3c 01 03  00 00 00 00 00 00 00 42"
                     "00 01 00 0c 80 00 00 04  00 00 00 07 00 00 00 00  00 00");
    Bytes data(60, 0xab);
    want.insert(want.end(), data.begin(), data.end());
    CHECK(to_hex(m) == to_hex(want));
}

TEST_CASE("packet-in: the Nicira formats") {
    Bytes m = encode_packet_in(sample_pin(), kOf10, PacketInFormat::Nxt);
    // Vendor header, nx_packet_in, NXM_OF_IN_PORT(7) padded to 8, 2 bytes, data.
    Bytes head = hex("01 04 00 6e 00 00 00 00  00 00 23 20 00 00 00 11  ff ff ff ff 00 3c 01 03"
                     "00 00 00 00 00 00 00 42  00 06 00 00 00 00 00 00  00 00 00 02 00 07 00 00"
                     "00 00");
    REQUIRE(m.size() == head.size() + 60);
    CHECK(Bytes(m.begin(), m.begin() + head.size()) == head);

    PacketIn po = sample_pin();
    po.reason = PinReason::PacketOut;
    po.cookie = kNoCookie;
    po.in_port = mf::kOfppController;
    Bytes m2 = encode_packet_in(po, kOf10, PacketInFormat::Nxt2);
    // Properties: packet (4 + 60 bytes, no padding), table id, reason, metadata;
    // no cookie for a packet-out's packet.
    Bytes want = hex("01 04 00 00 00 00 00 00  00 00 23 20 00 00 00 1e  00 00 00 40");
    Bytes data(60, 0xab);
    want.insert(want.end(), data.begin(), data.end());
    for (const char* h : {"00 03 00 05 03 00 00 00", "00 05 00 05 01 00 00 00",
                          "00 06 00 0a 00 00 00 02 ff fd 00 00 00 00 00 00"}) {
        Bytes p = hex(h);
        want.insert(want.end(), p.begin(), p.end());
    }
    want[2] = static_cast<uint8_t>(want.size() >> 8);
    want[3] = static_cast<uint8_t>(want.size());
    CHECK(to_hex(m2) == to_hex(want));

    // With a cookie: a 64-bit property, its value after 4 zero bytes.
    Bytes m3 = encode_packet_in(sample_pin(), kOf10, PacketInFormat::Nxt2);
    CHECK(to_hex(m3).find("0004001000000000" "0000000000000042") == 2 * (16 + 64 + 8));
}

TEST_CASE("packet-in: reasons on the wire") {
    CHECK(wire_reason(PinReason::ImplicitMiss, kOf10) == OFPR_NO_MATCH);
    CHECK(wire_reason(PinReason::ImplicitMiss, kOf13) == OFPR_NO_MATCH);
    CHECK(wire_reason(PinReason::ExplicitMiss, kOf10) == OFPR_ACTION);
    CHECK(wire_reason(PinReason::ExplicitMiss, kOf13) == OFPR_NO_MATCH);
    CHECK(wire_reason(PinReason::PacketOut, kOf13) == OFPR_ACTION);
}

TEST_CASE("flow-removed: 1.0, NXM and 1.3 layouts") {
    FlowRemoved fr;
    fr.match.set_uint(mf::FieldId::in_port, 2);
    fr.priority = 9;
    fr.reason = OFPRR_IDLE_TIMEOUT;
    fr.table_id = 1;
    fr.cookie = 0x7;
    fr.duration_ns = 1500000000;
    fr.idle_timeout = 1;
    fr.hard_timeout = 5;
    fr.packets = 3;
    fr.bytes = 180;

    Bytes m = encode_flow_removed(fr, kOf10, false);
    REQUIRE(m.size() == 88);
    CHECK(m[1] == OFPT_FLOW_REMOVED);
    CHECK(be16(m, 12) == 2);                   // ofp_match.in_port
    // Every wildcard but in_port (the address wildcards as 32-bit prefixes).
    CHECK(be32(m, 8) == 0x3820fe);
    CHECK(be32(m, 52) == 7);                   // cookie (low half)
    CHECK(be16(m, 56) == 9);
    CHECK(m[58] == OFPRR_IDLE_TIMEOUT);
    CHECK(be32(m, 60) == 1);
    CHECK(be32(m, 64) == 500000000);
    CHECK(be16(m, 68) == 1);
    CHECK(be32(m, 76) == 3);
    CHECK(be32(m, 84) == 180);

    Bytes n = encode_flow_removed(fr, kOf10, true);
    CHECK(n[1] == OFPT_VENDOR);
    CHECK(be32(n, 12) == NXT_FLOW_REMOVED);
    CHECK(n[27] == 1);                          // table id
    CHECK(be16(n, 38) == 6);                    // match_len: NXM_OF_IN_PORT
    CHECK(n.size() == 56 + 8);

    Bytes t = encode_flow_removed(fr, kOf13, false);
    CHECK(t[1] == OFPT_FLOW_REMOVED);
    CHECK(t[19] == 1);
    CHECK(be16(t, 30) == 5);                    // hard_timeout
    CHECK(be16(t, 48) == 1);                    // OFPMT_OXM
    CHECK(t.size() == 48 + 16);
}

TEST_CASE("port-status: reason and the 1.0 / 1.3 port description") {
    PortDesc p;
    p.port_no = mf::kOfppLocal;
    p.name = "br0";
    p.mac = mf::Mac{{2, 0, 0, 0, 0, 1}};
    p.config = 1;
    p.state = 1;
    p.curr = 1u << 6;
    p.curr_speed_kbps = p.max_speed_kbps = 10000000;
    Bytes a = encode_port_status(p, OFPPR_MODIFY, kOf10);
    REQUIRE(a.size() == 64);
    CHECK(a[8] == OFPPR_MODIFY);
    CHECK(be16(a, 16) == 0xfffe);
    CHECK(a[18] == 2);
    CHECK(std::string(a.begin() + 24, a.begin() + 27) == "br0");
    CHECK(be32(a, 40) == 1);
    CHECK(be32(a, 44) == 1);
    CHECK(be32(a, 48) == 64);
    Bytes b = encode_port_status(p, OFPPR_ADD, kOf13);
    REQUIRE(b.size() == 80);
    CHECK(be32(b, 16) == 0xfffffffe);
    CHECK(be32(b, 72) == 10000000);
}

TEST_CASE("packet-out: 1.0 and 1.3 decoding, bad ports and lengths") {
    Bytes m = hex("01 0d 00 00 00 00 00 05  ff ff ff ff ff fd 00 08  00 00 00 08 00 02 00 00  aa bb cc");
    m[3] = static_cast<uint8_t>(m.size());
    PacketOut po = decode_packet_out(m, kOf10);
    CHECK(po.buffer_id == 0xffffffff);
    CHECK(po.in_port == mf::kOfppController);
    REQUIRE(po.actions.size() == 1);
    CHECK(po.actions[0].port == 2);
    CHECK(po.packet == hex("aa bb cc"));

    Bytes bad = m;
    bad[12] = 0xff;
    bad[13] = 0x00;   // in_port 0xff00: not a port
    CHECK_THROWS_AS(decode_packet_out(bad, kOf10), OfError);
    Bytes shortlen = m;
    shortlen[15] = 0x40;   // actions_len beyond the message
    try {
        decode_packet_out(shortlen, kOf10);
        FAIL("accepted");
    } catch (const OfError& e) {
        CHECK(e.err() == Err::BadLen);
    }

    Bytes t = hex("04 0d 00 00 00 00 00 05  ff ff ff ff ff ff ff ff  00 10 00 00 00 00 00 00"
                  "00 00 00 10 ff ff ff fb  ff e5 00 00 00 00 00 00  01 02");
    t[3] = static_cast<uint8_t>(t.size());
    PacketOut p13 = decode_packet_out(t, kOf13);
    CHECK(p13.in_port == mf::kOfppNone);
    REQUIRE(p13.actions.size() == 1);
    CHECK(p13.actions[0].port == mf::kOfppFlood);
    CHECK(p13.packet == hex("01 02"));
    Bytes t2 = t;
    t2[24 + 1] = 0x19;   // OFPAT_SET_FIELD: not yet
    CHECK_THROWS_AS(decode_packet_out(t2, kOf13), OfError);
}

TEST_CASE("async configuration: defaults, decoding, reply") {
    AsyncConfig d = default_async_config(kOf13);
    CHECK(d.packet_in[0] == 3);
    CHECK(d.packet_in[1] == 0);
    CHECK(d.port_status[0] == 7);
    CHECK(d.port_status[1] == 7);
    CHECK(d.flow_removed[0] == 15);
    CHECK(d.flow_removed[1] == 0);
    Bytes body = hex("00 00 00 01 00 00 00 02  00 00 00 04 00 00 00 00  00 00 00 00 00 00 00 07");
    AsyncConfig c = decode_async_config(body);
    CHECK(c.packet_in[0] == 1);
    CHECK(c.packet_in[1] == 2);
    CHECK(c.port_status[0] == 4);
    CHECK(c.flow_removed[1] == 7);
    Bytes r = encode_get_async_reply(c, kOf13, 9);
    CHECK(r.size() == 32);
    CHECK(r[1] == OFPT13_GET_ASYNC_REPLY);
    CHECK(Bytes(r.begin() + 8, r.end()) == body);
    CHECK_THROWS_AS(decode_async_config(ByteView(body).first(20)), OfError);
}
