//! Ambiguous detections (the best two intents too close to call), the `ambiguous`
//! condition, intents the customer declines ("I don't want to cancel, I want to
//! upgrade"), keyword tests by negation purpose, and what `explain()` shows of them.

use handoff::eval::Evaluation;
use handoff::flow::Route;
use handoff::{Context, ErrorKind, Message, Router};
use serde_json::{json, Value};

/// Two intents that share most of their words, a third apart, and a flow that asks
/// which when the first two are too close to call.
fn config(options: Value) -> Value {
    json!({
        "options": options,
        "intents": [
            {"id": "upgrade", "keywords": ["upgrade"], "phrases": [
                "I want to upgrade my plan", "upgrade us to the business plan",
                "we need more seats on our plan", "how do I upgrade", "move us to a bigger plan",
                "add more seats to my subscription"]},
            {"id": "cancel", "keywords": ["cancel"], "phrases": [
                "I want to cancel my plan", "cancel our subscription",
                "we want to stop paying for our plan", "how do I cancel", "close my subscription",
                "end my plan now"]},
            {"id": "general", "phrases": ["hello", "thanks", "ok great", "good morning",
                "thank you very much", "nice"]}
        ],
        "teams": [{"id": "support"}, {"id": "sales"}],
        "flow": {"rules": [
            {"id": "which", "priority": 90,
             "when": {"ambiguous": {"between": ["upgrade", "cancel"]}},
             "route": {"kind": "ask", "slot": "topic", "question": "Upgrade or cancel?",
                       "options": ["Upgrade", "Cancel"]}},
            {"id": "clear_upgrade", "priority": 80,
             "when": {"all": [{"intent": {"id": "upgrade"}}, {"ambiguous": false}]},
             "route": {"kind": "handoff", "team": "sales"}},
            {"id": "cancel", "priority": 70, "when": {"intent": {"id": "cancel"}},
             "route": {"kind": "handoff", "team": "support"}},
            {"id": "broken_upgrade", "priority": 95,
             "when": {"keyword": {"any": ["upgrade"], "purpose": "problem"}},
             "route": {"kind": "handoff", "team": "support"}}
        ]}
    })
}

fn router(options: Value) -> Router {
    build(config(options)).expect("the test configuration builds")
}

fn build(config: Value) -> Result<Router, handoff::BuildError> {
    let text = config.to_string();
    Router::from_deserializer(&mut serde_json::Deserializer::from_str(&text))
}

const BOTH: &str = "should we upgrade our plan or cancel our plan";

#[test]
fn a_message_between_two_intents_is_flagged_and_the_flow_asks_which() {
    // A wide fixed margin: this test is about the plumbing, not the calibration.
    let r = router(json!({"ambiguity_margin": 0.9}));
    let d = r.decide(&Message::text(BOTH), &Context::default());
    let pair = d.detection.ambiguous.clone().expect("flagged as ambiguous");
    let mut pair: Vec<&str> = pair.iter().map(|s| &**s).collect();
    pair.sort_unstable();
    assert_eq!(pair, ["cancel", "upgrade"]);
    match &d.route {
        Route::Ask { slot, options, .. } => {
            assert_eq!(slot, "topic");
            assert_eq!(options, &["Upgrade".to_string(), "Cancel".to_string()]);
        }
        other => panic!("expected the clarifying question, got {other:?}"),
    }
    let why = d.explain();
    assert!(why.contains("ambiguous: "), "{why}");
    assert!(why.contains("under the margin 0.90"), "{why}");
    assert!(why.contains("threshold"), "{why}");
}

#[test]
fn a_zero_margin_never_flags_and_the_clear_route_applies() {
    let r = router(json!({"ambiguity_margin": 0.0}));
    for text in [BOTH, "I want to upgrade my plan", "hello", "cancel", ""] {
        let d = r.decide(&Message::text(text), &Context::default());
        assert_eq!(d.detection.ambiguous, None, "{text:?}");
    }
    let d = r.decide(
        &Message::text("please upgrade us to the business plan"),
        &Context::default(),
    );
    assert_eq!(d.route.team(), Some("sales"));
    assert!(d.explain().contains("ambiguity margin 0.00"));
}

#[test]
fn a_message_with_one_candidate_or_none_is_never_ambiguous() {
    let r = router(json!({"ambiguity_margin": 1.0}));
    let d = r.decide(&Message::button("anything"), &Context::default());
    assert_eq!(d.detection.ambiguous, None);
    assert!(d.explain().contains("intent: none (no candidates)"));
}

