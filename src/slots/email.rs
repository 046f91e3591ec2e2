//! Email addresses: `local@domain.tld`, read from normalized (lower-cased) text.
//!
//! A plausible address, not an RFC 5322 parser: the local part is ASCII letters, digits
//! and `. _ % + -` (at most 64 bytes, no leading, trailing or doubled dot); the domain
//! is at least two dot-separated labels of letters, digits and inner hyphens (each at
//! most 63 bytes, 253 in all) ending in an alphabetic top-level label of two or more
//! letters. A sentence's full stop after the address is not part of it.
//!
//! Complexity: each `@` examined costs at most about 320 bytes of look-around, and at
//! most [`MAX_AT_SIGNS`] are examined per message.

use std::ops::Range;

/// How many `@` one message is examined for, at most.
pub const MAX_AT_SIGNS: usize = 64;

const MAX_LOCAL: usize = 64;
const MAX_DOMAIN: usize = 253;

/// The byte span of the first plausible email address in `s`.
pub(crate) fn find_email(s: &str) -> Option<Range<usize>> {
    let mut from = 0;
    for _ in 0..MAX_AT_SIGNS {
        let at = from + s[from..].find('@')?;
        if let Some(span) = email_around(s.as_bytes(), at) {
            return Some(span);
        }
        from = at + 1;
    }
    None
}

fn is_local(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// The address around the `@` at byte `at`, if it is a plausible one.
fn email_around(b: &[u8], at: usize) -> Option<Range<usize>> {
    let mut start = at;
    while start > 0 && is_local(b[start - 1]) {
        if at - start == MAX_LOCAL {
            return None;
        }
        start -= 1;
    }
    // Dots before the address belong to the sentence ("...ana@x.io").
    while start < at && b[start] == b'.' {
        start += 1;
    }
    let local = &b[start..at];
    if local.is_empty() || local.ends_with(b".") || local.windows(2).any(|w| w == b"..") {
        return None;
    }
    let mut end = at + 1;
    while end < b.len() && is_domain(b[end]) {
        if end - at > MAX_DOMAIN {
            return None;
        }
        end += 1;
    }
    while end > at + 1 && matches!(b[end - 1], b'.' | b'-') {
        end -= 1;
    }
    plausible_domain(&b[at + 1..end]).then_some(start..end)
}

fn plausible_domain(domain: &[u8]) -> bool {
    let labels: Vec<&[u8]> = domain.split(|&c| c == b'.').collect();
    let Some(tld) = labels.last() else {
        return false;
    };
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| (1..=63).contains(&l.len()) && !l.starts_with(b"-") && !l.ends_with(b"-"))
        && tld.len() >= 2
        && tld.iter().all(u8::is_ascii_alphabetic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_table() {
        let table: &[(&str, Option<&str>)] = &[
            (
                "mail ana@bank.example.com please",
                Some("ana@bank.example.com"),
            ),
            ("ana.b+crm@x.io.", Some("ana.b+crm@x.io")),
            ("(bob_2@mail.co.uk)", Some("bob_2@mail.co.uk")),
            ("...ana@x.io", Some("ana@x.io")),
            ("me@localhost", None),
            ("@handle", None),
            ("a..b@x.io", None),
            ("ana@x.c0m", None),
            ("ana@-x.io", None),
            ("50 @ 3pm", None),
            ("a@b @ c@d.org", Some("c@d.org")),
        ];
        for (text, want) in table {
            let got = find_email(text).map(|r| &text[r]);
            assert_eq!(got, *want, "{text:?}");
        }
    }
}
