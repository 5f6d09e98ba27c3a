// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the generic netlink family, its operations and the service,
 * backend and transaction handlers.
 *
 * Documentation/netlink/specs/svcnat.yaml is the source of truth; every
 * operation has its own narrowed policy, so an attribute that an operation
 * does not take is rejected by the core with an extack message. The node
 * configuration handlers are in nlconfig.c, the decision trace in
 * nltrace.c; the attribute helpers they share are declared in netlink.h.
 */

#include <linux/in.h>
#include <linux/inetdevice.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <linux/svcnat.h>

#include "svcnat.h"
#include "netlink.h"

#define SVCNAT_BACKEND_FLAGS_ALL \
	(SVCNAT_BACKEND_FLAGS_READY | SVCNAT_BACKEND_FLAGS_SERVING | \
	 SVCNAT_BACKEND_FLAGS_TERMINATING | SVCNAT_BACKEND_FLAGS_LOCAL)

/* A range struct: 6.1's inline policy bounds are s16. */
static struct netlink_range_validation svcnat_weight_range = {
	.max = SVCNAT_WEIGHT_MAX,
};

static struct netlink_range_validation svcnat_affinity_timeout_range = {
	.min = 1,
	.max = SVCNAT_AFFINITY_TIMEOUT_MAX,
};

static struct netlink_range_validation svcnat_maglev_size_range = {
	.min = 7,
	.max = SVCNAT_MAGLEV_SIZE_MAX,
};

/* An address or CIDR, IPv4 or IPv6. */
const struct nla_policy svcnat_nl_prefix_policy[SVCNAT_A_PREFIX_MAX + 1] = {
	[SVCNAT_A_PREFIX_ADDR_IPV4] = { .type = NLA_BE32 },
	[SVCNAT_A_PREFIX_ADDR_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SVCNAT_A_PREFIX_LEN] = NLA_POLICY_MAX(NLA_U8, 128),
};

/* Backend attributes: the full set, and the key alone. */
static const struct nla_policy svcnat_backend_nl_policy[SVCNAT_A_BACKEND_MAX + 1] = {
	[SVCNAT_A_BACKEND_ADDR_IPV4] = { .type = NLA_BE32 },
	[SVCNAT_A_BACKEND_ADDR_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SVCNAT_A_BACKEND_PORT] = { .type = NLA_BE16 },
	[SVCNAT_A_BACKEND_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32, &svcnat_weight_range),
	[SVCNAT_A_BACKEND_FLAGS] = NLA_POLICY_MASK(NLA_U32, SVCNAT_BACKEND_FLAGS_ALL),
};

static const struct nla_policy svcnat_backend_key_nl_policy[SVCNAT_A_BACKEND_PORT + 1] = {
	[SVCNAT_A_BACKEND_ADDR_IPV4] = { .type = NLA_BE32 },
	[SVCNAT_A_BACKEND_ADDR_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SVCNAT_A_BACKEND_PORT] = { .type = NLA_BE16 },
};

#define SVCNAT_SERVICE_KEY_POLICY					\
	[SVCNAT_A_SERVICE_PROTO] = { .type = NLA_U8 },			\
	[SVCNAT_A_SERVICE_ADDR_IPV4] = { .type = NLA_BE32 },		\
	[SVCNAT_A_SERVICE_ADDR_IPV6] = NLA_POLICY_EXACT_LEN(16),	\
	[SVCNAT_A_SERVICE_PORT] = { .type = NLA_BE16 }

#define SVCNAT_SERVICE_NAME_POLICY					\
	[SVCNAT_A_SERVICE_NAME] = { .type = NLA_NUL_STRING,		\
				    .len = SVCNAT_NAME_LEN - 1 }

/* Frontends and policies; backend-count and stats stay replies only. */
#define SVCNAT_SERVICE_SPEC_POLICY					\
	[SVCNAT_A_SERVICE_NODE_PORT] = { .type = NLA_BE16 },		\
	[SVCNAT_A_SERVICE_EXTERNAL_IP] =				\
		NLA_POLICY_NESTED(svcnat_nl_prefix_policy),		\
	[SVCNAT_A_SERVICE_LB_IP] =					\
		NLA_POLICY_NESTED(svcnat_nl_prefix_policy),		\
	[SVCNAT_A_SERVICE_SOURCE_RANGE] =				\
		NLA_POLICY_NESTED(svcnat_nl_prefix_policy),		\
	[SVCNAT_A_SERVICE_EXT_POLICY] =					\
		NLA_POLICY_MAX(NLA_U32, SVCNAT_TRAFFIC_POLICY_LOCAL),	\
	[SVCNAT_A_SERVICE_INT_POLICY] =					\
		NLA_POLICY_MAX(NLA_U32, SVCNAT_TRAFFIC_POLICY_LOCAL),	\
	[SVCNAT_A_SERVICE_AFFINITY] =					\
		NLA_POLICY_MAX(NLA_U32, SVCNAT_AFFINITY_CLIENT_IP),	\
	[SVCNAT_A_SERVICE_AFFINITY_TIMEOUT] =				\
		NLA_POLICY_FULL_RANGE(NLA_U32,				\
				      &svcnat_affinity_timeout_range),	\
	[SVCNAT_A_SERVICE_SCHEDULER] =					\
		NLA_POLICY_MAX(NLA_U32, SVCNAT_SCHEDULER_MAGLEV),	\
	[SVCNAT_A_SERVICE_MAGLEV_SIZE] =				\
		NLA_POLICY_FULL_RANGE(NLA_U32, &svcnat_maglev_size_range), \
	[SVCNAT_A_SERVICE_HASH] = NLA_POLICY_MAX(NLA_U32, SVCNAT_HASH_FLOW)

/*
 * Every change of a service passes flush-conns on, so that the ones that
 * do not take it refuse it by name (svcnat_op_parse()).
 */
#define SVCNAT_SERVICE_FLUSH_POLICY					\
	[SVCNAT_A_SERVICE_FLUSH_CONNS] = { .type = NLA_FLAG }

/* Service attributes, narrowed to what each operation takes. */
static const struct nla_policy svcnat_service_key_nl_policy[SVCNAT_A_SERVICE_PORT + 1] = {
	SVCNAT_SERVICE_KEY_POLICY,
};

static const struct nla_policy svcnat_service_del_nl_policy[SVCNAT_A_SERVICE_MAX + 1] = {
	SVCNAT_SERVICE_KEY_POLICY,
	SVCNAT_SERVICE_FLUSH_POLICY,
};

static const struct nla_policy svcnat_service_new_nl_policy[SVCNAT_A_SERVICE_MAX + 1] = {
	SVCNAT_SERVICE_KEY_POLICY,
	SVCNAT_SERVICE_NAME_POLICY,
	[SVCNAT_A_SERVICE_BACKEND] = NLA_POLICY_NESTED(svcnat_backend_nl_policy),
	SVCNAT_SERVICE_SPEC_POLICY,
	SVCNAT_SERVICE_FLUSH_POLICY,
};

/* No backend: service-set keeps them. */
static const struct nla_policy svcnat_service_set_nl_policy[SVCNAT_A_SERVICE_MAX + 1] = {
	SVCNAT_SERVICE_KEY_POLICY,
	SVCNAT_SERVICE_NAME_POLICY,
	SVCNAT_SERVICE_SPEC_POLICY,
	SVCNAT_SERVICE_FLUSH_POLICY,
};

static const struct nla_policy svcnat_service_be_nl_policy[SVCNAT_A_SERVICE_FLUSH_CONNS + 1] = {
	SVCNAT_SERVICE_KEY_POLICY,
	[SVCNAT_A_SERVICE_BACKEND] = NLA_POLICY_NESTED(svcnat_backend_nl_policy),
	SVCNAT_SERVICE_FLUSH_POLICY,
};

static const struct nla_policy svcnat_service_be_key_nl_policy[SVCNAT_A_SERVICE_FLUSH_CONNS + 1] = {
	SVCNAT_SERVICE_KEY_POLICY,
	[SVCNAT_A_SERVICE_BACKEND] = NLA_POLICY_NESTED(svcnat_backend_key_nl_policy),
	SVCNAT_SERVICE_FLUSH_POLICY,
};

