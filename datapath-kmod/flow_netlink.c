// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: keys, masks and actions as netlink attributes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_ether.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/openvswitch.h>
#include <linux/slab.h>
#include <net/ndisc.h>
#include <net/netlink.h>

#include "flow_netlink.h"

#define BIT64(n)	(1ULL << (n))

/* Payload lengths of the key attributes we accept; 0 = not supported. */
#define LEN_NESTED	(-1)
static const int key_len[OVS_KEY_ATTR_MAX + 1] = {
	[OVS_KEY_ATTR_ENCAP]	 = LEN_NESTED,
	[OVS_KEY_ATTR_PRIORITY]	 = sizeof(u32),
	[OVS_KEY_ATTR_IN_PORT]	 = sizeof(u32),
	[OVS_KEY_ATTR_ETHERNET]	 = sizeof(struct ovs_key_ethernet),
	[OVS_KEY_ATTR_VLAN]	 = sizeof(__be16),
	[OVS_KEY_ATTR_ETHERTYPE] = sizeof(__be16),
	[OVS_KEY_ATTR_IPV4]	 = sizeof(struct ovs_key_ipv4),
	[OVS_KEY_ATTR_IPV6]	 = sizeof(struct ovs_key_ipv6),
	[OVS_KEY_ATTR_TCP]	 = sizeof(struct ovs_key_tcp),
	[OVS_KEY_ATTR_UDP]	 = sizeof(struct ovs_key_udp),
	[OVS_KEY_ATTR_ICMP]	 = sizeof(struct ovs_key_icmp),
	[OVS_KEY_ATTR_ICMPV6]	 = sizeof(struct ovs_key_icmpv6),
	[OVS_KEY_ATTR_ARP]	 = sizeof(struct ovs_key_arp),
	[OVS_KEY_ATTR_ND]	 = sizeof(struct ovs_key_nd),
	[OVS_KEY_ATTR_SKB_MARK]	 = sizeof(u32),
	[OVS_KEY_ATTR_TUNNEL]	 = LEN_NESTED,
	[OVS_KEY_ATTR_SCTP]	 = sizeof(struct ovs_key_sctp),
	[OVS_KEY_ATTR_TCP_FLAGS] = sizeof(__be16),
	[OVS_KEY_ATTR_DP_HASH]	 = sizeof(u32),
	[OVS_KEY_ATTR_RECIRC_ID] = sizeof(u32),
};

#define FAIL(extack, msg) ({ OVSM_ERR(extack, msg); -EINVAL; })

static bool is_vlan_type(__be16 type)
{
	return type == htons(ETH_P_8021Q) || type == htons(ETH_P_8021AD);
}

/* ---- parsing keys and masks --------------------------------------------- */

/* The attributes of a key or mask, flattened: the innermost level's
 * ethertype and everything else in 'a', the tags in tpid/tci. */
struct key_attrs {
	const struct nlattr *a[OVS_KEY_ATTR_MAX + 1];
	u64 present;
	int n_vlans;		/* tags with the present bit (0..2) */
	bool truncated;		/* a VLAN ethertype with an empty tag follows */
	__be16 tpid[2];
	__be16 tci[2];
};

static bool all_zero(const struct nlattr *a)
{
	return !memchr_inv(nla_data(a), 0, nla_len(a));
}

/* One level of attributes (the top, or an encap nest).  In a mask, an
 * attribute of zeros says nothing: it is taken as absent. */
static int parse_level(const struct nlattr *nest,
		       const struct nlattr **lvl, u64 *present, bool is_mask,
		       struct netlink_ext_ack *extack)
{
	u64 seen = 0;
	const struct nlattr *a;
	int rem;

	memset(lvl, 0, sizeof(*lvl) * (OVS_KEY_ATTR_MAX + 1));
	*present = 0;
	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		if (type > OVS_KEY_ATTR_MAX || !key_len[type])
			return FAIL(extack, "key attribute not supported by this datapath");
		if (seen & BIT64(type))
			return FAIL(extack, "duplicate key attribute");
		if (key_len[type] != LEN_NESTED && nla_len(a) != key_len[type])
			return FAIL(extack, "key attribute has the wrong length");
		seen |= BIT64(type);
		if (is_mask && all_zero(a))
			continue;
		lvl[type] = a;
		*present |= BIT64(type);
	}
	if (rem)
		return FAIL(extack, "trailing bytes after the key attributes");
	return 0;
}

static int merge_level(struct key_attrs *ka, const struct nlattr **lvl,
		       u64 present, struct netlink_ext_ack *extack)
{
	int type;

	if (ka->present & present)
		return FAIL(extack, "key attribute repeated inside an encap");
	for (type = 0; type <= OVS_KEY_ATTR_MAX; type++)
		if (present & BIT64(type))
			ka->a[type] = lvl[type];
	ka->present |= present;
	return 0;
}

#define TAG_ATTRS (BIT64(OVS_KEY_ATTR_ETHERTYPE) | BIT64(OVS_KEY_ATTR_VLAN) | \
		   BIT64(OVS_KEY_ATTR_ENCAP))

static int parse_key_attrs(const struct nlattr *nest, struct key_attrs *ka,
			   struct netlink_ext_ack *extack)
{
	const struct nlattr *lvl[OVS_KEY_ATTR_MAX + 1];
	u64 present;
	int depth, err;

