# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2119 # variables for the tests; svcnat_load without args
#
# The Service-semantics topology shared by test_sem_*.sh and test_trace.sh:
# a node running svcnat with several addresses, pods on the node, pods on a
# "remote node" routed through it, and an external client. Source it after
# (or instead of) lib.sh:
#
#	. "$(dirname "$0")/lib_topo.sh"
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#   default via           ip_forward=1, svcnat                ip_forward=1
#   10.0.1.1              dummy0 192.168.77.1/32              br-pod 10.244.2.1/24
#                         br-pod 10.244.1.1/24                 |-- rpod1 10.244.2.11
#                           |-- pod1 10.244.1.11  (local)      `-- rpod2 10.244.2.12
#                           |-- pod2 10.244.1.12  (local)      (remote backends)
#                           `-- pod3 10.244.1.13  (add_client_pod: a client,
#                                                  no backend)
#
#   node:  icmp_ratelimit=0 (rejects are never rate-limited),
#          10.96.0.0/12 dev dummy0, 198.51.100.0/24 dev dummy0 (cluster IPs,
#          external and LB IPs: left alone, they vanish into dummy0),
#          10.244.2.0/24 via 10.0.3.2; no default route
#   rnode: 10.244.1.0/24 and 10.0.1.0/24 via 10.0.3.1, default via 10.0.3.1
#   pods:  ADDR/32 on eth0, default via the bridge address (onlink), so that
#          all pod traffic, pod to pod on the same bridge included, is routed
#          by the (r)node and never short-cuts a service's return path
#          (br_netfilter is not needed)
#
# The same topology in IPv6, next to IPv4 on the same links (dual stack):
#
#   ext fd00:1::2/64 -- fd00:1::1/64 [ node ] fd00:3::1/64 -- fd00:3::2/64 [ rnode ]
#   default via           dummy0 fd00:77::1/128             br-pod fd00:244:2::1/64
#   fd00:1::1             br-pod fd00:244:1::1/64             |-- rpod1 fd00:244:2::11
#                           |-- pod1 fd00:244:1::11           `-- rpod2 fd00:244:2::12
#                           |-- pod2 fd00:244:1::12
#                           `-- pod3 fd00:244:1::13
#
#   node:  forwarding=1, net.ipv6.icmp.ratelimit=0; fd00:96::/112 (service
#          CIDR) and 2001:db8:100::/64 (external and LB IPs) dev dummy0,
#          fd00:244:2::/64 via fd00:3::2
#   rnode: forwarding=1; fd00:244:1::/64 and fd00:1::/64 via fd00:3::1,
#          default via fd00:3::1
#   pods:  ADDR/128 on eth0, default via the bridge address, as in IPv4;
#          accept_redirects=0 on eth0 (a router cannot stop sending ICMPv6
#          redirects; one taken by a backend pod would make it answer a pod
#          on its bridge directly, past the node that must undo the DNAT)
#   Every address is added with nodad, and no interface makes its own
#   link-local address (addrgenmode none): those that route get fe80::1
#   (node, rnode) or fe80::2, fe80::1X (the other end) without DAD, so that
#   the topology works at once, with no tentative address.
#   Cluster CIDR fd00:244::/32 ($CLUSTER_CIDR6; sem_reset sets it when
#   SEM_CLUSTER_CIDRS holds it), service CIDR fd00:96::/112.
#
# Every pod runs svcnat-backend on TCP and UDP port 80 ($BE_PORT), IPv4 and
# IPv6 (and SCTP after sem_topo_setup sctp) with its name as id (pod1,
# pod2, rpod1, rpod2): it answers "<id> <source it saw>" and echoes.
# Backends of services: pod1, pod2 are local (svcadm --local), rpod1, rpod2
# are remote. Node-origin traffic is a client run in $NS_NODE.
#
# Source addresses a backend sees: the client's own address (not
# masqueraded), or, masqueraded, the node's address on the way to it:
# 10.244.1.1 ($NODE_POD_IP) for pod1/pod2, 10.0.3.1 ($NODE_RN_IP) for
# rpod1/rpod2. The node's own connections to a cluster IP, external IP or
# LB IP leave with 192.168.77.1 ($NODE_IP2, dummy0) as source. In IPv6:
# fd00:244:1::1, fd00:3::1 and fd00:77::1.
#
# Limits of the topology: the remote node runs no svcnat, so the reply of a
# remote backend to a non-masqueraded remote pod goes straight back through
# rnode, not through the node: rpod -> service -> rpod only works when
# masqueraded. Tests use node-local backends for rpod sources.
#
# The service the tests program is $SVC (cluster IP 10.96.0.10:8081), TCP
# and/or UDP, with backends port $BE_PORT of the pods; in IPv6 $SVC6
# ([fd00:96::10]:8081).
#
# Protocols: helpers take tcp, udp, sctp (or t, u, s); an ADDR:PORT in
# brackets ([fd00:96::10]:8081) is IPv6, and the backends of an IPv6
# service are the pods' IPv6 addresses.
#
# Helpers (details at each function):
#   sem_topo_setup [sctp]  load svcnat, build the topology, start the backends
#   add_client_pod      pod3, a pod on the node that is no backend
#   sem_reset           flush services, default node config + cluster CIDR
#   be_lines PROTOS ADDR:PORT BACKEND...    apply lines adding backends
#   svc PROTOS ADDR:PORT OPTS BACKEND...    apply lines adding services
#   program OPTS [IDS]  add the TCP and UDP service $SVC (one svcadm apply)
#   backends IDS        replace the backends of both
#   probe NS PROTO DST:PORT [COUNT]      "IDS SRC" or how it failed
#   expect_conn NS PROTO DST:PORT COUNT IDS own|masq [WHAT]
#   expect_reject NS PROTOS DST:PORT [WHAT]   ICMP (ICMPv6) port unreachable
#   expect_drop NS PROTOS DST:PORT [WHAT]     no answer at all
#   node_listen PORT...  a backend with id "node" in the node namespace
#   dummy_tx            packets the node sent into dummy0 (left alone)
#   svc_stats PROTO ADDR:PORT / node_stats    counters into STATS[]
#   stats_ge PROTO ADDR:PORT KEY N [MAX]      a counter is >= N (<= MAX)
#   hit_count IDS       how many connections reach every one of IDS
#   bg_run CMD ARGS... / bg_wait    checks that run at once

