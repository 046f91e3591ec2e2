//! Scenario suites: scripted multi-turn conversations with expectations per step.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

use crate::conversation::Value;
use crate::conversation::{Context, Conversation, Event, Form, LocalTime, Message};
use crate::flow::{Action, Route};
use crate::router::{Decision, Router};

/// A scripted conversation: who the user is, where they come from, and what they say
/// or click, step by step, with what the router should decide at each step.
///
/// Serialized as (JSON shown; any serde format works):
/// ```json
/// {"name": "qualified lead", "channel": "pricing_page",
///  "user": {"name": "Ada", "email": "ada@example.com"},
///  "steps": [
///    {"say": "how much does it cost?", "expect": {"route": "ask", "asks": "company_size"}},
///    {"say": "about 250 people",
///     "expect": {"route": "handoff", "team": "sales", "tags": ["Sales Lead"],
///                "actions": ["notify", "crm lead"], "no_actions": ["reply \"Sorry"]}}
///  ]}
/// ```
/// Each step's decision updates are applied to the context before the next step, as a
/// host would persist them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the scenario checks, in words.
    pub name: String,
    /// The channel of every message (a step may override it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Starting user attributes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user: BTreeMap<String, Value>,
    /// Starting conversation state (attributes, tags, slots...).
    #[serde(default)]
    pub conversation: Conversation,
    /// The host's local time for every step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_time: Option<LocalTime>,
    /// The turns.
    pub steps: Vec<Step>,
}

/// One turn: a message (text, a button click, a form, or text with an event) and
/// the expectations on the decision.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// What the user types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub say: Option<String>,
    /// The id of a button the user clicks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
    /// A form the user submits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
    /// This step's channel, instead of the scenario's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// What the decision should be.
    #[serde(default)]
    pub expect: Expect,
}

/// Expectations on one decision. Absent fields are not checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The route kind: `handoff`, `ask` or `continue`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The team handed off to (implies a hand-off).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The slot an `ask` route asks for (implies an ask).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asks: Option<String>,
    /// The detected intent; `null` expects no intent.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub intent: Option<Option<String>>,
    /// The rule that decided; `null` expects the default route.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub rule: Option<Option<String>>,
    /// Tags the conversation must have after this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Tags the conversation must not have after this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_tags: Vec<String>,
    /// Actions the decision must include: each matches an action whose kind equals it
    /// (`notify`) or whose description starts with it (`tag "Sales Lead"`,
    /// `notify #sales-leads`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// Actions the decision must not include (matched the same way).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_actions: Vec<String>,
    /// Slot values the conversation must hold after this step (numbers compared
    /// numerically, strings case-insensitively).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub slots: BTreeMap<String, Value>,
    /// Slots the conversation must not hold after this step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_slots: Vec<String>,
    /// Texts the conversation's summary must contain after this step
    /// (case-insensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub summary_contains: Vec<String>,
    /// The team the conversation is with after this step; `null` expects none.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub with_team: Option<Option<String>>,
    /// The two intents the detection must flag as too close to call, in either order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambiguous: Option<[String; 2]>,
}

/// Distinguishes an absent field (`None`) from `null` (`Some(None)`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// One expectation that was not met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mismatch {
    /// What was checked (`route`, `team`, `intent`, `tags`, `actions`...).
    pub field: String,
    /// What the scenario expected.
    pub expected: String,
    /// What the router did.
    pub actual: String,
}

/// The outcome of one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct StepReport {
    /// The step's index (0-based).
    pub index: usize,
    /// The step's input in words (`say "..."`, `click book_demo`).
    pub input: String,
    /// Whether every expectation was met.
    pub passed: bool,
    /// The expectations not met.
    pub mismatches: Vec<Mismatch>,
    /// The decision's route in words.
    pub route: String,
    /// The decision's explanation ([`Decision::explain`]).
    pub explanation: String,
}

/// The outcome of one scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ScenarioReport {
    /// The scenario's name.
    pub name: String,
    /// Whether every step passed.
    pub passed: bool,
    /// Per step, in order.
    pub steps: Vec<StepReport>,
}

impl Scenario {
    /// Plays the scenario against `router`, step by step, and checks every
    /// expectation. Never panics; a step with no message fails with a mismatch.
    ///
    /// Complexity: one [`Router::decide`] per step.
    pub fn run(&self, router: &Router) -> ScenarioReport {
        let mut context = Context {
            user: self.user.clone(),
            conversation: self.conversation.clone(),
            local_time: self.local_time,
        };
        let mut steps = Vec::with_capacity(self.steps.len());
        for (index, step) in self.steps.iter().enumerate() {
            let message = Message {
                text: step.say.clone(),
                event: (step.button.is_some() || step.form.is_some()).then(|| Event {
                    button: step.button.clone(),
                    form: step.form.clone(),
                }),
                channel: step.channel.clone().or_else(|| self.channel.clone()),
            };
            let input = describe(step);
            let decision = router.decide(&message, &context);
            context.apply(&decision.updates);
            let mut mismatches = Vec::new();
            if message.text.is_none() && message.event.is_none() {
                mismatches.push(Mismatch {
                    field: "step".into(),
                    expected: "say, button or form".into(),
                    actual: "nothing".into(),
                });
            }
            check(router, &step.expect, &decision, &context, &mut mismatches);
            steps.push(StepReport {
                index,
                input,
                passed: mismatches.is_empty(),
                mismatches,
                route: decision.route.to_string(),
                explanation: decision.explain(),
            });
        }
        ScenarioReport {
            name: self.name.clone(),
            passed: steps.iter().all(|s| s.passed),
            steps,
        }
    }
}