/* Top-level policies, one per operation. */
#define SVCNAT_TOP_POLICY(name, nested)					\
static const struct nla_policy name[SVCNAT_A_SERVICE + 1] = {		\
	[SVCNAT_A_SERVICE] = NLA_POLICY_NESTED(nested),			\
}

SVCNAT_TOP_POLICY(svcnat_key_nl_policy, svcnat_service_key_nl_policy);
SVCNAT_TOP_POLICY(svcnat_del_nl_policy, svcnat_service_del_nl_policy);
SVCNAT_TOP_POLICY(svcnat_new_nl_policy, svcnat_service_new_nl_policy);
SVCNAT_TOP_POLICY(svcnat_set_nl_policy, svcnat_service_set_nl_policy);
SVCNAT_TOP_POLICY(svcnat_be_nl_policy, svcnat_service_be_nl_policy);
SVCNAT_TOP_POLICY(svcnat_be_key_nl_policy, svcnat_service_be_key_nl_policy);

static const struct nla_policy svcnat_op_nl_policy[SVCNAT_A_OP_MAX + 1] = {
	[SVCNAT_A_OP_CMD] = NLA_POLICY_RANGE(NLA_U32, SVCNAT_CMD_SERVICE_NEW,
					     SVCNAT_CMD_FLUSH),
	/* Checked against the op's own policy once the command is known. */
	[SVCNAT_A_OP_SERVICE] = { .type = NLA_NESTED },
};

static const struct nla_policy svcnat_txn_nl_policy[SVCNAT_A_TXN_ID + 1] = {
	[SVCNAT_A_TXN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/*
 * The content of ops is checked by svcnat_nl_parse_ops(), not the core: a
 * bad op must abort its transaction and name its index, and the core would
 * reject the request before the handler could do either. Only a request
 * the core cannot parse at all (e.g. an op without NLA_F_NESTED) is
 * refused without reaching svcnat, leaving the transaction as it was.
 */
static const struct nla_policy svcnat_txn_ops_nl_policy[SVCNAT_A_OP + 1] = {
	[SVCNAT_A_TXN_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[SVCNAT_A_OP] = { .type = NLA_NESTED },
};

enum svcnat_op_backends {
	SVCNAT_OP_BE_NONE,
	SVCNAT_OP_BE_ONE,
	SVCNAT_OP_BE_ANY,
};

/**
 * struct svcnat_op_desc - how an operation takes its service attribute
 * @policy: policy of the nested service attributes
 * @maxattr: highest attribute of @policy
 * @backends: how many backends it takes
 * @spec: it takes frontends and policies (and the name)
 * @flush: it takes flush-conns (a change of backends)
 */
struct svcnat_op_desc {
	const struct nla_policy *policy;
	unsigned int maxattr;
	enum svcnat_op_backends backends;
	bool spec;
	bool flush;
};

#define SVCNAT_OP_DESC(cmd, pol, max, be, sp, fl)			\
	[cmd] = { .policy = pol, .maxattr = max, .backends = be,	\
		  .spec = sp, .flush = fl }

static const struct svcnat_op_desc svcnat_op_descs[SVCNAT_CMD_FLUSH + 1] = {
	SVCNAT_OP_DESC(SVCNAT_CMD_SERVICE_NEW, svcnat_service_new_nl_policy,
		       SVCNAT_A_SERVICE_MAX, SVCNAT_OP_BE_ANY, true,
		       false),
	SVCNAT_OP_DESC(SVCNAT_CMD_SERVICE_SET, svcnat_service_set_nl_policy,
		       SVCNAT_A_SERVICE_MAX, SVCNAT_OP_BE_NONE, true,
		       false),
	SVCNAT_OP_DESC(SVCNAT_CMD_SERVICE_DEL, svcnat_service_del_nl_policy,
		       SVCNAT_A_SERVICE_FLUSH_CONNS, SVCNAT_OP_BE_NONE, false,
		       false),
	SVCNAT_OP_DESC(SVCNAT_CMD_BACKEND_NEW, svcnat_service_be_nl_policy,
		       SVCNAT_A_SERVICE_FLUSH_CONNS, SVCNAT_OP_BE_ONE, false,
		       false),
	SVCNAT_OP_DESC(SVCNAT_CMD_BACKEND_SET, svcnat_service_be_nl_policy,
		       SVCNAT_A_SERVICE_FLUSH_CONNS, SVCNAT_OP_BE_ONE, false,
		       true),
	SVCNAT_OP_DESC(SVCNAT_CMD_BACKEND_DEL, svcnat_service_be_key_nl_policy,
		       SVCNAT_A_SERVICE_FLUSH_CONNS, SVCNAT_OP_BE_ONE, false,
		       true),
	SVCNAT_OP_DESC(SVCNAT_CMD_BACKEND_REPLACE, svcnat_service_be_nl_policy,
		       SVCNAT_A_SERVICE_FLUSH_CONNS, SVCNAT_OP_BE_ANY, false,
		       true),
};

/* The attribute type of each list's entries, in its parent nest. */
static const u16 svcnat_nl_list_type[] = {
	[SVCNAT_NL_EXTERNAL_IP] = SVCNAT_A_SERVICE_EXTERNAL_IP,
	[SVCNAT_NL_LB_IP] = SVCNAT_A_SERVICE_LB_IP,
	[SVCNAT_NL_SOURCE_RANGE] = SVCNAT_A_SERVICE_SOURCE_RANGE,
	[SVCNAT_NL_CLUSTER_CIDR] = SVCNAT_A_CONFIG_CLUSTER_CIDR,
	[SVCNAT_NL_NODEPORT_CIDR] = SVCNAT_A_CONFIG_NODEPORT_CIDR,
	[SVCNAT_NL_SERVICE_CIDR] = SVCNAT_A_CONFIG_SERVICE_CIDR,
};

/* External and load-balancer IPs are addresses; the others are CIDRs. */
static bool svcnat_nl_list_cidr(enum svcnat_nl_list list)
{
	return list != SVCNAT_NL_EXTERNAL_IP && list != SVCNAT_NL_LB_IP;
}

/* NL_SET_ERR_MSG() wants a literal: one switch per message kind. */
static void svcnat_nl_err_too_many(struct netlink_ext_ack *extack,
				   const struct nlattr *a,
				   enum svcnat_nl_list list)
{
	switch (list) {
	case SVCNAT_NL_EXTERNAL_IP:
		NL_SET_ERR_MSG_ATTR(extack, a, "too many external IPs");
		break;
	case SVCNAT_NL_LB_IP:
		NL_SET_ERR_MSG_ATTR(extack, a, "too many load-balancer IPs");
		break;
	case SVCNAT_NL_SOURCE_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, a, "too many source ranges");
		break;
	case SVCNAT_NL_CLUSTER_CIDR:
		NL_SET_ERR_MSG_ATTR(extack, a, "too many cluster CIDRs");
		break;
	case SVCNAT_NL_NODEPORT_CIDR:
		NL_SET_ERR_MSG_ATTR(extack, a, "too many NodePort CIDRs");
		break;
	case SVCNAT_NL_SERVICE_CIDR:
		NL_SET_ERR_MSG_ATTR(extack, a, "too many service CIDRs");
		break;
	}
}

static void svcnat_nl_err_dup(struct netlink_ext_ack *extack,
			      const struct nlattr *a, enum svcnat_nl_list list)
{
	switch (list) {
	case SVCNAT_NL_EXTERNAL_IP:
		NL_SET_ERR_MSG_ATTR(extack, a, "duplicate external IP");
		break;
	case SVCNAT_NL_LB_IP:
		NL_SET_ERR_MSG_ATTR(extack, a, "duplicate load-balancer IP");
		break;
	case SVCNAT_NL_SOURCE_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, a, "duplicate source range");
		break;
	case SVCNAT_NL_CLUSTER_CIDR:
		NL_SET_ERR_MSG_ATTR(extack, a, "duplicate cluster CIDR");
		break;
	case SVCNAT_NL_NODEPORT_CIDR:
		NL_SET_ERR_MSG_ATTR(extack, a, "duplicate NodePort CIDR");
		break;
	case SVCNAT_NL_SERVICE_CIDR:
		NL_SET_ERR_MSG_ATTR(extack, a, "duplicate service CIDR");
		break;
	}
}

/*
 * One address of a service or backend, either attribute; both address
 * attributes are in the same place in both attribute sets.
 */
static int svcnat_nl_parse_addr(struct nlattr **tb, const struct nlattr *nest,
				int v4, int v6, union nf_inet_addr *addr,
				u8 *family, struct netlink_ext_ack *extack)
{
	if (tb[v4] && tb[v6]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[v6],
				    "one address: IPv4 or IPv6, not both");
		return -EINVAL;
	}
	memset(addr, 0, sizeof(*addr));
	if (tb[v6]) {
		addr->in6 = nla_get_in6_addr(tb[v6]);
		*family = AF_INET6;
		return 0;
	}
	if (!tb[v4]) {
		NL_SET_ERR_MSG(extack, "missing address");
		NL_SET_ERR_ATTR_MISS(extack, nest, v4);
		return -EINVAL;
	}
	addr->ip = nla_get_in_addr(tb[v4]);
	*family = AF_INET;
	return 0;
}

