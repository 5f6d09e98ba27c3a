#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# External traffic, rules 10-15 of service-semantics.md: NodePort, external
# IPs and load-balancer IPs reached from an external client, from pods and
# from the node itself, with externalTrafficPolicy Cluster and Local, with
# and without local endpoints and cluster CIDR; load-balancer source ranges;
# which node addresses serve a NodePort (every one, one added later, never
# loopback, the --nodeport-address filter); a service without NodePort; the
# external IPs of a ClusterIP service; headless services refused.
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#                         svcnat, dummy0 192.168.77.1/32      br 10.244.2.1/24
#                         br-pod 10.244.1.1/24                 |-- rpod1 10.244.2.11
#                           |-- pod1 10.244.1.11  (local)      `-- rpod2 10.244.2.12
#                           |-- pod2 10.244.1.12  (local)      (remote backends)
#                           `-- pod3 10.244.1.13  (client only, no backend)
#
#   node: 10.96.0.0/12 and 198.51.100.0/24 dev dummy0; a backend with id
#         "node" listens on the NodePort (and the next port): it answers
#         what svcnat leaves alone to a node address.
#
# The service (TCP and UDP): cluster IP 10.96.0.10:8081, NodePort 30080,
# external IP 198.51.100.20:8081, load-balancer IP 198.51.100.10:8081;
# backends port 80 of pod1, pod2 (--local), rpod1, rpod2. Each case
# programs the frontends and policies it is about.
#
# Every check opens real connections and looks at which backends answered
# (pod1, pod2 = local; rpod1, rpod2 = remote; node = left alone) and at the
# source they saw: "own" (the client's own address: ext 10.0.1.2, pod3
# 10.244.1.13) or "masq" (an address of the node). Pod-origin traffic comes
# from pod3, which is no backend, so that no connection is a hairpin (rule
# 9, which masquerades) and "own" stays exact. A drop is a connection with
# no answer at all (no ICMP, no RST), checked with the service's counter
# where a packet left alone would vanish as well.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_topo.sh"

NP=30080			# NodePort
EIP=198.51.100.20		# external IP
LBIP=198.51.100.10		# load-balancer IP

# ------------------------------------------------------------- helpers

# reprogram OPTS: edit-service both services to exactly OPTS.
reprogram() {
	nodeadm apply -f - <<-EOF || fail "cannot edit the services: $1"
	edit-service -t $SVC $1
	edit-service -u $SVC $1
	EOF
}

# conns NS IDS SRC DST...: expect_conn over TCP to every DST and over UDP
# to the first one, all at once; enough connections each that every one of
# IDS is hit (hit_count).
conns() {
	local ns=$1 ids=$2 src=$3 dst n
	local BG_CHECKS=()

	shift 3
	hit_count "$ids"
	n=$REPLY
	for dst; do
		bg_run expect_conn "$ns" tcp "$dst" $n "$ids" "$src"
	done
	bg_run expect_conn "$ns" udp "$1" $n "$ids" "$src"
	bg_wait "connections from ${ns##*-}: not all as expected"
}

# dropped NS DST...: sem_dropped over TCP and UDP.
dropped() {
	sem_dropped "$1" "tcp udp" "${@:2}"
}

# left_alone NS PROTOS DST...: every DST answered by the node's own socket
# (id "node") seeing the client's address: svcnat did not translate it.
# (UDP only where the node answers from DST: svcnat-backend's UDP socket
# replies from the address of the route back, so a UDP client of
# 192.168.77.1 from ext would not take the answer.)
left_alone() {
	local ns=$1 protos=$2 dst p
	local BG_CHECKS=()

	shift 2
	for dst; do
		for p in $protos; do
			bg_run expect_conn "$ns" "$p" "$dst" 2 node own "$p $dst from ${ns##*-} (left alone)"
		done
	done
	bg_wait "some connections from ${ns##*-} were not left alone"
}

# ------------------------------------------------------- rule 10

