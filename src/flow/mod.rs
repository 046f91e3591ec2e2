//! Declarative flows: which rule decides, per message, whether the conversation is handed
//! to a team, a qualifying question is asked first, or the bot carries on.
//!
//! A [`Flow`] is plain configuration (serde): a list of [`Rule`]s, each with an id, a
//! priority, a [`Condition`] (`when`), an optional [`Route`] and [`Action`]s, plus the
//! [`HitPolicy`] and the default route used when no rule decides. Conditions nest with
//! `all` / `any` / `not` over the detected intent, keyword hits, a regex on the message,
//! the event (button, form), the channel, user and conversation attributes, tags,
//! qualification slots, the failed-turn count and office hours (from a local time the
//! host passes in; the crate reads no clock).
//!
//! Rules are evaluated in order of descending `priority`, ties in the order written.
//! With [`HitPolicy::First`] (the default) the first matching rule decides the route and
//! its actions apply. With [`HitPolicy::Collect`] the actions of every matching rule
//! apply, in that order, and the route of the first matching rule that has one (so the
//! highest priority) wins. When no rule gives a route, the flow's `default` route (and
//! `default_actions`) apply.
//!
//! A flow is compiled once, inside [`crate::Router`]'s builder: intents and teams are
//! resolved, regexes and templates compiled, and every mistake is a
//! [`crate::BuildError`] naming its path, such as
//! `flow.rules[3].when.intent: unknown intent "pricng"`. Names are checked against what
//! gives them meaning: a `keyword` condition names a keyword of the model's intents, the
//! same keyword when both normalize alike (`"demo"` names an intent's `"Démo"`); a slot
//! read by `slot`, `answered` and `pending` conditions or a `{slots.x}` template is one an
//! `ask` route of the flow fills, one declared in the flow's `slots` (form fields, or
//! set by the host), or one the router's slot extractors fill, so `compnay_size` is an
//! error, not a condition that never holds.
//!
//! # The conversation's state
//! A slot known (from the conversation, or filled by this very message, asked or not) is
//! never asked for again: a rule whose route asks for it does not match, and its trace
//! says so. Once the conversation is with a team
//! ([`Conversation::with_team`](crate::Conversation::with_team)), a rule handing off to
//! that same team still matches and decides, but its hand-off is held: the route becomes
//! `continue` with no step and the rule's actions are dropped (no second tag, reply,
//! notification, CRM record or assignment), unless the rule sets `"repeat": true`. A
//! hand-off to another team (an escalation) applies as usual. `with_team` conditions route
//! on the state (`{"with_team": "sales"}`, `{"with_team": true}`).
//!
//! # Complexity
//! Compiling is linear in the size of the flow (plus regex compilation). Deciding looks
//! up the rules that can possibly match through an index keyed by each rule's required
//! intent, button, form, keyword or channel (one of them, the rarest, per rule), so a
//! decision costs O(k log k + c) where k is the number of candidate rules and c the size
//! of their conditions, not O(all rules). First-hit semantics stay exact: a rule left out
//! by the index cannot match.
//!
//! # Example
//! ```
//! use handoff::flow::{Action, Condition, Flow, Route, Rule};
//! let flow = Flow::new()
//!     .rule(
//!         Rule::new("demo_button")
//!             .priority(10)
//!             .when(Condition::button("book_demo"))
//!             .route(Route::handoff("sales"))
//!             .action(Action::tag("Sales Lead")),
//!     )
//!     .rule(
//!         Rule::new("pricing")
//!             .when(Condition::all([
//!                 Condition::intent("pricing"),
//!                 Condition::not(Condition::slot_exists("company_size")),
//!             ]))
//!             .route(Route::ask("How many people work at {user.company|your company}?", "company_size")),
//!     );
//! let json = serde_json::to_string(&flow).unwrap();
//! let back: Flow = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, flow);
//! assert!(json.contains(r#""kind":"handoff""#));
//! ```

pub(crate) mod answer;
pub(crate) mod compile;
pub(crate) mod render;
pub(crate) mod template;
mod trace;

use std::collections::BTreeMap;
use std::fmt;

