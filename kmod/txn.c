// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: transactions, changes larger than one netlink message.
 *
 * A transaction collects parsed operations over any number of requests and
 * hands them to svcnat_apply() at commit. It belongs to the netlink socket
 * that opened it: only that socket may use it, and it is freed when the
 * socket is released, so a caller that dies mid-transaction leaks nothing
 * and changes nothing.
 */

#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/slab.h>
#include <net/net_namespace.h>

#include "svcnat.h"

/* Bounds the memory one socket can pin with never-committed transactions. */
#define SVCNAT_TXN_MAX		16
#define SVCNAT_TXN_MAX_OPS	BIT(24)

/**
 * struct svcnat_txn - an open transaction
 * @list: link in &svcnat_net.txns
 * @id: handle given to the owner
 * @portid: netlink port of the owner
 * @nr_ops: operations collected
 * @ops: the operations, in order
 */
struct svcnat_txn {
	struct list_head list;
	u32 id;
	u32 portid;
	u32 nr_ops;
	struct list_head ops;
};

static void svcnat_txn_free(struct svcnat_txn *txn)
{
	list_del(&txn->list);
	svcnat_ops_free(&txn->ops);
	kfree(txn);
}

static struct svcnat_txn *svcnat_txn_find(struct svcnat_net *sn, u32 portid,
					  u32 id)
{
	struct svcnat_txn *txn;

	list_for_each_entry(txn, &sn->txns, list)
		if (txn->id == id && txn->portid == portid)
			return txn;
	return NULL;
}

/**
 * svcnat_txn_begin - open a transaction
 * @sn: the namespace state, locked
 * @portid: the owner's netlink port
 * @id: set to the new handle
 *
 * Return: 0, -ENOSPC when the owner has too many open, -ENOMEM.
 */
int svcnat_txn_begin(struct svcnat_net *sn, u32 portid, u32 *id)
{
	struct svcnat_txn *txn;
	unsigned int n = 0;

	list_for_each_entry(txn, &sn->txns, list)
		if (txn->portid == portid)
			n++;
	if (n >= SVCNAT_TXN_MAX)
		return -ENOSPC;

	txn = kzalloc(sizeof(*txn), GFP_KERNEL_ACCOUNT);
	if (!txn)
		return -ENOMEM;
	INIT_LIST_HEAD(&txn->ops);
	txn->portid = portid;
	/* Never 0, and never one still open. */
	do {
		txn->id = ++sn->next_txn;
	} while (!txn->id || svcnat_txn_find(sn, portid, txn->id));
	list_add_tail(&txn->list, &sn->txns);
	*id = txn->id;
	return 0;
}

/**
 * svcnat_txn_append - add operations to a transaction
 * @sn: the namespace state, locked
 * @portid: the caller's netlink port
 * @id: the handle
 * @ops: operations to move into the transaction
 * @first: set to the index the first of @ops gets in the transaction
 *
 * Return: 0, -ENOENT for no such transaction, -E2BIG when it is full (the
 * transaction is then freed).
 */
int svcnat_txn_append(struct svcnat_net *sn, u32 portid, u32 id,
		      struct list_head *ops, u32 *first)
{
	struct svcnat_txn *txn = svcnat_txn_find(sn, portid, id);
	struct svcnat_op *op;
	u32 n = 0;

	if (!txn)
		return -ENOENT;
	list_for_each_entry(op, ops, list)
		n++;
	*first = txn->nr_ops;
	if (n > SVCNAT_TXN_MAX_OPS - txn->nr_ops) {
		svcnat_txn_free(txn);
		return -E2BIG;
	}
	list_splice_tail_init(ops, &txn->ops);
	txn->nr_ops += n;
	return 0;
}

/**
 * svcnat_txn_commit - apply a transaction and free it
 * @sn: the namespace state, locked
 * @portid: the caller's netlink port
 * @id: the handle
 * @failed: set to the index of the failing operation on error
 * @extack: error reporting
 *
 * Return: 0, -ENOENT for no such transaction, or the error of the failing
 * operation with nothing changed.
 */
int svcnat_txn_commit(struct svcnat_net *sn, u32 portid, u32 id, u32 *failed,
		      struct netlink_ext_ack *extack)
{
	struct svcnat_txn *txn = svcnat_txn_find(sn, portid, id);
	int err;

	if (!txn)
		return -ENOENT;
	err = svcnat_apply(sn, &txn->ops, failed, extack);
	svcnat_txn_free(txn);
	return err;
}

/**
 * svcnat_txn_abort - drop a transaction unapplied
 * @sn: the namespace state, locked
 * @portid: the caller's netlink port
 * @id: the handle, or 0 for every transaction of @portid
 *
 * Return: 0 or -ENOENT.
 */
int svcnat_txn_abort(struct svcnat_net *sn, u32 portid, u32 id)
{
	struct svcnat_txn *txn, *tmp;
	int err = -ENOENT;

	list_for_each_entry_safe(txn, tmp, &sn->txns, list) {
		if (txn->portid != portid || (id && txn->id != id))
			continue;
		svcnat_txn_free(txn);
		err = 0;
	}
	return err;
}

/**
 * svcnat_txn_release_all - free every transaction of a namespace
 * @sn: the namespace state, locked
 */
void svcnat_txn_release_all(struct svcnat_net *sn)
{
	struct svcnat_txn *txn, *tmp;

	list_for_each_entry_safe(txn, tmp, &sn->txns, list)
		svcnat_txn_free(txn);
}

static int svcnat_netlink_event(struct notifier_block *nb,
				unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;
	struct svcnat_net *sn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;

	sn = svcnat_pernet(n->net);
	/* Cheap check first: most sockets never opened a transaction. */
	if (list_empty(&sn->txns))
		return NOTIFY_DONE;
	mutex_lock(&sn->lock);
	svcnat_txn_abort(sn, n->portid, 0);
	mutex_unlock(&sn->lock);
	return NOTIFY_DONE;
}

static struct notifier_block svcnat_netlink_nb = {
	.notifier_call = svcnat_netlink_event,
};

/**
 * svcnat_txn_init - follow socket releases to free orphaned transactions
 *
 * Return: 0 or a negative errno.
 */
int svcnat_txn_init(void)
{
	return netlink_register_notifier(&svcnat_netlink_nb);
}

/**
 * svcnat_txn_uninit - stop following socket releases
 */
void svcnat_txn_uninit(void)
{
	netlink_unregister_notifier(&svcnat_netlink_nb);
}
