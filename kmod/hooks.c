// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the packet path.
 *
 * svcnat registers with the NAT core like the iptables nat table and nft
 * nat chains do, at PRE_ROUTING (traffic from other hosts) and LOCAL_OUT
 * (traffic of the node itself), for IPv4 and IPv6 alike. The NAT core
 * calls it only for the first packet of a connection that no earlier NAT
 * rule has mapped; conntrack then translates the rest of the connection
 * and its replies.
 */

#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/svcnat.h>
#include <net/icmp.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/ipv6/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_nat.h>
#include <net/netfilter/nf_nat_masquerade.h>

#include "svcnat.h"

/*
 * Counters are per CPU. LOCAL_OUT runs in process context with softirqs
 * enabled: no migration, and no softirq writer nested in ours (32-bit).
 */
static struct svcnat_stats *svcnat_stats_begin(struct svcnat_stats __percpu *pcpu)
{
	local_bh_disable();
	return this_cpu_ptr(pcpu);
}

static void svcnat_stats_end(void)
{
	local_bh_enable();
}

static void svcnat_count_drop(struct svcnat_net *sn,
			      const struct svcnat_decision *d)
{
	struct svcnat_stats *s;

	s = svcnat_stats_begin(d->svc ? d->svc->stats : sn->stats);
	u64_stats_update_begin(&s->syncp);
	switch (d->reason) {
	case SVCNAT_REASON_NO_ENDPOINTS:
		u64_stats_inc(&s->reject_noep);
		break;
	case SVCNAT_REASON_NO_LOCAL_ENDPOINTS:
		u64_stats_inc(&s->drop_nolocal);
		break;
	case SVCNAT_REASON_SOURCE_RANGE:
		u64_stats_inc(&s->drop_range);
		break;
	case SVCNAT_REASON_UNKNOWN_PORT:
		u64_stats_inc(&s->reject_port);
		break;
	case SVCNAT_REASON_UNALLOCATED:
		u64_stats_inc(&s->drop_unalloc);
		break;
	}
	u64_stats_update_end(&s->syncp);
	svcnat_stats_end();
}

static void svcnat_count_conn(const struct svcnat_decision *d)
{
	struct svcnat_stats *s = svcnat_stats_begin(d->svc->stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->conns);
	if (d->masq)
		u64_stats_inc(&s->masq);
	u64_stats_update_end(&s->syncp);
	svcnat_stats_end();
}

static unsigned int svcnat_nat_fn(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct svcnat_net *sn = svcnat_pernet(state->net);
	const struct nf_conntrack_tuple *t;
	struct nf_nat_range2 range = {};
	enum ip_conntrack_info ctinfo;
	struct svcnat_decision d;
	struct svcnat_pkt pkt;
	struct nf_conn *ct;
	unsigned int ret;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW)
		return NF_ACCEPT;

	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	memset(&pkt, 0, sizeof(pkt));
	switch (t->dst.protonum) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		pkt.sport = t->src.u.all;
		pkt.dport = t->dst.u.all;
		break;
	default:
		/*
		 * No service takes other protocols (ports stay 0), but
		 * the unknown-port and unallocated options cover them.
		 */
		break;
	}
	if (state->pf == NFPROTO_IPV6) {
		pkt.saddr.in6 = t->src.u3.in6;
		pkt.daddr.in6 = t->dst.u3.in6;
		pkt.family = AF_INET6;
	} else {
		pkt.saddr.ip = t->src.u3.ip;
		pkt.daddr.ip = t->dst.u3.ip;
		pkt.family = AF_INET;
	}
	pkt.proto = t->dst.protonum;
	pkt.local_out = state->hook == NF_INET_LOCAL_OUT;

	/* Hooks run under rcu_read_lock(). */
	svcnat_decide(sn, &pkt, SVCNAT_DECIDE_PACKET, &d);
	switch (d.verdict) {
	case SVCNAT_VERDICT_ACCEPT:
		return NF_ACCEPT;
	case SVCNAT_VERDICT_REJECT:
		svcnat_count_drop(sn, &d);
		if (state->pf == NFPROTO_IPV6)
			nf_send_unreach6(state->net, skb, ICMPV6_PORT_UNREACH,
					 state->hook);
		else
			nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
		return NF_DROP;
	case SVCNAT_VERDICT_DROP:
		svcnat_count_drop(sn, &d);
		return NF_DROP;
	}

	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr = d.be->addr;
	range.max_addr = d.be->addr;
	range.min_proto.all = d.be->port;
	range.max_proto.all = d.be->port;
	ret = nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	if (ret != NF_ACCEPT)
		return ret;

	svcnat_count_conn(&d);
	/* Like kube-proxy's KUBE-MARK-MASQ: POSTROUTING acts on it. */
	if (d.masq)
		skb->mark |= d.mark;
	return NF_ACCEPT;
}

