//! Slot extractor configuration: what hosts write in JSON, TOML or YAML, and its
//! validation into the compiled form.

use crate::error::{BuildError, ErrorKind, Expected};
use crate::text::Normalizer;

/// One slot and how to fill it: exactly one of `number`, `email` or `text`.
///
/// ```
/// use handoff::slots::SlotConfig;
/// let slot: SlotConfig = serde_json::from_str(
///     r#"{"slot": "company_size", "number": {"cues": ["people", "team of"], "max": 1000000}}"#,
/// ).unwrap();
/// assert_eq!(slot.slot, "company_size");
/// assert_eq!(slot.number.unwrap().cues, ["people", "team of"]);
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SlotConfig {
    /// The slot's name, unique among the slots.
    pub slot: String,
    /// Fill it with a number next to a cue word, or any number when it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<NumberSlot>,
    /// Fill it with an email address, asked or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailSlot>,
    /// Fill it with the whole message, only when it was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextSlot>,
}

impl SlotConfig {
    /// A number slot.
    pub fn number(slot: impl Into<String>, number: NumberSlot) -> Self {
        SlotConfig {
            slot: slot.into(),
            number: Some(number),
            email: None,
            text: None,
        }
    }

    /// An email slot.
    pub fn email(slot: impl Into<String>) -> Self {
        SlotConfig {
            slot: slot.into(),
            number: None,
            email: Some(EmailSlot {}),
            text: None,
        }
    }

    /// A free-text slot.
    pub fn text(slot: impl Into<String>, text: TextSlot) -> Self {
        SlotConfig {
            slot: slot.into(),
            number: None,
            email: None,
            text: Some(text),
        }
    }
}

/// A number slot: a count read from digits or words.
///
/// A number fills the slot from any message when one of the `cues` is next to it:
/// after it with at most two other words between ("500 seats", "5000 full-time
/// employees", "2,000-person"), or right before it, optionally with ":", "=", or one
/// of "is", "are", "was", "were", "of", "at" between ("team of 12", "headcount: 300").
/// A cue word also matches its plural or singular by a final "s" ("seat" and "seats").
/// When the slot was asked, a number with no cue fills it too.
///
/// Values below `min` or above `max` are rejected, not clamped; negative and non-finite
/// values always are.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct NumberSlot {
    /// Words or phrases that say a number is about this slot. Default: none (the slot is
    /// then filled only when asked).
    pub cues: Vec<String>,
    /// The smallest accepted value. Default 0; must be finite and at least 0.
    pub min: f64,
    /// The largest accepted value. Default 10,000,000; must be finite and at least `min`.
    pub max: f64,
}

/// The default `max` of a [`NumberSlot`]: more people than any company employs.
pub const DEFAULT_MAX: f64 = 10_000_000.0;

impl Default for NumberSlot {
    fn default() -> Self {
        NumberSlot {
            cues: Vec::new(),
            min: 0.0,
            max: DEFAULT_MAX,
        }
    }
}

impl NumberSlot {
    /// A number slot with no cues, min 0 and max 10,000,000.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the cue words and phrases.
    pub fn cues<I, S>(mut self, cues: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.cues = cues.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the smallest accepted value.
    pub fn min(mut self, min: f64) -> Self {
        self.min = min;
        self
    }

    /// Sets the largest accepted value.
    pub fn max(mut self, max: f64) -> Self {
        self.max = max;
        self
    }
}

/// An email slot. It has no options.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSlot {}

/// A free-text slot, filled with the whole message (trimmed) when it was asked.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TextSlot {
    /// Longest value kept, in bytes; a longer answer is cut at a char boundary.
    /// Default 1,000; at least 1.
    pub max_len: usize,
}

impl Default for TextSlot {
    fn default() -> Self {
        TextSlot { max_len: 1_000 }
    }
}

impl TextSlot {
    /// A text slot keeping at most 1,000 bytes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the longest value kept, in bytes.
    pub fn max_len(mut self, max_len: usize) -> Self {
        self.max_len = max_len;
        self
    }
}

/// Most slots one extractor set holds.
pub const MAX_SLOTS: usize = 1_000;
/// Most cues one number slot holds.
pub const MAX_CUES: usize = 1_000;
/// Longest cue, in bytes.
pub const MAX_CUE_LEN: usize = 64;
/// Most words in one cue.
pub const MAX_CUE_WORDS: usize = 8;

