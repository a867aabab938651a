// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: flows (allocation, statistics) and flow key extraction.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_arp.h>
#include <linux/if_vlan.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/jiffies.h>
#include <linux/openvswitch.h>
#include <linux/ktime.h>
#include <linux/sctp.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/dsfield.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/ndisc.h>

#include "flow.h"

static struct kmem_cache *flow_cache;

atomic_t ovsm_live[OVSM_K_MAX];
const char *const ovsm_kind_names[OVSM_K_MAX] = {
	[OVSM_K_DP] = "datapaths", [OVSM_K_VPORT] = "vports",
	[OVSM_K_PIDS] = "pid_sets", [OVSM_K_FLOW] = "flows",
	[OVSM_K_KEY] = "unmasked_keys", [OVSM_K_ACTS] = "action_lists",
	[OVSM_K_MASK] = "masks", [OVSM_K_MASK_LIST] = "mask_lists",
};

int ovsm_flow_cache_init(void)
{
	flow_cache = kmem_cache_create("ovsm_flow", sizeof(struct ovsm_flow),
				       0, 0, NULL);
	return flow_cache ? 0 : -ENOMEM;
}

void ovsm_flow_cache_exit(void)
{
	kmem_cache_destroy(flow_cache);
}

struct ovsm_flow *ovsm_flow_alloc(void)
{
	struct ovsm_flow *flow = kmem_cache_zalloc(flow_cache, GFP_KERNEL);

	if (!flow)
		return NULL;
	ovsm_count(OVSM_K_FLOW, 1);
	spin_lock_init(&flow->stats.lock);
	return flow;
}

void ovsm_flow_free(struct ovsm_flow *flow)
{
	if (!flow)
		return;
	if (flow->unmasked) {
		ovsm_count(OVSM_K_KEY, -1);
		kfree(flow->unmasked);
	}
	/* Nobody else can see the actions of a flow freed directly. */
	ovsm_acts_free(rcu_dereference_raw(flow->acts));
	ovsm_count(OVSM_K_FLOW, -1);
	kmem_cache_free(flow_cache, flow);
}

static void flow_free_cb(struct rcu_head *rcu)
{
	ovsm_flow_free(container_of(rcu, struct ovsm_flow, rcu));
}

void ovsm_flow_free_rcu(struct ovsm_flow *flow)
{
	call_rcu(&flow->rcu, flow_free_cb);
}

void ovsm_acts_free(struct ovsm_acts *acts)
{
	if (acts) {
		ovsm_count(OVSM_K_ACTS, -1);
		kfree(acts);
	}
}

void ovsm_acts_free_rcu(struct ovsm_acts *acts)
{
	if (acts) {
		ovsm_count(OVSM_K_ACTS, -1);
		kfree_rcu(acts, rcu);
	}
}

void ovsm_flow_stats_update(struct ovsm_flow *flow, const struct sk_buff *skb,
			    __be16 tcp_flags)
{
	struct ovsm_flow_stats *s = &flow->stats;
	unsigned int len = skb->len;

	if (skb_vlan_tag_present(skb))
		len += VLAN_HLEN;
	spin_lock(&s->lock);
	s->used = jiffies;
	s->packets++;
	s->bytes += len;
	s->tcp_flags |= tcp_flags;
	spin_unlock(&s->lock);
}

void ovsm_flow_stats_read(struct ovsm_flow *flow, u64 *packets, u64 *bytes,
			  unsigned long *used, __be16 *tcp_flags)
{
	struct ovsm_flow_stats *s = &flow->stats;

	spin_lock_bh(&s->lock);
	*packets = s->packets;
	*bytes = s->bytes;
	*used = s->used;
	*tcp_flags = s->tcp_flags;
	spin_unlock_bh(&s->lock);
}

void ovsm_flow_stats_clear(struct ovsm_flow *flow)
{
	struct ovsm_flow_stats *s = &flow->stats;

	spin_lock_bh(&s->lock);
	s->packets = 0;
	s->bytes = 0;
	s->used = 0;
	s->tcp_flags = 0;
	spin_unlock_bh(&s->lock);
}

/* The time a flow was last used, as milliseconds of the monotonic clock. */
u64 ovsm_used_msecs(unsigned long used)
{
	u64 now = ktime_to_ms(ktime_get());
	u64 idle = jiffies_to_msecs(jiffies - used);

	return now > idle ? now - idle : 0;
}

