//! Number mentions: a number in digits or words with what surrounds it: a sign, a
//! qualifier ("about", "over", "200+"), a range ("50-100", "between 200 and 300"), and
//! what makes it not a count at all (a unit, money, a version, a year).
//!
//! A mention is read at a token that starts a number. Its prefixes are read backwards
//! from there and its range and suffixes forwards, each over a bounded window, so each
//! mention costs a constant amount beyond the digits it spans.

use std::ops::Range;

use super::digits::{self, Digits};
use super::lexicon;
use super::raw::Core;
use super::scan::{char_before, phrase_after, phrase_before, word_before, Scan};
use super::types::{Qualifier, Rejection, SlotValue};
use super::words;

/// How many number candidates one message is read for, at most. Each candidate costs a
/// bounded amount, so this bounds the work on a message full of numbers.
pub const MAX_CANDIDATES: usize = 64;

/// What is at a token that starts a number.
enum Read {
    Number(Core),
    /// Not a number; the scan resumes at this byte.
    Skip(usize),
}

/// A number mention in normalized text.
#[derive(Clone, Debug)]
pub(crate) struct Mention {
    pub(crate) value: SlotValue,
    pub(crate) qualifier: Qualifier,
    /// Negative or not finite; the slot's own bounds are checked later.
    pub(crate) rejection: Option<Rejection>,
    /// Byte span in the normalized text, prefixes and suffixes included.
    pub(crate) span: Range<usize>,
    /// The number of tokens that end before the span.
    pub(crate) tokens_before: usize,
    /// The index of the first token after the span.
    pub(crate) token_after: usize,
}

/// Whether token `i` starts a number in digits or words.
fn starts_number(scan: &mut Scan<'_>, i: usize) -> bool {
    match scan.word(i) {
        Some(w) if w.as_bytes()[0].is_ascii_digit() => true,
        Some(_) => words::starts_number(scan, i),
        None => false,
    }
}

/// Reads the number mentions of a message, examining at most `cap` candidates.
pub(crate) fn read_mentions(scan: &mut Scan<'_>, cap: usize) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut examined = 0;
    let mut i = 0;
    while scan.tok(i).is_some() {
        if !starts_number(scan, i) {
            i += 1;
            continue;
        }
        examined += 1;
        if examined > cap {
            break;
        }
        match mention_at(scan, i) {
            Some(Ok(m)) => {
                i = m.token_after.max(i + 1);
                out.push(m);
            }
            Some(Err(resume)) => i = scan.first_from(resume, i + 1),
            None => i += 1,
        }
    }
    out
}

fn read_core(scan: &mut Scan<'_>, i: usize) -> Option<Read> {
    let r = scan.tok(i)?;
    let s = scan.s;
    if !s.as_bytes()[r.start].is_ascii_digit() {
        return words::read(scan, i).map(Read::Number);
    }
    Some(match digits::read(s, r.start) {
        Digits::Number {
            value,
            end,
            mult,
            approx,
        } => Read::Number(Core {
            value,
            start: r.start,
            end,
            mult,
            approx,
            year_like: end - r.start == 4 && s[r.start..end].bytes().all(|b| b.is_ascii_digit()),
        }),
        Digits::Junk { end } => Read::Skip(end),
    })
}

/// The mention at token `i`: `Ok` a mention, `Err` the byte to resume at when what is
/// there is not a count, `None` when token `i` does not hold a number after all.
fn mention_at(scan: &mut Scan<'_>, i: usize) -> Option<Result<Mention, usize>> {
    let s = scan.s;
    let mut first = match read_core(scan, i)? {
        Read::Number(core) => core,
        Read::Skip(end) => return Some(Err(end)),
    };
    let (mut start, negative) = sign_before(s, first.start);
    if negative {
        first.value = -first.value;
    }
    let between = phrase_before(s, start, "between");
    let from = between.or_else(|| phrase_before(s, start, "from"));
    let mut end = first.end;
    let mut value = SlotValue::Number(first.value);
    let mut approx = first.approx;
    let mut non_finite = !first.value.is_finite();
    match range_after(scan, i, &first, between.is_some()) {
        Some(Ok(second)) => {
            value = range_value(&first, &second);
            approx |= second.approx;
            non_finite |= !second.value.is_finite();
            end = second.end;
            if let Some(at) = from {
                start = at;
            }
            if continues_code(s, end) {
                return Some(Err(digits::code_end(s, end)));
            }
        }
        Some(Err(resume)) => return Some(Err(resume)),
        None => {}
    }
    let mut qualifier = Qualifier::Exact;
    if let Some((at, q)) = qualifier_before(s, start) {
        qualifier = q;
        start = at;
    }
    match not_a_count_before(s, start, &first) {
        Some(NotACount::Phone) => return Some(Err(phone_end(s, end))),
        Some(NotACount::Label) => return Some(Err(end)),
        None => {}
    }
    if let Some((after, q)) = qualifier_after(s, end) {
        if qualifier == Qualifier::Exact {
            qualifier = q;
        }
        end = after;
    }
    if approx && qualifier == Qualifier::Exact {
        qualifier = Qualifier::Approximate;
    }
    if unit_after(s, end) {
        return Some(Err(end));
    }
    let rejection = if non_finite || value.as_number().is_some_and(f64::is_nan) {
        Some(Rejection::NotFinite)
    } else if negative {
        Some(Rejection::Negative)
    } else {
        None
    };
    let token_after = scan.first_from(end, i);
    Some(Ok(Mention {
        value,
        qualifier,
        rejection,
        span: start..end,
        tokens_before: scan.count_before(start),
        token_after,
    }))
}

