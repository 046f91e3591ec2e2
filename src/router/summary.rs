//! Updating the conversation's summary with one decision: the intent detected, the
//! slots filled and where from, the request a rule first acted on, and a hand-off.

use super::turn::Turn;
use crate::conversation::{Context, HandoffNote, SlotSource, Summary};
use crate::flow::compile::{CRoute, Outcome};
use crate::intent::Detection;

/// The summary after this message. Bounded whatever came before (see
/// [`Summary`]); costs O(entries + slots filled).
pub(super) fn summarize(
    context: &Context,
    turn: &Turn<'_>,
    detection: &Detection,
    outcome: &Outcome<'_>,
) -> Summary {
    let mut summary = context.conversation.summary.clone();
    let number = context.conversation.turns.saturating_add(1);
    if let Some(intent) = &detection.intent {
        summary.note_intent(intent, detection.confidence, number);
    }
    for (slot, value) in &turn.new_slots {
        let source = turn.sources.get(slot).cloned();
        summary.note_slot(slot, value, source.unwrap_or(SlotSource::Answer), number);
    }
    if outcome.held.is_some() {
        return summary;
    }
    // The request: a message with an intent or keyword that a rule acted on (not a
    // "sorry, I'm not getting it" question).
    let signal = detection.intent.is_some() || !detection.keywords.is_empty();
    let acted = matches!(outcome.route, CRoute::Ask { .. } | CRoute::Handoff { .. });
    if signal && acted {
        summary.note_request(turn.text);
    }
    match outcome.route {
        CRoute::Handoff { team, .. } => {
            summary.handoff = Some(HandoffNote {
                team: team.id.to_string(),
                rule: outcome.rule().map(|r| r.to_string()),
                intent: detection.intent.as_deref().map(str::to_string),
                turn: number,
            });
        }
        CRoute::Ask { .. } | CRoute::Continue { .. } => {}
    }
    summary
}
