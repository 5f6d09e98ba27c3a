// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: schedulers, how a new connection picks among the candidates.
 *
 * random draws with the weights (svcnat_set_pick()). rr and maglev use a
 * table of candidate positions built with the configuration, off the
 * packet path, in the same allocation: the packet path only reads it (rr
 * also bumps an atomic position), so it takes no lock and allocates
 * nothing, and a configuration swap replaces the table with the backends.
 *
 * Both tables come from one weighted order of the candidates: candidate i
 * takes its k-th turn (k = 0, 1, ...) at the ideal time (2k + 1) / (2 w_i)
 * (Sainte-Laguë / Webster order, ties to the earlier candidate). It is as
 * smooth as nginx's smooth weighted round robin (after any t turns each
 * candidate had its share t * w_i / W rounded up or down), periodic with
 * period W (the weights divided by their gcd), and a heap builds it in
 * O(log N) per turn instead of O(N).
 *
 * rr: the order over one period, a sequence the packet path walks with a
 * per-set atomic counter. When the reduced weights add up to more than
 * SVCNAT_RR_LEN_MAX they are scaled down to about that total, every
 * candidate keeping at least one turn.
 *
 * maglev (Eisenbud et al., NSDI'16): candidates fill a prime-sized lookup
 * table in turns of that order (with equal weights, the paper's round
 * robin), each turn taking the next free slot of its own permutation of
 * the table. The permutation (offset and skip) comes from a siphash of the
 * backend's address and port, and the lookup from a siphash of the source
 * address (hash src) or of the 5-tuple (hash flow), all with fixed keys:
 * the same configuration gives the same table and the same choices after
 * a module reload, on every node.
 */

#include <linux/bitmap.h>
#include <linux/kernel.h>
#include <linux/gcd.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/svcnat.h>

#include "svcnat.h"

/* Longest rr sequence before weights are scaled down. */
#define SVCNAT_RR_LEN_MAX	65536

/* Fixed keys: no seed, so tables do not change across reloads. */
static const siphash_key_t svcnat_maglev_perm_key = {
	{ 0x7376636e61742d70ULL, 0x65726d7574617465ULL }
};

static const siphash_key_t svcnat_maglev_src_key = {
	{ 0x7376636e61742d73ULL, 0x6f75726365616464ULL }
};

static const siphash_key_t svcnat_maglev_flow_key = {
	{ 0x7376636e61742d66ULL, 0x6c6f777475706c65ULL }
};

/*
 * Automatic maglev sizes: primes, the first above 100 backends each. Few
 * and far apart, starting high: a change of size remaps every flow, so
 * services up to 655 backends never see one.
 */
static const u32 svcnat_maglev_sizes[] = {
	65521, 262139, 1048573, 4194301, SVCNAT_MAGLEV_SIZE_MAX,
};

static u32 svcnat_maglev_size(const struct svcnat_spec *spec, u32 nr_be)
{
	u32 i;

	if (spec->maglev_size)
		return spec->maglev_size;
	for (i = 0; i < ARRAY_SIZE(svcnat_maglev_sizes) - 1; i++)
		if (svcnat_maglev_sizes[i] > 100 * nr_be)
			break;
	return svcnat_maglev_sizes[i];
}

/**
 * svcnat_sched_check - check a service's scheduler against its backends
 * @spec: frontends and policies
 * @nr_be: number of backends of the service
 * @extack: error reporting
 *
 * Return: 0, or -EINVAL with an extack message when a maglev size set by
 * the user is smaller than the number of backends.
 */
int svcnat_sched_check(const struct svcnat_spec *spec, u32 nr_be,
		       struct netlink_ext_ack *extack)
{
	if (spec->scheduler == SVCNAT_SCHEDULER_MAGLEV && spec->maglev_size &&
	    spec->maglev_size < nr_be) {
		NL_SET_ERR_MSG(extack,
			       "maglev-size is smaller than the number of backends");
		return -EINVAL;
	}
	return 0;
}

/**
 * svcnat_sched_len - room the scheduler table of an endpoint set needs
 * @spec: frontends and policies, for the scheduler
 * @nr_be: number of backends of the service
 * @set: the set, with its number of candidates and total weight
 * @gcd: greatest common divisor of the candidates' weights
 *
 * Return: the number of u16 entries svcnat_sched_build() fills at most, 0
 * when the set needs no table (random, or fewer than two candidates).
 */
u32 svcnat_sched_len(const struct svcnat_spec *spec, u32 nr_be,
		     const struct svcnat_set *set, u32 gcd)
{
	u32 len;

	if (set->nr < 2)
		return 0;
	switch (spec->scheduler) {
	case SVCNAT_SCHEDULER_RR:
		len = set->total / gcd;
		/* Scaled: at most SVCNAT_RR_LEN_MAX plus one per candidate. */
		return len <= SVCNAT_RR_LEN_MAX ? len : SVCNAT_RR_LEN_MAX + set->nr;
	case SVCNAT_SCHEDULER_MAGLEV:
		return svcnat_maglev_size(spec, nr_be);
	}
	return 0;
}

/**
 * struct svcnat_turns - the weighted order of the candidates of a set
 * @cfg: the configuration, for the candidates' addresses
 * @set: the set
 * @n: number of candidates
 * @w: weight of each
 * @k: turns each had so far
 * @heap: candidate positions, a min-heap on the time of their next turn
 */
struct svcnat_turns {
	const struct svcnat_cfg *cfg;
	const struct svcnat_set *set;
	u32 n;
	u32 *w;
	u32 *k;
	u32 *heap;
};

/*
 * Ties go to the lower address and port, not to the earlier position: the
 * order, hence the maglev table, must not depend on the order in which
 * backends were given (module reload, or another node).
 */
static bool svcnat_turn_tie(const struct svcnat_turns *t, u32 a, u32 b)
{
	const struct svcnat_backend *ba = &t->cfg->be[t->set->pick[a].idx];
	const struct svcnat_backend *bb = &t->cfg->be[t->set->pick[b].idx];
	int d = memcmp(&ba->addr, &bb->addr, sizeof(ba->addr));

	if (d)
		return d < 0;
	return memcmp(&ba->port, &bb->port, sizeof(ba->port)) < 0;
}

/* Candidate a's next turn comes before b's: (2k_a+1)/w_a < (2k_b+1)/w_b. */
static bool svcnat_turn_before(const struct svcnat_turns *t, u32 a, u32 b)
{
	u64 ta = (2 * (u64)t->k[a] + 1) * t->w[b];
	u64 tb = (2 * (u64)t->k[b] + 1) * t->w[a];

	return ta < tb || (ta == tb && svcnat_turn_tie(t, a, b));
}

static void svcnat_turns_sift(struct svcnat_turns *t, u32 i)
{
	u32 *h = t->heap;

	for (;;) {
		u32 l = 2 * i + 1, m = i;

		if (l < t->n && svcnat_turn_before(t, h[l], h[m]))
			m = l;
		if (l + 1 < t->n && svcnat_turn_before(t, h[l + 1], h[m]))
			m = l + 1;
		if (m == i)
			return;
		swap(h[i], h[m]);
		i = m;
	}
}

static void svcnat_turns_init(struct svcnat_turns *t)
{
	u32 i;

	for (i = 0; i < t->n; i++) {
		t->k[i] = 0;
		t->heap[i] = i;
	}
	for (i = t->n / 2; i-- > 0;)
		svcnat_turns_sift(t, i);
}

/* The candidate whose turn it is; the order goes on. */
static u32 svcnat_turns_next(struct svcnat_turns *t)
{
	u32 pos = t->heap[0];

	t->k[pos]++;
	svcnat_turns_sift(t, 0);
	return pos;
}

static void svcnat_rr_build(struct svcnat_set *set, struct svcnat_turns *t)
{
	u32 i, g = 0, len = 0;
	bool scale;

	for (i = 0; i < t->n; i++)
		g = gcd(g, t->w[i]);
	scale = set->total / g > SVCNAT_RR_LEN_MAX;
	for (i = 0; i < t->n; i++) {
		if (!scale)
			t->w[i] /= g;
		else
			t->w[i] = max_t(u32, 1, div_u64((u64)t->w[i] *
							SVCNAT_RR_LEN_MAX,
							set->total));
		len += t->w[i];
	}
	/* svcnat_sched_len() reserved this much. */
	if (WARN_ON_ONCE(len > set->len))
		len = set->len;

	svcnat_turns_init(t);
	for (i = 0; i < len; i++) {
		set->tab[i] = svcnat_turns_next(t);
		if (!(i % 4096))
			cond_resched();
	}
	set->len = len;
	/* Every change restarts the order: not at the same backend each time. */
	atomic_long_set(set->next, get_random_u32_below(len));
}

static int svcnat_maglev_build(const struct svcnat_cfg *cfg,
			       struct svcnat_set *set, struct svcnat_turns *t,
			       u32 *cur, u32 *skip)
{
	const u32 m = set->len;
	unsigned long *used;
	u32 i, pos, slot;
	u64 probes = 0;

	used = kvcalloc(BITS_TO_LONGS(m), sizeof(*used), GFP_KERNEL_ACCOUNT);
	if (!used)
		return -ENOMEM;

	/* Permutation of candidate i: offset, offset + skip, ... mod m. */
	for (i = 0; i < t->n; i++) {
		const struct svcnat_backend *be = &cfg->be[set->pick[i].idx];
		const u32 *a = be->addr.all;
		u64 h;

		h = siphash_3u64((u64)a[1] << 32 | a[0], (u64)a[3] << 32 | a[2],
				 (__force u16)be->port, &svcnat_maglev_perm_key);
		cur[i] = (u32)h % m;
		skip[i] = (u32)(h >> 32) % (m - 1) + 1;
	}

	svcnat_turns_init(t);
	for (i = 0; i < m; i++) {
		pos = svcnat_turns_next(t);
		/* m is prime: the permutation reaches every free slot. */
		do {
			slot = cur[pos];
			cur[pos] += skip[pos];
			if (cur[pos] >= m)
				cur[pos] -= m;
			if (!(++probes % 65536))
				cond_resched();
		} while (test_bit(slot, used));
		__set_bit(slot, used);
		set->tab[slot] = pos;
	}
	kvfree(used);
	return 0;
}

/**
 * svcnat_sched_build - fill the scheduler table of an endpoint set
 * @cfg: the configuration being built, its backends in place
 * @set: one of its sets, candidates filled, @set->tab reserved for
 *	@set->len entries as svcnat_sched_len() asked
 *
 * Sleeps; the set may shrink @set->len to what it used.
 *
 * Return: 0 or -ENOMEM.
 */
int svcnat_sched_build(const struct svcnat_cfg *cfg, struct svcnat_set *set)
{
	struct svcnat_turns t = { .cfg = cfg, .set = set, .n = set->nr };
	u32 *tmp, i;
	int err = 0;

	if (!set->len)
		return 0;

	/* Weights, turns, heap, and for maglev position and skip. */
	tmp = kvmalloc_array(set->nr, 5 * sizeof(u32), GFP_KERNEL_ACCOUNT);
	if (!tmp)
		return -ENOMEM;
	t.w = tmp;
	t.k = t.w + set->nr;
	t.heap = t.k + set->nr;
	for (i = 0; i < set->nr; i++)
		t.w[i] = cfg->be[set->pick[i].idx].weight;

	if (cfg->spec->scheduler == SVCNAT_SCHEDULER_RR)
		svcnat_rr_build(set, &t);
	else
		err = svcnat_maglev_build(cfg, set, &t, t.heap + set->nr,
					  t.heap + 2 * set->nr);
	kvfree(tmp);
	return err;
}

static u32 svcnat_maglev_hash(const struct svcnat_spec *spec,
			      const struct svcnat_pkt *pkt)
{
	const u32 *s = pkt->saddr.all, *d = pkt->daddr.all;
	u64 v[5];

	if (spec->hash == SVCNAT_HASH_SRC)
		return siphash_2u64((u64)s[1] << 32 | s[0],
				    (u64)s[3] << 32 | s[2],
				    &svcnat_maglev_src_key);
	v[0] = (u64)s[1] << 32 | s[0];
	v[1] = (u64)s[3] << 32 | s[2];
	v[2] = (u64)d[1] << 32 | d[0];
	v[3] = (u64)d[3] << 32 | d[2];
	v[4] = (u64)(__force u16)pkt->sport << 24 |
		(u64)(__force u16)pkt->dport << 8 | pkt->proto;
	return siphash(v, sizeof(v), &svcnat_maglev_flow_key);
}

/**
 * svcnat_sched_pick - choose a backend for a new connection
 * @cfg: the configuration
 * @set: one of its endpoint sets, with at least one candidate
 * @pkt: the first packet, for maglev
 *
 * Lock-free and allocation-free. rr advances the set's position.
 *
 * Return: the chosen backend.
 */
const struct svcnat_backend *svcnat_sched_pick(const struct svcnat_cfg *cfg,
					       const struct svcnat_set *set,
					       const struct svcnat_pkt *pkt)
{
	unsigned long n;
	u32 pos;

	if (!set->len) {
		if (set->nr == 1)
			return &cfg->be[set->pick[0].idx];
		return svcnat_set_pick(cfg, set);
	}
	if (cfg->spec->scheduler == SVCNAT_SCHEDULER_RR) {
		n = atomic_long_inc_return_relaxed(set->next) - 1;
		pos = set->tab[n % set->len];
	} else {
		pos = set->tab[reciprocal_scale(svcnat_maglev_hash(cfg->spec,
								   pkt),
						set->len)];
	}
	return &cfg->be[set->pick[pos].idx];
}