if [ "$(type -t run_case)" != function ]; then
	# shellcheck source=lib.sh
	. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
fi

EXT_IP=10.0.1.2		# external client
NODE_IP=10.0.1.1	# node, towards ext (v-ext)
NODE_IP2=192.168.77.1	# node, second address (dummy0, /32)
NODE_RN_IP=10.0.3.1	# node, towards rnode (v-rnode)
NODE_POD_IP=10.244.1.1	# node, br-pod (gateway of pod1, pod2)
RNODE_IP=10.0.3.2	# remote node (eth0)
RNODE_POD_IP=10.244.2.1	# remote node, br (gateway of rpod1, rpod2)
POD1_IP=10.244.1.11
POD2_IP=10.244.1.12
RPOD1_IP=10.244.2.11
RPOD2_IP=10.244.2.12
POD3_IP=10.244.1.13	# add_client_pod: a client, no backend
CLUSTER_CIDR=10.244.0.0/16
SERVICE_CIDR=10.96.0.0/12
BE_PORT=80		# port of the backends in the pods
SVC=$VIP:$VPORT		# the service: cluster IP:port (10.96.0.10:8081)
ALL=pod1,pod2,rpod1,rpod2	# backend id lists, sorted as probe prints them
LOCALS=pod1,pod2
REMOTES=rpod1,rpod2

# IPv6 (dual stack, see above)
EXT_IP6=fd00:1::2
NODE_IP6=fd00:1::1
NODE_IP2_6=fd00:77::1	# dummy0
NODE_RN_IP6=fd00:3::1
NODE_POD_IP6=fd00:244:1::1
RNODE_IP6=fd00:3::2
RNODE_POD_IP6=fd00:244:2::1
POD1_IP6=fd00:244:1::11
POD2_IP6=fd00:244:1::12
POD3_IP6=fd00:244:1::13
RPOD1_IP6=fd00:244:2::11
RPOD2_IP6=fd00:244:2::12
CLUSTER_CIDR6=fd00:244::/32
SERVICE_CIDR6=fd00:96::/112
EXT_RANGE6=2001:db8:100::/64	# external and LB IPs, routed to dummy0
VIP6=fd00:96::10
SVC6="[$VIP6]:$VPORT"

# The cluster CIDRs sem_reset sets (a test of IPv6 adds $CLUSTER_CIDR6).
SEM_CLUSTER_CIDRS=$CLUSTER_CIDR
# svcnat-backend serves SCTP too (sem_topo_setup sctp)
TOPO_SCTP=

NS_EXT='' NS_RNODE='' NS_POD1='' NS_POD2='' NS_RPOD1='' NS_RPOD2='' NS_POD3=''

