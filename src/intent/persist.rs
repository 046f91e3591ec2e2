//! Saving and loading an [`IntentModel`]: `to_bytes`, `from_bytes` and the model's
//! fingerprint.
//!
//! The payload holds the intent ids, the normalization options, the message length
//! limit, the threshold, the ambiguity margin, the negation policy, the calibration's
//! coefficients, the keyword entries, the scorer's weights (see `scorer::persist`) and
//! the training words with their counts (the typo index is derived from them). The keyword matcher is compiled again from
//! its entries (cheap, and nothing trained); nothing else is recomputed.
//!
//! Complexity: linear in the model's size both ways, plus compiling the keywords on
//! load.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::keywords::{KeywordMatcher, NegationPolicy};
use crate::limits::MAX_MODEL_INTENTS;
use crate::persist::{hash, open, seal, Kind, LoadError, Reader, Writer};
use crate::scorer::LinearModel;
use crate::text::{NormalizeOptions, Normalizer};

use super::calibration::Calibration;
use super::model::{Inner, IntentModel};
use super::spelling::{Spelling, SpellingOptions};

impl IntentModel {
    /// The trained model as bytes, for the host to store; [`IntentModel::from_bytes`]
    /// reads them back into a model that detects exactly as this one does. The format
    /// (see [`FORMAT_VERSION`](crate::FORMAT_VERSION)) is a versioned header with a
    /// checksum, then the weights as trained.
    ///
    /// ```
    /// use handoff::{Intent, IntentModel};
    /// let model = IntentModel::builder()
    ///     .intent(Intent::new("pricing").phrases(["how much is it", "what are your prices"]))
    ///     .intent(Intent::new("support").phrases(["I can't log in", "the app crashes"]))
    ///     .build()?;
    /// let bytes = model.to_bytes();
    /// let loaded = IntentModel::from_bytes(&bytes).unwrap();
    /// assert_eq!(loaded.detect("how much?"), model.detect("how much?"));
    /// assert_eq!(loaded.fingerprint(), model.fingerprint());
    /// # Ok::<(), handoff::BuildError>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        seal(Kind::Model, &self.payload())
    }

    /// Reads a model saved by [`IntentModel::to_bytes`]. Trains nothing: the weights,
    /// calibration and threshold are used as saved. Damaged, truncated, foreign or
    /// wrong-version bytes are a [`LoadError`] saying which; loading never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<IntentModel, LoadError> {
        let payload = open(bytes, Kind::Model)?;
        let mut r = Reader::new(payload);
        let model = IntentModel::decode(&mut r)?;
        r.finish("model")?;
        Ok(model)
    }

    /// A stable identifier of the trained model: the hash of what it saves (weights,
    /// calibration, threshold, keywords, normalization). Equal models have equal
    /// fingerprints in every process and on every machine; a retrained model whose
    /// weights moved has another. Costs one pass over the model's weights.
    pub fn fingerprint(&self) -> u64 {
        hash(&self.payload())
    }

    /// The model's payload, without the file header.
    pub(crate) fn payload(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.encode(&mut w);
        w.bytes
    }

    fn encode(&self, w: &mut Writer) {
        // Every field named: a field added to the model must be saved, or be said here
        // not to need it.
        let Inner {
            ids,
            class_index: _,
            normalizer,
            keywords,
            linear,
            calibration,
            max_message_len,
            spelling,
        } = &*self.inner;
        w.count(ids.len());
        for id in ids {
            w.str(id);
        }
        w.u8(u8::from(normalizer.options().folds_accents()));
        w.u64(*max_message_len as u64);
        w.f32(self.threshold);
        w.f32(self.ambiguity_margin);
        w.u8(negation_code(self.negation));
        for c in calibration.coefficients() {
            w.f32(c);
        }
        let entries: Vec<_> = keywords.entries().collect();
        w.count(entries.len());
        for (intent, keyword) in entries {
            w.str(intent);
            w.str(keyword);
        }
        linear.encode(w);
        encode_spelling(spelling, w);
    }

    /// Reads a model's payload from `r`, checking everything detection relies on.
    pub(crate) fn decode(r: &mut Reader<'_>) -> Result<IntentModel, LoadError> {
        let ids = decode_ids(r)?;
        let options = match r.u8("model.normalize")? {
            0 => NormalizeOptions::default().fold_accents(false),
            1 => NormalizeOptions::default(),
            v => return Err(r.error("model.normalize", format_args!("flag {v}"))),
        };
        let max_message_len =
            usize::try_from(r.u64("model.max_message_len")?).unwrap_or(usize::MAX);
        let threshold = r.f32("model.threshold")?;
        if !(0.0..=1.0).contains(&threshold) {
            return Err(r.error(
                "model.threshold",
                format_args!("{threshold} outside [0, 1]"),
            ));
        }
        let ambiguity_margin = r.f32("model.ambiguity_margin")?;
        if !(0.0..=1.0).contains(&ambiguity_margin) {
            return Err(r.error(
                "model.ambiguity_margin",
                format_args!("{ambiguity_margin} outside [0, 1]"),
            ));
        }
        let negation = match r.u8("model.negation")? {
            0 => NegationPolicy::Decline,
            1 => NegationPolicy::Ignore,
            2 => NegationPolicy::Any,
            v => return Err(r.error("model.negation", format_args!("policy {v}"))),
        };
        let calibration = Calibration::from_coefficients([
            r.f32("model.calibration")?,
            r.f32("model.calibration")?,
            r.f32("model.calibration")?,
        ]);
        let keywords = decode_keywords(r, &ids, options)?;
        let linear = LinearModel::decode(r, ids.len())?;
        let spelling = decode_spelling(r)?;
        let class_index = ids
            .iter()
            .enumerate()
            .map(|(class, id)| (id.to_string(), class))
            .collect();
        Ok(IntentModel {
            inner: Arc::new(Inner {
                ids,
                class_index,
                normalizer: Normalizer::new(options),
                keywords,
                linear,
                calibration,
                max_message_len,
                spelling,
            }),
            threshold,
            ambiguity_margin,
            negation,
        })
    }
}

