//! What the conversation remembers beyond one message: the team it is with, and a
//! compact summary of its signals for the people it is handed to.
//!
//! Both are plain data the host persists with the [`Context`](super::Context); the
//! router updates them through [`ContextUpdate`](super::ContextUpdate).
//!
//! # Bounds
//! A [`Summary`] stays small whatever the conversation's length or its messages' size:
//! at most [`MAX_SUMMARY_INTENTS`] intents and [`MAX_SUMMARY_SLOTS`] slots (later ones
//! are dropped; a slot already listed is updated in place), and every text it keeps (the
//! first request, a slot's text value, a cue) cut to [`MAX_SUMMARY_TEXT`] bytes at a
//! character boundary. Updating it costs O(entries), so at most a few dozen steps.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::value::Value;
use crate::text::truncate_at_char_boundary;

/// The most intents a [`Summary`] lists.
pub const MAX_SUMMARY_INTENTS: usize = 8;
/// The most slots a [`Summary`] lists.
pub const MAX_SUMMARY_SLOTS: usize = 16;
/// The most bytes of any text a [`Summary`] keeps (then cut, with "...").
pub const MAX_SUMMARY_TEXT: usize = 280;

/// The team a conversation is with: set by the decision that handed it off.
///
/// ```
/// use handoff::{Context, WithTeam};
/// let mut context = Context::default();
/// context.conversation.with_team = Some(WithTeam::new("sales", 3));
/// // The host assigned through `Assigner` and records who got it.
/// assert!(context.record_assignment("ana"));
/// assert_eq!(context.conversation.with_team.unwrap().agent.as_deref(), Some("ana"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithTeam {
    /// The team id.
    pub team: String,
    /// The turn (1-based, see [`Conversation::turns`](super::Conversation::turns)) of the
    /// hand-off.
    pub since_turn: u32,
    /// The agent the host assigned, if it recorded one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
}

impl WithTeam {
    /// With `team` since turn `since_turn`, no agent recorded.
    pub fn new(team: impl Into<String>, since_turn: u32) -> Self {
        WithTeam {
            team: team.into(),
            since_turn,
            agent: None,
        }
    }
}

/// Where a slot's value came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlotSource {
    /// Read from a message with this cue word next to the number ("500 seats").
    Cue(String),
    /// The answer to the question asked for it.
    Answer,
    /// Recognized by its shape (an email address).
    Pattern,
    /// A submitted form field.
    Form,
}

impl fmt::Display for SlotSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlotSource::Cue(c) => write!(f, "said, cue {c:?}"),
            SlotSource::Answer => f.write_str("answer"),
            SlotSource::Pattern => f.write_str("said"),
            SlotSource::Form => f.write_str("form"),
        }
    }
}

/// An intent seen in the conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentSeen {
    /// The intent id.
    pub intent: String,
    /// Its best confidence so far.
    pub confidence: f32,
    /// The turn it was first detected.
    pub turn: u32,
}

/// A slot filled in the conversation, and where from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlotSeen {
    /// The slot's name.
    pub slot: String,
    /// Its value (text cut to [`MAX_SUMMARY_TEXT`]).
    pub value: Value,
    /// Where it came from.
    pub source: SlotSource,
    /// The turn that filled it.
    pub turn: u32,
}

/// Why the conversation was last handed off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoffNote {
    /// The team.
    pub team: String,
    /// The rule that handed off (`None`: the flow's default route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The intent detected then, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The turn of the hand-off.
    pub turn: u32,
}

