/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/svcnat.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_SVCNAT_H
#define _UAPI_LINUX_SVCNAT_H

#define SVCNAT_FAMILY_NAME	"svcnat"
#define SVCNAT_FAMILY_VERSION	1

#define SVCNAT_NAME_LEN			256
#define SVCNAT_WEIGHT_MAX		65535
#define SVCNAT_MAX_ADDRS		64
#define SVCNAT_MASQ_MARK_DEFAULT	16384
#define SVCNAT_AFFINITY_TIMEOUT_DEFAULT	10800
#define SVCNAT_AFFINITY_TIMEOUT_MAX	86400
#define SVCNAT_MAGLEV_SIZE_MAX		8388593

/**
 * enum svcnat_affinity - Kubernetes sessionAffinity. client-ip sends new
 *   connections from a client address to the backend it last used, while that
 *   backend is still a candidate for the connection, if the previous
 *   connection started less than affinity-timeout seconds ago.
 */
enum svcnat_affinity {
	SVCNAT_AFFINITY_NONE,
	SVCNAT_AFFINITY_CLIENT_IP,
};

/**
 * enum svcnat_scheduler - How a new connection picks among the candidates.
 *   random draws with the weights (kube-proxy); rr is smooth weighted round
 *   robin; maglev is consistent hashing (Maglev, NSDI'16) of the source
 *   address or of the 5-tuple, see hash.
 */
enum svcnat_scheduler {
	SVCNAT_SCHEDULER_RANDOM,
	SVCNAT_SCHEDULER_RR,
	SVCNAT_SCHEDULER_MAGLEV,
};

/**
 * enum svcnat_hash - What the maglev scheduler hashes: src the source address
 *   (a stateless client affinity that survives module reloads), flow the
 *   5-tuple.
 */
enum svcnat_hash {
	SVCNAT_HASH_SRC,
	SVCNAT_HASH_FLOW,
};

/**
 * enum svcnat_backend_flags - Endpoint conditions, as in a Kubernetes
 *   EndpointSlice. When the attribute is absent a backend is ready and
 *   serving.
 * @SVCNAT_BACKEND_FLAGS_READY: The endpoint is ready for new connections.
 * @SVCNAT_BACKEND_FLAGS_SERVING: The endpoint serves, whether or not it is
 *   terminating.
 * @SVCNAT_BACKEND_FLAGS_TERMINATING: The endpoint is shutting down.
 * @SVCNAT_BACKEND_FLAGS_LOCAL: The endpoint runs on this node.
 */
enum svcnat_backend_flags {
	SVCNAT_BACKEND_FLAGS_READY = 1,
	SVCNAT_BACKEND_FLAGS_SERVING = 2,
	SVCNAT_BACKEND_FLAGS_TERMINATING = 4,
	SVCNAT_BACKEND_FLAGS_LOCAL = 8,
};

/**
 * enum svcnat_traffic_policy - Kubernetes externalTrafficPolicy /
 *   internalTrafficPolicy.
 */
enum svcnat_traffic_policy {
	SVCNAT_TRAFFIC_POLICY_CLUSTER,
	SVCNAT_TRAFFIC_POLICY_LOCAL,
};

/**
 * enum svcnat_masq_mode - How connections that Kubernetes masquerades are
 *   handled: snat, svcnat sets the mark bit and source-NATs them itself in
 *   POSTROUTING to the outgoing interface's address with fully random ports;
 *   mark, svcnat only sets the mark bit on the packet (skb mark) for a CNI or
 *   another ruleset to act on.
 */
enum svcnat_masq_mode {
	SVCNAT_MASQ_MODE_SNAT,
	SVCNAT_MASQ_MODE_MARK,
};

/**
 * enum svcnat_unknown_port - What happens to a connection to a cluster IP on a
 *   port or protocol that no service has: accept leaves it alone (kube-proxy
 *   iptables), reject answers ICMP port unreachable (kube-proxy nftables).
 */
enum svcnat_unknown_port {
	SVCNAT_UNKNOWN_PORT_ACCEPT,
	SVCNAT_UNKNOWN_PORT_REJECT,
};

