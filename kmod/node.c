// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the node configuration of a namespace.
 *
 * What kube-proxy learns from its flags and the Node object: the cluster
 * CIDRs that tell pods apart, which node addresses serve NodePorts, how
 * masquerading is done and what happens to traffic no service takes. One
 * immutable object per namespace, replaced as a whole under RCU.
 */

#include <linux/inetdevice.h>
#include <linux/netdevice.h>
#include <linux/slab.h>
#include <linux/svcnat.h>
#include <net/ipv6.h>

#include "svcnat.h"

/* kube-proxy's defaults; never freed, shared by every namespace. */
const struct svcnat_node svcnat_node_default = {
	.mark = SVCNAT_MASQ_MARK_DEFAULT,
	.masq_mode = SVCNAT_MASQ_MODE_SNAT,
	.unknown_port = SVCNAT_UNKNOWN_PORT_ACCEPT,
	.unallocated = SVCNAT_UNALLOCATED_ACCEPT,
};

static void svcnat_node_free(struct svcnat_node *node)
{
	if (node != &svcnat_node_default)
		kfree_rcu(node, rcu);
}

/**
 * svcnat_node_init - give a namespace the default node configuration
 * @sn: the namespace state
 *
 * Return: 0 or a negative errno.
 */
int svcnat_node_init(struct svcnat_net *sn)
{
	sn->stats = __netdev_alloc_pcpu_stats(struct svcnat_stats,
					      GFP_KERNEL_ACCOUNT);
	if (!sn->stats)
		return -ENOMEM;
	/* The default is const; it is only ever read through this pointer. */
	RCU_INIT_POINTER(sn->node, (struct svcnat_node *)&svcnat_node_default);
	return 0;
}

/**
 * svcnat_node_uninit - free the node configuration of a namespace
 * @sn: the namespace state, its hooks already unregistered
 */
void svcnat_node_uninit(struct svcnat_net *sn)
{
	svcnat_node_free(rcu_dereference_protected(sn->node, true));
	free_percpu(sn->stats);
}

/**
 * svcnat_prefix_set_mask - derive the netmask of a prefix from its length
 * @p: the prefix, its length and family set
 *
 * The netmask of an IPv4 prefix is in the first word, the others zero.
 */
void svcnat_prefix_set_mask(struct svcnat_prefix *p)
{
	int i, bits;

	memset(&p->mask, 0, sizeof(p->mask));
	if (p->family == AF_INET) {
		p->mask.ip = inet_make_mask(p->len);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(p->mask.ip6); i++) {
		bits = clamp_t(int, p->len - 32 * i, 0, 32);
		if (bits)
			p->mask.ip6[i] = htonl(~0U << (32 - bits));
	}
}

/* Derive every mask from its length, whoever filled the prefix in. */
static void svcnat_prefixes_fix(struct svcnat_prefix *p, u32 nr)
{
	u32 i;
	int j;

	for (i = 0; i < nr; i++) {
		svcnat_prefix_set_mask(&p[i]);
		for (j = 0; j < ARRAY_SIZE(p[i].addr.ip6); j++)
			p[i].addr.ip6[j] &= p[i].mask.ip6[j];
	}
}

/**
 * svcnat_node_set - replace the node configuration of a namespace
 * @sn: the namespace state, not locked
 * @node: the new configuration, checked; svcnat owns it on success
 * @extack: error reporting
 *
 * Rejecting or dropping traffic that no service takes needs the hooks even
 * before the first service exists.
 *
 * Return: 0, or a negative errno and nothing changed.
 */
int svcnat_node_set(struct svcnat_net *sn, struct svcnat_node *node,
		    struct netlink_ext_ack *extack)
{
	struct svcnat_node *old;
	int err = 0;
	u16 i;

	svcnat_prefixes_fix(node->cidrs, node->nr_cluster + node->nr_nodeport +
			    node->nr_svc);
	for (i = 0; i < node->nr_cluster; i++)
		node->cluster_fams |= svcnat_fam_bit(node->cidrs[i].family);
	for (; i < node->nr_cluster + node->nr_nodeport; i++)
		node->nodeport_fams |= svcnat_fam_bit(node->cidrs[i].family);

	mutex_lock(&sn->lock);
	if (!sn->hooks &&
	    (node->unknown_port != SVCNAT_UNKNOWN_PORT_ACCEPT ||
	     node->unallocated != SVCNAT_UNALLOCATED_ACCEPT)) {
		err = svcnat_hooks_register(sn);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "cannot register the netfilter hooks");
			goto out_unlock;
		}
	}
	old = rcu_replace_pointer(sn->node, node, lockdep_is_held(&sn->lock));
	svcnat_node_free(old);
	/* A dump in progress sees the change. */
	smp_store_release(&sn->gen, sn->gen + 1 ?: 1);
out_unlock:
	mutex_unlock(&sn->lock);
	return err;
}

/**
 * svcnat_prefix_match - whether an address is inside one of some prefixes
 * @p: the prefixes
 * @nr: how many
 * @addr: the address
 * @family: its family
 *
 * Return: true if some prefix of @family contains @addr.
 */
bool svcnat_prefix_match(const struct svcnat_prefix *p, u16 nr,
			 const union nf_inet_addr *addr, u8 family)
{
	u16 i;

	for (i = 0; i < nr; i++) {
		if (p[i].family != family)
			continue;
		if (family == AF_INET ?
		    !((addr->ip ^ p[i].addr.ip) & p[i].mask.ip) :
		    !ipv6_masked_addr_cmp(&p[i].addr.in6, &p[i].mask.in6,
					  &addr->in6))
			return true;
	}
	return false;
}
