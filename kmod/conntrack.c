// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: conntrack hygiene (rule 19).
 *
 * Conntrack keeps translating an existing connection to the backend its
 * first packet chose, and keeps an untranslated flow untranslated. For UDP
 * and SCTP, where a client may send from one socket for ever, that means
 * a black hole once the backend is gone, or a flow that never reaches the
 * backends that appear later. So when a change is committed:
 *
 * - entries DNATed to a backend that stopped being a candidate of a UDP or
 *   SCTP service (deleted, not serving, out of both endpoint sets, the
 *   service deleted) are deleted: the next datagram is a new connection
 *   and goes to a backend the service has now. TCP ones only when the
 *   operation asked for it (flush-conns); otherwise they finish on their
 *   own, as with kube-proxy;
 * - when a UDP or SCTP service goes from no candidate to some (a new
 *   service with backends included), entries to its frontends that were
 *   created without DNAT are deleted.
 *
 * An entry belongs to a service when its original destination is one of
 * the service's frontends: cluster IP:port, external or load-balancer
 * IP:port, or a NodePort. For a DNATed entry, a NodePort matches by port
 * and protocol alone (its reply source must also be one of the removed
 * backends); an untranslated one must also have a local destination, so
 * that flows through the node to other hosts' ports are left alone.
 *
 * The change collects, while it is prepared, a sorted array of frontends
 * (the old configuration's for removed backends, the new one's for the
 * first endpoint), each with its sorted range of removed backends, and
 * after the commit walks the conntrack table once, whatever the number of
 * services changed. The walk runs under the configuration mutex but not
 * under RCU: nf_ct_iterate_cleanup_net() sleeps.
 */

#include <linux/bsearch.h>
#include <linux/in.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <net/addrconf.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/route.h>

#include "svcnat.h"

/**
 * struct svcnat_ct_fe - a frontend some of whose entries go
 * @key: original destination: address (zero for a NodePort), port,
 *	protocol, family
 * @nodeport: @key is a NodePort
 * @first: first of its removed backends in &svcnat_ct.be
 * @nr: number of them; 0 when its untranslated entries go instead
 */
struct svcnat_ct_fe {
	struct svcnat_key key;
	bool nodeport;
	u32 first;
	u32 nr;
};

/**
 * struct svcnat_ct_be - a backend, as a reply source
 * @addr: address, zero-padded for IPv4
 * @port: port, network order
 * @pad: zero, so that the whole structure compares as bytes
 */
struct svcnat_ct_be {
	union nf_inet_addr addr;
	__be16 port;
	u16 pad;
};

static int svcnat_ct_be_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct svcnat_ct_be));
}

static int svcnat_ct_fe_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct svcnat_key));
}

/* Room for @need entries of @size bytes, @used of which are kept. */
static int svcnat_ct_reserve(void **p, u32 *cap, u32 used, u32 need,
			     size_t size)
{
	u32 cap2;
	void *n;

	if (need <= *cap)
		return 0;
	cap2 = max3(need, *cap < U32_MAX / 2 ? 2 * *cap : need, 16U);
	n = kvmalloc_array(cap2, size, GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	if (used)
		memcpy(n, *p, used * size);
	kvfree(*p);
	*p = n;
	*cap = cap2;
	return 0;
}

/* The address bytes of @family only, the rest zero. */
static void svcnat_ct_addr(union nf_inet_addr *dst,
			   const union nf_inet_addr *src, u8 family)
{
	memset(dst, 0, sizeof(*dst));
	if (family == AF_INET)
		dst->ip = src->ip;
	else
		dst->in6 = src->in6;
}

static u32 svcnat_cfg_nr_cand(const struct svcnat_cfg *cfg)
{
	return cfg ? cfg->cluster.nr + cfg->local.nr : 0;
}

/* Append the candidates of both sets of @cfg to @out, sorted, no repeat. */
static u32 svcnat_ct_cands(struct svcnat_ct_be *out,
			   const struct svcnat_cfg *cfg)
{
	const struct svcnat_set *sets[] = { &cfg->cluster, &cfg->local };
	const struct svcnat_backend *be;
	u32 i, j, n = 0;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		for (j = 0; j < sets[i]->nr; j++) {
			be = &cfg->be[sets[i]->pick[j].idx];
			memset(&out[n], 0, sizeof(out[n]));
			out[n].addr = be->addr;
			out[n].port = be->port;
			n++;
		}
	}
	sort(out, n, sizeof(*out), svcnat_ct_be_cmp, NULL);
	for (i = 0, j = 0; i < n; i++)
		if (!j || svcnat_ct_be_cmp(&out[j - 1], &out[i]))
			out[j++] = out[i];
	return j;
}

