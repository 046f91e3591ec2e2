//! Training cost is bounded by `Limits::max_model_weights` and
//! `Limits::max_training_work`: a training over either is refused with a clear error
//! before the solver runs, and one within them builds a model of bounded size.

use std::time::{Duration, Instant};

use handoff::{BuildError, ErrorKind, Intent, IntentModel, Limits};

#[path = "../benches/synth/mod.rs"]
mod synth;

/// `intents` intents of one phrase each: the shape that makes a model widest for its
/// data (every intent learns a weight for nearly every feature).
fn one_phrase_each(intents: usize) -> Vec<Intent> {
    synth::intents(intents, 1, 0)
}

fn build(intents: Vec<Intent>, limits: Limits, folds: usize) -> Result<IntentModel, BuildError> {
    IntentModel::builder()
        .intents(intents)
        .limits(limits)
        .calibration_folds(folds)
        .build()
}

/// The field, limit and figure of a training refused for its size.
fn refusal(err: &BuildError) -> (&'static str, usize, usize) {
    match err.kind() {
        ErrorKind::TrainingTooLarge {
            field,
            limit,
            actual,
        } => (field, *limit, *actual),
        other => panic!("expected TrainingTooLarge, got {other:?} ({err})"),
    }
}

/// The default limits are safe to hit: 10,000 intents (the default `max_intents`) of
/// one phrase each would need about a billion weights and minutes of training per
/// model; the build says so at once instead.
#[test]
fn default_limits_refuse_the_widest_model_at_once() {
    let intents = one_phrase_each(10_000);
    let started = Instant::now();
    let err = build(intents, Limits::default(), 5).unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.path(), "intents", "{err}");
    let (field, limit, actual) = refusal(&err);
    assert_eq!(field, "max_model_weights", "{err}");
    assert_eq!(limit, Limits::default().max_model_weights);
    assert!(actual > limit, "{err}");
    assert!(
        err.to_string().contains("Limits::max_model_weights"),
        "{err}"
    );
    // Counting is linear in the data (here well under a second); training would take
    // minutes. The bound is loose for slow shared test machines.
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
}

/// Each limit is inclusive and checked on its own figure: a model is refused just
/// below what it needs and built at exactly that.
#[test]
fn each_limit_refuses_just_below_what_training_needs() {
    let intents = one_phrase_each(300);
    let unlimited = {
        let mut limits = Limits::default();
        limits.max_model_weights = usize::MAX;
        limits.max_training_work = usize::MAX;
        limits
    };
    // What the training needs, read from the refusals of tiny limits.
    let mut tiny = unlimited;
    tiny.max_model_weights = 1;
    let (_, _, weights) = refusal(&build(intents.clone(), tiny, 0).unwrap_err());
    let mut tiny = unlimited;
    tiny.max_training_work = 1;
    let (field, _, work) = refusal(&build(intents.clone(), tiny, 0).unwrap_err());
    assert_eq!(field, "max_training_work");
    // 300 intents × distinct features; work counts every occurrence, so it is more.
    assert_eq!(weights % 300, 0);
    assert!(work >= weights, "{work} < {weights}");

    let mut limits = unlimited;
    limits.max_model_weights = weights - 1;
    let err = build(intents.clone(), limits, 0).unwrap_err();
    assert_eq!(refusal(&err), ("max_model_weights", weights - 1, weights));
    limits.max_model_weights = weights;
    limits.max_training_work = work - 1;
    let err = build(intents.clone(), limits, 0).unwrap_err();
    assert_eq!(refusal(&err), ("max_training_work", work - 1, work));
    limits.max_training_work = work;
    let model = build(intents, limits, 0).expect("exactly at both limits");

    // The documented bound on a model's size: at most 3 bytes per weight (a sparse
    // entry; a dense one is 1), 128 per feature (its table slot, a dense row's
    // padding), and 17 MiB for the precomputed vectors (16 MiB and their padding).
    let features = weights / 300;
    let bound = 3 * weights + 128 * features + (17 << 20);
    assert!(
        model.model_bytes() <= bound,
        "{} > {bound}",
        model.model_bytes()
    );
}

/// Calibration folds train on part of the data: within the limits when the whole is,
/// so a model within them builds with its default calibration too.
#[test]
fn calibration_folds_stay_within_the_limits_of_the_whole() {
    let intents = one_phrase_each(300);
    let mut tiny = Limits::default();
    tiny.max_model_weights = 1;
    let (_, _, weights) = refusal(&build(intents.clone(), tiny, 0).unwrap_err());
    let mut tiny = Limits::default();
    tiny.max_training_work = 1;
    let (_, _, work) = refusal(&build(intents.clone(), tiny, 0).unwrap_err());
    let mut exact = Limits::default();
    exact.max_model_weights = weights;
    exact.max_training_work = work;
    assert!(build(intents, exact, 5).is_ok());
}