/// A compact, bounded record of the conversation's signals, for the `{summary}`
/// template and the CRM: the request that started it, the intents seen with their
/// confidence, the slots with where they came from, and the last hand-off.
///
/// Bounded whatever the conversation's length or its messages' size: at most
/// [`MAX_SUMMARY_INTENTS`] intents and [`MAX_SUMMARY_SLOTS`] slots (later ones are
/// dropped; a slot already listed is updated in place), every text cut to
/// [`MAX_SUMMARY_TEXT`] bytes at a character boundary. Each update costs O(entries).
///
/// ```
/// use handoff::{SlotSource, Summary, Value};
/// let mut s = Summary::default();
/// s.note_request("how much is the business plan?");
/// s.note_intent("pricing", 0.93, 1);
/// s.note_slot("company_size", &Value::from(120), SlotSource::Answer, 2);
/// assert_eq!(
///     s.to_string(),
///     "request: \"how much is the business plan?\"; intents: pricing 93%; company_size: 120 (answer)",
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// The first message a rule acted on (asked a question or handed off): the question
    /// that made the lead or the ticket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Intents detected, in the order first seen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<IntentSeen>,
    /// Slots filled, in the order first filled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<SlotSeen>,
    /// The last hand-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff: Option<HandoffNote>,
}

/// `text` cut to [`MAX_SUMMARY_TEXT`] bytes, with "..." when cut.
fn bounded_text(text: &str) -> String {
    let cut = truncate_at_char_boundary(text, MAX_SUMMARY_TEXT);
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut.to_string()
    }
}

/// A value with its text and list sizes bounded.
fn bounded_value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(bounded_text(s)),
        Value::List(items) => Value::List(items.iter().take(8).map(bounded_value).collect()),
        other => other.clone(),
    }
}

impl Summary {
    /// Keeps `text` as the request, unless one is kept already or it is blank.
    pub fn note_request(&mut self, text: &str) {
        if self.request.is_none() && !text.trim().is_empty() {
            self.request = Some(bounded_text(text.trim()));
        }
    }

    /// Records an intent seen at `turn`: its best confidence is kept.
    pub fn note_intent(&mut self, intent: &str, confidence: f32, turn: u32) {
        if let Some(seen) = self.intents.iter_mut().find(|i| i.intent == intent) {
            seen.confidence = seen.confidence.max(confidence);
        } else if self.intents.len() < MAX_SUMMARY_INTENTS {
            self.intents.push(IntentSeen {
                intent: bounded_text(intent),
                confidence,
                turn,
            });
        }
    }

    /// Records a slot filled at `turn` (replacing what it held before).
    pub fn note_slot(&mut self, slot: &str, value: &Value, source: SlotSource, turn: u32) {
        let source = match source {
            SlotSource::Cue(c) => SlotSource::Cue(bounded_text(&c)),
            other => other,
        };
        let seen = SlotSeen {
            slot: bounded_text(slot),
            value: bounded_value(value),
            source,
            turn,
        };
        if let Some(at) = self.slots.iter().position(|s| s.slot == slot) {
            self.slots[at] = seen;
        } else if self.slots.len() < MAX_SUMMARY_SLOTS {
            self.slots.push(seen);
        }
    }

    /// Where a slot listed here came from.
    pub fn source(&self, slot: &str) -> Option<&SlotSource> {
        self.slots
            .iter()
            .find(|s| s.slot == slot)
            .map(|s| &s.source)
    }
}

impl fmt::Display for Summary {
    /// `request: "..."; intents: pricing 93%, demo 71%; company_size: 120 (answer);
    /// handed off to sales (rule qualified, turn 2)`: the parts present, in that order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        if let Some(r) = &self.request {
            write!(f, "request: {r:?}")?;
            sep = "; ";
        }
        if !self.intents.is_empty() {
            write!(f, "{sep}intents: ")?;
            for (i, seen) in self.intents.iter().enumerate() {
                let comma = if i > 0 { ", " } else { "" };
                let pct = (seen.confidence * 100.0).round();
                write!(f, "{comma}{} {pct}%", seen.intent)?;
            }
            sep = "; ";
        }
        for s in &self.slots {
            write!(f, "{sep}{}: {} ({})", s.slot, s.value, s.source)?;
            sep = "; ";
        }
        if let Some(h) = &self.handoff {
            write!(f, "{sep}handed off to {} (", h.team)?;
            match &h.rule {
                Some(r) => write!(f, "rule {r}, turn {})", h.turn)?,
                None => write!(f, "default route, turn {})", h.turn)?,
            }
        }
        Ok(())
    }
}
