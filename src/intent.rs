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

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::error::{BuildError, ValidationError};
use crate::keywords::{KeywordHit, KeywordMatcher};
use crate::scorer::{self, Example, LinearModel, RawFeature, TrainOptions, SCRATCH};
use crate::text::{NormalizeOptions, Normalized, Normalizer};

use crate::limits::Limits;
pub use crate::limits::DEFAULT_MAX_MESSAGE_LEN;
use crate::seeded::{Folds, Rng};

/// The generator that deals calibration folds: one fixed stream, so that the same data
/// and options give the same model.
const CALIBRATION_RNG: Rng = Rng::from_state(0x2545_F491_4F6C_DD1D);

/// Below this many in-scope held-out examples, the default threshold is 0.5 rather than
/// one chosen by an accuracy budget that so few examples cannot measure.
const MIN_BUDGET_SAMPLES: usize = 500;

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

/// Builds an [`IntentModel`]. Reusable: `build` can be called again after changes.
#[derive(Clone, Debug)]
pub struct IntentModelBuilder {
    intents: Vec<Intent>,
    negatives: Vec<String>,
    threshold: Option<f32>,
    normalize: NormalizeOptions,
    held_out: Vec<LabeledText>,
    folds: usize,
    c: f32,
    limits: Limits,
    max_in_scope_loss: f32,
}

impl Default for IntentModelBuilder {
    fn default() -> Self {
        IntentModelBuilder {
            intents: Vec::new(),
            negatives: Vec::new(),
            threshold: None,
            normalize: NormalizeOptions::default(),
            held_out: Vec::new(),
            folds: 5,
            c: 1.0,
            limits: Limits::default(),
            max_in_scope_loss: 0.01,
        }
    }
}

impl IntentModelBuilder {
    /// A builder with no intents and default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an intent.
    pub fn intent(&mut self, intent: Intent) -> &mut Self {
        self.intents.push(intent);
        self
    }

    /// Adds intents.
    pub fn intents<I: IntoIterator<Item = Intent>>(&mut self, intents: I) -> &mut Self {
        self.intents.extend(intents);
        self
    }

    /// Adds a negative example: a message that wants none of the intents (chit-chat,
    /// off-topic requests). Negatives teach the model what "no intent" looks like.
    pub fn negative(&mut self, text: impl Into<String>) -> &mut Self {
        self.negatives.push(text.into());
        self
    }

