//! The router: intent model + compiled flow + teams, deciding per message.
//!
//! [`Router::decide`] takes a [`Message`] (text, or an event such as a button click or a
//! form submission, plus the channel it came through) and a [`Context`] (user
//! attributes, conversation state, the host's local time) and returns a [`Decision`]:
//! the [`Route`], the [`Action`]s for the host with templates already rendered, the
//! intent [`Detection`], the matched rule(s), the [`ContextUpdate`] to persist, and a
//! [`Trace`] that [`Decision::explain`] renders for a person. The router does no I/O
//! and reads no clock.
//!
//! Pending questions: when a decision asks for slot S (an `ask` route), its update sets
//! `conversation.pending`. The host stores it; on the next message the text is parsed as
//! the answer (numbers such as "about 200 people", "50-100" (midpoint, 75), "10k",
//! "1,000"; or one of the offered options, typo-tolerant), the slot is filled for this
//! decision and in the update, the pending question is cleared, and the flow routes on
//! it (`answered` / `slot` conditions). A question whose answer does not parse is still
//! cleared; the `pending` condition lets the flow handle that turn.
//!
//! Failed turns: a turn fails when no intent is detected, no rule gave the route and no
//! question was answered; the update then carries `failed_turns + 1`. Any other turn
//! (and every hand-off) resets it to 0. Flows offer a human with a `failed_turns`
//! condition.
//!
//! # Complexity
//! Building trains the model and compiles the flow (linear in its size). `decide` costs
//! one intent detection plus the evaluation of the candidate rules only (see
//! [`crate::flow`]); rendering is linear in the templates' output.
//!
//! # Example
//! ```
//! use handoff::{Context, Message, Router, RouterConfig};
//! let config: RouterConfig = serde_json::from_str(r##"{
//!   "intents": [
//!     {"id": "pricing", "phrases": ["how much does it cost", "what are your prices"],
//!      "keywords": ["pricing", "quote"]},
//!     {"id": "support", "phrases": ["I can't log in", "the app is broken"]}
//!   ],
//!   "teams": [{"id": "sales", "channel": "#sales"}, {"id": "support"}],
//!   "flow": {"rules": [
//!     {"id": "demo", "when": {"button": "book_demo"},
//!      "route": {"kind": "handoff", "team": "sales"},
//!      "actions": [{"kind": "tag", "tag": "Sales Lead"},
//!                  {"kind": "reply", "text": "Thanks {user.name|there}! Connecting you now."}]},
//!     {"id": "quote", "when": {"keyword": {"any": "quote"}},
//!      "route": {"kind": "handoff", "team": "sales"}}
//!   ]}
//! }"##).unwrap();
//! let router = Router::from_config(config).unwrap();
//!
//! let mut context = Context::default();
//! context.user.insert("name".into(), "Ada".into());
//! let d = router.decide(&Message::button("book_demo"), &context);
//! assert_eq!(d.route.team(), Some("sales"));
//! assert_eq!(d.rule.as_deref(), Some("demo"));
//! assert!(d.actions.iter().any(|a| a.to_string() == r#"reply "Thanks Ada! Connecting you now.""#));
//! assert_eq!(d.updates.add_tags, ["Sales Lead"]);
//!
//! let d = router.decide(&Message::text("can I get a quote?"), &context);
//! assert_eq!(d.route.kind(), "handoff");
//! assert!(d.explain().contains("quote"));
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, ValidationError};
use crate::flow::answer::parse_answer;
use crate::flow::compile::{CAction, CRoute, CompileEnv, CompiledFlow, Facts};
use crate::flow::template::{Env, Var};
use crate::flow::value::format_number;
use crate::flow::{Action, Flow, Route, Value, Weekday};
use crate::intent::{Detection, Intent, IntentModel};
use crate::limits::Limits;

