//! What extraction returns: a slot's [`SlotValue`] with its [`Qualifier`], where it
//! came from ([`Source`]) and why it was rejected, if it was ([`Rejection`]).

use std::fmt;
use std::ops::Range;

/// What a slot was filled with.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlotValue {
    /// A single number.
    Number(f64),
    /// A range, `low <= high`.
    Range {
        /// The low end.
        low: f64,
        /// The high end.
        high: f64,
    },
    /// Text: an email address (lower-cased) or a free-text answer.
    Text(String),
}

impl SlotValue {
    /// The representative number: the number itself, or a range's midpoint.
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            SlotValue::Number(n) => Some(n),
            SlotValue::Range { low, high } => Some(low / 2.0 + high / 2.0),
            SlotValue::Text(_) => None,
        }
    }

    /// The text, for text values.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            SlotValue::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// How exact a number is, as the customer put it. The value is what they wrote: "over
/// 200" is 200 and [`Qualifier::AtLeast`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// No qualifier.
    Exact,
    /// "about", "around", "roughly", "~", "-ish", "a couple".
    Approximate,
    /// "over", "more than", "at least", "200+".
    AtLeast,
    /// "under", "less than", "up to", "at most".
    AtMost,
}

/// Why a number does not fill its slot.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rejection {
    /// Infinite or not a number ("1e400", "inf", "NaN").
    NotFinite,
    /// Below zero ("-5", "minus 5").
    Negative,
    /// Below the slot's `min`.
    BelowMin {
        /// The slot's minimum.
        min: f64,
    },
    /// Above the slot's `max`.
    AboveMax {
        /// The slot's maximum.
        max: f64,
    },
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::NotFinite => f.write_str("not a finite number"),
            Rejection::Negative => f.write_str("negative"),
            Rejection::BelowMin { min } => write!(f, "below the minimum {min}"),
            Rejection::AboveMax { max } => write!(f, "above the maximum {max}"),
        }
    }
}

/// Why a value was taken for its slot.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Source {
    /// A cue word next to the number (the cue as configured, normalized).
    Cue(String),
    /// The slot was asked and the message answers it.
    Answer,
    /// The value's own shape (an email address).
    Pattern,
}

/// A slot filled, or a number for it rejected, by one message.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Extracted {
    /// The slot's name.
    pub slot: String,
    /// The value as read; kept when rejected, for traces.
    pub value: SlotValue,
    /// Byte span of the value in the original message, qualifiers included.
    pub span: Range<usize>,
    /// How exact the number is ([`Qualifier::Exact`] for text).
    pub qualifier: Qualifier,
    /// Why the value does not fill the slot; `None` when it does.
    pub rejection: Option<Rejection>,
    /// Why the value was taken for this slot.
    pub source: Source,
}

impl Extracted {
    /// Whether the value fills the slot (it was not rejected).
    pub fn is_accepted(&self) -> bool {
        self.rejection.is_none()
    }
}
