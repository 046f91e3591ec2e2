//! Compiled-flow tests: the condition table, hit policies, evaluation order, the trace,
//! and the index against naive evaluation on random flows.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::{CRoute, CompileEnv, CompiledFlow, Facts, Team};
use crate::conversation::{Context, Event, Form, LocalTime, Message};
use crate::error::BuildError;
use crate::flow::{
    Action, Condition, FieldTest, Flow, HitPolicy, KeywordTest, Names, NumberTest, OfficeHours,
    Route, Rule, Saw, Value, Weekday,
};
use crate::intent::{Detection, IntentScore};
use crate::keywords::{KeywordHit, MatchKind, Negation};
use crate::text::{NormalizeOptions, Normalizer};

const INTENTS: [&str; 3] = ["pricing", "support", "general"];
const KEYWORDS: [&str; 3] = ["demo", "quote", "sales call"];
/// Slots the tests' conditions name, declared as filled outside the flow.
const SLOTS: [&str; 4] = ["company_size", "budget", "s0", "s1"];

fn team(id: &str) -> Arc<Team> {
    Arc::new(Team {
        id: Arc::from(id),
        name: Arc::from(id),
        queue: Arc::from(id),
        channel: None,
    })
}

fn compile(flow: &Flow) -> Result<CompiledFlow, BuildError> {
    compile_with(flow, &KEYWORDS)
}

fn compile_with(flow: &Flow, keywords: &[&str]) -> Result<CompiledFlow, BuildError> {
    let intents: Vec<Arc<str>> = INTENTS.iter().map(|s| Arc::from(*s)).collect();
    let keywords: Vec<Arc<str>> = keywords.iter().map(|s| Arc::from(*s)).collect();
    let teams: BTreeMap<String, Arc<Team>> = ["sales", "support"]
        .into_iter()
        .map(|id| (id.to_string(), team(id)))
        .collect();
    let flow = flow.clone().slots(SLOTS);
    CompiledFlow::compile(
        &flow,
        &CompileEnv {
            intents: &intents,
            normalizer: Normalizer::new(NormalizeOptions::default()),
            keywords: &keywords,
            teams: &teams,
            slots: &[],
        },
    )
}

fn detection(top: Option<(&str, f32)>, hits: &[(&str, bool, bool)]) -> Detection {
    let (intent, confidence, alternatives) = match top {
        Some((id, c)) => (
            (c >= 0.5).then(|| Arc::from(id)),
            c,
            vec![IntentScore {
                intent: Arc::from(id),
                confidence: c,
            }],
        ),
        None => (None, 0.0, Vec::new()),
    };
    Detection {
        intent,
        confidence,
        alternatives,
        keywords: hits
            .iter()
            .map(|(k, fuzzy, negated)| KeywordHit {
                keyword: Arc::from(*k),
                intent: Arc::from("pricing"),
                kind: if *fuzzy {
                    MatchKind::Fuzzy { distance: 1 }
                } else {
                    MatchKind::Exact
                },
                negated: *negated,
                negation: if *negated {
                    Negation::Declined
                } else {
                    Negation::None
                },
                span: 0..0,
            })
            .collect(),
        ..Detection::default()
    }
}

#[derive(Debug)]
struct Case {
    detection: Detection,
    message: Message,
    context: Context,
    slots: BTreeMap<String, Value>,
    /// A pending question's slot and whether this message answered it.
    pending_slot: Option<(String, bool)>,
}

impl Case {
    fn new(detection: Detection) -> Self {
        Case {
            detection,
            message: Message::default(),
            context: Context::default(),
            slots: BTreeMap::new(),
            pending_slot: None,
        }
    }

    fn facts(&self) -> Facts<'_> {
        Facts {
            detection: &self.detection,
            text: self.message.text.as_deref().unwrap_or(""),
            message: &self.message,
            context: &self.context,
            new_slots: &self.slots,
            answered: self
                .pending_slot
                .as_ref()
                .filter(|p| p.1)
                .map(|p| p.0.as_str()),
            pending: self.pending_slot.as_ref().map(|p| p.0.as_str()),
        }
    }
}

