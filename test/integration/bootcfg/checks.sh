# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the bootcfg integration scripts: counted checks that keep going after a failure, so
# one run reports every broken expectation. The script sets T (a scratch directory) first and
# ends with checks_summary.
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { CHECKS=$((CHECKS + 1)); }
check() { # check DESCRIPTION COMMAND...
        local d=$1; shift
        if "$@"; then ok; else fail "$d"; fi
}
expect_rc() { # expect_rc RC DESCRIPTION COMMAND...: stdout in $T/out, stderr in $T/err
        local want=$1 d=$2; shift 2
        "$@" >"$T/out" 2>"$T/err"
        local rc=$?
        if [ "$rc" = "$want" ]; then ok; else fail "$d: exit $rc, expected $want; stderr: $(cat "$T/err")"; fi
}
checks_summary() {
        echo "$CHECKS checks passed, $FAILS failed"
        [ "$FAILS" = 0 ]
}
