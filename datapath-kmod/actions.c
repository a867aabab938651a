// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: running a flow's actions on a packet.
 *
 * Action lists were validated when installed (flow_netlink.c), so their
 * structure is trusted here; the packet's headers are not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/openvswitch.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "datapath.h"
#include "flow_netlink.h"
#include "vport.h"

/* Nested action lists and recirculations, together, on one CPU. */
#define EXEC_DEPTH_LIMIT	12

static DEFINE_PER_CPU(int, exec_depth);

struct exec_ctx {
	struct ovsm_dp *dp;
	const void *flow_acts;		/* the whole list, for userspace(actions) */
	int flow_acts_len;
};

static int exec_list(struct exec_ctx *ctx, struct sk_buff *skb,
		     struct ovsm_key *key, const struct nlattr *acts, int len);

#define MASKED(old, val, mask) (((val) & (mask)) | ((old) & ~(mask)))

static const u8 all_ones[sizeof(struct ovs_key_ipv6)] = {
	[0 ... sizeof(struct ovs_key_ipv6) - 1] = 0xff
};

/* Header rewrites keep checksums right; a CHECKSUM_COMPLETE value would
 * no longer be, so the stack is made to verify again instead. */
static void forget_complete_csum(struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_COMPLETE)
		skb->ip_summed = CHECKSUM_NONE;
}

static void do_output(struct exec_ctx *ctx, struct sk_buff *skb, u32 port,
		      u32 cutlen)
{
	struct ovsm_vport *vport = ovsm_dp_port(ctx->dp, port);

	if (unlikely(!vport)) {
		kfree_skb(skb);
		return;
	}
	if (cutlen) {
		unsigned int len = skb->len > cutlen + ETH_HLEN ?
				   skb->len - cutlen : ETH_HLEN;

		if (unlikely(pskb_trim(skb, len))) {
			kfree_skb(skb);
			return;
		}
	}
	ovsm_vport_send(vport, skb);
}

static void do_userspace(struct exec_ctx *ctx, struct sk_buff *skb,
			 struct ovsm_key *key, const struct nlattr *attr,
			 u32 cutlen)
{
	struct ovsm_upcall up = {
		.cmd = OVS_PACKET_CMD_ACTION,
		.cutlen = cutlen,
	};
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, attr, rem) {
		switch (nla_type(a)) {
		case OVS_USERSPACE_ATTR_PID:
			up.portid = nla_get_u32(a);
			break;
		case OVS_USERSPACE_ATTR_USERDATA:
			up.userdata = a;
			break;
		case OVS_USERSPACE_ATTR_ACTIONS:
			up.actions = ctx->flow_acts;
			up.actions_len = ctx->flow_acts_len;
			break;
		}
	}
	ovsm_dp_upcall(ctx->dp, skb, key, &up);
}

static int set_eth(struct sk_buff *skb, struct ovsm_key *key,
		   const struct ovs_key_ethernet *v,
		   const struct ovs_key_ethernet *m)
{
	struct ethhdr *eth;
	int err, i;

	err = skb_ensure_writable(skb, ETH_HLEN);
	if (unlikely(err))
		return err;
	forget_complete_csum(skb);
	eth = eth_hdr(skb);
	for (i = 0; i < ETH_ALEN; i++) {
		eth->h_source[i] = MASKED(eth->h_source[i], v->eth_src[i], m->eth_src[i]);
		eth->h_dest[i] = MASKED(eth->h_dest[i], v->eth_dst[i], m->eth_dst[i]);
	}
	ether_addr_copy(key->eth_src, eth->h_source);
	ether_addr_copy(key->eth_dst, eth->h_dest);
	return 0;
}

/* Makes the transport header writable up to 'need' bytes, if present. */
static bool l4_writable(struct sk_buff *skb, unsigned int need)
{
	unsigned int th = skb_transport_offset(skb);

	return th + need <= skb->len && !skb_ensure_writable(skb, th + need);
}

static void update_l4_addr4(struct sk_buff *skb, u8 proto, __be32 old,
			    __be32 new)
{
	if (proto == IPPROTO_TCP) {
		if (l4_writable(skb, sizeof(struct tcphdr)))
			inet_proto_csum_replace4(&tcp_hdr(skb)->check, skb,
						 old, new, true);
	} else if (proto == IPPROTO_UDP) {
		if (l4_writable(skb, sizeof(struct udphdr))) {
			struct udphdr *uh = udp_hdr(skb);

			if (uh->check || skb->ip_summed == CHECKSUM_PARTIAL) {
				inet_proto_csum_replace4(&uh->check, skb, old, new, true);
				if (!uh->check)
					uh->check = CSUM_MANGLED_0;
			}
		}
	}
}

