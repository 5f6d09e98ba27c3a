#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh: new-connection throughput of Service data paths. Runs as
# root INSIDE the VM (bench/run starts it with scripts/vm-run).
#
#   client ns --veth-- node ns (the data path under test) --br0-- b1 b2 b3
#
# For every data path and service count, a topology of its own is built (no
# hook, table or IPVS state of one path can touch another; all are hooked
# per netns), the path is
# programmed with NSVC services (NSVC-1 decoys + the measured one, each with
# the 3 backends), and svcnat-client sends BENCH_FLOWS UDP request/response
# flows to the measured service, each from a fresh socket and source port
# (so each is a new conntrack entry and a new NAT decision), BENCH_PAR in
# flight. The rate is flows / (last reply - first send) from the client's
# own per-flow timestamps, so process start-up is not counted. All
# configurations are set up first, then run in BENCH_REPS interleaved rounds
# (order rotated each round; conntrack -F in the node ns before and after
# each run) and the median is reported.
#
# Environment: SVCNAT_KO, SVCADM (as for the selftests), BENCH_FLOWS (10000),
# BENCH_PAR (8), BENCH_REPS (3), BENCH_SIZES ("1 1000"),
# BENCH_PATHS ("svcnat nft iptables ipvs floor").
#
# Output: "# ..." progress lines, one "run PATH NSVC REP FLOWS SECS RATE" line
# per run, one "result PATH NSVC MEDIAN" line per configuration, then the
# table.
set -u
# shellcheck disable=SC2034 # TEST_NAME, NAP_FD are used by lib.sh

TEST_NAME=bench
# shellcheck source=selftests/lib.sh
. "$(dirname "$0")/../selftests/lib.sh"

FLOWS=${BENCH_FLOWS:-10000}
PAR=${BENCH_PAR:-8}
REPS=${BENCH_REPS:-3}
SIZES=${BENCH_SIZES:-1 1000}
PATHS=${BENCH_PATHS:-svcnat nft iptables ipvs floor}
PROTO=udp
UDP_PORTS_FILE=/tmp/.svcnat-client-udp-ports

[ "$(id -u)" = 0 ] || { echo "run-guest.sh: needs root (inside the VM)" >&2; exit 2; }
for c in ip nft conntrack "$SVCNAT_CLIENT" "$SVCNAT_BACKEND"; do
	command -v "$c" >/dev/null || { echo "run-guest.sh: $c missing" >&2; exit 2; }
done
SVCNAT_TMP=$(mktemp -d /tmp/svcnat-bench.XXXXXX)
mkfifo "$SVCNAT_TMP/nap"
exec {NAP_FD}<>"$SVCNAT_TMP/nap"


modprobe -a nf_conntrack nf_nat nf_tables nft_nat nft_numgen nft_ct veth bridge dummy ||
	true
# room for every flow of a run (and some), whatever the guest's memory
sysctl -qw net.netfilter.nf_conntrack_max=262144
echo 65536 >/sys/module/nf_conntrack/parameters/hashsize 2>/dev/null || true

# decoy I (1..999): its own cluster IP in 10.100.0.0/16, same port
decoy_ip() {
	echo "10.100.$(($1 / 250)).$(($1 % 250 + 1))"
}

# ---- configuration generators: NSVC services, the measured one last ----
# (last: for the linear iptables rule list, that is the worst case, as
# for an unlucky service in a real cluster)

svc_list() {	# prints "IP" for every service, measured last
	local i

	for ((i = 1; i < $1; i++)); do
		decoy_ip "$i"
	done
	echo "$VIP"
}

gen_svcnat() {
	local ip

	for ip in $(svc_list "$1"); do
		echo "add-service -u $ip:$VPORT"
		echo "add-backend -u $ip:$VPORT -r $B1_IP:$TPORT"
		echo "add-backend -u $ip:$VPORT -r $B2_IP:$TPORT"
		echo "add-backend -u $ip:$VPORT -r $B3_IP:$TPORT"
	done
}

