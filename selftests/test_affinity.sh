#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Session affinity (rule 16 of ../shared/service-semantics.md):
# sessionAffinity ClientIP sends the new connections of a client address to
# the backend it used last, while that backend is a candidate for the
# connection and the previous connection started less than the timeout
# ago; each such connection restarts the timer. Real connections from two
# clients; "svcadm list --affinity" shows the live entries.
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#   (client 1)            svcnat, dummy0 192.168.77.1         br-pod 10.244.2.1
#                         br-pod 10.244.1.1                    |-- rpod1 .2.11
#                           |-- pod1 10.244.1.11  (local)      `-- rpod2 .2.12
#                           |-- pod2 10.244.1.12  (local)
#                           `-- pod3 10.244.1.13  (client 2, no backend)
#   (IPv6 next to it when the topology has it.)
#
#   service 10.96.0.10:8081 (TCP, UDP, SCTP), backends port 80 of pod1,
#   pod2 (--local), rpod1, rpod2; NodePort 30080 where a case needs it.
#
# Without affinity 12 connections of one client over 4 backends all land
# on one backend once in 4^11 (4e6) runs: that is the control that a
# client's connections spread. With it they must all land on one.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_choice.sh"

NP=30080
SHORT=2			# short timeout (s)

# ------------------------------------------------------------- helpers

# conns NS PROTO N: N connections (one at a time) from NS to $FSVC, all
# answered; REPLY = the backend ids that answered (sorted, comma-separated).
conns() {
	probe "$1" "$2" "$FSVC" "$3" >/dev/null
	[[ $PROBE != *+* && $PROBE != *timeout* && $PROBE != *reject* ]] ||
		fail "$2 connections from ${1##*-} to $FSVC: $PROBE"
	REPLY=${PROBE%% *}
}

# sticky NS PROTO N WHAT: one connection, then N more (up to 4 at once:
# the first one made the entry, so that two first packets on two CPUs
# cannot both miss), all go to one backend; REPLY = it.
sticky() {
	local first

	conns "$1" "$2" 1
	first=$REPLY
	conns "$1" "$2" "$3"
	[ "$REPLY" = "$first" ] ||
		fail "$4: $2 connections from ${1##*-} went to $first, then to $REPLY"
}

# aff PROTO: the entries of the service ($FSVC) into AFF[].
aff() {
	aff_entries "$1" "$FSVC"
}

# ------------------------------------------------------------ sticks

# ClientIP: every connection of a client goes to one backend, each client
# its own entry; without affinity the same connections spread.
aff_sticks() {
	local protos=$1 fam=${2:-} p x z

	[ "$fam" != 6 ] || require_ipv6
	[[ $protos != *sctp* ]] || require_sctp
	sem_reset
	aprogram "$protos" "$fam" "" pod1 pod2 rpod1 rpod2
	for p in $protos; do
		conns "$NS_EXT" "$p" 12
		[[ $REPLY == *,* ]] || fail "control: without affinity, 12 $p connections from ext all went to $REPLY"
		info "$p without affinity: ext -> $REPLY"
	done
	aprogram "$protos" "$fam" "--affinity clientip" pod1 pod2 rpod1 rpod2
	for p in $protos; do
		sticky "$NS_EXT" "$p" 12 "$p affinity"
		x=$REPLY
		sticky "$NS_POD3" "$p" 12 "$p affinity"
		z=$REPLY
		aff "$p"
		assert_eq "$AFF_N" 2 "$p: affinity entries$NL$AFF_OUT"
		assert_eq "${AFF[ext]:-}" "$x" "$p: entry of ext"
		assert_eq "${AFF[pod3]:-}" "$z" "$p: entry of pod3"
		((AFF_EXP[ext] > 10700 && AFF_EXP[ext] <= 10800)) ||
			fail "$p: ext's entry expires in ${AFF_EXP[ext]} s, want about 10800"
		info "$p with affinity: ext -> $x, pod3 -> $z (12 connections each); list --affinity agrees"
	done
}

# ----------------------------------------------------------- timeout

