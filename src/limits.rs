//! Size limits, checked when building, and the fixed bounds that keep every decision's
//! cost bounded whatever the configuration, context or message.
//!
//! The public documentation lives on the facade type and the constants (see below),
//! since this module is private and its items are re-exported at the crate root.
//!
//! # What a decision costs at most
//!
//! With `N` = [`Limits::max_message_len`] (16 KiB by default) and `R` =
//! [`Limits::max_rules`]:
//!
//! - **A decision reads at most `N` bytes of the message.** The text is cut once, at a
//!   char boundary, and detection, keyword matching, slot extraction, the pending
//!   question's answer, regex conditions, `{message}` and `{summary}` all read the cut
//!   text (the detection says `truncated`).
//! - **It evaluates at most `R` rules**, each at most once: candidates come from the rule
//!   index, one entry per distinct key hit (the keyword hits are grouped by keyword
//!   first), sorted and deduplicated.
//! - **A condition nests at most [`MAX_CONDITION_DEPTH`] deep and a value's lists at most
//!   [`MAX_VALUE_DEPTH`]**, so evaluating, rendering and tracing recurse at most that
//!   deep: a decision runs on a 256 KiB stack with the deepest flow and context the limits
//!   allow. Deeper is a [`BuildError`] in a flow and an error when deserializing; a deeper
//!   value built in code is read as if its lists below the limit were empty.
//! - **A regex condition** is at most [`MAX_REGEX_LEN`] bytes, nests groups at most
//!   [`MAX_REGEX_NEST`] deep, unrolls its counted repetitions to at most
//!   [`MAX_REGEX_UNROLLED`] characters or classes and compiles within [`MAX_REGEX_SIZE`]:
//!   linear in the `N` bytes it reads, a few milliseconds at worst.
//! - **Keyword hits**: a keyword's first [`MAX_KEYWORD_OCCURRENCES`] occurrences in a
//!   message are reported (one hit per intent it belongs to), so the hits are bounded by
//!   the keywords the message contains, not its length. Matching is one automaton pass,
//!   searching only where a keyword can start, plus O(h log h) to order h hits.
//! - **Traces borrow or cap**: a condition's trace keeps a preview of what it saw, at most
//!   [`MAX_TRACE_ITEMS`] items of a list (tags, hits, attribute lists) and
//!   [`MAX_TRACE_TEXT`] bytes of a string, and says how many more there were. A template
//!   variable renders at most [`MAX_TEMPLATE_VALUE`] bytes.
//! - **A pending question** (host data) is read up to [`MAX_PENDING_OPTIONS`] options of
//!   up to [`MAX_OPTION_LEN`] bytes; blank options are never chosen. A flow's `ask`
//!   route with more, longer or blank options is a build error.
//! - **Rosters**: a fallback chain holds at most
//!   [`MAX_FALLBACK_CHAIN`](crate::assign::MAX_FALLBACK_CHAIN) teams (checked in linear
//!   time when compiling), so a pick tries at most that many teams.
//!
//! # Who may change which limit
//!
//! The [`Limits`] fields are per router: a configuration document (`options.limits`) may
//! lower any of them, but not raise one above the host's ceiling
//! ([`RouterBuilder::ceiling`](crate::RouterBuilder::ceiling), by default
//! [`Limits::default`]); the host raises them with
//! [`RouterBuilder::limits`](crate::RouterBuilder::limits) or the ceiling. The constants
//! in this module are fixed: neither a document nor a host changes them.

use crate::error::{BuildError, ErrorKind};

/// Default for [`Limits::max_message_len`] (and
/// [`IntentModelBuilder::max_message_len`](crate::IntentModelBuilder::max_message_len)):
/// longer messages are cut (at a char boundary) before scoring. 16 KiB is far beyond
/// any chat message.
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 16 * 1024;

/// The deepest a condition may nest: `all` / `any` / `not` levels above a leaf, the
/// rule's `when` counting as level 1. A deeper condition is a build error
/// ([`ErrorKind::TooDeep`](crate::ErrorKind::TooDeep)) naming its path, and reading a
/// deeper one from a document is a document error. Real flows nest a handful of levels;
/// this bound keeps building and evaluating on a small stack.
pub const MAX_CONDITION_DEPTH: usize = 32;

