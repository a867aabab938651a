// PortVlan: a port's VLAN configuration (Port.tag, Port.trunks,
// Port.vlan_mode) and the three decisions the NORMAL switch makes with it,
// with Open vSwitch's semantics:
//
//   mode             frames received                    frames sent in VLAN v
//   access           untagged (or priority) -> tag       only v == tag, untagged
//   trunk            VID v if v is trunked (0: untagged) v trunked, tagged v (0 untagged)
//   native-tagged    untagged -> tag; VID v if trunked   v == tag or trunked, tagged
//   native-untagged  untagged -> tag; VID v if trunked   v == tag untagged, others tagged
//
// An empty trunks set trunks every VLAN.  Without vlan_mode: access when a
// tag is set and no trunks, else trunk (a tag then is ignored, with a warning).
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vswitchd {

enum class VlanMode { Access, Trunk, NativeTagged, NativeUntagged };

const char* to_string(VlanMode m);

class PortVlan {
public:
    // A port with no VLAN settings: a trunk of every VLAN.
    PortVlan() = default;
    // From the Port row's columns; `warning` (if given) gets a message for
    // settings that are ignored.
    static PortVlan configure(std::optional<int64_t> tag, const std::vector<int64_t>& trunks,
                              const std::string& vlan_mode, std::string* warning = nullptr);

    VlanMode mode() const { return mode_; }
    // The access or native VLAN, or -1.
    int tag() const { return tag_; }
    // True if `vid` is in the trunks (an empty set trunks all VLANs).
    bool trunks(uint16_t vid) const;

    // The VLAN a frame received with 802.1Q VID `vid` (0: untagged or
    // priority-tagged) belongs to, or nullopt if the port must drop it.
    std::optional<uint16_t> input_vlan(uint16_t vid) const;
    // Whether frames of `vlan` may leave through this port.
    bool carries(uint16_t vlan) const;
    // The VID to send a frame of `vlan` with on this port (0: untagged).
    uint16_t output_vid(uint16_t vlan) const;

    bool operator==(const PortVlan& o) const {
        return mode_ == o.mode_ && tag_ == o.tag_ && all_ == o.all_ && set_ == o.set_;
    }

private:
    VlanMode mode_ = VlanMode::Trunk;
    int tag_ = -1;
    bool all_ = true;            // trunks every VLAN
    std::bitset<4096> set_;      // when !all_
};

}  // namespace vswitchd
