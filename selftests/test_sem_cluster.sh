#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Service semantics, cluster side (../shared/service-semantics.md rules 1-9
# and 18): endpoint sets and the terminating fallback, rejects when nothing
# is usable, unknown ports and unallocated addresses, cluster IP traffic and
# its masquerade rule, internalTrafficPolicy Local, hairpin, the masquerade
# mechanics (snat and mark modes) and the per-service and node counters.
# Real packets from all three origin classes: pods (on the node and on the
# remote node), the node itself, and an external client.
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#                         svcnat, dummy0 192.168.77.1         br-pod 10.244.2.1
#                         br-pod 10.244.1.1                    |-- rpod1 .2.11
#                           |-- pod1 10.244.1.11  (local)      `-- rpod2 .2.12
#                           `-- pod2 10.244.1.12  (local)
#
#   service 10.96.0.10:8081 (TCP and/or UDP), backends ID:80 in the pods,
#   pod1/pod2 with --local; NodePort 30080; external IP 198.51.100.10.
#   Cluster and external IPs not handled by svcnat vanish into dummy0.
#
# Every connection checks which backend answered and which source it saw:
# "own" (the client's address) or "masq" (a node address), see probe() in
# lib_topo.sh. Each case starts from sem_reset's state (no services,
# cluster CIDR 10.244.0.0/16, defaults) and programs its services with one
# svcadm apply.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_topo.sh"

SVC2=10.96.0.11:$VPORT
NPORT=30080
EIP=198.51.100.10
UNALLOC=10.96.0.99	# inside the service CIDR, no service

# node_config [OPTION [VALUE]]...: set-config with every option at its
# default (cluster CIDR 10.244.0.0/16) except those given, in one call.
node_config() {
	local -A val=([--cluster-cidr]=$CLUSTER_CIDR [--masquerade-all]=off
		[--masq-mark]=0x4000 [--masq-mode]=snat [--unknown-port]=accept
		[--unallocated]=accept)
	local args=(--no-nodeport-address) scidr=(--no-service-cidr) k

	while (($#)); do
		case $1 in
		--no-cluster-cidr)
			unset 'val[--cluster-cidr]'
			args+=(--no-cluster-cidr)
			shift
			;;
		--service-cidr)
			scidr=(--service-cidr "$2")
			shift 2
			;;
		*)
			val[$1]=$2
			shift 2
			;;
		esac
	done
	for k in "${!val[@]}"; do
		args+=("$k" "${val[$k]}")
	done
	nodeadm set-config "${args[@]}" "${scidr[@]}" || fail "set-config ${args[*]} ${scidr[*]}"
}

# services: replace all services with the apply lines on stdin.
services() {
	{
		echo flush
		cat
	} | nodeadm apply -f - || fail "svcadm apply"
}

# stats_eq PROTO ADDR:PORT KEY=N...: the service's counters.
stats_eq() {
	local proto=$1 addr=$2 kv got=

	shift 2
	svc_stats "$proto" "$addr"
	for kv; do
		got+=" ${kv%%=*}=${STATS[${kv%%=*}]:-?}"
	done
	assert_eq "${got# }" "$*" "counters of $proto $addr"
	info "counters of $proto $addr: $*"
}

# stats_rejected PROTO ADDR:PORT N: N connections were rejected, so
# rejected-no-endpoints counted N to 2N packets: when the ICMP error reaches
# a connecting TCP socket while connect() still holds its lock, TCP only
# notes a soft error and retransmits the SYN once, which is rejected too;
# under load the client may retransmit a UDP datagram (after 500 ms)
# before it has seen the ICMP error.
stats_rejected() {
	stats_ge "$1" "$2" rejected-no-endpoints "$3" "$(($3 * 2))"
}

# ------------------------------------------------------------ rules 1-3

# Rule 1 (cluster set = the ready endpoints) and rule 3: a serving and
# terminating endpoint is not used while some endpoint is ready, a not-ready
# one never; local and remote ready ones both are.
ready_set() {
	svc "t u" "$SVC" "" pod1 rpod1 pod2,--not-ready,--terminating rpod2,--not-ready |
		services
	expect_conn "$NS_POD2" tcp "$SVC" 16 pod1,rpod1 own
	expect_conn "$NS_POD2" udp "$SVC" 16 pod1,rpod1 own
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_EXT" udp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_NODE" tcp "$SVC" 16 pod1,rpod1 masq
}