    /// Adds negative examples.
    pub fn negatives<I, S>(&mut self, texts: I) -> &mut Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.negatives.extend(texts.into_iter().map(Into::into));
        self
    }

    /// Fixes the no-intent threshold on the calibrated confidence, in `[0, 1]`. Without
    /// it, the threshold is chosen on held-out data (see [`calibrate_on`]): the highest
    /// one that keeps in-scope accuracy within [`max_in_scope_loss`] of what it is with
    /// no threshold, so that as many no-intent messages as possible are turned away at
    /// a bounded cost to real requests. With fewer than 500 in-scope held-out examples
    /// (too few to measure such a budget) it is 0.5: an intent is accepted when it is
    /// more likely right than wrong.
    ///
    /// [`max_in_scope_loss`]: IntentModelBuilder::max_in_scope_loss
    ///
    /// [`calibrate_on`]: IntentModelBuilder::calibrate_on
    pub fn threshold(&mut self, threshold: f32) -> &mut Self {
        self.threshold = Some(threshold);
        self
    }

    /// How much in-scope accuracy (a fraction, default 0.01: one point) the chosen
    /// no-intent threshold may cost on held-out data. Ignored when the threshold is
    /// fixed with [`threshold`](IntentModelBuilder::threshold).
    pub fn max_in_scope_loss(&mut self, loss: f32) -> &mut Self {
        self.max_in_scope_loss = loss;
        self
    }

    /// Calibrates confidence (and, unless fixed, the threshold) on these held-out
    /// labelled messages instead of on cross-validation folds of the training phrases.
    /// A label of `None` means "no intent".
    pub fn calibrate_on<I, S>(&mut self, examples: I) -> &mut Self
    where
        I: IntoIterator<Item = (S, Option<S>)>,
        S: Into<String>,
    {
        self.held_out.extend(
            examples
                .into_iter()
                .map(|(t, l)| (t.into(), l.map(Into::into))),
        );
        self
    }

    /// Number of cross-validation folds used for calibration when no held-out examples
    /// are given (default 5). `0` or `1` skips calibration and uses a fixed mapping from
    /// scores to confidence.
    pub fn calibration_folds(&mut self, folds: usize) -> &mut Self {
        self.folds = folds;
        self
    }

    /// Text normalization options (default: accent folding on).
    pub fn normalize_options(&mut self, options: NormalizeOptions) -> &mut Self {
        self.normalize = options;
        self
    }

    /// Regularization: higher values fit the example phrases more closely (default 1.0).
    pub fn regularization(&mut self, c: f32) -> &mut Self {
        self.c = c;
        self
    }

    /// Messages longer than this many bytes are cut at a char boundary before scoring,
    /// and the detection says so (default [`DEFAULT_MAX_MESSAGE_LEN`]).
    pub fn max_message_len(&mut self, bytes: usize) -> &mut Self {
        self.limits.max_message_len = bytes;
        self
    }

    /// Size limits checked when building (see [`Limits`] for the defaults).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Validates the intents and trains the model.
    pub fn build(&self) -> Result<IntentModel, BuildError> {
        let prepared = self.validate()?;
        let trained = prepared.train(&prepared.all_examples(), self.c);
        let held_out: Vec<Observation> = if !self.held_out.is_empty() {
            let mut samples = Vec::with_capacity(self.held_out.len());
            for (i, (text, label)) in self.held_out.iter().enumerate() {
                let class = match label {
                    None => None,
                    Some(id) => Some(prepared.class_of(id).ok_or_else(|| {
                        BuildError::new(
                            format!("calibrate_on[{i}].intent"),
                            ValidationError::Unknown {
                                what: "intent".into(),
                                name: id.clone(),
                            },
                        )
                    })?),
                };
                samples.push(trained.observe(text, class));
            }
            samples
        } else if self.folds >= 2 {
            prepared.cross_validated_scores(self.folds, self.c)
        } else {
            Vec::new()
        };
        let calibration = Calibration::fit(&held_out);
        let threshold = match self.threshold {
            Some(t) => t,
            None => calibration.choose_threshold(&held_out, self.max_in_scope_loss),
        };
        Ok(IntentModel {
            inner: Arc::new(Inner {
                calibration,
                ..trained
            }),
            threshold,
        })
    }

    fn validate(&self) -> Result<Prepared<'_>, BuildError> {
        if self.intents.is_empty() {
            return Err(BuildError::new(
                "intents",
                ValidationError::Empty {
                    what: "the intent list".into(),
                },
            ));
        }
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(BuildError::new(
                    "threshold",
                    ValidationError::OutOfRange {
                        value: t.to_string(),
                        expected: "0 to 1".into(),
                    },
                ));
            }
        }
        if !(0.0..=1.0).contains(&self.max_in_scope_loss) {
            return Err(BuildError::new(
                "max_in_scope_loss",
                ValidationError::OutOfRange {
                    value: self.max_in_scope_loss.to_string(),
                    expected: "0 to 1".into(),
                },
            ));
        }
        if !(self.c.is_finite() && self.c > 0.0) {
            return Err(BuildError::new(
                "regularization",
                ValidationError::OutOfRange {
                    value: self.c.to_string(),
                    expected: "a positive number".into(),
                },
            ));
        }
        let limits = &self.limits;
        // The scorer stores an intent's index in 16 bits, whatever the limit says.
        let max_intents = limits.max_intents.min(MAX_MODEL_INTENTS);
        if self.intents.len() > max_intents {
            return Err(Limits::exceeded(
                "intents",
                "the number of intents",
                max_intents,
                self.intents.len(),
            ));
        }
        let phrases =
            self.negatives.len() + self.intents.iter().map(|i| i.phrases.len()).sum::<usize>();
        if phrases > limits.max_phrases {
            return Err(Limits::exceeded(
                "intents",
                "the number of phrases",
                limits.max_phrases,
                phrases,
            ));
        }
        let keywords: usize = self.intents.iter().map(|i| i.keywords.len()).sum();
        if keywords > limits.max_keywords {
            return Err(Limits::exceeded(
                "intents",
                "the number of keywords",
                limits.max_keywords,
                keywords,
            ));
        }
        for (i, text) in self.negatives.iter().enumerate() {
            if text.len() > limits.max_phrase_len {
                return Err(Limits::exceeded(
                    format!("negatives[{i}]"),
                    "the phrase",
                    limits.max_phrase_len,
                    text.len(),
                ));
            }
        }
        let normalizer = Normalizer::new(self.normalize);
        let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
        let mut keyword_entries = Vec::new();
        for (i, intent) in self.intents.iter().enumerate() {
            // An id must have something visible in it, and ids that differ only by
            // surrounding white space would look the same in every report.
            let id = intent.id.trim();
            if normalizer.normalize(id).is_empty() {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ValidationError::Empty {
                        what: "the intent id".into(),
                    },
                ));
            }
            if ids.insert(id, i).is_some() {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ValidationError::Duplicate {
                        id: intent.id.clone(),
                    },
                ));
            }
            for (k, phrase) in intent.phrases.iter().enumerate() {
                if phrase.len() > limits.max_phrase_len {
                    return Err(Limits::exceeded(
                        format!("intents[{i}].phrases[{k}]"),
                        "the phrase",
                        limits.max_phrase_len,
                        phrase.len(),
                    ));
                }
            }
            for (k, keyword) in intent.keywords.iter().enumerate() {
                if keyword.len() > limits.max_keyword_len {
                    return Err(Limits::exceeded(
                        format!("intents[{i}].keywords[{k}]"),
                        "the keyword",
                        limits.max_keyword_len,
                        keyword.len(),
                    ));
                }
            }
            // A phrase of punctuation alone teaches nothing: it has no word to score.
            let has_phrase = intent
                .phrases
                .iter()
                .any(|p| normalizer.normalize(p).tokens().next().is_some());
            if !has_phrase && intent.keywords.is_empty() {
                return Err(BuildError::new(
                    format!("intents[{i}]"),
                    ValidationError::Empty {
                        what: format!("intent {:?} has no phrases and no keywords; it", intent.id),
                    },
                ));
            }
            for (k, keyword) in intent.keywords.iter().enumerate() {
                keyword_entries.push((
                    Arc::<str>::from(intent.id.as_str()),
                    Arc::<str>::from(keyword.as_str()),
                    format!("intents[{i}].keywords[{k}]"),
                ));
            }
        }
        let keywords = KeywordMatcher::from_entries(&keyword_entries, self.normalize)?;
        let ids: Vec<Arc<str>> = self
            .intents
            .iter()
            .map(|i| Arc::from(i.id.as_str()))
            .collect();
        let class_index = ids
            .iter()
            .enumerate()
            .map(|(class, id)| (id.to_string(), class))
            .collect();
        Ok(Prepared {
            builder: self,
            normalizer,
            keywords,
            ids,
            class_index,
        })
    }
}

