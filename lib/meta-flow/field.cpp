#include "meta-flow/field.hpp"

#include <cstddef>
#include <cstring>
#include <unordered_map>
#include <utility>

namespace mf {

namespace {

// ---- building blocks for the table ---------------------------------------

constexpr uint64_t ones(size_t n_bytes)
{
    return n_bytes >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n_bytes)) - 1;
}

constexpr Storage at(size_t offset, size_t size)
{
    return Storage{static_cast<uint16_t>(offset), static_cast<uint8_t>(size), 0, ones(size)};
}

// The location of a Flow member: offset and size both derived from the one
// member designator, so they cannot disagree.
#define MF_MEMBER(m) at(offsetof(::mf::Flow, m), sizeof(std::declval<::mf::Flow&>().m))
// `n` consecutive members starting at `m` (xreg/xxreg over the registers).
#define MF_MEMBERS(m, n) at(offsetof(::mf::Flow, m), (n) * sizeof(std::declval<::mf::Flow&>().m))

constexpr Storage part(Storage s, uint64_t bits, uint8_t shift = 0)
{
    s.bits = bits;
    s.shift = shift;
    return s;
}

using SV = std::string_view;
constexpr OxmHeader nxm0(SV n, uint8_t f) { return {n, 0x0000, f, 0, 0, true}; }
constexpr OxmHeader nxm1(SV n, uint8_t f) { return {n, 0x0001, f, 0, 0, true}; }
constexpr OxmHeader oxm(SV n, uint8_t f, uint8_t of_version)
{
    return {n, 0x8000, f, 0, of_version, true};
}
constexpr OxmHeader pkt_reg(SV n, uint8_t f) { return {n, 0x8001, f, 0, 4, true}; }
constexpr OxmHeader nx_exp(SV n, uint8_t f) { return {n, 0xffff, f, kNxExperimenter, 0, true}; }
constexpr OxmHeader onf_exp(SV n, uint8_t f, uint8_t of_version)
{
    return {n, 0xffff, f, kOnfExperimenter, of_version, true};
}
constexpr uint8_t OF12 = 3, OF13 = 4, OF15 = 6;

using H = std::array<OxmHeader, 3>;
constexpr H none_h{};
constexpr H h1(OxmHeader a) { return H{a, OxmHeader{}, OxmHeader{}}; }
constexpr H h2(OxmHeader a, OxmHeader b) { return H{a, b, OxmHeader{}}; }
constexpr H h3(OxmHeader a, OxmHeader b, OxmHeader c) { return H{a, b, c}; }

using F = FieldDesc;
using S = StringFormat;
using P = Prereq;
using M = Maskable;
using O = OfMatch;
constexpr bool RW = true, RO = false;

// One entry.  valid_bits == 0 means "every bit of the value".
constexpr F entry(FieldId id, std::string_view name, std::string_view extra, uint8_t n_bytes,
                  uint16_t n_bits, M maskable, S format, P prereq, bool writable, Storage loc,
                  H headers, O of10, O of11, std::string_view group = {},
                  uint64_t valid_bits = 0, uint64_t implied_bits = 0,
                  uint64_t implied_value = 0, Codec codec = Codec::plain)
{
    return F{id,
             name,
             extra,
             n_bytes,
             n_bits,
             maskable,
             format,
             prereq,
             writable,
             loc,
             valid_bits ? valid_bits : ones(n_bytes),
             implied_bits,
             implied_value,
             codec,
             headers,
             of10,
             of11,
             group};
}

constexpr F reg(int i)
{
    constexpr std::string_view names[kNumRegs] = {"reg0",  "reg1",  "reg2",  "reg3",
                                                  "reg4",  "reg5",  "reg6",  "reg7",
                                                  "reg8",  "reg9",  "reg10", "reg11",
                                                  "reg12", "reg13", "reg14", "reg15"};
    constexpr std::string_view nxm_names[kNumRegs] = {
        "NXM_NX_REG0",  "NXM_NX_REG1",  "NXM_NX_REG2",  "NXM_NX_REG3",
        "NXM_NX_REG4",  "NXM_NX_REG5",  "NXM_NX_REG6",  "NXM_NX_REG7",
        "NXM_NX_REG8",  "NXM_NX_REG9",  "NXM_NX_REG10", "NXM_NX_REG11",
        "NXM_NX_REG12", "NXM_NX_REG13", "NXM_NX_REG14", "NXM_NX_REG15"};
    return entry(static_cast<FieldId>(static_cast<int>(FieldId::reg0) + i), names[i], {}, 4, 32,
                 M::arbitrary, S::hexadecimal, P::none, RW,
                 at(offsetof(Flow, regs) + 4 * i, 4), h1(nxm1(nxm_names[i], static_cast<uint8_t>(i))), O::no,
                 O::no, "regs");
}

constexpr F xreg(int i)
{
    constexpr std::string_view names[8] = {"xreg0", "xreg1", "xreg2", "xreg3",
                                           "xreg4", "xreg5", "xreg6", "xreg7"};
    constexpr std::string_view oxm_names[8] = {
        "OXM_OF_PKT_REG0", "OXM_OF_PKT_REG1", "OXM_OF_PKT_REG2", "OXM_OF_PKT_REG3",
        "OXM_OF_PKT_REG4", "OXM_OF_PKT_REG5", "OXM_OF_PKT_REG6", "OXM_OF_PKT_REG7"};
    return entry(static_cast<FieldId>(static_cast<int>(FieldId::xreg0) + i), names[i], {}, 8, 64,
                 M::arbitrary, S::hexadecimal, P::none, RW,
                 at(offsetof(Flow, regs) + 8 * i, 8), h1(pkt_reg(oxm_names[i], static_cast<uint8_t>(i))), O::no,
                 O::no, "regs");
}

