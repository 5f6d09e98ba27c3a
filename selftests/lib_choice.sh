# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for the tests that source this file
#
# Helpers of the backend-choice tests (test_sched.sh, test_affinity.sh,
# test_conntrack.sh), on top of lib_topo.sh: a long-running flow
# (svcnat-flow), the node's conntrack entries, svcadm trace --flows, the
# affinity entries, IPv6 and SCTP availability. Source it instead of
# lib_topo.sh:
#
#	. "$(dirname "$0")/lib_choice.sh"

if [ "$(type -t sem_topo_setup)" != function ]; then
	# shellcheck source=lib_topo.sh
	. "$(dirname "${BASH_SOURCE[0]}")/lib_topo.sh"
fi

SVCNAT_FLOW=$SELFTESTS_DIR/svcnat-flow
YNL_DIR=$SELFTESTS_DIR/../build/ksrc/tools/net/ynl
SPEC=$SELFTESTS_DIR/../Documentation/netlink/specs/svcnat.yaml

# IPv6 addresses of the dual-stack topology (lib_topo.sh sets them once it
# has IPv6; these are the plan's).
: "${EXT_IP6:=fd00:1::2}" "${POD1_IP6:=fd00:244:1::11}" "${POD2_IP6:=fd00:244:1::12}"
: "${POD3_IP6:=fd00:244:1::13}" "${RPOD1_IP6:=fd00:244:2::11}" "${RPOD2_IP6:=fd00:244:2::12}"
: "${VIP6:=fd00:96::10}"

# ------------------------------------------------------ families, SCTP

# have_ipv6: the module forwards IPv6 services and the topology has IPv6
# addresses (probed once: an IPv6 service is accepted, then deleted).
HAVE_IPV6=
have_ipv6() {
	if [ -z "$HAVE_IPV6" ]; then
		HAVE_IPV6=no
		if ip -n "$NS_EXT" -6 addr show dev eth0 2>/dev/null | grep -q "$EXT_IP6" &&
			nodeadm add-service -u "[$VIP6]:9" 2>/dev/null; then
			nodeadm del-service -u "[$VIP6]:9"
			HAVE_IPV6=yes
		fi
	fi
	[ "$HAVE_IPV6" = yes ]
}

require_ipv6() {
	have_ipv6 || skip "no IPv6 services (module) or no IPv6 topology"
}

# require_sctp: the pods' backends serve SCTP (sem_topo_setup sctp).
require_sctp() {
	[ -n "${TOPO_SCTP:-}" ] || skip "the backends serve no SCTP"
}

# addr_of ID [6]: REPLY = the address of pod ID (pod1, ..., ext), IPv4 or
# with 6 IPv6.
addr_of() {
	local v=${1^^}_IP${2:-}

	REPLY=${!v}
}

# hostport ADDR PORT: REPLY = ADDR:PORT, IPv6 in brackets.
hostport() {
	if [[ $1 == *:* ]]; then
		REPLY="[$1]:$2"
	else
		REPLY="$1:$2"
	fi
}

