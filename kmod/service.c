// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the per-namespace service table and backend choice.
 *
 * Services sit in an rhashtable keyed by their cluster (address, port,
 * protocol), which configuration changes use. The packet path instead
 * looks destinations up among frontends: every cluster IP, external IP and
 * load-balancer IP of every service in one rhltable, NodePorts in another.
 * Both are read under RCU; writers hold svcnat_net.lock.
 */

#include <linux/percpu.h>
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

/*
 * A list table: a new configuration's frontends are inserted next to the
 * old ones before the commit, so equal keys coexist for a moment.
 */
static const struct rhashtable_params svcnat_fe_params = {
	.key_len = sizeof(struct svcnat_key),
	.key_offset = offsetof(struct svcnat_fe, key),
	.head_offset = offsetof(struct svcnat_fe, node),
	.automatic_shrinking = true,
};

/**
 * svcnat_fes_init - set up the frontend tables of a namespace
 * @sn: the namespace state
 *
 * Return: 0 or a negative errno.
 */
int svcnat_fes_init(struct svcnat_net *sn)
{
	int err;

	err = rhltable_init(&sn->fes, &svcnat_fe_params);
	if (err)
		return err;
	err = rhltable_init(&sn->nodeports, &svcnat_fe_params);
	if (err)
		rhltable_destroy(&sn->fes);
	return err;
}

/**
 * svcnat_fes_uninit - free the frontend tables of a namespace
 * @sn: the namespace state
 *
 * The entries belong to service configurations, freed with the services.
 */
void svcnat_fes_uninit(struct svcnat_net *sn)
{
	rhltable_destroy(&sn->nodeports);
	rhltable_destroy(&sn->fes);
}

static struct rhltable *svcnat_fe_table(struct svcnat_net *sn, bool nodeport)
{
	return nodeport ? &sn->nodeports : &sn->fes;
}

/**
 * svcnat_fe_insert - add a frontend, not yet live, to its table
 * @sn: the namespace state, locked
 * @fe: the frontend
 *
 * Return: 0 or a negative errno.
 */
int svcnat_fe_insert(struct svcnat_net *sn, struct svcnat_fe *fe)
{
	return rhltable_insert(svcnat_fe_table(sn, fe->kind == SVCNAT_FE_NODEPORT),
			       &fe->node, svcnat_fe_params);
}

/**
 * svcnat_fe_remove - take a frontend out of its table
 * @sn: the namespace state, locked
 * @fe: a frontend in its table
 *
 * The caller frees @fe after a grace period.
 */
void svcnat_fe_remove(struct svcnat_net *sn, struct svcnat_fe *fe)
{
	rhltable_remove(svcnat_fe_table(sn, fe->kind == SVCNAT_FE_NODEPORT),
			&fe->node, svcnat_fe_params);
}

/**
 * svcnat_fe_lookup - find the live frontend for a destination
 * @sn: the namespace state
 * @key: fully initialised key; address zero for a NodePort
 * @nodeport: look in the NodePort table
 *
 * Caller holds rcu_read_lock(). Outside a commit at most one service has
 * a live entry per key; during one, old and new entries of two services
 * may both be live for a moment, and either answer is one of the states
 * the commit goes between.
 *
 * Return: the frontend or NULL.
 */
struct svcnat_fe *svcnat_fe_lookup(struct svcnat_net *sn,
				   const struct svcnat_key *key, bool nodeport)
{
	struct rhlist_head *list, *pos;
	struct svcnat_fe *fe;

	list = rhltable_lookup(svcnat_fe_table(sn, nodeport), key,
			       svcnat_fe_params);
	rhl_for_each_entry_rcu(fe, pos, list, node)
		/* Pairs with the release in the commit: the cfg is published. */
		if (smp_load_acquire(&fe->live))
			return fe;
	return NULL;
}

/**
 * svcnat_fe_taken - whether a frontend's key belongs to another service
 * @sn: the namespace state, locked, in the middle of a change
 * @fe: a frontend of a configuration about to be published
 *
 * Another service keeps the key after the change if it has a live entry
 * for it and is not part of the change, or if the change inserted an
 * entry for it (entries are only ever not live during a change).
 *
 * Return: true on a conflict.
 */
bool svcnat_fe_taken(struct svcnat_net *sn, const struct svcnat_fe *fe)
{
	struct rhlist_head *list, *pos;
	struct svcnat_fe *e;
	bool taken = false;

	rcu_read_lock();
	list = rhltable_lookup(svcnat_fe_table(sn, fe->kind == SVCNAT_FE_NODEPORT),
			       &fe->key, svcnat_fe_params);
	rhl_for_each_entry_rcu(e, pos, list, node) {
		if (e->svc == fe->svc)
			continue;
		if (!e->live || !e->svc->stage) {
			taken = true;
			break;
		}
	}
	rcu_read_unlock();
	return taken;
}

/**
 * svcnat_stats_read - sum per-CPU counters
 * @stats: the counters
 * @sum: the sums
 */
void svcnat_stats_read(const struct svcnat_stats __percpu *stats,
		       struct svcnat_counts *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct svcnat_stats *s = per_cpu_ptr(stats, cpu);
		struct svcnat_counts c;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			c.conns = u64_stats_read(&s->conns);
			c.masq = u64_stats_read(&s->masq);
			c.reject_noep = u64_stats_read(&s->reject_noep);
			c.drop_nolocal = u64_stats_read(&s->drop_nolocal);
			c.drop_range = u64_stats_read(&s->drop_range);
			c.reject_port = u64_stats_read(&s->reject_port);
			c.drop_unalloc = u64_stats_read(&s->drop_unalloc);
		} while (u64_stats_fetch_retry(&s->syncp, start));

		sum->conns += c.conns;
		sum->masq += c.masq;
		sum->reject_noep += c.reject_noep;
		sum->drop_nolocal += c.drop_nolocal;
		sum->drop_range += c.drop_range;
		sum->reject_port += c.reject_port;
		sum->drop_unalloc += c.drop_unalloc;
	}
}

static void svcnat_service_free(void *ptr, void *arg)
{
	struct svcnat_service *svc = ptr;

	kvfree(rcu_dereference_protected(svc->cfg, true));
	free_percpu(svc->stats);
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
	return rhashtable_lookup_fast(&sn->services, key, svcnat_service_params);
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
 * svcnat_set_pick - choose a backend for a new connection
 * @cfg: the configuration
 * @set: one of its endpoint sets, with at least one candidate
 *
 * Weighted uniform random choice, like kube-proxy's equal-probability
 * rules with weights on top. Lock-free and allocation-free.
 *
 * Return: the chosen backend.
 */
const struct svcnat_backend *svcnat_set_pick(const struct svcnat_cfg *cfg,
					     const struct svcnat_set *set)
{
	u32 r = get_random_u32_below(set->total);
	u32 lo = 0, hi = set->nr - 1;

	/* First candidate whose running sum exceeds r. */
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (set->pick[mid].cum > r)
			hi = mid;
		else
			lo = mid + 1;
	}
	return &cfg->be[set->pick[lo].idx];
}
