#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Conntrack hygiene (rule 19 of ../shared/service-semantics.md): when a UDP
# or SCTP backend stops being a candidate, svcnat deletes the conntrack
# entries DNATed to it at the commit, so a client that keeps sending on one
# socket is not left in a black hole; when a service gains its first
# candidate, the entries to its frontends that were not DNATed go too. TCP
# connections to a removed backend are left alone unless the change says
# --flush-conns. Established TCP streams to backends that stay see nothing
# of backend-set changes.
#
#                 v-ext                    v-rnode     eth0
#   ext 10.0.1.2 ------- 10.0.1.1 [ node ] 10.0.3.1 ------- 10.0.3.2 [ rnode ]
#   (the client:          svcnat, dummy0 192.168.77.1         br-pod 10.244.2.1
#    svcnat-flow,         br-pod 10.244.1.1                    |-- rpod1 .2.11
#    svcnat-client)         |-- pod1 10.244.1.11               `-- rpod2 .2.12
#                           `-- pod2 10.244.1.12
#   (IPv6 next to it when the topology has it: ext fd00:1::2, pods
#    fd00:244:1::11/12, rpods fd00:244:2::11/12, cluster IP fd00:96::10)
#
#   service 10.96.0.10:8081: backends port 80 of the pods (every pod runs
#   svcnat-backend there), or port 81 where a case needs to stop one
#   backend's server on its own (one svcnat-backend per pod).
#   Cluster IPs that no service handles vanish into the node's dummy0.
#
# The client of the UDP/SCTP cases is svcnat-flow: one socket, a numbered
# message every 20 ms, every reply naming its backend; it measures the
# time from a mark to the first reply after it. The node's conntrack
# table (conntrack -L) shows where the flow's entry points.
#
# Negative controls: a backend whose server is stopped while it is still
# configured gets the flow's packets for as long as the control window
# lasts (no reply at all, the entry still points at it) - only the
# deletion of the backend ends the black hole. Before any service exists,
# the flow's entry is one without DNAT.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib_choice.sh"

ALT_PORT=81		# backends whose server a case stops
FLOW_PORT=40081		# fixed source port of the SCTP flow
# A flow must get answers again within RECOVER_MS of the change (measured
# from just before the svcadm command, so its own run time counts); the
# control window (CONTROL_MS) shows there is no recovery without it.
RECOVER_MS=2000
CONTROL_MS=3000
CHANGES=1000		# backend-set changes of the TCP stream case

# ------------------------------------------------------------- helpers

# alt_backend ID [-S]: a svcnat-backend of its own for pod ID on
# $ALT_PORT (TCP, UDP, with -S SCTP too: the
# SCTP socket listens once the TCP and UDP ones do); REPLY = its pid.
alt_backend() {
	local ns

	ns=$(pod_ns "$1")
	spawn "$SVCNAT_BACKEND" -p "$ALT_PORT" ${2:+"$2"} "$1@$ns"
	REPLY=$BG_PID
	wait_listener "$ns" tcp+udp "$ALT_PORT"
}

# svc_addr FAM: REPLY = the service's address ($VIP or $VIP6) and
# SVC_HP = ADDR:PORT for svcadm.
svc_addr() {
	if [ "$1" = 6 ]; then
		REPLY=$VIP6
	else
		REPLY=$VIP
	fi
	hostport "$REPLY" "$VPORT"
	SVC_HP=$REPLY
	REPLY=${SVC_HP%:*}
	REPLY=${REPLY#[}
	REPLY=${REPLY%]}
}

# expect_ct PROTO DST WANT WHAT: the node's entries to DST:$VPORT reply
# from WANT (space-separated addresses).
expect_ct() {
	ct_reply_src "$1" "$2" "$VPORT"
	assert_eq "$REPLY" "$3" "$4: reply source of the conntrack entry to $2:$VPORT"
	info "$4: conntrack entry to $2:$VPORT replies from ${REPLY:-nothing}"
}

# recovered WHAT N [IDS]: after a mark and a change, the flow got N
# replies, the first within RECOVER_MS of the mark, and only from IDS.
recovered() {
	local what=$1 n=$2 ids=${3:-}

	flow_wait "$n" 15000
	((FS[since] >= n)) || fail "$what: ${FS[since]} replies in 15 s after the change: $FLOW_LINE"
	((FS[first] <= RECOVER_MS)) ||
		fail "$what: first reply ${FS[first]} ms after the change, want <= $RECOVER_MS: $FLOW_LINE"
	[ -z "$ids" ] || assert_eq "${FS[ids]}" "$ids" "$what: backends that answered"
	info "$what: first reply after ${FS[first]} ms, longest gap ${FS[gap]} ms (${FS[ids]})"
}

