/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openvswitch_mod: the flow key, flows, and extracting a key from a packet.
 *
 * The key is a fixed, 8-byte aligned structure so that masked comparison and
 * hashing work on 64-bit words.  A mask is a key of the same layout whose set
 * bits say which key bits matter; a flow stores its key already masked.
 */
#ifndef OVSM_FLOW_H
#define OVSM_FLOW_H 1

#include <linux/types.h>
#include <linux/in6.h>
#include <linux/if_ether.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock.h>
#include <linux/rcupdate.h>

struct sk_buff;

/* Port numbers run from 0 (the local port) to OVSM_MAX_PORTS - 1. */
#define OVSM_MAX_PORTS		65535
/* in_port of a key that names no port. */
#define OVSM_NO_PORT		OVSM_MAX_PORTS

/* Our encoding of tunnel flags in the key. */
#define OVSM_TUN_F_KEY		0x0001
#define OVSM_TUN_F_DF		0x0002
#define OVSM_TUN_F_CSUM		0x0004
#define OVSM_TUN_F_OAM		0x0008

/* The CFI bit of a TCI: in keys it says "a tag is present". */
#define OVSM_TCI_PRESENT	0x1000

#define OVSM_MAX_UFID		16

struct ovsm_tun_key {
	__be64 id;
	__be32 src;
	__be32 dst;
	__be16 tp_src;
	__be16 tp_dst;
	u16 flags;		/* OVSM_TUN_F_* */
	u8 tos;
	u8 ttl;
};

struct ovsm_key {
	/* Metadata: not from the packet's bytes. */
	u32 recirc_id;
	u32 dp_hash;
	u32 in_port;
	u32 priority;
	u32 mark;

	/* Layer 2. */
	__be16 eth_type;	/* innermost; ETH_P_802_2 for 802.3 frames */
	u8 ip_proto;
	u8 ip_frag;		/* OVS_FRAG_TYPE_* */
	u8 eth_src[ETH_ALEN];
	u8 eth_dst[ETH_ALEN];
	__be16 vlan_tpid;	/* outer tag */
	__be16 vlan_tci;	/* OVSM_TCI_PRESENT set when there is a tag */
	__be16 cvlan_tpid;	/* inner tag */
	__be16 cvlan_tci;

	/* Layers 3 and 4. */
	u8 ip_tos;
	u8 ip_ttl;
	__be16 tcp_flags;
	__be16 tp_src;		/* ICMP: type */
	__be16 tp_dst;		/* ICMP: code */
	union {
		struct {
			__be32 src;
			__be32 dst;
		} ipv4;
		struct {
			__be32 sip;
			__be32 tip;
			u8 sha[ETH_ALEN];
			u8 tha[ETH_ALEN];
			__be16 op;
		} arp;
		struct {
			struct in6_addr src;
			struct in6_addr dst;
		} ipv6;
	} nw;
	__be32 ipv6_label;
	struct in6_addr nd_target;
	u8 nd_sll[ETH_ALEN];
	u8 nd_tll[ETH_ALEN];

	struct ovsm_tun_key tun;
} __aligned(8);

#define OVSM_KEY_WORDS (sizeof(struct ovsm_key) / sizeof(u64))

/* The words of a mask that have any bit set: [start, end) in u64 units. */
struct ovsm_range {
	u16 start;
	u16 end;
};

struct ovsm_mask {
	refcount_t ref;
	struct ovsm_range range;
	struct rcu_head rcu;
	struct ovsm_key key;
};

/* A validated action list, kept as the netlink attributes userspace sent. */
struct ovsm_acts {
	struct rcu_head rcu;
	u32 len;
	u8 data[];
};

struct ovsm_ufid {
	u32 len;
	u8 id[OVSM_MAX_UFID];
};

struct ovsm_flow_stats {
	spinlock_t lock;
	u64 packets;
	u64 bytes;
	unsigned long used;	/* jiffies; 0 = never */
	__be16 tcp_flags;
};

struct ovsm_flow {
	struct rhash_head node;		/* table by masked key */
	struct rhash_head ufid_node;	/* table by UFID */
	struct ovsm_mask *mask;
	struct ovsm_acts __rcu *acts;
	struct ovsm_key *unmasked;	/* identity of flows without a UFID */
	struct ovsm_ufid ufid;		/* len 0: none */
	u32 id;				/* position for dumps */
	struct ovsm_flow_stats stats;
	struct rcu_head rcu;
	struct ovsm_key key;		/* masked */
};

/* Live objects by kind, for leak checks (debugfs "objects"). */
enum ovsm_kind {
	OVSM_K_DP, OVSM_K_VPORT, OVSM_K_PIDS, OVSM_K_FLOW, OVSM_K_KEY,
	OVSM_K_ACTS, OVSM_K_MASK, OVSM_K_MASK_LIST, OVSM_K_MAX
};
extern atomic_t ovsm_live[OVSM_K_MAX];
extern const char *const ovsm_kind_names[OVSM_K_MAX];

static inline void ovsm_count(enum ovsm_kind kind, int delta)
{
	atomic_add(delta, &ovsm_live[kind]);
}

void ovsm_acts_free(struct ovsm_acts *acts);

int ovsm_flow_cache_init(void);
void ovsm_flow_cache_exit(void);

struct ovsm_flow *ovsm_flow_alloc(void);
void ovsm_flow_free(struct ovsm_flow *flow);		/* now */
void ovsm_flow_free_rcu(struct ovsm_flow *flow);	/* after readers */
void ovsm_acts_free_rcu(struct ovsm_acts *acts);

void ovsm_flow_stats_update(struct ovsm_flow *flow, const struct sk_buff *skb,
			    __be16 tcp_flags);
void ovsm_flow_stats_read(struct ovsm_flow *flow, u64 *packets, u64 *bytes,
			  unsigned long *used, __be16 *tcp_flags);
void ovsm_flow_stats_clear(struct ovsm_flow *flow);
u64 ovsm_used_msecs(unsigned long used);

/* Fills the packet part of 'key' (layers 2-4) from 'skb', whose data must
 * start at the Ethernet header; the metadata is left as the caller set it.
 * Sets the skb's mac, network and transport headers and mac_len. */
int ovsm_key_extract(struct sk_buff *skb, struct ovsm_key *key);

/* Key helpers. */
void ovsm_key_mask(struct ovsm_key *dst, const struct ovsm_key *src,
		   const struct ovsm_key *mask);
void ovsm_range_of(const struct ovsm_key *mask, struct ovsm_range *range);

#endif