/// An incoming message: text, an event, or both, and the channel it came through.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// What the user typed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A button click or form submission.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<Event>,
    /// Where the message came from (`pricing_page`, `linkedin`, `docs`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl Message {
    /// A text message.
    pub fn text(text: impl Into<String>) -> Self {
        Message {
            text: Some(text.into()),
            ..Message::default()
        }
    }

    /// A click on a button.
    pub fn button(id: impl Into<String>) -> Self {
        Message {
            event: Some(Event {
                button: Some(id.into()),
                form: None,
            }),
            ..Message::default()
        }
    }

    /// The same message, arriving through `channel`.
    pub fn on(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }
}

/// A user-interface event.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The id of the clicked button (`book_demo`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
    /// A submitted form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<Form>,
}

/// A submitted form. Its fields fill the slots of the same names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    /// The form id.
    pub id: String,
    /// Field values.
    #[serde(default)]
    pub fields: BTreeMap<String, Value>,
}

/// What the host knows around the message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// User attributes: name, email, plan, company size, region, lifecycle stage,
    /// repeat visitor, newsletter subscriber...
    #[serde(default)]
    pub user: BTreeMap<String, Value>,
    /// Conversation state.
    #[serde(default)]
    pub conversation: Conversation,
    /// The host's local time, for office hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_time: Option<LocalTime>,
}

impl Context {
    /// Applies a decision's updates (what a host persists after a decision).
    pub fn apply(&mut self, update: &ContextUpdate) {
        let c = &mut self.conversation;
        for (k, v) in &update.set_slots {
            c.slots.insert(k.clone(), v.clone());
        }
        for t in &update.add_tags {
            if !c.tags.contains(t) {
                c.tags.push(t.clone());
            }
        }
        c.pending = update.pending.clone();
        c.failed_turns = update.failed_turns;
    }
}

/// Conversation state the host keeps between messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    /// Conversation id, for links (`{conversation.id}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Other facts: earlier conversations, url, source...
    #[serde(default)]
    pub attributes: BTreeMap<String, Value>,
    /// Tags already applied.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Qualification answers already given.
    #[serde(default)]
    pub slots: BTreeMap<String, Value>,
    /// The question asked by the previous decision, awaiting its answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// Consecutive turns the bot failed to understand.
    #[serde(default)]
    pub failed_turns: u32,
}

/// A question awaiting its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    /// The slot the answer fills.
    pub slot: String,
    /// The options offered, if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// The rule that asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// A local time given by the host.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalTime {
    /// Day of the week.
    pub weekday: Weekday,
    /// Minutes since local midnight (0..1440).
    pub minutes: u16,
}

/// What the host should persist after a decision.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContextUpdate {
    /// Slots filled by this message (parsed answer, form fields).
    #[serde(default)]
    pub set_slots: BTreeMap<String, Value>,
    /// Tags to add (those not already present).
    #[serde(default)]
    pub add_tags: Vec<String>,
    /// The pending question after this decision (`None`: cleared).
    #[serde(default)]
    pub pending: Option<Pending>,
    /// The failed-turn count after this decision.
    #[serde(default)]
    pub failed_turns: u32,
}

/// What a condition saw, for the trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Saw {
    /// Nothing (the attribute, event or time was absent).
    Nothing,
    /// The top intent candidate.
    Intent {
        /// Its id.
        intent: Option<Arc<str>>,
        /// Its confidence.
        confidence: f32,
    },
    /// A value.
    Value(Value),
    /// Text (a button id, a regex match...).
    Text(String),
    /// The message's keyword hits.
    Keywords(Vec<crate::keywords::KeywordHit>),
    /// The local time.
    Time(LocalTime),
}

