// OpenFlow's asynchronous messages and the requests that steer them:
//
//   packet-in      OFPT_PACKET_IN of OpenFlow 1.0 and 1.3, Nicira's
//                  NXT_PACKET_IN and NXT_PACKET_IN2 (the format a connection
//                  picks with NXT_SET_PACKET_IN_FORMAT); the whole packet is
//                  sent (this switch buffers nothing, buffer_id is always
//                  OFP_NO_BUFFER), as Open vSwitch does
//   flow-removed   OFPT_FLOW_REMOVED of 1.0 (1.0 match) and 1.3 (OXM), and
//                  NXT_FLOW_REMOVED (NXM) for a 1.0 connection in the NXM
//                  flow format
//   port-status    OFPT_PORT_STATUS of 1.0 (ofp_phy_port) and 1.3 (ofp_port)
//   packet-out     OFPT_PACKET_OUT of 1.0 (1.0 actions) and 1.3 (output
//                  actions only, for now), decoded
//   async config   which of these a connection gets, per role and reason:
//                  OFPT_SET_ASYNC / OFPT_GET_ASYNC_REQUEST (1.3) and
//                  NXT_SET_ASYNC_CONFIG (1.0), with Open vSwitch's defaults
//
// Packet-in reasons are kept as Open vSwitch's internal ones (a miss with no
// flow, a table-miss flow's explicit controller action, an action, a packet-
// out) and turned into the wire reason each version has (wire_reason()).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "meta-flow/match.hpp"
#include "meta-flow/net_types.hpp"
#include "openflow/actions.hpp"
#include "openflow/wire.hpp"

namespace ofp {

// Nicira messages of this module.
enum : uint32_t {
    NXT_FLOW_REMOVED = 14, NXT_PACKET_IN = 17, NXT_SET_ASYNC_CONFIG = 19, NXT_PACKET_IN2 = 30,
};
enum : uint8_t { OFPT13_GET_ASYNC_REPLY = 27 };

// Wire reasons.
enum : uint8_t { OFPR_NO_MATCH = 0, OFPR_ACTION = 1, OFPR_INVALID_TTL = 2 };
enum : uint8_t { OFPRR_IDLE_TIMEOUT = 0, OFPRR_HARD_TIMEOUT = 1, OFPRR_DELETE = 2, OFPRR_GROUP_DELETE = 3 };
enum : uint8_t { OFPPR_ADD = 0, OFPPR_DELETE = 1, OFPPR_MODIFY = 2 };

// Why a packet goes to the controller.
enum class PinReason : uint8_t {
    ImplicitMiss,   // no flow matched (Open vSwitch's miss rule)
    ExplicitMiss,   // controller action of a table-miss flow (priority 0, matches all)
    Action,         // controller action of any other flow
    PacketOut,      // controller action of a packet-out
};
uint8_t wire_reason(PinReason r, uint8_t version);

// NXT_SET_PACKET_IN_FORMAT's formats.
enum class PacketInFormat : uint8_t { Standard = 0, Nxt = 1, Nxt2 = 2 };

constexpr uint64_t kNoCookie = ~0ULL;   // a packet-in not caused by a flow (packet-out)

struct PacketIn {
    Bytes packet;
    PinReason reason = PinReason::Action;
    uint8_t table_id = 0;
    uint64_t cookie = kNoCookie;
    uint16_t in_port = 0;        // OpenFlow 1.0 numbering (OFPP_NONE, CONTROLLER, LOCAL, ...)
};
Bytes encode_packet_in(const PacketIn& pin, uint8_t version, PacketInFormat format);

struct FlowRemoved {
    mf::Match match;
    uint16_t priority = 0;
    uint8_t reason = OFPRR_DELETE;
    uint8_t table_id = 0;
    uint64_t cookie = 0;
    uint64_t duration_ns = 0;
    uint16_t idle_timeout = 0, hard_timeout = 0;
    uint64_t packets = 0, bytes = 0;
};
// `nxm`: the connection's flow format is NXM (matters for 1.0 only).
Bytes encode_flow_removed(const FlowRemoved& fr, uint8_t version, bool nxm);

struct PortDesc {
    uint16_t port_no = 0;        // OpenFlow 1.0 numbering
    mf::Mac mac{};
    std::string name;
    uint32_t config = 0;         // OFPPC_PORT_DOWN = 1
    uint32_t state = 0;          // OFPPS_LINK_DOWN = 1 (1.3 adds OFPPS_LIVE when it is clear)
    uint32_t curr = 0, advertised = 0, supported = 0, peer = 0;   // OpenFlow 1.0 feature bits
    uint32_t curr_speed_kbps = 0, max_speed_kbps = 0;             // 1.3
    bool operator==(const PortDesc&) const = default;
};
void put_port10(Writer& w, const PortDesc& p);
void put_port13(Writer& w, const PortDesc& p);
Bytes encode_port_status(const PortDesc& p, uint8_t reason, uint8_t version);

struct PacketOut {
    uint32_t buffer_id = 0xffffffff;
    uint16_t in_port = 0xffff;   // OpenFlow 1.0 numbering
    Actions actions;
    Bytes packet;
};
// The whole message.  Throws OfError: BadLen, BadPort (an in_port that is
// neither a port, LOCAL, CONTROLLER nor NONE), action errors.
PacketOut decode_packet_out(ByteView msg, uint8_t version);

// Which asynchronous messages a connection gets: per role (0: master or
// equal, 1: slave) a bitmap of wire reasons for each kind.
struct AsyncConfig {
    std::array<uint32_t, 2> packet_in{}, port_status{}, flow_removed{};
    bool operator==(const AsyncConfig&) const = default;
};
// Open vSwitch's defaults: a master/equal connection gets packet-ins for
// misses and actions, every port status and every flow removal; a slave gets
// port status only.
AsyncConfig default_async_config(uint8_t version);
// The body of OFPT_SET_ASYNC (1.3) or NXT_SET_ASYNC_CONFIG (after the
// vendor header): three pairs of 32-bit masks.
AsyncConfig decode_async_config(ByteView body);
Bytes encode_get_async_reply(const AsyncConfig& c, uint8_t version, uint32_t xid);

}  // namespace ofp
