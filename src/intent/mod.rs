//! Intents and the intent model: what a message wants, how sure we are, and why.
//!
//! An [`Intent`] is an id plus example phrases and keyword triggers. An
//! [`IntentModelBuilder`] trains an [`IntentModel`] from them: a linear scorer over word
//! and character n-grams (see the crate docs for the design), keyword hits as features the
//! model weighs, and a confidence calibrated on held-out examples. [`IntentModel::detect`]
//! returns a [`Detection`]: the intent (or none, when the message fits no intent well
//! enough), a confidence in `[0, 1]`, ranked alternatives, keyword hits and the words that
//! drove the score.
//!
//! The builder and its validation are in `builder` (options as one serde value:
//! [`ModelOptions`]), training in `training`, confidence calibration and the threshold
//! in `calibration`, detection in `model` and `rank`.
//!
//! Complexity: training is roughly linear in the total length of the phrases times the
//! number of intents; `detect` is linear in the message length plus the weight rows of the
//! message's features, independent of the number of phrases.
//!
//! # Example
//! ```
//! use handoff::{Intent, IntentModel};
//!
//! let model = IntentModel::builder()
//!     .intent(Intent::new("pricing")
//!         .phrases(["how much does it cost", "what are your prices", "can I get a quote"])
//!         .keyword("pricing"))
//!     .intent(Intent::new("support")
//!         .phrases(["I can't log in", "the app crashes", "reset my password"]))
//!     .build()?;
//! let detection = model.detect("how much is the pro plan?");
//! assert_eq!(detection.intent_id(), Some("pricing"));
//! assert!(detection.confidence > 0.0 && detection.confidence <= 1.0);
//! # Ok::<(), handoff::BuildError>(())
//! ```

mod builder;
mod calibration;
mod model;
mod options;
mod rank;
mod training;

use std::ops::Range;
use std::sync::Arc;

use crate::keywords::KeywordHit;

pub use crate::limits::DEFAULT_MAX_MESSAGE_LEN;
pub use builder::IntentModelBuilder;
pub use model::IntentModel;
pub use options::ModelOptions;

/// An intent: what a message can want, taught by example phrases and keyword triggers.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Intent {
    /// Unique id, used in flows and reports ("pricing").
    pub id: String,
    /// Example phrases: what users say when they want this.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phrases: Vec<String>,
    /// Keyword triggers: words or short phrases that are strong evidence for this intent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
}

impl Intent {
    /// An intent with no phrases or keywords yet.
    pub fn new(id: impl Into<String>) -> Self {
        Intent {
            id: id.into(),
            ..Intent::default()
        }
    }

    /// Adds an example phrase.
    pub fn phrase(mut self, phrase: impl Into<String>) -> Self {
        self.phrases.push(phrase.into());
        self
    }

    /// Adds example phrases.
    pub fn phrases<I, S>(mut self, phrases: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.phrases.extend(phrases.into_iter().map(Into::into));
        self
    }

    /// Adds a keyword trigger.
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.keywords.push(keyword.into());
        self
    }

    /// Adds keyword triggers.
    pub fn keywords<I, S>(mut self, keywords: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.keywords.extend(keywords.into_iter().map(Into::into));
        self
    }
}

/// One candidate intent and its calibrated confidence.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct IntentScore {
    /// The intent id.
    pub intent: Arc<str>,
    /// Calibrated confidence in `[0, 1]`.
    pub confidence: f32,
}

/// A word or phrase of the message that pushed the score of the detected intent.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Evidence {
    /// The text as the user typed it.
    pub text: String,
    /// Byte range in the original message.
    pub span: Range<usize>,
    /// Its contribution to the intent's raw score (positive: for the intent).
    pub weight: f32,
}

/// What a message wants.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Detection {
    /// The detected intent, or `None` when no intent is confident enough.
    pub intent: Option<Arc<str>>,
    /// Calibrated confidence of the best candidate in `[0, 1]`, also when it was below
    /// the threshold and `intent` is `None`: roughly the probability that the best
    /// candidate is right.
    pub confidence: f32,
    /// The best candidates, most likely first (at most five).
    pub alternatives: Vec<IntentScore>,
    /// Keyword triggers found in the message.
    pub keywords: Vec<KeywordHit>,
    /// The words that drove the best candidate's score, strongest first.
    pub evidence: Vec<Evidence>,
    /// Whether the message was longer than the model's limit and cut before scoring.
    pub truncated: bool,
}

impl Detection {
    /// The detected intent's id.
    pub fn intent_id(&self) -> Option<&str> {
        self.intent.as_deref()
    }

    /// The best candidate's id, even when it was below the threshold.
    pub fn best_candidate(&self) -> Option<&str> {
        self.alternatives.first().map(|s| &*s.intent)
    }
}

/// A labelled message for calibration: its text and its intent, `None` for "no intent".
pub type LabeledText = (String, Option<String>);
