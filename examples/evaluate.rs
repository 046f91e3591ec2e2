//! Trains an intent model on a data set and measures it.
//!
//! ```text
//! cargo run --release --example evaluate -- DATASET_DIR
//! ```
//!
//! DATASET_DIR holds `train.jsonl`, `test.jsonl` and optionally `val.jsonl`, one
//! `{"text": ..., "intent": ...}` per line; the label `oos` means "no intent". Training
//! uses train (oos lines only as negatives); the no-intent threshold is calibrated on val
//! (or on folds of train when there is no val); test messages are classified one at a
//! time through the public API before their labels are looked at. The last line printed
//! is one JSON object with the figures.
//!
//! `--no-typos` and `--no-lexicon` turn off the model's reading of typos and its
//! English word list; `--forms` and `--word-vectors` turn on its reading of other word
//! forms and its word vectors, `--word-vector-weight W` the word vectors at weight W
//! (see `ModelOptions`), to measure what each brings.
//!
//! It also saves the trained model as a router, loads it back (timed, median of five
//! loads), checks that the loaded model detects every test message identically, and
//! reports the saved size and how much faster loading is than training
//! (`saved_bytes`, `load_ms`, `load_speedup`).
//!
//! `--min-in-scope X` and `--min-oos Y` make the run fail (exit code 1) when in-scope
//! accuracy or out-of-scope recall falls below X or Y percent: CI's regression floor;
//! `--min-load-speedup Z` when loading the saved model is less than Z times faster than
//! training it.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::{Duration, Instant};

use handoff::eval::Evaluation;
use handoff::{IntentModel, Router};

mod dataset;

use dataset::{load, load_val, Line, OOS};

/// How many times the saved router is loaded; the median time is reported.
const LOAD_RUNS: usize = 5;

/// The trained model saved as a router (no rules: the flow costs nothing to compile)
/// and loaded back, timed, with the loaded model checked against the trained one.
struct SavedBot {
    bytes: usize,
    load_ms: f64,
}

impl SavedBot {
    fn measure(model: &IntentModel, test: &[Line]) -> Result<SavedBot, Box<dyn Error>> {
        let router = Router::builder().model(model.clone()).build()?;
        let bytes = router.to_bytes();
        let mut times = Vec::with_capacity(LOAD_RUNS);
        let mut loaded = None;
        for _ in 0..LOAD_RUNS {
            let started = Instant::now();
            loaded = Some(Router::from_bytes(&bytes)?);
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let loaded = loaded.ok_or("no load")?;
        if loaded.fingerprint() != router.fingerprint() {
            return Err("the loaded router has another fingerprint".into());
        }
        for line in test {
            if loaded.model().detect(&line.text) != model.detect(&line.text) {
                return Err(format!("the loaded model detects {:?} differently", line.text).into());
            }
        }
        Ok(SavedBot {
            bytes: bytes.len(),
            load_ms: times[LOAD_RUNS / 2],
        })
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "usage: evaluate DATASET_DIR [--min-in-scope PCT] [--min-oos PCT] \
                 [--min-load-speedup X] [--no-typos] [--no-lexicon] [--forms] \
                 [--word-vectors] [--word-vector-weight W]";
    let mut builder = IntentModel::builder();
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let (mut min_in_scope, mut min_oos, mut min_speedup) = (None, None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--min-in-scope" | "--min-oos" | "--min-load-speedup" => {
                let value: f64 = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or(format!("{arg} needs a number; {usage}"))?;
                match arg.as_str() {
                    "--min-in-scope" => min_in_scope = Some(value),
                    "--min-oos" => min_oos = Some(value),
                    _ => min_speedup = Some(value),
                }
            }
            "--no-typos" => {
                builder.read_typos(false);
            }
            "--forms" => {
                builder.read_word_forms(true);
            }
            "--no-lexicon" => {
                builder.lexicon(false);
            }
            "--word-vectors" => {
                builder.word_vectors(true);
            }
            "--word-vector-weight" => {
                let weight: f32 = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or(format!("{arg} needs a number; {usage}"))?;
                builder.word_vectors(true).word_vector_weight(weight);
            }
            _ if dir.is_none() => dir = Some(arg),
            _ => return Err(usage.into()),
        }
    }
    let dir = dir.ok_or(usage)?;
    let dir = Path::new(&dir);
    let train = load(&dir.join("train.jsonl"))?;
    let test = load(&dir.join("test.jsonl"))?;
    let val = load_val(dir)?;

    // Intents in order of first appearance; oos lines become negatives.
    let intents = dataset::set_up(&mut builder, &train, val.as_deref());
    let started = Instant::now();
    let model = builder.build()?;
    let train_ms = started.elapsed().as_secs_f64() * 1000.0;
    println!(
        "trained {} intents on {} lines in {train_ms:.0} ms; threshold {:.3}, ambiguity margin {:.3} (calibrated on {})",
        intents,
        train.len(),
        model.threshold(),
        model.ambiguity_margin(),
        if val.is_some() {
            "val"
        } else {
            "folds of train"
        }
    );

