// The OpenFlow requests about asynchronous messages and packets, answered
// before the rest of handle_openflow():
//
//   OFPT_PACKET_OUT          (1.0, 1.3) its actions run on its packet:
//                            translated like a flow's (xlate_packet_out) and
//                            executed by the datapath; in_port may be a port,
//                            LOCAL, CONTROLLER or NONE
//   NXT_SET_PACKET_IN_FORMAT standard, NXT_PACKET_IN or NXT_PACKET_IN2
//   NXT_SET_ASYNC_CONFIG,    which asynchronous messages the connection
//   OFPT_SET_ASYNC,          gets, per role and reason
//   OFPT_GET_ASYNC_REQUEST
//
// Returns false for every other message.  Throws ofp::OfError.
#pragma once

#include "openflow/wire.hpp"
#include "vswitchd/bridge.hpp"
#include "vswitchd/of_handler.hpp"
#include "vswitchd/ofconn.hpp"

namespace vswitchd {

bool handle_async_request(OfContext& ctx, Bridge& br, OfConn& conn, const ofp::Header& h, ofp::ByteView msg);

}  // namespace vswitchd
