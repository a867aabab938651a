// OdpActions: building a datapath action list (OVS_ACTION_ATTR_* netlink
// attributes of <linux/openvswitch.h>), with the VLAN bookkeeping the NORMAL
// switch needs: it remembers the 802.1Q tag the packet carries at each
// point of the list, so output(port, vid) emits only the pop/push that the
// port needs given what earlier outputs left on the packet.
#pragma once

#include <cstdint>

#include "dpif/nl_attr.hpp"

namespace vswitchd {

class OdpActions {
public:
    // The packet as it enters the action list: tagged with `tci` (CFI set)
    // or untagged (tci 0).
    explicit OdpActions(uint16_t initial_tci = 0) : tci_(initial_tci) {}

    void output(uint32_t port);
    void push_vlan(uint16_t tci, uint16_t tpid = 0x8100);   // tci without CFI; it is added
    void pop_vlan();
    // Sends out of `port` with VLAN `vid` (0: untagged), keeping the PCP the
    // packet arrived with.
    void output_vlan(uint32_t port, uint16_t vid);
    // Sends the packet, as it is at this point, to userspace: an upcall of
    // type ACTION to netlink port `pid` carrying `userdata`.
    void userspace(uint32_t pid, dpif::ByteView userdata);
    // Rewrites the Ethernet addresses (both are written).
    void set_ethernet(const uint8_t src[6], const uint8_t dst[6]);
    // OVS_ACTION_ATTR_SET_MASKED of one key attribute (OVS_KEY_ATTR_IPV4,
    // _TCP, _UDP): `value` and `mask` are `n` bytes of its ovs_key_* struct.
    void set_masked(uint16_t key_type, const void* value, const void* mask, size_t n);
    // The tag on the packet at this point of the list (CFI set), 0 if none.
    uint16_t tci() const { return tci_; }

    const dpif::Bytes& bytes() const { return w_.bytes(); }
    dpif::Bytes take() { return w_.take(); }
    bool empty() const { return w_.size() == 0; }
    size_t outputs() const { return outputs_; }

private:
    dpif::AttrWriter w_;
    uint16_t tci_;          // the tag on the packet now (CFI set), 0 if none
    uint16_t pcp_bits_ = 0;
    bool pcp_known_ = false;
    size_t outputs_ = 0;
};

}  // namespace vswitchd