/*
 * Not a destination a service can have: 0.0.0.0, multicast, broadcast;
 * for IPv6 :: and multicast.
 */
static bool svcnat_nl_addr_unusable(const union nf_inet_addr *addr, u8 family)
{
	if (family == AF_INET6)
		return ipv6_addr_any(&addr->in6) ||
			ipv6_addr_is_multicast(&addr->in6);
	return ipv4_is_zeronet(addr->ip) || ipv4_is_multicast(addr->ip) ||
		ipv4_is_lbcast(addr->ip);
}

static bool svcnat_nl_addr_loopback(const union nf_inet_addr *addr, u8 family)
{
	if (family == AF_INET6)
		return ipv6_addr_loopback(&addr->in6);
	return ipv4_is_loopback(addr->ip);
}

static void svcnat_nl_err_family(struct netlink_ext_ack *extack,
				 const struct nlattr *a,
				 enum svcnat_nl_list list)
{
	switch (list) {
	case SVCNAT_NL_EXTERNAL_IP:
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "external IP family differs from the service's");
		break;
	case SVCNAT_NL_LB_IP:
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "load-balancer IP family differs from the service's");
		break;
	case SVCNAT_NL_SOURCE_RANGE:
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "source range family differs from the service's");
		break;
	default:
		/* Node CIDR lists mix families. */
		break;
	}
}

/* Whether a prefix has bits set beyond its length. */
static bool svcnat_nl_host_bits(const struct svcnat_prefix *p)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(p->addr.ip6); i++)
		if (p->addr.ip6[i] & ~p->mask.ip6[i])
			return true;
	return false;
}

/*
 * One entry of a list: an address (full length, or no length) or a CIDR;
 * @family, unless 0, is the family it must have.
 */
static int svcnat_nl_parse_prefix(const struct nlattr *a,
				  enum svcnat_nl_list list, u8 family,
				  struct svcnat_prefix *p,
				  struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCNAT_A_PREFIX_MAX + 1];
	struct nlattr *len_attr;
	bool v6;
	int err;

	err = nla_parse_nested(tb, SVCNAT_A_PREFIX_MAX, a,
			       svcnat_nl_prefix_policy, extack);
	if (err)
		return err;
	if (tb[SVCNAT_A_PREFIX_ADDR_IPV4] && tb[SVCNAT_A_PREFIX_ADDR_IPV6]) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "one address: IPv4 or IPv6, not both");
		return -EINVAL;
	}
	v6 = !!tb[SVCNAT_A_PREFIX_ADDR_IPV6];
	if (!v6 && !tb[SVCNAT_A_PREFIX_ADDR_IPV4]) {
		NL_SET_ERR_MSG_ATTR(extack, a, "missing address");
		NL_SET_ERR_ATTR_MISS(extack, a, SVCNAT_A_PREFIX_ADDR_IPV4);
		return -EINVAL;
	}

	memset(p, 0, sizeof(*p));
	p->family = v6 ? AF_INET6 : AF_INET;
	if (family && p->family != family) {
		svcnat_nl_err_family(extack, a, list);
		return -EINVAL;
	}
	if (v6)
		p->addr.in6 = nla_get_in6_addr(tb[SVCNAT_A_PREFIX_ADDR_IPV6]);
	else
		p->addr.ip = nla_get_in_addr(tb[SVCNAT_A_PREFIX_ADDR_IPV4]);

	len_attr = tb[SVCNAT_A_PREFIX_LEN];
	p->len = v6 ? 128 : 32;
	if (len_attr) {
		if (!svcnat_nl_list_cidr(list) && nla_get_u8(len_attr) != p->len) {
			if (v6)
				NL_SET_ERR_MSG_ATTR(extack, len_attr,
						    "an external or load-balancer IP is one address, its length must be 128");
			else
				NL_SET_ERR_MSG_ATTR(extack, len_attr,
						    "an external or load-balancer IP is one address, its length must be 32");
			return -EINVAL;
		}
		/* The policy caps it at 128. */
		if (!v6 && nla_get_u8(len_attr) > 32) {
			NL_SET_ERR_MSG_ATTR(extack, len_attr,
					    "IPv4 prefix length must be at most 32");
			return -EINVAL;
		}
		p->len = nla_get_u8(len_attr);
	}
	svcnat_prefix_set_mask(p);

	if (svcnat_nl_host_bits(p)) {
		if (list == SVCNAT_NL_SOURCE_RANGE)
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "source range has host bits set");
		else
			NL_SET_ERR_MSG_ATTR(extack, a, "CIDR has host bits set");
		return -EINVAL;
	}
	if (!svcnat_nl_list_cidr(list) &&
	    (svcnat_nl_addr_unusable(&p->addr, p->family) ||
	     svcnat_nl_addr_loopback(&p->addr, p->family))) {
		if (v6)
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "external and load-balancer IPs must be unicast, not ::, loopback or multicast");
		else
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "external and load-balancer IPs must be unicast, not 0.0.0.0, loopback, multicast or broadcast");
		return -EINVAL;
	}
	return 0;
}

/**
 * svcnat_nl_count_list - count the entries of a list
 * @nest: the parent nest, may be NULL
 * @list: the list
 * @nr: set to the number of entries
 * @extack: error reporting
 *
 * Return: 0, or -EINVAL with an extack message if the list has more than
 * SVCNAT_MAX_ADDRS entries.
 */
int svcnat_nl_count_list(const struct nlattr *nest, enum svcnat_nl_list list,
			 u16 *nr, struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem;

	*nr = 0;
	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != svcnat_nl_list_type[list])
			continue;
		if (*nr == SVCNAT_MAX_ADDRS) {
			svcnat_nl_err_too_many(extack, a, list);
			return -EINVAL;
		}
		(*nr)++;
	}
	return 0;
}

static int __svcnat_nl_parse_list(const struct nlattr *nest,
				  enum svcnat_nl_list list, u8 family,
				  struct svcnat_prefix *items,
				  struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, err;
	u16 n = 0, i;

	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != svcnat_nl_list_type[list])
			continue;
		err = svcnat_nl_parse_prefix(a, list, family, &items[n],
					     extack);
		if (err)
			return err;
		for (i = 0; i < n; i++) {
			if (items[i].family == items[n].family &&
			    items[i].len == items[n].len &&
			    nf_inet_addr_cmp(&items[i].addr, &items[n].addr)) {
				svcnat_nl_err_dup(extack, a, list);
				return -EINVAL;
			}
		}
		n++;
	}
	return 0;
}

/**
 * svcnat_nl_parse_list - parse the entries of a list of either family
 * @nest: the parent nest, may be NULL
 * @list: the list
 * @items: room for the entries counted by svcnat_nl_count_list()
 * @extack: error reporting
 *
 * Return: 0, or a negative errno with an extack message for a bad or
 * duplicate entry.
 */
int svcnat_nl_parse_list(const struct nlattr *nest, enum svcnat_nl_list list,
			 struct svcnat_prefix *items,
			 struct netlink_ext_ack *extack)
{
	return __svcnat_nl_parse_list(nest, list, 0, items, extack);
}

