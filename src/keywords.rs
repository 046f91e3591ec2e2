//! Keyword and phrase triggers: one Aho-Corasick automaton over every keyword of every
//! intent, matched on normalized text with whole-word semantics, a typo-tolerant fallback
//! and negation scope.

use std::ops::Range;
use std::sync::Arc;

/// How a keyword matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum MatchKind {
    /// The keyword occurs word for word (after normalization).
    Exact,
    /// A word of the message is within a small edit distance of the keyword.
    Fuzzy {
        /// The edit distance (insertions, deletions, substitutions, transpositions).
        distance: u8,
    },
}

/// One keyword found in a message.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct KeywordHit {
    /// The keyword as configured.
    pub keyword: Arc<str>,
    /// The intent the keyword belongs to.
    pub intent: Arc<str>,
    /// Exact or fuzzy.
    pub kind: MatchKind,
    /// Whether the hit lies in the scope of a negation ("I don't need a demo").
    pub negated: bool,
    /// Byte range of the match in the original message.
    pub span: Range<usize>,
}

// Interim exact matcher; replaced by the full matcher from the keywords branch.
/// Finds keyword triggers in messages.
#[derive(Clone, Debug)]
pub struct KeywordMatcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    automaton: Option<aho_corasick::AhoCorasick>,
    entries: Vec<(Arc<str>, Arc<str>)>,
    normalizer: crate::text::Normalizer,
}

impl KeywordMatcher {
    pub(crate) fn from_entries(
        entries: &[(Arc<str>, Arc<str>, String)],
        options: crate::text::NormalizeOptions,
    ) -> Result<Self, crate::BuildError> {
        let normalizer = crate::text::Normalizer::new(options);
        let mut patterns = Vec::new();
        for (_, keyword, path) in entries {
            let n = normalizer.normalize(keyword);
            if n.is_empty() {
                return Err(crate::BuildError::new(
                    path.clone(),
                    crate::ValidationError::Empty {
                        what: "the keyword".into(),
                    },
                ));
            }
            patterns.push(n.as_str().to_string());
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(&patterns)
                    .expect("keyword automaton"),
            )
        };
        Ok(KeywordMatcher {
            inner: Arc::new(Inner {
                automaton,
                entries: entries
                    .iter()
                    .map(|(i, k, _)| (i.clone(), k.clone()))
                    .collect(),
                normalizer,
            }),
        })
    }

    /// Number of keywords.
    pub fn len(&self) -> usize {
        self.inner.entries.len()
    }

    /// Whether there are no keywords.
    pub fn is_empty(&self) -> bool {
        self.inner.entries.is_empty()
    }

    /// Finds keyword hits in `text`.
    pub fn find(&self, text: &str) -> Vec<KeywordHit> {
        let n = self.inner.normalizer.normalize(text);
        let mut out = Vec::new();
        self.find_normalized(&n, &mut out);
        out
    }

    pub(crate) fn find_normalized(&self, n: &crate::text::Normalized, out: &mut Vec<KeywordHit>) {
        let Some(ac) = &self.inner.automaton else {
            return;
        };
        let text = n.as_str();
        for m in ac.find_iter(text) {
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            if before.is_some_and(crate::text::is_word_char)
                || after.is_some_and(crate::text::is_word_char)
            {
                continue;
            }
            let (intent, keyword) = &self.inner.entries[m.pattern().as_usize()];
            out.push(KeywordHit {
                keyword: keyword.clone(),
                intent: intent.clone(),
                kind: MatchKind::Exact,
                negated: false,
                span: n.original_span(m.start()..m.end()),
            });
        }
    }
}
