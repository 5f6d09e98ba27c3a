/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnat: Kubernetes Service forwarding in netfilter.
 *
 * Core objects shared by the files of the module.
 */

#ifndef _SVCNAT_H
#define _SVCNAT_H

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/netlink.h>
#include <linux/netfilter.h>
#include <linux/rhashtable-types.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/netns/generic.h>

#define SVCNAT_MAX_BACKENDS_LIMIT 65536
#define SVCNAT_AFFINITY_MAX_LIMIT 4194304

extern unsigned int svcnat_max_services;
extern unsigned int svcnat_max_backends;
extern unsigned int svcnat_affinity_max;
extern unsigned int svcnat_net_id;

/**
 * struct svcnat_key - what identifies a service (a Kubernetes ServicePort)
 * @addr: cluster IP, zero-padded for IPv4
 * @port: service port, network order
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 * @family: AF_INET or AF_INET6
 *
 * Hashed as raw bytes, so every instance must be fully initialised. An
 * IPv4 address zero-padded has the bytes of some IPv6 address: @family
 * keeps their keys apart.
 */
struct svcnat_key {
	union nf_inet_addr addr;
	__be16 port;
	u8 proto;
	u8 family;
};

/**
 * struct svcnat_prefix - an address or a CIDR
 * @addr: network address, host bits zero
 * @mask: netmask of @len bits
 * @len: prefix length; the full length for a single address
 * @family: AF_INET or AF_INET6
 */
struct svcnat_prefix {
	union nf_inet_addr addr;
	union nf_inet_addr mask;
	u8 len;
	u8 family;
};

/**
 * struct svcnat_spec - frontends and policies of a service
 * @node_port: NodePort, network order, 0 for none
 * @ext_local: externalTrafficPolicy is Local
 * @int_local: internalTrafficPolicy is Local
 * @affinity: enum svcnat_affinity
 * @scheduler: enum svcnat_scheduler
 * @hash: enum svcnat_hash, for the maglev scheduler
 * @affinity_timeout: ClientIP affinity timeout, seconds
 * @maglev_size: maglev table size as the user set it, 0 for automatic
 * @nr_ext: external IPs, the first entries of @items
 * @nr_lb: load-balancer IPs, the next entries
 * @nr_ranges: load-balancer source ranges, the last entries
 * @items: external IPs, load-balancer IPs, then source ranges
 *
 * Addresses in @items are full-length prefixes, all of the family of the
 * service, as are its backends.
 */
struct svcnat_spec {
	__be16 node_port;
	bool ext_local;
	bool int_local;
	u8 affinity;
	u8 scheduler;
	u8 hash;
	u32 affinity_timeout;
	u32 maglev_size;
	u16 nr_ext;
	u16 nr_lb;
	u16 nr_ranges;
	struct svcnat_prefix items[];
};

static inline size_t svcnat_spec_size(const struct svcnat_spec *spec)
{
	return struct_size(spec, items,
			   spec->nr_ext + spec->nr_lb + spec->nr_ranges);
}

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
 * struct svcnat_set - an endpoint set, precomputed for weighted choice
 * @nr: number of candidates
 * @total: sum of their weights
 * @pick: for i < @nr, the running weight sum up to and including the i-th
 *	candidate, and the index of that candidate in &svcnat_cfg.be
 * @len: entries in @tab, 0 when the scheduler needs none
 * @tab: scheduler table of positions in @pick: the rr sequence or the
 *	maglev lookup table (sched.c)
 * @next: rr position, counts every choice; the only mutable part of a
 *	configuration
 */
struct svcnat_set {
	u32 nr;
	u32 total;
	struct svcnat_pick {
		u32 cum;
		u32 idx;
	} *pick;
	u32 len;
	u16 *tab;
	atomic_long_t *next;
};

enum svcnat_fe_kind {
	SVCNAT_FE_CLUSTER,	/* cluster IP:port */
	SVCNAT_FE_EXTERNAL,	/* externalIP:port */
	SVCNAT_FE_LB,		/* load-balancer IP:port */
	SVCNAT_FE_NODEPORT,	/* any node address:NodePort */
	SVCNAT_FE_ADDR,		/* cluster IP, any port: unknown-port check */
};