use crate::keywords::{Negation, NegationPolicy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::conversation::{Value, Weekday};
pub use trace::{AnswerTrace, ConditionTrace, HeldHandoff, RuleTrace, Saw, Trace};

/// A declarative flow: rules, hit policy and default route.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// How matching rules combine. Default: [`HitPolicy::First`].
    #[serde(default)]
    pub hit_policy: HitPolicy,
    /// The rules, in the order written.
    #[serde(default)]
    pub rules: Vec<Rule>,
    /// The route when no matching rule gives one. Default: continue with the bot.
    #[serde(default)]
    pub default: Route,
    /// Actions that apply whenever the default route is used.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub default_actions: Vec<Action>,
    /// Slots filled other than by this flow's questions: form fields, or slots the host
    /// sets. `slot` and `answered` conditions and `{slots.x}` templates may name these,
    /// the slots of the flow's `ask` routes and the slots of the router's extractors
    /// ([`RouterConfig::slots`](crate::RouterConfig::slots)); any other name is a build
    /// error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<String>,
}

impl Flow {
    /// An empty flow (every message continues with the bot).
    pub fn new() -> Self {
        Flow::default()
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the hit policy.
    pub fn hit_policy(mut self, policy: HitPolicy) -> Self {
        self.hit_policy = policy;
        self
    }

    /// Sets the default route.
    pub fn default_route(mut self, route: Route) -> Self {
        self.default = route;
        self
    }

    /// Declares slots filled outside the flow's questions (form fields, the host).
    pub fn slots<I, S>(mut self, slots: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.slots.extend(slots.into_iter().map(Into::into));
        self
    }
}

/// How matching rules combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum HitPolicy {
    /// The first matching rule (highest priority, then order written) decides.
    #[default]
    First,
    /// Every matching rule's actions apply; the highest-priority route wins.
    Collect,
}

/// One rule: when its condition holds, its route and actions apply.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique id, reported in decisions and traces.
    pub id: String,
    /// Higher priorities are evaluated first. Default 0.
    #[serde(default)]
    pub priority: i32,
    /// The condition; absent means the rule always matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// The route this rule decides, if any (a rule may only add actions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// Actions for the host, with templates such as `{user.name}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// Whether this rule hands off to the team the conversation is already with. Default
    /// `false`: once a conversation is with a team, a rule handing off to that same team
    /// matches but does nothing (the route becomes `continue` with no step and its
    /// actions are dropped: no second tag, notification, CRM record or assignment), and
    /// the trace says so. A hand-off to another team (an escalation) always applies.
    #[serde(default, skip_serializing_if = "is_false")]
    pub repeat: bool,
}

impl Rule {
    /// A rule that always matches and does nothing yet.
    pub fn new(id: impl Into<String>) -> Self {
        Rule {
            id: id.into(),
            priority: 0,
            when: None,
            route: None,
            actions: Vec::new(),
            repeat: false,
        }
    }