/* Whether an address is among some addresses of its family. */
static bool svcnat_nl_prefix_in(const struct svcnat_prefix *items, u16 nr,
				const union nf_inet_addr *addr)
{
	u16 i;

	for (i = 0; i < nr; i++)
		if (nf_inet_addr_cmp(&items[i].addr, addr))
			return true;
	return false;
}

/* Frontends of the service other than its key must not repeat. */
static int svcnat_nl_check_spec(const struct svcnat_spec *spec,
				const struct svcnat_key *key,
				struct netlink_ext_ack *extack)
{
	const struct svcnat_prefix *ext = spec->items;
	const struct svcnat_prefix *lb = ext + spec->nr_ext;
	u16 i;

	if (svcnat_nl_prefix_in(ext, spec->nr_ext, &key->addr)) {
		NL_SET_ERR_MSG(extack, "external IP equals the cluster IP");
		return -EINVAL;
	}
	if (svcnat_nl_prefix_in(lb, spec->nr_lb, &key->addr)) {
		NL_SET_ERR_MSG(extack, "load-balancer IP equals the cluster IP");
		return -EINVAL;
	}
	for (i = 0; i < spec->nr_lb; i++) {
		if (svcnat_nl_prefix_in(ext, spec->nr_ext, &lb[i].addr)) {
			NL_SET_ERR_MSG(extack,
				       "address is both an external IP and a load-balancer IP");
			return -EINVAL;
		}
	}
	return 0;
}

/* sessionAffinity and its timeout, which only ClientIP takes. */
static int svcnat_nl_parse_affinity(struct nlattr **tb,
				    struct svcnat_spec *spec,
				    struct netlink_ext_ack *extack)
{
	if (tb[SVCNAT_A_SERVICE_AFFINITY])
		spec->affinity = nla_get_u32(tb[SVCNAT_A_SERVICE_AFFINITY]);
	spec->affinity_timeout = SVCNAT_AFFINITY_TIMEOUT_DEFAULT;
	if (!tb[SVCNAT_A_SERVICE_AFFINITY_TIMEOUT])
		return 0;
	if (spec->affinity != SVCNAT_AFFINITY_CLIENT_IP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNAT_A_SERVICE_AFFINITY_TIMEOUT],
				    "affinity-timeout needs affinity client-ip");
		return -EINVAL;
	}
	spec->affinity_timeout =
		nla_get_u32(tb[SVCNAT_A_SERVICE_AFFINITY_TIMEOUT]);
	return 0;
}

static bool svcnat_nl_prime(u32 n)
{
	u32 d;

	if (n < 2)
		return false;
	for (d = 2; d <= n / d; d++)
		if (!(n % d))
			return false;
	return true;
}

/* Scheduler, maglev size and hash; absent ones take their defaults. */
static int svcnat_nl_parse_sched(struct nlattr **tb, struct svcnat_spec *spec,
				 struct netlink_ext_ack *extack)
{
	struct nlattr *size = tb[SVCNAT_A_SERVICE_MAGLEV_SIZE];
	struct nlattr *hash = tb[SVCNAT_A_SERVICE_HASH];

	if (tb[SVCNAT_A_SERVICE_SCHEDULER])
		spec->scheduler = nla_get_u32(tb[SVCNAT_A_SERVICE_SCHEDULER]);
	if (spec->scheduler != SVCNAT_SCHEDULER_MAGLEV) {
		if (size) {
			NL_SET_ERR_MSG_ATTR(extack, size,
					    "maglev-size needs scheduler maglev");
			return -EINVAL;
		}
		if (hash) {
			NL_SET_ERR_MSG_ATTR(extack, hash,
					    "hash needs scheduler maglev");
			return -EINVAL;
		}
		return 0;
	}
	if (size) {
		spec->maglev_size = nla_get_u32(size);
		if (!svcnat_nl_prime(spec->maglev_size)) {
			NL_SET_ERR_MSG_ATTR(extack, size,
					    "maglev-size must be a prime");
			return -EINVAL;
		}
	}
	if (hash)
		spec->hash = nla_get_u32(hash);
	return 0;
}

/* Frontends and policies of service-new and service-set. */
static int svcnat_nl_parse_spec(struct nlattr **tb, const struct nlattr *nest,
				struct svcnat_op *op,
				struct netlink_ext_ack *extack)
{
	u16 nr_ext, nr_lb, nr_ranges;
	struct svcnat_spec *spec;
	__be16 node_port = 0;
	int err;

	if (tb[SVCNAT_A_SERVICE_NODE_PORT]) {
		node_port = nla_get_be16(tb[SVCNAT_A_SERVICE_NODE_PORT]);
		if (!node_port) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[SVCNAT_A_SERVICE_NODE_PORT],
					    "NodePort must not be 0");
			return -EINVAL;
		}
	}

	err = svcnat_nl_count_list(nest, SVCNAT_NL_EXTERNAL_IP, &nr_ext, extack);
	if (err)
		return err;
	err = svcnat_nl_count_list(nest, SVCNAT_NL_LB_IP, &nr_lb, extack);
	if (err)
		return err;
	err = svcnat_nl_count_list(nest, SVCNAT_NL_SOURCE_RANGE, &nr_ranges,
				   extack);
	if (err)
		return err;

	spec = kzalloc(struct_size(spec, items, nr_ext + nr_lb + nr_ranges),
		       GFP_KERNEL_ACCOUNT);
	if (!spec)
		return -ENOMEM;
	spec->node_port = node_port;
	spec->nr_ext = nr_ext;
	spec->nr_lb = nr_lb;
	spec->nr_ranges = nr_ranges;
	if (tb[SVCNAT_A_SERVICE_EXT_POLICY])
		spec->ext_local = nla_get_u32(tb[SVCNAT_A_SERVICE_EXT_POLICY]) ==
				  SVCNAT_TRAFFIC_POLICY_LOCAL;
	if (tb[SVCNAT_A_SERVICE_INT_POLICY])
		spec->int_local = nla_get_u32(tb[SVCNAT_A_SERVICE_INT_POLICY]) ==
				  SVCNAT_TRAFFIC_POLICY_LOCAL;
	err = svcnat_nl_parse_affinity(tb, spec, extack);
	if (err)
		goto err_free_spec;
	err = svcnat_nl_parse_sched(tb, spec, extack);
	if (err)
		goto err_free_spec;

	/* Every frontend and source range has the family of the service. */
	err = __svcnat_nl_parse_list(nest, SVCNAT_NL_EXTERNAL_IP,
				     op->key.family, spec->items, extack);
	if (err)
		goto err_free_spec;
	err = __svcnat_nl_parse_list(nest, SVCNAT_NL_LB_IP, op->key.family,
				     &spec->items[nr_ext], extack);
	if (err)
		goto err_free_spec;
	err = __svcnat_nl_parse_list(nest, SVCNAT_NL_SOURCE_RANGE,
				     op->key.family,
				     &spec->items[nr_ext + nr_lb], extack);
	if (err)
		goto err_free_spec;
	err = svcnat_nl_check_spec(spec, &op->key, extack);
	if (err)
		goto err_free_spec;

	op->spec = spec;
	return 0;

err_free_spec:
	kfree(spec);
	return err;
}

/**
 * svcnat_nl_parse_proto - read a protocol attribute a service can have
 * @a: the u8 attribute, present
 * @proto: the protocol
 * @extack: error reporting
 *
 * Return: 0, or -EINVAL unless TCP, UDP or SCTP.
 */
int svcnat_nl_parse_proto(const struct nlattr *a, u8 *proto,
			  struct netlink_ext_ack *extack)
{
	*proto = nla_get_u8(a);
	switch (*proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, a, "protocol must be TCP, UDP or SCTP");
	return -EINVAL;
}

static int svcnat_nl_parse_key(struct nlattr **tb, const struct nlattr *nest,
			       struct svcnat_key *key,
			       struct netlink_ext_ack *extack)
{
	int err;

