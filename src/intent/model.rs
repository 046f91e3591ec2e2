//! [`IntentModel`]: detection on a trained model.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::keywords::{KeywordHit, KeywordMatcher, NegationPolicy};
use crate::scorer::{self, LinearModel, SCRATCH};
use crate::text::{Normalized, Normalizer};

use super::calibration::{Calibration, Observation};
use super::detection::{Detection, Evidence, IntentScore};
use super::rank::best_scores;

/// A detection is flagged as ambiguous only when its best candidate reaches this fraction
/// of the no-intent threshold.
pub(super) const AMBIGUITY_FLOOR: f32 = 0.5;

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) ids: Vec<Arc<str>>,
    pub(super) class_index: BTreeMap<String, usize>,
    pub(super) normalizer: Normalizer,
    pub(super) keywords: KeywordMatcher,
    pub(super) linear: LinearModel,
    pub(super) calibration: Calibration,
    pub(super) max_message_len: usize,
}

impl Inner {
    /// What calibration needs of a held-out message whose right answer is `truth`.
    pub(super) fn observe(&self, text: &str, truth: Option<usize>) -> Observation {
        let (text, _) = cut(text, self.max_message_len);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut normalized = std::mem::take(&mut scratch.normalized);
            let unknown = self.analyze(text, &mut normalized, &mut scratch).1;
            scratch.normalized = normalized;
            let (top, count) = best_scores(&scratch.scores);
            let (best, score) = if count > 0 {
                top[0]
            } else {
                (0, f32::NEG_INFINITY)
            };
            let second = if count > 1 {
                top[1].1
            } else {
                f32::NEG_INFINITY
            };
            Observation {
                best,
                score,
                second,
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

/// A trained intent model. Immutable, `Send + Sync`, and cheap to clone.
///
/// Intents and the intent model: what a message wants, how sure we are, and why.
///
/// An [`Intent`](crate::Intent) is an id plus example phrases and keyword triggers. An
/// [`IntentModelBuilder`](crate::IntentModelBuilder) trains an [`IntentModel`] from them: a linear scorer over word
/// and character n-grams (see the crate docs for the design), keyword hits as features the
/// model weighs, and a confidence calibrated on held-out examples. [`IntentModel::detect`]
/// returns a [`Detection`]: the intent (or none, when the message fits no intent well
/// enough), a confidence in `[0, 1]`, ranked alternatives, keyword hits and the words that
/// drove the score.
///
/// The builder and its validation are in `builder` (options as one serde value:
/// [`ModelOptions`](crate::ModelOptions)), training in `training`, confidence calibration and the threshold
/// in `calibration`, detection in `model` and `rank`; the taught values ([`Intent`](crate::Intent)) are
/// in `types`, the returned ones ([`Detection`]) in `detection`.
///
/// Complexity: training is roughly linear in the total length of the phrases times the
/// number of intents; `detect` is linear in the message length plus the weight rows of the
/// message's features, independent of the number of phrases.
///
/// # Example
/// ```
/// use handoff::{Intent, IntentModel};
///
/// let model = IntentModel::builder()
///     .intent(Intent::new("pricing")
///         .phrases(["how much does it cost", "what are your prices", "can I get a quote"])
///         .keyword("pricing"))
///     .intent(Intent::new("support")
///         .phrases(["I can't log in", "the app crashes", "reset my password"]))
///     .build()?;
/// let detection = model.detect("how much is the pro plan?");
/// assert_eq!(detection.intent_id(), Some("pricing"));
/// assert!(detection.confidence > 0.0 && detection.confidence <= 1.0);
/// # Ok::<(), handoff::BuildError>(())
/// ```
#[derive(Clone, Debug)]
pub struct IntentModel {
    pub(super) inner: Arc<Inner>,
    pub(super) threshold: f32,
    pub(super) ambiguity_margin: f32,
    pub(super) negation: NegationPolicy,
}

impl IntentModel {
    /// Detects the intent of `text`. Never panics, whatever the input.
    pub fn detect(&self, text: &str) -> Detection {
        self.detect_and_read(text, |_, _| ()).0
    }

    /// Detects, and hands `read` the text as scored (cut to the length limit) with its
    /// normalization, so a caller that reads the message too (the router's slot
    /// extractors) neither normalizes it again nor reads more than detection does.
    pub(crate) fn detect_and_read<R>(
        &self,
        text: &str,
        read: impl FnOnce(&str, &Normalized) -> R,
    ) -> (Detection, R) {
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
            let read = read(text, &normalized);
            scratch.normalized = normalized;
            (detection, read)
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
        let declined = declined_intents(&keywords, self.negation);
        let best = top[..count]
            .iter()
            .zip(&alternatives)
            .find(|(_, a)| !declined.contains(&a.intent));
        let confidence = best.map_or(0.0, |(_, a)| a.confidence);
        let intent = best
            .map(|(_, a)| a)
            .filter(|a| a.confidence >= self.threshold && normalized_has_content(normalized))
            .map(|a| a.intent.clone());
        let evidence = match best {
            Some((&(class, _), _)) => self.evidence(scratch, normalized, text, class),
            None => Vec::new(),
        };
        let ambiguous = self.ambiguous_pair(&alternatives, &declined);
        Detection {
            intent,
            confidence,
            ambiguous,
            declined,
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

    /// The best two candidates when they are too close to call: their confidences differ
    /// by less than the ambiguity margin and the best one reaches the ambiguity floor
    /// (half the no-intent threshold: a pair of long shots is no choice to offer).
    fn ambiguous_pair(
        &self,
        alternatives: &[IntentScore],
        declined: &[Arc<str>],
    ) -> Option<[Arc<str>; 2]> {
        let mut open = alternatives
            .iter()
            .filter(|a| !declined.contains(&a.intent));
        match (open.next(), open.next()) {
            (Some(first), Some(second))
                if first.confidence >= self.threshold * AMBIGUITY_FLOOR
                    && first.confidence - second.confidence < self.ambiguity_margin =>
            {
                Some([first.intent.clone(), second.intent.clone()])
            }
            _ => None,
        }
    }

    /// The ambiguity margin: a detection whose best two candidates' confidences differ
    /// by less than this is flagged as ambiguous ([`Detection::ambiguous`]).
    pub fn ambiguity_margin(&self) -> f32 {
        self.ambiguity_margin
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
            ambiguity_margin: self.ambiguity_margin,
            negation: self.negation,
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

/// The intents whose every keyword hit in the message is switched off by `policy`: the
/// customer declines them ("I don't want to cancel"). Intents without hits are not
/// declined. Sorted by id; O(hits log intents).
fn declined_intents(hits: &[KeywordHit], policy: NegationPolicy) -> Vec<Arc<str>> {
    if policy == NegationPolicy::Ignore {
        return Vec::new();
    }
    // Per intent: whether every hit so far was switched off.
    let mut all_off: BTreeMap<&Arc<str>, bool> = BTreeMap::new();
    for hit in hits {
        let off = policy.suppresses(hit);
        all_off
            .entry(&hit.intent)
            .and_modify(|a| *a &= off)
            .or_insert(off);
    }
    all_off
        .into_iter()
        .filter(|&(_, off)| off)
        .map(|(intent, _)| intent.clone())
        .collect()
}
