/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnat: Kubernetes Service forwarding in netfilter.
 *
 * Core objects shared by the files of the module.
 */

#ifndef _SVCNAT_H
#define _SVCNAT_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <net/netns/generic.h>

extern unsigned int svcnat_max_services;
extern unsigned int svcnat_max_backends;
extern unsigned int svcnat_net_id;

/**
 * struct svcnat_key - what identifies a service (a Kubernetes ServicePort)
 * @addr: cluster IP, zero-padded for IPv4
 * @port: service port, network order
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 * @family: AF_INET
 *
 * Hashed as raw bytes, so every instance must be fully initialised.
 */
struct svcnat_key {
	union nf_inet_addr addr;
	__be16 port;
	u8 proto;
	u8 family;
};

/**
 * struct svcnat_backend - one endpoint of a service
 * @addr: endpoint address
 * @port: endpoint port, network order
 * @weight: share of new connections, 0 takes none
 * @flags: SVCNAT_BACKEND_FLAGS_* conditions
 */
struct svcnat_backend {
	union nf_inet_addr addr;
	__be16 port;
	u16 weight;
	u32 flags;
};

/**
 * struct svcnat_cfg - immutable configuration of a service
 * @rcu: frees the whole object after a grace period
 * @name: label shown to the user, may be empty
 * @nr: number of backends in @be
 * @nr_pick: number of backends that take new connections
 * @total: sum of the weights of those backends
 * @pick: for i < @nr_pick, the running weight sum up to and including the
 *	i-th candidate, and the index of that candidate in @be
 * @be: the backends, in the order the user gave them
 *
 * Replaced as a whole with rcu_replace_pointer(), so a packet sees either
 * the old or the new set, never a mix.
 */
struct svcnat_cfg {
	struct rcu_head rcu;
	const char *name;
	u32 nr;
	u32 nr_pick;
	u32 total;
	struct svcnat_pick {
		u32 cum;
		u32 idx;
	} *pick;
	struct svcnat_backend be[];
};

struct svcnat_stage;

/**
 * struct svcnat_service - a service in a netns table
 * @node: link in &svcnat_net.services
 * @key: protocol, address and port
 * @id: position in &svcnat_net.ids, gives dumps a stable order
 * @cfg: current configuration; NULL while the service is only staged by an
 *	uncommitted change, which makes the packet path ignore it
 * @stage: pending change, only under &svcnat_net.lock
 * @rcu: frees the service after a grace period
 */
struct svcnat_service {
	struct rhash_head node;
	struct svcnat_key key;
	u32 id;
	struct svcnat_cfg __rcu *cfg;
	struct svcnat_stage *stage;
	struct rcu_head rcu;
};

/**
 * struct svcnat_net - per network namespace state
 * @net: the namespace
 * @lock: serialises configuration changes
 * @services: key to service, read under RCU by the packet path
 * @ids: id to service, read under RCU by dumps
 * @nr_services: committed services
 * @gen: bumped on every committed change, for NLM_F_DUMP_INTR
 * @hooks: the NAT hooks are registered in this namespace
 * @txns: open transactions
 * @next_txn: last transaction id handed out
 */
struct svcnat_net {
	struct net *net;
	struct mutex lock; /* serialises configuration changes */
	struct rhashtable services;
	struct xarray ids;
	u32 nr_services;
	unsigned int gen;
	bool hooks;
	struct list_head txns;
	u32 next_txn;
};

/**
 * struct svcnat_op_be - a backend as one operation gives it
 * @be: address, port and, if given, weight and flags
 * @has_weight: the operation set the weight
 * @has_flags: the operation set the flags
 */
struct svcnat_op_be {
	struct svcnat_backend be;
	bool has_weight;
	bool has_flags;
};

/**
 * struct svcnat_op - one configuration operation, parsed and checked
 * @list: link in a transaction or a one-op list
 * @cmd: SVCNAT_CMD_* of the operation
 * @key: the service it acts on
 * @name: new name (service-new, service-set), NULL to keep it
 * @nr_be: number of entries in @be
 * @be: backends the operation names
 */
struct svcnat_op {
	struct list_head list;
	u32 cmd;
	struct svcnat_key key;
	char *name;
	u32 nr_be;
	struct svcnat_op_be be[];
};

static inline struct svcnat_net *svcnat_pernet(const struct net *net)
{
	return net_generic(net, svcnat_net_id);
}

/* service.c */
int svcnat_services_init(struct svcnat_net *sn);
void svcnat_services_uninit(struct svcnat_net *sn);
struct svcnat_service *svcnat_service_lookup(struct svcnat_net *sn,
					     const struct svcnat_key *key);
int svcnat_service_insert(struct svcnat_net *sn, struct svcnat_service *svc);
void svcnat_service_remove(struct svcnat_net *sn, struct svcnat_service *svc);
const struct svcnat_backend *svcnat_cfg_pick(const struct svcnat_cfg *cfg);

/* config.c */
int svcnat_apply(struct svcnat_net *sn, struct list_head *ops, u32 *failed,
		 struct netlink_ext_ack *extack);
void svcnat_op_free(struct svcnat_op *op);
void svcnat_ops_free(struct list_head *ops);

/* hooks.c */
int svcnat_hooks_register(struct svcnat_net *sn);
void svcnat_hooks_unregister(struct svcnat_net *sn);

/* txn.c */
int svcnat_txn_begin(struct svcnat_net *sn, u32 portid, u32 *id);
int svcnat_txn_append(struct svcnat_net *sn, u32 portid, u32 id,
		      struct list_head *ops, u32 *first);
int svcnat_txn_commit(struct svcnat_net *sn, u32 portid, u32 id, u32 *failed,
		      struct netlink_ext_ack *extack);
int svcnat_txn_abort(struct svcnat_net *sn, u32 portid, u32 id);
void svcnat_txn_release_all(struct svcnat_net *sn);
int svcnat_txn_init(void);
void svcnat_txn_uninit(void);

/* netlink.c */
int svcnat_genl_init(void);
void svcnat_genl_uninit(void);

#endif /* _SVCNAT_H */
