//! Chooses the word vectors' weight and the SVM's regularization for a data set by
//! cross-validation on its training split alone: never on a test split.
//!
//! ```text
//! cargo run --release --example choose_settings -- DATASET_DIR [FOLDS]
//! ```
//!
//! DATASET_DIR holds `train.jsonl` (one `{"text": ..., "intent": ...}` per line, `oos`
//! lines kept as negatives), as for the evaluate example. For each candidate (word
//! vectors off, then on at each weight, at C = 1; then C = 0.5, 2, 4 at the best
//! weight) it runs `eval::cross_validate` with FOLDS folds (default 5, seed 1) and prints
//! the top-1 accuracy on the held-out phrases; the last line names the best candidate. The candidates and their figures on CLINC150's
//! splits are in `docs/performance.md`.

use std::error::Error;
use std::time::Instant;

use handoff::eval::cross_validate;
use handoff::IntentModel;

/// The word vectors' weights tried, besides off.
const WEIGHTS: [f32; 5] = [1.0, 2.0, 3.0, 4.0, 6.0];
/// The SVM's C values tried at the best weight.
const REGULARIZATION: [f32; 4] = [0.5, 1.0, 2.0, 4.0];
const DEFAULT_C: f32 = 1.0;

mod dataset;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: choose_settings DATASET_DIR [FOLDS]";
    let dir = args.next().ok_or(usage)?;
    let folds: usize = match args.next() {
        Some(f) => f.parse().map_err(|_| usage)?,
        None => 5,
    };
    let train = dataset::load(&std::path::Path::new(&dir).join("train.jsonl"))?;
    let (intents, negatives) = dataset::intents_and_negatives(&train);
    let run = |weight: Option<f32>, c: f32| -> Result<f64, Box<dyn Error>> {
        let mut template = IntentModel::builder();
        template
            .negatives(negatives.iter().cloned())
            .regularization(c);
        if let Some(w) = weight {
            template.word_vectors(true).word_vector_weight(w);
        }
        let name = weight.map_or("word vectors off".to_string(), |w| {
            format!("word vectors at {w}")
        });
        let started = Instant::now();
        let report = cross_validate(&template, &intents, folds, 1)?;
        let top1 = report.top1_accuracy.unwrap_or(0.0) * 100.0;
        println!(
            "{name:<22} C {c:<4} {folds}-fold top-1 {top1:.2} % ({:.1} s)",
            started.elapsed().as_secs_f64()
        );
        Ok(top1)
    };
    // The weight first, at the default C; then C at the best weight.
    let mut best = (f64::MIN, None, DEFAULT_C);
    for weight in std::iter::once(None).chain(WEIGHTS.map(Some)) {
        let top1 = run(weight, DEFAULT_C)?;
        if top1 > best.0 {
            best = (top1, weight, DEFAULT_C);
        }
    }
    for c in REGULARIZATION {
        if c != DEFAULT_C {
            let top1 = run(best.1, c)?;
            if top1 > best.0 {
                best = (top1, best.1, c);
            }
        }
    }
    let (top1, weight, c) = best;
    let weight = weight.map_or("off".to_string(), |w| w.to_string());
    println!("best: word vectors {weight}, regularization {c} ({top1:.2} %)");
    Ok(())
}
