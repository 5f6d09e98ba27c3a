#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the svcnat selftests, kselftest style.
#
#	selftests/run.sh [TEST...]	(TEST: test_foo.sh or test_foo)
#
# Prints TAP version 13: the plan, then per test "ok N name",
# "ok N name # SKIP", "not ok N name # TIMEOUT S seconds" or
# "not ok N name # exit=RC", with the test's own output prefixed by "# ".
# The last line is "N passed, N failed" (", N skipped" when any were).
# Exit status 0 iff no test failed.
#
# Per-test timeout: timeout=N in ./settings; the environment variable
# kselftest_override_timeout wins. Exit codes of a test: 0 pass, 4 skip,
# anything else fail (124 from timeout: timed out).
#
# Runs as root inside the test VM with SVCNAT_KO and SVCADM set, e.g.
#   scripts/vm-run -k 6.1.0-56-amd64 -e SVCNAT_KO=$PWD/build/kmod/6.1.0-56-amd64/svcnat.ko \
#	-e SVCADM=$PWD/build/tools/svcadm -- selftests/run.sh

cd "$(dirname "$0")" || exit 2

timeout=45
if [ -r settings ]; then
	while IFS='=' read -r key value; do
		[ "$key" = timeout ] && timeout=$value
	done <settings
fi
[ -n "${kselftest_override_timeout:-}" ] && timeout=$kselftest_override_timeout

tests=()
if [ $# -gt 0 ]; then
	for t; do
		t=${t##*/}
		t=${t%.sh}.sh
		[ -f "$t" ] || { echo "run.sh: no test $t" >&2; exit 2; }
		tests+=("$t")
	done
else
	for t in test_*.sh; do
		[ -f "$t" ] && tests+=("$t")
	done
fi

fifo=$(mktemp -u /tmp/svcnat-run.XXXXXX)
mkfifo "$fifo" || exit 2
trap 'rm -f "$fifo"' EXIT

pass=0 fail=0 skip=0 n=0
suite_start=$EPOCHREALTIME
echo "TAP version 13"
echo "1..${#tests[@]}"
for t in "${tests[@]}"; do
	n=$((n + 1))
	echo "# selftests: svcnat: $t"
	start=${EPOCHREALTIME/./}
	while IFS= read -r line || [ -n "$line" ]; do
		printf '# %s\n' "$line"
	done <"$fifo" &
	prefix_pid=$!
	# timeout puts the test in its own process group (the group id is
	# timeout's pid) and on expiry signals the whole group.
	timeout -k 10 "$timeout" "./$t" >"$fifo" 2>&1 </dev/null &
	tpid=$!
	wait "$tpid"
	rc=$?
	# Whatever the test left running would keep the pipe open.
	if kill -0 -- "-$tpid" 2>/dev/null; then
		echo "# $t left processes behind; killing them"
		kill -KILL -- "-$tpid" 2>/dev/null
	fi
	wait "$prefix_pid"
	end=${EPOCHREALTIME/./}
	echo "# $t: $(((end - start) / 1000000)).$(((end - start) % 1000000 / 100000)) s"
	case $rc in
	0)
		echo "ok $n selftests: svcnat: $t"
		pass=$((pass + 1))
		;;
	4)
		echo "ok $n selftests: svcnat: $t # SKIP"
		skip=$((skip + 1))
		;;
	124)
		echo "not ok $n selftests: svcnat: $t # TIMEOUT $timeout seconds"
		fail=$((fail + 1))
		;;
	*)
		echo "not ok $n selftests: svcnat: $t # exit=$rc"
		fail=$((fail + 1))
		;;
	esac
done
end=${EPOCHREALTIME/./}
start=${suite_start/./}
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0 ($(((end - start) / 1000000)) s)"
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
