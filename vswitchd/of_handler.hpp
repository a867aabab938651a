// The OpenFlow requests a bridge answers on its management connections:
//
//   OFPT_FEATURES_REQUEST     datapath id, 254 tables, capabilities; in 1.0
//                             also the ports (ofp_phy_port)
//   OFPT_GET_CONFIG_REQUEST / OFPT_SET_CONFIG   per-connection flags and
//                             miss_send_len
//   OFPT_BARRIER_REQUEST      every earlier request is done: reply at once
//   OFPT_PACKET_OUT, async configuration, packet-in format: of_async.hpp
//   OFPT_FLOW_MOD, NXT_FLOW_MOD   the bridge's flow tables (lib/openflow);
//                             in 1.3 with OXM matches and instructions
//   NXT_SET_FLOW_FORMAT, NXT_FLOW_MOD_TABLE_ID,
//   NXT_SET_CONTROLLER_ID     connection settings ovs-ofctl sends
//   statistics (1.0) / multipart (1.3): DESC, TABLE, PORT, PORT_DESC,
//                             QUEUE (none), FLOW, AGGREGATE (1.0 match or
//                             1.3 OXM), and in 1.0 NXST_FLOW, NXST_AGGREGATE
//
// Everything else is refused with an OpenFlow error (OFPBRC_BAD_TYPE,
// BAD_STAT, BAD_VENDOR, BAD_SUBTYPE), never silently dropped.
#pragma once

#include <functional>
#include <string>

#include "dpif/dpif.hpp"
#include "openflow/wire.hpp"
#include "vswitchd/bridge.hpp"
#include "vswitchd/ofconn.hpp"

namespace vswitchd {

struct OfContext {
    // The bridge by name (nullptr once it is gone).
    std::function<Bridge*(const std::string&)> bridge;
    dpif::Dpif* dpif = nullptr;
    // The flow table changed: translate installed flows again soon.
    std::function<void(Bridge&)> flows_changed;
    // Whether the bridge's misses go to the controller (OfService decides).
    std::function<void(const std::string& bridge, bool)> set_packet_in_on_miss;
};

// Throws ofp::OfError for the caller to answer with an error.
void handle_openflow(OfContext& ctx, const std::string& bridge, OfConn& conn, const ofp::Header& h,
                     ofp::ByteView msg);

}  // namespace vswitchd