/// Validated input, ready to train.
struct Prepared<'a> {
    builder: &'a IntentModelBuilder,
    normalizer: Normalizer,
    keywords: KeywordMatcher,
    ids: Vec<Arc<str>>,
    class_index: BTreeMap<String, usize>,
}

impl Prepared<'_> {
    fn class_of(&self, id: &str) -> Option<usize> {
        self.class_index.get(id).copied()
    }

    /// Every training text with its class: phrases, keywords (a keyword alone is an
    /// example of its intent), negatives.
    fn all_examples(&self) -> Vec<(&str, Option<usize>)> {
        let mut out = Vec::new();
        for (class, intent) in self.builder.intents.iter().enumerate() {
            for text in intent.phrases.iter().chain(&intent.keywords) {
                out.push((text.as_str(), Some(class)));
            }
        }
        for text in &self.builder.negatives {
            out.push((text.as_str(), None));
        }
        out
    }

    fn train(&self, examples: &[(&str, Option<usize>)], c: f32) -> Inner {
        let mut normalized = Normalized::default();
        let mut buf = Vec::new();
        let mut hits = Vec::new();
        let data: Vec<Example> = examples
            .iter()
            .map(|&(text, class)| {
                self.normalizer.normalize_into(text, &mut normalized);
                let mut features = Vec::new();
                scorer::extract(normalized.as_str(), &mut buf, |f| features.push(f));
                hits.clear();
                self.keywords.find_normalized(&normalized, &mut hits);
                for hit in &hits {
                    features.push(RawFeature {
                        hash: scorer::keyword_feature(self.class_index[&*hit.intent], hit.negated),
                        token: u32::MAX,
                        unigram: false,
                        extends: false,
                    });
                }
                Example { features, class }
            })
            .collect();
        let options = TrainOptions {
            c,
            ..TrainOptions::default()
        };
        let linear = LinearModel::train(&data, self.ids.len(), options);
        Inner {
            ids: self.ids.clone(),
            class_index: self.class_index.clone(),
            normalizer: self.normalizer,
            keywords: self.keywords.clone(),
            linear,
            calibration: Calibration::PRIOR,
            max_message_len: self.builder.limits.max_message_len,
        }
    }

    /// Raw scores of every training example, each from a model that did not see it.
    fn cross_validated_scores(&self, folds: usize, c: f32) -> Vec<Observation> {
        let examples = self.all_examples();
        if examples.len() < folds * 2 {
            return Vec::new();
        }
        let folds = Folds::deal([examples.len()], folds, &mut CALIBRATION_RNG.clone());
        let mut out = Vec::with_capacity(examples.len());
        for split in folds.splits() {
            let train: Vec<(&str, Option<usize>)> =
                split.train.iter().map(|&i| examples[i]).collect();
            let model = self.train(&train, c);
            for i in split.held_out {
                let (text, class) = examples[i];
                out.push(model.observe(text, class));
            }
        }
        out
    }
}