# Rule 1 fallback: no endpoint ready anywhere -> the serving and terminating
# ones; never a terminating-not-serving one (rule 3), never a not-ready
# one that is not terminating. As soon as one endpoint is ready again, only
# the ready ones.
terminating_fallback() {
	svc "t u" "$SVC" "" pod1,--not-ready,--terminating rpod1,--not-ready,--terminating \
		pod2,--not-ready,--not-serving,--terminating rpod2,--not-ready | services
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_POD2" udp "$SVC" 16 pod1,rpod1 own
	expect_conn "$NS_NODE" udp "$SVC" 16 pod1,rpod1 masq
	nodeadm apply -f - <<-EOF
	edit-backend -t $SVC -r $RPOD2_IP:$BE_PORT
	edit-backend -u $SVC -r $RPOD2_IP:$BE_PORT
	EOF
	expect_conn "$NS_EXT" tcp "$SVC" 8 rpod2 masq "tcp: rpod2 ready again"
	expect_conn "$NS_POD2" udp "$SVC" 8 rpod2 own "udp: rpod2 ready again"
}

# Rules 3+4: endpoints exist, but none is usable (terminating and not
# serving; not ready and not terminating): ICMP port unreachable.
unusable_rejects() {
	svc "t u" "$SVC" "" pod1,--not-ready,--not-serving,--terminating rpod2,--not-ready |
		services
	expect_reject "$NS_POD2 $NS_EXT $NS_NODE $NS_RPOD1" "tcp udp" "$SVC"
	stats_rejected t "$SVC" 4
	stats_rejected u "$SVC" 4
	stats_eq t "$SVC" conns=0 masqueraded=0
}

# ---------------------------------------------------------------- rule 4

# No endpoint at all: TCP and UDP get ICMP port unreachable on every
# frontend (cluster IP, NodePort, external IP) from every origin. A "node"
# listener on the NodePort shows that the NodePort is not left alone.
# Once a backend exists, every frontend answers.
no_endpoints_reject() {
	svc "t u" "$SVC" "--node-port $NPORT --external-ip $EIP" | services
	node_listen "$NPORT"
	expect_reject "$NS_POD1 $NS_EXT $NS_NODE" "tcp udp" "$SVC" "cluster IP"
	expect_reject "$NS_POD1 $NS_EXT $NS_NODE" "tcp udp" "$NODE_IP:$NPORT" "NodePort"
	expect_reject "$NS_EXT $NS_RPOD1" "tcp udp" "$NODE_IP2:$NPORT" "NodePort"
	expect_reject "$NS_POD1 $NS_EXT $NS_NODE" "tcp udp" "$EIP:$VPORT" "external IP"
	stats_rejected t "$SVC" 11
	stats_rejected u "$SVC" 11
	stats_eq t "$SVC" conns=0 dropped-no-local=0
	stats_eq u "$SVC" conns=0 dropped-no-local=0
	nodeadm apply -f - <<-EOF
	add-backend -t $SVC -r $POD1_IP:$BE_PORT --local
	add-backend -u $SVC -r $POD1_IP:$BE_PORT --local
	EOF
	expect_conn "$NS_EXT" tcp "$SVC" 2 pod1 masq "cluster IP, with a backend"
	expect_conn "$NS_EXT" udp "$NODE_IP:$NPORT" 2 pod1 masq "NodePort, with a backend"
	expect_conn "$NS_EXT" tcp "$EIP:$VPORT" 2 pod1 masq "external IP, with a backend"
	stats_eq t "$SVC" conns=4 masqueraded=4
}

# ---------------------------------------------------------------- rule 5

