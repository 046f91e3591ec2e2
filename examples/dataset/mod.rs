//! Data sets in the evaluation format, shared by the examples that read them (evaluate,
//! model_size, choose_settings, clinc_variants): a directory of `train.jsonl`,
//! `test.jsonl` and optionally `val.jsonl`, one `{"text": ..., "intent": ...}` per line,
//! the label `oos` meaning "no intent".

// Each example uses part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::error::Error;
use std::path::Path;

use handoff::{Intent, IntentModelBuilder};

/// The label of an out-of-scope line.
pub const OOS: &str = "oos";

/// One labelled line.
#[derive(serde::Deserialize, serde::Serialize)]
pub struct Line {
    pub text: String,
    pub intent: String,
}

/// The lines of a JSONL file, blank lines skipped; an error names the file and line.
pub fn load(path: &Path) -> Result<Vec<Line>, Box<dyn Error>> {
    let content = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    content
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l).map_err(|e| format!("{}:{}: {e}", path.display(), n + 1).into())
        })
        .collect()
}

/// `val.jsonl` of `dir`, if there is one.
pub fn load_val(dir: &Path) -> Result<Option<Vec<Line>>, Box<dyn Error>> {
    let path = dir.join("val.jsonl");
    if path.exists() {
        Ok(Some(load(&path)?))
    } else {
        Ok(None)
    }
}

/// The training lines as intents, in order of first appearance with their phrases in
/// line order, and the `oos` lines as negatives.
pub fn intents_and_negatives(train: &[Line]) -> (Vec<Intent>, Vec<String>) {
    let mut intents: Vec<Intent> = Vec::new();
    // Each intent's place in `intents`, so grouping stays linear in the lines.
    let mut place: HashMap<&str, usize> = HashMap::new();
    let mut negatives = Vec::new();
    for line in train {
        if line.intent == OOS {
            negatives.push(line.text.clone());
            continue;
        }
        match place.get(line.intent.as_str()) {
            Some(&at) => intents[at].phrases.push(line.text.clone()),
            None => {
                place.insert(&line.intent, intents.len());
                intents.push(Intent::new(line.intent.clone()).phrases([line.text.clone()]));
            }
        }
    }
    (intents, negatives)
}

/// Sets up `builder` for a data set: its intents and negatives from `train`, calibrated
/// on `val` when there is one. Returns the number of intents.
pub fn set_up(builder: &mut IntentModelBuilder, train: &[Line], val: Option<&[Line]>) -> usize {
    let (intents, negatives) = intents_and_negatives(train);
    let count = intents.len();
    for intent in intents {
        builder.intent(intent);
    }
    builder.negatives(negatives);
    if let Some(val) = val {
        builder.calibrate_on(val.iter().map(|l| {
            (
                l.text.as_str(),
                (l.intent != OOS).then_some(l.intent.as_str()),
            )
        }));
    }
    count
}