# kube-proxy nftables mode: daddr . proto . dport vmap -> service chain,
# numgen random mod 3 vmap -> endpoint chain -> dnat
gen_nft() {
	local ip i=0 b elems=()

	echo "table ip kube-proxy {"
	for ip in $(svc_list "$1"); do
		i=$((i + 1))
		for b in 1 2 3; do
			local bip=B${b}_IP
			echo "chain sep-$i-$b { meta l4proto udp dnat to ${!bip}:$TPORT; }"
		done
		echo "chain svc-$i { numgen random mod 3 vmap { 0 : goto sep-$i-1, 1 : goto sep-$i-2, 2 : goto sep-$i-3 }; }"
		elems+=("$ip . udp . $VPORT : goto svc-$i")
	done
	echo "map service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }"
	echo "chain services { ip daddr . meta l4proto . th dport vmap @service-ips; }"
	echo "chain nat-prerouting { type nat hook prerouting priority dstnat; policy accept; jump services; }"
	echo "chain nat-output { type nat hook output priority -100; policy accept; jump services; }"
	echo "}"
	# elements in chunks: one huge line is slow to parse
	for ((i = 0; i < ${#elems[@]}; i += 200)); do
		local IFS=,
		echo "add element ip kube-proxy service-ips { ${elems[*]:i:200} }"
	done
}

# kube-proxy iptables mode: KUBE-SERVICES, one rule per service, jumping to
# KUBE-SVC-N, which picks an endpoint with statistic random and jumps to
# KUBE-SEP-N-B, which DNATs.
gen_iptables() {
	local ip i=0 b rules=()

	echo "*nat"
	echo ":KUBE-SERVICES - [0:0]"
	for ip in $(svc_list "$1"); do
		i=$((i + 1))
		echo ":KUBE-SVC-$i - [0:0]"
		rules+=("-A KUBE-SERVICES -d $ip/32 -p udp -m udp --dport $VPORT -j KUBE-SVC-$i")
		rules+=("-A KUBE-SVC-$i -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-$i-1")
		rules+=("-A KUBE-SVC-$i -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-$i-2")
		rules+=("-A KUBE-SVC-$i -j KUBE-SEP-$i-3")
		for b in 1 2 3; do
			local bip=B${b}_IP
			echo ":KUBE-SEP-$i-$b - [0:0]"
			rules+=("-A KUBE-SEP-$i-$b -p udp -m udp -j DNAT --to-destination ${!bip}:$TPORT")
		done
	done
	printf '%s\n' "${rules[@]}"
	echo "-A PREROUTING -j KUBE-SERVICES"
	echo "-A OUTPUT -j KUBE-SERVICES"
	echo "COMMIT"
}

# IPVS NAT mode, kube-proxy style: cluster IPs on a dummy device so that
# the node accepts them locally, one virtual service each, rr over 3 real
# servers in masquerading (NAT) mode.
gen_ipvs() {
	local ip

	for ip in $(svc_list "$1"); do
		echo "-A -u $ip:$VPORT -s rr"
		echo "-a -u $ip:$VPORT -r $B1_IP:$TPORT -m"
		echo "-a -u $ip:$VPORT -r $B2_IP:$TPORT -m"
		echo "-a -u $ip:$VPORT -r $B3_IP:$TPORT -m"
	done
}

gen_ipvs_addrs() {
	local ip

	echo "link add kube-ipvs0 type dummy"
	for ip in $(svc_list "$1"); do
		echo "addr add $ip/32 dev kube-ipvs0"
	done
}

# the floor: one static rule, conntrack + NAT alone (one backend)
gen_floor() {
	cat <<-EOF
	table ip floor {
		chain pre { type nat hook prerouting priority dstnat; policy accept;
			ip daddr $VIP udp dport $VPORT dnat to $B1_IP:$TPORT; }
	}
	EOF
}

# program PATH NSVC: configure the data path in the node namespace
program() {
	local path=$1 n=$2 f=$SVCNAT_TMP/cfg

	case $path in
	svcnat)
		gen_svcnat "$n" >"$f"
		nodeadm apply -f "$f"
		;;
	nft)
		gen_nft "$n" >"$f"
		ip netns exec "$NS_NODE" nft -f "$f"
		;;
	iptables)
		gen_iptables "$n" >"$f"
		ip netns exec "$NS_NODE" iptables-restore -w <"$f"
		;;
	ipvs)
		gen_ipvs_addrs "$n" | ip -n "$NS_NODE" -b - &&
			ip -n "$NS_NODE" link set kube-ipvs0 up &&
			gen_ipvs "$n" >"$f" &&
			ip netns exec "$NS_NODE" ipvsadm -R <"$f"
		;;
	floor)
		gen_floor >"$f"
		ip netns exec "$NS_NODE" nft -f "$f"
		;;
	esac
}

# path_usable PATH: can this guest run it at all?
path_usable() {
	case $1 in
	svcnat)
		[ -n "$SVCADM" ] && [ -x "$SVCADM" ] && [ -r "$SVCNAT_KO" ] || return 1
		svcnat_loaded || (svcnat_load) >/dev/null || return 1
		;;
	iptables) command -v iptables-restore >/dev/null ;;
	ipvs) command -v ipvsadm >/dev/null && modprobe ip_vs && modprobe ip_vs_rr ;;
	*) return 0 ;;
	esac
}

# cfg_ns CFG: set NS_CL and NS_NODE of configuration CFG (PATH:NSVC)
cfg_ns() {
	local TEST_NAME=bench_${1/:/_}

	NS_CL=$(ns_name cl)
	NS_NODE=$(ns_name node)
}

