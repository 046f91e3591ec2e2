//! Unit tests of the eval module: hand-computed metrics, oracles, edge cases.

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::prelude::*;

use super::cv::assign_folds;
use super::kpi::{csv_field, nearest_rank};
use super::*;
use crate::intent::{Detection, Intent, IntentModel, IntentScore};

/// A detection with `predicted` accepted (or not) and `best` as the top candidate.
fn det(predicted: Option<&str>, best: Option<&str>, confidence: f32) -> Detection {
    Detection {
        intent: predicted.map(Arc::from),
        confidence,
        alternatives: best
            .map(|b| IntentScore {
                intent: Arc::from(b),
                confidence,
            })
            .into_iter()
            .collect(),
        ..Detection::default()
    }
}

/// `(expected, predicted, best, confidence)` rows into an evaluation with texts.
/// (expected, predicted, best candidate, confidence).
type Row<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, f32);

fn eval_of(rows: &[Row<'_>]) -> Evaluation {
    let dets: Vec<(String, Option<&str>, Detection)> = rows
        .iter()
        .enumerate()
        .map(|(i, &(e, p, b, c))| (format!("m{i}"), e, det(p, b, c)))
        .collect();
    Evaluation::from_examples(dets.iter().map(|(t, e, d)| (t.as_str(), *e, d)))
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => false,
    }
}

/// Table of (rows, overall, in-scope, top-1, oos recall, oos precision, macro F1).
macro_rules! figures {
    ($($name:literal: [$($row:expr),* $(,)?] => $overall:expr, $ins:expr, $top1:expr, $oosr:expr, $oosp:expr, $f1:expr;)*) => {{
        let mut n = 0;
        $(
            let e = eval_of(&[$($row),*]);
            assert!(close(e.overall_accuracy, $overall), "{}: overall {:?}", $name, e.overall_accuracy);
            assert!(close(e.in_scope_accuracy, $ins), "{}: in-scope {:?}", $name, e.in_scope_accuracy);
            assert!(close(e.top1_accuracy, $top1), "{}: top-1 {:?}", $name, e.top1_accuracy);
            assert!(close(e.oos_recall, $oosr), "{}: oos recall {:?}", $name, e.oos_recall);
            assert!(close(e.oos_precision, $oosp), "{}: oos precision {:?}", $name, e.oos_precision);
            assert!(close(e.macro_f1, $f1), "{}: macro F1 {:?}", $name, e.macro_f1);
            // Rendering never panics and never prints NaN.
            assert!(!e.to_string().contains("NaN"), "{}", $name);
            n += 1;
        )*
        n
    }};
}

#[test]
fn report_figures_on_hand_computed_cases() {
    let a = Some("a");
    let b = Some("b");
    let n = figures! {
        "empty": [] => None, None, None, None, None, None;
        "single class, all right": [(a, a, a, 0.9), (a, a, a, 0.8)]
            => Some(1.0), Some(1.0), Some(1.0), None, None, Some(1.0);
        "all wrong": [(a, b, b, 0.9), (b, a, a, 0.9)]
            => Some(0.0), Some(0.0), Some(0.0), None, None, Some(0.0);
        "only out of scope, all rejected": [(None, None, a, 0.1), (None, None, None, 0.0)]
            => Some(1.0), None, None, Some(1.0), Some(1.0), None;
        "only out of scope, all accepted": [(None, a, a, 0.9)]
            => Some(0.0), None, None, Some(0.0), None, None;
        "mixed": [
            (a, a, a, 0.9), (a, b, b, 0.6), (a, None, a, 0.3),
            (b, b, b, 0.8), (None, None, a, 0.2), (None, a, a, 0.7),
        ] => Some(0.5), Some(0.5), Some(0.75), Some(0.5), Some(0.5), Some((0.4 + 2.0 / 3.0) / 2.0);
    };
    assert_eq!(n, 6);
}

fn mixed() -> Evaluation {
    let (a, b) = (Some("a"), Some("b"));
    eval_of(&[
        (a, a, a, 0.9),
        (a, b, b, 0.6),
        (a, None, a, 0.3),
        (b, b, b, 0.8),
        (None, None, a, 0.2),
        (None, a, a, 0.7),
    ])
}

