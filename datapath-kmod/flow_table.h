/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openvswitch_mod: a datapath's flow table.
 *
 * Flows live in three indexes: a hash table by (mask, masked key) that
 * packets are looked up in, once per mask in the mask list; a hash table by
 * UFID; and an id-ordered array that dumps walk and resume in.  Writers hold
 * the datapath mutex; packet lookups and dumps run under RCU.
 */
#ifndef OVSM_FLOW_TABLE_H
#define OVSM_FLOW_TABLE_H 1

#include <linux/rhashtable.h>
#include <linux/xarray.h>

#include "flow.h"

/* Immutable once published: replaced as a whole when a mask comes or goes. */
struct ovsm_mask_list {
	struct rcu_head rcu;
	unsigned int n;
	struct ovsm_mask *masks[];
};

/* A per-CPU memory of which mask a packet hash last matched with. */
#define OVSM_MASK_CACHE_SIZE	256

struct ovsm_mask_cache_entry {
	u32 hash;
	u32 mask_index;
};

/* When the entry for a packet's hash does not help (there are far more
 * flows than entries), the walk of the mask list starts with the mask the
 * CPU's previous walk ended on: traffic mostly hits a few masks, and this
 * tries the busiest first without reordering the shared list. */
struct ovsm_mask_cache {
	struct ovsm_mask_cache_entry entries[OVSM_MASK_CACHE_SIZE];
	u32 last_index;
};

struct ovsm_table {
	struct rhashtable flows;
	struct rhashtable ufids;
	struct xarray ids;
	u32 next_id;
	unsigned int count;
	struct ovsm_mask_list __rcu *masks;
	struct ovsm_mask_cache __percpu *cache;
};

int ovsm_table_init(struct ovsm_table *t);
/* Frees everything; no reader may still be using the table. */
void ovsm_table_destroy(struct ovsm_table *t);

/* Packet path (RCU, bottom halves off).  'skb' (may be NULL) gives the
 * hash for the mask cache, used once there is more than one mask.
 * *n_mask_hit counts the masks tried; *cache_hit says the cache found it. */
struct ovsm_flow *ovsm_table_lookup(struct ovsm_table *t,
				    const struct ovsm_key *key,
				    struct sk_buff *skb,
				    u32 *n_mask_hit, bool *cache_hit);

/* Writers (mutex held). */
struct ovsm_flow *ovsm_table_find_ufid(struct ovsm_table *t,
				       const struct ovsm_ufid *ufid);
/* The flow without UFID that was installed with the (unmasked) key 'key'. */
struct ovsm_flow *ovsm_table_find_exact(struct ovsm_table *t,
					const struct ovsm_key *key);
/* 'flow->key' must already be masked by 'mask'. */
int ovsm_table_insert(struct ovsm_table *t, struct ovsm_flow *flow,
		      const struct ovsm_key *mask);
/* Unlinks; the caller frees the flow after a grace period. */
void ovsm_table_remove(struct ovsm_table *t, struct ovsm_flow *flow);
void ovsm_table_flush(struct ovsm_table *t);

/* Dumps (RCU): the first flow whose id is >= *pos, which is updated. */
struct ovsm_flow *ovsm_table_next(struct ovsm_table *t, unsigned long *pos);

static inline unsigned int ovsm_table_count(const struct ovsm_table *t)
{
	return READ_ONCE(t->count);
}

unsigned int ovsm_table_n_masks(struct ovsm_table *t);

#endif