constexpr F xxreg(int i)
{
    constexpr std::string_view names[4] = {"xxreg0", "xxreg1", "xxreg2", "xxreg3"};
    constexpr std::string_view nxm_names[4] = {"NXM_NX_XXREG0", "NXM_NX_XXREG1", "NXM_NX_XXREG2",
                                               "NXM_NX_XXREG3"};
    return entry(static_cast<FieldId>(static_cast<int>(FieldId::xxreg0) + i), names[i], {}, 16,
                 128, M::arbitrary, S::hexadecimal, P::none, RW,
                 at(offsetof(Flow, regs) + 16 * i, 16), h1(nxm1(nxm_names[i], static_cast<uint8_t>(111 + i))),
                 O::no, O::no, "regs");
}

using namespace std::string_view_literals;

// ---- the catalogue ---------------------------------------------------------
//
// Columns: id, name, alternative name, value bytes, significant bits,
// maskable, string format, prerequisites, writable, storage, NXM/OXM headers
// (ascending OpenFlow version), OpenFlow 1.0 and 1.1 support, view group,
// and where needed valid value bits, implied storage bits/values, codec.

constexpr std::array<F, kNumFields> kFields = {{
    entry(FieldId::dp_hash, "dp_hash", {}, 4, 32, M::arbitrary, S::hexadecimal, P::none, RO,
          MF_MEMBER(dp_hash), h2(nx_exp("NXOXM_ET_DP_HASH", 0), nxm1("NXM_NX_DP_HASH", 35)), O::no, O::no),
    entry(FieldId::recirc_id, "recirc_id", {}, 4, 32, M::none, S::decimal, P::none, RO,
          MF_MEMBER(recirc_id), h1(nxm1("NXM_NX_RECIRC_ID", 36)), O::no, O::no),
    entry(FieldId::packet_type, "packet_type", {}, 4, 32, M::none, S::packet_type, P::none, RO,
          MF_MEMBER(packet_type), h1(oxm("OXM_OF_PACKET_TYPE", 44, OF15)), O::no, O::no),
    entry(FieldId::tun_id, "tun_id", "tunnel_id", 8, 64, M::arbitrary, S::hexadecimal, P::none,
          RW, MF_MEMBER(tun_id), h2(nxm1("NXM_NX_TUN_ID", 16), oxm("OXM_OF_TUNNEL_ID", 38, OF13)), O::no, O::no),
    entry(FieldId::tun_src, "tun_src", {}, 4, 32, M::arbitrary, S::ipv4, P::none, RW,
          MF_MEMBER(tun_src), h1(nxm1("NXM_NX_TUN_IPV4_SRC", 31)), O::no, O::no),
    entry(FieldId::tun_dst, "tun_dst", {}, 4, 32, M::arbitrary, S::ipv4, P::none, RW,
          MF_MEMBER(tun_dst), h1(nxm1("NXM_NX_TUN_IPV4_DST", 32)), O::no, O::no),
    entry(FieldId::tun_ipv6_src, "tun_ipv6_src", {}, 16, 128, M::arbitrary, S::ipv6, P::none, RW,
          MF_MEMBER(tun_ipv6_src), h1(nxm1("NXM_NX_TUN_IPV6_SRC", 109)), O::no, O::no),
    entry(FieldId::tun_ipv6_dst, "tun_ipv6_dst", {}, 16, 128, M::arbitrary, S::ipv6, P::none, RW,
          MF_MEMBER(tun_ipv6_dst), h1(nxm1("NXM_NX_TUN_IPV6_DST", 110)), O::no, O::no),
    entry(FieldId::tun_flags, "tun_flags", {}, 2, 1, M::arbitrary, S::tun_flags, P::none, RW,
          part(MF_MEMBER(tun_flags), kTunFlagPublicMask), h1(nxm1("NXM_NX_TUN_FLAGS", 104)), O::no, O::no, {},
          kTunFlagPublicMask),
    entry(FieldId::tun_ttl, "tun_ttl", {}, 1, 8, M::none, S::decimal, P::none, RO,
          MF_MEMBER(tun_ttl), none_h, O::no, O::no),
    entry(FieldId::tun_tos, "tun_tos", {}, 1, 8, M::none, S::decimal, P::none, RO,
          MF_MEMBER(tun_tos), none_h, O::no, O::no),
    entry(FieldId::metadata, "metadata", {}, 8, 64, M::arbitrary, S::hexadecimal, P::none, RW,
          MF_MEMBER(metadata), h1(oxm("OXM_OF_METADATA", 2, OF12)), O::no, O::bitwise),
    entry(FieldId::in_port, "in_port", {}, 2, 16, M::none, S::ofp_port, P::none, RW,
          part(MF_MEMBER(in_port), 0xffff), h1(nxm0("NXM_OF_IN_PORT", 0)), O::exact, O::exact, "in_port"),
    entry(FieldId::in_port_oxm, "in_port_oxm", {}, 4, 32, M::none, S::ofp_port_oxm, P::none, RW,
          part(MF_MEMBER(in_port), 0xffff), h1(oxm("OXM_OF_IN_PORT", 0, OF12)), O::no, O::exact, "in_port", 0, 0,
          0, Codec::ofp11_port),
    entry(FieldId::skb_priority, "skb_priority", {}, 4, 32, M::none, S::hexadecimal, P::none, RO,
          MF_MEMBER(skb_priority), none_h, O::no, O::no),
    entry(FieldId::pkt_mark, "pkt_mark", {}, 4, 32, M::arbitrary, S::hexadecimal, P::none, RW,
          MF_MEMBER(pkt_mark), h1(nxm1("NXM_NX_PKT_MARK", 33)), O::no, O::no),
    entry(FieldId::ct_state, "ct_state", {}, 4, 32, M::arbitrary, S::ct_state, P::none, RO,
          part(MF_MEMBER(ct_state), kCsSupportedMask), h1(nxm1("NXM_NX_CT_STATE", 105)), O::no, O::no, {},
          kCsSupportedMask),
    entry(FieldId::ct_zone, "ct_zone", {}, 2, 16, M::none, S::hexadecimal, P::none, RO,
          MF_MEMBER(ct_zone), h1(nxm1("NXM_NX_CT_ZONE", 106)), O::no, O::no),
    entry(FieldId::ct_mark, "ct_mark", {}, 4, 32, M::arbitrary, S::hexadecimal, P::none, RW,
          MF_MEMBER(ct_mark), h1(nxm1("NXM_NX_CT_MARK", 107)), O::no, O::no),
    entry(FieldId::ct_label, "ct_label", {}, 16, 128, M::arbitrary, S::hexadecimal, P::none, RW,
          MF_MEMBER(ct_label), h1(nxm1("NXM_NX_CT_LABEL", 108)), O::no, O::no),

    reg(0), reg(1), reg(2), reg(3), reg(4), reg(5), reg(6), reg(7),
    reg(8), reg(9), reg(10), reg(11), reg(12), reg(13), reg(14), reg(15),
    xreg(0), xreg(1), xreg(2), xreg(3), xreg(4), xreg(5), xreg(6), xreg(7),
    xxreg(0), xxreg(1), xxreg(2), xxreg(3),

    entry(FieldId::eth_src, "eth_src", "dl_src", 6, 48, M::arbitrary, S::ethernet, P::ethernet,
          RW, MF_MEMBER(eth_src), h2(nxm0("NXM_OF_ETH_SRC", 2), oxm("OXM_OF_ETH_SRC", 4, OF12)), O::exact, O::bitwise),
    entry(FieldId::eth_dst, "eth_dst", "dl_dst", 6, 48, M::arbitrary, S::ethernet, P::ethernet,
          RW, MF_MEMBER(eth_dst), h2(nxm0("NXM_OF_ETH_DST", 1), oxm("OXM_OF_ETH_DST", 3, OF12)), O::exact, O::bitwise),
    entry(FieldId::eth_type, "eth_type", "dl_type", 2, 16, M::none, S::hexadecimal, P::ethernet,
          RO, MF_MEMBER(eth_type), h2(nxm0("NXM_OF_ETH_TYPE", 3), oxm("OXM_OF_ETH_TYPE", 5, OF12)), O::exact, O::exact),
    entry(FieldId::vlan_tci, "vlan_tci", {}, 2, 16, M::arbitrary, S::hexadecimal, P::ethernet, RW,
          MF_MEMBER(vlans[0].tci), h1(nxm0("NXM_OF_VLAN_TCI", 4)), O::exact, O::exact, "vlan_tci"),
    entry(FieldId::dl_vlan, "dl_vlan", {}, 2, 12, M::none, S::decimal, P::ethernet, RW,
          part(MF_MEMBER(vlans[0].tci), kVlanVidMask), none_h, O::exact, O::exact, "vlan_tci",
          kVlanVidMask, kVlanCfi, kVlanCfi),
    entry(FieldId::vlan_vid, "vlan_vid", {}, 2, 12, M::arbitrary, S::decimal, P::ethernet, RW,
          part(MF_MEMBER(vlans[0].tci), kVlanVidMask | kVlanCfi), h1(oxm("OXM_OF_VLAN_VID", 6, OF12)), O::exact,
          O::exact, "vlan_tci", kVlanVidMask | kVlanCfi),
    entry(FieldId::dl_vlan_pcp, "dl_vlan_pcp", {}, 1, 3, M::none, S::decimal, P::ethernet, RW,
          part(MF_MEMBER(vlans[0].tci), kVlanPcpMask, kVlanPcpShift), none_h, O::exact, O::exact,
          "vlan_tci", 0x7, kVlanCfi, kVlanCfi),
    entry(FieldId::vlan_pcp, "vlan_pcp", {}, 1, 3, M::none, S::decimal, P::vlan_vid, RW,
          part(MF_MEMBER(vlans[0].tci), kVlanPcpMask, kVlanPcpShift), h1(oxm("OXM_OF_VLAN_PCP", 7, OF12)), O::exact,
          O::exact, "vlan_tci", 0x7, kVlanCfi, kVlanCfi),
    entry(FieldId::mpls_label, "mpls_label", {}, 4, 20, M::none, S::decimal, P::mpls, RW,
          part(MF_MEMBER(mpls_lse[0]), kMplsLabelMask, kMplsLabelShift), h1(oxm("OXM_OF_MPLS_LABEL", 34, OF12)),
          O::no, O::exact, {}, 0xfffff),
    entry(FieldId::mpls_tc, "mpls_tc", {}, 1, 3, M::none, S::decimal, P::mpls, RW,
          part(MF_MEMBER(mpls_lse[0]), kMplsTcMask, kMplsTcShift), h1(oxm("OXM_OF_MPLS_TC", 35, OF12)), O::no,
          O::exact, {}, 0x7),
    entry(FieldId::mpls_bos, "mpls_bos", {}, 1, 1, M::none, S::decimal, P::mpls, RO,
          part(MF_MEMBER(mpls_lse[0]), kMplsBosMask, kMplsBosShift), h1(oxm("OXM_OF_MPLS_BOS", 36, OF13)), O::no,
          O::no, {}, 0x1),
    entry(FieldId::mpls_ttl, "mpls_ttl", {}, 1, 8, M::none, S::decimal, P::mpls, RW,
          part(MF_MEMBER(mpls_lse[0]), kMplsTtlMask), h1(nxm1("NXM_NX_MPLS_TTL", 30)), O::no, O::no),

    entry(FieldId::ipv4_src, "ip_src", "nw_src", 4, 32, M::arbitrary, S::ipv4, P::ipv4, RW,
          MF_MEMBER(nw_src), h2(nxm0("NXM_OF_IP_SRC", 7), oxm("OXM_OF_IPV4_SRC", 11, OF12)), O::cidr, O::bitwise, "nw_src"),
    entry(FieldId::ipv4_dst, "ip_dst", "nw_dst", 4, 32, M::arbitrary, S::ipv4, P::ipv4, RW,
          MF_MEMBER(nw_dst), h2(nxm0("NXM_OF_IP_DST", 8), oxm("OXM_OF_IPV4_DST", 12, OF12)), O::cidr, O::bitwise, "nw_dst"),
    entry(FieldId::ipv6_src, "ipv6_src", {}, 16, 128, M::arbitrary, S::ipv6, P::ipv6, RW,
          MF_MEMBER(ipv6_src), h2(nxm1("NXM_NX_IPV6_SRC", 19), oxm("OXM_OF_IPV6_SRC", 26, OF12)), O::no, O::no),
    entry(FieldId::ipv6_dst, "ipv6_dst", {}, 16, 128, M::arbitrary, S::ipv6, P::ipv6, RW,
          MF_MEMBER(ipv6_dst), h2(nxm1("NXM_NX_IPV6_DST", 20), oxm("OXM_OF_IPV6_DST", 27, OF12)), O::no, O::no),
    entry(FieldId::ipv6_label, "ipv6_label", {}, 4, 20, M::arbitrary, S::hexadecimal, P::ipv6, RW,
          MF_MEMBER(ipv6_label), h2(nxm1("NXM_NX_IPV6_LABEL", 27), oxm("OXM_OF_IPV6_FLABEL", 28, OF12)), O::no, O::no, {}, 0xfffff),
    entry(FieldId::ip_proto, "nw_proto", "ip_proto", 1, 8, M::none, S::decimal, P::ip_any, RO,
          MF_MEMBER(nw_proto), h2(nxm0("NXM_OF_IP_PROTO", 6), oxm("OXM_OF_IP_PROTO", 10, OF12)), O::exact, O::exact, "nw_proto"),
    entry(FieldId::ip_dscp, "nw_tos", {}, 1, 8, M::none, S::decimal, P::ip_any, RW,
          part(MF_MEMBER(nw_tos), kIpDscpMask), h1(nxm0("NXM_OF_IP_TOS", 5)), O::exact, O::exact, "dscp",
          kIpDscpMask),
    entry(FieldId::ip_dscp_shifted, "ip_dscp", {}, 1, 6, M::none, S::decimal, P::ip_any, RW,
          part(MF_MEMBER(nw_tos), kIpDscpMask, 2), h1(oxm("OXM_OF_IP_DSCP", 8, OF12)), O::exact, O::exact, "dscp",
          kIpDscpMask >> 2),
    entry(FieldId::ip_ecn, "nw_ecn", "ip_ecn", 1, 2, M::none, S::decimal, P::ip_any, RW,
          part(MF_MEMBER(nw_tos), kIpEcnMask), h2(nxm1("NXM_NX_IP_ECN", 28), oxm("OXM_OF_IP_ECN", 9, OF12)), O::no, O::exact, {},
          kIpEcnMask),
    entry(FieldId::ip_ttl, "nw_ttl", {}, 1, 8, M::none, S::decimal, P::ip_any, RW,
          MF_MEMBER(nw_ttl), h1(nxm1("NXM_NX_IP_TTL", 29)), O::no, O::no),
    entry(FieldId::ip_frag, "ip_frag", "nw_frag", 1, 2, M::arbitrary, S::frag, P::ip_any, RO,
          part(MF_MEMBER(nw_frag), kFragMask), h1(nxm1("NXM_NX_IP_FRAG", 26)), O::no, O::no, {}, kFragMask),
    entry(FieldId::arp_op, "arp_op", {}, 2, 16, M::none, S::decimal, P::arp, RW,
          part(MF_MEMBER(nw_proto), 0xff), h2(nxm0("NXM_OF_ARP_OP", 15), oxm("OXM_OF_ARP_OP", 21, OF12)), O::exact, O::exact,
          "nw_proto", 0xff),
    entry(FieldId::arp_spa, "arp_spa", {}, 4, 32, M::arbitrary, S::ipv4, P::arp, RW,
          MF_MEMBER(nw_src), h2(nxm0("NXM_OF_ARP_SPA", 16), oxm("OXM_OF_ARP_SPA", 22, OF12)), O::cidr, O::bitwise, "nw_src"),
    entry(FieldId::arp_tpa, "arp_tpa", {}, 4, 32, M::arbitrary, S::ipv4, P::arp, RW,
          MF_MEMBER(nw_dst), h2(nxm0("NXM_OF_ARP_TPA", 17), oxm("OXM_OF_ARP_TPA", 23, OF12)), O::cidr, O::bitwise, "nw_dst"),
    entry(FieldId::arp_sha, "arp_sha", {}, 6, 48, M::arbitrary, S::ethernet, P::arp, RW,
          MF_MEMBER(arp_sha), h2(nxm1("NXM_NX_ARP_SHA", 17), oxm("OXM_OF_ARP_SHA", 24, OF12)), O::no, O::no, "arp_sha"),
    entry(FieldId::arp_tha, "arp_tha", {}, 6, 48, M::arbitrary, S::ethernet, P::arp, RW,
          MF_MEMBER(arp_tha), h2(nxm1("NXM_NX_ARP_THA", 18), oxm("OXM_OF_ARP_THA", 25, OF12)), O::no, O::no, "arp_tha"),

    entry(FieldId::tcp_src, "tcp_src", "tp_src", 2, 16, M::arbitrary, S::decimal, P::tcp, RW,
          MF_MEMBER(tp_src), h2(nxm0("NXM_OF_TCP_SRC", 9), oxm("OXM_OF_TCP_SRC", 13, OF12)), O::exact, O::exact, "tp_src"),
    entry(FieldId::tcp_dst, "tcp_dst", "tp_dst", 2, 16, M::arbitrary, S::decimal, P::tcp, RW,
          MF_MEMBER(tp_dst), h2(nxm0("NXM_OF_TCP_DST", 10), oxm("OXM_OF_TCP_DST", 14, OF12)), O::exact, O::exact, "tp_dst"),
    entry(FieldId::tcp_flags, "tcp_flags", {}, 2, 12, M::arbitrary, S::tcp_flags, P::tcp, RO,
          MF_MEMBER(tcp_flags), h3(nxm1("NXM_NX_TCP_FLAGS", 34), onf_exp("ONFOXM_ET_TCP_FLAGS", 42, OF13), oxm("OXM_OF_TCP_FLAGS", 42, OF15)), O::no, O::no, {},
          kTcpFlagsMask),
    entry(FieldId::udp_src, "udp_src", {}, 2, 16, M::arbitrary, S::decimal, P::udp, RW,
          MF_MEMBER(tp_src), h2(nxm0("NXM_OF_UDP_SRC", 11), oxm("OXM_OF_UDP_SRC", 15, OF12)), O::exact, O::exact, "tp_src"),
    entry(FieldId::udp_dst, "udp_dst", {}, 2, 16, M::arbitrary, S::decimal, P::udp, RW,
          MF_MEMBER(tp_dst), h2(nxm0("NXM_OF_UDP_DST", 12), oxm("OXM_OF_UDP_DST", 16, OF12)), O::exact, O::exact, "tp_dst"),
    entry(FieldId::sctp_src, "sctp_src", {}, 2, 16, M::arbitrary, S::decimal, P::sctp, RW,
          MF_MEMBER(tp_src), h1(oxm("OXM_OF_SCTP_SRC", 17, OF12)), O::no, O::exact, "tp_src"),
    entry(FieldId::sctp_dst, "sctp_dst", {}, 2, 16, M::arbitrary, S::decimal, P::sctp, RW,
          MF_MEMBER(tp_dst), h1(oxm("OXM_OF_SCTP_DST", 18, OF12)), O::no, O::exact, "tp_dst"),
    entry(FieldId::icmpv4_type, "icmp_type", {}, 1, 8, M::none, S::decimal, P::icmpv4, RW,
          MF_MEMBER(tp_src), h2(nxm0("NXM_OF_ICMP_TYPE", 13), oxm("OXM_OF_ICMPV4_TYPE", 19, OF12)), O::exact, O::exact, "tp_src"),
    entry(FieldId::icmpv4_code, "icmp_code", {}, 1, 8, M::none, S::decimal, P::icmpv4, RW,
          MF_MEMBER(tp_dst), h2(nxm0("NXM_OF_ICMP_CODE", 14), oxm("OXM_OF_ICMPV4_CODE", 20, OF12)), O::exact, O::exact, "tp_dst"),
    entry(FieldId::icmpv6_type, "icmpv6_type", {}, 1, 8, M::none, S::decimal, P::icmpv6, RW,
          MF_MEMBER(tp_src), h2(nxm1("NXM_NX_ICMPV6_TYPE", 21), oxm("OXM_OF_ICMPV6_TYPE", 29, OF12)), O::no, O::no, "tp_src"),
    entry(FieldId::icmpv6_code, "icmpv6_code", {}, 1, 8, M::none, S::decimal, P::icmpv6, RW,
          MF_MEMBER(tp_dst), h2(nxm1("NXM_NX_ICMPV6_CODE", 22), oxm("OXM_OF_ICMPV6_CODE", 30, OF12)), O::no, O::no, "tp_dst"),
    entry(FieldId::nd_target, "nd_target", {}, 16, 128, M::arbitrary, S::ipv6, P::nd, RW,
          MF_MEMBER(nd_target), h2(nxm1("NXM_NX_ND_TARGET", 23), oxm("OXM_OF_IPV6_ND_TARGET", 31, OF12)), O::no, O::no),
    entry(FieldId::nd_sll, "nd_sll", {}, 6, 48, M::arbitrary, S::ethernet, P::nd_solicit, RW,
          MF_MEMBER(arp_sha), h2(nxm1("NXM_NX_ND_SLL", 24), oxm("OXM_OF_IPV6_ND_SLL", 32, OF12)), O::no, O::no, "arp_sha"),
    entry(FieldId::nd_tll, "nd_tll", {}, 6, 48, M::arbitrary, S::ethernet, P::nd_advert, RW,
          MF_MEMBER(arp_tha), h2(nxm1("NXM_NX_ND_TLL", 25), oxm("OXM_OF_IPV6_ND_TLL", 33, OF12)), O::no, O::no, "arp_tha"),
}};

