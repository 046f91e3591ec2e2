//! k-fold cross-validation over the intents' own example phrases.

use crate::error::{BuildError, ValidationError};
use crate::intent::{Detection, Intent, IntentModelBuilder};
use crate::text::Normalizer;

use super::report::Evaluation;

/// A tiny deterministic PRNG (splitmix64): good enough to shuffle folds, and the same
/// on every platform.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

/// Calibration folds of each fold's model.
pub(crate) const INNER_CALIBRATION_FOLDS: usize = 2;

impl SplitMix64 {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift (no modulo bias worth naming).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The fold of every phrase, `folds[intent][phrase]`, stratified by intent: each
/// intent's phrases are shuffled and dealt round-robin, and the dealing continues
/// from intent to intent so folds stay within one phrase of each other in size.
pub(crate) fn assign_folds(intents: &[Intent], folds: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = SplitMix64::new(seed);
    let mut next = 0usize;
    intents
        .iter()
        .map(|intent| {
            let mut order: Vec<usize> = (0..intent.phrases.len()).collect();
            rng.shuffle(&mut order);
            let mut fold_of = vec![0; intent.phrases.len()];
            for phrase in order {
                fold_of[phrase] = next % folds;
                next += 1;
            }
            fold_of
        })
        .collect()
}

/// Cross-validates an intent set on its own phrases: splits every intent's phrases
/// into `folds` parts (stratified by intent, shuffled deterministically from `seed`),
/// trains on all parts but one and detects the phrases of the held-out part, for each
/// part in turn. The returned [`Evaluation`] holds one prediction per phrase, each
/// from a model that never saw it, in intent and phrase order; every label is an
/// intent (no out-of-scope messages).
///
/// `template` carries the training options (negatives, normalization,
/// regularization, a fixed threshold...) and should hold no intents and no
/// `calibrate_on` examples. Keywords are always kept in training: they are part of
/// the intent, not test data. Each inner model is built with `calibration_folds(0)`,
/// so a run costs exactly `folds` trainings instead of `folds · 6`: confidence then
/// comes from the model's fixed prior mapping and the threshold is the template's (or
/// the model's default). `top1_accuracy` and the per-intent figures at that threshold
/// are what to compare; use [`Evaluation::operating_points`] for other thresholds.
///
/// An intent whose only phrases are all held out in a fold, and which has no
/// keywords, is left out of that fold's model (its held-out phrases then count as
/// wrong). A fold left with no intent at all detects nothing.
///
/// # Errors
/// `folds` below 2 is a [`BuildError`] at path `folds`; an invalid intent set is the
/// model's own [`BuildError`] (paths such as `intents[3].id` refer to `intents`).
///
/// Complexity: `folds` trainings on `(folds - 1) / folds` of the phrases, plus one
/// detection per phrase.
pub fn cross_validate(
    template: &IntentModelBuilder,
    intents: &[Intent],
    folds: usize,
    seed: u64,
) -> Result<Evaluation, BuildError> {
    if folds < 2 {
        return Err(BuildError::new(
            "folds",
            ValidationError::OutOfRange {
                value: folds.to_string(),
                expected: "at least 2".into(),
            },
        ));
    }
    if intents.is_empty() {
        return Err(BuildError::new(
            "intents",
            ValidationError::Empty {
                what: "the intent list".into(),
            },
        ));
    }
    let fold_of = assign_folds(intents, folds, seed);
    let normalizer = Normalizer::default();
    let mut detections: Vec<Vec<Option<Detection>>> = intents
        .iter()
        .map(|i| vec![None; i.phrases.len()])
        .collect();
    for fold in 0..folds {
        let mut kept = Vec::with_capacity(intents.len());
        let mut original = Vec::with_capacity(intents.len());
        for (i, intent) in intents.iter().enumerate() {
            let phrases: Vec<String> = intent
                .phrases
                .iter()
                .zip(&fold_of[i])
                .filter(|(_, &f)| f != fold)
                .map(|(p, _)| p.clone())
                .collect();
            let has_phrase = phrases.iter().any(|p| !normalizer.normalize(p).is_empty());
            // An intent with phrases only in this fold would fail to build; the full
            // set is still validated by the other folds (or fold 0 below).
            if !has_phrase && intent.keywords.is_empty() && !intent.phrases.is_empty() {
                continue;
            }
            kept.push(Intent {
                id: intent.id.clone(),
                phrases,
                keywords: intent.keywords.clone(),
            });
            original.push(i);
        }
        let held_out = fold_of.iter().any(|f| f.contains(&fold));
        if !held_out {
            continue;
        }
        if kept.is_empty() {
            continue; // nothing to train: every held-out phrase stays undetected
        }
        let mut builder = template.clone();
        builder
            .intents(kept)
            .calibration_folds(INNER_CALIBRATION_FOLDS);
        let model = builder
            .build()
            .map_err(|e| remap_intent_path(e, &original))?;
        for (i, intent) in intents.iter().enumerate() {
            for (p, phrase) in intent.phrases.iter().enumerate() {
                if fold_of[i][p] == fold {
                    detections[i][p] = Some(model.detect(phrase));
                }
            }
        }
    }
    let nothing = Detection {
        intent: None,
        confidence: 0.0,
        alternatives: Vec::new(),
        keywords: Vec::new(),
        evidence: Vec::new(),
        truncated: false,
    };
    let triples = intents.iter().zip(&detections).flat_map(|(intent, ds)| {
        intent.phrases.iter().zip(ds).map(|(p, d)| {
            (
                p.as_str(),
                Some(intent.id.as_str()),
                d.as_ref().unwrap_or(&nothing),
            )
        })
    });
    Ok(Evaluation::from_examples(triples))
}

/// Maps `intents[j]` in a fold's error path back to the caller's index.
fn remap_intent_path(error: BuildError, original: &[usize]) -> BuildError {
    let path = error.path();
    let Some(rest) = path.strip_prefix("intents[") else {
        return error;
    };
    let Some(close) = rest.find(']') else {
        return error;
    };
    let Ok(j) = rest[..close].parse::<usize>() else {
        return error;
    };
    let Some(&i) = original.get(j) else {
        return error;
    };
    let path = format!("intents[{i}]{}", &rest[close + 1..]);
    BuildError::new(path, error.kind().clone())
}