# Addresses the node masquerades to: a source seen by a backend that is one
# of these (and not the client's own address) counts as "masq". Tests that
# give the node another address add it here.
NODE_ADDRS=("$NODE_IP" "$NODE_IP2" "$NODE_RN_IP" "$NODE_POD_IP"
	"$NODE_IP6" "$NODE_IP2_6" "$NODE_RN_IP6" "$NODE_POD_IP6")

# Default timeouts of probe (ms): a connection that is expected to work, and
# one whose failure is expected (a drop is a timeout: keep it short).
PROBE_WAIT_MS=3000
PROBE_DROP_MS=1500

# sem_topo_setup [sctp]: load svcnat (if not loaded), build the topology
# above (one ip -batch per namespace) and start the four pod backends; with
# sctp they (and node_listen) serve SCTP as well, after loading the sctp
# module (the test is skipped without it).
sem_topo_setup() {
	local start=$EPOCHREALTIME p

	if [ "${1:-}" = sctp ]; then
		[ -d /sys/module/sctp ] || modprobe sctp 2>/dev/null ||
			skip "cannot load the sctp module"
		TOPO_SCTP=-S
	fi
	svcnat_load
	NS_EXT=$(ns_name ext)
	NS_NODE=$(ns_name node)
	NS_RNODE=$(ns_name rnode)
	NS_POD1=$(ns_name pod1)
	NS_POD2=$(ns_name pod2)
	NS_RPOD1=$(ns_name rpod1)
	NS_RPOD2=$(ns_name rpod2)
	NS_LIST+=("$NS_EXT" "$NS_NODE" "$NS_RNODE" "$NS_POD1" "$NS_POD2" "$NS_RPOD1" "$NS_RPOD2")
	ip -b - <<-EOF || fail "topology: cannot create netns and links"
	netns add $NS_EXT
	netns add $NS_NODE
	netns add $NS_RNODE
	netns add $NS_POD1
	netns add $NS_POD2
	netns add $NS_RPOD1
	netns add $NS_RPOD2
	link add name eth0 netns $NS_EXT type veth peer name v-ext netns $NS_NODE
	link add name eth0 netns $NS_RNODE type veth peer name v-rnode netns $NS_NODE
	link add name eth0 netns $NS_POD1 type veth peer name v-pod1 netns $NS_NODE
	link add name eth0 netns $NS_POD2 type veth peer name v-pod2 netns $NS_NODE
	link add name eth0 netns $NS_RPOD1 type veth peer name v-rpod1 netns $NS_RNODE
	link add name eth0 netns $NS_RPOD2 type veth peer name v-rpod2 netns $NS_RNODE
	EOF
	ip -n "$NS_EXT" -b - <<-EOF || fail "topology: ext"
	link set lo up
	link set eth0 addrgenmode none
	addr add $EXT_IP/24 dev eth0
	addr add $EXT_IP6/64 dev eth0 nodad
	addr add fe80::2/64 dev eth0 nodad
	link set eth0 up
	route add default via $NODE_IP
	route add ::/0 via $NODE_IP6
	EOF
	ip -n "$NS_NODE" -b - <<-EOF || fail "topology: node"
	link set lo up
	link add name br-pod type bridge forward_delay 0
	link add name dummy0 type dummy
	link set v-ext addrgenmode none
	link set v-rnode addrgenmode none
	link set v-pod1 addrgenmode none
	link set v-pod2 addrgenmode none
	link set br-pod addrgenmode none
	link set dummy0 addrgenmode none
	addr add $NODE_IP/24 dev v-ext
	addr add $NODE_RN_IP/24 dev v-rnode
	addr add $NODE_POD_IP/24 dev br-pod
	addr add $NODE_IP2/32 dev dummy0
	addr add $NODE_IP6/64 dev v-ext nodad
	addr add $NODE_RN_IP6/64 dev v-rnode nodad
	addr add $NODE_POD_IP6/64 dev br-pod nodad
	addr add $NODE_IP2_6/128 dev dummy0 nodad
	addr add fe80::1/64 dev v-ext nodad
	addr add fe80::1/64 dev v-rnode nodad
	addr add fe80::1/64 dev br-pod nodad
	link set v-pod1 master br-pod
	link set v-pod2 master br-pod
	link set v-ext up
	link set v-rnode up
	link set v-pod1 up
	link set v-pod2 up
	link set br-pod up
	link set dummy0 up
	route add $SERVICE_CIDR dev dummy0
	route add 198.51.100.0/24 dev dummy0
	route add 10.244.2.0/24 via $RNODE_IP
	route add $SERVICE_CIDR6 dev dummy0
	route add $EXT_RANGE6 dev dummy0
	route add fd00:244:2::/64 via $RNODE_IP6
	EOF
	ip -n "$NS_RNODE" -b - <<-EOF || fail "topology: rnode"
	link set lo up
	link add name br-pod type bridge forward_delay 0
	link set eth0 addrgenmode none
	link set v-rpod1 addrgenmode none
	link set v-rpod2 addrgenmode none
	link set br-pod addrgenmode none
	addr add $RNODE_IP/24 dev eth0
	addr add $RNODE_POD_IP/24 dev br-pod
	addr add $RNODE_IP6/64 dev eth0 nodad
	addr add $RNODE_POD_IP6/64 dev br-pod nodad
	addr add fe80::2/64 dev eth0 nodad
	addr add fe80::1/64 dev br-pod nodad
	link set v-rpod1 master br-pod
	link set v-rpod2 master br-pod
	link set eth0 up
	link set v-rpod1 up
	link set v-rpod2 up
	link set br-pod up
	route add 10.244.1.0/24 via $NODE_RN_IP
	route add 10.0.1.0/24 via $NODE_RN_IP
	route add default via $NODE_RN_IP
	route add fd00:244:1::/64 via $NODE_RN_IP6
	route add fd00:1::/64 via $NODE_RN_IP6
	route add ::/0 via $NODE_RN_IP6
	EOF
	for p in POD1:$NODE_POD_IP POD2:$NODE_POD_IP RPOD1:$RNODE_POD_IP RPOD2:$RNODE_POD_IP; do
		_pod_addrs "${p%%:*}" "${p#*:}"
	done
	# No ICMP redirects for pod -> node -> pod on the same bridge. No rate
	# limit on the ICMP errors the node sends (svcnat's rejects): by
	# default a destination gets a burst of 6, then 1 per second. IPv6
	# cannot stop a router's redirects: the pods ignore them instead (a
	# backend pod would otherwise answer a pod on its bridge directly,
	# past the node that must undo the DNAT). All at once: a process in
	# a namespace costs ~150 ms under TCG.
	ip netns exec "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.br-pod.send_redirects=0 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0 &
	p=$!
	ip netns exec "$NS_RNODE" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.br-pod.send_redirects=0 \
		net.ipv6.conf.all.forwarding=1 ||
		fail "topology: rnode sysctls"
	wait "$p" || fail "topology: node sysctls"
	_pod_sysctls "$NS_POD1" "$NS_POD2" "$NS_RPOD1" "$NS_RPOD2"
	spawn "$SVCNAT_BACKEND" -p "$BE_PORT" ${TOPO_SCTP:+"$TOPO_SCTP"} pod1@"$NS_POD1" pod2@"$NS_POD2" \
		rpod1@"$NS_RPOD1" rpod2@"$NS_RPOD2"
	for p in "$NS_POD1" "$NS_POD2" "$NS_RPOD1" "$NS_RPOD2"; do
		wait_listener "$p" tcp+udp "$BE_PORT"
	done
	info "topology: $(elapsed "$start") s"
}