	memset(ka, 0, sizeof(*ka));
	for (depth = 0; ; depth++) {
		__be16 type = 0, tci;

		err = parse_level(nest, lvl, &present, false, extack);
		if (err)
			return err;
		if (lvl[OVS_KEY_ATTR_ETHERTYPE])
			type = nla_get_be16(lvl[OVS_KEY_ATTR_ETHERTYPE]);
		if (!is_vlan_type(type) || depth >= 2 ||
		    !((ka->present | present) & BIT64(OVS_KEY_ATTR_ETHERNET))) {
			if (present & (BIT64(OVS_KEY_ATTR_VLAN) | BIT64(OVS_KEY_ATTR_ENCAP)))
				return FAIL(extack, "vlan or encap attribute without a VLAN ethertype");
			return merge_level(ka, lvl, present, extack);
		}
		if (!lvl[OVS_KEY_ATTR_VLAN] || !lvl[OVS_KEY_ATTR_ENCAP])
			return FAIL(extack, "a VLAN ethertype needs vlan and encap attributes");
		tci = nla_get_be16(lvl[OVS_KEY_ATTR_VLAN]);
		err = merge_level(ka, lvl, present & ~TAG_ATTRS, extack);
		if (err)
			return err;
		if (tci & htons(OVSM_TCI_PRESENT)) {
			ka->tpid[ka->n_vlans] = type;
			ka->tci[ka->n_vlans] = tci;
			ka->n_vlans++;
			nest = lvl[OVS_KEY_ATTR_ENCAP];
			continue;
		}
		if (tci)
			return FAIL(extack, "VLAN TCI without the tag-present bit");
		if (nla_len(lvl[OVS_KEY_ATTR_ENCAP]))
			return FAIL(extack, "truncated VLAN header with a non-empty encap");
		/* A frame cut inside its tag: the TPID is its ethertype. */
		ka->a[OVS_KEY_ATTR_ETHERTYPE] = lvl[OVS_KEY_ATTR_ETHERTYPE];
		ka->present |= BIT64(OVS_KEY_ATTR_ETHERTYPE);
		ka->truncated = true;
		return 0;
	}
}

/* A mask follows the key's structure: as many tag levels as the key has. */
static int parse_mask_attrs(const struct nlattr *nest,
			    const struct key_attrs *key, struct key_attrs *ma,
			    struct netlink_ext_ack *extack)
{
	const struct nlattr *lvl[OVS_KEY_ATTR_MAX + 1];
	u64 present;
	int depth, err;

	memset(ma, 0, sizeof(*ma));
	ma->n_vlans = key->n_vlans;
	for (depth = 0; depth < 2; depth++) {
		ma->tpid[depth] = depth < key->n_vlans ? htons(0xffff) : 0;
		ma->tci[depth] = htons(0xffff);	/* tags always match exactly... */
	}
	for (depth = 0; ; depth++) {
		err = parse_level(nest, lvl, &present, true, extack);
		if (err)
			return err;
		if (depth < key->n_vlans) {
			if (lvl[OVS_KEY_ATTR_ETHERTYPE] &&
			    nla_get_be16(lvl[OVS_KEY_ATTR_ETHERTYPE]) != htons(0xffff))
				return FAIL(extack, "the TPID of a VLAN must match exactly");
			if (lvl[OVS_KEY_ATTR_VLAN]) {
				__be16 tci = nla_get_be16(lvl[OVS_KEY_ATTR_VLAN]);

				if (!(tci & htons(OVSM_TCI_PRESENT)))
					return FAIL(extack, "the tag-present bit of a VLAN must match exactly");
				ma->tci[depth] = tci;	/* ...unless masked */
			}
			err = merge_level(ma, lvl, present & ~TAG_ATTRS, extack);
			if (err || !lvl[OVS_KEY_ATTR_ENCAP])
				return err;
			nest = lvl[OVS_KEY_ATTR_ENCAP];
			continue;
		}
		if (key->truncated && depth == key->n_vlans) {
			if (lvl[OVS_KEY_ATTR_ENCAP] && nla_len(lvl[OVS_KEY_ATTR_ENCAP]))
				return FAIL(extack, "truncated VLAN header with a non-empty encap mask");
			present &= ~(BIT64(OVS_KEY_ATTR_VLAN) | BIT64(OVS_KEY_ATTR_ENCAP));
		} else if (present & (BIT64(OVS_KEY_ATTR_VLAN) | BIT64(OVS_KEY_ATTR_ENCAP))) {
			return FAIL(extack, "vlan or encap mask for a frame without that tag");
		}
		return merge_level(ma, lvl, present, extack);
	}
}