	memset(key, 0, sizeof(*key));
	if (!tb[SVCNAT_A_SERVICE_PROTO]) {
		NL_SET_ERR_MSG(extack, "missing service protocol");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_SERVICE_PROTO);
		return -EINVAL;
	}
	err = svcnat_nl_parse_proto(tb[SVCNAT_A_SERVICE_PROTO], &key->proto,
				    extack);
	if (err)
		return err;

	err = svcnat_nl_parse_addr(tb, nest, SVCNAT_A_SERVICE_ADDR_IPV4,
				   SVCNAT_A_SERVICE_ADDR_IPV6, &key->addr,
				   &key->family, extack);
	if (err)
		return err;

	if (!tb[SVCNAT_A_SERVICE_PORT]) {
		NL_SET_ERR_MSG(extack, "missing service port");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_SERVICE_PORT);
		return -EINVAL;
	}
	key->port = nla_get_be16(tb[SVCNAT_A_SERVICE_PORT]);
	if (!key->port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNAT_A_SERVICE_PORT],
				    "service port must not be 0");
		return -EINVAL;
	}
	return 0;
}

/**
 * svcnat_nl_parse_service_key - parse a service nest holding only a key
 * @nest: the SVCNAT_A_SERVICE attribute
 * @key: the key
 * @extack: error reporting
 *
 * Return: 0, or a negative errno with an extack message.
 */
int svcnat_nl_parse_service_key(const struct nlattr *nest,
				struct svcnat_key *key,
				struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCNAT_A_SERVICE_PORT + 1];
	int err;

	err = nla_parse_nested(tb, SVCNAT_A_SERVICE_PORT, nest,
			       svcnat_service_key_nl_policy, extack);
	if (err)
		return err;
	return svcnat_nl_parse_key(tb, nest, key, extack);
}

/* A backend of a service of @family. */
static int svcnat_nl_parse_backend(const struct nlattr *nest,
				   const struct nla_policy *policy, u8 family,
				   struct svcnat_op_be *obe,
				   struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCNAT_A_BACKEND_MAX + 1] = {};
	u8 be_family;
	int err;

	/* Narrowed policies are shorter; parsing stops at their end. */
	err = nla_parse_nested(tb, policy == svcnat_backend_nl_policy ?
			       SVCNAT_A_BACKEND_MAX : SVCNAT_A_BACKEND_PORT,
			       nest, policy, extack);
	if (err)
		return err;

	err = svcnat_nl_parse_addr(tb, nest, SVCNAT_A_BACKEND_ADDR_IPV4,
				   SVCNAT_A_BACKEND_ADDR_IPV6, &obe->be.addr,
				   &be_family, extack);
	if (err)
		return err;
	if (be_family != family) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "backend family differs from the service's");
		return -EINVAL;
	}
	if (!tb[SVCNAT_A_BACKEND_PORT]) {
		NL_SET_ERR_MSG(extack, "missing backend port");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_BACKEND_PORT);
		return -EINVAL;
	}
	obe->be.port = nla_get_be16(tb[SVCNAT_A_BACKEND_PORT]);
	if (!obe->be.port) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNAT_A_BACKEND_PORT],
				    "backend port must not be 0");
		return -EINVAL;
	}

	if (tb[SVCNAT_A_BACKEND_WEIGHT]) {
		obe->be.weight = nla_get_u32(tb[SVCNAT_A_BACKEND_WEIGHT]);
		obe->has_weight = true;
	}
	if (tb[SVCNAT_A_BACKEND_FLAGS]) {
		obe->be.flags = nla_get_u32(tb[SVCNAT_A_BACKEND_FLAGS]);
		obe->has_flags = true;
	}
	return 0;
}

static bool svcnat_op_be_dup(const struct svcnat_op *op, u32 n)
{
	const struct svcnat_backend *be = &op->be[n].be;
	u32 i;

	for (i = 0; i < n; i++)
		if (op->be[i].be.port == be->port &&
		    nf_inet_addr_cmp(&op->be[i].be.addr, &be->addr))
			return true;
	return false;
}

static int svcnat_nl_parse_backends(struct svcnat_op *op,
				    const struct nlattr *nest,
				    const struct nla_policy *be_policy,
				    struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, err;
	u32 n = 0;

	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != SVCNAT_A_SERVICE_BACKEND)
			continue;
		err = svcnat_nl_parse_backend(a, be_policy, op->key.family,
					      &op->be[n], extack);
		if (err)
			return err;
		if (svcnat_op_be_dup(op, n)) {
			NL_SET_ERR_MSG_ATTR(extack, a, "duplicate backend");
			return -EINVAL;
		}
		n++;
	}
	return 0;
}

/**
 * svcnat_op_parse - turn a command and its service attribute into an op
 * @cmd: SVCNAT_CMD_* of a configuration change
 * @nest: the SVCNAT_A_SERVICE attribute, NULL if absent
 * @extack: error reporting
 *
 * service-new and service-set always get an op->spec; an absent name
 * leaves op->name NULL, which service-set takes as "no name".
 *
 * Return: the op, or an ERR_PTR() with an extack message set.
 */
static struct svcnat_op *svcnat_op_parse(u32 cmd, const struct nlattr *nest,
					 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[SVCNAT_A_SERVICE_MAX + 1] = {};
	const struct nla_policy *be_policy;
	const struct svcnat_op_desc *desc;
	const struct nlattr *a;
	struct svcnat_op *op;
	int rem, err;
	u32 nr = 0;

	if (cmd == SVCNAT_CMD_FLUSH) {
		if (nest) {
			NL_SET_ERR_MSG_ATTR(extack, nest, "flush takes no service");
			return ERR_PTR(-EINVAL);
		}
		op = kzalloc(sizeof(*op), GFP_KERNEL_ACCOUNT);
		if (!op)
			return ERR_PTR(-ENOMEM);
		op->cmd = cmd;
		return op;
	}

	desc = cmd < ARRAY_SIZE(svcnat_op_descs) ? &svcnat_op_descs[cmd] : NULL;
	if (!desc || !desc->policy) {
		NL_SET_ERR_MSG(extack, "not a configuration command");
		return ERR_PTR(-EINVAL);
	}
	if (!nest) {
		NL_SET_ERR_MSG(extack, "missing service");
		return ERR_PTR(-EINVAL);
	}

	err = nla_parse_nested(tb, desc->maxattr, nest, desc->policy, extack);
	if (err)
		return ERR_PTR(err);
	if (tb[SVCNAT_A_SERVICE_FLUSH_CONNS] && !desc->flush) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNAT_A_SERVICE_FLUSH_CONNS],
				    "flush-conns only applies to backend changes");
		return ERR_PTR(-EINVAL);
	}

	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == SVCNAT_A_SERVICE_BACKEND)
			nr++;
	if (desc->backends == SVCNAT_OP_BE_ONE && nr != 1) {
		NL_SET_ERR_MSG(extack, "exactly one backend required");
		if (!nr)
			NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_SERVICE_BACKEND);
		return ERR_PTR(-EINVAL);
	}
	if (nr > svcnat_max_backends) {
		NL_SET_ERR_MSG(extack,
			       "too many backends in this service (max_backends)");
		return ERR_PTR(-ENOSPC);
	}

	op = kvzalloc(struct_size(op, be, nr), GFP_KERNEL_ACCOUNT);
	if (!op)
		return ERR_PTR(-ENOMEM);
	op->cmd = cmd;
	op->nr_be = nr;
	op->flush_conns = nla_get_flag(tb[SVCNAT_A_SERVICE_FLUSH_CONNS]);

	err = svcnat_nl_parse_key(tb, nest, &op->key, extack);
	if (err)
		goto err_free_op;
	if (cmd == SVCNAT_CMD_SERVICE_NEW &&
	    svcnat_nl_addr_unusable(&op->key.addr, op->key.family)) {
		if (op->key.family == AF_INET6)
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[SVCNAT_A_SERVICE_ADDR_IPV6],
					    "cluster IP must be unicast, not :: or multicast");
		else
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[SVCNAT_A_SERVICE_ADDR_IPV4],
					    "cluster IP must be unicast, not 0.0.0.0, multicast or broadcast");
		err = -EINVAL;
		goto err_free_op;
	}

	be_policy = cmd == SVCNAT_CMD_BACKEND_DEL ?
		svcnat_backend_key_nl_policy : svcnat_backend_nl_policy;
	err = svcnat_nl_parse_backends(op, nest, be_policy, extack);
	if (err)
		goto err_free_op;

	if (desc->spec) {
		err = svcnat_nl_parse_spec(tb, nest, op, extack);
		if (err)
			goto err_free_op;
	}

	if (tb[SVCNAT_A_SERVICE_NAME]) {
		op->name = nla_strdup(tb[SVCNAT_A_SERVICE_NAME],
				      GFP_KERNEL_ACCOUNT);
		if (!op->name) {
			err = -ENOMEM;
			goto err_free_op;
		}
	}
	return op;

