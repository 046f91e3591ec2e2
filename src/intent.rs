//! Intent model (temporary stand-in on the `flow` branch).
//!
//! This file mirrors the public API of the intent model being written on `main` so that
//! the flow and router modules can be built and tested before it lands. On merge, main's
//! version replaces it wholesale. The scorer here is deliberately simple: token overlap
//! with the best example phrase, plus keyword hits (exact or one typo, negation-aware).
//!
//! Complexity: `detect` is O(tokens × (phrase tokens + keywords)).

use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, ValidationError};
use crate::keywords::{KeywordHit, MatchKind};
use crate::text::Normalizer;

/// An intent: an id, example phrases and keywords.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    /// The intent's id, such as `pricing`.
    pub id: String,
    /// Example phrases.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Keywords that trigger the intent.
    #[serde(default)]
    pub keywords: Vec<String>,
}

impl Intent {
    /// An intent with no phrases or keywords yet.
    pub fn new(id: impl Into<String>) -> Self {
        Intent {
            id: id.into(),
            phrases: Vec::new(),
            keywords: Vec::new(),
        }
    }

    /// Adds an example phrase.
    pub fn phrase(mut self, p: impl Into<String>) -> Self {
        self.phrases.push(p.into());
        self
    }

    /// Adds a keyword.
    pub fn keyword(mut self, k: impl Into<String>) -> Self {
        self.keywords.push(k.into());
        self
    }
}

/// Builds an [`IntentModel`].
#[derive(Clone, Debug, Default)]
pub struct IntentModelBuilder {
    intents: Vec<Intent>,
    negatives: Vec<String>,
    threshold: Option<f32>,
}

impl IntentModelBuilder {
    /// Adds an intent.
    pub fn intent(&mut self, intent: Intent) -> &mut Self {
        self.intents.push(intent);
        self
    }

    /// Adds intents.
    pub fn intents(&mut self, intents: impl IntoIterator<Item = Intent>) -> &mut Self {
        self.intents.extend(intents);
        self
    }

    /// Adds out-of-scope example phrases.
    pub fn negatives<'a>(&mut self, negatives: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.negatives
            .extend(negatives.into_iter().map(str::to_string));
        self
    }

    /// Sets the confidence threshold below which no intent is reported.
    pub fn threshold(&mut self, threshold: f32) -> &mut Self {
        self.threshold = Some(threshold);
        self
    }

    /// Builds the model.
    pub fn build(&self) -> Result<IntentModel, BuildError> {
        let threshold = self.threshold.unwrap_or(0.5);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(BuildError::new(
                "threshold",
                ValidationError::OutOfRange {
                    value: threshold.to_string(),
                    expected: "0 to 1".into(),
                },
            ));
        }
        let norm = Normalizer::default();
        let mut seen = BTreeSet::new();
        let mut intents = Vec::new();
        for (i, intent) in self.intents.iter().enumerate() {
            if intent.id.trim().is_empty() {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ValidationError::Empty { what: "id".into() },
                ));
            }
            if !seen.insert(intent.id.clone()) {
                return Err(BuildError::new(
                    format!("intents[{i}].id"),
                    ValidationError::Duplicate {
                        id: intent.id.clone(),
                    },
                ));
            }
            if intent.phrases.is_empty() && intent.keywords.is_empty() {
                return Err(BuildError::new(
                    format!("intents[{i}]"),
                    ValidationError::Empty {
                        what: "intent".into(),
                    },
                ));
            }
            let mut keywords = Vec::new();
            for (k, kw) in intent.keywords.iter().enumerate() {
                let toks = tokens(&norm, kw);
                if toks.is_empty() {
                    return Err(BuildError::new(
                        format!("intents[{i}].keywords[{k}]"),
                        ValidationError::Empty {
                            what: "keyword".into(),
                        },
                    ));
                }
                keywords.push((Arc::<str>::from(kw.as_str()), toks));
            }
            let phrases = intent
                .phrases
                .iter()
                .map(|p| tokens(&norm, p).into_iter().collect::<BTreeSet<_>>())
                .filter(|s| !s.is_empty())
                .collect();
            intents.push(ModelIntent {
                id: Arc::from(intent.id.as_str()),
                phrases,
                keywords,
            });
        }
        let negatives = self
            .negatives
            .iter()
            .map(|p| tokens(&norm, p).into_iter().collect::<BTreeSet<_>>())
            .filter(|s| !s.is_empty())
            .collect();
        Ok(IntentModel {
            inner: Arc::new(ModelInner {
                intents,
                negatives,
                threshold,
                norm,
            }),
        })
    }
}

#[derive(Debug)]
struct ModelIntent {
    id: Arc<str>,
    phrases: Vec<BTreeSet<String>>,
    keywords: Vec<(Arc<str>, Vec<String>)>,
}

#[derive(Debug)]
struct ModelInner {
    intents: Vec<ModelIntent>,
    negatives: Vec<BTreeSet<String>>,
    threshold: f32,
    norm: Normalizer,
}

/// A trained intent model. Cheap to clone; `Send + Sync`.
#[derive(Clone, Debug)]
pub struct IntentModel {
    inner: Arc<ModelInner>,
}

/// One intent and its confidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IntentScore {
    /// The intent id.
    pub intent: Arc<str>,
    /// Confidence in [0, 1].
    pub confidence: f32,
}

