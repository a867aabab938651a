// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: an Open vSwitch datapath speaking the generic-netlink ABI
 * of <linux/openvswitch.h> (families ovs_datapath, ovs_vport, ovs_flow and
 * ovs_packet), so that Open vSwitch's userspace can drive it.
 *
 * This file holds the datapaths themselves, the packet path's lookup and
 * upcalls, the four families' commands, and the module's setup.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/etherdevice.h>
#include <linux/genetlink.h>
#include <linux/if_vlan.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/openvswitch.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "datapath.h"
#include "flow_netlink.h"
#include "vport.h"

/* Upcall hash attribute: which kind of hash the low 32 bits are. */
#define OVSM_PACKET_HASH_SW	(1ULL << 32)
#define OVSM_PACKET_HASH_L4	(1ULL << 33)

/* At most this many per-CPU upcall pids. */
#define OVSM_MAX_CPU_PIDS	4096

DEFINE_MUTEX(ovsm_mutex);

bool ovsm_log_errors;
module_param_named(log_errors, ovsm_log_errors, bool, 0644);
MODULE_PARM_DESC(log_errors, "log why requests are refused (they always get the reason in the netlink extended ack)");
struct workqueue_struct *ovsm_wq;

static unsigned int ovsm_net_id __read_mostly;

struct ovsm_net {
	struct list_head dps;
};

static struct genl_family dp_family;
static struct genl_family vport_family;
static struct genl_family flow_family;
static struct genl_family packet_family;

/* ---- datapaths ---------------------------------------------------------- */

/* RCU or mutex. */
const char *ovsm_dp_name(struct ovsm_dp *dp)
{
	struct ovsm_vport *local = ovsm_dp_port(dp, OVSP_LOCAL);

	return local ? local->dev->name : "";
}

int ovsm_dp_ifindex(struct ovsm_dp *dp)
{
	struct ovsm_vport *local = ovsm_dp_port(dp, OVSP_LOCAL);

	return local ? local->dev->ifindex : 0;
}

static struct ovsm_dp *dp_of_dev(struct net_device *dev)
{
	struct ovsm_vport *vport = dev ? ovsm_internal_vport(dev) : NULL;

	if (!vport || vport->port_no != OVSP_LOCAL || vport->detached)
		return NULL;
	return vport->dp;
}

/* The datapath named by 'name' if given, else by the header's ifindex.
 * RCU or mutex (with RCU taken here for the device lookup). */
static struct ovsm_dp *find_dp(struct net *net, int ifindex,
			       const struct nlattr *name)
{
	struct ovsm_dp *dp;

	rcu_read_lock();
	if (name)
		dp = dp_of_dev(dev_get_by_name_rcu(net, nla_data(name)));
	else
		dp = dp_of_dev(dev_get_by_index_rcu(net, ifindex));
	rcu_read_unlock();
	return dp;
}

static bool valid_port_name(const struct nlattr *name)
{
	/* A '%' would be expanded by the device layer into another name. */
	return !strchr(nla_data(name), '%') && dev_valid_name(nla_data(name));
}

static void dp_get_stats(struct ovsm_dp *dp, struct ovs_dp_stats *st,
			 struct ovs_dp_megaflow_stats *mst)
{
	int cpu;

	memset(st, 0, sizeof(*st));
	memset(mst, 0, sizeof(*mst));
	for_each_possible_cpu(cpu) {
		const struct ovsm_dp_stats *pc = per_cpu_ptr(dp->stats, cpu);
		u64 hit, missed, lost, mask_hit, cache_hit;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&pc->syncp);
			hit = pc->n_hit;
			missed = pc->n_missed;
			lost = pc->n_lost;
			mask_hit = pc->n_mask_hit;
			cache_hit = pc->n_cache_hit;
		} while (u64_stats_fetch_retry(&pc->syncp, start));
		st->n_hit += hit;
		st->n_missed += missed;
		st->n_lost += lost;
		mst->n_mask_hit += mask_hit;
		mst->n_cache_hit += cache_hit;
	}
	st->n_flows = ovsm_table_count(&dp->table);
	mst->n_masks = ovsm_table_n_masks(&dp->table);
}

void ovsm_dp_count_lost(struct ovsm_dp *dp)
{
	struct ovsm_dp_stats *st = this_cpu_ptr(dp->stats);

	u64_stats_update_begin(&st->syncp);
	st->n_lost++;
	u64_stats_update_end(&st->syncp);
}

/* Detached vports (their device went away), removed by a work item that
 * can take the mutex. */
static LIST_HEAD(detach_list);
static DEFINE_SPINLOCK(detach_lock);
static void detach_work_fn(struct work_struct *work);
static DECLARE_WORK(detach_work, detach_work_fn);

void ovsm_dp_detach_later(struct ovsm_vport *vport)
{
	spin_lock(&detach_lock);
	if (list_empty(&vport->detach_node))
		list_add_tail(&vport->detach_node, &detach_list);
	spin_unlock(&detach_lock);
	queue_work(ovsm_wq, &detach_work);
}

/* Takes a vport out of its datapath and destroys it (mutex and RTNL). */
static void remove_vport(struct ovsm_vport *vport)
{
	xa_erase(&vport->dp->ports, vport->port_no);
	spin_lock(&detach_lock);
	list_del_init(&vport->detach_node);
	spin_unlock(&detach_lock);
	ovsm_vport_destroy(vport);
}

static void dp_free_work_fn(struct work_struct *work)
{
	struct ovsm_dp *dp = container_of(to_rcu_work(work), struct ovsm_dp,
					  free_work);

	ovsm_table_destroy(&dp->table);
	xa_destroy(&dp->ports);
	if (rcu_dereference_raw(dp->cpu_pids)) {
		ovsm_count(OVSM_K_PIDS, -1);
		kfree(rcu_dereference_raw(dp->cpu_pids));
	}
	free_percpu(dp->stats);
	ovsm_count(OVSM_K_DP, -1);
	kfree(dp);
}

/* Mutex held. */
static void destroy_dp(struct ovsm_dp *dp)
{
	struct ovsm_vport *vport, *local;
	unsigned long port;

	list_del_rcu(&dp->node);
	rtnl_lock();
	local = ovsm_dp_port(dp, OVSP_LOCAL);
	xa_for_each(&dp->ports, port, vport)
		if (vport != local)
			remove_vport(vport);
	if (local)
		remove_vport(local);
	rtnl_unlock();
	/* Packets in flight may still look at the table: free it later. */
	INIT_RCU_WORK(&dp->free_work, dp_free_work_fn);
	queue_rcu_work(ovsm_wq, &dp->free_work);
}

static void notify_vport_gone(struct ovsm_vport *vport);

static void detach_work_fn(struct work_struct *work)
{
	struct ovsm_vport *vport;

	ovsm_lock();
	for (;;) {
		spin_lock(&detach_lock);
		vport = list_first_entry_or_null(&detach_list, struct ovsm_vport,
						 detach_node);
		if (vport)
			list_del_init(&vport->detach_node);
		spin_unlock(&detach_lock);
		if (!vport)
			break;
		if (vport->port_no == OVSP_LOCAL) {
			destroy_dp(vport->dp);
		} else {
			notify_vport_gone(vport);
			rtnl_lock();
			remove_vport(vport);
			rtnl_unlock();
		}
	}
	ovsm_unlock();
}

/* ---- the packet path ----------------------------------------------------- */

static u32 miss_portid(struct ovsm_dp *dp, const struct ovsm_key *key,
		       struct sk_buff *skb)
{
	struct ovsm_vport *vport;

	if (READ_ONCE(dp->user_features) & OVS_DP_F_DISPATCH_UPCALL_PER_CPU) {
		const struct ovsm_pids *pids = rcu_dereference(dp->cpu_pids);

		return pids ? pids->ids[smp_processor_id() % pids->n] : 0;
	}
	vport = ovsm_dp_port(dp, key->in_port);
	return vport ? ovsm_vport_pick_pid(vport, skb) : 0;
}

void ovsm_dp_process(struct ovsm_dp *dp, struct sk_buff *skb,
		     struct ovsm_key *key)
{
	struct ovsm_dp_stats *st = this_cpu_ptr(dp->stats);
	struct ovsm_flow *flow;
	u32 n_mask_hit;
	bool cache_hit;
	u64 *counter;