#undef MF_MEMBER
#undef MF_MEMBERS

// ---- compile-time checks of the catalogue ----------------------------------

constexpr bool ids_in_order()
{
    for (size_t i = 0; i < kFields.size(); ++i)
        if (kFields[i].index() != i)
            return false;
    return true;
}
static_assert(ids_in_order(), "kFields entries must be in FieldId order, one per id");

constexpr bool locations_sane()
{
    for (const F& f : kFields) {
        if (f.loc.size == 0 || f.loc.offset + f.loc.size > sizeof(Flow))
            return false;
        if (f.n_bytes == 0 || f.n_bytes > 16)
            return false;
        if (f.loc.size > 8) {
            // Wide fields own their storage whole and are not shifted.
            if (f.loc.shift || f.loc.bits != ~uint64_t{0} || f.n_bytes != f.loc.size)
                return false;
        } else {
            if (f.loc.bits == 0 || (f.loc.bits & ~ones(f.loc.size)))
                return false;
            if (f.n_bytes > 8)
                return false;
            // A valid value, shifted into place, lands inside the storage bits.
            if (f.loc.shift < 64 && ((f.valid_bits << f.loc.shift) & ~f.loc.bits) &&
                f.codec == Codec::plain)
                return false;
            if (f.valid_bits & ~ones(f.n_bytes))
                return false;
            if (f.implied_bits & f.loc.bits)
                return false;
            if (f.implied_bits & ~ones(f.loc.size))
                return false;
        }
        if (f.n_bits > 8 * f.n_bytes)
            return false;
    }
    return true;
}
static_assert(locations_sane(), "a catalogue entry's storage does not fit its Flow member");

