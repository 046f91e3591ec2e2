//! The decision log: one serde record per decided message, which a host appends to
//! its own store and annotates later with what it learns (the rep's first reply, the
//! sale, a human's correction).

use serde::{Deserialize, Serialize};

use crate::{Decision, Message};

/// One logged decision, as the host records it (and later annotates).
///
/// Build it from a decision in one call with [`DecisionRecord::from_decision`], store it
/// as one JSON line, and read a log back with [`LogReader`](super::LogReader), which
/// checks every line with [`DecisionRecord::validate`]. Records are grouped by
/// `conversation`; see [`Kpis::compute`](super::Kpis::compute) for how a conversation's
/// records combine.
///
/// Only `conversation` and `at` are required in JSON; everything else defaults, so a
/// host can log as much as it has.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// The conversation id.
    pub conversation: String,
    /// The channel the conversation came through (`web`, `pricing_page`...).
    #[serde(default)]
    pub channel: String,
    /// When the decision was made: the host's timestamp, in seconds.
    pub at: i64,
    /// What the user typed (empty for a button click without text).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// The clicked button, for a button event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
    /// The route's kind: `handoff`, `ask` or `continue` ([`Route::kind`](crate::flow::Route::kind)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// The team handed to, for a hand-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Whether this decision handed the conversation to a human (at `at`).
    #[serde(default)]
    pub handed_off: bool,
    /// The detected intent (`Decision::intent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The best candidate's calibrated confidence, also when below the threshold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// The best candidate intent, also when below the threshold (`None`: the message
    /// had no scorable content).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    /// The second-best candidate intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<String>,
    /// The second-best candidate's confidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_up_confidence: Option<f32>,
    /// Keyword triggers found in the message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<LoggedKeyword>,
    /// The slot this message answered, when it was read as the answer to a question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<String>,
    /// The rule that decided (`Decision::rule`; `None`: the default route).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// A fingerprint of the bot that decided: [`Decision::fingerprint`] as text
    /// (`MODEL-FLOW`), set by [`DecisionRecord::from_decision`], so a log says which
    /// bot made each decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// When a rep first replied after the hand-off, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_reply_at: Option<i64>,
    /// The rep's verdict: was handing off right? (See [`DecisionRecord::verdict`].)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_correct: Option<bool>,
    /// Whether the lead converted (a deal, a signup...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted: Option<bool>,
    /// Whether the user completed the conversation with the bot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_with_bot: Option<bool>,
    /// A human's correction: what this decision should have been.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
}

/// A keyword trigger as logged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoggedKeyword {
    /// The keyword as configured.
    pub keyword: String,
    /// The intent it belongs to.
    pub intent: String,
    /// Whether it was negated ("I don't need a demo").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub negated: bool,
}

/// What a human says a decision should have been (when it names what the bot did,
/// it confirms the decision: see [`DecisionRecord::is_corrected`]).
///
/// In JSON: `{"intent": "pricing"}`, `"no_intent"`, `{"team": "support"}`, `"bot"`,
/// `"not_a_lead"`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Correction {
    /// The message meant this intent.
    Intent(String),
    /// The message meant nothing the bot knows.
    NoIntent,
    /// The conversation should have gone to this team.
    Team(String),
    /// The bot should have kept the conversation.
    Bot,
    /// Handed to sales, but not a lead.
    NotALead,
}

impl Correction {
    /// What the correction says about a hand-off to `team`: `Some(false)` when it says
    /// the hand-off was wrong, `Some(true)` when it names the same team, `None` when it
    /// is about the intent only.
    pub fn judges_handoff_to(&self, team: Option<&str>) -> Option<bool> {
        match self {
            Correction::Team(t) => Some(team == Some(t.as_str())),
            Correction::Bot | Correction::NotALead => Some(false),
            Correction::Intent(_) | Correction::NoIntent => None,
        }
    }

    /// The intent the correction names: `Some(None)` for "no intent", `None` when it
    /// does not speak about the intent.
    pub fn intent(&self) -> Option<Option<&str>> {
        match self {
            Correction::Intent(i) => Some(Some(i)),
            Correction::NoIntent => Some(None),
            _ => None,
        }
    }
}

/// Why a record is not a valid log record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordProblem {
    /// The conversation id is empty.
    EmptyConversation,
    /// A confidence is NaN or outside `[0, 1]`.
    Confidence,
    /// `route` is `handoff` but `handed_off` is false, or the reverse.
    HandoffMismatch,
    /// A team is given for a route that is not a hand-off.
    TeamWithoutHandoff,
}

impl std::fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RecordProblem::EmptyConversation => "empty conversation id",
            RecordProblem::Confidence => "confidence is not a number in [0, 1]",
            RecordProblem::HandoffMismatch => "route and handed_off disagree",
            RecordProblem::TeamWithoutHandoff => "team given for a route that is not a hand-off",
        })
    }
}

