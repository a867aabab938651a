#include "meta-flow/extract.hpp"

#include <cstddef>
#include <cstring>

namespace mf {

namespace {

// A bounds-checked cursor over the packet: every read says how many bytes
// it needs and fails (returns nullptr) if they are not there.
class Cursor {
public:
    Cursor(const uint8_t* base, size_t size) : base_(base), p_(base), end_(base + size) {}

    size_t left() const { return static_cast<size_t>(end_ - p_); }
    uint16_t offset() const { return static_cast<uint16_t>(p_ - base_); }
    const uint8_t* peek(size_t n) const { return left() >= n ? p_ : nullptr; }
    const uint8_t* pull(size_t n)
    {
        if (left() < n)
            return nullptr;
        const uint8_t* r = p_;
        p_ += n;
        return r;
    }
    // Forgets bytes beyond `n` from here (trailing padding).
    void limit(size_t n)
    {
        if (n < left())
            end_ = p_ + n;
    }

private:
    const uint8_t* base_;
    const uint8_t* p_;
    const uint8_t* end_;
};

inline uint16_t rd16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

constexpr uint8_t kProtoHopOpts = 0, kProtoRouting = 43, kProtoFragment = 44, kProtoAh = 51,
                  kProtoDstOpts = 60;
constexpr uint8_t kNdOptSll = 1, kNdOptTll = 2;

bool is_vlan_tpid(uint16_t t) { return t == kEthTypeVlan || t == kEthTypeQinQ; }

// The EtherType after the addresses and tags, with 802.2 LLC/SNAP handling.
uint16_t parse_ethertype(Cursor& c)
{
    const uint8_t* t = c.pull(2);  // caller checked
    const uint16_t type = rd16(t);
    if (type >= kEthTypeMin)
        return type;
    // 802.3 length: only SNAP with an Ethernet OUI carries an EtherType.
    const uint8_t* llc = c.peek(8);
    if (!llc || llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] || llc[4] ||
        llc[5])
        return kEthTypeNone;
    c.pull(8);
    const uint16_t snap = rd16(llc + 6);
    return snap >= kEthTypeMin ? snap : kEthTypeNone;
}

void parse_l4(Cursor& c, Flow& f, Layers* layers)
{
    if (layers)
        layers->l4 = c.offset();
    switch (f.nw_proto) {
    case kIpProtoTcp:
        if (const uint8_t* t = c.peek(20)) {
            const size_t hlen = (t[12] >> 4) * 4u;
            if (hlen >= 20 && c.left() >= hlen) {
                std::memcpy(f.tp_src.b, t, 2);
                std::memcpy(f.tp_dst.b, t + 2, 2);
                f.tcp_flags.set(rd16(t + 12) & kTcpFlagsMask);
                c.pull(hlen);
                if (layers)
                    layers->l7 = c.offset();
            }
        }
        break;
    case kIpProtoUdp:
    case kIpProtoSctp:
        if (const uint8_t* u = c.pull(f.nw_proto == kIpProtoUdp ? 8 : 12)) {
            std::memcpy(f.tp_src.b, u, 2);
            std::memcpy(f.tp_dst.b, u + 2, 2);
            if (layers)
                layers->l7 = c.offset();
        }
        break;
    case kIpProtoIcmp:
        if (!is_ipv4(f))
            break;
        if (const uint8_t* i = c.pull(8)) {
            f.tp_src.set(i[0]);
            f.tp_dst.set(i[1]);
            if (layers)
                layers->l7 = c.offset();
        }
        break;
    case kIpProtoIcmpv6: {
        if (!is_ipv6(f))
            break;
        const uint8_t* i = c.pull(8);
        if (!i)
            break;
        f.tp_src.set(i[0]);
        f.tp_dst.set(i[1]);
        if (i[1] != 0 || (i[0] != kNdSolicit && i[0] != kNdAdvert))
            break;
        // Neighbour discovery: target address, then options.
        const uint8_t* target = c.pull(16);
        if (!target)
            break;
        Mac sll{}, tll{};
        bool bad = false;
        while (c.left() >= 8) {
            const uint8_t* opt = c.peek(8);
            const size_t len = opt[1] * 8u;
            if (len == 0 || len > c.left())
                break;
            if (len == 8 && (opt[0] == kNdOptSll || opt[0] == kNdOptTll)) {
                Mac& m = opt[0] == kNdOptSll ? sll : tll;
                if (!m.is_zero()) {
                    bad = true;  // the same option twice: ignore the message's addresses
                    break;
                }
                std::memcpy(m.b, opt + 2, 6);
            }
            c.pull(len);
        }
        if (!bad) {
            std::memcpy(f.nd_target.b, target, 16);
            f.arp_sha = sll;
            f.arp_tha = tll;
        }
        break;
    }
    default:
        break;
    }
}

void parse_ipv4(Cursor& c, Flow& f, Layers* layers)
{
    const uint8_t* h = c.peek(20);
    if (!h)
        return;
    const size_t ihl = (h[0] & 0x0f) * 4u;
    const size_t tot = rd16(h + 2);
    if (ihl < 20 || c.left() < ihl || tot > c.left() || ihl > tot)
        return;
    c.limit(tot);  // never read the Ethernet padding as payload
    std::memcpy(f.nw_src.b, h + 12, 4);
    std::memcpy(f.nw_dst.b, h + 16, 4);
    f.nw_tos = h[1];
    f.nw_ttl = h[8];
    f.nw_proto = h[9];
    const uint16_t frag = rd16(h + 6);
    if (frag & 0x3fff) {  // MF set or a non-zero offset
        f.nw_frag = kFragAny;
        if (frag & 0x1fff)
            f.nw_frag |= kFragLater;
    }
    c.pull(ihl);
    if (!(f.nw_frag & kFragLater))
        parse_l4(c, f, layers);
}

void parse_ipv6(Cursor& c, Flow& f, Layers* layers)
{
    const uint8_t* h = c.peek(40);
    if (!h)
        return;
    const size_t plen = rd16(h + 4);
    if (plen + 40 > c.left())
        return;
    c.pull(40);
    c.limit(plen);
    std::memcpy(f.ipv6_src.b, h + 8, 16);
    std::memcpy(f.ipv6_dst.b, h + 24, 16);
    const uint32_t vtf = static_cast<uint32_t>(h[0]) << 24 | h[1] << 16 | h[2] << 8 | h[3];
    uint8_t proto = h[6];
    uint8_t frag = 0;
    // Extension headers; a malformed one leaves only the addresses.
    for (;;) {
        if (proto != kProtoHopOpts && proto != kProtoRouting && proto != kProtoDstOpts &&
            proto != kProtoAh && proto != kProtoFragment)
            break;
        const uint8_t* e = c.peek(8);
        if (!e)
            return;
        if (proto == kProtoFragment) {
            const uint16_t offlg = rd16(e + 2);
            proto = e[0];
            c.pull(8);
            if (offlg) {
                frag = kFragAny;
                if (offlg & 0xfff8) {
                    frag |= kFragLater;
                    proto = kProtoFragment;
                    break;
                }
            }
            continue;
        }
        const size_t len = proto == kProtoAh ? (e[1] + 2u) * 4 : (e[1] + 1u) * 8;
        proto = e[0];
        if (!c.pull(len))
            return;
    }
    f.ipv6_label.set(vtf & 0xfffff);
    f.nw_tos = static_cast<uint8_t>(vtf >> 20);
    f.nw_ttl = h[7];
    f.nw_proto = proto;
    f.nw_frag = frag;
    if (!(frag & kFragLater))
        parse_l4(c, f, layers);
}

void parse_arp(Cursor& c, Flow& f)
{
    const uint8_t* a = c.pull(28);
    if (!a || rd16(a) != 1 || rd16(a + 2) != kEthTypeIp || a[4] != 6 || a[5] != 4)
        return;
    const uint16_t op = rd16(a + 6);
    if (op <= 0xff)
        f.nw_proto = static_cast<uint8_t>(op);
    std::memcpy(f.arp_sha.b, a + 8, 6);
    std::memcpy(f.nw_src.b, a + 14, 4);
    std::memcpy(f.arp_tha.b, a + 18, 6);
    std::memcpy(f.nw_dst.b, a + 24, 4);
}

}  // namespace