# Unknown port or protocol on a cluster IP: left alone by default (it goes
# on to dummy0, nothing rejects it), ICMP port unreachable with
# --unknown-port reject, counted in the node's rejected-unknown-port. An
# address that is no cluster IP is not "unknown port"; the service's own
# port keeps working.
unknown_port() {
	local tx0 rej0 drop0 n

	svc t "$SVC" "" pod1 | services
	node_stats
	rej0=${STATS[rejected-unknown-port]}
	drop0=${STATS[dropped-unallocated]}
	dummy_tx
	tx0=$REPLY
	expect_drop "$NS_EXT $NS_POD2" "tcp udp" "$VIP:8082" "default (accept): left alone"
	expect_drop "$NS_EXT" udp "$SVC" "default: UDP to a TCP-only service, left alone"
	dummy_tx
	((REPLY >= tx0 + 5)) || fail "left alone: $((REPLY - tx0)) packets went on to dummy0, want >= 5"
	node_stats
	assert_eq "${STATS[rejected-unknown-port]}" "$rej0" "rejected-unknown-port with accept"

	node_config --unknown-port reject
	expect_reject "$NS_EXT $NS_POD2 $NS_NODE" "tcp udp" "$VIP:8082" "unknown-port reject"
	expect_reject "$NS_EXT $NS_RPOD1" udp "$SVC" "unknown-port reject, UDP to a TCP-only service"
	expect_drop "$NS_EXT" tcp "$UNALLOC:$VPORT" "unknown-port reject, not a cluster IP"
	expect_conn "$NS_POD2" tcp "$SVC" 2 pod1 own "unknown-port reject, the service port"
	# 8 connections, each one or two packets (see stats_rejected)
	node_stats
	n=$((STATS[rejected-unknown-port] - rej0))
	((n >= 8 && n <= 16)) || fail "rejected-unknown-port: +$n, want +8..16"
	assert_eq "${STATS[dropped-unallocated]}" "$drop0" "dropped-unallocated"
	info "node counters: rejected-unknown-port +$n"

	# "or protocol": a ping to the cluster IP is rejected too, as kube-proxy
	# nftables does; the same ping with accept is left alone (no answer).
	ping_vip
	assert_match "$REPLY" "Destination Port Unreachable" "ping to the cluster IP with reject"
	node_stats
	((STATS[rejected-unknown-port] > rej0 + n)) || fail "the ping was not counted in rejected-unknown-port"
	node_config --unknown-port accept
	ping_vip
	assert_no_match "$REPLY" "Unreachable|bytes from" "ping to the cluster IP with accept"
}

# ping_vip: one ICMP echo from ext to the cluster IP; REPLY = ping's output.
ping_vip() {
	REPLY=$(ip netns exec "$NS_EXT" ping -n -c 1 -W 1 "$VIP" 2>&1) || true
	info "$REPLY"
}

# Unallocated address of the service CIDR (no service's cluster IP): left
# alone by default, even with the service CIDR given; dropped (no ICMP) with
# --unallocated drop, counted in the node's dropped-unallocated. An
# allocated cluster IP (unknown port) and addresses outside the service CIDR
# are not affected.
unallocated() {
	local tx0 drop0 rej0 n

	svc "t u" "$SVC" "" pod1 | services
	node_config --service-cidr "$SERVICE_CIDR"
	node_stats
	drop0=${STATS[dropped-unallocated]}
	rej0=${STATS[rejected-unknown-port]}
	dummy_tx
	tx0=$REPLY
	expect_drop "$NS_EXT $NS_POD2" "tcp udp" "$UNALLOC:$VPORT" "unallocated accept: left alone"
	dummy_tx
	((REPLY >= tx0 + 4)) || fail "unallocated accept: $((REPLY - tx0)) packets went on to dummy0, want >= 4"

	node_config --service-cidr "$SERVICE_CIDR" --unallocated drop
	dummy_tx
	tx0=$REPLY
	expect_drop "$NS_EXT $NS_POD2 $NS_NODE" "tcp udp" "$UNALLOC:$VPORT" "unallocated drop"
	dummy_tx
	assert_eq "$((REPLY - tx0))" 0 "packets to $UNALLOC that went on to dummy0 with unallocated drop"
	node_stats
	n=${STATS[dropped-unallocated]}
	((n >= drop0 + 6)) || fail "dropped-unallocated: $n, want >= $((drop0 + 6))"
	assert_eq "${STATS[rejected-unknown-port]}" "$rej0" "rejected-unknown-port"
	info "node counters: dropped-unallocated $drop0 -> $n"

	# not unallocated: a cluster IP's unknown port, outside the CIDR
	expect_drop "$NS_EXT" "tcp udp" "$VIP:8082" "allocated IP, unknown port"
	expect_drop "$NS_EXT" "tcp udp" "198.51.100.99:$VPORT" "outside the service CIDR"
	dummy_tx
	((REPLY >= tx0 + 4)) || fail "allocated/outside: $((REPLY - tx0)) packets went on to dummy0, want >= 4"
	expect_conn "$NS_EXT" tcp "$SVC" 2 pod1 masq "unallocated drop, the service"
}