    /// Allows (or not) handing off again to the team the conversation is with.
    pub fn repeat(mut self, repeat: bool) -> Self {
        self.repeat = repeat;
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// Sets the condition.
    pub fn when(mut self, condition: Condition) -> Self {
        self.when = Some(condition);
        self
    }

    /// Sets the route.
    pub fn route(mut self, route: Route) -> Self {
        self.route = Some(route);
        self
    }

    /// Adds an action.
    pub fn action(mut self, action: Action) -> Self {
        self.actions.push(action);
        self
    }
}

/// One name or several; written as a string or a list of strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Names(pub Vec<String>);

impl Names {
    /// The names.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl From<&str> for Names {
    fn from(s: &str) -> Self {
        Names(vec![s.to_string()])
    }
}

impl From<String> for Names {
    fn from(s: String) -> Self {
        Names(vec![s])
    }
}

impl<S: Into<String>> From<Vec<S>> for Names {
    fn from(v: Vec<S>) -> Self {
        Names(v.into_iter().map(Into::into).collect())
    }
}

impl Serialize for Names {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.len() == 1 {
            self.0[0].serialize(s)
        } else {
            self.0.serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        Ok(match OneOrMany::deserialize(d)? {
            OneOrMany::One(s) => Names(vec![s]),
            OneOrMany::Many(v) => Names(v),
        })
    }
}

/// A condition on the message, its detection and the context. Written externally
/// tagged: `{"intent": {"id": "pricing"}}`, `{"all": [...]}`, `"always"`.
///
/// Conditions nest at most [`MAX_CONDITION_DEPTH`](crate::MAX_CONDITION_DEPTH) deep:
/// deserializing a deeper one is an error (whatever the format's own recursion limit),
/// and building a flow with one is a [`BuildError`](crate::BuildError) naming its path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", remote = "Self")]
#[non_exhaustive]
pub enum Condition {
    /// Always true.
    Always,
    /// Every condition holds (must not be empty).
    All(Vec<Condition>),
    /// At least one condition holds (must not be empty).
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
    /// The top intent candidate is one of these, with at least this confidence.
    Intent(IntentTest),
    /// A keyword of the intent model was hit.
    Keyword(KeywordTest),
    /// A regular expression (case-insensitive unless it says otherwise) finds a match in
    /// the message text.
    Regex(String),
    /// The message is a click on one of these buttons.
    Button(Names),
    /// The message is a submission of one of these forms.
    Form(Names),
    /// The message came through one of these channels.
    Channel(Names),
    /// A user attribute passes a test.
    User(FieldTest),
    /// A conversation attribute passes a test.
    Conversation(FieldTest),
    /// The conversation carries this tag (case-insensitive).
    Tag(String),
    /// A qualification slot (including one filled by this very message) passes a test.
    Slot(FieldTest),
    /// This message answered the pending question for this slot (and the answer parsed).
    Answered(String),
    /// A question for this slot was pending when the message arrived, whether or not
    /// the answer could be parsed.
    Pending(String),
    /// The number of failed bot turns passes a test.
    FailedTurns(NumberTest),
    /// The host-given local time lies within office hours. False when no time is given.
    OfficeHours(OfficeHours),
    /// The conversation is with a team (see
    /// [`Conversation::with_team`](crate::Conversation::with_team)): `{"with_team":
    /// "sales"}`, `{"with_team": ["sales", "support"]}`, or `{"with_team": true}` (any
    /// team) / `false` (none).
    WithTeam(TeamTest),
    /// The detection's best two intents are too close to call (see
    /// [`Detection::ambiguous`](crate::Detection::ambiguous)): `{"ambiguous": true}` (any
    /// two), `false` (not ambiguous), or `{"ambiguous": {"between": ["upgrade",
    /// "cancel_or_complain"]}}` (these two, in either order).
    Ambiguous(AmbiguityTest),
}

/// Which ambiguity an `ambiguous` condition expects.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AmbiguityTest {
    /// Ambiguous between any two intents (`true`) or not ambiguous (`false`).
    Any(bool),
    /// Ambiguous between these two intents, in either order.
    Between {
        /// The two intent ids.
        between: [String; 2],
    },
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The derived (remote = "Self") implementation.
        Condition::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Condition {
    /// The derived reading, refusing conditions nested deeper than
    /// [`MAX_CONDITION_DEPTH`](crate::MAX_CONDITION_DEPTH).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let _level = depth::Level::enter().map_err(serde::de::Error::custom)?;
        Condition::deserialize(d)
    }
}

/// Drops a condition without recursion, however deep it nests (values in its field
/// tests included): each node's children are moved onto a stack before it is dropped.
pub(crate) fn dismantle(condition: Condition) {
    let mut stack = vec![condition];
    let mut values: Vec<Value> = Vec::new();
    while let Some(mut c) = stack.pop() {
        match &mut c {
            Condition::All(list) | Condition::Any(list) => stack.append(list),
            Condition::Not(inner) => stack.push(std::mem::replace(&mut **inner, Condition::Always)),
            Condition::User(t) | Condition::Conversation(t) | Condition::Slot(t) => {
                values.extend(
                    [t.eq.take(), t.ne.take(), t.contains.take()]
                        .into_iter()
                        .flatten(),
                );
                values.extend(t.one_of.take().unwrap_or_default());
            }
            _ => {}
        }
        drop(c);
        for v in values.drain(..) {
            v.dismantle();
        }
    }
}

/// How deep the condition being deserialized on this thread nests: the derived reader
/// recurses through `Vec<Condition>` and `Box<Condition>`, which carry no state, so the
/// depth lives in a thread-local counter that each level enters and leaves.
mod depth {
    use std::cell::Cell;

    use crate::limits::MAX_CONDITION_DEPTH;

    thread_local! {
        static DEPTH: Cell<usize> = const { Cell::new(0) };
    }

    /// One level of nesting, left when dropped (also on an error or a panic).
    pub(super) struct Level;

