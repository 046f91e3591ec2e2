//! Numbers written in digits: "2,000", "2 000", "1'000", "1.5", "1e6", with a glued or
//! spelled multiplier ("10k", "1.5k", "2m", "2 thousand", "5 hundred", "2 dozen") or a
//! glued "ish" ("200ish").
//!
//! Thousands separators (`,`, `'`, one space) count only before groups of exactly three
//! digits, after a first group of one to three; `.` is always the decimal point. Digits
//! glued to other letters ("5pm", "3rd", "b2b", "2fa") or chained into a code
//! ("2.0.1", "5:30", "24/7", "1,2,3") are not numbers.

use super::lexicon;

/// What the digits at a position are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Digits {
    /// A number ending at byte `end`: `value` already multiplied by `mult`.
    Number {
        value: f64,
        end: usize,
        mult: f64,
        approx: bool,
    },
    /// Not a number; the scan resumes at byte `end`.
    Junk { end: usize },
}

/// Reads the digits starting at byte `start` of normalized text `s` (an ASCII digit at
/// the start of a token). Linear in the length of what it reads.
pub(crate) fn read(s: &str, start: usize) -> Digits {
    let b = s.as_bytes();
    if glued_to_word_before(s, start) {
        return Digits::Junk {
            end: code_end(s, start),
        };
    }
    let mut digits = String::new();
    let mut i = take_digits(b, start, &mut digits);
    let first_group = i - start;
    while first_group <= 3 && is_group(b, i) {
        digits.push_str(&s[i + 1..i + 4]);
        i += 4;
    }
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        digits.push('.');
        i = take_digits(b, i + 1, &mut digits);
    }
    if let Some(end) = exponent_end(b, i) {
        digits.push_str(&s[i..end]);
        i = end;
    }
    if starts_code(b, i) {
        return Digits::Junk {
            end: code_end(s, i),
        };
    }
    let mut mult = 1.0;
    let mut approx = false;
    let glued = glued_run(s, i);
    if !glued.is_empty() {
        match (glued, lexicon::glued_multiplier(glued)) {
            (_, Some(m)) => mult = m,
            ("ish", None) => approx = true,
            _ => {
                return Digits::Junk {
                    end: i + glued.len(),
                }
            }
        }
        i += glued.len();
    } else {
        (mult, i) = spelled_multiplier(s, i);
    }
    let value = digits.parse::<f64>().unwrap_or(f64::NAN) * mult;
    Digits::Number {
        value,
        end: i,
        mult,
        approx,
    }
}

/// Whether the token at `start` continues a word or code before it ("v2.5", "x-5",
/// "1/2" read from the 2).
fn glued_to_word_before(s: &str, start: usize) -> bool {
    let mut before = s[..start].chars().rev();
    match (before.next(), before.next()) {
        // After a digit, a hyphen joins a range ("50-100"), read by the caller.
        (Some('-'), Some(c)) => c.is_alphabetic(),
        (Some('.' | ',' | ':' | '/' | '\'' | '_'), Some(c)) => c.is_alphanumeric(),
        (Some(c), _) => c.is_alphanumeric(),
        _ => false,
    }
}

fn take_digits(b: &[u8], mut i: usize, out: &mut String) -> usize {
    while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
        out.push(d as char);
        i += 1;
    }
    i
}

/// A thousands separator at `i` followed by exactly three digits.
fn is_group(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b',' | b'\'' | b' '))
        && b.len() >= i + 4
        && b[i + 1..i + 4].iter().all(u8::is_ascii_digit)
        && !b.get(i + 4).is_some_and(u8::is_ascii_digit)
        // "2 000.5" is fine, "2 000,5" or "2 000:30" starts a code.
        && !(b[i] == b' ' && starts_code(b, i + 4))
}

