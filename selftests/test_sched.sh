#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Schedulers: random (weighted, kube-proxy's), rr (smooth weighted round
# robin) and maglev (consistent hashing of the source address or of the
# 5-tuple). The distributions are measured with "svcadm trace --flows N",
# which makes the kernel choose N times as for N first packets, on
# services whose backends need not exist (10.1.0.x, 2001:db8:1::x); real
# connections check each scheduler on the data path.
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#                         svcnat, dummy0 192.168.77.1         br-pod 10.244.2.1
#                         br-pod 10.244.1.1                    |-- rpod1 .2.11
#                           |-- pod1 10.244.1.11               `-- rpod2 .2.12
#                           |-- pod2 10.244.1.12
#                           `-- pod3 10.244.1.13 (a client)
#   (IPv6 next to it when the topology has it.)
#
#   real service 10.96.0.10:8081 (TCP, UDP), backends port 80 of the pods;
#   trace-only service 10.96.0.20:80 (UDP), backends 10.1.0.1..8:80.
#
# Statistical bounds: a count c of n draws with probability p = w/W must
# be within 5 standard deviations of the binomial mean, |c - np| <=
# 5 sqrt(np(1-p)) (a false failure about once in 10^6 per check), widened
# for maglev by the table's rounding (each backend owns its share of the
# M entries to within one entry per backend: n*N/M flows). A scheduler
# that ignores weights, or a hash that maps all sources to few backends,
# is off by tens of standard deviations with these n.
#
# rr is deterministic: over k*W flows every backend gets exactly k*w, and
# smooth WRR (nginx) never gives a backend of weight w more than
# 2*ceil(w/(W-w)) picks in a row (checked against a simulation of every
# weight vector up to 5 backends of weight 12) nor any window of the
# sequence more than 2 picks off its share (simulation: at most 1.5); a
# plain weighted round robin gives 7 in a row for weights 1,2,3,7. The
# traces run pinned to one CPU so that a per-CPU rr position is one
# sequence.
#
# Maglev: removing one of N backends must move, of the flows that were not
# on it, at most 1% + 1/N (Maglev's own bound is about 1% of the table on
# average; simulated worst case with N=5, M=1021: 7.4%); a hash modulo N
# would move (N-1)/N of them. The same configuration gives the same
# mapping after a module reload (fixed hash keys), whatever the order its
# backends were added in (svcadm save/apply adds them sorted).

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_choice.sh"

TVIP=10.96.0.20:80	# trace-only service
TVIP6='[fd00:96::20]:80'
FAKE=10.1.0		# its backends: $FAKE.1:80 ...
FAKE6=2001:db8:1::	# IPv6: [2001:db8:1::1]:80 ...
SRC0=10.2.0.1		# first source of --vary saddr
SRC06=2001:db8:2::1
NFLOWS=2000		# flows per random/maglev measurement
NFLOWS6=1000		# the same in IPv6 (it only repeats the checks)

# ------------------------------------------------------------- helpers

# fake_be I [6]: REPLY = ADDR:PORT of fake backend I.
fake_be() {
	if [ "${2:-}" = 6 ]; then
		REPLY="[$FAKE6$1]:80"
	else
		REPLY="$FAKE.$1:80"
	fi
}

# tsvc FAM "OPTS" W1 W2 ...: (re)create the trace-only UDP service with
# OPTS and one fake backend per weight, in one svcadm apply.
tsvc() {
	local fam=$1 opts=$2 svc=$TVIP i=0 w lines

	shift 2
	[ "$fam" != 6 ] || svc=$TVIP6
	lines="flush${NL}add-service -u $svc $opts"
	for w; do
		i=$((i + 1))
		fake_be $i "$fam"
		lines+="${NL}add-backend -u $svc -r $REPLY -w $w"
	done
	nodeadm apply -f - <<<"$lines" || fail "cannot program: add-service -u $svc $opts ($*)"
	TSVC=$svc
}

