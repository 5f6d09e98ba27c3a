// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: ClientIP session affinity (rule 16).
 *
 * A service with affinity client-ip owns a table of (client address ->
 * backend, expiry) entries, allocated when affinity is turned on and freed
 * when it is turned off or the service goes. The table hangs on the
 * service, not on its configuration, so it survives configuration changes.
 *
 * Layout: a power of two of buckets of SVCNAT_AFF_WAYS entries each (set
 * associative); a client hashes to one bucket (jhash with a per-table
 * random seed) and lives in any of its ways. The table never grows: when a
 * bucket is full, a new client takes the place of an expired entry or else
 * of the one that expires first. Size: affinity_max entries, rounded down
 * to a power of two of buckets.
 *
 * Locking: each bucket has a spinlock and a seqcount. The packet path
 * (softirq, or process context for LOCAL_OUT) takes the lock of the one
 * bucket it needs, with bottom halves disabled, to refresh or write an
 * entry. Read-only users (trace, dump) copy a bucket under its seqcount
 * without taking the lock. Nothing on the packet path allocates.
 *
 * Entries record the backend by address and port, plus the index it had
 * in the configuration that wrote it as a hint: a hit costs one compare to
 * validate the hint and a binary search of the endpoint set; only a stale
 * hint (after a change that moved backends) costs a scan of the backends.
 *
 * Expired entries are reclaimed by a per-namespace delayed work that walks
 * at most SVCNAT_AFF_REAP_BUDGET buckets per run, every
 * SVCNAT_AFF_REAP_PERIOD, resuming where it stopped, so a full table is
 * never walked at once. It runs only while some service has a table.
 */

#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/svcnat.h>
#include <linux/workqueue.h>

#include "svcnat.h"

#define SVCNAT_AFF_WAYS		8
#define SVCNAT_AFF_REAP_BUDGET	1024
#define SVCNAT_AFF_REAP_PERIOD	HZ

/**
 * struct svcnat_aff_entry - one client's affinity
 * @client: client (source) address, zero-padded for IPv4
 * @addr: backend address
 * @expires: jiffies at which the entry stops being live
 * @idx: index of the backend in the configuration that last used the
 *	entry; a hint, checked against @addr and @port
 * @port: backend port, network order
 * @family: AF_INET or AF_INET6; 0 for a free entry
 */
struct svcnat_aff_entry {
	union nf_inet_addr client;
	union nf_inet_addr addr;
	unsigned long expires;
	u32 idx;
	__be16 port;
	u8 family;
};

/**
 * struct svcnat_aff_bucket - a set of entries sharing a lock
 * @lock: serialises writers of @e
 * @seq: lets readers copy @e without the lock
 * @e: the entries
 */
struct svcnat_aff_bucket {
	spinlock_t lock; /* writers of e[] */
	seqcount_spinlock_t seq;
	struct svcnat_aff_entry e[SVCNAT_AFF_WAYS];
};

/**
 * struct svcnat_aff - the affinity table of a service
 * @rcu: frees the table after a grace period
 * @mask: number of buckets less one
 * @seed: hash seed
 * @b: the buckets
 */
struct svcnat_aff {
	struct rcu_head rcu;
	u32 mask;
	u32 seed;
	struct svcnat_aff_bucket b[];
};

static u32 svcnat_aff_nr_buckets(void)
{
	u32 nr = max(svcnat_affinity_max / SVCNAT_AFF_WAYS, 1U);

	return rounddown_pow_of_two(nr);
}

/**
 * svcnat_aff_alloc - allocate an empty affinity table
 *
 * Sized by the affinity_max module parameter. Process context.
 *
 * Return: the table or NULL.
 */
struct svcnat_aff *svcnat_aff_alloc(void)
{
	u32 i, nr = svcnat_aff_nr_buckets();
	struct svcnat_aff *aff;

