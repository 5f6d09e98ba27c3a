// SPDX-License-Identifier: GPL-2.0
/*
 * svcnat: Kubernetes Service forwarding in netfilter.
 *
 * Module entry points, parameters and per network namespace state.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/svcnat.h>

#include "svcnat.h"

unsigned int svcnat_max_services __read_mostly = 262144;
module_param_named(max_services, svcnat_max_services, uint, 0444);
MODULE_PARM_DESC(max_services,
		 "Maximum number of services per network namespace (default 262144)");

unsigned int svcnat_max_backends __read_mostly = 4096;
module_param_named(max_backends, svcnat_max_backends, uint, 0444);
MODULE_PARM_DESC(max_backends,
		 "Maximum number of backends per service (default 4096)");

unsigned int svcnat_affinity_max __read_mostly = 16384;
module_param_named(affinity_max, svcnat_affinity_max, uint, 0444);
MODULE_PARM_DESC(affinity_max,
		 "ClientIP affinity entries per service with affinity, preallocated (default 16384)");

unsigned int svcnat_net_id __read_mostly;

static int __net_init svcnat_net_init(struct net *net)
{
	struct svcnat_net *sn = svcnat_pernet(net);
	int err;

	sn->net = net;
	mutex_init(&sn->lock);
	INIT_LIST_HEAD(&sn->txns);
	/* Dumps treat a zero sequence as "not set yet". */
	sn->gen = 1;
	xa_init_flags(&sn->ids, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	svcnat_aff_net_init(sn);

	err = svcnat_node_init(sn);
	if (err)
		return err;
	err = svcnat_fes_init(sn);
	if (err)
		goto err_uninit_node;
	err = svcnat_services_init(sn);
	if (err)
		goto err_uninit_fes;
	return 0;

err_uninit_fes:
	svcnat_fes_uninit(sn);
err_uninit_node:
	svcnat_node_uninit(sn);
	return err;
}

/*
 * Hooks go first, here: the core waits for a grace period between
 * pre_exit and exit, so no packet is in svcnat's hooks when exit frees
 * the tables, even for a namespace that lives on (module unload).
 */
static void __net_exit svcnat_net_pre_exit(struct net *net)
{
	svcnat_hooks_unregister(svcnat_pernet(net));
}

static void __net_exit svcnat_net_exit(struct net *net)
{
	struct svcnat_net *sn = svcnat_pernet(net);

	mutex_lock(&sn->lock);
	svcnat_aff_net_uninit(sn);
	svcnat_txn_release_all(sn);
	svcnat_fes_uninit(sn);
	svcnat_services_uninit(sn);
	mutex_unlock(&sn->lock);
	xa_destroy(&sn->ids);
	svcnat_node_uninit(sn);
}

static struct pernet_operations svcnat_net_ops = {
	.init = svcnat_net_init,
	.pre_exit = svcnat_net_pre_exit,
	.exit = svcnat_net_exit,
	.id = &svcnat_net_id,
	.size = sizeof(struct svcnat_net),
};

static int __init svcnat_init(void)
{
	int err;

	/* Weight sums of a set are u32: 65536 backends of weight 65535. */
	if (!svcnat_max_services || !svcnat_max_backends ||
	    svcnat_max_backends > SVCNAT_MAX_BACKENDS_LIMIT) {
		pr_err("svcnat: max_services must be positive, max_backends 1-%u\n",
		       SVCNAT_MAX_BACKENDS_LIMIT);
		return -EINVAL;
	}
	if (!svcnat_affinity_max ||
	    svcnat_affinity_max > SVCNAT_AFFINITY_MAX_LIMIT) {
		pr_err("svcnat: affinity_max must be 1-%u\n",
		       SVCNAT_AFFINITY_MAX_LIMIT);
		return -EINVAL;
	}

	err = svcnat_hooks_init();
	if (err)
		return err;

	err = register_pernet_subsys(&svcnat_net_ops);
	if (err)
		goto err_uninit_hooks;

	err = svcnat_txn_init();
	if (err)
		goto err_unregister_pernet;

	err = svcnat_genl_init();
	if (err)
		goto err_uninit_txn;

	return 0;

err_uninit_txn:
	svcnat_txn_uninit();
err_unregister_pernet:
	unregister_pernet_subsys(&svcnat_net_ops);
err_uninit_hooks:
	svcnat_hooks_uninit();
	return err;
}

static void __exit svcnat_exit(void)
{
	svcnat_genl_uninit();
	svcnat_txn_uninit();
	unregister_pernet_subsys(&svcnat_net_ops);
	svcnat_hooks_uninit();
	/* Wait for the call_rcu() callbacks that free services. */
	rcu_barrier();
}

module_init(svcnat_init);
module_exit(svcnat_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Kubernetes Service forwarding in netfilter");
MODULE_AUTHOR("svcnat developers");
MODULE_ALIAS_GENL_FAMILY(SVCNAT_FAMILY_NAME);