# _pod_addrs POD GW: the addresses of pod POD (POD1, ..., POD3, in
# NS_POD, address POD_IP and POD_IP6): POD_IP/32 on eth0, default via GW
# onlink; POD_IP6/128, default via GW's IPv6 twin (GW_IP6); link-local
# fe80::1X (pod X, rpod X + 0).
_pod_addrs() {
	local ns=NS_$1 ip=$1_IP ip6=$1_IP6 gw6

	gw6=$NODE_POD_IP6
	[ "$2" = "$NODE_POD_IP" ] || gw6=$RNODE_POD_IP6
	ip -n "${!ns}" -b - <<-EOF || fail "topology: ${1,,} addresses"
	link set lo up
	link set eth0 addrgenmode none
	addr add ${!ip}/32 dev eth0
	addr add ${!ip6}/128 dev eth0 nodad
	addr add fe80::1${1: -1}/64 dev eth0 nodad
	link set eth0 up
	route add $2 dev eth0 scope link
	route add default via $2 dev eth0 onlink
	route add $gw6/128 dev eth0
	route add ::/0 via $gw6 dev eth0
	EOF
}

# _pod_sysctls NS...: the pods in NS... ignore ICMPv6 redirects (all at
# once).
_pod_sysctls() {
	local ns pids=() p

	for ns; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_redirects=0 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "topology: pod sysctls"
	done
}