# ------------------------------------------------------------ rules 6, 7

# Rule 6: cluster IP traffic uses the cluster set whatever the
# externalTrafficPolicy: with eTP Local, the cluster IP still reaches the
# remote backend from every origin, while the NodePort from outside only
# reaches the local one, unmasqueraded.
clusterip_ignores_etp() {
	svc "t u" "$SVC" "--node-port $NPORT --external-policy local" pod1 rpod1 | services
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_NODE" udp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_POD2" tcp "$SVC" 16 pod1,rpod1 own
	expect_conn "$NS_EXT" tcp "$NODE_IP:$NPORT" 8 pod1 own "eTP Local NodePort, for contrast"
}

# origins WANT_POD WANT_EXT_NODE: the cluster IPs $SVC (-> pod1) and $SVC2
# (-> rpod1) from a pod on the node, a pod on the remote node, the external
# client and the node: pods see WANT_POD, ext and node WANT_EXT_NODE.
origins() {
	local pod=$1 other=$2

	expect_conn "$NS_POD2" tcp "$SVC" 2 pod1 "$pod"
	expect_conn "$NS_RPOD1" udp "$SVC" 2 pod1 "$pod"
	expect_conn "$NS_POD2" udp "$SVC2" 2 rpod1 "$pod"
	expect_conn "$NS_EXT" tcp "$SVC" 2 pod1 "$other"
	expect_conn "$NS_EXT" udp "$SVC2" 2 rpod1 "$other"
	expect_conn "$NS_NODE" udp "$SVC" 2 pod1 "$other"
	expect_conn "$NS_NODE" tcp "$SVC2" 2 rpod1 "$other"
}

two_services() {
	{
		svc "t u" "$SVC" "" pod1
		svc "t u" "$SVC2" "" rpod1
	} | services
}

# Rule 7: masquerade iff the source is not a pod (node and external are),
# local and remote pods alike.
masq_by_origin() {
	two_services
	origins own masq
}

# Rule 7: masqueradeAll masquerades pods too; it does not touch external
# traffic with eTP Local from outside (still the client's own address).
masquerade_all() {
	two_services
	svc t "10.96.0.12:$VPORT" "--node-port $NPORT --external-policy local" pod1 |
		nodeadm apply -f -
	node_config --masquerade-all on
	origins masq masq
	expect_conn "$NS_EXT" tcp "$NODE_IP:$NPORT" 2 pod1 own "eTP Local NodePort with masquerade-all"
}

# Rule 7: no cluster CIDR: nothing is masqueraded (pods are not recognised,
# and "not a pod" alone does not masquerade), unless masqueradeAll.
no_cluster_cidr() {
	two_services
	node_config --no-cluster-cidr
	origins own own
	node_config --no-cluster-cidr --masquerade-all on
	origins masq masq
}

# ---------------------------------------------------------------- rule 8