/// What calibration needs to know of one held-out message.
#[derive(Clone, Copy, Debug)]
struct Observation {
    /// The best-scoring intent and its raw score.
    best: usize,
    score: f32,
    /// Words of the message the model has never seen (and no keyword covers).
    unknown: f32,
    /// The right answer: an intent, or `None` for "no intent".
    truth: Option<usize>,
}

/// Maps a raw score to a calibrated confidence: a logistic function of the candidate's
/// score and of the number of words in the message the model has never seen (Platt
/// scaling with two inputs). Unknown words are the best cheap sign that a message is
/// about something else entirely, which a linear score alone rates too high.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Calibration {
    score: f32,
    unknown: f32,
    offset: f32,
}

impl Calibration {
    /// Used when there is too little held-out data to fit: a score at the SVM margin
    /// (1.0) reads as confident, a negative score as unlikely. Unknown words count for
    /// nothing until data says how much they matter: with a few example phrases, most
    /// words of any message are unknown.
    const PRIOR: Calibration = Calibration {
        score: 4.5,
        unknown: 0.0,
        offset: -0.5,
    };

    fn confidence(&self, score: f32, unknown: f32) -> f32 {
        let z = self.score * score + self.unknown * unknown + self.offset;
        let p = 1.0 / (1.0 + (-z).exp());
        if p.is_nan() {
            0.0
        } else {
            p.clamp(0.0, 1.0)
        }
    }

    /// Fits the map in two steps. First the direction: a logistic regression of
    /// best-is-right on (score, unknown words) in which no-intent examples count, in
    /// total, as much as in-scope ones, so the few no-intent examples a team has are not
    /// drowned out and the ranking learns what off-topic messages look like. Then the
    /// scale: a plain one-input Platt fit along that direction, so the confidence is the
    /// probability of being right on data like the held-out set.
    fn fit(samples: &[Observation]) -> Calibration {
        let right = samples.iter().filter(|o| o.truth == Some(o.best)).count();
        let in_scope = samples.iter().filter(|o| o.truth.is_some()).count();
        let out_of_scope = samples.len() - in_scope;
        if samples.len() < 20 || right < 5 || samples.len() - right < 5 {
            return Calibration::PRIOR;
        }
        let oos_weight = if out_of_scope > 0 && in_scope > 0 {
            in_scope as f64 / out_of_scope as f64
        } else {
            1.0
        };
        let prior = [
            Calibration::PRIOR.score as f64,
            Calibration::PRIOR.unknown as f64,
            Calibration::PRIOR.offset as f64,
        ];
        let balanced: Vec<([f64; 3], bool, f64)> = samples
            .iter()
            .map(|o| {
                let weight = if o.truth.is_none() { oos_weight } else { 1.0 };
                (
                    [o.score as f64, o.unknown as f64, 1.0],
                    o.truth == Some(o.best),
                    weight,
                )
            })
            .collect();
        // More confidence for a higher score, less for more unknown words: a fit that
        // says otherwise has learned noise, and the prior is the better map.
        let direction = match logistic(&balanced, prior) {
            Some(d) if d[0] > 0.0 && d[1] <= 0.0 => d,
            _ => return Calibration::PRIOR,
        };
        let along: Vec<([f64; 3], bool, f64)> = balanced
            .iter()
            .map(|(x, right, _)| {
                (
                    [direction[0] * x[0] + direction[1] * x[1], 0.0, 1.0],
                    *right,
                    1.0,
                )
            })
            .collect();
        let scale = match logistic(&along, [1.0, 0.0, direction[2]]) {
            Some(s) if s[0] > 0.0 => s,
            _ => return Calibration::PRIOR,
        };
        Calibration {
            score: (scale[0] * direction[0]) as f32,
            unknown: (scale[0] * direction[1]) as f32,
            offset: scale[2] as f32,
        }
    }

