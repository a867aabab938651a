// Encoding and decoding of the Open vSwitch generic-netlink messages.
//
// Each OVS message is a generic-netlink command whose payload is a struct
// ovs_header (the datapath's ifindex) followed by attributes of the family:
// ovs_datapath (OVS_DP_ATTR_*), ovs_vport (OVS_VPORT_ATTR_*), ovs_flow
// (OVS_FLOW_ATTR_*) and ovs_packet (OVS_PACKET_ATTR_*).  This file builds
// the requests the kernel expects and parses what it sends back, without any
// socket, so it can be tested byte for byte.  The transport is
// netlink_dpif.cpp.
#pragma once

#include <cstdint>

#include "dpif/dpif.hpp"

namespace dpif {

enum class Family { Datapath, Vport, Flow, Packet };

// Generic netlink name and version of each family (OVS_*_FAMILY/VERSION).
const char* family_name(Family f);
uint8_t family_version(Family f);

// A generic-netlink message of one of the OVS families, minus the netlink
// and genl headers: cmd, the ovs_header's dp_ifindex, and the attributes.
struct OvsMessage {
    Family family = Family::Datapath;
    uint8_t cmd = 0;
    int dp_ifindex = 0;
    Bytes attrs;
    uint16_t nlmsg_flags = 0;  // extra NLM_F_* (CREATE, EXCL, DUMP) to send with it

    // struct ovs_header followed by attrs: the genl payload.
    Bytes payload() const;
};

// Splits a genl payload into dp_ifindex and attributes; EPROTO when shorter
// than struct ovs_header.
OvsMessage parse_ovs_payload(Family family, uint8_t cmd, ByteView payload);

// --- datapaths
OvsMessage dp_new_request(const std::string& name, uint32_t upcall_pid, uint32_t features);
OvsMessage dp_get_request(const std::string& name);  // empty name: dump all
OvsMessage dp_del_request(const std::string& name);
OvsMessage dp_set_features_request(const std::string& name, uint32_t features);
// SET with OVS_DP_F_DISPATCH_UPCALL_PER_CPU added to features and the pids.
OvsMessage dp_set_per_cpu_pids_request(const std::string& name, uint32_t features,
                                       const std::vector<uint32_t>& pids);
DatapathInfo decode_datapath(const OvsMessage& m);

// --- vports
OvsMessage vport_new_request(int dp_ifindex, const VportRequest& req);
OvsMessage vport_get_request(int dp_ifindex, const std::string& name);
OvsMessage vport_get_request(int dp_ifindex, uint32_t port_no);
OvsMessage vport_dump_request(int dp_ifindex);
OvsMessage vport_del_request(int dp_ifindex, uint32_t port_no);
OvsMessage vport_set_pids_request(int dp_ifindex, uint32_t port_no,
                                  const std::vector<uint32_t>& pids);
VportInfo decode_vport(const OvsMessage& m);

// --- flows
// put: create-only is NEW+CREATE+EXCL, create-or-modify NEW+CREATE, modify
// only SET; kPutZeroStats adds OVS_FLOW_ATTR_CLEAR.
OvsMessage flow_put_request(int dp_ifindex, const FlowPut& put);
OvsMessage flow_get_request(int dp_ifindex, const FlowId& id);
OvsMessage flow_del_request(int dp_ifindex, const FlowId& id);
OvsMessage flow_flush_request(int dp_ifindex);
OvsMessage flow_dump_request(int dp_ifindex);
Flow decode_flow(const OvsMessage& m);

// --- packets
OvsMessage packet_execute_request(int dp_ifindex, ByteView packet, ByteView key,
                                  ByteView actions);
// OVS_PACKET_CMD_MISS or _ACTION; EPROTO for anything else or missing parts.
Upcall decode_upcall(const OvsMessage& m);

}  // namespace dpif
