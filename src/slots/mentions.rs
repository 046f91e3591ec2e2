//! [`read_numbers`]: the counts a message mentions, with no slot in view.

use std::ops::Range;

use super::number::{self, MAX_CANDIDATES};
use super::scan;
use super::types::{Qualifier, Rejection, SlotValue};
use crate::text::Normalizer;

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
/// use handoff::slots::{Qualifier, read_numbers, SlotValue};
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