fn holds(cond: Condition, case: &Case) -> bool {
    let flow = Flow::new().rule(Rule::new("r").when(cond));
    let c = compile(&flow).expect("compiles");
    !c.evaluate(&case.facts()).matched.is_empty()
}

macro_rules! conditions {
    ($case:expr; $($cond:expr => $want:expr),* $(,)?) => {{
        let case = $case;
        $(
            assert_eq!(holds($cond, &case), $want, "{:?}", $cond);
        )*
    }};
}

#[test]
fn condition_table() {
    let mut case = Case::new(detection(
        Some(("pricing", 0.8)),
        &[("demo", false, true), ("quote", true, false)],
    ));
    case.message = Message {
        text: Some("Can I get a QUOTE for 50 seats?".into()),
        event: Some(Event {
            button: Some("book_demo".into()),
            form: None,
        }),
        channel: Some("pricing_page".into()),
    };
    case.context.user.insert("plan".into(), Value::from("Pro"));
    case.context.user.insert("seats".into(), Value::from("42"));
    case.context
        .user
        .insert("regions".into(), Value::from(vec!["EU", "US"]));
    case.context.conversation.tags.push("VIP".into());
    case.context.conversation.failed_turns = 3;
    case.context.local_time = Some(LocalTime {
        weekday: Weekday::Fri,
        minutes: 17 * 60 + 30,
    });
    case.slots.insert("company_size".into(), Value::from(120));
    let field = |name: &str| FieldTest::new(name);
    conditions! { case;
        Condition::intent("pricing") => true,
        Condition::intent("support") => false,
        Condition::intent_at_least("pricing", 0.9) => false,
        Condition::intent_at_least("pricing", 0.8) => true,
        Condition::keyword("quote") => true,
        Condition::Keyword(KeywordTest { any: "quote".into(), fuzzy: false, include_negated: false, negation: None, purpose: None }) => false,
        Condition::keyword("demo") => false,
        Condition::Keyword(KeywordTest { any: "demo".into(), fuzzy: true, include_negated: true, negation: None, purpose: None }) => true,
        Condition::keyword("sales call") => false,
        Condition::regex(r"\bquote\b") => true,
        Condition::regex(r"(?-i)\bquote\b") => false,
        Condition::regex(r"\d+ seats") => true,
        Condition::button("book_demo") => true,
        Condition::button(vec!["talk_to_sales", "book_demo"]) => true,
        Condition::button("talk_to_sales") => false,
        Condition::Form("contact".into()) => false,
        Condition::channel("pricing_page") => true,
        Condition::channel("docs") => false,
        Condition::User(field("plan").eq("pro")) => true,
        Condition::User(field("plan").one_of([Value::from("free"), Value::from("PRO")])) => true,
        Condition::User(field("plan").eq("free")) => false,
        Condition::User(FieldTest { ne: Some(Value::from("free")), ..field("plan") }) => true,
        Condition::User(FieldTest { ne: Some(Value::from("free")), ..field("missing") }) => true,
        Condition::User(field("seats").gte(42.0)) => true,
        Condition::User(field("seats").gte(42.5)) => false,
        Condition::User(field("seats").gte(10.0).lt(50.0)) => true,
        Condition::User(field("plan").gte(1.0)) => false,
        Condition::User(field("missing").exists(false)) => true,
        Condition::User(field("plan").exists(false)) => false,
        Condition::User(FieldTest { contains: Some(Value::from("eu")), ..field("regions") }) => true,
        Condition::User(FieldTest { contains: Some(Value::from("APAC")), ..field("regions") }) => false,
        Condition::User(FieldTest { contains: Some(Value::from("r")), ..field("plan") }) => true,
        Condition::Conversation(field("plan").exists(true)) => false,
        Condition::tag("vip") => true,
        Condition::tag("Sales Lead") => false,
        Condition::slot_exists("company_size") => true,
        Condition::Slot(field("company_size").gte(100.0)) => true,
        Condition::Slot(field("budget").exists(true)) => false,
        Condition::Answered("company_size".into()) => false,
        Condition::Pending("company_size".into()) => false,
        Condition::FailedTurns(NumberTest { gte: Some(3.0), ..NumberTest::default() }) => true,
        Condition::FailedTurns(NumberTest { gt: Some(3.0), ..NumberTest::default() }) => false,
        Condition::OfficeHours(OfficeHours { days: vec![Weekday::Fri], from: "09:00".into(), to: "18:00".into() }) => true,
        Condition::OfficeHours(OfficeHours { days: vec![Weekday::Fri], from: "09:00".into(), to: "17:30".into() }) => false,
        Condition::OfficeHours(OfficeHours { days: vec![Weekday::Mon], from: "09:00".into(), to: "18:00".into() }) => false,
        Condition::OfficeHours(OfficeHours { days: vec![Weekday::Fri], from: "17:00".into(), to: "02:00".into() }) => true,
        Condition::all([Condition::intent("pricing"), Condition::channel("pricing_page")]) => true,
        Condition::all([Condition::intent("pricing"), Condition::channel("docs")]) => false,
        Condition::any([Condition::intent("support"), Condition::channel("docs")]) => false,
        Condition::any([Condition::intent("support"), Condition::tag("VIP")]) => true,
        Condition::not(Condition::intent("support")) => true,
        Condition::Always => true,
    }
}

