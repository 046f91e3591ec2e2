//! The public API's trait contract: compiled values and configuration are `Send + Sync`
//! and unwind-safe (checked at compile time), clones of a `Router` or `IntentModel`
//! decide exactly like the original, on any thread, and every `RouterConfig` survives a
//! serde_json round trip unchanged, down to the decisions of the router built from it.
//! (That cloning allocates nothing is checked in `tests/allocations.rs`.)

use std::panic::{RefUnwindSafe, UnwindSafe};

use handoff::assign::{
    Agent, AgentStatus, AssignRequest, AssignState, Assigner, AssignerBuilder, Assignment,
    CompiledRoster, Policy, Roster, Team, Waiting,
};
use handoff::assign::{AssignReason, How, QueueReason, SkillMatch, StateChange};
use handoff::eval::{
    Confusion, DecisionRecord, Evaluation, Expect, Finding, FindingKind, IntentReport, KpiFigures,
    KpiOptions, Kpis, LabelCount, LintOptions, Mismatch, Reason, Scenario, ScenarioReport, Step,
    StepReport, SuiteReport, SweepPoint, ThresholdGoal,
};
use handoff::flow::{
    Action, AnswerTrace, Condition, ConditionTrace, FieldTest, Flow, HitPolicy, IntentTest,
    KeywordTest, Names, NumberTest, OfficeHours, Priority, Route, Rule, RuleTrace, Saw, Trace,
};
use handoff::{
    BuildError, Context, ContextUpdate, Conversation, Decision, Detection, ErrorKind, Event,
    Evidence, Fingerprint, Form, Intent, IntentModel, IntentModelBuilder, IntentScore, KeywordHit,
    KeywordMatcher, Limits, LoadError, LoadErrorKind, LocalTime, MatchKind, Message, ModelOptions,
    NormalizeOptions, Normalized, Normalizer, ParseFingerprintError, Pending, Router,
    RouterBuilder, RouterConfig, TeamConfig, Token, Value, Weekday,
};
use proptest::prelude::*;

fn thread_safe<T: Send + Sync + UnwindSafe + RefUnwindSafe + 'static>() {}
fn cloneable<T: Clone>() {}
fn config_type<T: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq>() {}

/// Compile-time assertions: this fails to build when a type loses a trait.
macro_rules! assert_traits {
    ($check:ident: $($t:ty),* $(,)?) => {
        const _: fn() = || { $($check::<$t>();)* };
    };
}

// Every public type can cross threads and be used after a caught panic.
assert_traits!(thread_safe:
    IntentModel, IntentModelBuilder, Router, RouterBuilder, Decision, Detection, Evidence,
    IntentScore, KeywordHit, KeywordMatcher, MatchKind, Normalizer, Normalized, Token,
    NormalizeOptions, Flow, Rule, Condition, IntentTest, KeywordTest, FieldTest, NumberTest,
    OfficeHours, Weekday, Route, Priority, Action, HitPolicy, Names, Value, Intent,
    RouterConfig, ModelOptions, TeamConfig, Message, Event, Form, Context, Conversation,
    Pending, LocalTime, ContextUpdate, Trace, RuleTrace, ConditionTrace, AnswerTrace, Saw,
    BuildError, ErrorKind, Limits, Assigner, AssignerBuilder, AssignRequest,
    Assignment, AssignState, StateChange, AssignReason, How, SkillMatch, QueueReason, Roster,
    CompiledRoster, Team, Agent, AgentStatus, Policy, Waiting, Confusion, DecisionRecord,
    Evaluation, Expect, Finding, FindingKind, IntentReport, KpiFigures, KpiOptions, Kpis,
    LabelCount, LintOptions, Mismatch, Reason, Scenario, ScenarioReport, Step, StepReport,
    SuiteReport, SweepPoint, ThresholdGoal,
);

// Everything but the `Assigner` (which owns mutable state behind a lock: share it in an
// `Arc`, or snapshot its state) is `Clone`.
assert_traits!(cloneable:
    IntentModel, IntentModelBuilder, Router, RouterBuilder, Decision, Detection, Evidence,
    IntentScore, KeywordHit, KeywordMatcher, MatchKind, Normalizer, Normalized, Token,
    NormalizeOptions, Flow, Rule, Condition, Route, Action, Names, Value, Intent,
    RouterConfig, Message, Context, ContextUpdate, Trace, Saw, BuildError, ErrorKind,
    Limits, AssignerBuilder, AssignRequest, Assignment, AssignState, Roster, CompiledRoster,
    Team, Agent, Policy, Waiting, Confusion, DecisionRecord, Evaluation, Expect, Finding,
    FindingKind, IntentReport, KpiFigures, KpiOptions, Kpis, LabelCount, LintOptions, Mismatch,
    Reason, Scenario, ScenarioReport, Step, StepReport, SuiteReport, SweepPoint, ThresholdGoal,
    Fingerprint, LoadError, LoadErrorKind,
);