	flow = ovsm_table_lookup(&dp->table, key, skb, &n_mask_hit, &cache_hit);
	if (likely(flow)) {
		struct ovsm_acts *acts = rcu_dereference(flow->acts);

		ovsm_flow_stats_update(flow, skb, key->tcp_flags);
		ovsm_execute_actions(dp, skb, key, acts->data, acts->len);
		counter = &st->n_hit;
	} else {
		struct ovsm_upcall up = {
			.cmd = OVS_PACKET_CMD_MISS,
			.portid = miss_portid(dp, key, skb),
		};

		if (ovsm_dp_upcall(dp, skb, key, &up))
			kfree_skb(skb);
		else
			consume_skb(skb);
		counter = &st->n_missed;
	}
	u64_stats_update_begin(&st->syncp);
	(*counter)++;
	st->n_mask_hit += n_mask_hit;
	if (cache_hit)
		st->n_cache_hit++;
	u64_stats_update_end(&st->syncp);
}

static size_t upcall_size(const struct ovsm_upcall *up, unsigned int plen)
{
	size_t size = NLMSG_ALIGN(sizeof(struct ovs_header)) +
		nla_total_size(plen) +
		nla_total_size(OVSM_KEY_NLA_MAX) +
		nla_total_size(sizeof(u32)) +	/* LEN */
		nla_total_size(sizeof(u64)) +	/* HASH */
		nla_total_size(sizeof(u16));	/* MRU */

	if (up->userdata)
		size += NLA_ALIGN(up->userdata->nla_len);
	if (up->actions)
		size += nla_total_size(up->actions_len);
	return size;
}

/* Copies 'len' bytes of the frame, with a tag held outside the bytes put
 * back after the MAC addresses. */
static int copy_frame(const struct sk_buff *skb, u8 *to, unsigned int len)
{
	unsigned int head = 2 * ETH_ALEN;
	struct vlan_hdr tag;

	if (!skb_vlan_tag_present(skb))
		return skb_copy_bits(skb, 0, to, len);
	if (len < head + VLAN_HLEN)
		return -EINVAL;
	if (skb_copy_bits(skb, 0, to, head))
		return -EFAULT;
	tag.h_vlan_TCI = htons(skb_vlan_tag_get(skb));
	tag.h_vlan_encapsulated_proto = skb->vlan_proto;
	/* TPID first, then TCI, as on the wire. */
	memcpy(to + head, &tag.h_vlan_encapsulated_proto, 2);
	memcpy(to + head + 2, &tag.h_vlan_TCI, 2);
	return skb_copy_bits(skb, head, to + head + VLAN_HLEN,
			     len - head - VLAN_HLEN);
}

static int queue_upcall(struct ovsm_dp *dp, struct sk_buff *skb,
			const struct ovsm_key *key, const struct ovsm_upcall *up)
{
	unsigned int tag = skb_vlan_tag_present(skb) ? VLAN_HLEN : 0;
	unsigned int full = skb->len + tag, plen;
	struct ovs_header *hdr;
	struct sk_buff *msg;
	struct nlattr *nla;
	int ifindex, err;
	u64 hash;

	ifindex = ovsm_dp_ifindex(dp);
	if (!ifindex)
		return -ENODEV;
	if (skb->ip_summed == CHECKSUM_PARTIAL) {
		err = skb_checksum_help(skb);
		if (err)
			return err;
	}
	plen = up->cutlen < full ? full - up->cutlen : full;
	if (nla_attr_size(plen) > USHRT_MAX)
		return -EFBIG;

	msg = genlmsg_new(upcall_size(up, plen), GFP_ATOMIC);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &packet_family, 0, up->cmd);
	if (!hdr)
		goto too_big;
	hdr->dp_ifindex = ifindex;
	if (ovsm_nla_put_key(msg, OVS_PACKET_ATTR_KEY, key, key, false))
		goto too_big;
	if (up->userdata &&
	    nla_put(msg, OVS_PACKET_ATTR_USERDATA, nla_len(up->userdata),
		    nla_data(up->userdata)))
		goto too_big;
	if (up->actions &&
	    nla_put(msg, OVS_PACKET_ATTR_ACTIONS, up->actions_len, up->actions))
		goto too_big;
	if (up->mru && nla_put_u16(msg, OVS_PACKET_ATTR_MRU, up->mru))
		goto too_big;
	if (plen < full && nla_put_u32(msg, OVS_PACKET_ATTR_LEN, full))
		goto too_big;
	hash = skb_get_hash_raw(skb);
	if (skb->sw_hash)
		hash |= OVSM_PACKET_HASH_SW;
	if (skb->l4_hash)
		hash |= OVSM_PACKET_HASH_L4;
	if (nla_put(msg, OVS_PACKET_ATTR_HASH, sizeof(hash), &hash))
		goto too_big;
	nla = nla_reserve(msg, OVS_PACKET_ATTR_PACKET, plen);
	if (!nla)
		goto too_big;
	err = copy_frame(skb, nla_data(nla), plen);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_unicast(dp->net, msg, up->portid);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int ovsm_dp_upcall(struct ovsm_dp *dp, struct sk_buff *skb,
		   const struct ovsm_key *key, const struct ovsm_upcall *up)
{
	int err;

	if (!up->portid) {
		err = -ENOTCONN;
	} else if (!skb_is_gso(skb)) {
		err = queue_upcall(dp, skb, key, up);
	} else {
		struct sk_buff *segs, *seg, *next;

		segs = __skb_gso_segment(skb, NETIF_F_SG, false);
		if (IS_ERR_OR_NULL(segs)) {
			err = segs ? PTR_ERR(segs) : -EINVAL;
		} else {
			err = 0;
			skb_list_walk_safe(segs, seg, next) {
				if (!err)
					err = queue_upcall(dp, seg, key, up);
				kfree_skb(seg);
			}
		}
	}
	if (err)
		ovsm_dp_count_lost(dp);
	return err;
}

/* ---- ovs_datapath -------------------------------------------------------- */

