// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the packet path.
 *
 * svcnat registers with the NAT core like the iptables nat table and nft
 * nat chains do, at PRE_ROUTING (traffic from other hosts) and LOCAL_OUT
 * (traffic of the node itself). The NAT core calls it only for the first
 * packet of a connection that no earlier NAT rule has mapped; conntrack
 * then translates the rest of the connection and its replies.
 */

#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>

#include "svcnat.h"

static unsigned int svcnat_nat_fn(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	const struct nf_conntrack_tuple *t;
	const struct svcnat_backend *be;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	const struct svcnat_cfg *cfg;
	struct svcnat_service *svc;
	struct svcnat_key key = {};
	struct nf_conn *ct;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW)
		return NF_ACCEPT;

	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	switch (t->dst.protonum) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		break;
	default:
		return NF_ACCEPT;
	}

	key.addr.ip = t->dst.u3.ip;
	key.port = t->dst.u.all;
	key.proto = t->dst.protonum;
	key.family = AF_INET;

	/* Hooks run under rcu_read_lock(). */
	svc = svcnat_service_lookup(svcnat_pernet(state->net), &key);
	if (!svc)
		return NF_ACCEPT;
	cfg = rcu_dereference(svc->cfg);
	if (!cfg || !cfg->nr_pick)
		return NF_ACCEPT;

	be = svcnat_cfg_pick(cfg);
	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr = be->addr;
	range.max_addr = be->addr;
	range.min_proto.all = be->port;
	range.max_proto.all = be->port;
	return nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
}

static const struct nf_hook_ops svcnat_nat_ops[] = {
	{
		.hook = svcnat_nat_fn,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP_PRI_NAT_DST,
	},
	{
		.hook = svcnat_nat_fn,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP_PRI_NAT_DST,
	},
};

/**
 * svcnat_hooks_register - start translating in a namespace
 * @sn: the namespace state, locked
 *
 * Called when the first service is committed; the hooks stay until the
 * namespace goes away.
 *
 * Return: 0 or a negative errno.
 */
int svcnat_hooks_register(struct svcnat_net *sn)
{
	int i, err;

	err = nf_ct_netns_get(sn->net, NFPROTO_IPV4);
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(svcnat_nat_ops); i++) {
		err = nf_nat_ipv4_register_fn(sn->net, &svcnat_nat_ops[i]);
		if (err)
			goto err_unregister_fn;
	}
	sn->hooks = true;
	return 0;

err_unregister_fn:
	while (i--)
		nf_nat_ipv4_unregister_fn(sn->net, &svcnat_nat_ops[i]);
	nf_ct_netns_put(sn->net, NFPROTO_IPV4);
	return err;
}

/**
 * svcnat_hooks_unregister - stop translating in a namespace
 * @sn: the namespace state
 *
 * Waits until no packet is in svcnat's hook any more.
 */
void svcnat_hooks_unregister(struct svcnat_net *sn)
{
	int i;

	if (!sn->hooks)
		return;
	for (i = ARRAY_SIZE(svcnat_nat_ops) - 1; i >= 0; i--)
		nf_nat_ipv4_unregister_fn(sn->net, &svcnat_nat_ops[i]);
	nf_ct_netns_put(sn->net, NFPROTO_IPV4);
	sn->hooks = false;
}
