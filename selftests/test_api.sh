#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The configuration API: bad netlink input and bad svcadm input are rejected
# with a message and leave the configuration unchanged; an unprivileged
# caller gets EPERM; a batch is all-or-nothing and names the bad line; a
# large batch (many netlink messages in one transaction) commits and a
# dump returns all of it; save | flush | apply | save round-trips exactly.
#
#   +------------------------------------------+
#   | private netns (unshare -n), no traffic   |
#   |   svcadm, svcnat-nlraw  --genetlink-->   |
#   |   svcnat: 10.96.0.10:8081 -> 10.0.2.11   |
#   +------------------------------------------+
#
# "Unchanged" is checked by comparing "svcadm save" and "svcadm show-config"
# before and after.

# Functions are called indirectly (run_case), which shellcheck cannot see.
# shellcheck disable=SC2317,SC2119
set -eu
. "$(dirname "$0")/lib.sh"

svcadm() { "$SVCADM" "$@"; }

# The state svcnat-nlraw's scenarios expect.
base_config() {
	svcadm flush
	svcadm apply -f - <<-EOF
	add-service -t $VIP:$VPORT --name $SVC_NAME
	add-backend -t $VIP:$VPORT -r $B1_IP:$TPORT
	EOF
}

# text_diff A B: diff of two strings (no process substitution: the VM has
# no /dev/fd).
text_diff() {
	echo "$1" >"$SVCNAT_TMP/diff.a"
	echo "$2" >"$SVCNAT_TMP/diff.b"
	diff "$SVCNAT_TMP/diff.a" "$SVCNAT_TMP/diff.b" || true
}

# The services and the node configuration (no traffic: counters stay 0).
config_state() {
	svcadm save
	svcadm show-config
}

# expect_unchanged BEFORE: the configuration is still BEFORE.
expect_unchanged() {
	local after

	after=$(config_state)
	[ "$after" = "$1" ] || fail "configuration changed:"$'\n'"$(text_diff "$1" "$after")"
}

raw_netlink() {
	local before out rc=0

	base_config
	before=$(config_state)
	out=$("$SVCNAT_NLRAW" all) || rc=$?
	info "$out"
	[ "$rc" = 0 ] || fail "svcnat-nlraw: some malformed requests were not rejected properly"
	expect_unchanged "$before"
}

# expect_usage_error REGEX ARGS...: svcadm ARGS fails with exactly one line
# on stderr, "svcadm: ..." matching REGEX, and nothing on stdout.
expect_usage_error() {
	local re=$1 out err rc=0

	shift
	out=$(svcadm "$@" 2>"$SVCNAT_TMP/err") || rc=$?
	err=$(<"$SVCNAT_TMP/err")
	[ "$rc" != 0 ] || fail "svcadm $* succeeded"
	[ -z "$out" ] || fail "svcadm $* printed on stdout: $out"
	[[ $err != *$'\n'* ]] || fail "svcadm $*: more than one line on stderr: $err"
	[[ $err =~ ^svcadm:\ .*$re ]] || fail "svcadm $*: message '$err' does not match 'svcadm: .*$re'"
	info "svcadm $* -> rc=$rc: $err"
}

