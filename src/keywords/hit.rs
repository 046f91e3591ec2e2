//! What the matcher reports: a keyword hit, how it matched, and what a negation means
//! for it. The negation pass that fills [`KeywordHit::negation`] lives in the sibling
//! `negation` module.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

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
#[non_exhaustive]
pub struct KeywordHit {
    /// The keyword as configured.
    pub keyword: Arc<str>,
    /// The intent the keyword belongs to.
    pub intent: Arc<str>,
    /// Exact or fuzzy; serialized in the hit itself (`"kind": "fuzzy", "distance": 1`).
    #[serde(flatten)]
    pub kind: MatchKind,
    /// Whether the hit lies in the scope of a negation cue before it ("I don't need a
    /// demo", "I can't log in"), whatever the negation's purpose.
    pub negated: bool,
    /// Whether a negation declines the keyword or describes a problem with it, read
    /// from a cue before the hit (then `negated` is set) or after it in the same clause
    /// ("login doesn't work", "a demo is not needed"). Absent from serialized hits when
    /// [`Negation::None`].
    #[serde(default, skip_serializing_if = "Negation::is_none")]
    pub negation: Negation,
    /// Byte range of the match in the original message.
    pub span: Range<usize>,
}

/// How a negation bears on a keyword hit: whether the customer declines what the
/// keyword names, or describes a problem with it.
///
/// Read from the clause the hit sits in (clauses end at `, . ; : ! ?` and at contrast
/// words such as "but"):
///
/// - [`Declined`](Negation::Declined): the negation scopes over wanting, needing,
///   accepting or being interested in the keyword, or simply excludes it: "I don't want
///   a demo", "dont need a quote right now", "not interested in a sales call", "no
///   thanks to the demo", "no pricing info needed", "I'd rather not have a demo", "I
///   never asked for a trial", "please don't send a quote", "no demo", "neither a demo
///   nor a quote", and after the keyword "a demo is not needed", "sales call not
///   necessary".
/// - [`Problem`](Negation::Problem): the negation describes a failure, an absence or a
///   doubt: "I can't log in", "cannot login", "not able to export", "I never got the
///   password reset email", "no password reset email arrived", "still no invoice",
///   "there's no export button", "I don't have a login", "I don't know the price", and
///   after the keyword "login doesn't work", "the app isn't loading".
/// - [`None`](Negation::None): no negation bears on the hit.
///
/// A hit in a negation's scope ([`KeywordHit::negated`]) is always `Declined` or
/// `Problem`. A hit followed by a negation in its clause can be either too, while
/// `negated` stays false. For a hit in scope, the first rule that applies decides:
///
/// 1. a word of wanting or accepting between the cue and the keyword (want, need, like
///    after "would", interested, looking, require, care, keen, bother, thanks, time,
///    budget, important, ...), or "rather" before the cue: declined;
/// 2. an inability cue ("can't", "cannot", "couldn't", "can not"): problem;
/// 3. a word of asking between the cue and the keyword (ask, request, order,
///    subscribe): declined ("I never asked for a sales call");
/// 4. a word of failure, absence or doubt between the cue and the keyword (get,
///    receive, see, find, arrive, work, load, open, access, able, have, know, sure,
///    still, yet, ...): problem;
/// 5. "don't" / "do not" opening its clause or after "please" (a request): declined;
/// 6. a word of failure or waiting right before the cue ("got no", "still no",
///    "there's no", "there is no"): problem;
/// 7. the first telling word in the three words after the keyword: "needed",
///    "required", "necessary", "thanks", "please", "now", ... declined; "arrived",
///    "came", "working", "yet", ... problem;
/// 8. otherwise the cue itself: `no`, `none`, `nothing`, `neither`, `nor`, `without`
///    exclude the keyword (declined); `not` declines when only small function words
///    ("a", "the", "any", "more", ...) lie between it and the keyword ("not a sales
///    call") and is a problem otherwise ("not sure about pricing"); a verb's negation
///    ("don't", "didn't", "never", ...) states a fact about the keyword (problem).
///
/// For a negation after the keyword (within four words, in the same clause), the first
/// telling word in the three words after the cue decides: wanting, asking, politeness
/// or time ("needed", "necessary", "interest", "now") declines when the cue follows
/// the keyword within three words and no subordinating word ("that", "because",
/// "which", ...) comes between them; failure or waiting ("work", "loading", "arrived",
/// "yet") is a problem; an inability cue with neither is a problem; anything else
/// leaves the hit at `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Negation {
    /// No negation bears on the hit.
    #[default]
    None,
    /// The customer declines or excludes what the keyword names.
    Declined,
    /// The customer describes a failure, an absence or a doubt about it.
    Problem,
}

impl Negation {
    /// Whether no negation bears on the hit.
    pub fn is_none(&self) -> bool {
        *self == Negation::None
    }
}

/// Which negated hits stop counting as a trigger.
///
/// Serialized as `"decline"`, `"ignore"` or `"any"`.
///
/// ```
/// use handoff::{Negation, NegationPolicy};
/// use handoff::KeywordMatcher;
///
/// let m = KeywordMatcher::new([("sales", "demo"), ("support", "log in")]).unwrap();
/// let declined = &m.find("I don't want a demo")[0];
/// let problem = &m.find("I can't log in")[0];
/// assert_eq!(declined.negation, Negation::Declined);
/// assert_eq!(problem.negation, Negation::Problem);
///
/// // The default: only a decline switches the trigger off.
/// assert!(!declined.triggers(NegationPolicy::Decline));
/// assert!(problem.triggers(NegationPolicy::Decline));
/// // Every hit in a negation's scope is off.
/// assert!(!problem.triggers(NegationPolicy::Any));
/// // Negation never matters.
/// assert!(declined.triggers(NegationPolicy::Ignore));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NegationPolicy {
    /// Only a hit the customer declines ([`Negation::Declined`], before or after the
    /// keyword) is suppressed; "I can't log in" still triggers "log in". The default.
    #[default]
    Decline,
    /// Negation never suppresses a hit.
    Ignore,
    /// Every hit in the scope of a negation cue before it ([`KeywordHit::negated`]) is
    /// suppressed, whatever its purpose: the behaviour before purposes were read.
    Any,
}

impl NegationPolicy {
    /// Whether `hit` is switched off as a trigger under this policy.
    pub fn suppresses(self, hit: &KeywordHit) -> bool {
        match self {
            NegationPolicy::Decline => hit.negation == Negation::Declined,
            NegationPolicy::Ignore => false,
            NegationPolicy::Any => hit.negated,
        }
    }
}

impl KeywordHit {
    /// Whether the hit counts as a trigger under `policy` (it is not suppressed by a
    /// negation). Exact or fuzzy, which keyword and which intent are the caller's tests.
    pub fn triggers(&self, policy: NegationPolicy) -> bool {
        !policy.suppresses(self)
    }
}
