//! The router value and its decision pipeline: each step a named function.

use std::sync::Arc;

use super::decision::Decision;
use super::summary::summarize;
use super::turn::{context_update, Decided, Turn};
use crate::conversation::{Context, Message};
use crate::flow::compile::CompiledFlow;
use crate::flow::render::render;
use crate::intent::{Detection, IntentModel};
use crate::slots::SlotExtractors;

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) model: IntentModel,
    pub(super) flow: CompiledFlow,
    /// The slot extractors, when the configuration declares any.
    pub(super) slots: Option<SlotExtractors>,
}

/// Decides, per message, where a conversation goes. Immutable, `Send + Sync`, cheap to
/// clone. See the [module docs](crate::router).
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
        let turn = Turn::read(message, context, self.inner.slots.as_ref());
        let detection = self.detect(turn.text);
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
        Decision::assemble(route, actions, updates, detection, outcome, turn.answer)
    }

    /// Detects the intent of the message's text; no text, no intent.
    fn detect(&self, text: &str) -> Detection {
        if text.trim().is_empty() {
            Detection {
                intent: None,
                confidence: 0.0,
                alternatives: Vec::new(),
                keywords: Vec::new(),
                evidence: Vec::new(),
                truncated: false,
            }
        } else {
            self.inner.model.detect(text)
        }
    }
}
