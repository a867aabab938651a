/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openvswitch_mod: datapaths, the packet path through them, and upcalls.
 *
 * Locking: every change (datapaths, vports, flows, features) is made under
 * ovsm_mutex, with RTNL nested inside it where devices are touched.  The
 * packet path and dumps only read, under RCU; objects are freed after a
 * grace period.
 */
#ifndef OVSM_DATAPATH_H
#define OVSM_DATAPATH_H 1

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/genetlink.h>

#include "flow.h"
#include "flow_table.h"

struct ovsm_vport;

/* The features this datapath implements (OVS_DP_F_*); others are refused. */
#define OVSM_DP_FEATURES (OVS_DP_F_UNALIGNED | OVS_DP_F_VPORT_PIDS | \
			  OVS_DP_F_DISPATCH_UPCALL_PER_CPU)

struct ovsm_dp_stats {
	u64 n_hit;
	u64 n_missed;
	u64 n_lost;
	u64 n_mask_hit;
	u64 n_cache_hit;
	struct u64_stats_sync syncp;
};

/* A set of netlink port ids that upcalls go to. */
struct ovsm_pids {
	struct rcu_head rcu;
	u32 n;
	u32 ids[];
};

struct ovsm_dp {
	struct list_head node;		/* in the namespace's list */
	struct net *net;
	struct ovsm_table table;
	struct xarray ports;		/* port number -> vport */
	struct ovsm_dp_stats __percpu *stats;
	u32 user_features;
	struct ovsm_pids __rcu *cpu_pids;	/* per-CPU dispatch */
	struct rcu_work free_work;
};

/* Where an upcall goes and what it carries besides packet and key. */
struct ovsm_upcall {
	u8 cmd;				/* OVS_PACKET_CMD_MISS or _ACTION */
	u32 portid;
	const struct nlattr *userdata;
	const void *actions;		/* the flow's actions, when asked for */
	u32 actions_len;
	u32 cutlen;			/* bytes to leave off the end */
	u16 mru;
};

extern struct mutex ovsm_mutex;
extern struct workqueue_struct *ovsm_wq;

static inline void ovsm_lock(void)
{
	mutex_lock(&ovsm_mutex);
}

static inline void ovsm_unlock(void)
{
	mutex_unlock(&ovsm_mutex);
}

/* RCU, or ovsm_mutex. */
static inline struct ovsm_vport *ovsm_dp_port(struct ovsm_dp *dp, u32 port_no)
{
	return xa_load(&dp->ports, port_no);
}

const char *ovsm_dp_name(struct ovsm_dp *dp);
int ovsm_dp_ifindex(struct ovsm_dp *dp);

/* Packet path (RCU, bottom halves disabled): a packet received on a vport,
 * its key's metadata set and the rest extracted; consumes the skb. */
void ovsm_dp_process(struct ovsm_dp *dp, struct sk_buff *skb,
		     struct ovsm_key *key);
int ovsm_dp_upcall(struct ovsm_dp *dp, struct sk_buff *skb,
		   const struct ovsm_key *key, const struct ovsm_upcall *up);
void ovsm_dp_count_lost(struct ovsm_dp *dp);

/* actions.c */
int ovsm_execute_actions(struct ovsm_dp *dp, struct sk_buff *skb,
			 struct ovsm_key *key, const void *acts, int len);

/* A vport's device went away (netdev notifier): remove the vport. */
void ovsm_dp_detach_later(struct ovsm_vport *vport);

#endif