/*
 * Append to &svcnat_ct.be the candidates of @old that are not candidates
 * of @new, sorted. Return: how many, or a negative errno.
 */
static int svcnat_ct_removed(struct svcnat_ct *ct,
			     const struct svcnat_cfg *old,
			     const struct svcnat_cfg *new)
{
	u32 nr_old = svcnat_cfg_nr_cand(old), nr_new = svcnat_cfg_nr_cand(new);
	struct svcnat_ct_be *be;
	u32 need, n, i, kept;
	int err;

	if (check_add_overflow(ct->nr_be, nr_old, &need))
		return -ENOMEM;
	err = svcnat_ct_reserve((void **)&ct->be, &ct->cap_be, ct->nr_be, need,
				sizeof(*ct->be));
	if (err)
		return err;
	be = &ct->be[ct->nr_be];
	n = svcnat_ct_cands(be, old);
	if (!nr_new)
		return n;

	err = svcnat_ct_reserve((void **)&ct->tmp, &ct->cap_tmp, 0, nr_new,
				sizeof(*ct->tmp));
	if (err)
		return err;
	nr_new = svcnat_ct_cands(ct->tmp, new);
	for (i = 0, kept = 0; i < n; i++)
		if (!bsearch(&be[i], ct->tmp, nr_new, sizeof(*ct->tmp),
			     svcnat_ct_be_cmp))
			be[kept++] = be[i];
	return kept;
}

/* One entry per frontend of @cfg, the unknown-port entry excepted. */
static int svcnat_ct_add_fes(struct svcnat_ct *ct,
			     const struct svcnat_cfg *cfg, u32 first, u32 nr)
{
	struct svcnat_ct_fe *fe;
	u32 i, need;
	int err;

	if (check_add_overflow(ct->nr_fe, cfg->nr_fe, &need))
		return -ENOMEM;
	err = svcnat_ct_reserve((void **)&ct->fe, &ct->cap_fe, ct->nr_fe, need,
				sizeof(*ct->fe));
	if (err)
		return err;
	for (i = 0; i < cfg->nr_fe; i++) {
		if (cfg->fe[i].kind == SVCNAT_FE_ADDR)
			continue;
		fe = &ct->fe[ct->nr_fe++];
		fe->key = cfg->fe[i].key;
		fe->nodeport = cfg->fe[i].kind == SVCNAT_FE_NODEPORT;
		fe->first = first;
		fe->nr = nr;
		if (nr)
			ct->nr_dnat++;
		else
			ct->nr_raw++;
	}
	return 0;
}

/**
 * svcnat_ct_add - note the conntrack entries a service change makes stale
 * @ct: what the change collects, zeroed before the first call
 * @key: the service
 * @old: its configuration before the change, NULL for none
 * @new: its configuration after the change, NULL for none
 * @flush_tcp: an operation on a TCP service asked for flush-conns
 *
 * Called while the change is prepared, for every service it touches;
 * svcnat_ct_flush() deletes the entries after the commit.
 *
 * Return: 0 or -ENOMEM; &svcnat_ct is consistent either way, for
 * svcnat_ct_free().
 */
int svcnat_ct_add(struct svcnat_ct *ct, const struct svcnat_key *key,
		  const struct svcnat_cfg *old, const struct svcnat_cfg *new,
		  bool flush_tcp)
{
	bool tcp = key->proto == IPPROTO_TCP;
	int n;

	if (svcnat_cfg_nr_cand(old) && (!tcp || flush_tcp)) {
		n = svcnat_ct_removed(ct, old, new);
		if (n < 0)
			return n;
		if (n) {
			/* Only now are the appended backends kept. */
			ct->nr_be += n;
			return svcnat_ct_add_fes(ct, old, ct->nr_be - n, n);
		}
	}
	if (!tcp && !svcnat_cfg_nr_cand(old) && svcnat_cfg_nr_cand(new))
		return svcnat_ct_add_fes(ct, new, 0, 0);
	return 0;
}

