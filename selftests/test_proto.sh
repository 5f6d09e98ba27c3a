#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# UDP and SCTP services (IPv4): every service feature that the TCP tests
# cover once per protocol, with real datagrams and real SCTP associations:
# the cluster IP spread over the backends, masquerade by origin and
# masqueradeAll, NodePort with externalTrafficPolicy Cluster and Local,
# external and LB IPs with source ranges, ICMP port unreachable when a
# service has no endpoints and for unknown ports, internalTrafficPolicy
# Local, hairpin, and one address:port that is three services, one per
# protocol.
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#                         svcnat, dummy0 192.168.77.1/32      br 10.244.2.1/24
#                         br-pod 10.244.1.1/24                 |-- rpod1 10.244.2.11
#                           |-- pod1 10.244.1.11  (local)      `-- rpod2 10.244.2.12
#                           |-- pod2 10.244.1.12  (local)      (remote backends)
#                           `-- pod3 10.244.1.13  (client only, no backend)
#
#   node: 10.96.0.0/12 and 198.51.100.0/24 dev dummy0 (what svcnat leaves
#   alone to a cluster, external or LB IP vanishes there).
#
# The services: cluster IP 10.96.0.10:8081, UDP and/or SCTP (svcadm -u,
# --sctp), as each case needs NodePort 30080, external IP 198.51.100.20,
# LB IP 198.51.100.10; backends port 80 of pod1, pod2 (--local), rpod1,
# rpod2, which serve TCP, UDP and SCTP (svcnat-backend -S; the test loads
# the sctp module, and is skipped without it).
#
# Every connection is a real exchange (a datagram and its echo, an SCTP
# association with one message each way) and tells which backend answered
# and which source it saw: "own" (the client's address) or "masq" (a node
# address). A reject is an ICMP port unreachable seen by the client (for
# SCTP, read from a raw ICMP socket: SCTP does not queue ICMP errors); a
# drop is no answer at all. TCP is covered by test_sem_*.sh; here it only
# shows that the protocols are separate services.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_topo.sh"

NP=30080			# NodePort
EIP=198.51.100.20		# external IP
LBIP=198.51.100.10		# load-balancer IP
UNALLOC=10.96.0.99		# a service-CIDR address with no service
PROTOS="udp sctp"

# ------------------------------------------------------------- helpers

# services PROTOS OPTS [IDS]: replace all services with the service $SVC
# of each of PROTOS (e.g. "udp sctp"), frontend and policy options OPTS,
# backends IDS (default all four, "" none), in one svcadm apply.
services() {
	local protos=$1 opts=$2 bes p

	read -ra bes <<<"${3-pod1 pod2 rpod1 rpod2}"
	{
		echo flush
		for p in $protos; do
			svc "${p:0:1}" "$SVC" "$opts" "${bes[@]}"
		done
	} | nodeadm apply -f - || fail "cannot program $protos $SVC: $opts / ${bes[*]}"
}

# conns NS IDS SRC DST...: sem_conns over every protocol of $PROTOS.
conns() {
	sem_conns "$1" "$2" "$3" "$PROTOS" "${@:4}"
}

# dropped NS DST...: sem_dropped over every protocol of $PROTOS.
dropped() {
	sem_dropped "$1" "$PROTOS" "${@:2}"
}

# counters KEY MIN [MAX]: counter KEY of the UDP and the SCTP service.
counters() {
	local p

	for p in $PROTOS; do
		stats_ge "$p" "$SVC" "$@"
	done
}

# ------------------------------------------------------------- cases

# The cluster IP spreads UDP flows and SCTP associations over all the
# backends, local and remote; pods keep their address, the node and an
# external client are masqueraded. TCP to the same address and port is no
# service (left alone, it vanishes into dummy0).
cluster_ip() {
	local n

	services "$PROTOS" ""
	bg_run conns "$NS_POD3" "$ALL" own "$SVC"
	bg_run conns "$NS_EXT" "$ALL" masq "$SVC"
	bg_run conns "$NS_NODE" "$ALL" masq "$SVC"
	bg_run expect_drop "$NS_EXT" tcp "$SVC" "TCP, no such service"
	bg_wait
	hit_count "$ALL"
	n=$REPLY
	counters conns $((3 * n)) $((3 * n))
	counters masqueraded $((2 * n)) $((2 * n))
}

# masqueradeAll masquerades pods too (rule 7); the backends see the node's
# address on their side of it.
masquerade_all() {
	services "$PROTOS" "" "pod1 rpod1"
	nodeadm set-config --masquerade-all on
	conns "$NS_POD3" pod1,rpod1 masq "$SVC"
	probe "$NS_POD3" udp "$SVC" 24 >/dev/null
	assert_eq "$PROBE_PAIRS" "pod1/masq,rpod1/masq" "which backend saw what"
	[[ $PROBE_OUT == *" pod1 $NODE_POD_IP:"* && $PROBE_OUT == *" rpod1 $NODE_RN_IP:"* ]] ||
		fail "masqueradeAll: pod1 should see $NODE_POD_IP, rpod1 $NODE_RN_IP:$NL$PROBE_OUT"
	info "pod1 saw $NODE_POD_IP, rpod1 saw $NODE_RN_IP"
}