    impl Level {
        pub(super) fn enter() -> Result<Level, String> {
            let depth = DEPTH.with(|d| {
                d.set(d.get() + 1);
                d.get()
            });
            let level = Level;
            if depth > MAX_CONDITION_DEPTH {
                return Err(format!(
                    "conditions nested deeper than {MAX_CONDITION_DEPTH} levels"
                ));
            }
            Ok(level)
        }
    }

    impl Drop for Level {
        fn drop(&mut self) {
            DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        }
    }
}

/// Which team a `with_team` condition expects: any (`true`), none (`false`), or one of
/// these team ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TeamTest {
    /// With some team (`true`) or with none (`false`).
    Any(bool),
    /// With one of these teams.
    Teams(Names),
}

impl Condition {
    /// `all` of the given conditions.
    pub fn all(conditions: impl IntoIterator<Item = Condition>) -> Self {
        Condition::All(conditions.into_iter().collect())
    }

    /// `any` of the given conditions.
    pub fn any(conditions: impl IntoIterator<Item = Condition>) -> Self {
        Condition::Any(conditions.into_iter().collect())
    }

    /// The negation of `condition`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(condition: Condition) -> Self {
        Condition::Not(Box::new(condition))
    }

    /// The detected intent is `id` (confidence at least the model's threshold).
    pub fn intent(id: impl Into<String>) -> Self {
        Condition::Intent(IntentTest {
            id: Names::from(id.into()),
            min_confidence: None,
        })
    }

    /// The top intent candidate is `id` with at least `min_confidence`.
    pub fn intent_at_least(id: impl Into<String>, min_confidence: f32) -> Self {
        Condition::Intent(IntentTest {
            id: Names::from(id.into()),
            min_confidence: Some(min_confidence),
        })
    }

    /// One of these keywords was hit, exactly or fuzzily, outside a negation.
    pub fn keyword(keywords: impl Into<Names>) -> Self {
        Condition::Keyword(KeywordTest {
            any: keywords.into(),
            fuzzy: true,
            include_negated: false,
            negation: None,
            purpose: None,
        })
    }

    /// The message text matches `pattern`.
    pub fn regex(pattern: impl Into<String>) -> Self {
        Condition::Regex(pattern.into())
    }

    /// A click on `button`.
    pub fn button(button: impl Into<Names>) -> Self {
        Condition::Button(button.into())
    }

    /// A message through `channel`.
    pub fn channel(channel: impl Into<Names>) -> Self {
        Condition::Channel(channel.into())
    }

    /// The conversation has `tag`.
    pub fn tag(tag: impl Into<String>) -> Self {
        Condition::Tag(tag.into())
    }

    /// The conversation is with `team`.
    pub fn with_team(team: impl Into<Names>) -> Self {
        Condition::WithTeam(TeamTest::Teams(team.into()))
    }

    /// Slot `name` is filled.
    pub fn slot_exists(name: impl Into<String>) -> Self {
        Condition::Slot(FieldTest::new(name).exists(true))
    }
}

/// Test on the top intent candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentTest {
    /// The intent id, or several.
    pub id: Names,
    /// Minimum confidence of the top candidate; default: the model's threshold (that
    /// is, the model detected the intent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidence: Option<f32>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Test on keyword hits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeywordTest {
    /// Keywords (as configured on the intents), any of which must be hit.
    pub any: Names,
    /// Whether typo-tolerant (fuzzy) hits count. Default `true`.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub fuzzy: bool,
    /// Whether hits inside a negation count whatever its purpose: the same as
    /// `"negation": "ignore"`. Default `false`.
    #[serde(default, skip_serializing_if = "is_false")]
    pub include_negated: bool,
    /// Which negated hits stop counting. Default [`NegationPolicy::Decline`]: a hit the
    /// customer declines ("I don't want a demo") does not trigger, while a hit that
    /// names what fails ("I can't log in") does. `any` drops every negated hit, `ignore`
    /// none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negation: Option<NegationPolicy>,
    /// Only hits whose negation has this purpose count: `"problem"` for a message that
    /// says the thing fails or is missing ("the demo link doesn't work"), `"declined"`,
    /// or `"none"` for plain mentions. Applied after `negation`. Default: any purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Negation>,
}