impl std::fmt::Display for Saw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Saw::Nothing => f.write_str("nothing"),
            Saw::Intent {
                intent: Some(i),
                confidence,
            } => write!(f, "{i} ({confidence:.2})"),
            Saw::Intent {
                intent: None,
                confidence,
            } => write!(f, "no intent ({confidence:.2})"),
            Saw::Value(v) => write!(f, "{v}"),
            Saw::Text(t) => write!(f, "{t:?}"),
            Saw::Keywords(k) if k.is_empty() => f.write_str("no keywords"),
            Saw::Keywords(hits) => {
                for (i, h) in hits.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&h.keyword)?;
                    if let crate::keywords::MatchKind::Fuzzy { distance } = h.kind {
                        write!(f, " (typo, distance {distance})")?;
                    }
                    if h.negated {
                        f.write_str(" (negated)")?;
                    }
                }
                Ok(())
            }
            Saw::Time(t) => write!(
                f,
                "{:?} {:02}:{:02}",
                t.weekday,
                t.minutes / 60,
                t.minutes % 60
            ),
        }
    }
}

/// One condition's evaluation. Conditions appear in evaluation order, children after
/// their `all`/`any`/`not` at `depth + 1`; conditions skipped by short-circuiting are
/// absent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConditionTrace {
    /// Nesting depth (0 for the rule's top condition).
    pub depth: u8,
    /// The condition, in words.
    pub condition: Arc<str>,
    /// Whether it held.
    pub outcome: bool,
    /// What it looked at.
    pub saw: Saw,
}

/// One rule's evaluation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleTrace {
    /// The rule id.
    pub rule: Arc<str>,
    /// Its priority.
    pub priority: i32,
    /// Whether it matched.
    pub matched: bool,
    /// Its conditions (empty for an unconditional rule).
    pub conditions: Vec<ConditionTrace>,
}

/// How a pending question's answer was read.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerTrace {
    /// The slot.
    pub slot: String,
    /// The text read.
    pub text: String,
    /// The parsed value; `None` when it did not parse.
    pub value: Option<Value>,
}

/// Why a decision came out the way it did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Trace {
    /// The pending question's answer, if one was pending.
    pub answer: Option<AnswerTrace>,
    /// Every rule considered, in evaluation order.
    pub rules: Vec<RuleTrace>,
    /// Rules not considered because the index showed they could not match.
    pub skipped: usize,
    /// Whether the flow's default route was used.
    pub default_route: bool,
}

/// A routing decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    /// Where the conversation goes (templates rendered).
    pub route: Route,
    /// The detected intent (a copy of `detection.intent`).
    pub intent: Option<Arc<str>>,
    /// The top candidate's confidence (a copy of `detection.confidence`).
    pub confidence: f32,
    /// The rule that decided the route; `None` for the default route.
    pub rule: Option<Arc<str>>,
    /// Every matching rule, in evaluation order.
    pub matched: Vec<Arc<str>>,
    /// What the host should do, in order, templates rendered.
    pub actions: Vec<Action>,
    /// What the host should persist.
    pub updates: ContextUpdate,
    /// The intent detection.
    pub detection: Detection,
    /// The evaluation trace.
    pub trace: Trace,
}

