#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# svcadm trace against real packets: for a set of configurations, the
# decision trace of a first packet and real connections from the namespace
# that packet would come from agree on the verdict (dnat, reject, drop,
# accept), on masquerading, and on the backends (the real ones are exactly
# the trace's candidates, or its one backend when it gives one).
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#                         svcnat, dummy0 192.168.77.1/32      br 10.244.2.1/24
#                         br-pod 10.244.1.1/24                 |-- rpod1 10.244.2.11
#                           |-- pod1 10.244.1.11  (local)      `-- rpod2 10.244.2.12
#                           |-- pod2 10.244.1.12  (local)      (remote backends)
#                           `-- pod3 10.244.1.13  (client only, no backend)
#
# The service (TCP and UDP): cluster IP 10.96.0.10:8081, and as each case
# needs NodePort 30080, external IP 198.51.100.20, LB IP 198.51.100.10;
# backends port 80 of pod1, pod2 (--local), rpod1, rpod2.
#
# The trace is asked with the source the real client uses (the node's is
# found with "ip route get") and --origin node for the node. Its first line
# is checked field by field against what the rules say, then the real
# connections against the trace: dnat -> all answered by the candidates
# (each of them) and seen from the client's own address iff masquerade=no;
# reject -> ICMP port unreachable; drop -> no answer at all.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_topo.sh"

NP=30080			# NodePort
EIP=198.51.100.20		# external IP
LBIP=198.51.100.10		# load-balancer IP
declare -A ID_OF=(["$POD1_IP"]=pod1 ["$POD2_IP"]=pod2 ["$RPOD1_IP"]=rpod1
	["$RPOD2_IP"]=rpod2)

# ------------------------------------------------------------- helpers

# src_of NS DST: the source address of a connection from NS to DST.
src_of() {
	local out

	case $1 in
	"$NS_EXT") REPLY=$EXT_IP ;;
	"$NS_POD1") REPLY=$POD1_IP ;;
	"$NS_POD2") REPLY=$POD2_IP ;;
	"$NS_POD3") REPLY=$POD3_IP ;;
	"$NS_NODE")
		out=$(ip -n "$NS_NODE" route get "${2%:*}") || fail "no route to $2 in the node"
		[[ $out =~ \ src\ ([0-9.]+) ]] || fail "no source in: $out"
		REPLY=${BASH_REMATCH[1]}
		;;
	*) fail "src_of: unknown namespace $1" ;;
	esac
}

# trace ARGS...: svcadm trace in the node namespace. TR[key] for every
# key=value word of the first line, TR[service], TR[backend] (backend id),
# TR[hairpin]; TR_CANDS the candidate ids, sorted, comma-separated.
declare -A TR
TR_CANDS=
TRACE_OUT=
trace() {
	local line w ids=()

	TRACE_OUT=$(nodeadm trace "$@" 2>&1) || fail "svcadm trace $*: $TRACE_OUT"
	TR=()
	{
		read -r line
		for w in $line; do
			[[ $w == *=* ]] || fail "trace: '$w' in the first line is no key=value: $TRACE_OUT"
			TR[${w%%=*}]=${w#*=}
		done
		while read -r line; do
			case $line in
			service:*) TR[service]=${line#service: } ;;
			candidate:*)
				w=${line#candidate: }
				ids+=("${ID_OF[${w%%:*}]:-${w%% *}}")
				;;
			backend:*)
				w=${line#backend: }
				TR[backend]=${ID_OF[${w%%:*}]:-$w}
				;;
			hairpin:*) TR[hairpin]=${line#hairpin: } ;;
			esac
		done
	} <<<"$TRACE_OUT"
	_join_sorted , "${ids[@]}"
	TR_CANDS=$REPLY
}

# agree NS PROTO DST WANT [CANDS [REAL]]: trace the first packet from NS to
# DST, check its first line has every key=value of WANT and its candidates
# are CANDS (sorted ids, "" none; "-" not checked), then open real
# connections and check they do what the trace says. For verdict accept,
# REAL is what probe must see (e.g. "node own", "timeout").
agree() {
	local ns=$1 proto=$2 dst=$3 want=$4 cands=${5--} real=${6:-} w args n ids src
	local what="$proto $dst from ${1##*-}"

	src_of "$ns" "$dst"
	src=$REPLY
	args=("-${proto:0:1}" "$dst" --from "$src")
	[ "$ns" != "$NS_NODE" ] || args+=(--origin node)
	trace "${args[@]}"
	info "trace $what ($src): ${TRACE_OUT//$NL/ | }"
	for w in $want; do
		assert_eq "${TR[${w%%=*}]:-<none>}" "${w#*=}" "trace $what: ${w%%=*}"
	done
	[ "$cands" = - ] || assert_eq "$TR_CANDS" "$cands" "trace $what: candidates"
	# a backend exactly when the choice is deterministic: one candidate
	if [ -n "$TR_CANDS" ] && [[ $TR_CANDS != *,* ]]; then
		assert_eq "${TR[backend]:-<none>}" "$TR_CANDS" "trace $what: backend of one candidate"
	else
		assert_eq "${TR[backend]:-<none>}" "<none>" "trace $what: backend of ${TR_CANDS:-no} candidates"
	fi
	if [ "${TR[hairpin]:-no}" = yes ]; then
		[[ ,$TR_CANDS, == *,${ID_OF[$src]:-none},* ]] ||
			fail "trace $what: hairpin, but $src is no candidate ($TR_CANDS)"
	fi
	case ${TR[verdict]:-} in
	dnat)
		[ -n "$TR_CANDS" ] || fail "trace $what: dnat without candidates"
		ids=${TR[backend]:-$TR_CANDS}
		hit_count "$ids"
		n=$REPLY
		case ${TR[masquerade]:-} in
		yes) expect_conn "$ns" "$proto" "$dst" $n "$ids" masq "real $what" ;;
		no) expect_conn "$ns" "$proto" "$dst" $n "$ids" own "real $what" ;;
		*) fail "trace $what: masquerade='${TR[masquerade]:-}'" ;;
		esac
		;;
	reject) expect_reject "$ns" "$proto" "$dst" real ;;
	drop) expect_drop "$ns" "$proto" "$dst" real ;;
	accept)
		[ -n "$real" ] || fail "agree $what: accept needs the real outcome"
		probe "$ns" "$proto" "$dst" 2 "$PROBE_DROP_MS" >/dev/null
		_probe_check "real $what" "$real"
		;;
	*) fail "trace $what: verdict '${TR[verdict]:-}'" ;;
	esac
}