bad_svcadm_input() {
	local before long

	base_config
	before=$(config_state)
	long=$(printf '%0300d' 0)
	expect_usage_error 'address' add-service -t 10.96.0.300:80
	expect_usage_error 'port' add-service -t 10.96.0.10:0
	expect_usage_error 'port' add-service -t 10.96.0.10:65536
	expect_usage_error 'port' add-service -t 10.96.0.10
	expect_usage_error '' add-service 10.96.0.10:80
	expect_usage_error '' add-service -t 10.96.0.12:80 --bogus
	expect_usage_error '' add-service --name x
	expect_usage_error 'weight' add-backend -t "$VIP:$VPORT" -r 10.0.2.14:80 -w 70000
	expect_usage_error 'weight' add-backend -t "$VIP:$VPORT" -r 10.0.2.14:80 -w -1
	expect_usage_error '' add-backend -t "$VIP:$VPORT"
	expect_usage_error 'weight' set-backends -t "$VIP:$VPORT" -r 10.0.2.14:80@70000
	expect_usage_error 'name' add-service -t 10.96.0.12:80 --name "$long"
	expect_usage_error 'family' add-backend -t "$VIP:$VPORT" -r '[2001:db8::14]:80'
	expect_usage_error 'family' add-service -t 10.96.0.12:80 --external-ip 2001:db8::7
	expect_usage_error '' bogus-command
	# well-formed, refused by the kernel (the message carries its extack)
	expect_usage_error '' add-service -t "$VIP:$VPORT"
	expect_usage_error '' add-backend -t "$VIP:$VPORT" -r "$B1_IP:$TPORT"
	expect_usage_error '' add-backend -t 10.96.0.99:80 -r 10.0.2.14:80
	expect_usage_error '' del-service -t 10.96.0.99:80
	expect_usage_error '' del-backend -t "$VIP:$VPORT" -r 10.0.2.99:80
	expect_usage_error '' edit-service -t 10.96.0.99:80 --name x
	expect_usage_error '' edit-backend -t "$VIP:$VPORT" -r 10.0.2.99:80 -w 3
	expect_usage_error '' set-backends -t 10.96.0.99:80 -r 10.0.2.14:80
	expect_usage_error '' set-backends -t "$VIP:$VPORT" -r 10.0.2.14:80 -r 10.0.2.14:80
	expect_usage_error '' list -t 10.96.0.99:80
	# frontends, policies, node configuration and trace: refused by svcadm
	# or by the kernel, either way one line and nothing changed
	expect_usage_error '' add-service -t 10.96.0.12:80 --external-ip 198.51.100.1 --external-ip 198.51.100.1
	expect_usage_error '' add-service -t 10.96.0.12:80 --external-ip 198.51.100.1 --lb-ip 198.51.100.1
	expect_usage_error '' add-service -t 10.96.0.12:80 --external-ip 10.96.0.12
	expect_usage_error '' add-service -t 10.96.0.12:80 --lb-ip 127.0.0.1
	expect_usage_error '' add-service -t 224.0.0.1:80
	expect_usage_error '' add-service -t 10.96.0.12:80 --lb-ip 198.51.100.2 --source-range 10.0.0.1/8
	expect_usage_error '' add-service -t 10.96.0.12:80 --lb-ip 198.51.100.2 --source-range 10.0.0.0/33
	expect_usage_error '' add-service -t 10.96.0.12:80 --node-port 0
	expect_usage_error '' add-service -t 10.96.0.12:80 --external-policy bogus
	expect_usage_error '' edit-service -t "$VIP:$VPORT" --lb-ip 198.51.100.1 --lb-ip 198.51.100.1
	expect_usage_error '' set-config --cluster-cidr 10.244.1.0/16
	expect_usage_error '' set-config --masq-mark 0
	expect_usage_error '' set-config --masq-mark 0x6000
	expect_usage_error '' set-config --masq-mode bogus
	expect_usage_error 'pod' trace -t "$VIP:$VPORT" --from 192.0.2.1 --origin pod
	expect_usage_error '' trace -t "$VIP:$VPORT"
	expect_unchanged "$before"
}

unprivileged() {
	local before out rc=0
	local drop=(setpriv --reuid 65534 --regid 65534 --clear-groups --inh-caps=-all)

	base_config
	before=$(config_state)
	out=$("${drop[@]}" "$SVCADM" list 2>&1) || rc=$?
	info "unprivileged list -> rc=$rc: $out"
	[ "$rc" != 0 ] || fail "unprivileged svcadm list succeeded"
	assert_match "$out" "^svcadm: .*not permitted" "unprivileged list message"
	rc=0
	out=$("${drop[@]}" "$SVCADM" add-service -t 10.96.0.12:80 2>&1) || rc=$?
	info "unprivileged add-service -> rc=$rc: $out"
	[ "$rc" != 0 ] || fail "unprivileged svcadm add-service succeeded"
	assert_match "$out" "^svcadm: .*not permitted" "unprivileged add-service message"
	rc=0
	out=$("${drop[@]}" "$SVCADM" flush 2>&1) || rc=$?
	[ "$rc" != 0 ] || fail "unprivileged svcadm flush succeeded"
	out=$("${drop[@]}" "$SVCNAT_NLRAW" -e EPERM -x perm-svc-new perm-dump perm-txn-begin) ||
		fail "raw requests without CAP_NET_ADMIN:"$'\n'"$out"
	info "$out"
	expect_unchanged "$before"
}

