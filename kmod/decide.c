// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: what to do with the first packet of a connection.
 *
 * The decision kube-proxy's rules take, as one function: which service and
 * frontend the destination is, where the packet comes from, which endpoint
 * set applies, whether to masquerade, and the verdict. The packet path and
 * the trace operation both call it, so a trace cannot disagree with what
 * packets do. Lock-free and allocation-free; callers hold rcu_read_lock().
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/svcnat.h>
#include <net/addrconf.h>
#include <net/if_inet6.h>
#include <net/route.h>

#include "svcnat.h"

static const u8 svcnat_fe_frontend[] = {
	[SVCNAT_FE_CLUSTER] = SVCNAT_FRONTEND_CLUSTER_IP,
	[SVCNAT_FE_EXTERNAL] = SVCNAT_FRONTEND_EXTERNAL_IP,
	[SVCNAT_FE_LB] = SVCNAT_FRONTEND_LB_IP,
	[SVCNAT_FE_NODEPORT] = SVCNAT_FRONTEND_NODE_PORT,
};

/* NodePorts answer on local addresses, loopback excluded (rule 13). */
static bool svcnat_nodeport_dst(struct svcnat_net *sn,
				const struct svcnat_node *node,
				const struct svcnat_pkt *pkt)
{
	const union nf_inet_addr *daddr = &pkt->daddr;

	if (!READ_ONCE(sn->nr_nodeports))
		return false;
	if (pkt->family == AF_INET ? ipv4_is_loopback(daddr->ip) :
				     ipv6_addr_loopback(&daddr->in6))
		return false;
	if (node->nodeport_fams & svcnat_fam_bit(pkt->family) &&
	    !svcnat_prefix_match(node->cidrs + node->nr_cluster,
				 node->nr_nodeport, daddr, pkt->family))
		return false;
	/* Per packet, so addresses added later serve too. */
	if (pkt->family == AF_INET6)
		return ipv6_chk_addr(sn->net, &daddr->in6, NULL, 0);
	return inet_addr_type(sn->net, daddr->ip) == RTN_LOCAL;
}

static bool svcnat_dev_addr4_in(struct net_device *dev,
				const struct svcnat_prefix *ranges, u16 nr)
{
	const struct in_ifaddr *ifa;
	union nf_inet_addr a = {};
	struct in_device *idev;

	idev = __in_dev_get_rcu(dev);
	if (!idev)
		return false;
	in_dev_for_each_ifa_rcu(ifa, idev) {
		a.ip = ifa->ifa_local;
		if (svcnat_prefix_match(ranges, nr, &a, AF_INET))
			return true;
	}
	return false;
}

/* The address list of a device is RCU-protected, as addrconf reads it. */
static bool svcnat_dev_addr6_in(struct net_device *dev,
				const struct svcnat_prefix *ranges, u16 nr)
{
	const struct inet6_ifaddr *ifa;
	const struct inet6_dev *idev;
	union nf_inet_addr a;

	idev = __in6_dev_get(dev);
	if (!idev)
		return false;
	list_for_each_entry_rcu(ifa, &idev->addr_list, if_list) {
		a.in6 = ifa->addr;
		if (svcnat_prefix_match(ranges, nr, &a, AF_INET6))
			return true;
	}
	return false;
}

/* Some address of the node, loopback excluded, lies inside the ranges. */
static bool svcnat_node_addr_in(struct net *net,
				const struct svcnat_prefix *ranges, u16 nr,
				u8 family)
{
	struct net_device *dev;

	for_each_netdev_rcu(net, dev) {
		if (dev->flags & IFF_LOOPBACK)
			continue;
		if (family == AF_INET6 ? svcnat_dev_addr6_in(dev, ranges, nr) :
					 svcnat_dev_addr4_in(dev, ranges, nr))
			return true;
	}
	return false;
}

/* Rule 12: the source ranges of a load-balancer IP. */
static bool svcnat_source_allowed(struct svcnat_net *sn,
				  const struct svcnat_spec *spec,
				  const struct svcnat_pkt *pkt)
{
	const struct svcnat_prefix *lbs = spec->items + spec->nr_ext;
	const struct svcnat_prefix *ranges = lbs + spec->nr_lb;

	if (svcnat_prefix_match(ranges, spec->nr_ranges, &pkt->saddr,
				pkt->family))
		return true;
	/* A load balancer sending node traffic back from its own address. */
	return svcnat_prefix_match(lbs, spec->nr_lb, &pkt->saddr, pkt->family) &&
		svcnat_node_addr_in(sn->net, ranges, spec->nr_ranges,
				    pkt->family);
}

