//! What a decision saw and why: the trace the flow records while it evaluates, which
//! [`Decision::explain`](crate::Decision::explain) renders for a person.

use std::sync::Arc;

use serde::Serialize;

use crate::conversation::{LocalTime, Value};
use crate::keywords::{KeywordHit, MatchKind, Negation};

/// What a condition saw, for the trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
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
    /// The message's hits of the condition's keywords: the first
    /// [`MAX_TRACE_ITEMS`](crate::MAX_TRACE_ITEMS), and how many more there were.
    Keywords {
        /// The first hits, in message order.
        hits: Vec<KeywordHit>,
        /// How many more hits there were.
        more: usize,
    },
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
            Saw::Keywords { hits, .. } if hits.is_empty() => f.write_str("no keywords"),
            Saw::Keywords { hits, more } => {
                for (i, h) in hits.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&h.keyword)?;
                    if let MatchKind::Fuzzy { distance } = h.kind {
                        write!(f, " (typo, distance {distance})")?;
                    }
                    match h.negation {
                        Negation::Declined => f.write_str(" (declined)")?,
                        Negation::Problem => f.write_str(" (negated: a problem)")?,
                        _ if h.negated => f.write_str(" (negated)")?,
                        _ => {}
                    }
                }
                if *more > 0 {
                    write!(f, " and {more} more")?;
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
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
pub struct AnswerTrace {
    /// The slot.
    pub slot: String,
    /// The text read.
    pub text: String,
    /// The parsed value; `None` when it did not parse or was rejected.
    pub value: Option<Value>,
    /// Why the slot's extractor rejected the number read ("negative", "above the
    /// maximum 10000000"); the question then stays pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected: Option<String>,
}

/// A hand-off not repeated: the conversation was already with the rule's team.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct HeldHandoff {
    /// The rule whose hand-off was held back (`None`: the flow's default route).
    pub rule: Option<Arc<str>>,
    /// The team the conversation is with.
    pub team: String,
    /// The turn it was handed to that team.
    pub since_turn: u32,
}

/// Why a decision came out the way it did.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Trace {
    /// The pending question's answer, if one was pending.
    pub answer: Option<AnswerTrace>,
    /// Every rule considered, in evaluation order.
    pub rules: Vec<RuleTrace>,
    /// Rules not considered because the index showed they could not match.
    pub skipped: usize,
    /// Whether the flow's default route was used.
    pub default_route: bool,
    /// Set when the route was a hand-off to the team the conversation is already with:
    /// the decision continues instead, without that rule's actions.
    pub held: Option<HeldHandoff>,
}