    /// The threshold that rejects as many no-intent messages as possible while costing
    /// at most `max_loss` of in-scope accuracy (as a fraction) on the held-out samples.
    /// Without no-intent samples it is the highest threshold within the same budget.
    /// With fewer than [`MIN_BUDGET_SAMPLES`] in-scope samples it is 0.5.
    fn choose_threshold(&self, samples: &[Observation], max_loss: f32) -> f32 {
        let mut points: Vec<(f32, bool, bool)> = samples
            .iter()
            .map(|o| {
                (
                    self.confidence(o.score, o.unknown),
                    o.truth.is_none(),
                    o.truth == Some(o.best),
                )
            })
            .collect();
        let in_scope = points.iter().filter(|p| !p.1).count();
        // A budget of one point cannot be measured on a few hundred examples; there the
        // threshold is 0.5: an intent is accepted when it is more likely right than wrong.
        if in_scope < MIN_BUDGET_SAMPLES {
            return 0.5;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut right = points.iter().filter(|p| p.2).count();
        let floor = right as f64 / in_scope as f64 - max_loss as f64;
        // Raise the threshold past one confidence level at a time while accuracy holds.
        let mut threshold = 0.0f32;
        let mut i = 0;
        while i < points.len() {
            let level = points[i].0;
            let mut lost = 0;
            let mut j = i;
            while j < points.len() && points[j].0 == level {
                lost += points[j].2 as usize;
                j += 1;
            }
            if ((right - lost) as f64 / in_scope as f64) < floor {
                break;
            }
            right -= lost;
            threshold = if j < points.len() {
                (level + points[j].0) / 2.0
            } else {
                level
            };
            i = j;
        }
        threshold.clamp(0.0, 1.0)
    }
}

/// Weighted logistic regression by damped Newton steps with Platt's smoothed targets.
/// Points are (inputs, is-positive, weight). A Gaussian prior of unit strength centred on
/// `center` keeps the fit sane on a few dozen held-out examples (where the data alone can
/// be separable and send the coefficients to infinity) and is negligible on thousands.
fn logistic(points: &[([f64; 3], bool, f64)], center: [f64; 3]) -> Option<[f64; 3]> {
    const PRIOR_STRENGTH: f64 = 1.0;
    let positives: f64 = points.iter().filter(|p| p.1).map(|p| p.2).sum();
    let negatives: f64 = points.iter().filter(|p| !p.1).map(|p| p.2).sum();
    let hi = (positives + 1.0) / (positives + 2.0);
    let lo = 1.0 / (negatives + 2.0);
    let loss = |beta: &[f64; 3]| -> f64 {
        let mut total = 0.0;
        for (x, positive, weight) in points {
            let target = if *positive { hi } else { lo };
            let z: f64 = (0..3).map(|k| beta[k] * x[k]).sum();
            // log(1 + e^z) - target * z, computed without overflow
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            total += weight * (softplus - target * z);
        }
        total + 0.5 * PRIOR_STRENGTH * (0..3).map(|k| (beta[k] - center[k]).powi(2)).sum::<f64>()
    };
    let mut beta = center;
    let mut current = loss(&beta);
    for _ in 0..100 {
        let mut grad = [0.0f64; 3];
        let mut hess = [[0.0f64; 3]; 3];
        for (x, positive, weight) in points {
            let target = if *positive { hi } else { lo };
            let z: f64 = (0..3).map(|k| beta[k] * x[k]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let w = (p * (1.0 - p)).max(1e-12) * weight;
            for a in 0..3 {
                grad[a] += (p - target) * x[a] * weight;
                for b in 0..3 {
                    hess[a][b] += w * x[a] * x[b];
                }
            }
        }
        for a in 0..3 {
            grad[a] += PRIOR_STRENGTH * (beta[a] - center[a]);
            hess[a][a] += PRIOR_STRENGTH;
        }
        let step = solve3(hess, grad)?;
        // Halve the step until the loss does not go up.
        let mut factor = 1.0;
        let mut next = beta;
        let mut improved = false;
        for _ in 0..30 {
            next = [
                beta[0] - factor * step[0],
                beta[1] - factor * step[1],
                beta[2] - factor * step[2],
            ];
            let value = loss(&next);
            if value <= current {
                current = value;
                improved = true;
                break;
            }
            factor *= 0.5;
        }
        if !improved {
            break;
        }
        let moved = (0..3).all(|k| (next[k] - beta[k]).abs() < 1e-7);
        beta = next;
        if moved {
            break;
        }
    }
    beta.iter().all(|b| b.is_finite()).then_some(beta)
}

fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..3 {
            let f = a[row][col] / pivot_row[col];
            for (cell, &p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *cell -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[derive(Debug)]
struct Inner {
    ids: Vec<Arc<str>>,
    class_index: BTreeMap<String, usize>,
    normalizer: Normalizer,
    keywords: KeywordMatcher,
    linear: LinearModel,
    calibration: Calibration,
    max_message_len: usize,
}

impl Inner {
    /// What calibration needs of a held-out message whose right answer is `truth`.
    fn observe(&self, text: &str, truth: Option<usize>) -> Observation {
        let (text, _) = cut(text, self.max_message_len);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut normalized = std::mem::take(&mut scratch.normalized);
            let unknown = self.analyze(text, &mut normalized, &mut scratch).1;
            scratch.normalized = normalized;
            let (best, score) =
                scratch
                    .scores
                    .iter()
                    .enumerate()
                    .fold(
                        (0, f32::NEG_INFINITY),
                        |b, (i, &s)| if s > b.1 { (i, s) } else { b },
                    );
            Observation {
                best,
                score,
                unknown,
                truth,
            }
        })
    }

    /// Normalizes, finds keywords, vectorizes and scores `text` into `scratch`. Returns
    /// the keyword hits and the number of unknown words not covered by a keyword hit (a
    /// typo of a keyword is not a sign of an off-topic message).
    fn analyze(
        &self,
        text: &str,
        normalized: &mut Normalized,
        scratch: &mut scorer::Scratch,
    ) -> (Vec<KeywordHit>, f32) {
        self.normalizer.normalize_into(text, normalized);
        let mut hits = Vec::new();
        if !self.keywords.is_empty() {
            self.keywords.find_normalized(normalized, &mut hits);
        }
        let keyword_features = hits.iter().filter_map(|hit| {
            let class = *self.class_index.get(&*hit.intent)?;
            Some(scorer::keyword_feature(class, hit.negated))
        });
        self.linear
            .vectorize(normalized.as_str(), keyword_features, scratch);
        self.linear.score(scratch);
        let mut unknown = scratch.unknown.len();
        if unknown > 0 && !hits.is_empty() {
            // Both lists are in message order (unknown tokens ascending, hits by
            // position), so one forward walk does.
            let mut next_hit = 0;
            let mut covered = 0;
            for &token in &scratch.unknown {
                let Some(range) = scratch.word_range(token as usize) else {
                    continue;
                };
                let span = normalized.original_span(range);
                while next_hit < hits.len() && hits[next_hit].span.end <= span.start {
                    next_hit += 1;
                }
                if hits[next_hit.min(hits.len())..]
                    .iter()
                    .take_while(|h| h.span.start < span.end)
                    .any(|h| span.start < h.span.end)
                {
                    covered += 1;
                }
            }
            unknown -= covered;
        }
        (hits, unknown as f32)
    }
}

/// How many alternatives a detection ranks.
const ALTERNATIVES: usize = 5;

/// Scores are scanned this many at a time by [`best_scores`]: for its floor, and for
/// its mask, where eight groups of eight fill a 64-bit word.
const LANES: usize = 8;
const _: () = assert!(LANES * LANES == 64);

/// The best `(class, score)` pairs, best first, ties to the lower class, and how many
/// there are (fewer than [`ALTERNATIVES`] only with fewer classes; NaN never ranks).
///
/// Inserting class by class mispredicts a branch at almost every insertion while the
/// ranking fills up, so a floor comes first. The maxima of the lanes (every eighth
/// score) are scores of different classes, so the fifth best of them is at most the
/// fifth best score: only scores at or above it can rank. They are picked out as a
/// bitmask, 64 scores a word, and only they are inserted, typically five to ten (in
/// the mask's order, so insertion breaks ties by class). O(classes).
fn best_scores(scores: &[f32]) -> ([(usize, f32); ALTERNATIVES], usize) {
    let mut floor = f32::NEG_INFINITY;
    if scores.len() >= LANES {
        let mut lanes = [f32::NEG_INFINITY; LANES];
        for chunk in scores.chunks_exact(LANES) {
            for (lane, &s) in lanes.iter_mut().zip(chunk) {
                // `>` keeps the lane's maximum on NaN.
                *lane = if s > *lane { s } else { *lane };
            }
        }
        let mut best = [f32::NEG_INFINITY; ALTERNATIVES];
        for max in lanes {
            insert(&mut best, max, |&other| max > other);
        }
        floor = best[ALTERNATIVES - 1];
    }
    // -inf never ranks, whatever the floor (nor NaN: it compares false).
    let floor = floor.max(f32::MIN);
    let mut top = [(usize::MAX, f32::NEG_INFINITY); ALTERNATIVES];
    for (block, chunk) in scores.chunks(64).enumerate() {
        // Bit 8i + k stands for score 8k + i of the block: at or above the floor. The
        // compares of each eight vectorize into one byte each, and the eights
        // interleave by a shift, with no branch and no multiply. Full eights apart
        // from the last partial one: a shared path built each word in memory from two
        // half stores, and reading it back could not be forwarded from them.
        let mut above = 0u64;
        let mut eights = chunk.chunks_exact(LANES);
        for (k, eight) in (&mut eights).enumerate() {
            let mut bytes = [0u8; LANES];
            for (byte, &s) in bytes.iter_mut().zip(eight) {
                *byte = u8::from(s >= floor);
            }
            above |= u64::from_le_bytes(bytes) << k;
        }
        let k = chunk.len() / LANES;
        for (i, &s) in eights.remainder().iter().enumerate() {
            above |= u64::from(s >= floor) << (LANES * i + k);
        }
        while above != 0 {
            let bit = above.trailing_zeros() as usize;
            above &= above - 1;
            let class = block * 64 + bit % LANES * LANES + bit / LANES;
            let s = scores[class];
            // The mask's order is not the classes': ties go to the lower class here.
            let beats = |&(other, score): &(usize, f32)| s > score || (s == score && class < other);
            insert(&mut top, (class, s), beats);
        }
    }
    let count = top
        .iter()
        .take_while(|&&(class, _)| class != usize::MAX)
        .count();
    (top, count)
}

/// Inserts `item` into `ranked` (best first) if it `beats` the last, above every entry
/// it beats.
fn insert<T: Copy>(ranked: &mut [T; ALTERNATIVES], item: T, beats: impl Fn(&T) -> bool) {
    if beats(&ranked[ALTERNATIVES - 1]) {
        let mut at = ALTERNATIVES - 1;
        while at > 0 && beats(&ranked[at - 1]) {
            ranked[at] = ranked[at - 1];
            at -= 1;
        }
        ranked[at] = item;
    }
}

/// The most intents a model can hold, whatever [`Limits::max_intents`] allows.
pub(crate) const MAX_MODEL_INTENTS: usize = 1 << 16;

/// A trained intent model. Immutable, `Send + Sync`, and cheap to clone.
#[derive(Clone, Debug)]
pub struct IntentModel {
    inner: Arc<Inner>,
    threshold: f32,
}

impl IntentModel {
    /// A builder for a model.
    pub fn builder() -> IntentModelBuilder {
        IntentModelBuilder::new()
    }

    /// Detects the intent of `text`. Never panics, whatever the input.
    pub fn detect(&self, text: &str) -> Detection {
        let inner = &*self.inner;
        let (text, truncated) = cut(text, inner.max_message_len);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut normalized = std::mem::take(&mut scratch.normalized);
            let (keywords, unknown) = inner.analyze(text, &mut normalized, &mut scratch);
            let detection = self.detection_from(
                &mut scratch,
                &normalized,
                text,
                keywords,
                unknown,
                truncated,
            );
            scratch.normalized = normalized;
            detection
        })
    }