impl Decision {
    /// A multi-line explanation for a person.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        let d = &self.detection;
        match &d.intent {
            Some(i) => {
                let _ = writeln!(s, "intent: {i} (confidence {:.2})", d.confidence);
            }
            None => {
                let top = d.alternatives.first().map_or("none", |a| &*a.intent);
                let _ = writeln!(
                    s,
                    "intent: none (top candidate {top}, confidence {:.2})",
                    d.confidence
                );
            }
        }
        if !d.keywords.is_empty() {
            let hits: Vec<String> = d
                .keywords
                .iter()
                .map(|h| {
                    let mut l = format!("{} ({})", h.keyword, h.intent);
                    if let crate::keywords::MatchKind::Fuzzy { distance } = h.kind {
                        let _ = write!(l, " typo distance {distance}");
                    }
                    if h.negated {
                        l.push_str(" NEGATED");
                    }
                    l
                })
                .collect();
            let _ = writeln!(s, "keywords: {}", hits.join(", "));
        }
        if let Some(a) = &self.trace.answer {
            match &a.value {
                Some(v) => {
                    let _ = writeln!(s, "answer: {} = {v} (from {:?})", a.slot, a.text);
                }
                None => {
                    let _ = writeln!(s, "answer: {:?} did not answer {}", a.text, a.slot);
                }
            }
        }
        let _ = writeln!(
            s,
            "rules: {} considered, {} skipped by the index",
            self.trace.rules.len(),
            self.trace.skipped
        );
        for r in &self.trace.rules {
            let mark = if r.matched { "x" } else { " " };
            let _ = writeln!(s, "  [{mark}] {} (priority {})", r.rule, r.priority);
            for c in &r.conditions {
                let mark = if c.outcome { "yes" } else { "no " };
                let pad = "  ".repeat(usize::from(c.depth));
                if c.saw == Saw::Nothing && matches!(&*c.condition, "all of" | "any of" | "not") {
                    let _ = writeln!(s, "        {pad}{mark} {}", c.condition);
                } else {
                    let _ = writeln!(s, "        {pad}{mark} {} -- saw {}", c.condition, c.saw);
                }
            }
        }
        match &self.rule {
            Some(r) => {
                let _ = writeln!(s, "route: {} (rule {r})", self.route);
            }
            None => {
                let _ = writeln!(s, "route: {} (default)", self.route);
            }
        }
        for a in &self.actions {
            let _ = writeln!(s, "  action: {a}");
        }
        let u = &self.updates;
        for (k, v) in &u.set_slots {
            let _ = writeln!(s, "  update: slot {k} = {v}");
        }
        for t in &u.add_tags {
            let _ = writeln!(s, "  update: tag {t:?}");
        }
        if let Some(p) = &u.pending {
            let _ = writeln!(s, "  update: awaiting answer for {}", p.slot);
        }
        let _ = writeln!(s, "  update: failed turns = {}", u.failed_turns);
        s
    }
}

/// A team the flow can hand off to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    /// The id rules refer to (`sales`).
    pub id: String,
    /// Display name (`{team.name}`); default: the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Queue (`{team.queue}`, the `assign` action); default: the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Notification channel (`{team.channel}`), such as `#sales`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl TeamConfig {
    /// A team with this id and defaults.
    pub fn new(id: impl Into<String>) -> Self {
        TeamConfig {
            id: id.into(),
            name: None,
            queue: None,
            channel: None,
        }
    }

    /// Sets the notification channel.
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }
}

/// Router options.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterOptions {
    /// The intent model's no-intent threshold in [0, 1]; default: the model's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// Size limits checked when building (default: [`Limits::default`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<Limits>,
}

/// The whole router configuration as one serde document (JSON, TOML...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Intents to train the model on.
    pub intents: Vec<Intent>,
    /// Out-of-scope example phrases (chit-chat the model should not take for intents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negatives: Vec<String>,
    /// The flow.
    pub flow: Flow,
    /// Teams.
    pub teams: Vec<TeamConfig>,
    /// Options.
    #[serde(default)]
    pub options: RouterOptions,
}

#[derive(Debug)]
struct Team {
    id: Arc<str>,
    name: Arc<str>,
    queue: Arc<str>,
    channel: Option<Arc<str>>,
}

#[derive(Debug)]
struct Inner {
    model: IntentModel,
    flow: CompiledFlow,
    teams: Vec<Team>,
}

/// Decides, per message, where a conversation goes. Immutable, `Send + Sync`, cheap to
/// clone. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct Router {
    inner: Arc<Inner>,
}

/// Builds a [`Router`] from an intent model (or intents), a flow and teams.
#[derive(Clone, Debug, Default)]
pub struct RouterBuilder {
    model: Option<IntentModel>,
    intents: Vec<Intent>,
    negatives: Vec<String>,
    threshold: Option<f32>,
    flow: Flow,
    teams: Vec<TeamConfig>,
    limits: Limits,
}

impl RouterBuilder {
    /// Size limits checked when building (see [`Limits`] for the defaults); passed on
    /// to the intent model when the router trains it.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Uses an already trained model (keyword names in conditions are then not checked
    /// against the model's keywords).
    pub fn model(&mut self, model: IntentModel) -> &mut Self {
        self.model = Some(model);
        self
    }

