#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# rmmod under load: with services configured in two namespaces, new
# connections streaming through the service and a transaction left open on
# a netlink socket, rmmod svcnat succeeds and the kernel stays clean; the
# cluster IP is then no longer translated; the module loads again and
# serves; load/configure/unload cycles are clean.
#
#   +----------+        +--------------------+           +-----------------+
#   | cl       |  veth  | node               |   br0     | b1 10.0.2.11    |
#   | 10.0.1.2 +--------+ 10.0.1.1  10.0.2.1 +-----+-----+ b2 10.0.2.12    |
#   +----------+        | ip_forward=1       |           | b3 10.0.2.13    |
#   client stream:      | svcnat:            |           | svcnat-backend  |
#   TCP+UDP, 4 in       | 10.96.0.10:8081 -> |           | tcp+udp :80     |
#   flight, to the VIP  |   b1,b2,b3 :80     |           +-----------------+
#                       | + an open txn      |
#                       +--------------------+     other netns: 2 services

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib.sh"

rmmod_under_load() {
	local log=$SVCNAT_TMP/stream other line ok_before ok_after
	local hold_pid hold_in hold_out

	other=$(ns_name other)
	ns_add "$other"
	svcadm_in "$other" apply -f - <<-EOF
	add-service -t 10.96.5.1:80
	add-backend -t 10.96.5.1:80 -r 10.0.5.1:80
	add-service -u 10.96.5.1:80
	EOF
	# a transaction with one op, never committed, on a live socket (bash
	# drops the coproc's variables when it exits: keep copies, see ll_start)
	coproc HOLD { exec ip netns exec "$NS_NODE" "$SVCNAT_NLRAW" hold; }
	# shellcheck disable=SC2153 # set by coproc
	hold_pid=$HOLD_PID
	exec {hold_out}<&"${HOLD[0]}"
	hold_in=${HOLD[1]}
	# shellcheck disable=SC2031 # the case's own list (run_case subshell)
	BG_PIDS+=("$hold_pid")
	read -r -t 30 -u "$hold_out" line || fail "svcnat-nlraw hold did not start"
	assert_match "$line" "^held txn [0-9]+$" "open transaction"
	spawn "$SVCNAT_CLIENT" -n "$NS_CL" -t -u -P 4 -r 200 -T 120 -w 1000 -v "$VIP:$VPORT" >"$log"
	wait_file_lines "$log" ' ok$' 40 20 || fail "the client stream does not get going"
	ok_before=$(grep -c ' ok$' "$log") || true
	svcnat_unload
	ok_after=$(grep -c ' ok$' "$log") || true
	info "rmmod svcnat with traffic flowing: ok ($ok_before connections before rmmod started, $ok_after when it returned)"
	# keep the stream going a little on the module-less node, then stop it
	wait_file_lines "$log" ' fail ' 4 20 || fail "no connection attempt after rmmod"
	stop_pid "$BG_PID" || true
	info "$(grep -E '^(backend|total)' "$log")"
	# the open transaction's socket outlived the module: closing it, and
	# its late commit, must be harmless
	exec {hold_in}>&-
	read -r -t 30 -u "$hold_out" line || true
	info "svcnat-nlraw hold: $line"
	wait "$hold_pid" || fail "the late commit of the open transaction was accepted"
}

not_translated_after_rmmod() {
	local out

	! svcnat_loaded || fail "svcnat is loaded"
	if out=$(client -t -u -c 1 -P 2 -w 1000 "$VIP:$VPORT"); then
		fail "the cluster IP still answers without svcnat: $out"
	fi
}

reload_serves() {
	local out

	svcnat_load
	assert_eq "$(nodeadm save)" "" "configuration after reload"
	seed_services
	out=$(client -t -u -c 45 -P 3 "$VIP:$VPORT") || true
	check_spread "$out" tcp 45 b1 b2 b3
	check_spread "$out" udp 45 b1 b2 b3
}

# insmod, 200 services x 4 backends in the node netns plus a connection
# through one of them, rmmod: three times.
cycles() {
	local i out

	awk 'BEGIN {
		for (s = 1; s <= 200; s++) {
			printf "add-service -t 10.96.6.%d:80\n", s
			for (b = 1; b <= 3; b++)
				printf "add-backend -t 10.96.6.%d:80 -r 10.0.2.1%d:80\n", s, b
		}
	}' >"$SVCNAT_TMP/cfg"
	for i in 1 2 3; do
		svcnat_load
		nodeadm apply -f "$SVCNAT_TMP/cfg"
		out=$(client -t -c 3 10.96.6.$((i * 50)):80) || true
		parse_client_output "$out"
		assert_eq "${OK[tcp]:-0}" 3 "connections through 10.96.6.$((i * 50)) in cycle $i"
		svcnat_unload
	done
	svcnat_load
}

test_init
require_cmd "$SVCADM" awk
seed_setup

ktap_plan 4
run_case "rmmod with traffic, services in 2 netns and an open txn is clean" rmmod_under_load
run_case "after rmmod the cluster IP is not translated" not_translated_after_rmmod
run_case "the module loads again and serves" reload_serves
run_case "load, configure 200 services, pass traffic, unload: 3 times" cycles
ktap_done