    fn detection_from(
        &self,
        scratch: &mut scorer::Scratch,
        normalized: &Normalized,
        text: &str,
        keywords: Vec<KeywordHit>,
        unknown: f32,
        truncated: bool,
    ) -> Detection {
        let inner = &*self.inner;
        let (top, count) = best_scores(&scratch.scores);
        let alternatives: Vec<IntentScore> = top[..count]
            .iter()
            .map(|&(class, s)| IntentScore {
                intent: inner.ids[class].clone(),
                confidence: inner.calibration.confidence(s, unknown),
            })
            .collect();
        let confidence = alternatives.first().map_or(0.0, |a| a.confidence);
        let intent = alternatives
            .first()
            .filter(|a| a.confidence >= self.threshold && normalized_has_content(normalized))
            .map(|a| a.intent.clone());
        let evidence = if count > 0 {
            self.evidence(scratch, normalized, text, top[0].0)
        } else {
            Vec::new()
        };
        Detection {
            intent,
            confidence,
            alternatives,
            keywords,
            evidence,
            truncated,
        }
    }

    /// Sums each token's feature contributions to `class` and keeps the top three.
    fn evidence(
        &self,
        scratch: &mut scorer::Scratch,
        normalized: &Normalized,
        text: &str,
        class: usize,
    ) -> Vec<Evidence> {
        let vector = &scratch.vector;
        let linear = &self.inner.linear;
        let mut sums = std::mem::take(&mut scratch.sums);
        sums.clear();
        sums.resize(scratch.word_count(), 0.0);
        for entry in &vector.entries {
            if entry.token != u32::MAX {
                sums[entry.token as usize] += entry.value * linear.weight(entry.id, class);
            }
        }
        for &(word, token) in &vector.words {
            sums[token as usize] += vector.word_value * linear.word_weight(word, class);
        }
        // The three tokens that pushed hardest, strongest first.
        let mut best: [(usize, f32); 3] = [(usize::MAX, 0.0); 3];
        for (token, &weight) in sums.iter().enumerate() {
            if weight <= 0.0 {
                continue;
            }
            if let Some(at) = best.iter().position(|b| b.0 == usize::MAX || weight > b.1) {
                best[at..].rotate_right(1);
                best[at] = (token, weight);
            }
        }
        scratch.sums = sums;
        // The vectorizer kept each token's range: no second pass over the text.
        let ranges = best.map(|(token, _)| scratch.word_range(token));
        best.iter()
            .zip(ranges)
            .filter_map(|(&(_, weight), range)| {
                let span = normalized.original_span(range?);
                Some(Evidence {
                    text: text.get(span.clone())?.to_string(),
                    span,
                    weight,
                })
            })
            .collect()
    }

