//! The tokens of a normalized message, read on demand, with the small look-behind and
//! look-ahead helpers the number reader and the cue matcher share.

use std::ops::Range;

use crate::text::{Normalized, Tokens};

/// Tokens of a normalized message, buffered as far as they have been asked for, so a
/// scan that stops early (the candidate cap) never tokenizes the rest.
pub(crate) struct Scan<'a> {
    /// The normalized text.
    pub(crate) s: &'a str,
    toks: Vec<Range<usize>>,
    rest: Tokens<'a>,
}

impl<'a> Scan<'a> {
    pub(crate) fn new(normalized: &'a Normalized) -> Self {
        Scan {
            s: normalized.as_str(),
            toks: Vec::new(),
            rest: normalized.tokens(),
        }
    }

    /// The byte range of token `i`, if the text has that many tokens.
    pub(crate) fn tok(&mut self, i: usize) -> Option<Range<usize>> {
        while self.toks.len() <= i {
            let t = self.rest.next()?;
            self.toks.push(t.range);
        }
        Some(self.toks[i].clone())
    }

    /// The text of token `i`.
    pub(crate) fn word(&mut self, i: usize) -> Option<&'a str> {
        let s = self.s;
        self.tok(i).map(|r| &s[r])
    }

    /// The index of the first token at or after `from` that starts at or after `byte`.
    pub(crate) fn first_from(&mut self, byte: usize, from: usize) -> usize {
        let mut i = from;
        while let Some(r) = self.tok(i) {
            if r.start >= byte {
                return i;
            }
            i += 1;
        }
        i
    }

    /// How many tokens end at or before `byte`, among those read so far.
    pub(crate) fn count_before(&self, byte: usize) -> usize {
        self.toks.partition_point(|r| r.end <= byte)
    }

    /// The text between the end of token `i - 1` and the start of token `i`.
    pub(crate) fn gap_before(&mut self, i: usize) -> Option<&'a str> {
        let s = self.s;
        let prev = self.tok(i.checked_sub(1)?)?;
        let cur = self.tok(i)?;
        Some(&s[prev.end..cur.start])
    }
}

/// Whether two words of one phrase are joined by `gap` ("twenty-five", "team of").
pub(crate) fn joins_words(gap: &str) -> bool {
    gap == " " || gap == "-"
}

/// The byte where `phrase` starts if `s[..pos]`, less one trailing space, ends with it
/// as a whole word (symbols need no word boundary).
pub(crate) fn phrase_before(s: &str, pos: usize, phrase: &str) -> Option<usize> {
    let head = &s[..pos];
    let head = head.strip_suffix(' ').unwrap_or(head);
    let at = head.len().checked_sub(phrase.len())?;
    if !head.is_char_boundary(at) || &head[at..] != phrase {
        return None;
    }
    let wordy = phrase.ends_with(|c: char| c.is_alphanumeric());
    if wordy && head.len() == pos {
        // A word needs a space between it and what follows.
        return None;
    }
    let starts_word = phrase.starts_with(|c: char| c.is_alphanumeric());
    if starts_word
        && head[..at]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    Some(at)
}

/// The byte where `phrase` ends if `s[pos..]`, less one leading space, starts with it
/// as a whole word (symbols need no word boundary).
pub(crate) fn phrase_after(s: &str, pos: usize, phrase: &str) -> Option<usize> {
    let tail = &s[pos..];
    let skipped = usize::from(tail.starts_with(' '));
    let tail = &tail[skipped..];
    if !tail.starts_with(phrase) {
        return None;
    }
    let starts_word = phrase.starts_with(|c: char| c.is_alphanumeric());
    if starts_word && skipped == 0 && s[..pos].ends_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let ends_word = phrase.ends_with(|c: char| c.is_alphanumeric());
    if ends_word
        && tail[phrase.len()..]
            .chars()
            .next()
            .is_some_and(char::is_alphanumeric)
    {
        return None;
    }
    Some(pos + skipped + phrase.len())
}

/// The word that ends at `pos` (less one space), if it is at most 16 bytes long: the
/// words looked for before a number are short, and the bound keeps the look-behind
/// constant whatever precedes it.
pub(crate) fn word_before(s: &str, pos: usize) -> Option<&str> {
    let head = &s[..pos];
    let head = head.strip_suffix(' ')?;
    let start = head
        .char_indices()
        .rev()
        .take(17)
        .take_while(|&(_, c)| c.is_alphanumeric() || c == '\'')
        .last()
        .map(|(i, _)| i)?;
    let word = &head[start..];
    let longer = head[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '\'');
    (!longer && word.len() <= 16).then_some(word)
}

/// The char just before `pos`, skipping one space.
pub(crate) fn char_before(s: &str, pos: usize) -> Option<char> {
    let head = &s[..pos];
    head.strip_suffix(' ').unwrap_or(head).chars().next_back()
}