/*
 * Masquerade what carries the mark, in snat mode, to the outgoing
 * interface's address with fully random ports, as kube-proxy's
 * KUBE-POSTROUTING does; the mark is cleared so that it does not leak.
 */
static unsigned int svcnat_masq_fn(void *priv, struct sk_buff *skb,
				   const struct nf_hook_state *state)
{
	struct svcnat_net *sn = svcnat_pernet(state->net);
	struct nf_nat_range2 range = {};
	const struct svcnat_node *node;
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct;

	node = rcu_dereference(sn->node);
	if (node->masq_mode != SVCNAT_MASQ_MODE_SNAT || !(skb->mark & node->mark))
		return NF_ACCEPT;
	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || ctinfo != IP_CT_NEW)
		return NF_ACCEPT;

	skb->mark &= ~node->mark;
	range.flags = NF_NAT_RANGE_PROTO_RANDOM_FULLY;
	if (state->pf == NFPROTO_IPV6)
		return nf_nat_masquerade_ipv6(skb, &range, state->out);
	return nf_nat_masquerade_ipv4(skb, state->hook, &range, state->out);
}

/* IPv4 first, then IPv6: registered in this order, unregistered in reverse. */
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
	{
		.hook = svcnat_masq_fn,
		.pf = NFPROTO_IPV4,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP_PRI_NAT_SRC,
	},
	{
		.hook = svcnat_nat_fn,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_PRE_ROUTING,
		.priority = NF_IP6_PRI_NAT_DST,
	},
	{
		.hook = svcnat_nat_fn,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_LOCAL_OUT,
		.priority = NF_IP6_PRI_NAT_DST,
	},
	{
		.hook = svcnat_masq_fn,
		.pf = NFPROTO_IPV6,
		.hooknum = NF_INET_POST_ROUTING,
		.priority = NF_IP6_PRI_NAT_SRC,
	},
};

static int svcnat_nat_register(struct net *net, const struct nf_hook_ops *ops)
{
	if (ops->pf == NFPROTO_IPV6)
		return nf_nat_ipv6_register_fn(net, ops);
	return nf_nat_ipv4_register_fn(net, ops);
}

static void svcnat_nat_unregister(struct net *net,
				  const struct nf_hook_ops *ops)
{
	if (ops->pf == NFPROTO_IPV6)
		nf_nat_ipv6_unregister_fn(net, ops);
	else
		nf_nat_ipv4_unregister_fn(net, ops);
}

/**
 * svcnat_hooks_init - module-wide packet path setup
 *
 * Masqueraded connections must go when their interface or address does;
 * the NAT core's notifiers do that.
 *
 * Return: 0 or a negative errno.
 */
int svcnat_hooks_init(void)
{
	return nf_nat_masquerade_inet_register_notifiers();
}

/**
 * svcnat_hooks_uninit - undo svcnat_hooks_init()
 */
void svcnat_hooks_uninit(void)
{
	nf_nat_masquerade_inet_unregister_notifiers();
}

/**
 * svcnat_hooks_register - start translating in a namespace
 * @sn: the namespace state, locked
 *
 * Called when the first service is committed, or a node configuration
 * that acts on traffic no service takes; the hooks stay until the
 * namespace goes away.
 *
 * Return: 0 or a negative errno.
 */
int svcnat_hooks_register(struct svcnat_net *sn)
{
	int i, err;

	/* Conntrack (and defragmentation) for both families. */
	err = nf_ct_netns_get(sn->net, NFPROTO_INET);
	if (err)
		return err;

	for (i = 0; i < ARRAY_SIZE(svcnat_nat_ops); i++) {
		err = svcnat_nat_register(sn->net, &svcnat_nat_ops[i]);
		if (err)
			goto err_unregister_fn;
	}
	sn->hooks = true;
	return 0;

err_unregister_fn:
	while (i--)
		svcnat_nat_unregister(sn->net, &svcnat_nat_ops[i]);
	nf_ct_netns_put(sn->net, NFPROTO_INET);
	return err;
}

/**
 * svcnat_hooks_unregister - stop translating in a namespace
 * @sn: the namespace state
 *
 * Packets may still be in the hooks on return: callers wait for a grace
 * period before freeing what the hooks read (see svcnat_net_pre_exit()).
 */
void svcnat_hooks_unregister(struct svcnat_net *sn)
{
	int i;

	if (!sn->hooks)
		return;
	for (i = ARRAY_SIZE(svcnat_nat_ops) - 1; i >= 0; i--)
		svcnat_nat_unregister(sn->net, &svcnat_nat_ops[i]);
	nf_ct_netns_put(sn->net, NFPROTO_INET);
	sn->hooks = false;
}
