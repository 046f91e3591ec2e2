//! Training cost against the number of intents: time, peak memory and model size of
//! `IntentModelBuilder::build` for intents of one phrase each, the shape that makes
//! the model widest for its data.
//!
//! ```text
//! cargo run --release --example train_scale -- [INTENTS...] [--phrases P] [--folds F] [--unlimited]
//! ```
//!
//! Defaults: 1,000 2,000 4,000 10,000 intents (10,000 is the default
//! `Limits::max_intents`), one phrase each (synthetic chat phrases, see
//! `benches/synth/mod.rs`), the builder's default calibration (5 folds: six trainings)
//! and default limits. `--unlimited` lifts `Limits::max_model_weights` and
//! `Limits::max_training_work`, to measure what the limits refuse.
//! Each size is trained in a child process of its own so that its peak memory (`VmHWM`
//! of `/proc/self/status`, Linux only) is its own. A build refused by a limit prints the
//! error in place of the figures. The last line is one JSON array with every figure.

use std::error::Error;
use std::process::Command;
use std::time::Instant;

use handoff::{IntentModel, Limits};

#[path = "../benches/synth/mod.rs"]
mod synth;

const USAGE: &str = "usage: train_scale [INTENTS...] [--phrases P] [--folds F] [--unlimited]";

struct Args {
    sizes: Vec<usize>,
    phrases: usize,
    folds: Option<usize>,
    unlimited: bool,
    child: bool,
}

fn parse_args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        sizes: Vec::new(),
        phrases: 1,
        folds: None,
        unlimited: false,
        child: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| -> Result<usize, Box<dyn Error>> {
            let v = it.next().ok_or(format!("{name} needs a value"))?;
            Ok(v.parse()?)
        };
        match arg.as_str() {
            "--phrases" => args.phrases = value("--phrases")?,
            "--folds" => args.folds = Some(value("--folds")?),
            "--unlimited" => args.unlimited = true,
            "--child" => args.child = true,
            "-h" | "--help" => return Err(USAGE.into()),
            n => args.sizes.push(n.parse().map_err(|_| USAGE)?),
        }
    }
    if args.sizes.is_empty() {
        args.sizes = vec![1_000, 2_000, 4_000, 10_000];
    }
    Ok(args)
}

/// The process's peak resident memory in bytes, from `/proc/self/status`.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Trains one size in this process and prints its figures as one JSON object.
fn run_child(args: &Args) {
    let (intents, phrases) = (args.sizes[0], args.phrases);
    let data = synth::intents(intents, phrases, 0);
    let mut builder = IntentModel::builder();
    builder.intents(data);
    if args.unlimited {
        let mut limits = Limits::default();
        limits.max_model_weights = usize::MAX;
        limits.max_training_work = usize::MAX;
        builder.limits(limits);
    }
    if let Some(folds) = args.folds {
        builder.calibration_folds(folds);
    }
    let started = Instant::now();
    let built = builder.build();
    let train_ms = started.elapsed().as_secs_f64() * 1000.0;
    let peak = peak_rss().map_or("null".to_string(), |b| b.to_string());
    let outcome = match built {
        Ok(model) => format!(r#""model_bytes":{}"#, model.model_bytes()),
        Err(e) => format!(
            r#""error":{}"#,
            serde_json::to_string(&e.to_string()).unwrap_or_default()
        ),
    };
    println!(
        r#"{{"intents":{intents},"phrases":{phrases},"train_ms":{train_ms:.0},"peak_rss":{peak},{outcome}}}"#
    );
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if args.child {
        run_child(&args);
        return Ok(());
    }
    let me = std::env::current_exe()?;
    let mut rows = Vec::new();
    for &intents in &args.sizes {
        let mut command = Command::new(&me);
        command
            .arg("--child")
            .arg(intents.to_string())
            .args(["--phrases", &args.phrases.to_string()]);
        if let Some(folds) = args.folds {
            command.args(["--folds", &folds.to_string()]);
        }
        if args.unlimited {
            command.arg("--unlimited");
        }
        let output = command.output()?;
        let line = String::from_utf8_lossy(&output.stdout).trim().to_string();
        if !output.status.success() || line.is_empty() {
            return Err(format!(
                "{intents} intents: child failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        let row: serde_json::Value = serde_json::from_str(&line)?;
        let mib = |key: &str| row[key].as_f64().map_or(f64::NAN, |b| b / 1048576.0);
        match row["error"].as_str() {
            Some(error) => println!(
                "{intents:>6} intents x {} phrase(s): refused in {:>8.0} ms, peak {:>7.1} MiB: {error}",
                args.phrases,
                row["train_ms"].as_f64().unwrap_or(f64::NAN),
                mib("peak_rss"),
            ),
            None => println!(
                "{intents:>6} intents x {} phrase(s): trained in {:>8.0} ms, peak {:>7.1} MiB, model {:>7.1} MiB",
                args.phrases,
                row["train_ms"].as_f64().unwrap_or(f64::NAN),
                mib("peak_rss"),
                mib("model_bytes"),
            ),
        }
        rows.push(line);
    }
    println!("[{}]", rows.join(","));
    Ok(())
}