static int set_ipv4(struct sk_buff *skb, struct ovsm_key *key,
		    const struct ovs_key_ipv4 *v, const struct ovs_key_ipv4 *m)
{
	unsigned int nh = skb_network_offset(skb);
	bool l4 = false;
	struct iphdr *iph;
	__be32 addr;
	int err;
	u8 b;

	err = skb_ensure_writable(skb, nh + sizeof(*iph));
	if (unlikely(err))
		return err;
	forget_complete_csum(skb);
	iph = ip_hdr(skb);
	if (iph->ihl >= 5 && skb_transport_offset(skb) == nh + iph->ihl * 4 &&
	    !(iph->frag_off & htons(IP_OFFSET)))
		l4 = true;

	addr = MASKED(iph->saddr, v->ipv4_src, m->ipv4_src);
	if (addr != iph->saddr) {
		__be32 old = iph->saddr;

		if (l4)
			update_l4_addr4(skb, iph->protocol, old, addr);
		iph = ip_hdr(skb);
		csum_replace4(&iph->check, old, addr);
		iph->saddr = addr;
		skb_clear_hash(skb);
	}
	addr = MASKED(iph->daddr, v->ipv4_dst, m->ipv4_dst);
	if (addr != iph->daddr) {
		__be32 old = iph->daddr;

		if (l4)
			update_l4_addr4(skb, iph->protocol, old, addr);
		iph = ip_hdr(skb);
		csum_replace4(&iph->check, old, addr);
		iph->daddr = addr;
		skb_clear_hash(skb);
	}
	b = MASKED(iph->tos, v->ipv4_tos, m->ipv4_tos);
	if (b != iph->tos) {
		csum_replace2(&iph->check, htons(iph->tos), htons(b));
		iph->tos = b;
	}
	b = MASKED(iph->ttl, v->ipv4_ttl, m->ipv4_ttl);
	if (b != iph->ttl) {
		csum_replace2(&iph->check, htons(iph->ttl << 8), htons(b << 8));
		iph->ttl = b;
	}
	key->nw.ipv4.src = iph->saddr;
	key->nw.ipv4.dst = iph->daddr;
	key->ip_tos = iph->tos;
	key->ip_ttl = iph->ttl;
	return 0;
}

static void update_l4_addr6(struct sk_buff *skb, u8 proto,
			    const __be32 *old, const __be32 *new)
{
	__sum16 *check = NULL;

	if (proto == IPPROTO_TCP) {
		if (l4_writable(skb, sizeof(struct tcphdr)))
			check = &tcp_hdr(skb)->check;
	} else if (proto == IPPROTO_UDP) {
		if (l4_writable(skb, sizeof(struct udphdr))) {
			struct udphdr *uh = udp_hdr(skb);

			if (uh->check || skb->ip_summed == CHECKSUM_PARTIAL) {
				inet_proto_csum_replace16(&uh->check, skb, old, new, true);
				if (!uh->check)
					uh->check = CSUM_MANGLED_0;
			}
		}
	} else if (proto == IPPROTO_ICMPV6) {
		if (l4_writable(skb, sizeof(struct icmp6hdr)))
			check = &icmp6_hdr(skb)->icmp6_cksum;
	}
	if (check)
		inet_proto_csum_replace16(check, skb, old, new, true);
}

static bool set_addr6(struct sk_buff *skb, struct in6_addr *addr,
		      const __be32 *v, const __be32 *m, u8 proto, bool l4)
{
	__be32 old[4], new[4];
	int i;

	memcpy(old, addr->s6_addr32, sizeof(old));
	for (i = 0; i < 4; i++)
		new[i] = MASKED(old[i], v[i], m[i]);
	if (!memcmp(new, old, sizeof(new)))
		return false;
	if (l4) {
		unsigned int off = (u8 *)addr - skb->data;

		/* This may move the packet's head. */
		update_l4_addr6(skb, proto, old, new);
		addr = (struct in6_addr *)(skb->data + off);
	}
	memcpy(addr->s6_addr32, new, sizeof(new));
	return true;
}

