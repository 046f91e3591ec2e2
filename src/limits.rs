//! Size limits, checked when building.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

use crate::error::{BuildError, ErrorKind};

/// Default for [`Limits::max_message_len`] (and
/// [`IntentModelBuilder::max_message_len`](crate::IntentModelBuilder::max_message_len)):
/// longer messages are cut (at a char boundary) before scoring. 16 KiB is far beyond
/// any chat message.
pub const DEFAULT_MAX_MESSAGE_LEN: usize = 16 * 1024;

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
        }
    }
}

impl Limits {
    /// An error for the list at `path` holding `actual` items, over `limit`.
    pub(crate) fn too_many(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
        BuildError::new(path, ErrorKind::TooMany { limit, actual })
    }

    /// An error for the text at `path` being `actual` bytes long, over `limit`.
    pub(crate) fn too_long(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
        BuildError::new(path, ErrorKind::TooLong { limit, actual })
    }
}
