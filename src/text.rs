//! Text normalization and tokenization with spans back to the original message.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Options for a [`Normalizer`].
///
/// ```
/// use handoff::NormalizeOptions;
/// let keep_accents = NormalizeOptions::default().fold_accents(false);
/// assert!(!keep_accents.folds_accents());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct NormalizeOptions {
    fold_accents: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions { fold_accents: true }
    }
}

impl NormalizeOptions {
    /// Whether combining accents are removed ("démo" becomes "demo"). Default: `true`.
    pub fn fold_accents(mut self, yes: bool) -> Self {
        self.fold_accents = yes;
        self
    }

    /// Returns whether accents are folded.
    pub fn folds_accents(&self) -> bool {
        self.fold_accents
    }
}

/// Normalizes chat messages. Cheap to create and to clone; `Send + Sync`.
///
/// ```
/// use handoff::Normalizer;
/// let message = "  Can I get a DÉMO\u{2019}s  price?";
/// let normalized = Normalizer::default().normalize(message);
/// assert_eq!(normalized.as_str(), "can i get a demo's price?");
/// // "demo" in the normalized text maps back to "DÉMO" in what the user typed.
/// let at = normalized.as_str().find("demo").unwrap();
/// let span = normalized.original_span(at..at + 4);
/// assert_eq!(&message[span], "DÉMO");
/// ```
///
/// Text normalization and tokenization with spans back to the original message.
///
/// Every matcher in this crate works on *normalized* text so that "DÉMO", "démo" and
/// "demo" are the same word, and typographic quotes do not split "don’t". Every hit must
/// still be shown in what the user typed, so a [`Normalized`] keeps, for each byte of
/// normalized text, the byte range of the original text it came from.
///
/// Normalization, in order, per grapheme-like cluster (a starter character followed by
/// its combining marks):
/// 1. Unicode NFKC (compatibility forms: full-width letters, ligatures, superscripts).
/// 2. Unicode lower-casing.
/// 3. Optional accent folding (on by default): combining marks are removed after
///    canonical decomposition, so "é" becomes "e".
/// 4. Typographic apostrophes (’ ‘ ʼ ´ `) become `'`, typographic double quotes become `"`.
/// 5. Whitespace and control characters become separators; runs of separators collapse to
///    one ASCII space; leading and trailing separators are dropped. Invisible format
///    characters (zero-width space, joiners, direction marks, BOM) are removed.
///
/// Normalization is idempotent: normalizing normalized text changes nothing.
///
/// Complexity: linear in the length of the input; ASCII text takes a fast path that does
/// no Unicode table look-ups.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Normalizer {
    options: NormalizeOptions,
}

/// A normalized message: the normalized text plus the map back to the original.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    text: String,
    /// For each byte of `text`, the start of the original range it came from.
    starts: Vec<u32>,
    /// For each byte of `text`, the end of the original range it came from.
    ends: Vec<u32>,
}

/// A token of normalized text: a run of letters and digits, with apostrophes inside a
/// word kept ("don't" is one token).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Token {
    /// Byte range of the token in the normalized text.
    pub range: Range<usize>,
}

impl Token {
    /// The token's text, given the normalized text it came from.
    pub fn text<'a>(&self, normalized: &'a Normalized) -> &'a str {
        &normalized.text[self.range.clone()]
    }
}

impl Normalizer {
    /// A normalizer with the given options.
    pub fn new(options: NormalizeOptions) -> Self {
        Normalizer { options }
    }

    /// The options in force.
    pub fn options(&self) -> NormalizeOptions {
        self.options
    }

    /// Normalizes `text`.
    pub fn normalize(&self, text: &str) -> Normalized {
        let mut out = Normalized::default();
        self.normalize_into(text, &mut out);
        out
    }

