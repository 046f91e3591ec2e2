//! Checks a router configuration's intents: training-data lint and a cross-validated
//! accuracy report.
//!
//! ```text
//! cargo run --release --example check_intents -- examples/sales_handoff.json [FOLDS] [SEED]
//! ```
//!
//! Prints the lint findings (duplicate and near-duplicate phrases across intents,
//! shared keywords, keywords found in other intents' phrases, intents with too few
//! phrases, phrases the model takes for another intent), then the cross-validation
//! report: per-intent precision / recall / F1, intents below 80% accuracy with what
//! they were mistaken for, the top confusions with example phrases, and a threshold
//! sweep. Exits with status 1 when the lint finds anything.

use handoff::eval::{cross_validate, lint, lint_predictions, LintOptions};
use handoff::{IntentModel, RouterConfig};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: check_intents CONFIG_FILE [FOLDS] [SEED]");
        std::process::exit(2);
    };
    let folds: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let config =
        match RouterConfig::from_deserializer(&mut serde_json::Deserializer::from_str(&text)) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        };
    let mut template = IntentModel::builder();
    template.negatives(config.negatives.iter().cloned());
    if let Some(t) = config.options.threshold {
        template.threshold(t);
    }
    let report = match cross_validate(&template, &config.intents, folds, seed) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut findings = lint(&config.intents);
    findings.extend(lint_predictions(&report, &LintOptions::default()));
    println!("lint: {} finding(s)", findings.len());
    for f in &findings {
        println!("- {f}");
    }
    println!("\n{folds}-fold cross-validation (seed {seed}):\n{report}");
    if !findings.is_empty() {
        std::process::exit(1);
    }
}