/// A validated slot.
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    pub(crate) name: String,
    pub(crate) kind: Kind,
}

/// How a validated slot is filled.
#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Number {
        /// Each cue as its normalized words.
        cues: Vec<Vec<String>>,
        min: f64,
        max: f64,
    },
    Email,
    Text {
        max_len: usize,
    },
}

/// Validates `slots`, naming the first bad item by its path (`slots[1].number.max`).
pub(crate) fn compile(
    slots: &[SlotConfig],
    normalizer: &Normalizer,
) -> Result<Vec<Compiled>, BuildError> {
    if slots.len() > MAX_SLOTS {
        return Err(too_many("slots", MAX_SLOTS, slots.len()));
    }
    let mut out: Vec<Compiled> = Vec::with_capacity(slots.len());
    for (i, slot) in slots.iter().enumerate() {
        let path = format!("slots[{i}]");
        if slot.slot.trim().is_empty() {
            return Err(err(format!("{path}.slot"), ErrorKind::Empty));
        }
        if out.iter().any(|c| c.name == slot.slot) {
            return Err(err(
                format!("{path}.slot"),
                ErrorKind::Duplicate {
                    id: slot.slot.clone(),
                },
            ));
        }
        let kind = compile_kind(slot, &path, normalizer)?;
        out.push(Compiled {
            name: slot.slot.clone(),
            kind,
        });
    }
    Ok(out)
}

fn compile_kind(
    slot: &SlotConfig,
    path: &str,
    normalizer: &Normalizer,
) -> Result<Kind, BuildError> {
    let given = [
        slot.number.is_some(),
        slot.email.is_some(),
        slot.text.is_some(),
    ];
    let count = given.iter().filter(|&&g| g).count();
    if count != 1 {
        return Err(err(path, ErrorKind::SlotKind { found: count }));
    }
    if let Some(number) = &slot.number {
        return compile_number(number, &format!("{path}.number"), normalizer);
    }
    if let Some(text) = &slot.text {
        if text.max_len == 0 {
            return Err(err(
                format!("{path}.text.max_len"),
                ErrorKind::OutOfRange {
                    value: "0".into(),
                    expected: Expected::AtLeast(1.0),
                },
            ));
        }
        return Ok(Kind::Text {
            max_len: text.max_len,
        });
    }
    Ok(Kind::Email)
}

fn compile_number(
    number: &NumberSlot,
    path: &str,
    normalizer: &Normalizer,
) -> Result<Kind, BuildError> {
    if !(number.min.is_finite() && number.min >= 0.0) {
        return Err(err(
            format!("{path}.min"),
            ErrorKind::OutOfRange {
                value: number.min.to_string(),
                expected: Expected::AtLeast(0.0),
            },
        ));
    }
    if !(number.max.is_finite() && number.max >= number.min) {
        return Err(err(
            format!("{path}.max"),
            ErrorKind::OutOfRange {
                value: number.max.to_string(),
                expected: Expected::AtLeast(number.min),
            },
        ));
    }
    if number.cues.len() > MAX_CUES {
        return Err(too_many(
            format!("{path}.cues"),
            MAX_CUES,
            number.cues.len(),
        ));
    }
    let mut cues = Vec::with_capacity(number.cues.len());
    for (k, cue) in number.cues.iter().enumerate() {
        let cue_path = format!("{path}.cues[{k}]");
        if cue.len() > MAX_CUE_LEN {
            return Err(BuildError::new(
                cue_path,
                ErrorKind::TooLong {
                    limit: MAX_CUE_LEN,
                    actual: cue.len(),
                },
            ));
        }
        let normalized = normalizer.normalize(cue);
        let words: Vec<String> = normalized
            .tokens()
            .map(|t| t.text(&normalized).to_string())
            .collect();
        if words.is_empty() {
            return Err(err(cue_path, ErrorKind::Empty));
        }
        if words.len() > MAX_CUE_WORDS {
            return Err(too_many(cue_path, MAX_CUE_WORDS, words.len()));
        }
        cues.push(words);
    }
    Ok(Kind::Number {
        cues,
        min: number.min,
        max: number.max,
    })
}

fn err(path: impl Into<String>, kind: ErrorKind) -> BuildError {
    BuildError::new(path, kind)
}

fn too_many(path: impl Into<String>, limit: usize, actual: usize) -> BuildError {
    err(path, ErrorKind::TooMany { limit, actual })
}