/// The deepest lists may nest in a [`Value`](crate::Value) (a user or conversation
/// attribute, a slot, a form field, a value in a condition). Deserializing a deeper one
/// is an error; in a flow it is a build error; in a context built in code the crate
/// reads lists below this depth as empty.
pub const MAX_VALUE_DEPTH: usize = 32;

/// Traces keep at most this many items of a list (attribute values, tags, keyword hits)
/// and say how many more there were.
pub const MAX_TRACE_ITEMS: usize = 8;

/// Traces keep at most this many bytes of a string value (cut at a char boundary).
pub const MAX_TRACE_TEXT: usize = 256;

/// A template variable (`{user.notes}`) renders at most this many bytes of its value
/// (cut at a char boundary, then "..."); `{message}` renders the message as cut by
/// [`Limits::max_message_len`].
pub const MAX_TEMPLATE_VALUE: usize = 4 * 1024;

/// The most options a pending question offers: a flow's `ask` route with more is a build
/// error; of a context's pending question (host data) only the first this many are read.
pub const MAX_PENDING_OPTIONS: usize = 64;

/// The longest option of a pending question, in bytes: longer is a build error in a flow;
/// in a context an option is read up to this length.
pub const MAX_OPTION_LEN: usize = 256;

/// The longest regex a `regex` condition may have, in bytes.
pub const MAX_REGEX_LEN: usize = 1024;

/// The most characters or classes the counted repetitions of a `regex` condition may
/// unroll to (`a{250}` is 250, `(?:a{16}){16}` 256, `(?:a{100}){100}` 10,000 and
/// refused): the unrolled states are what make a regex slow per byte of text.
pub const MAX_REGEX_UNROLLED: usize = 256;

/// The deepest groups may nest in a `regex` condition.
pub const MAX_REGEX_NEST: usize = 32;

/// The most memory, in bytes, a compiled `regex` condition may take (its NFA; Unicode
/// classes such as `\w` take most of it).
pub const MAX_REGEX_SIZE: usize = 512 * 1024;

/// Per regex and thread, the memory its lazy DFA cache may grow to.
pub(crate) const MAX_REGEX_DFA_SIZE: usize = 512 * 1024;

/// A keyword's occurrences in one message reported as hits: the first this many; later
/// ones add nothing a condition or the model needs and would make the hit list (one hit
/// per intent per occurrence) grow with the message.
pub const MAX_KEYWORD_OCCURRENCES: usize = 8;

/// The most intents a model can hold, whatever [`Limits::max_intents`] allows: the
/// scorer stores an intent's index in 16 bits.
pub(crate) const MAX_MODEL_INTENTS: usize = 1 << 16;