/**
 * enum svcnat_unallocated - What happens to a connection to an address inside
 *   a service CIDR that is no service's cluster IP: accept leaves it alone,
 *   drop drops it.
 */
enum svcnat_unallocated {
	SVCNAT_UNALLOCATED_ACCEPT,
	SVCNAT_UNALLOCATED_DROP,
};

/**
 * enum svcnat_origin - Where the first packet of a connection comes from: a
 *   pod (source in a cluster CIDR, arriving from outside the node's own
 *   stack), the node itself (LOCAL_OUT, whatever its source), or anything
 *   else.
 */
enum svcnat_origin {
	SVCNAT_ORIGIN_POD,
	SVCNAT_ORIGIN_NODE,
	SVCNAT_ORIGIN_OTHER,
};

/**
 * enum svcnat_frontend - How a connection reached a service.
 */
enum svcnat_frontend {
	SVCNAT_FRONTEND_CLUSTER_IP,
	SVCNAT_FRONTEND_NODE_PORT,
	SVCNAT_FRONTEND_EXTERNAL_IP,
	SVCNAT_FRONTEND_LB_IP,
};

/**
 * enum svcnat_verdict - accept leaves the packet alone, dnat translates it to
 *   a backend, reject answers ICMP port unreachable, drop drops it.
 */
enum svcnat_verdict {
	SVCNAT_VERDICT_ACCEPT,
	SVCNAT_VERDICT_DNAT,
	SVCNAT_VERDICT_REJECT,
	SVCNAT_VERDICT_DROP,
};

/**
 * enum svcnat_reason - Why the verdict was reached.
 * @SVCNAT_REASON_NO_SERVICE: No service or frontend matches the destination.
 * @SVCNAT_REASON_ENDPOINT: A backend was chosen from the endpoint set.
 * @SVCNAT_REASON_NO_ENDPOINTS: The service has no usable endpoint at all.
 * @SVCNAT_REASON_NO_LOCAL_ENDPOINTS: The policy is Local and no local endpoint
 *   is usable.
 * @SVCNAT_REASON_SOURCE_RANGE: The source is outside the load-balancer source
 *   ranges.
 * @SVCNAT_REASON_UNKNOWN_PORT: The destination is a cluster IP but no service
 *   has this port.
 * @SVCNAT_REASON_UNALLOCATED: The destination is inside a service CIDR but no
 *   cluster IP.
 */
enum svcnat_reason {
	SVCNAT_REASON_NO_SERVICE,
	SVCNAT_REASON_ENDPOINT,
	SVCNAT_REASON_NO_ENDPOINTS,
	SVCNAT_REASON_NO_LOCAL_ENDPOINTS,
	SVCNAT_REASON_SOURCE_RANGE,
	SVCNAT_REASON_UNKNOWN_PORT,
	SVCNAT_REASON_UNALLOCATED,
};

/**
 * enum svcnat_endpoint_set - The endpoint set a connection was sent to.
 */
enum svcnat_endpoint_set {
	SVCNAT_ENDPOINT_SET_NONE,
	SVCNAT_ENDPOINT_SET_CLUSTER,
	SVCNAT_ENDPOINT_SET_LOCAL,
};

/**
 * enum svcnat_masq_reason - Why a connection is (or is not) masqueraded.
 * @SVCNAT_MASQ_REASON_NONE: The client address is preserved.
 * @SVCNAT_MASQ_REASON_NOT_POD_SOURCE: Cluster IP traffic whose source is not a
 *   pod.
 * @SVCNAT_MASQ_REASON_MASQUERADE_ALL: Cluster IP traffic with masquerade-all
 *   on.
 * @SVCNAT_MASQ_REASON_EXTERNAL_CLUSTER: External traffic to a service with
 *   externalTrafficPolicy Cluster.
 * @SVCNAT_MASQ_REASON_NODE_LOCAL: External traffic from the node itself to a
 *   service with externalTrafficPolicy Local.
 * @SVCNAT_MASQ_REASON_HAIRPIN: The chosen backend is the connection's own
 *   source.
 */
