#include "openflow/flow_mod.hpp"

#include "meta-flow/nxm.hpp"
#include "openflow/match10.hpp"

namespace ofp {

namespace {

Err nxm_err(mf::NxmErr e) {
    switch (e) {
    case mf::NxmErr::bad_len: return Err::BadMatchLen;
    case mf::NxmErr::bad_field: return Err::BadMatchField;
    case mf::NxmErr::bad_wildcards: return Err::BadMatchWildcards;
    case mf::NxmErr::bad_mask: return Err::BadMatchMask;
    case mf::NxmErr::bad_value: return Err::BadMatchValue;
    case mf::NxmErr::bad_prereq: return Err::BadMatchPrereq;
    case mf::NxmErr::dup_field: return Err::DupMatchField;
    case mf::NxmErr::bad_type: return Err::BadMatchType;
    }
    return Err::NxmInvalid;
}

// An NXM match of `len` bytes plus its padding to 8.
mf::Match read_nxm(Reader& r, uint16_t len, mf::NxmCookie* cookie) {
    ByteView entries = r.take(len);
    r.skip(std::min<size_t>((8 - len % 8) % 8, r.left()));
    try {
        return mf::nxm_decode(entries, true, cookie);
    } catch (const mf::NxmError& e) {
        throw OfError(nxm_err(e.code()), e.what());
    } catch (const std::exception& e) {
        throw OfError(Err::NxmInvalid, e.what());
    }
}

void set_command(FlowMod& fm, uint16_t command, bool table_id_ext) {
    if (table_id_ext) {
        fm.command = static_cast<uint8_t>(command & 0xff);
        fm.table_id = static_cast<uint8_t>(command >> 8);
    } else {
        if (command > 0xff) throw OfError(Err::BadFlowCommand, "flow_mod names a table without NXT_FLOW_MOD_TABLE_ID");
        fm.command = static_cast<uint8_t>(command);
        fm.table_id = kTableAll;
    }
    if (fm.command > OFPFC_DELETE_STRICT)
        throw OfError(Err::BadFlowCommand, "unknown flow_mod command " + std::to_string(fm.command));
}

void finish(FlowMod& fm) {
    fm.modify_cookie = fm.new_cookie != ~0ULL;
    fm.modify_may_add = fm.new_cookie != ~0ULL && fm.cookie_mask == 0;
    if (fm.flags & OFPFF10_EMERG) throw OfError(Err::FlowUnsupported, "emergency flows are not supported");
    if (fm.flags & ~(OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP))
        throw OfError(Err::BadFlowFlags, "unsupported flow_mod flags");
}

}  // namespace

FlowMod decode_flow_mod10(ByteView msg, bool table_id_ext) {
    Reader r(msg.subspan(kHeaderLen));
    FlowMod fm;
    if (r.left() < kMatch10Len + 24) throw OfError(Err::BadLen, "flow_mod too short");
    const bool exact = match10_exact(r.rest());
    fm.match = match10_decode(r);
    fm.new_cookie = r.u64();
    set_command(fm, r.u16(), table_id_ext);
    fm.idle_timeout = r.u16();
    fm.hard_timeout = r.u16();
    const uint16_t prio = r.u16();
    fm.priority = exact ? 0xffff : prio;
    fm.buffer_id = r.u32();
    fm.out_port = r.u16();
    fm.flags = r.u16();
    fm.actions = actions10_decode(r.rest());
    finish(fm);
    return fm;
}

FlowMod decode_nx_flow_mod(ByteView msg, bool table_id_ext) {
    Reader r(msg.subspan(16));
    FlowMod fm;
    fm.new_cookie = r.u64();
    set_command(fm, r.u16(), table_id_ext);
    fm.idle_timeout = r.u16();
    fm.hard_timeout = r.u16();
    fm.priority = r.u16();
    fm.buffer_id = r.u32();
    fm.out_port = r.u16();
    fm.flags = r.u16();
    const uint16_t match_len = r.u16();
    r.skip(6);
    mf::NxmCookie c;
    fm.match = read_nxm(r, match_len, &c);
    fm.cookie = c.cookie;
    fm.cookie_mask = c.mask;
    if (fm.command == OFPFC_ADD && fm.cookie_mask)
        throw OfError(Err::NxmInvalid, "a flow addition may not match on a cookie");
    fm.actions = actions10_decode(r.rest());
    finish(fm);
    return fm;
}

FlowStatsRequest decode_flow_stats_request10(ByteView body) {
    Reader r(body);
    FlowStatsRequest q;
    q.match = match10_decode(r);
    q.table_id = r.u8();
    r.skip(1);
    q.out_port = r.u16();
    return q;
}

FlowStatsRequest decode_nx_flow_stats_request(ByteView body) {
    Reader r(body);
    FlowStatsRequest q;
    q.out_port = r.u16();
    const uint16_t match_len = r.u16();
    q.table_id = r.u8();
    r.skip(3);
    mf::NxmCookie c;
    q.match = read_nxm(r, match_len, &c);
    q.cookie = c.cookie;
    q.cookie_mask = c.mask;
    return q;
}

}  // namespace ofp
