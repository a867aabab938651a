#include "vswitchd/odp_actions.hpp"

#include <linux/openvswitch.h>

namespace vswitchd {

namespace {

constexpr uint16_t kCfi = 0x1000;
constexpr uint16_t kVidMask = 0x0fff;
constexpr uint16_t kPcpMask = 0xe000;

}  // namespace

void OdpActions::output(uint32_t port) {
    w_.put_u32(OVS_ACTION_ATTR_OUTPUT, port);
    ++outputs_;
}

void OdpActions::push_vlan(uint16_t tci, uint16_t tpid) {
    ovs_action_push_vlan pv{};
    uint16_t t = static_cast<uint16_t>(tci | kCfi);
    // Network byte order.
    pv.vlan_tpid = static_cast<uint16_t>((tpid >> 8) | (tpid << 8));
    pv.vlan_tci = static_cast<uint16_t>((t >> 8) | (t << 8));
    w_.put(OVS_ACTION_ATTR_PUSH_VLAN, &pv, sizeof pv);
    tci_ = t;
}

void OdpActions::userspace(uint32_t pid, dpif::ByteView userdata) {
    const size_t t = w_.begin_nested(OVS_ACTION_ATTR_USERSPACE);
    w_.put_u32(OVS_USERSPACE_ATTR_PID, pid);
    w_.put(OVS_USERSPACE_ATTR_USERDATA, userdata);
    w_.end_nested(t);
}

void OdpActions::pop_vlan() {
    w_.put_flag(OVS_ACTION_ATTR_POP_VLAN);
    tci_ = 0;
}

void OdpActions::set_ethernet(const uint8_t src[6], const uint8_t dst[6]) {
    ovs_key_ethernet e{};
    for (int i = 0; i < 6; ++i) {
        e.eth_src[i] = src[i];
        e.eth_dst[i] = dst[i];
    }
    size_t t = w_.begin_nested(OVS_ACTION_ATTR_SET);
    w_.put(OVS_KEY_ATTR_ETHERNET, &e, sizeof e);
    w_.end_nested(t);
}

void OdpActions::set_masked(uint16_t key_type, const void* value, const void* mask, size_t n) {
    dpif::Bytes both(static_cast<const uint8_t*>(value), static_cast<const uint8_t*>(value) + n);
    both.insert(both.end(), static_cast<const uint8_t*>(mask), static_cast<const uint8_t*>(mask) + n);
    size_t t = w_.begin_nested(OVS_ACTION_ATTR_SET_MASKED);
    w_.put(key_type, both.data(), both.size());
    w_.end_nested(t);
}

void OdpActions::output_vlan(uint32_t port, uint16_t vid) {
    if (!pcp_known_) {
        pcp_bits_ = tci_ & kPcpMask;
        pcp_known_ = true;
    }
    const bool tagged = tci_ & kCfi;
    if (vid == 0) {
        if (tagged) pop_vlan();
    } else if (!tagged) {
        push_vlan(static_cast<uint16_t>(pcp_bits_ | vid));
    } else if ((tci_ & kVidMask) != vid) {
        pop_vlan();
        push_vlan(static_cast<uint16_t>(pcp_bits_ | vid));
    }
    output(port);
}

}  // namespace vswitchd