constexpr bool format_widths_ok()
{
    for (const F& f : kFields) {
        switch (f.format) {
        case S::ethernet: if (f.n_bytes != 6) return false; break;
        case S::ipv4: if (f.n_bytes != 4) return false; break;
        case S::ipv6: if (f.n_bytes != 16) return false; break;
        case S::ofp_port: if (f.n_bytes != 2) return false; break;
        case S::ofp_port_oxm: if (f.n_bytes != 4) return false; break;
        case S::frag: if (f.n_bytes != 1) return false; break;
        case S::tcp_flags: case S::tun_flags: if (f.n_bytes != 2) return false; break;
        case S::ct_state: case S::packet_type: if (f.n_bytes != 4) return false; break;
        case S::decimal: if (f.n_bytes > 8) return false; break;
        case S::hexadecimal: break;
        }
    }
    return true;
}
static_assert(format_widths_ok(), "a field's string format does not suit its width");

// Two fields may share storage bits only if they are declared views of the
// same storage (same non-empty view_group).  This is what makes "eth_dst
// located at eth_src" a compile error rather than a shipped bug.
constexpr bool bits_overlap(const F& a, const F& b)
{
    const size_t a0 = a.loc.offset, a1 = a0 + a.loc.size;
    const size_t b0 = b.loc.offset, b1 = b0 + b.loc.size;
    if (a1 <= b0 || b1 <= a0)
        return false;
    if (a.loc.size > 8 || b.loc.size > 8)
        return true;
    // Compare bit by bit over the overlapping bytes (bits are big-endian
    // within each field's storage).
    for (size_t byte = std::max(a0, b0); byte < std::min(a1, b1); ++byte) {
        const unsigned sa = static_cast<unsigned>(8 * (a1 - 1 - byte));
        const unsigned sb = static_cast<unsigned>(8 * (b1 - 1 - byte));
        const uint64_t ma = (a.loc.bits >> sa) & 0xff;
        const uint64_t mb = (b.loc.bits >> sb) & 0xff;
        if (ma & mb)
            return true;
    }
    return false;
}