# internalTrafficPolicy Local: the cluster IP uses the local set from every
# origin (local ready endpoints; else local serving+terminating ones), and
# drops (no ICMP) when it is empty; the NodePort keeps the cluster set.
# With no usable endpoint at all it is a reject (rule 4), not a drop.
itp_local() {
	svc "t u" "$SVC" "--node-port $NPORT --internal-policy local" \
		pod1 pod2,--not-ready,--terminating rpod1 | services
	expect_conn "$NS_POD2" tcp "$SVC" 8 pod1 own "local set: the local ready one"
	expect_conn "$NS_RPOD2" udp "$SVC" 8 pod1 own "local set: the local ready one"
	expect_conn "$NS_EXT" udp "$SVC" 8 pod1 masq "local set: the local ready one"
	expect_conn "$NS_NODE" tcp "$SVC" 8 pod1 masq "local set: the local ready one"
	expect_conn "$NS_EXT" tcp "$NODE_IP:$NPORT" 16 pod1,rpod1 masq "NodePort: cluster set"

	# no local ready one: the local serving+terminating one (pod2), while
	# the cluster set is the remote ready one
	nodeadm apply -f - <<-EOF
	edit-backend -t $SVC -r $POD1_IP:$BE_PORT --local --not-ready --not-serving --terminating
	edit-backend -u $SVC -r $POD1_IP:$BE_PORT --local --not-ready --not-serving --terminating
	EOF
	expect_conn "$NS_EXT" tcp "$SVC" 8 pod2 masq "local fallback: serving+terminating"
	expect_conn "$NS_RPOD2" udp "$SVC" 8 pod2 own "local fallback: serving+terminating"
	expect_conn "$NS_EXT" udp "$NODE_IP:$NPORT" 8 rpod1 masq "NodePort: cluster set"

	# no local endpoint at all (pod1 is terminating and not serving)
	nodeadm apply -f - <<-EOF
	del-backend -t $SVC -r $POD2_IP:$BE_PORT
	del-backend -u $SVC -r $POD2_IP:$BE_PORT
	EOF
	expect_drop "$NS_POD2 $NS_EXT $NS_NODE" "tcp udp" "$SVC" "no local endpoint"
	expect_conn "$NS_EXT" tcp "$NODE_IP:$NPORT" 2 rpod1 masq "NodePort without local endpoint"
	stats_ge t "$SVC" dropped-no-local 3
	stats_ge u "$SVC" dropped-no-local 3
	stats_eq t "$SVC" rejected-no-endpoints=0
	stats_eq u "$SVC" rejected-no-endpoints=0

	# nothing usable anywhere: reject
	nodeadm apply -f - <<-EOF
	del-backend -t $SVC -r $RPOD1_IP:$BE_PORT
	del-backend -u $SVC -r $RPOD1_IP:$BE_PORT
	EOF
	expect_reject "$NS_POD2 $NS_EXT" "tcp udp" "$SVC" "iTP Local, no usable endpoint at all"
	stats_rejected t "$SVC" 2
	stats_rejected u "$SVC" 2
}

# ---------------------------------------------------------------- rule 9

# Hairpin: a pod reaching itself through the service is masqueraded (else
# the reply would bypass the node), another pod is not; it holds with no
# cluster CIDR too, where nothing else is masqueraded.
hairpin() {
	svc "t u" "$SVC" "" pod1 | services
	svc "t u" "$SVC2" "" pod1 pod2 | nodeadm apply -f -
	expect_conn "$NS_POD1" tcp "$SVC" 2 pod1 masq "hairpin"
	expect_conn "$NS_POD1" udp "$SVC" 2 pod1 masq "hairpin"
	expect_conn "$NS_POD2" tcp "$SVC" 2 pod1 own "not hairpin"
	probe "$NS_POD1" tcp "$SVC2" 16 >/dev/null
	assert_eq "$PROBE_PAIRS" "pod1/masq,pod2/own" "pod1 to {pod1,pod2}: which backend saw what"
	info "pod1 -> {pod1,pod2}: $PROBE_PAIRS"
	stats_eq t "$SVC" conns=4 masqueraded=2
	node_config --no-cluster-cidr
	expect_conn "$NS_POD1" udp "$SVC" 2 pod1 masq "hairpin, no cluster CIDR"
	expect_conn "$NS_POD2" udp "$SVC" 2 pod1 own "not hairpin, no cluster CIDR"
	expect_conn "$NS_EXT" udp "$SVC" 2 pod1 own "ext, no cluster CIDR"
}

# --------------------------------------------------------------- rule 18