# --------------------------------------------------------------- cases

# (a), (e), (f): a flow whose backend dies. PROTO udp or sctp, FAM "" or
# 6. While the dead backend is still configured the flow is in a black
# hole; once it is deleted the flow's next packet goes to the other one.
dead_backend() {
	local proto=$1 fam=${2:-} p=u flowopt=(-u) beopt='' x y pid_x lines dst
	local -A pid

	case $proto in
	sctp)
		require_sctp
		p=-sctp
		flowopt=(-S -r -p "$FLOW_PORT")
		beopt=-S
		;;
	esac
	[ "$fam" != 6 ] || require_ipv6
	svc_addr "$fam"
	dst=$REPLY
	sem_reset
	ct_flush
	for x in pod1 pod2; do
		alt_backend "$x" $beopt
		pid[$x]=$REPLY
	done
	lines="add-service -$p $SVC_HP"
	for x in pod1 pod2; do
		addr_of $x "$fam"
		hostport "$REPLY" "$ALT_PORT"
		lines+="${NL}add-backend -$p $SVC_HP -r $REPLY"
	done
	nodeadm apply -f - <<<"$lines" || fail "cannot program $proto $SVC_HP"

	flow_start -n "$NS_EXT" "${flowopt[@]}" "$SVC_HP"
	flow_wait 5 10000
	((FS[since] >= 5)) || fail "the $proto flow gets no answers: $FLOW_LINE"
	x=${FS[id]}
	case $x in
	pod1) y=pod2 ;;
	pod2) y=pod1 ;;
	*) fail "the flow is answered by '$x'" ;;
	esac
	addr_of "$x" "$fam"
	pid_x=$REPLY
	expect_ct "$proto" "$dst" "$pid_x" "talking to $x"

	# control: the server of x stops, x stays configured
	kill_all "${pid[$x]}" || true
	flow_mark
	flow_wait 1 "$CONTROL_MS"
	assert_eq "${FS[since]}" 0 "replies while $x is dead but configured ($FLOW_LINE)"
	info "control: no reply for $CONTROL_MS ms while $x is dead but configured ($((FS[errors])) errors, last ${FS[err]})"
	expect_ct "$proto" "$dst" "$pid_x" "dead $x still configured"

	flow_mark
	addr_of "$x" "$fam"
	hostport "$REPLY" "$ALT_PORT"
	nodeadm del-backend "-$p" "$SVC_HP" -r "$REPLY" || fail "del-backend $x"
	recovered "$proto: $x deleted" 5 "$y"
	addr_of "$y" "$fam"
	expect_ct "$proto" "$dst" "$REPLY" "after deleting $x"
	flow_stop
}

# (b) A UDP flow that started before its service existed: its entry has
# no DNAT (the packets vanish into dummy0); creating the service with an
# endpoint deletes it, the next packet is DNATed.
before_service() {
	sem_reset
	ct_flush
	flow_start -n "$NS_EXT" -u "$SVC"
	flow_wait 1 1000
	assert_eq "${FS[since]}" 0 "replies without a service"
	expect_ct udp "$VIP" "$VIP" "no service yet"
	flow_mark
	nodeadm apply -f - <<-EOF || fail "cannot program $SVC"
	add-service -u $SVC
	add-backend -u $SVC -r $POD1_IP:$BE_PORT
	EOF
	recovered "service created with an endpoint" 5 pod1
	expect_ct udp "$VIP" "$POD1_IP" "service created"
	flow_stop
}

# (b) A flow that started before its service existed, then the service
# comes without endpoints, then gets one: the entry without DNAT goes when
# the first endpoint comes.
before_endpoint_no_service() {
	sem_reset
	ct_flush
	flow_start -n "$NS_EXT" -u "$SVC"
	flow_wait 1 500
	expect_ct udp "$VIP" "$VIP" "no service yet"
	nodeadm add-service -u "$SVC" || fail "add-service"
	flow_wait 1 500
	assert_eq "${FS[since]}" 0 "replies without an endpoint"
	flow_mark
	nodeadm add-backend -u "$SVC" -r "$POD2_IP:$BE_PORT" || fail "add-backend"
	recovered "first endpoint added" 5 pod2
	expect_ct udp "$VIP" "$POD2_IP" "endpoint added"
	flow_stop
}

