// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: internal vports, net_devices of our own.
 *
 * What the host transmits on one enters the datapath as if received on the
 * vport; what the datapath sends to one is delivered up the host's stack.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <net/dst.h>
#include <net/netfilter/nf_conntrack.h>

#include "vport.h"

struct internal_priv {
	struct ovsm_vport __rcu *vport;
};

static netdev_tx_t internal_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct internal_priv *priv = netdev_priv(dev);
	unsigned int len = skb->len;
	struct ovsm_vport *vport;

	rcu_read_lock();
	vport = rcu_dereference(priv->vport);
	if (unlikely(!vport)) {
		rcu_read_unlock();
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return NETDEV_TX_OK;
	}
	skb_reset_mac_header(skb);
	dev_sw_netstats_tx_add(dev, 1, len);
	ovsm_vport_receive(vport, skb);
	rcu_read_unlock();
	return NETDEV_TX_OK;
}

static int internal_open(struct net_device *dev)
{
	netif_start_queue(dev);
	return 0;
}

static int internal_stop(struct net_device *dev)
{
	netif_stop_queue(dev);
	return 0;
}

static int internal_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	return dev->tstats ? 0 : -ENOMEM;
}

static void internal_uninit(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static const struct net_device_ops internal_ops = {
	.ndo_init = internal_init,
	.ndo_uninit = internal_uninit,
	.ndo_open = internal_open,
	.ndo_stop = internal_stop,
	.ndo_start_xmit = internal_xmit,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_get_stats64 = dev_get_tstats64,
};

static void internal_drvinfo(struct net_device *dev,
			     struct ethtool_drvinfo *info)
{
	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
}

static const struct ethtool_ops internal_ethtool_ops = {
	.get_drvinfo = internal_drvinfo,
	.get_link = ethtool_op_get_link,
};

static void internal_setup(struct net_device *dev)
{
	netdev_features_t offloads = NETIF_F_SG | NETIF_F_FRAGLIST |
		NETIF_F_HIGHDMA | NETIF_F_HW_CSUM | NETIF_F_GSO_SOFTWARE;

	ether_setup(dev);
	dev->netdev_ops = &internal_ops;
	dev->ethtool_ops = &internal_ethtool_ops;
	dev->needs_free_netdev = true;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE | IFF_NO_QUEUE;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = ETH_MAX_MTU;
	/* Lives and dies with its datapath, in the datapath's namespace. */
	dev->features = offloads | NETIF_F_LLTX | NETIF_F_NETNS_LOCAL |
			NETIF_F_HW_VLAN_CTAG_TX | NETIF_F_HW_VLAN_STAG_TX;
	dev->hw_features = offloads | NETIF_F_HW_VLAN_CTAG_TX |
			   NETIF_F_HW_VLAN_STAG_TX;
	dev->vlan_features = offloads;
	dev->hw_enc_features = offloads;
	eth_hw_addr_random(dev);
}

struct ovsm_vport *ovsm_internal_vport(const struct net_device *dev)
{
	const struct internal_priv *priv;

	if (dev->netdev_ops != &internal_ops)
		return NULL;
	priv = netdev_priv(dev);
	return rcu_dereference_rtnl(priv->vport);
}

struct ovsm_vport *ovsm_internal_create(const struct ovsm_vport_parms *parms)
{
	struct internal_priv *priv;
	struct ovsm_vport *vport;
	struct net_device *dev;
	int err;

	vport = kzalloc(sizeof(*vport), GFP_KERNEL);
	if (vport)
		ovsm_count(OVSM_K_VPORT, 1);
	if (!vport)
		return ERR_PTR(-ENOMEM);
	dev = alloc_netdev(sizeof(*priv), parms->name, NET_NAME_USER, internal_setup);
	if (!dev) {
		ovsm_count(OVSM_K_VPORT, -1);
		kfree(vport);
		return ERR_PTR(-ENOMEM);
	}
	dev_net_set(dev, parms->net);
	if (parms->ifindex > 0)
		dev->ifindex = parms->ifindex;
	vport->dev = dev;
	vport->dp = parms->dp;
	vport->port_no = parms->port_no;
	vport->type = OVS_VPORT_TYPE_INTERNAL;
	INIT_LIST_HEAD(&vport->detach_node);
	priv = netdev_priv(dev);
	RCU_INIT_POINTER(priv->vport, vport);

	err = register_netdevice(dev);
	if (err) {
		free_netdev(dev);
		ovsm_count(OVSM_K_VPORT, -1);
		kfree(vport);
		return ERR_PTR(err);
	}
	dev_hold(dev);
	dev_set_promiscuity(dev, 1);
	return vport;
}

void ovsm_internal_destroy(struct ovsm_vport *vport)
{
	struct internal_priv *priv = netdev_priv(vport->dev);

	RCU_INIT_POINTER(priv->vport, NULL);
	if (vport->detached)
		return;		/* already being unregistered */
	dev_set_promiscuity(vport->dev, -1);
	unregister_netdevice(vport->dev);
}

void ovsm_internal_send(struct ovsm_vport *vport, struct sk_buff *skb)
{
	struct net_device *dev = vport->dev;
	unsigned int len = skb->len;

	if (unlikely(!(dev->flags & IFF_UP))) {
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}
	skb_dst_drop(skb);
	nf_reset_ct(skb);
	skb->pkt_type = PACKET_HOST;
	skb->protocol = eth_type_trans(skb, dev);
	skb_postpull_rcsum(skb, eth_hdr(skb), ETH_HLEN);
	if (likely(netif_rx(skb) == NET_RX_SUCCESS))
		dev_sw_netstats_rx_add(dev, len);
	else
		dev_core_stats_rx_dropped_inc(dev);
}
