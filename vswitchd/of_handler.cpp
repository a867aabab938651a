#include "vswitchd/of_handler.hpp"

#include <algorithm>
#include <cstring>

#include "meta-flow/field.hpp"
#include "meta-flow/nxm.hpp"
#include "meta-flow/ports.hpp"
#include "openflow/flow_mod.hpp"
#include "openflow/match10.hpp"
#include "openflow/msg_len.hpp"
#include "vswitchd/of_async.hpp"
#include "vswitchd/of_ports.hpp"

namespace vswitchd {

namespace {

using ofp::ByteView;
using ofp::Bytes;
using ofp::Err;
using ofp::OfError;
using ofp::Reader;
using ofp::Writer;

constexpr uint32_t kCapabilities10 = 0x01 | 0x02 | 0x04 | 0x40 | 0x80;  // FLOW, TABLE, PORT, QUEUE stats, ARP_MATCH_IP
constexpr uint32_t kCapabilities13 = 0x01 | 0x02 | 0x04 | 0x08 | 0x40;   // + GROUP_STATS, as Open vSwitch
// output, set_vlan_vid, set_vlan_pcp, strip_vlan, set_dl_src, set_dl_dst,
// set_nw_src, set_nw_dst, set_nw_tos, set_tp_src, set_tp_dst (not enqueue)
constexpr uint32_t kActions10 = 0x7ff;
constexpr uint64_t kUnknown = ~0ULL;

uint64_t datapath_id(OfContext& ctx, const Bridge& br) {
    if (br.datapath_id()) return *br.datapath_id();
    uint64_t id = 0;
    if (auto dev = ctx.dpif->netdevs().get(br.name(), false))
        for (uint8_t b : dev->mac) id = id << 8 | b;
    return id;
}

// A statistics / multipart reply, split into several messages (with the
// "more" flag) when it would not fit in one.
class StatsReply {
public:
    StatsReply(OfConn& conn, uint32_t xid, uint16_t type, ByteView extra = {})
        : conn_(conn), xid_(xid), type_(type), extra_(extra.begin(), extra.end()) {
        begin();
    }
    void entry(const Bytes& e) {
        if (w_.size() + e.size() > ofp::kMaxMessageLen) {
            w_.set_u16(10, ofp::kStatsReplyMore);
            conn_.send(w_.finish());
            begin();
        }
        w_.bytes(e);
    }
    Writer& body() { return w_; }
    void done() { conn_.send(w_.finish()); }

private:
    void begin() {
        const uint8_t v = conn_.version();
        w_.start(v, static_cast<uint8_t>(v == ofp::kOf10 ? +ofp::OFPT10_STATS_REPLY : +ofp::OFPT13_MULTIPART_REPLY), xid_);
        w_.u16(type_);
        w_.u16(0);
        if (v != ofp::kOf10) w_.zeros(4);
        w_.bytes(extra_);
    }
    OfConn& conn_;
    uint32_t xid_;
    uint16_t type_;
    Bytes extra_;
    Writer w_;
};

uint16_t age_field(ofp::Clock::duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    const long long s = (ms + 500) / 1000;
    return static_cast<uint16_t>(std::min<long long>(s + 1, 0xffff));
}

void put_duration(Writer& w, ofp::Clock::duration d) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
    w.u32(static_cast<uint32_t>(ns / 1000000000));
    w.u32(static_cast<uint32_t>(ns % 1000000000));
}

Bytes nx_flow_stats(const ofp::FlowRule& r, ofp::Clock::time_point now) {
    Writer w;
    w.u16(0);   // length, below
    w.u8(r.table_id);
    w.u8(0);
    put_duration(w, now - r.created);
    w.u16(r.priority);
    w.u16(r.idle_timeout);
    w.u16(r.hard_timeout);
    Bytes m = mf::nxm_encode(r.match, 0);
    w.u16(static_cast<uint16_t>(m.size()));
    w.u16(age_field(now - r.used));
    w.u16(age_field(now - r.modified));
    w.u64(r.cookie);
    w.u64(r.packets);
    w.u64(r.bytes);
    w.bytes(m);
    w.pad_to(8);
    ofp::actions10_encode(r.actions, w);
    w.set_u16(0, static_cast<uint16_t>(w.size()));
    return std::move(w.raw());
}

Bytes flow_stats10(const ofp::FlowRule& r, ofp::Clock::time_point now) {
    Writer w;
    w.u16(0);
    w.u8(r.table_id);
    w.u8(0);
    ofp::match10_encode(r.match, w);
    put_duration(w, now - r.created);
    w.u16(r.priority);
    w.u16(r.idle_timeout);
    w.u16(r.hard_timeout);
    w.zeros(6);
    w.u64(r.cookie);
    w.u64(r.packets);
    w.u64(r.bytes);
    ofp::actions10_encode(r.actions, w);
    w.set_u16(0, static_cast<uint16_t>(w.size()));
    return std::move(w.raw());
}

Bytes flow_stats13(const ofp::FlowRule& r, ofp::Clock::time_point now) {
    Writer w;
    w.u16(0);
    w.u8(r.table_id);
    w.u8(0);
    put_duration(w, now - r.created);
    w.u16(r.priority);
    w.u16(r.idle_timeout);
    w.u16(r.hard_timeout);
    w.u16(r.flags);
    w.zeros(4);
    w.u64(r.cookie);
    w.u64(r.packets);
    w.u64(r.bytes);
    w.bytes(mf::oxm_match_encode(r.match, mf::kOfp13));
    ofp::instructions13_encode(r.actions, r.match, w);
    w.set_u16(0, static_cast<uint16_t>(w.size()));
    return std::move(w.raw());
}

void flow_stats(OfConn& conn, const Bridge& br, uint32_t xid, const ofp::FlowStatsRequest& q, bool nx,
                bool aggregate) {
    const auto now = ofp::Clock::now();
    std::vector<const ofp::FlowRule*> rules = br.flows().select(q);
    std::stable_sort(rules.begin(), rules.end(), [](const ofp::FlowRule* a, const ofp::FlowRule* b) {
        return a->table_id != b->table_id ? a->table_id < b->table_id : a->priority > b->priority;
    });
    Bytes extra;
    if (nx) {
        Writer e;
        e.u32(ofp::kNxVendor);
        e.u32(aggregate ? ofp::NXST_AGGREGATE : ofp::NXST_FLOW);
        e.zeros(4);
        extra = std::move(e.raw());
    }
    StatsReply rep(conn, xid, nx ? ofp::OFPST_VENDOR : (aggregate ? ofp::OFPST_AGGREGATE : ofp::OFPST_FLOW), extra);
    if (aggregate) {
        uint64_t pk = 0, by = 0;
        for (const auto* r : rules) {
            pk += r->packets;
            by += r->bytes;
        }
        rep.body().u64(pk);
        rep.body().u64(by);
        rep.body().u32(static_cast<uint32_t>(rules.size()));
        rep.body().zeros(4);
    } else {
        for (const auto* r : rules)
            rep.entry(nx ? nx_flow_stats(*r, now)
                         : conn.version() == ofp::kOf10 ? flow_stats10(*r, now) : flow_stats13(*r, now));
    }
    rep.done();
}

void port_stats(OfContext& ctx, OfConn& conn, const Bridge& br, uint32_t xid, uint32_t want) {
    StatsReply rep(conn, xid, ofp::OFPST_PORT);
    const bool v10 = conn.version() == ofp::kOf10;
    for (const OfPort& p : of_ports(*ctx.dpif, br)) {
        const uint32_t no = v10 ? p.desc.port_no : mf::ofp10_to_ofp11_port(p.desc.port_no);
        if (want != (v10 ? 0xffffu : 0xffffffffu) && want != no) continue;
        dpif::VportStats s;
        std::optional<dpif::VportInfo> vp;
        try {
            vp = ctx.dpif->get_vport(br.dp_ifindex(), p.dp_port);
        } catch (const std::exception&) {
        }
        if (vp && vp->stats) s = *vp->stats;
        Writer w;
        if (v10) {
            w.u16(static_cast<uint16_t>(no));
            w.zeros(6);
        } else {
            w.u32(no);
            w.zeros(4);
        }
        for (uint64_t v : {s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes, s.rx_dropped, s.tx_dropped,
                           s.rx_errors, s.tx_errors, kUnknown, kUnknown, kUnknown, kUnknown})
            w.u64(v);
        if (!v10) put_duration(w, Clock::now() - br.port_created(p.dp_port));
        rep.entry(w.raw());
    }
    rep.done();
}

void table_stats(OfConn& conn, const Bridge& br, uint32_t xid) {
    StatsReply rep(conn, xid, ofp::OFPST_TABLE);
    for (unsigned t = 0; t < ofp::kNumTables; ++t) {
        const uint8_t id = static_cast<uint8_t>(t);
        Writer w;
        w.u8(id);
        w.zeros(3);
        if (conn.version() == ofp::kOf10) {
            w.str("", 32);
            w.u32(ofp::kOfpfw10All);
            w.u32(1000000);
        }
        w.u32(static_cast<uint32_t>(br.flows().table_size(id)));
        w.u64(br.flows().lookups(id));
        w.u64(br.flows().matched(id));
        rep.entry(w.raw());
    }
    rep.done();
}

// OpenFlow 1.3 table features: what each table matches, wildcards, sets and
// which instructions and actions it takes -- every property OpenFlow 1.3
// requires, from lib/meta-flow's catalogue and what lib/openflow decodes.
// ovs-ofctl asks for them (for table names) before parsing any flow in 1.3.
void put_property(Writer& w, uint16_t type, const Writer& body) {
    w.u16(type);
    w.u16(static_cast<uint16_t>(4 + body.size()));
    w.bytes(const_cast<Writer&>(body).raw());
    w.pad_to(8);
}

uint32_t oxm_header(const mf::FieldDesc& f, bool masked) {
    const auto h = mf::field_header(f.id, mf::kOfp13);
    return static_cast<uint32_t>(h->oxm_class) << 16 | static_cast<uint32_t>(h->oxm_field) << 9 |
           (masked ? 0x100u : 0u) | (masked ? 2u * f.n_bytes : f.n_bytes);
}

Bytes table_features13(uint8_t id) {
    enum : uint16_t {
        INSTRUCTIONS = 0, NEXT_TABLES = 2, WRITE_ACTIONS = 4, APPLY_ACTIONS = 6, MATCH = 8, WILDCARDS = 10,
        WRITE_SETFIELD = 12, APPLY_SETFIELD = 14,
    };
    Writer w;
    w.u16(0);
    w.u8(id);
    w.zeros(5);
    w.str("", 32);
    w.u64(0);   // metadata_match, metadata_write: no metadata
    w.u64(0);
    w.u32(0);   // config
    w.u32(1000000);
    Writer inst, none, acts, match, wild, sets;
    for (uint16_t t : {3, 4, 5}) inst.u16(t), inst.u16(4);   // write, apply, clear
    for (uint16_t t : {0, 17, 18, 25}) acts.u16(t), acts.u16(4);   // output, push/pop_vlan, set_field
    for (const mf::FieldDesc& f : mf::all_fields()) {
        const auto h = mf::field_header(f.id, mf::kOfp13);
        if (!h || h->is_experimenter()) continue;
        match.u32(oxm_header(f, f.maskable != mf::Maskable::none));
        wild.u32(oxm_header(f, false));
    }
    for (mf::FieldId f : {mf::FieldId::eth_src, mf::FieldId::eth_dst, mf::FieldId::vlan_vid, mf::FieldId::vlan_pcp})
        sets.u32(oxm_header(mf::field(f), false));
    put_property(w, INSTRUCTIONS, inst);
    put_property(w, NEXT_TABLES, none);   // no goto_table
    put_property(w, WRITE_ACTIONS, acts);
    put_property(w, APPLY_ACTIONS, acts);
    put_property(w, MATCH, match);
    put_property(w, WILDCARDS, wild);
    put_property(w, WRITE_SETFIELD, sets);
    put_property(w, APPLY_SETFIELD, sets);
    w.set_u16(0, static_cast<uint16_t>(w.size()));
    return std::move(w.raw());
}

void desc_stats(OfConn& conn, const Bridge& br, uint32_t xid) {
    StatsReply rep(conn, xid, ofp::OFPST_DESC);
    Writer& w = rep.body();
    w.str("vswitch", 256);
    w.str("vswitch (Open vSwitch compatible)", 256);
    w.str(VSWITCH_VERSION, 256);
    w.str("None", 32);
    w.str(br.name(), 256);
    rep.done();
}

void handle_stats(OfContext& ctx, Bridge& br, OfConn& conn, const ofp::Header& h, ByteView msg) {
    const bool v10 = conn.version() == ofp::kOf10;
    Reader r(msg.subspan(ofp::kHeaderLen));
    const uint16_t type = r.u16();
    r.u16();   // flags
    if (!v10) r.skip(4);
    switch (type) {
    case ofp::OFPST_DESC:
        desc_stats(conn, br, h.xid);
        return;
    case ofp::OFPST_TABLE:
        table_stats(conn, br, h.xid);
        return;
    case ofp::OFPST_PORT: {
        const uint32_t port = v10 ? r.u16() : r.u32();
        port_stats(ctx, conn, br, h.xid, port);
        return;
    }
    case ofp::OFPST_QUEUE: {
        StatsReply rep(conn, h.xid, ofp::OFPST_QUEUE);   // no queues
        rep.done();
        return;
    }
    case ofp::OFPMP_TABLE_FEATURES: {
        if (v10) break;
        if (r.left()) throw OfError(Err::TableFeaturesEperm, "table features cannot be changed");
        StatsReply rep(conn, h.xid, ofp::OFPMP_TABLE_FEATURES);
        for (unsigned t = 0; t < ofp::kNumTables; ++t) rep.entry(table_features13(static_cast<uint8_t>(t)));
        rep.done();
        return;
    }
    case ofp::OFPST_PORT_DESC: {
        StatsReply rep(conn, h.xid, ofp::OFPST_PORT_DESC);
        for (const OfPort& p : of_ports(*ctx.dpif, br)) {
            Writer w;
            if (v10)
                ofp::put_port10(w, p.desc);
            else
                ofp::put_port13(w, p.desc);
            rep.entry(w.raw());
        }
        rep.done();
        return;
    }
    case ofp::OFPST_FLOW:
    case ofp::OFPST_AGGREGATE:
        flow_stats(conn, br, h.xid,
                   v10 ? ofp::decode_flow_stats_request10(r.rest()) : ofp::decode_flow_stats_request13(r.rest()),
                   false, type == ofp::OFPST_AGGREGATE);
        return;
    case ofp::OFPST_VENDOR: {
        const uint32_t vendor = r.u32();
        if (vendor != ofp::kNxVendor) throw OfError(Err::BadVendor, "unknown vendor statistics");
        const uint32_t sub = r.u32();
        r.skip(4);
        if (sub != ofp::NXST_FLOW && sub != ofp::NXST_AGGREGATE)
            throw OfError(Err::BadSubtype, "unknown Nicira statistics " + std::to_string(sub));
        flow_stats(conn, br, h.xid, ofp::decode_nx_flow_stats_request(r.rest()), true, sub == ofp::NXST_AGGREGATE);
        return;
    }
    }
    throw OfError(Err::BadStat, "unsupported statistics type " + std::to_string(type));
}

void flow_mod(OfContext& ctx, Bridge& br, const ofp::FlowMod& fm) {
    br.flows().apply(fm, ofp::Clock::now());
    if (ctx.flows_changed) ctx.flows_changed(br);
    if (fm.buffer_id != ofp::kNoBuffer) throw OfError(Err::BufferUnknown, "this switch buffers no packets");
}

void handle_vendor(OfContext& ctx, Bridge& br, OfConn& conn, ByteView msg) {
    Reader r(msg.subspan(ofp::kHeaderLen));
    if (r.u32() != ofp::kNxVendor) throw OfError(Err::BadVendor, "unknown vendor");
    const uint32_t sub = r.u32();
    switch (sub) {
    case ofp::NXT_SET_FLOW_FORMAT: {
        const uint32_t f = r.u32();
        if (f != ofp::NXFF_OPENFLOW10 && f != ofp::NXFF_NXM) throw OfError(Err::Eperm, "unsupported flow format");
        conn.nxm_flow_format = f == ofp::NXFF_NXM;
        return;
    }
    case ofp::NXT_FLOW_MOD_TABLE_ID:
        conn.flow_mod_table_id = r.u8() != 0;
        return;
    case ofp::NXT_FLOW_MOD:
        flow_mod(ctx, br, ofp::decode_nx_flow_mod(msg, conn.flow_mod_table_id));
        return;
    case ofp::NXT_SET_CONTROLLER_ID:
        r.skip(4);
        return;
    }
    throw OfError(Err::BadSubtype, "unsupported Nicira message " + std::to_string(sub));
}

}  // namespace

