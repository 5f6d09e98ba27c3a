#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPv6 services, over TCP, UDP and SCTP: the cluster IP, NodePort on the
# node's IPv6 addresses (never ::1), external and LB IPs with IPv6 source
# ranges, masquerade to the node's IPv6 addresses (IPv6 cluster CIDR next
# to the IPv4 one), masqueradeAll and hairpin, ICMPv6 port unreachable
# (no endpoints, unknown port), internalTrafficPolicy and
# externalTrafficPolicy Local, svcadm trace of IPv6 packets, a dual-stack
# Service as two svcnat services (one per family) on the same pods, and the
# refusal of anything that mixes the families inside one service.
#
#   ext fd00:1::2/64 -- fd00:1::1/64 [ node ] fd00:3::1/64 -- fd00:3::2/64 [ rnode ]
#   (also 10.0.1.2)       svcnat, dummy0 fd00:77::1/128      br-pod fd00:244:2::1/64
#                         br-pod fd00:244:1::1/64              |-- rpod1 fd00:244:2::11
#                           |-- pod1 fd00:244:1::11 (local)    `-- rpod2 fd00:244:2::12
#                           |-- pod2 fd00:244:1::12 (local)    (remote backends)
#                           `-- pod3 fd00:244:1::13 (client only, no backend)
#
#   The IPv4 topology of lib_topo.sh is there too, on the same links (dual
#   stack). node: fd00:96::/112 (service CIDR) and 2001:db8:100::/64
#   (external and LB IPs) dev dummy0: what svcnat leaves alone there
#   vanishes. Cluster CIDRs 10.244.0.0/16 and fd00:244::/32.
#
# The service: cluster IP [fd00:96::10]:8081 (TCP, UDP, SCTP as each case
# needs), NodePort 30080, external IP 2001:db8:100::20, LB IP
# 2001:db8:100::10; backends port 80 of the pods' IPv6 addresses, pod1
# and pod2 with --local. Every pod serves TCP, UDP and SCTP on IPv4 and
# IPv6 (svcnat-backend -S; the sctp module is loaded, or the test skipped).
#
# Every connection is a real exchange that tells which backend answered
# and which source it saw: "own" (the client's address) or "masq" (an
# address of the node: fd00:244:1::1 towards pod1/pod2, fd00:3::1 towards
# rpod1/rpod2). A reject is an ICMPv6 port unreachable seen by the client,
# a drop no answer at all. SCTP associations are single-homed (the client
# binds one address): multi-homing is out of scope.
#
# Before the module forwards IPv6 (it refuses IPv6 services), only the
# topology case runs; the others are skipped.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_topo.sh"

NP=30080				# NodePort
EIP6=2001:db8:100::20			# external IP
LBIP6=2001:db8:100::10			# load-balancer IP
SVC6B="[fd00:96::11]:$VPORT"		# a second IPv6 service
SEM_CLUSTER_CIDRS="$CLUSTER_CIDR $CLUSTER_CIDR6"
declare -A ID_OF=(["$POD1_IP6"]=pod1 ["$POD2_IP6"]=pod2 ["$RPOD1_IP6"]=rpod1
	["$RPOD2_IP6"]=rpod2)

# ------------------------------------------------------------- helpers

# need_ipv6: skip the case unless the module takes IPv6 services.
HAVE_IPV6=
need_ipv6() {
	[ "$HAVE_IPV6" = yes ] || skip "svcnat does not take IPv6 services (yet): $HAVE_IPV6"
}

# services PROTOS OPTS [IDS]: replace all services with the service $SVC6
# of each of PROTOS (e.g. "tcp udp sctp") with OPTS and the backends IDS
# (default all four, "" none), in one svcadm apply.
services() {
	local protos=$1 opts=$2 bes p

	read -ra bes <<<"${3-pod1 pod2 rpod1 rpod2}"
	{
		echo flush
		for p in $protos; do
			svc "$p" "$SVC6" "$opts" "${bes[@]}"
		done
	} | nodeadm apply -f - || fail "cannot program $protos $SVC6: $opts / ${bes[*]}"
}