struct svcnat_service;

/**
 * struct svcnat_fe - one way to reach a service, an entry of a lookup table
 * @node: link in &svcnat_net.fes, or &svcnat_net.nodeports for NodePorts
 * @key: destination it matches; address zero for a NodePort, port and
 *	protocol zero for %SVCNAT_FE_ADDR
 * @svc: the service
 * @kind: enum svcnat_fe_kind
 * @live: published (release/acquire); entries of a configuration not yet
 *	committed are in the table but ignored by the packet path
 *
 * Frontends belong to a &svcnat_cfg and are replaced with it: the new
 * ones are inserted before the commit, the old ones removed after it.
 */
struct svcnat_fe {
	struct rhlist_head node;
	struct svcnat_key key;
	struct svcnat_service *svc;
	u8 kind;
	bool live;
};

/**
 * struct svcnat_cfg - immutable configuration of a service
 * @rcu: frees the whole object after a grace period
 * @name: label shown to the user, may be empty
 * @spec: frontends and policies
 * @cluster: the cluster endpoint set (rule 1)
 * @local: the local endpoint set (rule 2)
 * @nr_fe: entries in @fe
 * @fe: table entries for every frontend; @fe[0] is the cluster IP
 * @nr: number of backends in @be
 * @be: the backends, in the order the user gave them
 *
 * Replaced as a whole with rcu_replace_pointer(), so a packet sees either
 * the old or the new set, never a mix.
 */
struct svcnat_cfg {
	struct rcu_head rcu;
	const char *name;
	const struct svcnat_spec *spec;
	struct svcnat_set cluster;
	struct svcnat_set local;
	u32 nr_fe;
	struct svcnat_fe *fe;
	u32 nr;
	struct svcnat_backend be[];
};

/**
 * struct svcnat_stats - per-CPU counters of a service or of a namespace
 * @syncp: consistent 64-bit reads
 * @conns: connections translated to a backend
 * @masq: of those, masqueraded or marked
 * @reject_noep: rejected, no endpoint at all
 * @drop_nolocal: dropped, Local policy without local endpoint
 * @drop_range: dropped by load-balancer source ranges
 * @reject_port: rejected, unknown port on a cluster IP (namespace only)
 * @drop_unalloc: dropped, unallocated service address (namespace only)
 */
struct svcnat_stats {
	struct u64_stats_sync syncp;
	u64_stats_t conns;
	u64_stats_t masq;
	u64_stats_t reject_noep;
	u64_stats_t drop_nolocal;
	u64_stats_t drop_range;
	u64_stats_t reject_port;
	u64_stats_t drop_unalloc;
};

/**
 * struct svcnat_counts - counters summed over every CPU
 * @conns: connections translated to a backend
 * @masq: of those, masqueraded or marked
 * @reject_noep: rejected, no endpoint at all
 * @drop_nolocal: dropped, Local policy without local endpoint
 * @drop_range: dropped by load-balancer source ranges
 * @reject_port: rejected, unknown port on a cluster IP (namespace only)
 * @drop_unalloc: dropped, unallocated service address (namespace only)
 */
struct svcnat_counts {
	u64 conns;
	u64 masq;
	u64 reject_noep;
	u64 drop_nolocal;
	u64 drop_range;
	u64 reject_port;
	u64 drop_unalloc;
};

/**
 * struct svcnat_node - node configuration of a namespace, immutable
 * @rcu: frees the object after a grace period
 * @mark: masquerade mark, one bit
 * @masq_mode: enum svcnat_masq_mode
 * @masq_all: masquerade all cluster IP traffic
 * @unknown_port: enum svcnat_unknown_port
 * @unallocated: enum svcnat_unallocated
 * @cluster_fams: families with cluster CIDRs, SVCNAT_FAM_* bits
 * @nodeport_fams: families with NodePort address CIDRs, SVCNAT_FAM_* bits
 * @nr_cluster: cluster (pod) CIDRs, the first entries of @cidrs
 * @nr_nodeport: NodePort address CIDRs, the next entries
 * @nr_svc: service CIDRs, the last entries
 * @cidrs: the CIDR lists, IPv4 and IPv6 mixed
 *
 * As kube-proxy runs one proxier per family, a list without a CIDR of a
 * packet's family acts for that packet as an empty list.
 */
