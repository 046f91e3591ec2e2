//! The router value and its decision pipeline: each step a named function.

use std::sync::Arc;

use super::decision::{Bot, Decision};
use super::summary::summarize;
use super::turn::{context_update, Decided, Turn};
use crate::conversation::{Context, Message};
use crate::flow::compile::CompiledFlow;
use crate::flow::render::render;
use crate::intent::{Detection, IntentModel};
use crate::persist::Fingerprint;
use crate::slots::{Extracted, SlotExtractors};

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) model: IntentModel,
    pub(super) flow: CompiledFlow,
    /// The slot extractors, when the configuration declares any.
    pub(super) slots: Option<SlotExtractors>,
    /// The flow, teams, slot extractors and limits as saved (see `persist`).
    pub(super) source: Arc<str>,
    pub(super) fingerprint: Fingerprint,
}

/// Decides, per message, where a conversation goes. Immutable, `Send + Sync`, cheap to
/// clone: intent model + compiled flow + teams.
///
/// [`Router::decide`] takes a [`Message`] (text, or an event such as a button click or a
/// form submission, plus the channel it came through) and a [`Context`] (user
/// attributes, conversation state, the host's local time) and returns a [`Decision`]:
/// the [`Route`], the [`Action`]s for the host with templates already rendered, the
/// intent [`Detection`], the matched rule(s), the [`ContextUpdate`] to persist, and a
/// [`Trace`] that [`Decision::explain`] renders for a person. The router does no I/O
/// and reads no clock.
///
/// [`Message`]: crate::Message
/// [`Context`]: crate::Context
/// [`Route`]: crate::flow::Route
/// [`Action`]: crate::flow::Action
/// [`Detection`]: crate::Detection
/// [`ContextUpdate`]: crate::ContextUpdate
/// [`Trace`]: crate::flow::Trace
///
/// Pending questions: when a decision asks for slot S (an `ask` route), its update sets
/// `conversation.pending`. The host stores it; on the next message the text is read as
/// the answer, the slot is filled for this decision and in the update, the pending
/// question is cleared, and the flow routes on it (`answered` / `slot` conditions). A
/// slot with an extractor ([`RouterConfig::slots`](crate::RouterConfig::slots)) is read by it ("two hundred and
/// fifty", "2,000", "50-100" (midpoint, 75), "a dozen"); a number it rejects ("-5",
/// "1e308") answers nothing, the trace says why and the question stays pending unless
/// the flow hands off or asks something else. Otherwise (options, or nothing the
/// extractor recognizes) the options or number parser reads it, and a question whose
/// answer does not parse is still cleared; the `pending` condition lets the flow handle
/// that turn.
///
/// Slots from any message: the extractors also read every message for slots not known
/// yet ("we're a 2,000-person bank", "write to ana@bank.example") and fill them, asked
/// or not; a slot known is never asked for again (see [`crate::flow`]).
///
/// The conversation's state: every update counts the turn (`conversation.turns`); a
/// hand-off sets `conversation.with_team` (team, since which turn; the host may record
/// the assigned agent with [`ContextUpdate::record_assignment`](crate::ContextUpdate::record_assignment) or
/// [`Context::record_assignment`](crate::Context::record_assignment)); the bounded
/// `conversation.summary` keeps the request a rule first acted on, the intents seen, the
/// slots and where they came from, and the last hand-off, which `{summary}` renders for
/// the CRM and the team.
///
/// Failed turns: a turn fails when no intent is detected, no rule gave the route and no
/// question was answered, while the conversation is with no team; the update then carries
/// `failed_turns + 1`. Any other turn (and every hand-off) resets it to 0. Flows offer a
/// human with a `failed_turns` condition.
///
/// Loading: [`RouterConfig`](crate::RouterConfig) is serde, in any format the host reads;
/// [`Router::from_deserializer`] (or [`RouterConfig::from_deserializer`](crate::RouterConfig::from_deserializer)) reads it from
/// any serde `Deserializer` and reports a field of the wrong type with its path, as
/// building reports an invalid value: `flow.rules[3].priority: invalid type: ...`.
///
/// # Complexity
/// Building trains the model and compiles the flow (linear in its size). `decide` costs
/// one intent detection plus the evaluation of the candidate rules only (see
/// [`crate::flow`]); rendering is linear in the templates' output.
///
/// # Example
/// ```
/// use handoff::{Context, Message, Router, RouterConfig};
/// let config: RouterConfig = serde_json::from_str(r##"{
///   "intents": [
///     {"id": "pricing", "phrases": ["how much does it cost", "what are your prices"],
///      "keywords": ["pricing", "quote"]},
///     {"id": "support", "phrases": ["I can't log in", "the app is broken"]}
///   ],
///   "teams": [{"id": "sales", "channel": "#sales"}, {"id": "support"}],
///   "flow": {"rules": [
///     {"id": "demo", "when": {"button": "book_demo"},
///      "route": {"kind": "handoff", "team": "sales"},
///      "actions": [{"kind": "tag", "tag": "Sales Lead"},
///                  {"kind": "reply", "text": "Thanks {user.name|there}! Connecting you now."}]},
///     {"id": "quote", "when": {"keyword": {"any": "quote"}},
///      "route": {"kind": "handoff", "team": "sales"}}
///   ]}
/// }"##).unwrap();
/// let router = Router::from_config(config).unwrap();
///
/// let mut context = Context::default();
/// context.user.insert("name".into(), "Ada".into());
/// let d = router.decide(&Message::button("book_demo"), &context);
/// assert_eq!(d.route.team(), Some("sales"));
/// assert_eq!(d.rule.as_deref(), Some("demo"));
/// assert!(d.actions.iter().any(|a| a.to_string() == r#"reply "Thanks Ada! Connecting you now.""#));
/// assert_eq!(d.updates.add_tags, ["Sales Lead"]);
///
/// let d = router.decide(&Message::text("can I get a quote?"), &context);
/// assert_eq!(d.route.kind(), "handoff");
/// assert!(d.explain().contains("quote"));
/// ```
#[derive(Clone, Debug)]
pub struct Router {
    pub(super) inner: Arc<Inner>,
}