/* Rule 5: traffic to service addresses that no service port takes. */
static void svcnat_decide_unmatched(struct svcnat_net *sn,
				    const struct svcnat_node *node,
				    const struct svcnat_pkt *pkt,
				    struct svcnat_decision *d)
{
	struct svcnat_key key = {};

	if (node->unknown_port == SVCNAT_UNKNOWN_PORT_ACCEPT &&
	    node->unallocated == SVCNAT_UNALLOCATED_ACCEPT)
		return;

	/* Every cluster IP has an entry with port and protocol zero. */
	key.addr = pkt->daddr;
	key.family = pkt->family;
	if (svcnat_fe_lookup(sn, &key, false)) {
		if (node->unknown_port == SVCNAT_UNKNOWN_PORT_REJECT) {
			d->verdict = SVCNAT_VERDICT_REJECT;
			d->reason = SVCNAT_REASON_UNKNOWN_PORT;
		}
		return;
	}
	if (node->unallocated == SVCNAT_UNALLOCATED_DROP &&
	    svcnat_prefix_match(node->cidrs + node->nr_cluster +
				node->nr_nodeport, node->nr_svc,
				&pkt->daddr, pkt->family)) {
		d->verdict = SVCNAT_VERDICT_DROP;
		d->reason = SVCNAT_REASON_UNALLOCATED;
	}
}

static void svcnat_masq(struct svcnat_decision *d, u8 reason)
{
	d->masq = true;
	d->masq_reason = reason;
}

/* Rules 6-8 and 10-11: endpoint set and masquerade. */
static const struct svcnat_set *svcnat_decide_set(const struct svcnat_node *node,
						  const struct svcnat_cfg *cfg,
						  u8 kind, u8 family,
						  struct svcnat_decision *d)
{
	const struct svcnat_spec *spec = cfg->spec;
	bool local;

	if (kind == SVCNAT_FE_CLUSTER) {
		local = spec->int_local;
		if (node->masq_all)
			svcnat_masq(d, SVCNAT_MASQ_REASON_MASQUERADE_ALL);
		else if (node->cluster_fams & svcnat_fam_bit(family) &&
			 d->origin != SVCNAT_ORIGIN_POD)
			svcnat_masq(d, SVCNAT_MASQ_REASON_NOT_POD_SOURCE);
	} else if (!spec->ext_local) {
		local = false;
		svcnat_masq(d, SVCNAT_MASQ_REASON_EXTERNAL_CLUSTER);
	} else {
		/* Pods and the node short-circuit to the cluster set. */
		local = d->origin == SVCNAT_ORIGIN_OTHER;
		if (d->origin == SVCNAT_ORIGIN_NODE)
			svcnat_masq(d, SVCNAT_MASQ_REASON_NODE_LOCAL);
	}
	d->set = local ? SVCNAT_ENDPOINT_SET_LOCAL : SVCNAT_ENDPOINT_SET_CLUSTER;
	return local ? &cfg->local : &cfg->cluster;
}

static bool svcnat_set_has(const struct svcnat_cfg *cfg,
			   const struct svcnat_set *set,
			   const union nf_inet_addr *addr)
{
	u32 i;

	for (i = 0; i < set->nr; i++)
		if (nf_inet_addr_cmp(&cfg->be[set->pick[i].idx].addr, addr))
			return true;
	return false;
}

/**
 * svcnat_decide - decide for the first packet of a connection
 * @sn: the namespace state
 * @pkt: the packet
 * @mode: a packet, or a trace; a trace reports whether the source is a
 *	candidate, and chooses a backend only when the choice is
 *	deterministic (one candidate, maglev) unless told to choose
 * @d: the decision
 *
 * Caller holds rcu_read_lock(); the pointers in @d are valid until it
 * drops it, or for as long as the caller also holds &svcnat_net.lock,
 * under which configurations are replaced.
 */
