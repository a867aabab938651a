#include "vswitchd/vlan.hpp"

namespace vswitchd {

const char* to_string(VlanMode m) {
    switch (m) {
    case VlanMode::Access: return "access";
    case VlanMode::Trunk: return "trunk";
    case VlanMode::NativeTagged: return "native-tagged";
    case VlanMode::NativeUntagged: return "native-untagged";
    }
    return "?";
}

PortVlan PortVlan::configure(std::optional<int64_t> tag, const std::vector<int64_t>& trunks,
                             const std::string& vlan_mode, std::string* warning) {
    PortVlan p;
    auto warn = [&](const std::string& w) {
        if (warning) *warning = w;
    };
    bool tag_ok = tag && *tag >= 0 && *tag <= 4095;
    if (vlan_mode == "access") p.mode_ = VlanMode::Access;
    else if (vlan_mode == "trunk") p.mode_ = VlanMode::Trunk;
    else if (vlan_mode == "native-tagged") p.mode_ = VlanMode::NativeTagged;
    else if (vlan_mode == "native-untagged") p.mode_ = VlanMode::NativeUntagged;
    else {
        if (!vlan_mode.empty()) warn("unknown VLAN mode " + vlan_mode);
        p.mode_ = tag_ok && trunks.empty() ? VlanMode::Access : VlanMode::Trunk;
    }
    switch (p.mode_) {
    case VlanMode::Access:
        if (!tag_ok) {
            // An access port without a VLAN: the untagged VLAN 0.
            p.tag_ = 0;
        } else {
            p.tag_ = static_cast<int>(*tag);
        }
        if (!trunks.empty()) warn("ignoring trunks on an access port");
        break;
    case VlanMode::Trunk:
        if (tag_ok) warn("ignoring VLAN tag " + std::to_string(*tag) + " on a trunk port");
        break;
    case VlanMode::NativeTagged:
    case VlanMode::NativeUntagged:
        p.tag_ = tag_ok ? static_cast<int>(*tag) : 0;
        break;
    }
    if (p.mode_ != VlanMode::Access && !trunks.empty()) {
        p.all_ = false;
        for (int64_t v : trunks)
            if (v >= 0 && v <= 4095) p.set_.set(static_cast<size_t>(v));
        // The native VLAN is carried whatever the trunks say.
        if (p.tag_ >= 0) p.set_.set(static_cast<size_t>(p.tag_));
    }
    return p;
}

bool PortVlan::trunks(uint16_t vid) const {
    if (mode_ == VlanMode::Access || vid > 4095) return false;
    return all_ || set_.test(vid);
}

std::optional<uint16_t> PortVlan::input_vlan(uint16_t vid) const {
    if (vid > 4095) return std::nullopt;
    switch (mode_) {
    case VlanMode::Access:
        if (vid != 0) return std::nullopt;   // tagged frames on an access port are dropped
        return static_cast<uint16_t>(tag_);
    case VlanMode::Trunk:
        if (!trunks(vid)) return std::nullopt;
        return vid;
    case VlanMode::NativeTagged:
    case VlanMode::NativeUntagged:
        if (vid == 0) return static_cast<uint16_t>(tag_);
        if (!trunks(vid)) return std::nullopt;
        return vid;
    }
    return std::nullopt;
}

bool PortVlan::carries(uint16_t vlan) const {
    if (mode_ == VlanMode::Access) return vlan == tag_;
    return (tag_ >= 0 && vlan == tag_) || trunks(vlan);
}

uint16_t PortVlan::output_vid(uint16_t vlan) const {
    switch (mode_) {
    case VlanMode::Access: return 0;
    case VlanMode::Trunk:
    case VlanMode::NativeTagged: return vlan;
    case VlanMode::NativeUntagged: return vlan == tag_ ? 0 : vlan;
    }
    return vlan;
}

}  // namespace vswitchd