struct svcnat_node {
	struct rcu_head rcu;
	u32 mark;
	u8 masq_mode;
	bool masq_all;
	u8 unknown_port;
	u8 unallocated;
	u8 cluster_fams;
	u8 nodeport_fams;
	u16 nr_cluster;
	u16 nr_nodeport;
	u16 nr_svc;
	struct svcnat_prefix cidrs[];
};

#define SVCNAT_FAM_IPV4 BIT(0)
#define SVCNAT_FAM_IPV6 BIT(1)

static inline u8 svcnat_fam_bit(u8 family)
{
	return family == AF_INET6 ? SVCNAT_FAM_IPV6 : SVCNAT_FAM_IPV4;
}

struct svcnat_stage;
struct svcnat_aff;

/**
 * struct svcnat_service - a service in a netns table
 * @node: link in &svcnat_net.services
 * @key: protocol, address and port
 * @id: position in &svcnat_net.ids, gives dumps a stable order
 * @cfg: current configuration; NULL while the service is only staged by an
 *	uncommitted change, which makes the packet path ignore it
 * @stage: pending change, only under &svcnat_net.lock
 * @stats: per-CPU counters
 * @aff: ClientIP affinity table while the configuration has affinity
 *	client-ip; outlives configuration changes
 * @rcu: frees the service after a grace period
 */
struct svcnat_service {
	struct rhash_head node;
	struct svcnat_key key;
	u32 id;
	struct svcnat_cfg __rcu *cfg;
	struct svcnat_stage *stage;
	struct svcnat_stats __percpu *stats;
	struct svcnat_aff __rcu *aff;
	struct rcu_head rcu;
};

/**
 * struct svcnat_net - per network namespace state
 * @net: the namespace
 * @lock: serialises configuration changes
 * @services: cluster key to service, for configuration changes
 * @fes: destination to frontend (cluster IPs, external IPs, load-balancer
 *	IPs, cluster IP addresses), read under RCU by the packet path
 * @nodeports: NodePort frontends, keyed with address zero
 * @nr_nodeports: live NodePort frontends; the packet path skips the
 *	local-address check while there are none
 * @ids: id to service, read under RCU by dumps
 * @nr_services: committed services
 * @gen: bumped on every committed change, for NLM_F_DUMP_INTR
 * @hooks: the NAT hooks are registered in this namespace
 * @node: node configuration
 * @stats: namespace-wide counters
 * @txns: open transactions
 * @next_txn: last transaction id handed out
 * @nr_aff: services with an affinity table
 * @aff_work: reaper of expired affinity entries
 * @aff_reap_id: reaper cursor: id of the service it is at
 * @aff_reap_pos: reaper cursor: next bucket of that service's table
 */