# nft counters in the node of packets carrying mark bits 0x4000 and 0x8000:
# "fwd" in FORWARD (after svcnat's decision), "post" in POSTROUTING after
# the source NAT (priority srcnat + 100).
marks_setup() {
	command -v nft >/dev/null || skip "nft not installed"
	ip netns exec "$NS_NODE" nft -f - <<-'EOF' || fail "nft: cannot add the mark counters"
	table ip s1marks {
		counter fwd4000 {}
		counter fwd8000 {}
		counter post4000 {}
		counter post8000 {}
		chain cfwd {
			type filter hook forward priority 0; policy accept;
			meta mark & 0x4000 == 0x4000 counter name "fwd4000"
			meta mark & 0x8000 == 0x8000 counter name "fwd8000"
		}
		chain cpost {
			type filter hook postrouting priority 200; policy accept;
			meta mark & 0x4000 == 0x4000 counter name "post4000"
			meta mark & 0x8000 == 0x8000 counter name "post8000"
		}
	}
	EOF
}

# marks: MARKS[fwd4000] ... MARKS[post8000] = packets counted so far.
declare -A MARKS
marks() {
	local out name='' line

	out=$(ip netns exec "$NS_NODE" nft list counters table ip s1marks) ||
		fail "nft list counters"
	MARKS=()
	while read -r line; do
		case $line in
		counter\ *) name=${line#counter } name=${name%% *} ;;
		packets\ *)
			line=${line#packets }
			MARKS[$name]=${line%% *}
			;;
		esac
	done <<<"$out"
	info "marked packets: fwd 0x4000=${MARKS[fwd4000]} 0x8000=${MARKS[fwd8000]}, post 0x4000=${MARKS[post4000]} 0x8000=${MARKS[post8000]}"
}

marks_teardown() {
	ip netns exec "$NS_NODE" nft delete table ip s1marks || true
}

# snat mode (default): masqueraded connections leave with the node's
# address on the way to the backend and fully random source ports; the mark
# is set for them (seen in FORWARD) and cleared by the SNAT (not seen after
# it); connections that are not masqueraded are not marked.
snat_mode() {
	local kw p kind id seen lcl same=0 n=0

	marks_setup
	svc "t u" "$SVC" "" pod1 rpod1 | services
	expect_conn "$NS_POD2" tcp "$SVC" 8 pod1,rpod1 own "pod: not masqueraded"
	marks
	assert_eq "${MARKS[fwd4000]}/${MARKS[post4000]}" 0/0 "marked packets after pod traffic (fwd/post)"
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 masq
	while read -r kw _ p kind id seen lcl; do
		[ "$kw $kind" = "res ok" ] || continue
		n=$((n + 1))
		[ "${seen##*:}" = "${lcl##*:}" ] && same=$((same + 1))
	done <<<"$PROBE_OUT"
	info "masqueraded: $same of $n connections kept their source port"
	((same <= 1)) || fail "snat: $same of $n masqueraded connections kept the client's source port (not fully random)"
	expect_conn "$NS_EXT" udp "$SVC" 16 pod1,rpod1 masq
	marks
	((MARKS[fwd4000] >= 32)) || fail "snat mode: ${MARKS[fwd4000]} marked packets in FORWARD, want >= 32"
	assert_eq "${MARKS[post4000]}" 0 "packets still marked after the SNAT"
	assert_eq "${MARKS[fwd8000]}" 0 "packets with bit 0x8000"
	stats_eq t "$SVC" conns=24 masqueraded=16
	marks_teardown
}

# mark mode: only the mark bit is set (visible to an nft rule after the
# source NAT stage), no SNAT (the backend sees the client's own address);
# a custom bit replaces 0x4000; back in snat mode with the custom bit the
# masquerade happens again and the bit is cleared.
mark_mode() {
	marks_setup
	svc "t u" "$SVC" "" pod1 rpod1 | services
	node_config --masq-mode mark
	expect_conn "$NS_POD2" udp "$SVC" 16 pod1,rpod1 own "mark mode, pod"
	marks
	assert_eq "${MARKS[post4000]}" 0 "marked packets after pod traffic"
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 own "mark mode, ext: marked, not SNATed"
	expect_conn "$NS_EXT" udp "$SVC" 16 pod1,rpod1 own "mark mode, ext: marked, not SNATed"
	marks
	((MARKS[post4000] >= 32)) || fail "mark mode: ${MARKS[post4000]} packets with 0x4000 in POSTROUTING, want >= 32"
	assert_eq "${MARKS[post8000]}" 0 "packets with 0x8000"
	stats_eq t "$SVC" conns=16 masqueraded=16

	node_config --masq-mode mark --masq-mark 0x8000
	local before=${MARKS[post4000]}
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 own "mark 0x8000"
	marks
	((MARKS[post8000] >= 16)) || fail "mark 0x8000: ${MARKS[post8000]} packets with it, want >= 16"
	assert_eq "${MARKS[post4000]}" "$before" "packets with 0x4000 once the mark is 0x8000"

	node_config --masq-mode snat --masq-mark 0x8000
	before=${MARKS[post8000]}
	local fwd=${MARKS[fwd8000]}
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 masq "snat with mark 0x8000"
	marks
	((MARKS[fwd8000] >= fwd + 16)) ||
		fail "snat 0x8000: $((MARKS[fwd8000] - fwd)) packets marked in FORWARD, want >= 16"
	assert_eq "${MARKS[post8000]}" "$before" "packets still marked 0x8000 after the SNAT"
	marks_teardown
}