impl KeywordTest {
    /// The policy in force: `include_negated` wins, then `negation`, then `decline`.
    pub fn policy(&self) -> NegationPolicy {
        if self.include_negated {
            NegationPolicy::Ignore
        } else {
            self.negation.unwrap_or_default()
        }
    }
}

/// A test on a named attribute or slot. Every operator given must pass; at least one is
/// required. `{"name": "company_size", "gte": 50, "lt": 1000}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldTest {
    /// The attribute or slot name.
    pub name: String,
    /// Equal (numbers numerically, strings case-insensitively).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq: Option<Value>,
    /// Not equal (also true when the attribute is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ne: Option<Value>,
    /// Equal to one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<Value>>,
    /// Numerically greater than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<f64>,
    /// Numerically greater than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<f64>,
    /// Numerically less than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<f64>,
    /// Numerically less than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<f64>,
    /// Present (`true`) or absent (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exists: Option<bool>,
    /// A list containing the value, or a string containing it (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
}

impl FieldTest {
    /// A test on `name` with no operator yet.
    pub fn new(name: impl Into<String>) -> Self {
        FieldTest {
            name: name.into(),
            ..FieldTest::default()
        }
    }

    /// Requires equality.
    pub fn eq(mut self, value: impl Into<Value>) -> Self {
        self.eq = Some(value.into());
        self
    }

    /// Requires one of `values`.
    pub fn one_of(mut self, values: impl IntoIterator<Item = Value>) -> Self {
        self.one_of = Some(values.into_iter().collect());
        self
    }

    /// Requires a number `>= n`.
    pub fn gte(mut self, n: f64) -> Self {
        self.gte = Some(n);
        self
    }

    /// Requires a number `< n`.
    pub fn lt(mut self, n: f64) -> Self {
        self.lt = Some(n);
        self
    }

    /// Requires presence or absence.
    pub fn exists(mut self, yes: bool) -> Self {
        self.exists = Some(yes);
        self
    }
}

/// A numeric test; every operator given must pass, at least one is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberTest {
    /// Equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eq: Option<f64>,
    /// Greater than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gt: Option<f64>,
    /// Greater than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gte: Option<f64>,
    /// Less than.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lt: Option<f64>,
    /// Less than or equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lte: Option<f64>,
}

/// Office hours: days of the week and a daily window `from`..`to` ("HH:MM", local time;
/// `to` before `from` wraps past midnight).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeHours {
    /// Working days. Default: Monday to Friday.
    #[serde(default = "weekdays")]
    pub days: Vec<Weekday>,
    /// Opening time, "HH:MM".
    pub from: String,
    /// Closing time (exclusive), "HH:MM".
    pub to: String,
}

fn weekdays() -> Vec<Weekday> {
    use Weekday::*;
    vec![Mon, Tue, Wed, Thu, Fri]
}

/// Where the conversation goes. Serialized with a `kind` tag:
/// `{"kind": "handoff", "team": "sales", "priority": "high"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Route {
    /// Hand the conversation to a team's queue.
    Handoff {
        /// The team id (must be a configured team).
        team: String,
        /// How urgent.
        #[serde(default)]
        priority: Priority,
    },
    /// Ask a qualifying question first; the next message is parsed as the answer.
    Ask {
        /// The question (a template).
        question: String,
        /// The slot the answer fills.
        slot: String,
        /// Offered answers; empty means a free (numeric or text) answer.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<String>,
    },
    /// Let the bot carry on.
    Continue {
        /// An optional bot step for the host to run (answer docs, small talk...).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
    },
}

impl Default for Route {
    fn default() -> Self {
        Route::Continue { step: None }
    }
}

impl Route {
    /// Hand off to `team` with normal priority.
    pub fn handoff(team: impl Into<String>) -> Self {
        Route::Handoff {
            team: team.into(),
            priority: Priority::Normal,
        }
    }

    /// Ask `question` to fill `slot`.
    pub fn ask(question: impl Into<String>, slot: impl Into<String>) -> Self {
        Route::Ask {
            question: question.into(),
            slot: slot.into(),
            options: Vec::new(),
        }
    }

    /// Continue with bot step `step`.
    pub fn continue_with(step: impl Into<String>) -> Self {
        Route::Continue {
            step: Some(step.into()),
        }
    }