# saw ID ADDR: in the last probe, backend ID saw the source address ADDR.
saw() {
	[[ $PROBE_OUT == *" ok $1 [$2]:"* ]] ||
		fail "backend $1 should have seen $2:$NL$PROBE_OUT"
	info "$1 saw $2"
}

# --------------------------------------------------------------- cases

# The topology itself: every pod's IPv6 address answers TCP, UDP and SCTP
# directly (no service), from outside and from a pod, with the client's
# own address; nothing else answers there.
topology() {
	local BG_CHECKS=() p

	for p in tcp udp sctp; do
		bg_run expect_conn "$NS_EXT" "$p" "[$POD1_IP6]:$BE_PORT" 1 pod1 own
		bg_run expect_conn "$NS_EXT" "$p" "[$RPOD2_IP6]:$BE_PORT" 1 rpod2 own
		bg_run expect_conn "$NS_POD3" "$p" "[$RPOD1_IP6]:$BE_PORT" 1 rpod1 own
		bg_run expect_conn "$NS_NODE" "$p" "[$POD2_IP6]:$BE_PORT" 1 pod2 own
	done
	bg_run expect_drop "$NS_EXT" "tcp udp" "$SVC6" "no service yet: vanishes into dummy0"
	bg_wait
}

# The cluster IP spreads over all the backends' IPv6 addresses, TCP, UDP
# and SCTP; pods keep their address, the node and outside are masqueraded
# to the node's IPv6 address on the way to the backend.
cluster_ip() {
	need_ipv6
	services "tcp udp sctp" ""
	bg_run sem_conns "$NS_POD3" "$ALL" own "tcp udp sctp" "$SVC6"
	bg_run sem_conns "$NS_EXT" "$ALL" masq "tcp sctp" "$SVC6"
	bg_run sem_conns "$NS_NODE" "$ALL" masq udp "$SVC6"
	bg_wait
	probe "$NS_EXT" udp "$SVC6" 24 >/dev/null
	saw pod1 "$NODE_POD_IP6"
	saw rpod1 "$NODE_RN_IP6"
	stats_ge udp "$SVC6" conns 120 120
	stats_ge udp "$SVC6" masqueraded 72 72
}

# NodePort on the node's IPv6 addresses (towards ext, dummy0, the pods'
# bridge), from outside, a pod and the node, eTP Cluster: all backends,
# masqueraded. Not on ::1 (the node's own socket answers), and an IPv6
# service has no IPv4 NodePort (the node's socket answers 10.0.1.1).
# eTP Local: outside gets the local endpoints, address kept; without local
# endpoint it is dropped and counted, while pods get the remote ones.
nodeport() {
	local BG_CHECKS=()

	need_ipv6
	node_listen "$NP"
	services "tcp udp sctp" "--node-port $NP"
	bg_run sem_conns "$NS_EXT" "$ALL" masq "tcp udp sctp" "[$NODE_IP6]:$NP"
	bg_run sem_conns "$NS_EXT" "$ALL" masq tcp "[$NODE_IP2_6]:$NP"
	bg_run sem_conns "$NS_POD3" "$ALL" masq sctp "[$NODE_POD_IP6]:$NP"
	bg_run sem_conns "$NS_NODE" "$ALL" masq udp "[$NODE_IP6]:$NP"
	bg_run sem_conns "$NS_NODE" node own "tcp udp sctp" "[::1]:$NP"
	bg_run sem_conns "$NS_EXT" node own "tcp udp" "$NODE_IP:$NP"
	bg_wait
	services "tcp udp sctp" "--node-port $NP --external-policy local"
	bg_run sem_conns "$NS_EXT" "$LOCALS" own "tcp udp sctp" "[$NODE_IP6]:$NP"
	bg_run sem_conns "$NS_POD3" "$ALL" own udp "[$NODE_IP6]:$NP"
	bg_wait
	services "tcp udp sctp" "--node-port $NP --external-policy local" "rpod1 rpod2"
	bg_run sem_dropped "$NS_EXT" "tcp udp sctp" "[$NODE_IP6]:$NP"
	bg_run sem_conns "$NS_POD3" "$REMOTES" own tcp "[$NODE_IP6]:$NP"
	bg_wait
	stats_ge sctp "$SVC6" dropped-no-local 1
	stats_ge tcp "$SVC6" rejected-no-endpoints 0 0
}

