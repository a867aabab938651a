// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: what every vport does, whatever its kind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/dst.h>

#include "vport.h"

struct ovsm_vport *ovsm_vport_create(const struct ovsm_vport_parms *parms)
{
	switch (parms->type) {
	case OVS_VPORT_TYPE_INTERNAL:
		return ovsm_internal_create(parms);
	case OVS_VPORT_TYPE_NETDEV:
		return ovsm_netdev_create(parms);
	case OVS_VPORT_TYPE_GRE:
	case OVS_VPORT_TYPE_VXLAN:
	case OVS_VPORT_TYPE_GENEVE:
		/* Tunnel vports are not implemented; userspace then falls
		 * back to tunnel devices of its own. */
		return ERR_PTR(-EAFNOSUPPORT);
	default:
		return ERR_PTR(-EINVAL);
	}
}

static void vport_free_rcu(struct rcu_head *rcu)
{
	struct ovsm_vport *vport = container_of(rcu, struct ovsm_vport, rcu);

	if (rcu_dereference_raw(vport->pids)) {
		ovsm_count(OVSM_K_PIDS, -1);
		kfree(rcu_dereference_raw(vport->pids));
	}
	dev_put(vport->dev);
	ovsm_count(OVSM_K_VPORT, -1);
	kfree(vport);
}

void ovsm_vport_destroy(struct ovsm_vport *vport)
{
	if (vport->type == OVS_VPORT_TYPE_INTERNAL)
		ovsm_internal_destroy(vport);
	else
		ovsm_netdev_destroy(vport);
	call_rcu(&vport->rcu, vport_free_rcu);
}

struct ovsm_vport *ovsm_vport_of_dev(const struct net_device *dev)
{
	struct ovsm_vport *vport = ovsm_internal_vport(dev);

	return vport ? vport : ovsm_netdev_vport(dev);
}

int ovsm_vport_set_pids(struct ovsm_vport *vport, const struct nlattr *ids)
{
	struct ovsm_pids *pids, *old;
	int len = nla_len(ids);

	if (len < sizeof(u32) || len % sizeof(u32))
		return -EINVAL;
	pids = kmalloc(sizeof(*pids) + len, GFP_KERNEL);
	if (!pids)
		return -ENOMEM;
	ovsm_count(OVSM_K_PIDS, 1);
	pids->n = len / sizeof(u32);
	memcpy(pids->ids, nla_data(ids), len);
	old = rcu_dereference_protected(vport->pids, lockdep_is_held(&ovsm_mutex));
	rcu_assign_pointer(vport->pids, pids);
	if (old) {
		ovsm_count(OVSM_K_PIDS, -1);
		kfree_rcu(old, rcu);
	}
	return 0;
}

u32 ovsm_vport_pick_pid(const struct ovsm_vport *vport, struct sk_buff *skb)
{
	const struct ovsm_pids *pids = rcu_dereference(vport->pids);

	if (!pids)
		return 0;
	if (pids->n == 1)
		return pids->ids[0];
	return pids->ids[reciprocal_scale(skb_get_hash(skb), pids->n)];
}

void ovsm_vport_stats(struct ovsm_vport *vport, struct ovs_vport_stats *stats)
{
	struct rtnl_link_stats64 tmp;
	const struct rtnl_link_stats64 *s = dev_get_stats(vport->dev, &tmp);

	stats->rx_packets = s->rx_packets;
	stats->tx_packets = s->tx_packets;
	stats->rx_bytes = s->rx_bytes;
	stats->tx_bytes = s->tx_bytes;
	stats->rx_errors = s->rx_errors;
	stats->tx_errors = s->tx_errors;
	stats->rx_dropped = s->rx_dropped;
	stats->tx_dropped = s->tx_dropped;
}

void ovsm_vport_receive(struct ovsm_vport *vport, struct sk_buff *skb)
{
	struct ovsm_key key;

	key.recirc_id = 0;
	key.dp_hash = 0;
	key.in_port = vport->port_no;
	key.priority = skb->priority;
	key.mark = skb->mark;
	memset(&key.tun, 0, sizeof(key.tun));
	skb_dst_drop(skb);
	if (unlikely(ovsm_key_extract(skb, &key))) {
		kfree_skb(skb);
		return;
	}
	ovsm_dp_process(vport->dp, skb, &key);
}

/* The length that counts against the MTU: no link header, and one VLAN
 * tag allowed beyond it. */
static unsigned int mtu_len(const struct sk_buff *skb, const struct net_device *dev)
{
	unsigned int len = skb->len > dev->hard_header_len ?
			   skb->len - dev->hard_header_len : 0;

	if (!skb_vlan_tag_present(skb) && eth_type_vlan(skb->protocol) &&
	    len >= VLAN_HLEN)
		len -= VLAN_HLEN;
	return len;
}

void ovsm_vport_send(struct ovsm_vport *vport, struct sk_buff *skb)
{
	struct net_device *dev = vport->dev;

	if (unlikely(!skb_is_gso(skb) && mtu_len(skb, dev) > dev->mtu)) {
		net_dbg_ratelimited("%s: dropped a %u-byte packet over the MTU (%u)\n",
				    dev->name, skb->len, dev->mtu);
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}
	skb_clear_tstamp(skb);
	if (vport->type == OVS_VPORT_TYPE_INTERNAL) {
		ovsm_internal_send(vport, skb);
	} else {
		skb->dev = dev;
		dev_queue_xmit(skb);
	}
}
