//! Light English morphology: a suffix stripper that maps the inflected forms of a word
//! to one stem ("evaluate", "evaluates", "evaluated", "evaluating" -> "evaluat"), so an
//! unseen form of a known word reads as that word.
//!
//! It is deliberately light (plural and verb endings, a final "e" or "y", a doubled
//! final consonant), in the spirit of the first steps of Porter's stemmer: derivations
//! that change the meaning ("use" / "user", "act" / "active") are left apart.
//!
//! Complexity: O(word length), no allocation.

use crate::word_hash::{hash_chars, hash_word};

/// Longest word stemmed; longer ones are their own stem.
const MAX_CHARS: usize = 32;

/// The stem of a lower-case `word`; words shorter than four chars (or longer than
/// [`MAX_CHARS`]) are their own stem.
#[cfg(test)]
pub(crate) fn stem(word: &str) -> String {
    let mut buf = ['\0'; MAX_CHARS];
    match stem_into(word, &mut buf) {
        Some(len) => buf[..len].iter().collect(),
        None => word.to_string(),
    }
}

/// The hash of `word`'s stem (as [`hash_chars`] of [`stem`]'s chars), without
/// allocating.
pub(crate) fn stem_hash(word: &str) -> u64 {
    let mut buf = ['\0'; MAX_CHARS];
    match stem_into(word, &mut buf) {
        Some(len) => hash_chars(&buf[..len]),
        None => hash_word(word),
    }
}

/// Writes the stem of `word` into `buf` and returns its length, or `None` when the
/// word is its own stem because of its length.
fn stem_into(word: &str, buf: &mut [char; MAX_CHARS]) -> Option<usize> {
    let mut len = 0;
    for c in word.chars() {
        *buf.get_mut(len)? = c;
        len += 1;
    }
    if len < 4 {
        return None;
    }
    let s = &mut Chars { buf, len };
    strip_plural(s);
    strip_verb_ending(s);
    tidy_end(s);
    Some(s.len)
}

/// A word being stemmed, in place.
struct Chars<'a> {
    buf: &'a mut [char; MAX_CHARS],
    len: usize,
}

impl Chars<'_> {
    fn ends_with(&self, suffix: &str) -> bool {
        let n = suffix.len();
        self.len >= n
            && self.buf[self.len - n..self.len]
                .iter()
                .copied()
                .eq(suffix.chars())
    }

    fn cut(&mut self, n: usize) {
        self.len -= n;
    }

    fn any_vowel_before(&self, end: usize) -> bool {
        self.buf[..end].iter().any(|&c| is_vowel(c))
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// "cities" -> "citi", "classes" -> "class", "vendors" -> "vendor"; "class", "bus" and
/// "analysis" keep their "s".
fn strip_plural(s: &mut Chars<'_>) {
    if (s.ends_with("ies") && s.len > 4) || s.ends_with("sses") {
        s.cut(2);
    } else if s.ends_with("s")
        && !s.ends_with("ss")
        && !s.ends_with("us")
        && !s.ends_with("is")
        && s.len > 3
    {
        s.cut(1);
    }
}

/// "booking" -> "book", "booked" -> "book", when at least three chars with a vowel are
/// left ("need" and "sing" stay whole).
fn strip_verb_ending(s: &mut Chars<'_>) {
    for suffix in ["ing", "ed"] {
        let n = suffix.len();
        if s.ends_with(suffix) && s.len >= n + 3 && s.any_vowel_before(s.len - n) {
            s.cut(n);
            return;
        }
    }
}

/// A final "e" goes ("evaluate" -> "evaluat"), a final "y" reads as "i" ("city" ->
/// "citi", like "cities"), a doubled final consonant is single ("runn" -> "run").
fn tidy_end(s: &mut Chars<'_>) {
    let n = s.len;
    if n < 4 {
        return;
    }
    match s.buf[n - 1] {
        'e' => s.cut(1),
        'y' => s.buf[n - 1] = 'i',
        c if c == s.buf[n - 2] && !is_vowel(c) && !matches!(c, 'l' | 's' | 'z') => s.cut(1),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_share_a_stem() {
        let groups: &[&[&str]] = &[
            &["evaluate", "evaluates", "evaluated", "evaluating"],
            &["book", "books", "booked", "booking"],
            &["vendor", "vendors"],
            &["city", "cities"],
            &["run", "runs", "running"],
            &["class", "classes"],
            &["report", "reports", "reported", "reporting"],
        ];
        for group in groups {
            let first = stem(group[0]);
            for word in *group {
                assert_eq!(stem(word), first, "{word} vs {}", group[0]);
            }
        }
    }

    #[test]
    fn different_words_keep_different_stems() {
        for (a, b) in [
            ("use", "user"),
            ("need", "ne"),
            ("sing", "s"),
            ("act", "active"),
        ] {
            assert_ne!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem(""), "");
        assert_eq!(stem("ok"), "ok");
        assert_eq!(stem("analysis"), "analysis");
        for word in ["evaluating", "cities", "ok", ""] {
            assert_eq!(stem_hash(word), hash_word(&stem(word)), "{word}");
        }
    }
}
