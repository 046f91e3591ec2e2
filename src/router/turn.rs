//! The first and the next-to-last steps of a decision: reading the turn (the text, the
//! answer to a pending question, form fields) and computing what the host persists.

use std::collections::BTreeMap;

use crate::conversation::{Context, ContextUpdate, Message, Pending, SlotSource, Summary, Value};
use crate::conversation::{WithTeam, MAX_SUMMARY_TEXT};
use crate::flow::answer::parse_answer;
use crate::flow::compile::Facts;
use crate::flow::{Action, AnswerTrace, Route};
use crate::intent::Detection;
use crate::limits::MAX_PENDING_OPTIONS;
use crate::slots::{Extracted, SlotValue, Source};
use crate::text::truncate_at_char_boundary;

/// The longest text value a slot keeps from a message (a free-text answer): longer
/// messages are cut at a character boundary, so slots stay bounded.
pub(crate) const MAX_SLOT_TEXT: usize = 4 * MAX_SUMMARY_TEXT;

/// What one message brings, before detection: its text and the slots it fills.
pub(super) struct Turn<'m> {
    /// The message text ("" for an event alone).
    pub(super) text: &'m str,
    /// Slots filled by this message: the answer, slots read from the text, form fields.
    pub(super) new_slots: BTreeMap<String, Value>,
    /// Where each of `new_slots` came from.
    pub(super) sources: BTreeMap<String, SlotSource>,
    /// The slot this message answered, if it answered the pending question.
    pub(super) answered: Option<&'m str>,
    /// The slot of the question pending before this message.
    pub(super) pending: Option<&'m str>,
    /// How the pending question's answer was read.
    pub(super) answer: Option<AnswerTrace>,
    /// Whether the answer was rejected (the question stays pending).
    pub(super) rejected: bool,
}

impl<'m> Turn<'m> {
    /// Reads the message: the pending question's answer (through the slot's extractor
    /// when it has one, else the options or number parser), the slots its text fills
    /// unprompted (those not known yet), then form fields.
    ///
    /// `text` is the message's text as detection read it (cut to the message limit):
    /// everything after detection reads no more than that.
    pub(super) fn read(
        message: &'m Message,
        text: &'m str,
        context: &'m Context,
        found: &[Extracted],
    ) -> Turn<'m> {
        let pending = context.conversation.pending.as_ref();
        let mut turn = Turn {
            text,
            new_slots: BTreeMap::new(),
            sources: BTreeMap::new(),
            answered: None,
            pending: pending.map(|p| p.slot.as_str()),
            answer: None,
            rejected: false,
        };
        if let Some(p) = pending {
            turn.read_answer(message, p, found);
        }
        turn.fill_unprompted(found, context);
        if let Some(form) = message.event.as_ref().and_then(|e| e.form.as_ref()) {
            for (k, v) in &form.fields {
                if !turn.new_slots.contains_key(k) {
                    turn.fill(k, v.bounded_clone(), SlotSource::Form);
                }
            }
        }
        turn
    }

    fn fill(&mut self, slot: &str, value: Value, source: SlotSource) {
        self.new_slots.insert(slot.to_string(), value);
        self.sources.insert(slot.to_string(), source);
    }

    /// Parses the reply to the pending question `p`: the text, or a clicked button's id
    /// (quick replies). The slot's extractor reads it first when it found something for
    /// the slot: accepted, it answers; rejected, the question stays pending. Otherwise
    /// the options or number parser reads it; a reply that does not parse still clears
    /// the question.
    fn read_answer(&mut self, message: &Message, p: &'m Pending, found: &[Extracted]) {
        let reply = if self.text.trim().is_empty() {
            let button = message.event.as_ref().and_then(|e| e.button.as_deref());
            button.unwrap_or("")
        } else {
            self.text
        };
        if reply.trim().is_empty() {
            return;
        }
        let extracted = found.iter().find(|e| e.slot == p.slot);
        let (value, rejected) = match extracted.filter(|_| p.options.is_empty()) {
            Some(e) => match &e.rejection {
                Some(r) => (None, Some(r.to_string())),
                None => (Some(slot_value(&e.value)), None),
            },
            None => (parse_answer(reply, &p.options), None),
        };
        if let Some(v) = &value {
            self.fill(&p.slot, v.clone(), SlotSource::Answer);
            self.answered = Some(p.slot.as_str());
        }
        self.rejected = rejected.is_some();
        self.answer = Some(AnswerTrace {
            slot: p.slot.clone(),
            text: truncate_at_char_boundary(reply, MAX_SLOT_TEXT).to_string(),
            value,
            rejected,
        });
    }

    /// Fills the slots the text mentions that are not known yet (neither in the
    /// conversation nor filled by this message's answer).
    fn fill_unprompted(&mut self, found: &[Extracted], context: &Context) {
        for e in found.iter().filter(|e| e.is_accepted()) {
            let known = context.conversation.slots.contains_key(&e.slot)
                || self.new_slots.contains_key(&e.slot);
            if !known {
                let source = match &e.source {
                    Source::Cue(c) => SlotSource::Cue(c.clone()),
                    Source::Pattern => SlotSource::Pattern,
                    _ => SlotSource::Answer,
                };
                self.fill(&e.slot, slot_value(&e.value), source);
            }
        }
    }

    /// The facts the flow evaluates, once the intent is detected.
    pub(super) fn facts<'a>(
        &'a self,
        detection: &'a Detection,
        message: &'a Message,
        context: &'a Context,
    ) -> Facts<'a> {
        Facts {
            detection,
            text: self.text,
            message,
            context,
            new_slots: &self.new_slots,
            answered: self.answered,
            pending: self.pending,
        }
    }
}

