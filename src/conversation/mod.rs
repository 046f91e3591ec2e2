//! The conversation's input and state: messages, the context, and its updates.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

pub(crate) mod summary;
pub(crate) mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use summary::{
    HandoffNote, IntentSeen, SlotSeen, SlotSource, Summary, WithTeam, MAX_SUMMARY_INTENTS,
    MAX_SUMMARY_SLOTS, MAX_SUMMARY_TEXT,
};
pub use value::Value;

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
///
/// The conversation's input and state: what the host passes to
/// [`Router::decide`](crate::Router::decide) and what it persists between messages.
///
/// A [`Message`] is what arrived (text, a button click or form submission, the channel);
/// a [`Context`] is what the host knows around it (user attributes, the
/// [`Conversation`]'s tags, slots and pending question, the local time). A decision
/// returns a [`ContextUpdate`]; [`Context::apply`] folds it in, which is the multi-turn
/// loop: decide, carry out the actions, apply, persist.
///
/// These are plain data with serde, below the flow: nothing here knows about rules.
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
        c.turns = c.turns.max(update.turn);
        if let Some(team) = &update.with_team {
            c.with_team = Some(team.clone());
        }
        if let Some(summary) = &update.summary {
            c.summary = summary.clone();
        }
    }

    /// Records the agent the host assigned the conversation to (through
    /// [`Assigner`](crate::assign::Assigner) or otherwise). Returns `false`, recording nothing,
    /// when the conversation is with no team.
    pub fn record_assignment(&mut self, agent: impl Into<String>) -> bool {
        match &mut self.conversation.with_team {
            Some(team) => {
                team.agent = Some(agent.into());
                true
            }
            None => false,
        }
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
    /// Messages decided so far: the update of each decision counts one.
    #[serde(default)]
    pub turns: u32,
    /// The team the conversation was handed to, if any. While it is set, a rule handing
    /// off to the same team again does nothing unless it allows a `repeat`, and turns
    /// the bot does not understand are not counted as failed. The host clears it when
    /// the conversation closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_team: Option<WithTeam>,
    /// A bounded record of the conversation's signals (see [`Summary`]).
    #[serde(default, skip_serializing_if = "is_empty_summary")]
    pub summary: Summary,
}

fn is_empty_summary(s: &Summary) -> bool {
    *s == Summary::default()
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
#[non_exhaustive]
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
    /// This message's turn number (the conversation's `turns` after it).
    #[serde(default)]
    pub turn: u32,
    /// Set when this decision handed the conversation to a team; `None` leaves the
    /// conversation's team as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with_team: Option<WithTeam>,
    /// The conversation's summary after this message; `None` leaves it as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}

impl ContextUpdate {
    /// Records the agent the host assigned this decision's hand-off to, so that
    /// [`Context::apply`] keeps it. Returns `false`, recording nothing, when this
    /// decision did not hand off.
    pub fn record_assignment(&mut self, agent: impl Into<String>) -> bool {
        match &mut self.with_team {
            Some(team) => {
                team.agent = Some(agent.into());
                true
            }
            None => false,
        }
    }
}

/// A day of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    /// Monday.
    #[serde(alias = "monday")]
    Mon,
    /// Tuesday.
    #[serde(alias = "tuesday")]
    Tue,
    /// Wednesday.
    #[serde(alias = "wednesday")]
    Wed,
    /// Thursday.
    #[serde(alias = "thursday")]
    Thu,
    /// Friday.
    #[serde(alias = "friday")]
    Fri,
    /// Saturday.
    #[serde(alias = "saturday")]
    Sat,
    /// Sunday.
    #[serde(alias = "sunday")]
    Sun,
}

impl Weekday {
    /// The day before.
    pub fn previous(self) -> Weekday {
        use Weekday::*;
        match self {
            Mon => Sun,
            Tue => Mon,
            Wed => Tue,
            Thu => Wed,
            Fri => Thu,
            Sat => Fri,
            Sun => Sat,
        }
    }
}