enum svcnat_masq_reason {
	SVCNAT_MASQ_REASON_NONE,
	SVCNAT_MASQ_REASON_NOT_POD_SOURCE,
	SVCNAT_MASQ_REASON_MASQUERADE_ALL,
	SVCNAT_MASQ_REASON_EXTERNAL_CLUSTER,
	SVCNAT_MASQ_REASON_NODE_LOCAL,
	SVCNAT_MASQ_REASON_HAIRPIN,
};

enum {
	SVCNAT_A_SERVICE = 1,
	SVCNAT_A_TXN_ID,
	SVCNAT_A_OP,
	SVCNAT_A_CONFIG,
	SVCNAT_A_TRACE,

	__SVCNAT_A_MAX,
	SVCNAT_A_MAX = (__SVCNAT_A_MAX - 1)
};

enum {
	SVCNAT_A_PREFIX_ADDR_IPV4 = 1,
	SVCNAT_A_PREFIX_ADDR_IPV6,
	SVCNAT_A_PREFIX_LEN,

	__SVCNAT_A_PREFIX_MAX,
	SVCNAT_A_PREFIX_MAX = (__SVCNAT_A_PREFIX_MAX - 1)
};

enum {
	SVCNAT_A_STATS_PAD = 1,
	SVCNAT_A_STATS_CONNS,
	SVCNAT_A_STATS_MASQUERADED,
	SVCNAT_A_STATS_REJECTED_NO_ENDPOINTS,
	SVCNAT_A_STATS_DROPPED_NO_LOCAL,
	SVCNAT_A_STATS_DROPPED_SOURCE_RANGE,
	SVCNAT_A_STATS_REJECTED_UNKNOWN_PORT,
	SVCNAT_A_STATS_DROPPED_UNALLOCATED,

	__SVCNAT_A_STATS_MAX,
	SVCNAT_A_STATS_MAX = (__SVCNAT_A_STATS_MAX - 1)
};

enum {
	SVCNAT_A_CONFIG_CLUSTER_CIDR = 1,
	SVCNAT_A_CONFIG_NODEPORT_CIDR,
	SVCNAT_A_CONFIG_SERVICE_CIDR,
	SVCNAT_A_CONFIG_MASQUERADE_ALL,
	SVCNAT_A_CONFIG_MASQ_MARK,
	SVCNAT_A_CONFIG_MASQ_MODE,
	SVCNAT_A_CONFIG_UNKNOWN_PORT,
	SVCNAT_A_CONFIG_UNALLOCATED,
	SVCNAT_A_CONFIG_STATS,

	__SVCNAT_A_CONFIG_MAX,
	SVCNAT_A_CONFIG_MAX = (__SVCNAT_A_CONFIG_MAX - 1)
};

enum {
	SVCNAT_A_TRACE_PROTO = 1,
	SVCNAT_A_TRACE_SRC_IPV4,
	SVCNAT_A_TRACE_SRC_IPV6,
	SVCNAT_A_TRACE_SRC_PORT,
	SVCNAT_A_TRACE_DST_IPV4,
	SVCNAT_A_TRACE_DST_IPV6,
	SVCNAT_A_TRACE_DST_PORT,
	SVCNAT_A_TRACE_ORIGIN,
	SVCNAT_A_TRACE_VERDICT,
	SVCNAT_A_TRACE_REASON,
	SVCNAT_A_TRACE_FRONTEND,
	SVCNAT_A_TRACE_SERVICE,
	SVCNAT_A_TRACE_ENDPOINT_SET,
	SVCNAT_A_TRACE_CANDIDATE,
	SVCNAT_A_TRACE_BACKEND,
	SVCNAT_A_TRACE_MASQUERADE,
	SVCNAT_A_TRACE_MASQ_REASON,
	SVCNAT_A_TRACE_HAIRPIN,
	SVCNAT_A_TRACE_CHOOSE,
	SVCNAT_A_TRACE_AFFINITY,
	SVCNAT_A_TRACE_SCHEDULER,