void extract_flow(std::span<const uint8_t> packet, Flow& f, Layers* layers)
{
    constexpr size_t kHeaders = offsetof(Flow, eth_dst);
    std::memset(f.bytes() + kHeaders, 0, sizeof(Flow) - kHeaders);
    if (layers)
        *layers = Layers{};

    Cursor c(packet.data(), packet.size());
    uint16_t type;
    const uint32_t pt = f.packet_type.get();
    if (pt == kPacketTypeEthernet) {
        const uint8_t* eth = c.pull(12);
        if (!eth || c.left() < 2) {
            // Too short for Ethernet: nothing is known.
            return;
        }
        std::memcpy(f.eth_dst.b, eth, 6);
        std::memcpy(f.eth_src.b, eth + 6, 6);
        for (int n = 0; n < kMaxVlans; ++n) {
            const uint8_t* t = c.peek(6);
            if (!t || !is_vlan_tpid(rd16(t)))
                break;
            f.vlans[n].tpid.set(rd16(t));
            f.vlans[n].tci.set(rd16(t + 2) | kVlanCfi);
            c.pull(4);
        }
        type = parse_ethertype(c);
    } else if ((pt >> 16) == kPacketTypeNsEthertype) {
        type = static_cast<uint16_t>(pt);
    } else {
        return;  // a packet type we do not parse
    }
    f.eth_type.set(type);

    if (type == kEthTypeMpls || type == kEthTypeMplsMcast) {
        if (layers)
            layers->l2_5 = c.offset();
        for (int n = 0; const uint8_t* l = c.pull(4);) {
            if (n < kMaxMplsLabels)
                std::memcpy(f.mpls_lse[n].b, l, 4);
            ++n;
            if (l[2] & 0x01)  // bottom of stack
                break;
        }
        if (layers)
            layers->l3 = c.offset();
        return;
    }

    if (layers)
        layers->l3 = c.offset();
    switch (type) {
    case kEthTypeIp: parse_ipv4(c, f, layers); break;
    case kEthTypeIpv6: parse_ipv6(c, f, layers); break;
    case kEthTypeArp: case kEthTypeRarp: parse_arp(c, f); break;
    default: break;
    }
}

Flow extract_flow(std::span<const uint8_t> packet, uint32_t in_port)
{
    Flow f{};
    f.in_port.set(in_port);
    extract_flow(packet, f);
    return f;
}

}  // namespace mf