static const struct nla_policy dp_policy[OVS_DP_ATTR_MAX + 1] = {
	[OVS_DP_ATTR_NAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[OVS_DP_ATTR_UPCALL_PID] = { .type = NLA_U32 },
	[OVS_DP_ATTR_USER_FEATURES] = { .type = NLA_U32 },
	[OVS_DP_ATTR_MASKS_CACHE_SIZE] = { .type = NLA_U32 },
	[OVS_DP_ATTR_PER_CPU_PIDS] = { .type = NLA_BINARY },
	[OVS_DP_ATTR_IFINDEX] = { .type = NLA_U32 },
};

static size_t dp_msg_size(void)
{
	return NLMSG_ALIGN(sizeof(struct ovs_header)) +
		nla_total_size(IFNAMSIZ) +
		nla_total_size_64bit(sizeof(struct ovs_dp_stats)) +
		nla_total_size_64bit(sizeof(struct ovs_dp_megaflow_stats)) +
		nla_total_size(sizeof(u32));
}

static int dp_fill(struct ovsm_dp *dp, struct sk_buff *skb, u32 portid,
		   u32 seq, u32 flags, u8 cmd)
{
	struct ovs_dp_megaflow_stats mst;
	struct ovs_dp_stats st;
	struct ovs_header *hdr;

	hdr = genlmsg_put(skb, portid, seq, &dp_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	hdr->dp_ifindex = ovsm_dp_ifindex(dp);
	dp_get_stats(dp, &st, &mst);
	if (nla_put_string(skb, OVS_DP_ATTR_NAME, ovsm_dp_name(dp)) ||
	    nla_put_64bit(skb, OVS_DP_ATTR_STATS, sizeof(st), &st, OVS_DP_ATTR_PAD) ||
	    nla_put_64bit(skb, OVS_DP_ATTR_MEGAFLOW_STATS, sizeof(mst), &mst,
			  OVS_DP_ATTR_PAD) ||
	    nla_put_u32(skb, OVS_DP_ATTR_USER_FEATURES, READ_ONCE(dp->user_features))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static struct sk_buff *dp_reply(struct ovsm_dp *dp, struct genl_info *info, u8 cmd)
{
	struct sk_buff *skb = genlmsg_new(dp_msg_size(), GFP_KERNEL);

	if (!skb)
		return ERR_PTR(-ENOMEM);
	if (WARN_ON_ONCE(dp_fill(dp, skb, info->snd_portid, info->snd_seq, 0, cmd))) {
		kfree_skb(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	return skb;
}

static struct ovsm_pids *pids_from(const struct nlattr *a, unsigned int max)
{
	int len = nla_len(a);
	struct ovsm_pids *pids;

	if (len < sizeof(u32) || len % sizeof(u32) || len / sizeof(u32) > max)
		return ERR_PTR(-EINVAL);
	pids = kmalloc(sizeof(*pids) + len, GFP_KERNEL);
	if (!pids)
		return ERR_PTR(-ENOMEM);
	ovsm_count(OVSM_K_PIDS, 1);
	pids->n = len / sizeof(u32);
	memcpy(pids->ids, nla_data(a), len);
	return pids;
}

/* Checks the settable attributes of NEW and SET; *pids gets new per-CPU
 * pids if given. */
static int dp_check_settings(struct nlattr **a, struct ovsm_pids **pids,
			     struct netlink_ext_ack *extack)
{
	*pids = NULL;
	if (a[OVS_DP_ATTR_USER_FEATURES] &&
	    nla_get_u32(a[OVS_DP_ATTR_USER_FEATURES]) & ~OVSM_DP_FEATURES) {
		OVSM_ERR(extack, "user feature not supported by this datapath");
		return -EOPNOTSUPP;
	}
	if (a[OVS_DP_ATTR_MASKS_CACHE_SIZE]) {
		OVSM_ERR(extack, "the mask cache size is fixed in this datapath");
		return -EOPNOTSUPP;
	}
	if (a[OVS_DP_ATTR_PER_CPU_PIDS]) {
		*pids = pids_from(a[OVS_DP_ATTR_PER_CPU_PIDS], OVSM_MAX_CPU_PIDS);
		if (IS_ERR(*pids)) {
			int err = PTR_ERR(*pids);

			*pids = NULL;
			OVSM_ERR(extack, "bad per-CPU upcall pids");
			return err;
		}
	}
	return 0;
}

static void dp_apply_settings(struct ovsm_dp *dp, struct nlattr **a,
			      struct ovsm_pids *pids)
{
	if (pids) {
		struct ovsm_pids *old = rcu_dereference_protected(dp->cpu_pids,
					lockdep_is_held(&ovsm_mutex));

		rcu_assign_pointer(dp->cpu_pids, pids);
		if (old) {
			ovsm_count(OVSM_K_PIDS, -1);
			kfree_rcu(old, rcu);
		}
	}
	if (a[OVS_DP_ATTR_USER_FEATURES])
		WRITE_ONCE(dp->user_features,
			   nla_get_u32(a[OVS_DP_ATTR_USER_FEATURES]));
}

static int dp_cmd_new(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct ovsm_net *on = net_generic(net, ovsm_net_id);
	struct nlattr **a = info->attrs;
	struct ovsm_vport_parms parms;
	struct ovsm_vport *vport;
	struct ovsm_pids *pids;
	struct sk_buff *reply;
	struct ovsm_dp *dp;
	int err;

	if (!a[OVS_DP_ATTR_NAME] || !a[OVS_DP_ATTR_UPCALL_PID]) {
		OVSM_ERR(info->extack, "a new datapath needs a name and an upcall pid");
		return -EINVAL;
	}
	if (!valid_port_name(a[OVS_DP_ATTR_NAME])) {
		OVSM_ERR(info->extack, "not a valid device name");
		return -EINVAL;
	}
	err = dp_check_settings(a, &pids, info->extack);
	if (err)
		return err;

	err = -ENOMEM;
	dp = kzalloc(sizeof(*dp), GFP_KERNEL);
	if (!dp)
		goto free_pids;
	ovsm_count(OVSM_K_DP, 1);
	dp->net = net;
	xa_init_flags(&dp->ports, XA_FLAGS_ALLOC);
	dp->stats = netdev_alloc_pcpu_stats(struct ovsm_dp_stats);
	if (!dp->stats)
		goto free_dp;
	err = ovsm_table_init(&dp->table);
	if (err)
		goto free_stats;
	if (a[OVS_DP_ATTR_USER_FEATURES])
		dp->user_features = nla_get_u32(a[OVS_DP_ATTR_USER_FEATURES]);
	RCU_INIT_POINTER(dp->cpu_pids, pids);
	pids = NULL;

	ovsm_lock();
	rtnl_lock();
	parms = (struct ovsm_vport_parms) {
		.name = nla_data(a[OVS_DP_ATTR_NAME]),
		.type = OVS_VPORT_TYPE_INTERNAL,
		.dp = dp,
		.port_no = OVSP_LOCAL,
		.ifindex = a[OVS_DP_ATTR_IFINDEX] ?
			   nla_get_u32(a[OVS_DP_ATTR_IFINDEX]) : 0,
		.net = net,
	};
	vport = ovsm_vport_create(&parms);
	if (IS_ERR(vport)) {
		err = PTR_ERR(vport);
		if (err == -EBUSY)
			err = -EEXIST;
		goto unlock;
	}
	err = ovsm_vport_set_pids(vport, a[OVS_DP_ATTR_UPCALL_PID]);
	if (!err)
		err = xa_insert(&dp->ports, OVSP_LOCAL, vport, GFP_KERNEL);
	if (err) {
		ovsm_vport_destroy(vport);
		goto unlock;
	}
	list_add_tail_rcu(&dp->node, &on->dps);
	rtnl_unlock();

	reply = dp_reply(dp, info, OVS_DP_CMD_NEW);
	ovsm_unlock();
	if (!IS_ERR(reply))
		genl_notify(&dp_family, reply, info, 0, GFP_KERNEL);
	return 0;

unlock:
	rtnl_unlock();
	ovsm_unlock();
	ovsm_table_destroy(&dp->table);
free_stats:
	free_percpu(dp->stats);
free_dp:
	if (rcu_dereference_raw(dp->cpu_pids)) {
		ovsm_count(OVSM_K_PIDS, -1);
		kfree(rcu_dereference_raw(dp->cpu_pids));
	}
	ovsm_count(OVSM_K_DP, -1);
	kfree(dp);
free_pids:
	if (pids) {
		ovsm_count(OVSM_K_PIDS, -1);
		kfree(pids);
	}
	return err;
}

static int dp_cmd_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct sk_buff *reply;
	struct ovsm_dp *dp;

	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex,
		     info->attrs[OVS_DP_ATTR_NAME]);
	if (!dp) {
		ovsm_unlock();
		return -ENODEV;
	}
	reply = dp_reply(dp, info, OVS_DP_CMD_DEL);
	destroy_dp(dp);
	ovsm_unlock();
	if (!IS_ERR(reply))
		genl_notify(&dp_family, reply, info, 0, GFP_KERNEL);
	return 0;
}

static int dp_cmd_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct ovsm_pids *pids;
	struct sk_buff *reply;
	struct ovsm_dp *dp;
	int err;

	err = dp_check_settings(info->attrs, &pids, info->extack);
	if (err)
		return err;
	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex,
		     info->attrs[OVS_DP_ATTR_NAME]);
	if (!dp) {
		ovsm_unlock();
		if (pids) {
			ovsm_count(OVSM_K_PIDS, -1);
			kfree(pids);
		}
		return -ENODEV;
	}
	dp_apply_settings(dp, info->attrs, pids);
	reply = dp_reply(dp, info, OVS_DP_CMD_SET);
	ovsm_unlock();
	if (IS_ERR(reply))
		return PTR_ERR(reply);
	genl_notify(&dp_family, reply, info, 0, GFP_KERNEL);
	return 0;
}

static int dp_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct sk_buff *reply;
	struct ovsm_dp *dp;

	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex,
		     info->attrs[OVS_DP_ATTR_NAME]);
	if (!dp) {
		ovsm_unlock();
		return -ENODEV;
	}
	reply = dp_reply(dp, info, OVS_DP_CMD_GET);
	ovsm_unlock();
	if (IS_ERR(reply))
		return PTR_ERR(reply);
	return genlmsg_reply(reply, info);
}

static int dp_cmd_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovsm_net *on = net_generic(sock_net(skb->sk), ovsm_net_id);
	long skip = cb->args[0], i = 0;
	struct ovsm_dp *dp;

	ovsm_lock();
	list_for_each_entry(dp, &on->dps, node) {
		if (i >= skip &&
		    dp_fill(dp, skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			    NLM_F_MULTI, OVS_DP_CMD_GET) < 0)
			break;
		i++;
	}
	ovsm_unlock();
	cb->args[0] = i;
	return skb->len;
}

/* ---- ovs_vport ----------------------------------------------------------- */