impl DecisionRecord {
    /// The record of one decision: `conversation` and `at` come from the host, the
    /// text, button and channel from the message, the rest from the decision. Outcomes
    /// (reply time, conversion, corrections) are left empty for the host to fill in
    /// later; `model` is left `None`.
    ///
    /// ```
    /// use handoff::eval::DecisionRecord;
    /// use handoff::{Context, Message, Router, RouterConfig};
    ///
    /// let config: RouterConfig = serde_json::from_str(r#"{
    ///   "intents": [
    ///     {"id": "pricing", "phrases": ["how much does it cost", "send me a price list"]},
    ///     {"id": "hello", "phrases": ["hi there", "good morning"]}
    ///   ],
    ///   "teams": [{"id": "sales"}],
    ///   "flow": {"rules": [{"id": "buy", "when": {"intent": {"id": "pricing"}},
    ///                       "route": {"kind": "handoff", "team": "sales"}}]}
    /// }"#).unwrap();
    /// let router = Router::from_config(config)?;
    /// let message = Message::text("how much does it cost?").on("web");
    /// let decision = router.decide(&message, &Context::default());
    /// let record = DecisionRecord::from_decision("c-1", 1_700_000_000, &message, &decision);
    /// assert_eq!(record.team.as_deref(), Some("sales"));
    /// assert!(record.handed_off);
    /// assert_eq!(record.channel, "web");
    /// assert_eq!(record.validate(), Ok(()));
    /// # Ok::<(), handoff::BuildError>(())
    /// ```
    pub fn from_decision(
        conversation: impl Into<String>,
        at: i64,
        message: &Message,
        decision: &Decision,
    ) -> DecisionRecord {
        let detection = &decision.detection;
        let runner_up = detection.alternatives.get(1);
        DecisionRecord {
            conversation: conversation.into(),
            channel: message.channel.clone().unwrap_or_default(),
            at,
            text: message.text.clone().unwrap_or_default(),
            button: message.event.as_ref().and_then(|e| e.button.clone()),
            route: Some(decision.route.kind().to_string()),
            team: decision.route.team().map(str::to_string),
            handed_off: decision.route.team().is_some(),
            intent: decision.intent().map(str::to_string),
            confidence: detection
                .best_candidate()
                .map(|_| clamp_unit(decision.confidence())),
            candidate: detection.best_candidate().map(str::to_string),
            runner_up: runner_up.map(|s| s.intent.to_string()),
            runner_up_confidence: runner_up.map(|s| clamp_unit(s.confidence)),
            keywords: detection
                .keywords
                .iter()
                .map(|k| LoggedKeyword {
                    keyword: k.keyword.to_string(),
                    intent: k.intent.to_string(),
                    negated: k.negated,
                })
                .collect(),
            answered: decision.trace.answer.as_ref().map(|a| a.slot.clone()),
            rule: decision.rule.as_deref().map(str::to_string),
            model: Some(decision.fingerprint.to_string()),
            ..DecisionRecord::default()
        }
    }

    /// Checks what serde cannot: a non-empty conversation id, confidences in
    /// `[0, 1]`, and a route that agrees with `handed_off` and `team`.
    pub fn validate(&self) -> Result<(), RecordProblem> {
        if self.conversation.is_empty() {
            return Err(RecordProblem::EmptyConversation);
        }
        let unit = |c: Option<f32>| c.map_or(true, |c| (0.0..=1.0).contains(&c));
        if !unit(self.confidence) || !unit(self.runner_up_confidence) {
            return Err(RecordProblem::Confidence);
        }
        if let Some(route) = &self.route {
            if (route == "handoff") != self.handed_off {
                return Err(RecordProblem::HandoffMismatch);
            }
        }
        if self.team.is_some() && !self.handed_off {
            return Err(RecordProblem::TeamWithoutHandoff);
        }
        Ok(())
    }

    /// Whether a human's correction disagrees with the decision. A correction that
    /// names the detected intent, or the team handed to, is a confirmation: a label
    /// that agrees.
    pub fn is_corrected(&self) -> bool {
        match &self.correction {
            None => false,
            Some(Correction::Intent(i)) => self.intent.as_deref() != Some(i.as_str()),
            Some(Correction::NoIntent) => self.intent.is_some(),
            Some(Correction::Team(t)) => self.team.as_deref() != Some(t.as_str()),
            Some(Correction::Bot) | Some(Correction::NotALead) => self.handed_off,
        }
    }

    /// The verdict on this record's hand-off: the rep's `handoff_correct` when given,
    /// else what the correction says about it ([`Correction::judges_handoff_to`]).
    /// `None` for a record that did not hand off.
    pub fn verdict(&self) -> Option<bool> {
        if !self.handed_off {
            return self.handoff_correct;
        }
        self.handoff_correct.or_else(|| {
            self.correction
                .as_ref()
                .and_then(|c| c.judges_handoff_to(self.team.as_deref()))
        })
    }

    /// The intent a human says is right: the correction's intent when it names one,
    /// else the detected intent when a rep confirmed the hand-off it led to; `None`
    /// when unknown, and always for answers to a question (they are not read for an
    /// intent). The inner `None` is "no intent".
    pub fn true_intent(&self) -> Option<Option<&str>> {
        if self.answered.is_some() {
            return None;
        }
        match self.correction.as_ref() {
            Some(c) => c.intent(),
            None if self.handoff_correct == Some(true) && self.intent.is_some() => {
                Some(self.intent.as_deref())
            }
            None => None,
        }
    }
}

/// Decisions compute confidences in `[0, 1]`; clamping keeps a record valid even if a
/// rounding slip ever put one a hair outside.
fn clamp_unit(c: f32) -> f32 {
    if c.is_nan() {
        0.0
    } else {
        c.clamp(0.0, 1.0)
    }
}
