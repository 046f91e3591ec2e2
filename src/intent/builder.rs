//! [`IntentModelBuilder`]: the options, their one validation path, and `build`.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{BuildError, ErrorKind, Item};
use crate::keywords::KeywordMatcher;
use crate::limits::{Limits, MAX_MODEL_INTENTS};
use crate::scorer::Budget;
use crate::text::{NormalizeOptions, Normalizer};

use super::calibration::{Calibration, Observation};
use super::model::AMBIGUITY_FLOOR;
use super::model::{Inner, IntentModel};
use super::options::ModelOptions;
use super::training::{Prepared, Use};
use super::types::Intent;

impl IntentModel {
    /// A builder for a model.
    pub fn builder() -> IntentModelBuilder {
        IntentModelBuilder::new()
    }
}

/// Builds an [`IntentModel`]. Reusable: `build` can be called again after changes.
///
/// Every option is also a field of [`ModelOptions`], the serde form, set all at once
/// with [`options`](IntentModelBuilder::options); either way, `build` validates them.
#[derive(Clone, Debug, Default)]
pub struct IntentModelBuilder {
    pub(super) intents: Vec<Intent>,
    pub(super) negatives: Vec<String>,
    pub(super) options: ModelOptions,
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
        self.options.threshold = Some(threshold);
        self
    }

    /// How much in-scope accuracy (a fraction, default 0.01: one point) the chosen
    /// no-intent threshold may cost on held-out data. Ignored when the threshold is
    /// fixed with [`threshold`](IntentModelBuilder::threshold).
    pub fn max_in_scope_loss(&mut self, loss: f32) -> &mut Self {
        self.options.max_in_scope_loss = loss;
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
        self.options.calibrate_on.extend(
            examples
                .into_iter()
                .map(|(t, l)| (t.into(), l.map(Into::into))),
        );
        self
    }

    /// Number of cross-validation folds used for calibration when no held-out examples
    /// are given (default 5). `0` or `1` skips calibration and uses a fixed mapping from
    /// scores to confidence, and so does a count leaving fewer than two training
    /// examples per fold: any count is accepted. Each fold trains one more model on the
    /// others' examples, within the same [`Limits`] as the whole.
    pub fn calibration_folds(&mut self, folds: usize) -> &mut Self {
        self.options.calibration_folds = folds;
        self
    }

    /// Text normalization options (default: accent folding on).
    pub fn normalize_options(&mut self, options: NormalizeOptions) -> &mut Self {
        self.options.normalize = options;
        self
    }

    /// Regularization: higher values fit the example phrases more closely (default 1.0).
    pub fn regularization(&mut self, c: f32) -> &mut Self {
        self.options.regularization = c;
        self
    }

    /// Messages longer than this many bytes are cut at a char boundary before scoring,
    /// and the detection says so (default [`DEFAULT_MAX_MESSAGE_LEN`](crate::DEFAULT_MAX_MESSAGE_LEN)).
    pub fn max_message_len(&mut self, bytes: usize) -> &mut Self {
        self.options.limits.max_message_len = bytes;
        self
    }

    /// Whether a word the phrases never used but one typo away from one they did is
    /// read as that word (default true). See [`ModelOptions::read_typos`].
    pub fn read_typos(&mut self, yes: bool) -> &mut Self {
        self.options.read_typos = yes;
        self
    }

    /// Whether another inflected form of a word the phrases used reads as that word
    /// (default false). See [`ModelOptions::read_word_forms`].
    pub fn read_word_forms(&mut self, yes: bool) -> &mut Self {
        self.options.read_word_forms = yes;
        self
    }

    /// Whether the built-in English word list keeps common words from being read as
    /// typos (default true). See [`ModelOptions::lexicon`].
    pub fn lexicon(&mut self, yes: bool) -> &mut Self {
        self.options.lexicon = yes;
        self
    }

    /// Whether the model weighs what the message's words mean through the built-in
    /// word vectors (default false). See [`ModelOptions::word_vectors`].
    pub fn word_vectors(&mut self, yes: bool) -> &mut Self {
        self.options.word_vectors = yes;
        self
    }

    /// How much what the words mean weighs against which words they are (default
    /// 3.0). See [`ModelOptions::word_vector_weight`].
    pub fn word_vector_weight(&mut self, weight: f32) -> &mut Self {
        self.options.word_vector_weight = weight;
        self
    }

    /// Size limits checked when building (see [`Limits`] for the defaults).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.options.limits = limits;
        self
    }

    /// Sets every option at once, replacing those set before (including
    /// [`calibrate_on`](IntentModelBuilder::calibrate_on) examples); intents and
    /// negatives are kept. The values are checked by [`build`](IntentModelBuilder::build),
    /// like those of the other setters.
    pub fn options(&mut self, options: &ModelOptions) -> &mut Self {
        self.options = options.clone();
        self
    }

    /// The options as set so far: `builder.options(&builder.model_options())` changes
    /// nothing.
    pub fn model_options(&self) -> ModelOptions {
        self.options.clone()
    }

    /// Validates the intents and trains the model.
    pub fn build(&self) -> Result<IntentModel, BuildError> {
        let prepared = self.validate()?;
        let options = &self.options;
        let trained = prepared.train(
            &prepared.all_examples(),
            options.regularization,
            Use::Detect,
        )?;
        let held_out: Vec<Observation> = if !options.calibrate_on.is_empty() {
            self.observe_held_out(&prepared, &trained)?
        } else if options.calibration_folds >= 2 {
            prepared.cross_validated_scores(options.calibration_folds, options.regularization)?
        } else {
            Vec::new()
        };
        let calibration = Calibration::fit(&held_out);
        let threshold = match options.threshold {
            Some(t) => t,
            None => calibration.choose_threshold(&held_out, options.max_in_scope_loss),
        };
        let ambiguity_margin = match options.ambiguity_margin {
            Some(m) => m,
            None => calibration.choose_margin(&held_out, threshold * AMBIGUITY_FLOOR),
        };
        Ok(IntentModel {
            inner: Arc::new(Inner {
                calibration,
                ..trained
            }),
            threshold,
            ambiguity_margin,
            negation: options.negation,
        })
    }

    /// What calibration needs of each `calibrate_on` example, scored by `trained`.
    fn observe_held_out(
        &self,
        prepared: &Prepared<'_>,
        trained: &Inner,
    ) -> Result<Vec<Observation>, BuildError> {
        let held_out = &self.options.calibrate_on;
        let mut samples = Vec::with_capacity(held_out.len());
        for (i, (text, label)) in held_out.iter().enumerate() {
            let class = match label {
                None => None,
                Some(id) => Some(prepared.class_of(id).ok_or_else(|| {
                    BuildError::new(
                        format!("calibrate_on[{i}].intent"),
                        ErrorKind::Unknown {
                            what: Item::Intent,
                            name: id.clone(),
                        },
                    )
                })?),
            };
            samples.push(trained.observe(text, class));
        }
        Ok(samples)
    }

    /// The one validation path: options, sizes, then each intent; returns the input
    /// ready to train.
    fn validate(&self) -> Result<Prepared<'_>, BuildError> {
        if self.intents.is_empty() {
            return Err(BuildError::new("intents", ErrorKind::Empty));
        }
        self.options.validate()?;
        self.check_sizes()?;
        let normalizer = Normalizer::new(self.options.normalize);
        let keywords = self.check_intents(&normalizer)?;
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
            intents: &self.intents,
            negatives: &self.negatives,
            max_message_len: self.options.limits.max_message_len,
            spelling: self.options.spelling(),
            word_vectors: self.options.meaning_weight(),
            normalizer,
            keywords,
            ids,
            class_index,
            budget: Budget {
                max_weights: self.options.limits.max_model_weights as u64,
                max_work: self.options.limits.max_training_work as u64,
            },
        })
    }

    /// Counts against [`Limits`]: intents, phrases, keywords, and each negative's length.
    fn check_sizes(&self) -> Result<(), BuildError> {
        let limits = &self.options.limits;
        // The scorer stores an intent's index in 16 bits, whatever the limit says.
        let max_intents = limits.max_intents.min(MAX_MODEL_INTENTS);
        if self.intents.len() > max_intents {
            return Err(Limits::too_many("intents", max_intents, self.intents.len()));
        }
        let phrases =
            self.negatives.len() + self.intents.iter().map(|i| i.phrases.len()).sum::<usize>();
        if phrases > limits.max_phrases {
            return Err(Limits::too_many("intents", limits.max_phrases, phrases));
        }
        let keywords: usize = self.intents.iter().map(|i| i.keywords.len()).sum();
        if keywords > limits.max_keywords {
            return Err(Limits::too_many("intents", limits.max_keywords, keywords));
        }
        for (i, text) in self.negatives.iter().enumerate() {
            if text.len() > limits.max_phrase_len {
                return Err(Limits::too_long(
                    format!("negatives[{i}]"),
                    limits.max_phrase_len,
                    text.len(),
                ));
            }
        }
        Ok(())
    }

    /// Checks every intent (ids unique and visible, lengths, something to learn from)
    /// and compiles their keywords.
    fn check_intents(&self, normalizer: &Normalizer) -> Result<KeywordMatcher, BuildError> {
        let mut ids: BTreeMap<&str, usize> = BTreeMap::new();
        let mut keyword_entries = Vec::new();
        for (i, intent) in self.intents.iter().enumerate() {
            // An id must have something visible in it, and none around it: ids are
            // matched exactly wherever a flow or a report names them.
            let id = intent.id.as_str();
            if normalizer.normalize(id).is_empty() {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ErrorKind::Empty,
                ));
            }
            if id.trim() != id {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ErrorKind::Untrimmed { id: id.to_string() },
                ));
            }
            if ids.insert(id, i).is_some() {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ErrorKind::Duplicate {
                        id: intent.id.clone(),
                    },
                ));
            }
            self.check_intent_content(i, intent, normalizer)?;
            for (k, keyword) in intent.keywords.iter().enumerate() {
                keyword_entries.push((
                    Arc::<str>::from(intent.id.as_str()),
                    Arc::<str>::from(keyword.as_str()),
                    format!("intents[{i}].keywords[{k}]"),
                ));
            }
        }
        KeywordMatcher::from_entries(&keyword_entries, self.options.normalize)
    }

    /// Checks intent `i`'s phrase and keyword lengths, and that it has a phrase with a
    /// word or a keyword.
    fn check_intent_content(
        &self,
        i: usize,
        intent: &Intent,
        normalizer: &Normalizer,
    ) -> Result<(), BuildError> {
        let limits = &self.options.limits;
        for (k, phrase) in intent.phrases.iter().enumerate() {
            if phrase.len() > limits.max_phrase_len {
                return Err(Limits::too_long(
                    format!("intents[{i}].phrases[{k}]"),
                    limits.max_phrase_len,
                    phrase.len(),
                ));
            }
        }
        for (k, keyword) in intent.keywords.iter().enumerate() {
            if keyword.len() > limits.max_keyword_len {
                return Err(Limits::too_long(
                    format!("intents[{i}].keywords[{k}]"),
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
                ErrorKind::NoExamples,
            ));
        }
        Ok(())
    }
}
