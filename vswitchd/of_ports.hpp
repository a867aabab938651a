// A bridge's ports as OpenFlow describes them (features reply, port
// description, port status): OpenFlow numbers (LOCAL for the bridge's own
// port), names, MACs, administrative state and carrier, and the speed as
// OpenFlow 1.0 feature bits and 1.3 kbps, read from the datapath's devices.
#pragma once

#include <vector>

#include "dpif/dpif.hpp"
#include "openflow/async.hpp"
#include "vswitchd/bridge.hpp"

namespace vswitchd {

struct OfPort {
    uint32_t dp_port = 0;
    ofp::PortDesc desc;
};

// Sorted by OpenFlow port number.
std::vector<OfPort> of_ports(dpif::Dpif& dpif, const Bridge& br);

}  // namespace vswitchd