    /// Normalizes `text` into `out`, reusing its buffers.
    pub fn normalize_into(&self, text: &str, out: &mut Normalized) {
        out.text.clear();
        out.starts.clear();
        out.ends.clear();
        out.text.reserve(text.len());
        // Offsets are stored as u32; longer inputs are cut at a char boundary. Callers
        // enforce much smaller limits long before this (see `Limits`).
        let text = truncate_at_char_boundary(text, u32::MAX as usize - 1);
        let bytes = text.as_bytes();
        if is_plain_ascii(bytes) {
            // What the loop below does with such a text, in one step: the whole text
            // is one run.
            out.push_ascii(text, 0);
            return;
        }
        // The first separator of a pending run, as an original byte range.
        let mut pending_space: Option<(u32, u32)> = None;
        let mut scratch = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            // ASCII fast path, unless a combining mark follows ("e\u{301}" is one cluster).
            if b.is_ascii() && bytes.get(i + 1).map_or(true, |n| n.is_ascii()) {
                if !b.is_ascii_graphic() {
                    // Whitespace or a control character.
                    if !out.text.is_empty() && pending_space.is_none() {
                        pending_space = Some((i as u32, i as u32 + 1));
                    }
                    i += 1;
                } else {
                    // A run of visible ASCII and single spaces between, each byte
                    // followed by ASCII, is copied in bulk: it normalizes to itself,
                    // lower-cased, byte for byte.
                    let mut end = i + 1;
                    while end < bytes.len() {
                        let next = bytes.get(end + 1).copied();
                        let copies = if bytes[end] == b' ' {
                            next.is_some_and(|n| n.is_ascii_graphic())
                        } else {
                            bytes[end].is_ascii_graphic() && next.map_or(true, |n| n.is_ascii())
                        };
                        if !copies {
                            break;
                        }
                        end += 1;
                    }
                    out.flush_space(&mut pending_space);
                    out.push_ascii(&text[i..end], i);
                    i = end;
                }
                continue;
            }
            // A cluster: this char and the combining marks that follow it. Invisible
            // characters inside it are dropped rather than allowed to split it, or the
            // marks on either side would be ordered differently on a second pass.
            let start = i;
            let mut chars = text[i..].char_indices();
            let (_, first) = chars.next().expect("i is a char boundary below len");
            let mut end = start + first.len_utf8();
            // A separator stands alone: marks after it start a cluster of their own, as
            // they will when the normalized text (where it is a plain space) is read again.
            if !is_separator(first) {
                for (off, c) in chars {
                    if is_combining_mark(c) || is_invisible(c) {
                        end = start + off + c.len_utf8();
                    } else {
                        break;
                    }
                }
            }
            i = end;
            if is_separator(first) {
                if !out.text.is_empty() && pending_space.is_none() {
                    pending_space = Some((start as u32, end as u32));
                }
                continue;
            }
            scratch.clear();
            self.normalize_cluster(&text[start..end], &mut scratch);
            for c in scratch.chars() {
                if is_separator(c) {
                    if !out.text.is_empty() && pending_space.is_none() {
                        pending_space = Some((start as u32, end as u32));
                    }
                } else if !is_invisible(c) {
                    out.flush_space(&mut pending_space);
                    out.push_char(c, start, end);
                }
            }
        }
    }

    fn normalize_cluster(&self, cluster: &str, out: &mut String) {
        // NFKC, lower-case, then (optionally) strip marks after decomposition, and
        // recompose so the result is stable under a second pass.
        let mut lowered = String::with_capacity(cluster.len());
        for c in cluster.chars().filter(|&c| !is_invisible(c)).nfkc() {
            lowered.extend(c.to_lowercase());
        }
        if self.options.fold_accents {
            for c in lowered.nfkd().filter(|&c| !is_combining_mark(c)).nfc() {
                out.push(fold_punctuation(c));
            }
        } else {
            for c in lowered.nfc() {
                out.push(fold_punctuation(c));
            }
        }
    }
}