    /// The kind as a word: `handoff`, `ask` or `continue`.
    pub fn kind(&self) -> &'static str {
        match self {
            Route::Handoff { .. } => "handoff",
            Route::Ask { .. } => "ask",
            Route::Continue { .. } => "continue",
        }
    }

    /// The team, for a hand-off.
    pub fn team(&self) -> Option<&str> {
        match self {
            Route::Handoff { team, .. } => Some(team),
            _ => None,
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Handoff { team, priority } => {
                write!(f, "hand off to {team} ({priority:?} priority)")
            }
            Route::Ask { question, slot, .. } => write!(f, "ask for {slot}: {question:?}"),
            Route::Continue { step: Some(step) } => write!(f, "continue with bot step {step}"),
            Route::Continue { step: None } => f.write_str("continue with the bot"),
        }
    }
}

/// Hand-off urgency.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Priority {
    /// Low.
    Low,
    /// Normal.
    #[default]
    Normal,
    /// High.
    High,
    /// Urgent.
    Urgent,
}

/// Something the host should do. Text fields are templates in configuration and
/// rendered text in a [`crate::Decision`]. Serialized with a `kind` tag.
///
/// Template variables: `{user.X}`, `{conversation.X}`, `{conversation.id}`, `{slots.X}`,
/// `{attributes.X}` (a slot, else a user attribute, else a conversation attribute),
/// `{intent}`, `{confidence}` (percent), `{team}`, `{team.name}`, `{team.queue}`,
/// `{team.channel}`, `{channel}`, `{message}`, `{rule}`, `{tags}`, `{keywords}`,
/// `{summary}`. `{user.name|there}` renders `there` when the value is missing; `{{` and
/// `}}` are literal braces.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Action {
    /// Tag the conversation.
    Tag {
        /// The tag.
        tag: String,
    },
    /// Tell the user something.
    Reply {
        /// The message.
        text: String,
    },
    /// Notify a team channel (Slack, email...).
    Notify {
        /// The channel, such as `#sales` or `{team.channel}`.
        channel: String,
        /// The notification.
        text: String,
    },
    /// Push a record to the CRM.
    Crm {
        /// The record type, such as `lead`.
        object: String,
        /// Field name to value (templates).
        #[serde(default)]
        fields: BTreeMap<String, String>,
    },
    /// Put the conversation in a team's queue. Added by the router for every hand-off.
    Assign {
        /// The team id.
        team: String,
        /// The team's queue.
        queue: String,
        /// How urgent.
        #[serde(default)]
        priority: Priority,
    },
    /// Ask the user a question. Added by the router for every `ask` route.
    Ask {
        /// The slot the answer fills.
        slot: String,
        /// The question.
        question: String,
        /// Offered answers (quick replies).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<String>,
    },
}

impl Action {
    /// Tag the conversation.
    pub fn tag(tag: impl Into<String>) -> Self {
        Action::Tag { tag: tag.into() }
    }

    /// Tell the user `text`.
    pub fn reply(text: impl Into<String>) -> Self {
        Action::Reply { text: text.into() }
    }

    /// Notify `channel` with `text`.
    pub fn notify(channel: impl Into<String>, text: impl Into<String>) -> Self {
        Action::Notify {
            channel: channel.into(),
            text: text.into(),
        }
    }

    /// The kind as a word (`tag`, `reply`, `notify`, `crm`, `assign`, `ask`).
    pub fn kind(&self) -> &'static str {
        match self {
            Action::Tag { .. } => "tag",
            Action::Reply { .. } => "reply",
            Action::Notify { .. } => "notify",
            Action::Crm { .. } => "crm",
            Action::Assign { .. } => "assign",
            Action::Ask { .. } => "ask",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Tag { tag } => write!(f, "tag {tag:?}"),
            Action::Reply { text } => write!(f, "reply {text:?}"),
            Action::Notify { channel, text } => write!(f, "notify {channel}: {text:?}"),
            Action::Crm { object, fields } => {
                write!(f, "crm {object}")?;
                for (k, v) in fields {
                    write!(f, " {k}={v:?}")?;
                }
                Ok(())
            }
            Action::Assign {
                team,
                queue,
                priority,
            } => write!(f, "assign to {team} queue {queue:?} ({priority:?})"),
            Action::Ask {
                slot,
                question,
                options,
            } => {
                write!(f, "ask {question:?} (fills {slot})")?;
                if !options.is_empty() {
                    write!(f, " options {options:?}")?;
                }
                Ok(())
            }
        }
    }
}