    /// Adds an intent to train on.
    pub fn intent(&mut self, intent: Intent) -> &mut Self {
        self.intents.push(intent);
        self
    }

    /// Adds intents to train on.
    pub fn intents(&mut self, intents: impl IntoIterator<Item = Intent>) -> &mut Self {
        self.intents.extend(intents);
        self
    }

    /// Adds out-of-scope phrases.
    pub fn negatives<'a>(&mut self, phrases: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.negatives
            .extend(phrases.into_iter().map(str::to_string));
        self
    }

    /// Sets the no-intent threshold (in [0, 1]) for the model trained from intents.
    pub fn threshold(&mut self, threshold: f32) -> &mut Self {
        self.threshold = Some(threshold);
        self
    }

    /// Sets the flow.
    pub fn flow(&mut self, flow: Flow) -> &mut Self {
        self.flow = flow;
        self
    }

    /// Adds a team.
    pub fn team(&mut self, team: TeamConfig) -> &mut Self {
        self.teams.push(team);
        self
    }

    /// Adds teams.
    pub fn teams(&mut self, teams: impl IntoIterator<Item = TeamConfig>) -> &mut Self {
        self.teams.extend(teams);
        self
    }

    /// Validates everything and builds the router.
    pub fn build(&self) -> Result<Router, BuildError> {
        if self.flow.rules.len() > self.limits.max_rules {
            return Err(Limits::exceeded(
                "flow.rules",
                "the number of rules",
                self.limits.max_rules,
                self.flow.rules.len(),
            ));
        }
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(BuildError::new(
                    "options.threshold",
                    ValidationError::OutOfRange {
                        value: t.to_string(),
                        expected: "0 to 1".into(),
                    },
                ));
            }
        }
        let (model, keywords) = match &self.model {
            Some(model) => {
                if !self.intents.is_empty() {
                    return Err(BuildError::new(
                        "intents",
                        ValidationError::Invalid {
                            message: "give either a trained model or intents, not both".into(),
                        },
                    ));
                }
                if self.threshold.is_some() {
                    return Err(BuildError::new(
                        "options.threshold",
                        ValidationError::Invalid {
                            message: "a trained model keeps its own threshold".into(),
                        },
                    ));
                }
                (model.clone(), None)
            }
            None => {
                if self.intents.is_empty() {
                    return Err(BuildError::new(
                        "intents",
                        ValidationError::Empty {
                            what: "intents".into(),
                        },
                    ));
                }
                let mut b = IntentModel::builder();
                b.limits(self.limits);
                b.intents(self.intents.iter().cloned())
                    .negatives(self.negatives.iter().map(String::as_str));
                if let Some(t) = self.threshold {
                    b.threshold(t);
                }
                let model = b.build()?;
                let keywords: BTreeSet<String> = self
                    .intents
                    .iter()
                    .flat_map(|i| i.keywords.iter().map(|k| k.trim().to_lowercase()))
                    .collect();
                (model, Some(keywords))
            }
        };
        let mut team_ix = BTreeMap::new();
        let mut teams = Vec::with_capacity(self.teams.len());
        for (i, t) in self.teams.iter().enumerate() {
            let path = format!("teams[{i}]");
            if t.id.trim().is_empty() {
                return Err(BuildError::new(
                    format!("{path}.id"),
                    ValidationError::Empty { what: "id".into() },
                ));
            }
            if team_ix.insert(t.id.clone(), i).is_some() {
                return Err(BuildError::new(
                    format!("{path}.id"),
                    ValidationError::Duplicate { id: t.id.clone() },
                ));
            }
            for (field, v) in [
                ("name", &t.name),
                ("queue", &t.queue),
                ("channel", &t.channel),
            ] {
                if v.as_ref().is_some_and(|v| v.trim().is_empty()) {
                    return Err(BuildError::new(
                        format!("{path}.{field}"),
                        ValidationError::Empty { what: field.into() },
                    ));
                }
            }
            let id: Arc<str> = Arc::from(t.id.as_str());
            teams.push(Team {
                name: t.name.as_deref().map_or_else(|| id.clone(), Arc::from),
                queue: t.queue.as_deref().map_or_else(|| id.clone(), Arc::from),
                channel: t.channel.as_deref().map(Arc::from),
                id,
            });
        }
        let intents: Vec<Arc<str>> = model.intent_ids().map(Arc::from).collect();
        let env = CompileEnv {
            intents: &intents,
            keywords: keywords.as_ref(),
            teams: &team_ix,
        };
        let flow = CompiledFlow::compile(&self.flow, &env).map_err(|e| e.within("flow"))?;
        Ok(Router {
            inner: Arc::new(Inner { model, flow, teams }),
        })
    }
}