	__SVCNAT_A_TRACE_MAX,
	SVCNAT_A_TRACE_MAX = (__SVCNAT_A_TRACE_MAX - 1)
};

enum {
	SVCNAT_A_SERVICE_PROTO = 1,
	SVCNAT_A_SERVICE_ADDR_IPV4,
	SVCNAT_A_SERVICE_ADDR_IPV6,
	SVCNAT_A_SERVICE_PORT,
	SVCNAT_A_SERVICE_NAME,
	SVCNAT_A_SERVICE_BACKEND,
	SVCNAT_A_SERVICE_BACKEND_COUNT,
	SVCNAT_A_SERVICE_NODE_PORT,
	SVCNAT_A_SERVICE_EXTERNAL_IP,
	SVCNAT_A_SERVICE_LB_IP,
	SVCNAT_A_SERVICE_SOURCE_RANGE,
	SVCNAT_A_SERVICE_EXT_POLICY,
	SVCNAT_A_SERVICE_INT_POLICY,
	SVCNAT_A_SERVICE_STATS,
	SVCNAT_A_SERVICE_AFFINITY,
	SVCNAT_A_SERVICE_AFFINITY_TIMEOUT,
	SVCNAT_A_SERVICE_SCHEDULER,
	SVCNAT_A_SERVICE_MAGLEV_SIZE,
	SVCNAT_A_SERVICE_HASH,
	SVCNAT_A_SERVICE_FLUSH_CONNS,
	SVCNAT_A_SERVICE_AFFINITY_ENTRY,

	__SVCNAT_A_SERVICE_MAX,
	SVCNAT_A_SERVICE_MAX = (__SVCNAT_A_SERVICE_MAX - 1)
};

enum {
	SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV4 = 1,
	SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV6,
	SVCNAT_A_AFFINITY_ENTRY_BACKEND,
	SVCNAT_A_AFFINITY_ENTRY_EXPIRES,

	__SVCNAT_A_AFFINITY_ENTRY_MAX,
	SVCNAT_A_AFFINITY_ENTRY_MAX = (__SVCNAT_A_AFFINITY_ENTRY_MAX - 1)
};

enum {
	SVCNAT_A_BACKEND_ADDR_IPV4 = 1,
	SVCNAT_A_BACKEND_ADDR_IPV6,
	SVCNAT_A_BACKEND_PORT,
	SVCNAT_A_BACKEND_WEIGHT,
	SVCNAT_A_BACKEND_FLAGS,

	__SVCNAT_A_BACKEND_MAX,
	SVCNAT_A_BACKEND_MAX = (__SVCNAT_A_BACKEND_MAX - 1)
};

enum {
	SVCNAT_A_OP_CMD = 1,
	SVCNAT_A_OP_SERVICE,

	__SVCNAT_A_OP_MAX,
	SVCNAT_A_OP_MAX = (__SVCNAT_A_OP_MAX - 1)
};

enum {
	SVCNAT_CMD_SERVICE_NEW = 1,
	SVCNAT_CMD_SERVICE_SET,
	SVCNAT_CMD_SERVICE_DEL,
	SVCNAT_CMD_SERVICE_GET,
	SVCNAT_CMD_BACKEND_NEW,
	SVCNAT_CMD_BACKEND_SET,
	SVCNAT_CMD_BACKEND_DEL,
	SVCNAT_CMD_BACKEND_REPLACE,
	SVCNAT_CMD_FLUSH,
	SVCNAT_CMD_TXN_BEGIN,
	SVCNAT_CMD_TXN_OPS,
	SVCNAT_CMD_TXN_COMMIT,
	SVCNAT_CMD_TXN_ABORT,
	SVCNAT_CMD_CONFIG_SET,
	SVCNAT_CMD_CONFIG_GET,
	SVCNAT_CMD_TRACE,
	SVCNAT_CMD_AFFINITY_GET,

	__SVCNAT_CMD_MAX,
	SVCNAT_CMD_MAX = (__SVCNAT_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_SVCNAT_H */
