#include "openflow/match10.hpp"

#include <cstring>

namespace ofp {

namespace {

enum : uint32_t {
    FW_IN_PORT = 1u << 0, FW_DL_VLAN = 1u << 1, FW_DL_SRC = 1u << 2, FW_DL_DST = 1u << 3,
    FW_DL_TYPE = 1u << 4, FW_NW_PROTO = 1u << 5, FW_TP_SRC = 1u << 6, FW_TP_DST = 1u << 7,
    FW_NW_SRC_SHIFT = 8, FW_NW_DST_SHIFT = 14, FW_DL_VLAN_PCP = 1u << 20, FW_NW_TOS = 1u << 21,
};

uint32_t prefix_mask(unsigned wild_bits) {
    if (wild_bits >= 32) return 0;
    return wild_bits == 0 ? 0xffffffffu : ~((1u << wild_bits) - 1);
}

// Number of wildcarded low bits of a CIDR mask, or -1 if it is not one.
int cidr_wild_bits(uint32_t mask) {
    for (int n = 0; n <= 32; ++n)
        if (prefix_mask(static_cast<unsigned>(n)) == mask) return n;
    return -1;
}

void read_mac(Reader& r, mf::Mac& m) {
    ByteView b = r.take(6);
    std::memcpy(m.b, b.data(), 6);
}

}  // namespace

mf::Match match10_decode(Reader& r) {
    mf::Flow f{}, m{};
    const uint32_t fw = r.u32();
    const uint16_t in_port = r.u16();
    mf::Mac dl_src, dl_dst;
    read_mac(r, dl_src);
    read_mac(r, dl_dst);
    const uint16_t dl_vlan = r.u16();
    const uint8_t pcp = r.u8();
    r.skip(1);
    const uint16_t dl_type = r.u16();
    const uint8_t tos = r.u8();
    const uint8_t proto = r.u8();
    r.skip(2);
    const uint32_t nw_src = r.u32(), nw_dst = r.u32();
    const uint16_t tp_src = r.u16(), tp_dst = r.u16();

    if (!(fw & FW_DL_SRC)) {
        f.eth_src = dl_src;
        std::memset(m.eth_src.b, 0xff, 6);
    }
    if (!(fw & FW_DL_DST)) {
        f.eth_dst = dl_dst;
        std::memset(m.eth_dst.b, 0xff, 6);
    }
    if (!(fw & FW_DL_TYPE)) {
        f.eth_type.set(dl_type);
        m.eth_type.set(0xffff);
    }
    // VLAN: 0xffff is "untagged"; otherwise a tag is required.
    uint16_t tci_mask = 0;
    if (!(fw & FW_DL_VLAN)) tci_mask |= mf::kVlanVidMask | mf::kVlanCfi;
    if (!(fw & FW_DL_VLAN_PCP)) tci_mask |= mf::kVlanPcpMask | mf::kVlanCfi;
    if (!(fw & FW_DL_VLAN) && dl_vlan == 0xffff) {
        f.vlans[0].tci.set(0);
        m.vlans[0].tci.set(0xffff);
    } else if (tci_mask) {
        uint16_t tci = static_cast<uint16_t>((dl_vlan & mf::kVlanVidMask) |
                                             ((pcp << mf::kVlanPcpShift) & mf::kVlanPcpMask) | mf::kVlanCfi);
        f.vlans[0].tci.set(tci & tci_mask);
        m.vlans[0].tci.set(tci_mask);
    }
    if (!(fw & FW_NW_TOS)) {
        f.nw_tos = tos & mf::kIpDscpMask;
        m.nw_tos = mf::kIpDscpMask;
    }
    if (!(fw & FW_NW_PROTO)) {
        f.nw_proto = proto;
        m.nw_proto = 0xff;
    }
    const uint32_t sm = prefix_mask((fw >> FW_NW_SRC_SHIFT) & 0x3f);
    const uint32_t dm = prefix_mask((fw >> FW_NW_DST_SHIFT) & 0x3f);
    f.nw_src.set(nw_src & sm);
    m.nw_src.set(sm);
    f.nw_dst.set(nw_dst & dm);
    m.nw_dst.set(dm);
    if (!(fw & FW_TP_SRC)) {
        f.tp_src.set(tp_src);
        m.tp_src.set(0xffff);
    }
    if (!(fw & FW_TP_DST)) {
        f.tp_dst.set(tp_dst);
        m.tp_dst.set(0xffff);
    }
    // Any field but in_port implies an Ethernet packet (packet_type (0,0)),
    // as NXM decoding and Open vSwitch have it.
    const uint32_t data_bits = FW_NW_TOS | FW_NW_PROTO | FW_TP_SRC | FW_TP_DST | FW_DL_SRC | FW_DL_DST |
                               FW_DL_TYPE | FW_DL_VLAN | FW_DL_VLAN_PCP;
    if ((fw & data_bits) != data_bits || sm || dm) m.packet_type.set(0xffffffff);
    // ICMP type and code are 8-bit fields; in_port as the catalogue has it.
    mf::Match match(f, m);
    if (!(fw & FW_IN_PORT)) match.set_uint(mf::FieldId::in_port, in_port);
    if (f.eth_type == mf::kEthTypeIp && f.nw_proto == mf::kIpProtoIcmp && m.nw_proto == 0xff) {
        if (!(fw & FW_TP_SRC)) match.set_uint(mf::FieldId::icmpv4_type, tp_src & 0xff);
        if (!(fw & FW_TP_DST)) match.set_uint(mf::FieldId::icmpv4_code, tp_dst & 0xff);
    }
    match.drop_unmet_prereqs();
    return match;
}

bool match10_exact(ByteView m40) {
    uint32_t fw = static_cast<uint32_t>(m40[0]) << 24 | static_cast<uint32_t>(m40[1]) << 16 |
                  static_cast<uint32_t>(m40[2]) << 8 | m40[3];
    return (fw & kOfpfw10All) == 0;
}

void match10_encode(const mf::Match& match, Writer& w) {
    const mf::Flow& f = match.flow();
    const mf::Flow& m = match.mask();
    uint32_t fw = kOfpfw10All;
    if (m.in_port.get()) fw &= ~FW_IN_PORT;
    static const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (!std::memcmp(m.eth_src.b, ones, 6)) fw &= ~FW_DL_SRC;
    if (!std::memcmp(m.eth_dst.b, ones, 6)) fw &= ~FW_DL_DST;
    if (m.eth_type.get()) fw &= ~FW_DL_TYPE;
    uint16_t dl_vlan = 0;
    uint8_t pcp = 0;
    const uint16_t tm = m.vlans[0].tci.get(), tv = f.vlans[0].tci.get();
    if (tm == 0xffff && tv == 0) {
        fw &= ~FW_DL_VLAN;
        dl_vlan = 0xffff;
    } else {
        if ((tm & mf::kVlanVidMask) == mf::kVlanVidMask) {
            fw &= ~FW_DL_VLAN;
            dl_vlan = tv & mf::kVlanVidMask;
        }
        if ((tm & mf::kVlanPcpMask) == mf::kVlanPcpMask) {
            fw &= ~FW_DL_VLAN_PCP;
            pcp = static_cast<uint8_t>(tv >> mf::kVlanPcpShift);
        }
    }
    if (m.nw_tos & mf::kIpDscpMask) fw &= ~FW_NW_TOS;
    if (m.nw_proto) fw &= ~FW_NW_PROTO;
    int sw = cidr_wild_bits(m.nw_src.get());
    int dw = cidr_wild_bits(m.nw_dst.get());
    fw = (fw & ~(0x3fu << FW_NW_SRC_SHIFT)) | (static_cast<uint32_t>(sw < 0 ? 32 : sw) << FW_NW_SRC_SHIFT);
    fw = (fw & ~(0x3fu << FW_NW_DST_SHIFT)) | (static_cast<uint32_t>(dw < 0 ? 32 : dw) << FW_NW_DST_SHIFT);
    if (m.tp_src.get()) fw &= ~FW_TP_SRC;
    if (m.tp_dst.get()) fw &= ~FW_TP_DST;

    w.u32(fw);
    w.u16(static_cast<uint16_t>(f.in_port.get()));
    w.bytes(f.eth_src.b, 6);
    w.bytes(f.eth_dst.b, 6);
    w.u16(dl_vlan);
    w.u8(pcp);
    w.u8(0);
    w.u16(f.eth_type.get());
    w.u8(f.nw_tos & mf::kIpDscpMask);
    w.u8(f.nw_proto);
    w.u16(0);
    w.u32(sw < 0 ? 0 : f.nw_src.get());
    w.u32(dw < 0 ? 0 : f.nw_dst.get());
    w.u16(f.tp_src.get());
    w.u16(f.tp_dst.get());
}

}  // namespace ofp
