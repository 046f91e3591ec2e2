//! Slots from any message: the company size, email address or timeline a customer
//! states, asked or not (what Rasa calls entities, Intercom "attributes collected").
//!
//! Extractors are declared in the configuration ([`SlotConfig`]) and compiled into
//! [`SlotExtractors`], which reads a message and returns what it fills as
//! [`Extracted`] values:
//!
//! - **number** slots read counts written in digits ("2,000", "2 000", "10k", "1.5k",
//!   "2m", "1e6"), in words ("fifty", "two hundred and fifty", "twelve hundred",
//!   "a dozen", "a couple of hundred"), as ranges ("50-100", "50 to 100", "between 200
//!   and 300", "10-20k") and with qualifiers ("about", "over", "under", "~200",
//!   "200+"). A number fills the slot when one of the slot's cue words is next to it
//!   ("we're a 2,000-person bank", "500 seats", "team of 12"), or, when the slot was
//!   asked, with no cue at all ("around 120").
//! - **email** slots read the first plausible email address, asked or not.
//! - **text** slots take the whole message, only when they were asked.
//!
//! # What is not a count
//!
//! Times ("5pm", "5:30", "at 5 a.m."), durations ("30 day trial"), money ("$500",
//! "500 dollars"), percentages, versions and labels ("version 2.0", "v2", "#12",
//! "step 3"), years after "in", "since", "by" ("in 2024"), ordinals ("3rd"), codes and
//! dates ("1-800-555-1234", "2024-01-05", "24/7") and digits inside words ("b2b") are
//! never read as numbers. Vague amounts ("lots", "a few", "hundreds of") read as
//! nothing.
//!
//! # Rejections
//!
//! A number that is negative ("-5", "minus 5"), not finite ("1e400", "inf", "NaN"), or
//! outside the slot's `min`..=`max` (default 0 to 10,000,000: "1e308 people" is absurd)
//! is returned with a [`Rejection`] and its value as read, never clamped and never read
//! as something else, so the host can leave the question pending and ask again.
//!
//! # Ranges and qualifiers
//!
//! A range is a [`SlotValue::Range`] with its ends in order ("100-50" is 50 to 100);
//! its representative value, [`SlotValue::as_number`], is the **midpoint**, so "50-100"
//! lands in the same bracket whichever end a rule tests most of the time. A qualifier
//! is recorded beside the value, which stays what the customer wrote: "over 200" is 200
//! with [`Qualifier::AtLeast`], "about fifty" is 50 with [`Qualifier::Approximate`].
//!
//! # Example
//!
//! ```
//! use handoff::slots::{Qualifier, SlotValue, Source};
//! use handoff::{SlotConfig, SlotExtractors};
//!
//! let config: Vec<SlotConfig> = serde_json::from_str(r#"[
//!   {"slot": "company_size", "number": {"cues": ["people", "employees", "staff", "seats",
//!     "users", "person", "team of"], "min": 1, "max": 10000000}},
//!   {"slot": "email", "email": {}},
//!   {"slot": "timeline", "text": {}}
//! ]"#)?;
//! let slots = SlotExtractors::new(&config)?;
//!
//! // Unprompted: the cue "person" ties the number to the slot.
//! let text = "We're a 2,000-person bank, reach me at Ana@Bank.example";
//! let found = slots.extract(text, None);
//! assert_eq!(found.len(), 2);
//! assert_eq!(found[0].slot, "company_size");
//! assert_eq!(found[0].value, SlotValue::Number(2000.0));
//! assert_eq!(found[0].source, Source::Cue("person".into()));
//! assert_eq!(&text[found[0].span.clone()], "2,000");
//! assert_eq!(found[1].value, SlotValue::Text("ana@bank.example".into()));
//!
//! // Not about the slot: no cue, not asked.
//! assert!(slots.extract("call me at 5pm about version 2.0", None).is_empty());
//!
//! // Asked: a bare range answers, and its representative value is the midpoint.
//! let found = slots.extract("about 50-100", Some("company_size"));
//! assert_eq!(found[0].value, SlotValue::Range { low: 50.0, high: 100.0 });
//! assert_eq!(found[0].value.as_number(), Some(75.0));
//! assert_eq!(found[0].qualifier, Qualifier::Approximate);
//!
//! // Rejected, not clamped: the host asks again.
//! let found = slots.extract("-5", Some("company_size"));
//! assert!(found[0].rejection.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Complexity
//!
//! [`SlotExtractors::extract`] normalizes the message (linear in its length), then
//! reads tokens until it has examined [`MAX_CANDIDATES`] number candidates, and finds
//! at most [`MAX_AT_SIGNS`] `@` signs for email. Each candidate costs a bounded amount
//! beyond the digits it spans (a number in words takes at most a few dozen tokens,
//! prefixes and suffixes are read over windows of a few words, cue words over at most
//! two words between), times the number of cues of the number slots. The output holds
//! at most one value per slot. A message of ten thousand numbers or of a megabyte thus
//! costs time and memory linear in its length, and no more than 64 numbers are judged.