void svcnat_decide(struct svcnat_net *sn, const struct svcnat_pkt *pkt,
		   enum svcnat_decide_mode mode, struct svcnat_decision *d)
{
	const struct svcnat_node *node = rcu_dereference(sn->node);
	struct svcnat_aff *aff = NULL;
	const struct svcnat_set *set;
	const struct svcnat_cfg *cfg;
	struct svcnat_key key = {};
	struct svcnat_fe *fe;

	memset(d, 0, sizeof(*d));
	d->verdict = SVCNAT_VERDICT_ACCEPT;
	d->reason = SVCNAT_REASON_NO_SERVICE;
	if (pkt->local_out)
		d->origin = SVCNAT_ORIGIN_NODE;
	else if (svcnat_prefix_match(node->cidrs, node->nr_cluster,
				     &pkt->saddr, pkt->family))
		d->origin = SVCNAT_ORIGIN_POD;
	else
		d->origin = SVCNAT_ORIGIN_OTHER;

	/* Port 0: a protocol without ports, no service takes it. */
	if (!pkt->dport) {
		svcnat_decide_unmatched(sn, node, pkt, d);
		return;
	}
	key.addr = pkt->daddr;
	key.port = pkt->dport;
	key.proto = pkt->proto;
	key.family = pkt->family;
	fe = svcnat_fe_lookup(sn, &key, false);
	if (!fe && svcnat_nodeport_dst(sn, node, pkt)) {
		memset(&key.addr, 0, sizeof(key.addr));
		fe = svcnat_fe_lookup(sn, &key, true);
	}
	if (!fe) {
		svcnat_decide_unmatched(sn, node, pkt, d);
		return;
	}
	cfg = rcu_dereference(fe->svc->cfg);
	if (!cfg)
		return;
	d->svc = fe->svc;
	d->cfg = cfg;
	d->frontend = svcnat_fe_frontend[fe->kind];

	if (fe->kind == SVCNAT_FE_LB && cfg->spec->nr_ranges &&
	    !svcnat_source_allowed(sn, cfg->spec, pkt)) {
		d->verdict = SVCNAT_VERDICT_DROP;
		d->reason = SVCNAT_REASON_SOURCE_RANGE;
		return;
	}
	/* Rule 4: the local set is never larger than the cluster set. */
	if (!cfg->cluster.nr) {
		d->verdict = SVCNAT_VERDICT_REJECT;
		d->reason = SVCNAT_REASON_NO_ENDPOINTS;
		return;
	}

	set = svcnat_decide_set(node, cfg, fe->kind, pkt->family, d);
	if (!set->nr) {
		d->masq = false;
		d->masq_reason = SVCNAT_MASQ_REASON_NONE;
		d->verdict = SVCNAT_VERDICT_DROP;
		d->reason = SVCNAT_REASON_NO_LOCAL_ENDPOINTS;
		return;
	}
	d->cand = set;
	d->mark = node->mark;
	d->verdict = SVCNAT_VERDICT_DNAT;
	d->reason = SVCNAT_REASON_ENDPOINT;

	/* Rule 16: a client's live entry decides, if still a candidate. */
	if (cfg->spec->affinity == SVCNAT_AFFINITY_CLIENT_IP)
		aff = rcu_dereference(fe->svc->aff);
	if (aff) {
		d->be = svcnat_aff_lookup(aff, cfg, set, pkt,
					  mode != SVCNAT_DECIDE_PACKET);
		d->affinity = !!d->be;
	}

	if (mode != SVCNAT_DECIDE_PACKET) {
		d->hairpin = svcnat_set_has(cfg, set, &pkt->saddr);
		if (!d->be && mode == SVCNAT_DECIDE_TRACE && set->nr > 1 &&
		    cfg->spec->scheduler != SVCNAT_SCHEDULER_MAGLEV)
			return;
	}
	if (!d->be) {
		d->be = svcnat_sched_pick(cfg, set, pkt);
		if (aff && mode == SVCNAT_DECIDE_PACKET)
			svcnat_aff_record(aff, cfg, pkt, d->be);
	}
	/* Rule 9: a backend talking to itself through the service. */
	if (nf_inet_addr_cmp(&d->be->addr, &pkt->saddr)) {
		d->hairpin = true;
		if (!d->masq)
			svcnat_masq(d, SVCNAT_MASQ_REASON_HAIRPIN);
	}
}