# expect_batch_error LINE: svcadm apply (stdin) fails, names LINE, one line.
expect_batch_error() {
	local line=$1 err rc=0

	svcadm apply -f - 2>"$SVCNAT_TMP/err" || rc=$?
	err=$(<"$SVCNAT_TMP/err")
	info "apply -> rc=$rc: $err"
	[ "$rc" != 0 ] || fail "the batch was applied"
	[[ $err != *$'\n'* ]] || fail "more than one line on stderr: $err"
	[[ $err =~ ^svcadm:\ .*line\ ${line}([^0-9]|$) ]] || fail "message does not name line $line: $err"
}

batch_all_or_nothing() {
	local before

	base_config
	before=$(config_state)
	# a line svcadm itself rejects
	expect_batch_error 4 <<-EOF
	add-service -t 10.96.1.1:80
	add-backend -t 10.96.1.1:80 -r 10.0.3.1:80
	add-service -u 10.96.1.1:80
	add-backend -u 10.96.1.1:80 -r 10.0.3.1:0
	add-service -t 10.96.1.2:80
	EOF
	expect_unchanged "$before"
	# well-formed, but line 4 fails in the kernel at commit (service exists)
	expect_batch_error 4 <<-EOF
	add-service -t 10.96.1.1:80
	add-backend -t 10.96.1.1:80 -r 10.0.3.1:80
	del-service -t $VIP:$VPORT
	del-service -t $VIP:$VPORT
	add-service -t 10.96.1.2:80
	EOF
	expect_unchanged "$before"
	# line 5: backend on a service that does not exist
	expect_batch_error 5 <<-EOF
	add-service -t 10.96.1.1:80
	# a comment line counts too

	set-backends -t $VIP:$VPORT -r 10.0.3.9:80
	add-backend -t 10.96.1.3:80 -r 10.0.3.1:80
	EOF
	expect_unchanged "$before"
}

# 2000 services x 10 backends in one apply: 22000 ops, far more than one
# netlink message holds, so the transaction spans many txn-ops messages.
# A dump must then return every service with all its backends, once.
large_batch() {
	local start out counts

	svcadm flush
	awk 'BEGIN {
		for (s = 0; s < 2000; s++) {
			a = sprintf("10.97.%d.%d:80", int(s / 250), s % 250 + 1)
			printf "add-service -t %s --name bulk/svc-%d:http\n", a, s
			for (b = 0; b < 10; b++)
				printf "add-backend -t %s -r 10.1.%d.%d:8080 -w %d\n", a,
					int(s / 25), (s % 25) * 10 + b + 1, b
		}
	}' >"$SVCNAT_TMP/big"
	start=$EPOCHREALTIME
	svcadm apply -f "$SVCNAT_TMP/big"
	info "apply of 22000 lines: $(elapsed "$start") s"
	start=$EPOCHREALTIME
	svcadm list -n -o json >"$SVCNAT_TMP/big.json"
	info "list -o json: $(elapsed "$start") s"
	# services (6-space indent) and their backends (10-space indent)
	counts=$(awk '
		/^      "address"/ { if (svc[$2]++) dup++; cur = $2; n++ }
		/^          "address"/ { be[cur]++; nb++ }
		END {
			for (s in be) if (be[s] != 10) odd++
			printf "%d %d %d %d\n", n, nb, dup, odd
		}' "$SVCNAT_TMP/big.json")
	assert_eq "$counts" "2000 20000 0 0" "services, backends, duplicate services, services without 10 backends"
	# and save/flush/apply round-trips the big one too
	svcadm save >"$SVCNAT_TMP/save1"
	out=$(grep -c '^add-backend' "$SVCNAT_TMP/save1") || true
	assert_eq "$out" 20000 "add-backend lines in save"
	svcadm flush
	assert_eq "$(svcadm save)" "" "save after flush"
	start=$EPOCHREALTIME
	svcadm apply -f "$SVCNAT_TMP/save1"
	info "re-apply of the saved config: $(elapsed "$start") s"
	svcadm save >"$SVCNAT_TMP/save2"
	cmp -s "$SVCNAT_TMP/save1" "$SVCNAT_TMP/save2" || fail "save | flush | apply | save differs"
	svcadm flush
}