# External IP and LB IP with an IPv6 source range (ext's prefix): ext gets
# all backends on both, masqueraded; a pod and the node, outside the range,
# are dropped on the LB IP (counted) but served on the external IP. A range
# holding the pods turns it around.
external_lb_ranges() {
	local lb="[$LBIP6]:$VPORT" eip="[$EIP6]:$VPORT"

	need_ipv6
	services "tcp udp sctp" "--external-ip $EIP6 --lb-ip $LBIP6 --source-range fd00:1::/64"
	bg_run sem_conns "$NS_EXT" "$ALL" masq "tcp udp sctp" "$lb"
	bg_run sem_conns "$NS_EXT" "$ALL" masq udp "$eip"
	bg_run sem_dropped "$NS_POD3" "tcp udp sctp" "$lb"
	bg_run sem_dropped "$NS_NODE" udp "$lb"
	bg_run sem_conns "$NS_POD3" "$ALL" masq "tcp sctp" "$eip"
	bg_wait
	stats_ge tcp "$SVC6" dropped-source-range 1
	stats_ge udp "$SVC6" dropped-source-range 2
	services "tcp udp" "--lb-ip $LBIP6 --source-range $CLUSTER_CIDR6"
	bg_run sem_conns "$NS_POD3" "$ALL" masq "tcp udp" "$lb"
	bg_run sem_dropped "$NS_EXT" "tcp udp" "$lb"
	bg_wait
}

# masqueradeAll masquerades pods too; a pod reaching itself through the
# service (hairpin) is masqueraded without it, another pod is not.
masquerade() {
	need_ipv6
	services "tcp udp sctp" "" "pod1"
	bg_run sem_conns "$NS_POD1" pod1 masq "tcp udp sctp" "$SVC6"
	bg_run sem_conns "$NS_POD2" pod1 own "tcp udp sctp" "$SVC6"
	bg_wait
	probe "$NS_POD1" tcp "$SVC6" 2 >/dev/null
	saw pod1 "$NODE_POD_IP6"
	nodeadm set-config --masquerade-all on
	sem_conns "$NS_POD2" pod1 masq "tcp udp sctp" "$SVC6"
}

# No endpoints: ICMPv6 port unreachable on the cluster IP, the NodePort
# and the external IP, from a pod, the node and outside, counted; the
# NodePort is not left to the node's socket listening on it. An unknown
# port of the cluster IP: left alone by default, ICMPv6 port unreachable
# with --unknown-port reject (counted), while the service port still
# rejects for its own reason.
reject() {
	local BG_CHECKS=() rej0 n

	need_ipv6
	node_listen "$NP"
	services "tcp udp sctp" "--node-port $NP --external-ip $EIP6" ""
	bg_run expect_reject "$NS_POD3 $NS_EXT $NS_NODE" "tcp udp sctp" "$SVC6" "cluster IP"
	bg_run expect_reject "$NS_EXT" "tcp udp sctp" "[$NODE_IP6]:$NP" "NodePort"
	bg_run expect_reject "$NS_POD3" "udp sctp" "[$EIP6]:$VPORT" "external IP"
	bg_wait
	stats_ge tcp "$SVC6" rejected-no-endpoints 4 8
	stats_ge sctp "$SVC6" rejected-no-endpoints 5 10
	stats_ge udp "$SVC6" conns 0 0

	node_stats
	rej0=${STATS[rejected-unknown-port]}
	sem_dropped "$NS_EXT" "tcp udp sctp" "[$VIP6]:8082"
	node_stats
	assert_eq "${STATS[rejected-unknown-port]}" "$rej0" "rejected-unknown-port with accept"
	nodeadm set-config --unknown-port reject
	expect_reject "$NS_EXT $NS_POD3" "tcp udp sctp" "[$VIP6]:8082" "unknown port"
	node_stats
	n=$((STATS[rejected-unknown-port] - rej0))
	((n >= 6 && n <= 12)) || fail "rejected-unknown-port: +$n, want +6..12"
	info "node counters: rejected-unknown-port +$n"
}