err_free_op:
	svcnat_op_free(op);
	return ERR_PTR(err);
}

static void svcnat_nl_set_op_index(struct netlink_ext_ack *extack, u32 idx)
{
	/* The index of the failing op travels as NLMSGERR_ATTR_COOKIE. */
	BUILD_BUG_ON(sizeof(idx) > NETLINK_MAX_COOKIE_LEN);
	memcpy(extack->cookie, &idx, sizeof(idx));
	extack->cookie_len = sizeof(idx);
}

static int svcnat_nl_change_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	struct svcnat_op *op;
	LIST_HEAD(ops);
	u32 failed;
	int err;

	op = svcnat_op_parse(info->genlhdr->cmd, info->attrs[SVCNAT_A_SERVICE],
			     info->extack);
	if (IS_ERR(op))
		return PTR_ERR(op);
	list_add(&op->list, &ops);

	mutex_lock(&sn->lock);
	err = svcnat_apply(sn, &ops, &failed, info->extack);
	mutex_unlock(&sn->lock);

	svcnat_ops_free(&ops);
	return err;
}

/* Name, frontends, policies and counters: the first part of a service. */
static size_t svcnat_nl_spec_size(const struct svcnat_cfg *cfg)
{
	const struct svcnat_spec *spec = cfg->spec;

	return nla_total_size(strlen(cfg->name) + 1) +	/* NAME */
		nla_total_size(sizeof(__be16)) +	/* NODE_PORT */
		(spec->nr_ext + spec->nr_lb) * svcnat_nl_prefix_size(false) +
		spec->nr_ranges * svcnat_nl_prefix_size(true) +
		2 * nla_total_size(sizeof(u32)) +	/* EXT/INT_POLICY */
		2 * nla_total_size(sizeof(u32)) +	/* AFFINITY(_TIMEOUT) */
		/* SCHEDULER, MAGLEV_SIZE, HASH */
		3 * nla_total_size(sizeof(u32)) +
		svcnat_nl_stats_size(5);		/* STATS */
}

static size_t svcnat_nl_service_size(const struct svcnat_cfg *cfg, u8 family)
{
	return nla_total_size(0) +		/* SVCNAT_A_SERVICE */
		nla_total_size(sizeof(u8)) +	/* PROTO */
		svcnat_nl_addr_size(family) +	/* ADDR_IPV4/6 */
		nla_total_size(sizeof(__be16)) +	/* PORT */
		nla_total_size(sizeof(u32)) +	/* BACKEND_COUNT */
		svcnat_nl_spec_size(cfg) +
		cfg->nr * svcnat_nl_backend_size(family);
}

/**
 * svcnat_nl_put_addr - put an address as the attribute of its family
 * @skb: the message
 * @v4: attribute type for IPv4
 * @v6: attribute type for IPv6
 * @addr: the address
 * @family: its family
 *
 * Return: 0 or -EMSGSIZE.
 */
int svcnat_nl_put_addr(struct sk_buff *skb, int v4, int v6,
		       const union nf_inet_addr *addr, u8 family)
{
	if (family == AF_INET6)
		return nla_put_in6_addr(skb, v6, &addr->in6);
	return nla_put_in_addr(skb, v4, addr->ip);
}

/**
 * svcnat_nl_put_backend - put a backend nest
 * @skb: the message
 * @type: attribute type of the nest
 * @be: the backend
 * @family: family of its service
 *
 * Return: 0, or -EMSGSIZE with nothing put.
 */