/// A minus sign glued to the number ("-5") or the word "minus" or "negative" before it.
fn sign_before(s: &str, start: usize) -> (usize, bool) {
    let head = &s[..start];
    for sign in ['-', '\u{2212}'] {
        if let Some(rest) = head.strip_suffix(sign) {
            if !rest.ends_with(|c: char| c.is_alphanumeric()) {
                return (rest.len(), true);
            }
        }
    }
    for word in ["minus", "negative"] {
        if let Some(at) = phrase_before(s, start, word) {
            return (at, true);
        }
    }
    (start, false)
}

/// A range after `first` (token `i`): "-", "to", "or", "through", or "and" after
/// "between", then a second number. `Err` when the second number is not a count
/// ("5-10pm"), which makes the whole range not one.
fn range_after(
    scan: &mut Scan<'_>,
    i: usize,
    first: &Core,
    between: bool,
) -> Option<Result<Core, usize>> {
    let s = scan.s;
    let mut connectors = vec!["-", "\u{2013}", "\u{2014}", "to", "or", "through", "thru"];
    if between {
        connectors.push("and");
    }
    let after = connectors
        .iter()
        .find_map(|c| phrase_after(s, first.end, c))?;
    let at = after + usize::from(s[after..].starts_with(' '));
    let j = scan.first_from(at, i + 1);
    if scan.tok(j)?.start != at || !starts_number(scan, j) {
        return None;
    }
    match read_core(scan, j)? {
        Read::Number(second) => Some(Ok(second)),
        Read::Skip(end) => Some(Err(end)),
    }
}

/// The value of a range: its ends in order, the first scaled like the second when only
/// the second says its scale ("10-20k" is 10,000 to 20,000).
fn range_value(first: &Core, second: &Core) -> SlotValue {
    let mut low = first.value;
    let high = second.value;
    if first.mult == 1.0 && second.mult > 1.0 && low * second.mult <= high {
        low *= second.mult;
    }
    if low > high {
        SlotValue::Range {
            low: high,
            high: low,
        }
    } else {
        SlotValue::Range { low, high }
    }
}

/// Whether a code goes on after a range ("1-800-555", "2024-01-05").
fn continues_code(s: &str, end: usize) -> bool {
    let b = s.as_bytes();
    matches!(b.get(end), Some(b'-' | b'.' | b':' | b'/'))
        && b.get(end + 1).is_some_and(u8::is_ascii_digit)
}

fn qualifier_before(s: &str, start: usize) -> Option<(usize, Qualifier)> {
    lexicon::BEFORE
        .iter()
        .find_map(|&(phrase, q)| phrase_before(s, start, phrase).map(|at| (at, q)))
}

fn qualifier_after(s: &str, end: usize) -> Option<(usize, Qualifier)> {
    lexicon::AFTER
        .iter()
        .find_map(|&(phrase, q)| phrase_after(s, end, phrase).map(|at| (at, q)))
}

/// Why what precedes a number makes it not a count.
enum NotACount {
    /// Money, an identifier, a version or a year: "$500", "#12", "version 2", "in 2024".
    Label,
    /// A phone number: "+1 555 123 4567", "phone 555 1234".
    Phone,
}

fn not_a_count_before(s: &str, start: usize, first: &Core) -> Option<NotACount> {
    // A glued plus starts a phone number; "200+" is read after the number instead.
    if s[..start].ends_with('+') {
        return Some(NotACount::Phone);
    }
    if char_before(s, start).is_some_and(lexicon::is_prefix_symbol) {
        return Some(NotACount::Label);
    }
    let word = word_before(s, start)?;
    if lexicon::is_phone_word(word) {
        return Some(NotACount::Phone);
    }
    let year = first.year_like && (1900.0..2100.0).contains(&first.value);
    (lexicon::is_label_word(word) || (year && lexicon::is_year_word(word)))
        .then_some(NotACount::Label)
}

/// The end of a phone number's digit groups from `end` ("555 123 4567", "555-1234").
fn phone_end(s: &str, mut end: usize) -> usize {
    let b = s.as_bytes();
    while matches!(b.get(end), Some(b' ' | b'-' | b'.' | b'(' | b')'))
        && b.get(end + 1).is_some_and(u8::is_ascii_digit)
    {
        end += 1;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
    }
    end
}

/// A unit after the number: "5 pm", "30 days", "50%", "10 dollars", "5 a.m.".
fn unit_after(s: &str, end: usize) -> bool {
    let tail = &s[end..];
    let tail = tail.strip_prefix(' ').unwrap_or(tail);
    if tail.starts_with(lexicon::is_unit_symbol) {
        return true;
    }
    if tail.starts_with("a.m") || tail.starts_with("p.m") {
        return true;
    }
    let word_len = tail
        .char_indices()
        .take(10)
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '\''))
        .map_or(tail.len(), |(at, _)| at);
    word_len > 0 && word_len < 10 && lexicon::is_unit(&tail[..word_len])
}