static int parse_tunnel(const struct nlattr *nest, struct ovsm_tun_key *tun,
			bool is_mask, struct netlink_ext_ack *extack)
{
	static const int tun_len[OVS_TUNNEL_KEY_ATTR_MAX + 1] = {
		[OVS_TUNNEL_KEY_ATTR_ID] = 8,
		[OVS_TUNNEL_KEY_ATTR_IPV4_SRC] = 4,
		[OVS_TUNNEL_KEY_ATTR_IPV4_DST] = 4,
		[OVS_TUNNEL_KEY_ATTR_TOS] = 1,
		[OVS_TUNNEL_KEY_ATTR_TTL] = 1,
		[OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT] = 0,
		[OVS_TUNNEL_KEY_ATTR_CSUM] = 0,
		[OVS_TUNNEL_KEY_ATTR_OAM] = 0,
		[OVS_TUNNEL_KEY_ATTR_TP_SRC] = 2,
		[OVS_TUNNEL_KEY_ATTR_TP_DST] = 2,
	};
	const struct nlattr *a;
	u32 seen = 0;
	u16 flags = 0;
	int rem;

	memset(tun, 0, sizeof(*tun));
	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		switch (type) {
		case OVS_TUNNEL_KEY_ATTR_ID:
		case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
		case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
		case OVS_TUNNEL_KEY_ATTR_TOS:
		case OVS_TUNNEL_KEY_ATTR_TTL:
		case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
		case OVS_TUNNEL_KEY_ATTR_CSUM:
		case OVS_TUNNEL_KEY_ATTR_OAM:
		case OVS_TUNNEL_KEY_ATTR_TP_SRC:
		case OVS_TUNNEL_KEY_ATTR_TP_DST:
			break;
		default:
			return FAIL(extack, "tunnel key attribute not supported by this datapath");
		}
		if (seen & BIT(type))
			return FAIL(extack, "duplicate tunnel key attribute");
		if (nla_len(a) != tun_len[type])
			return FAIL(extack, "tunnel key attribute has the wrong length");
		seen |= BIT(type);
		switch (type) {
		case OVS_TUNNEL_KEY_ATTR_ID:
			tun->id = nla_get_be64(a);
			flags |= OVSM_TUN_F_KEY;
			break;
		case OVS_TUNNEL_KEY_ATTR_IPV4_SRC:
			tun->src = nla_get_in_addr(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_IPV4_DST:
			tun->dst = nla_get_in_addr(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_TOS:
			tun->tos = nla_get_u8(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_TTL:
			tun->ttl = nla_get_u8(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT:
			flags |= OVSM_TUN_F_DF;
			break;
		case OVS_TUNNEL_KEY_ATTR_CSUM:
			flags |= OVSM_TUN_F_CSUM;
			break;
		case OVS_TUNNEL_KEY_ATTR_OAM:
			flags |= OVSM_TUN_F_OAM;
			break;
		case OVS_TUNNEL_KEY_ATTR_TP_SRC:
			tun->tp_src = nla_get_be16(a);
			break;
		case OVS_TUNNEL_KEY_ATTR_TP_DST:
			tun->tp_dst = nla_get_be16(a);
			break;
		}
	}
	if (rem)
		return FAIL(extack, "trailing bytes after the tunnel key attributes");
	tun->flags = flags;
	if (!is_mask) {
		if (!tun->dst)
			return FAIL(extack, "tunnel key without a destination address");
		if (!(seen & BIT(OVS_TUNNEL_KEY_ATTR_TTL)))
			return FAIL(extack, "tunnel key without a TTL");
	}
	return 0;
}

/* Writes the fields the attributes in 'ka' name into 'k'. */
static int fill_key(const struct key_attrs *ka, struct ovsm_key *k,
		    bool is_mask, struct netlink_ext_ack *extack)
{
	const struct nlattr *const *a = ka->a;
	int err;

	if (a[OVS_KEY_ATTR_RECIRC_ID])
		k->recirc_id = nla_get_u32(a[OVS_KEY_ATTR_RECIRC_ID]);
	else if (is_mask)
		k->recirc_id = 0xffffffff;	/* recirculation is never wildcarded */
	if (a[OVS_KEY_ATTR_DP_HASH])
		k->dp_hash = nla_get_u32(a[OVS_KEY_ATTR_DP_HASH]);
	if (a[OVS_KEY_ATTR_PRIORITY])
		k->priority = nla_get_u32(a[OVS_KEY_ATTR_PRIORITY]);
	if (a[OVS_KEY_ATTR_SKB_MARK])
		k->mark = nla_get_u32(a[OVS_KEY_ATTR_SKB_MARK]);
	if (a[OVS_KEY_ATTR_IN_PORT]) {
		u32 port = nla_get_u32(a[OVS_KEY_ATTR_IN_PORT]);

		if (is_mask)
			port = 0xffffffff;	/* the port always matches exactly */
		else if (port >= OVSM_MAX_PORTS)
			return FAIL(extack, "in_port out of range");
		k->in_port = port;
	} else if (!is_mask) {
		k->in_port = OVSM_NO_PORT;
	}
	if (a[OVS_KEY_ATTR_TUNNEL]) {
		err = parse_tunnel(a[OVS_KEY_ATTR_TUNNEL], &k->tun, is_mask, extack);
		if (err)
			return err;
	}

	if (a[OVS_KEY_ATTR_ETHERNET]) {
		const struct ovs_key_ethernet *e = nla_data(a[OVS_KEY_ATTR_ETHERNET]);

		ether_addr_copy(k->eth_src, e->eth_src);
		ether_addr_copy(k->eth_dst, e->eth_dst);
	}
	if (ka->n_vlans > 0 || is_mask) {
		k->vlan_tpid = ka->tpid[0];
		k->vlan_tci = ka->tci[0];
	}
	if (ka->n_vlans > 1 || is_mask) {
		k->cvlan_tpid = ka->tpid[1];
		k->cvlan_tci = ka->tci[1];
	}
	if (a[OVS_KEY_ATTR_ETHERTYPE]) {
		__be16 type = nla_get_be16(a[OVS_KEY_ATTR_ETHERTYPE]);

		if (is_mask)
			type = htons(0xffff);	/* the ethertype never is partial */
		else if (ntohs(type) < ETH_P_802_3_MIN)
			return FAIL(extack, "ethertype below 0x0600");
		k->eth_type = type;
	} else if (!is_mask) {
		k->eth_type = htons(ETH_P_802_2);
	}

	if (a[OVS_KEY_ATTR_IPV4]) {
		const struct ovs_key_ipv4 *ip = nla_data(a[OVS_KEY_ATTR_IPV4]);

		if (!is_mask && ip->ipv4_frag > OVS_FRAG_TYPE_MAX)
			return FAIL(extack, "IPv4 fragment type out of range");
		k->nw.ipv4.src = ip->ipv4_src;
		k->nw.ipv4.dst = ip->ipv4_dst;
		k->ip_proto = ip->ipv4_proto;
		k->ip_tos = ip->ipv4_tos;
		k->ip_ttl = ip->ipv4_ttl;
		k->ip_frag = ip->ipv4_frag;
	}
	if (a[OVS_KEY_ATTR_IPV6]) {
		const struct ovs_key_ipv6 *ip = nla_data(a[OVS_KEY_ATTR_IPV6]);

		if (!is_mask && ip->ipv6_frag > OVS_FRAG_TYPE_MAX)
			return FAIL(extack, "IPv6 fragment type out of range");
		if (!is_mask && (ip->ipv6_label & htonl(0xfff00000)))
			return FAIL(extack, "IPv6 flow label wider than 20 bits");
		memcpy(&k->nw.ipv6.src, ip->ipv6_src, sizeof(k->nw.ipv6.src));
		memcpy(&k->nw.ipv6.dst, ip->ipv6_dst, sizeof(k->nw.ipv6.dst));
		k->ipv6_label = ip->ipv6_label & htonl(0x000fffff);
		k->ip_proto = ip->ipv6_proto;
		k->ip_tos = ip->ipv6_tclass;
		k->ip_ttl = ip->ipv6_hlimit;
		k->ip_frag = ip->ipv6_frag;
	}
	if (a[OVS_KEY_ATTR_ARP]) {
		const struct ovs_key_arp *arp = nla_data(a[OVS_KEY_ATTR_ARP]);

		if (!is_mask && (arp->arp_op & htons(0xff00)))
			return FAIL(extack, "ARP opcode above 255");
		k->nw.arp.sip = arp->arp_sip;
		k->nw.arp.tip = arp->arp_tip;
		k->nw.arp.op = arp->arp_op;
		ether_addr_copy(k->nw.arp.sha, arp->arp_sha);
		ether_addr_copy(k->nw.arp.tha, arp->arp_tha);
	}
	if (a[OVS_KEY_ATTR_TCP]) {
		const struct ovs_key_tcp *tp = nla_data(a[OVS_KEY_ATTR_TCP]);

		k->tp_src = tp->tcp_src;
		k->tp_dst = tp->tcp_dst;
	}
	if (a[OVS_KEY_ATTR_TCP_FLAGS])
		k->tcp_flags = nla_get_be16(a[OVS_KEY_ATTR_TCP_FLAGS]) & htons(0x0fff);
	if (a[OVS_KEY_ATTR_UDP]) {
		const struct ovs_key_udp *tp = nla_data(a[OVS_KEY_ATTR_UDP]);

		k->tp_src = tp->udp_src;
		k->tp_dst = tp->udp_dst;
	}
	if (a[OVS_KEY_ATTR_SCTP]) {
		const struct ovs_key_sctp *tp = nla_data(a[OVS_KEY_ATTR_SCTP]);

		k->tp_src = tp->sctp_src;
		k->tp_dst = tp->sctp_dst;
	}
	if (a[OVS_KEY_ATTR_ICMP]) {
		const struct ovs_key_icmp *ic = nla_data(a[OVS_KEY_ATTR_ICMP]);

		k->tp_src = htons(ic->icmp_type);
		k->tp_dst = htons(ic->icmp_code);
	}
	if (a[OVS_KEY_ATTR_ICMPV6]) {
		const struct ovs_key_icmpv6 *ic = nla_data(a[OVS_KEY_ATTR_ICMPV6]);

		k->tp_src = htons(ic->icmpv6_type);
		k->tp_dst = htons(ic->icmpv6_code);
	}
	if (a[OVS_KEY_ATTR_ND]) {
		const struct ovs_key_nd *nd = nla_data(a[OVS_KEY_ATTR_ND]);

		memcpy(&k->nd_target, nd->nd_target, sizeof(k->nd_target));
		ether_addr_copy(k->nd_sll, nd->nd_sll);
		ether_addr_copy(k->nd_tll, nd->nd_tll);
	}
	return 0;
}

#define A(x) BIT64(OVS_KEY_ATTR_##x)
#define L3_ATTRS (A(IPV4) | A(IPV6) | A(ARP))
#define L4_ATTRS (A(TCP) | A(TCP_FLAGS) | A(UDP) | A(SCTP) | A(ICMP) | A(ICMPV6) | A(ND))

/* Which layer 3 and 4 attributes the key's own fields allow. */
static u64 allowed_attrs(const struct ovsm_key *k)
{
	u64 allowed = 0;
	bool ip = false;

	if (k->eth_type == htons(ETH_P_IP)) {
		allowed |= A(IPV4);
		ip = true;
	} else if (k->eth_type == htons(ETH_P_IPV6)) {
		allowed |= A(IPV6);
		ip = true;
	} else if (k->eth_type == htons(ETH_P_ARP) ||
		   k->eth_type == htons(ETH_P_RARP)) {
		allowed |= A(ARP);
	}
	if (!ip || k->ip_frag == OVS_FRAG_TYPE_LATER)
		return allowed;
	switch (k->ip_proto) {
	case IPPROTO_TCP:
		allowed |= A(TCP) | A(TCP_FLAGS);
		break;
	case IPPROTO_UDP:
		allowed |= A(UDP);
		break;
	case IPPROTO_SCTP:
		allowed |= A(SCTP);
		break;
	case IPPROTO_ICMP:
		if (k->eth_type == htons(ETH_P_IP))
			allowed |= A(ICMP);
		break;
	case IPPROTO_ICMPV6:
		if (k->eth_type == htons(ETH_P_IPV6)) {
			allowed |= A(ICMPV6);
			if (k->tp_src == htons(NDISC_NEIGHBOUR_SOLICITATION) ||
			    k->tp_src == htons(NDISC_NEIGHBOUR_ADVERTISEMENT))
				allowed |= A(ND);
		}
		break;
	}
	return allowed;
}

/* Each layer 3/4 attribute of the key must fit the key's lower layers; a
 * mask may only name what the key names, and may only look at a layer
 * whose selector (ethertype, IP protocol) it matches exactly. */
static int check_match(const struct key_attrs *ka, const struct ovsm_key *key,
		       const struct key_attrs *ma, const struct ovsm_key *mask,
		       struct netlink_ext_ack *extack)
{
	u64 allowed = allowed_attrs(key);
	u64 l3 = ma->present & L3_ATTRS, l4 = ma->present & L4_ATTRS;

	if ((ka->present & (L3_ATTRS | L4_ATTRS)) & ~allowed)
		return FAIL(extack, "key attribute inconsistent with the key's ethertype or protocol");
	/* And each header they name must be there, as Linux's datapath asks:
	 * an IPv4 ethertype without ipv4(), UDP without udp(), TCP without
	 * tcp_flags(), a neighbour solicitation without nd(). */
	if (allowed & ~ka->present)
		return FAIL(extack, "key lacks the attribute its ethertype or IP protocol calls for");
	if ((ma->present & (L3_ATTRS | L4_ATTRS)) & ~(ka->present & allowed))
		return FAIL(extack, "mask attribute for a field the key does not have");
	if (l3 && mask->eth_type != htons(0xffff))
		return FAIL(extack, "mask of layer 3 fields without an exact ethertype");
	if (l4 && mask->ip_proto != 0xff)
		return FAIL(extack, "mask of layer 4 fields without an exact IP protocol");
	if ((ma->present & A(ND)) && mask->tp_src != htons(0xff))
		return FAIL(extack, "mask of ND fields without an exact ICMPv6 type");
	return 0;
}

/* Sets every payload byte of a key nest to 0xff, keeping the structure of
 * encap and tunnel nests: the mask that matches each field a key names
 * exactly. */
static void set_all_ones(struct nlattr *nest, bool key_level)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		if (key_level && (type == OVS_KEY_ATTR_ENCAP ||
				  type == OVS_KEY_ATTR_TUNNEL))
			set_all_ones(a, type == OVS_KEY_ATTR_ENCAP);
		else
			memset(nla_data(a), 0xff, nla_len(a));
	}
}

int ovsm_nla_parse_match(const struct nlattr *key_nla,
			 const struct nlattr *mask_nla,
			 struct ovsm_key *key, struct ovsm_key *mask,
			 struct netlink_ext_ack *extack)
{
	struct key_attrs *ka, *ma;
	struct nlattr *exact = NULL;
	int err;

	ka = kmalloc(2 * sizeof(*ka), GFP_KERNEL);
	if (!ka)
		return -ENOMEM;
	ma = ka + 1;
	memset(key, 0, sizeof(*key));
	memset(mask, 0, sizeof(*mask));

	err = parse_key_attrs(key_nla, ka, extack);
	if (err)
		goto out;
	err = fill_key(ka, key, false, extack);
	if (err)
		goto out;

	if (!mask_nla) {
		/* Tunnel attributes are not sent when zero: a key with a
		 * tunnel and no mask matches all of the tunnel exactly. */
		exact = kmemdup(key_nla, nla_total_size(nla_len(key_nla)), GFP_KERNEL);
		if (!exact) {
			err = -ENOMEM;
			goto out;
		}
		set_all_ones(exact, true);
		mask_nla = exact;
	}
	err = parse_mask_attrs(mask_nla, ka, ma, extack);
	if (err)
		goto out;
	err = fill_key(ma, mask, true, extack);
	if (err)
		goto out;
	if (exact && ka->a[OVS_KEY_ATTR_TUNNEL])
		memset(&mask->tun, 0xff, sizeof(mask->tun));
	/* Only the 20 bits of a flow label exist. */
	mask->ipv6_label &= htonl(0x000fffff);
	mask->tcp_flags &= htons(0x0fff);
	err = check_match(ka, key, ma, mask, extack);
out:
	kfree(exact);
	kfree(ka);
	return err;
}

int ovsm_nla_parse_metadata(const struct nlattr *key_nla, struct ovsm_key *key,
			    struct netlink_ext_ack *extack)
{
	struct key_attrs *ka;
	struct ovsm_key *full;
	int err;

	ka = kmalloc(sizeof(*ka), GFP_KERNEL);
	full = kzalloc(sizeof(*full), GFP_KERNEL);
	err = -ENOMEM;
	if (!ka || !full)
		goto out;
	err = parse_key_attrs(key_nla, ka, extack);
	if (err)
		goto out;
	err = fill_key(ka, full, false, extack);
	if (err)
		goto out;
	memset(key, 0, sizeof(*key));
	key->recirc_id = full->recirc_id;
	key->dp_hash = full->dp_hash;
	key->in_port = full->in_port;
	key->priority = full->priority;
	key->mark = full->mark;
	key->tun = full->tun;
out:
	kfree(full);
	kfree(ka);
	return err;
}

/* ---- emitting keys and masks --------------------------------------------- */

static int put_tunnel(struct sk_buff *skb, const struct ovsm_tun_key *t)
{
	struct nlattr *nest = nla_nest_start_noflag(skb, OVS_KEY_ATTR_TUNNEL);

	if (!nest)
		return -EMSGSIZE;
	if ((t->flags & OVSM_TUN_F_KEY) &&
	    nla_put_be64(skb, OVS_TUNNEL_KEY_ATTR_ID, t->id, OVS_TUNNEL_KEY_ATTR_PAD))
		return -EMSGSIZE;
	if (t->src && nla_put_in_addr(skb, OVS_TUNNEL_KEY_ATTR_IPV4_SRC, t->src))
		return -EMSGSIZE;
	if (t->dst && nla_put_in_addr(skb, OVS_TUNNEL_KEY_ATTR_IPV4_DST, t->dst))
		return -EMSGSIZE;
	if (t->tos && nla_put_u8(skb, OVS_TUNNEL_KEY_ATTR_TOS, t->tos))
		return -EMSGSIZE;
	if (nla_put_u8(skb, OVS_TUNNEL_KEY_ATTR_TTL, t->ttl))
		return -EMSGSIZE;
	if ((t->flags & OVSM_TUN_F_DF) &&
	    nla_put_flag(skb, OVS_TUNNEL_KEY_ATTR_DONT_FRAGMENT))
		return -EMSGSIZE;
	if ((t->flags & OVSM_TUN_F_CSUM) && nla_put_flag(skb, OVS_TUNNEL_KEY_ATTR_CSUM))
		return -EMSGSIZE;
	if (t->tp_src && nla_put_be16(skb, OVS_TUNNEL_KEY_ATTR_TP_SRC, t->tp_src))
		return -EMSGSIZE;
	if (t->tp_dst && nla_put_be16(skb, OVS_TUNNEL_KEY_ATTR_TP_DST, t->tp_dst))
		return -EMSGSIZE;
	if ((t->flags & OVSM_TUN_F_OAM) && nla_put_flag(skb, OVS_TUNNEL_KEY_ATTR_OAM))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_l3_l4(struct sk_buff *skb, const struct ovsm_key *lay,
		     const struct ovsm_key *out)
{
	struct nlattr *nla;
	bool ip = false;

	if (lay->eth_type == htons(ETH_P_IP)) {
		struct ovs_key_ipv4 *ip4;

		nla = nla_reserve(skb, OVS_KEY_ATTR_IPV4, sizeof(*ip4));
		if (!nla)
			return -EMSGSIZE;
		ip4 = nla_data(nla);
		ip4->ipv4_src = out->nw.ipv4.src;
		ip4->ipv4_dst = out->nw.ipv4.dst;
		ip4->ipv4_proto = out->ip_proto;
		ip4->ipv4_tos = out->ip_tos;
		ip4->ipv4_ttl = out->ip_ttl;
		ip4->ipv4_frag = out->ip_frag;
		ip = true;
	} else if (lay->eth_type == htons(ETH_P_IPV6)) {
		struct ovs_key_ipv6 *ip6;

		nla = nla_reserve(skb, OVS_KEY_ATTR_IPV6, sizeof(*ip6));
		if (!nla)
			return -EMSGSIZE;
		ip6 = nla_data(nla);
		memcpy(ip6->ipv6_src, &out->nw.ipv6.src, sizeof(ip6->ipv6_src));
		memcpy(ip6->ipv6_dst, &out->nw.ipv6.dst, sizeof(ip6->ipv6_dst));
		ip6->ipv6_label = out->ipv6_label;
		ip6->ipv6_proto = out->ip_proto;
		ip6->ipv6_tclass = out->ip_tos;
		ip6->ipv6_hlimit = out->ip_ttl;
		ip6->ipv6_frag = out->ip_frag;
		ip = true;
	} else if (lay->eth_type == htons(ETH_P_ARP) ||
		   lay->eth_type == htons(ETH_P_RARP)) {
		struct ovs_key_arp *arp;

		nla = nla_reserve(skb, OVS_KEY_ATTR_ARP, sizeof(*arp));
		if (!nla)
			return -EMSGSIZE;
		arp = nla_data(nla);
		memset(arp, 0, sizeof(*arp));
		arp->arp_sip = out->nw.arp.sip;
		arp->arp_tip = out->nw.arp.tip;
		arp->arp_op = out->nw.arp.op;
		ether_addr_copy(arp->arp_sha, out->nw.arp.sha);
		ether_addr_copy(arp->arp_tha, out->nw.arp.tha);
	}
	if (!ip || lay->ip_frag == OVS_FRAG_TYPE_LATER)
		return 0;

	switch (lay->ip_proto) {
	case IPPROTO_TCP: {
		struct ovs_key_tcp *tp;

		nla = nla_reserve(skb, OVS_KEY_ATTR_TCP, sizeof(*tp));
		if (!nla)
			return -EMSGSIZE;
		tp = nla_data(nla);
		tp->tcp_src = out->tp_src;
		tp->tcp_dst = out->tp_dst;
		if (nla_put_be16(skb, OVS_KEY_ATTR_TCP_FLAGS, out->tcp_flags))
			return -EMSGSIZE;
		break;
	}
	case IPPROTO_UDP: {
		struct ovs_key_udp *tp;

		nla = nla_reserve(skb, OVS_KEY_ATTR_UDP, sizeof(*tp));
		if (!nla)
			return -EMSGSIZE;
		tp = nla_data(nla);
		tp->udp_src = out->tp_src;
		tp->udp_dst = out->tp_dst;
		break;
	}
	case IPPROTO_SCTP: {
		struct ovs_key_sctp *tp;

		nla = nla_reserve(skb, OVS_KEY_ATTR_SCTP, sizeof(*tp));
		if (!nla)
			return -EMSGSIZE;
		tp = nla_data(nla);
		tp->sctp_src = out->tp_src;
		tp->sctp_dst = out->tp_dst;
		break;
	}
	case IPPROTO_ICMP:
		if (lay->eth_type == htons(ETH_P_IP)) {
			struct ovs_key_icmp *ic;

			nla = nla_reserve(skb, OVS_KEY_ATTR_ICMP, sizeof(*ic));
			if (!nla)
				return -EMSGSIZE;
			ic = nla_data(nla);
			ic->icmp_type = ntohs(out->tp_src);
			ic->icmp_code = ntohs(out->tp_dst);
		}
		break;
	case IPPROTO_ICMPV6:
		if (lay->eth_type == htons(ETH_P_IPV6)) {
			struct ovs_key_icmpv6 *ic;

			nla = nla_reserve(skb, OVS_KEY_ATTR_ICMPV6, sizeof(*ic));
			if (!nla)
				return -EMSGSIZE;
			ic = nla_data(nla);
			ic->icmpv6_type = ntohs(out->tp_src);
			ic->icmpv6_code = ntohs(out->tp_dst);
			if (lay->tp_src == htons(NDISC_NEIGHBOUR_SOLICITATION) ||
			    lay->tp_src == htons(NDISC_NEIGHBOUR_ADVERTISEMENT)) {
				struct ovs_key_nd *nd;

				nla = nla_reserve(skb, OVS_KEY_ATTR_ND, sizeof(*nd));
				if (!nla)
					return -EMSGSIZE;
				nd = nla_data(nla);
				memcpy(nd->nd_target, &out->nd_target, sizeof(nd->nd_target));
				ether_addr_copy(nd->nd_sll, out->nd_sll);
				ether_addr_copy(nd->nd_tll, out->nd_tll);
			}
		}
		break;
	}
	return 0;
}

static int put_key_body(struct sk_buff *skb, const struct ovsm_key *lay,
			const struct ovsm_key *out, bool is_mask)
{
	struct nlattr *encap[2] = { NULL, NULL };
	struct ovs_key_ethernet *eth;
	struct nlattr *nla;
	int i, err;

	if (nla_put_u32(skb, OVS_KEY_ATTR_RECIRC_ID, out->recirc_id) ||
	    nla_put_u32(skb, OVS_KEY_ATTR_DP_HASH, out->dp_hash) ||
	    nla_put_u32(skb, OVS_KEY_ATTR_PRIORITY, out->priority))
		return -EMSGSIZE;
	if (lay->tun.dst || is_mask) {
		err = put_tunnel(skb, &out->tun);
		if (err)
			return err;
	}
	if (lay->in_port != OVSM_NO_PORT || (is_mask && out->in_port)) {
		if (nla_put_u32(skb, OVS_KEY_ATTR_IN_PORT, out->in_port))
			return -EMSGSIZE;
	}
	if (nla_put_u32(skb, OVS_KEY_ATTR_SKB_MARK, out->mark))
		return -EMSGSIZE;

	nla = nla_reserve(skb, OVS_KEY_ATTR_ETHERNET, sizeof(*eth));
	if (!nla)
		return -EMSGSIZE;
	eth = nla_data(nla);
	ether_addr_copy(eth->eth_src, out->eth_src);
	ether_addr_copy(eth->eth_dst, out->eth_dst);

	/* Up to two tags, each an ethertype + vlan + encap around the rest;
	 * a frame cut inside a tag ends with an empty encap. */
	for (i = 0; i < 2; i++) {
		__be16 tci = i ? lay->cvlan_tci : lay->vlan_tci;
		__be16 tpid = i ? lay->cvlan_tpid : lay->vlan_tpid;
		__be16 out_tci = i ? out->cvlan_tci : out->vlan_tci;

		if (!tci && !is_vlan_type(lay->eth_type))
			break;
		if (nla_put_be16(skb, OVS_KEY_ATTR_ETHERTYPE,
				 is_mask ? htons(0xffff) : (tci ? tpid : lay->eth_type)) ||
		    nla_put_be16(skb, OVS_KEY_ATTR_VLAN, out_tci))
			return -EMSGSIZE;
		encap[i] = nla_nest_start_noflag(skb, OVS_KEY_ATTR_ENCAP);
		if (!encap[i])
			return -EMSGSIZE;
		if (!tci)
			goto close;
	}

	if (lay->eth_type == htons(ETH_P_802_2)) {
		/* 802.3 frames: no ethertype in keys, 0xffff in masks. */
		if (is_mask && out->eth_type &&
		    nla_put_be16(skb, OVS_KEY_ATTR_ETHERTYPE, out->eth_type))
			return -EMSGSIZE;
		goto close;
	}
	if (nla_put_be16(skb, OVS_KEY_ATTR_ETHERTYPE, out->eth_type))
		return -EMSGSIZE;
	err = put_l3_l4(skb, lay, out);
	if (err)
		return err;
close:
	for (i = 1; i >= 0; i--)
		if (encap[i])
			nla_nest_end(skb, encap[i]);
	return 0;
}

int ovsm_nla_put_key(struct sk_buff *skb, int attrtype,
		     const struct ovsm_key *layout, const struct ovsm_key *out,
		     bool is_mask)
{
	struct nlattr *nest = nla_nest_start_noflag(skb, attrtype);
	int err;

	if (!nest)
		return -EMSGSIZE;
	err = put_key_body(skb, layout, out, is_mask);
	if (err) {
		nla_nest_cancel(skb, nest);
		return err;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* ---- validating actions -------------------------------------------------- */

static int validate_list(const struct nlattr *list, const struct ovsm_key *key,
			 int depth, struct netlink_ext_ack *extack);

static bool is_ip_key(const struct ovsm_key *key)
{
	return key->eth_type == htons(ETH_P_IP) ||
	       key->eth_type == htons(ETH_P_IPV6);
}

static int validate_set(const struct nlattr *a, const struct ovsm_key *key,
			bool masked, struct netlink_ext_ack *extack)
{
	const struct nlattr *inner = nla_data(a);
	int type, size;

	if (nla_len(a) < NLA_HDRLEN || inner->nla_len < NLA_HDRLEN ||
	    NLA_ALIGN(inner->nla_len) != NLA_ALIGN(nla_len(a)) ||
	    inner->nla_len > nla_len(a))
		return FAIL(extack, "set action must hold exactly one key attribute");
	type = nla_type(inner);
	if (type > OVS_KEY_ATTR_MAX)
		return FAIL(extack, "set action of an unknown field");
	size = key_len[type];
	switch (type) {
	case OVS_KEY_ATTR_PRIORITY:
	case OVS_KEY_ATTR_SKB_MARK:
	case OVS_KEY_ATTR_ETHERNET:
		break;
	case OVS_KEY_ATTR_IPV4:
		if (key->eth_type != htons(ETH_P_IP))
			return FAIL(extack, "set of IPv4 fields on a flow that is not IPv4");
		break;
	case OVS_KEY_ATTR_IPV6:
		if (key->eth_type != htons(ETH_P_IPV6))
			return FAIL(extack, "set of IPv6 fields on a flow that is not IPv6");
		break;
	case OVS_KEY_ATTR_TCP:
		if (!is_ip_key(key) || key->ip_proto != IPPROTO_TCP ||
		    key->ip_frag == OVS_FRAG_TYPE_LATER)
			return FAIL(extack, "set of TCP ports on a flow that is not TCP");
		break;
	case OVS_KEY_ATTR_UDP:
		if (!is_ip_key(key) || key->ip_proto != IPPROTO_UDP ||
		    key->ip_frag == OVS_FRAG_TYPE_LATER)
			return FAIL(extack, "set of UDP ports on a flow that is not UDP");
		break;
	default:
		return FAIL(extack, "set action of a field this datapath cannot set");
	}
	if (nla_len(inner) != (masked ? 2 * size : size))
		return FAIL(extack, "set action attribute has the wrong length");

	if (type == OVS_KEY_ATTR_IPV4) {
		const struct ovs_key_ipv4 *v = nla_data(inner), *m = v + 1;

		if (masked ? (m->ipv4_proto || m->ipv4_frag) :
			     (v->ipv4_proto != key->ip_proto || v->ipv4_frag != key->ip_frag))
			return FAIL(extack, "set action may not change the IP protocol or fragment type");
	} else if (type == OVS_KEY_ATTR_IPV6) {
		const struct ovs_key_ipv6 *v = nla_data(inner), *m = v + 1;

		if (masked ? (m->ipv6_proto || m->ipv6_frag) :
			     (v->ipv6_proto != key->ip_proto || v->ipv6_frag != key->ip_frag))
			return FAIL(extack, "set action may not change the IP protocol or fragment type");
		if ((masked ? m->ipv6_label : v->ipv6_label) & htonl(0xfff00000))
			return FAIL(extack, "IPv6 flow label wider than 20 bits");
	}
	return 0;
}

static int validate_userspace(const struct nlattr *a, struct netlink_ext_ack *extack)
{
	const struct nlattr *u;
	bool pid = false;
	u32 seen = 0;
	int rem;

	nla_for_each_nested(u, a, rem) {
		int type = nla_type(u);

		if (type > OVS_USERSPACE_ATTR_MAX || type == OVS_USERSPACE_ATTR_UNSPEC)
			return FAIL(extack, "unknown userspace action attribute");
		if (seen & BIT(type))
			return FAIL(extack, "duplicate userspace action attribute");
		seen |= BIT(type);
		switch (type) {
		case OVS_USERSPACE_ATTR_PID:
			if (nla_len(u) != sizeof(u32))
				return FAIL(extack, "userspace pid must be 32 bits");
			pid = true;
			break;
		case OVS_USERSPACE_ATTR_EGRESS_TUN_PORT:
			if (nla_len(u) != sizeof(u32))
				return FAIL(extack, "userspace egress tunnel port must be 32 bits");
			break;
		case OVS_USERSPACE_ATTR_ACTIONS:
			if (nla_len(u))
				return FAIL(extack, "userspace actions flag takes no value");
			break;
		case OVS_USERSPACE_ATTR_USERDATA:
			break;
		}
	}
	if (rem)
		return FAIL(extack, "trailing bytes in a userspace action");
	if (!pid)
		return FAIL(extack, "userspace action without a pid");
	return 0;
}

static int validate_sample(const struct nlattr *a, const struct ovsm_key *key,
			   int depth, struct netlink_ext_ack *extack)
{
	const struct nlattr *s, *prob = NULL, *acts = NULL;
	int rem;

	nla_for_each_nested(s, a, rem) {
		switch (nla_type(s)) {
		case OVS_SAMPLE_ATTR_PROBABILITY:
			if (prob || nla_len(s) != sizeof(u32))
				return FAIL(extack, "bad sample probability");
			prob = s;
			break;
		case OVS_SAMPLE_ATTR_ACTIONS:
			if (acts)
				return FAIL(extack, "duplicate sample actions");
			acts = s;
			break;
		default:
			return FAIL(extack, "unknown sample action attribute");
		}
	}
	if (rem)
		return FAIL(extack, "trailing bytes in a sample action");
	if (!prob || !acts)
		return FAIL(extack, "sample action needs a probability and actions");
	return validate_list(acts, key, depth + 1, extack);
}

static int validate_check_pkt_len(const struct nlattr *a,
				  const struct ovsm_key *key, int depth,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *c, *len = NULL, *gt = NULL, *le = NULL;
	int rem, err;

	nla_for_each_nested(c, a, rem) {
		switch (nla_type(c)) {
		case OVS_CHECK_PKT_LEN_ATTR_PKT_LEN:
			if (len || nla_len(c) != sizeof(u16))
				return FAIL(extack, "bad check_pkt_len length");
			len = c;
			break;
		case OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER:
			if (gt)
				return FAIL(extack, "duplicate check_pkt_len actions");
			gt = c;
			break;
		case OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL:
			if (le)
				return FAIL(extack, "duplicate check_pkt_len actions");
			le = c;
			break;
		default:
			return FAIL(extack, "unknown check_pkt_len attribute");
		}
	}
	if (rem)
		return FAIL(extack, "trailing bytes in a check_pkt_len action");
	if (!len || !gt || !le)
		return FAIL(extack, "check_pkt_len needs a length and both action lists");
	err = validate_list(gt, key, depth + 1, extack);
	return err ? err : validate_list(le, key, depth + 1, extack);
}

static int validate_list(const struct nlattr *list, const struct ovsm_key *key,
			 int depth, struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, err;

	if (depth > OVSM_MAX_ACTION_DEPTH)
		return FAIL(extack, "actions nested too deeply");
	nla_for_each_nested(a, list, rem) {
		int len = nla_len(a);

		switch (nla_type(a)) {
		case OVS_ACTION_ATTR_OUTPUT:
			if (len != sizeof(u32))
				return FAIL(extack, "output action must be 32 bits");
			if (nla_get_u32(a) >= OVSM_MAX_PORTS)
				return FAIL(extack, "output port out of range");
			break;
		case OVS_ACTION_ATTR_USERSPACE:
			err = validate_userspace(a, extack);
			if (err)
				return err;
			break;
		case OVS_ACTION_ATTR_SET:
		case OVS_ACTION_ATTR_SET_MASKED:
			err = validate_set(a, key, nla_type(a) == OVS_ACTION_ATTR_SET_MASKED,
					   extack);
			if (err)
				return err;
			break;
		case OVS_ACTION_ATTR_PUSH_VLAN: {
			const struct ovs_action_push_vlan *pv = nla_data(a);

			if (len != sizeof(*pv))
				return FAIL(extack, "push_vlan has the wrong length");
			if (!is_vlan_type(pv->vlan_tpid))
				return FAIL(extack, "push_vlan with a TPID that is not 802.1Q or 802.1ad");
			if (!(pv->vlan_tci & htons(OVSM_TCI_PRESENT)))
				return FAIL(extack, "push_vlan TCI without the tag-present bit");
			break;
		}
		case OVS_ACTION_ATTR_POP_VLAN:
		case OVS_ACTION_ATTR_CT_CLEAR:
			if (len)
				return FAIL(extack, "action takes no argument");
			break;
		case OVS_ACTION_ATTR_SAMPLE:
			err = validate_sample(a, key, depth, extack);
			if (err)
				return err;
			break;
		case OVS_ACTION_ATTR_CLONE:
			err = validate_list(a, key, depth + 1, extack);
			if (err)
				return err;
			break;
		case OVS_ACTION_ATTR_CHECK_PKT_LEN:
			err = validate_check_pkt_len(a, key, depth, extack);
			if (err)
				return err;
			break;
		case OVS_ACTION_ATTR_RECIRC:
			if (len != sizeof(u32))
				return FAIL(extack, "recirc action must be 32 bits");
			break;
		case OVS_ACTION_ATTR_HASH: {
			const struct ovs_action_hash *h = nla_data(a);

			if (len != sizeof(*h))
				return FAIL(extack, "hash action has the wrong length");
			if (h->hash_alg != OVS_HASH_ALG_L4)
				return FAIL(extack, "hash algorithm not supported");
			break;
		}
		case OVS_ACTION_ATTR_TRUNC: {
			const struct ovs_action_trunc *t = nla_data(a);

			if (len != sizeof(*t))
				return FAIL(extack, "trunc action has the wrong length");
			if (t->max_len < ETH_HLEN)
				return FAIL(extack, "trunc below an Ethernet header");
			break;
		}
		case OVSM_ACTION_ATTR_DROP:
			if (len != sizeof(u32))
				return FAIL(extack, "drop action must be 32 bits");
			if (rem > NLA_ALIGN(a->nla_len))
				return FAIL(extack, "drop must be the last action");
			break;
		default:
			return FAIL(extack, "action not supported by this datapath");
		}
	}
	if (rem)
		return FAIL(extack, "trailing bytes after the actions");
	return 0;
}

int ovsm_validate_actions(const struct nlattr *acts_nla,
			  const struct ovsm_key *key,
			  struct netlink_ext_ack *extack)
{
	return validate_list(acts_nla, key, 0, extack);
}

struct ovsm_acts *ovsm_acts_from_nla(const struct nlattr *acts_nla,
				     const struct ovsm_key *key,
				     struct netlink_ext_ack *extack)
{
	struct ovsm_acts *acts;
	int err = validate_list(acts_nla, key, 0, extack);

	if (err)
		return ERR_PTR(err);
	acts = kmalloc(sizeof(*acts) + nla_len(acts_nla), GFP_KERNEL);
	if (!acts)
		return ERR_PTR(-ENOMEM);
	ovsm_count(OVSM_K_ACTS, 1);
	acts->len = nla_len(acts_nla);
	memcpy(acts->data, nla_data(acts_nla), acts->len);
	return acts;
}