#[test]
fn per_intent_rows_confusions_and_weak_intents() {
    let e = mixed();
    assert_eq!((e.examples, e.in_scope, e.out_of_scope), (6, 4, 2));
    let a = e.intent("a").unwrap();
    assert_eq!((a.support, a.predicted, a.correct), (3, 2, 1));
    assert!(close(a.precision, Some(0.5)));
    assert!(close(a.recall, Some(1.0 / 3.0)));
    assert!(close(a.f1, Some(0.4)));
    assert_eq!(
        a.mistaken_for,
        vec![
            LabelCount {
                label: None,
                count: 1
            },
            LabelCount {
                label: Some("b".into()),
                count: 1
            }
        ]
    );
    let b = e.intent("b").unwrap();
    assert_eq!((b.support, b.predicted, b.correct), (1, 2, 1));
    assert!(close(b.f1, Some(2.0 / 3.0)));
    assert!(e.intent("c").is_none());
    type Pair<'a> = (Option<&'a str>, Option<&'a str>, usize, Vec<&'a str>);
    let pairs: Vec<Pair<'_>> = e
        .confusions
        .iter()
        .map(|c| {
            (
                c.expected.as_deref(),
                c.predicted.as_deref(),
                c.count,
                c.examples.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            (None, Some("a"), 1, vec!["m5"]),
            (Some("a"), None, 1, vec!["m2"]),
            (Some("a"), Some("b"), 1, vec!["m1"]),
        ]
    );
    let weak: Vec<&str> = e.below_target(0.8).iter().map(|r| &*r.intent).collect();
    assert_eq!(weak, ["a"]);
    assert!(e.below_target(0.0).is_empty());
    let text = e.to_string();
    assert!(text.contains("below 80% accuracy"), "{text}");
    assert!(text.contains("a -> b x1: \"m1\""), "{text}");
    let mistakes: Vec<_> = e.mistakes().collect();
    assert_eq!(mistakes.len(), 3);
    assert_eq!(mistakes[0], (Some("m1"), Some("a"), Some("b"), 0.6));
}

#[test]
fn intent_never_predicted_has_no_precision_but_zero_f1() {
    let e = eval_of(&[(Some("a"), Some("b"), Some("b"), 0.9)]);
    let a = e.intent("a").unwrap();
    assert_eq!(a.precision, None);
    assert!(close(a.recall, Some(0.0)));
    assert!(close(a.f1, Some(0.0)));
    let b = e.intent("b").unwrap();
    assert_eq!(b.recall, None);
    assert!(close(b.precision, Some(0.0)));
    // Macro F1 is over intents with support only.
    assert!(close(e.macro_f1, Some(0.0)));
}

#[test]
fn sweep_and_threshold_suggestion_by_hand() {
    let e = mixed();
    let at = |t| {
        let p = e.at_threshold(t);
        (p.in_scope_accuracy, p.oos_recall)
    };
    assert_eq!(at(0.0), (Some(0.75), Some(0.0)));
    assert_eq!(at(0.5), (Some(0.5), Some(0.5)));
    assert_eq!(at(0.75), (Some(0.5), Some(1.0)));
    assert_eq!(at(0.85), (Some(0.25), Some(1.0)));
    assert_eq!(at(1.0), (Some(0.0), Some(1.0)));
    let sweep = e.sweep(4);
    assert_eq!(sweep.len(), 5);
    assert_eq!(sweep[0].threshold, 0.0);
    assert_eq!(sweep[4].threshold, 1.0);
    let thresholds: Vec<f32> = e.operating_points().iter().map(|p| p.threshold).collect();
    let want = [0.0, 0.25, 0.45, 0.65, 0.75, 0.85, 0.95];
    assert_eq!(thresholds.len(), want.len());
    for (got, want) in thresholds.iter().zip(want) {
        assert!((got - want).abs() < 1e-6, "{thresholds:?}");
    }
    let balanced = e.suggest_threshold(ThresholdGoal::Balanced).unwrap();
    assert!((balanced.threshold - 0.75).abs() < 1e-6);
    assert_eq!(
        (balanced.in_scope_accuracy, balanced.oos_recall),
        (Some(0.5), Some(1.0))
    );
    let floor = |min_accuracy| {
        e.suggest_threshold(ThresholdGoal::MinInScopeAccuracy { min_accuracy })
            .map(|p| (p.threshold * 100.0).round() / 100.0)
    };
    assert_eq!(floor(0.7), Some(0.25));
    assert_eq!(floor(0.5), Some(0.75));
    assert_eq!(floor(0.0), Some(0.75));
    assert_eq!(floor(0.9), None);
}