# eTP Cluster: every external frontend uses the whole cluster set and is
# masqueraded, whoever the client is; from a pod the cluster IP of the same
# service is not (rule 7), which shows it is the frontend that decides.
etp_cluster() {
	local ns cluster_src=masq

	sem_reset
	program "--node-port $NP --external-ip $EIP --lb-ip $LBIP"
	ns=$(pod_ns "$1")
	[ "$1" != pod3 ] || cluster_src=own
	bg_run conns "$ns" $ALL masq "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
	bg_run conns "$ns" $ALL $cluster_src "$SVC"
	bg_wait
}

# ------------------------------------------------------- rule 11

EXT_LOCAL="--node-port $NP --external-ip $EIP --lb-ip $LBIP --external-policy local"

# eTP Local, local endpoints pod1 and pod2 exist: an external client gets
# only those, with its address kept; a pod gets the whole cluster set, not
# masqueraded; the node the whole cluster set, masqueraded. The cluster IP
# ignores the external policy: the whole set, masqueraded from outside.
etp_local() {
	local ns

	sem_reset
	program "$EXT_LOCAL"
	ns=$(pod_ns "$1")
	case $1 in
	ext)
		bg_run conns "$ns" $LOCALS own "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
		bg_run conns "$ns" $ALL masq "$SVC"
		;;
	pod3)
		bg_run conns "$ns" $ALL own "$NODE_IP:$NP" "$NODE_POD_IP:$NP"
		bg_run conns "$ns" $ALL own "$EIP:$VPORT" "$LBIP:$VPORT"
		;;
	node)
		bg_run conns "$ns" $ALL masq "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
		;;
	esac
	bg_wait
}

# eTP Local without local endpoint (rpod1, rpod2 only): only the external
# client is dropped (NodePort: not the node's own socket either), and
# counted; pods and the node still reach the remote endpoints.
etp_local_none() {
	sem_reset
	node_listen "$NP"
	program "$EXT_LOCAL" "rpod1 rpod2"
	bg_run dropped "$NS_EXT" "$NODE_IP:$NP" "$NODE_IP2:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
	bg_run conns "$NS_POD3" $REMOTES own "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
	bg_run conns "$NS_NODE" $REMOTES masq "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
	bg_run conns "$NS_EXT" $REMOTES masq "$SVC"
	bg_wait
	stats_ge tcp "$SVC" dropped-no-local 4
	stats_ge udp "$SVC" dropped-no-local 4
	# a local endpoint comes back: served again, client address kept
	backends "pod2 rpod1 rpod2"
	conns "$NS_EXT" pod2 own "$NODE_IP:$NP" "$LBIP:$VPORT"
}

# No cluster CIDR: pods are not recognised, they are "other" sources: the
# local set only, address kept, dropped without local endpoint. The node
# keeps its short-cut to the cluster set.
etp_local_no_cidr() {
	sem_reset
	nodeadm set-config --no-cluster-cidr
	program "$EXT_LOCAL"
	bg_run conns "$NS_POD3" $LOCALS own "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
	bg_run conns "$NS_NODE" $ALL masq "$NODE_IP:$NP" "$LBIP:$VPORT"
	bg_wait
	backends "rpod1 rpod2"
	bg_run dropped "$NS_POD3" "$NODE_IP:$NP" "$EIP:$VPORT" "$LBIP:$VPORT"
	bg_run conns "$NS_NODE" $REMOTES masq "$NODE_IP:$NP" "$LBIP:$VPORT"
	bg_wait
	stats_ge tcp "$SVC" dropped-no-local 3
}

# ------------------------------------------------------- rule 12

# A source outside the ranges is dropped on the LB IP, pods and the node
# included; the NodePort, the external IP and the cluster IP of the same
# service ignore the ranges.
lb_ranges() {
	sem_reset
	program "--node-port $NP --external-ip $EIP --lb-ip $LBIP --source-range 10.0.1.0/24"
	bg_run conns "$NS_EXT" $ALL masq "$LBIP:$VPORT"
	bg_run dropped "$NS_POD3" "$LBIP:$VPORT"
	bg_run dropped "$NS_NODE" "$LBIP:$VPORT"
	bg_run conns "$NS_POD3" $ALL masq "$NODE_IP:$NP" "$EIP:$VPORT"
	bg_run conns "$NS_POD3" $ALL own "$SVC"
	bg_run conns "$NS_NODE" $ALL masq "$NODE_IP:$NP" "$EIP:$VPORT" "$SVC"
	bg_wait
	stats_ge tcp "$SVC" dropped-source-range 2
	stats_ge udp "$SVC" dropped-source-range 2
}