# id_of ADDR[:PORT]: REPLY = the pod id of a backend address ("?" if none).
id_of() {
	local addr=$1 id v

	if [[ $addr == \[* ]]; then
		addr=${addr%]*}
		addr=${addr#[}
	elif [[ $addr != *:*:* ]]; then
		addr=${addr%:*}
	fi
	for id in pod1 pod2 pod3 rpod1 rpod2 ext; do
		for v in "${id^^}_IP" "${id^^}_IP6"; do
			if [ "${!v:-}" = "$addr" ]; then
				REPLY=$id
				return 0
			fi
		done
	done
	REPLY="?$addr"
}

# ------------------------------------------------------------ services

# fsvc FAM: FSVC = the service's ADDR:PORT in family FAM ("" or 6).
fsvc() {
	if [ "${1:-}" = 6 ]; then
		FSVC="[$VIP6]:$VPORT"
	else
		FSVC=$SVC
	fi
}

# aprogram PROTOS FAM "OPTS" IDS...: flush, then the service $FSVC for
# each of PROTOS (tcp udp sctp) with OPTS and the backends IDS (as for
# be_lines: pod1 and pod2 get --local), in one svcadm apply.
aprogram() {
	local protos=$1 fam=$2 opts=$3

	shift 3
	fsvc "$fam"
	nodeadm apply -f - <<<"flush$NL$(svc "$protos" "$FSVC" "$opts" "$@")" ||
		fail "cannot program $protos $FSVC $opts $*"
}

# -------------------------------------------------- svcnat-flow coprocess

# flow_start ARGS...: svcnat-flow ARGS as a coprocess, until "ready".
# flow_cmd CMD: send CMD, read its one reply line into FLOW_LINE; for a
# stat line, FS[key] for every "key value" pair (sent, replies, errors,
# since, first, gap, id, ids, err). flow_stop closes its stdin.
FLOW_PROC=
FLOW_OUT=
FLOW_LINE=
declare -A FS
flow_start() {
	local line

	coproc FLOW { exec "$SVCNAT_FLOW" "$@"; }
	FLOW_PROC=$FLOW_PID
	exec {FLOW_OUT}<&"${FLOW[0]}"
	# shellcheck disable=SC2031 # the caller's BG_PIDS, as in ll_start
	BG_PIDS+=("$FLOW_PROC")
	read -r -t 10 -u "$FLOW_OUT" line || fail "svcnat-flow $* did not start"
	[ "$line" = ready ] || fail "svcnat-flow $*: '$line'"
}

flow_cmd() {
	local k v

	[ -n "${FLOW[1]:-}" ] || fail "svcnat-flow is gone"
	echo "$1" >&"${FLOW[1]}"
	read -r -t 60 -u "$FLOW_OUT" FLOW_LINE || fail "svcnat-flow: no answer to '$1'"
	[[ $FLOW_LINE == stat* ]] || return 0
	FS=()
	# shellcheck disable=SC2086 # split "key value key value ..."
	set -- ${FLOW_LINE#stat }
	while (($# >= 2)); do
		FS[$1]=$2
		shift 2
	done
}

# flow_wait N MS: until N replies in the window or MS ms; FS[] as above.
flow_wait() {
	flow_cmd "wait $1 $2"
}

flow_mark() {
	flow_cmd mark
}

flow_stop() {
	local fd=${FLOW[1]:-}

	[ -z "$fd" ] || exec {fd}>&-
	wait "$FLOW_PROC" || true
}

# ------------------------------------------------------------ conntrack

# ct_flush: empty the node's conntrack table (entries of earlier cases).
ct_flush() {
	ip netns exec "$NS_NODE" conntrack -F 2>/dev/null || true
}

# ct_reply_src PROTO DST PORT: REPLY = the reply sources of the node's
# conntrack entries whose original destination is DST:PORT (sorted,
# space-separated; "" none). A DNATed entry's reply source is the
# backend, one left alone has DST itself.
ct_reply_src() {
	local proto=$1 dst=$2 port=$3 fam=ipv4 out line w n src
	local -A seen=()

	[[ $dst != *:* ]] || fam=ipv6
	out=$(ip netns exec "$NS_NODE" conntrack -L -f "$fam" -p "$proto" \
		--orig-dst "$dst" --orig-port-dst "$port" 2>/dev/null) || true
	while IFS= read -r line; do
		n=0
		for w in $line; do
			[[ $w == src=* ]] || continue
			n=$((n + 1))
			if ((n == 2)); then
				src=${w#src=}
				seen[$src]=1
			fi
		done
	done <<<"$out"
	_join_sorted ' ' "${!seen[@]}"
}

# --------------------------------------------------------- trace --flows

# trace_flows FILE ARGS...: svcadm trace ARGS (with --flows) in the node
# namespace, pinned to one CPU (so that a per-CPU rr position is one
# sequence); "flow" lines go to FILE as "SRC PORT BACKEND", the per-backend
# counts into TF_COUNT[ADDR:PORT], TF_TOTAL the total.
declare -A TF_COUNT
TF_TOTAL=0
trace_flows() {
	local file=$1 out

	shift
	out=$(ip netns exec "$NS_NODE" taskset -c 0 "$SVCADM" trace "$@" 2>&1) ||
		fail "svcadm trace $*: $(head -n 3 <<<"$out")"
	TF_COUNT=()
	TF_TOTAL=
	awk -v f="$file" '
		$1 == "flow" { print $2, $3, $5 > f; next }
		$1 == "backend" || $1 == "total" { print }
	' <<<"$out" >"$file.sum"
	: >>"$file"
	while read -r kw a b; do
		case $kw in
		backend) TF_COUNT[$a]=$b ;;
		total) TF_TOTAL=$a ;;
		esac
	done <"$file.sum"
	[ -n "$TF_TOTAL" ] || fail "svcadm trace $*: no total line in: $(tail -n 3 <<<"$out")"
}

# within_binomial COUNT N W TOTALW [SLACK]: COUNT of N draws is within 5
# standard deviations (+ SLACK) of a binomial with p = W/TOTALW. Computed
# in integers: (COUNT*TW - N*W)^2 <= 25*N*W*(TW-W) (widened by SLACK).
within_binomial() {
	local c=$1 n=$2 w=$3 tw=$4 slack=${5:-0} d lim

	d=$((c * tw - n * w))
	((d < 0)) && d=$((-d))
	d=$((d - slack * tw))
	((d < 0)) && d=0
	lim=$((25 * n * w * (tw - w)))
	((d * d <= lim))
}

# isqrt N: REPLY = floor(sqrt(N)).
isqrt() {
	local n=$1 x=$1 y

	((n > 1)) || { REPLY=$n; return; }
	y=$(((x + n / x) / 2))
	while ((y < x)); do
		x=$y
		y=$(((x + n / x) / 2))
	done
	REPLY=$x
}

# ------------------------------------------------------------- affinity

# aff_entries PROTO ADDR:PORT: AFF[client]=backend-id for every entry of
# svcadm list --affinity (PROTO tcp, udp, sctp), AFF_EXP[client]=seconds
# left; AFF_N the count.
declare -A AFF AFF_EXP
AFF_N=0
AFF_OUT=
aff_entries() {
	local line client be

	proto_opt "$1"
	AFF_OUT=$(nodeadm list --affinity "$REPLY" "$2" 2>&1) ||
		fail "svcadm list --affinity $REPLY $2: $AFF_OUT"
	AFF=() AFF_EXP=()
	AFF_N=0
	while read -r line; do
		[[ $line =~ ^client\ ([^ ]+)\ -\>\ ([^ ]+)\ expires\ ([0-9]+)s$ ]] || continue
		client=${BASH_REMATCH[1]}
		id_of "${BASH_REMATCH[2]}"
		be=$REPLY
		id_of "$client"
		AFF[$REPLY]=$be
		AFF_EXP[$REPLY]=${BASH_REMATCH[3]}
		AFF_N=$((AFF_N + 1))
	done <<<"$AFF_OUT"
}

_aff_count_is() {
	aff_entries "$1" "$2"
	((AFF_N == $3))
}

# wait_aff_count PROTO ADDR:PORT N SECS: until the service has N entries.
wait_aff_count() {
	wait_until "$4" _aff_count_is "$1" "$2" "$3" ||
		fail "affinity entries of $1 $2: $AFF_N, want $3:$NL$AFF_OUT"
}

# ------------------------------------------------------ refused commands

# expect_refused WHAT ARGS...: nodeadm ARGS fails with one "svcadm: ..."
# line and the configuration (svcadm save) is unchanged: the same as
# REF_SAVE, which is taken before the first call (a case that changes the
# configuration in between empties it). REFUSED holds the message.
REFUSED=
REF_SAVE=
expect_refused() {
	local what=$1 after

	shift
	[ -n "$REF_SAVE" ] || REF_SAVE=$(nodeadm save) || fail "svcadm save"
	if REFUSED=$(nodeadm "$@" 2>&1); then
		fail "$what: svcadm $* succeeded"
	fi
	assert_match "$REFUSED" '^svcadm: ' "$what: error message"
	after=$(nodeadm save) || fail "svcadm save"
	[ "$REF_SAVE" = "$after" ] || fail "$what: the configuration changed:$NL$REF_SAVE$NL---$NL$after"
	info "$what: refused: $REFUSED"
}
