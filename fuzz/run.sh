#!/usr/bin/env bash
# Runs every fuzz target listed in fuzz/Cargo.toml for SECONDS each (default 600) and
# prints each target's exec count. Installs cargo-fuzz from crates.io when missing.
# libFuzzer needs a nightly compiler's flags; RUSTC_BOOTSTRAP=1 lets a stable toolchain
# accept them.
#
#   bash fuzz/run.sh [SECONDS] [--parallel]
#
# --parallel builds every target first, then runs them all at once (each for SECONDS of
# wall time, sharing the cores): the whole run takes SECONDS instead of SECONDS per target.
#
# Inputs that once crashed a target are kept in regressions/, named TARGET-crash-HASH;
# each target replays its own before it fuzzes, and a regression that fails again fails
# the run.
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${1:-600}
parallel=${2:-}

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

targets=$(awk '/^\[\[bin\]\]/ { in_bin = 1; next } in_bin && /^name *=/ { gsub(/"/, "", $3); print $3; in_bin = 0 }' Cargo.toml)
mkdir -p logs
status=0

# The exec count is libFuzzer's last "#N" status line.
execs_of() {
    grep -Eo '^#[0-9]+' "$1" | tail -1 | tr -d '#'
}

# Runs TARGET once on each of its kept regressions (none: nothing to do).
replay() {
    local target=$1 inputs=()
    for input in regressions/"$target"-*; do
        [ -e "$input" ] && inputs+=("$input")
    done
    [ "${#inputs[@]}" -eq 0 ] && return 0
    if RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" "${inputs[@]}" >"logs/$target.replay.log" 2>&1; then
        echo "-- $target: ${#inputs[@]} regression(s) replayed, ok"
    else
        echo "-- $target: a regression fails again (log: fuzz/logs/$target.replay.log)"
        return 1
    fi
}

for target in $targets; do
    replay "$target" || status=1
done

if [ "$parallel" = "--parallel" ]; then
    RUSTC_BOOTSTRAP=1 cargo fuzz build -O
    pids=()
    for target in $targets; do
        RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" -- -max_total_time="$seconds" \
            >"logs/$target.log" 2>&1 &
        pids+=("$!")
    done
    i=0
    for target in $targets; do
        if wait "${pids[$i]}"; then result=ok; else result=FAILED; status=1; fi
        execs=$(execs_of "logs/$target.log")
        echo "-- $target: $result, ${execs:-0} execs in $seconds s (log: fuzz/logs/$target.log)"
        i=$((i + 1))
    done
    exit $status
fi

for target in $targets; do
    echo "== $target ($seconds s)"
    log="logs/$target.log"
    if RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" -- -max_total_time="$seconds" >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
    fi
    # libFuzzer's last status line ("#123456 DONE ..." or the last "#N" line) holds the count.
    execs=$(execs_of "$log")
    echo "-- $target: $result, ${execs:-0} execs (log: fuzz/$log)"
done
exit $status
