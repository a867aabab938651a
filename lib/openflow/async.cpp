#include "openflow/async.hpp"

#include <algorithm>

#include "meta-flow/field.hpp"
#include "meta-flow/nxm.hpp"
#include "meta-flow/ports.hpp"
#include "openflow/flow_mod.hpp"
#include "openflow/match10.hpp"

namespace ofp {

namespace {

// NXT_PACKET_IN2 property types.
enum : uint16_t {
    NXPINT_PACKET = 0, NXPINT_FULL_LEN = 1, NXPINT_BUFFER_ID = 2, NXPINT_TABLE_ID = 3, NXPINT_COOKIE = 4,
    NXPINT_REASON = 5, NXPINT_METADATA = 6,
};

// The pipeline metadata a packet-in carries: the input port (registers,
// tunnel and metadata fields are always zero here, and zero ones are left
// out as Open vSwitch does).
mf::Match metadata_match(uint16_t in_port) {
    mf::Match m;
    m.set_uint(mf::FieldId::in_port, in_port);
    return m;
}

void vendor_header(Writer& w, uint8_t version, uint32_t subtype) {
    w.start(version, OFPT_VENDOR, 0);
    w.u32(kNxVendor);
    w.u32(subtype);
}

// One property: type, length (without padding), value, padded to 8.
void property(Writer& w, uint16_t type, ByteView value) {
    w.u16(type);
    w.u16(static_cast<uint16_t>(4 + value.size()));
    w.bytes(value);
    w.pad_to(8);
}

Bytes be(uint64_t v, size_t n) {
    Bytes b(n);
    for (size_t i = 0; i < n; ++i) b[n - 1 - i] = static_cast<uint8_t>(v >> (8 * i));
    return b;
}

}  // namespace

uint8_t wire_reason(PinReason r, uint8_t version) {
    switch (r) {
    case PinReason::ImplicitMiss: return OFPR_NO_MATCH;
    case PinReason::ExplicitMiss: return version < kOf13 ? OFPR_ACTION : OFPR_NO_MATCH;
    case PinReason::Action:
    case PinReason::PacketOut: return OFPR_ACTION;
    }
    return OFPR_ACTION;
}

Bytes encode_packet_in(const PacketIn& pin, uint8_t version, PacketInFormat format) {
    const uint8_t reason = wire_reason(pin.reason, version);
    const uint16_t total_len = static_cast<uint16_t>(std::min<size_t>(pin.packet.size(), 0xffff));
    Writer w;
    if (format == PacketInFormat::Nxt2) {
        vendor_header(w, version, NXT_PACKET_IN2);
        property(w, NXPINT_PACKET, pin.packet);
        const uint8_t table = pin.table_id;
        property(w, NXPINT_TABLE_ID, ByteView(&table, 1));
        // A 64-bit property value is aligned: 4 zero bytes first.
        if (pin.cookie != kNoCookie) {
            Bytes v(4, 0);
            Bytes c = be(pin.cookie, 8);
            v.insert(v.end(), c.begin(), c.end());
            property(w, NXPINT_COOKIE, v);
        }
        property(w, NXPINT_REASON, ByteView(&reason, 1));
        property(w, NXPINT_METADATA, mf::nxm_encode(metadata_match(pin.in_port), version >= kOf13 ? version : 0));
        return w.finish();
    }
    if (format == PacketInFormat::Nxt && version == kOf10) {
        vendor_header(w, version, NXT_PACKET_IN);
        w.u32(kNoBuffer);
        w.u16(total_len);
        w.u8(reason);
        w.u8(pin.table_id);
        w.u64(pin.cookie);
        Bytes m = mf::nxm_encode(metadata_match(pin.in_port), 0);
        w.u16(static_cast<uint16_t>(m.size()));
        w.zeros(6);
        w.bytes(m);
        w.pad_to(8);
        w.zeros(2);
        w.bytes(pin.packet);
        return w.finish();
    }
    if (version == kOf10) {
        w.start(version, OFPT_PACKET_IN, 0);
        w.u32(kNoBuffer);
        w.u16(total_len);
        w.u16(pin.in_port);
        w.u8(reason);
        w.u8(0);
        w.bytes(pin.packet);
        return w.finish();
    }
    // OpenFlow 1.3 (also for the Nicira format, as Open vSwitch does on 1.1+).
    w.start(version, OFPT_PACKET_IN, 0);
    w.u32(kNoBuffer);
    w.u16(total_len);
    w.u8(reason);
    w.u8(pin.table_id);
    w.u64(pin.cookie);
    w.bytes(mf::oxm_match_encode(metadata_match(pin.in_port), version));
    w.zeros(2);
    w.bytes(pin.packet);
    return w.finish();
}

Bytes encode_flow_removed(const FlowRemoved& fr, uint8_t version, bool nxm) {
    const uint32_t sec = static_cast<uint32_t>(fr.duration_ns / 1000000000);
    const uint32_t nsec = static_cast<uint32_t>(fr.duration_ns % 1000000000);
    Writer w;
    if (version == kOf10 && nxm) {
        vendor_header(w, version, NXT_FLOW_REMOVED);
        w.u64(fr.cookie);
        w.u16(fr.priority);
        w.u8(fr.reason);
        w.u8(fr.table_id);
        w.u32(sec);
        w.u32(nsec);
        w.u16(fr.idle_timeout);
        Bytes m = mf::nxm_encode(fr.match, 0);
        w.u16(static_cast<uint16_t>(m.size()));
        w.u64(fr.packets);
        w.u64(fr.bytes);
        w.bytes(m);
        w.pad_to(8);
        return w.finish();
    }
    w.start(version, OFPT_FLOW_REMOVED, 0);
    if (version == kOf10) {
        match10_encode(fr.match, w);
        w.u64(fr.cookie);
        w.u16(fr.priority);
        w.u8(fr.reason);
        w.u8(0);
        w.u32(sec);
        w.u32(nsec);
        w.u16(fr.idle_timeout);
        w.zeros(2);
        w.u64(fr.packets);
        w.u64(fr.bytes);
        return w.finish();
    }
    w.u64(fr.cookie);
    w.u16(fr.priority);
    w.u8(fr.reason);
    w.u8(fr.table_id);
    w.u32(sec);
    w.u32(nsec);
    w.u16(fr.idle_timeout);
    w.u16(fr.hard_timeout);
    w.u64(fr.packets);
    w.u64(fr.bytes);
    w.bytes(mf::oxm_match_encode(fr.match, version));
    return w.finish();
}

void put_port10(Writer& w, const PortDesc& p) {
    w.u16(p.port_no);
    w.bytes(p.mac.b, 6);
    w.str(p.name, 16);
    w.u32(p.config);
    w.u32(p.state);
    w.u32(p.curr);
    w.u32(p.advertised);
    w.u32(p.supported);
    w.u32(p.peer);
}

void put_port13(Writer& w, const PortDesc& p) {
    w.u32(mf::ofp10_to_ofp11_port(p.port_no));
    w.zeros(4);
    w.bytes(p.mac.b, 6);
    w.zeros(2);
    w.str(p.name, 16);
    w.u32(p.config);
    // OFPPS_LIVE (1.1+) for a port whose link is up.
    w.u32(p.state & 1 ? p.state : p.state | 4);
    w.u32(p.curr);
    w.u32(p.advertised);
    w.u32(p.supported);
    w.u32(p.peer);
    w.u32(p.curr_speed_kbps);
    w.u32(p.max_speed_kbps);
}

Bytes encode_port_status(const PortDesc& p, uint8_t reason, uint8_t version) {
    Writer w(version, OFPT_PORT_STATUS, 0);
    w.u8(reason);
    w.zeros(7);
    if (version == kOf10)
        put_port10(w, p);
    else
        put_port13(w, p);
    return w.finish();
}

namespace {

// OpenFlow 1.3 actions of a packet-out: output only for now.
Actions actions13_output_only(ByteView b) {
    Actions out;
    Reader r(b, Err::BadActionLen);
    if (b.size() % 8) throw OfError(Err::BadActionLen, "action list not a multiple of 8 bytes");
    while (r.left()) {
        const uint16_t type = r.u16();
        const uint16_t len = r.u16();
        if (len < 8 || len % 8 || len - 4u > r.left()) throw OfError(Err::BadActionLen, "bad action length");
        if (type != 0) throw OfError(Err::BadActionType, "unsupported action type " + std::to_string(type));
        if (len != 16) throw OfError(Err::BadActionLen, "output action of the wrong length");
        Action a;
        a.kind = Action::Kind::Output;
        const uint32_t port = r.u32();
        a.max_len = r.u16();
        r.skip(6);
        auto p10 = mf::ofp11_to_ofp10_port(port);
        if (!p10 || (*p10 >= mf::kOfppMax && *p10 != mf::kOfppInPort && *p10 != mf::kOfppNormal &&
                     *p10 != mf::kOfppFlood && *p10 != mf::kOfppAll && *p10 != mf::kOfppController &&
                     *p10 != mf::kOfppLocal))
            throw OfError(Err::BadOutPort, "output to port " + std::to_string(port));
        a.port = *p10;
        out.push_back(a);
    }
    return out;
}

bool valid_packet_out_in_port(uint16_t p) {
    return p < mf::kOfppMax || p == mf::kOfppLocal || p == mf::kOfppController || p == mf::kOfppNone;
}

}  // namespace

PacketOut decode_packet_out(ByteView msg, uint8_t version) {
    Reader r(msg.subspan(kHeaderLen));
    PacketOut po;
    po.buffer_id = r.u32();
    ByteView acts;
    if (version == kOf10) {
        po.in_port = r.u16();
        const uint16_t alen = r.u16();
        acts = r.take(alen);
        if (!valid_packet_out_in_port(po.in_port))
            throw OfError(Err::BadPort, "packet-out from port " + std::to_string(po.in_port));
        po.actions = actions10_decode(acts);
    } else {
        const uint32_t in11 = r.u32();
        const uint16_t alen = r.u16();
        r.skip(6);
        acts = r.take(alen);
        auto p = mf::ofp11_to_ofp10_port(in11);
        if (!p || !valid_packet_out_in_port(*p))
            throw OfError(Err::BadPort, "packet-out from port " + std::to_string(in11));
        po.in_port = *p;
        po.actions = actions13_output_only(acts);
    }
    ByteView data = r.rest();
    po.packet.assign(data.begin(), data.end());
    return po;
}

AsyncConfig default_async_config(uint8_t /*version*/) {
    AsyncConfig c;
    c.packet_in[0] = 1u << OFPR_NO_MATCH | 1u << OFPR_ACTION;
    c.port_status[0] = c.port_status[1] = 1u << OFPPR_ADD | 1u << OFPPR_DELETE | 1u << OFPPR_MODIFY;
    c.flow_removed[0] = 1u << OFPRR_IDLE_TIMEOUT | 1u << OFPRR_HARD_TIMEOUT | 1u << OFPRR_DELETE |
                        1u << OFPRR_GROUP_DELETE;
    return c;
}

AsyncConfig decode_async_config(ByteView body) {
    Reader r(body);
    if (body.size() != 24) throw OfError(Err::BadLen, "async configuration of the wrong length");
    AsyncConfig c;
    for (auto* a : {&c.packet_in, &c.port_status, &c.flow_removed}) {
        (*a)[0] = r.u32();
        (*a)[1] = r.u32();
    }
    return c;
}

Bytes encode_get_async_reply(const AsyncConfig& c, uint8_t version, uint32_t xid) {
    Writer w(version, OFPT13_GET_ASYNC_REPLY, xid);
    for (const auto* a : {&c.packet_in, &c.port_status, &c.flow_removed}) {
        w.u32((*a)[0]);
        w.u32((*a)[1]);
    }
    return w.finish();
}

}  // namespace ofp
