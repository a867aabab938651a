#include "dpif/odp_execute.hpp"

#include <arpa/inet.h>
#include <linux/openvswitch.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "dpif/error.hpp"

namespace dpif {

namespace {

constexpr uint16_t kVlanCfi = 0x1000;

void need_size(const Attr& a, size_t n, const char* name)
{
    if (a.payload.size() != n)
        throw Error(EINVAL, std::string("action ") + name + " has " +
                                std::to_string(a.payload.size()) + " bytes, expected " +
                                std::to_string(n));
}

void validate_set(const Attr& a, bool masked)
{
    auto inner = a.nested();
    if (inner.size() != 1)
        throw Error(EINVAL, "set action must hold exactly one key attribute");
    if (inner[0].type != OVS_KEY_ATTR_ETHERNET)
        throw Error(EINVAL, "set action on key attribute " + std::to_string(inner[0].type) +
                                " is not supported by the dummy datapath");
    need_size(inner[0], sizeof(ovs_key_ethernet) * (masked ? 2 : 1), "set(eth)");
}

}  // namespace

void validate_actions(ByteView actions)
{
    for (const Attr& a : parse_attrs(actions)) {
        switch (a.type) {
        case OVS_ACTION_ATTR_OUTPUT: need_size(a, 4, "output"); break;
        case OVS_ACTION_ATTR_USERSPACE: {
            auto inner = a.nested();
            auto pid = find_attr(inner, OVS_USERSPACE_ATTR_PID);
            if (!pid)
                throw Error(EINVAL, "userspace action without a pid");
            pid->u32();
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            need_size(a, sizeof(ovs_action_push_vlan), "push_vlan");
            ovs_action_push_vlan v;
            std::memcpy(&v, a.payload.data(), sizeof v);
            if (!(ntohs(v.vlan_tci) & kVlanCfi))
                throw Error(EINVAL, "push_vlan TCI without the CFI bit");
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN: need_size(a, 0, "pop_vlan"); break;
        case OVS_ACTION_ATTR_SET: validate_set(a, false); break;
        case OVS_ACTION_ATTR_SET_MASKED: validate_set(a, true); break;
        case OVS_ACTION_ATTR_TRUNC: need_size(a, 4, "trunc"); break;
        default:
            throw Error(EINVAL, "action type " + std::to_string(a.type) +
                                    " is not supported by the dummy datapath");
        }
    }
}

void execute_actions(Bytes packet, ByteView actions, const ActionHooks& hooks)
{
    std::optional<uint32_t> trunc;
    for (const Attr& a : parse_attrs(actions)) {
        switch (a.type) {
        case OVS_ACTION_ATTR_OUTPUT:
            if (hooks.output) {
                if (trunc && packet.size() > *trunc) {
                    Bytes cut(packet.begin(), packet.begin() + *trunc);
                    hooks.output(a.u32(), cut);
                } else {
                    hooks.output(a.u32(), packet);
                }
            }
            trunc.reset();
            break;
        case OVS_ACTION_ATTR_USERSPACE: {
            auto inner = a.nested();
            const uint32_t pid = find_attr(inner, OVS_USERSPACE_ATTR_PID)->u32();
            auto ud = find_attr(inner, OVS_USERSPACE_ATTR_USERDATA);
            const bool want_actions = find_attr(inner, OVS_USERSPACE_ATTR_ACTIONS).has_value();
            if (hooks.userspace)
                hooks.userspace(pid, packet, ud ? ud->payload : ByteView{},
                                want_actions ? actions : ByteView{});
            break;
        }
        case OVS_ACTION_ATTR_PUSH_VLAN: {
            ovs_action_push_vlan v;
            std::memcpy(&v, a.payload.data(), sizeof v);
            if (packet.size() < 12)
                break;
            const uint16_t tci = htons(ntohs(v.vlan_tci) & ~kVlanCfi);
            uint8_t tag[4];
            std::memcpy(tag, &v.vlan_tpid, 2);
            std::memcpy(tag + 2, &tci, 2);
            packet.insert(packet.begin() + 12, tag, tag + 4);
            break;
        }
        case OVS_ACTION_ATTR_POP_VLAN:
            if (packet.size() >= 18) {
                const uint16_t tpid = static_cast<uint16_t>(packet[12] << 8 | packet[13]);
                if (tpid == 0x8100 || tpid == 0x88a8)
                    packet.erase(packet.begin() + 12, packet.begin() + 16);
            }
            break;
        case OVS_ACTION_ATTR_SET:
        case OVS_ACTION_ATTR_SET_MASKED: {
            const Attr eth = a.nested().at(0);
            if (packet.size() < 12)
                break;
            const bool masked = a.type == OVS_ACTION_ATTR_SET_MASKED;
            ovs_key_ethernet v, m;
            std::memcpy(&v, eth.payload.data(), sizeof v);
            if (masked)
                std::memcpy(&m, eth.payload.data() + sizeof v, sizeof m);
            else
                std::memset(&m, 0xff, sizeof m);
            for (int i = 0; i < 6; ++i) {
                packet[i] = static_cast<uint8_t>((packet[i] & ~m.eth_dst[i]) | (v.eth_dst[i] & m.eth_dst[i]));
                packet[6 + i] = static_cast<uint8_t>((packet[6 + i] & ~m.eth_src[i]) | (v.eth_src[i] & m.eth_src[i]));
            }
            break;
        }
        case OVS_ACTION_ATTR_TRUNC:
            trunc = a.u32();
            break;
        default:
            break;  // validate_actions() keeps these out
        }
    }
}

}  // namespace dpif