fn empty_detection() -> Detection {
    Detection {
        intent: None,
        confidence: 0.0,
        alternatives: Vec::new(),
        keywords: Vec::new(),
        evidence: Vec::new(),
        truncated: false,
    }
}

impl Router {
    /// A builder.
    pub fn builder() -> RouterBuilder {
        RouterBuilder::default()
    }

    /// Builds a router from one configuration document.
    pub fn from_config(config: RouterConfig) -> Result<Router, BuildError> {
        let mut b = Router::builder();
        b.intents(config.intents)
            .negatives(config.negatives.iter().map(String::as_str))
            .flow(config.flow)
            .teams(config.teams);
        if let Some(t) = config.options.threshold {
            b.threshold(t);
        }
        if let Some(limits) = config.options.limits {
            b.limits(limits);
        }
        b.build()
    }

    /// The intent model.
    pub fn model(&self) -> &IntentModel {
        &self.inner.model
    }

    /// Decides where the conversation goes. Never panics, whatever the input.
    pub fn decide(&self, message: &Message, context: &Context) -> Decision {
        let inner = &*self.inner;
        let flow = &inner.flow;
        let text = message.text.as_deref().unwrap_or("");
        let mut new_slots = BTreeMap::new();
        let mut answer_trace = None;
        let mut answered: Option<&str> = None;
        let pending = context.conversation.pending.as_ref();
        if let Some(p) = pending {
            // The answer is the text, or a clicked button's id (quick replies).
            let reply = if text.trim().is_empty() {
                message
                    .event
                    .as_ref()
                    .and_then(|e| e.button.as_deref())
                    .unwrap_or("")
            } else {
                text
            };
            if !reply.trim().is_empty() {
                let value = parse_answer(reply, &p.options);
                if let Some(v) = &value {
                    new_slots.insert(p.slot.clone(), v.clone());
                    answered = Some(p.slot.as_str());
                }
                answer_trace = Some(AnswerTrace {
                    slot: p.slot.clone(),
                    text: reply.to_string(),
                    value,
                });
            }
        }
        if let Some(form) = message.event.as_ref().and_then(|e| e.form.as_ref()) {
            for (k, v) in &form.fields {
                new_slots.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let detection = if text.trim().is_empty() {
            empty_detection()
        } else {
            inner.model.detect(text)
        };
        let facts = Facts {
            detection: &detection,
            text,
            message,
            context,
            new_slots: &new_slots,
            answered,
            pending: pending.map(|p| p.slot.as_str()),
        };
        let outcome = flow.evaluate(&facts);
        let (route_c, default_used) = match outcome.route_rule {
            Some(ri) => match &flow.rules[ri].route {
                Some(r) => (r, false),
                None => (&flow.default_route, true),
            },
            None => (&flow.default_route, true),
        };
        let rule_id = outcome.route_rule.map(|ri| flow.rules[ri].id.clone());
        let team = match route_c {
            CRoute::Handoff { team, .. } => inner.teams.get(*team),
            _ => None,
        };
        let env = RenderEnv {
            facts: &facts,
            team,
            rule: rule_id.as_deref(),
        };
        let route = match route_c {
            CRoute::Handoff { team, priority } => Route::Handoff {
                team: inner
                    .teams
                    .get(*team)
                    .map_or_else(String::new, |t| t.id.to_string()),
                priority: *priority,
            },
            CRoute::Ask {
                question,
                slot,
                options,
            } => Route::Ask {
                question: question.render(&env),
                slot: slot.to_string(),
                options: options.to_vec(),
            },
            CRoute::Continue { step } => Route::Continue {
                step: step.as_deref().map(str::to_string),
            },
        };
        let mut actions = Vec::new();
        let rule_actions: Vec<&CAction> = match flow.policy {
            crate::flow::HitPolicy::Collect => outcome
                .matched
                .iter()
                .flat_map(|&ri| flow.rules[ri].actions.iter())
                .collect(),
            _ => outcome
                .matched
                .first()
                .map(|&ri| flow.rules[ri].actions.iter().collect())
                .unwrap_or_default(),
        };
        let defaults = if default_used {
            flow.default_actions.iter().collect()
        } else {
            Vec::new()
        };
        for a in rule_actions.into_iter().chain(defaults) {
            actions.push(self.render_action(a, &env));
        }
        match &route {
            Route::Handoff { team, priority } => {
                let already = actions
                    .iter()
                    .any(|a| matches!(a, Action::Assign { team: t, .. } if t == team));
                if !already {
                    actions.push(Action::Assign {
                        team: team.clone(),
                        queue: env.team.map_or_else(String::new, |t| t.queue.to_string()),
                        priority: *priority,
                    });
                }
            }
            Route::Ask {
                question,
                slot,
                options,
            } => actions.push(Action::Ask {
                slot: slot.clone(),
                question: question.clone(),
                options: options.clone(),
            }),
            Route::Continue { .. } => {}
        }
        let mut add_tags: Vec<String> = Vec::new();
        for a in &actions {
            if let Action::Tag { tag } = a {
                let present = context.conversation.tags.iter().any(|t| t == tag)
                    || add_tags.iter().any(|t| t == tag);
                if !present {
                    add_tags.push(tag.clone());
                }
            }
        }
        let understood = detection.intent.is_some() || !default_used || answered.is_some();
        let failed_turns = if matches!(route, Route::Handoff { .. }) || understood {
            0
        } else {
            context.conversation.failed_turns.saturating_add(1)
        };
        let new_pending = match &route {
            Route::Ask { slot, options, .. } => Some(Pending {
                slot: slot.clone(),
                options: options.clone(),
                rule: rule_id.as_deref().map(str::to_string),
            }),
            _ => None,
        };
        let matched = outcome
            .matched
            .iter()
            .map(|&ri| flow.rules[ri].id.clone())
            .collect();
        Decision {
            route,
            intent: detection.intent.clone(),
            confidence: detection.confidence,
            rule: rule_id,
            matched,
            actions,
            updates: ContextUpdate {
                set_slots: new_slots,
                add_tags,
                pending: new_pending,
                failed_turns,
            },
            detection,
            trace: Trace {
                answer: answer_trace,
                rules: outcome.trace,
                skipped: outcome.skipped,
                default_route: default_used,
            },
        }
    }

    fn render_action(&self, a: &CAction, env: &RenderEnv<'_, '_>) -> Action {
        match a {
            CAction::Tag(t) => Action::Tag { tag: t.render(env) },
            CAction::Reply(t) => Action::Reply {
                text: t.render(env),
            },
            CAction::Notify { channel, text } => Action::Notify {
                channel: channel.render(env),
                text: text.render(env),
            },
            CAction::Crm { object, fields } => Action::Crm {
                object: object.to_string(),
                fields: fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.render(env)))
                    .collect(),
            },
            CAction::Assign { team, priority } => {
                let t = self.inner.teams.get(*team);
                Action::Assign {
                    team: t.map_or_else(String::new, |t| t.id.to_string()),
                    queue: t.map_or_else(String::new, |t| t.queue.to_string()),
                    priority: *priority,
                }
            }
        }
    }
}