static int set_ipv6(struct sk_buff *skb, struct ovsm_key *key,
		    const struct ovs_key_ipv6 *v, const struct ovs_key_ipv6 *m)
{
	unsigned int nh = skb_network_offset(skb);
	struct ipv6hdr *ip6;
	bool l4, routing;
	__be32 fl;
	int err;
	u8 tc;

	err = skb_ensure_writable(skb, nh + sizeof(*ip6));
	if (unlikely(err))
		return err;
	forget_complete_csum(skb);
	l4 = key->ip_frag != OVS_FRAG_TYPE_LATER &&
	     skb_transport_offset(skb) > nh;
	{
		int off = 0;

		routing = ipv6_find_hdr(skb, &off, NEXTHDR_ROUTING, NULL, NULL) ==
			  NEXTHDR_ROUTING;
	}
	ip6 = ipv6_hdr(skb);
	if (set_addr6(skb, &ip6->saddr, v->ipv6_src, m->ipv6_src,
		      key->ip_proto, l4))
		skb_clear_hash(skb);
	ip6 = ipv6_hdr(skb);
	/* With a routing header the checksum covers the final destination,
	 * which is not this field. */
	if (set_addr6(skb, &ip6->daddr, v->ipv6_dst, m->ipv6_dst,
		      key->ip_proto, l4 && !routing))
		skb_clear_hash(skb);
	ip6 = ipv6_hdr(skb);
	tc = MASKED(ipv6_get_dsfield(ip6), v->ipv6_tclass, m->ipv6_tclass);
	ipv6_change_dsfield(ip6, 0, tc);
	fl = *(__be32 *)ip6;
	fl = MASKED(fl, v->ipv6_label, m->ipv6_label & IPV6_FLOWLABEL_MASK);
	*(__be32 *)ip6 = fl;
	ip6->hop_limit = MASKED(ip6->hop_limit, v->ipv6_hlimit, m->ipv6_hlimit);

	key->nw.ipv6.src = ip6->saddr;
	key->nw.ipv6.dst = ip6->daddr;
	key->ip_tos = ipv6_get_dsfield(ip6);
	key->ipv6_label = *(__be32 *)ip6 & IPV6_FLOWLABEL_MASK;
	key->ip_ttl = ip6->hop_limit;
	return 0;
}

static int set_ports(struct sk_buff *skb, struct ovsm_key *key, bool tcp,
		     __be16 vsrc, __be16 vdst, __be16 msrc, __be16 mdst)
{
	unsigned int need = tcp ? sizeof(struct tcphdr) : sizeof(struct udphdr);
	__be16 *ports, src, dst;
	__sum16 *check;
	bool do_csum;

	if (unlikely(!l4_writable(skb, need)))
		return -EINVAL;
	forget_complete_csum(skb);
	ports = (__be16 *)skb_transport_header(skb);
	if (tcp) {
		check = &tcp_hdr(skb)->check;
		do_csum = true;
	} else {
		check = &udp_hdr(skb)->check;
		do_csum = *check || skb->ip_summed == CHECKSUM_PARTIAL;
	}
	src = MASKED(ports[0], vsrc, msrc);
	dst = MASKED(ports[1], vdst, mdst);
	if (src != ports[0] || dst != ports[1]) {
		if (do_csum) {
			inet_proto_csum_replace2(check, skb, ports[0], src, false);
			inet_proto_csum_replace2(check, skb, ports[1], dst, false);
			if (!tcp && !*check)
				*check = CSUM_MANGLED_0;
		}
		ports[0] = src;
		ports[1] = dst;
		skb_clear_hash(skb);
	}
	key->tp_src = src;
	key->tp_dst = dst;
	return 0;
}