struct svcnat_net {
	struct net *net;
	struct mutex lock; /* serialises configuration changes */
	struct rhashtable services;
	struct rhltable fes;
	struct rhltable nodeports;
	unsigned int nr_nodeports;
	struct xarray ids;
	u32 nr_services;
	unsigned int gen;
	bool hooks;
	struct svcnat_node __rcu *node;
	struct svcnat_stats __percpu *stats;
	struct list_head txns;
	u32 next_txn;
	unsigned int nr_aff;
	struct delayed_work aff_work;
	unsigned long aff_reap_id;
	u32 aff_reap_pos;
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
 * @name: name (service-new, service-set), NULL for none
 * @spec: frontends and policies (service-new, service-set), NULL for the
 *	defaults: cluster IP only, policies Cluster
 * @flush_conns: also delete TCP conntrack entries to backends that stop
 *	being candidates (backend-del, backend-set, backend-replace)
 * @nr_be: number of entries in @be
 * @be: backends the operation names
 */
struct svcnat_op {
	struct list_head list;
	u32 cmd;
	struct svcnat_key key;
	char *name;
	struct svcnat_spec *spec;
	bool flush_conns;
	u32 nr_be;
	struct svcnat_op_be be[];
};

/**
 * struct svcnat_pkt - what the decision looks at in a first packet
 * @saddr: source address
 * @daddr: destination address
 * @sport: source port, network order
 * @dport: destination port, network order
 * @proto: IPPROTO_TCP, IPPROTO_UDP or IPPROTO_SCTP
 * @family: AF_INET or AF_INET6
 * @local_out: generated by the node itself (LOCAL_OUT)
 */
struct svcnat_pkt {
	union nf_inet_addr saddr;
	union nf_inet_addr daddr;
	__be16 sport;
	__be16 dport;
	u8 proto;
	u8 family;
	bool local_out;
};

/**
 * struct svcnat_decision - what svcnat does with a first packet, and why
 * @verdict: enum svcnat_verdict
 * @reason: enum svcnat_reason
 * @origin: enum svcnat_origin
 * @frontend: enum svcnat_frontend, when @svc is set
 * @set: enum svcnat_endpoint_set
 * @masq: masquerade (or mark) the connection
 * @mark: the mark bit that asks for masquerading
 * @masq_reason: enum svcnat_masq_reason
 * @hairpin: the source is one of the candidates
 * @affinity: @be comes from a live ClientIP affinity entry
 * @svc: matched service, or NULL
 * @cfg: its configuration
 * @cand: the candidate set, or NULL
 * @be: chosen backend; for a trace only when the choice is deterministic
 */
struct svcnat_decision {
	u8 verdict;
	u8 reason;
	u8 origin;
	u8 frontend;
	u8 set;
	bool masq;
	u32 mark;
	u8 masq_reason;
	bool hairpin;
	bool affinity;
	const struct svcnat_service *svc;
	const struct svcnat_cfg *cfg;
	const struct svcnat_set *cand;
	const struct svcnat_backend *be;
};

static inline struct svcnat_net *svcnat_pernet(const struct net *net)
{
	return net_generic(net, svcnat_net_id);
}

struct svcnat_ct_fe;
struct svcnat_ct_be;

/**
 * struct svcnat_ct - conntrack entries a change makes stale (rule 19)
 * @net: the namespace, set for the walk
 * @fe: frontends whose entries may go, sorted by destination for the walk
 * @nr_fe: entries in @fe
 * @cap_fe: room in @fe
 * @nr_dnat: entries of @fe for DNATed entries (with removed backends)
 * @nr_raw: entries of @fe for untranslated entries (first endpoint)
 * @be: removed backends, one sorted range per service
 * @nr_be: entries in @be
 * @cap_be: room in @be
 * @tmp: scratch room for the candidates of a new configuration
 * @cap_tmp: room in @tmp
 *
 * Filled by svcnat_ct_add() while a change is prepared, used and freed by
 * svcnat_ct_flush() after the commit, or freed by svcnat_ct_free().
 */
struct svcnat_ct {
	struct net *net;
	struct svcnat_ct_fe *fe;
	u32 nr_fe;
	u32 cap_fe;
	u32 nr_dnat;
	u32 nr_raw;
	struct svcnat_ct_be *be;
	u32 nr_be;
	u32 cap_be;
	struct svcnat_ct_be *tmp;
	u32 cap_tmp;
};

/* service.c */
int svcnat_services_init(struct svcnat_net *sn);
void svcnat_services_uninit(struct svcnat_net *sn);
struct svcnat_service *svcnat_service_lookup(struct svcnat_net *sn,
					     const struct svcnat_key *key);
int svcnat_service_insert(struct svcnat_net *sn, struct svcnat_service *svc);
void svcnat_service_remove(struct svcnat_net *sn, struct svcnat_service *svc);
const struct svcnat_backend *svcnat_set_pick(const struct svcnat_cfg *cfg,
					     const struct svcnat_set *set);
int svcnat_fes_init(struct svcnat_net *sn);
void svcnat_fes_uninit(struct svcnat_net *sn);
int svcnat_fe_insert(struct svcnat_net *sn, struct svcnat_fe *fe);
void svcnat_fe_remove(struct svcnat_net *sn, struct svcnat_fe *fe);
struct svcnat_fe *svcnat_fe_lookup(struct svcnat_net *sn,
				   const struct svcnat_key *key,
				   bool nodeport);
bool svcnat_fe_taken(struct svcnat_net *sn, const struct svcnat_fe *fe);
void svcnat_stats_read(const struct svcnat_stats __percpu *stats,
		       struct svcnat_counts *sum);

/* node.c */
extern const struct svcnat_node svcnat_node_default;
int svcnat_node_init(struct svcnat_net *sn);
void svcnat_node_uninit(struct svcnat_net *sn);
int svcnat_node_set(struct svcnat_net *sn, struct svcnat_node *node,
		    struct netlink_ext_ack *extack);
void svcnat_prefix_set_mask(struct svcnat_prefix *p);
bool svcnat_prefix_match(const struct svcnat_prefix *p, u16 nr,
			 const union nf_inet_addr *addr, u8 family);

/* decide.c */

/**
 * enum svcnat_decide_mode - who asks for a decision
 * @SVCNAT_DECIDE_PACKET: a first packet: choose a backend
 * @SVCNAT_DECIDE_TRACE: a trace: choose a backend only when the choice
 *	is deterministic (one candidate, maglev), change no state
 * @SVCNAT_DECIDE_TRACE_CHOOSE: a trace that chooses as a packet would
 *	(random draws, rr advances)
 */
enum svcnat_decide_mode {
	SVCNAT_DECIDE_PACKET,
	SVCNAT_DECIDE_TRACE,
	SVCNAT_DECIDE_TRACE_CHOOSE,
};

void svcnat_decide(struct svcnat_net *sn, const struct svcnat_pkt *pkt,
		   enum svcnat_decide_mode mode, struct svcnat_decision *d);

/* sched.c */
int svcnat_sched_check(const struct svcnat_spec *spec, u32 nr_be,
		       struct netlink_ext_ack *extack);
u32 svcnat_sched_len(const struct svcnat_spec *spec, u32 nr_be,
		     const struct svcnat_set *set, u32 gcd);
int svcnat_sched_build(const struct svcnat_cfg *cfg, struct svcnat_set *set);
const struct svcnat_backend *svcnat_sched_pick(const struct svcnat_cfg *cfg,
					       const struct svcnat_set *set,
					       const struct svcnat_pkt *pkt);

/* affinity.c */
struct svcnat_aff *svcnat_aff_alloc(void);
void svcnat_aff_free(struct svcnat_aff *aff);
void svcnat_aff_free_rcu(struct svcnat_aff *aff);
const struct svcnat_backend *svcnat_aff_lookup(struct svcnat_aff *aff,
					       const struct svcnat_cfg *cfg,
					       const struct svcnat_set *set,
					       const struct svcnat_pkt *pkt,
					       bool trace);
void svcnat_aff_record(struct svcnat_aff *aff, const struct svcnat_cfg *cfg,
		       const struct svcnat_pkt *pkt,
		       const struct svcnat_backend *be);
void svcnat_aff_forget(struct svcnat_aff *aff, const struct svcnat_cfg *cfg);
int svcnat_aff_get(struct svcnat_aff *aff, const struct svcnat_cfg *cfg,
		   u32 *pos,
		   int (*fn)(void *arg, const union nf_inet_addr *client,
			     const struct svcnat_backend *be, u8 family,
			     u32 ms),
		   void *arg);
void svcnat_aff_net_init(struct svcnat_net *sn);
void svcnat_aff_net_uninit(struct svcnat_net *sn);
void svcnat_aff_attach(struct svcnat_net *sn, struct svcnat_service *svc,
		       struct svcnat_aff *aff);
void svcnat_aff_detach(struct svcnat_net *sn, struct svcnat_service *svc);

/* config.c */
int svcnat_apply(struct svcnat_net *sn, struct list_head *ops, u32 *failed,
		 struct netlink_ext_ack *extack);
void svcnat_op_free(struct svcnat_op *op);
void svcnat_ops_free(struct list_head *ops);

/* conntrack.c */
int svcnat_ct_add(struct svcnat_ct *ct, const struct svcnat_key *key,
		  const struct svcnat_cfg *old, const struct svcnat_cfg *new,
		  bool flush_tcp);
void svcnat_ct_flush(struct net *net, struct svcnat_ct *ct);
void svcnat_ct_free(struct svcnat_ct *ct);

/* hooks.c */
int svcnat_hooks_init(void);
void svcnat_hooks_uninit(void);
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
