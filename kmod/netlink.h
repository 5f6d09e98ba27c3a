/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svcnat: what the files of the generic netlink family share.
 *
 * netlink.c registers the family and defines these attribute helpers;
 * nlconfig.c (node configuration) and nltrace.c (decision trace) use them.
 */

#ifndef _SVCNAT_NETLINK_H
#define _SVCNAT_NETLINK_H

#include <linux/in6.h>
#include <linux/netfilter.h>
#include <linux/socket.h>
#include <linux/types.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/svcnat.h>

struct svcnat_backend;
struct svcnat_cfg;
struct svcnat_key;
struct svcnat_prefix;
struct svcnat_service;

/*
 * The lists of addresses and CIDRs a request can carry: those of a
 * service (svcnat_spec.items order), then those of the node
 * (svcnat_node.cidrs order).
 */
enum svcnat_nl_list {
	SVCNAT_NL_EXTERNAL_IP,
	SVCNAT_NL_LB_IP,
	SVCNAT_NL_SOURCE_RANGE,
	SVCNAT_NL_CLUSTER_CIDR,
	SVCNAT_NL_NODEPORT_CIDR,
	SVCNAT_NL_SERVICE_CIDR,
};

/* netlink.c */
extern struct genl_family svcnat_nl_family;
extern const struct nla_policy svcnat_nl_prefix_policy[SVCNAT_A_PREFIX_MAX + 1];

int svcnat_nl_parse_proto(const struct nlattr *a, u8 *proto,
			  struct netlink_ext_ack *extack);
int svcnat_nl_count_list(const struct nlattr *nest, enum svcnat_nl_list list,
			 u16 *nr, struct netlink_ext_ack *extack);
int svcnat_nl_parse_list(const struct nlattr *nest, enum svcnat_nl_list list,
			 struct svcnat_prefix *items,
			 struct netlink_ext_ack *extack);
int svcnat_nl_put_prefixes(struct sk_buff *skb, int type,
			   const struct svcnat_prefix *items, u16 nr, bool cidr);
int svcnat_nl_put_addr(struct sk_buff *skb, int v4, int v6,
		       const union nf_inet_addr *addr, u8 family);
int svcnat_nl_put_backend(struct sk_buff *skb, int type,
			  const struct svcnat_backend *be, u8 family);
int svcnat_nl_put_key(struct sk_buff *skb, const struct svcnat_service *svc,
		      const struct svcnat_cfg *cfg);
int svcnat_nl_parse_service_key(const struct nlattr *nest,
				struct svcnat_key *key,
				struct netlink_ext_ack *extack);

/* nlaffinity.c */
int svcnat_nl_affinity_start(struct netlink_callback *cb);
int svcnat_nl_affinity_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* nlconfig.c */
extern const struct nla_policy svcnat_nl_config_set_policy[SVCNAT_A_CONFIG + 1];

int svcnat_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);
int svcnat_nl_config_get_doit(struct sk_buff *skb, struct genl_info *info);

/* nltrace.c */
extern const struct nla_policy svcnat_nl_trace_policy[SVCNAT_A_TRACE + 1];

int svcnat_nl_trace_doit(struct sk_buff *skb, struct genl_info *info);

/**
 * svcnat_nl_put_u64 - put a 64-bit counter of a stats nest
 * @skb: the message
 * @type: attribute type
 * @value: the counter
 *
 * Return: 0 or -EMSGSIZE.
 */
static inline int svcnat_nl_put_u64(struct sk_buff *skb, int type, u64 value)
{
	return nla_put_u64_64bit(skb, type, value, SVCNAT_A_STATS_PAD);
}

/**
 * svcnat_nl_addr_size - room for an address attribute
 * @family: its family
 *
 * Return: the size of an ADDR_IPV4 or ADDR_IPV6 attribute.
 */
static inline size_t svcnat_nl_addr_size(u8 family)
{
	return nla_total_size(family == AF_INET6 ? sizeof(struct in6_addr) :
						   sizeof(__be32));
}

/**
 * svcnat_nl_backend_size - room for a backend nest
 * @family: family of the backend's service
 *
 * Return: the size svcnat_nl_put_backend() needs at most.
 */
static inline size_t svcnat_nl_backend_size(u8 family)
{
	return nla_total_size(0) +		/* SERVICE_BACKEND, TRACE_* */
		svcnat_nl_addr_size(family) +	/* ADDR_IPV4/6 */
		nla_total_size(sizeof(__be16)) +	/* PORT */
		nla_total_size(sizeof(u32)) +	/* WEIGHT */
		nla_total_size(sizeof(u32));	/* FLAGS */
}

/**
 * svcnat_nl_prefix_size - room for one entry of a list
 * @cidr: the entry is a CIDR (with a length), not an address
 *
 * Return: the size svcnat_nl_put_prefixes() needs for one entry of either
 * family.
 */
static inline size_t svcnat_nl_prefix_size(bool cidr)
{
	return nla_total_size(0) +		/* the list entry */
		svcnat_nl_addr_size(AF_INET6) +	/* ADDR_IPV4/6 */
		(cidr ? nla_total_size(sizeof(u8)) : 0);	/* LEN */
}

/**
 * svcnat_nl_stats_size - room for a stats nest
 * @nr: number of counters in it
 *
 * Return: the size of the nest and its @nr 64-bit counters.
 */
static inline size_t svcnat_nl_stats_size(unsigned int nr)
{
	return nla_total_size(0) + nr * nla_total_size_64bit(sizeof(u64));
}

#endif /* _SVCNAT_NETLINK_H */