/// A piece of the message that supported the decision.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evidence {
    /// The text.
    pub text: String,
    /// Byte span in the original message.
    pub span: Range<usize>,
    /// Its weight.
    pub weight: f32,
}

/// What the model found in a message.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Detection {
    /// The detected intent, if the top candidate reached the threshold.
    pub intent: Option<Arc<str>>,
    /// Confidence of the top candidate.
    pub confidence: f32,
    /// Ranked candidates, top first.
    pub alternatives: Vec<IntentScore>,
    /// Keyword hits.
    pub keywords: Vec<KeywordHit>,
    /// Supporting evidence.
    pub evidence: Vec<Evidence>,
    /// Whether the message was cut before scoring.
    pub truncated: bool,
}

impl Detection {
    /// The detected intent's id.
    pub fn intent_id(&self) -> Option<&str> {
        self.intent.as_deref()
    }
}

const NEGATORS: &[&str] = &[
    "not", "no", "don't", "dont", "never", "without", "doesn't", "isn't", "won't", "nor",
];
const MAX_BYTES: usize = 4096;

fn tokens(norm: &Normalizer, text: &str) -> Vec<String> {
    let n = norm.normalize(text);
    n.tokens().map(|t| t.text(&n).to_string()).collect()
}

fn within_one(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    // Damerau-Levenshtein, small inputs only.
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for j in 0..=m {
        d[0][j] = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m] <= 1
}

impl IntentModel {
    /// A builder.
    pub fn builder() -> IntentModelBuilder {
        IntentModelBuilder::default()
    }

    /// Whether the model knows `id`.
    pub fn has_intent(&self, id: &str) -> bool {
        self.inner.intents.iter().any(|i| &*i.id == id)
    }

    /// The intent ids, in training order.
    pub fn intent_ids(&self) -> impl Iterator<Item = &str> {
        self.inner.intents.iter().map(|i| &*i.id)
    }

    /// The no-intent threshold.
    pub fn threshold(&self) -> f32 {
        self.inner.threshold
    }

    /// Detects the intent of `text`.
    pub fn detect(&self, text: &str) -> Detection {
        let inner = &*self.inner;
        let mut cut = text.len().min(MAX_BYTES);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let truncated = cut < text.len();
        let n = inner.norm.normalize(&text[..cut]);
        let s = n.as_str();
        let toks: Vec<(Range<usize>, &str)> =
            n.tokens().map(|t| (t.range.clone(), &s[t.range])).collect();
        // Negation scope: from a negator to the next clause boundary.
        let mut negated = vec![false; toks.len()];
        let mut active = false;
        for (i, (r, w)) in toks.iter().enumerate() {
            if i > 0 {
                let gap = &s[toks[i - 1].0.end..r.start];
                if gap.contains([',', '.', ';', '!', '?']) || *w == "but" {
                    active = false;
                }
            }
            negated[i] = active;
            if NEGATORS.contains(w) {
                active = true;
            }
        }
        let set: BTreeSet<&str> = toks.iter().map(|t| t.1).collect();
        let mut hits = Vec::new();
        let mut scores = Vec::new();
        for intent in &inner.intents {
            let mut best = 0.0f32;
            for p in &intent.phrases {
                let common = p.iter().filter(|w| set.contains(w.as_str())).count();
                if common > 0 {
                    let score = 2.0 * common as f32 / (p.len() + set.len()) as f32;
                    best = best.max(score);
                }
            }
            let mut kw_bonus = 0.0f32;
            for (kw, kt) in &intent.keywords {
                let len = kt.len();
                if len == 0 || len > toks.len() {
                    continue;
                }
                for start in 0..=toks.len() - len {
                    let mut distance = 0u8;
                    let ok = kt.iter().enumerate().all(|(j, w)| {
                        let t = toks[start + j].1;
                        if t == w {
                            true
                        } else if w.chars().count() >= 4 && within_one(t, w) {
                            distance += 1;
                            true
                        } else {
                            false
                        }
                    });
                    if ok {
                        let neg = negated[start];
                        let span =
                            n.original_span(toks[start].0.start..toks[start + len - 1].0.end);
                        hits.push(KeywordHit {
                            keyword: kw.clone(),
                            intent: intent.id.clone(),
                            kind: if distance == 0 {
                                MatchKind::Exact
                            } else {
                                MatchKind::Fuzzy { distance }
                            },
                            negated: neg,
                            span,
                        });
                        if !neg {
                            kw_bonus = kw_bonus.max(0.35);
                        }
                    }
                }
            }
            scores.push(IntentScore {
                intent: intent.id.clone(),
                confidence: (best + kw_bonus).min(1.0),
            });
        }
        let neg_best = inner
            .negatives
            .iter()
            .map(|p| {
                let common = p.iter().filter(|w| set.contains(w.as_str())).count();
                2.0 * common as f32 / (p.len() + set.len()).max(1) as f32
            })
            .fold(0.0f32, f32::max);
        for sc in &mut scores {
            if neg_best > sc.confidence {
                sc.confidence *= 0.5;
            }
        }
        scores.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        let confidence = scores.first().map_or(0.0, |s| s.confidence);
        let intent = scores
            .first()
            .filter(|s| s.confidence >= inner.threshold && s.confidence > 0.0)
            .map(|s| s.intent.clone());
        hits.sort_by_key(|h| h.span.start);
        Detection {
            intent,
            confidence,
            alternatives: scores,
            keywords: hits,
            evidence: Vec::new(),
            truncated,
        }
    }
}