fn describe(step: &Step) -> String {
    let mut parts = Vec::new();
    if let Some(t) = &step.say {
        parts.push(format!("say {t:?}"));
    }
    if let Some(b) = &step.button {
        parts.push(format!("click {b}"));
    }
    if let Some(f) = &step.form {
        parts.push(format!("submit form {}", f.id));
    }
    if parts.is_empty() {
        parts.push("(nothing)".into());
    }
    parts.join(" + ")
}

fn action_matches(action: &Action, expected: &str) -> bool {
    action.kind() == expected || action.to_string().starts_with(expected)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "(none)".into()
    } else {
        items.join(", ")
    }
}

/// Records mismatches.
struct Mismatches<'a>(&'a mut Vec<Mismatch>);

impl Mismatches<'_> {
    fn push(&mut self, field: &str, expected: String, actual: String) {
        self.0.push(Mismatch {
            field: field.into(),
            expected,
            actual,
        })
    }
}

fn check(
    router: &Router,
    expect: &Expect,
    decision: &Decision,
    context: &Context,
    out: &mut Vec<Mismatch>,
) {
    let mut out = Mismatches(out);
    check_route(expect, decision, &mut out);
    check_intent_and_rule(router, expect, decision, &mut out);
    check_tags(expect, context, &mut out);
    check_actions(expect, decision, &mut out);
    check_slots(expect, context, &mut out);
    check_state(expect, context, &mut out);
    check_ambiguous(expect, decision, &mut out);
}

/// The detection's ambiguous pair must be the expected two, in either order.
fn check_ambiguous(expect: &Expect, decision: &Decision, out: &mut Mismatches<'_>) {
    let Some([a, b]) = &expect.ambiguous else {
        return;
    };
    let actual = decision.detection.ambiguous.as_ref();
    let same = actual.is_some_and(|[x, y]| (**x == *a && **y == *b) || (**x == *b && **y == *a));
    if !same {
        out.push(
            "ambiguous",
            format!("{a} and {b}"),
            actual.map_or_else(
                || "not ambiguous".to_string(),
                |[x, y]| format!("{x} and {y}"),
            ),
        );
    }
}

fn check_route(expect: &Expect, decision: &Decision, out: &mut Mismatches<'_>) {
    let kind = decision.route.kind();
    let implied = match (&expect.route, &expect.team, &expect.asks) {
        (Some(r), _, _) => Some(r.as_str()),
        (None, Some(_), _) => Some("handoff"),
        (None, None, Some(_)) => Some("ask"),
        _ => None,
    };
    if let Some(r) = implied {
        if r != kind {
            out.push("route", r.to_string(), decision.route.to_string());
        }
    }
    if let Some(team) = &expect.team {
        let actual = decision.route.team().unwrap_or("(no team)");
        if actual != team {
            out.push("team", team.clone(), actual.to_string());
        }
    }
    if let Some(slot) = &expect.asks {
        let actual = match &decision.route {
            Route::Ask { slot, .. } => slot.as_str(),
            _ => "(no question)",
        };
        if actual != slot {
            out.push("asks", slot.clone(), actual.to_string());
        }
    }
}

fn check_intent_and_rule(
    router: &Router,
    expect: &Expect,
    decision: &Decision,
    out: &mut Mismatches<'_>,
) {
    if let Some(intent) = &expect.intent {
        let actual = decision.intent();
        if actual != intent.as_deref() {
            let mut expected = intent.clone().unwrap_or_else(|| "(no intent)".into());
            if let Some(i) = intent {
                if !router.model().has_intent(i) {
                    expected.push_str(" (not an intent of this model)");
                }
            }
            out.push(
                "intent",
                expected,
                format!(
                    "{} (confidence {:.2})",
                    actual.unwrap_or("(no intent)"),
                    decision.confidence()
                ),
            );
        }
    }
    if let Some(rule) = &expect.rule {
        if decision.rule.as_deref() != rule.as_deref() {
            out.push(
                "rule",
                rule.clone().unwrap_or_else(|| "(default route)".into()),
                decision
                    .rule
                    .as_deref()
                    .unwrap_or("(default route)")
                    .to_string(),
            );
        }
    }
}