/// Whether `bytes` are visible ASCII and single spaces between them, the common chat
/// message that normalizes to itself, lower-cased, byte for byte. Branch-free, so
/// it vectorizes.
fn is_plain_ascii(bytes: &[u8]) -> bool {
    // `&` and `|`, not `&&` and `||`: a branch per space would mispredict.
    let visible_or_space = bytes
        .iter()
        .fold(true, |ok, &b| ok & ((b == b' ') | b.is_ascii_graphic()));
    let single_spaces = bytes.windows(2).fold(true, |ok, pair| {
        ok & !((pair[0] == b' ') & (pair[1] == b' '))
    });
    visible_or_space
        && single_spaces
        && bytes.first().is_some_and(|&b| b != b' ')
        && bytes.last().is_some_and(|&b| b != b' ')
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
pub(crate) fn truncate_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Characters that render as nothing and only confuse matching.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
    )
}

fn fold_punctuation(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}'
        | '\u{00B4}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        other => other,
    }
}

impl Normalized {
    fn flush_space(&mut self, pending: &mut Option<(u32, u32)>) {
        if let Some((start, end)) = pending.take() {
            self.text.push(' ');
            self.starts.push(start);
            self.ends.push(end);
        }
    }

    /// Appends ASCII `run` (visible characters and single spaces), found at byte
    /// `start` of the original, lower-cased and with its punctuation folded, each byte
    /// mapped to its own.
    fn push_ascii(&mut self, run: &str, start: usize) {
        let from = self.text.len();
        self.text.push_str(run);
        self.text[from..].make_ascii_lowercase();
        // The backtick is the only ASCII character `fold_punctuation` changes.
        if run.contains('`') {
            let folded = self.text[from..].replace('`', "'");
            self.text.truncate(from);
            self.text.push_str(&folded);
        }
        let (start, end) = (start as u32, (start + run.len()) as u32);
        self.starts.extend(start..end);
        self.ends.extend(start + 1..=end);
    }

    fn push_char(&mut self, c: char, start: usize, end: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.starts.push(start as u32);
            self.ends.push(end as u32);
        }
    }

    /// The normalized text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length of the normalized text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the normalized text is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Maps a byte range of the normalized text back to the byte range of the original
    /// text it came from. The result always lies on char boundaries of the original.
    /// An empty or out-of-range `range` is clamped; an empty range maps to an empty range.
    pub fn original_span(&self, range: Range<usize>) -> Range<usize> {
        let len = self.text.len();
        let start = range.start.min(len);
        let end = range.end.min(len).max(start);
        if start == end {
            let at = if start < len {
                self.starts[start]
            } else {
                self.ends.last().copied().unwrap_or(0)
            } as usize;
            return at..at;
        }
        self.starts[start] as usize..self.ends[end - 1] as usize
    }

    /// The tokens of the normalized text, in order.
    pub fn tokens(&self) -> Tokens<'_> {
        Tokens {
            text: &self.text,
            pos: 0,
        }
    }
}

/// Iterator over the [`Token`]s of a [`Normalized`] text.
#[derive(Clone, Debug)]
pub struct Tokens<'a> {
    text: &'a str,
    pos: usize,
}

impl Iterator for Tokens<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        next_token(self.text, &mut self.pos).map(|range| Token { range })
    }
}

/// Whether `c` belongs inside a word.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

/// The char starting at byte `at` of `text` (a char boundary), if any; ASCII is
/// read without decoding.
#[inline]
fn char_at(text: &str, at: usize) -> Option<char> {
    match text.as_bytes().get(at) {
        Some(&b) if b.is_ascii() => Some(b as char),
        Some(_) => text[at..].chars().next(),
        None => None,
    }
}