# A 2 s timeout: connections every 0.25 s for 5 s stay on one backend
# (each restarts the timer); the entry expires 2 s after the last one and
# leaves the list; then a new connection chooses afresh (random: another
# backend within a few rounds).
aff_timeout() {
	local x start t id round

	sem_reset
	aprogram "tcp" "" "--affinity clientip --affinity-timeout $SHORT" pod1 pod2 rpod1 rpod2
	svc_setting_is tcp "affinity: clientip timeout $SHORT"
	probe "$NS_EXT" tcp "$FSVC" 1 >/dev/null
	x=${PROBE%% *}
	start=$EPOCHREALTIME
	PROBE_OUT=$("$SVCNAT_CLIENT" -n "$NS_EXT" -t -c 20 -P 1 -r 4 "$FSVC" 2>&1) ||
		fail "connections every 0.25 s: $PROBE_OUT"
	parse_client_output "$PROBE_OUT"
	assert_eq "${COUNT[tcp:$x]:-0}" 20 "connections to $x of 20 over $(elapsed "$start") s (timeout $SHORT s)"
	aff tcp
	assert_eq "${AFF[ext]:-}" "$x" "entry of ext after the last connection"
	((AFF_EXP[ext] >= SHORT - 1)) || fail "entry of ext expires in ${AFF_EXP[ext]} s right after a connection"
	info "20 connections over $(elapsed "$start") s, $SHORT s timeout: all on $x, entry renewed"

	start=$EPOCHREALTIME
	wait_aff_count tcp "$FSVC" 0 $((SHORT + 5))
	t=$(elapsed "$start")
	info "the entry left the list $t s after the last connection"
	for round in 1 2 3 4 5 6 7 8 9 10; do
		probe "$NS_EXT" tcp "$FSVC" 1 >/dev/null
		id=${PROBE%% *}
		[ "$id" = "$x" ] || break
		wait_aff_count tcp "$FSVC" 0 $((SHORT + 5))
	done
	[ "$id" != "$x" ] || fail "10 fresh choices after expiry all went to $x"
	info "after expiry a new connection went to $id (round $round)"
}

# svc_setting_is PROTO LINE: the service's list output has "  LINE".
svc_setting_is() {
	local out

	proto_opt "$1"
	out=$(nodeadm list "$REPLY" "$FSVC")
	grep -qxF "  $2" <<<"$out" || fail "list: no '  $2' line:$NL$out"
}

# ---------------------------------------------------- backend removed

# Deleting the backend of an entry forgets the entry: the client moves
# and sticks to its new backend; another client's entry to a backend that
# stays is kept. A backend turned not ready (out of both sets) is not
# used by its entries either.
aff_backend_removed() {
	local fam=${1:-} x y z flags

	[ "$fam" != 6 ] || require_ipv6
	sem_reset
	aprogram "udp" "$fam" "--affinity clientip" pod1 pod2 rpod1 rpod2
	sticky "$NS_EXT" udp 8 "before"
	x=$REPLY
	sticky "$NS_POD3" udp 8 "before"
	z=$REPLY
	addr_of "$x" "$fam"
	hostport "$REPLY" "$BE_PORT"
	nodeadm del-backend -u "$FSVC" -r "$REPLY" || fail "del-backend $x"
	aff udp
	assert_eq "${AFF[ext]:-none}" none "entry of ext after deleting $x"
	if [ "$z" = "$x" ]; then
		assert_eq "$AFF_N" 0 "entries after deleting $x (both clients used it)"
	else
		assert_eq "${AFF[pod3]:-none}" "$z" "entry of pod3 (on $z) after deleting $x"
	fi
	sticky "$NS_EXT" udp 8 "after deleting $x"
	y=$REPLY
	[ "$y" != "$x" ] || fail "ext still reaches deleted $x"
	aff udp
	assert_eq "${AFF[ext]:-}" "$y" "new entry of ext"
	info "deleted $x: ext's entry forgotten, ext moved to $y; pod3 ($z) kept its own"

	# not ready: out of both sets, its entries are not used
	addr_of "$y" "$fam"
	hostport "$REPLY" "$BE_PORT"
	flags=(--not-ready)
	[[ $y != pod* ]] || flags+=(--local)
	nodeadm edit-backend -u "$FSVC" -r "$REPLY" "${flags[@]}" || fail "edit-backend $y --not-ready"
	sticky "$NS_EXT" udp 8 "after $y turned not ready"
	[ "$REPLY" != "$y" ] || fail "ext still reaches not-ready $y"
	info "$y not ready: ext moved to $REPLY"
}