# NodePort with externalTrafficPolicy Cluster: every node address, all the
# backends, masqueraded; the port next to it is no service (the node's own
# socket answers). Then eTP Local: an external client gets the local
# endpoints with its address kept, a pod still the whole set; without
# local endpoint the external client is dropped (and counted) while pods
# get the remote ones.
nodeport() {
	node_listen $((NP + 1))
	services "$PROTOS" "--node-port $NP"
	bg_run conns "$NS_EXT" "$ALL" masq "$NODE_IP:$NP" "$NODE_IP2:$NP"
	bg_run conns "$NS_POD3" "$ALL" masq "$NODE_POD_IP:$NP"
	bg_run conns "$NS_EXT" node own "$NODE_IP:$((NP + 1))"
	bg_wait
	services "$PROTOS" "--node-port $NP --external-policy local"
	bg_run conns "$NS_EXT" "$LOCALS" own "$NODE_IP:$NP"
	bg_run conns "$NS_POD3" "$ALL" own "$NODE_IP:$NP"
	bg_wait
	services "$PROTOS" "--node-port $NP --external-policy local" "rpod1 rpod2"
	bg_run dropped "$NS_EXT" "$NODE_IP:$NP" "$NODE_IP2:$NP"
	bg_run conns "$NS_POD3" "$REMOTES" own "$NODE_IP:$NP"
	bg_wait
	counters dropped-no-local 2
	counters rejected-no-endpoints 0 0
}

# External IP and LB IP with a source range: a source inside gets all the
# backends on the LB IP, masqueraded (eTP Cluster); a pod and the node,
# outside the range, are dropped there (and counted); the external IP
# ignores the ranges. No range: everyone is served on the LB IP.
external_lb_ranges() {
	services "$PROTOS" "--external-ip $EIP --lb-ip $LBIP --source-range 10.0.1.0/24"
	bg_run conns "$NS_EXT" "$ALL" masq "$LBIP:$VPORT" "$EIP:$VPORT"
	bg_run dropped "$NS_POD3" "$LBIP:$VPORT"
	bg_run dropped "$NS_NODE" "$LBIP:$VPORT"
	bg_run conns "$NS_POD3" "$ALL" masq "$EIP:$VPORT"
	bg_wait
	counters dropped-source-range 2
	services "$PROTOS" "--external-ip $EIP --lb-ip $LBIP"
	conns "$NS_POD3" "$ALL" masq "$LBIP:$VPORT"
}

# No endpoint at all: ICMP port unreachable on the cluster IP, the
# NodePort and the external IP, from a pod, the node and outside; the
# NodePort is not left to the node's own socket listening on it. Counted
# once per connection (at most twice: a UDP retransmission). Once a backend
# exists, every frontend answers.
no_endpoints() {
	node_listen "$NP"
	services "$PROTOS" "--node-port $NP --external-ip $EIP" ""
	bg_run expect_reject "$NS_POD3 $NS_EXT $NS_NODE" "$PROTOS" "$SVC" "cluster IP"
	bg_run expect_reject "$NS_POD3 $NS_EXT" "$PROTOS" "$NODE_IP:$NP" "NodePort"
	bg_run expect_reject "$NS_EXT $NS_NODE" "$PROTOS" "$EIP:$VPORT" "external IP"
	bg_wait
	counters rejected-no-endpoints 7 14
	counters conns 0 0
	nodeadm apply -f - <<-EOF
	$(be_lines "u s" "$SVC" rpod2)
	EOF
	conns "$NS_EXT" rpod2 masq "$SVC" "$NODE_IP:$NP" "$EIP:$VPORT"
}

# internalTrafficPolicy Local: the cluster IP uses the local endpoint only,
# from every origin, while the NodePort keeps the whole set; without local
# endpoint the cluster IP drops (counted) and the NodePort still serves.
itp_local() {
	services "$PROTOS" "--node-port $NP --internal-policy local" "pod1 rpod1"
	bg_run conns "$NS_POD3" pod1 own "$SVC"
	bg_run conns "$NS_EXT" pod1 masq "$SVC"
	bg_run conns "$NS_NODE" pod1 masq "$SVC"
	bg_run conns "$NS_EXT" pod1,rpod1 masq "$NODE_IP:$NP"
	bg_wait
	services "$PROTOS" "--node-port $NP --internal-policy local" "rpod1"
	bg_run dropped "$NS_POD3" "$SVC"
	bg_run dropped "$NS_EXT" "$SVC"
	bg_run conns "$NS_EXT" rpod1 masq "$NODE_IP:$NP"
	bg_wait
	counters dropped-no-local 2
	counters rejected-no-endpoints 0 0
}