constexpr bool overlaps_declared()
{
    for (size_t i = 0; i < kFields.size(); ++i)
        for (size_t j = i + 1; j < kFields.size(); ++j)
            if (bits_overlap(kFields[i], kFields[j]) &&
                (kFields[i].view_group.empty() || kFields[i].view_group != kFields[j].view_group))
                return false;
    return true;
}
static_assert(overlaps_declared(),
              "two catalogue entries share Flow bits without declaring the same view_group");

constexpr bool names_unique()
{
    for (size_t i = 0; i < kFields.size(); ++i)
        for (size_t j = 0; j < kFields.size(); ++j) {
            if (i == j)
                continue;
            const F& a = kFields[i];
            const F& b = kFields[j];
            if (a.name == b.name || (!a.extra_name.empty() &&
                                     (a.extra_name == b.name || a.extra_name == b.extra_name)))
                return false;
        }
    return true;
}
static_assert(names_unique(), "field names must be unique");

constexpr bool headers_unique_and_sorted()
{
    for (size_t i = 0; i < kFields.size(); ++i) {
        const auto& hs = kFields[i].headers;
        for (size_t k = 1; k < hs.size(); ++k)
            if (hs[k].present && (!hs[k - 1].present || hs[k].of_version < hs[k - 1].of_version))
                return false;
        for (const OxmHeader& h : hs) {
            if (!h.present)
                continue;
            if (h.is_experimenter() != (h.experimenter != 0) || h.name.empty())
                return false;
            for (size_t j = 0; j < kFields.size(); ++j)
                for (const OxmHeader& g : kFields[j].headers)
                    if (g.present && (i != j || &g != &h) && g.oxm_class == h.oxm_class &&
                        g.oxm_field == h.oxm_field && g.experimenter == h.experimenter)
                        return false;
        }
    }
    return true;
}
static_assert(headers_unique_and_sorted(), "NXM/OXM headers must be unique, in version order");