void ovsm_key_mask(struct ovsm_key *dst, const struct ovsm_key *src,
		   const struct ovsm_key *mask)
{
	const u64 *s = (const u64 *)src, *m = (const u64 *)mask;
	u64 *d = (u64 *)dst;
	int i;

	for (i = 0; i < OVSM_KEY_WORDS; i++)
		d[i] = s[i] & m[i];
}

void ovsm_range_of(const struct ovsm_key *mask, struct ovsm_range *range)
{
	const u64 *m = (const u64 *)mask;
	int first = -1, last = -1, i;

	for (i = 0; i < OVSM_KEY_WORDS; i++) {
		if (m[i]) {
			if (first < 0)
				first = i;
			last = i;
		}
	}
	range->start = first < 0 ? 0 : first;
	range->end = first < 0 ? 0 : last + 1;
}

/* ---- key extraction ---------------------------------------------------- */

/* Makes 'len' bytes from 'off' linear; false if the packet is shorter. */
static bool have(struct sk_buff *skb, unsigned int off, unsigned int len)
{
	return pskb_may_pull(skb, off + len);
}

static bool is_vlan_type(__be16 type)
{
	return type == htons(ETH_P_8021Q) || type == htons(ETH_P_8021AD);
}

static void extract_tcp(struct sk_buff *skb, unsigned int off,
			struct ovsm_key *key)
{
	struct tcphdr *th;

	if (!have(skb, off, sizeof(*th)))
		return;
	th = (struct tcphdr *)(skb->data + off);
	if (th->doff < 5 || !have(skb, off, th->doff * 4))
		return;
	th = (struct tcphdr *)(skb->data + off);
	key->tp_src = th->source;
	key->tp_dst = th->dest;
	/* The 12 flag bits below the data offset. */
	key->tcp_flags = htons(ntohl(tcp_flag_word(th)) >> 16 & 0x0fff);
	skb_set_transport_header(skb, off);
}

static void extract_ports(struct sk_buff *skb, unsigned int off,
			  unsigned int hlen, struct ovsm_key *key)
{
	__be16 *ports;

	if (!have(skb, off, hlen))
		return;
	ports = (__be16 *)(skb->data + off);
	key->tp_src = ports[0];
	key->tp_dst = ports[1];
	skb_set_transport_header(skb, off);
}

static void extract_l4(struct sk_buff *skb, unsigned int off,
		       struct ovsm_key *key)
{
	switch (key->ip_proto) {
	case IPPROTO_TCP:
		extract_tcp(skb, off, key);
		break;
	case IPPROTO_UDP:
		extract_ports(skb, off, sizeof(struct udphdr), key);
		break;
	case IPPROTO_SCTP:
		extract_ports(skb, off, sizeof(struct sctphdr), key);
		break;
	}
}

static void extract_ipv4(struct sk_buff *skb, unsigned int off,
			 struct ovsm_key *key)
{
	struct iphdr *iph;
	unsigned int ihl;

	skb_set_network_header(skb, off);
	if (!have(skb, off, sizeof(*iph)))
		return;
	iph = (struct iphdr *)(skb->data + off);
	ihl = iph->ihl * 4;
	if (ihl < sizeof(*iph) || !have(skb, off, ihl))
		return;
	iph = (struct iphdr *)(skb->data + off);

	key->nw.ipv4.src = iph->saddr;
	key->nw.ipv4.dst = iph->daddr;
	key->ip_proto = iph->protocol;
	key->ip_tos = iph->tos;
	key->ip_ttl = iph->ttl;
	skb_set_transport_header(skb, off + ihl);

	if (iph->frag_off & htons(IP_MF | IP_OFFSET)) {
		if (iph->frag_off & htons(IP_OFFSET)) {
			key->ip_frag = OVS_FRAG_TYPE_LATER;
			return;
		}
		key->ip_frag = OVS_FRAG_TYPE_FIRST;
	}

	off += ihl;
	if (key->ip_proto == IPPROTO_ICMP) {
		struct icmphdr *ih;

		if (!have(skb, off, sizeof(*ih)))
			return;
		ih = (struct icmphdr *)(skb->data + off);
		key->tp_src = htons(ih->type);
		key->tp_dst = htons(ih->code);
		return;
	}
	extract_l4(skb, off, key);
}

