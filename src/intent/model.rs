//! [`IntentModel`]: detection on a trained model.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::keywords::{KeywordHit, KeywordMatcher, NegationPolicy};
use crate::scorer::{self, LinearModel, SCRATCH};
use crate::text::{Normalized, Normalizer};

use super::calibration::{Calibration, Observation};
use super::detection::{Detection, Evidence, IntentScore};
use super::rank::best_scores;
use super::spelling::{ReadAs, Spelling};

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
    /// The training texts' words, for reading a typo as the word it misspells.
    pub(super) spelling: Spelling,
}

/// An unseen word of a message read as a known word one edit away.
#[derive(Clone, Debug)]
pub(super) struct Reading {
    /// The word's token index in the message.
    token: u32,
    /// Its byte range in the normalized message.
    range: Range<usize>,
    /// The known word it was read as.
    read_as: ReadAs,
}

/// What detection needs of an analysis, the readings borrowed.
struct Found<'a> {
    keywords: Vec<KeywordHit>,
    unknown: f32,
    readings: &'a [Reading],
    truncated: bool,
}

/// What analyzing a message found beside its scores.
pub(super) struct Analysis {
    pub(super) keywords: Vec<KeywordHit>,
    /// Unknown words not covered by a keyword hit, after typo reading.
    pub(super) unknown: f32,
    /// The typos read as known words, in message order.
    pub(super) readings: Vec<Reading>,
}

thread_local! {
    /// The normalized message with its typos replaced by the words they were read as.
    static READ_AS: RefCell<String> = const { RefCell::new(String::new()) };
    /// The last message's readings, kept so that detection does not allocate for them.
    static READINGS: RefCell<Vec<Reading>> = const { RefCell::new(Vec::new()) };
}

/// Hands the readings' buffer back for the next message on this thread.
fn recycle(mut readings: Vec<Reading>) {
    readings.clear();
    READINGS.with(|buffer| *buffer.borrow_mut() = readings);
}