# (b) A flow to a service without endpoints is rejected (ICMP port
# unreachable, errors on the socket) until the first endpoint comes.
before_endpoint_rejected() {
	sem_reset
	ct_flush
	nodeadm add-service -u "$SVC" || fail "add-service"
	flow_start -n "$NS_EXT" -u "$SVC"
	flow_wait 1 1000
	assert_eq "${FS[since]}" 0 "replies without an endpoint"
	((FS[errors] > 0)) || fail "no ICMP error without endpoints: $FLOW_LINE"
	assert_eq "${FS[err]}" refused "error of the flow without endpoints"
	flow_mark
	nodeadm add-backend -u "$SVC" -r "$RPOD1_IP:$BE_PORT" || fail "add-backend"
	recovered "first endpoint added to a rejecting service" 5 rpod1
	flow_stop
}

# _xchg: one exchange on every held connection; XCHG[ID]=ok|REASON (the
# worst of its connections), XCHG_LINES the raw lines.
declare -A XCHG
XCHG_LINES=
_xchg() {
	local line kw n proto id res why

	[ -n "${LL[1]:-}" ] || fail "the long-lived client is gone"
	echo x >&"${LL[1]}"
	XCHG=()
	XCHG_LINES=
	while read -r -t 30 -u "$LL_OUT" line; do
		[[ $line == done* ]] && return 0
		XCHG_LINES+=$line$NL
		read -r kw n proto id res why <<<"$line"
		[ "$kw" = xchg ] || continue
		if [ "$res" = ok ]; then
			XCHG[$id]=${XCHG[$id]:-ok}
		else
			XCHG[$id]=${why:-fail}
		fi
	done
	fail "no end of the exchange: $XCHG_LINES"
}

# ynl_loop N: N backend-replace requests (what svcadm set-backends sends)
# on the TCP service $SVC, each its own commit, through the kernel's YNL
# library (one process, not N svcadm runs): alternately {pod1, pod2,
# rpod1} and {pod1, pod2, rpod2}, the weights of pod1/pod2 cycling 1..3,
# every other one with flush-conns.
# Prints "changes N seconds S".
ynl_loop() {
	ip netns exec "$NS_NODE" /usr/bin/python3 - "$YNL_DIR" "$SPEC" "$1" \
		"$VIP" "$VPORT" "$POD1_IP" "$POD2_IP" "$RPOD1_IP" "$RPOD2_IP" "$BE_PORT" <<-'EOF'
	import ipaddress, sys, time
	ynl_dir, spec, n, vip, vport, p1, p2, r1, r2, port = sys.argv[1:]
	sys.path.insert(0, ynl_dir)
	from lib import YnlFamily
	ynl = YnlFamily(spec, '')
	a4 = lambda a: int(ipaddress.IPv4Address(a))
	be = lambda a, w: {'addr-ipv4': a4(a), 'port': int(port), 'weight': w}
	start = time.monotonic()
	for i in range(int(n)):
	    svc = {'proto': 6, 'addr-ipv4': a4(vip), 'port': int(vport),
	           'backend': [be(p1, 1 + i % 3), be(p2, 1 + (i + 1) % 3),
	                       be(r1 if i % 2 else r2, 1)]}
	    if i % 2:
	        svc['flush-conns'] = True
	    ynl.do('backend-replace', {'service': svc})
	print('changes', n, 'seconds', round(time.monotonic() - start, 1))
	EOF
}

# (c) TCP streams to pod1 and pod2 exchange data before, during and after
# CHANGES backend-set changes (set-backends, each its own commit, half of
# them with --flush-conns, each removing rpod1 or rpod2): every exchange
# comes back byte for byte, none is reset.
streams_survive() {
	local pid n=0 out=$SVCNAT_TMP/ynl.out

	[ -r "$YNL_DIR/lib/ynl.py" ] || skip "no YNL library at $YNL_DIR"
	sem_reset
	ct_flush
	nodeadm apply -f - <<-EOF || fail "cannot program $SVC"
	add-service -t $SVC
	add-backend -t $SVC -r $POD1_IP:$BE_PORT
	add-backend -t $SVC -r $POD2_IP:$BE_PORT
	EOF
	ll_start -t -c 40 -D 2 "$SVC"
	assert_match "$LL_HELD" "tcp pod1 " "streams held"
	assert_match "$LL_HELD" "tcp pod2 " "streams held"
	ll_exchange
	(
		trap - ERR
		ynl_loop "$CHANGES"
	) >"$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		ll_exchange
		n=$((n + 1))
	done
	wait "$pid" || fail "backend-set loop failed:$NL$(tail -n 8 "$out")"
	ll_exchange
	ll_stop
	assert_match "$(<"$out")" "^changes $CHANGES " "backend-set loop"
	((n >= 2)) || fail "only $n exchanges during the changes"
	info "$(<"$out"); $n exchanges on both streams during them, all good"
	# and the last set is what the service has now
	nodeadm list -n -t "$SVC" | grep -q "$RPOD1_IP:$BE_PORT" ||
		fail "the last backend set is not in place: $(nodeadm list -t "$SVC")"
}