fn check_tags(expect: &Expect, context: &Context, out: &mut Mismatches<'_>) {
    let tags = &context.conversation.tags;
    let missing: Vec<String> = expect
        .tags
        .iter()
        .filter(|t| !tags.contains(t))
        .cloned()
        .collect();
    let unwanted: Vec<String> = expect
        .no_tags
        .iter()
        .filter(|t| tags.contains(t))
        .cloned()
        .collect();
    if !missing.is_empty() {
        out.push("tags", format!("has {}", list(&missing)), list(tags));
    }
    if !unwanted.is_empty() {
        out.push("tags", format!("lacks {}", list(&unwanted)), list(tags));
    }
}

fn check_actions(expect: &Expect, decision: &Decision, out: &mut Mismatches<'_>) {
    let actual_actions: Vec<String> = decision.actions.iter().map(Action::to_string).collect();
    let missing: Vec<String> = expect
        .actions
        .iter()
        .filter(|e| !decision.actions.iter().any(|a| action_matches(a, e)))
        .cloned()
        .collect();
    let unwanted: Vec<String> = expect
        .no_actions
        .iter()
        .filter(|e| decision.actions.iter().any(|a| action_matches(a, e)))
        .cloned()
        .collect();
    if !missing.is_empty() {
        out.push(
            "actions",
            format!("includes {}", list(&missing)),
            list(&actual_actions),
        );
    }
    if !unwanted.is_empty() {
        out.push(
            "actions",
            format!("excludes {}", list(&unwanted)),
            list(&actual_actions),
        );
    }
}

fn describe_slots(context: &Context) -> String {
    let slots: Vec<String> = context
        .conversation
        .slots
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    list(&slots)
}

fn check_slots(expect: &Expect, context: &Context, out: &mut Mismatches<'_>) {
    let slots = &context.conversation.slots;
    for (name, want) in &expect.slots {
        if !slots.get(name).is_some_and(|v| v.loosely_equals(want)) {
            out.push("slots", format!("{name} = {want}"), describe_slots(context));
        }
    }
    let unwanted: Vec<String> = expect
        .no_slots
        .iter()
        .filter(|n| slots.contains_key(*n))
        .cloned()
        .collect();
    if !unwanted.is_empty() {
        out.push(
            "slots",
            format!("no {}", list(&unwanted)),
            describe_slots(context),
        );
    }
}

fn check_state(expect: &Expect, context: &Context, out: &mut Mismatches<'_>) {
    let summary = context.conversation.summary.to_string();
    let folded = summary.to_lowercase();
    let missing: Vec<String> = expect
        .summary_contains
        .iter()
        .filter(|t| !folded.contains(&t.to_lowercase()))
        .cloned()
        .collect();
    if !missing.is_empty() {
        out.push("summary", format!("contains {}", list(&missing)), summary);
    }
    if let Some(team) = &expect.with_team {
        let actual = context.conversation.with_team.as_ref().map(|w| &w.team);
        if actual != team.as_ref() {
            out.push(
                "with_team",
                team.clone().unwrap_or_else(|| "(no team)".into()),
                actual.cloned().unwrap_or_else(|| "(no team)".into()),
            );
        }
    }
}

/// Runs scenarios and collects their reports.
pub fn run_scenarios<'a, I: IntoIterator<Item = &'a Scenario>>(
    scenarios: I,
    router: &Router,
) -> SuiteReport {
    let scenarios: Vec<ScenarioReport> = scenarios.into_iter().map(|s| s.run(router)).collect();
    SuiteReport {
        passed: scenarios.iter().filter(|s| s.passed).count(),
        failed: scenarios.iter().filter(|s| !s.passed).count(),
        scenarios,
    }
}

/// The outcome of a suite of scenarios.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SuiteReport {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Per scenario, in order.
    pub scenarios: Vec<ScenarioReport>,
}

impl fmt::Display for StepReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.passed { "ok  " } else { "FAIL" };
        writeln!(
            f,
            "  {mark} step {}: {} -> {}",
            self.index + 1,
            self.input,
            self.route
        )?;
        if !self.passed {
            for m in &self.mismatches {
                writeln!(f, "       {}:", m.field)?;
                writeln!(f, "         - expected: {}", m.expected)?;
                writeln!(f, "         + actual:   {}", m.actual)?;
            }
            writeln!(f, "       why:")?;
            for line in self.explanation.lines() {
                writeln!(f, "         {line}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for ScenarioReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = if self.passed { "PASS" } else { "FAIL" };
        writeln!(f, "{mark} {}", self.name)?;
        for s in &self.steps {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl fmt::Display for SuiteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.scenarios {
            write!(f, "{s}")?;
        }
        writeln!(
            f,
            "{} scenario(s): {} passed, {} failed",
            self.scenarios.len(),
            self.passed,
            self.failed
        )
    }
}