/// The end of an exponent ("e6", "e+308", "e-3") at `i`, if one is there.
fn exponent_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'e') {
        return None;
    }
    let mut j = i + 1;
    if matches!(b.get(j), Some(b'+' | b'-')) {
        j += 1;
    }
    let digits_from = j;
    while b.get(j).is_some_and(u8::is_ascii_digit) {
        j += 1;
    }
    let ends_word = !b.get(j).is_some_and(u8::is_ascii_alphanumeric);
    (j > digits_from && ends_word).then_some(j)
}

/// Whether a code continues at `i`: a dot, colon, slash or comma, then a digit.
fn starts_code(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b'.' | b':' | b'/' | b','))
        && b.get(i + 1).is_some_and(u8::is_ascii_digit)
}

/// The end of the code or glued word running from `i`: letters, digits and the
/// punctuation codes are made of.
pub(crate) fn code_end(s: &str, i: usize) -> usize {
    let run = s[i..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | ':' | '/' | ',' | '-' | '\'')))
        .map_or(s.len(), |(at, _)| i + at);
    // A sentence's full stop or comma is not part of the code.
    let trimmed = s[i..run].trim_end_matches(['.', ':', '/', ',', '-', '\'']);
    (i + trimmed.len()).max(i + 1).min(s.len())
}

/// Letters (or digits after letters) glued right after the digits at `i`, as in "10k",
/// "5pm", "3rd"; an inner apostrophe keeps the run going ("50's").
fn glued_run(s: &str, i: usize) -> &str {
    let mut end = i;
    let mut chars = s[i..].char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let inner_apostrophe =
            c == '\'' && end > i && chars.peek().is_some_and(|&(_, n)| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_apostrophe {
            end = i + at + c.len_utf8();
        } else {
            break;
        }
    }
    &s[i..end]
}

/// A spelled multiplier after the digits ending at `i`: an optional "hundred", then an
/// optional scale word, or "dozen". Returns the multiplier and the new end.
fn spelled_multiplier(s: &str, i: usize) -> (f64, usize) {
    let mut mult = 1.0;
    let mut end = i;
    if let Some(e) = super::scan::phrase_after(s, end, "hundred") {
        if s.as_bytes().get(i) == Some(&b' ') {
            mult *= 100.0;
            end = e;
        }
    }
    if let Some(e) = super::scan::phrase_after(s, end, "dozen") {
        if mult == 1.0 && s.as_bytes().get(end) == Some(&b' ') {
            return (12.0, e);
        }
    }
    if s.as_bytes().get(end) == Some(&b' ') {
        let next = &s[end + 1..];
        let word_len = next
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(next.len());
        if let Some(scale) = lexicon::spaced_scale(&next[..word_len]) {
            mult *= scale;
            end += 1 + word_len;
        }
    }
    (mult, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(s: &str) -> Option<f64> {
        match read(s, 0) {
            Digits::Number { value, .. } => Some(value),
            Digits::Junk { .. } => None,
        }
    }

    #[test]
    fn digits_table() {
        let table: &[(&str, Option<f64>)] = &[
            ("2,000", Some(2000.0)),
            ("2 000 people", Some(2000.0)),
            ("1'000'000", Some(1e6)),
            ("1.5k", Some(1500.0)),
            ("10k", Some(1e4)),
            ("2m", Some(2e6)),
            ("2 thousand", Some(2000.0)),
            ("5 hundred thousand", Some(5e5)),
            ("2 dozen", Some(24.0)),
            ("1e308", Some(1e308)),
            ("1e400", Some(f64::INFINITY)),
            ("200ish", Some(200.0)),
            ("12345,678", None),
            ("5pm", None),
            ("3rd", None),
            ("2.0.1", None),
            ("5:30", None),
            ("24/7", None),
            ("1,2,3", None),
        ];
        for (text, want) in table {
            assert_eq!(value(text), *want, "{text:?}");
        }
    }

    #[test]
    fn junk_skips_the_whole_code() {
        assert_eq!(read("2.0.1 ok", 0), Digits::Junk { end: 5 });
        assert_eq!(read("5pm.", 0), Digits::Junk { end: 3 });
    }
}
