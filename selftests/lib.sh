# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for the tests that source this file
#
# Helpers for the svcnat selftests: KTAP output, per-case isolation, netns
# topology, polling waits, module loading. Source it from a test script:
#
#	. "$(dirname "$0")/lib.sh"
#
# Tests run as root inside a throwaway VM (scripts/vm-run). Environment:
#   SVCNAT_KO   absolute path of svcnat.ko built for the running kernel
#   SVCADM      absolute path of the svcadm binary
#
# Everything here is written for QEMU TCG, where starting a process costs
# 70-190 ms: ip -batch instead of one ip per command, the C helpers switch
# network namespaces themselves (no "ip netns exec"), and naps use "read -t"
# instead of forking sleep.

SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SVCNAT_BACKEND=$SELFTESTS_DIR/svcnat-backend
SVCNAT_CLIENT=$SELFTESTS_DIR/svcnat-client
SVCNAT_NLRAW=$SELFTESTS_DIR/svcnat-nlraw
: "${SVCADM:=}"
: "${SVCNAT_KO:=}"

ksft_pass=0
ksft_fail=1
ksft_skip=4

# --- addresses of the topology (TEST-NET / 10.x only, inside netns only) ---
CL_IP=10.0.1.2		# client
NODE_CL_IP=10.0.1.1	# node, client side
NODE_BE_IP=10.0.2.1	# node, backend side (br0)
B1_IP=10.0.2.11
B2_IP=10.0.2.12
B3_IP=10.0.2.13
VIP=10.96.0.10		# cluster IP (service CIDR 10.96.0.0/12)
VPORT=8081		# service port
TPORT=80		# target port on the backends
SVC_NAME=default/my-debian:http
NL=$'\n'

TEST_NAME=$(basename "$0" .sh)
NS_CL='' NS_NODE='' NS_B1='' NS_B2='' NS_B3=''
NS_LIST=()
BG_PIDS=()
SVCNAT_TMP=
NAP_FD=
CASE_N=0
CASE_FAILED=0
CASE_SKIPPED=0
TAINT_MASK=$((16 | 32 | 128 | 512 | 16384))	# M B D W L

# ------------------------------------------------------------------ output

# info TEXT...: a diagnostic line; every line of a multi-line text gets "# ".
info() {
	local line text=$*

	while IFS= read -r line; do
		printf '# %s\n' "$line"
	done <<<"${text%$'\n'}"
}

# Fail the current case (or the test outside a case) with a message.
fail() {
	printf '# FAIL: %s\n' "$*"
	exit "$ksft_fail"
}

skip() {
	printf '# SKIP: %s\n' "$*"
	exit "$ksft_skip"
}

# nap SECONDS: sleep without forking a process.
nap() {
	read -r -t "$1" -u "$NAP_FD" _ || true
}

# elapsed START: seconds since START (an EPOCHREALTIME value), 2 decimals.
elapsed() {
	local s=${1/./} e=${EPOCHREALTIME/./}

	printf '%d.%02d' $(((e - s) / 1000000)) $(((e - s) % 1000000 / 10000))
}

# ------------------------------------------------------------ assertions

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# assert_match TEXT REGEX WHAT
assert_match() {
	[[ $1 =~ $2 ]] || fail "$3: '$1' does not match /$2/"
}

# assert_no_match TEXT REGEX WHAT
assert_no_match() {
	[[ ! $1 =~ $2 ]] || fail "$3: '$1' matches /$2/"
}

# ------------------------------------------------------------- waiting

# wait_until SECS CMD...: poll CMD (every 50 ms) until it succeeds.
wait_until() {
	local secs=$1 start=$EPOCHREALTIME s e

	shift
	s=${start/./}
	while ! "$@"; do
		e=${EPOCHREALTIME/./}
		((e - s < secs * 1000000)) || return 1
		nap 0.05
	done
}