/// Finds the next token of `text` at or after `*pos`, advancing `*pos` past it.
pub(crate) fn next_token(text: &str, pos: &mut usize) -> Option<Range<usize>> {
    let bytes = text.as_bytes();
    let mut i = *pos;
    // Skip to a word char; ASCII is decided from the byte alone.
    let start = loop {
        match bytes.get(i) {
            None => {
                *pos = i;
                return None;
            }
            Some(b) if b.is_ascii_alphanumeric() => break i,
            Some(b) if b.is_ascii() => i += 1,
            Some(_) => {
                let c = char_at(text, i)?;
                if is_word_char(c) {
                    break i;
                }
                i += c.len_utf8();
            }
        }
    };
    let mut end = start;
    let mut j = start;
    while let Some(&b) = bytes.get(j) {
        if b.is_ascii_alphanumeric() {
            j += 1;
            end = j;
        } else if b == b'\'' {
            // Keep an apostrophe only between two word chars ("don't", "company's").
            match char_at(text, j + 1) {
                Some(n) if is_word_char(n) => j += 1,
                _ => break,
            }
        } else if b.is_ascii() {
            break;
        } else {
            let c = char_at(text, j)?;
            if !is_word_char(c) {
                break;
            }
            j += c.len_utf8();
            end = j;
        }
    }
    *pos = end;
    Some(start..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        Normalizer::default().normalize(s).as_str().to_string()
    }

    macro_rules! normalizes {
        ($($input:expr => $want:expr),* $(,)?) => {$(
            assert_eq!(norm($input), $want, "normalizing {:?}", $input);
        )*};
    }

    #[test]
    fn table() {
        normalizes! {
            "" => "",
            "   " => "",
            "Hello  World" => "hello world",
            "\tTabs\nand\r\nlines " => "tabs and lines",
            "DÉMO" => "demo",
            "de\u{301}mo" => "demo",
            "don\u{2019}t" => "don't",
            "\u{201C}quoted\u{201D}" => "\"quoted\"",
            "ｆｕｌｌ ｗｉｄｔｈ" => "full width",
            "\u{FB01}ne" => "fine",
            "zero\u{200B}width" => "zerowidth",
            "Straße" => "straße",
            "İstanbul" => "istanbul",
            "emoji 🎉 ok" => "emoji 🎉 ok",
            "a\u{0}b" => "a b",
            "\u{FEFF}bom" => "bom",
            "e\u{301}" => "e",
            "It`S A `Quote`" => "it's a 'quote'",
            "ABC\u{301}DEF" => "abcdef",
            "x\u{7f}y" => "x y",
            // Found by fuzzing: an invisible char between combining marks must not split
            // the cluster, or a second pass orders the marks differently.
            "c\u{7eb}\u{7eb}\u{1df7}\u{7eb}\u{206b}\u{7eb}\u{7eb}\u{7eb}\u{1df7}\u{7eb}\u{2044}2" => "c\u{2044}2",
        }
    }

    #[test]
    fn accents_kept_when_asked() {
        let n = Normalizer::new(NormalizeOptions::default().fold_accents(false));
        assert_eq!(n.normalize("DÉMO").as_str(), "démo");
        assert_eq!(n.normalize("de\u{301}mo").as_str(), "démo");
    }

    #[test]
    fn fuzz_regressions_are_idempotent() {
        // Inputs the fuzzer found (fuzz/fuzz_targets/normalize.rs), kept as regressions.
        let found = [
            "c\u{7eb}\u{7eb}\u{1df7}\u{7eb}\u{206b}\u{7eb}\u{7eb}\u{7eb}\u{1df7}\u{7eb}\u{2044}2",
        ];
        for fold in [true, false] {
            let n = Normalizer::new(NormalizeOptions::default().fold_accents(fold));
            for input in found {
                let once = n.normalize(input);
                assert_eq!(
                    n.normalize(once.as_str()).as_str(),
                    once.as_str(),
                    "{input:?}"
                );
            }
        }
    }

    #[test]
    fn spans_map_back() {
        let original = "Need  a ＤＥＭＯ now";
        let n = Normalizer::default().normalize(original);
        assert_eq!(n.as_str(), "need a demo now");
        let at = n.as_str().find("demo").unwrap();
        assert_eq!(&original[n.original_span(at..at + 4)], "ＤＥＭＯ");
        assert_eq!(n.original_span(0..0), 0..0);
        assert_eq!(n.original_span(100..200), original.len()..original.len());
    }

    #[test]
    fn tokens_keep_inner_apostrophes() {
        let n = Normalizer::default().normalize("I don't want 'quotes', ok? 50-100");
        let toks: Vec<&str> = n.tokens().map(|t| t.text(&n)).collect();
        assert_eq!(toks, ["i", "don't", "want", "quotes", "ok", "50", "100"]);
    }
}
