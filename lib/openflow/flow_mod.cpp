#include "openflow/flow_mod.hpp"

#include "meta-flow/nxm.hpp"
#include "meta-flow/ports.hpp"
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
    if (len > r.left()) throw OfError(Err::BadMatchLen, "nx_match longer than the message");
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

// OpenFlow 1.0 and Nicira flow_mods.
void finish10(FlowMod& fm) {
    fm.modify_cookie = fm.new_cookie != ~0ULL;
    fm.modify_may_add = fm.new_cookie != ~0ULL && fm.cookie_mask == 0;
    if (fm.flags & ~(OFPFF_SEND_FLOW_REM | OFPFF_CHECK_OVERLAP | OFPFF10_EMERG))
        throw OfError(Err::BadFlowFlags, "unsupported flow_mod flags");
    if (fm.flags & OFPFF10_EMERG) throw OfError(Err::FlowUnsupported, "emergency flows are not supported");
    // In OpenFlow 1.0 an add always resets the counters.
    if (fm.command == OFPFC_ADD) fm.flags |= OFPFF_RESET_COUNTS;
    actions_check(fm.actions, fm.match);
}

}  // namespace

mf::Match read_oxm_match(Reader& r) {
    // Type 0 is OpenFlow 1.1's fixed 88-byte match, which Open vSwitch also
    // takes in 1.3; this switch does not (OFPBMC_BAD_TYPE).
    ByteView rest = r.rest();
    if (rest.size() >= 4 && rest[0] == 0 && rest[1] == 0 && (rest[2] << 8 | rest[3]) != 88)
        throw OfError(Err::BadMatchLen, "OpenFlow 1.1 match of the wrong length");
    try {
        size_t used = 0;
        mf::Match m = mf::oxm_match_decode(r.rest(), true, &used);
        r.skip(used);
        return m;
    } catch (const mf::NxmError& e) {
        throw OfError(nxm_err(e.code()), e.what());
    } catch (const OfError&) {
        throw;
    } catch (const std::exception& e) {
        throw OfError(Err::BadMatchLen, e.what());
    }
}

// Open vSwitch's framing of messages with a fixed part and a tail of 8-byte
// units: a tail of another length is OFPBRC_BAD_LEN, before anything in it
// is looked at.
void check_tail(ByteView msg, size_t fixed) {
    if (msg.size() < fixed || (msg.size() - fixed) % 8)
        throw OfError(Err::BadLen, "message length " + std::to_string(msg.size()));
}

FlowMod decode_flow_mod13(ByteView msg) {
    check_tail(msg, kHeaderLen + 40);
    Reader r(msg.subspan(kHeaderLen));
    FlowMod fm;
    const uint64_t cookie = r.u64();
    const uint64_t cookie_mask = r.u64();
    fm.table_id = r.u8();
    fm.command = r.u8();
    fm.idle_timeout = r.u16();
    fm.hard_timeout = r.u16();
    fm.priority = r.u16();
    fm.buffer_id = r.u32();
    const uint32_t out_port = r.u32();
    r.u32();   // out_group: there are no groups
    const uint16_t flags = r.u16();
    r.skip(2);
    fm.match = read_oxm_match(r);
    if (fm.command == OFPFC_ADD) {
        fm.new_cookie = cookie;
    } else {
        fm.cookie = cookie;
        fm.cookie_mask = cookie_mask;
        fm.new_cookie = ~0ULL;
    }
    fm.modify_cookie = false;
    fm.modify_may_add = false;
    if (fm.table_id == kTableAll && fm.command != OFPFC_DELETE && fm.command != OFPFC_DELETE_STRICT)
        throw OfError(Err::FlowBadTableId, "table 255 (all) is only for deletes");
    auto op = mf::ofp11_to_ofp10_port(out_port);
    if (!op) throw OfError(Err::BadOutPort, "out_port " + std::to_string(out_port));
    fm.out_port = *op;
    if (fm.command > OFPFC_DELETE_STRICT)
        throw OfError(Err::BadFlowCommand, "unknown flow_mod command " + std::to_string(fm.command));
    fm.actions = instructions13_decode(r.rest());
    if (flags & ~kRuleFlags) throw OfError(Err::BadFlowFlags, "unsupported flow_mod flags");
    fm.flags = flags;
    actions_check(fm.actions, fm.match);
    return fm;
}

FlowMod decode_flow_mod10(ByteView msg, bool table_id_ext) {
    check_tail(msg, kHeaderLen + kMatch10Len + 24);
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
    finish10(fm);
    return fm;
}

FlowMod decode_nx_flow_mod(ByteView msg, bool table_id_ext) {
    check_tail(msg, 16 + 32);
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
    finish10(fm);
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

FlowStatsRequest decode_flow_stats_request13(ByteView body) {
    check_tail(body, 32);
    Reader r(body);
    FlowStatsRequest q;
    q.table_id = r.u8();
    r.skip(3);
    const uint32_t out_port = r.u32();
    auto op = mf::ofp11_to_ofp10_port(out_port);
    if (!op) throw OfError(Err::BadOutPort, "out_port " + std::to_string(out_port));
    q.out_port = *op;
    r.u32();   // out_group
    r.skip(4);
    q.cookie = r.u64();
    q.cookie_mask = r.u64();
    q.match = read_oxm_match(r);
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