# Ranges that hold the pods (remote ones too) and not ext turn it around;
# several ranges add up; without ranges everyone is served.
lb_ranges_pods() {
	sem_reset
	program "--lb-ip $LBIP --source-range 10.244.0.0/16"
	bg_run conns "$NS_POD3" $ALL masq "$LBIP:$VPORT"
	bg_run expect_conn "$NS_RPOD1" tcp "$LBIP:$VPORT" 48 $ALL masq
	bg_run dropped "$NS_EXT" "$LBIP:$VPORT"
	bg_wait
	reprogram "--lb-ip $LBIP --source-range 10.244.1.0/24 --source-range $EXT_IP/32"
	bg_run conns "$NS_EXT" $ALL masq "$LBIP:$VPORT"
	bg_run conns "$NS_POD3" $ALL masq "$LBIP:$VPORT"
	bg_run dropped "$NS_RPOD1" "$LBIP:$VPORT"
	bg_wait
	reprogram "--lb-ip $LBIP"
	bg_run conns "$NS_EXT" $ALL masq "$LBIP:$VPORT"
	bg_run conns "$NS_POD3" $ALL masq "$LBIP:$VPORT"
	bg_run conns "$NS_NODE" $ALL masq "$LBIP:$VPORT"
	bg_wait
}

# The exception: when a node address is inside the ranges, a source that is
# one of the service's own LB IPs passes. ext gets 198.51.100.43 and .44
# and sends to the LB IP .42 from them; the node routes them back to ext.
LB1=198.51.100.42 LB2=198.51.100.43 NOT_LB=198.51.100.44
lb_ranges_own_lb_source() {
	sem_reset
	ip -n "$NS_EXT" -b - <<-EOF
	addr add $LB2/32 dev lo
	addr add $NOT_LB/32 dev lo
	route add $LB1/32 via $NODE_IP src $LB2
	EOF
	ip -n "$NS_NODE" -b - <<-EOF
	route add $LB2/32 via $EXT_IP
	route add $NOT_LB/32 via $EXT_IP
	EOF
	program "--lb-ip $LB1 --lb-ip $LB2 --source-range $NODE_IP2/32"
	conns "$NS_EXT" $ALL masq "$LB1:$VPORT"
	# a source that is no LB IP of the service stays outside
	ip -n "$NS_EXT" route replace "$LB1/32" via "$NODE_IP" src "$NOT_LB"
	dropped "$NS_EXT" "$LB1:$VPORT"
	# no node address inside the ranges: no exception
	ip -n "$NS_EXT" route replace "$LB1/32" via "$NODE_IP" src "$LB2"
	reprogram "--lb-ip $LB1 --lb-ip $LB2 --source-range 192.0.2.0/24"
	dropped "$NS_EXT" "$LB1:$VPORT"
	stats_ge tcp "$SVC" dropped-source-range 2
	ip -n "$NS_EXT" -b - <<-EOF
	route del $LB1/32
	addr del $LB2/32 dev lo
	addr del $NOT_LB/32 dev lo
	EOF
	ip -n "$NS_NODE" -b - <<-EOF
	route del $LB2/32
	route del $NOT_LB/32
	EOF
}

# ------------------------------------------------------- rule 13

