#!/usr/bin/env bash
# Compares the crate's intent model with the fastText CLI on the same data sets, in the
# same run: classification speed (messages per second, one thread, model load excluded),
# top-1 in-scope accuracy, model size and training time.
#
#   scripts/compare-fasttext.sh [DATASET_DIR...]
#
# Without arguments it builds the typo'd and 10-shot variants of ../shared/data/clinc150
# under target/data (examples/clinc_variants.rs, fixed seed) and compares on the clean,
# typo'd and 10-shot sets. Needs `fasttext` (Debian: apt-get install fasttext), python3
# and a release build of the examples.
#
# fastText is trained with the settings of its supervised tutorial (-lr 1.0 -epoch 25
# -wordNgrams 2) and the crate's features: word bigrams and character 2- to 5-grams
# (-minn 2 -maxn 5, its subword tolerance to typos), on one thread with a fixed seed.
# Its speed is that of `fasttext predict` over the test texts repeated to at least
# 200,000 lines, minus the time the same command takes on one line (loading the model,
# which takes about a second and varies: the long run keeps that variation a small part of
# the measured time). The crate's figures are those of the evaluate
# example (`classify_msgs_per_s`, `train_ms`, `model_bytes`, top-1 without threshold),
# with the model options in EVALUATE_FLAGS (for example EVALUATE_FLAGS=--word-vectors).
#
# On a shared machine either rate moves by a fifth or more within minutes, so the two are
# timed in ROUNDS (default 3) alternating rounds; each round gives a ratio, and the table
# shows the median round (its rates and ratio) with the lowest and highest ratio.
set -euo pipefail

cd "$(dirname "$0")/.."
command -v fasttext >/dev/null || { echo "fasttext not found (apt-get install fasttext)" >&2; exit 2; }

cargo build --release --quiet --example evaluate --example clinc_variants

if [ "$#" -eq 0 ]; then
    source=../shared/data/clinc150
    ./target/release/examples/clinc_variants "$source" target/data >/dev/null
    set -- "$source" target/data/clinc150-typos target/data/clinc150-10shot
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }

rounds=${ROUNDS:-3}
printf '%-18s %12s %12s %8s %13s %10s %10s %9s %9s %11s %11s\n' \
    dataset crate_msg/s fasttext_msg/s ratio ratio_range crate_top1 ft_top1 crate_MiB ft_MiB \
    crate_train ft_train
for dir in "$@"; do
    name=$(basename "$dir")
    python3 - "$dir" "$work" <<'EOF'
import json, sys
src, work = sys.argv[1], sys.argv[2]
def clean(text):
    return " ".join(text.replace("\n", " ").split())
with open(f"{src}/train.jsonl") as f, open(f"{work}/train.txt", "w") as out:
    for line in f:
        if line.strip():
            d = json.loads(line)
            out.write(f"__label__{d['intent']} {clean(d['text'])}\n")
texts, labels = [], []
with open(f"{src}/test.jsonl") as f:
    for line in f:
        if line.strip():
            d = json.loads(line)
            texts.append(clean(d["text"]))
            labels.append(d["intent"])
with open(f"{work}/test.txt", "w") as out:
    out.write("\n".join(texts) + "\n")
with open(f"{work}/labels.txt", "w") as out:
    out.write("\n".join(labels) + "\n")
repeat = max(1, -(-200000 // len(texts)))
with open(f"{work}/bench.txt", "w") as out:
    out.write(("\n".join(texts) + "\n") * repeat)
with open(f"{work}/one.txt", "w") as out:
    out.write(texts[0] + "\n")
EOF
    start=$(now)
    fasttext supervised -input "$work/train.txt" -output "$work/model" \
        -lr 1.0 -epoch 25 -wordNgrams 2 -minn 2 -maxn 5 -thread 1 -seed 1 -verbose 0
    ft_train_ms=$(python3 -c "print(round(($(now) - $start) * 1000))")
    fasttext predict "$work/model.bin" "$work/test.txt" > "$work/pred.txt"
    ft_top1=$(python3 - "$work" <<'EOF'
import sys
work = sys.argv[1]
pred = [l.strip().removeprefix("__label__") for l in open(f"{work}/pred.txt")]
gold = [l.strip() for l in open(f"{work}/labels.txt")]
pairs = [(p, g) for p, g in zip(pred, gold) if g != "oos"]
print(f"{100 * sum(p == g for p, g in pairs) / len(pairs):.2f}")
EOF
)
    ft_bytes=$(stat -c %s "$work/model.bin")
    lines=$(wc -l < "$work/bench.txt")
    : > "$work/rounds.jsonl"
    for _ in $(seq "$rounds"); do
        # Load time: the same command on one line; then the timed run.
        start=$(now); fasttext predict "$work/model.bin" "$work/one.txt" >/dev/null; load=$(python3 -c "print($(now) - $start)")
        start=$(now); fasttext predict "$work/model.bin" "$work/bench.txt" >/dev/null; total=$(python3 -c "print($(now) - $start)")
        ft_rate=$(python3 -c "print(round($lines / max($total - $load, 1e-9)))")
        # EVALUATE_FLAGS: options of the crate's model, such as --word-vectors.
        # shellcheck disable=SC2086
        summary=$(./target/release/examples/evaluate "$dir" ${EVALUATE_FLAGS:-} | tail -n 1)
        python3 -c 'import json, sys; s = json.loads(sys.argv[1]); s["ft_rate"] = int(sys.argv[2]); print(json.dumps(s))' \
            "$summary" "$ft_rate" >> "$work/rounds.jsonl"
    done
    python3 - "$name" "$work/rounds.jsonl" "$ft_top1" "$ft_bytes" "$ft_train_ms" <<'EOF'
import json, sys
name, rounds, ft_top1, ft_bytes, ft_train = sys.argv[1:]
runs = [json.loads(line) for line in open(rounds)]
for r in runs:
    r["ratio"] = r["classify_msgs_per_s"] / max(r["ft_rate"], 1)
runs.sort(key=lambda r: r["ratio"])
s = runs[len(runs) // 2]
span = f"{runs[0]['ratio']:.1f}-{runs[-1]['ratio']:.1f}x"
print(f"{name:<18} {s['classify_msgs_per_s']:>12.0f} {s['ft_rate']:>12} {s['ratio']:>7.1f}x {span:>13} "
      f"{s.get('top1_in_scope_acc', float('nan')):>9.2f}% {float(ft_top1):>9.2f}% "
      f"{s['model_bytes'] / 2**20:>9.1f} {int(ft_bytes) / 2**20:>9.1f} "
      f"{s['train_ms'] / 1000:>10.2f}s {int(ft_train) / 1000:>10.2f}s")
EOF
done
