/* SPDX-License-Identifier: GPL-2.0 */
/*
 * openvswitch_mod: flow keys, masks and action lists as netlink attributes
 * (the OVS_KEY_ATTR_* and OVS_ACTION_ATTR_* encodings of
 * <linux/openvswitch.h>): parsing with full validation, and emitting.
 */
#ifndef OVSM_FLOW_NETLINK_H
#define OVSM_FLOW_NETLINK_H 1

#include <linux/netlink.h>
#include <net/netlink.h>

#include "flow.h"

/* Rejections of bad requests carry their reason in the netlink extended
 * ack; with the module parameter log_errors=1 they are also logged. */
extern bool ovsm_log_errors;
#define OVSM_ERR(extack, msg) do {					\
	NL_SET_ERR_MSG_MOD(extack, msg);				\
	if (unlikely(ovsm_log_errors))					\
		pr_info_ratelimited("rejected: %s\n", msg);	\
} while (0)

/* Upper bound of an emitted key (or mask) nest, attributes included. */
#define OVSM_KEY_NLA_MAX	640

/* OVS_ACTION_ATTR_DROP, from Linux 6.4's ABI (after OVS_ACTION_ATTR_DEC_TTL):
 * an explicit drop with a u32 reason, last in its list. */
#define OVSM_ACTION_ATTR_DROP	(OVS_ACTION_ATTR_DEC_TTL + 1)

/* Nesting limit of action lists inside sample, clone and check_pkt_len. */
#define OVSM_MAX_ACTION_DEPTH	10

/*
 * Parses a flow key and its optional mask.  'key' gets the key as given
 * (unmasked); 'mask' the mask: an absent mask means an exact match on every
 * field the key names.  Every attribute is checked (type, length,
 * duplicates, consistency of key and mask); -EINVAL with a message in
 * 'extack' on any fault.
 */
int ovsm_nla_parse_match(const struct nlattr *key_nla,
			 const struct nlattr *mask_nla,
			 struct ovsm_key *key, struct ovsm_key *mask,
			 struct netlink_ext_ack *extack);

/* Parses a key as ovsm_nla_parse_match() does but keeps only the metadata
 * (in_port, priority, mark, recirc_id, dp_hash, tunnel): for packets sent
 * down from userspace, whose other fields come from the packet itself. */
int ovsm_nla_parse_metadata(const struct nlattr *key_nla, struct ovsm_key *key,
			    struct netlink_ext_ack *extack);

/* Emits 'out' as a nest of type 'attrtype', laid out as 'layout' is (for a
 * key both are the key; for a mask, 'out' is the mask). */
int ovsm_nla_put_key(struct sk_buff *skb, int attrtype,
		     const struct ovsm_key *layout, const struct ovsm_key *out,
		     bool is_mask);

/* Validates an action list against the packets it may see ('key', masked)
 * and returns a copy, or an ERR_PTR (-EINVAL for a bad list). */
struct ovsm_acts *ovsm_acts_from_nla(const struct nlattr *acts_nla,
				     const struct ovsm_key *key,
				     struct netlink_ext_ack *extack);

/* Validation only, for OVS_PACKET_CMD_EXECUTE. */
int ovsm_validate_actions(const struct nlattr *acts_nla,
			  const struct ovsm_key *key,
			  struct netlink_ext_ack *extack);

#endif
