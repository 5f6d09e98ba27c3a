// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: the decision trace over generic netlink: what svcnat would do
 * with the first packet of a connection, and why.
 */

#include <linux/in.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/svcnat.h>

#include "svcnat.h"
#include "netlink.h"

/* A trace without a source port traces this one. */
#define SVCNAT_TRACE_SPORT_DEFAULT	40000

/* A trace request: the packet; the rest of the set is the reply. */
static const struct nla_policy svcnat_trace_nl_policy[SVCNAT_A_TRACE_CHOOSE + 1] = {
	[SVCNAT_A_TRACE_PROTO] = { .type = NLA_U8 },
	[SVCNAT_A_TRACE_SRC_IPV4] = { .type = NLA_BE32 },
	[SVCNAT_A_TRACE_SRC_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SVCNAT_A_TRACE_SRC_PORT] = { .type = NLA_BE16 },
	[SVCNAT_A_TRACE_DST_IPV4] = { .type = NLA_BE32 },
	[SVCNAT_A_TRACE_DST_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SVCNAT_A_TRACE_DST_PORT] = { .type = NLA_BE16 },
	[SVCNAT_A_TRACE_ORIGIN] = NLA_POLICY_MAX(NLA_U32, SVCNAT_ORIGIN_OTHER),
	[SVCNAT_A_TRACE_CHOOSE] = { .type = NLA_FLAG },
};

/* The top-level policy of trace. */
const struct nla_policy svcnat_nl_trace_policy[SVCNAT_A_TRACE + 1] = {
	[SVCNAT_A_TRACE] = NLA_POLICY_NESTED(svcnat_trace_nl_policy),
};

/* Source and destination: IPv4 or IPv6, both of the same family. */
static int svcnat_nl_parse_trace_addrs(struct nlattr **tb,
				       const struct nlattr *nest,
				       struct svcnat_pkt *pkt,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *src4 = tb[SVCNAT_A_TRACE_SRC_IPV4];
	struct nlattr *src6 = tb[SVCNAT_A_TRACE_SRC_IPV6];
	struct nlattr *dst4 = tb[SVCNAT_A_TRACE_DST_IPV4];
	struct nlattr *dst6 = tb[SVCNAT_A_TRACE_DST_IPV6];

	if (src4 && src6) {
		NL_SET_ERR_MSG_ATTR(extack, src6,
				    "one source address: IPv4 or IPv6, not both");
		return -EINVAL;
	}
	if (dst4 && dst6) {
		NL_SET_ERR_MSG_ATTR(extack, dst6,
				    "one destination address: IPv4 or IPv6, not both");
		return -EINVAL;
	}
	if (!src4 && !src6) {
		NL_SET_ERR_MSG(extack, "missing source address");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_TRACE_SRC_IPV4);
		return -EINVAL;
	}
	if (!dst4 && !dst6) {
		NL_SET_ERR_MSG(extack, "missing destination address");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_TRACE_DST_IPV4);
		return -EINVAL;
	}
	if (!src6 != !dst6) {
		NL_SET_ERR_MSG_ATTR(extack, src6 ?: dst6,
				    "source and destination address families differ");
		return -EINVAL;
	}

	if (src6) {
		pkt->saddr.in6 = nla_get_in6_addr(src6);
		pkt->daddr.in6 = nla_get_in6_addr(dst6);
		pkt->family = AF_INET6;
	} else {
		pkt->saddr.ip = nla_get_in_addr(src4);
		pkt->daddr.ip = nla_get_in_addr(dst4);
		pkt->family = AF_INET;
	}
	return 0;
}

