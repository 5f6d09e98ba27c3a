// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the per-namespace service table and backend choice.
 *
 * Services sit in an rhashtable keyed by (address, port, protocol). The
 * packet path only reads it under RCU; writers hold svcnat_net.lock.
 */

#include <linux/random.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>

#include "svcnat.h"

static const struct rhashtable_params svcnat_service_params = {
	.key_len = sizeof(struct svcnat_key),
	.key_offset = offsetof(struct svcnat_service, key),
	.head_offset = offsetof(struct svcnat_service, node),
	.automatic_shrinking = true,
};

/**
 * svcnat_services_init - set up the service table of a namespace
 * @sn: the namespace state
 *
 * Return: 0 or a negative errno.
 */
int svcnat_services_init(struct svcnat_net *sn)
{
	return rhashtable_init(&sn->services, &svcnat_service_params);
}

static void svcnat_service_free(void *ptr, void *arg)
{
	struct svcnat_service *svc = ptr;

	kvfree(rcu_dereference_protected(svc->cfg, true));
	kfree(svc);
}

/**
 * svcnat_services_uninit - free every service of a namespace
 * @sn: the namespace state, its hooks already unregistered
 */
void svcnat_services_uninit(struct svcnat_net *sn)
{
	rhashtable_free_and_destroy(&sn->services, svcnat_service_free, NULL);
	sn->nr_services = 0;
}

/**
 * svcnat_service_lookup - find a service by key
 * @sn: the namespace state
 * @key: fully initialised key
 *
 * Caller holds rcu_read_lock() or @sn->lock.
 *
 * Return: the service or NULL.
 */
struct svcnat_service *svcnat_service_lookup(struct svcnat_net *sn,
					     const struct svcnat_key *key)
{
	return rhashtable_lookup(&sn->services, key, svcnat_service_params);
}

/**
 * svcnat_service_insert - add a service to the table
 * @sn: the namespace state, locked
 * @svc: the new service, @svc->cfg still NULL
 *
 * Return: 0 or a negative errno.
 */
int svcnat_service_insert(struct svcnat_net *sn, struct svcnat_service *svc)
{
	return rhashtable_insert_fast(&sn->services, &svc->node,
				      svcnat_service_params);
}

/**
 * svcnat_service_remove - take a service out of the table
 * @sn: the namespace state, locked
 * @svc: a service in the table
 *
 * The caller frees @svc after a grace period.
 */
void svcnat_service_remove(struct svcnat_net *sn, struct svcnat_service *svc)
{
	rhashtable_remove_fast(&sn->services, &svc->node,
			       svcnat_service_params);
}

/**
 * svcnat_cfg_pick - choose a backend for a new connection
 * @cfg: a configuration with at least one candidate
 *
 * Weighted uniform random choice, like kube-proxy's equal-probability
 * rules with weights on top. Lock-free and allocation-free.
 *
 * Return: the chosen backend.
 */
const struct svcnat_backend *svcnat_cfg_pick(const struct svcnat_cfg *cfg)
{
	u32 r = get_random_u32_below(cfg->total);
	u32 lo = 0, hi = cfg->nr_pick - 1;

	/* First candidate whose running sum exceeds r. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (cfg->pick[mid].cum > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &cfg->be[cfg->pick[lo].idx];
}
