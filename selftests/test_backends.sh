#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Backend changes: a deleted backend and a weight-0 backend get no new
# connections while the TCP connections already established to them keep
# working and their UDP flows move to a remaining backend at once (rule 19:
# the conntrack entries go); weights bias the choice; set-backends under a
# continuous stream of new connections never sends one outside the old or
# the new set.
#
#   +----------+        +--------------------+           +-----------------+
#   | cl       |  veth  | node               |   br0     | b1 10.0.2.11    |
#   | 10.0.1.2 +--------+ 10.0.1.1  10.0.2.1 +-----+-----+ b2 10.0.2.12    |
#   +----------+        | ip_forward=1       |           | b3 10.0.2.13    |
#   10.96.0.0/12        | svcnat:            |           | svcnat-backend  |
#     via 10.0.1.1      | 10.96.0.10:8081 -> |           | tcp+udp :80     |
#                       |   b1,b2,b3 :80     |           +-----------------+
#                       +--------------------+
#
# "Established" connections are held open by one svcnat-client -L process
# (one TCP connection and one UDP flow per backend); data is exchanged on
# every one of them after each change.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib.sh"

SVC=$VIP:$VPORT

# All three backends, weight 1, for TCP and UDP.
reset_backends() {
	nodeadm apply -f - <<-EOF
	set-backends -t $SVC -r $B1_IP:$TPORT -r $B2_IP:$TPORT -r $B3_IP:$TPORT
	set-backends -u $SVC -r $B1_IP:$TPORT -r $B2_IP:$TPORT -r $B3_IP:$TPORT
	EOF
}

# held_to ID: the long-lived client holds a TCP and a UDP flow to ID.
held_to() {
	assert_match "$LL_HELD" "held [0-9]+ tcp $1 " "held TCP connection to $1"
	assert_match "$LL_HELD" "held [0-9]+ udp $1 " "held UDP flow to $1"
}

# exchange_udp_moved GONE: exchange on the held connections; every one
# works except the UDP flow to GONE, whose datagram reached another backend.
exchange_udp_moved() {
	local gone=$1 line res=

	echo x >&"${LL[1]}"
	while read -r -t 30 -u "$LL_OUT" line; do
		case $line in
		done*) break ;;
		*) res+="$line"$'\n' ;;
		esac
	done
	[[ $line == "done ok 5 fail 1" ]] ||
		fail "exchange after the change: ${line:-no answer}"$'\n'"$res"
	assert_match "$res" "xchg [0-9]+ tcp $gone ok" "TCP connection to $gone kept"
	assert_match "$res" "xchg [0-9]+ udp $gone fail backend changed from $gone to b[0-9]" \
		"UDP flow to $gone moved"
	assert_no_match "$res" "changed from $gone to $gone" "UDP flow left $gone"
	info "after the change, held connections: $(tr '\n' ' ' <<<"$res")"
}

# change_keeps_established GONE CHANGE: hold connections to every backend,
# apply CHANGE (svcadm apply lines that take backend GONE out of service for
# new connections), then check that new connections avoid GONE, that the
# held TCP connections, GONE's included, all still work, and that the UDP
# flow to GONE was moved.
change_keeps_established() {
	local gone=$1 change=$2 out rest=() fd rc=0

	reset_backends
	ll_start -t -u -D 3 "$SVC"
	held_to "$gone"
	ll_exchange
	nodeadm apply -f - <<<"$change"
	for b in b1 b2 b3; do
		[ "$b" = "$gone" ] || rest+=("$b")
	done
	out=$(client -t -u -c 30 -P 3 "$SVC") || true
	check_spread "$out" tcp 30 "${rest[@]}"
	check_spread "$out" udp 30 "${rest[@]}"
	exchange_udp_moved "$gone"
	# the client's status counts the moved flow as one failed exchange
	fd=${LL[1]}
	exec {fd}>&-
	wait "$LL_PROC" || rc=$?
	[ "$rc" = 1 ] || fail "long-lived client exited with $rc, not 1 (one moved UDP flow)"
}

del_backend() {
	local out

	change_keeps_established b2 "del-backend -t $SVC -r $B2_IP:$TPORT
del-backend -u $SVC -r $B2_IP:$TPORT"
	# once back, it gets new connections again
	nodeadm add-backend -t "$SVC" -r "$B2_IP:$TPORT"
	out=$(client -t -c 45 -P 3 "$SVC") || true
	check_spread "$out" tcp 45 b1 b2 b3
}

weight_zero() {
	change_keeps_established b3 "edit-backend -t $SVC -r $B3_IP:$TPORT -w 0
edit-backend -u $SVC -r $B3_IP:$TPORT -w 0"
	assert_match "$(nodeadm list -n -t "$SVC")" "-> +$B3_IP:$TPORT +0 " "list shows weight 0"
}

