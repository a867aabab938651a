#include "vswitchd/of_async.hpp"

#include <linux/openvswitch.h>

#include "common/vlog.hpp"
#include "dpif/error.hpp"
#include "meta-flow/datapath_key.hpp"
#include "meta-flow/extract.hpp"
#include "meta-flow/ports.hpp"
#include "openflow/async.hpp"
#include "openflow/flow_mod.hpp"
#include "vswitchd/xlate.hpp"

VLOG_DEFINE_THIS_MODULE(ofproto);

namespace vswitchd {

namespace {

using ofp::Err;
using ofp::OfError;

// The datapath key of a packet-out's packet: what it was extracted to,
// without an input port when it claims none (the kernel then treats it as
// coming from the bridge's own port).
dpif::Bytes execute_key(const mf::Flow& flow, uint32_t dp_in_port) {
    dpif::Bytes key = mf::flow_to_key(flow, kDatapathKeyOptions);
    if (dp_in_port != kNoDpPort) return key;
    dpif::AttrWriter w;
    for (const dpif::Attr& a : dpif::parse_attrs(key))
        if (a.type != OVS_KEY_ATTR_IN_PORT) w.put(a.raw_type, a.payload);
    return w.take();
}

void packet_out(OfContext& ctx, Bridge& br, OfConn& conn, ofp::ByteView msg) {
    ofp::PacketOut po = ofp::decode_packet_out(msg, conn.version());
    if (po.buffer_id != ofp::kNoBuffer) throw OfError(Err::BufferUnknown, "this switch buffers no packets");
    if (po.packet.empty() || !br.dp_ifindex()) return;
    uint32_t dp_in = kNoDpPort;
    if (po.in_port == mf::kOfppLocal)
        dp_in = dpif::kLocalPort;
    else if (po.in_port < mf::kOfppMax)
        dp_in = po.in_port;
    mf::Flow flow = mf::extract_flow(po.packet, dp_in);
    XlateResult x = xlate_packet_out(br, flow, po.in_port, po.actions, Clock::now());
    VLOG_DBG("%s: packet-out from %s: %s", br.name().c_str(), mf::format_ofp_port(po.in_port).c_str(),
             x.trace.c_str());
    if (x.actions.empty()) return;
    try {
        ctx.dpif->execute(br.dp_ifindex(), po.packet, execute_key(flow, dp_in), x.actions);
    } catch (const dpif::Error& e) {
        static vlog::RateLimit rl(5, 10);
        VLOG_WARN_RL(rl, "%s: executing a packet-out failed: %s", br.name().c_str(), e.what());
    }
}

}  // namespace

bool handle_async_request(OfContext& ctx, Bridge& br, OfConn& conn, const ofp::Header& h, ofp::ByteView msg) {
    const uint8_t v = conn.version();
    const ofp::ByteView body = msg.subspan(ofp::kHeaderLen);
    if (h.type == ofp::OFPT_PACKET_OUT) {
        packet_out(ctx, br, conn, msg);
        return true;
    }
    if (v != ofp::kOf10 && h.type == ofp::OFPT13_SET_ASYNC) {
        conn.async = ofp::decode_async_config(body);
        return true;
    }
    if (v != ofp::kOf10 && h.type == ofp::OFPT13_GET_ASYNC_REQUEST) {
        conn.send(ofp::encode_get_async_reply(conn.async_config(), v, h.xid));
        return true;
    }
    if (h.type != ofp::OFPT_VENDOR || body.size() < 8) return false;
    ofp::Reader r(body);
    if (r.u32() != ofp::kNxVendor) return false;
    switch (r.u32()) {
    case ofp::NXT_SET_PACKET_IN_FORMAT: {
        const uint32_t f = r.u32();
        if (f > static_cast<uint32_t>(ofp::PacketInFormat::Nxt2))
            throw OfError(Err::Eperm, "unknown packet-in format " + std::to_string(f));
        conn.packet_in_format = static_cast<ofp::PacketInFormat>(f);
        return true;
    }
    case ofp::NXT_SET_ASYNC_CONFIG:
        conn.async = ofp::decode_async_config(r.rest());
        return true;
    }
    return false;
}

}  // namespace vswitchd