# The NodePort answers on every node address, from every origin; the port
# next to it is not a service (the node's own socket answers).
nodeport_addresses() {
	sem_reset
	node_listen $((NP + 1))
	program "--node-port $NP"
	bg_run conns "$NS_EXT" $ALL masq "$NODE_IP:$NP" "$NODE_IP2:$NP"
	bg_run conns "$NS_POD3" $ALL masq "$NODE_POD_IP:$NP" "$NODE_IP:$NP" "$NODE_IP2:$NP"
	bg_run expect_conn "$NS_RPOD1" tcp "$NODE_RN_IP:$NP" 48 $ALL masq
	bg_run conns "$NS_NODE" $ALL masq "$NODE_IP:$NP" "$NODE_IP2:$NP"
	bg_run left_alone "$NS_EXT" "tcp udp" "$NODE_IP:$((NP + 1))"
	bg_wait
}

# An address the node gets after the service was programmed serves the
# NodePort at once; once removed, nothing answers there any more.
nodeport_new_address() {
	local new=192.168.77.2 out

	sem_reset
	program "--node-port $NP"
	ip -n "$NS_NODE" addr add "$new/32" dev dummy0
	NODE_ADDRS+=("$new")
	bg_run conns "$NS_EXT" $ALL masq "$new:$NP"
	bg_run conns "$NS_NODE" $ALL masq "$new:$NP"
	bg_wait
	ip -n "$NS_NODE" addr del "$new/32" dev dummy0
	out=$(probe "$NS_EXT" tcp "$new:$NP" 1 1000)
	[[ ! $out =~ pod|node ]] || fail "tcp $new:$NP after the address went: $out"
	info "tcp $new:$NP after the address went: $out"
}

# Loopback does not serve NodePorts: the node's own socket answers
# 127.0.0.1, while the same connection to 10.0.1.1 is the service.
nodeport_not_loopback() {
	sem_reset
	node_listen "$NP"
	program "--node-port $NP"
	bg_run left_alone "$NS_NODE" "tcp udp" "127.0.0.1:$NP"
	bg_run conns "$NS_NODE" $ALL masq "$NODE_IP:$NP"
	bg_wait
}

# --nodeport-address limits the NodePort to the node addresses inside the
# CIDRs; the others are left alone (the node's socket answers); an empty
# list serves every address again.
nodeport_filter() {
	sem_reset
	node_listen "$NP"
	program "--node-port $NP"
	nodeadm set-config --nodeport-address 10.0.1.0/24
	bg_run conns "$NS_EXT" $ALL masq "$NODE_IP:$NP"
	bg_run conns "$NS_POD3" $ALL masq "$NODE_IP:$NP"
	bg_run left_alone "$NS_EXT" tcp "$NODE_IP2:$NP"
	bg_run left_alone "$NS_POD3" "tcp udp" "$NODE_POD_IP:$NP"
	bg_run left_alone "$NS_NODE" "tcp udp" "$NODE_IP2:$NP"
	bg_wait
	nodeadm set-config --nodeport-address 192.168.77.0/24 --nodeport-address 10.244.1.0/24
	bg_run conns "$NS_EXT" $ALL masq "$NODE_IP2:$NP"
	bg_run conns "$NS_POD3" $ALL masq "$NODE_POD_IP:$NP"
	bg_run conns "$NS_NODE" $ALL masq "$NODE_IP2:$NP"
	bg_run left_alone "$NS_EXT" "tcp udp" "$NODE_IP:$NP"
	bg_wait
	nodeadm set-config --no-nodeport-address
	conns "$NS_EXT" $ALL masq "$NODE_IP:$NP" "$NODE_IP2:$NP"
}

# ------------------------------------------------------- rule 14

# No --node-port, no NodePort frontend (the node's socket answers the
# port); edit-service adds it and takes it away again. The external IP and
# the cluster IP are served all along.
no_nodeport() {
	sem_reset
	node_listen "$NP"
	program "--external-ip $EIP"
	left_alone "$NS_EXT" "tcp udp" "$NODE_IP:$NP"
	reprogram "--external-ip $EIP --node-port $NP"
	conns "$NS_EXT" $ALL masq "$NODE_IP:$NP"
	reprogram "--external-ip $EIP"
	bg_run left_alone "$NS_EXT" "tcp udp" "$NODE_IP:$NP"
	bg_run conns "$NS_EXT" $ALL masq "$EIP:$VPORT" "$SVC"
	bg_wait
}

