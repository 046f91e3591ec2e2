//! How big a trained model is, and how long it takes to train.
//!
//! ```text
//! cargo run --release --example model_size -- [DATASET_DIR] [--skip-large] [--large-only] [--large-folds]
//! ```
//!
//! Prints `IntentModel::model_bytes()` and the training time for:
//! - DATASET_DIR (such as CLINC150), when given: loaded as `examples/evaluate.rs` does
//!   (oos lines of train as negatives, calibrated on `val.jsonl` when present);
//! - synthetic data (see `benches/synth/mod.rs`): 1,000 intents x 10 phrases and
//!   1,000 x 100 (the latter skipped with `--skip-large`), trained with the default
//!   options (5-fold calibration: six trainings) and with `calibration_folds(0)` (one).
//!   1,000 x 100 is trained with 5 folds only with `--large-folds` (it takes long);
//!   `--large-only` skips 1,000 x 10. 1,000 x 100 is over the default training limits
//!   (`Limits::max_model_weights`, `Limits::max_training_work`), which are lifted for it.
//!
//! The last line is one JSON object with every figure.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use handoff::{IntentModel, IntentModelBuilder, Limits};

#[path = "../benches/synth/mod.rs"]
mod synth;

mod dataset;

/// The builder for a data set directory, as `examples/evaluate.rs` sets it up.
fn dataset_builder(dir: &Path) -> Result<(IntentModelBuilder, usize, usize), Box<dyn Error>> {
    let train = dataset::load(&dir.join("train.jsonl"))?;
    let val = dataset::load_val(dir)?;
    let mut builder = IntentModel::builder();
    let intents = dataset::set_up(&mut builder, &train, val.as_deref());
    Ok((builder, intents, train.len()))
}

struct Row {
    name: String,
    intents: usize,
    examples: usize,
    train_ms: f64,
    model_bytes: usize,
}

fn measure(
    name: &str,
    builder: &IntentModelBuilder,
    intents: usize,
    examples: usize,
) -> Result<Row, Box<dyn Error>> {
    let started = Instant::now();
    let model = builder.build()?;
    let train_ms = started.elapsed().as_secs_f64() * 1000.0;
    let row = Row {
        name: name.to_string(),
        intents,
        examples,
        train_ms,
        model_bytes: model.model_bytes(),
    };
    println!(
        "{:<34} {:>6} intents {:>7} examples  trained in {:>9.0} ms  model {:>11} bytes ({:.1} MiB)",
        row.name,
        row.intents,
        row.examples,
        row.train_ms,
        row.model_bytes,
        row.model_bytes as f64 / (1024.0 * 1024.0)
    );
    Ok(row)
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "usage: model_size [DATASET_DIR] [--skip-large] [--large-only] [--large-folds]";
    let mut dir = None;
    let mut skip_large = false;
    let mut large_folds = false;
    let mut large_only = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--skip-large" => skip_large = true,
            "--large-folds" => large_folds = true,
            "--large-only" => large_only = true,
            "-h" | "--help" => {
                println!("{usage}");
                return Ok(());
            }
            _ if dir.is_none() => dir = Some(arg),
            _ => return Err(usage.into()),
        }
    }
    let mut rows = Vec::new();
    if let Some(dir) = &dir {
        let dir = Path::new(dir);
        let (builder, intents, examples) = dataset_builder(dir)?;
        let name = dir
            .file_name()
            .map_or_else(|| dir.display().to_string(), |n| n.to_string_lossy().into());
        rows.push(measure(&name, &builder, intents, examples)?);
    }
    // (intents, phrases, fold settings): the default 5-fold calibration trains the
    // model six times, too slow to wait for on 100,000 phrases unless asked.
    let large_folds: &[usize] = if large_folds { &[5, 0] } else { &[0] };
    let mut sizes = Vec::new();
    if !large_only {
        sizes.push((1_000, 10, &[5, 0][..]));
    }
    if !skip_large {
        sizes.push((1_000, 100, large_folds));
    }
    for (intents, phrases, folds) in sizes {
        let data = synth::intents(intents, phrases, 0);
        for &folds in folds {
            let mut builder = IntentModel::builder();
            builder
                .intents(data.iter().cloned())
                .calibration_folds(folds);
            if phrases >= 100 {
                // 1,000 intents x 100 phrases: 583 million intent-feature pairs, over the
                // default `max_model_weights`, though its model is small (78 MiB: each
                // intent has weights for few features). Measured anyway.
                let mut limits = Limits::default();
                limits.max_model_weights = usize::MAX;
                limits.max_training_work = usize::MAX;
                builder.limits(limits);
            }
            let name = format!("synthetic {intents}x{phrases} folds={folds}");
            rows.push(measure(&name, &builder, intents, intents * phrases)?);
        }
    }
    let json: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                r#"{{"name":{},"intents":{},"examples":{},"train_ms":{:.0},"model_bytes":{}}}"#,
                serde_json::to_string(&r.name).unwrap_or_default(),
                r.intents,
                r.examples,
                r.train_ms,
                r.model_bytes
            )
        })
        .collect();
    println!("[{}]", json.join(","));
    Ok(())
}