#[test]
fn threshold_suggestion_edge_cases() {
    let empty = eval_of(&[]);
    assert!(empty.operating_points()[0].in_scope_accuracy.is_none());
    assert_eq!(empty.suggest_threshold(ThresholdGoal::Balanced), None);
    assert!(empty.sweep(0).len() == 2);
    // No out-of-scope messages: Balanced is undefined; the floor takes the highest
    // threshold that keeps the accuracy.
    let a = Some("a");
    let ins = eval_of(&[(a, a, a, 0.9), (a, a, a, 0.4), (a, None, Some("b"), 0.6)]);
    assert_eq!(ins.suggest_threshold(ThresholdGoal::Balanced), None);
    let p = ins
        .suggest_threshold(ThresholdGoal::MinInScopeAccuracy { min_accuracy: 0.3 })
        .unwrap();
    assert!((p.threshold - 0.75).abs() < 1e-6, "{p:?}");
    let p = ins
        .suggest_threshold(ThresholdGoal::MinInScopeAccuracy { min_accuracy: 0.6 })
        .unwrap();
    assert_eq!(p.threshold, 0.0);
    // Only out of scope: nothing to keep accurate.
    let oos = eval_of(&[(None, None, a, 0.3)]);
    assert_eq!(
        oos.suggest_threshold(ThresholdGoal::MinInScopeAccuracy { min_accuracy: 0.0 }),
        None
    );
    // NaN confidence does not poison anything.
    let nan = eval_of(&[(a, a, a, f32::NAN), (None, None, a, f32::NAN)]);
    assert!(nan
        .operating_points()
        .iter()
        .all(|p| p.threshold.is_finite()));
}

#[test]
fn merge_equals_one_report_and_target_is_kept() {
    let whole = mixed();
    let (a, b) = (Some("a"), Some("b"));
    let first = eval_of(&[(a, a, a, 0.9), (a, b, b, 0.6), (a, None, a, 0.3)]);
    let second = eval_of(&[(b, b, b, 0.8), (None, None, a, 0.2), (None, a, a, 0.7)]);
    let merged = Evaluation::merge([&first.with_target_accuracy(0.5), &second]);
    assert_eq!(merged.intents, whole.intents);
    assert_eq!(merged.overall_accuracy, whole.overall_accuracy);
    assert_eq!(merged.operating_points(), whole.operating_points());
    assert_eq!(merged.target_accuracy, 0.5);
    assert_eq!(mixed().with_target_accuracy(f64::NAN).target_accuracy, 0.0);
    assert_eq!(mixed().with_target_accuracy(7.0).target_accuracy, 1.0);
}

#[test]
fn from_detections_matches_from_examples_without_texts() {
    let (a, b) = (Some("a"), Some("b"));
    let dets = [det(a, a, 0.9), det(None, b, 0.1)];
    let e = Evaluation::from_detections([(a, &dets[0]), (b, &dets[1])]);
    assert_eq!(e.in_scope_accuracy, Some(0.5));
    assert_eq!(e.confusions[0].examples, Vec::<String>::new());
    assert_eq!(e.mistakes().next().unwrap().0, None);
}

prop_compose! {
    fn record()(e in 0..4usize, p in 0..4usize, b in 0..4usize, c in 0..=20u8)
        -> (Option<&'static str>, Option<&'static str>, Option<&'static str>, f32) {
        let label = |i: usize| ["a", "b", "c"].get(i).copied();
        (label(e), label(p), label(b), f32::from(c) / 20.0)
    }
}

proptest! {
    #[test]
    fn operating_points_agree_with_at_threshold_and_are_monotone(
        rows in proptest::collection::vec(record(), 0..40)
    ) {
        let e = eval_of(&rows);
        let points = e.operating_points();
        for p in &points {
            prop_assert_eq!(*p, e.at_threshold(p.threshold));
        }
        for w in points.windows(2) {
            prop_assert!(w[0].threshold < w[1].threshold);
            if let (Some(x), Some(y)) = (w[0].in_scope_accuracy, w[1].in_scope_accuracy) {
                prop_assert!(y <= x);
            }
            if let (Some(x), Some(y)) = (w[0].oos_recall, w[1].oos_recall) {
                prop_assert!(y >= x);
            }
        }
        // The suggestion is the brute-force best over a fine grid or better.
        if let Some(best) = e.suggest_threshold(ThresholdGoal::Balanced) {
            let score = |p: &SweepPoint| p.in_scope_accuracy.unwrap() + p.oos_recall.unwrap();
            for g in e.sweep(200) {
                prop_assert!(score(&g) <= score(&best) + 1e-9);
            }
        }
        // Figures are in [0, 1] or None, never NaN.
        for v in [e.overall_accuracy, e.in_scope_accuracy, e.top1_accuracy, e.oos_recall, e.oos_precision, e.macro_f1] {
            prop_assert!(v.map_or(true, |v| (0.0..=1.0).contains(&v)));
        }
        let total: usize = e.confusions.iter().map(|c| c.count).sum();
        prop_assert_eq!(total, e.mistakes().count());
    }
}