# add_client_pod: pod3 ($NS_POD3, $POD3_IP), a pod on the node's bridge
# that is no backend: pod-origin traffic that is never a hairpin.
add_client_pod() {
	NS_POD3=$(ns_name pod3)
	NS_LIST+=("$NS_POD3")
	ip -b - <<-EOF || fail "topology: pod3"
	netns add $NS_POD3
	link add name eth0 netns $NS_POD3 type veth peer name v-pod3 netns $NS_NODE
	EOF
	ip -n "$NS_NODE" -b - <<-EOF || fail "topology: pod3 port"
	link set v-pod3 addrgenmode none
	link set v-pod3 master br-pod
	link set v-pod3 up
	EOF
	_pod_addrs POD3 "$NODE_POD_IP"
	_pod_sysctls "$NS_POD3"
}

# sem_reset: no services, and the default node configuration with the
# cluster CIDR: every option given, as set-config only changes those given.
# One svcadm apply: its set-config lines come first, then the flush.
# The cluster CIDRs are those of SEM_CLUSTER_CIDRS (space-separated).
sem_reset() {
	local c cidrs=

	for c in $SEM_CLUSTER_CIDRS; do
		cidrs+=" --cluster-cidr $c"
	done
	nodeadm apply -f - <<-EOF || fail "svcadm apply: set-config (defaults), flush"
	set-config${cidrs} --masquerade-all off --no-nodeport-address --masq-mark 0x4000 --masq-mode snat --no-service-cidr --unknown-port accept --unallocated accept
	flush
	EOF
}

# proto_opt PROTO: REPLY = svcadm's option for PROTO (tcp or t: -t, udp or
# u: -u, sctp or s: --sctp).
proto_opt() {
	case $1 in
	t | tcp) REPLY=-t ;;
	u | udp) REPLY=-u ;;
	s | sctp) REPLY=--sctp ;;
	*) fail "unknown protocol '$1'" ;;
	esac
}

# client_proto_opt PROTO: REPLY = svcnat-client's option for PROTO.
client_proto_opt() {
	case $1 in
	t | tcp) REPLY=-t ;;
	u | udp) REPLY=-u ;;
	s | sctp) REPLY=-x ;;
	*) fail "unknown protocol '$1'" ;;
	esac
}