    /// The no-intent threshold on the calibrated confidence.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The same model with another no-intent threshold (cheap: shares the weights).
    pub fn with_threshold(&self, threshold: f32) -> IntentModel {
        IntentModel {
            inner: Arc::clone(&self.inner),
            threshold: if threshold.is_nan() {
                self.threshold
            } else {
                threshold.clamp(0.0, 1.0)
            },
        }
    }

    /// The intent ids, in the order they were given.
    pub fn intent_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.inner.ids.iter().map(|id| &**id)
    }

    /// Whether the model knows an intent with this id.
    pub fn has_intent(&self, id: &str) -> bool {
        self.inner.class_index.contains_key(id)
    }

    /// The keyword matcher over every intent's keywords.
    pub fn keyword_matcher(&self) -> &KeywordMatcher {
        &self.inner.keywords
    }

    /// The normalizer the model applies to messages.
    pub fn normalizer(&self) -> &Normalizer {
        &self.inner.normalizer
    }

    /// Approximate heap memory held by the model, in bytes.
    pub fn model_bytes(&self) -> usize {
        self.inner.linear.bytes()
            + self.inner.ids.iter().map(|id| id.len() + 32).sum::<usize>() * 2
            + std::mem::size_of::<Inner>()
    }
}

fn normalized_has_content(normalized: &Normalized) -> bool {
    normalized.tokens().next().is_some()
}

