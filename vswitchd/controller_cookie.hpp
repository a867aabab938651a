// ControllerCookie: the userdata of the datapath userspace() action that a
// CONTROLLER output (or a miss that goes to the controller) becomes, as in
// Open vSwitch 3.1, which keeps such flows in the datapath with a userspace
// action rather than slow-pathing the whole flow: every packet of the flow
// comes up to the switch (an ACTION upcall, the packet as the earlier
// actions left it), and the cookie says which packet-in to make of it.
//
// 24 bytes, big-endian: magic "VSPI", reason (ofp::PinReason), table id,
// OpenFlow input port (1.0 numbering, so that a packet-out from CONTROLLER
// or NONE says so), rule cookie, controller id, max_len, 4 bytes of zeros.
#pragma once

#include <cstdint>
#include <optional>

#include "dpif/nl_attr.hpp"
#include "openflow/async.hpp"

namespace vswitchd {

struct ControllerCookie {
    ofp::PinReason reason = ofp::PinReason::Action;
    uint8_t table_id = 0;
    uint16_t in_port = 0;
    uint64_t cookie = ofp::kNoCookie;
    uint16_t controller_id = 0;
    uint16_t max_len = 0;

    static constexpr uint32_t kMagic = 0x56535049;   // "VSPI"
    static constexpr size_t kSize = 24;

    dpif::Bytes encode() const {
        dpif::Bytes b;
        auto put = [&b](uint64_t v, int n) {
            for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
        };
        put(kMagic, 4);
        put(static_cast<uint8_t>(reason), 1);
        put(table_id, 1);
        put(in_port, 2);
        put(cookie, 8);
        put(controller_id, 2);
        put(max_len, 2);
        put(0, 4);
        return b;
    }

    static std::optional<ControllerCookie> decode(dpif::ByteView b) {
        if (b.size() != kSize) return std::nullopt;
        size_t at = 0;
        auto get = [&b, &at](int n) {
            uint64_t v = 0;
            for (int i = 0; i < n; ++i) v = v << 8 | b[at++];
            return v;
        };
        if (get(4) != kMagic) return std::nullopt;
        ControllerCookie c;
        const uint64_t r = get(1);
        if (r > static_cast<uint8_t>(ofp::PinReason::PacketOut)) return std::nullopt;
        c.reason = static_cast<ofp::PinReason>(r);
        c.table_id = static_cast<uint8_t>(get(1));
        c.in_port = static_cast<uint16_t>(get(2));
        c.cookie = get(8);
        c.controller_id = static_cast<uint16_t>(get(2));
        c.max_len = static_cast<uint16_t>(get(2));
        return c;
    }
};

}  // namespace vswitchd