mod config;
mod digits;
mod email;
mod extract;
mod lexicon;
mod number;
mod raw;
mod scan;
mod types;
mod words;

use std::ops::Range;
use std::sync::Arc;

pub use config::{
    EmailSlot, NumberSlot, SlotConfig, TextSlot, DEFAULT_MAX, MAX_CUES, MAX_CUE_LEN, MAX_CUE_WORDS,
    MAX_SLOTS,
};
pub use email::MAX_AT_SIGNS;
pub use number::MAX_CANDIDATES;
pub use types::{Extracted, Qualifier, Rejection, SlotValue, Source};

use crate::error::BuildError;
use crate::text::{NormalizeOptions, Normalized, Normalizer};

/// Compiled slot extractors: immutable, `Send + Sync`, cheap to clone.
///
/// ```
/// use handoff::{NumberSlot, SlotConfig, SlotExtractors};
/// let slots = SlotExtractors::builder()
///     .slot(SlotConfig::number("company_size", NumberSlot::new().cues(["employees"])))
///     .build()?;
/// let found = slots.extract("we have 5000 employees and need SSO", None);
/// assert_eq!(found[0].value.as_number(), Some(5000.0));
/// # Ok::<(), handoff::BuildError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SlotExtractors {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Vec<SlotConfig>,
    slots: Vec<config::Compiled>,
    normalizer: Normalizer,
}

/// Builds [`SlotExtractors`]; reusable.
#[derive(Clone, Debug, Default)]
pub struct SlotExtractorsBuilder {
    slots: Vec<SlotConfig>,
    normalize: NormalizeOptions,
}

impl SlotExtractorsBuilder {
    /// Adds a slot.
    pub fn slot(&mut self, slot: SlotConfig) -> &mut Self {
        self.slots.push(slot);
        self
    }

    /// Adds slots.
    pub fn slots(&mut self, slots: impl IntoIterator<Item = SlotConfig>) -> &mut Self {
        self.slots.extend(slots);
        self
    }

    /// The normalization messages and cues get; use the router's so that
    /// [`SlotExtractors::extract_normalized`] can take its normalized text.
    pub fn normalize(&mut self, options: NormalizeOptions) -> &mut Self {
        self.normalize = options;
        self
    }

    /// Validates the slots, naming the first bad item by its path
    /// (`slots[1].number.max: ...`).
    pub fn build(&self) -> Result<SlotExtractors, BuildError> {
        let normalizer = Normalizer::new(self.normalize);
        let slots = config::compile(&self.slots, &normalizer)?;
        Ok(SlotExtractors {
            inner: Arc::new(Inner {
                config: self.slots.clone(),
                slots,
                normalizer,
            }),
        })
    }
}