// ---- cross-validation ----

fn phrases(id: &str, n: usize) -> Intent {
    Intent::new(id).phrases((0..n).map(|i| format!("{id} phrase {i}")))
}

#[test]
fn folds_are_stratified_balanced_and_seeded() {
    let intents = vec![
        phrases("a", 10),
        phrases("b", 7),
        phrases("c", 1),
        phrases("d", 0),
    ];
    let folds = assign_folds(&intents, 3, 42);
    assert_eq!(folds.splits().count(), 3);
    let mut first = 0;
    for intent in &intents {
        let mut counts = [0usize; 3];
        for p in 0..intent.phrases.len() {
            counts[folds.of(first + p)] += 1;
        }
        first += intent.phrases.len();
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(max - min <= 1, "{counts:?}");
    }
    let mut sizes = [0usize; 3];
    for item in 0..first {
        sizes[folds.of(item)] += 1;
    }
    assert_eq!(sizes.iter().sum::<usize>(), 18);
    assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
    assert_eq!(folds, assign_folds(&intents, 3, 42));
    assert_ne!(folds, assign_folds(&intents, 3, 43));
}

fn small_set() -> Vec<Intent> {
    vec![
        Intent::new("pricing").phrases([
            "how much does it cost",
            "what are your prices",
            "can I get a quote",
            "price for fifty seats",
            "how expensive is the pro plan",
            "what does the enterprise plan cost",
        ]),
        Intent::new("support").phrases([
            "I can't log in",
            "the app crashes",
            "reset my password",
            "I found a bug",
            "the page won't load",
            "my account is locked",
        ]),
        Intent::new("greeting").phrases([
            "hello",
            "hi there",
            "good morning",
            "hey",
            "good evening",
        ]),
    ]
}

#[test]
fn cross_validation_predicts_every_phrase_once_deterministically() {
    let intents = small_set();
    let cv = cross_validate(&IntentModel::builder(), &intents, 3, 5).unwrap();
    assert_eq!(cv.examples, 17);
    assert_eq!(cv.in_scope, 17);
    assert_eq!(cv.out_of_scope, 0);
    let support: Vec<(&str, usize)> = cv.intents.iter().map(|r| (&*r.intent, r.support)).collect();
    assert_eq!(support, [("greeting", 5), ("pricing", 6), ("support", 6)]);
    let again = cross_validate(&IntentModel::builder(), &intents, 3, 5).unwrap();
    assert_eq!(cv, again);
}

#[test]
fn cross_validation_errors_and_degenerate_sets() {
    let builder = IntentModel::builder();
    let err = cross_validate(&builder, &small_set(), 1, 0).unwrap_err();
    assert_eq!(err.path(), "folds");
    let err = cross_validate(&builder, &[], 5, 0).unwrap_err();
    assert_eq!(err.path(), "intents");
    let mut dup = small_set();
    dup.push(Intent::new("pricing").phrase("again"));
    assert_eq!(
        cross_validate(&builder, &dup, 3, 0).unwrap_err().path(),
        "intents[3].id"
    );
    // An empty keyword in the intent after one that is dropped in some fold keeps
    // the caller's index.
    let mut bad = vec![Intent::new("solo").phrase("just me")];
    bad.extend(small_set());
    bad[2].keywords.push("  ".into());
    assert_eq!(
        cross_validate(&builder, &bad, 3, 0).unwrap_err().path(),
        "intents[2].keywords[0]"
    );
    // A one-phrase intent without keywords cannot be learned from the other folds:
    // its phrase counts as wrong, nothing panics.
    let mut set = small_set();
    set.push(Intent::new("solo").phrase("a lonely phrase"));
    let cv = cross_validate(&builder, &set, 3, 1).unwrap();
    assert_eq!(cv.intent("solo").unwrap().correct, 0);
    // A single intent with one phrase: no fold has anything to train on.
    let cv = cross_validate(&builder, &[Intent::new("x").phrase("only")], 2, 1).unwrap();
    assert_eq!(cv.in_scope_accuracy, Some(0.0));
    // More folds than phrases.
    let cv = cross_validate(&builder, &small_set(), 40, 1).unwrap();
    assert_eq!(cv.examples, 17);
    // A fold count from a configuration file can be anything: folds with no phrase
    // cost nothing.
    let cv = cross_validate(&builder, &small_set(), usize::MAX, 1).unwrap();
    assert_eq!(cv.examples, 17);
}

