//! [`ModelOptions`]: every option of [`IntentModelBuilder`](crate::IntentModelBuilder), as
//! one serde value.

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, ErrorKind, Expected};
use crate::keywords::NegationPolicy;
use crate::limits::Limits;
use crate::text::NormalizeOptions;

use super::spelling::SpellingOptions;
use super::types::LabeledText;

/// How an intent model is trained and calibrated: every option of
/// [`IntentModelBuilder`] as one value that a configuration file can hold. A missing
/// field takes its default; an unknown field is an error.
///
/// Set it with [`IntentModelBuilder::options`]; [`IntentModelBuilder::build`] checks
/// the values (a path in a [`BuildError`] is the field's name, such as `threshold`).
///
/// [`IntentModelBuilder`]: crate::IntentModelBuilder
/// [`IntentModelBuilder::options`]: crate::IntentModelBuilder::options
/// [`IntentModelBuilder::build`]: crate::IntentModelBuilder::build
///
/// ```
/// use handoff::{Intent, IntentModel};
/// use handoff::ModelOptions;
///
/// let options: ModelOptions = serde_json::from_str(
///     r#"{ "threshold": 0.4, "calibration_folds": 0, "limits": { "max_message_len": 4096 } }"#,
/// )?;
/// let model = IntentModel::builder()
///     .options(&options)
///     .intent(Intent::new("pricing").phrases(["how much is it", "what are your prices"]))
///     .build()?;
/// assert_eq!(model.threshold(), 0.4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ModelOptions {
    /// A fixed no-intent threshold on the calibrated confidence, in `[0, 1]`; `None`
    /// (the default) chooses it on held-out data (see
    /// [`IntentModelBuilder::threshold`](crate::IntentModelBuilder::threshold)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// A fixed ambiguity margin in `[0, 1]`; `None` (the default) chooses it on the
    /// same held-out data as the threshold (see
    /// [`IntentModel::ambiguity_margin`](crate::IntentModel::ambiguity_margin)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ambiguity_margin: Option<f32>,
    /// How a keyword negation bears on the intent the keyword belongs to. Default
    /// [`NegationPolicy::Decline`]: an intent whose keyword hits in a message are all
    /// declined ("I don't want to cancel, I want to upgrade") is not detected there; the
    /// best other candidate is, if it reaches the threshold. A problem ("I can't log in")
    /// keeps its intent. `ignore` leaves detection to the model alone; `any` also sets
    /// aside intents whose hits are all problems.
    pub negation: NegationPolicy,
    /// How much in-scope accuracy (a fraction in `[0, 1]`, default 0.01) the chosen
    /// threshold may cost on held-out data; ignored with a fixed `threshold`.
    pub max_in_scope_loss: f32,
    /// Cross-validation folds used for calibration when `calibrate_on` is empty
    /// (default 5); 0 or 1 skips calibration for a fixed score-to-confidence map.
    pub calibration_folds: usize,
    /// The SVM's C, a positive number (default 1.0): higher fits the example phrases
    /// more closely.
    pub regularization: f32,
    /// Text normalization (default: accent folding on), as
    /// `{ "fold_accents": true }`.
    pub normalize: NormalizeOptions,
    /// Size limits checked when building, `max_message_len` (the bytes of a message
    /// that are scored) included; see [`Limits`] for the defaults.
    pub limits: Limits,
    /// Read a word the phrases never used but that is one typo (a char deleted,
    /// inserted, substituted, or two swapped) away from a word they did as that word
    /// (default true). The detection's evidence shows each such reading.
    pub read_typos: bool,
    /// Read another inflected form of a word the phrases used ("vendors",
    /// "evaluating") as that word (default false: on held-out data it moved accuracy
    /// by less than the noise, with few or many phrases). Such a word still counts as
    /// unseen for confidence.
    pub read_word_forms: bool,
    /// Use the built-in English word list (default true): a common English word the
    /// phrases never used is a different word, never read as a typo of one they did.
    pub lexicon: bool,
    /// Use the built-in word vectors (default false): what the message's words mean,
    /// as the mean of their vectors, is weighed beside which words they are, so a word
    /// the phrases never used counts for the intents whose phrases use words near it
    /// ("vendors" for phrases about "suppliers"). Worth it with few phrases per intent
    /// (on CLINC150 with 10 per intent, +2.6 points in-scope); with many, it finds
    /// more of the in-scope messages but lets more off-topic ones through, and the model
    /// takes one more row per word (about 14 % more time) and about 30,000 more rows.
    pub word_vectors: bool,
    /// How much what the words mean weighs against which words they are (default
    /// 3.0, chosen by cross-validation on training data; from 0, as `word_vectors`
    /// off, to 100). Higher lets words near the phrases' words count for more.
    pub word_vector_weight: f32,
    /// Held-out labelled messages to calibrate on instead of cross-validation folds,
    /// as `[text, intent]` pairs, `null` for "no intent":
    /// `[["how much is it", "pricing"], ["nice weather", null]]`. Default: none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calibrate_on: Vec<LabeledText>,
}