int svcnat_nl_put_backend(struct sk_buff *skb, int type,
			  const struct svcnat_backend *be, u8 family)
{
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (svcnat_nl_put_addr(skb, SVCNAT_A_BACKEND_ADDR_IPV4,
			       SVCNAT_A_BACKEND_ADDR_IPV6, &be->addr, family) ||
	    nla_put_be16(skb, SVCNAT_A_BACKEND_PORT, be->port) ||
	    nla_put_u32(skb, SVCNAT_A_BACKEND_WEIGHT, be->weight) ||
	    nla_put_u32(skb, SVCNAT_A_BACKEND_FLAGS, be->flags)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * svcnat_nl_put_prefixes - put a list of addresses or CIDRs
 * @skb: the message
 * @type: attribute type of each entry
 * @items: the entries
 * @nr: number of @items
 * @cidr: put the prefix length too (a CIDR, not an address)
 *
 * Return: 0 or -EMSGSIZE.
 */
int svcnat_nl_put_prefixes(struct sk_buff *skb, int type,
			   const struct svcnat_prefix *items, u16 nr, bool cidr)
{
	struct nlattr *nest;
	u16 i;

	for (i = 0; i < nr; i++) {
		nest = nla_nest_start(skb, type);
		if (!nest)
			return -EMSGSIZE;
		if (svcnat_nl_put_addr(skb, SVCNAT_A_PREFIX_ADDR_IPV4,
				       SVCNAT_A_PREFIX_ADDR_IPV6, &items[i].addr,
				       items[i].family) ||
		    (cidr && nla_put_u8(skb, SVCNAT_A_PREFIX_LEN,
					items[i].len))) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

static int svcnat_nl_put_service_stats(struct sk_buff *skb,
				       const struct svcnat_service *svc)
{
	struct svcnat_counts c;
	struct nlattr *nest;

	svcnat_stats_read(svc->stats, &c);
	nest = nla_nest_start(skb, SVCNAT_A_SERVICE_STATS);
	if (!nest)
		return -EMSGSIZE;
	if (svcnat_nl_put_u64(skb, SVCNAT_A_STATS_CONNS, c.conns) ||
	    svcnat_nl_put_u64(skb, SVCNAT_A_STATS_MASQUERADED, c.masq) ||
	    svcnat_nl_put_u64(skb, SVCNAT_A_STATS_REJECTED_NO_ENDPOINTS,
			      c.reject_noep) ||
	    svcnat_nl_put_u64(skb, SVCNAT_A_STATS_DROPPED_NO_LOCAL,
			      c.drop_nolocal) ||
	    svcnat_nl_put_u64(skb, SVCNAT_A_STATS_DROPPED_SOURCE_RANGE,
			      c.drop_range)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int svcnat_nl_put_spec(struct sk_buff *skb,
			      const struct svcnat_spec *spec)
{
	const struct svcnat_prefix *lb = &spec->items[spec->nr_ext];
	const struct svcnat_prefix *ranges = &lb[spec->nr_lb];

	if ((spec->node_port &&
	     nla_put_be16(skb, SVCNAT_A_SERVICE_NODE_PORT, spec->node_port)) ||
	    svcnat_nl_put_prefixes(skb, SVCNAT_A_SERVICE_EXTERNAL_IP,
				   spec->items, spec->nr_ext, false) ||
	    svcnat_nl_put_prefixes(skb, SVCNAT_A_SERVICE_LB_IP, lb,
				   spec->nr_lb, false) ||
	    svcnat_nl_put_prefixes(skb, SVCNAT_A_SERVICE_SOURCE_RANGE, ranges,
				   spec->nr_ranges, true) ||
	    nla_put_u32(skb, SVCNAT_A_SERVICE_EXT_POLICY,
			spec->ext_local ? SVCNAT_TRAFFIC_POLICY_LOCAL :
					  SVCNAT_TRAFFIC_POLICY_CLUSTER) ||
	    nla_put_u32(skb, SVCNAT_A_SERVICE_INT_POLICY,
			spec->int_local ? SVCNAT_TRAFFIC_POLICY_LOCAL :
					  SVCNAT_TRAFFIC_POLICY_CLUSTER) ||
	    nla_put_u32(skb, SVCNAT_A_SERVICE_AFFINITY, spec->affinity) ||
	    (spec->affinity == SVCNAT_AFFINITY_CLIENT_IP &&
	     nla_put_u32(skb, SVCNAT_A_SERVICE_AFFINITY_TIMEOUT,
			 spec->affinity_timeout)))
		return -EMSGSIZE;
	/* The scheduler always; hash for maglev; its size only when set. */
	if (nla_put_u32(skb, SVCNAT_A_SERVICE_SCHEDULER, spec->scheduler))
		return -EMSGSIZE;
	if (spec->scheduler == SVCNAT_SCHEDULER_MAGLEV &&
	    (nla_put_u32(skb, SVCNAT_A_SERVICE_HASH, spec->hash) ||
	     (spec->maglev_size &&
	      nla_put_u32(skb, SVCNAT_A_SERVICE_MAGLEV_SIZE,
			  spec->maglev_size))))
		return -EMSGSIZE;
	return 0;
}

/**
 * svcnat_nl_put_key - put the key and name of a service
 * @skb: the message
 * @svc: the service
 * @cfg: its configuration, for the name
 *
 * The attributes alone, without a nest: what a trace reply names.
 *
 * Return: 0 or -EMSGSIZE.
 */
int svcnat_nl_put_key(struct sk_buff *skb, const struct svcnat_service *svc,
		      const struct svcnat_cfg *cfg)
{
	if (nla_put_u8(skb, SVCNAT_A_SERVICE_PROTO, svc->key.proto) ||
	    svcnat_nl_put_addr(skb, SVCNAT_A_SERVICE_ADDR_IPV4,
			       SVCNAT_A_SERVICE_ADDR_IPV6, &svc->key.addr,
			       svc->key.family) ||
	    nla_put_be16(skb, SVCNAT_A_SERVICE_PORT, svc->key.port) ||
	    (cfg->name[0] &&
	     nla_put_string(skb, SVCNAT_A_SERVICE_NAME, cfg->name)))
		return -EMSGSIZE;
	return 0;
}

/*
 * Put the service and as many of its backends from @from on as fit. Every
 * part carries the key, name and backend count; only the first (@from 0)
 * carries the frontends, policies and counters, so that a reader merging
 * the parts of a dump may simply append what every part lists.
 * Return: index of the first backend not put, or -EMSGSIZE if not even
 * the key and one pending backend fit.
 */
static int svcnat_nl_put_service(struct sk_buff *skb,
				 const struct svcnat_service *svc,
				 const struct svcnat_cfg *cfg, u32 from)
{
	struct nlattr *nest;
	u32 i;

	nest = nla_nest_start(skb, SVCNAT_A_SERVICE);
	if (!nest)
		return -EMSGSIZE;
	if (svcnat_nl_put_key(skb, svc, cfg) ||
	    nla_put_u32(skb, SVCNAT_A_SERVICE_BACKEND_COUNT, cfg->nr))
		goto err_cancel_nest;
	if (!from && (svcnat_nl_put_spec(skb, cfg->spec) ||
		      svcnat_nl_put_service_stats(skb, svc)))
		goto err_cancel_nest;

	for (i = from; i < cfg->nr; i++)
		if (svcnat_nl_put_backend(skb, SVCNAT_A_SERVICE_BACKEND,
					  &cfg->be[i], svc->key.family))
			break;
	if (i == from && from < cfg->nr)
		goto err_cancel_nest;

	nla_nest_end(skb, nest);
	return i;

err_cancel_nest:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int svcnat_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	struct nlattr *nest = info->attrs[SVCNAT_A_SERVICE];
	struct nlattr *tb[SVCNAT_A_SERVICE_PORT + 1];
	struct svcnat_service *svc;
	struct svcnat_cfg *cfg;
	struct svcnat_key key;
	struct sk_buff *msg;
	size_t size;
	void *hdr;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCNAT_A_SERVICE)) {
		GENL_SET_ERR_MSG(info, "missing service");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCNAT_A_SERVICE_PORT, nest,
			       svcnat_service_key_nl_policy, info->extack);
	if (err)
		return err;
	err = svcnat_nl_parse_key(tb, nest, &key, info->extack);
	if (err)
		return err;

	mutex_lock(&sn->lock);
	svc = svcnat_service_lookup(sn, &key);
	cfg = svc ? rcu_dereference_protected(svc->cfg,
					      lockdep_is_held(&sn->lock)) : NULL;
	if (!cfg) {
		NL_SET_ERR_MSG(info->extack, "service not found");
		err = -ENOENT;
		goto err_unlock;
	}

	/* The service nest has a 16-bit length; dumps split, replies cannot. */
	size = svcnat_nl_service_size(cfg, key.family);
	if (size > U16_MAX) {
		NL_SET_ERR_MSG(info->extack,
			       "service too large for one reply, use a dump");
		err = -EMSGSIZE;
		goto err_unlock;
	}

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &svcnat_nl_family, 0,
				SVCNAT_CMD_SERVICE_GET);
	if (!hdr || svcnat_nl_put_service(msg, svc, cfg, 0) != cfg->nr) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}
	genlmsg_end(msg, hdr);
	mutex_unlock(&sn->lock);
	return genlmsg_reply(msg, info);

err_free_msg:
	nlmsg_free(msg);
err_unlock:
	mutex_unlock(&sn->lock);
	return err;
}

/**
 * struct svcnat_dump_ctx - where a dump resumes
 * @id: id of the next service to put
 * @be: first backend of that service still to put
 */
struct svcnat_dump_ctx {
	unsigned long id;
	u32 be;
};

static int svcnat_nl_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct svcnat_dump_ctx *ctx = (struct svcnat_dump_ctx *)cb->ctx;
	struct svcnat_net *sn = svcnat_pernet(sock_net(skb->sk));
	struct svcnat_service *svc;
	struct svcnat_cfg *cfg;
	unsigned long id;
	void *hdr;
	int next;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));

	rcu_read_lock();
	/* Any commit between two parts of the dump flags NLM_F_DUMP_INTR. */
	cb->seq = smp_load_acquire(&sn->gen);
	xa_for_each_start(&sn->ids, id, svc, ctx->id) {
		cfg = rcu_dereference(svc->cfg);
		if (!cfg)
			continue;
		if (id != ctx->id)
			ctx->be = 0;

		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &svcnat_nl_family,
				  NLM_F_MULTI, SVCNAT_CMD_SERVICE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		next = svcnat_nl_put_service(skb, svc, cfg, ctx->be);
		if (next < 0) {
			genlmsg_cancel(skb, hdr);
			/* Not even a part of it fits an empty skb: fail loudly. */
			if (!skb->len) {
				rcu_read_unlock();
				return -EMSGSIZE;
			}
			break;
		}
		genlmsg_end(skb, hdr);

		ctx->id = id;
		if (next < cfg->nr) {
			/* The rest of this service goes in the next skb. */
			ctx->be = next;
			break;
		}
		ctx->id = id + 1;
		ctx->be = 0;
	}
	rcu_read_unlock();
	return skb->len;
}

/* ----- transactions ----- */

static int svcnat_nl_txn_begin_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;
	u32 id;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &svcnat_nl_family, 0,
				SVCNAT_CMD_TXN_BEGIN);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free_msg;
	}

	mutex_lock(&sn->lock);
	err = svcnat_txn_begin(sn, info->snd_portid, &id);
	mutex_unlock(&sn->lock);
	if (err) {
		GENL_SET_ERR_MSG(info, "too many open transactions");
		goto err_free_msg;
	}

	if (nla_put_u32(msg, SVCNAT_A_TXN_ID, id)) {
		err = -EMSGSIZE;
		goto err_abort_txn;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_abort_txn:
	mutex_lock(&sn->lock);
	svcnat_txn_abort(sn, info->snd_portid, id);
	mutex_unlock(&sn->lock);
err_free_msg:
	nlmsg_free(msg);
	return err;
}

