#include "vswitchd/of_role.hpp"

#include "common/vlog.hpp"

VLOG_DEFINE_THIS_MODULE(connmgr);

namespace vswitchd {

namespace {

using ofp::Err;
using ofp::OfError;
using Role = OfConn::Role;

// OpenFlow 1.3's numbers.
enum : uint32_t { OFPCR_ROLE_NOCHANGE = 0, OFPCR_ROLE_EQUAL = 1, OFPCR_ROLE_MASTER = 2, OFPCR_ROLE_SLAVE = 3 };
// Nicira's.
enum : uint32_t { NX_ROLE_OTHER = 0, NX_ROLE_MASTER = 1, NX_ROLE_SLAVE = 2 };
enum : uint32_t { NXT_ROLE_REPLY = 11 };
enum : uint8_t { OFPT13_ROLE_REPLY = 25, OFPT13_PORT_MOD = 16, OFPT10_PORT_MOD = 15 };

// ONF's role status extension for 1.3 (what Open vSwitch sends a master
// that another connection's request demoted).
constexpr uint32_t kOnfExperimenter = 0x4f4e4600;
constexpr uint32_t ONFT_ROLE_STATUS = 1911;

void become(OfConn& conn, Role role, const std::vector<OfConn*>& peers, const RoleState& st) {
    if (role == Role::Master)
        for (OfConn* p : peers)
            if (p != &conn && p->role == Role::Master) {
                p->role = Role::Slave;
                if (p->version() == ofp::kOf13) {
                    ofp::Writer w(p->version(), ofp::OFPT_VENDOR, 0);
                    w.u32(kOnfExperimenter);
                    w.u32(ONFT_ROLE_STATUS);
                    w.u32(OFPCR_ROLE_SLAVE);
                    w.u8(0);   // OFPCRR_MASTER_REQUEST
                    w.zeros(3);
                    w.u64(st.generation_id.value_or(~0ULL));
                    p->send(w.finish());
                }
            }
    if (conn.role != role)
        VLOG_DBG("%s: role %s", conn.name().c_str(), role_name(role));
    conn.role = role;
}

}  // namespace

const char* role_name(Role r) {
    switch (r) {
    case Role::Master: return "master";
    case Role::Slave: return "slave";
    case Role::Equal: return "other";
    }
    return "other";
}

bool handle_role_request(OfConn& conn, const ofp::Header& h, ofp::ByteView msg, RoleState& st,
                         const std::vector<OfConn*>& peers) {
    const uint8_t v = conn.version();
    const ofp::ByteView body = msg.subspan(ofp::kHeaderLen);
    if (v != ofp::kOf10 && h.type == ofp::OFPT13_ROLE_REQUEST) {
        ofp::Reader r(body);
        const uint32_t role = r.u32();
        r.skip(4);
        const uint64_t gen = r.u64();
        if (role > OFPCR_ROLE_SLAVE) throw OfError(Err::BadRole, "unknown role " + std::to_string(role));
        if (role == OFPCR_ROLE_MASTER || role == OFPCR_ROLE_SLAVE) {
            if (st.generation_id && static_cast<int64_t>(gen - *st.generation_id) < 0)
                throw OfError(Err::RoleStale, "stale generation id");
            st.generation_id = gen;
        }
        if (role != OFPCR_ROLE_NOCHANGE)
            become(conn, role == OFPCR_ROLE_MASTER ? Role::Master : role == OFPCR_ROLE_SLAVE ? Role::Slave : Role::Equal,
                   peers, st);
        ofp::Writer w(v, OFPT13_ROLE_REPLY, h.xid);
        w.u32(conn.role == Role::Master ? OFPCR_ROLE_MASTER : conn.role == Role::Slave ? OFPCR_ROLE_SLAVE
                                                                                      : OFPCR_ROLE_EQUAL);
        w.zeros(4);
        w.u64(st.generation_id.value_or(~0ULL));
        conn.send(w.finish());
        return true;
    }
    if (h.type != ofp::OFPT_VENDOR || body.size() < 8) return false;
    ofp::Reader r(body);
    if (r.u32() != ofp::kNxVendor || r.u32() != ofp::NXT_ROLE_REQUEST) return false;
    const uint32_t role = r.u32();
    if (role > NX_ROLE_SLAVE) throw OfError(Err::BadRole, "unknown role " + std::to_string(role));
    become(conn, role == NX_ROLE_MASTER ? Role::Master : role == NX_ROLE_SLAVE ? Role::Slave : Role::Equal, peers,
           st);
    ofp::Writer w(v, ofp::OFPT_VENDOR, h.xid);
    w.u32(ofp::kNxVendor);
    w.u32(NXT_ROLE_REPLY);
    w.u32(conn.role == Role::Master ? NX_ROLE_MASTER : conn.role == Role::Slave ? NX_ROLE_SLAVE : NX_ROLE_OTHER);
    conn.send(w.finish());
    return true;
}

void check_not_slave(const OfConn& conn, const ofp::Header& h, ofp::ByteView msg) {
    if (conn.role != Role::Slave) return;
    const bool v10 = conn.version() == ofp::kOf10;
    bool modifies = h.type == ofp::OFPT_FLOW_MOD || h.type == ofp::OFPT_PACKET_OUT ||
                    h.type == (v10 ? OFPT10_PORT_MOD : OFPT13_PORT_MOD);
    if (h.type == ofp::OFPT_VENDOR && msg.size() >= 16) {
        ofp::Reader r(msg.subspan(ofp::kHeaderLen));
        modifies = r.u32() == ofp::kNxVendor && r.u32() == ofp::NXT_FLOW_MOD;
    }
    if (modifies) throw OfError(Err::IsSlave, "a slave controller may not change the switch");
}

}  // namespace vswitchd