void handle_openflow(OfContext& ctx, const std::string& bridge, OfConn& conn, const ofp::Header& h, ByteView msg) {
    Bridge* br = ctx.bridge(bridge);
    if (!br) throw OfError(Err::Eperm, "bridge " + bridge + " is gone");
    const uint8_t v = conn.version();
    const bool v10 = v == ofp::kOf10;
    ofp::check_length(msg);
    if (handle_async_request(ctx, *br, conn, h, msg)) return;
    switch (h.type) {
    case ofp::OFPT_FEATURES_REQUEST: {
        Writer w(v, ofp::OFPT_FEATURES_REPLY, h.xid);
        w.u64(datapath_id(ctx, *br));
        w.u32(0);              // n_buffers
        w.u8(ofp::kNumTables);
        if (v10) {
            w.zeros(3);
            w.u32(kCapabilities10);
            w.u32(kActions10);
            for (const OfPort& p : of_ports(*ctx.dpif, *br)) ofp::put_port10(w, p.desc);
        } else {
            w.u8(0);           // auxiliary_id
            w.zeros(2);
            w.u32(kCapabilities13);
            w.u32(0);
        }
        conn.send(w.finish());
        return;
    }
    case ofp::OFPT_GET_CONFIG_REQUEST: {
        Writer w(v, ofp::OFPT_GET_CONFIG_REPLY, h.xid);
        w.u16(conn.config_flags);
        w.u16(conn.miss_send_len);
        conn.send(w.finish());
        return;
    }
    case ofp::OFPT_SET_CONFIG: {
        Reader r(msg.subspan(ofp::kHeaderLen));
        const uint16_t flags = r.u16();
        const uint16_t msl = r.u16();
        conn.config_flags = flags & 3;   // fragment handling
        conn.miss_send_len = msl;
        return;
    }
    case ofp::OFPT_VENDOR:
        handle_vendor(ctx, *br, conn, msg);
        return;
    case ofp::OFPT_FLOW_MOD:
        flow_mod(ctx, *br, v10 ? ofp::decode_flow_mod10(msg, conn.flow_mod_table_id) : ofp::decode_flow_mod13(msg));
        return;
    }
    if (v10) {
        switch (h.type) {
        case ofp::OFPT10_STATS_REQUEST:
            handle_stats(ctx, *br, conn, h, msg);
            return;
        case ofp::OFPT10_BARRIER_REQUEST:
            conn.send(Writer(v, ofp::OFPT10_BARRIER_REPLY, h.xid).finish());
            return;
        }
    } else {
        switch (h.type) {
        case ofp::OFPT13_MULTIPART_REQUEST:
            handle_stats(ctx, *br, conn, h, msg);
            return;
        case ofp::OFPT13_BARRIER_REQUEST:
            conn.send(Writer(v, ofp::OFPT13_BARRIER_REPLY, h.xid).finish());
            return;
        }
    }
    throw OfError(Err::BadType, "unsupported message " + ofp::type_name(v, h.type));
}

}  // namespace vswitchd