/// A value read by an extractor as a slot value: a range is its midpoint, text is cut
/// to [`MAX_SLOT_TEXT`].
fn slot_value(value: &SlotValue) -> Value {
    match value {
        SlotValue::Text(t) => Value::String(truncate_at_char_boundary(t, MAX_SLOT_TEXT).into()),
        other => Value::Number(other.as_number().unwrap_or(0.0)),
    }
}

/// What the decision did, as the update needs it.
pub(super) struct Decided<'a> {
    pub(super) route: &'a Route,
    pub(super) actions: &'a [Action],
    /// An intent was detected, a rule gave the route, or the pending question was
    /// answered.
    pub(super) understood: bool,
    /// The rule that gave the route.
    pub(super) rule: Option<&'a str>,
    /// The pending answer was rejected.
    pub(super) rejected: bool,
}

/// What the host persists after the decision: the filled slots, the tags the actions
/// add (those not already on the conversation), the question now pending, the
/// failed-turn count, the turn number, the team a hand-off gives the conversation to,
/// and the summary when it changed.
pub(super) fn context_update(
    context: &Context,
    new_slots: BTreeMap<String, Value>,
    decided: &Decided<'_>,
    summary: Summary,
) -> ContextUpdate {
    let c = &context.conversation;
    let turn = c.turns.saturating_add(1);
    ContextUpdate {
        set_slots: new_slots,
        add_tags: tags_to_add(context, decided.actions),
        pending: pending_after(context, decided),
        failed_turns: failed_turns(context, decided.route, decided.understood),
        turn,
        with_team: decided.route.team().map(|team| WithTeam::new(team, turn)),
        summary: (summary != c.summary).then_some(summary),
    }
}

fn tags_to_add(context: &Context, actions: &[Action]) -> Vec<String> {
    let mut add: Vec<String> = Vec::new();
    for a in actions {
        if let Action::Tag { tag } = a {
            let present = context.conversation.tags.contains(tag) || add.contains(tag);
            if !present {
                add.push(tag.clone());
            }
        }
    }
    add
}

/// A hand-off or an understood turn resets the count, and so does any turn once the
/// conversation is with a team (people answer it now); any other turn adds one.
fn failed_turns(context: &Context, route: &Route, understood: bool) -> u32 {
    let with_team = context.conversation.with_team.is_some();
    if matches!(route, Route::Handoff { .. }) || understood || with_team {
        0
    } else {
        context.conversation.failed_turns.saturating_add(1)
    }
}

/// An ask route leaves its question pending; a rejected answer leaves the question
/// that was pending unless the route hands off; any other route clears it.
fn pending_after(context: &Context, decided: &Decided<'_>) -> Option<Pending> {
    match decided.route {
        Route::Ask { slot, options, .. } => Some(Pending {
            slot: slot.clone(),
            options: options.clone(),
            rule: decided.rule.map(str::to_string),
        }),
        Route::Continue { .. } if decided.rejected => {
            context.conversation.pending.as_ref().map(bounded_pending)
        }
        _ => None,
    }
}

