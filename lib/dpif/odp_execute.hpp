// Executing datapath actions (OVS_ACTION_ATTR_*) on a packet in userspace,
// for the dummy datapath.  Supported: output, userspace, push_vlan,
// pop_vlan, set and set_masked of the Ethernet addresses, trunc.  Anything
// else is rejected by validate_actions() with EINVAL naming the action, the
// way the kernel refuses actions it does not know when a flow is installed.
#pragma once

#include <cstdint>
#include <functional>

#include "dpif/nl_attr.hpp"

namespace dpif {

struct ActionHooks {
    std::function<void(uint32_t port, const Bytes& packet)> output;
    // userdata / actions: the OVS_USERSPACE_ATTR_USERDATA payload and, when
    // the action asked for them (OVS_USERSPACE_ATTR_ACTIONS), the whole
    // action list; empty otherwise.
    std::function<void(uint32_t pid, const Bytes& packet, ByteView userdata, ByteView actions)>
        userspace;
};

void validate_actions(ByteView actions);
void execute_actions(Bytes packet, ByteView actions, const ActionHooks& hooks);

}  // namespace dpif