static int svcnat_nl_parse_trace(struct genl_info *info,
				 struct svcnat_pkt *pkt, int *origin,
				 enum svcnat_decide_mode *mode)
{
	struct nlattr *nest = info->attrs[SVCNAT_A_TRACE];
	struct nlattr *tb[SVCNAT_A_TRACE_CHOOSE + 1];
	struct netlink_ext_ack *extack = info->extack;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, SVCNAT_A_TRACE)) {
		GENL_SET_ERR_MSG(info, "missing trace");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, SVCNAT_A_TRACE_CHOOSE, nest,
			       svcnat_trace_nl_policy, extack);
	if (err)
		return err;

	memset(pkt, 0, sizeof(*pkt));
	if (!tb[SVCNAT_A_TRACE_PROTO]) {
		NL_SET_ERR_MSG(extack, "missing protocol");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_TRACE_PROTO);
		return -EINVAL;
	}
	err = svcnat_nl_parse_proto(tb[SVCNAT_A_TRACE_PROTO], &pkt->proto,
				    extack);
	if (err)
		return err;

	err = svcnat_nl_parse_trace_addrs(tb, nest, pkt, extack);
	if (err)
		return err;

	pkt->sport = htons(SVCNAT_TRACE_SPORT_DEFAULT);
	if (tb[SVCNAT_A_TRACE_SRC_PORT]) {
		pkt->sport = nla_get_be16(tb[SVCNAT_A_TRACE_SRC_PORT]);
		if (!pkt->sport) {
			NL_SET_ERR_MSG_ATTR(extack, tb[SVCNAT_A_TRACE_SRC_PORT],
					    "source port must not be 0");
			return -EINVAL;
		}
	}
	if (!tb[SVCNAT_A_TRACE_DST_PORT]) {
		NL_SET_ERR_MSG(extack, "missing destination port");
		NL_SET_ERR_ATTR_MISS(extack, nest, SVCNAT_A_TRACE_DST_PORT);
		return -EINVAL;
	}
	pkt->dport = nla_get_be16(tb[SVCNAT_A_TRACE_DST_PORT]);
	if (!pkt->dport) {
		NL_SET_ERR_MSG_ATTR(extack, tb[SVCNAT_A_TRACE_DST_PORT],
				    "destination port must not be 0");
		return -EINVAL;
	}

	*origin = -1;
	if (tb[SVCNAT_A_TRACE_ORIGIN])
		*origin = nla_get_u32(tb[SVCNAT_A_TRACE_ORIGIN]);
	pkt->local_out = *origin == SVCNAT_ORIGIN_NODE;
	*mode = nla_get_flag(tb[SVCNAT_A_TRACE_CHOOSE]) ?
		SVCNAT_DECIDE_TRACE_CHOOSE : SVCNAT_DECIDE_TRACE;
	return 0;
}

/* A requested origin must be the one the source gives; under sn->lock. */
static int svcnat_nl_check_origin(struct svcnat_net *sn,
				  const struct svcnat_pkt *pkt, int origin,
				  struct netlink_ext_ack *extack)
{
	const struct svcnat_node *node;
	bool pod;

	if (origin != SVCNAT_ORIGIN_POD && origin != SVCNAT_ORIGIN_OTHER)
		return 0;
	node = rcu_dereference_protected(sn->node, lockdep_is_held(&sn->lock));
	pod = svcnat_prefix_match(node->cidrs, node->nr_cluster, &pkt->saddr,
				  pkt->family);
	if (origin == SVCNAT_ORIGIN_POD && !pod) {
		NL_SET_ERR_MSG(extack,
			       "source is not in the cluster CIDRs, it cannot be a pod");
		return -EINVAL;
	}
	if (origin == SVCNAT_ORIGIN_OTHER && pod) {
		NL_SET_ERR_MSG(extack,
			       "source is in the cluster CIDRs, it is a pod");
		return -EINVAL;
	}
	return 0;
}

static size_t svcnat_nl_trace_size(const struct svcnat_pkt *pkt,
				   const struct svcnat_decision *d)
{
	size_t size;

	size = nla_total_size(0) +		/* SVCNAT_A_TRACE */
		nla_total_size(sizeof(u8)) +	/* PROTO */
		2 * svcnat_nl_addr_size(pkt->family) +	/* SRC/DST */
		2 * nla_total_size(sizeof(__be16)) +	/* SRC/DST_PORT */
		/* ORIGIN, VERDICT, REASON, FRONTEND, ENDPOINT_SET, MASQ_REASON */
		6 * nla_total_size(sizeof(u32)) +
		2 * nla_total_size(sizeof(u8));	/* MASQUERADE, HAIRPIN */
	if (d->svc)
		size += nla_total_size(sizeof(u32)) +	/* SCHEDULER */
			nla_total_size(0) +	/* SERVICE */
			nla_total_size(sizeof(u8)) +	/* PROTO */
			svcnat_nl_addr_size(pkt->family) +	/* ADDR */
			nla_total_size(sizeof(__be16)) +	/* PORT */
			nla_total_size(strlen(d->cfg->name) + 1) +	/* NAME */
			nla_total_size(sizeof(u8));	/* AFFINITY */
	if (d->cand)
		size += (size_t)d->cand->nr *
			svcnat_nl_backend_size(pkt->family);
	if (d->be)
		size += svcnat_nl_backend_size(pkt->family);
	return size;
}