# ------------------------------------------------------------- counters

# svcadm list --stats: conns counts new connections (not packets, not
# refused ones), masqueraded those masqueraded, per service and protocol;
# every counter of the contract is there.
counters() {
	local out

	svc "t u" "$SVC" "" pod1 rpod1 | services
	svc t "$SVC2" "" | nodeadm apply -f -
	stats_eq t "$SVC" conns=0 masqueraded=0 rejected-no-endpoints=0 dropped-no-local=0 dropped-source-range=0
	expect_conn "$NS_POD2" tcp "$SVC" 16 pod1,rpod1 own
	expect_conn "$NS_EXT" tcp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_NODE" udp "$SVC" 16 pod1,rpod1 masq
	expect_conn "$NS_POD2" udp "$SVC" 16 pod1,rpod1 own
	expect_reject "$NS_EXT" tcp "$SVC2"
	stats_eq t "$SVC" conns=32 masqueraded=16 rejected-no-endpoints=0 dropped-no-local=0 dropped-source-range=0
	stats_eq u "$SVC" conns=32 masqueraded=16 rejected-no-endpoints=0 dropped-no-local=0 dropped-source-range=0
	stats_eq t "$SVC2" conns=0 masqueraded=0
	stats_rejected t "$SVC2" 1
	out=$(nodeadm list --stats -n)
	assert_match "$out" "stats: conns 32 masqueraded 16 rejected-no-endpoints 0 dropped-no-local 0 dropped-source-range 0" \
		"svcadm list --stats (all services)"
	out=$(nodeadm show-config)
	assert_match "$out" "stats: rejected-unknown-port [0-9]+ dropped-unallocated [0-9]+" "svcadm show-config"
}

test_init
require_cmd "$SVCADM"
sem_topo_setup

CASES=(
	"rule 1: cluster set = ready endpoints, local and remote; 3: not the others" ready_set
	"rule 1: no ready one -> serving+terminating, never terminating-not-serving" terminating_fallback
	"rules 3+4: only unusable endpoints -> ICMP reject, TCP+UDP, all origins" unusable_rejects
	"rule 4: no endpoints -> ICMP reject on cluster IP, NodePort, external IP" no_endpoints_reject
	"rule 5: unknown port/protocol on a cluster IP: left alone, or reject" unknown_port
	"rule 5: unallocated service-CIDR address: left alone, or drop" unallocated
	"rule 6: cluster IP uses the cluster set whatever the eTP" clusterip_ignores_etp
	"rule 7: masquerade node and external sources, not pods" masq_by_origin
	"rule 7: masqueradeAll masquerades pods too, not eTP Local external" masquerade_all
	"rule 7: no cluster CIDR: no masquerade unless masqueradeAll" no_cluster_cidr
	"rule 8: iTP Local: local set, fallback, drop when empty, NodePort unaffected" itp_local
	"rule 9: hairpin is masqueraded, other pods are not" hairpin
	"rule 18: snat mode: node address, random ports, mark cleared" snat_mode
	"rule 18: mark mode: mark seen by nft, no SNAT; custom mark bit" mark_mode
	"counters: svcadm list --stats and show-config" counters
)

sem_run_cases SEM_CASES sem_fresh