impl Inner {
    /// What calibration needs of a held-out message whose right answer is `truth`.
    pub(super) fn observe(&self, text: &str, truth: Option<usize>) -> Observation {
        let (text, _) = cut(text, self.max_message_len);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut normalized = std::mem::take(&mut scratch.normalized);
            let analysis = self.analyze(text, &mut normalized, &mut scratch);
            let unknown = analysis.unknown;
            recycle(analysis.readings);
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

    /// Normalizes, finds keywords, vectorizes and scores `text` into `scratch`, reading
    /// unseen words one edit away from a known word as that word. Returns the keyword
    /// hits, the number of unknown words not covered by a keyword hit (a typo of a
    /// keyword is not a sign of an off-topic message), and the typos read.
    pub(super) fn analyze(
        &self,
        text: &str,
        normalized: &mut Normalized,
        scratch: &mut scorer::Scratch,
    ) -> Analysis {
        self.normalizer.normalize_into(text, normalized);
        let mut hits = Vec::new();
        if !self.keywords.is_empty() {
            self.keywords.find_normalized(normalized, &mut hits);
        }
        // Readings first, so that the message is vectorized and scored once and a
        // typo is not spelled out n-gram by n-gram.
        let mut readings = READINGS.with(|buffer| std::mem::take(&mut *buffer.borrow_mut()));
        self.read_unseen(normalized.as_str(), &mut readings);
        if readings.is_empty() {
            self.score(normalized.as_str(), &hits, scratch);
        } else {
            READ_AS.with(|read_as| {
                let mut read_as = read_as.borrow_mut();
                self.rewrite(normalized.as_str(), &readings, &mut read_as);
                self.score(&read_as, &hits, scratch);
            });
        }
        // A typo of a known word is that word; another form of one is a word the
        // phrases never used, which still counts against confidence.
        let forms = readings
            .iter()
            .filter(|r| matches!(r.read_as, ReadAs::Form(_)))
            .count();
        let unknown =
            self.unknown_not_covered(normalized, &hits, &readings, scratch) + forms as f32;
        Analysis {
            keywords: hits,
            unknown,
            readings,
        }
    }

    /// Vectorizes and scores the normalized `text` with the keyword `hits` into `scratch`.
    fn score(&self, text: &str, hits: &[KeywordHit], scratch: &mut scorer::Scratch) {
        let keyword_features = hits.iter().filter_map(|hit| {
            let class = *self.class_index.get(&*hit.intent)?;
            Some(scorer::keyword_feature(class, hit.negated))
        });
        self.linear.vectorize(text, keyword_features, scratch);
        self.linear.score(scratch);
    }

    /// The words of the normalized `text` that the training texts never used and that
    /// read as one they did, in message order. Tokens are numbered as the scorer
    /// numbers them.
    fn read_unseen(&self, text: &str, readings: &mut Vec<Reading>) {
        readings.clear();
        if self.spelling.is_empty() {
            return;
        }
        let mut pos = 0;
        let mut token = 0u32;
        while let Some(range) = crate::text::next_token(text, &mut pos) {
            // Words of one or two chars are never read as another (nor numbers).
            let word = &text[range.clone()];
            if word.len() >= 3 && !word.as_bytes()[0].is_ascii_digit() && !self.spelling.knows(word)
            {
                if let Some(read_as) = self.spelling.read(word) {
                    readings.push(Reading {
                        token,
                        range,
                        read_as,
                    });
                }
            }
            token = token.saturating_add(1);
        }
    }

    /// Writes `text` with each reading's word in place of the typo into `out`.
    fn rewrite(&self, text: &str, readings: &[Reading], out: &mut String) {
        out.clear();
        let mut from = 0;
        for reading in readings {
            out.push_str(&text[from..reading.range.start]);
            out.push_str(self.spelling.word(reading.read_as.word()));
            from = reading.range.end;
        }
        out.push_str(&text[from..]);
    }

    /// How many unknown words of the last scored message no keyword hit covers.
    fn unknown_not_covered(
        &self,
        normalized: &Normalized,
        hits: &[KeywordHit],
        readings: &[Reading],
        scratch: &scorer::Scratch,
    ) -> f32 {
        let mut unknown = scratch.unknown.len();
        if unknown > 0 && !hits.is_empty() {
            // Both lists are in message order (unknown tokens ascending, hits by
            // position), so one forward walk does.
            let mut next_hit = 0;
            let mut covered = 0;
            for &token in &scratch.unknown {
                let Some(range) = normalized_range(scratch, readings, token) else {
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
        unknown as f32
    }
}

/// The byte range in the normalized message of word `token` of the last scored text,
/// which is the message with `readings` in place of its typos: a reading is one word
/// for one word, so tokens keep their numbers and only shift by the readings before
/// them.
fn normalized_range(
    scratch: &scorer::Scratch,
    readings: &[Reading],
    token: u32,
) -> Option<Range<usize>> {
    let range = scratch.word_range(token as usize)?;
    let mut shift: isize = 0;
    for reading in readings {
        if reading.token == token {
            return Some(reading.range.clone());
        }
        if reading.token > token {
            break;
        }
        let read_len = scratch.word_range(reading.token as usize)?.len();
        shift += read_len as isize - reading.range.len() as isize;
    }
    let start = range.start.checked_add_signed(-shift)?;
    let end = range.end.checked_add_signed(-shift)?;
    Some(start..end)
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
            let Analysis {
                keywords,
                unknown,
                readings,
            } = inner.analyze(text, &mut normalized, &mut scratch);
            let found = Found {
                keywords,
                unknown,
                readings: &readings,
                truncated,
            };
            let detection = self.detection_from(&mut scratch, &normalized, text, found);
            recycle(readings);
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
        found: Found<'_>,
    ) -> Detection {
        let inner = &*self.inner;
        let Found {
            keywords,
            unknown,
            readings,
            truncated,
        } = found;
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
            Some((&(class, _), _)) => self.evidence(scratch, normalized, text, readings, class),
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

    /// Sums each token's feature contributions to `class` and keeps the top three,
    /// then every other word read as a known word that pushed the score too: what the
    /// model read the message as is part of why.
    fn evidence(
        &self,
        scratch: &mut scorer::Scratch,
        normalized: &Normalized,
        text: &str,
        readings: &[Reading],
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
        for listed in &vector.listed {
            sums[listed.token() as usize] += linear.meaning_weight(vector, listed, class);
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
        let read = readings
            .iter()
            .filter(|r| {
                !best.iter().any(|b| b.0 == r.token as usize) && sums[r.token as usize] > 0.0
            })
            .map(|r| (r.token as usize, sums[r.token as usize]));
        let evidence = best
            .iter()
            .copied()
            .filter(|b| b.0 != usize::MAX)
            .chain(read)
            .filter_map(|(token, weight)| {
                let span =
                    normalized.original_span(normalized_range(scratch, readings, token as u32)?);
                let read_as = readings
                    .iter()
                    .find(|r| r.token as usize == token)
                    .map(|r| self.inner.spelling.word(r.read_as.word()).to_string());
                Some(Evidence {
                    text: text.get(span.clone())?.to_string(),
                    span,
                    weight,
                    read_as,
                })
            })
            .collect();
        scratch.sums = sums;
        evidence
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
            + self.inner.spelling.bytes()
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
    // Most messages decline nothing: no map, no allocation.
    if !hits.iter().any(|h| policy.suppresses(h)) {
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