/// Cuts `text` to at most `max` bytes at a char boundary.
fn cut(text: &str, max: usize) -> (&str, bool) {
    let kept = crate::text::truncate_at_char_boundary(text, max);
    (kept, kept.len() < text.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The ranking by a stable sort: so simple it is unlikely to be wrong.
    fn best_by_sorting(scores: &[f32]) -> Vec<(usize, f32)> {
        let mut ranked: Vec<(usize, f32)> = scores
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, s)| s > f32::NEG_INFINITY)
            .collect();
        ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).expect("no NaN left"));
        ranked.truncate(ALTERNATIVES);
        ranked
    }

    fn score() -> impl Strategy<Value = f32> {
        prop_oneof![
            // Few distinct values, so ties are common.
            (-3i8..3).prop_map(|v| v as f32 * 0.5),
            any::<f32>(),
            Just(f32::NAN),
            Just(f32::INFINITY),
            Just(f32::NEG_INFINITY),
            Just(-0.0f32),
        ]
    }

    #[test]
    fn best_scores_find_the_best_anywhere() {
        for len in [1, 4, 5, 7, 8, 9, 63, 64, 65, 127, 128, 129, 150, 300] {
            for best in [0, len / 2, len - 1] {
                let mut scores: Vec<f32> = (0..len).map(|i| -(i as f32) / 1000.0).collect();
                scores[best] = 1.0;
                let (top, count) = best_scores(&scores);
                assert_eq!(count, len.min(ALTERNATIVES), "{len} scores");
                assert_eq!(top[0], (best, 1.0), "{len} scores, best at {best}");
                assert_eq!(best_by_sorting(&scores), top[..count].to_vec());
            }
        }
    }

    proptest! {
        #[test]
        fn best_scores_rank_like_a_sort(scores in prop::collection::vec(score(), 0..400)) {
            let (top, count) = best_scores(&scores);
            let want = best_by_sorting(&scores);
            prop_assert_eq!(count, want.len());
            for (got, want) in top[..count].iter().zip(&want) {
                prop_assert_eq!(got.0, want.0);
                prop_assert_eq!(got.1.to_bits(), want.1.to_bits());
            }
        }
    }
}