# internalTrafficPolicy Local: the cluster IP uses the local endpoint from
# every origin, the NodePort the whole set; without local endpoint the
# cluster IP drops (counted), the NodePort still serves.
itp_local() {
	need_ipv6
	services "tcp udp sctp" "--node-port $NP --internal-policy local" "pod1 rpod1"
	bg_run sem_conns "$NS_POD3" pod1 own "tcp udp sctp" "$SVC6"
	bg_run sem_conns "$NS_EXT" pod1 masq udp "$SVC6"
	bg_run sem_conns "$NS_EXT" pod1,rpod1 masq tcp "[$NODE_IP6]:$NP"
	bg_wait
	services "tcp udp sctp" "--node-port $NP --internal-policy local" "rpod1"
	bg_run sem_dropped "$NS_POD3" "tcp udp sctp" "$SVC6"
	bg_run sem_conns "$NS_EXT" rpod1 masq sctp "[$NODE_IP6]:$NP"
	bg_wait
	stats_ge sctp "$SVC6" dropped-no-local 1
}

# trace NS PROTO DST WANT CANDS [BACKEND]: svcadm trace of the first packet
# from NS (its IPv6 source; the node's with --origin node) to DST has every
# key=value of WANT on its first line (hairpin=yes: the hairpin line), the
# candidates CANDS (sorted ids)
# ("-": not checked) and the backend line BACKEND (an id, default none);
# TRACE_OUT keeps it.
TRACE_OUT=
trace() {
	local ns=$1 proto=$2 dst=$3 want=$4 cands=$5 be=${6:-none} src out w line
	local -A kv=()
	local ids=() got_be=none

	case $ns in
	"$NS_NODE")
		w=${dst#[}
		out=$(ip -n "$NS_NODE" -6 route get "${w%%]*}") || fail "no route to $dst in the node"
		[[ $out =~ \ src\ ([0-9a-f:]+) ]] || fail "no source in: $out"
		src=${BASH_REMATCH[1]}
		;;
	"$NS_EXT") src=$EXT_IP6 ;;
	"$NS_POD1") src=$POD1_IP6 ;;
	"$NS_POD3") src=$POD3_IP6 ;;
	*) fail "trace: unknown namespace $ns" ;;
	esac
	proto_opt "$proto"
	if [ "$ns" = "$NS_NODE" ]; then
		TRACE_OUT=$(nodeadm trace "$REPLY" "$dst" --from "$src" --origin node 2>&1) ||
			fail "svcadm trace $dst from $src: $TRACE_OUT"
	else
		TRACE_OUT=$(nodeadm trace "$REPLY" "$dst" --from "$src" 2>&1) ||
			fail "svcadm trace $dst from $src: $TRACE_OUT"
	fi
	info "trace $proto $dst from $src: ${TRACE_OUT//$NL/ | }"
	{
		read -r line
		for w in $line; do
			kv[${w%%=*}]=${w#*=}
		done
		while read -r line; do
			case $line in
			candidate:*)
				w=${line#candidate: [}
				ids+=("${ID_OF[${w%%]*}]:-?${w%% *}}")
				;;
			backend:*)
				w=${line#backend: [}
				got_be=${ID_OF[${w%%]*}]:-?$w}
				;;
			hairpin:*) kv[hairpin]=${line#hairpin: } ;;
			esac
		done
	} <<<"$TRACE_OUT"
	for w in $want; do
		assert_eq "${kv[${w%%=*}]:-<none>}" "${w#*=}" "trace $proto $dst: ${w%%=*}"
	done
	_join_sorted , "${ids[@]}"
	[ "$cands" = - ] || assert_eq "$REPLY" "$cands" "trace $proto $dst: candidates"
	assert_eq "$got_be" "$be" "trace $proto $dst: backend"
}

