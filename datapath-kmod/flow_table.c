// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: the flow table (see flow_table.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jhash.h>
#include <linux/percpu.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "flow_table.h"

/* What a packet lookup hands the hash table: a mask and the packet's key
 * already masked by it (only the mask's range is filled). */
struct masked_arg {
	const struct ovsm_mask *mask;
	const u64 *words;
};

static u32 hash_words(const u64 *w, const struct ovsm_range *r, u32 seed)
{
	return jhash2((const u32 *)(w + r->start), (r->end - r->start) * 2, seed);
}

static u32 arg_hash(const void *data, u32 len, u32 seed)
{
	const struct masked_arg *arg = data;

	return hash_words(arg->words, &arg->mask->range, seed);
}

static u32 flow_hash(const void *data, u32 len, u32 seed)
{
	const struct ovsm_flow *flow = data;

	return hash_words((const u64 *)&flow->key, &flow->mask->range, seed);
}

static int flow_cmp(struct rhashtable_compare_arg *cmp, const void *obj)
{
	const struct masked_arg *arg = cmp->key;
	const struct ovsm_flow *flow = obj;
	const struct ovsm_range *r = &arg->mask->range;
	const u64 *fk = (const u64 *)&flow->key;
	int i;

	if (flow->mask != arg->mask)
		return 1;
	for (i = r->start; i < r->end; i++)
		if (fk[i] != arg->words[i])
			return 1;
	return 0;
}

static const struct rhashtable_params flow_params = {
	.head_offset = offsetof(struct ovsm_flow, node),
	.hashfn = arg_hash,
	.obj_hashfn = flow_hash,
	.obj_cmpfn = flow_cmp,
	.automatic_shrinking = true,
};

static const struct rhashtable_params ufid_params = {
	.head_offset = offsetof(struct ovsm_flow, ufid_node),
	.key_offset = offsetof(struct ovsm_flow, ufid),
	.key_len = sizeof(struct ovsm_ufid),
	.automatic_shrinking = true,
};

