// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: applying configuration changes all-or-nothing.
 *
 * A change is a list of operations. They are applied in order to a staged
 * copy of each service they touch; new services are inserted into the
 * table with no configuration, which the packet path ignores. Only when
 * every operation succeeded and every new configuration is allocated are
 * the configurations published, a step that cannot fail. Otherwise the
 * stages are dropped and the table is as it was.
 */

#include <linux/gcd.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/overflow.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/svcnat.h>

#include "svcnat.h"

#define SVCNAT_DEFAULT_FLAGS \
	(SVCNAT_BACKEND_FLAGS_READY | SVCNAT_BACKEND_FLAGS_SERVING)

/**
 * struct svcnat_stage - a service as the change so far leaves it
 * @list: link in &svcnat_change.stages
 * @svc: the service
 * @exists: the service exists after the operations applied so far
 * @fresh: the change created @svc, nothing was published for it yet
 * @name: name, NULL for none
 * @spec: frontends and policies, NULL for the defaults
 * @nr: backends in @be
 * @cap: room in @be
 * @be: backends
 * @cfg: configuration built for publishing
 * @aff: affinity table for a service that turns affinity on
 * @nr_linked: frontends of @cfg inserted in the lookup tables so far
 * @last_op: index of the last operation that touched the service
 * @flush_conns: an operation of the change on the service asked for
 *	flush-conns
 */
struct svcnat_stage {
	struct list_head list;
	struct svcnat_service *svc;
	bool exists;
	bool fresh;
	char *name;
	struct svcnat_spec *spec;
	u32 nr;
	u32 cap;
	struct svcnat_backend *be;
	struct svcnat_cfg *cfg;
	struct svcnat_aff *aff;
	u32 nr_linked;
	u32 last_op;
	bool flush_conns;
};

/* What a service without frontends beyond its cluster IP has. */
static const struct svcnat_spec svcnat_spec_none;

/**
 * struct svcnat_change - a change being applied
 * @sn: the namespace state
 * @stages: the services it touches
 * @delta: services added less services deleted
 * @idx: index of the operation being applied
 * @failed: operation to blame when preparing fails
 * @ct: conntrack entries the change makes stale
 */
struct svcnat_change {
	struct svcnat_net *sn;
	struct list_head stages;
	int delta;
	u32 idx;
	u32 failed;
	struct svcnat_ct ct;
};

static struct svcnat_cfg *svcnat_cfg_get(struct svcnat_net *sn,
					 struct svcnat_service *svc)
{
	return rcu_dereference_protected(svc->cfg, lockdep_is_held(&sn->lock));
}

static int svcnat_stage_reserve(struct svcnat_stage *st, u32 nr)
{
	struct svcnat_backend *be;
	u32 cap;

	if (nr <= st->cap)
		return 0;
	cap = max3(nr, 2 * st->cap, 4U);
	be = kvmalloc_array(cap, sizeof(*be), GFP_KERNEL_ACCOUNT);
	if (!be)
		return -ENOMEM;
	if (st->nr)
		memcpy(be, st->be, st->nr * sizeof(*be));
	kvfree(st->be);
	st->be = be;
	st->cap = cap;
	return 0;
}

static void svcnat_stage_free(struct svcnat_stage *st)
{
	st->svc->stage = NULL;
	list_del(&st->list);
	svcnat_aff_free(st->aff);
	kvfree(st->be);
	kfree(st->name);
	kfree(st->spec);
	kfree(st);
}

static struct svcnat_stage *svcnat_stage_get(struct svcnat_change *ch,
					     struct svcnat_service *svc)
{
	struct svcnat_cfg *cfg = svcnat_cfg_get(ch->sn, svc);
	struct svcnat_stage *st = svc->stage;

	if (st) {
		st->last_op = ch->idx;
		return st;
	}

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->svc = svc;
	st->last_op = ch->idx;
	svc->stage = st;
	list_add_tail(&st->list, &ch->stages);
	if (!cfg)
		return st;

