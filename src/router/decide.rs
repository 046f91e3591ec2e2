//! The router value and its decision pipeline: each step a named function.

use std::sync::Arc;

use super::decision::Decision;
use super::turn::{context_update, Turn};
use crate::conversation::{Context, Message};
use crate::flow::compile::CompiledFlow;
use crate::flow::render::render;
use crate::intent::{Detection, IntentModel};

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) model: IntentModel,
    pub(super) flow: CompiledFlow,
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

    /// Decides where the conversation goes. Never panics, whatever the input.
    ///
    /// The steps: read the turn (text, any pending question's answer, form fields),
    /// detect the intent, evaluate the flow, render the route and actions, compute what
    /// the host persists, and assemble the decision.
    pub fn decide(&self, message: &Message, context: &Context) -> Decision {
        let turn = Turn::read(message, context);
        let detection = self.detect(turn.text);
        let facts = turn.facts(&detection, message, context);
        let outcome = self.inner.flow.evaluate(&facts);
        let (route, actions) = render(&outcome, &facts);
        let understood =
            detection.intent.is_some() || !outcome.default_used || turn.answered.is_some();
        let rule = outcome.rule().map(|r| &**r);
        let rendered = (&route, actions.as_slice());
        let updates = context_update(context, turn.new_slots, rendered, understood, rule);
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