static void extract_nd(struct sk_buff *skb, unsigned int off,
		       unsigned int end, struct ovsm_key *key)
{
	u8 type = ntohs(key->tp_src);
	struct in6_addr *target;
	unsigned int opt;

	/* ICMPv6 header (4 bytes), reserved word, target address. */
	if (end < off + 8 + sizeof(*target) || !have(skb, off, 8 + sizeof(*target)))
		return;
	target = (struct in6_addr *)(skb->data + off + 8);
	key->nd_target = *target;

	for (opt = off + 8 + sizeof(*target); opt + 2 <= end; ) {
		u8 *o;
		unsigned int olen;

		if (!have(skb, opt, 2))
			goto bad;
		o = skb->data + opt;
		olen = o[1] * 8;
		if (!olen || opt + olen > end || !have(skb, opt, olen))
			goto bad;
		o = skb->data + opt;
		if (olen == 8) {
			if (o[0] == ND_OPT_SOURCE_LL_ADDR &&
			    type == NDISC_NEIGHBOUR_SOLICITATION) {
				if (!is_zero_ether_addr(key->nd_sll))
					goto bad;
				ether_addr_copy(key->nd_sll, o + 2);
			} else if (o[0] == ND_OPT_TARGET_LL_ADDR &&
				   type == NDISC_NEIGHBOUR_ADVERTISEMENT) {
				if (!is_zero_ether_addr(key->nd_tll))
					goto bad;
				ether_addr_copy(key->nd_tll, o + 2);
			}
		}
		opt += olen;
	}
	return;
bad:
	memset(&key->nd_target, 0, sizeof(key->nd_target));
	eth_zero_addr(key->nd_sll);
	eth_zero_addr(key->nd_tll);
}

static void extract_ipv6(struct sk_buff *skb, unsigned int off,
			 struct ovsm_key *key)
{
	struct ipv6hdr *ip6;
	unsigned int end;
	u8 next;
	int hops;

	skb_set_network_header(skb, off);
	if (!have(skb, off, sizeof(*ip6)))
		return;
	ip6 = (struct ipv6hdr *)(skb->data + off);
	key->nw.ipv6.src = ip6->saddr;
	key->nw.ipv6.dst = ip6->daddr;
	key->ipv6_label = *(__be32 *)ip6 & IPV6_FLOWLABEL_MASK;
	key->ip_tos = ipv6_get_dsfield(ip6);
	key->ip_ttl = ip6->hop_limit;
	next = ip6->nexthdr;
	end = off + sizeof(*ip6) + ntohs(ip6->payload_len);
	if (end > skb->len)
		end = skb->len;
	off += sizeof(*ip6);

	/* Walk the extension headers to the upper-layer protocol. */
	for (hops = 0; hops < 16; hops++) {
		if (next == NEXTHDR_HOP || next == NEXTHDR_ROUTING ||
		    next == NEXTHDR_DEST) {
			u8 *h;

			if (!have(skb, off, 2))
				goto truncated;
			h = skb->data + off;
			next = h[0];
			off += (h[1] + 1) * 8;
		} else if (next == NEXTHDR_AUTH) {
			u8 *h;

			if (!have(skb, off, 2))
				goto truncated;
			h = skb->data + off;
			next = h[0];
			off += (h[1] + 2) * 4;
		} else if (next == NEXTHDR_FRAGMENT) {
			struct frag_hdr *fh;

			if (!have(skb, off, sizeof(*fh)))
				goto truncated;
			fh = (struct frag_hdr *)(skb->data + off);
			next = fh->nexthdr;
			off += sizeof(*fh);
			if (fh->frag_off & htons(IP6_OFFSET)) {
				/* As userspace has it: no upper layer. */
				key->ip_proto = NEXTHDR_FRAGMENT;
				key->ip_frag = OVS_FRAG_TYPE_LATER;
				return;
			}
			if (fh->frag_off & htons(IP6_MF))
				key->ip_frag = OVS_FRAG_TYPE_FIRST;
		} else {
			break;
		}
	}
	key->ip_proto = next;
	skb_set_transport_header(skb, off);

	if (next == IPPROTO_ICMPV6) {
		struct icmp6hdr *ih;

		if (!have(skb, off, 4))
			return;
		ih = (struct icmp6hdr *)(skb->data + off);
		key->tp_src = htons(ih->icmp6_type);
		key->tp_dst = htons(ih->icmp6_code);
		if (!ih->icmp6_code &&
		    (ih->icmp6_type == NDISC_NEIGHBOUR_SOLICITATION ||
		     ih->icmp6_type == NDISC_NEIGHBOUR_ADVERTISEMENT))
			extract_nd(skb, off, end, key);
		return;
	}
	extract_l4(skb, off, key);
	return;

truncated:
	/* An extension header runs past the packet: no upper layer. */
	key->ip_proto = next;
}