	st->exists = true;
	if (cfg->name[0]) {
		st->name = kstrdup(cfg->name, GFP_KERNEL_ACCOUNT);
		if (!st->name)
			goto err_free_stage;
	}
	st->spec = kmemdup(cfg->spec, svcnat_spec_size(cfg->spec),
			   GFP_KERNEL_ACCOUNT);
	if (!st->spec)
		goto err_free_stage;
	if (svcnat_stage_reserve(st, cfg->nr))
		goto err_free_stage;
	if (cfg->nr)
		memcpy(st->be, cfg->be, cfg->nr * sizeof(*st->be));
	st->nr = cfg->nr;
	return st;

err_free_stage:
	svcnat_stage_free(st);
	return ERR_PTR(-ENOMEM);
}

static int svcnat_stage_find(const struct svcnat_stage *st,
			     const struct svcnat_backend *be)
{
	u32 i;

	for (i = 0; i < st->nr; i++)
		if (st->be[i].port == be->port &&
		    nf_inet_addr_cmp(&st->be[i].addr, &be->addr))
			return i;
	return -1;
}

static void svcnat_be_update(struct svcnat_backend *dst,
			     const struct svcnat_op_be *src)
{
	if (src->has_weight)
		dst->weight = src->be.weight;
	if (src->has_flags)
		dst->flags = src->be.flags;
}

static void svcnat_be_init(struct svcnat_backend *dst,
			   const struct svcnat_op_be *src)
{
	dst->addr = src->be.addr;
	dst->port = src->be.port;
	dst->weight = 1;
	dst->flags = SVCNAT_DEFAULT_FLAGS;
	svcnat_be_update(dst, src);
}

static int svcnat_stage_set_backends(struct svcnat_stage *st,
				     const struct svcnat_op *op)
{
	u32 i;

	if (svcnat_stage_reserve(st, op->nr_be))
		return -ENOMEM;
	for (i = 0; i < op->nr_be; i++)
		svcnat_be_init(&st->be[i], &op->be[i]);
	st->nr = op->nr_be;
	return 0;
}