// Configuration a host loads from its own files: serde both ways, comparable.
assert_traits!(config_type:
    RouterConfig, ModelOptions, Intent, Flow, Rule, Condition, Route, Action, TeamConfig,
    Limits, Message, Context, Roster, Team, Agent, AssignRequest, Scenario, Step, Expect,
    DecisionRecord, KpiOptions, LintOptions,
);

// Errors are real errors.
assert_traits!(error_type: BuildError, LoadError, ParseFingerprintError);
fn error_type<T: std::error::Error + Send + Sync + 'static>() {}

fn config() -> RouterConfig {
    serde_json::from_str(include_str!("../examples/sales_handoff.json")).unwrap()
}

fn pending(slot: &str, options: &[&str]) -> Context {
    let mut context = Context::default();
    context.conversation.pending = Some(Pending {
        slot: slot.into(),
        options: options.iter().map(|o| o.to_string()).collect(),
        rule: None,
    });
    context
}

/// Messages and contexts that reach every rule of the sales example.
fn cases() -> Vec<(Message, Context)> {
    let mut known = Context::default();
    known.user.insert("name".into(), Value::from("Ada"));
    known.user.insert("company_size".into(), Value::from(500));
    let mut failing = Context::default();
    failing.conversation.failed_turns = 2;
    let texts = [
        "I'm interested in pricing",
        "can i get a qoute",
        "I don't want a demo, I can't log in",
        "does it integrate with salesforce?",
        "can someone call me?",
        "hello",
        "what's the weather like today",
        "the app keeps crashing",
    ];
    let mut out: Vec<(Message, Context)> = texts
        .iter()
        .flat_map(|t| {
            [
                (Message::text(*t), Context::default()),
                (Message::text(*t).on("pricing_page"), known.clone()),
            ]
        })
        .collect();
    out.extend([
        (Message::button("book_demo"), known.clone()),
        (Message::button("unknown"), Context::default()),
        (Message::text("what's the weather like"), failing),
        (
            Message::text("about 300 people"),
            pending("company_size", &[]),
        ),
        (Message::text("10"), pending("company_size", &[])),
        (Message::text("no idea"), pending("company_size", &[])),
        (
            Message::text("yes please"),
            pending("wants_human", &["Yes, please", "No, thanks"]),
        ),
        (
            Message::text("no thanks"),
            pending("wants_human", &["Yes, please", "No, thanks"]),
        ),
    ]);
    out
}

fn decisions(router: &Router, cases: &[(Message, Context)]) -> Vec<Decision> {
    cases.iter().map(|(m, c)| router.decide(m, c)).collect()
}

/// Clones share the compiled router: each of many clones decides like the original.
#[test]
fn clones_decide_like_the_original() {
    let router = Router::from_config(config()).unwrap();
    let cases = cases();
    let want = decisions(&router, &cases);
    let routes: std::collections::BTreeSet<&str> = want.iter().map(|d| d.route.kind()).collect();
    assert_eq!(routes.len(), 3, "the cases reach all three kinds of route");
    for i in 0..1_000 {
        let clone = router.clone();
        let (message, context) = &cases[i % cases.len()];
        assert_eq!(clone.decide(message, context), want[i % cases.len()]);
        let model = clone.model().clone();
        let text = message.text.as_deref().unwrap_or("");
        if !text.trim().is_empty() {
            assert_eq!(model.detect(text), want[i % cases.len()].detection);
        }
    }
}