static const struct nla_policy vport_policy[OVS_VPORT_ATTR_MAX + 1] = {
	[OVS_VPORT_ATTR_NAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[OVS_VPORT_ATTR_PORT_NO] = { .type = NLA_U32 },
	[OVS_VPORT_ATTR_TYPE] = { .type = NLA_U32 },
	[OVS_VPORT_ATTR_OPTIONS] = { .type = NLA_NESTED },
	[OVS_VPORT_ATTR_UPCALL_PID] = { .type = NLA_BINARY },
	[OVS_VPORT_ATTR_STATS] = { .len = sizeof(struct ovs_vport_stats) },
	[OVS_VPORT_ATTR_IFINDEX] = { .type = NLA_U32 },
	[OVS_VPORT_ATTR_NETNSID] = { .type = NLA_S32 },
};

static size_t vport_msg_size(struct ovsm_vport *vport)
{
	const struct ovsm_pids *pids = rcu_dereference_protected(vport->pids, 1);

	return NLMSG_ALIGN(sizeof(struct ovs_header)) +
		nla_total_size(sizeof(u32)) +	/* PORT_NO */
		nla_total_size(sizeof(u32)) +	/* TYPE */
		nla_total_size(IFNAMSIZ) +
		nla_total_size(sizeof(u32)) +	/* IFINDEX */
		nla_total_size_64bit(sizeof(struct ovs_vport_stats)) +
		nla_total_size((pids ? pids->n : 1) * sizeof(u32));
}

static int vport_fill(struct ovsm_vport *vport, struct sk_buff *skb, u32 portid,
		      u32 seq, u32 flags, u8 cmd)
{
	struct ovs_vport_stats stats;
	const struct ovsm_pids *pids;
	struct ovs_header *hdr;
	int err = -EMSGSIZE;

	hdr = genlmsg_put(skb, portid, seq, &vport_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	hdr->dp_ifindex = ovsm_dp_ifindex(vport->dp);
	if (nla_put_u32(skb, OVS_VPORT_ATTR_PORT_NO, vport->port_no) ||
	    nla_put_u32(skb, OVS_VPORT_ATTR_TYPE, vport->type) ||
	    nla_put_string(skb, OVS_VPORT_ATTR_NAME, vport->dev->name) ||
	    nla_put_u32(skb, OVS_VPORT_ATTR_IFINDEX, vport->dev->ifindex))
		goto cancel;
	if (vport->detached)
		memset(&stats, 0, sizeof(stats));	/* the device is going */
	else
		ovsm_vport_stats(vport, &stats);
	if (nla_put_64bit(skb, OVS_VPORT_ATTR_STATS, sizeof(stats), &stats,
			  OVS_VPORT_ATTR_PAD))
		goto cancel;
	rcu_read_lock();
	pids = rcu_dereference(vport->pids);
	if (pids) {
		u32 n = READ_ONCE(vport->dp->user_features) & OVS_DP_F_VPORT_PIDS ?
			pids->n : 1;

		err = nla_put(skb, OVS_VPORT_ATTR_UPCALL_PID, n * sizeof(u32), pids->ids);
	} else {
		err = nla_put_u32(skb, OVS_VPORT_ATTR_UPCALL_PID, 0);
	}
	rcu_read_unlock();
	if (err)
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static struct sk_buff *vport_reply(struct ovsm_vport *vport,
				   struct genl_info *info, u8 cmd)
{
	struct sk_buff *skb = genlmsg_new(vport_msg_size(vport), GFP_KERNEL);

	if (!skb)
		return ERR_PTR(-ENOMEM);
	if (WARN_ON_ONCE(vport_fill(vport, skb, info->snd_portid, info->snd_seq,
				    0, cmd))) {
		kfree_skb(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	return skb;
}

/* Mutex held. */
static struct ovsm_vport *find_vport(struct net *net, const struct ovs_header *hdr,
				     struct nlattr **a)
{
	struct ovsm_vport *vport;
	struct ovsm_dp *dp;

	if (a[OVS_VPORT_ATTR_NAME]) {
		rcu_read_lock();
		vport = NULL;
		{
			struct net_device *dev =
				dev_get_by_name_rcu(net, nla_data(a[OVS_VPORT_ATTR_NAME]));

			if (dev)
				vport = ovsm_vport_of_dev(dev);
		}
		rcu_read_unlock();
		if (!vport || vport->detached)
			return ERR_PTR(-ENODEV);
		if (hdr->dp_ifindex && hdr->dp_ifindex != ovsm_dp_ifindex(vport->dp))
			return ERR_PTR(-ENODEV);
		return vport;
	}
	if (a[OVS_VPORT_ATTR_PORT_NO]) {
		u32 port_no = nla_get_u32(a[OVS_VPORT_ATTR_PORT_NO]);

		if (port_no >= OVSM_MAX_PORTS)
			return ERR_PTR(-EFBIG);
		dp = find_dp(net, hdr->dp_ifindex, NULL);
		if (!dp)
			return ERR_PTR(-ENODEV);
		vport = ovsm_dp_port(dp, port_no);
		return vport && !vport->detached ? vport : ERR_PTR(-ENODEV);
	}
	return ERR_PTR(-EINVAL);
}

static void notify_vport_gone(struct ovsm_vport *vport)
{
	struct sk_buff *skb = genlmsg_new(vport_msg_size(vport), GFP_KERNEL);
	struct net *net = vport->dp->net;

	if (!skb)
		return;
	if (vport_fill(vport, skb, 0, 0, 0, OVS_VPORT_CMD_DEL)) {
		kfree_skb(skb);
		return;
	}
	genlmsg_multicast_netns(&vport_family, net, skb, 0, 0, GFP_KERNEL);
}

static int vport_cmd_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct net *net = genl_info_net(info);
	struct nlattr **a = info->attrs;
	struct ovsm_vport_parms parms;
	struct ovsm_vport *vport;
	struct sk_buff *reply;
	struct ovsm_dp *dp;
	u32 port_no;
	int err;

	if (!a[OVS_VPORT_ATTR_NAME] || !a[OVS_VPORT_ATTR_TYPE] ||
	    !a[OVS_VPORT_ATTR_UPCALL_PID]) {
		OVSM_ERR(info->extack, "a new vport needs a name, a type and upcall pids");
		return -EINVAL;
	}
	if (!valid_port_name(a[OVS_VPORT_ATTR_NAME])) {
		OVSM_ERR(info->extack, "not a valid device name");
		return -EINVAL;
	}
	if (nla_len(a[OVS_VPORT_ATTR_UPCALL_PID]) < sizeof(u32) ||
	    nla_len(a[OVS_VPORT_ATTR_UPCALL_PID]) % sizeof(u32)) {
		OVSM_ERR(info->extack, "upcall pids must be an array of 32-bit ids");
		return -EINVAL;
	}

	ovsm_lock();
	dp = find_dp(net, hdr->dp_ifindex, NULL);
	err = -ENODEV;
	if (!dp)
		goto unlock;
	if (a[OVS_VPORT_ATTR_PORT_NO]) {
		port_no = nla_get_u32(a[OVS_VPORT_ATTR_PORT_NO]);
		err = -EFBIG;
		if (port_no >= OVSM_MAX_PORTS)
			goto unlock;
		/* Reserves the number (a NULL entry); -EBUSY if taken. */
		err = xa_insert(&dp->ports, port_no, NULL, GFP_KERNEL);
	} else {
		err = xa_alloc(&dp->ports, &port_no, NULL,
			       XA_LIMIT(1, OVSM_MAX_PORTS - 1), GFP_KERNEL);
		if (err == -EBUSY)
			err = -EFBIG;	/* every number is taken */
	}
	if (err)
		goto unlock;

	parms = (struct ovsm_vport_parms) {
		.name = nla_data(a[OVS_VPORT_ATTR_NAME]),
		.type = nla_get_u32(a[OVS_VPORT_ATTR_TYPE]),
		.dp = dp,
		.port_no = port_no,
		.ifindex = a[OVS_VPORT_ATTR_IFINDEX] ?
			   nla_get_u32(a[OVS_VPORT_ATTR_IFINDEX]) : 0,
		.net = net,
	};
	rtnl_lock();
	vport = ovsm_vport_create(&parms);
	if (IS_ERR(vport)) {
		rtnl_unlock();
		xa_erase(&dp->ports, port_no);
		err = PTR_ERR(vport);
		goto unlock;
	}
	err = ovsm_vport_set_pids(vport, a[OVS_VPORT_ATTR_UPCALL_PID]);
	if (err) {
		ovsm_vport_destroy(vport);
		rtnl_unlock();
		xa_erase(&dp->ports, port_no);
		goto unlock;
	}
	xa_store(&dp->ports, port_no, vport, GFP_KERNEL);
	rtnl_unlock();

	reply = vport_reply(vport, info, OVS_VPORT_CMD_NEW);
	ovsm_unlock();
	if (!IS_ERR(reply))
		genl_notify(&vport_family, reply, info, 0, GFP_KERNEL);
	return 0;

unlock:
	ovsm_unlock();
	return err;
}

static int vport_cmd_del(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *reply;
	struct ovsm_vport *vport;

	ovsm_lock();
	vport = find_vport(genl_info_net(info), info->userhdr, info->attrs);
	if (IS_ERR(vport)) {
		ovsm_unlock();
		return PTR_ERR(vport);
	}
	if (vport->port_no == OVSP_LOCAL) {
		ovsm_unlock();
		OVSM_ERR(info->extack, "the local port goes only with its datapath");
		return -EINVAL;
	}
	reply = vport_reply(vport, info, OVS_VPORT_CMD_DEL);
	rtnl_lock();
	remove_vport(vport);
	rtnl_unlock();
	ovsm_unlock();
	if (!IS_ERR(reply))
		genl_notify(&vport_family, reply, info, 0, GFP_KERNEL);
	return 0;
}

static int vport_cmd_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct ovsm_vport *vport;
	struct sk_buff *reply;
	int err;

	ovsm_lock();
	vport = find_vport(genl_info_net(info), info->userhdr, a);
	err = PTR_ERR_OR_ZERO(vport);
	if (err)
		goto unlock;
	err = -EINVAL;
	if (a[OVS_VPORT_ATTR_TYPE] && nla_get_u32(a[OVS_VPORT_ATTR_TYPE]) != vport->type) {
		OVSM_ERR(info->extack, "a vport's type cannot change");
		goto unlock;
	}
	if (a[OVS_VPORT_ATTR_OPTIONS]) {
		OVSM_ERR(info->extack, "this kind of vport has no options");
		err = -EOPNOTSUPP;
		goto unlock;
	}
	if (a[OVS_VPORT_ATTR_UPCALL_PID]) {
		err = ovsm_vport_set_pids(vport, a[OVS_VPORT_ATTR_UPCALL_PID]);
		if (err)
			goto unlock;
	}
	reply = vport_reply(vport, info, OVS_VPORT_CMD_SET);
	ovsm_unlock();
	if (IS_ERR(reply))
		return PTR_ERR(reply);
	genl_notify(&vport_family, reply, info, 0, GFP_KERNEL);
	return 0;
unlock:
	ovsm_unlock();
	return err;
}

static int vport_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovsm_vport *vport;
	struct sk_buff *reply;

	ovsm_lock();
	vport = find_vport(genl_info_net(info), info->userhdr, info->attrs);
	if (IS_ERR(vport)) {
		ovsm_unlock();
		return PTR_ERR(vport);
	}
	reply = vport_reply(vport, info, OVS_VPORT_CMD_GET);
	ovsm_unlock();
	if (IS_ERR(reply))
		return PTR_ERR(reply);
	return genlmsg_reply(reply, info);
}

static int vport_cmd_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovs_header *hdr = genlmsg_data(nlmsg_data(cb->nlh));
	struct ovsm_vport *vport;
	unsigned long port;
	struct ovsm_dp *dp;

	ovsm_lock();
	dp = find_dp(sock_net(skb->sk), hdr->dp_ifindex, NULL);
	if (!dp) {
		ovsm_unlock();
		return -ENODEV;
	}
	xa_for_each_start(&dp->ports, port, vport, cb->args[0]) {
		if (vport->detached)
			continue;
		if (vport_fill(vport, skb, NETLINK_CB(cb->skb).portid,
			       cb->nlh->nlmsg_seq, NLM_F_MULTI, OVS_VPORT_CMD_GET))
			break;
		cb->args[0] = port + 1;
	}
	ovsm_unlock();
	return skb->len;
}

/* ---- ovs_flow ------------------------------------------------------------ */

static const struct nla_policy flow_policy[OVS_FLOW_ATTR_MAX + 1] = {
	[OVS_FLOW_ATTR_KEY] = { .type = NLA_NESTED },
	[OVS_FLOW_ATTR_MASK] = { .type = NLA_NESTED },
	[OVS_FLOW_ATTR_ACTIONS] = { .type = NLA_NESTED },
	[OVS_FLOW_ATTR_CLEAR] = { .type = NLA_FLAG },
	[OVS_FLOW_ATTR_PROBE] = { .type = NLA_FLAG },
	[OVS_FLOW_ATTR_UFID] = { .type = NLA_BINARY, .len = OVSM_MAX_UFID },
	[OVS_FLOW_ATTR_UFID_FLAGS] = { .type = NLA_U32 },
};

/* A parsed key and mask, kept off the stack. */
struct match {
	struct ovsm_key key;
	struct ovsm_key mask;
};

static bool must_notify(struct genl_family *family, struct genl_info *info)
{
	return (info->nlhdr->nlmsg_flags & NLM_F_ECHO) ||
	       genl_has_listeners(family, genl_info_net(info), 0);
}

static int get_ufid(const struct nlattr *a, struct ovsm_ufid *ufid,
		    struct netlink_ext_ack *extack)
{
	memset(ufid, 0, sizeof(*ufid));
	if (!a)
		return 0;
	if (nla_len(a) < 1 || nla_len(a) > OVSM_MAX_UFID) {
		OVSM_ERR(extack, "a UFID is 1 to 16 bytes");
		return -EINVAL;
	}
	ufid->len = nla_len(a);
	memcpy(ufid->id, nla_data(a), ufid->len);
	return 0;
}

static size_t flow_msg_size(const struct ovsm_acts *acts, u32 ufid_flags)
{
	return NLMSG_ALIGN(sizeof(struct ovs_header)) +
		nla_total_size(OVSM_MAX_UFID) +
		2 * nla_total_size(OVSM_KEY_NLA_MAX) +	/* key (twice: id) */
		nla_total_size(OVSM_KEY_NLA_MAX) +	/* mask */
		(ufid_flags & OVS_UFID_F_OMIT_ACTIONS ? 0 : nla_total_size(acts->len)) +
		nla_total_size_64bit(sizeof(struct ovs_flow_stats)) +
		nla_total_size(1) +
		nla_total_size_64bit(sizeof(u64));
}

/* Mutex or RCU. */
static int flow_fill(struct ovsm_flow *flow, int dp_ifindex, struct sk_buff *skb,
		     u32 portid, u32 seq, u32 flags, u8 cmd, u32 ufid_flags)
{
	int orig_len = skb->len;
	struct ovs_header *hdr;
	unsigned long used;
	__be16 tcp_flags;
	u64 packets, bytes;

	hdr = genlmsg_put(skb, portid, seq, &flow_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	hdr->dp_ifindex = dp_ifindex;

	if (flow->ufid.len) {
		if (nla_put(skb, OVS_FLOW_ATTR_UFID, flow->ufid.len, flow->ufid.id))
			goto cancel;
		if (!(ufid_flags & OVS_UFID_F_OMIT_KEY) &&
		    ovsm_nla_put_key(skb, OVS_FLOW_ATTR_KEY, &flow->key, &flow->key, false))
			goto cancel;
	} else if (ovsm_nla_put_key(skb, OVS_FLOW_ATTR_KEY, flow->unmasked,
				    flow->unmasked, false)) {
		goto cancel;
	}
	if (!(ufid_flags & OVS_UFID_F_OMIT_MASK) &&
	    ovsm_nla_put_key(skb, OVS_FLOW_ATTR_MASK, &flow->key, &flow->mask->key, true))
		goto cancel;

	ovsm_flow_stats_read(flow, &packets, &bytes, &used, &tcp_flags);
	if (used && nla_put_u64_64bit(skb, OVS_FLOW_ATTR_USED, ovsm_used_msecs(used),
				      OVS_FLOW_ATTR_PAD))
		goto cancel;
	if (packets) {
		struct ovs_flow_stats st = { .n_packets = packets, .n_bytes = bytes };

		if (nla_put_64bit(skb, OVS_FLOW_ATTR_STATS, sizeof(st), &st,
				  OVS_FLOW_ATTR_PAD))
			goto cancel;
	}
	if ((u8)ntohs(tcp_flags) &&
	    nla_put_u8(skb, OVS_FLOW_ATTR_TCP_FLAGS, (u8)ntohs(tcp_flags)))
		goto cancel;

	if (!(ufid_flags & OVS_UFID_F_OMIT_ACTIONS)) {
		const struct ovsm_acts *acts =
			rcu_dereference_check(flow->acts, lockdep_is_held(&ovsm_mutex));

		/* An action list too long for a dump message of its own is
		 * left out; userspace can get the flow alone. */
		if (nla_put(skb, OVS_FLOW_ATTR_ACTIONS, acts->len, acts->data) &&
		    (orig_len || flags != NLM_F_MULTI))
			goto cancel;
	}
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

/* Mutex held. */
static struct sk_buff *flow_reply(struct ovsm_flow *flow, int dp_ifindex,
				  struct genl_info *info, u8 cmd, u32 ufid_flags)
{
	const struct ovsm_acts *acts = rcu_dereference_protected(flow->acts,
					lockdep_is_held(&ovsm_mutex));
	struct sk_buff *skb = genlmsg_new(flow_msg_size(acts, ufid_flags), GFP_KERNEL);

	if (!skb)
		return ERR_PTR(-ENOMEM);
	if (WARN_ON_ONCE(flow_fill(flow, dp_ifindex, skb, info->snd_portid,
				   info->snd_seq, 0, cmd, ufid_flags))) {
		kfree_skb(skb);
		return ERR_PTR(-EMSGSIZE);
	}
	return skb;
}

/* Whether an existing flow found for a new one is the same flow. */
static bool same_flow(const struct ovsm_flow *old, const struct ovsm_flow *new,
		      const struct match *m)
{
	if (old->ufid.len)
		return !memcmp(&old->key, &new->key, sizeof(new->key));
	return old->unmasked && !memcmp(old->unmasked, &m->key, sizeof(m->key));
}

static int flow_cmd_new(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct nlattr **a = info->attrs;
	u32 ufid_flags = a[OVS_FLOW_ATTR_UFID_FLAGS] ?
			 nla_get_u32(a[OVS_FLOW_ATTR_UFID_FLAGS]) : 0;
	struct ovsm_flow *new, *old = NULL;
	struct sk_buff *reply = NULL;
	struct ovsm_acts *acts;
	struct match *m;
	struct ovsm_dp *dp;
	int err;

	if (!a[OVS_FLOW_ATTR_KEY] || !a[OVS_FLOW_ATTR_ACTIONS]) {
		OVSM_ERR(info->extack, "a new flow needs a key and actions");
		return -EINVAL;
	}
	new = ovsm_flow_alloc();
	m = kmalloc(sizeof(*m), GFP_KERNEL);
	err = -ENOMEM;
	if (!new || !m)
		goto free;
	err = ovsm_nla_parse_match(a[OVS_FLOW_ATTR_KEY], a[OVS_FLOW_ATTR_MASK],
				   &m->key, &m->mask, info->extack);
	if (err)
		goto free;
	err = get_ufid(a[OVS_FLOW_ATTR_UFID], &new->ufid, info->extack);
	if (err)
		goto free;
	ovsm_key_mask(&new->key, &m->key, &m->mask);
	if (!new->ufid.len) {
		err = -ENOMEM;
		new->unmasked = kmemdup(&m->key, sizeof(m->key), GFP_KERNEL);
		if (!new->unmasked)
			goto free;
		ovsm_count(OVSM_K_KEY, 1);
	}
	acts = ovsm_acts_from_nla(a[OVS_FLOW_ATTR_ACTIONS], &new->key, info->extack);
	if (IS_ERR(acts)) {
		err = PTR_ERR(acts);
		goto free;
	}
	RCU_INIT_POINTER(new->acts, acts);

	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex, NULL);
	err = -ENODEV;
	if (!dp)
		goto unlock;
	if (new->ufid.len)
		old = ovsm_table_find_ufid(&dp->table, &new->ufid);
	if (!old) {
		u32 n_mask_hit;
		bool cache_hit;

		/* Any flow that a packet with this key would match. */
		rcu_read_lock();
		old = ovsm_table_lookup(&dp->table, &new->key, NULL, &n_mask_hit,
					&cache_hit);
		rcu_read_unlock();
	}
	if (!old) {
		err = ovsm_table_insert(&dp->table, new, &m->mask);
		if (err)
			goto unlock;
		if (must_notify(&flow_family, info))
			reply = flow_reply(new, hdr->dp_ifindex, info,
					   OVS_FLOW_CMD_NEW, ufid_flags);
		new = NULL;
	} else {
		struct ovsm_acts *old_acts;

		/* NLM_F_CREATE stands in for NLM_F_EXCL, which generic
		 * netlink takes for a dump flag. */
		err = -EEXIST;
		if (info->nlhdr->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL))
			goto unlock;
		if (!same_flow(old, new, m)) {
			old = old->ufid.len ? NULL :
			      ovsm_table_find_exact(&dp->table, &m->key);
			err = -ENOENT;
			if (!old)
				goto unlock;
		}
		old_acts = rcu_dereference_protected(old->acts,
						     lockdep_is_held(&ovsm_mutex));
		rcu_assign_pointer(old->acts, acts);
		RCU_INIT_POINTER(new->acts, NULL);
		ovsm_acts_free_rcu(old_acts);
		if (must_notify(&flow_family, info))
			reply = flow_reply(old, hdr->dp_ifindex, info,
					   OVS_FLOW_CMD_NEW, ufid_flags);
	}
	err = 0;
unlock:
	ovsm_unlock();
	if (!IS_ERR_OR_NULL(reply))
		genl_notify(&flow_family, reply, info, 0, GFP_KERNEL);
free:
	ovsm_flow_free(new);
	kfree(m);
	return err;
}

/* Parses the identity of an existing flow (UFID, or key and mask). */
static int flow_identity(struct nlattr **a, struct ovsm_ufid *ufid,
			 struct match **mp, struct netlink_ext_ack *extack)
{
	int err = get_ufid(a[OVS_FLOW_ATTR_UFID], ufid, extack);

	*mp = NULL;
	if (err)
		return err;
	if (!a[OVS_FLOW_ATTR_KEY]) {
		if (ufid->len)
			return 0;
		OVSM_ERR(extack, "a flow is named by its UFID or its key");
		return -EINVAL;
	}
	*mp = kmalloc(sizeof(**mp), GFP_KERNEL);
	if (!*mp)
		return -ENOMEM;
	err = ovsm_nla_parse_match(a[OVS_FLOW_ATTR_KEY], a[OVS_FLOW_ATTR_MASK],
				   &(*mp)->key, &(*mp)->mask, extack);
	if (err) {
		kfree(*mp);
		*mp = NULL;
	}
	return err;
}

static struct ovsm_flow *find_flow(struct ovsm_dp *dp, const struct ovsm_ufid *ufid,
				   const struct match *m)
{
	if (ufid->len)
		return ovsm_table_find_ufid(&dp->table, ufid);
	return ovsm_table_find_exact(&dp->table, &m->key);
}

static int flow_cmd_set(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct nlattr **a = info->attrs;
	u32 ufid_flags = a[OVS_FLOW_ATTR_UFID_FLAGS] ?
			 nla_get_u32(a[OVS_FLOW_ATTR_UFID_FLAGS]) : 0;
	struct ovsm_acts *acts = NULL, *old_acts = NULL;
	struct sk_buff *reply = NULL;
	struct ovsm_flow *flow;
	struct ovsm_ufid ufid;
	struct match *m;
	struct ovsm_dp *dp;
	int err;

	err = flow_identity(a, &ufid, &m, info->extack);
	if (err)
		return err;
	if (a[OVS_FLOW_ATTR_ACTIONS]) {
		struct ovsm_key masked;

		err = -EINVAL;
		if (!m) {
			OVSM_ERR(info->extack, "new actions need the flow's key to be checked against");
			goto free;
		}
		ovsm_key_mask(&masked, &m->key, &m->mask);
		acts = ovsm_acts_from_nla(a[OVS_FLOW_ATTR_ACTIONS], &masked, info->extack);
		if (IS_ERR(acts)) {
			err = PTR_ERR(acts);
			acts = NULL;
			goto free;
		}
	}

	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex, NULL);
	err = -ENODEV;
	if (!dp)
		goto unlock;
	flow = find_flow(dp, &ufid, m);
	err = -ENOENT;
	if (!flow)
		goto unlock;
	if (acts) {
		old_acts = rcu_dereference_protected(flow->acts,
						     lockdep_is_held(&ovsm_mutex));
		rcu_assign_pointer(flow->acts, acts);
		acts = NULL;
	}
	if (must_notify(&flow_family, info))
		reply = flow_reply(flow, hdr->dp_ifindex, info, OVS_FLOW_CMD_SET,
				   ufid_flags);
	if (a[OVS_FLOW_ATTR_CLEAR])
		ovsm_flow_stats_clear(flow);
	err = 0;
unlock:
	ovsm_unlock();
	if (!IS_ERR_OR_NULL(reply))
		genl_notify(&flow_family, reply, info, 0, GFP_KERNEL);
	ovsm_acts_free_rcu(old_acts);
free:
	ovsm_acts_free(acts);
	kfree(m);
	return err;
}

