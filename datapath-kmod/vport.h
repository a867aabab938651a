/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openvswitch_mod: vports, the datapath's ports.
 *
 * Two kinds exist: "internal" (a net_device of our own, the host's view of
 * the switch; the datapath's local port is one) and "netdev" (an existing
 * Ethernet device attached with an rx_handler).  Either way the vport has a
 * net_device, and sends by handing packets to it.
 */
#ifndef OVSM_VPORT_H
#define OVSM_VPORT_H 1

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/openvswitch.h>

#include "datapath.h"

struct ovsm_vport {
	struct net_device *dev;
	struct ovsm_dp *dp;
	u32 port_no;
	u32 type;			/* OVS_VPORT_TYPE_* */
	struct ovsm_pids __rcu *pids;	/* upcall ids for misses */
	bool detached;			/* its device went away */
	struct list_head detach_node;
	struct rcu_head rcu;
};

struct ovsm_vport_parms {
	const char *name;
	u32 type;
	struct ovsm_dp *dp;
	u32 port_no;
	int ifindex;			/* internal: requested, or 0 */
	struct net *net;
};

/* Creates a vport (RTNL and ovsm_mutex held); ERR_PTR on failure. */
struct ovsm_vport *ovsm_vport_create(const struct ovsm_vport_parms *parms);
/* Releases the device (RTNL and ovsm_mutex held) and frees the vport after
 * a grace period.  The caller has already unlinked it from its datapath. */
void ovsm_vport_destroy(struct ovsm_vport *vport);

/* The vport behind a device, if the device is one of ours (RTNL or RCU). */
struct ovsm_vport *ovsm_vport_of_dev(const struct net_device *dev);

int ovsm_vport_set_pids(struct ovsm_vport *vport, const struct nlattr *ids);
u32 ovsm_vport_pick_pid(const struct ovsm_vport *vport, struct sk_buff *skb);
void ovsm_vport_stats(struct ovsm_vport *vport, struct ovs_vport_stats *stats);

/* Packet path. */
void ovsm_vport_receive(struct ovsm_vport *vport, struct sk_buff *skb);
void ovsm_vport_send(struct ovsm_vport *vport, struct sk_buff *skb);

/* vport-internal_dev.c */
struct ovsm_vport *ovsm_internal_create(const struct ovsm_vport_parms *parms);
void ovsm_internal_destroy(struct ovsm_vport *vport);
void ovsm_internal_send(struct ovsm_vport *vport, struct sk_buff *skb);
struct ovsm_vport *ovsm_internal_vport(const struct net_device *dev);

/* vport-netdev.c */
struct ovsm_vport *ovsm_netdev_create(const struct ovsm_vport_parms *parms);
void ovsm_netdev_destroy(struct ovsm_vport *vport);
/* Undoes the attachment only (RTNL held): the device is going away. */
void ovsm_netdev_detach(struct ovsm_vport *vport);
struct ovsm_vport *ovsm_netdev_vport(const struct net_device *dev);
int ovsm_netdev_init(void);
void ovsm_netdev_exit(void);

#endif