round_trip() {
	local saved again out

	svcadm flush
	svcadm apply -f - <<-'EOF'
	add-service -t 10.96.1.1:80 --name default/web:http
	add-backend -t 10.96.1.1:80 -r 10.0.3.1:8080 -w 5
	add-backend -t 10.96.1.1:80 -r 10.0.3.2:8080 -w 0 --terminating
	add-backend -t 10.96.1.1:80 -r 10.0.3.3:8080 --not-ready --not-serving --local
	add-service -u 10.96.1.2:53 --name kube-system/kube-dns:dns
	add-backend -u 10.96.1.2:53 -r 10.0.3.4:53
	add-service --sctp 10.96.1.3:9999 --name "odd name: 'quotes' \"too\" # and a hash"
	add-backend --sctp 10.96.1.3:9999 -r 10.0.3.5:9999 -w 65535
	add-service -t 10.96.1.4:443
	add-service -t 10.96.1.5:80 --name empty-set
	add-backend -t 10.96.1.5:80 -r 10.0.3.6:80
	set-backends -t 10.96.1.5:80
	EOF
	saved=$(svcadm save)
	info "$saved"
	assert_match "$saved" "10.0.3.2:8080 -w 0 .*--terminating" "save keeps weight 0 and terminating"
	assert_match "$saved" "10.0.3.3:8080 .*--not-ready.*--not-serving.*--local" "save keeps the conditions"
	assert_no_match "$saved" "10.0.3.6" "set-backends with no backend empties the set"
	svcadm flush
	assert_eq "$(svcadm save)" "" "save after flush"
	svcadm apply -f - <<<"$saved"
	again=$(svcadm save)
	[ "$again" = "$saved" ] || fail "round trip differs:"$'\n'"$(text_diff "$saved" "$again")"
	out=$(svcadm list -n -o json)
	assert_match "$out" '"name": "odd name: '\''quotes'\'' \\"too\\" # and a hash"' "json name escaping"
	svcadm flush
}

# Edits show up in list: name, weight, conditions, backend removal.
edits() {
	local out

	base_config
	svcadm edit-service -t "$VIP:$VPORT" --name renamed/svc:http
	svcadm add-backend -t "$VIP:$VPORT" -r 10.0.2.12:80 -w 7 --terminating
	svcadm edit-backend -t "$VIP:$VPORT" -r "$B1_IP:$TPORT" -w 3 --not-ready
	out=$(svcadm list -n -t "$VIP:$VPORT")
	info "$out"
	assert_match "$out" "TCP +$VIP:$VPORT +renamed/svc:http" "edited name"
	assert_match "$out" "-> +10.0.2.12:80 +7 +ready,serving,terminating" "added backend"
	assert_match "$out" "-> +$B1_IP:$TPORT +3 +serving($|[[:space:]])" "edited backend"
	svcadm del-backend -t "$VIP:$VPORT" -r 10.0.2.12:80
	out=$(svcadm list -n -t "$VIP:$VPORT")
	assert_no_match "$out" "10.0.2.12" "deleted backend"
	svcadm del-service -t "$VIP:$VPORT"
	assert_eq "$(svcadm save)" "" "save after deleting the only service"
}

private_netns "$@"
test_init
require_cmd "$SVCADM" setpriv unshare awk diff
svcnat_load

ktap_plan 7
run_case "malformed netlink requests: rejected with extack, config unchanged" raw_netlink
run_case "bad svcadm input: one 'svcadm:' line, non-zero exit, config unchanged" bad_svcadm_input
run_case "unprivileged caller gets EPERM (svcadm and raw netlink)" unprivileged
run_case "apply with one bad line changes nothing and names the line" batch_all_or_nothing
run_case "2000 services x 10 backends in one apply; list -o json shows all" large_batch
run_case "save | flush | apply | save round-trips exactly" round_trip
run_case "edit-service/edit-backend/del-backend show up in list" edits
ktap_done