#[test]
fn the_calibrated_margin_is_a_fraction_and_the_option_overrides_it() {
    let calibrated = router(json!({}));
    let m = calibrated.model().ambiguity_margin();
    assert!((0.0..=1.0).contains(&m), "{m}");
    let fixed = router(json!({"ambiguity_margin": 0.25}));
    assert_eq!(fixed.model().ambiguity_margin(), 0.25);
}

#[test]
fn ambiguity_conditions_are_checked_with_their_path() {
    let cases = [
        (
            json!({"between": ["upgrade", "upgrade"]}),
            "[1]",
            "duplicate",
        ),
        (json!({"between": ["upgrade", "refund"]}), "[1]", "unknown"),
        (json!({"between": ["", "upgrade"]}), "[0]", "empty"),
    ];
    for (test, at, what) in cases {
        let mut c = config(json!({}));
        c["flow"]["rules"][0]["when"]["ambiguous"] = test.clone();
        let e = build(c).expect_err("rejected");
        assert_eq!(
            e.path(),
            format!("flow.rules[0].when.ambiguous.between{at}"),
            "{test}"
        );
        let kind = match e.kind() {
            ErrorKind::Duplicate { .. } => "duplicate",
            ErrorKind::Unknown { .. } => "unknown",
            ErrorKind::Empty => "empty",
            other => panic!("{test}: unexpected {other:?}"),
        };
        assert_eq!(kind, what, "{test}");
    }
    let e = build(config(json!({"ambiguity_margin": 1.5}))).expect_err("rejected");
    assert_eq!(e.path(), "options.ambiguity_margin");
}

#[test]
fn a_declined_intent_gives_way_to_the_one_requested() {
    let r = router(json!({"ambiguity_margin": 0.0}));
    let d = r.decide(
        &Message::text("I don't want to cancel, I want to upgrade"),
        &Context::default(),
    );
    assert_eq!(
        d.detection.declined,
        ["cancel".into()] as [std::sync::Arc<str>; 1]
    );
    assert_eq!(d.intent(), Some("upgrade"));
    assert_eq!(d.route.team(), Some("sales"));
    assert!(d.explain().contains("declined: cancel"));

    // Under "ignore", the model alone decides and nothing is set aside.
    let r = router(json!({"ambiguity_margin": 0.0, "negation": "ignore"}));
    let d = r.decide(
        &Message::text("I don't want to cancel, I want to upgrade"),
        &Context::default(),
    );
    assert!(d.detection.declined.is_empty());
}

#[test]
fn a_declined_intent_is_never_the_best_candidate_nor_half_of_a_pair() {
    let r = router(json!({"ambiguity_margin": 1.0}));
    for text in [
        "I don't want to cancel",
        "not interested in an upgrade",
        "I don't want to cancel, I want to upgrade",
    ] {
        let d = r.decide(&Message::text(text), &Context::default());
        for declined in &d.detection.declined {
            assert_ne!(d.detection.intent.as_ref(), Some(declined), "{text:?}");
            assert_ne!(d.detection.best_candidate(), Some(&**declined), "{text:?}");
            if let Some(pair) = &d.detection.ambiguous {
                assert!(!pair.contains(declined), "{text:?}");
            }
        }
    }
}

#[test]
fn a_problem_keeps_its_intent_and_a_purpose_test_sees_it() {
    let r = router(json!({"ambiguity_margin": 0.0}));
    let d = r.decide(
        &Message::text("the upgrade button doesn't work"),
        &Context::default(),
    );
    assert!(d.detection.declined.is_empty());
    assert_eq!(d.route.team(), Some("support"), "{}", d.explain());
    assert_eq!(d.rule.as_deref(), Some("broken_upgrade"));
    // A plain request does not pass the purpose test.
    let d = r.decide(
        &Message::text("I want to upgrade my plan"),
        &Context::default(),
    );
    assert_ne!(d.rule.as_deref(), Some("broken_upgrade"));
}

#[test]
fn the_evaluation_reports_how_flagged_messages_fare() {
    let r = router(json!({"ambiguity_margin": 0.9}));
    let cases = [
        (BOTH, Some("upgrade")),
        ("upgrade or cancel our plan, not sure", Some("cancel")),
        ("I want to upgrade my plan", Some("upgrade")),
        ("thank you very much", Some("general")),
    ];
    let detections: Vec<_> = cases.iter().map(|(t, _)| r.model().detect(t)).collect();
    let flagged = detections.iter().filter(|d| d.ambiguous.is_some()).count();
    let report = Evaluation::from_detections(cases.iter().map(|c| c.1).zip(&detections));
    assert_eq!(report.ambiguity.flagged, flagged);
    assert!(flagged >= 1);
    assert!(report.to_string().contains("ambiguous: "));
}