    let saved = SavedBot::measure(&model, &test)?;
    println!(
        "saved as a router: {} bytes; loaded in {:.1} ms (median of {LOAD_RUNS}), {:.0}x faster \
         than training; the loaded model detects every test message identically",
        saved.bytes,
        saved.load_ms,
        train_ms / saved.load_ms,
    );

    // Classify every test message before looking at any test label.
    let detections: Vec<handoff::Detection> = test.iter().map(|l| model.detect(&l.text)).collect();
    let predictions: Vec<Option<String>> = detections
        .iter()
        .map(|d| d.intent_id().map(str::to_string))
        .collect();
    // The human-readable report: per-intent table, weak intents, top confusions with
    // example messages, and the threshold sweep.
    let report = Evaluation::from_examples(test.iter().zip(&detections).map(|(line, d)| {
        (
            line.text.as_str(),
            (line.intent != OOS).then_some(line.intent.as_str()),
            d,
        )
    }));
    println!("\n{report}");

    let mut in_scope = 0usize;
    let mut in_scope_right = 0usize;
    let mut oos = 0usize;
    let mut oos_right = 0usize;
    // The best candidate, threshold or not: how well the intents are told apart.
    let mut top1_right = 0usize;
    // Per label (oos included as a label): true positives, predicted, actual.
    let mut per_label: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for ((line, predicted), detection) in test.iter().zip(&predictions).zip(&detections) {
        if line.intent != OOS && detection.best_candidate() == Some(line.intent.as_str()) {
            top1_right += 1;
        }
        let predicted = predicted.as_deref().unwrap_or(OOS);
        let right = predicted == line.intent;
        if line.intent == OOS {
            oos += 1;
            oos_right += right as usize;
        } else {
            in_scope += 1;
            in_scope_right += right as usize;
        }
        per_label.entry(&line.intent).or_default().2 += 1;
        per_label.entry(predicted).or_default().1 += 1;
        if right {
            per_label.entry(predicted).or_default().0 += 1;
        }
    }
    let mut f1_sum = 0.0;
    let mut labels = 0usize;
    // Macro F1 over every label of the test set, "no intent" (oos) included.
    for &(tp, predicted, actual) in per_label.values() {
        if actual == 0 {
            continue;
        }
        let precision = if predicted > 0 {
            tp as f64 / predicted as f64
        } else {
            0.0
        };
        let recall = tp as f64 / actual as f64;
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        f1_sum += f1;
        labels += 1;
    }

    // Speed: single-threaded, repeated over the test set until at least three seconds (the
    // machine's speed drifts; a longer run averages more of it).
    let texts: Vec<&str> = test.iter().map(|l| l.text.as_str()).collect();
    let mut latencies: Vec<u32> = Vec::new();
    let mut classified = 0usize;
    let speed_started = Instant::now();
    let mut checksum = 0usize;
    while speed_started.elapsed() < Duration::from_secs(3) || classified < texts.len() {
        for text in &texts {
            let t = Instant::now();
            let detection = model.detect(text);
            latencies.push(t.elapsed().as_nanos().min(u32::MAX as u128) as u32);
            checksum = checksum.wrapping_add(detection.alternatives.len());
        }
        classified += texts.len();
    }
    let elapsed = speed_started.elapsed().as_secs_f64();
    std::hint::black_box(checksum);
    latencies.sort_unstable();
    let percentile =
        |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize] as f64 / 1000.0;

    let pct = |a: usize, b: usize| {
        if b == 0 {
            None
        } else {
            Some(a as f64 * 100.0 / b as f64)
        }
    };
    let summary = serde_json::json!({
        "dataset": dir.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default(),
        "intents": intents,
        "train": train.len(),
        "test": test.len(),
        "in_scope_acc": pct(in_scope_right, in_scope),
        "top1_in_scope_acc": pct(top1_right, in_scope),
        "oos_recall": pct(oos_right, oos),
        "overall_acc": pct(in_scope_right + oos_right, in_scope + oos),
        "macro_f1": if labels > 0 { Some(f1_sum * 100.0 / labels as f64) } else { None },
        "threshold": model.threshold(),
        "train_ms": train_ms.round(),
        "classify_msgs_per_s": (classified as f64 / elapsed).round(),
        "p50_us": percentile(0.50),
        "p99_us": percentile(0.99),
        "model_bytes": model.model_bytes(),
        "saved_bytes": saved.bytes,
        "load_ms": (saved.load_ms * 100.0).round() / 100.0,
        "load_speedup": (train_ms / saved.load_ms).round(),
    });
    println!("\n{summary}");
    let mut failed = false;
    if let (Some(floor), Some(got)) = (min_in_scope, pct(in_scope_right, in_scope)) {
        if got < floor {
            eprintln!("in-scope accuracy {got:.2} is below the floor {floor}");
            failed = true;
        }
    }
    if let (Some(floor), Some(got)) = (min_oos, pct(oos_right, oos)) {
        if got < floor {
            eprintln!("out-of-scope recall {got:.2} is below the floor {floor}");
            failed = true;
        }
    }
    if let Some(floor) = min_speedup {
        let got = train_ms / saved.load_ms;
        if got < floor {
            eprintln!("loading is {got:.1}x faster than training, below the floor {floor}x");
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