// ---- lint ----

fn kinds(findings: &[Finding]) -> Vec<(FindingKind, Vec<&str>)> {
    findings
        .iter()
        .map(|f| (f.kind, f.intents.iter().map(String::as_str).collect()))
        .collect()
}

#[test]
fn lint_finds_planted_problems() {
    let intents = vec![
        Intent::new("pricing")
            .phrases([
                "how much does it cost",
                "What are your PRICES?",
                "can I get a quote for my team please",
                "price for fifty seats",
                "how expensive is the pro plan",
            ])
            .keywords(["quote", "demo"]),
        Intent::new("sales")
            .phrases([
                "what are your prices",
                "can I get a quote for my team",
                "I want to book a demo",
                "talk to sales",
                "call me",
                "I want a quote",
            ])
            .keyword("Demo"),
        Intent::new("support").phrases(["I can't log in", "the app crashes"]),
    ];
    let findings = lint(&intents);
    let got = kinds(&findings);
    assert_eq!(
        got,
        vec![
            (FindingKind::DuplicatePhrase, vec!["pricing", "sales"]),
            (FindingKind::NearDuplicatePhrase, vec!["pricing", "sales"]),
            (FindingKind::SharedKeyword, vec!["pricing", "sales"]),
            (FindingKind::KeywordInOtherIntent, vec!["pricing", "sales"]),
            (FindingKind::TooFewPhrases, vec!["support"]),
        ],
        "{findings:#?}"
    );
    assert_eq!(
        findings[0].phrases,
        ["What are your PRICES?", "what are your prices"]
    );
    assert_eq!(
        findings[1].phrases,
        [
            "can I get a quote for my team please",
            "can I get a quote for my team"
        ]
    );
    assert_eq!(findings[2].keywords, ["Demo", "demo"]);
    // "quote" (pricing) occurs in two sales phrases; "demo" is shared, so it is
    // reported as shared rather than as found in the other's phrases.
    assert_eq!(findings[3].keywords, ["quote"]);
    assert_eq!(
        findings[3].phrases,
        ["can I get a quote for my team", "I want a quote"]
    );
    assert!(findings[4].advice.contains("2 distinct phrase(s)"));
    for f in &findings {
        assert!(!f.advice.is_empty());
        assert!(f.to_string().starts_with(f.kind.as_str()));
    }
    let options = LintOptions::default().min_phrases(2).near_duplicate(1.0);
    let relaxed = lint_with(&intents, &options);
    let relaxed = kinds(&relaxed);
    assert!(!relaxed.iter().any(|k| k.0 == FindingKind::TooFewPhrases));
    assert!(!relaxed
        .iter()
        .any(|k| k.0 == FindingKind::NearDuplicatePhrase));
}

#[test]
fn lint_finds_nothing_in_a_clean_set() {
    let intents = vec![
        Intent::new("pricing")
            .phrases([
                "how much does it cost",
                "what are your prices",
                "can I get a quote",
                "price for fifty seats",
                "how expensive is the pro plan",
            ])
            .keywords(["quote", "pricing"]),
        Intent::new("support")
            .phrases([
                "I can't log in",
                "the app crashes",
                "reset my password",
                "I found a bug",
                "the page won't load",
            ])
            .keywords(["bug", "crash"]),
    ];
    assert_eq!(lint(&intents), Vec::<Finding>::new());
    assert_eq!(lint(&[]), Vec::<Finding>::new());
}

#[test]
fn lint_predictions_groups_misassigned_phrases() {
    let (a, b) = (Some("a"), Some("b"));
    let d = [
        det(b, b, 0.9),
        det(b, b, 0.8),
        det(None, b, 0.1),
        det(a, a, 0.9),
    ];
    let e = Evaluation::from_examples([
        ("x", a, &d[0]),
        ("y", a, &d[1]),
        ("z", a, &d[2]),
        ("w", a, &d[3]),
    ]);
    let f = lint_predictions(&e, &LintOptions::default());
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].kind, FindingKind::Misassigned);
    assert_eq!(f[0].intents, ["a", "b"]);
    assert_eq!(f[0].phrases, ["x", "y"]);
}