# svcadm trace of IPv6 packets agrees with real ones: dnat with the
# candidates (and the backend when there is one) and the masquerade the
# backends then see; drop outside a source range; reject without
# endpoints.
trace6() {
	local lb="[$LBIP6]:$VPORT"

	need_ipv6
	services "tcp udp sctp" "--node-port $NP --lb-ip $LBIP6 --source-range fd00:1::/64" \
		"pod1 rpod1"
	bg_run trace "$NS_POD3" tcp "$SVC6" \
		"verdict=dnat reason=endpoint origin=pod frontend=cluster-ip set=cluster masquerade=no" \
		pod1,rpod1
	bg_run trace "$NS_EXT" sctp "[$NODE_IP6]:$NP" \
		"verdict=dnat origin=other frontend=node-port masquerade=yes masq-reason=external-cluster" \
		pod1,rpod1
	bg_run trace "$NS_NODE" udp "$SVC6" "verdict=dnat origin=node masquerade=yes" pod1,rpod1
	bg_run trace "$NS_POD3" udp "$lb" "verdict=drop reason=source-range frontend=lb-ip" -
	bg_run sem_conns "$NS_POD3" pod1,rpod1 own tcp "$SVC6"
	bg_run sem_conns "$NS_EXT" pod1,rpod1 masq sctp "[$NODE_IP6]:$NP"
	bg_run sem_conns "$NS_NODE" pod1,rpod1 masq udp "$SVC6"
	bg_run sem_dropped "$NS_POD3" udp "$lb"
	bg_wait

	services "tcp udp" "" "pod1"
	bg_run trace "$NS_POD1" tcp "$SVC6" \
		"verdict=dnat masquerade=yes masq-reason=hairpin hairpin=yes" pod1 pod1
	bg_run trace "$NS_EXT" udp "$SVC6" "verdict=dnat masquerade=yes" pod1 pod1
	bg_run sem_conns "$NS_POD1" pod1 masq tcp "$SVC6"
	bg_run sem_conns "$NS_EXT" pod1 masq udp "$SVC6"
	bg_wait

	services "tcp udp" "" ""
	bg_run trace "$NS_EXT" tcp "$SVC6" "verdict=reject reason=no-endpoints" ""
	bg_run trace "$NS_EXT" udp "[$VIP6]:8082" "verdict=accept reason=no-service" ""
	bg_run expect_reject "$NS_EXT" tcp "$SVC6" "real"
	bg_run expect_drop "$NS_EXT" udp "[$VIP6]:8082" "real"
	bg_wait
}

# A dual-stack Service is two svcnat services, one per family, on the same
# pods: both work, each with its family's addresses of the same backends;
# deleting the IPv6 one leaves the IPv4 one alone.
dual_stack() {
	local out

	need_ipv6
	nodeadm apply -f - <<-EOF
	flush
	$(svc "t s" "$SVC" "--name default/web:http" pod1 rpod1)
	$(svc "t s" "$SVC6" "--name default/web:http" pod1 rpod1)
	EOF
	out=$(nodeadm list -n)
	info "$out"
	assert_match "$out" "TCP  10\\.96\\.0\\.10:8081 .*default/web:http.*TCP  \\[fd00:96::10\\]:8081 " \
		"svcadm list: the IPv4 service, then the IPv6 one"
	bg_run sem_conns "$NS_POD3" pod1,rpod1 own "tcp sctp" "$SVC" "$SVC6"
	bg_run sem_conns "$NS_EXT" pod1,rpod1 masq tcp "$SVC" "$SVC6"
	bg_wait
	probe "$NS_EXT" sctp "$SVC6" 24 >/dev/null
	saw pod1 "$NODE_POD_IP6"
	probe "$NS_EXT" sctp "$SVC" 24 >/dev/null
	[[ $PROBE_OUT == *" ok pod1 $NODE_POD_IP:"* ]] ||
		fail "IPv4: pod1 should have seen $NODE_POD_IP:$NL$PROBE_OUT"
	nodeadm del-service -t "$SVC6"
	bg_run expect_drop "$NS_POD3" tcp "$SVC6" "IPv6 service deleted"
	bg_run sem_conns "$NS_POD3" pod1,rpod1 own tcp "$SVC"
	bg_run sem_conns "$NS_POD3" pod1,rpod1 own sctp "$SVC6"
	bg_wait
}

# refused CMD...: svcadm CMD fails with a message about the address family
# (the caller checks that the configuration did not change).
refused() {
	local out rc=0

	out=$(nodeadm "$@" 2>&1) || rc=$?
	info "svcadm $*: exit $rc: $out"
	((rc != 0)) || fail "svcadm $* succeeded"
	assert_match "$out" "^svcadm: .*famil" "message of svcadm $* (names the family)"
}