#[test]
fn overnight_office_hours_belong_to_the_opening_day() {
    let hours = || {
        Condition::OfficeHours(OfficeHours {
            days: vec![Weekday::Fri],
            from: "22:00".into(),
            to: "02:00".into(),
        })
    };
    let at = |weekday, minutes| {
        let mut case = Case::new(detection(None, &[]));
        case.context.local_time = Some(LocalTime { weekday, minutes });
        case
    };
    assert!(holds(hours(), &at(Weekday::Fri, 23 * 60)));
    assert!(holds(hours(), &at(Weekday::Sat, 60)));
    assert!(!holds(hours(), &at(Weekday::Fri, 60)));
    assert!(!holds(hours(), &at(Weekday::Sat, 23 * 60)));
    assert!(!holds(hours(), &Case::new(detection(None, &[]))));
}

#[test]
fn first_and_collect_policies() {
    let rules = || {
        vec![
            Rule::new("tag_vip")
                .priority(50)
                .when(Condition::tag("VIP"))
                .action(Action::tag("Priority")),
            Rule::new("pricing")
                .priority(10)
                .when(Condition::intent("pricing"))
                .route(Route::handoff("sales"))
                .action(Action::tag("Sales Lead")),
            Rule::new("low")
                .priority(1)
                .when(Condition::intent("pricing"))
                .route(Route::handoff("support")),
        ]
    };
    let mut case = Case::new(detection(Some(("pricing", 0.9)), &[]));
    case.context.conversation.tags.push("VIP".into());
    let first = compile(&Flow {
        rules: rules(),
        ..Flow::default()
    })
    .unwrap();
    let o = first.evaluate(&case.facts());
    assert_eq!(o.matched, [0]);
    // The first matching rule has no route: the default route applies, with the first
    // rule's actions (first-hit: it decides alone).
    assert_eq!(o.route_rule, None);
    assert!(o.default_used);
    assert!(matches!(o.route, CRoute::Continue { step: None }));
    assert_eq!(o.actions.len(), 1);
    let collect = compile(&Flow {
        rules: rules(),
        hit_policy: HitPolicy::Collect,
        ..Flow::default()
    })
    .unwrap();
    let o = collect.evaluate(&case.facts());
    assert_eq!(o.matched, [0, 1, 2]);
    assert_eq!(o.route_rule, Some(1));
    // Collect: every matching rule's actions, the first route; no default.
    assert!(!o.default_used);
    assert!(matches!(o.route, CRoute::Handoff { team, .. } if &*team.id == "sales"));
    assert_eq!(o.actions.len(), 2);
    assert_eq!(o.rule().map(|r| &**r), Some("pricing"));
    assert_eq!(&*collect.rules[1].id, "pricing");
}