static void extract_arp(struct sk_buff *skb, unsigned int off,
			struct ovsm_key *key)
{
	struct arphdr *ah;
	u8 *p;

	skb_set_network_header(skb, off);
	if (!have(skb, off, sizeof(*ah) + 2 * (ETH_ALEN + 4)))
		return;
	ah = (struct arphdr *)(skb->data + off);
	if (ah->ar_hrd != htons(ARPHRD_ETHER) || ah->ar_pro != htons(ETH_P_IP) ||
	    ah->ar_hln != ETH_ALEN || ah->ar_pln != 4)
		return;
	if (ntohs(ah->ar_op) > 0xff)
		return;
	p = (u8 *)(ah + 1);
	key->nw.arp.op = ah->ar_op;
	ether_addr_copy(key->nw.arp.sha, p);
	memcpy(&key->nw.arp.sip, p + ETH_ALEN, 4);
	ether_addr_copy(key->nw.arp.tha, p + ETH_ALEN + 4);
	memcpy(&key->nw.arp.tip, p + 2 * ETH_ALEN + 4, 4);
}

/* The ethertype at 'off' (after the MAC addresses and any tags), with
 * 802.3 frames mapped to ETH_P_802_2 and LLC/SNAP unwrapped. */
static __be16 extract_ethertype(struct sk_buff *skb, unsigned int *off)
{
	static const u8 snap[6] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };
	__be16 type;
	u8 *p;

	if (!have(skb, *off, 2))
		return htons(ETH_P_802_2);
	type = *(__be16 *)(skb->data + *off);
	*off += 2;
	if (ntohs(type) >= ETH_P_802_3_MIN)
		return type;
	if (!have(skb, *off, 8))
		return htons(ETH_P_802_2);
	p = skb->data + *off;
	if (memcmp(p, snap, sizeof(snap)))
		return htons(ETH_P_802_2);
	type = *(__be16 *)(p + 6);
	if (ntohs(type) < ETH_P_802_3_MIN)
		return htons(ETH_P_802_2);
	*off += 8;
	return type;
}

int ovsm_key_extract(struct sk_buff *skb, struct ovsm_key *key)
{
	unsigned int off;
	struct ethhdr *eth;
	int tags = 0;

	/* Clear the packet part; keep the metadata. */
	memset((u8 *)key + offsetof(struct ovsm_key, eth_type), 0,
	       offsetof(struct ovsm_key, tun) - offsetof(struct ovsm_key, eth_type));

	skb_reset_mac_header(skb);
	if (!have(skb, 0, ETH_HLEN))
		return -EINVAL;
	eth = eth_hdr(skb);
	ether_addr_copy(key->eth_src, eth->h_source);
	ether_addr_copy(key->eth_dst, eth->h_dest);
	off = 2 * ETH_ALEN;

	if (skb_vlan_tag_present(skb)) {
		key->vlan_tpid = skb->vlan_proto;
		key->vlan_tci = htons(skb_vlan_tag_get(skb) | OVSM_TCI_PRESENT);
		tags = 1;
	}
	/* Tags in the packet's bytes, up to two in all. */
	while (tags < 2 && have(skb, off, 2) &&
	       is_vlan_type(*(__be16 *)(skb->data + off))) {
		__be16 tpid, tci;

		if (!have(skb, off, VLAN_HLEN + 2))
			break;	/* truncated tag: the TPID becomes the type */
		tpid = *(__be16 *)(skb->data + off);
		tci = *(__be16 *)(skb->data + off + 2);
		if (tags == 0) {
			key->vlan_tpid = tpid;
			key->vlan_tci = tci | htons(OVSM_TCI_PRESENT);
		} else {
			key->cvlan_tpid = tpid;
			key->cvlan_tci = tci | htons(OVSM_TCI_PRESENT);
		}
		tags++;
		off += VLAN_HLEN;
	}

	key->eth_type = extract_ethertype(skb, &off);
	skb->mac_len = off;
	skb_set_network_header(skb, off);
	skb_set_transport_header(skb, off);

	if (key->eth_type == htons(ETH_P_IP))
		extract_ipv4(skb, off, key);
	else if (key->eth_type == htons(ETH_P_IPV6))
		extract_ipv6(skb, off, key);
	else if (key->eth_type == htons(ETH_P_ARP) ||
		 key->eth_type == htons(ETH_P_RARP))
		extract_arp(skb, off, key);
	return 0;
}