/// The largest `word_vector_weight`: far past any useful weight (the other blocks have
/// unit length), and small enough that training's sums stay finite.
const MAX_WORD_VECTOR_WEIGHT: f32 = 100.0;

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            threshold: None,
            ambiguity_margin: None,
            negation: NegationPolicy::Decline,
            max_in_scope_loss: 0.01,
            calibration_folds: 5,
            regularization: 1.0,
            normalize: NormalizeOptions::default(),
            limits: Limits::default(),
            read_typos: true,
            read_word_forms: false,
            lexicon: true,
            word_vectors: false,
            word_vector_weight: 3.0,
            calibrate_on: Vec::new(),
        }
    }
}

impl ModelOptions {
    /// Which readings of unseen words the model makes.
    pub(crate) fn spelling(&self) -> SpellingOptions {
        SpellingOptions {
            typos: self.read_typos,
            forms: self.read_word_forms,
            english: self.lexicon,
        }
    }

    /// The meaning block's weight to train with: 0 when word vectors are off.
    pub(crate) fn meaning_weight(&self) -> f32 {
        if self.word_vectors {
            self.word_vector_weight
        } else {
            0.0
        }
    }

    /// Checks the values that have a range; the builder calls it before training.
    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(out_of_range("threshold", t, Expected::UnitInterval));
            }
        }
        if let Some(m) = self.ambiguity_margin {
            if !(0.0..=1.0).contains(&m) {
                return Err(out_of_range("ambiguity_margin", m, Expected::UnitInterval));
            }
        }
        if !(0.0..=1.0).contains(&self.max_in_scope_loss) {
            return Err(out_of_range(
                "max_in_scope_loss",
                self.max_in_scope_loss,
                Expected::UnitInterval,
            ));
        }
        if !(self.regularization.is_finite() && self.regularization > 0.0) {
            return Err(out_of_range(
                "regularization",
                self.regularization,
                Expected::Positive,
            ));
        }
        if !(0.0..=MAX_WORD_VECTOR_WEIGHT).contains(&self.word_vector_weight) {
            return Err(out_of_range(
                "word_vector_weight",
                self.word_vector_weight,
                Expected::Between(0.0, f64::from(MAX_WORD_VECTOR_WEIGHT)),
            ));
        }
        Ok(())
    }
}