static int svcnat_stage_set_name(struct svcnat_stage *st, const char *name)
{
	char *copy = NULL;

	if (name[0]) {
		copy = kstrdup(name, GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
	}
	kfree(st->name);
	st->name = copy;
	return 0;
}

static int svcnat_stage_set_spec(struct svcnat_stage *st,
				 const struct svcnat_spec *spec)
{
	struct svcnat_spec *copy = NULL;

	if (spec) {
		copy = kmemdup(spec, svcnat_spec_size(spec), GFP_KERNEL_ACCOUNT);
		if (!copy)
			return -ENOMEM;
	}
	kfree(st->spec);
	st->spec = copy;
	return 0;
}

/* service-new and service-set give the whole service, name included. */
static int svcnat_stage_set_service(struct svcnat_stage *st,
				    const struct svcnat_op *op)
{
	int err;

	err = svcnat_stage_set_name(st, op->name ?: "");
	if (!err)
		err = svcnat_stage_set_spec(st, op->spec);
	return err;
}

static int svcnat_stage_create(struct svcnat_change *ch,
			       struct svcnat_stage *st,
			       struct netlink_ext_ack *extack)
{
	struct svcnat_net *sn = ch->sn;

	if (sn->nr_services + ch->delta >= svcnat_max_services) {
		NL_SET_ERR_MSG(extack,
			       "too many services in this namespace (max_services)");
		return -ENOSPC;
	}
	st->exists = true;
	ch->delta++;
	return 0;
}

static void svcnat_stage_delete(struct svcnat_change *ch,
				struct svcnat_stage *st)
{
	st->exists = false;
	st->nr = 0;
	kfree(st->name);
	st->name = NULL;
	kfree(st->spec);
	st->spec = NULL;
	ch->delta--;
}

static struct svcnat_service *svcnat_service_new(struct svcnat_net *sn,
						 const struct svcnat_key *key)
{
	struct svcnat_service *svc;
	int err;

	svc = kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return ERR_PTR(-ENOMEM);
	svc->key = *key;

	svc->stats = __netdev_alloc_pcpu_stats(struct svcnat_stats,
					       GFP_KERNEL_ACCOUNT);
	if (!svc->stats) {
		err = -ENOMEM;
		goto err_free_svc;
	}

	err = xa_alloc(&sn->ids, &svc->id, svc, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free_stats;

	err = svcnat_service_insert(sn, svc);
	if (err)
		goto err_erase_id;

	return svc;

err_erase_id:
	xa_erase(&sn->ids, svc->id);
err_free_stats:
	free_percpu(svc->stats);
err_free_svc:
	kfree(svc);
	return ERR_PTR(err);
}

static void svcnat_service_free_rcu(struct rcu_head *rcu)
{
	struct svcnat_service *svc = container_of(rcu, struct svcnat_service,
						  rcu);

	free_percpu(svc->stats);
	kfree(svc);
}

/* Take the first @nr frontends of a configuration out of the tables. */
static void svcnat_cfg_unlink(struct svcnat_net *sn, struct svcnat_cfg *cfg,
			      u32 nr)
{
	u32 i;

	for (i = 0; i < nr; i++) {
		if (cfg->fe[i].kind == SVCNAT_FE_NODEPORT && cfg->fe[i].live)
			WRITE_ONCE(sn->nr_nodeports, sn->nr_nodeports - 1);
		svcnat_fe_remove(sn, &cfg->fe[i]);
	}
}

/* Take a service out of every index and free it once readers are done. */
static void svcnat_service_drop(struct svcnat_net *sn,
				struct svcnat_service *svc)
{
	struct svcnat_cfg *cfg = svcnat_cfg_get(sn, svc);

	if (cfg)
		svcnat_cfg_unlink(sn, cfg, cfg->nr_fe);
	svcnat_aff_detach(sn, svc);
	svcnat_service_remove(sn, svc);
	xa_erase(&sn->ids, svc->id);
	if (cfg)
		kvfree_rcu(cfg, rcu);
	call_rcu(&svc->rcu, svcnat_service_free_rcu);
}

static int svcnat_op_service_new(struct svcnat_change *ch,
				 const struct svcnat_op *op,
				 struct netlink_ext_ack *extack)
{
	struct svcnat_service *svc;
	struct svcnat_stage *st;
	bool fresh = false;
	int err;

	svc = svcnat_service_lookup(ch->sn, &op->key);
	if (!svc) {
		svc = svcnat_service_new(ch->sn, &op->key);
		if (IS_ERR(svc))
			return PTR_ERR(svc);
		fresh = true;
	}

	st = svcnat_stage_get(ch, svc);
	if (IS_ERR(st)) {
		if (fresh)
			svcnat_service_drop(ch->sn, svc);
		return PTR_ERR(st);
	}
	st->fresh |= fresh;

	if (st->exists) {
		NL_SET_ERR_MSG(extack, "service already exists");
		return -EEXIST;
	}
	err = svcnat_stage_create(ch, st, extack);
	if (err)
		return err;
	err = svcnat_stage_set_backends(st, op);
	if (!err)
		err = svcnat_stage_set_service(st, op);
	return err;
}

static int svcnat_op_flush(struct svcnat_change *ch)
{
	struct svcnat_service *svc;
	struct svcnat_stage *st;
	unsigned long id;

	xa_for_each(&ch->sn->ids, id, svc) {
		st = svcnat_stage_get(ch, svc);
		if (IS_ERR(st))
			return PTR_ERR(st);
		if (st->exists)
			svcnat_stage_delete(ch, st);
	}
	return 0;
}

static int svcnat_op_backend(struct svcnat_stage *st,
			     const struct svcnat_op *op,
			     struct netlink_ext_ack *extack)
{
	const struct svcnat_op_be *obe = &op->be[0];
	int i = svcnat_stage_find(st, &obe->be);

	if (op->cmd == SVCNAT_CMD_BACKEND_NEW) {
		if (i >= 0) {
			NL_SET_ERR_MSG(extack, "backend already exists");
			return -EEXIST;
		}
		if (st->nr >= svcnat_max_backends) {
			NL_SET_ERR_MSG(extack,
				       "too many backends in this service (max_backends)");
			return -ENOSPC;
		}
		if (svcnat_stage_reserve(st, st->nr + 1))
			return -ENOMEM;
		svcnat_be_init(&st->be[st->nr++], obe);
		return 0;
	}

	if (i < 0) {
		NL_SET_ERR_MSG(extack, "backend not found");
		return -ENOENT;
	}
	if (op->cmd == SVCNAT_CMD_BACKEND_SET) {
		svcnat_be_update(&st->be[i], obe);
		return 0;
	}
	/* Delete, keeping the user's order of the others. */
	memmove(&st->be[i], &st->be[i + 1], (st->nr - i - 1) * sizeof(*st->be));
	st->nr--;
	return 0;
}

static int svcnat_op_apply(struct svcnat_change *ch, const struct svcnat_op *op,
			   struct netlink_ext_ack *extack)
{
	struct svcnat_service *svc;
	struct svcnat_stage *st;

	switch (op->cmd) {
	case SVCNAT_CMD_FLUSH:
		return svcnat_op_flush(ch);
	case SVCNAT_CMD_SERVICE_NEW:
		return svcnat_op_service_new(ch, op, extack);
	}

	svc = svcnat_service_lookup(ch->sn, &op->key);
	st = svc ? svcnat_stage_get(ch, svc) : NULL;
	if (IS_ERR(st))
		return PTR_ERR(st);
	if (!st || !st->exists) {
		NL_SET_ERR_MSG(extack, "service not found");
		return -ENOENT;
	}

	/* For the whole change of the service: see svcnat_change_ct(). */
	st->flush_conns |= op->flush_conns;
	switch (op->cmd) {
	case SVCNAT_CMD_SERVICE_SET:
		return svcnat_stage_set_service(st, op);
	case SVCNAT_CMD_SERVICE_DEL:
		svcnat_stage_delete(ch, st);
		return 0;
	case SVCNAT_CMD_BACKEND_REPLACE:
		return svcnat_stage_set_backends(st, op);
	case SVCNAT_CMD_BACKEND_NEW:
	case SVCNAT_CMD_BACKEND_SET:
	case SVCNAT_CMD_BACKEND_DEL:
		return svcnat_op_backend(st, op, extack);
	}
	NL_SET_ERR_MSG(extack, "unknown operation");
	return -EOPNOTSUPP;
}

/*
 * Endpoint sets (rules 1-3): ready endpoints, or serving and terminating
 * ones when none is ready; never terminating and not serving ones. The
 * local set applies the same to local endpoints only. Backends of weight 0
 * take no new connections and count as not ready.
 */
static bool svcnat_be_candidate(const struct svcnat_backend *be, bool any_ready)
{
	u32 want = any_ready ? SVCNAT_BACKEND_FLAGS_READY :
		SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING;

	return be->weight && (be->flags & want) == want;
}

static bool svcnat_be_local(const struct svcnat_backend *be)
{
	return be->flags & SVCNAT_BACKEND_FLAGS_LOCAL;
}

/*
 * Fill a set's candidates when it has room for them (@set->pick), else
 * just count them; either way size its scheduler table.
 */
static u32 svcnat_set_fill(struct svcnat_set *set, const struct svcnat_stage *st,
			   const struct svcnat_spec *spec, bool local)
{
	bool any_ready = false;
	u32 i, g = 0;

	/* A backend of weight 0 takes no new connection: not ready for them. */
	for (i = 0; i < st->nr; i++)
		if ((st->be[i].flags & SVCNAT_BACKEND_FLAGS_READY) &&
		    st->be[i].weight && (!local || svcnat_be_local(&st->be[i])))
			any_ready = true;

	set->nr = 0;
	set->total = 0;
	for (i = 0; i < st->nr; i++) {
		if (!svcnat_be_candidate(&st->be[i], any_ready) ||
		    (local && !svcnat_be_local(&st->be[i])))
			continue;
		set->total += st->be[i].weight;
		g = gcd(g, st->be[i].weight);
		if (set->pick) {
			set->pick[set->nr].cum = set->total;
			set->pick[set->nr].idx = i;
		}
		set->nr++;
	}
	/* Only a Local policy ever chooses from the local set. */
	if (local && !spec->ext_local && !spec->int_local)
		set->len = 0;
	else
		set->len = svcnat_sched_len(spec, st->nr, set, g);
	return set->nr;
}

static void svcnat_fe_init(struct svcnat_fe *fe, struct svcnat_service *svc,
			   u8 kind, const union nf_inet_addr *addr)
{
	memset(fe, 0, sizeof(*fe));
	fe->svc = svc;
	fe->kind = kind;
	fe->key.family = svc->key.family;
	if (addr)
		fe->key.addr = *addr;
	if (kind != SVCNAT_FE_ADDR) {
		fe->key.port = svc->key.port;
		fe->key.proto = svc->key.proto;
	}
}

/* The lookup table entries of every frontend; @fe[0] is the cluster IP. */
static void svcnat_cfg_fill_fes(struct svcnat_cfg *cfg,
				struct svcnat_service *svc)
{
	const struct svcnat_spec *spec = cfg->spec;
	struct svcnat_fe *fe = cfg->fe;
	u32 i;

	svcnat_fe_init(fe++, svc, SVCNAT_FE_CLUSTER, &svc->key.addr);
	svcnat_fe_init(fe++, svc, SVCNAT_FE_ADDR, &svc->key.addr);
	for (i = 0; i < spec->nr_ext + spec->nr_lb; i++)
		svcnat_fe_init(fe++, svc, i < spec->nr_ext ? SVCNAT_FE_EXTERNAL :
			       SVCNAT_FE_LB, &spec->items[i].addr);
	if (spec->node_port) {
		svcnat_fe_init(fe, svc, SVCNAT_FE_NODEPORT, NULL);
		fe->key.port = spec->node_port;
	}
}

static struct svcnat_cfg *svcnat_cfg_build(const struct svcnat_stage *st)
{
	size_t size, fe_off, pick_off, next_off, spec_off, tab_off, name_off;
	const struct svcnat_spec *spec = st->spec ?: &svcnat_spec_none;
	struct svcnat_set cluster = {}, local = {};
	const char *name = st->name ?: "";
	struct svcnat_spec *spec_copy;
	struct svcnat_cfg *cfg;
	u32 nr_fe;

	nr_fe = 2 + spec->nr_ext + spec->nr_lb + (spec->node_port ? 1 : 0);
	svcnat_set_fill(&cluster, st, spec, false);
	svcnat_set_fill(&local, st, spec, true);

	/*
	 * One allocation: header, backends, frontends, sets, rr positions,
	 * spec, scheduler tables, name.
	 */
	fe_off = ALIGN(struct_size(cfg, be, st->nr), __alignof__(struct svcnat_fe));
	pick_off = size_add(fe_off, array_size(nr_fe, sizeof(struct svcnat_fe)));
	next_off = ALIGN(size_add(pick_off,
				  array_size(cluster.nr + local.nr,
					     sizeof(struct svcnat_pick))),
			 __alignof__(atomic_long_t));
	spec_off = size_add(next_off, 2 * sizeof(atomic_long_t));
	tab_off = size_add(spec_off, svcnat_spec_size(spec));
	name_off = size_add(tab_off, array_size((size_t)cluster.len + local.len,
						sizeof(u16)));
	size = size_add(name_off, strlen(name) + 1);
	cfg = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return ERR_PTR(-ENOMEM);

	cfg->nr = st->nr;
	if (st->nr)
		memcpy(cfg->be, st->be, st->nr * sizeof(*cfg->be));
	cfg->cluster.pick = (struct svcnat_pick *)((char *)cfg + pick_off);
	cfg->local.pick = cfg->cluster.pick + cluster.nr;
	svcnat_set_fill(&cfg->cluster, st, spec, false);
	svcnat_set_fill(&cfg->local, st, spec, true);

	spec_copy = (struct svcnat_spec *)((char *)cfg + spec_off);
	memcpy(spec_copy, spec, svcnat_spec_size(spec));
	cfg->spec = spec_copy;
	cfg->name = (char *)cfg + name_off;
	memcpy((char *)cfg->name, name, strlen(name) + 1);

	cfg->cluster.next = (atomic_long_t *)((char *)cfg + next_off);
	cfg->local.next = cfg->cluster.next + 1;
	cfg->cluster.tab = (u16 *)((char *)cfg + tab_off);
	cfg->local.tab = cfg->cluster.tab + cluster.len;
	if (svcnat_sched_build(cfg, &cfg->cluster) ||
	    svcnat_sched_build(cfg, &cfg->local)) {
		kvfree(cfg);
		return ERR_PTR(-ENOMEM);
	}

	cfg->fe = (struct svcnat_fe *)((char *)cfg + fe_off);
	cfg->nr_fe = nr_fe;
	svcnat_cfg_fill_fes(cfg, st->svc);
	return cfg;
}

static void svcnat_change_rollback(struct svcnat_change *ch)
{
	struct svcnat_stage *st, *tmp;

	list_for_each_entry_safe(st, tmp, &ch->stages, list) {
		struct svcnat_service *svc = st->svc;
		bool fresh = st->fresh;

		if (st->cfg && st->nr_linked) {
			/* Readers may be walking past the entries. */
			svcnat_cfg_unlink(ch->sn, st->cfg, st->nr_linked);
			kvfree_rcu(st->cfg, rcu);
		} else {
			kvfree(st->cfg);
		}
		svcnat_stage_free(st);
		if (fresh)
			svcnat_service_drop(ch->sn, svc);
	}
	svcnat_ct_free(&ch->ct);
}

/*
 * Rule 19: note, per service, the backends that stop being candidates and
 * whether the service gets its first one, for svcnat_ct_flush() after the
 * commit. flush-conns on any operation of the change on a TCP service
 * applies to every backend that service loses in the change.
 */
static int svcnat_change_ct(struct svcnat_change *ch)
{
	struct svcnat_stage *st;
	int err;

	list_for_each_entry(st, &ch->stages, list) {
		err = svcnat_ct_add(&ch->ct, &st->svc->key,
				    svcnat_cfg_get(ch->sn, st->svc), st->cfg,
				    st->flush_conns);
		if (err)
			return err;
		cond_resched();
	}
	return 0;
}

static int svcnat_change_prepare(struct svcnat_change *ch,
				 struct netlink_ext_ack *extack)
{
	struct svcnat_net *sn = ch->sn;
	struct svcnat_stage *st;
	int err;

	list_for_each_entry(st, &ch->stages, list) {
		struct svcnat_cfg *cfg;

		if (!st->exists)
			continue;
		err = svcnat_sched_check(st->spec ?: &svcnat_spec_none, st->nr,
					 extack);
		if (err) {
			ch->failed = st->last_op;
			return err;
		}
		cfg = svcnat_cfg_build(st);
		if (IS_ERR(cfg))
			return PTR_ERR(cfg);
		st->cfg = cfg;
		/* Preallocated: the packet path never allocates entries. */
		if (st->cfg->spec->affinity == SVCNAT_AFFINITY_CLIENT_IP &&
		    !rcu_access_pointer(st->svc->aff)) {
			st->aff = svcnat_aff_alloc();
			if (!st->aff) {
				ch->failed = st->last_op;
				return -ENOMEM;
			}
		}
	}

	/* New frontends go in the tables, not live yet, next to the old. */
	list_for_each_entry(st, &ch->stages, list) {
		if (!st->cfg)
			continue;
		for (; st->nr_linked < st->cfg->nr_fe; st->nr_linked++) {
			err = svcnat_fe_insert(sn, &st->cfg->fe[st->nr_linked]);
			if (err) {
				ch->failed = st->last_op;
				NL_SET_ERR_MSG(extack,
					       "cannot add the frontends to the lookup tables");
				return err;
			}
		}
	}
	list_for_each_entry(st, &ch->stages, list) {
		u32 i;

		if (!st->cfg)
			continue;
		for (i = 0; i < st->cfg->nr_fe; i++) {
			if (st->cfg->fe[i].kind == SVCNAT_FE_ADDR ||
			    !svcnat_fe_taken(sn, &st->cfg->fe[i]))
				continue;
			ch->failed = st->last_op;
			NL_SET_ERR_MSG(extack,
				       "frontend already used by another service");
			return -EADDRINUSE;
		}
	}

	err = svcnat_change_ct(ch);
	if (err)
		return err;

	if (!sn->hooks && sn->nr_services + ch->delta > 0) {
		err = svcnat_hooks_register(sn);
		if (err) {
			NL_SET_ERR_MSG(extack,
				       "cannot register the netfilter hooks");
			return err;
		}
	}
	return 0;
}

/*
 * Affinity follows the published configuration: a new table is attached,
 * turning affinity off frees the table, and otherwise the entries whose
 * backend is in neither set any more are forgotten (rule 16: a client
 * moves). Changing only the timeout keeps the entries.
 */
static void svcnat_stage_commit_aff(struct svcnat_net *sn,
				    struct svcnat_stage *st,
				    const struct svcnat_cfg *old)
{
	const struct svcnat_cfg *cfg = st->cfg;
	struct svcnat_aff *aff;

	if (cfg->spec->affinity != SVCNAT_AFFINITY_CLIENT_IP) {
		svcnat_aff_detach(sn, st->svc);
		return;
	}
	if (st->aff) {
		svcnat_aff_attach(sn, st->svc, st->aff);
		st->aff = NULL;
		return;
	}
	aff = rcu_dereference_protected(st->svc->aff,
					lockdep_is_held(&sn->lock));
	if (!old || (old->nr == cfg->nr &&
		     !memcmp(old->be, cfg->be, cfg->nr * sizeof(*cfg->be))))
		return;
	svcnat_aff_forget(aff, cfg);
}

/* Publish every stage; nothing here can fail. */
static void svcnat_change_commit(struct svcnat_change *ch)
{
	struct svcnat_net *sn = ch->sn;
	struct svcnat_stage *st, *tmp;
	struct svcnat_cfg *old;

	list_for_each_entry_safe(st, tmp, &ch->stages, list) {
		struct svcnat_service *svc = st->svc;
		u32 i;

		if (st->exists) {
			old = rcu_replace_pointer(svc->cfg, st->cfg,
						  lockdep_is_held(&sn->lock));
			for (i = 0; i < st->cfg->nr_fe; i++) {
				if (st->cfg->fe[i].kind == SVCNAT_FE_NODEPORT)
					WRITE_ONCE(sn->nr_nodeports,
						   sn->nr_nodeports + 1);
				/* Pairs with svcnat_fe_lookup(): cfg first. */
				smp_store_release(&st->cfg->fe[i].live, true);
			}
			svcnat_stage_commit_aff(sn, st, old);
			if (old) {
				svcnat_cfg_unlink(sn, old, old->nr_fe);
				kvfree_rcu(old, rcu);
			}
			svcnat_stage_free(st);
		} else {
			svcnat_stage_free(st);
			svcnat_service_drop(sn, svc);
		}
	}
	sn->nr_services += ch->delta;
	/* Pairs with the acquire in dumps: a new generation means new data. */
	smp_store_release(&sn->gen, sn->gen + 1 ?: 1);
}

/**
 * svcnat_apply - apply a list of operations all-or-nothing
 * @sn: the namespace state, locked
 * @ops: the operations, in order (not freed)
 * @failed: set to the index of the failing operation on error
 * @extack: error reporting
 *
 * Return: 0 when every operation was applied and published, else a
 * negative errno and the configuration is unchanged.
 */
int svcnat_apply(struct svcnat_net *sn, struct list_head *ops, u32 *failed,
		 struct netlink_ext_ack *extack)
{
	struct svcnat_change ch = {
		.sn = sn,
		.stages = LIST_HEAD_INIT(ch.stages),
	};
	struct svcnat_op *op;
	u32 idx = 0;
	int err;

	lockdep_assert_held(&sn->lock);

	list_for_each_entry(op, ops, list) {
		ch.idx = idx;
		err = svcnat_op_apply(&ch, op, extack);
		if (err) {
			*failed = idx;
			goto err_rollback;
		}
		idx++;
		cond_resched();
	}

	/* Unless a service is to blame, the change as a whole is. */
	ch.failed = idx ? idx - 1 : 0;
	err = svcnat_change_prepare(&ch, extack);
	if (err) {
		*failed = ch.failed;
		goto err_rollback;
	}
	svcnat_change_commit(&ch);
	/* Still under the lock: the next change sees the table clean. */
	svcnat_ct_flush(sn->net, &ch.ct);
	return 0;

err_rollback:
	svcnat_change_rollback(&ch);
	return err;
}

/**
 * svcnat_op_free - free one operation
 * @op: the operation, not on any list
 */
void svcnat_op_free(struct svcnat_op *op)
{
	kfree(op->name);
	kfree(op->spec);
	kvfree(op);
}

/**
 * svcnat_ops_free - free a list of operations
 * @ops: the list, left empty
 */
void svcnat_ops_free(struct list_head *ops)
{
	struct svcnat_op *op, *tmp;

	list_for_each_entry_safe(op, tmp, ops, list) {
		list_del(&op->list);
		svcnat_op_free(op);
		cond_resched();
	}
}