# --------------------------------------------------------------- cases

# The cluster IP from a pod (not masqueraded), from the node and from
# outside (masqueraded): the whole cluster set.
tr_cluster_ip() {
	local want="verdict=dnat reason=endpoint frontend=cluster-ip set=cluster" ns p

	case $1 in
	pod3) want+=" origin=pod masquerade=no masq-reason=none" ;;
	node) want+=" origin=node masquerade=yes masq-reason=not-pod-source" ;;
	ext) want+=" origin=other masquerade=yes masq-reason=not-pod-source" ;;
	esac
	sem_reset
	program ""
	ns=$(pod_ns "$1")
	for p in tcp udp; do
		bg_run agree "$ns" $p "$SVC" "$want" $ALL
	done
	bg_wait
}

# internalTrafficPolicy Local: the local set from any source, dropped when
# it is empty; the NodePort of the service keeps the cluster set.
tr_itp_local() {
	sem_reset
	program "--node-port $NP --internal-policy local"
	bg_run agree "$NS_POD3" tcp "$SVC" "verdict=dnat origin=pod set=local masquerade=no" $LOCALS
	bg_run agree "$NS_NODE" tcp "$SVC" "verdict=dnat origin=node set=local masquerade=yes" $LOCALS
	bg_run agree "$NS_EXT" tcp "$NODE_IP:$NP" \
		"verdict=dnat frontend=node-port set=cluster masquerade=yes" $ALL
	bg_wait
	backends "rpod1 rpod2"
	bg_run agree "$NS_POD3" tcp "$SVC" "verdict=drop reason=no-local-endpoints origin=pod" ""
	bg_run agree "$NS_NODE" udp "$SVC" "verdict=drop reason=no-local-endpoints origin=node" ""
	bg_run agree "$NS_EXT" tcp "$NODE_IP:$NP" "verdict=dnat frontend=node-port set=cluster" $REMOTES
	bg_wait
}

# externalTrafficPolicy Local: outside -> local set, address kept, drop
# without local endpoint; pod -> cluster set, not masqueraded; node ->
# cluster set, masqueraded.
tr_etp_local() {
	sem_reset
	program "--node-port $NP --lb-ip $LBIP --external-policy local"
	bg_run agree "$NS_EXT" tcp "$NODE_IP:$NP" \
		"verdict=dnat reason=endpoint origin=other frontend=node-port set=local masquerade=no masq-reason=none" $LOCALS
	bg_run agree "$NS_EXT" udp "$LBIP:$VPORT" "verdict=dnat frontend=lb-ip set=local masquerade=no" $LOCALS
	bg_run agree "$NS_POD3" tcp "$NODE_IP:$NP" "verdict=dnat origin=pod set=cluster masquerade=no" $ALL
	bg_run agree "$NS_NODE" tcp "$NODE_IP:$NP" \
		"verdict=dnat origin=node set=cluster masquerade=yes masq-reason=node-local" $ALL
	bg_wait
	backends "rpod1 rpod2"
	bg_run agree "$NS_EXT" tcp "$NODE_IP2:$NP" "verdict=drop reason=no-local-endpoints origin=other" ""
	bg_run agree "$NS_POD3" tcp "$LBIP:$VPORT" "verdict=dnat set=cluster masquerade=no" $REMOTES
	bg_wait
}