# An entry whose backend is not a candidate for this connection's origin
# and frontend is not used: ext's entry to rpod1 (made through the cluster
# IP) is not used through the NodePort with externalTrafficPolicy Local
# (local set: pod1), and is used again through the cluster IP. The trace
# says which came from affinity.
aff_not_usable() {
	local tr

	sem_reset
	aprogram "tcp" "" "--node-port $NP --external-policy local --affinity clientip" \
		pod1,--not-ready rpod1
	sticky "$NS_EXT" tcp 4 "cluster IP while pod1 is not ready"
	assert_eq "$REPLY" rpod1 "backend of ext through the cluster IP"
	nodeadm edit-backend -t "$SVC" -r "$POD1_IP:$BE_PORT" --local || fail "edit-backend pod1 ready"
	aff tcp
	assert_eq "${AFF[ext]:-}" rpod1 "entry of ext after pod1 turned ready"

	tr=$(nodeadm trace -t "$SVC" --from "$EXT_IP" --choose) || fail "trace: $tr"
	grep -qx 'backend: '"$RPOD1_IP:$BE_PORT" <<<"$tr" || fail "trace through the cluster IP:$NL$tr"
	grep -qx 'affinity: yes' <<<"$tr" || fail "trace through the cluster IP: no 'affinity: yes':$NL$tr"
	tr=$(nodeadm trace -t "$NODE_IP:$NP" --from "$EXT_IP" --choose) || fail "trace: $tr"
	grep -qx 'backend: '"$POD1_IP:$BE_PORT" <<<"$tr" || fail "trace through the NodePort:$NL$tr"
	! grep -q 'affinity: yes' <<<"$tr" || fail "trace through the NodePort claims affinity:$NL$tr"
	info "trace: cluster IP -> rpod1 from affinity; NodePort (local set) -> pod1, not from affinity"

	expect_conn "$NS_EXT" tcp "$NODE_IP:$NP" 4 pod1 own "NodePort, externalTrafficPolicy Local, entry to rpod1"
}

# ----------------------------------------------- timeout change, off

# Changing the timeout keeps the entries (a new connection renews with the
# new timeout); turning affinity off clears them, and turning it on again
# starts empty.
aff_change() {
	local x

	sem_reset
	aprogram "tcp udp" "" "--affinity clientip" pod1 pod2 rpod1 rpod2
	sticky "$NS_EXT" tcp 6 "before the change"
	x=$REPLY
	nodeadm edit-service -t "$SVC" --affinity ClientIP --affinity-timeout 600 ||
		fail "edit-service --affinity-timeout 600"
	svc_setting_is tcp "affinity: clientip timeout 600"
	aff tcp
	assert_eq "${AFF[ext]:-}" "$x" "entry of ext after changing the timeout"
	sticky "$NS_EXT" tcp 6 "after the timeout change"
	assert_eq "$REPLY" "$x" "backend of ext after the timeout change"
	aff tcp
	((AFF_EXP[ext] > 590 && AFF_EXP[ext] <= 600)) ||
		fail "entry renewed with the new timeout: expires in ${AFF_EXP[ext]} s, want 590..600"
	info "timeout 10800 -> 600: ext stays on $x, entry renewed to ${AFF_EXP[ext]} s"

	nodeadm edit-service -t "$SVC" || fail "edit-service (affinity off)"
	aff tcp
	assert_eq "$AFF_N" 0 "entries with affinity off"
	conns "$NS_EXT" tcp 12
	[[ $REPLY == *,* ]] || fail "affinity off: 12 connections from ext all went to $REPLY"
	nodeadm edit-service -t "$SVC" --affinity clientip || fail "edit-service (affinity on)"
	aff tcp
	assert_eq "$AFF_N" 0 "entries right after turning affinity on again"
	# the UDP service was not touched
	aff udp
	assert_eq "$AFF_N" 0 "entries of the UDP service (no connection yet)"
	info "affinity off: entries gone, connections spread; on again: empty"
}

