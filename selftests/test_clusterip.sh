#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ClusterIP forwarding end to end: TCP and UDP to a cluster IP reach a
# backend, the replies come back with the exact bytes, new connections are
# spread over all backends, the node's own traffic works, and what is not a
# service is left alone.
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
# Service: TCP and UDP 10.96.0.10:8081 (name default/my-debian:http), three
# backends on port 80, programmed with svcadm in the node namespace.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib.sh"

# Topology sanity, independent of svcnat: the node reaches every backend.
backends_direct() {
	local out

	out=$("$SVCNAT_CLIENT" -n "$NS_NODE" -t -u -S -c 3 \
		"$B1_IP:$TPORT" "$B2_IP:$TPORT" "$B3_IP:$TPORT") || true
	check_spread "$out" tcp 3 b1 b2 b3
	check_spread "$out" udp 3 b1 b2 b3
}

service_listed() {
	local out

	out=$(nodeadm list -n)
	info "$out"
	assert_match "$out" "TCP +$VIP:$VPORT +$SVC_NAME" "list shows the TCP service"
	assert_match "$out" "UDP +$VIP:$VPORT" "list shows the UDP service"
	for ip in "$B1_IP" "$B2_IP" "$B3_IP"; do
		assert_match "$out" "-> +$ip:$TPORT +1 +ready,serving" "list shows backend $ip"
	done
}

# 45 connections per protocol, 3 at a time, 1000 random bytes each: all
# answered by b1, b2 or b3, each of them used, the echo intact, and the
# backend saw the client's own address (no SNAT).
spread() {
	local proto=$1 out

	out=$(client "-${proto:0:1}" -S -c 45 -P 3 -s 1000 "$VIP:$VPORT") || true
	check_spread "$out" "$proto" 45 b1 b2 b3
}

big_transfer() {
	local out

	out=$(client -t -c 2 -s 300000 "$VIP:$VPORT") || true
	parse_client_output "$out"
	assert_eq "${OK[tcp]:-0}/${FAILED[tcp]:-?}" 2/0 "300 KB TCP echoes (ok/failed)"
	out=$(client -u -c 4 -s 60000 "$VIP:$VPORT") || true
	parse_client_output "$out"
	assert_eq "${OK[udp]:-0}/${FAILED[udp]:-?}" 4/0 "60 KB UDP datagram echoes (ok/failed)"
}

# The node itself (LOCAL_OUT): its default route gives 10.96.0.10 a route,
# svcnat rewrites the destination, the backend answers the node's address.
from_node() {
	local out

	out=$("$SVCNAT_CLIENT" -n "$NS_NODE" -t -u -S -c 45 -P 3 "$VIP:$VPORT") || true
	check_spread "$out" tcp 45 b1 b2 b3
	check_spread "$out" udp 45 b1 b2 b3
}

# Other ports of the cluster IP, and UDP to a TCP-only service, are not
# services: nothing answers (the packets go out the node's default route,
# back to the client, which drops them).
not_a_service() {
	local out

	nodeadm add-service -t "10.96.0.11:$VPORT"
	nodeadm add-backend -t "10.96.0.11:$VPORT" -r "$B1_IP:$TPORT"
	if out=$(client -t -u -c 1 -P 2 -w 1000 "$VIP:8082"); then
		fail "port 8082 answered: $out"
	fi
	parse_client_output "$out"
	assert_eq "${FAILED[tcp]:-0}/${FAILED[udp]:-0}" 1/1 "failed tcp/udp to $VIP:8082"
	if out=$(client -u -c 1 -w 1000 "10.96.0.11:$VPORT"); then
		fail "UDP to the TCP-only service answered: $out"
	fi
	out=$(client -t -c 3 "10.96.0.11:$VPORT") || true
	check_spread "$out" tcp 3 b1
	nodeadm del-service -t "10.96.0.11:$VPORT"
}

test_init
require_cmd "$SVCADM"
seed_setup

ktap_plan 7
run_case "backends answer the node directly (topology check)" backends_direct
run_case "svcadm list shows the seed services" service_listed
run_case "TCP to the cluster IP: 45 conns over b1,b2,b3, bytes echoed, source kept" spread tcp
run_case "UDP to the cluster IP: 45 flows over b1,b2,b3, bytes echoed, source kept" spread udp
run_case "large payloads through the service come back intact" big_transfer
run_case "traffic from the node's own namespace reaches the service" from_node
run_case "other ports and protocols on a cluster IP are left alone" not_a_service
ktap_done