# be_lines PROTOS ADDR:PORT BACKEND...: svcadm apply lines adding the
# backends to the service ADDR:PORT of each of PROTOS (t, u, s, or e.g.
# "t u s"; tcp, udp, sctp too). A BACKEND is ID[,FLAG...], e.g. rpod1 or
# pod2,--not-ready,--terminating: port $BE_PORT of pod ID (its IPv6
# address for an IPv6 service, [ADDR]:PORT) with these add-backend flags;
# pod1 and pod2 get --local as well.
be_lines() {
	local protos=$1 addr=$2 p b id ip flags be

	shift 2
	for p in $protos; do
		proto_opt "$p"
		p=$REPLY
		for b; do
			id=${b%%,*}
			flags=${b#"$id"}
			flags=${flags//,/ }
			[[ $id != pod* ]] || flags=" --local$flags"
			if [[ $addr == \[* ]]; then
				ip=${id^^}_IP6
				be="[${!ip}]:$BE_PORT"
			else
				ip=${id^^}_IP
				be="${!ip}:$BE_PORT"
			fi
			printf 'add-backend %s %s -r %s%s\n' "$p" "$addr" "$be" "$flags"
		done
	done
}

# svc PROTOS ADDR:PORT "OPTIONS" BACKEND...: svcadm apply lines adding the
# service ADDR:PORT with OPTIONS for each of PROTOS (t, u, s), each
# followed by its backends (be_lines).
svc() {
	local protos=$1 addr=$2 opts=$3 p

	shift 3
	for p in $protos; do
		proto_opt "$p"
		printf 'add-service %s %s %s\n' "$REPLY" "$addr" "$opts"
		be_lines "$p" "$addr" "$@"
	done
}

# program OPTS [IDS]: add the TCP and UDP service $SVC with the frontend
# and policy options OPTS and the backends IDS (space-separated BACKENDs
# of be_lines; default all four, "" none), in one svcadm apply.
program() {
	local opts=$1 ids

	read -ra ids <<<"${2-pod1 pod2 rpod1 rpod2}"
	nodeadm apply -f - <<<"$(svc "t u" "$SVC" "$opts" "${ids[@]}")" ||
		fail "cannot program: $opts / ${ids[*]}"
}

# backends IDS: replace the backends of both services $SVC with IDS
# (space-separated, as for program).
backends() {
	local ids

	read -ra ids <<<"$1"
	nodeadm apply -f - <<-EOF || fail "cannot set the backends $1"
	set-backends -t $SVC
	set-backends -u $SVC
	$(be_lines "t u" "$SVC" "${ids[@]}")
	EOF
}

# pod_ns ID: the namespace of pod ID (pod1, pod2, pod3, rpod1, rpod2, ext,
# node).
pod_ns() {
	local v=NS_${1^^}

	printf '%s\n' "${!v}"
}

_is_node_addr() {
	local a

	for a in "${NODE_ADDRS[@]}"; do
		[ "$a" = "$1" ] && return 0
	done
	return 1
}

# probe NS PROTO DST:PORT [COUNT [WAIT_MS]]: COUNT (default 1) new
# connections (PROTO tcp, udp or sctp) from namespace NS to DST:PORT
# ([ADDR6]:PORT for IPv6), up to 4 at once. Prints one line saying what happened, and sets PROBE (that line)
# and PROBE_OUT (the client's output) when not called in $(...):
#   "IDS SRC"   every connection was answered: IDS the backend ids that
#               answered, sorted, comma-separated; SRC the source the
#               backends saw: "own" (the client's own address), "masq" (a
#               node address, $NODE_ADDRS), "src=ADDR" otherwise; several
#               joined with "+"
#   "KIND"      every connection failed: reject (ICMP or ICMPv6 port
#               unreachable), reset (TCP RST, SCTP ABORT), timeout (no
#               answer), unreach/CODE (another ICMP/ICMPv6 unreachable),
#               error; several joined with "+"
#   "IDS SRC +KIND"   some answered, some failed.
# E.g. "pod1,pod2 masq", "rpod1 own", "reject", "timeout".
# PROBE_PAIRS: which backend saw which source, e.g. "pod1/masq,pod2/own".
PROBE=
PROBE_OUT=
PROBE_PAIRS=
PROBE_START=$EPOCHREALTIME
probe() {
	local ns=$1 proto=$2 dst=$3 count=${4:-1} wait=${5:-$PROBE_WAIT_MS}
	local par=$count kw idx p kind id seen lcl a ids srcs kinds
	local -A idset=() srcset=() kindset=() pairset=()

	((par <= 4)) || par=4
	client_proto_opt "$proto"
	PROBE_START=$EPOCHREALTIME
	PROBE_OUT=$("$SVCNAT_CLIENT" -n "$ns" "$REPLY" -R -c "$count" -P "$par" \
		-w "$wait" "$dst" 2>&1) || true
	while read -r kw idx p kind id seen lcl; do
		[ "$kw" = res ] || continue
		if [ "$kind" = ok ]; then
			idset[$id]=1
			a=${seen%:*} lcl=${lcl%:*}
			a=${a#[} a=${a%]} lcl=${lcl#[} lcl=${lcl%]}
			if [ "$a" = "$lcl" ]; then
				a=own
			elif _is_node_addr "$a"; then
				a=masq
			else
				a=src=$a
			fi
			srcset[$a]=1
			pairset[$id/$a]=1
		else
			kindset[$kind]=1
		fi
	done <<<"$PROBE_OUT"
	_join_sorted , "${!idset[@]}"
	ids=$REPLY
	_join_sorted + "${!srcset[@]}"
	srcs=$REPLY
	_join_sorted + "${!kindset[@]}"
	kinds=$REPLY
	_join_sorted , "${!pairset[@]}"
	PROBE_PAIRS=$REPLY
	if ((${#idset[@]} && ${#kindset[@]})); then
		PROBE="$ids $srcs +$kinds"
	elif ((${#idset[@]})); then
		PROBE="$ids $srcs"
	elif ((${#kindset[@]})); then
		PROBE=$kinds
	else
		PROBE="error: no result from svcnat-client: ${PROBE_OUT//$'\n'/ | }"
	fi
	printf '%s\n' "$PROBE"
}

# _join_sorted SEP WORD...: REPLY = the words sorted, joined with SEP
# (no subshell: forks are dear under TCG).
_join_sorted() {
	local sep=$1 i j t
	local -a a

	shift
	a=("$@")
	for ((i = 0; i < ${#a[@]}; i++)); do
		for ((j = i + 1; j < ${#a[@]}; j++)); do
			if [[ ${a[j]} < ${a[i]} ]]; then
				t=${a[i]} a[i]=${a[j]} a[j]=$t
			fi
		done
	done
	local IFS=$sep
	REPLY="${a[*]}"
}

# _probe_check WHAT WANT: fail unless PROBE is WANT, with the client's
# failure lines.
_probe_check() {
	local what=$1 want=$2 conn

	if [ "$PROBE" != "$want" ]; then
		conn=$(grep -E '^(conn|res .* (reject|reset|timeout|error|unreach))' <<<"$PROBE_OUT" | head -n 4)
		fail "$what: got '$PROBE', want '$want'${conn:+$NL  ${conn//$NL/$NL  }}"
	fi
	info "$what: $PROBE ($(elapsed "$PROBE_START") s)"
}

# expect_conn NS PROTO DST:PORT COUNT IDS own|masq [WHAT]: COUNT connections
# all answered, by exactly the backends IDS (comma-separated, sorted: choose
# COUNT so that each is hit, e.g. 16 for 2 backends, 40 for 4), which all
# saw the client's own address (own) or a node address (masq).
expect_conn() {
	local ns=$1 proto=$2 dst=$3 count=$4 ids=$5 src=$6
	local what=${7:-"$proto $dst from ${ns##*-}"}

	probe "$ns" "$proto" "$dst" "$count" >/dev/null
	_probe_check "$what" "$ids $src"
}

# expect_reject NSS PROTOS DST:PORT [WHAT]: one connection per namespace of
# NSS (one or several, space-separated) and protocol of PROTOS ("tcp",
# "udp", "sctp" or several, "tcp udp"), all at once; each gets an ICMP
# (ICMPv6 for an IPv6 DST) port unreachable.
expect_reject() {
	_expect_fail reject "$PROBE_WAIT_MS" "$@"
}

# expect_drop NSS PROTOS DST:PORT [WHAT]: likewise, each gets no answer at
# all within $PROBE_DROP_MS (no ICMP, no RST; a UDP datagram that the node's
# own netfilter drops, EPERM for the sender, counts as no answer).
expect_drop() {
	_expect_fail timeout "$PROBE_DROP_MS" "$@"
}

_expect_fail() {
	local want=$1 wait=$2 nss=$3 protos=$4 dst=$5 what=${6:-} ns p pids=() i=0 line
	local f=$SVCNAT_TMP/probe.$BASHPID start=$EPOCHREALTIME

	# all at once: the timeouts run in parallel
	for ns in $nss; do
		for p in $protos; do
			{
				probe "$ns" "$p" "$dst" 1 "$wait" >/dev/null
				printf '%s\n%s\n' "$PROBE" "$PROBE_OUT"
			} >"$f.$i" &
			pids+=($!)
			i=$((i + 1))
		done
	done
	i=0
	for ns in $nss; do
		for p in $protos; do
			wait "${pids[i]}" || true
			PROBE_OUT=
			{
				IFS= read -r PROBE
				while IFS= read -r line; do
					PROBE_OUT+=$line$NL
				done
			} <"$f.$i"
			i=$((i + 1))
			PROBE_START=$start
			_probe_check "${what:+$what: }$p $dst from ${ns##*-}" "$want"
		done
	done
}

# hit_count IDS: REPLY = enough connections that each backend of IDS
# (comma-separated) is hit but once in a million runs: 48 for three or
# four, 24 for two, 4 for one.
hit_count() {
	case $1 in
	*,*,*) REPLY=48 ;;
	*,*) REPLY=24 ;;
	*) REPLY=4 ;;
	esac
}

# bg_run CMD ARGS...: run a check in a background subshell, its output
# kept; bg_wait [MESSAGE] waits for all of them, prints their output in the
# order they were started, and fails (with MESSAGE) if one did. Checks that
# do not depend on each other overlap this way: their process starts and
# their timeouts. A function that runs its own batch inside a bg_run
# declares "local BG_CHECKS=()".
BG_CHECKS=()
bg_run() {
	local f=$SVCNAT_TMP/bg.$BASHPID.${#BG_CHECKS[@]}

	("$@") >"$f" 2>&1 &
	BG_CHECKS+=($!)
}

bg_wait() {
	local i bad=0 line

	for i in "${!BG_CHECKS[@]}"; do
		wait "${BG_CHECKS[i]}" || bad=1
		while IFS= read -r line; do
			printf '%s\n' "$line"
		done <"$SVCNAT_TMP/bg.$BASHPID.$i"
	done
	BG_CHECKS=()
	((!bad)) || fail "${1:-some of the checks above failed}"
}

# node_listen PORT...: a backend with id "node" in the node namespace on
# each PORT (TCP and UDP, IPv4 and IPv6, SCTP after sem_topo_setup sctp),
# until the end of the case; shows traffic that svcnat left alone to a node
# address.
node_listen() {
	local port

	for port; do
		spawn "$SVCNAT_BACKEND" -p "$port" ${TOPO_SCTP:+"$TOPO_SCTP"} node@"$NS_NODE"
	done
	for port; do
		wait_listener "$NS_NODE" tcp+udp "$port"
	done
}

# dummy_tx: REPLY = packets sent out of the node's dummy0 so far. What
# svcnat leaves alone to a cluster IP, external or LB IP ends up there (and
# vanishes): a growing count tells "left alone" from "dropped".
dummy_tx() {
	local out line next=0

	out=$(ip -n "$NS_NODE" -s link show dev dummy0) || fail "ip -s link show dummy0"
	while read -r line; do
		if ((next)); then
			read -r _ REPLY _ <<<"$line"
			return 0
		fi
		[[ $line == TX:* ]] && next=1
	done <<<"$out"
	fail "no TX counters for dummy0 in: $out"
}

# svc_stats PROTO ADDR:PORT: the counters of one service (svcadm list
# --stats) into STATS[conns], STATS[masqueraded], STATS[rejected-no-endpoints],
# STATS[dropped-no-local], STATS[dropped-source-range].
# node_stats: the node counters (svcadm show-config) into
# STATS[rejected-unknown-port], STATS[dropped-unallocated].
declare -A STATS
_parse_stats() {
	local line k v

	STATS=()
	while IFS= read -r line; do
		[[ $line =~ ^\ *stats: ]] && break
	done <<<"$1"
	[[ $line =~ ^\ *stats: ]] || fail "no stats line in: $1"
	# shellcheck disable=SC2086 # split "k v k v ..." into words
	set -- ${line#*stats:}
	while (($# >= 2)); do
		k=$1 v=$2
		shift 2
		STATS[$k]=$v
	done
}

svc_stats() {
	proto_opt "$1"
	_parse_stats "$(nodeadm list --stats -n "$REPLY" "$2")"
}

node_stats() {
	_parse_stats "$(nodeadm show-config)"
}

# stats_ge PROTO ADDR:PORT KEY N [MAX]: counter KEY of the service is at
# least N (and at most MAX).
stats_ge() {
	local v want=">= $4"

	[ -z "${5:-}" ] || want="$4..$5"
	svc_stats "$1" "$2"
	v=${STATS[$3]:--1}
	((v >= $4 && v <= ${5:-v})) || fail "counter $3 of $1 $2: ${STATS[$3]:-none}, want $want"
	info "counter $3 of $1 $2: $v ($want)"
}

# sem_conns NS IDS SRC PROTOS DST...: for each of PROTOS and each DST, at
# once, enough connections that each of IDS is hit (hit_count), all
# answered by IDS only, which saw SRC (own or masq).
sem_conns() {
	local ns=$1 ids=$2 src=$3 protos=$4 dst p n
	local BG_CHECKS=()

	shift 4
	hit_count "$ids"
	n=$REPLY
	for dst; do
		for p in $protos; do
			bg_run expect_conn "$ns" "$p" "$dst" "$n" "$ids" "$src"
		done
	done
	bg_wait "connections from ${ns##*-}: not all as expected"
}

# sem_dropped NS PROTOS DST...: no answer at all, each protocol to each DST.
sem_dropped() {
	local ns=$1 protos=$2 dst
	local BG_CHECKS=()

	shift 2
	for dst; do
		bg_run expect_drop "$ns" "$protos" "$dst"
	done
	bg_wait "some connections from ${ns##*-} were not dropped"
}

# sem_fresh CASE...: sem_reset (no services, default config), then CASE.
sem_fresh() {
	sem_reset
	"$@"
}

# sem_run_cases VAR FRESH: the KTAP plan, then every case of CASES (pairs
# of description and function), each run through FRESH. With VAR set in
# the environment to "fn...", only those cases (while working on them).
sem_run_cases() {
	local only=${!1:-} fresh=$2 sel=() i

	if [ -n "$only" ]; then
		for ((i = 0; i < ${#CASES[@]}; i += 2)); do
			[[ " $only " == *" ${CASES[i + 1]} "* ]] && sel+=("${CASES[@]:i:2}")
		done
		CASES=("${sel[@]}")
	fi
	ktap_plan $((${#CASES[@]} / 2))
	for ((i = 0; i < ${#CASES[@]}; i += 2)); do
		run_case "${CASES[i]}" "$fresh" "${CASES[i + 1]}"
	done
	ktap_done
}
