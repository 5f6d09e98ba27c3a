// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the node configuration over generic netlink (config-set,
 * config-get).
 */

#include <linux/log2.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/svcnat.h>

#include "svcnat.h"
#include "netlink.h"

/* Node configuration as config-set takes it: no stats. */
static const struct nla_policy svcnat_config_nl_policy[SVCNAT_A_CONFIG_UNALLOCATED + 1] = {
	[SVCNAT_A_CONFIG_CLUSTER_CIDR] = NLA_POLICY_NESTED(svcnat_nl_prefix_policy),
	[SVCNAT_A_CONFIG_NODEPORT_CIDR] = NLA_POLICY_NESTED(svcnat_nl_prefix_policy),
	[SVCNAT_A_CONFIG_SERVICE_CIDR] = NLA_POLICY_NESTED(svcnat_nl_prefix_policy),
	[SVCNAT_A_CONFIG_MASQUERADE_ALL] = NLA_POLICY_MAX(NLA_U8, 1),
	[SVCNAT_A_CONFIG_MASQ_MARK] = { .type = NLA_U32 },
	[SVCNAT_A_CONFIG_MASQ_MODE] = NLA_POLICY_MAX(NLA_U32, SVCNAT_MASQ_MODE_MARK),
	[SVCNAT_A_CONFIG_UNKNOWN_PORT] = NLA_POLICY_MAX(NLA_U32, SVCNAT_UNKNOWN_PORT_REJECT),
	[SVCNAT_A_CONFIG_UNALLOCATED] = NLA_POLICY_MAX(NLA_U32, SVCNAT_UNALLOCATED_DROP),
};

/* The top-level policy of config-set. */
const struct nla_policy svcnat_nl_config_set_policy[SVCNAT_A_CONFIG + 1] = {
	[SVCNAT_A_CONFIG] = NLA_POLICY_NESTED(svcnat_config_nl_policy),
};

static size_t svcnat_nl_config_size(const struct svcnat_node *node)
{
	return nla_total_size(0) +		/* SVCNAT_A_CONFIG */
		(node->nr_cluster + node->nr_nodeport + node->nr_svc) *
		svcnat_nl_prefix_size(true) +
		nla_total_size(sizeof(u8)) +	/* MASQUERADE_ALL */
		/* MASQ_MARK, MASQ_MODE, UNKNOWN_PORT, UNALLOCATED */
		4 * nla_total_size(sizeof(u32)) +
		svcnat_nl_stats_size(2);	/* STATS */
}

static int svcnat_nl_put_config(struct sk_buff *skb,
				const struct svcnat_node *node,
				const struct svcnat_counts *c)
{
	const struct svcnat_prefix *nodeport = &node->cidrs[node->nr_cluster];
	const struct svcnat_prefix *svc = &nodeport[node->nr_nodeport];
	struct nlattr *nest, *stats;

	nest = nla_nest_start(skb, SVCNAT_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (svcnat_nl_put_prefixes(skb, SVCNAT_A_CONFIG_CLUSTER_CIDR,
				   node->cidrs, node->nr_cluster, true) ||
	    svcnat_nl_put_prefixes(skb, SVCNAT_A_CONFIG_NODEPORT_CIDR,
				   nodeport, node->nr_nodeport, true) ||
	    svcnat_nl_put_prefixes(skb, SVCNAT_A_CONFIG_SERVICE_CIDR,
				   svc, node->nr_svc, true) ||
	    nla_put_u8(skb, SVCNAT_A_CONFIG_MASQUERADE_ALL, node->masq_all) ||
	    nla_put_u32(skb, SVCNAT_A_CONFIG_MASQ_MARK, node->mark) ||
	    nla_put_u32(skb, SVCNAT_A_CONFIG_MASQ_MODE, node->masq_mode) ||
	    nla_put_u32(skb, SVCNAT_A_CONFIG_UNKNOWN_PORT,
			node->unknown_port) ||
	    nla_put_u32(skb, SVCNAT_A_CONFIG_UNALLOCATED, node->unallocated))
		goto err_cancel_nest;

	stats = nla_nest_start(skb, SVCNAT_A_CONFIG_STATS);
	if (!stats)
		goto err_cancel_nest;
	if (svcnat_nl_put_u64(skb, SVCNAT_A_STATS_REJECTED_UNKNOWN_PORT,
			      c->reject_port) ||
	    svcnat_nl_put_u64(skb, SVCNAT_A_STATS_DROPPED_UNALLOCATED,
			      c->drop_unalloc))
		goto err_cancel_nest;
	nla_nest_end(skb, stats);

	nla_nest_end(skb, nest);
	return 0;

err_cancel_nest:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/**
 * svcnat_nl_config_get_doit - config-get: reply with the node configuration
 * @skb: the request
 * @info: the request, parsed
 *
 * Return: 0 or a negative errno.
 */
int svcnat_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	const struct svcnat_node *node;
	struct svcnat_counts c;
	struct sk_buff *msg;
	void *hdr;
	int err;

	mutex_lock(&sn->lock);
	node = rcu_dereference_protected(sn->node, lockdep_is_held(&sn->lock));
	svcnat_stats_read(sn->stats, &c);

	msg = genlmsg_new(svcnat_nl_config_size(node), GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &svcnat_nl_family, 0,
				SVCNAT_CMD_CONFIG_GET);
	if (!hdr || svcnat_nl_put_config(msg, node, &c)) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}
	genlmsg_end(msg, hdr);
	mutex_unlock(&sn->lock);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
err_unlock:
	mutex_unlock(&sn->lock);
	return err;
}