constexpr bool maskability_consistent()
{
    for (const F& f : kFields)
        if (f.maskable == M::none && (f.of10 == O::cidr || f.of10 == O::bitwise ||
                                      f.of11 == O::cidr || f.of11 == O::bitwise))
            return false;
    return true;
}
static_assert(maskability_consistent());

// ---- run-time helpers --------------------------------------------------------

uint64_t load_be(const uint8_t* p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v = v << 8 | p[i];
    return v;
}

void store_be(uint8_t* p, size_t n, uint64_t v)
{
    for (size_t i = n; i-- > 0; v >>= 8)
        p[i] = static_cast<uint8_t>(v);
}

// OpenFlow 1.1+ port numbers <-> the 16-bit numbers kept in a Flow.
constexpr uint32_t kOfp11Offset = 0xffff0000;
constexpr uint32_t kOfpMax = 0xff00;  // first reserved OpenFlow 1.0 port

bool ofp11_to_storage(uint32_t v, uint64_t& s)
{
    if (v < kOfpMax)
        s = v;
    else if (v >= kOfp11Offset + kOfpMax)
        s = v - kOfp11Offset;
    else
        return false;
    return true;
}

uint32_t storage_to_ofp11(uint64_t s)
{
    const uint32_t p = static_cast<uint32_t>(s & 0xffff);
    return p < kOfpMax ? p : p + kOfp11Offset;
}