/* A destination NodePorts answer on: a local address, not loopback. */
static bool svcnat_ct_local(struct net *net, const union nf_inet_addr *addr,
			    u8 family)
{
	if (family == AF_INET)
		return !ipv4_is_loopback(addr->ip) &&
			inet_addr_type(net, addr->ip) == RTN_LOCAL;
#if IS_ENABLED(CONFIG_IPV6)
	if (family == AF_INET6)
		return !ipv6_addr_loopback(&addr->in6) &&
			ipv6_chk_addr(net, &addr->in6, NULL, 0);
#endif
	return false;
}

/* Does an entry of frontend @fe go? */
static bool svcnat_ct_fe_match(const struct svcnat_ct *f,
			       const struct svcnat_ct_fe *fe,
			       const struct nf_conn *ct, bool dnat)
{
	const struct nf_conntrack_tuple *t;
	struct svcnat_ct_be be = {};

	if (!dnat) {
		if (fe->nr)
			return false;
		t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
		return !fe->nodeport ||
			svcnat_ct_local(f->net, &t->dst.u3, fe->key.family);
	}
	if (!fe->nr)
		return false;
	/* The reply comes from the backend the entry was DNATed to. */
	t = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	svcnat_ct_addr(&be.addr, &t->src.u3, fe->key.family);
	be.port = t->src.u.all;
	return bsearch(&be, &f->be[fe->first], fe->nr, sizeof(be),
		       svcnat_ct_be_cmp);
}

/* The frontends with destination @key; some may belong to two services. */
static bool svcnat_ct_match(const struct svcnat_ct *f,
			    const struct svcnat_key *key,
			    const struct nf_conn *ct, bool dnat)
{
	u32 lo = 0, hi = f->nr_fe, mid;

	/* The first entry not below @key. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (svcnat_ct_fe_cmp(&f->fe[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < f->nr_fe && !svcnat_ct_fe_cmp(&f->fe[lo].key, key); lo++)
		if (svcnat_ct_fe_match(f, &f->fe[lo], ct, dnat))
			return true;
	return false;
}

/* Under the bucket lock, BHs off: no sleeping, no allocation. */
static int svcnat_ct_iter(struct nf_conn *ct, void *data)
{
	const struct svcnat_ct *f = data;
	const struct nf_conntrack_tuple *t;
	struct svcnat_key key;
	bool dnat;

	if (!net_eq(nf_ct_net(ct), f->net))
		return 0;
	t = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	switch (t->dst.protonum) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		break;
	default:
		return 0;
	}
	dnat = test_bit(IPS_DST_NAT_BIT, &ct->status);
	if (!(dnat ? f->nr_dnat : f->nr_raw))
		return 0;

	memset(&key, 0, sizeof(key));
	key.family = nf_ct_l3num(ct);
	key.proto = t->dst.protonum;
	key.port = t->dst.u.all;
	svcnat_ct_addr(&key.addr, &t->dst.u3, key.family);
	if (svcnat_ct_match(f, &key, ct, dnat))
		return 1;
	/* NodePorts are keyed with address zero. */
	memset(&key.addr, 0, sizeof(key.addr));
	return svcnat_ct_match(f, &key, ct, dnat);
}

/**
 * svcnat_ct_free - free what a change collected
 * @ct: the collection, left empty
 */
void svcnat_ct_free(struct svcnat_ct *ct)
{
	kvfree(ct->fe);
	kvfree(ct->be);
	kvfree(ct->tmp);
	memset(ct, 0, sizeof(*ct));
}

/**
 * svcnat_ct_flush - delete the conntrack entries a committed change made stale
 * @net: the namespace of the change
 * @ct: what svcnat_ct_add() collected; freed
 *
 * One walk of the conntrack table, whatever the number of services. Runs
 * after the new configurations are published, in process context, not
 * under RCU (the walk sleeps); cannot fail.
 */
void svcnat_ct_flush(struct net *net, struct svcnat_ct *ct)
{
	struct nf_ct_iter_data iter = {
		.net = net,
		.data = ct,
	};

	if (!ct->nr_fe)
		goto out_free;
	ct->net = net;
	kvfree(ct->tmp);
	ct->tmp = NULL;
	sort(ct->fe, ct->nr_fe, sizeof(*ct->fe), svcnat_ct_fe_cmp, NULL);
	/*
	 * A packet that chose its backend from an old configuration has
	 * left the NAT hook after a grace period; its entry is then in the
	 * table, or about to be confirmed right behind.
	 */
	synchronize_rcu();
	nf_ct_iterate_cleanup_net(svcnat_ct_iter, &iter);
out_free:
	svcnat_ct_free(ct);
}
