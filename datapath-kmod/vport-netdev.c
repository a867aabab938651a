// SPDX-License-Identifier: GPL-2.0
/*
 * openvswitch_mod: netdev vports, existing Ethernet devices attached to a
 * datapath.  Frames they receive are taken with an rx_handler; frames the
 * datapath sends out are queued on the device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>
#include <linux/slab.h>

#include "vport.h"

static rx_handler_result_t netdev_rx(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct ovsm_vport *vport;

	if (unlikely(skb->pkt_type == PACKET_LOOPBACK))
		return RX_HANDLER_PASS;
	vport = rcu_dereference(skb->dev->rx_handler_data);
	if (unlikely(!vport))
		return RX_HANDLER_PASS;
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (unlikely(!skb))
		return RX_HANDLER_CONSUMED;
	if (unlikely(!skb_mac_header_was_set(skb) ||
		     skb_mac_header(skb) > skb->data)) {
		kfree_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	/* Back to the Ethernet header. */
	skb_push_rcsum(skb, skb->data - skb_mac_header(skb));
	ovsm_vport_receive(vport, skb);
	return RX_HANDLER_CONSUMED;
}

struct ovsm_vport *ovsm_netdev_vport(const struct net_device *dev)
{
	if (rcu_access_pointer(dev->rx_handler) != netdev_rx)
		return NULL;
	return rcu_dereference_rtnl(dev->rx_handler_data);
}

struct ovsm_vport *ovsm_netdev_create(const struct ovsm_vport_parms *parms)
{
	struct ovsm_vport *vport;
	struct net_device *dev;
	int err;

	dev = dev_get_by_name(parms->net, parms->name);
	if (!dev)
		return ERR_PTR(-ENODEV);
	if ((dev->flags & IFF_LOOPBACK) || dev->type != ARPHRD_ETHER ||
	    ovsm_internal_vport(dev)) {
		err = -EINVAL;
		goto put;
	}
	vport = kzalloc(sizeof(*vport), GFP_KERNEL);
	if (vport)
		ovsm_count(OVSM_K_VPORT, 1);
	if (!vport) {
		err = -ENOMEM;
		goto put;
	}
	vport->dev = dev;
	vport->dp = parms->dp;
	vport->port_no = parms->port_no;
	vport->type = OVS_VPORT_TYPE_NETDEV;
	INIT_LIST_HEAD(&vport->detach_node);

	err = netdev_rx_handler_register(dev, netdev_rx, vport);
	if (err) {
		ovsm_count(OVSM_K_VPORT, -1);
		kfree(vport);
		goto put;
	}
	dev_set_promiscuity(dev, 1);
	dev_disable_lro(dev);
	return vport;
put:
	dev_put(dev);
	return ERR_PTR(err);
}

void ovsm_netdev_detach(struct ovsm_vport *vport)
{
	ASSERT_RTNL();
	netdev_rx_handler_unregister(vport->dev);
	dev_set_promiscuity(vport->dev, -1);
	vport->detached = true;
}

void ovsm_netdev_destroy(struct ovsm_vport *vport)
{
	if (!vport->detached)
		ovsm_netdev_detach(vport);
}

static int netdev_event(struct notifier_block *nb, unsigned long event,
			void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct ovsm_vport *vport;

	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;
	vport = ovsm_netdev_vport(dev);
	if (vport) {
		ovsm_netdev_detach(vport);
		ovsm_dp_detach_later(vport);
		return NOTIFY_DONE;
	}
	vport = ovsm_internal_vport(dev);
	if (vport && !vport->detached) {
		/* Not by us (we clear the pointer first): let it go. */
		vport->detached = true;
		ovsm_dp_detach_later(vport);
	}
	return NOTIFY_DONE;
}

static struct notifier_block netdev_notifier = {
	.notifier_call = netdev_event,
};

int ovsm_netdev_init(void)
{
	return register_netdevice_notifier(&netdev_notifier);
}

void ovsm_netdev_exit(void)
{
	unregister_netdevice_notifier(&netdev_notifier);
}