# ------------------------------------------------------ other changes

# Entries live on the service, not on one configuration: other services
# coming and going, a weight change of another backend and a set-backends
# that keeps the entry's backend leave them in place and in use.
aff_other_changes() {
	local x b lines flags

	sem_reset
	aprogram "tcp" "" "--affinity clientip" pod1 pod2 rpod1 rpod2
	sticky "$NS_EXT" tcp 6 "before the changes"
	x=$REPLY
	lines="add-service -t 10.96.0.11:$VPORT${NL}add-backend -t 10.96.0.11:$VPORT -r $POD1_IP:$BE_PORT"
	nodeadm apply -f - <<<"$lines" || fail "another service"
	nodeadm del-service -t "10.96.0.11:$VPORT" || fail "del-service"
	for b in pod1 pod2 rpod1 rpod2; do
		[ "$b" = "$x" ] && continue
		addr_of "$b"
		flags=()
		[[ $b != pod* ]] || flags=(--local)
		nodeadm edit-backend -t "$SVC" -r "$REPLY:$BE_PORT" -w 2 "${flags[@]}" ||
			fail "edit-backend $b -w 2"
		break
	done
	nodeadm set-backends -t "$SVC" -r "$POD1_IP:$BE_PORT" -r "$POD2_IP:$BE_PORT" \
		-r "$RPOD1_IP:$BE_PORT" -r "$RPOD2_IP:$BE_PORT" || fail "set-backends"
	aff tcp
	assert_eq "${AFF[ext]:-}" "$x" "entry of ext after 4 other changes"
	sticky "$NS_EXT" tcp 6 "after the changes"
	assert_eq "$REPLY" "$x" "backend of ext after the changes"
	info "another service added and deleted, $b's weight changed, set-backends keeping $x: ext stays on $x"
}

# ------------------------------------------------------------ errors

aff_refused() {
	sem_reset
	aprogram "tcp" "" "--affinity clientip" pod1
	expect_refused "timeout 0" add-service -u "$SVC" --affinity clientip --affinity-timeout 0
	expect_refused "timeout 86401" add-service -u "$SVC" --affinity clientip --affinity-timeout 86401
	expect_refused "timeout without clientip" add-service -u "$SVC" --affinity-timeout 60
	expect_refused "timeout with affinity none" edit-service -t "$SVC" --affinity none --affinity-timeout 60
	expect_refused "unknown affinity" edit-service -t "$SVC" --affinity sourceip
	expect_refused "timeout 86401 (edit)" edit-service -t "$SVC" --affinity clientip --affinity-timeout 86401
	nodeadm edit-service -t "$SVC" --affinity clientip --affinity-timeout 86400 ||
		fail "timeout 86400 refused"
	nodeadm edit-service -t "$SVC" --affinity clientip --affinity-timeout 1 ||
		fail "timeout 1 refused"
	svc_setting_is tcp "affinity: clientip timeout 1"
}

test_init
require_cmd "$SVCADM"
sem_topo_setup sctp
add_client_pod
have_ipv6 || true	# probed once, for every case

ktap_plan 11
run_case "clientip: tcp/udp connections of a client stick, two clients apart; spread without" aff_sticks "tcp udp"
run_case "clientip: timeout renewed by each connection, entry expires, new choice" aff_timeout
run_case "clientip: deleted or not-ready backend: entry forgotten, client moves" aff_backend_removed
run_case "clientip: entry not used where its backend is no candidate (ETP Local)" aff_not_usable
run_case "clientip: timeout change keeps entries, off clears them" aff_change
run_case "clientip: bad timeouts refused, nothing changed" aff_refused
run_case "clientip: sctp connections stick" aff_sticks sctp
run_case "ipv6 clientip: tcp/udp connections stick" aff_sticks "tcp udp" 6
run_case "ipv6 clientip: sctp connections stick" aff_sticks sctp 6
run_case "ipv6 clientip: deleted backend forgotten" aff_backend_removed 6
run_case "clientip: entries survive other services' changes" aff_other_changes
ktap_done