static int do_set(struct sk_buff *skb, struct ovsm_key *key,
		  const struct nlattr *inner, bool masked)
{
	const void *v = nla_data(inner);
	int size = masked ? nla_len(inner) / 2 : nla_len(inner);
	const void *m = masked ? v + size : all_ones;

	switch (nla_type(inner)) {
	case OVS_KEY_ATTR_PRIORITY:
		skb->priority = MASKED(skb->priority, *(u32 *)v, *(u32 *)m);
		key->priority = skb->priority;
		return 0;
	case OVS_KEY_ATTR_SKB_MARK:
		skb->mark = MASKED(skb->mark, *(u32 *)v, *(u32 *)m);
		key->mark = skb->mark;
		return 0;
	case OVS_KEY_ATTR_ETHERNET:
		return set_eth(skb, key, v, m);
	case OVS_KEY_ATTR_IPV4:
		return set_ipv4(skb, key, v, m);
	case OVS_KEY_ATTR_IPV6:
		return set_ipv6(skb, key, v, m);
	case OVS_KEY_ATTR_TCP: {
		const struct ovs_key_tcp *vt = v, *mt = m;

		return set_ports(skb, key, true, vt->tcp_src, vt->tcp_dst,
				 mt->tcp_src, mt->tcp_dst);
	}
	case OVS_KEY_ATTR_UDP: {
		const struct ovs_key_udp *vu = v, *mu = m;

		return set_ports(skb, key, false, vu->udp_src, vu->udp_dst,
				 mu->udp_src, mu->udp_dst);
	}
	}
	return -EINVAL;
}

static int do_push_vlan(struct sk_buff *skb, struct ovsm_key *key,
			const struct ovs_action_push_vlan *pv)
{
	int err = skb_vlan_push(skb, pv->vlan_tpid,
				ntohs(pv->vlan_tci) & ~OVSM_TCI_PRESENT);

	if (err)
		return err;
	key->cvlan_tpid = key->vlan_tpid;
	key->cvlan_tci = key->vlan_tci;
	key->vlan_tpid = pv->vlan_tpid;
	key->vlan_tci = pv->vlan_tci;
	return 0;
}

static int do_pop_vlan(struct sk_buff *skb, struct ovsm_key *key)
{
	int err = skb_vlan_pop(skb);

	if (err)
		return err;
	key->vlan_tpid = key->cvlan_tpid;
	key->vlan_tci = key->cvlan_tci;
	key->cvlan_tpid = 0;
	key->cvlan_tci = 0;
	return 0;
}

static void do_hash(struct sk_buff *skb, struct ovsm_key *key,
		    const struct ovs_action_hash *h)
{
	u32 hash = jhash_1word(skb_get_hash(skb), h->hash_basis);

	key->dp_hash = hash ? hash : 1;
}

static bool enter(void)
{
	if (unlikely(__this_cpu_read(exec_depth) >= EXEC_DEPTH_LIMIT)) {
		net_dbg_ratelimited("openvswitch_mod: action nesting limit reached, packet dropped\n");
		return false;
	}
	__this_cpu_inc(exec_depth);
	return true;
}

static void leave(void)
{
	__this_cpu_dec(exec_depth);
}

/* Runs a nested list on the packet: on the packet itself when nothing
 * follows in the enclosing list, else on a clone with a copy of the key. */
static int exec_nested(struct exec_ctx *ctx, struct sk_buff *skb,
		       struct ovsm_key *key, const struct nlattr *list, bool last)
{
	struct ovsm_key copy;
	struct sk_buff *clone;
	int err;

	if (!enter()) {
		if (last)
			kfree_skb(skb);
		return 0;
	}
	if (last) {
		err = exec_list(ctx, skb, key, nla_data(list), nla_len(list));
	} else {
		clone = skb_clone(skb, GFP_ATOMIC);
		err = 0;
		if (clone) {
			copy = *key;
			exec_list(ctx, clone, &copy, nla_data(list), nla_len(list));
		}
	}
	leave();
	return err;
}

static void do_recirc(struct exec_ctx *ctx, struct sk_buff *skb,
		      struct ovsm_key *key, u32 id)
{
	if (!enter()) {
		kfree_skb(skb);
		return;
	}
	key->recirc_id = id;
	/* Earlier actions may have changed the headers: look again. */
	if (unlikely(ovsm_key_extract(skb, key)))
		kfree_skb(skb);
	else
		ovsm_dp_process(ctx->dp, skb, key);
	leave();
}

/* The length of each segment a GSO packet will be cut into. */
static unsigned int gso_seg_len(const struct sk_buff *skb)
{
	unsigned int len = skb_transport_offset(skb) + skb_shinfo(skb)->gso_size;

	if (skb_shinfo(skb)->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6))
		len += tcp_hdrlen(skb);
	else if (skb_shinfo(skb)->gso_type & SKB_GSO_UDP_L4)
		len += sizeof(struct udphdr);
	return len;
}

static const struct nlattr *find_nested(const struct nlattr *attr, int type)
{
	const struct nlattr *a;
	int rem;

	nla_for_each_nested(a, attr, rem)
		if (nla_type(a) == type)
			return a;
	return NULL;
}