# 4:1 weights: b1 gets more new connections than b2 (p < 1e-8 otherwise).
weights() {
	local out n1 n2

	nodeadm set-backends -t "$SVC" -r "$B1_IP:$TPORT@4" -r "$B2_IP:$TPORT@1"
	out=$(client -t -c 60 -P 3 "$SVC") || true
	check_spread "$out" tcp 60 b1 b2
	n1=${COUNT[tcp:b1]} n2=${COUNT[tcp:b2]}
	((n1 > n2)) || fail "weights 4:1 gave b1=$n1 b2=$n2"
}

# Swap the backend set again and again while one client keeps opening
# connections (TCP and UDP, 4 in flight, 200/s). Each connection records
# when it started (t0) and ended (t1); each swap records when svcadm started
# and returned. A connection may have been sent to any backend of a set that
# was (or might have been) in force at some moment in [t0, t1]: the set
# before a swap is in force until svcadm returns, the new one from the
# moment it starts. Anything else is a backend outside old and new.
SETS=("b1" "b2 b3" "b3" "b1 b2" "b2" "b1 b3" "b1" "b2 b3" "b1 b2 b3")
set_backends_under_load() {
	local log=$SVCNAT_TMP/stream swaps=$SVCNAT_TMP/swaps set args b proto t0 report

	reset_backends
	: >"$swaps"
	spawn "$SVCNAT_CLIENT" -n "$NS_CL" -t -u -P 4 -r 200 -T 120 -w 3000 -v "$SVC" >"$log"
	wait_file_lines "$log" ' ok$' 20 20 || fail "the client stream does not get going"
	for set in "${SETS[@]}"; do
		for proto in t u; do
			args=()
			for b in $set; do
				args+=(-r "10.0.2.1${b#b}:$TPORT")
			done
			t0=$EPOCHREALTIME
			nodeadm set-backends "-$proto" "$SVC" "${args[@]}"
			echo "swap ${proto/t/tcp} $t0 $EPOCHREALTIME $set" >>"$swaps"
		done
		nap 0.4
	done
	stop_pid "$BG_PID"
	report=$(awk -f - "$swaps" "$log" <<-'AWK'
	# initial set, in force until the first swap of each protocol returns
	BEGIN { n["tcp"] = n["udp"] = 0 }
	FNR == NR {
		p = ($2 == "u") ? "udp" : $2
		k = ++n[p]
		start[p, k] = $3; end[p, k] = $4
		set[p, k] = " " substr($0, index($0, $5)) " "
		next
	}
	$1 != "conn" { next }
	{
		p = $3; id = $4; t0 = $6; t1 = $7
		total[p]++
		if ($8 != "ok") { failed++; print "failed: " $0; next }
		# union of the sets possibly in force during [t0, t1]
		allowed = " b1 b2 b3 "; nsets = 1
		if (n[p] > 0) {
			allowed = ""; nsets = 0
			for (k = 0; k <= n[p]; k++) {
				from = (k == 0) ? 0 : start[p, k]
				to = (k == n[p]) ? 1e12 : end[p, k + 1]
				if (from <= t1 && t0 <= to) {
					allowed = allowed ((k == 0) ? " b1 b2 b3 " : set[p, k])
					nsets++
				}
			}
		}
		if (index(allowed, " " id " ") == 0) {
			bad++
			print "outside old+new: " $0 " allowed:" allowed \
				((p SUBSEP $5) in seen ? " (source port used before)" : "")
		}
		seen[p, $5] = 1
		# connections that fell entirely inside one set smaller than all
		if (nsets == 1 && allowed != " b1 b2 b3 ") narrow[p]++
	}
	END {
		printf "connections tcp=%d udp=%d, inside one narrowed set: tcp=%d udp=%d, failed=%d, outside=%d\n",
			total["tcp"], total["udp"], narrow["tcp"], narrow["udp"], failed, bad
		if (failed || bad || narrow["tcp"] < 20 || narrow["udp"] < 20) exit 1
	}
	AWK
	) || fail "set-backends under load:"$'\n'"$report"
	info "$report"
}

test_init
require_cmd "$SVCADM" awk
seed_setup

ktap_plan 4
run_case "deleted backend: no new conns, its TCP conns keep working, its UDP flow moves" del_backend
run_case "weight-0 backend: no new conns, its TCP conns keep working, its UDP flow moves" weight_zero
run_case "weights 4:1 bias new connections" weights
run_case "set-backends under continuous new conns: never outside old+new set" set_backends_under_load
ktap_done
