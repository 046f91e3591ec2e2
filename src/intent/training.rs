//! Training the scorer on validated input, and cross-validated observations for
//! calibration.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::error::{BuildError, ErrorKind};
use crate::keywords::KeywordMatcher;
use crate::scorer::{
    self, Budget, Example, LinearModel, Measure, Oversized, RawFeature, TrainOptions,
};
use crate::seeded::{Folds, Rng};
use crate::text::{Normalized, Normalizer};

use super::calibration::{Calibration, Observation};
use super::model::Inner;
use super::spelling::{Spelling, SpellingOptions};
use super::types::Intent;

/// The generator that deals calibration folds: one fixed stream, so that the same data
/// and options give the same model.
const CALIBRATION_RNG: Rng = Rng::from_state(0x2545_F491_4F6C_DD1D);

/// What a trained model is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Use {
    /// Detecting any message: the model built.
    Detect,
    /// Scoring held-out examples for calibration only: precomputes less.
    Calibrate,
}

/// Validated input, ready to train.
pub(super) struct Prepared<'a> {
    pub(super) intents: &'a [Intent],
    pub(super) negatives: &'a [String],
    pub(super) max_message_len: usize,
    pub(super) spelling: SpellingOptions,
    /// The weight of the meaning block learnt from the built-in word vectors (0: none).
    pub(super) word_vectors: f32,
    pub(super) normalizer: Normalizer,
    pub(super) keywords: KeywordMatcher,
    pub(super) ids: Vec<Arc<str>>,
    pub(super) class_index: BTreeMap<String, usize>,
    /// The limits on each training's size.
    pub(super) budget: Budget,
}

impl Prepared<'_> {
    pub(super) fn class_of(&self, id: &str) -> Option<usize> {
        self.class_index.get(id).copied()
    }

    /// Every training text with its class: phrases, keywords (a keyword alone is an
    /// example of its intent), negatives.
    pub(super) fn all_examples(&self) -> Vec<(&str, Option<usize>)> {
        let mut out = Vec::new();
        for (class, intent) in self.intents.iter().enumerate() {
            for text in intent.phrases.iter().chain(&intent.keywords) {
                out.push((text.as_str(), Some(class)));
            }
        }
        for text in self.negatives {
            out.push((text.as_str(), None));
        }
        out
    }

    /// Trains on `examples`.
    ///
    /// # Errors
    /// [`ErrorKind::TrainingTooLarge`] at `intents` when the training is over the budget,
    /// found before the solver runs.
    pub(super) fn train(
        &self,
        examples: &[(&str, Option<usize>)],
        c: f32,
        usage: Use,
    ) -> Result<Inner, BuildError> {
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
                let mut meaning = Vec::new();
                if self.word_vectors > 0.0 {
                    scorer::listed_words(normalized.as_str(), &mut meaning);
                }
                Example {
                    features,
                    class,
                    meaning,
                }
            })
            .collect();
        let options = TrainOptions {
            c,
            budget: self.budget,
            meaning: self.word_vectors,
            all_listed: usage == Use::Detect,
            ..TrainOptions::default()
        };
        let linear = LinearModel::train(&data, self.ids.len(), options).map_err(too_large)?;
        Ok(Inner {
            ids: self.ids.clone(),
            class_index: self.class_index.clone(),
            normalizer: self.normalizer,
            keywords: self.keywords.clone(),
            linear,
            calibration: Calibration::PRIOR,
            max_message_len: self.max_message_len,
            spelling: Spelling::from_texts(
                self.spelling,
                &self.normalizer,
                examples.iter().map(|e| e.0),
            ),
        })
    }

    /// Raw scores of every training example, each from a model that did not see it.
    ///
    /// # Errors
    /// As [`train`](Prepared::train); a fold trains on less than all the data, so it
    /// is within the budget when the whole is.
    pub(super) fn cross_validated_scores(
        &self,
        folds: usize,
        c: f32,
    ) -> Result<Vec<Observation>, BuildError> {
        let examples = self.all_examples();
        if examples.len() < folds.saturating_mul(2) {
            return Ok(Vec::new());
        }
        let folds = Folds::deal([examples.len()], folds, &mut CALIBRATION_RNG.clone());
        let mut out = Vec::with_capacity(examples.len());
        for split in folds.splits() {
            let train: Vec<(&str, Option<usize>)> =
                split.train.iter().map(|&i| examples[i]).collect();
            let model = self.train(&train, c, Use::Calibrate)?;
            for i in split.held_out {
                let (text, class) = examples[i];
                out.push(model.observe(text, class));
            }
        }
        Ok(out)
    }
}

/// The build error for a training over its budget.
fn too_large(over: Oversized) -> BuildError {
    let field = match over.measure {
        Measure::Weights => "max_model_weights",
        Measure::Work => "max_training_work",
    };
    let usize_of = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
    BuildError::new(
        "intents",
        ErrorKind::TrainingTooLarge {
            field,
            limit: usize_of(over.limit),
            actual: usize_of(over.actual),
        },
    )
}