int ovsm_table_init(struct ovsm_table *t)
{
	struct ovsm_mask_list *list;
	int err;

	memset(t, 0, sizeof(*t));
	list = kzalloc(sizeof(*list), GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ovsm_count(OVSM_K_MASK_LIST, 1);
	t->cache = alloc_percpu(struct ovsm_mask_cache);
	if (!t->cache) {
		err = -ENOMEM;
		goto free_list;
	}
	err = rhashtable_init(&t->flows, &flow_params);
	if (err)
		goto free_cache;
	err = rhashtable_init(&t->ufids, &ufid_params);
	if (err)
		goto free_flows;
	xa_init_flags(&t->ids, XA_FLAGS_ALLOC);
	RCU_INIT_POINTER(t->masks, list);
	return 0;

free_flows:
	rhashtable_destroy(&t->flows);
free_cache:
	free_percpu(t->cache);
free_list:
	ovsm_count(OVSM_K_MASK_LIST, -1);
	kfree(list);
	return err;
}

void ovsm_table_destroy(struct ovsm_table *t)
{
	struct ovsm_mask_list *list;
	struct ovsm_flow *flow;
	unsigned long id;

	/* Nobody looks any more: free the flows and masks directly. */
	xa_for_each(&t->ids, id, flow) {
		xa_erase(&t->ids, id);
		ovsm_flow_free(flow);
	}
	rhashtable_destroy(&t->flows);
	rhashtable_destroy(&t->ufids);
	xa_destroy(&t->ids);
	list = rcu_dereference_raw(t->masks);
	if (list) {
		unsigned int i;

		for (i = 0; i < list->n; i++) {
			ovsm_count(OVSM_K_MASK, -1);
			kfree(list->masks[i]);
		}
		ovsm_count(OVSM_K_MASK_LIST, -1);
		kfree(list);
	}
	free_percpu(t->cache);
}

static struct ovsm_flow *lookup_in_mask(struct ovsm_table *t,
					const struct ovsm_key *key,
					const struct ovsm_mask *mask)
{
	const u64 *k = (const u64 *)key, *m = (const u64 *)&mask->key;
	u64 words[OVSM_KEY_WORDS];
	struct masked_arg arg = { .mask = mask, .words = words };
	int i;

	for (i = mask->range.start; i < mask->range.end; i++)
		words[i] = k[i] & m[i];
	return rhashtable_lookup(&t->flows, &arg, flow_params);
}

struct ovsm_flow *ovsm_table_lookup(struct ovsm_table *t,
				    const struct ovsm_key *key,
				    struct sk_buff *skb,
				    u32 *n_mask_hit, bool *cache_hit)
{
	struct ovsm_mask_list *list = rcu_dereference(t->masks);
	struct ovsm_mask_cache_entry *entry = NULL;
	struct ovsm_mask_cache *cache;
	struct ovsm_flow *flow;
	unsigned int i, m, tried = OVSM_MASK_CACHE_SIZE;
	u32 hash = 0;

	*n_mask_hit = 0;
	*cache_hit = false;
	if (list->n <= 1) {
		if (!list->n)
			return NULL;
		(*n_mask_hit)++;
		return lookup_in_mask(t, key, list->masks[0]);
	}
	/* Without a packet (a flow install), no per-CPU state is touched. */
	cache = skb ? this_cpu_ptr(t->cache) : NULL;
	if (cache) {
		hash = skb_get_hash(skb);
		if (hash) {
			entry = &cache->entries[hash & (OVSM_MASK_CACHE_SIZE - 1)];
			if (entry->hash == hash && entry->mask_index < list->n) {
				tried = entry->mask_index;
				(*n_mask_hit)++;
				flow = lookup_in_mask(t, key, list->masks[tried]);
				if (flow) {
					*cache_hit = true;
					return flow;
				}
			}
		}
	}
	/* Start where this CPU's last walk ended.  Userspace does not install
	 * overlapping flows (and Linux's module reorders its masks by use
	 * too), so the order does not change which flow a packet finds. */
	m = cache && cache->last_index < list->n ? cache->last_index : 0;
	for (i = 0; i < list->n; i++, m = m + 1 < list->n ? m + 1 : 0) {
		if (m == tried)
			continue;
		(*n_mask_hit)++;
		flow = lookup_in_mask(t, key, list->masks[m]);
		if (flow) {
			if (entry) {
				entry->hash = hash;
				entry->mask_index = m;
			}
			if (cache)
				cache->last_index = m;
			return flow;
		}
	}
	return NULL;
}

static struct ovsm_mask_list *masks_locked(struct ovsm_table *t)
{
	/* Writers are serialised by the datapath mutex. */
	return rcu_dereference_protected(t->masks, 1);
}

unsigned int ovsm_table_n_masks(struct ovsm_table *t)
{
	struct ovsm_mask_list *list;
	unsigned int n;

	rcu_read_lock();
	list = rcu_dereference(t->masks);
	n = list->n;
	rcu_read_unlock();
	return n;
}

static struct ovsm_mask *find_mask(struct ovsm_table *t,
				   const struct ovsm_key *mask)
{
	struct ovsm_mask_list *list = masks_locked(t);
	unsigned int i;

	for (i = 0; i < list->n; i++)
		if (!memcmp(&list->masks[i]->key, mask, sizeof(*mask)))
			return list->masks[i];
	return NULL;
}

/* Publishes a copy of the mask list with 'add' appended or 'drop' removed. */
static int replace_masks(struct ovsm_table *t, struct ovsm_mask *add,
			 struct ovsm_mask *drop)
{
	struct ovsm_mask_list *old = masks_locked(t), *list;
	unsigned int i, n = 0;

	list = kmalloc(struct_size(list, masks, old->n + 1), GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	ovsm_count(OVSM_K_MASK_LIST, 1);
	for (i = 0; i < old->n; i++)
		if (old->masks[i] != drop)
			list->masks[n++] = old->masks[i];
	if (add)
		list->masks[n++] = add;
	list->n = n;
	rcu_assign_pointer(t->masks, list);
	ovsm_count(OVSM_K_MASK_LIST, -1);
	kfree_rcu(old, rcu);
	return 0;
}

static struct ovsm_mask *get_mask(struct ovsm_table *t,
				  const struct ovsm_key *key)
{
	struct ovsm_mask *mask = find_mask(t, key);
	int err;

	if (mask) {
		refcount_inc(&mask->ref);
		return mask;
	}
	mask = kzalloc(sizeof(*mask), GFP_KERNEL);
	if (!mask)
		return ERR_PTR(-ENOMEM);
	ovsm_count(OVSM_K_MASK, 1);
	refcount_set(&mask->ref, 1);
	mask->key = *key;
	ovsm_range_of(key, &mask->range);
	err = replace_masks(t, mask, NULL);
	if (err) {
		ovsm_count(OVSM_K_MASK, -1);
		kfree(mask);
		return ERR_PTR(err);
	}
	return mask;
}

static void put_mask(struct ovsm_table *t, struct ovsm_mask *mask)
{
	if (!refcount_dec_and_test(&mask->ref))
		return;
	if (replace_masks(t, NULL, mask)) {
		/* No memory for a smaller list: keep the mask in the list,
		 * matching nothing, until a later change succeeds. */
		refcount_set(&mask->ref, 1);
		return;
	}
	ovsm_count(OVSM_K_MASK, -1);
	kfree_rcu(mask, rcu);
}

struct ovsm_flow *ovsm_table_find_ufid(struct ovsm_table *t,
				       const struct ovsm_ufid *ufid)
{
	return rhashtable_lookup_fast(&t->ufids, ufid, ufid_params);
}

struct ovsm_flow *ovsm_table_find_exact(struct ovsm_table *t,
					const struct ovsm_key *key)
{
	struct ovsm_mask_list *list = masks_locked(t);
	struct ovsm_flow *flow;
	unsigned int i;

	/* Whatever its mask, the flow is the one whose key was this. */
	rcu_read_lock();
	for (i = 0; i < list->n; i++) {
		flow = lookup_in_mask(t, key, list->masks[i]);
		if (flow && !flow->ufid.len && flow->unmasked &&
		    !memcmp(flow->unmasked, key, sizeof(*key)))
			break;
		flow = NULL;
	}
	rcu_read_unlock();
	return flow;
}

int ovsm_table_insert(struct ovsm_table *t, struct ovsm_flow *flow,
		      const struct ovsm_key *mask)
{
	struct ovsm_mask *m;
	int err;

	m = get_mask(t, mask);
	if (IS_ERR(m))
		return PTR_ERR(m);
	flow->mask = m;
	err = xa_alloc_cyclic(&t->ids, &flow->id, flow, xa_limit_32b,
			      &t->next_id, GFP_KERNEL);
	if (err < 0)
		goto put;
	err = rhashtable_insert_fast(&t->flows, &flow->node, flow_params);
	if (err)
		goto erase;
	if (flow->ufid.len) {
		err = rhashtable_insert_fast(&t->ufids, &flow->ufid_node,
					     ufid_params);
		if (err)
			goto unhash;
	}
	t->count++;
	return 0;

unhash:
	rhashtable_remove_fast(&t->flows, &flow->node, flow_params);
erase:
	xa_erase(&t->ids, flow->id);
put:
	put_mask(t, m);
	flow->mask = NULL;
	return err;
}

void ovsm_table_remove(struct ovsm_table *t, struct ovsm_flow *flow)
{
	rhashtable_remove_fast(&t->flows, &flow->node, flow_params);
	if (flow->ufid.len)
		rhashtable_remove_fast(&t->ufids, &flow->ufid_node, ufid_params);
	xa_erase(&t->ids, flow->id);
	put_mask(t, flow->mask);
	t->count--;
}

void ovsm_table_flush(struct ovsm_table *t)
{
	struct ovsm_flow *flow;
	unsigned long id;

	xa_for_each(&t->ids, id, flow) {
		ovsm_table_remove(t, flow);
		ovsm_flow_free_rcu(flow);
	}
}

struct ovsm_flow *ovsm_table_next(struct ovsm_table *t, unsigned long *pos)
{
	return xa_find(&t->ids, pos, ULONG_MAX, XA_PRESENT);
}