# check_shares WHAT N SLACK W1 W2 ...: TF_COUNT of fake backends 1.. is
# within the binomial bounds of their weights (SLACK extra flows).
check_shares() {
	local what=$1 n=$2 slack=$3 fam=${FAM:-} tw=0 w i=0 c got=

	shift 3
	for w; do
		tw=$((tw + w))
	done
	assert_eq "$TF_TOTAL" "$n" "$what: total"
	for w; do
		i=$((i + 1))
		fake_be $i "$fam"
		c=${TF_COUNT[$REPLY]:-0}
		got+=" $c"
		if ((w == 0)); then
			assert_eq "$c" 0 "$what: flows to weight-0 backend $REPLY"
			continue
		fi
		within_binomial "$c" "$n" "$w" "$tw" "$slack" ||
			fail "$what: backend $REPLY (weight $w of $tw) got $c of $n flows, expected $((n * w / tw)) +- 5 sigma"
	done
	info "$what: weights $* -> flows${got}"
}

# svc_setting PROTO ADDR:PORT KEY: REPLY = the "  KEY: ..." line of the
# service in svcadm list ("" none).
svc_setting() {
	local line

	REPLY=
	while IFS= read -r line; do
		if [[ $line == "  $3: "* ]]; then
			REPLY=${line#  }
			return 0
		fi
	done <<<"$(nodeadm list "-${1:0:1}" "$2")"
}

# ------------------------------------------------------------ random

# random, weighted: 4 backends of weights 1..4 and one of weight 0.
sched_random() {
	local fam=${1:-} f=$SVCNAT_TMP/random runs src=$EXT_IP

	[ "$fam" != 6 ] || { require_ipv6; src=$EXT_IP6; }
	FAM=$fam
	NF=$NFLOWS
	[ "$fam" != 6 ] || NF=$NFLOWS6
	tsvc "$fam" "" 1 2 3 4 0
	svc_setting udp "$TSVC" scheduler
	assert_eq "$REPLY" "" "random is the default, no scheduler line"
	nodeadm trace -u "$TSVC" --from "$src" --choose >"$f.one" 2>&1 ||
		fail "trace --choose: $(<"$f.one")"
	grep -qx 'scheduler: random' "$f.one" || fail "trace shows no 'scheduler: random': $(<"$f.one")"
	hostport "$src" 20000
	trace_flows "$f" -u "$TSVC" --from "$REPLY" --flows "$NF"
	check_shares "random" "$NF" 0 1 2 3 4 0
	# not a fixed sequence: the weight-4 backend has runs of 4 and more
	# (n * 0.6 * 0.4^4: about 15 expected in 1000 draws, none: p < 1e-6),
	# smooth rr gives it at most 2 in a row
	fake_be 4 "$fam"
	runs=$(awk -v b="$REPLY" '{ r = ($3 == b) ? r + 1 : 0; if (r == 4) n++ } END { print n + 0 }' "$f")
	((runs > 0)) || fail "random: no run of 4 picks of $REPLY in $NF flows: a sequence, not random"
	info "random: $runs runs of 4+ of the weight-4 backend"
}

# ---------------------------------------------------------------- rr

# _rr_check FILE W1 W2 ...: exact shares over the whole file (a multiple
# of W flows), runs and window deviations within smooth WRR's bounds.
_rr_check() {
	local f=$1 fam=${FAM:-} i=0 w tw=0 ws='' bes=''

	shift
	for w; do
		i=$((i + 1))
		tw=$((tw + w))
		fake_be $i "$fam"
		ws+="$w "
		bes+="$REPLY "
	done
	awk -v ws="$ws" -v bes="$bes" -v tw="$tw" '
	BEGIN { n = split(ws, w, " "); split(bes, b, " "); for (i = 1; i <= n; i++) idx[b[i]] = i }
	{ s[NR] = idx[$3] }
	END {
		bad = 0
		for (i = 1; i <= n; i++) cnt[i] = 0
		for (k = 1; k <= NR; k++) {
			if (s[k] == "") { print "flow " k " went to no fake backend"; bad = 1; continue }
			cnt[s[k]]++
		}
		for (i = 1; i <= n; i++) {
			want = NR / tw * w[i]
			if (cnt[i] != want) { print "backend " b[i] " weight " w[i] ": " cnt[i] " flows, want exactly " want; bad = 1 }
			lim = 2 * int((w[i] + tw - w[i] - 1) / (tw - w[i]))
			run = 0; mx = 0
			for (k = 1; k <= NR; k++) { run = (s[k] == i) ? run + 1 : 0; if (run > mx) mx = run }
			if (mx > lim) { print "backend " b[i] " weight " w[i] ": " mx " picks in a row, smooth WRR allows " lim; bad = 1 }
			runs = runs " " mx
		}
		worst = 0
		for (a = 1; a <= NR; a++) {
			for (i = 1; i <= n; i++) c[i] = 0
			for (L = 1; L <= 2 * tw && a + L - 1 <= NR; L++) {
				c[s[a + L - 1]]++
				for (i = 1; i <= n; i++) {
					d = c[i] - L * w[i] / tw
					if (d < 0) d = -d
					if (d > worst) worst = d
				}
			}
		}
		if (worst >= 2) { print "a window of the sequence is " worst " picks off its share (smooth WRR: < 2)"; bad = 1 }
		printf "longest runs%s, worst window deviation %.2f\n", runs, worst
		exit bad
	}' "$f"
}

# rr: exact weighted shares and smoothness, then the position keeps
# going across traces.
sched_rr() {
	local fam=${1:-} f=$SVCNAT_TMP/rr out src=$EXT_IP

	[ "$fam" != 6 ] || { require_ipv6; src=$EXT_IP6; }
	FAM=$fam
	NF=$NFLOWS
	[ "$fam" != 6 ] || NF=$NFLOWS6
	hostport "$src" 20000
	src=$REPLY
	tsvc "$fam" "-s rr" 1 2 3 7
	svc_setting udp "$TSVC" scheduler
	assert_eq "$REPLY" "scheduler: rr" "list"
	trace_flows "$f" -u "$TSVC" --from "$src" --flows 260
	out=$(_rr_check "$f" 1 2 3 7) || fail "rr, weights 1 2 3 7, 260 flows:$NL$out"
	info "rr, weights 1 2 3 7, 260 flows: exact shares 20 40 60 140; $out"
	# another trace continues the same sequence: 13 more flows, exact
	trace_flows "$f" -u "$TSVC" --from "$src" --flows 13
	out=$(_rr_check "$f" 1 2 3 7) || fail "rr, 13 more flows:$NL$out"
	# equal weights: a plain rotation
	tsvc "$fam" "-s rr" 1 1 1
	trace_flows "$f" -u "$TSVC" --from "$src" --flows 30
	out=$(_rr_check "$f" 1 1 1) || fail "rr, weights 1 1 1:$NL$out"
	out=$(awk '{ if (NR > 1 && $3 == p) { print "flows " NR - 1 " and " NR " both to " $3; exit 1 } p = $3 }' "$f") ||
		fail "rr, weights 1 1 1: $out"
	info "rr, weights 1 1 1: every flow to the next backend"
}

# ------------------------------------------------------------ maglev

# _moved A B REMOVED: "STAY MOVED": of the flows of mapping A not on
# REMOVED, how many mapping B sends elsewhere.
_moved() {
	paste -d ' ' "$1" "$2" | awk -v r="$3" '
		$1 != $4 || $2 != $5 { print "flow lists differ at line " NR; exit 1 }
		$3 != r { stay++; if ($3 != $6) moved++ }
		END { print stay + 0, moved + 0 }'
}

# _bound_ok MOVED STAY N: MOVED <= (1% + 1/N) of STAY.
_bound_ok() {
	((100 * $3 * $1 <= ($3 + 100) * $2))
}

# maglev, hash src: an even spread over 5 backends; deleting one moves few
# of the other flows; adding it back; --vary sport from one source always
# hits one backend.
sched_maglev() {
	local fam=${1:-} f=$SVCNAT_TMP/mg src=$SRC0 slack r stay moved out one=$EXT_IP

	[ "$fam" != 6 ] || { require_ipv6; src=$SRC06; one=$EXT_IP6; }
	FAM=$fam
	NF=$NFLOWS
	[ "$fam" != 6 ] || NF=$NFLOWS6
	slack=$((NF * 5 / 1021 + 1))
	tsvc "$fam" "-s maglev" 1 1 1 1 1
	svc_setting udp "$TSVC" scheduler
	assert_eq "$REPLY" "scheduler: maglev hash src" "list"
	trace_flows "$f.a" -u "$TSVC" --from "$src" --flows "$NF" --vary saddr
	check_shares "maglev src, $NF sources" "$NF" "$slack" 1 1 1 1 1

	fake_be 3 "$fam"
	r=$REPLY
	nodeadm del-backend -u "$TSVC" -r "$r" || fail "del-backend $r"
	trace_flows "$f.b" -u "$TSVC" --from "$src" --flows "$NF" --vary saddr
	[ -z "${TF_COUNT[$r]:-}" ] || fail "maglev: deleted $r still gets ${TF_COUNT[$r]} flows"
	out=$(_moved "$f.a" "$f.b" "$r") || fail "maglev: $out"
	read -r stay moved <<<"$out"
	_bound_ok "$moved" "$stay" 5 ||
		fail "maglev: deleting 1 of 5 backends moved $moved of the $stay other flows (> 1% + 1/5)"
	info "maglev: deleting 1 of 5 moved $moved of the $stay flows on the other backends ($((moved * 1000 / stay))/1000; bound 210/1000)"

	nodeadm add-backend -u "$TSVC" -r "$r" || fail "add-backend $r"
	trace_flows "$f.c" -u "$TSVC" --from "$src" --flows "$NF" --vary saddr
	check_shares "maglev src, $r back" "$NF" "$slack" 1 1 1 1 1
	out=$(_moved "$f.c" "$f.b" "$r") || fail "maglev: $out"
	read -r stay moved <<<"$out"
	_bound_ok "$moved" "$stay" 5 ||
		fail "maglev: adding back $r moved $moved of the $stay flows not on it (> 1% + 1/5)"
	if cmp -s "$f.a" "$f.c"; then
		info "maglev: adding $r back restores the first mapping exactly"
	else
		info "maglev: adding $r back: $moved of $stay flows differ from the mapping before it came back; not identical to the first mapping"
	fi

	# one source, many ports: hash src sends all to one backend
	hostport "$one" 20000
	trace_flows "$f.d" -u "$TSVC" --from "$REPLY" --flows 200
	assert_eq "${#TF_COUNT[@]}" 1 "maglev hash src: backends of 200 flows from one source"
}

# maglev, weights: shares follow the weights.
sched_maglev_weights() {
	local fam=${1:-} f=$SVCNAT_TMP/mw src=$SRC0

	[ "$fam" != 6 ] || { require_ipv6; src=$SRC06; }
	FAM=$fam
	NF=$NFLOWS
	[ "$fam" != 6 ] || NF=$NFLOWS6
	tsvc "$fam" "-s maglev" 1 2 3 0
	trace_flows "$f" -u "$TSVC" --from "$src" --flows "$NF" --vary saddr
	check_shares "maglev src, weights" "$NF" $((NF * 4 / 1021 + 1)) 1 2 3 0
}

# maglev, hash flow: one source, varying ports: spread; the table size
# shows in list when set.
sched_maglev_flow() {
	local fam=${1:-} f=$SVCNAT_TMP/mf src=$EXT_IP

	[ "$fam" != 6 ] || { require_ipv6; src=$EXT_IP6; }
	FAM=$fam
	NF=$NFLOWS
	[ "$fam" != 6 ] || NF=$NFLOWS6
	tsvc "$fam" "-s maglev --hash flow --maglev-size 1009" 1 1 1 1 1
	svc_setting udp "$TSVC" scheduler
	assert_eq "$REPLY" "scheduler: maglev hash flow size 1009" "list"
	hostport "$src" 20000
	trace_flows "$f" -u "$TSVC" --from "$REPLY" --flows "$NF"
	check_shares "maglev flow, $NF ports of one source" "$NF" $((NF * 5 / 1009 + 1)) 1 1 1 1 1
}

# The same configuration maps every source to the same backend after the
# module is reloaded: trace mappings of hash src and hash flow services,
# and the backend a real client reaches.
sched_reload() {
	local f=$SVCNAT_TMP/rl saved before after

	sem_reset
	nodeadm apply -f - <<-EOF || fail "cannot program"
	$(tsvc_lines)
	add-service -t $SVC -s maglev
	$(be_lines t "$SVC" pod1 pod2 rpod1 rpod2)
	EOF
	trace_flows "$f.a" -u "$TVIP" --from "$SRC0" --flows 500 --vary saddr
	trace_flows "$f.fa" -u "10.96.0.21:80" --from "$EXT_IP:20000" --flows 500
	probe "$NS_EXT" tcp "$SVC" 4 >/dev/null
	before=$PROBE
	[[ $before != *,* && $before == *" masq" ]] || fail "maglev: real connections from ext: $before"
	saved=$(nodeadm save) || fail "svcadm save"

	svcnat_unload
	svcnat_load
	nodeadm apply -f - <<<"$saved" || fail "cannot apply the saved configuration"
	after=$(nodeadm save)
	assert_eq "$after" "$saved" "configuration after the reload"
	trace_flows "$f.b" -u "$TVIP" --from "$SRC0" --flows 500 --vary saddr
	trace_flows "$f.fb" -u "10.96.0.21:80" --from "$EXT_IP:20000" --flows 500
	cmp -s "$f.a" "$f.b" || fail "maglev hash src: mapping changed across a reload: $(diff "$f.a" "$f.b" | head -n 6)"
	cmp -s "$f.fa" "$f.fb" || fail "maglev hash flow: mapping changed across a reload: $(diff "$f.fa" "$f.fb" | head -n 6)"
	probe "$NS_EXT" tcp "$SVC" 4 >/dev/null
	assert_eq "$PROBE" "$before" "real connections from ext after the reload"
	info "after rmmod/insmod: 500 sources (hash src), 500 ports (hash flow) and ext ($before) map as before"
}

# _differ A B: REPLY = how many flows two mappings send to different
# backends.
_differ() {
	REPLY=$(paste -d ' ' "$1" "$2" | awk '$3 != $6 { n++ } END { print n + 0 }')
}

# The maglev mapping is a function of the backends, not of the order they
# were added in: the same five backends added in another order, or one of
# them deleted and added back, map 500 sources the same way. Otherwise a
# module reload restored with svcadm save/apply (which adds backends sorted
# by address), or two nodes that learnt the endpoints in different orders,
# send the same client to different backends.
sched_order() {
	local f=$SVCNAT_TMP/ord i lines bad='' order

	sem_reset
	for order in "1 2 3 4 5" "3 5 1 4 2"; do
		lines="flush${NL}add-service -u $TVIP -s maglev"
		for i in $order; do
			lines+="${NL}add-backend -u $TVIP -r $FAKE.$i:80"
		done
		nodeadm apply -f - <<<"$lines" || fail "cannot program"
		trace_flows "$f.${order// /}" -u "$TVIP" --from "$SRC0" --flows 500 --vary saddr
	done
	_differ "$f.12345" "$f.35142"
	[ "$REPLY" = 0 ] || bad+=" added in the order 3 5 1 4 2 instead of 1 2 3 4 5: $REPLY of 500 sources map elsewhere;"
	nodeadm del-backend -u "$TVIP" -r "$FAKE.1:80" || fail "del-backend"
	nodeadm add-backend -u "$TVIP" -r "$FAKE.1:80" || fail "add-backend"
	trace_flows "$f.back" -u "$TVIP" --from "$SRC0" --flows 500 --vary saddr
	_differ "$f.35142" "$f.back"
	[ "$REPLY" = 0 ] || bad+=" $FAKE.1:80 deleted and added back: $REPLY of 500 sources map elsewhere;"
	[ -z "$bad" ] || fail "maglev mapping depends on the order of the backends:$bad"
	info "maglev: 500 sources map the same whatever the order the 5 backends were added in"
}

# tsvc_lines: apply lines of two trace-only maglev services (hash src on
# $TVIP, hash flow with size 4093 on 10.96.0.21:80), 5 fake backends each.
tsvc_lines() {
	local i s

	echo "add-service -u $TVIP -s maglev"
	echo "add-service -u 10.96.0.21:80 -s maglev --hash flow --maglev-size 4093"
	for s in "$TVIP" 10.96.0.21:80; do
		for i in 1 2 3 4 5; do
			echo "add-backend -u $s -r $FAKE.$i:80 -w $i"
		done
	done
}

# ------------------------------------------------------ real packets

# _sequence OUT PROTO: REPLY = the backend ids of the client's connections
# of PROTO in order (svcnat-client -v "conn" lines).
_sequence() {
	REPLY=$(awk -v p="$2" '$1 == "conn" && $3 == p && $NF == "ok" { print $2, $4 }' <<<"$1" |
		sort -n | awk '{ printf "%s%s", sep, $2; sep = " " }')
}

# rr with real connections: sequential connections from ext alternate
# between the two backends (TCP and UDP, each service its own position).
real_rr() {
	local fam=${1:-} out p seq

	[ "$fam" != 6 ] || require_ipv6
	sem_reset
	aprogram "tcp udp" "$fam" "-s rr" pod1 rpod1
	out=$(taskset -c 0 "$SVCNAT_CLIENT" -n "$NS_EXT" -t -u -v -c 8 -P 1 "$FSVC" 2>&1) ||
		fail "rr: connections failed:$NL$out"
	for p in tcp udp; do
		_sequence "$out" $p
		seq=$REPLY
		assert_match "$seq" '^((pod1 rpod1 )+|(rpod1 pod1 )+)' "rr: $p backends in connection order"
		assert_no_match " $seq " ' (pod1 pod1|rpod1 rpod1) ' "rr: $p backends in connection order"
		info "rr, $p: $seq"
	done
}

# random with real connections: both backends, none of weight 0.
real_random() {
	sem_reset
	program "" "pod1 pod2 rpod1,-w,0"
	expect_conn "$NS_EXT" tcp "$SVC" 24 pod1,pod2 masq "random, tcp"
	expect_conn "$NS_EXT" udp "$SVC" 24 pod1,pod2 masq "random, udp"
}

# maglev with real connections: hash src sends every connection of a
# client to the backend trace names for it (ext, pod3); hash flow spreads
# one client's connections.
real_maglev() {
	local ns id tr

	sem_reset
	program "-s maglev"
	for ns in "$NS_EXT" "$NS_POD3"; do
		if [ "$ns" = "$NS_EXT" ]; then
			tr=$(nodeadm trace -t "$SVC" --from "$EXT_IP")
		else
			tr=$(nodeadm trace -t "$SVC" --from "$POD3_IP")
		fi
		[[ $tr =~ backend:\ ([0-9.]+):[0-9]+ ]] || fail "maglev: trace names no backend:$NL$tr"
		id_of "${BASH_REMATCH[1]}"
		id=$REPLY
		grep -qx 'scheduler: maglev' <<<"$tr" || fail "trace: no 'scheduler: maglev' line:$NL$tr"
		probe "$ns" tcp "$SVC" 12 >/dev/null
		assert_eq "${PROBE%% *}" "$id" "maglev src: the backend of 12 tcp connections from ${ns##*-}"
		probe "$ns" udp "$SVC" 12 >/dev/null
		assert_eq "${PROBE%% *}" "$id" "maglev src: the backend of 12 udp connections from ${ns##*-}"
		info "maglev src: ${ns##*-} -> $id, as traced (24 connections)"
	done
	sem_reset
	program "-s maglev --hash flow"
	probe "$NS_EXT" tcp "$SVC" 24 >/dev/null
	[[ ${PROBE%% *} == *,* ]] || fail "maglev flow: 24 connections from ext all went to ${PROBE%% *}"
	info "maglev flow: 24 connections from ext: ${PROBE%% *}"
}

# ----------------------------------------------------------- refused

sched_refused() {
	local lines i

	sem_reset
	lines="add-service -u $TVIP -s maglev --maglev-size 7"
	for i in 1 2 3 4 5 6 7; do
		lines+="${NL}add-backend -u $TVIP -r $FAKE.$i:80"
	done
	lines+="${NL}add-service -u 10.96.0.21:80"
	for i in 1 2 3 4 5 6 7 8; do
		lines+="${NL}add-backend -u 10.96.0.21:80 -r $FAKE.$i:80"
	done
	nodeadm apply -f - <<<"$lines" || fail "cannot program"
	expect_refused "maglev size not prime" add-service -u 10.96.0.22:80 -s maglev --maglev-size 1000
	expect_refused "maglev size not prime (edit)" edit-service -u "$TVIP" -s maglev --maglev-size 1023
	expect_refused "maglev size below 7" add-service -u 10.96.0.22:80 -s maglev --maglev-size 5
	expect_refused "maglev size above the maximum" add-service -u 10.96.0.22:80 -s maglev --maglev-size 8388617
	expect_refused "maglev size smaller than the backend count" \
		edit-service -u 10.96.0.21:80 -s maglev --maglev-size 7
	expect_refused "a backend more than the maglev size" add-backend -u "$TVIP" -r "$FAKE.8:80"
	expect_refused "--hash without maglev" add-service -u 10.96.0.22:80 --hash flow
	expect_refused "--hash with rr" edit-service -u 10.96.0.21:80 -s rr --hash src
	expect_refused "--maglev-size without maglev" add-service -u 10.96.0.22:80 -s random --maglev-size 1021
	expect_refused "unknown scheduler" add-service -u 10.96.0.22:80 -s wrr
	# and the same through the kernel alone (svcadm could check them itself)
	_ynl_refused '{"proto": 17, "addr-ipv4": 174063638, "port": 80, "scheduler": 2, "maglev-size": 1000}' "not prime"
	_ynl_refused '{"proto": 17, "addr-ipv4": 174063638, "port": 80, "hash": 1}' "hash without maglev"
	_ynl_refused '{"proto": 17, "addr-ipv4": 174063638, "port": 80, "scheduler": 1, "maglev-size": 1021}' "size without maglev"
}

# _ynl_refused JSON WHAT: service-new with JSON (10.96.0.22:80) fails with
# an extack message, and the service does not exist.
_ynl_refused() {
	local out

	[ -r "$YNL_DIR/cli.py" ] || return 0
	if out=$(ip netns exec "$NS_NODE" /usr/bin/python3 "$YNL_DIR/cli.py" --spec "$SPEC" \
		--no-schema --do service-new --json "{\"service\": $1}" 2>&1); then
		fail "kernel: $2: service-new accepted: $out"
	fi
	assert_match "$out" "bad-attr|msg|Invalid|error" "kernel: $2: error"
	! nodeadm list -u 10.96.0.22:80 >/dev/null 2>&1 || fail "kernel: $2: the service exists"
	info "kernel: $2: refused: $(grep -o "'msg': '[^']*'" <<<"$out" | head -n 1)"
}

