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
//! use handoff::slots::{SlotConfig, SlotExtractors};
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
mod extractors;
mod lexicon;
mod mentions;
mod number;
mod raw;
mod scan;
mod types;
mod words;

pub use config::{
    EmailSlot, NumberSlot, SlotConfig, TextSlot, DEFAULT_MAX, MAX_CUES, MAX_CUE_LEN, MAX_CUE_WORDS,
    MAX_SLOTS,
};
pub use email::MAX_AT_SIGNS;
pub use extractors::{SlotExtractors, SlotExtractorsBuilder};
pub use mentions::{read_numbers, NumberMention};
pub use number::MAX_CANDIDATES;
pub use types::{Extracted, Qualifier, Rejection, SlotValue, Source};