impl Router {
    /// The intent model.
    pub fn model(&self) -> &IntentModel {
        &self.inner.model
    }

    /// The slot extractors, when the configuration declares any.
    pub fn slots(&self) -> Option<&SlotExtractors> {
        self.inner.slots.as_ref()
    }

    /// Decides where the conversation goes. Never panics, whatever the input.
    ///
    /// The steps: read the turn (text, any pending question's answer, slots the text
    /// mentions, form fields), detect the intent, evaluate the flow (which holds back a
    /// hand-off to the team the conversation is already with), update the summary,
    /// render the route and actions, compute what the host persists, and assemble the
    /// decision.
    pub fn decide(&self, message: &Message, context: &Context) -> Decision {
        let (detection, found, read) = self.detect_and_read_slots(message, context);
        // One truncation policy: the flow (regexes, `{message}`), the answer and the
        // summary read the text as detection did, cut to the message limit.
        let text = message.text.as_deref().unwrap_or("");
        let text = &text[..read.min(text.len())];
        let turn = Turn::read(message, text, context, &found);
        let facts = turn.facts(&detection, message, context);
        let outcome = self.inner.flow.evaluate(&facts);
        let summary = summarize(context, &turn, &detection, &outcome);
        let (route, actions) = render(&outcome, &facts, &summary);
        let decided = Decided {
            route: &route,
            actions: &actions,
            understood: detection.intent.is_some()
                || !outcome.default_used
                || turn.answered.is_some(),
            rule: outcome.rule().map(|r| &**r),
            rejected: turn.rejected,
        };
        let updates = context_update(context, turn.new_slots, &decided, summary);
        Decision::assemble(
            route,
            actions,
            updates,
            detection,
            outcome,
            turn.answer,
            self.bot(),
        )
    }

    /// What a decision records of this router: the threshold and margin it judged
    /// against, and its fingerprint.
    fn bot(&self) -> Bot {
        Bot {
            threshold: self.inner.model.threshold(),
            ambiguity_margin: self.inner.model.ambiguity_margin(),
            fingerprint: self.inner.fingerprint,
        }
    }

    /// Detects the intent of the message's text and reads the slots it mentions, from
    /// one normalization of the text as scored; no text, no intent and no slots. Also
    /// returns how many bytes of the text detection read (the text cut to the limit).
    fn detect_and_read_slots(
        &self,
        message: &Message,
        context: &Context,
    ) -> (Detection, Vec<Extracted>, usize) {
        let text = message.text.as_deref().unwrap_or("");
        if text.trim().is_empty() {
            return (Detection::default(), Vec::new(), 0);
        }
        let model = &self.inner.model;
        let Some(slots) = &self.inner.slots else {
            let (detection, read) = model.detect_and_read(text, |scored, _| scored.len());
            return (detection, Vec::new(), read);
        };
        let pending = context.conversation.pending.as_ref();
        let asked = pending
            .filter(|p| p.options.is_empty())
            .map(|p| p.slot.as_str());
        if slots.normalizer().options() != model.normalizer().options() {
            // Different normalizations (a host's own extractors): read the text apart,
            // as cut for detection.
            let (detection, read) = model.detect_and_read(text, |scored, _| scored.len());
            let found = slots.extract(&text[..read], asked);
            return (detection, found, read);
        }
        let (detection, (found, read)) = model.detect_and_read(text, |scored, normalized| {
            (
                slots.extract_normalized(scored, normalized, asked),
                scored.len(),
            )
        });
        (detection, found, read)
    }
}