fn out_of_range(path: &str, value: f32, expected: Expected) -> BuildError {
    BuildError::new(
        path,
        ErrorKind::OutOfRange {
            value: value.to_string(),
            expected,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Intent, IntentModel, IntentModelBuilder};

    fn intents(builder: &mut IntentModelBuilder) -> &mut IntentModelBuilder {
        builder
            .intent(Intent::new("pricing").phrases([
                "how much does it cost",
                "what are your prices",
                "price for ten seats",
            ]))
            .intent(Intent::new("support").phrases([
                "the app crashes",
                "I can't log in",
                "reset my password",
            ]))
            .negative("nice weather today")
    }

    #[test]
    fn defaults_are_the_builders() {
        assert_eq!(
            IntentModel::builder().model_options(),
            ModelOptions::default()
        );
        let parsed: ModelOptions = serde_json::from_str("{}").unwrap();
        assert_eq!(parsed, ModelOptions::default());
    }

    /// Every setter shows in the options, and the options, through JSON, build the
    /// same model.
    #[test]
    fn every_setter_round_trips_through_json() {
        let limits = Limits {
            max_phrases: 500,
            ..Limits::default()
        };
        let mut set = IntentModel::builder();
        intents(&mut set)
            .limits(limits)
            .threshold(0.3)
            .max_in_scope_loss(0.05)
            .calibration_folds(3)
            .regularization(2.0)
            .normalize_options(NormalizeOptions::default().fold_accents(false))
            .max_message_len(12)
            .read_typos(false)
            .read_word_forms(true)
            .lexicon(false)
            .word_vectors(true)
            .calibrate_on([("the app crashes again", Some("support")), ("hi", None)]);
        let options = set.model_options();
        assert_eq!(options.threshold, Some(0.3));
        assert_eq!(options.max_in_scope_loss, 0.05);
        assert_eq!(options.calibration_folds, 3);
        assert_eq!(options.regularization, 2.0);
        assert!(!options.normalize.folds_accents());
        assert_eq!(options.limits.max_message_len, 12);
        assert_eq!(options.limits.max_phrases, 500);
        assert_eq!(options.calibrate_on.len(), 2);
        assert!(!options.read_typos && options.read_word_forms && !options.lexicon);
        assert!(options.word_vectors);

        let json = serde_json::to_string(&options).unwrap();
        let back: ModelOptions = serde_json::from_str(&json).unwrap();
        assert_eq!(back, options);
        let mut from_options = IntentModel::builder();
        intents(&mut from_options).options(&back);
        let (a, b) = (set.build().unwrap(), from_options.build().unwrap());
        assert_eq!(a.threshold(), b.threshold());
        for text in [
            "how much for the pro plan",
            "crash when I log in",
            "hello there",
        ] {
            assert_eq!(a.detect(text), b.detect(text));
        }
        assert!(a.detect("a message longer than twelve bytes").truncated);
    }

    #[test]
    fn options_are_checked_on_the_builders_path() {
        let cases = [
            (r#"{"threshold": 1.5}"#, "threshold"),
            (r#"{"threshold": -0.1}"#, "threshold"),
            (r#"{"max_in_scope_loss": 2}"#, "max_in_scope_loss"),
            (r#"{"regularization": 0}"#, "regularization"),
            (r#"{"regularization": -1}"#, "regularization"),
            (r#"{"limits": {"max_phrase_len": 5}}"#, "negatives[0]"),
            (
                r#"{"calibrate_on": [["hi", "billing"]]}"#,
                "calibrate_on[0].intent",
            ),
        ];
        for (json, path) in cases {
            let options: ModelOptions = serde_json::from_str(json).unwrap();
            let mut builder = IntentModel::builder();
            let err = intents(&mut builder).options(&options).build().unwrap_err();
            assert_eq!(err.path(), path, "{json}");
        }
        // Any fold count builds: too many for the phrases means no calibration.
        let options: ModelOptions =
            serde_json::from_str(r#"{"calibration_folds": 18446744073709551615}"#).unwrap();
        let mut builder = IntentModel::builder();
        assert!(intents(&mut builder).options(&options).build().is_ok());
        for json in [r#"{"treshold": 0.5}"#, r#"{"limits": {"max_words": 1}}"#] {
            assert!(
                serde_json::from_str::<ModelOptions>(json).is_err(),
                "{json}"
            );
        }
    }
}
