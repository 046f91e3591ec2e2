//! The first and the next-to-last steps of a decision: reading the turn (the text, the
//! answer to a pending question, form fields) and computing what the host persists.

use std::collections::BTreeMap;

use crate::conversation::{Context, ContextUpdate, Message, Pending, Value};
use crate::flow::answer::parse_answer;
use crate::flow::compile::Facts;
use crate::flow::{Action, AnswerTrace, Route};
use crate::intent::Detection;

/// What one message brings, before detection: its text and the slots it fills.
pub(super) struct Turn<'m> {
    /// The message text ("" for an event alone).
    pub(super) text: &'m str,
    /// Slots filled by this message: the parsed answer, then form fields.
    pub(super) new_slots: BTreeMap<String, Value>,
    /// The slot this message answered, if it answered the pending question.
    pub(super) answered: Option<&'m str>,
    /// The slot of the question pending before this message.
    pub(super) pending: Option<&'m str>,
    /// How the pending question's answer was read.
    pub(super) answer: Option<AnswerTrace>,
}

impl<'m> Turn<'m> {
    pub(super) fn read(message: &'m Message, context: &'m Context) -> Turn<'m> {
        let pending = context.conversation.pending.as_ref();
        let mut turn = Turn {
            text: message.text.as_deref().unwrap_or(""),
            new_slots: BTreeMap::new(),
            answered: None,
            pending: pending.map(|p| p.slot.as_str()),
            answer: None,
        };
        if let Some(p) = pending {
            turn.read_answer(message, p);
        }
        if let Some(form) = message.event.as_ref().and_then(|e| e.form.as_ref()) {
            for (k, v) in &form.fields {
                turn.new_slots.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        turn
    }

    /// Parses the reply to the pending question `p`: the text, or a clicked button's id
    /// (quick replies). A reply that does not parse still clears the question.
    fn read_answer(&mut self, message: &Message, p: &'m Pending) {
        let reply = if self.text.trim().is_empty() {
            let button = message.event.as_ref().and_then(|e| e.button.as_deref());
            button.unwrap_or("")
        } else {
            self.text
        };
        if reply.trim().is_empty() {
            return;
        }
        let value = parse_answer(reply, &p.options);
        if let Some(v) = &value {
            self.new_slots.insert(p.slot.clone(), v.clone());
            self.answered = Some(p.slot.as_str());
        }
        self.answer = Some(AnswerTrace {
            slot: p.slot.clone(),
            text: reply.to_string(),
            value,
        });
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

/// What the host persists after the decision: the filled slots, the tags the actions
/// add (those not already on the conversation), the question now pending, and the
/// failed-turn count. `understood`: an intent was detected, a rule gave the route, or
/// the pending question was answered.
pub(super) fn context_update(
    context: &Context,
    new_slots: BTreeMap<String, Value>,
    (route, actions): (&Route, &[Action]),
    understood: bool,
    rule: Option<&str>,
) -> ContextUpdate {
    ContextUpdate {
        set_slots: new_slots,
        add_tags: tags_to_add(context, actions),
        pending: pending_after(route, rule),
        failed_turns: failed_turns(context, route, understood),
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

/// A hand-off or an understood turn resets the count; any other turn adds one.
fn failed_turns(context: &Context, route: &Route, understood: bool) -> u32 {
    if matches!(route, Route::Handoff { .. }) || understood {
        0
    } else {
        context.conversation.failed_turns.saturating_add(1)
    }
}

/// An ask route leaves its question pending; any other route clears it.
fn pending_after(route: &Route, rule: Option<&str>) -> Option<Pending> {
    match route {
        Route::Ask { slot, options, .. } => Some(Pending {
            slot: slot.clone(),
            options: options.clone(),
            rule: rule.map(str::to_string),
        }),
        _ => None,
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
        let turn = Turn::read(&message, &context);
        assert_eq!(turn.answered, Some("size"));
        assert_eq!(turn.pending, Some("size"));
        assert_eq!(turn.new_slots["size"], Value::from(300));
        assert_eq!(turn.new_slots["plan"], Value::from("pro"));
        // A clicked quick reply answers when there is no text.
        let context = pending("human", &["Yes, please", "No, thanks"]);
        let click = Message::button("Yes, please");
        let turn = Turn::read(&click, &context);
        assert_eq!(turn.new_slots["human"], Value::from("Yes, please"));
        // A reply that does not parse answers nothing but is traced.
        let context = pending("size", &[]);
        let unclear = Message::text("no idea");
        let turn = Turn::read(&unclear, &context);
        assert_eq!(turn.answered, None);
        assert_eq!(turn.answer.map(|a| a.value), Some(None));
        // No pending question: nothing is read as an answer.
        let (number, fresh) = (Message::text("300"), Context::default());
        let turn = Turn::read(&number, &fresh);
        assert!(turn.new_slots.is_empty() && turn.answer.is_none());
    }

    #[test]
    fn computing_the_update() {
        let mut context = Context::default();
        context.conversation.tags.push("VIP".into());
        context.conversation.failed_turns = 2;
        let actions = [Action::tag("VIP"), Action::tag("Lead"), Action::tag("Lead")];
        let ask = Route::ask("How many?", "size");
        let u = context_update(
            &context,
            BTreeMap::new(),
            (&ask, &actions),
            false,
            Some("r"),
        );
        assert_eq!(u.add_tags, ["Lead"]);
        assert_eq!(u.failed_turns, 3);
        let p = u.pending.unwrap();
        assert_eq!((p.slot.as_str(), p.rule.as_deref()), ("size", Some("r")));
        let handoff = Route::handoff("sales");
        let u = context_update(&context, BTreeMap::new(), (&handoff, &[]), false, None);
        assert_eq!((u.failed_turns, u.pending), (0, None));
        let cont = Route::default();
        let u = context_update(&context, BTreeMap::new(), (&cont, &[]), true, None);
        assert_eq!(u.failed_turns, 0);
    }
}