impl SlotExtractors {
    /// A builder.
    pub fn builder() -> SlotExtractorsBuilder {
        SlotExtractorsBuilder::default()
    }

    /// Extractors for `slots`, with the default normalization.
    ///
    /// ```
    /// use handoff::{SlotConfig, SlotExtractors};
    /// let config: Vec<SlotConfig> = serde_json::from_str(
    ///     r#"[{"slot": "size", "number": {"min": 10, "max": 5}}]"#,
    /// ).unwrap();
    /// let err = SlotExtractors::new(&config).unwrap_err();
    /// assert_eq!(err.path(), "slots[0].number.max");
    /// ```
    pub fn new(slots: &[SlotConfig]) -> Result<Self, BuildError> {
        Self::builder().slots(slots.iter().cloned()).build()
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &[SlotConfig] {
        &self.inner.config
    }

    /// The normalizer it reads messages with.
    pub fn normalizer(&self) -> Normalizer {
        self.inner.normalizer
    }

    /// Whether a slot of that name is declared.
    pub fn contains(&self, slot: &str) -> bool {
        self.inner.slots.iter().any(|s| s.name == slot)
    }

    /// What `text` fills, at most one value per slot, in the order the slots were
    /// declared. `asked` names the slot the last question asked for, if any: a bare
    /// number then fills a number slot, and the message fills a text slot.
    ///
    /// For each number slot, the first number next to one of its cues that is not
    /// rejected is taken; failing that, when asked, the first number not tied to another
    /// slot's cue; failing both, the first rejected one, so the host can say why.
    pub fn extract(&self, text: &str, asked: Option<&str>) -> Vec<Extracted> {
        let normalized = self.inner.normalizer.normalize(text);
        self.extract_normalized(text, &normalized, asked)
    }

    /// Like [`extract`](Self::extract), for a message the caller already normalized
    /// with [`normalizer`](Self::normalizer). Spans are in `text`; with a `normalized`
    /// that does not come from `text` they are meaningless, but nothing panics.
    pub fn extract_normalized(
        &self,
        text: &str,
        normalized: &Normalized,
        asked: Option<&str>,
    ) -> Vec<Extracted> {
        let mut scan = scan::Scan::new(normalized);
        let mentions = number::read_mentions(&mut scan, MAX_CANDIDATES);
        let mut message = extract::Message {
            original: text,
            normalized,
            scan,
            mentions,
        };
        extract::extract(&self.inner.slots, &mut message, asked)
    }
}

/// A number read from a message, with no slot in view.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct NumberMention {
    /// The number or range as read.
    pub value: SlotValue,
    /// Byte span in the original message, qualifiers included.
    pub span: Range<usize>,
    /// How exact it is.
    pub qualifier: Qualifier,
    /// [`Rejection::Negative`] or [`Rejection::NotFinite`]; no bounds are applied here.
    pub rejection: Option<Rejection>,
}

/// The counts a message mentions, in order, after examining at most
/// [`MAX_CANDIDATES`] candidates (see the module docs for what is not a count).
///
/// ```
/// use handoff::slots::{read_numbers, Qualifier, SlotValue};
/// let found = read_numbers("roughly two hundred and fifty, soon 300+, not at 5pm");
/// let values: Vec<_> = found.iter().map(|m| (m.value.clone(), m.qualifier)).collect();
/// assert_eq!(values, [
///     (SlotValue::Number(250.0), Qualifier::Approximate),
///     (SlotValue::Number(300.0), Qualifier::AtLeast),
/// ]);
/// ```
pub fn read_numbers(text: &str) -> Vec<NumberMention> {
    let normalized = Normalizer::default().normalize(text);
    let mut scan = scan::Scan::new(&normalized);
    number::read_mentions(&mut scan, MAX_CANDIDATES)
        .into_iter()
        .map(|m| NumberMention {
            value: m.value,
            span: normalized.original_span(m.span),
            qualifier: m.qualifier,
            rejection: m.rejection,
        })
        .collect()
}