# A service's frontends, backends and source ranges are all of its
# family: any mix is refused (by svcadm or the kernel) with a message and
# changes nothing, alone or inside an apply; node CIDR lists may mix the
# families. The IPv6 service still answers with its own backends after.
mixed_family() {
	local before after

	need_ipv6
	nodeadm apply -f - <<-EOF
	flush
	$(svc "t u" "$SVC6" "--lb-ip $LBIP6" pod1)
	$(svc t "$SVC" "" rpod1)
	EOF
	before=$(nodeadm list -n)
	bg_run refused add-backend -t "$SVC6" -r "$POD2_IP:$BE_PORT"
	bg_run refused add-backend -t "$SVC" -r "[$POD2_IP6]:$BE_PORT"
	bg_run refused set-backends -u "$SVC6" -r "[$POD2_IP6]:$BE_PORT" -r "$RPOD2_IP:$BE_PORT"
	bg_run refused add-service -t "$SVC6B" --external-ip 198.51.100.20
	bg_run refused add-service -t "$SVC6B" --lb-ip 198.51.100.10
	bg_run refused add-service -t "$SVC6B" --lb-ip "$LBIP6" --source-range 10.0.1.0/24
	bg_run refused add-service -t 10.96.0.12:80 --external-ip "$EIP6"
	bg_run refused add-service -t 10.96.0.12:80 --lb-ip 198.51.100.10 --source-range fd00:1::/64
	bg_run refused edit-service -u "$SVC6" --lb-ip 198.51.100.10
	bg_run refused edit-service -t "$SVC" --external-ip "$EIP6"
	refused apply -f - <<-EOF
	add-service -u $SVC6B
	add-backend -u $SVC6B -r [$POD2_IP6]:$BE_PORT
	add-backend -u $SVC6B -r $POD2_IP:$BE_PORT
	EOF
	bg_wait "not every mix of families was refused"
	after=$(nodeadm list -n)
	assert_eq "$after" "$before" "configuration after the refused commands"
	nodeadm set-config --cluster-cidr "$CLUSTER_CIDR6" --cluster-cidr "$CLUSTER_CIDR" \
		--nodeport-address fd00:1::/64 --nodeport-address 10.0.1.0/24 ||
		fail "set-config with both families in the CIDR lists"
	bg_run sem_conns "$NS_EXT" pod1 masq "tcp udp" "$SVC6" "[$LBIP6]:$VPORT"
	bg_run sem_conns "$NS_EXT" rpod1 masq tcp "$SVC"
	bg_wait
}

test_init
require_cmd "$SVCADM"
sem_topo_setup sctp
add_client_pod
HAVE_IPV6=no
if out=$(nodeadm add-service -u "$SVC6B" 2>&1); then
	HAVE_IPV6=yes
	nodeadm del-service -u "$SVC6B"
else
	HAVE_IPV6="no: $out"
fi

CASES=(
	"topology: every pod's IPv6 address answers TCP, UDP, SCTP directly" topology
	"ipv6 tcp+udp+sctp: cluster IP spread; pods own, node and ext masqueraded to node IPv6" cluster_ip
	"ipv6: NodePort on the node's IPv6 addresses, not ::1, not IPv4; eTP Local" nodeport
	"ipv6: external IP, LB IP with IPv6 source ranges" external_lb_ranges
	"ipv6: masqueradeAll and hairpin" masquerade
	"ipv6: ICMPv6 port unreachable: no endpoints, unknown port" reject
	"ipv6: iTP Local: local set, drop without local endpoint" itp_local
	"ipv6: svcadm trace agrees with IPv6 packets (dnat, hairpin, drop, reject)" trace6
	"dual stack: an IPv4 and an IPv6 service on the same pods, both served" dual_stack
	"mixed families in one service are refused, configuration unchanged" mixed_family
)
# fresh CASE: sem_reset (no services, default config with both cluster
# CIDRs; without IPv6 in the module, the IPv4 one), then CASE.
fresh() {
	[ "$HAVE_IPV6" = yes ] || SEM_CLUSTER_CIDRS=$CLUSTER_CIDR
	sem_reset
	"$@"
}

sem_run_cases V6_CASES fresh