/// Size limits with documented defaults. Every limit is inclusive: a value equal to the
/// limit is accepted. Exceeding one when building is a [`BuildError`] naming the item;
/// a message longer than `max_message_len` is cut at a char boundary before scoring and
/// its detection says `truncated`.
///
/// [`BuildError`]: crate::BuildError
///
/// Size limits, checked when building, so that no configuration and no message can make
/// the crate use unbounded memory or time.
///
/// ```
/// use handoff::{Intent, IntentModel, Limits};
/// let mut limits = Limits::default();
/// limits.max_phrase_len = 20;
/// let err = IntentModel::builder()
///     .limits(limits)
///     .intent(Intent::new("pricing").phrase("a phrase far longer than twenty bytes"))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.path(), "intents[0].phrases[0]");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Limits {
    /// Bytes of a message that are scored (default 16 KiB, far beyond any chat message).
    pub max_message_len: usize,
    /// Number of intents (default 10,000; a model holds at most 65,536 whatever this says).
    pub max_intents: usize,
    /// Example phrases and negatives, all intents together (default 1,000,000).
    pub max_phrases: usize,
    /// Bytes of one phrase (default 2,048).
    pub max_phrase_len: usize,
    /// Keywords, all intents together (default 100,000).
    pub max_keywords: usize,
    /// Bytes of one keyword (default 256).
    pub max_keyword_len: usize,
    /// Rules of a flow (default 100,000).
    pub max_rules: usize,
    /// Intents × distinct features of the training data: the most weights a trained
    /// model may have (default 250,000,000). Features are the words, word pairs and
    /// character n-grams of the phrases: some 10 to 40 new ones per new word. A model
    /// takes one to three bytes per weight it has (plus about 100 bytes per feature and
    /// up to 16 MiB of precomputed vectors) and training about six, so this bounds the
    /// model's size and the memory training takes: intents of one phrase each have
    /// weights for about a quarter of the pairs, intents of many phrases for far
    /// fewer. Counted in time linear in the data, before the solver starts; over the
    /// limit is an [`ErrorKind::TrainingTooLarge`](crate::ErrorKind::TrainingTooLarge)
    /// at path `intents`. A model holds at most about 2^32 weights whatever this says.
    pub max_model_weights: usize,
    /// Intents × feature occurrences of the training data (each phrase's distinct
    /// features, summed over the phrases): the work of one pass of the solver, which
    /// makes at most ten (default 5,000,000,000). This bounds training time: one-vs-rest
    /// trains every intent against every phrase. Checked like `max_model_weights`.
    /// Both limits apply to each training: calibration on cross-validation folds (see
    /// [`IntentModelBuilder::calibration_folds`](crate::IntentModelBuilder::calibration_folds))
    /// trains once more per fold, each time on part of the data.
    pub max_training_work: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_len: DEFAULT_MAX_MESSAGE_LEN,
            max_intents: 10_000,
            max_phrases: 1_000_000,
            max_phrase_len: 2_048,
            max_keywords: 100_000,
            max_keyword_len: 256,
            max_rules: 100_000,
            max_model_weights: 250_000_000,
            // 2^32 and more do not fit a 32-bit usize: there the limit is its largest.
            max_training_work: usize::try_from(5_000_000_000u64).unwrap_or(usize::MAX),
        }
    }
}

impl Limits {
    /// The fields as `(name, value)`, in declaration order.
    fn fields(&self) -> [(&'static str, usize); 9] {
        [
            ("max_message_len", self.max_message_len),
            ("max_intents", self.max_intents),
            ("max_phrases", self.max_phrases),
            ("max_phrase_len", self.max_phrase_len),
            ("max_keywords", self.max_keywords),
            ("max_keyword_len", self.max_keyword_len),
            ("max_rules", self.max_rules),
            ("max_model_weights", self.max_model_weights),
            ("max_training_work", self.max_training_work),
        ]
    }

    /// The larger of each field.
    pub(crate) fn widest(&self, other: &Limits) -> Limits {
        Limits {
            max_message_len: self.max_message_len.max(other.max_message_len),
            max_intents: self.max_intents.max(other.max_intents),
            max_phrases: self.max_phrases.max(other.max_phrases),
            max_phrase_len: self.max_phrase_len.max(other.max_phrase_len),
            max_keywords: self.max_keywords.max(other.max_keywords),
            max_keyword_len: self.max_keyword_len.max(other.max_keyword_len),
            max_rules: self.max_rules.max(other.max_rules),
            max_model_weights: self.max_model_weights.max(other.max_model_weights),
            max_training_work: self.max_training_work.max(other.max_training_work),
        }
    }

    /// An error naming the first field above `ceiling`'s (the path is the field name).
    pub(crate) fn within(&self, ceiling: &Limits) -> Result<(), BuildError> {
        let over = self
            .fields()
            .into_iter()
            .zip(ceiling.fields())
            .find(|((_, v), (_, c))| v > c);
        match over {
            Some(((name, value), (_, ceiling))) => Err(BuildError::new(
                name,
                ErrorKind::AboveCeiling { value, ceiling },
            )),
            None => Ok(()),
        }
    }

    /// An error for the list at `path` holding `actual` items, over `limit`.
    pub(crate) fn too_many(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
        BuildError::new(path, ErrorKind::TooMany { limit, actual })
    }

    /// An error for the text at `path` being `actual` bytes long, over `limit`.
    pub(crate) fn too_long(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
        BuildError::new(path, ErrorKind::TooLong { limit, actual })
    }
}