_listening() {
	local ns=$1 flags=$2 port=$3 want=$4 out newlines

	out=$(ss -N "$ns" -H "$flags" "sport = :$port" 2>/dev/null) || return 1
	newlines=${out//[!$'\n']/}
	[ -n "$out" ] && ((${#newlines} + 1 >= want))
}

# wait_listener NETNS tcp|udp|tcp+udp PORT: until IPv4 sockets listen on
# PORT in NETNS (polls ss). svcnat-backend binds its IPv4 TCP and UDP
# sockets last, so its IPv6 and SCTP sockets are there by then too.
wait_listener() {
	local flags=-4ltn want=1

	case $2 in
	udp) flags=-4lun ;;
	tcp+udp) flags=-4ltun want=2 ;;
	esac
	wait_until 10 _listening "$1" "$flags" "$3" "$want" ||
		fail "nothing listens on $2 port $3 in $1"
}

# wait_file_lines FILE REGEX N SECS: until FILE has N lines matching REGEX.
_file_lines() {
	local n=0 line

	while IFS= read -r line; do
		[[ $line =~ $2 ]] && n=$((n + 1))
	done <"$1"
	((n >= $3))
}

wait_file_lines() {
	wait_until "$4" _file_lines "$1" "$2" "$3"
}

# ------------------------------------------------- processes and netns

# spawn CMD...: start CMD in the background, killed at cleanup (or at the
# end of the case that started it). Sets BG_PID. CMD must be a program, not
# a shell function, so that BG_PID is the program's own pid.
spawn() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# stop_pid PID: SIGTERM, wait for it, return its exit status.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1"
}

# kill_all PID...: SIGTERM, up to 3 s for them to go, then SIGKILL; reaps.
_any_alive() {
	local p

	for p; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

_none_alive() {
	! _any_alive "$@"
}

kill_all() {
	local p

	(($#)) || return 0
	kill -TERM "$@" 2>/dev/null
	wait_until 3 _none_alive "$@" || kill -KILL "$@" 2>/dev/null
	for p; do
		wait "$p" 2>/dev/null
	done
	return 0
}

# svcadm_in NETNS ARGS...: svcadm acting on NETNS's configuration.
svcadm_in() {
	local ns=$1

	shift
	ip netns exec "$ns" "$SVCADM" "$@"
}

# nodeadm ARGS...: svcadm in the node namespace.
nodeadm() {
	svcadm_in "$NS_NODE" "$@"
}

# ns_name SUFFIX: a netns name unique to this test process.
ns_name() {
	printf 'sn-%s-%s-%s' "${TEST_NAME#test_}" "$$" "$1"
}

# ns_add NAME...: create network namespaces (one process), lo up.
ns_add() {
	local n

	{
		for n; do
			echo "netns add $n"
		done
	} | ip -b - || fail "cannot create netns $*"
	NS_LIST+=("$@")
	for n; do
		ip -n "$n" link set lo up
	done
}

ns_del_all() {
	local n

	((${#NS_LIST[@]})) || return 0
	for n in "${NS_LIST[@]}"; do
		echo "netns del $n"
	done | ip -b - 2>/dev/null || true
	NS_LIST=()
}

# ----------------------------------------------------------- topology

# topo_setup: build the test network.
#
#   cl 10.0.1.2/24 --veth-- 10.0.1.1/24 node  br0 10.0.2.1/24 --+-- b1 10.0.2.11
#   route 10.96.0.0/12                  ip_forward=1           +-- b2 10.0.2.12
#         via 10.0.1.1                  svcnat lives here      +-- b3 10.0.2.13
#                                       default via 10.0.1.2       default via 10.0.2.1
#
# The node's default route points at the client side, standing in for a
# real node's uplink; it also gives traffic that the node itself sends to
# a cluster IP a route (DNAT at LOCAL_OUT then reroutes it to a backend).
topo_setup() {
	local b

	NS_CL=$(ns_name cl)
	NS_NODE=$(ns_name node)
	NS_B1=$(ns_name b1)
	NS_B2=$(ns_name b2)
	NS_B3=$(ns_name b3)
	NS_LIST+=("$NS_CL" "$NS_NODE" "$NS_B1" "$NS_B2" "$NS_B3")
	ip -b - <<-EOF || fail "topology: cannot create netns and links"
	netns add $NS_CL
	netns add $NS_NODE
	netns add $NS_B1
	netns add $NS_B2
	netns add $NS_B3
	link add name eth0 netns $NS_CL type veth peer name v-cl netns $NS_NODE
	link add name eth0 netns $NS_B1 type veth peer name v-b1 netns $NS_NODE
	link add name eth0 netns $NS_B2 type veth peer name v-b2 netns $NS_NODE
	link add name eth0 netns $NS_B3 type veth peer name v-b3 netns $NS_NODE
	EOF
	ip -n "$NS_CL" -b - <<-EOF || fail "topology: client"
	link set lo up
	addr add $CL_IP/24 dev eth0
	link set eth0 up
	route add 10.96.0.0/12 via $NODE_CL_IP
	EOF
	ip -n "$NS_NODE" -b - <<-EOF || fail "topology: node"
	link set lo up
	link add br0 type bridge forward_delay 0
	addr add $NODE_CL_IP/24 dev v-cl
	addr add $NODE_BE_IP/24 dev br0
	link set v-b1 master br0
	link set v-b2 master br0
	link set v-b3 master br0
	link set v-cl up
	link set v-b1 up
	link set v-b2 up
	link set v-b3 up
	link set br0 up
	route add default via $CL_IP
	EOF
	for b in 1 2 3; do
		local ns=NS_B$b ip=B${b}_IP
		ip -n "${!ns}" -b - <<-EOF || fail "topology: b$b"
		link set lo up
		addr add ${!ip}/24 dev eth0
		link set eth0 up
		route add default via $NODE_BE_IP
		EOF
	done
	ip netns exec "$NS_NODE" sysctl -qw net.ipv4.ip_forward=1 ||
		fail "topology: ip_forward"
}

# backends_start [PORT]: one svcnat-backend process serving b1, b2 and b3
# (TCP and UDP) in their namespaces; waits until all listen.
backends_start() {
	local port=${1:-$TPORT} ns

	spawn "$SVCNAT_BACKEND" -p "$port" b1@"$NS_B1" b2@"$NS_B2" b3@"$NS_B3"
	BACKENDS_PID=$BG_PID
	for ns in "$NS_B1" "$NS_B2" "$NS_B3"; do
		wait_listener "$ns" tcp+udp "$port"
	done
}

# seed_services: program the seed case in the node namespace with one
# svcadm apply: TCP and UDP $VIP:$VPORT, each to b1, b2 and b3 port $TPORT.
seed_services() {
	nodeadm apply -f - <<-EOF || fail "cannot program the seed services"
	add-service -t $VIP:$VPORT --name $SVC_NAME
	add-backend -t $VIP:$VPORT -r $B1_IP:$TPORT
	add-backend -t $VIP:$VPORT -r $B2_IP:$TPORT
	add-backend -t $VIP:$VPORT -r $B3_IP:$TPORT
	add-service -u $VIP:$VPORT --name ${SVC_NAME%:*}:udp
	add-backend -u $VIP:$VPORT -r $B1_IP:$TPORT
	add-backend -u $VIP:$VPORT -r $B2_IP:$TPORT
	add-backend -u $VIP:$VPORT -r $B3_IP:$TPORT
	EOF
}

# seed_setup: load svcnat, build the topology, start the backends and
# program the seed services, reporting how long that took.
seed_setup() {
	local start=$EPOCHREALTIME

	svcnat_load
	topo_setup
	backends_start
	seed_services
	info "setup: $(elapsed "$start") s"
}

# client ARGS...: svcnat-client in the client namespace.
client() {
	"$SVCNAT_CLIENT" -n "$NS_CL" "$@"
}

# Long-lived connections: ll_start ARGS... runs "svcnat-client -L ARGS" in
# the client namespace as a coprocess and waits for "ready"; LL_HELD holds
# its "held N PROTO ID SEEN" lines. ll_exchange exchanges data once on every
# held connection and sets LL_RESULT to the "xchg" lines, failing unless all
# succeeded. ll_stop closes its stdin and waits for it.
#
# Bash unsets a coprocess's variables (and closes its fds) as soon as it has
# exited: a copy of its pid and of the read end are kept. (Not of the write
# end: bash makes the coproc fds close-on-exec, a copy would be inherited by
# every later child and keep the client from seeing EOF.)
LL_HELD=
LL_RESULT=
LL_OUT=
LL_PROC=
ll_start() {
	local line

	coproc LL { exec "$SVCNAT_CLIENT" -n "$NS_CL" -L "$@"; }
	LL_PROC=$LL_PID
	exec {LL_OUT}<&"${LL[0]}"
	BG_PIDS+=("$LL_PROC")
	LL_HELD=
	while read -r -t 30 -u "$LL_OUT" line; do
		case $line in
		held*) LL_HELD+="$line"$'\n' ;;
		ready*) return 0 ;;
		*) info "$line" ;;
		esac
	done
	fail "long-lived client did not get ready (last: ${line:-nothing})"
}

ll_exchange() {
	local line

	[ -n "${LL[1]:-}" ] || fail "the long-lived client is gone"
	echo x >&"${LL[1]}"
	LL_RESULT=
	while read -r -t 30 -u "$LL_OUT" line; do
		case $line in
		done*) break ;;
		*) LL_RESULT+="$line"$'\n' ;;
		esac
	done
	[[ $line == "done ok "*" fail 0" ]] ||
		fail "exchange on long-lived connections: ${line:-no answer}"$'\n'"$LL_RESULT"
}

ll_stop() {
	local fd=${LL[1]:-}

	[ -z "$fd" ] || exec {fd}>&-
	wait "$LL_PROC"
}

# parse_client_output TEXT: fills COUNT[proto:id], OK[proto], FAILED[proto]
# from svcnat-client's summary lines.
declare -A COUNT OK FAILED
parse_client_output() {
	local kw a b c d e f

	COUNT=() OK=() FAILED=()
	while read -r kw a b c d e f; do
		case $kw in
		backend) COUNT[$a:$b]=$c ;;
		total) OK[$a]=$d FAILED[$a]=$f ;;
		esac
	done <<<"$1"
}