static int exec_list(struct exec_ctx *ctx, struct sk_buff *skb,
		     struct ovsm_key *key, const struct nlattr *acts, int len)
{
	const struct nlattr *a;
	u32 cutlen = 0;
	int rem, err;

	for (a = acts, rem = len; nla_ok(a, rem); a = nla_next(a, &rem)) {
		bool last = rem <= NLA_ALIGN(a->nla_len);

		err = 0;
		switch (nla_type(a)) {
		case OVS_ACTION_ATTR_OUTPUT:
			if (last) {
				do_output(ctx, skb, nla_get_u32(a), cutlen);
				return 0;
			} else {
				struct sk_buff *clone = skb_clone(skb, GFP_ATOMIC);

				if (clone)
					do_output(ctx, clone, nla_get_u32(a), cutlen);
			}
			cutlen = 0;
			break;
		case OVS_ACTION_ATTR_USERSPACE:
			do_userspace(ctx, skb, key, a, cutlen);
			cutlen = 0;
			break;
		case OVS_ACTION_ATTR_SET:
			err = do_set(skb, key, nla_data(a), false);
			break;
		case OVS_ACTION_ATTR_SET_MASKED:
			err = do_set(skb, key, nla_data(a), true);
			break;
		case OVS_ACTION_ATTR_PUSH_VLAN:
			err = do_push_vlan(skb, key, nla_data(a));
			break;
		case OVS_ACTION_ATTR_POP_VLAN:
			err = do_pop_vlan(skb, key);
			break;
		case OVS_ACTION_ATTR_SAMPLE: {
			u32 p = nla_get_u32(find_nested(a, OVS_SAMPLE_ATTR_PROBABILITY));

			if (!p || (p != U32_MAX && p < get_random_u32()))
				break;
			err = exec_nested(ctx, skb, key,
					  find_nested(a, OVS_SAMPLE_ATTR_ACTIONS), last);
			if (last)
				return err;
			break;
		}
		case OVS_ACTION_ATTR_CLONE:
			err = exec_nested(ctx, skb, key, a, last);
			if (last)
				return err;
			break;
		case OVS_ACTION_ATTR_CHECK_PKT_LEN: {
			u16 limit = nla_get_u16(find_nested(a, OVS_CHECK_PKT_LEN_ATTR_PKT_LEN));
			unsigned int plen = skb->len;

			if (skb_is_gso(skb))
				plen = gso_seg_len(skb);
			if (skb_vlan_tag_present(skb))
				plen += VLAN_HLEN;
			err = exec_nested(ctx, skb, key,
					  find_nested(a, plen > limit ?
						      OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_GREATER :
						      OVS_CHECK_PKT_LEN_ATTR_ACTIONS_IF_LESS_EQUAL),
					  last);
			if (last)
				return err;
			break;
		}
		case OVS_ACTION_ATTR_RECIRC:
			if (last) {
				do_recirc(ctx, skb, key, nla_get_u32(a));
				return 0;
			} else {
				struct sk_buff *clone = skb_clone(skb, GFP_ATOMIC);
				struct ovsm_key copy = *key;

				if (clone)
					do_recirc(ctx, clone, &copy, nla_get_u32(a));
			}
			break;
		case OVS_ACTION_ATTR_HASH:
			do_hash(skb, key, nla_data(a));
			break;
		case OVS_ACTION_ATTR_TRUNC: {
			const struct ovs_action_trunc *t = nla_data(a);

			cutlen = skb->len > t->max_len ? skb->len - t->max_len : 0;
			break;
		}
		case OVS_ACTION_ATTR_CT_CLEAR:
			nf_reset_ct(skb);
			break;
		case OVSM_ACTION_ATTR_DROP:
			kfree_skb(skb);
			return 0;
		}
		if (unlikely(err)) {
			kfree_skb(skb);
			return err;
		}
	}
	consume_skb(skb);
	return 0;
}

int ovsm_execute_actions(struct ovsm_dp *dp, struct sk_buff *skb,
			 struct ovsm_key *key, const void *acts, int len)
{
	struct exec_ctx ctx = {
		.dp = dp,
		.flow_acts = acts,
		.flow_acts_len = len,
	};
	int err;

	if (!enter()) {
		kfree_skb(skb);
		return -ELOOP;
	}
	err = exec_list(&ctx, skb, key, acts, len);
	leave();
	return err;
}