static int flow_cmd_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct nlattr **a = info->attrs;
	u32 ufid_flags = a[OVS_FLOW_ATTR_UFID_FLAGS] ?
			 nla_get_u32(a[OVS_FLOW_ATTR_UFID_FLAGS]) : 0;
	struct sk_buff *reply;
	struct ovsm_flow *flow;
	struct ovsm_ufid ufid;
	struct match *m;
	struct ovsm_dp *dp;
	int err;

	err = flow_identity(a, &ufid, &m, info->extack);
	if (err)
		return err;
	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex, NULL);
	err = -ENODEV;
	if (!dp)
		goto unlock;
	flow = find_flow(dp, &ufid, m);
	err = -ENOENT;
	if (!flow)
		goto unlock;
	reply = flow_reply(flow, hdr->dp_ifindex, info, OVS_FLOW_CMD_GET, ufid_flags);
	ovsm_unlock();
	kfree(m);
	if (IS_ERR(reply))
		return PTR_ERR(reply);
	return genlmsg_reply(reply, info);
unlock:
	ovsm_unlock();
	kfree(m);
	return err;
}

static int flow_cmd_del(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct nlattr **a = info->attrs;
	u32 ufid_flags = a[OVS_FLOW_ATTR_UFID_FLAGS] ?
			 nla_get_u32(a[OVS_FLOW_ATTR_UFID_FLAGS]) : 0;
	struct sk_buff *reply = NULL;
	struct ovsm_flow *flow;
	struct ovsm_ufid ufid;
	struct match *m = NULL;
	struct ovsm_dp *dp;
	int err;

	if (a[OVS_FLOW_ATTR_KEY] || a[OVS_FLOW_ATTR_UFID]) {
		err = flow_identity(a, &ufid, &m, info->extack);
		if (err)
			return err;
	}
	ovsm_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex, NULL);
	err = -ENODEV;
	if (!dp)
		goto unlock;
	if (!a[OVS_FLOW_ATTR_KEY] && !a[OVS_FLOW_ATTR_UFID]) {
		ovsm_table_flush(&dp->table);
		err = 0;
		goto unlock;
	}
	flow = find_flow(dp, &ufid, m);
	err = -ENOENT;
	if (!flow)
		goto unlock;
	ovsm_table_remove(&dp->table, flow);
	if (must_notify(&flow_family, info))
		reply = flow_reply(flow, hdr->dp_ifindex, info, OVS_FLOW_CMD_DEL,
				   ufid_flags);
	ovsm_flow_free_rcu(flow);
	err = 0;