# setup_cfg PATH NSVC: a topology of its own for this configuration, its
# backends running, the data path programmed. Everything stays up until
# the end, so that the runs of all configurations can be interleaved.
setup_cfg() {
	(
		TEST_NAME=bench_$1_$2
		trap '[ $? = 0 ] || { kill_all "${BG_PIDS[@]}"; ns_del_all; }' EXIT
		topo_setup
		backends_start
		echo "$BACKENDS_PID" >>"$SVCNAT_TMP/pids"
		# fresh source ports for every flow, from a wide range
		ip netns exec "$NS_CL" sysctl -qw net.ipv4.ip_local_port_range="1024 65535"
		program "$1" "$2" || fail "$1: cannot program $2 services"
		if [ "$1" = ipvs ]; then
			# IPVS keeps its own connection table, which conntrack -F
			# does not clear: let UDP entries expire after 1 s so that
			# a later run (source ports are reused) finds none
			ip netns exec "$NS_NODE" ipvsadm --set 0 0 1
		fi
	)
}

# one_run CFG: "SECS FLOWS/S" of one client run through configuration CFG
one_run() {
	local out

	cfg_ns "$1"
	ip netns exec "$NS_NODE" conntrack -F >/dev/null 2>&1
	rm -f "$UDP_PORTS_FILE"
	out=$("$SVCNAT_CLIENT" -n "$NS_CL" -u -v -c "$FLOWS" -P "$PAR" -w 3000 "$VIP:$VPORT")
	RUN_OUT=$out
	# keep the global conntrack table small for the other configurations
	ip netns exec "$NS_NODE" conntrack -F >/dev/null 2>&1
	awk -v n="$FLOWS" '
		$1 == "conn" { if (t0 == "" || $6 < t0) t0 = $6; if ($7 > t1) t1 = $7 }
		$1 == "total" { ok = $5; fail = $7 }
		END {
			if (ok != n || fail != 0 || t1 <= t0) exit 1
			printf "%.4f %.0f\n", t1 - t0, n / (t1 - t0)
		}' <<<"$out"
}

median() {
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

bench_cleanup() {
	local p

	if [ -s "$SVCNAT_TMP/pids" ]; then
		while read -r p; do kill "$p" 2>/dev/null; done <"$SVCNAT_TMP/pids"
	fi
	for p in $(ip netns list | awk '/^sn-bench_/ { print $1 }'); do
		ip netns del "$p"
	done
	rm -rf "$SVCNAT_TMP"
}
trap bench_cleanup EXIT

info "kernel $(uname -r), iptables: $(iptables -V 2>/dev/null), $FLOWS $PROTO flows per run, $PAR in flight, $REPS rounds"
CFGS=()
for path in $PATHS; do
	if ! path_usable "$path"; then
		info "$path: not usable in this guest, skipped"
		continue
	fi
	for n in $SIZES; do
		start=$EPOCHREALTIME
		if setup_cfg "$path" "$n"; then
			CFGS+=("$path:$n")
			info "$path $n: topology and $n services ready in $(elapsed "$start") s"
		else
			info "$path $n: setup failed, skipped"
		fi
	done
done

# Rounds: every configuration once per round, the order rotated by one each
# round, so that slow drift of the (shared, noisy) host hits all alike.
declare -A RATES RESULT
nc=${#CFGS[@]}
for ((r = 0; r < REPS; r++)); do
	for ((k = 0; k < nc; k++)); do
		cfg=${CFGS[(k + r) % nc]}
		if res=$(one_run "$cfg"); then
			echo "run ${cfg%:*} ${cfg#*:} $((r + 1)) $FLOWS $res"
			RATES[$cfg]+=" ${res#* }"
		else
			info "run ${cfg%:*} ${cfg#*:} $((r + 1)) failed:"
			grep -m3 -E '^(conn.*fail|total)' <<<"$RUN_OUT" | sed 's/^/#   /'
		fi
	done
done
for cfg in "${CFGS[@]}"; do
	# shellcheck disable=SC2086 # a list of numbers
	[ -z "${RATES[$cfg]:-}" ] || RESULT[$cfg]=$(median ${RATES[$cfg]})
	echo "result ${cfg%:*} ${cfg#*:} ${RESULT[$cfg]:-failed}"
done

echo
echo "new $PROTO flows/s, median of $REPS (guest clock; with vm-run --icount it counts instructions); ratio = path / svcnat at the same service count"
printf '%-10s' "path"
for n in $SIZES; do printf ' %14s %7s' "$n svc" ratio; done
echo
for path in $PATHS; do
	printf '%-10s' "$path"
	for n in $SIZES; do
		v=${RESULT[$path:$n]:-}
		s=${RESULT[svcnat:$n]:-}
		if [ -z "$v" ]; then
			printf ' %14s %7s' - -
		elif [ -z "$s" ]; then
			printf ' %14s %7s' "$v" -
		else
			printf ' %14s %7s' "$v" "$(awk -v a="$v" -v b="$s" 'BEGIN { printf "%.2f", a / b }')"
		fi
	done
	echo
done