#[test]
fn priority_orders_evaluation_and_ties_keep_order() {
    let flow = Flow::new()
        .rule(
            Rule::new("a")
                .when(Condition::intent("pricing"))
                .route(Route::handoff("support")),
        )
        .rule(
            Rule::new("b")
                .priority(5)
                .when(Condition::intent("pricing"))
                .route(Route::handoff("sales")),
        )
        .rule(
            Rule::new("c")
                .priority(5)
                .when(Condition::intent("pricing")),
        );
    let c = compile(&flow).unwrap();
    let ids: Vec<&str> = c.rules.iter().map(|r| &*r.id).collect();
    assert_eq!(ids, ["b", "c", "a"]);
    let case = Case::new(detection(Some(("pricing", 0.9)), &[]));
    assert_eq!(c.evaluate(&case.facts()).route_rule, Some(0));
}

#[test]
fn trace_records_short_circuited_tree() {
    let flow = Flow::new().rule(Rule::new("r").when(Condition::all([
        Condition::intent("pricing"),
        Condition::any([Condition::channel("docs"), Condition::tag("VIP")]),
        Condition::button("never_evaluated"),
    ])));
    let c = compile(&flow).unwrap();
    let case = Case::new(detection(Some(("pricing", 0.9)), &[]));
    let o = c.evaluate(&case.facts());
    let t = &o.trace[0];
    assert!(!t.matched);
    let lines: Vec<(u8, &str, bool)> = t
        .conditions
        .iter()
        .map(|c| (c.depth, &*c.condition, c.outcome))
        .collect();
    assert_eq!(
        lines,
        [
            (0, "all of", false),
            (1, "intent is pricing", true),
            (1, "any of", false),
            (2, "channel is docs", false),
            (2, "tagged \"VIP\"", false),
        ]
    );
    assert_eq!(
        t.conditions[1].saw,
        Saw::Intent {
            intent: Some(Arc::from("pricing")),
            confidence: 0.9
        }
    );
}

#[test]
fn index_skips_rules_that_cannot_match() {
    let mut flow = Flow::new();
    for i in 0..100 {
        flow = flow.rule(
            Rule::new(format!("b{i}"))
                .when(Condition::all([
                    Condition::intent("pricing"),
                    Condition::button(format!("btn{i}").as_str()),
                ]))
                .route(Route::handoff("sales")),
        );
    }
    let c = compile(&flow).unwrap();
    let mut case = Case::new(detection(Some(("pricing", 0.9)), &[]));
    case.message = Message::button("btn42");
    let o = c.evaluate(&case.facts());
    assert_eq!(o.trace.len(), 1);
    assert_eq!(o.skipped, 99);
    assert_eq!(o.route_rule.map(|i| &*c.rules[i].id), Some("b42"));
}

// Random flows over a small vocabulary: the index never changes the outcome.

fn leaf() -> impl Strategy<Value = Condition> {
    prop_oneof![
        (0..3usize, prop::option::of(0.0f32..1.0)).prop_map(|(i, m)| Condition::Intent(
            crate::flow::IntentTest {
                id: Names::from(INTENTS[i]),
                min_confidence: m
            }
        )),
        (0..3usize, any::<bool>(), any::<bool>()).prop_map(|(i, f, n)| Condition::Keyword(
            KeywordTest {
                any: Names::from(KEYWORDS[i]),
                fuzzy: f,
                include_negated: n,
                negation: None,
                purpose: None,
            }
        )),
        (0..3usize).prop_map(|i| Condition::button(format!("b{i}").as_str())),
        (0..2usize).prop_map(|i| Condition::Form(Names::from(format!("f{i}")))),
        (0..3usize).prop_map(|i| Condition::channel(format!("c{i}").as_str())),
        (0..2usize).prop_map(|i| Condition::tag(format!("t{i}"))),
        (0..2usize).prop_map(|i| Condition::Answered(format!("s{i}"))),
        (0..2usize).prop_map(|i| Condition::Pending(format!("s{i}"))),
        (0..4u32).prop_map(|n| Condition::FailedTurns(NumberTest {
            gte: Some(f64::from(n)),
            ..NumberTest::default()
        })),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    leaf().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(Condition::All),
            prop::collection::vec(inner.clone(), 1..4).prop_map(Condition::Any),
            inner.prop_map(Condition::not),
        ]
    })
}