static int svcnat_nl_parse_ops(struct genl_info *info, struct list_head *ops,
			       u32 *nr)
{
	struct nlattr *tb[SVCNAT_A_OP_MAX + 1];
	const struct nlattr *a;
	struct svcnat_op *op;
	int rem, err;

	*nr = 0;
	nla_for_each_attr(a, genlmsg_data(info->genlhdr),
			  genlmsg_len(info->genlhdr), rem) {
		if (nla_type(a) != SVCNAT_A_OP)
			continue;
		err = nla_parse_nested(tb, SVCNAT_A_OP_MAX, a,
				       svcnat_op_nl_policy, info->extack);
		if (err)
			return err;
		if (!tb[SVCNAT_A_OP_CMD]) {
			NL_SET_ERR_MSG(info->extack, "missing op command");
			NL_SET_ERR_ATTR_MISS(info->extack, a, SVCNAT_A_OP_CMD);
			return -EINVAL;
		}
		op = svcnat_op_parse(nla_get_u32(tb[SVCNAT_A_OP_CMD]),
				     tb[SVCNAT_A_OP_SERVICE], info->extack);
		if (IS_ERR(op))
			return PTR_ERR(op);
		list_add_tail(&op->list, ops);
		(*nr)++;
		cond_resched();
	}
	return 0;
}

static int svcnat_nl_txn_ops_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	u32 id, first, nr;
	LIST_HEAD(ops);
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCNAT_A_TXN_ID)) {
		GENL_SET_ERR_MSG(info, "missing transaction id");
		return -EINVAL;
	}
	id = nla_get_u32(info->attrs[SVCNAT_A_TXN_ID]);

	err = svcnat_nl_parse_ops(info, &ops, &nr);

	mutex_lock(&sn->lock);
	if (err) {
		/* A bad op spoils the whole transaction. */
		if (!svcnat_txn_append(sn, info->snd_portid, id, &ops, &first))
			svcnat_nl_set_op_index(info->extack, first + nr);
		svcnat_txn_abort(sn, info->snd_portid, id);
		goto out_unlock;
	}
	err = svcnat_txn_append(sn, info->snd_portid, id, &ops, &first);
	if (err == -ENOENT)
		GENL_SET_ERR_MSG(info, "transaction not found");
	else if (err)
		GENL_SET_ERR_MSG(info, "transaction too large, aborted");
out_unlock:
	mutex_unlock(&sn->lock);
	svcnat_ops_free(&ops);
	return err;
}

static int svcnat_nl_txn_end_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	u32 id, failed = U32_MAX;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCNAT_A_TXN_ID)) {
		GENL_SET_ERR_MSG(info, "missing transaction id");
		return -EINVAL;
	}
	id = nla_get_u32(info->attrs[SVCNAT_A_TXN_ID]);

	mutex_lock(&sn->lock);
	if (info->genlhdr->cmd == SVCNAT_CMD_TXN_ABORT)
		err = svcnat_txn_abort(sn, info->snd_portid, id);
	else
		err = svcnat_txn_commit(sn, info->snd_portid, id, &failed,
					info->extack);
	mutex_unlock(&sn->lock);

	/* An op's own error, or no such transaction at all. */
	if (err && failed != U32_MAX)
		svcnat_nl_set_op_index(info->extack, failed);
	else if (err == -ENOENT)
		GENL_SET_ERR_MSG(info, "transaction not found");
	return err;
}

#define SVCNAT_NL_OP(c, fn, pol, max)					\
	{								\
		.cmd = c,						\
		.doit = fn,						\
		.policy = pol,						\
		.maxattr = max,						\
		.flags = GENL_ADMIN_PERM,				\
	}

/* Operations without a policy take no attributes at all. */
#define SVCNAT_NL_OP_NOATTR(c, fn)					\
	{								\
		.cmd = c,						\
		.doit = fn,						\
		.flags = GENL_ADMIN_PERM,				\
	}

static const struct genl_ops svcnat_nl_ops[] = {
	SVCNAT_NL_OP(SVCNAT_CMD_SERVICE_NEW, svcnat_nl_change_doit,
		     svcnat_new_nl_policy, SVCNAT_A_SERVICE),
	SVCNAT_NL_OP(SVCNAT_CMD_SERVICE_SET, svcnat_nl_change_doit,
		     svcnat_set_nl_policy, SVCNAT_A_SERVICE),
	SVCNAT_NL_OP(SVCNAT_CMD_SERVICE_DEL, svcnat_nl_change_doit,
		     svcnat_del_nl_policy, SVCNAT_A_SERVICE),
	{
		.cmd = SVCNAT_CMD_SERVICE_GET,
		.doit = svcnat_nl_get_doit,
		.dumpit = svcnat_nl_get_dumpit,
		.policy = svcnat_key_nl_policy,
		.maxattr = SVCNAT_A_SERVICE,
		.flags = GENL_ADMIN_PERM,
	},
	SVCNAT_NL_OP(SVCNAT_CMD_BACKEND_NEW, svcnat_nl_change_doit,
		     svcnat_be_nl_policy, SVCNAT_A_SERVICE),
	SVCNAT_NL_OP(SVCNAT_CMD_BACKEND_SET, svcnat_nl_change_doit,
		     svcnat_be_nl_policy, SVCNAT_A_SERVICE),
	SVCNAT_NL_OP(SVCNAT_CMD_BACKEND_DEL, svcnat_nl_change_doit,
		     svcnat_be_key_nl_policy, SVCNAT_A_SERVICE),
	SVCNAT_NL_OP(SVCNAT_CMD_BACKEND_REPLACE, svcnat_nl_change_doit,
		     svcnat_be_nl_policy, SVCNAT_A_SERVICE),
	SVCNAT_NL_OP_NOATTR(SVCNAT_CMD_FLUSH, svcnat_nl_change_doit),
	SVCNAT_NL_OP_NOATTR(SVCNAT_CMD_TXN_BEGIN, svcnat_nl_txn_begin_doit),
	SVCNAT_NL_OP(SVCNAT_CMD_TXN_OPS, svcnat_nl_txn_ops_doit,
		     svcnat_txn_ops_nl_policy, SVCNAT_A_OP),
	SVCNAT_NL_OP(SVCNAT_CMD_TXN_COMMIT, svcnat_nl_txn_end_doit,
		     svcnat_txn_nl_policy, SVCNAT_A_TXN_ID),
	SVCNAT_NL_OP(SVCNAT_CMD_TXN_ABORT, svcnat_nl_txn_end_doit,
		     svcnat_txn_nl_policy, SVCNAT_A_TXN_ID),
	SVCNAT_NL_OP(SVCNAT_CMD_CONFIG_SET, svcnat_nl_config_set_doit,
		     svcnat_nl_config_set_policy, SVCNAT_A_CONFIG),
	SVCNAT_NL_OP_NOATTR(SVCNAT_CMD_CONFIG_GET, svcnat_nl_config_get_doit),
	SVCNAT_NL_OP(SVCNAT_CMD_TRACE, svcnat_nl_trace_doit,
		     svcnat_nl_trace_policy, SVCNAT_A_TRACE),
	{
		.cmd = SVCNAT_CMD_AFFINITY_GET,
		.start = svcnat_nl_affinity_start,
		.dumpit = svcnat_nl_affinity_dumpit,
		.policy = svcnat_key_nl_policy,
		.maxattr = SVCNAT_A_SERVICE,
		.flags = GENL_ADMIN_PERM,
	},
};

struct genl_family svcnat_nl_family __ro_after_init = {
	.name = SVCNAT_FAMILY_NAME,
	.version = SVCNAT_FAMILY_VERSION,
	.netnsok = true,
	/* svcnat_net.lock serialises changes; dumps only need RCU. */
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = svcnat_nl_ops,
	.n_ops = ARRAY_SIZE(svcnat_nl_ops),
};

/**
 * svcnat_genl_init - register the generic netlink family
 *
 * Return: 0 or a negative errno.
 */
int svcnat_genl_init(void)
{
	return genl_register_family(&svcnat_nl_family);
}

/**
 * svcnat_genl_uninit - unregister the generic netlink family
 */
void svcnat_genl_uninit(void)
{
	genl_unregister_family(&svcnat_nl_family);
}