# The external IPs of a ClusterIP service (no NodePort, no policy given)
# are external traffic with policy Cluster: the whole set, masqueraded from
# pods too, while the cluster IP from a pod is not.
cluster_ip_external_ips() {
	sem_reset
	program "--external-ip $EIP --external-ip 198.51.100.21"
	bg_run conns "$NS_EXT" $ALL masq "$EIP:$VPORT" "198.51.100.21:$VPORT"
	bg_run conns "$NS_POD3" $ALL masq "$EIP:$VPORT" "198.51.100.21:$VPORT"
	bg_run conns "$NS_NODE" $ALL masq "$EIP:$VPORT"
	bg_run conns "$NS_POD3" $ALL own "$SVC"
	bg_wait
}

# ------------------------------------------------------- rule 15

# Headless services (clusterIP None) and services without a cluster IP
# cannot be expressed: usage error, a message that says why, nothing added.
headless() {
	local out rc help arg

	sem_reset
	for arg in None:$VPORT none:$VPORT ":$VPORT"; do
		rc=0
		out=$(nodeadm add-service -t "$arg" --node-port "$NP" 2>&1) || rc=$?
		info "add-service -t $arg: exit $rc: $out"
		assert_eq "$rc" 2 "exit status of add-service -t $arg"
		assert_match "$out" "^svcadm: " "message of add-service -t $arg"
		if [ "$arg" != ":$VPORT" ]; then
			assert_match "${out,,}" "headless" "add-service -t $arg names headless services"
		fi
	done
	rc=0
	out=$(nodeadm apply -f - <<<"add-service -u None:53" 2>&1) || rc=$?
	assert_eq "$rc" 2 "exit status of apply with add-service -u None:53"
	assert_match "${out,,}" "line 1: .*headless" "apply names the line and headless services"
	help=$(nodeadm add-service --help 2>&1)
	assert_match "${help,,}" "headless" "add-service --help mentions headless services"
	out=$(nodeadm list -n)
	assert_no_match "$out" "(TCP|UDP) " "services after the refused commands"
}

test_init
require_cmd "$SVCADM"
sem_topo_setup
add_client_pod

ktap_plan 18
run_case "rule 10: eTP Cluster, NodePort/extIP/LB from ext: all backends, masqueraded" etp_cluster ext
run_case "rule 10: eTP Cluster, NodePort/extIP/LB from a pod: all, masqueraded (cluster IP not)" etp_cluster pod3
run_case "rule 10: eTP Cluster, NodePort/extIP/LB from the node: all backends, masqueraded" etp_cluster node
run_case "rule 11: eTP Local from ext: local endpoints only, client address kept" etp_local ext
run_case "rule 11: eTP Local from a pod: whole cluster set, not masqueraded" etp_local pod3
run_case "rule 11: eTP Local from the node: whole cluster set, masqueraded" etp_local node
run_case "rule 11: eTP Local, no local endpoint: ext dropped, pods and node served" etp_local_none
run_case "rule 11: eTP Local, no cluster CIDR: pods are other sources (local set, drop)" etp_local_no_cidr
run_case "rule 12: LB source ranges: outside dropped (pods, node), not on NodePort/extIP/cluster IP" lb_ranges
run_case "rule 12: LB source ranges with pods in them; several ranges; no ranges" lb_ranges_pods
run_case "rule 12: LB source ranges: the service's own LB IP as source with a node address inside" lb_ranges_own_lb_source
run_case "rule 13: NodePort on every node address from ext, pods and the node" nodeport_addresses
run_case "rule 13: NodePort on an address added later, not after it is removed" nodeport_new_address
run_case "rule 13: NodePort not served on loopback" nodeport_not_loopback
run_case "rule 13: --nodeport-address limits the NodePort to the addresses inside" nodeport_filter
run_case "rule 14: no --node-port, no NodePort frontend; edit-service adds and removes it" no_nodeport
run_case "rule 14: external IPs of a ClusterIP service: external traffic, policy Cluster" cluster_ip_external_ips
run_case "rule 15: headless services (no cluster IP) are refused with a clear message" headless
ktap_done