/**
 * svcnat_nl_config_set_doit - config-set: replace the node configuration
 * @skb: the request
 * @info: the request, parsed
 *
 * Absent attributes take their defaults: config-set replaces everything.
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int svcnat_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	struct nlattr *tb[SVCNAT_A_CONFIG_UNALLOCATED + 1] = {};
	struct nlattr *nest = info->attrs[SVCNAT_A_CONFIG];
	u16 nr_cluster, nr_nodeport, nr_svc;
	u32 mark = SVCNAT_MASQ_MARK_DEFAULT;
	struct svcnat_node *node;
	int err;

	if (nest) {
		err = nla_parse_nested(tb, SVCNAT_A_CONFIG_UNALLOCATED, nest,
				       svcnat_config_nl_policy, info->extack);
		if (err)
			return err;
	}
	if (tb[SVCNAT_A_CONFIG_MASQ_MARK]) {
		mark = nla_get_u32(tb[SVCNAT_A_CONFIG_MASQ_MARK]);
		if (!is_power_of_2(mark)) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[SVCNAT_A_CONFIG_MASQ_MARK],
					    "masquerade mark must be a single bit");
			return -EINVAL;
		}
	}

	err = svcnat_nl_count_list(nest, SVCNAT_NL_CLUSTER_CIDR, &nr_cluster,
				   info->extack);
	if (err)
		return err;
	err = svcnat_nl_count_list(nest, SVCNAT_NL_NODEPORT_CIDR, &nr_nodeport,
				   info->extack);
	if (err)
		return err;
	err = svcnat_nl_count_list(nest, SVCNAT_NL_SERVICE_CIDR, &nr_svc,
				   info->extack);
	if (err)
		return err;

	node = kzalloc(struct_size(node, cidrs,
				   nr_cluster + nr_nodeport + nr_svc),
		       GFP_KERNEL_ACCOUNT);
	if (!node)
		return -ENOMEM;
	node->mark = mark;
	node->masq_mode = SVCNAT_MASQ_MODE_SNAT;
	node->unknown_port = SVCNAT_UNKNOWN_PORT_ACCEPT;
	node->unallocated = SVCNAT_UNALLOCATED_ACCEPT;
	if (tb[SVCNAT_A_CONFIG_MASQUERADE_ALL])
		node->masq_all = nla_get_u8(tb[SVCNAT_A_CONFIG_MASQUERADE_ALL]);
	if (tb[SVCNAT_A_CONFIG_MASQ_MODE])
		node->masq_mode = nla_get_u32(tb[SVCNAT_A_CONFIG_MASQ_MODE]);
	if (tb[SVCNAT_A_CONFIG_UNKNOWN_PORT])
		node->unknown_port = nla_get_u32(tb[SVCNAT_A_CONFIG_UNKNOWN_PORT]);
	if (tb[SVCNAT_A_CONFIG_UNALLOCATED])
		node->unallocated = nla_get_u32(tb[SVCNAT_A_CONFIG_UNALLOCATED]);
	node->nr_cluster = nr_cluster;
	node->nr_nodeport = nr_nodeport;
	node->nr_svc = nr_svc;

	err = svcnat_nl_parse_list(nest, SVCNAT_NL_CLUSTER_CIDR, node->cidrs,
				   info->extack);
	if (err)
		goto err_free_node;
	err = svcnat_nl_parse_list(nest, SVCNAT_NL_NODEPORT_CIDR,
				   &node->cidrs[nr_cluster], info->extack);
	if (err)
		goto err_free_node;
	err = svcnat_nl_parse_list(nest, SVCNAT_NL_SERVICE_CIDR,
				   &node->cidrs[nr_cluster + nr_nodeport],
				   info->extack);
	if (err)
		goto err_free_node;

	/* On success the namespace owns the node configuration. */
	err = svcnat_node_set(sn, node, info->extack);
	if (err)
		goto err_free_node;
	return 0;

err_free_node:
	kfree(node);
	return err;
}
