//! Extreme builder values: each builds a working model or is a clear `BuildError` at
//! the option's path; none panics (these tests run with overflow checks on), and a
//! model that builds gives confidences in [0, 1].

use handoff::eval::cross_validate;
use handoff::{ErrorKind, Intent, IntentModel, IntentModelBuilder, Limits};

fn intents() -> Vec<Intent> {
    vec![
        Intent::new("pricing").phrases([
            "how much does it cost",
            "what are your prices",
            "price for ten seats",
            "is there a discount for teams",
        ]),
        Intent::new("support").phrases([
            "the app crashes when I log in",
            "I cannot reset my password",
            "the export is broken",
            "error when uploading a file",
        ]),
        Intent::new("demo").phrases([
            "can I see a demo",
            "book a demo with sales",
            "show me the product",
            "I want a walkthrough",
        ]),
    ]
}

fn builder(set: impl FnOnce(&mut IntentModelBuilder)) -> IntentModelBuilder {
    let mut builder = IntentModel::builder();
    builder.intents(intents());
    set(&mut builder);
    builder
}

/// What a case should give: a model, or an error at this path.
enum Expect {
    Builds,
    Error(&'static str),
}
use Expect::{Builds, Error};

#[test]
fn extreme_option_values_build_or_name_the_option() {
    let limits = |set: fn(&mut Limits)| {
        let mut limits = Limits::default();
        set(&mut limits);
        limits
    };
    let cases: Vec<(&str, IntentModelBuilder, Expect)> = vec![
        (
            "folds max",
            builder(|b| {
                b.calibration_folds(usize::MAX);
            }),
            Builds,
        ),
        (
            "folds 0",
            builder(|b| {
                b.calibration_folds(0);
            }),
            Builds,
        ),
        (
            "folds 1",
            builder(|b| {
                b.calibration_folds(1);
            }),
            Builds,
        ),
        (
            "folds = examples",
            builder(|b| {
                b.calibration_folds(12);
            }),
            Builds,
        ),
        (
            "c max",
            builder(|b| {
                b.regularization(f32::MAX);
            }),
            Builds,
        ),
        (
            "c smallest normal",
            builder(|b| {
                b.regularization(f32::MIN_POSITIVE);
            }),
            Builds,
        ),
        (
            "c smallest subnormal",
            builder(|b| {
                b.regularization(f32::from_bits(1));
            }),
            Builds,
        ),
        (
            "c 0",
            builder(|b| {
                b.regularization(0.0);
            }),
            Error("regularization"),
        ),
        (
            "c negative",
            builder(|b| {
                b.regularization(-1.0);
            }),
            Error("regularization"),
        ),
        (
            "c NaN",
            builder(|b| {
                b.regularization(f32::NAN);
            }),
            Error("regularization"),
        ),
        (
            "c inf",
            builder(|b| {
                b.regularization(f32::INFINITY);
            }),
            Error("regularization"),
        ),
        (
            "threshold NaN",
            builder(|b| {
                b.threshold(f32::NAN);
            }),
            Error("threshold"),
        ),
        (
            "threshold above 1",
            builder(|b| {
                b.threshold(1.5);
            }),
            Error("threshold"),
        ),
        (
            "threshold -0",
            builder(|b| {
                b.threshold(-0.0);
            }),
            Builds,
        ),
        (
            "threshold 1",
            builder(|b| {
                b.threshold(1.0);
            }),
            Builds,
        ),
        (
            "loss NaN",
            builder(|b| {
                b.max_in_scope_loss(f32::NAN);
            }),
            Error("max_in_scope_loss"),
        ),
        (
            "loss 1",
            builder(|b| {
                b.max_in_scope_loss(1.0);
            }),
            Builds,
        ),
        (
            "message len 0",
            builder(|b| {
                b.max_message_len(0);
            }),
            Builds,
        ),
        (
            "message len max",
            builder(|b| {
                b.max_message_len(usize::MAX);
            }),
            Builds,
        ),
        (
            "limits max",
            builder(|b| {
                b.limits(limits(|l| {
                    l.max_message_len = usize::MAX;
                    l.max_intents = usize::MAX;
                    l.max_phrases = usize::MAX;
                    l.max_phrase_len = usize::MAX;
                    l.max_keywords = usize::MAX;
                    l.max_keyword_len = usize::MAX;
                    l.max_rules = usize::MAX;
                    l.max_model_weights = usize::MAX;
                    l.max_training_work = usize::MAX;
                }));
            }),
            Builds,
        ),
        (
            "intents limit 0",
            builder(|b| {
                b.limits(limits(|l| l.max_intents = 0));
            }),
            Error("intents"),
        ),
        (
            "phrases limit 0",
            builder(|b| {
                b.limits(limits(|l| l.max_phrases = 0));
            }),
            Error("intents"),
        ),
        (
            "weights limit 0",
            builder(|b| {
                b.limits(limits(|l| l.max_model_weights = 0));
            }),
            Error("intents"),
        ),
        (
            "work limit 0",
            builder(|b| {
                b.limits(limits(|l| l.max_training_work = 0));
            }),
            Error("intents"),
        ),
    ];
    for (name, builder, expect) in cases {
        match (builder.build(), expect) {
            (Ok(model), Builds) => {
                for text in ["how much is it", "", "zzzz qqqq", &"demo ".repeat(2000)] {
                    let d = model.detect(text);
                    assert!(
                        (0.0..=1.0).contains(&d.confidence),
                        "{name}: {text:.20}: {}",
                        d.confidence
                    );
                }
            }
            (Err(err), Error(path)) => assert_eq!(err.path(), path, "{name}: {err}"),
            (Ok(_), Error(path)) => panic!("{name}: built, expected an error at {path}"),
            (Err(err), Builds) => panic!("{name}: {err}"),
        }
    }
}

/// The smallest regularizations (down to a subnormal, whose dual diagonal is
/// infinite) leave the solver's arithmetic finite: detection gives finite confidences.
#[test]
fn tiny_regularization_stays_finite() {
    for c in [f32::MIN_POSITIVE, f32::from_bits(1), 1e-20] {
        let model = builder(|b| {
            b.regularization(c).calibration_folds(0).threshold(0.0);
        })
        .build()
        .expect("builds");
        let d = model.detect("book a demo");
        assert!(d.confidence.is_finite(), "{c}");
    }
}

/// Cross-validation with any fold count: below 2 is an error at `folds`, more folds
/// than phrases is leave-one-out with empty folds skipped.
#[test]
fn cross_validation_fold_counts() {
    let template = IntentModel::builder();
    for folds in [0usize, 1] {
        let err = cross_validate(&template, &intents(), folds, 1).unwrap_err();
        assert_eq!(err.path(), "folds");
        assert!(matches!(err.kind(), ErrorKind::OutOfRange { .. }), "{err}");
    }
    for folds in [2usize, 12, 13, usize::MAX] {
        let report = cross_validate(&template, &intents(), folds, u64::MAX).expect("valid");
        assert_eq!(report.examples, 12, "{folds}");
    }
}