# (d) A TCP connection to a deleted backend keeps working (its server
# still runs); deleting another backend with del-backend --flush-conns, and
# a third with set-backends --flush-conns, kills the connections to that
# one (reset by the backend that gets the next segment) and to it only.
tcp_flush_conns() {
	sem_reset
	ct_flush
	nodeadm apply -f - <<-EOF || fail "cannot program $SVC"
	add-service -t $SVC
	$(be_lines t "$SVC" pod1 pod2 rpod1 rpod2)
	EOF
	ll_start -t -c 80 -D 4 "$SVC"
	_xchg
	assert_eq "${XCHG[pod1]:-} ${XCHG[pod2]:-} ${XCHG[rpod1]:-} ${XCHG[rpod2]:-}" "ok ok ok ok" \
		"exchanges on 4 streams"

	nodeadm del-backend -t "$SVC" -r "$POD1_IP:$BE_PORT" || fail "del-backend pod1"
	_xchg
	assert_eq "${XCHG[pod1]:-} ${XCHG[pod2]:-} ${XCHG[rpod1]:-} ${XCHG[rpod2]:-}" "ok ok ok ok" \
		"exchanges after deleting pod1 without --flush-conns"
	info "pod1 deleted without --flush-conns: its stream still works"

	nodeadm del-backend -t "$SVC" -r "$RPOD1_IP:$BE_PORT" --flush-conns ||
		fail "del-backend --flush-conns rpod1"
	_xchg
	assert_eq "${XCHG[pod1]:-} ${XCHG[pod2]:-} ${XCHG[rpod2]:-}" "ok ok ok" \
		"streams to pod1 (deleted earlier), pod2 and rpod2 after flushing rpod1"
	assert_match "${XCHG[rpod1]:-}" "reset" "stream to rpod1 after del-backend --flush-conns"
	info "rpod1 deleted with --flush-conns: its stream fails (${XCHG[rpod1]}), the others work"

	nodeadm set-backends -t "$SVC" -r "$POD2_IP:$BE_PORT" --flush-conns ||
		fail "set-backends --flush-conns without rpod2"
	_xchg
	assert_eq "${XCHG[pod1]:-} ${XCHG[pod2]:-}" "ok ok" \
		"streams to pod1 (deleted earlier) and pod2 after set-backends --flush-conns"
	assert_match "${XCHG[rpod2]:-}" "reset" "stream to rpod2 after set-backends --flush-conns"
	info "rpod2 dropped by set-backends --flush-conns: its stream fails (${XCHG[rpod2]}), pod1 and pod2 work"
	ll_stop || true
}

test_init
require_cmd "$SVCADM" conntrack
[ -x "$SVCNAT_FLOW" ] || skip "$SVCNAT_FLOW not built (make -C selftests)"
sem_topo_setup sctp
NS_CL=$NS_EXT	# the client of ll_start (lib.sh)
have_ipv6 || true	# probed once, for every case

ktap_plan 8
run_case "udp: the backend of a flow is deleted: answers again at once, black hole without" dead_backend udp
run_case "udp: a flow started before its service gets answers once it exists" before_service
run_case "udp: a flow started before its service gets answers at its first endpoint" before_endpoint_no_service
run_case "udp: a rejected flow gets answers at the first endpoint" before_endpoint_rejected
run_case "tcp: streams to backends that stay survive $CHANGES backend-set changes" streams_survive
run_case "tcp: deleted backend keeps its connection; --flush-conns kills it" tcp_flush_conns
run_case "sctp: the backend of an association is deleted: answers again at once" dead_backend sctp
run_case "udp/ipv6: the backend of a flow is deleted: answers again at once" dead_backend udp 6
ktap_done