struct RenderEnv<'a, 'f> {
    facts: &'a Facts<'f>,
    team: Option<&'a Team>,
    rule: Option<&'a str>,
}

impl RenderEnv<'_, '_> {
    fn summary(&self, out: &mut String) {
        let f = self.facts;
        let d = f.detection;
        match &d.intent {
            Some(i) => {
                let _ = write!(out, "Intent: {i} ({:.0}%)", d.confidence * 100.0);
            }
            None => out.push_str("Intent: none"),
        }
        let mut slots: BTreeMap<&str, &Value> = f
            .context
            .conversation
            .slots
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        for (k, v) in f.new_slots {
            slots.insert(k, v);
        }
        for (k, v) in slots {
            let _ = write!(out, "; {k}: {v}");
        }
        if let Some(c) = &f.message.channel {
            let _ = write!(out, "; channel: {c}");
        }
        if let Some(b) = f.message.event.as_ref().and_then(|e| e.button.as_deref()) {
            let _ = write!(out, "; button: {b}");
        }
        if !f.text.is_empty() {
            let mut cut = f.text.len().min(280);
            while !f.text.is_char_boundary(cut) {
                cut -= 1;
            }
            let ell = if cut < f.text.len() { "..." } else { "" };
            let _ = write!(out, "; message: \"{}{ell}\"", &f.text[..cut]);
        }
    }
}

