// OpenFlow actions as the flow table keeps them, and their OpenFlow 1.0
// encoding (struct ofp_action_*).
//
// Supported: output (to a port number or IN_PORT, NORMAL, FLOOD, ALL,
// CONTROLLER, LOCAL), set_vlan_vid, set_vlan_pcp, strip_vlan, set_dl_src,
// set_dl_dst; an empty list is "drop".  Anything else is refused with
// OFPBAC_BAD_TYPE (a vendor action with OFPBAC_BAD_VENDOR_TYPE's cousin,
// BAD_TYPE too) rather than accepted and ignored.
#pragma once

#include <string>
#include <vector>

#include "meta-flow/net_types.hpp"
#include "openflow/wire.hpp"

namespace ofp {

struct Action {
    enum class Kind : uint8_t { Output, SetVlanVid, SetVlanPcp, StripVlan, SetDlSrc, SetDlDst };
    Kind kind = Kind::Output;
    uint16_t port = 0;      // Output: OpenFlow 1.0 numbering
    uint16_t max_len = 0;   // Output to CONTROLLER
    uint16_t vid = 0;       // SetVlanVid
    uint8_t pcp = 0;        // SetVlanPcp
    mf::Mac mac{};          // SetDlSrc / SetDlDst
    bool operator==(const Action&) const = default;
};
using Actions = std::vector<Action>;

// Decodes a whole action list (a multiple of 8 bytes); throws OfError.
Actions actions10_decode(ByteView b);
void actions10_encode(const Actions& a, Writer& w);

// Whether the list outputs to `port` (OFPP_NONE: any port), for the
// out_port filters of flow_mod and flow stats.
bool actions_output_to(const Actions& a, uint16_t port);

}  // namespace ofp