struct Tables {
    std::unordered_map<std::string_view, const F*> by_name;
    std::unordered_map<uint64_t, const F*> by_header;
    std::unordered_map<std::string_view, NamedHeader> by_header_name;
    std::array<Flow, kNumFields> storage_masks{};

    static uint64_t header_key(uint16_t cls, uint8_t fld, uint32_t exp)
    {
        return uint64_t{cls} << 40 | uint64_t{fld} << 32 | exp;
    }

    Tables()
    {
        for (const F& f : kFields) {
            by_name.emplace(f.name, &f);
            if (!f.extra_name.empty())
                by_name.emplace(f.extra_name, &f);
            for (const OxmHeader& h : f.headers)
                if (h.present) {
                    by_header.emplace(header_key(h.oxm_class, h.oxm_field, h.experimenter), &f);
                    by_header_name.emplace(h.name, NamedHeader{&f, h});
                }
            Flow& m = storage_masks[f.index()];
            if (f.wide())
                std::memset(m.bytes() + f.loc.offset, 0xff, f.loc.size);
            else
                store_be(m.bytes() + f.loc.offset, f.loc.size, f.loc.bits);
        }
    }
};

const Tables& tables()
{
    static const Tables t;
    return t;
}

}  // namespace

std::span<const FieldDesc> all_fields() { return kFields; }

const FieldDesc& field(FieldId id) { return kFields[static_cast<size_t>(id)]; }

const FieldDesc* field_by_name(std::string_view name)
{
    const auto& m = tables().by_name;
    auto it = m.find(name);
    return it == m.end() ? nullptr : it->second;
}

const FieldDesc* field_by_header(uint16_t oxm_class, uint8_t oxm_field, uint32_t experimenter)
{
    const auto& m = tables().by_header;
    auto it = m.find(Tables::header_key(oxm_class, oxm_field, experimenter));
    return it == m.end() ? nullptr : it->second;
}

std::optional<NamedHeader> header_by_name(std::string_view name)
{
    const auto& m = tables().by_header_name;
    auto it = m.find(name);
    if (it == m.end())
        return std::nullopt;
    return it->second;
}

std::optional<OxmHeader> field_header(FieldId id, uint8_t of_version)
{
    std::optional<OxmHeader> best;
    for (const OxmHeader& h : field(id).headers) {
        if (!h.present)
            break;
        if (!best || of_version >= h.of_version)
            best = h;
    }
    return best;
}

Value Value::from_uint(uint64_t v, size_t n_bytes)
{
    Value r;
    store_be(r.b, n_bytes, v);
    return r;
}

Value Value::all_ones(size_t n_bytes)
{
    Value r;
    std::memset(r.b, 0xff, n_bytes);
    return r;
}

uint64_t Value::to_uint(size_t n_bytes) const { return load_be(b, n_bytes); }

bool Value::is_zero(size_t n_bytes) const
{
    for (size_t i = 0; i < n_bytes; ++i)
        if (b[i])
            return false;
    return true;
}

bool Value::is_all_ones(size_t n_bytes) const
{
    for (size_t i = 0; i < n_bytes; ++i)
        if (b[i] != 0xff)
            return false;
    return true;
}

std::string to_hex(const Value& v, size_t n_bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n_bytes; ++i) {
        s.push_back(digits[v.b[i] >> 4]);
        s.push_back(digits[v.b[i] & 15]);
    }
    return s;
}

uint64_t load_storage(const Flow& flow, const FieldDesc& f)
{
    return load_be(flow.bytes() + f.loc.offset, f.loc.size);
}

void store_storage(Flow& flow, const FieldDesc& f, uint64_t v)
{
    store_be(flow.bytes() + f.loc.offset, f.loc.size, v);
}

uint64_t value_to_storage(const FieldDesc& f, const Value& value)
{
    const uint64_t x = load_be(value.b, f.n_bytes);
    if (f.codec == Codec::ofp11_port) {
        uint64_t s;
        return ofp11_to_storage(static_cast<uint32_t>(x), s) ? s : 0;
    }
    return f.loc.shift < 64 ? x << f.loc.shift : 0;
}

Value storage_to_value(const FieldDesc& f, uint64_t s)
{
    Value v;
    s &= f.loc.bits;
    const uint64_t x = f.codec == Codec::ofp11_port ? storage_to_ofp11(s) : s >> f.loc.shift;
    store_be(v.b, f.n_bytes, x & ones(f.n_bytes));
    return v;
}

Value get_field(const Flow& flow, FieldId id)
{
    const F& f = field(id);
    if (f.wide()) {
        Value v;
        std::memcpy(v.b, flow.bytes() + f.loc.offset, f.loc.size);
        return v;
    }
    return storage_to_value(f, load_storage(flow, f));
}

