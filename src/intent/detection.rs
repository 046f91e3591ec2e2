//! What detection returns: a [`Detection`] with its ranked [`IntentScore`]s and the
//! [`Evidence`] behind the best one.

use std::ops::Range;
use std::sync::Arc;

use crate::keywords::KeywordHit;

/// One candidate intent and its calibrated confidence.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct IntentScore {
    /// The intent id.
    pub intent: Arc<str>,
    /// Calibrated confidence in `[0, 1]`.
    pub confidence: f32,
}

/// A word or phrase of the message that pushed the score of the detected intent.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Evidence {
    /// The text as the user typed it.
    pub text: String,
    /// Byte range in the original message.
    pub span: Range<usize>,
    /// Its contribution to the intent's raw score (positive: for the intent).
    pub weight: f32,
    /// The known word this one was read as, when the model had never seen it but it is
    /// one typo away from a word it knows ("qoute" read as "quote"); `None` when it was
    /// read as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
}

/// What a message wants. The default is the detection of an empty message: no intent,
/// no candidates.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Detection {
    /// The detected intent, or `None` when no intent is confident enough.
    pub intent: Option<Arc<str>>,
    /// Calibrated confidence of the best candidate in `[0, 1]`, also when it was below
    /// the threshold and `intent` is `None`: roughly the probability that the best
    /// candidate is right.
    pub confidence: f32,
    /// The best two candidates, best first, when they are too close to call: their
    /// confidences differ by less than the model's
    /// [ambiguity margin](crate::IntentModel::ambiguity_margin) and the best one reaches
    /// half the no-intent threshold. Declined intents are skipped. Never changes `intent`
    /// or `confidence`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ambiguous: Option<[Arc<str>; 2]>,
    /// Intents set aside because the message declines them: every keyword hit of theirs
    /// is negated that way ("I don't want to cancel"), under the model's
    /// [`ModelOptions::negation`](crate::ModelOptions::negation). They stay in
    /// `alternatives` but are never `intent`, the best candidate or half of `ambiguous`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub declined: Vec<Arc<str>>,
    /// The best candidates, most likely first (at most five).
    pub alternatives: Vec<IntentScore>,
    /// Keyword triggers found in the message.
    pub keywords: Vec<KeywordHit>,
    /// The words that drove the best candidate's score, strongest first (at most
    /// three), followed by any other word read as a known word (see
    /// [`Evidence::read_as`]) that pushed it too.
    pub evidence: Vec<Evidence>,
    /// Whether the message was longer than the model's limit and cut before scoring.
    pub truncated: bool,
}

impl Detection {
    /// The detected intent's id.
    pub fn intent_id(&self) -> Option<&str> {
        self.intent.as_deref()
    }

    /// The best candidate's id, even when it was below the threshold (declined intents
    /// skipped).
    pub fn best_candidate(&self) -> Option<&str> {
        self.candidates().next().map(|s| &*s.intent)
    }

    /// The alternatives that the message does not decline, most likely first.
    pub fn candidates(&self) -> impl Iterator<Item = &IntentScore> {
        self.alternatives
            .iter()
            .filter(|s| !self.declined.contains(&s.intent))
    }
}
