#!/usr/bin/env bash
# Runs every fuzz target listed in fuzz/Cargo.toml for SECONDS each (default 600) and
# prints each target's exec count. Installs cargo-fuzz from crates.io when missing.
# libFuzzer needs a nightly compiler's flags; RUSTC_BOOTSTRAP=1 lets a stable toolchain
# accept them.
#
#   bash fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")"
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${1:-600}

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install --locked cargo-fuzz
fi

targets=$(awk '/^\[\[bin\]\]/ { in_bin = 1; next } in_bin && /^name *=/ { gsub(/"/, "", $3); print $3; in_bin = 0 }' Cargo.toml)
mkdir -p logs
status=0
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
    execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#')
    echo "-- $target: $result, ${execs:-0} execs (log: fuzz/$log)"
done
exit $status