static int svcnat_nl_put_trace(struct sk_buff *skb,
			       const struct svcnat_pkt *pkt,
			       const struct svcnat_decision *d)
{
	struct nlattr *nest, *svc;
	u32 i;

	nest = nla_nest_start(skb, SVCNAT_A_TRACE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, SVCNAT_A_TRACE_PROTO, pkt->proto) ||
	    svcnat_nl_put_addr(skb, SVCNAT_A_TRACE_SRC_IPV4,
			       SVCNAT_A_TRACE_SRC_IPV6, &pkt->saddr,
			       pkt->family) ||
	    nla_put_be16(skb, SVCNAT_A_TRACE_SRC_PORT, pkt->sport) ||
	    svcnat_nl_put_addr(skb, SVCNAT_A_TRACE_DST_IPV4,
			       SVCNAT_A_TRACE_DST_IPV6, &pkt->daddr,
			       pkt->family) ||
	    nla_put_be16(skb, SVCNAT_A_TRACE_DST_PORT, pkt->dport) ||
	    nla_put_u32(skb, SVCNAT_A_TRACE_ORIGIN, d->origin) ||
	    nla_put_u32(skb, SVCNAT_A_TRACE_VERDICT, d->verdict) ||
	    nla_put_u32(skb, SVCNAT_A_TRACE_REASON, d->reason))
		goto err_cancel_nest;

	if (d->svc) {
		if (nla_put_u32(skb, SVCNAT_A_TRACE_FRONTEND, d->frontend) ||
		    nla_put_u32(skb, SVCNAT_A_TRACE_SCHEDULER,
				d->cfg->spec->scheduler))
			goto err_cancel_nest;
		svc = nla_nest_start(skb, SVCNAT_A_TRACE_SERVICE);
		if (!svc || svcnat_nl_put_key(skb, d->svc, d->cfg))
			goto err_cancel_nest;
		nla_nest_end(skb, svc);
	}

	if (nla_put_u32(skb, SVCNAT_A_TRACE_ENDPOINT_SET, d->set))
		goto err_cancel_nest;
	for (i = 0; d->cand && i < d->cand->nr; i++)
		if (svcnat_nl_put_backend(skb, SVCNAT_A_TRACE_CANDIDATE,
					  &d->cfg->be[d->cand->pick[i].idx],
					  pkt->family))
			goto err_cancel_nest;
	if (d->be && svcnat_nl_put_backend(skb, SVCNAT_A_TRACE_BACKEND, d->be,
					   pkt->family))
		goto err_cancel_nest;
	if (d->svc && nla_put_u8(skb, SVCNAT_A_TRACE_AFFINITY, d->affinity))
		goto err_cancel_nest;

	if (nla_put_u8(skb, SVCNAT_A_TRACE_MASQUERADE, d->masq) ||
	    nla_put_u32(skb, SVCNAT_A_TRACE_MASQ_REASON, d->masq_reason) ||
	    nla_put_u8(skb, SVCNAT_A_TRACE_HAIRPIN, d->hairpin))
		goto err_cancel_nest;

	nla_nest_end(skb, nest);
	return 0;

err_cancel_nest:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/**
 * svcnat_nl_trace_doit - trace: reply with the decision for a first packet
 * @skb: the request
 * @info: the request, parsed
 *
 * Return: 0 or a negative errno, with an extack message.
 */
int svcnat_nl_trace_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct svcnat_net *sn = svcnat_pernet(genl_info_net(info));
	struct svcnat_decision d = {};
	enum svcnat_decide_mode mode;
	struct svcnat_pkt pkt;
	struct sk_buff *msg;
	int origin, err;
	size_t size;
	void *hdr;

	err = svcnat_nl_parse_trace(info, &pkt, &origin, &mode);
	if (err)
		return err;

	/* No configuration can be freed while the lock is held. */
	mutex_lock(&sn->lock);
	err = svcnat_nl_check_origin(sn, &pkt, origin, info->extack);
	if (err)
		goto err_unlock;

	rcu_read_lock();
	svcnat_decide(sn, &pkt, mode, &d);
	rcu_read_unlock();

	/* The trace nest has a 16-bit length. */
	size = svcnat_nl_trace_size(&pkt, &d);
	if (size > U16_MAX) {
		NL_SET_ERR_MSG(info->extack,
			       "too many candidates for one reply");
		err = -EMSGSIZE;
		goto err_unlock;
	}

	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_unlock;
	}
	hdr = genlmsg_put_reply(msg, info, &svcnat_nl_family, 0,
				SVCNAT_CMD_TRACE);
	if (!hdr || svcnat_nl_put_trace(msg, &pkt, &d)) {
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
