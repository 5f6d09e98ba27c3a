#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module life cycle: svcnat.ko loads with its dependencies and its genetlink
# family resolves; its parameters are read-only, documented and enforced;
# unloading with services configured is clean; an installed module is
# autoloaded by the first svcadm call; deleting a network namespace that
# has services and NATed connections frees it cleanly.
#
#   init netns: svcadm list / config          +-- A, B: plain netns for limits
#                                             |
#   cl --veth-- node --br0-- b1, b2, b3       (built only for the netns
#   10.0.1.2    10.0.1.1/10.0.2.1  10.0.2.1x   deletion case, then deleted)
#
# Kernel warnings, oopses and taint are checked after every case.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib.sh"

loads_and_resolves() {
	local out

	svcnat_unload
	svcnat_load
	svcnat_loaded || fail "svcnat not loaded after insmod"
	out=$("$SVCADM" list -o json)
	assert_eq "$(tr -d ' \n' <<<"$out")" '{"services":[]}' "svcadm list -o json in a fresh netns"
	"$SVCADM" list >/dev/null
	# genetlink knows the family and its admin-only ops (iproute2 genl)
	if command -v genl >/dev/null; then
		out=$(genl ctrl get name svcnat)
		assert_match "$out" "svcnat" "genl ctrl get name svcnat"
		info "$(grep -m1 -o 'Name: svcnat.*' <<<"$out")"
	fi
}

params() {
	local p f v parm

	parm=$(modinfo -F parm "$SVCNAT_KO")
	info "$parm"
	for p in max_services max_backends; do
		f=/sys/module/svcnat/parameters/$p
		[ -r "$f" ] || fail "$f missing"
		read -r v <"$f"
		[[ $v =~ ^[1-9][0-9]*$ ]] || fail "$p is '$v'"
		assert_eq "$(stat -c %a "$f")" 444 "mode of $f"
		if (echo 1 >"$f") 2>/dev/null; then
			fail "$f is writable"
		fi
		assert_match "$parm" "(^|$NL)$p:[^$NL]{12,}" "modinfo describes $p"
		info "$p = $v"
	done
}

# expect_refused NETNS WHAT ARGS...: svcadm ARGS in NETNS fails with one line.
expect_refused() {
	local ns=$1 what=$2 err rc=0

	shift 2
	svcadm_in "$ns" "$@" 2>"$SVCNAT_TMP/err" || rc=$?
	err=$(<"$SVCNAT_TMP/err")
	[ "$rc" != 0 ] || fail "$what was accepted"
	assert_match "$err" "^svcadm: [^$NL]+\$" "$what: error message"
	info "$what: $err"
}

limits() {
	local a b before

	svcnat_load max_services=3 max_backends=2
	a=$(ns_name lim-a)
	b=$(ns_name lim-b)
	ns_add "$a" "$b"
	svcadm_in "$a" apply -f - <<-EOF
	add-service -t 10.96.3.1:80
	add-backend -t 10.96.3.1:80 -r 10.0.3.1:80
	add-backend -t 10.96.3.1:80 -r 10.0.3.2:80
	add-service -t 10.96.3.2:80
	add-service -u 10.96.3.2:80
	EOF
	before=$(svcadm_in "$a" save)
	expect_refused "$a" "a 4th service (max_services=3)" add-service -t 10.96.3.3:80
	expect_refused "$a" "a 3rd backend (max_backends=2)" add-backend -t 10.96.3.1:80 -r 10.0.3.3:80
	expect_refused "$a" "set-backends with 3 (max_backends=2)" \
		set-backends -t 10.96.3.2:80 -r 10.0.3.1:80 -r 10.0.3.2:80 -r 10.0.3.3:80
	printf 'del-service -u 10.96.3.2:80\nadd-service -t 10.96.3.4:80\nadd-service -t 10.96.3.5:80\n' \
		>"$SVCNAT_TMP/batch"
	expect_refused "$a" "a batch ending with 4 services" apply -f "$SVCNAT_TMP/batch"
	assert_eq "$(svcadm_in "$a" save)" "$before" "config after the refused changes"
	# the limit is per namespace
	svcadm_in "$b" apply -f - <<-EOF
	add-service -t 10.96.3.1:80
	add-service -t 10.96.3.2:80
	add-service -t 10.96.3.3:80
	EOF
	ns_del_all
	svcnat_unload
	svcnat_load
}

unload_with_config() {
	local n out rc=0

	svcnat_load
	n=$(ns_name unload)
	ns_add "$n"
	"$SVCADM" apply -f - <<-EOF
	add-service -t 10.96.4.1:80 --name init/one:http
	add-backend -t 10.96.4.1:80 -r 10.0.4.1:80
	add-service -u 10.96.4.1:53
	add-backend -u 10.96.4.1:53 -r 10.0.4.2:53 -w 0
	EOF
	svcadm_in "$n" add-service -t 10.96.4.2:80
	svcadm_in "$n" add-backend -t 10.96.4.2:80 -r 10.0.4.3:80
	svcnat_unload
	out=$("$SVCADM" list 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "svcadm list works without the module: $out"
	assert_match "$out" "^svcadm: [^$NL]+\$" "svcadm without the module"
	info "without the module: $out"
	ns_del_all
	svcnat_load
	assert_eq "$("$SVCADM" save)" "" "config of the init netns after reloading"
}

autoload() {
	local out

	svcnat_unload
	svcnat_install
	! svcnat_loaded || fail "installing loaded the module"
	out=$("$SVCADM" list -o json) || fail "svcadm list with the module installed failed"
	svcnat_loaded || fail "svcadm list did not autoload svcnat"
	info "autoloaded by the genetlink family lookup of svcadm list"
	modprobe -r svcnat || fail "modprobe -r svcnat"
	! svcnat_loaded || fail "svcnat still loaded after modprobe -r"
	modprobe svcnat || fail "modprobe svcnat"
	svcnat_loaded || fail "modprobe svcnat did not load it"
	svcnat_uninstall
}

# A netns with services, established NATed connections and conntrack state
# goes away: svcnat's pernet exit runs (from the netns cleanup workqueue),
# then the module still unloads cleanly.
netns_delete() {
	local out

	svcnat_load
	topo_setup
	backends_start
	seed_services
	out=$(client -t -u -c 45 -P 3 "$VIP:$VPORT") || true
	check_spread "$out" tcp 45 b1 b2 b3
	ll_start -t -u -D 2 "$VIP:$VPORT"
	ll_exchange
	# The node netns (svcnat state, NATed conntrack entries) dies with
	# its name, the others when their last socket closes.
	ns_del_all
	ll_stop
	stop_pid "$BACKENDS_PID" || true
	# Their teardown runs asynchronously from a workqueue and has no
	# completion userspace can wait for; give it a moment, then unload
	# (which also serializes with any cleanup still running).
	nap 1
	svcnat_unload
	svcnat_load
}

test_init
require_cmd "$SVCADM" modinfo modprobe depmod stat mount umount
[ -r "$SVCNAT_KO" ] || skip "no module at '$SVCNAT_KO'"

ktap_plan 6
run_case "module loads with its dependencies, family resolves, empty list" loads_and_resolves
run_case "max_services/max_backends: read-only, documented in modinfo" params
run_case "max_services (per netns) and max_backends are enforced, batches too" limits
run_case "rmmod with services in init and another netns is clean; reload empty" unload_with_config
run_case "installed module is autoloaded by the first svcadm call" autoload
run_case "deleting a netns with services and NATed connections is clean" netns_delete
svcnat_load
ktap_done