# Hairpin: a pod reaching itself through its service is masqueraded (the
# answer must come back through the node), another pod is not.
hairpin() {
	services "$PROTOS" "" "pod1"
	bg_run conns "$NS_POD1" pod1 masq "$SVC"
	bg_run conns "$NS_POD2" pod1 own "$SVC"
	bg_wait
	hit_count pod1
	counters masqueraded "$REPLY" "$REPLY"
}

# Unknown port or protocol on a cluster IP. A TCP-only service: by
# default UDP and SCTP to its port, and to another port, are left alone
# (they vanish into dummy0, nothing answers, nothing is counted); with
# --unknown-port reject they get ICMP port unreachable, counted in the
# node's rejected-unknown-port; an address that is no cluster IP is still
# left alone, and the TCP service keeps working.
unknown_port() {
	local tx0 rej0 n

	{
		echo flush
		svc t "$SVC" "" pod1
	} | nodeadm apply -f -
	node_stats
	rej0=${STATS[rejected-unknown-port]}
	dummy_tx
	tx0=$REPLY
	dropped "$NS_EXT" "$SVC" "$VIP:8082"
	dummy_tx
	((REPLY >= tx0 + 4)) || fail "left alone: $((REPLY - tx0)) packets went on to dummy0, want >= 4"
	node_stats
	assert_eq "${STATS[rejected-unknown-port]}" "$rej0" "rejected-unknown-port with accept"

	nodeadm set-config --unknown-port reject
	bg_run expect_reject "$NS_EXT $NS_POD3 $NS_NODE" "$PROTOS" "$SVC" "unknown protocol"
	bg_run expect_reject "$NS_EXT $NS_POD3" "$PROTOS" "$VIP:8082" "unknown port"
	bg_run dropped "$NS_EXT" "$UNALLOC:$VPORT"
	bg_run expect_conn "$NS_EXT" tcp "$SVC" 2 pod1 masq "the TCP service"
	bg_wait
	node_stats
	n=$((STATS[rejected-unknown-port] - rej0))
	((n >= 10 && n <= 20)) || fail "rejected-unknown-port: +$n, want +10..20"
	info "node counters: rejected-unknown-port +$n"
}

# One address and port, three services: TCP -> pod1, UDP -> pod2, SCTP ->
# rpod1; each protocol reaches its own backend only. Deleting the SCTP
# service leaves the other two alone, and SCTP then is no service.
three_protocols() {
	nodeadm apply -f - <<-EOF
	flush
	$(svc t "$SVC" "" pod1)
	$(svc u "$SVC" "" pod2)
	$(svc s "$SVC" "" rpod1)
	EOF
	bg_run expect_conn "$NS_EXT" tcp "$SVC" 4 pod1 masq
	bg_run expect_conn "$NS_EXT" udp "$SVC" 4 pod2 masq
	bg_run expect_conn "$NS_EXT" sctp "$SVC" 4 rpod1 masq
	bg_run expect_conn "$NS_POD3" sctp "$SVC" 4 rpod1 own
	bg_wait
	nodeadm del-service --sctp "$SVC"
	bg_run expect_drop "$NS_EXT" sctp "$SVC" "SCTP service deleted"
	bg_run expect_conn "$NS_EXT" tcp "$SVC" 4 pod1 masq "TCP after the SCTP service went"
	bg_run expect_conn "$NS_EXT" udp "$SVC" 4 pod2 masq "UDP after the SCTP service went"
	bg_wait
}

test_init
require_cmd "$SVCADM"
sem_topo_setup sctp
add_client_pod

CASES=(
	"udp+sctp: cluster IP spread over all backends; pods own, node and ext masqueraded" cluster_ip
	"udp+sctp: masqueradeAll: pods masqueraded to the node's address" masquerade_all
	"udp+sctp: NodePort on node addresses; eTP Local: local set, address kept, drop" nodeport
	"udp+sctp: external IP, LB IP with source ranges: outside dropped, extIP ignores" external_lb_ranges
	"udp+sctp: no endpoints: ICMP port unreachable on every frontend, then served" no_endpoints
	"udp+sctp: iTP Local: local set, drop without local endpoint, NodePort unaffected" itp_local
	"udp+sctp: hairpin masqueraded, another pod not" hairpin
	"udp+sctp: unknown port/protocol: left alone, or ICMP reject" unknown_port
	"tcp+udp+sctp: one address:port, three services with their own backends" three_protocols
)

sem_run_cases PROTO_CASES sem_fresh