# Load-balancer source ranges: inside served, outside (a pod, the node)
# dropped.
tr_lb_range() {
	sem_reset
	program "--lb-ip $LBIP --source-range 10.0.1.0/24"
	bg_run agree "$NS_EXT" tcp "$LBIP:$VPORT" \
		"verdict=dnat frontend=lb-ip set=cluster masquerade=yes masq-reason=external-cluster" $ALL
	bg_run agree "$NS_POD3" tcp "$LBIP:$VPORT" "verdict=drop reason=source-range frontend=lb-ip" -
	bg_run agree "$NS_NODE" udp "$LBIP:$VPORT" "verdict=drop reason=source-range origin=node" -
	bg_wait
}

# No endpoint at all: reject on every frontend, from every origin, TCP and
# UDP.
tr_no_endpoints() {
	sem_reset
	program "--node-port $NP --external-ip $EIP" ""
	bg_run agree "$NS_EXT" tcp "$SVC" "verdict=reject reason=no-endpoints frontend=cluster-ip" ""
	bg_run agree "$NS_EXT" udp "$NODE_IP:$NP" "verdict=reject reason=no-endpoints frontend=node-port" ""
	bg_run agree "$NS_POD3" udp "$SVC" "verdict=reject reason=no-endpoints origin=pod" ""
	bg_run agree "$NS_NODE" tcp "$EIP:$VPORT" "verdict=reject reason=no-endpoints frontend=external-ip" ""
	bg_wait
}

# An unknown port on a cluster IP: left alone by default (it vanishes into
# dummy0: no answer), rejected with --unknown-port reject. A node address
# without NodePort is left alone: the node's own socket answers.
tr_unknown_port() {
	sem_reset
	node_listen 30099
	program "--node-port $NP"
	bg_run agree "$NS_EXT" tcp "$VIP:9999" "verdict=accept reason=no-service" "" timeout
	bg_run agree "$NS_EXT" tcp "$NODE_IP:30099" "verdict=accept reason=no-service" "" "node own"
	bg_wait
	nodeadm set-config --unknown-port reject
	bg_run agree "$NS_EXT" tcp "$VIP:9999" "verdict=reject reason=unknown-port" ""
	bg_run agree "$NS_POD3" udp "$VIP:9999" "verdict=reject reason=unknown-port" ""
	bg_run agree "$NS_NODE" tcp "$VIP:9999" "verdict=reject reason=unknown-port" ""
	bg_run agree "$NS_EXT" udp "$NODE_IP:30099" "verdict=accept reason=no-service" "" "node own"
	bg_wait
}

# One backend: the trace names it; from that backend itself it is a
# hairpin, masqueraded.
tr_single_backend() {
	sem_reset
	program "--node-port $NP" pod1
	bg_run agree "$NS_POD2" tcp "$SVC" \
		"verdict=dnat origin=pod masquerade=no masq-reason=none backend=pod1" pod1
	bg_run agree "$NS_POD1" tcp "$SVC" \
		"verdict=dnat origin=pod masquerade=yes masq-reason=hairpin backend=pod1 hairpin=yes" pod1
	bg_run agree "$NS_POD1" udp "$NODE_IP:$NP" "verdict=dnat masquerade=yes backend=pod1 hairpin=yes" pod1
	bg_run agree "$NS_EXT" tcp "$NODE_IP:$NP" \
		"verdict=dnat frontend=node-port masquerade=yes masq-reason=external-cluster backend=pod1" pod1
	bg_run agree "$NS_NODE" tcp "$SVC" "verdict=dnat origin=node masquerade=yes backend=pod1" pod1
	bg_wait
	backends rpod1
	bg_run agree "$NS_EXT" udp "$NODE_IP2:$NP" "verdict=dnat masquerade=yes backend=rpod1" rpod1
	bg_run agree "$NS_POD3" tcp "$SVC" "verdict=dnat masquerade=no backend=rpod1" rpod1
	bg_wait
}

test_init
require_cmd "$SVCADM"
sem_topo_setup
add_client_pod

ktap_plan 9
run_case "trace = packets: cluster IP from a pod" tr_cluster_ip pod3
run_case "trace = packets: cluster IP from the node" tr_cluster_ip node
run_case "trace = packets: cluster IP from outside" tr_cluster_ip ext
run_case "trace = packets: internalTrafficPolicy Local, with and without local endpoint" tr_itp_local
run_case "trace = packets: externalTrafficPolicy Local from outside, pod, node" tr_etp_local
run_case "trace = packets: LB source range hit and miss" tr_lb_range
run_case "trace = packets: no endpoints, every frontend" tr_no_endpoints
run_case "trace = packets: unknown port, accept and --unknown-port reject" tr_unknown_port
run_case "trace = packets: single backend, hairpin" tr_single_backend
ktap_done
