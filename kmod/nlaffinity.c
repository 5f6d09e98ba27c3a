// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: affinity-get, the dump of a service's live ClientIP affinity
 * entries.
 *
 * The request names one service. Every reply message is a service nest
 * with the key (and name) and as many affinity-entry nests as fit; the
 * first message is sent even when there is no entry, so a reader always
 * learns the service. The table is read lock-free and changes while it is
 * dumped: an entry may be missed or seen twice, like conntrack dumps.
 */

#include <linux/in.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <linux/svcnat.h>

#include "svcnat.h"
#include "netlink.h"

/* Keeps a service nest well under its 16-bit length. */
#define SVCNAT_AFF_DUMP_MAX	512

/**
 * struct svcnat_aff_dump_ctx - where an affinity-get dump resumes
 * @key: the service
 * @pos: next table position, U32_MAX at the end
 * @started: the first message went out
 */
struct svcnat_aff_dump_ctx {
	struct svcnat_key key;
	u32 pos;
	bool started;
};

/**
 * struct svcnat_aff_put - state of one reply message
 * @skb: the message
 * @n: entries put so far
 */
struct svcnat_aff_put {
	struct sk_buff *skb;
	u32 n;
};

static int svcnat_nl_put_aff_entry(void *arg, const union nf_inet_addr *client,
				   const struct svcnat_backend *be, u8 family,
				   u32 ms)
{
	struct svcnat_aff_put *p = arg;
	struct sk_buff *skb = p->skb;
	struct nlattr *nest, *bnest;

	if (p->n >= SVCNAT_AFF_DUMP_MAX)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, SVCNAT_A_SERVICE_AFFINITY_ENTRY);
	if (!nest)
		return -EMSGSIZE;
	if (svcnat_nl_put_addr(skb, SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV4,
			       SVCNAT_A_AFFINITY_ENTRY_CLIENT_IPV6, client,
			       family))
		goto err_cancel_nest;
	bnest = nla_nest_start(skb, SVCNAT_A_AFFINITY_ENTRY_BACKEND);
	if (!bnest ||
	    svcnat_nl_put_addr(skb, SVCNAT_A_BACKEND_ADDR_IPV4,
			       SVCNAT_A_BACKEND_ADDR_IPV6, &be->addr, family) ||
	    nla_put_be16(skb, SVCNAT_A_BACKEND_PORT, be->port))
		goto err_cancel_nest;
	nla_nest_end(skb, bnest);
	if (nla_put_u32(skb, SVCNAT_A_AFFINITY_ENTRY_EXPIRES, ms))
		goto err_cancel_nest;
	nla_nest_end(skb, nest);
	p->n++;
	return 0;

err_cancel_nest:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/**
 * svcnat_nl_affinity_start - check an affinity-get request
 * @cb: the dump, its request validated with the strict key policy
 *
 * Return: 0, or a negative errno with an extack message: no service
 * attribute, a bad key, or no such service (-ENOENT).
 */
int svcnat_nl_affinity_start(struct netlink_callback *cb)
{
	struct svcnat_aff_dump_ctx *ctx = (struct svcnat_aff_dump_ctx *)cb->ctx;
	struct svcnat_net *sn = svcnat_pernet(sock_net(cb->skb->sk));
	struct svcnat_service *svc;
	struct nlattr *nest;
	bool found;
	int err;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));

	/* The core validated the request with the strict key policy. */
	nest = nlmsg_find_attr(cb->nlh, GENL_HDRLEN, SVCNAT_A_SERVICE);
	if (!nest) {
		NL_SET_ERR_MSG(cb->extack, "missing service");
		return -EINVAL;
	}
	err = svcnat_nl_parse_service_key(nest, &ctx->key, cb->extack);
	if (err)
		return err;

	rcu_read_lock();
	svc = svcnat_service_lookup(sn, &ctx->key);
	found = svc && rcu_access_pointer(svc->cfg);
	rcu_read_unlock();
	if (!found) {
		NL_SET_ERR_MSG(cb->extack, "service not found");
		return -ENOENT;
	}
	ctx->pos = 0;
	ctx->started = false;
	return 0;
}

/**
 * svcnat_nl_affinity_dumpit - put the next part of an affinity-get dump
 * @skb: the message buffer
 * @cb: the dump
 *
 * A service deleted in the middle ends the dump.
 *
 * Return: bytes put, 0 at the end, or a negative errno.
 */
int svcnat_nl_affinity_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct svcnat_aff_dump_ctx *ctx = (struct svcnat_aff_dump_ctx *)cb->ctx;
	struct svcnat_net *sn = svcnat_pernet(sock_net(skb->sk));
	struct svcnat_aff_put p = { .skb = skb };
	struct svcnat_service *svc;
	struct svcnat_aff *aff = NULL;
	struct svcnat_cfg *cfg;
	struct nlattr *nest;
	u32 pos = U32_MAX;
	int err = 0;
	void *hdr;

	if (ctx->pos == U32_MAX)
		return 0;

	rcu_read_lock();
	svc = svcnat_service_lookup(sn, &ctx->key);
	cfg = svc ? rcu_dereference(svc->cfg) : NULL;
	if (!cfg)
		goto out_unlock;
	if (cfg->spec->affinity == SVCNAT_AFFINITY_CLIENT_IP)
		aff = rcu_dereference(svc->aff);

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
			  cb->nlh->nlmsg_seq, &svcnat_nl_family, NLM_F_MULTI,
			  SVCNAT_CMD_AFFINITY_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto out_unlock;
	}
	nest = nla_nest_start(skb, SVCNAT_A_SERVICE);
	if (!nest || svcnat_nl_put_key(skb, svc, cfg)) {
		err = -EMSGSIZE;
		goto err_cancel_msg;
	}
	if (aff) {
		pos = ctx->pos;
		svcnat_aff_get(aff, cfg, &pos, svcnat_nl_put_aff_entry, &p);
	}
	if (!p.n && ctx->started) {
		/* Nothing more: the end, unless not even one entry fits. */
		if (pos != U32_MAX)
			err = -EMSGSIZE;
		goto err_cancel_msg;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	ctx->pos = pos;
	ctx->started = true;
	rcu_read_unlock();
	return skb->len;

err_cancel_msg:
	genlmsg_cancel(skb, hdr);
out_unlock:
	rcu_read_unlock();
	ctx->pos = U32_MAX;
	return err;
}
