#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo-guest.sh: the guest half of `make demo`, run as root inside the VM
# (scripts/demo boots it) with SVCNAT_KO and SVCADM set.
#
# Builds the selftests' topology, loads svcnat, programs the seed's
# ClusterIP service (TCP 10.96.0.10:8081 -> three backends on port 80,
# name default/my-debian:http) with svcadm in the node namespace, sends a
# dozen requests from the client and shows which backend answered each.
#
#   client 10.0.1.2 --- node 10.0.1.1 | 10.0.2.1 (svcnat) --- b1 10.0.2.11
#                                                         +-- b2 10.0.2.12
#                                                         +-- b3 10.0.2.13
# shellcheck disable=SC2119 # lib.sh functions with optional arguments
set -eu
. "$(dirname "$0")/../selftests/lib.sh"

REQUESTS=${DEMO_REQUESTS:-12}

say() { printf '%s\n' "$*"; }

# run_svcadm ARGS...: show the command, then run it in the node namespace.
run_svcadm() {
	say "  node# svcadm $*"
	nodeadm "$@"
}

test_init
[ -x "$SVCADM" ] || skip "svcadm not found at '$SVCADM'"

say "== svcnat demo on Linux $(uname -r)"
say
say "Topology (network namespaces joined by veth pairs and a bridge):"
say "  client $CL_IP  -->  node $NODE_CL_IP | $NODE_BE_IP (svcnat)  -->  b1 $B1_IP, b2 $B2_IP, b3 $B3_IP"
say "  The client routes the service range 10.96.0.0/12 via the node;"
say "  each backend runs a small server on port $TPORT that answers"
say "  '<its name> <the address it saw>' and echoes what it gets."
topo_setup
backends_start
say
say "Loading svcnat.ko ($SVCNAT_KO)"
svcnat_load
say
say "Programming the ClusterIP service in the node namespace:"
run_svcadm add-service -t "$VIP:$VPORT" --name "$SVC_NAME"
for ip in "$B1_IP" "$B2_IP" "$B3_IP"; do
	run_svcadm add-backend -t "$VIP:$VPORT" -r "$ip:$TPORT"
done
say
say "  node# svcadm list"
nodeadm list | sed 's/^/  /'
say
say "Sending $REQUESTS requests from the client to $VIP:$VPORT (one TCP connection each):"
out=$(client -t -v -c "$REQUESTS" -s 32 "$VIP:$VPORT") || true
declare -A ip_of=([b1]=$B1_IP [b2]=$B2_IP [b3]=$B3_IP) tally=()
ok=0
while read -r kw idx _proto id seen _t0 _t1 result rest; do
	[ "$kw" = conn ] || continue
	if [ "$result" = ok ]; then
		ok=$((ok + 1))
		tally[$id]=$((${tally[$id]:-0} + 1))
		printf '  request %2d: answered by %s (%s:%s), which saw the client as %s\n' \
			$((idx + 1)) "$id" "${ip_of[$id]:-?}" "$TPORT" "$seen"
	else
		printf '  request %2d: FAILED: %s\n' $((idx + 1)) "$rest"
	fi
done <<<"$out"
say
say "Per backend (each reply also echoed the request's 32 bytes intact):"
for id in b1 b2 b3; do
	n=${tally[$id]:-0}
	bar=$(printf '%*s' "$n" '' | tr ' ' '#')
	printf '  %s %-11s %2d  %s\n' "$id" "${ip_of[$id]}:$TPORT" "$n" "$bar"
done
say
if [ "$ok" -eq "$REQUESTS" ] && [ ${#tally[@]} -eq 3 ]; then
	say "All $REQUESTS requests answered, spread over all three backends."
elif [ "$ok" -eq "$REQUESTS" ]; then
	say "All $REQUESTS requests answered (by ${#tally[@]} of the 3 backends this time: the choice is random)."
else
	say "Only $ok of $REQUESTS requests were answered."
	exit 1
fi