fn flow() -> impl Strategy<Value = Flow> {
    (
        prop::collection::vec((condition(), 0..3i32, any::<bool>()), 1..12),
        any::<bool>(),
    )
        .prop_map(|(rules, collect)| Flow {
            hit_policy: if collect {
                HitPolicy::Collect
            } else {
                HitPolicy::First
            },
            rules: rules
                .into_iter()
                .enumerate()
                .map(|(i, (c, p, routed))| {
                    let r = Rule::new(format!("r{i}")).priority(p).when(c);
                    if routed {
                        r.route(Route::handoff("sales"))
                    } else {
                        r
                    }
                })
                .collect(),
            ..Flow::default()
        })
}

prop_compose! {
    fn case()(
        top in prop::option::of((0..3usize, 0.0f32..1.0)),
        hits in prop::collection::vec((0..3usize, any::<bool>(), any::<bool>()), 0..4),
        button in prop::option::of(0..4usize),
        form in prop::option::of(0..3usize),
        channel in prop::option::of(0..4usize),
        tags in prop::collection::vec(0..3usize, 0..3),
        failed in 0..5u32,
        pending in prop::option::of((0..3usize, any::<bool>())),
    ) -> Case {
        let hits: Vec<(&str, bool, bool)> =
            hits.iter().map(|(k, f, n)| (KEYWORDS[*k], *f, *n)).collect();
        let mut case = Case::new(detection(top.map(|(i, c)| (INTENTS[i], c)), &hits));
        case.message = Message {
            text: None,
            event: Some(Event {
                button: button.map(|b| format!("b{b}")),
                form: form.map(|f| Form { id: format!("f{f}"), fields: BTreeMap::new() }),
            }),
            channel: channel.map(|c| format!("c{c}")),
        };
        case.context.conversation.tags = tags.iter().map(|t| format!("t{t}")).collect();
        case.context.conversation.failed_turns = failed;
        case.pending_slot = pending.map(|(s, answered)| (format!("s{s}"), answered));
        case
    }
}

proptest! {
    #[test]
    fn index_agrees_with_naive_evaluation(flow in flow(), cases in prop::collection::vec(case(), 1..8)) {
        let Ok(compiled) = compile(&flow) else {
            // Unreachable rules under first-hit are rejected; nothing to compare.
            return Ok(());
        };
        for case in &cases {
            let fast = compiled.evaluate(&case.facts());
            let slow = compiled.evaluate_naive(&case.facts());
            prop_assert_eq!(fast.route_rule, slow.route_rule);
            prop_assert_eq!(&fast.matched, &slow.matched);
            let considered: Vec<_> = slow.trace.iter().filter(|t| t.matched).map(|t| t.rule.clone()).collect();
            let fast_matched: Vec<_> = fast.trace.iter().filter(|t| t.matched).map(|t| t.rule.clone()).collect();
            prop_assert_eq!(considered, fast_matched);
        }
    }

    #[test]
    fn flows_round_trip_through_json(flow in flow()) {
        let json = serde_json::to_string(&flow).unwrap();
        let back: Flow = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, flow);
    }
}

#[test]
fn default_actions_apply_only_with_the_default_route() {
    let mut flow = Flow::new()
        .rule(
            Rule::new("pricing")
                .when(Condition::intent("pricing"))
                .route(Route::handoff("sales")),
        )
        .default_route(Route::handoff("support"));
    flow.default_actions = vec![Action::tag("Unrouted"), Action::reply("One moment")];
    let c = compile(&flow).unwrap();
    let routed = Case::new(detection(Some(("pricing", 0.9)), &[]));
    let o = c.evaluate(&routed.facts());
    assert!(!o.default_used);
    assert!(o.actions.is_empty());
    assert!(matches!(o.route, CRoute::Handoff { team, .. } if &*team.id == "sales"));
    let other = Case::new(detection(Some(("support", 0.9)), &[]));
    let o = c.evaluate(&other.facts());
    assert!(o.default_used);
    assert_eq!(o.route_rule, None);
    assert_eq!(o.actions.len(), 2);
    assert!(matches!(o.route, CRoute::Handoff { team, .. } if &*team.id == "support"));
}