test_init
require_cmd "$SVCADM" taskset awk paste
sem_topo_setup
add_client_pod
have_ipv6 || true	# probed once, for every case

ktap_plan 17
run_case "random: weighted shares within 5 sigma, weight 0 never, not a sequence" sched_random
run_case "rr: exact weighted shares, smooth, continues across traces" sched_rr
run_case "maglev src: even spread, delete one of 5 moves <= 1% + 1/N of the rest, add back" sched_maglev
run_case "maglev src: weights" sched_maglev_weights
run_case "maglev flow: one source, many ports spread; size shown" sched_maglev_flow
run_case "schedulers: bad maglev size, hash without maglev refused, nothing changed" sched_refused
run_case "real: random over two backends, weight 0 unused" real_random
run_case "real: rr alternates between two backends" real_rr
run_case "real: maglev src sticks to the traced backend per client; flow spreads" real_maglev
run_case "maglev: same mapping after rmmod/insmod and the same configuration" sched_reload
run_case "maglev: mapping independent of the order backends were added in" sched_order
run_case "ipv6: random weighted shares" sched_random 6
run_case "ipv6: rr exact shares, smooth" sched_rr 6
run_case "ipv6: maglev src spread, delete one, add back" sched_maglev 6
run_case "ipv6: maglev flow spread" sched_maglev_flow 6
run_case "ipv6: maglev src weights" sched_maglev_weights 6
run_case "ipv6, real: rr alternates" real_rr 6
ktap_done