	aff = kvzalloc(struct_size(aff, b, nr), GFP_KERNEL_ACCOUNT);
	if (!aff)
		return NULL;
	aff->mask = nr - 1;
	aff->seed = get_random_u32();
	for (i = 0; i < nr; i++) {
		spin_lock_init(&aff->b[i].lock);
		seqcount_spinlock_init(&aff->b[i].seq, &aff->b[i].lock);
	}
	return aff;
}

/**
 * svcnat_aff_free - free a table no reader can see
 * @aff: the table, may be NULL
 */
void svcnat_aff_free(struct svcnat_aff *aff)
{
	kvfree(aff);
}

/**
 * svcnat_aff_free_rcu - free a table after a grace period
 * @aff: the table, already unpublished
 */
void svcnat_aff_free_rcu(struct svcnat_aff *aff)
{
	kvfree_rcu(aff, rcu);
}

static struct svcnat_aff_bucket *svcnat_aff_bucket(struct svcnat_aff *aff,
						   const union nf_inet_addr *client,
						   u8 family)
{
	u32 h = jhash2(client->all, ARRAY_SIZE(client->all), aff->seed ^ family);

	return &aff->b[h & aff->mask];
}

static bool svcnat_aff_is_client(const struct svcnat_aff_entry *e,
				 const union nf_inet_addr *client, u8 family)
{
	return e->family == family && nf_inet_addr_cmp(&e->client, client);
}