unlock:
	ovsm_unlock();
	if (!IS_ERR_OR_NULL(reply))
		genl_notify(&flow_family, reply, info, 0, GFP_KERNEL);
	kfree(m);
	return err;
}

static int flow_cmd_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ovs_header *hdr = genlmsg_data(nlmsg_data(cb->nlh));
	struct nlattr *a[OVS_FLOW_ATTR_MAX + 1];
	unsigned long pos = cb->args[0];
	struct ovsm_flow *flow;
	struct ovsm_dp *dp;
	u32 ufid_flags;
	int err, ifindex;

	err = genlmsg_parse_deprecated(cb->nlh, &flow_family, a, OVS_FLOW_ATTR_MAX,
				       flow_policy, NULL);
	if (err)
		return err;
	ufid_flags = a[OVS_FLOW_ATTR_UFID_FLAGS] ?
		     nla_get_u32(a[OVS_FLOW_ATTR_UFID_FLAGS]) : 0;

	rcu_read_lock();
	dp = find_dp(sock_net(skb->sk), hdr->dp_ifindex, NULL);
	if (!dp) {
		rcu_read_unlock();
		return -ENODEV;
	}
	ifindex = ovsm_dp_ifindex(dp);
	while ((flow = ovsm_table_next(&dp->table, &pos))) {
		if (flow_fill(flow, ifindex, skb, NETLINK_CB(cb->skb).portid,
			      cb->nlh->nlmsg_seq, NLM_F_MULTI, OVS_FLOW_CMD_GET,
			      ufid_flags))
			break;
		pos++;
	}
	rcu_read_unlock();
	cb->args[0] = pos;
	return skb->len;
}

