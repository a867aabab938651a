#include "openflow/actions.hpp"

#include <cstring>

#include "meta-flow/ports.hpp"

namespace ofp {

namespace {

enum : uint16_t {
    OFPAT10_OUTPUT = 0, OFPAT10_SET_VLAN_VID = 1, OFPAT10_SET_VLAN_PCP = 2, OFPAT10_STRIP_VLAN = 3,
    OFPAT10_SET_DL_SRC = 4, OFPAT10_SET_DL_DST = 5,
};

void check_len(uint16_t len, uint16_t want) {
    if (len != want) throw OfError(Err::BadActionLen, "action of type with wrong length");
}

}  // namespace

Actions actions10_decode(ByteView b) {
    Actions out;
    Reader r(b, Err::BadActionLen);
    if (b.size() % 8) throw OfError(Err::BadActionLen, "action list not a multiple of 8 bytes");
    while (r.left()) {
        const size_t start = r.pos();
        const uint16_t type = r.u16();
        const uint16_t len = r.u16();
        if (len < 8 || len % 8 || len > r.left() + 4) throw OfError(Err::BadActionLen, "bad action length");
        Action a;
        switch (type) {
        case OFPAT10_OUTPUT: {
            check_len(len, 8);
            a.kind = Action::Kind::Output;
            a.port = r.u16();
            a.max_len = r.u16();
            const uint16_t p = a.port;
            const bool ok = p < mf::kOfppMax || p == mf::kOfppInPort || p == mf::kOfppNormal ||
                            p == mf::kOfppFlood || p == mf::kOfppAll || p == mf::kOfppController ||
                            p == mf::kOfppLocal;
            if (!ok) throw OfError(Err::BadOutPort, "output to port " + std::to_string(p));
            break;
        }
        case OFPAT10_SET_VLAN_VID:
            check_len(len, 8);
            a.kind = Action::Kind::SetVlanVid;
            a.vid = r.u16();
            r.skip(2);
            if (a.vid > 0xfff) throw OfError(Err::BadActionArgument, "VLAN id above 4095");
            break;
        case OFPAT10_SET_VLAN_PCP:
            check_len(len, 8);
            a.kind = Action::Kind::SetVlanPcp;
            a.pcp = r.u8();
            r.skip(3);
            if (a.pcp > 7) throw OfError(Err::BadActionArgument, "VLAN priority above 7");
            break;
        case OFPAT10_STRIP_VLAN:
            check_len(len, 8);
            a.kind = Action::Kind::StripVlan;
            r.skip(4);
            break;
        case OFPAT10_SET_DL_SRC:
        case OFPAT10_SET_DL_DST: {
            check_len(len, 16);
            a.kind = type == OFPAT10_SET_DL_SRC ? Action::Kind::SetDlSrc : Action::Kind::SetDlDst;
            ByteView m = r.take(6);
            std::memcpy(a.mac.b, m.data(), 6);
            r.skip(6);
            break;
        }
        default:
            throw OfError(Err::BadActionType, "unsupported action type " + std::to_string(type));
        }
        if (r.pos() - start != len) throw OfError(Err::BadActionLen, "bad action length");
        out.push_back(a);
    }
    return out;
}

void actions10_encode(const Actions& acts, Writer& w) {
    for (const Action& a : acts) {
        switch (a.kind) {
        case Action::Kind::Output:
            w.u16(OFPAT10_OUTPUT);
            w.u16(8);
            w.u16(a.port);
            w.u16(a.max_len);
            break;
        case Action::Kind::SetVlanVid:
            w.u16(OFPAT10_SET_VLAN_VID);
            w.u16(8);
            w.u16(a.vid);
            w.u16(0);
            break;
        case Action::Kind::SetVlanPcp:
            w.u16(OFPAT10_SET_VLAN_PCP);
            w.u16(8);
            w.u8(a.pcp);
            w.zeros(3);
            break;
        case Action::Kind::StripVlan:
            w.u16(OFPAT10_STRIP_VLAN);
            w.u16(8);
            w.zeros(4);
            break;
        case Action::Kind::SetDlSrc:
        case Action::Kind::SetDlDst:
            w.u16(a.kind == Action::Kind::SetDlSrc ? OFPAT10_SET_DL_SRC : OFPAT10_SET_DL_DST);
            w.u16(16);
            w.bytes(a.mac.b, 6);
            w.zeros(6);
            break;
        }
    }
}

bool actions_output_to(const Actions& acts, uint16_t port) {
    if (port == mf::kOfppNone) return true;
    for (const Action& a : acts)
        if (a.kind == Action::Kind::Output && a.port == port) return true;
    return false;
}

}  // namespace ofp