/// The pending question kept for the next turn, with at most [`MAX_PENDING_OPTIONS`]
/// options (all the answer parser reads).
fn bounded_pending(p: &Pending) -> Pending {
    Pending {
        slot: p.slot.clone(),
        options: p
            .options
            .iter()
            .take(MAX_PENDING_OPTIONS)
            .cloned()
            .collect(),
        rule: p.rule.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Event, Form};

    fn pending(slot: &str, options: &[&str]) -> Context {
        let mut c = Context::default();
        c.conversation.pending = Some(Pending {
            slot: slot.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            rule: None,
        });
        c
    }

    #[test]
    fn reading_a_turn() {
        // A number answers; the answer wins over a form field of the same slot.
        let mut fields = BTreeMap::new();
        fields.insert("size".to_string(), Value::from(5));
        fields.insert("plan".to_string(), Value::from("pro"));
        let message = Message {
            text: Some("about 300 people".into()),
            event: Some(Event {
                button: None,
                form: Some(Form {
                    id: "f".into(),
                    fields,
                }),
            }),
            channel: None,
        };
        let context = pending("size", &[]);
        let turn = Turn::read(
            &message,
            message.text.as_deref().unwrap_or(""),
            &context,
            &[],
        );
        assert_eq!(turn.answered, Some("size"));
        assert_eq!(turn.pending, Some("size"));
        assert_eq!(turn.new_slots["size"], Value::from(300));
        assert_eq!(turn.new_slots["plan"], Value::from("pro"));
        // A clicked quick reply answers when there is no text.
        let context = pending("human", &["Yes, please", "No, thanks"]);
        let click = Message::button("Yes, please");
        let turn = Turn::read(&click, "", &context, &[]);
        assert_eq!(turn.new_slots["human"], Value::from("Yes, please"));
        // A reply that does not parse answers nothing but is traced.
        let context = pending("size", &[]);
        let unclear = Message::text("no idea");
        let turn = Turn::read(&unclear, "no idea", &context, &[]);
        assert_eq!(turn.answered, None);
        assert_eq!(turn.answer.map(|a| a.value), Some(None));
        // No pending question: nothing is read as an answer.
        let (number, fresh) = (Message::text("300"), Context::default());
        let turn = Turn::read(&number, "300", &fresh, &[]);
        assert!(turn.new_slots.is_empty() && turn.answer.is_none());
    }

    #[test]
    fn computing_the_update() {
        let mut context = Context::default();
        context.conversation.tags.push("VIP".into());
        context.conversation.failed_turns = 2;
        context.conversation.turns = 4;
        let actions = [Action::tag("VIP"), Action::tag("Lead"), Action::tag("Lead")];
        let decided = |route, actions, understood, rule, rejected| Decided {
            route,
            actions,
            understood,
            rule,
            rejected,
        };
        let ask = Route::ask("How many?", "size");
        let d = decided(&ask, &actions, false, Some("r"), false);
        let u = context_update(&context, BTreeMap::new(), &d, Summary::default());
        assert_eq!(u.add_tags, ["Lead"]);
        assert_eq!(
            (u.failed_turns, u.turn, u.with_team.is_none()),
            (3, 5, true)
        );
        assert_eq!(u.summary, None, "an unchanged summary is not sent again");
        let p = u.pending.unwrap();
        assert_eq!((p.slot.as_str(), p.rule.as_deref()), ("size", Some("r")));
        let handoff = Route::handoff("sales");
        let d = decided(&handoff, &[], false, None, false);
        let u = context_update(&context, BTreeMap::new(), &d, Summary::default());
        assert_eq!((u.failed_turns, u.pending), (0, None));
        assert_eq!(u.with_team, Some(WithTeam::new("sales", 5)));
        let cont = Route::default();
        let d = decided(&cont, &[], true, None, false);
        let u = context_update(&context, BTreeMap::new(), &d, Summary::default());
        assert_eq!(u.failed_turns, 0);
        // A rejected answer keeps the question pending; once with a team, a turn not
        // understood is not a failed one.
        context.conversation.pending = Some(Pending {
            slot: "size".into(),
            options: Vec::new(),
            rule: None,
        });
        let d = decided(&cont, &[], false, None, true);
        let u = context_update(&context, BTreeMap::new(), &d, Summary::default());
        assert_eq!(u.pending, context.conversation.pending);
        assert_eq!(u.failed_turns, 3);
        context.conversation.with_team = Some(WithTeam::new("sales", 1));
        let u = context_update(&context, BTreeMap::new(), &d, Summary::default());
        assert_eq!(u.failed_turns, 0);
    }
}