/* ---- ovs_packet ---------------------------------------------------------- */

static const struct nla_policy packet_policy[OVS_PACKET_ATTR_MAX + 1] = {
	[OVS_PACKET_ATTR_PACKET] = { .type = NLA_BINARY },
	[OVS_PACKET_ATTR_KEY] = { .type = NLA_NESTED },
	[OVS_PACKET_ATTR_ACTIONS] = { .type = NLA_NESTED },
	[OVS_PACKET_ATTR_PROBE] = { .type = NLA_FLAG },
	[OVS_PACKET_ATTR_MRU] = { .type = NLA_U16 },
	[OVS_PACKET_ATTR_HASH] = { .type = NLA_U64 },
};

static int packet_cmd_execute(struct sk_buff *skb, struct genl_info *info)
{
	struct ovs_header *hdr = info->userhdr;
	struct nlattr **a = info->attrs;
	struct ovsm_vport *vport;
	struct sk_buff *packet;
	struct ovsm_key *key;
	struct ovsm_dp *dp;
	int len, err;

	if (!a[OVS_PACKET_ATTR_PACKET] || !a[OVS_PACKET_ATTR_KEY] ||
	    !a[OVS_PACKET_ATTR_ACTIONS]) {
		OVSM_ERR(info->extack, "execute needs a packet, a key and actions");
		return -EINVAL;
	}
	len = nla_len(a[OVS_PACKET_ATTR_PACKET]);
	if (len < ETH_HLEN) {
		OVSM_ERR(info->extack, "packet shorter than an Ethernet header");
		return -EINVAL;
	}
	key = kmalloc(sizeof(*key), GFP_KERNEL);
	packet = __dev_alloc_skb(NET_IP_ALIGN + len, GFP_KERNEL);
	err = -ENOMEM;
	if (!key || !packet)
		goto free;
	skb_reserve(packet, NET_IP_ALIGN);
	skb_put_data(packet, nla_data(a[OVS_PACKET_ATTR_PACKET]), len);

	err = ovsm_nla_parse_metadata(a[OVS_PACKET_ATTR_KEY], key, info->extack);
	if (err)
		goto free;
	err = ovsm_key_extract(packet, key);
	if (err)
		goto free;
	/* As eth_type_trans() would have it: the type after the addresses. */
	packet->protocol = key->vlan_tci ? key->vlan_tpid : key->eth_type;
	err = ovsm_validate_actions(a[OVS_PACKET_ATTR_ACTIONS], key, info->extack);
	if (err)
		goto free;
	if (a[OVS_PACKET_ATTR_HASH]) {
		u64 hash = nla_get_u64(a[OVS_PACKET_ATTR_HASH]);

		__skb_set_hash(packet, (u32)hash, !!(hash & OVSM_PACKET_HASH_SW),
			       !!(hash & OVSM_PACKET_HASH_L4));
	}
	packet->priority = key->priority;
	packet->mark = key->mark;

	rcu_read_lock();
	dp = find_dp(genl_info_net(info), hdr->dp_ifindex, NULL);
	err = -ENODEV;
	if (!dp)
		goto unlock;
	vport = ovsm_dp_port(dp, key->in_port);
	if (!vport)
		vport = ovsm_dp_port(dp, OVSP_LOCAL);
	if (!vport)
		goto unlock;
	packet->dev = vport->dev;
	local_bh_disable();
	err = ovsm_execute_actions(dp, packet, key, nla_data(a[OVS_PACKET_ATTR_ACTIONS]),
				   nla_len(a[OVS_PACKET_ATTR_ACTIONS]));
	local_bh_enable();
	rcu_read_unlock();
	kfree(key);
	return err;

unlock:
	rcu_read_unlock();
free:
	kfree_skb(packet);
	kfree(key);
	return err;
}