void set_field(Flow& flow, FieldId id, const Value& value)
{
    const F& f = field(id);
    if (f.wide()) {
        std::memcpy(flow.bytes() + f.loc.offset, value.b, f.loc.size);
        return;
    }
    const uint64_t s = load_storage(flow, f);
    store_storage(flow, f, (s & ~f.loc.bits) | (value_to_storage(f, value) & f.loc.bits));
}

uint64_t get_field_uint(const Flow& flow, FieldId id)
{
    return get_field(flow, id).to_uint(field(id).n_bytes);
}

void set_field_uint(Flow& flow, FieldId id, uint64_t value)
{
    set_field(flow, id, Value::from_uint(value, field(id).n_bytes));
}

bool is_value_valid(FieldId id, const Value& value)
{
    const F& f = field(id);
    if (f.n_bytes > 8)
        return true;
    const uint64_t x = value.to_uint(f.n_bytes);
    if (f.codec == Codec::ofp11_port) {
        uint64_t s;
        return ofp11_to_storage(static_cast<uint32_t>(x), s);
    }
    return (x & ~f.valid_bits) == 0;
}

bool is_mask_valid(FieldId id, const Value& mask)
{
    const F& f = field(id);
    if (f.maskable != Maskable::none)
        return true;
    return mask.is_zero(f.n_bytes) || mask.is_all_ones(f.n_bytes);
}

const Flow& field_storage_mask(FieldId id) { return tables().storage_masks[static_cast<size_t>(id)]; }

void mask_field(Flow& wc, FieldId id)
{
    const Flow& m = field_storage_mask(id);
    const F& f = field(id);
    for (size_t i = f.loc.offset; i < size_t{f.loc.offset} + f.loc.size; ++i)
        wc.bytes()[i] |= m.bytes()[i];
}

namespace {

uint16_t dl_type(const Flow& f)
{
    // A packet_type of (1, ethertype) names an L3 packet of that type.
    if ((f.packet_type.get() >> 16) == kPacketTypeNsEthertype)
        return static_cast<uint16_t>(f.packet_type.get());
    return f.eth_type.get();
}

bool l4_ok(const Flow& f, uint8_t proto)
{
    const uint16_t t = dl_type(f);
    return (t == kEthTypeIp || t == kEthTypeIpv6) && f.nw_proto == proto &&
           !(f.nw_frag & kFragLater);
}

bool nd_ok(const Flow& f)
{
    return dl_type(f) == kEthTypeIpv6 && f.nw_proto == kIpProtoIcmpv6 && f.tp_dst == 0 &&
           (f.tp_src == kNdSolicit || f.tp_src == kNdAdvert);
}

}  // namespace

bool prereqs_ok(const Flow& flow, Prereq p)
{
    const uint16_t t = dl_type(flow);
    switch (p) {
    case P::none: return true;
    case P::ethernet: return flow.packet_type == kPacketTypeEthernet;
    case P::arp: return t == kEthTypeArp || t == kEthTypeRarp;
    case P::vlan_vid: return flow.vlans[0].tci.get() & kVlanCfi;
    case P::ipv4: return t == kEthTypeIp;
    case P::ipv6: return t == kEthTypeIpv6;
    case P::ip_any: return t == kEthTypeIp || t == kEthTypeIpv6;
    case P::mpls: return t == kEthTypeMpls || t == kEthTypeMplsMcast;
    case P::tcp: return l4_ok(flow, kIpProtoTcp);
    case P::udp: return l4_ok(flow, kIpProtoUdp);
    case P::sctp: return l4_ok(flow, kIpProtoSctp);
    case P::icmpv4: return t == kEthTypeIp && flow.nw_proto == kIpProtoIcmp;
    case P::icmpv6: return t == kEthTypeIpv6 && flow.nw_proto == kIpProtoIcmpv6;
    case P::nd: return nd_ok(flow);
    case P::nd_solicit: return nd_ok(flow) && flow.tp_src == kNdSolicit;
    case P::nd_advert: return nd_ok(flow) && flow.tp_src == kNdAdvert;
    }
    return false;
}

std::string_view to_string(Prereq p)
{
    switch (p) {
    case P::none: return "none";
    case P::ethernet: return "Ethernet";
    case P::arp: return "ARP";
    case P::vlan_vid: return "VLAN VID";
    case P::ipv4: return "IPv4";
    case P::ipv6: return "IPv6";
    case P::ip_any: return "IPv4/IPv6";
    case P::mpls: return "MPLS";
    case P::tcp: return "TCP";
    case P::udp: return "UDP";
    case P::sctp: return "SCTP";
    case P::icmpv4: return "ICMPv4";
    case P::icmpv6: return "ICMPv6";
    case P::nd: return "ND";
    case P::nd_solicit: return "ND solicit";
    case P::nd_advert: return "ND advert";
    }
    return "?";
}

std::string_view to_string(Maskable m)
{
    switch (m) {
    case M::none: return "no";
    case M::cidr: return "CIDR";
    case M::arbitrary: return "arbitrary";
    }
    return "?";
}

std::string_view to_string(StringFormat f)
{
    switch (f) {
    case S::decimal: return "decimal";
    case S::hexadecimal: return "hexadecimal";
    case S::ethernet: return "Ethernet";
    case S::ipv4: return "IPv4";
    case S::ipv6: return "IPv6";
    case S::ofp_port: return "OpenFlow 1.0 port";
    case S::ofp_port_oxm: return "OpenFlow 1.1+ port";
    case S::frag: return "frag";
    case S::tcp_flags: return "TCP flags";
    case S::tun_flags: return "tunnel flags";
    case S::ct_state: return "ct state";
    case S::packet_type: return "packet type";
    }
    return "?";
}

}  // namespace mf