# check_spread TEXT PROTO N ALLOWED...: the client output shows N good
# connections for PROTO, no failures, every allowed backend got at least one
# and no other backend got any.
check_spread() {
	local out=$1 proto=$2 n=$3 id key
	local -A allowed=()

	shift 3
	parse_client_output "$out"
	for id; do
		allowed[$id]=1
	done
	[ "${FAILED[$proto]:-x}" = 0 ] ||
		fail "$proto: ${FAILED[$proto]:-?} of $n connections failed: $(grep -m5 fail <<<"$out" | tr '\n' ' ')"
	assert_eq "${OK[$proto]:-0}" "$n" "$proto connections that succeeded"
	for key in "${!COUNT[@]}"; do
		[ "${key%%:*}" = "$proto" ] || continue
		[ -n "${allowed[${key#*:}]:-}" ] ||
			fail "$proto: backend ${key#*:} got ${COUNT[$key]} new connections, allowed: $*"
	done
	for id; do
		[ "${COUNT[$proto:$id]:-0}" -gt 0 ] ||
			fail "$proto: backend $id got no connection out of $n"
	done
	info "$proto: $n connections: $(for id; do printf '%s=%s ' "$id" "${COUNT[$proto:$id]:-0}"; done)"
}

# ---------------------------------------------------------- the module