/// Clones moved to other threads decide like the original, concurrently.
#[test]
fn clones_decide_alike_across_threads() {
    let router = Router::from_config(config()).unwrap();
    let cases = cases();
    let want = decisions(&router, &cases);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let router = router.clone();
                let cases = &cases;
                s.spawn(move || {
                    (0..200)
                        .map(|k| {
                            let i = (k * 7 + t) % cases.len();
                            (i, router.decide(&cases[i].0, &cases[i].1))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (i, decision) in handle.join().unwrap() {
                assert_eq!(decision, want[i]);
            }
        }
    });
}

/// Sets every intent test's minimum confidence in `condition` to `min`, and every
/// numeric `gte` on a slot or user attribute to `gte`.
fn retune(condition: &mut Condition, min: Option<f32>, gte: f64) {
    match condition {
        Condition::All(list) | Condition::Any(list) => {
            for c in list {
                retune(c, min, gte);
            }
        }
        Condition::Not(inner) => retune(inner, min, gte),
        Condition::Intent(test) => test.min_confidence = min,
        Condition::Slot(test) | Condition::User(test) if test.gte.is_some() => {
            test.gte = Some(gte);
        }
        _ => {}
    }
}

/// How one generated configuration differs from the sales example.
#[derive(Clone, Debug)]
struct Mutation {
    threshold: Option<f32>,
    collect: bool,
    /// Per rule: kept?, new priority, minimum intent confidence, size threshold.
    rules: Vec<(bool, i32, Option<f32>, u16)>,
    /// The order the kept rules are written in.
    order: Vec<usize>,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = config().flow.rules.len();
    (
        proptest::option::of(0.0f32..=1.0),
        any::<bool>(),
        proptest::collection::vec(
            (
                proptest::bool::weighted(0.8),
                -200i32..200,
                proptest::option::of(0.0f32..=1.0),
                0u16..2_000,
            ),
            n,
        ),
        Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
    )
        .prop_map(|(threshold, collect, rules, order)| Mutation {
            threshold,
            collect,
            rules,
            order,
        })
}

fn apply(base: &RouterConfig, m: &Mutation) -> RouterConfig {
    let mut config = base.clone();
    config.options.threshold = m.threshold;
    if m.collect {
        config.flow.hit_policy = HitPolicy::Collect;
    }
    config.flow.rules = m
        .order
        .iter()
        .filter(|&&i| m.rules[i].0)
        .map(|&i| {
            let (_, priority, min, gte) = m.rules[i];
            let mut rule = base.flow.rules[i].clone();
            rule.priority = priority;
            if let Some(when) = &mut rule.when {
                retune(when, min, f64::from(gte));
            }
            rule
        })
        .collect();
    // Dropping the rule that asks for a slot leaves the rules that read it: declare the
    // base flow's asked slots as filled elsewhere so every mutation still builds.
    config.flow.slots = base
        .flow
        .rules
        .iter()
        .filter_map(|r| match &r.route {
            Some(Route::Ask { slot, .. }) => Some(slot.clone()),
            _ => None,
        })
        .collect();
    config
}

proptest! {
    // Each case trains two small models (about 100 phrases): keep the count modest.
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn router_config_round_trips(m in mutation()) {
        let base = config();
        let cases = cases();
        let config = apply(&base, &m);
        let json = serde_json::to_string(&config).unwrap();
        let back: RouterConfig = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &config);
        // Serialization is stable: the round-tripped value writes the same JSON.
        prop_assert_eq!(serde_json::to_string(&back).unwrap(), json);
        let original = Router::from_config(config).expect("a mutated sales config is valid");
        let rebuilt = Router::from_config(back).expect("round-tripped config is valid");
        prop_assert_eq!(decisions(&rebuilt, &cases), decisions(&original, &cases));
    }
}

/// The round trip is not vacuous: the mutations change what the router decides.
#[test]
fn mutations_change_decisions() {
    let base = config();
    let cases = cases();
    let want = decisions(&Router::from_config(base.clone()).unwrap(), &cases);
    let n = base.flow.rules.len();
    // Drop every rule but the last: most decisions fall to other routes.
    let m = Mutation {
        threshold: None,
        collect: false,
        rules: (0..n).map(|i| (i == n - 1, 0, None, 200)).collect(),
        order: (0..n).collect(),
    };
    let changed = decisions(&Router::from_config(apply(&base, &m)).unwrap(), &cases);
    assert_ne!(changed, want);
    // Reversing priorities changes the winner where several rules match.
    let m = Mutation {
        threshold: None,
        collect: false,
        rules: (0..n).map(|i| (true, i as i32, None, 200)).collect(),
        order: (0..n).collect(),
    };
    let reversed = decisions(&Router::from_config(apply(&base, &m)).unwrap(), &cases);
    assert_ne!(reversed, want);
}
