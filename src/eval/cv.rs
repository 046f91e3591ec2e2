//! k-fold cross-validation over the intents' own example phrases.

use crate::error::{BuildError, ErrorKind, Expected};
use crate::intent::{Detection, Intent, IntentModel, IntentModelBuilder};
use crate::seeded::{Folds, Rng};
use crate::text::Normalizer;

use super::report::Evaluation;

/// Calibration folds of each fold's model.
pub(crate) const INNER_CALIBRATION_FOLDS: usize = 2;

/// The fold of every phrase, stratified by intent (see [`Folds`]): phrase `p` of
/// intent `i` is item `p` plus the phrases of the intents before `i`.
pub(crate) fn assign_folds(intents: &[Intent], folds: usize, seed: u64) -> Folds {
    Folds::deal(
        intents.iter().map(|i| i.phrases.len()),
        folds,
        &mut Rng::seeded(seed),
    )
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
            ErrorKind::OutOfRange {
                value: folds.to_string(),
                expected: Expected::AtLeast(2.0),
            },
        ));
    }
    if intents.is_empty() {
        return Err(BuildError::new("intents", ErrorKind::Empty));
    }
    let folds = assign_folds(intents, folds, seed);
    // Item `first[i] + p` is phrase `p` of intent `i`.
    let first: Vec<usize> = intents
        .iter()
        .scan(0, |next, i| {
            let at = *next;
            *next += i.phrases.len();
            Some(at)
        })
        .collect();
    // Item `k` is phrase `phrase_of[k].1` of intent `phrase_of[k].0`.
    let phrase_of: Vec<(usize, usize)> = intents
        .iter()
        .enumerate()
        .flat_map(|(i, intent)| (0..intent.phrases.len()).map(move |p| (i, p)))
        .collect();
    let mut detections: Vec<Vec<Option<Detection>>> = intents
        .iter()
        .map(|i| vec![None; i.phrases.len()])
        .collect();
    for split in folds.splits() {
        if split.held_out.is_empty() {
            continue;
        }
        let Some(model) = fold_model(template, intents, &first, &folds, split.fold)? else {
            continue; // nothing to train: every held-out phrase stays undetected
        };
        for item in split.held_out {
            let (i, p) = phrase_of[item];
            detections[i][p] = Some(model.detect(&intents[i].phrases[p]));
        }
    }
    let nothing = Detection::default();
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

/// The model trained on every phrase outside `fold` (and every keyword), or `None`
/// when no intent is left to train.
fn fold_model(
    template: &IntentModelBuilder,
    intents: &[Intent],
    first: &[usize],
    folds: &Folds,
    fold: usize,
) -> Result<Option<IntentModel>, BuildError> {
    let normalizer = Normalizer::default();
    let mut kept = Vec::with_capacity(intents.len());
    let mut original = Vec::with_capacity(intents.len());
    for (i, intent) in intents.iter().enumerate() {
        let phrases: Vec<String> = intent
            .phrases
            .iter()
            .enumerate()
            .filter(|&(p, _)| folds.of(first[i] + p) != fold)
            .map(|(_, p)| p.clone())
            .collect();
        let has_phrase = phrases.iter().any(|p| !normalizer.normalize(p).is_empty());
        // An intent with phrases only in this fold would fail to build; the full
        // set is still validated by the other folds.
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
    if kept.is_empty() {
        return Ok(None);
    }
    let mut builder = template.clone();
    builder
        .intents(kept)
        .calibration_folds(INNER_CALIBRATION_FOLDS);
    let model = builder
        .build()
        .map_err(|e| remap_intent_path(e, &original))?;
    Ok(Some(model))
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