svcnat_loaded() {
	[ -d /sys/module/svcnat ]
}

# svcnat_load [PARAM=VALUE...]: load svcnat.ko (modprobe its dependencies
# first, as insmod does not). No-op if already loaded without parameters.
svcnat_load() {
	local deps mods

	if svcnat_loaded; then
		[ $# -eq 0 ] && return 0
		svcnat_unload
	fi
	[ -n "$SVCNAT_KO" ] || skip "SVCNAT_KO is not set"
	[ -r "$SVCNAT_KO" ] || skip "no module at $SVCNAT_KO"
	deps=$(modinfo -F depends "$SVCNAT_KO") || fail "modinfo $SVCNAT_KO"
	if [ -n "$deps" ]; then
		IFS=, read -ra mods <<<"$deps"
		modprobe -a "${mods[@]}" || fail "cannot load dependencies: $deps"
	fi
	insmod "$SVCNAT_KO" "$@" || fail "insmod $SVCNAT_KO $* failed"
}

svcnat_unload() {
	svcnat_loaded || return 0
	rmmod svcnat || fail "rmmod svcnat failed"
	! svcnat_loaded || fail "svcnat still loaded after rmmod"
}

# svcnat_install: make the module loadable by name, as if installed in
# /lib/modules/$(uname -r)/updates and depmod'ed, so that modprobe and the
# genetlink family autoload find it.
#
# A full "depmod -a" over Debian's ~4000 modules takes 45-90 s under TCG,
# so the module tree is replaced by a small one: svcnat.ko in updates/ plus
# its dependency closure, indexed by depmod -b (well under a second), and
# bind-mounted over /lib/modules/$(uname -r). svcnat_uninstall undoes it.
# Other modules are not loadable while it is in place: load what the test
# needs before.
SVCNAT_MODDIR_MOUNTED=
svcnat_install() {
	local kver root dir deps mods line ko

	[ -r "$SVCNAT_KO" ] || skip "no module at '$SVCNAT_KO'"
	read -r kver </proc/sys/kernel/osrelease
	root=$SVCNAT_TMP/modroot
	dir=$root/lib/modules/$kver
	mkdir -p "$dir/updates"
	cp "$SVCNAT_KO" "$dir/updates/svcnat.ko"
	cp /lib/modules/"$kver"/modules.builtin* /lib/modules/"$kver"/modules.order "$dir/" 2>/dev/null || true
	deps=$(modinfo -F depends "$SVCNAT_KO")
	if [ -n "$deps" ]; then
		IFS=, read -ra mods <<<"$deps"
		deps=$(modprobe --show-depends -a "${mods[@]}") ||
			fail "cannot resolve the dependencies of svcnat"
		while read -r line ko _; do
			[ "$line" = insmod ] || continue
			mkdir -p "$dir/$(dirname "${ko#/lib/modules/"$kver"/}")"
			cp "$ko" "$dir/${ko#/lib/modules/"$kver"/}"
		done <<<"$deps"
	fi
	depmod -b "$root" "$kver" || fail "depmod -b $root failed"
	mount --bind "$dir" "/lib/modules/$kver" || fail "cannot bind $dir"
	SVCNAT_MODDIR_MOUNTED=/lib/modules/$kver
}

svcnat_uninstall() {
	[ -n "$SVCNAT_MODDIR_MOUNTED" ] || return 0
	umount "$SVCNAT_MODDIR_MOUNTED" || fail "cannot unmount $SVCNAT_MODDIR_MOUNTED"
	SVCNAT_MODDIR_MOUNTED=
}

# ------------------------------------------------- kernel log and taint

taint_bits() {
	local t

	read -r t </proc/sys/kernel/tainted
	echo $((t & TAINT_MASK))
}

KLOG_BAD='WARNING:|BUG:|Oops|general protection|Call Trace|rcu.*stall|INFO: task .* blocked|kernel BUG|UBSAN|KASAN|refcount_t|list_add corruption|list_del corruption'

KLOG_NOISE='entered (blocking|disabled|forwarding) state|promiscuous mode|ADDRCONF|link becomes ready'

# klog_since_marker: kernel messages since this test's start marker.
klog_since_marker() {
	local line log on=0

	log=$(dmesg 2>/dev/null) || return 0
	while IFS= read -r line; do
		[[ $line == *"svcnat-selftest: begin $TEST_NAME.$$"* ]] && on=1 && continue
		((on)) && printf '%s\n' "$line"
	done <<<"$log"
}

# ------------------------------------------------------ test structure

# require_cmd CMD...: skip the test unless every command is available.
require_cmd() {
	local c

	for c; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

# private_netns "$@": re-run the calling test in a fresh, unnamed network
# namespace (unshare), for tests that need no topology: svcadm and the
# raw netlink tool then act on that namespace without "ip netns exec", and
# the namespace goes away with the test. Call it before test_init.
private_netns() {
	if [ -z "${SVCNAT_PRIVATE_NETNS:-}" ]; then
		SVCNAT_PRIVATE_NETNS=1 exec unshare --net -- "$0" "$@"
	fi
	ip link set lo up
}

test_init() {
	[ "$(id -u)" = 0 ] || skip "needs root (run inside the VM: scripts/vm-run)"
	require_cmd ip ss modinfo insmod rmmod modprobe
	for f in "$SVCNAT_BACKEND" "$SVCNAT_CLIENT" "$SVCNAT_NLRAW"; do
		[ -x "$f" ] || skip "$f not built (make -C selftests)"
	done
	SVCNAT_TMP=$(mktemp -d "/tmp/svcnat-$TEST_NAME.XXXXXX")
	mkfifo "$SVCNAT_TMP/nap"
	exec {NAP_FD}<>"$SVCNAT_TMP/nap"
	TAINT_START=$(taint_bits)
	echo "svcnat-selftest: begin $TEST_NAME.$$" >/dev/kmsg 2>/dev/null || true
	trap cleanup EXIT
}

# Tests may define test_cleanup, run first at exit.
cleanup() {
	local rc=$? p klog

	set +e
	[ "$(type -t test_cleanup)" = function ] && test_cleanup
	kill_all "${BG_PIDS[@]}"
	ns_del_all
	svcnat_uninstall
	klog=$(klog_since_marker)
	if [ "$(taint_bits)" != "$TAINT_START" ] || [[ $klog =~ $KLOG_BAD ]]; then
		klog=$(grep -E -A25 "$KLOG_BAD" <<<"$klog" | head -80)
		info "kernel problem during $TEST_NAME (tainted=$(</proc/sys/kernel/tainted)):"$'\n'"  ${klog//$'\n'/$'\n'  }"
		rc=$ksft_fail
	elif [ "$rc" != 0 ] && [ -n "$klog" ]; then
		klog=$(grep -Ev "$KLOG_NOISE" <<<"$klog" | tail -n 30)
		[ -z "$klog" ] || info "kernel log during $TEST_NAME:"$'\n'"  ${klog//$'\n'/$'\n'  }"
	fi
	[ -n "$SVCNAT_TMP" ] && rm -rf "$SVCNAT_TMP"
	exit "$rc"
}

# EXIT trap of a case subshell: stop what it started, keep its status.
_case_exit() {
	local rc=$? p

	set +e
	trap - ERR
	kill_all "${BG_PIDS[@]}"
	# namespaces the case created (the parent's NS_LIST does not see them)
	NS_LIST=("${NS_LIST[@]:$CASE_NS_START}")
	ns_del_all
	svcnat_uninstall
	exit "$rc"
}

_case_err() {
	printf '# FAIL: line %s: %s (exit %s)\n' "$1" "$2" "$3"
}

# run_case DESCRIPTION FUNCTION [ARGS...]: run one behaviour in a subshell
# with errexit, so a failure ends only that case. Background processes a
# case starts with spawn are killed when it ends.
run_case() {
	local desc=$1 start=$EPOCHREALTIME rc taint

	shift
	CASE_N=$((CASE_N + 1))
	taint=$(taint_bits)
	set +e
	(
		BG_PIDS=()
		CASE_NS_START=${#NS_LIST[@]}
		trap _case_exit EXIT
		set -eE
		trap '_case_err "$LINENO" "$BASH_COMMAND" "$?"' ERR
		"$@"
	)
	rc=$?
	set -e
	if [ "$(taint_bits)" != "$taint" ]; then
		info "kernel got tainted during this case: $(</proc/sys/kernel/tainted)"
		rc=$ksft_fail
	fi
	info "$(elapsed "$start") s"
	case $rc in
	0) echo "ok $CASE_N $desc" ;;
	"$ksft_skip")
		echo "ok $CASE_N $desc # SKIP"
		CASE_SKIPPED=$((CASE_SKIPPED + 1))
		;;
	*)
		echo "not ok $CASE_N $desc"
		CASE_FAILED=$((CASE_FAILED + 1))
		;;
	esac
}

# ktap_plan N: start the nested KTAP output of a test with N cases.
ktap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# ktap_done: exit with the test's status (1 if a case failed, 4 if all
# were skipped).
ktap_done() {
	if ((CASE_FAILED)); then
		exit "$ksft_fail"
	elif ((CASE_N && CASE_SKIPPED == CASE_N)); then
		exit "$ksft_skip"
	fi
	exit "$ksft_pass"
}