impl Env for RenderEnv<'_, '_> {
    fn write(&self, var: &Var, out: &mut String) -> bool {
        let f = self.facts;
        let put = |out: &mut String, v: Option<&Value>| match v {
            Some(v) => {
                let _ = write!(out, "{v}");
                true
            }
            None => false,
        };
        let put_str = |out: &mut String, s: Option<&str>| match s {
            Some(s) if !s.is_empty() => {
                out.push_str(s);
                true
            }
            _ => false,
        };
        match var {
            Var::User(n) => put(out, f.context.user.get(&**n)),
            Var::Conversation(n) => put(out, f.context.conversation.attributes.get(&**n)),
            Var::ConversationId => put_str(out, f.context.conversation.id.as_deref()),
            Var::Slot(n) => put(out, f.slot(n)),
            Var::Attr(n) => put(
                out,
                f.slot(n)
                    .or_else(|| f.context.user.get(&**n))
                    .or_else(|| f.context.conversation.attributes.get(&**n)),
            ),
            Var::Intent => put_str(out, f.detection.intent.as_deref()),
            Var::Confidence => {
                if f.detection.intent.is_none() {
                    return false;
                }
                let _ = write!(
                    out,
                    "{}",
                    format_number((f.detection.confidence * 100.0).round().into())
                );
                true
            }
            Var::Team => put_str(out, self.team.map(|t| &*t.id)),
            Var::TeamName => put_str(out, self.team.map(|t| &*t.name)),
            Var::TeamQueue => put_str(out, self.team.map(|t| &*t.queue)),
            Var::TeamChannel => put_str(out, self.team.and_then(|t| t.channel.as_deref())),
            Var::Channel => put_str(out, f.message.channel.as_deref()),
            Var::Message => put_str(out, Some(f.text)),
            Var::Rule => put_str(out, self.rule),
            Var::Tags => {
                let tags = &f.context.conversation.tags;
                if tags.is_empty() {
                    return false;
                }
                out.push_str(&tags.join(", "));
                true
            }
            Var::Keywords => {
                let hits: Vec<&str> = f
                    .detection
                    .keywords
                    .iter()
                    .filter(|h| !h.negated)
                    .map(|h| &*h.keyword)
                    .collect();
                if hits.is_empty() {
                    return false;
                }
                out.push_str(&hits.join(", "));
                true
            }
            Var::Summary => {
                self.summary(out);
                true
            }
        }
    }
}
