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