/* ---- families ------------------------------------------------------------ */

#define OLD_STYLE (GENL_DONT_VALIDATE_STRICT | GENL_DONT_VALIDATE_DUMP)

static const struct genl_small_ops dp_ops[] = {
	{ .cmd = OVS_DP_CMD_NEW, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = dp_cmd_new },
	{ .cmd = OVS_DP_CMD_DEL, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = dp_cmd_del },
	{ .cmd = OVS_DP_CMD_GET, .validate = OLD_STYLE,
	  .doit = dp_cmd_get, .dumpit = dp_cmd_dump },
	{ .cmd = OVS_DP_CMD_SET, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = dp_cmd_set },
};

static const struct genl_small_ops vport_ops[] = {
	{ .cmd = OVS_VPORT_CMD_NEW, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = vport_cmd_new },
	{ .cmd = OVS_VPORT_CMD_DEL, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = vport_cmd_del },
	{ .cmd = OVS_VPORT_CMD_GET, .validate = OLD_STYLE,
	  .doit = vport_cmd_get, .dumpit = vport_cmd_dump },
	{ .cmd = OVS_VPORT_CMD_SET, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = vport_cmd_set },
};

static const struct genl_small_ops flow_ops[] = {
	{ .cmd = OVS_FLOW_CMD_NEW, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = flow_cmd_new },
	{ .cmd = OVS_FLOW_CMD_DEL, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = flow_cmd_del },
	{ .cmd = OVS_FLOW_CMD_GET, .validate = OLD_STYLE,
	  .doit = flow_cmd_get, .dumpit = flow_cmd_dump },
	{ .cmd = OVS_FLOW_CMD_SET, .validate = OLD_STYLE, .flags = GENL_UNS_ADMIN_PERM,
	  .doit = flow_cmd_set },
};

static const struct genl_small_ops packet_ops[] = {
	{ .cmd = OVS_PACKET_CMD_EXECUTE, .validate = OLD_STYLE,
	  .flags = GENL_UNS_ADMIN_PERM, .doit = packet_cmd_execute },
};

static const struct genl_multicast_group dp_groups[] = {
	{ .name = OVS_DATAPATH_MCGROUP },
};
static const struct genl_multicast_group vport_groups[] = {
	{ .name = OVS_VPORT_MCGROUP },
};
static const struct genl_multicast_group flow_groups[] = {
	{ .name = OVS_FLOW_MCGROUP },
};

static struct genl_family dp_family __ro_after_init = {
	.hdrsize = sizeof(struct ovs_header),
	.name = OVS_DATAPATH_FAMILY,
	.version = OVS_DATAPATH_VERSION,
	.maxattr = OVS_DP_ATTR_MAX,
	.policy = dp_policy,
	.netnsok = true,
	.parallel_ops = true,
	.small_ops = dp_ops,
	.n_small_ops = ARRAY_SIZE(dp_ops),
	.resv_start_op = OVS_DP_CMD_SET + 1,
	.mcgrps = dp_groups,
	.n_mcgrps = ARRAY_SIZE(dp_groups),
	.module = THIS_MODULE,
};

static struct genl_family vport_family __ro_after_init = {
	.hdrsize = sizeof(struct ovs_header),
	.name = OVS_VPORT_FAMILY,
	.version = OVS_VPORT_VERSION,
	.maxattr = OVS_VPORT_ATTR_MAX,
	.policy = vport_policy,
	.netnsok = true,
	.parallel_ops = true,
	.small_ops = vport_ops,
	.n_small_ops = ARRAY_SIZE(vport_ops),
	.resv_start_op = OVS_VPORT_CMD_SET + 1,
	.mcgrps = vport_groups,
	.n_mcgrps = ARRAY_SIZE(vport_groups),
	.module = THIS_MODULE,
};

static struct genl_family flow_family __ro_after_init = {
	.hdrsize = sizeof(struct ovs_header),
	.name = OVS_FLOW_FAMILY,
	.version = OVS_FLOW_VERSION,
	.maxattr = OVS_FLOW_ATTR_MAX,
	.policy = flow_policy,
	.netnsok = true,
	.parallel_ops = true,
	.small_ops = flow_ops,
	.n_small_ops = ARRAY_SIZE(flow_ops),
	.resv_start_op = OVS_FLOW_CMD_SET + 1,
	.mcgrps = flow_groups,
	.n_mcgrps = ARRAY_SIZE(flow_groups),
	.module = THIS_MODULE,
};

static struct genl_family packet_family __ro_after_init = {
	.hdrsize = sizeof(struct ovs_header),
	.name = OVS_PACKET_FAMILY,
	.version = OVS_PACKET_VERSION,
	.maxattr = OVS_PACKET_ATTR_MAX,
	.policy = packet_policy,
	.netnsok = true,
	.parallel_ops = true,
	.small_ops = packet_ops,
	.n_small_ops = ARRAY_SIZE(packet_ops),
	.resv_start_op = OVS_PACKET_CMD_EXECUTE + 1,
	.module = THIS_MODULE,
};

static struct genl_family *const families[] = {
	&dp_family, &vport_family, &flow_family, &packet_family,
};

/* ---- namespaces and the module ------------------------------------------- */

static int __net_init ovsm_net_init(struct net *net)
{
	struct ovsm_net *on = net_generic(net, ovsm_net_id);

	INIT_LIST_HEAD(&on->dps);
	return 0;
}

static void __net_exit ovsm_net_exit(struct net *net)
{
	struct ovsm_net *on = net_generic(net, ovsm_net_id);
	struct ovsm_dp *dp, *next;

	ovsm_lock();
	list_for_each_entry_safe(dp, next, &on->dps, node)
		destroy_dp(dp);
	ovsm_unlock();
}

static struct pernet_operations ovsm_net_ops = {
	.init = ovsm_net_init,
	.exit = ovsm_net_exit,
	.id = &ovsm_net_id,
	.size = sizeof(struct ovsm_net),
};

/* /sys/kernel/debug/openvswitch_mod/objects: live objects by kind, so that
 * tests can tell that everything freed comes back to zero. */
static struct dentry *debug_dir;

static int objects_show(struct seq_file *m, void *v)
{
	int i;

	for (i = 0; i < OVSM_K_MAX; i++)
		seq_printf(m, "%s %d\n", ovsm_kind_names[i], atomic_read(&ovsm_live[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static void unregister_families(int n)
{
	while (n-- > 0)
		genl_unregister_family(families[n]);
}

static int __init ovsm_init(void)
{
	int err, i;

	err = ovsm_flow_cache_init();
	if (err)
		return err;
	err = -ENOMEM;
	ovsm_wq = alloc_workqueue("ovsm", 0, 0);
	if (!ovsm_wq)
		goto cache;
	err = register_pernet_device(&ovsm_net_ops);
	if (err)
		goto wq;
	err = ovsm_netdev_init();
	if (err)
		goto pernet;
	for (i = 0; i < ARRAY_SIZE(families); i++) {
		err = genl_register_family(families[i]);
		if (err) {
			pr_err("cannot register generic netlink family %s (%d); is openvswitch loaded?\n",
			       families[i]->name, err);
			unregister_families(i);
			goto netdev;
		}
	}
	debug_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("objects", 0444, debug_dir, NULL, &objects_fops);
	pr_info("Open vSwitch compatible datapath loaded\n");
	return 0;

netdev:
	ovsm_netdev_exit();
pernet:
	unregister_pernet_device(&ovsm_net_ops);
wq:
	destroy_workqueue(ovsm_wq);
cache:
	ovsm_flow_cache_exit();
	return err;
}

static void __exit ovsm_exit(void)
{
	debugfs_remove_recursive(debug_dir);
	unregister_families(ARRAY_SIZE(families));
	/* Every namespace's datapaths go, with their vports and flows. */
	unregister_pernet_device(&ovsm_net_ops);
	ovsm_netdev_exit();
	flush_work(&detach_work);
	rcu_barrier();			/* queued RCU works reach the queue */
	destroy_workqueue(ovsm_wq);
	rcu_barrier();			/* frees they deferred */
	ovsm_flow_cache_exit();
}

module_init(ovsm_init);
module_exit(ovsm_exit);

MODULE_DESCRIPTION("Open vSwitch compatible datapath");
MODULE_LICENSE("GPL");