/* Whether the @idx-th backend is a candidate; pick[] is in backend order. */
static bool svcnat_set_has_idx(const struct svcnat_set *set, u32 idx)
{
	u32 lo = 0, hi = set->nr;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (set->pick[mid].idx == idx)
			return true;
		if (set->pick[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* The index of an entry's backend in @cfg, or -1 if @cfg has none. */
static int svcnat_aff_find(const struct svcnat_cfg *cfg,
			   const struct svcnat_aff_entry *e)
{
	u32 i = e->idx;

	if (i < cfg->nr && cfg->be[i].port == e->port &&
	    nf_inet_addr_cmp(&cfg->be[i].addr, &e->addr))
		return i;
	for (i = 0; i < cfg->nr; i++)
		if (cfg->be[i].port == e->port &&
		    nf_inet_addr_cmp(&cfg->be[i].addr, &e->addr))
			return i;
	return -1;
}

/* The backend of a live entry if it is in @set; its index in @idx. */
static const struct svcnat_backend *
svcnat_aff_usable(const struct svcnat_cfg *cfg, const struct svcnat_set *set,
		  const struct svcnat_aff_entry *e, unsigned long now, u32 *idx)
{
	int i;

	if (!e->family || !time_before(now, e->expires))
		return NULL;
	i = svcnat_aff_find(cfg, e);
	if (i < 0 || !svcnat_set_has_idx(set, i))
		return NULL;
	*idx = i;
	return &cfg->be[i];
}

/* Copy a bucket's entries without its lock. */
static void svcnat_aff_read(struct svcnat_aff_bucket *b,
			    struct svcnat_aff_entry *e)
{
	unsigned int seq;

	do {
		seq = read_seqcount_begin(&b->seq);
		memcpy(e, b->e, sizeof(b->e));
	} while (read_seqcount_retry(&b->seq, seq));
}

/**
 * svcnat_aff_lookup - the backend a client sticks to, for a new connection
 * @aff: the service's table
 * @cfg: the service's configuration
 * @set: the candidate set of the packet
 * @pkt: the packet
 * @trace: read only (trace): do not restart the timer
 *
 * A hit needs a live entry whose backend is in @set; unless @trace, it
 * restarts the entry's timer. Caller holds rcu_read_lock(). Takes the
 * bucket's lock unless @trace; never allocates.
 *
 * Return: the backend, or NULL for none.
 */
const struct svcnat_backend *svcnat_aff_lookup(struct svcnat_aff *aff,
					       const struct svcnat_cfg *cfg,
					       const struct svcnat_set *set,
					       const struct svcnat_pkt *pkt,
					       bool trace)
{
	struct svcnat_aff_bucket *b = svcnat_aff_bucket(aff, &pkt->saddr,
							pkt->family);
	const struct svcnat_backend *be = NULL;
	struct svcnat_aff_entry copy[SVCNAT_AFF_WAYS];
	unsigned long now = jiffies;
	u32 i, idx;

	if (trace) {
		svcnat_aff_read(b, copy);
		for (i = 0; i < SVCNAT_AFF_WAYS; i++)
			if (svcnat_aff_is_client(&copy[i], &pkt->saddr,
						 pkt->family))
				return svcnat_aff_usable(cfg, set, &copy[i],
							 now, &idx);
		return NULL;
	}

	spin_lock_bh(&b->lock);
	for (i = 0; i < SVCNAT_AFF_WAYS; i++) {
		struct svcnat_aff_entry *e = &b->e[i];

		if (!svcnat_aff_is_client(e, &pkt->saddr, pkt->family))
			continue;
		be = svcnat_aff_usable(cfg, set, e, now, &idx);
		if (be) {
			write_seqcount_begin(&b->seq);
			e->expires = now + cfg->spec->affinity_timeout * HZ;
			e->idx = idx;
			write_seqcount_end(&b->seq);
		}
		break;
	}
	spin_unlock_bh(&b->lock);
	return be;
}

/**
 * svcnat_aff_record - remember the backend chosen for a client
 * @aff: the service's table
 * @cfg: the service's configuration
 * @pkt: the packet
 * @be: the backend chosen, an entry of @cfg->be
 *
 * Replaces the client's entry if it has one, else a free or expired entry
 * of its bucket, else the one that expires first. Caller holds
 * rcu_read_lock(); takes the bucket's lock, never allocates.
 */
void svcnat_aff_record(struct svcnat_aff *aff, const struct svcnat_cfg *cfg,
		       const struct svcnat_pkt *pkt,
		       const struct svcnat_backend *be)
{
	struct svcnat_aff_bucket *b = svcnat_aff_bucket(aff, &pkt->saddr,
							pkt->family);
	unsigned long now = jiffies;
	struct svcnat_aff_entry *e;
	u32 i, victim = 0;

	spin_lock_bh(&b->lock);
	for (i = 0; i < SVCNAT_AFF_WAYS; i++) {
		e = &b->e[i];
		if (svcnat_aff_is_client(e, &pkt->saddr, pkt->family)) {
			victim = i;
			break;
		}
		if (!e->family || !time_before(now, e->expires))
			victim = i;
		else if (b->e[victim].family &&
			 time_before(e->expires, b->e[victim].expires))
			victim = i;
	}
	e = &b->e[victim];
	write_seqcount_begin(&b->seq);
	e->client = pkt->saddr;
	e->family = pkt->family;
	e->addr = be->addr;
	e->port = be->port;
	e->idx = be - cfg->be;
	e->expires = now + cfg->spec->affinity_timeout * HZ;
	write_seqcount_end(&b->seq);
	spin_unlock_bh(&b->lock);
}

static bool svcnat_aff_in_cfg(const struct svcnat_cfg *cfg,
			      const struct svcnat_aff_entry *e, u32 *idx)
{
	int i = svcnat_aff_find(cfg, e);

	if (i < 0 || (!svcnat_set_has_idx(&cfg->cluster, i) &&
		      !svcnat_set_has_idx(&cfg->local, i)))
		return false;
	*idx = i;
	return true;
}

/**
 * svcnat_aff_forget - drop the entries a new configuration invalidates
 * @aff: the service's table
 * @cfg: the configuration just published
 *
 * Entries whose backend is in neither endpoint set of @cfg go; the others
 * get their index hint updated to @cfg. Process context, under
 * &svcnat_net.lock; walks the whole table.
 */
void svcnat_aff_forget(struct svcnat_aff *aff, const struct svcnat_cfg *cfg)
{
	u32 n, i, idx;

	for (n = 0; n <= aff->mask; n++) {
		struct svcnat_aff_bucket *b = &aff->b[n];

		spin_lock_bh(&b->lock);
		write_seqcount_begin(&b->seq);
		for (i = 0; i < SVCNAT_AFF_WAYS; i++) {
			struct svcnat_aff_entry *e = &b->e[i];

			if (!e->family)
				continue;
			if (svcnat_aff_in_cfg(cfg, e, &idx))
				e->idx = idx;
			else
				memset(e, 0, sizeof(*e));
		}
		write_seqcount_end(&b->seq);
		spin_unlock_bh(&b->lock);
		if (!(n % 256))
			cond_resched();
	}
}

/**
 * svcnat_aff_get - read the live entries of a table
 * @aff: the table
 * @cfg: the service's configuration: only entries whose backend is in one
 *	of its sets are reported
 * @pos: in: first entry to look at (bucket * ways + way); out: the
 *	next one, or U32_MAX at the end of the table
 * @fn: called for each live entry with @arg, the client, the backend
 *	and the milliseconds left; a non-zero return stops the walk before
 *	that entry
 * @arg: for @fn
 *
 * Lock-free; caller holds rcu_read_lock().
 *
 * Return: the value @fn stopped with, or 0.
 */
int svcnat_aff_get(struct svcnat_aff *aff, const struct svcnat_cfg *cfg,
		   u32 *pos,
		   int (*fn)(void *arg, const union nf_inet_addr *client,
			     const struct svcnat_backend *be, u8 family,
			     u32 ms),
		   void *arg)
{
	struct svcnat_aff_entry copy[SVCNAT_AFF_WAYS];
	unsigned long now = jiffies;
	u32 n, i, idx;
	int err;

	for (n = *pos / SVCNAT_AFF_WAYS; n <= aff->mask; n++) {
		svcnat_aff_read(&aff->b[n], copy);
		i = n == *pos / SVCNAT_AFF_WAYS ? *pos % SVCNAT_AFF_WAYS : 0;
		for (; i < SVCNAT_AFF_WAYS; i++) {
			const struct svcnat_aff_entry *e = &copy[i];

			if (!e->family || !time_before(now, e->expires) ||
			    !svcnat_aff_in_cfg(cfg, e, &idx))
				continue;
			err = fn(arg, &e->client, &cfg->be[idx], e->family,
				 jiffies_to_msecs(e->expires - now));
			if (err) {
				*pos = n * SVCNAT_AFF_WAYS + i;
				return err;
			}
		}
	}
	*pos = U32_MAX;
	return 0;
}

/* Clear the expired entries of one bucket; return how many. */
static u32 svcnat_aff_reap_bucket(struct svcnat_aff_bucket *b,
				  unsigned long now)
{
	u32 i, n = 0;

	/* Most buckets need nothing: look before taking the lock. */
	for (i = 0; i < SVCNAT_AFF_WAYS; i++)
		if (READ_ONCE(b->e[i].family) &&
		    !time_before(now, READ_ONCE(b->e[i].expires)))
			break;
	if (i == SVCNAT_AFF_WAYS)
		return 0;

	spin_lock_bh(&b->lock);
	write_seqcount_begin(&b->seq);
	for (i = 0; i < SVCNAT_AFF_WAYS; i++) {
		if (b->e[i].family && !time_before(now, b->e[i].expires)) {
			memset(&b->e[i], 0, sizeof(b->e[i]));
			n++;
		}
	}
	write_seqcount_end(&b->seq);
	spin_unlock_bh(&b->lock);
	return n;
}

static void svcnat_aff_reap_work(struct work_struct *work)
{
	struct svcnat_net *sn = container_of(to_delayed_work(work),
					     struct svcnat_net, aff_work);
	unsigned int budget = SVCNAT_AFF_REAP_BUDGET;
	unsigned long now = jiffies, id;
	struct svcnat_service *svc;
	struct svcnat_aff *aff;
	bool wrapped = true;
	u32 reaped = 0;

	/* Only this work uses the cursor: a work item never runs twice at once. */
	rcu_read_lock();
	xa_for_each_start(&sn->ids, id, svc, sn->aff_reap_id) {
		if (id != sn->aff_reap_id)
			sn->aff_reap_pos = 0;
		sn->aff_reap_id = id;
		aff = rcu_dereference(svc->aff);
		/* Skipping a service costs too: bounded however many. */
		if (!aff || sn->aff_reap_pos > aff->mask) {
			if (!--budget) {
				sn->aff_reap_id = id + 1;
				wrapped = false;
				break;
			}
			continue;
		}
		while (budget && sn->aff_reap_pos <= aff->mask) {
			reaped += svcnat_aff_reap_bucket(&aff->b[sn->aff_reap_pos++],
							 now);
			budget--;
		}
		if (!budget) {
			wrapped = false;
			break;
		}
	}
	rcu_read_unlock();
	if (wrapped) {
		sn->aff_reap_id = 0;
		sn->aff_reap_pos = 0;
	}
	if (reaped)
		pr_debug("svcnat: reaped %u expired affinity entries\n", reaped);

	if (READ_ONCE(sn->nr_aff))
		queue_delayed_work(system_power_efficient_wq, &sn->aff_work,
				   SVCNAT_AFF_REAP_PERIOD);
}

/**
 * svcnat_aff_net_init - set up the reaper of a namespace
 * @sn: the namespace state
 */
void svcnat_aff_net_init(struct svcnat_net *sn)
{
	INIT_DELAYED_WORK(&sn->aff_work, svcnat_aff_reap_work);
}

/**
 * svcnat_aff_net_uninit - stop the reaper and free every table
 * @sn: the namespace state, locked, its hooks unregistered and a grace
 *	period past; no configuration change can come any more
 *
 * Waits for a running reaper, which may have requeued itself; it does not
 * take the lock. Frees the tables at once: no reader is left.
 */
void svcnat_aff_net_uninit(struct svcnat_net *sn)
{
	struct svcnat_service *svc;
	unsigned long id;

	lockdep_assert_held(&sn->lock);
	cancel_delayed_work_sync(&sn->aff_work);
	xa_for_each(&sn->ids, id, svc)
		svcnat_aff_free(rcu_replace_pointer(svc->aff, NULL,
						    lockdep_is_held(&sn->lock)));
	sn->nr_aff = 0;
}

/**
 * svcnat_aff_attach - publish a service's new table
 * @sn: the namespace state, locked
 * @svc: the service, without a table
 * @aff: the table
 *
 * Starts the reaper if it is not running.
 */
void svcnat_aff_attach(struct svcnat_net *sn, struct svcnat_service *svc,
		       struct svcnat_aff *aff)
{
	lockdep_assert_held(&sn->lock);
	rcu_assign_pointer(svc->aff, aff);
	WRITE_ONCE(sn->nr_aff, sn->nr_aff + 1);
	queue_delayed_work(system_power_efficient_wq, &sn->aff_work,
			   SVCNAT_AFF_REAP_PERIOD);
}

/**
 * svcnat_aff_detach - unpublish a service's table and free it
 * @sn: the namespace state, locked
 * @svc: the service, its table may be NULL
 *
 * The table is freed after a grace period; the reaper stops by itself
 * once no service has one.
 */
void svcnat_aff_detach(struct svcnat_net *sn, struct svcnat_service *svc)
{
	struct svcnat_aff *aff;

	aff = rcu_replace_pointer(svc->aff, NULL, lockdep_is_held(&sn->lock));
	if (!aff)
		return;
	WRITE_ONCE(sn->nr_aff, sn->nr_aff - 1);
	svcnat_aff_free_rcu(aff);
}
