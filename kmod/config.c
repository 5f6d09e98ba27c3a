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

#include <linux/mm.h>
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
 * @nr: backends in @be
 * @cap: room in @be
 * @be: backends
 * @cfg: configuration built for publishing
 */
struct svcnat_stage {
	struct list_head list;
	struct svcnat_service *svc;
	bool exists;
	bool fresh;
	char *name;
	u32 nr;
	u32 cap;
	struct svcnat_backend *be;
	struct svcnat_cfg *cfg;
};

struct svcnat_change {
	struct svcnat_net *sn;
	struct list_head stages;
	int delta;
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
	kvfree(st->be);
	kfree(st->name);
	kfree(st);
}

static struct svcnat_stage *svcnat_stage_get(struct svcnat_change *ch,
					     struct svcnat_service *svc)
{
	struct svcnat_cfg *cfg = svcnat_cfg_get(ch->sn, svc);
	struct svcnat_stage *st = svc->stage;

	if (st)
		return st;

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->svc = svc;
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

	err = xa_alloc(&sn->ids, &svc->id, svc, xa_limit_32b,
		       GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_free_svc;

	err = svcnat_service_insert(sn, svc);
	if (err)
		goto err_erase_id;

	return svc;

err_erase_id:
	xa_erase(&sn->ids, svc->id);
err_free_svc:
	kfree(svc);
	return ERR_PTR(err);
}

/* Take a service out of both indexes and free it once readers are done. */
static void svcnat_service_drop(struct svcnat_net *sn,
				struct svcnat_service *svc)
{
	struct svcnat_cfg *cfg = svcnat_cfg_get(sn, svc);

	svcnat_service_remove(sn, svc);
	xa_erase(&sn->ids, svc->id);
	if (cfg)
		kvfree_rcu(cfg, rcu);
	kfree_rcu(svc, rcu);
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
	if (!err && op->name)
		err = svcnat_stage_set_name(st, op->name);
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

	switch (op->cmd) {
	case SVCNAT_CMD_SERVICE_SET:
		return op->name ? svcnat_stage_set_name(st, op->name) : 0;
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
 * The candidates for new connections are the cluster endpoint set of
 * Kubernetes (ready endpoints, or serving and terminating ones when none is
 * ready), less the backends of weight 0.
 */
static bool svcnat_be_candidate(const struct svcnat_backend *be, bool any_ready)
{
	u32 want = any_ready ? SVCNAT_BACKEND_FLAGS_READY :
		SVCNAT_BACKEND_FLAGS_SERVING | SVCNAT_BACKEND_FLAGS_TERMINATING;

	return be->weight && (be->flags & want) == want;
}

static struct svcnat_cfg *svcnat_cfg_build(const struct svcnat_stage *st)
{
	const char *name = st->name ?: "";
	bool any_ready = false;
	struct svcnat_cfg *cfg;
	u32 i, nr_pick = 0;
	size_t size;

	for (i = 0; i < st->nr; i++)
		if (st->be[i].flags & SVCNAT_BACKEND_FLAGS_READY)
			any_ready = true;
	for (i = 0; i < st->nr; i++)
		if (svcnat_be_candidate(&st->be[i], any_ready))
			nr_pick++;

	/* One allocation: header, backends, candidates, name. */
	size = struct_size(cfg, be, st->nr);
	size = size_add(size, array_size(nr_pick, sizeof(*cfg->pick)));
	size = size_add(size, strlen(name) + 1);
	cfg = kvmalloc(size, GFP_KERNEL_ACCOUNT);
	if (!cfg)
		return NULL;

	cfg->nr = st->nr;
	if (st->nr)
		memcpy(cfg->be, st->be, st->nr * sizeof(*cfg->be));
	cfg->pick = (struct svcnat_pick *)&cfg->be[st->nr];
	cfg->nr_pick = 0;
	cfg->total = 0;
	for (i = 0; i < st->nr; i++) {
		if (!svcnat_be_candidate(&st->be[i], any_ready))
			continue;
		cfg->total += st->be[i].weight;
		cfg->pick[cfg->nr_pick].cum = cfg->total;
		cfg->pick[cfg->nr_pick].idx = i;
		cfg->nr_pick++;
	}
	memcpy(&cfg->pick[nr_pick], name, strlen(name) + 1);
	cfg->name = (const char *)&cfg->pick[nr_pick];
	return cfg;
}

static void svcnat_change_rollback(struct svcnat_change *ch)
{
	struct svcnat_stage *st, *tmp;

	list_for_each_entry_safe(st, tmp, &ch->stages, list) {
		struct svcnat_service *svc = st->svc;
		bool fresh = st->fresh;

		kvfree(st->cfg);
		svcnat_stage_free(st);
		if (fresh)
			svcnat_service_drop(ch->sn, svc);
	}
}

static int svcnat_change_prepare(struct svcnat_change *ch,
				 struct netlink_ext_ack *extack)
{
	struct svcnat_net *sn = ch->sn;
	struct svcnat_stage *st;
	int err;

	list_for_each_entry(st, &ch->stages, list) {
		if (!st->exists)
			continue;
		st->cfg = svcnat_cfg_build(st);
		if (!st->cfg)
			return -ENOMEM;
	}

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

/* Publish every stage; nothing here can fail. */
static void svcnat_change_commit(struct svcnat_change *ch)
{
	struct svcnat_net *sn = ch->sn;
	struct svcnat_stage *st, *tmp;
	struct svcnat_cfg *old;

	list_for_each_entry_safe(st, tmp, &ch->stages, list) {
		struct svcnat_service *svc = st->svc;

		if (st->exists) {
			old = rcu_replace_pointer(svc->cfg, st->cfg,
						  lockdep_is_held(&sn->lock));
			if (old)
				kvfree_rcu(old, rcu);
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
		err = svcnat_op_apply(&ch, op, extack);
		if (err) {
			*failed = idx;
			goto err_rollback;
		}
		idx++;
		cond_resched();
	}

	err = svcnat_change_prepare(&ch, extack);
	if (err) {
		*failed = idx ? idx - 1 : 0;
		goto err_rollback;
	}
	svcnat_change_commit(&ch);
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