/// The intent ids: at least one, at most the scorer's limit, each non-empty and unique.
fn decode_ids(r: &mut Reader<'_>) -> Result<Vec<Arc<str>>, LoadError> {
    let count = r.count(5, "model.intents")?;
    if count == 0 || count > MAX_MODEL_INTENTS {
        return Err(r.error("model.intents", format_args!("{count} intents")));
    }
    let mut ids: Vec<Arc<str>> = Vec::with_capacity(count);
    let mut seen = BTreeSet::new();
    for i in 0..count {
        let path = format!("model.intents[{i}]");
        let id = r.str(&path)?;
        if id.is_empty() || !seen.insert(id) {
            return Err(r.error(&path, format_args!("empty or repeated id {id:?}")));
        }
        ids.push(Arc::from(id));
    }
    Ok(ids)
}

/// The keyword entries, each of a known intent, compiled into the matcher.
fn decode_keywords(
    r: &mut Reader<'_>,
    ids: &[Arc<str>],
    options: NormalizeOptions,
) -> Result<KeywordMatcher, LoadError> {
    let by_id: BTreeMap<&str, &Arc<str>> = ids.iter().map(|id| (&**id, id)).collect();
    let count = r.count(8, "model.keywords")?;
    let mut entries = Vec::with_capacity(count);
    for i in 0..count {
        let path = format!("model.keywords[{i}]");
        let intent = r.str(&path)?;
        let Some(&intent) = by_id.get(intent) else {
            return Err(r.error(&path, format_args!("unknown intent {intent:?}")));
        };
        let keyword = r.str(&path)?;
        entries.push((intent.clone(), Arc::from(keyword), path));
    }
    KeywordMatcher::from_entries(&entries, options)
        .map_err(|e| LoadError::malformed(e.path().to_string(), e.to_string()))
}

fn negation_code(policy: NegationPolicy) -> u8 {
    match policy {
        NegationPolicy::Decline => 0,
        NegationPolicy::Ignore => 1,
        NegationPolicy::Any => 2,
    }
}

/// The spelling options as bits (typos 1, word forms 2, English list 4), then the
/// training words with their counts; the indexes are rebuilt from them on load.
fn encode_spelling(spelling: &Spelling, w: &mut Writer) {
    let o = spelling.options();
    w.u8(u8::from(o.typos) | u8::from(o.forms) << 1 | u8::from(o.english) << 2);
    let words: Vec<(&str, u32)> = spelling.counts().collect();
    w.count(words.len());
    for (word, count) in words {
        w.str(word);
        w.u32(count);
    }
}

fn decode_spelling(r: &mut Reader<'_>) -> Result<Spelling, LoadError> {
    let bits = r.u8("model.spelling")?;
    if bits > 7 {
        return Err(r.error("model.spelling", format_args!("flags {bits}")));
    }
    let options = SpellingOptions {
        typos: bits & 1 != 0,
        forms: bits & 2 != 0,
        english: bits & 4 != 0,
    };
    // A word is at least its length prefix and one byte, then its count.
    let count = r.count(9, "model.spelling.words")?;
    let mut words = Vec::with_capacity(count);
    let mut previous: Option<&str> = None;
    for i in 0..count {
        let path = format!("model.spelling.words[{i}]");
        let word = r.str(&path)?;
        if word.is_empty() || previous.is_some_and(|p| p >= word) {
            return Err(r.error(&path, format_args!("empty or unsorted word {word:?}")));
        }
        previous = Some(word);
        let n = r.u32(&path)?;
        words.push((word.to_string(), n));
    }
    Ok(Spelling::from_counts(options, words))
}
