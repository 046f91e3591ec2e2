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
    /// An error for the list at `path` holding `actual` items, over `limit`.
    pub(crate) fn too_many(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
        BuildError::new(path, ErrorKind::TooMany { limit, actual })
    }

    /// An error for the text at `path` being `actual` bytes long, over `limit`.
    pub(crate) fn too_long(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
        BuildError::new(path, ErrorKind::TooLong { limit, actual })
    }
}