/// The naive all-pairs near-duplicate oracle.
fn naive_near_duplicates(intents: &[Intent], t: f64) -> BTreeSet<(String, String)> {
    let normalizer = crate::text::Normalizer::default();
    let mut items = Vec::new();
    for (i, intent) in intents.iter().enumerate() {
        for p in &intent.phrases {
            let n = normalizer.normalize(p);
            let tokens: Vec<String> = n.tokens().map(|t| t.text(&n).to_string()).collect();
            let set: BTreeSet<String> = tokens.iter().cloned().collect();
            if !set.is_empty() {
                items.push((i, p.clone(), tokens.join(" "), set));
            }
        }
    }
    let mut out = BTreeSet::new();
    for x in 0..items.len() {
        for y in x + 1..items.len() {
            let (a, b) = (&items[x], &items[y]);
            if a.0 == b.0 || a.2 == b.2 {
                continue;
            }
            let common = a.3.intersection(&b.3).count();
            let union = a.3.union(&b.3).count();
            if common as f64 / union as f64 >= t - 1e-12 {
                let (p, q) = if a.1 <= b.1 {
                    (&a.1, &b.1)
                } else {
                    (&b.1, &a.1)
                };
                out.insert((p.clone(), q.clone()));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn near_duplicates_match_the_naive_oracle(
        raw in proptest::collection::vec(
            (0..3usize, proptest::collection::vec(0..8usize, 1..7)), 0..30),
        t in prop_oneof![Just(0.5), Just(0.6), Just(0.75), Just(0.8), Just(1.0)],
    ) {
        const WORDS: [&str; 8] = ["demo", "price", "quote", "team", "plan", "help", "login", "the"];
        let mut intents = vec![Intent::new("a"), Intent::new("b"), Intent::new("c")];
        let mut seen = BTreeSet::new();
        for (i, words) in raw {
            let phrase: Vec<&str> = words.iter().map(|&w| WORDS[w]).collect();
            let phrase = phrase.join(" ");
            if seen.insert(phrase.clone()) {
                intents[i].phrases.push(phrase);
            }
        }
        let options = LintOptions::default().near_duplicate(t);
        let got: BTreeSet<(String, String)> = lint_with(&intents, &options)
            .into_iter()
            .filter(|f| f.kind == FindingKind::NearDuplicatePhrase)
            .map(|f| {
                let (p, q) = (f.phrases[0].clone(), f.phrases[1].clone());
                if p <= q { (p, q) } else { (q, p) }
            })
            .collect();
        prop_assert_eq!(got, naive_near_duplicates(&intents, t));
    }
}

// ---- KPIs ----

fn rec(conversation: &str, channel: &str, at: i64) -> DecisionRecord {
    DecisionRecord {
        conversation: conversation.into(),
        channel: channel.into(),
        at,
        ..DecisionRecord::default()
    }
}

fn handoff(conversation: &str, channel: &str, at: i64, reply: Option<i64>) -> DecisionRecord {
    DecisionRecord {
        handed_off: true,
        first_reply_at: reply,
        intent: Some("pricing".into()),
        rule: Some("qualified".into()),
        ..rec(conversation, channel, at)
    }
}

#[test]
fn nearest_rank_percentiles() {
    let cases: &[(&[i64], usize, Option<i64>)] = &[
        (&[], 50, None),
        (&[7], 50, Some(7)),
        (&[7], 90, Some(7)),
        (&[30, 60, 120, 600], 50, Some(60)),
        (&[30, 60, 120, 600], 90, Some(600)),
        (&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, Some(9)),
        (&[1, 2, 3], 50, Some(2)),
        (&[1, 2, 3], 0, Some(1)),
    ];
    for (values, p, want) in cases {
        assert_eq!(nearest_rank(values, *p), *want, "{values:?} p{p}");
    }
}

#[test]
fn kpis_of_nothing_are_undefined() {
    let k = Kpis::compute(&[], &KpiOptions::period(86_400));
    let o = &k.overall;
    assert_eq!(o.conversations, 0);
    assert_eq!(
        (
            o.handoff_rate,
            o.handoff_accuracy,
            o.conversion_rate,
            o.bot_retention_rate
        ),
        (None, None, None, None)
    );
    assert_eq!((o.median_response_s, o.p90_response_s), (None, None));
    assert!(k.by_channel.is_empty() && k.by_period.is_empty());
    let csv = k.to_csv();
    assert_eq!(csv.lines().count(), 2);
    assert_eq!(csv.lines().nth(1), Some("all,,,0,0,,0,,0,0,,,0,,0,,"));
    assert_eq!(
        k.reasons_csv(),
        "scope,channel,period_start,intent,rule,handoffs,team\n"
    );
}

#[test]
fn kpis_by_hand() {
    let log = vec![
        // c1: handed off at 100, reply 130 (30 s), judged right, converted.
        DecisionRecord {
            handoff_correct: Some(true),
            converted: Some(true),
            ..handoff("c1", "web", 100, Some(130))
        },
        // c2: two records; the hand-off at 200 (second record), reply logged on the
        // first; verdict revised to false later; conversion false then true.
        DecisionRecord {
            first_reply_at: Some(260),
            converted: Some(false),
            ..rec("c2", "web", 150)
        },
        DecisionRecord {
            handoff_correct: Some(true),
            ..handoff("c2", "web", 200, None)
        },
        DecisionRecord {
            handoff_correct: Some(false),
            converted: Some(true),
            ..rec("c2", "web", 300)
        },
        // c3: handed off, reply 120 s later, no verdict, conversion unknown.
        DecisionRecord {
            intent: None,
            rule: Some("offer_human".into()),
            ..handoff("c3", "mobile", 90_000, Some(90_120))
        },
        // c4: handed off, reply 600 s later.
        handoff("c4", "mobile", 90_100, Some(90_700)),
        // c5: completed with the bot.
        DecisionRecord {
            completed_with_bot: Some(true),
            ..rec("c5", "web", 400)
        },
        // c6: left the bot without completing.
        DecisionRecord {
            completed_with_bot: Some(false),
            ..rec("c6", "mobile", 90_200)
        },
        // c7: outcome unknown.
        rec("c7", "web", 500),
    ];
    let k = Kpis::compute(&log, &KpiOptions::period(86_400));
    let o = &k.overall;
    assert_eq!(o.conversations, 7);
    assert_eq!(o.handoffs, 4);
    assert!(close(o.handoff_rate, Some(4.0 / 7.0)));
    assert_eq!(o.judged_handoffs, 2);
    assert!(close(o.handoff_accuracy, Some(0.5)));
    assert_eq!(o.replied_handoffs, 4);
    // Times 30, 60, 120, 600.
    assert_eq!(o.median_response_s, Some(60));
    assert_eq!(o.p90_response_s, Some(600));
    assert_eq!(o.known_conversions, 2);
    assert!(close(o.conversion_rate, Some(1.0)));
    assert_eq!(o.known_outcomes, 6);
    assert!(close(o.bot_retention_rate, Some(1.0 / 6.0)));
    assert_eq!(
        o.reasons,
        vec![
            Reason {
                intent: Some("pricing".into()),
                rule: Some("qualified".into()),
                handoffs: 3
            },
            Reason {
                intent: None,
                rule: Some("offer_human".into()),
                handoffs: 1
            },
        ]
    );
    let channels: Vec<(&str, usize, usize)> = k
        .by_channel
        .iter()
        .map(|f| (f.channel.as_deref().unwrap(), f.conversations, f.handoffs))
        .collect();
    assert_eq!(channels, [("mobile", 3, 2), ("web", 4, 2)]);
    let periods: Vec<(i64, usize)> = k
        .by_period
        .iter()
        .map(|f| (f.period_start.unwrap(), f.conversations))
        .collect();
    assert_eq!(periods, [(0, 4), (86_400, 3)]);
    assert_eq!(k.by_channel_and_period.len(), 2);
    let csv = k.to_csv();
    assert_eq!(csv.lines().count(), 1 + 1 + 2 + 2 + 2);
    assert!(csv.contains("\nchannel,mobile,,3,2,"), "{csv}");
    assert!(csv.contains("\nperiod,,86400,3,2,"), "{csv}");
    let reasons = k.reasons_csv();
    assert!(
        reasons.contains("\nall,,,pricing,qualified,3,\n"),
        "{reasons}"
    );
    assert!(reasons.contains("\nall,,,,offer_human,1,\n"), "{reasons}");
}

#[test]
fn kpis_with_missing_and_inconsistent_times() {
    let log = vec![
        // Reply before the hand-off: left out of the times and counted.
        handoff("a", "web", 1_000, Some(900)),
        // No reply time.
        handoff("b", "web", 1_000, None),
        // Absurd timestamps: no overflow, no panic.
        handoff("c", "web", i64::MIN, Some(i64::MAX)),
        handoff("d", "web", i64::MAX, Some(i64::MIN)),
    ];
    let k = Kpis::compute(&log, &KpiOptions::period(7));
    let o = &k.overall;
    assert_eq!(o.handoffs, 4);
    assert_eq!(o.replied_handoffs, 0);
    assert_eq!(o.replies_before_handoff, 2);
    assert_eq!((o.median_response_s, o.p90_response_s), (None, None));
    assert_eq!(o.handoff_accuracy, None);
    assert_eq!(o.conversion_rate, None);
    // Periods of negative timestamps floor downwards.
    let k = Kpis::compute(&[rec("x", "", -1)], &KpiOptions::period(10));
    assert_eq!(k.by_period[0].period_start, Some(-10));
    // No (or a non-positive) period: no period breakdown.
    let k = Kpis::compute(&[rec("x", "", 5)], &KpiOptions::period(0));
    assert!(k.by_period.is_empty() && k.by_channel_and_period.is_empty());
    assert_eq!(k.by_channel.len(), 1);
}

#[test]
fn csv_fields_are_quoted() {
    assert_eq!(csv_field("web"), "web");
    assert_eq!(csv_field("a,b"), "\"a,b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    let k = Kpis::compute(&[rec("x", "we,b", 0)], &KpiOptions::default());
    assert!(k.to_csv().contains("\nchannel,\"we,b\",,1,"));
}

prop_compose! {
    fn any_record()(
        conv in 0..6u8, channel in 0..3u8, at in -1000i64..1000,
        handed_off in any::<bool>(), reply in proptest::option::of(-1000i64..2000),
        correct in proptest::option::of(any::<bool>()),
        converted in proptest::option::of(any::<bool>()),
        completed in proptest::option::of(any::<bool>()),
    ) -> DecisionRecord {
        DecisionRecord {
            conversation: format!("c{conv}"),
            channel: format!("ch{channel}"),
            at,
            handed_off,
            first_reply_at: reply,
            handoff_correct: correct,
            converted,
            completed_with_bot: completed,
            ..DecisionRecord::default()
        }
    }
}

proptest! {
    #[test]
    fn kpis_are_consistent(log in proptest::collection::vec(any_record(), 0..40), period in 1i64..500) {
        let k = Kpis::compute(&log, &KpiOptions::period(period));
        let ids: BTreeSet<&str> = log.iter().map(|r| r.conversation.as_str()).collect();
        prop_assert_eq!(k.overall.conversations, ids.len());
        for slices in [&k.by_channel, &k.by_period, &k.by_channel_and_period] {
            prop_assert_eq!(slices.iter().map(|f| f.conversations).sum::<usize>(), ids.len());
            prop_assert_eq!(slices.iter().map(|f| f.handoffs).sum::<usize>(), k.overall.handoffs);
        }
        for f in std::iter::once(&k.overall).chain(&k.by_channel).chain(&k.by_period) {
            prop_assert!(f.handoffs <= f.conversations);
            prop_assert!(f.replied_handoffs + f.replies_before_handoff <= f.handoffs);
            for v in [f.handoff_rate, f.handoff_accuracy, f.conversion_rate, f.bot_retention_rate] {
                prop_assert!(v.map_or(true, |v| (0.0..=1.0).contains(&v)));
            }
            prop_assert!(f.median_response_s.map_or(true, |m| m >= 0));
            prop_assert!(f.median_response_s <= f.p90_response_s);
            prop_assert_eq!(f.reasons.iter().map(|r| r.handoffs).sum::<usize>(), f.handoffs);
            if let Some(p) = f.period_start {
                prop_assert_eq!(p.rem_euclid(period), 0);
            }
        }
        prop_assert!(!k.to_csv().contains("NaN"));
        // Record order within a conversation does not matter except for ties.
        let mut reversed = log.clone();
        reversed.reverse();
        let r = Kpis::compute(&reversed, &KpiOptions::period(period));
        prop_assert_eq!(r.overall.conversations, k.overall.conversations);
        prop_assert_eq!(r.overall.handoffs, k.overall.handoffs);
    }
}
