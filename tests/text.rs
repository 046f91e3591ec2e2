//! Properties of text normalization: idempotence (with and without accent folding) and
//! spans that always map normalized text back onto char boundaries of what the user typed.

use std::ops::Range;

use handoff::{NormalizeOptions, Normalized, Normalizer};
use proptest::prelude::*;

fn normalizers() -> [Normalizer; 2] {
    [
        Normalizer::default(),
        Normalizer::new(NormalizeOptions::default().fold_accents(false)),
    ]
}

/// Pieces of text that stress normalization: emoji (with skin tones and joiners),
/// combining marks, right-to-left scripts and marks, control characters, full-width
/// forms, ligatures, compatibility characters that expand, odd spaces, typographic
/// quotes, invisible characters, letters whose case mapping changes length.
const PIECES: &[&str] = &[
    "a",
    "Z",
    "démo",
    "de\u{301}mo",
    "e\u{301}\u{302}\u{303}",
    "\u{301}",
    "\u{308}\u{308}",
    "ÅÄÖ",
    "İstanbul",
    "Straße",
    "ẞ",
    "ΣΊΣΥΦΟΣ",
    "🎉",
    "👍🏽",
    "👩\u{200D}💻",
    "🇫🇷",
    "\u{FE0F}",
    "مرحبا",
    "שָׁלוֹם",
    "\u{200F}\u{202E}",
    "\u{0}",
    "\u{7}",
    "\u{1B}[0m",
    "\u{85}",
    "\t",
    "\r\n",
    " ",
    "\u{A0}",
    "\u{2003}",
    "\u{3000}",
    "\u{2028}",
    "ＤＥＭＯ",
    "ｑｕｏｔｅ",
    "\u{FB01}",
    "\u{FB00}",
    "\u{FB03}",
    "\u{2460}",
    "\u{FF71}\u{FF9E}",
    "\u{3371}",
    "\u{33A1}",
    "\u{BC}",
    "\u{A8}",
    "\u{B4}",
    "\u{2019}",
    "\u{201C}",
    "'",
    "don't",
    "\u{AD}",
    "\u{200B}",
    "\u{FEFF}",
    "\u{1100}\u{1161}\u{11A8}",
    "한국어",
    "日本語",
    "ǅ",
    "\u{1E9E}",
    "\u{130}",
    "\u{345}",
    "\u{10FFFF}",
    "\u{E000}",
    ".",
    "?",
    "-",
    "42",
    "7",
    "b",
    "'s",
];

/// Arbitrary text: any string, or a mix of the stress pieces and arbitrary chars.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(PIECES).prop_map(str::to_string),
                1 => any::<char>().prop_map(String::from),
            ],
            0..24,
        )
        .prop_map(|pieces| pieces.concat()),
    ]
}

/// Snaps a byte offset down to a char boundary of `s`.
fn floor_boundary(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A range of `n`'s normalized text on char boundaries, chosen from two fractions.
fn range_of(n: &Normalized, a: f64, b: f64) -> Range<usize> {
    let len = n.len();
    let x = floor_boundary(n.as_str(), (a * len as f64) as usize);
    let y = floor_boundary(n.as_str(), (b * len as f64) as usize);
    x.min(y)..x.max(y)
}

fn assert_slices(original: &str, span: &Range<usize>) -> Result<(), TestCaseError> {
    prop_assert!(span.start <= span.end, "{span:?} is reversed");
    prop_assert!(
        span.end <= original.len(),
        "{span:?} beyond {}",
        original.len()
    );
    prop_assert!(
        original.is_char_boundary(span.start) && original.is_char_boundary(span.end),
        "{span:?} is not on char boundaries of {original:?}"
    );
    Ok(())
}

/// Whether the normalized byte range `range` covers only non-space bytes. Spaces stand
/// for a whole run of separators and are checked separately.
fn has_no_space(n: &Normalized, range: &Range<usize>) -> bool {
    !n.as_str()[range.clone()].contains(' ')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn normalization_is_idempotent(text in text()) {
        for normalizer in normalizers() {
            let once = normalizer.normalize(&text);
            let twice = normalizer.normalize(once.as_str());
            prop_assert_eq!(
                twice.as_str(),
                once.as_str(),
                "options {:?}, input {:?}",
                normalizer.options(),
                text
            );
        }
    }

    /// The stated shape of normalized text: no leading, trailing or double spaces, no
    /// other whitespace or control characters, no upper-case ASCII; with accent folding,
    /// no combining marks.
    #[test]
    fn normalized_text_has_the_documented_shape(text in text()) {
        for normalizer in normalizers() {
            let n = normalizer.normalize(&text);
            let s = n.as_str();
            prop_assert!(!s.starts_with(' ') && !s.ends_with(' ') && !s.contains("  "), "{s:?}");
            prop_assert!(
                s.chars().all(|c| c == ' ' || !(c.is_whitespace() || c.is_control())),
                "{s:?}"
            );
            prop_assert!(!s.bytes().any(|b| b.is_ascii_uppercase()), "{s:?}");
            prop_assert!(!s.contains(['\u{2019}', '\u{200B}', '\u{FEFF}']), "{s:?}");
            if normalizer.options().folds_accents() {
                prop_assert!(
                    !s.chars().any(unicode_normalization::char::is_combining_mark),
                    "{s:?}"
                );
            }
            // normalize_into into a used buffer gives the same result.
            let mut reused = normalizer.normalize("SOMETHING ELSE entirely, longer than most");
            normalizer.normalize_into(&text, &mut reused);
            prop_assert_eq!(&reused, &n);
        }
    }

    /// Ranges of normalized text that do not cover a space map to spans on char
    /// boundaries of the original, within bounds and in order, and a sub-range maps inside
    /// the span of the range around it.
    #[test]
    fn spans_slice_the_original(text in text(), a in 0.0..=1.0f64, b in 0.0..=1.0f64, c in 0.0..=1.0f64, d in 0.0..=1.0f64) {
        for normalizer in normalizers() {
            let n = normalizer.normalize(&text);
            let outer = range_of(&n, a, b);
            let span = n.original_span(outer.clone());
            if has_no_space(&n, &outer) {
                assert_slices(&text, &span)?;
            }
            prop_assert!(span.start <= span.end && span.end <= text.len());
            if outer.is_empty() {
                prop_assert!(span.is_empty());
                continue;
            }
            // A non-empty sub-range of `outer`.
            let len = outer.len() as f64;
            let x = floor_boundary(n.as_str(), outer.start + (c * len) as usize);
            let y = floor_boundary(n.as_str(), outer.start + (d * len) as usize);
            let inner = x.min(y)..x.max(y);
            if !inner.is_empty() {
                let inner_span = n.original_span(inner.clone());
                prop_assert!(
                    span.start <= inner_span.start && inner_span.end <= span.end,
                    "{inner:?} -> {inner_span:?} is not inside {outer:?} -> {span:?}"
                );
            }
        }
    }

    /// Every range of normalized text, spaces included, maps onto char boundaries.
    #[test]
    fn spans_over_spaces_slice_the_original(text in text(), a in 0.0..=1.0f64, b in 0.0..=1.0f64) {
        for normalizer in normalizers() {
            let n = normalizer.normalize(&text);
            let range = range_of(&n, a, b);
            assert_slices(&text, &n.original_span(range))?;
        }
    }

    /// Each token maps back to text that normalizes to something containing the token.
    #[test]
    fn token_spans_normalize_back_to_the_token(text in text()) {
        for normalizer in normalizers() {
            let n = normalizer.normalize(&text);
            for token in n.tokens() {
                let span = n.original_span(token.range.clone());
                assert_slices(&text, &span)?;
                prop_assert!(!span.is_empty());
                let back = normalizer.normalize(&text[span.clone()]);
                prop_assert!(
                    back.as_str().contains(token.text(&n)),
                    "token {:?} of {:?} maps to {:?} which normalizes to {:?}",
                    token.text(&n),
                    text,
                    &text[span],
                    back.as_str()
                );
            }
        }
    }

    /// ASCII text normalizes like a byte-by-byte oracle: lower-cased, backticks folded
    /// to apostrophes, each run of whitespace and control bytes one space (mapped to
    /// the run's first byte), none at the ends; every other byte maps to itself.
    #[test]
    fn ascii_normalizes_like_a_naive_oracle(
        bytes in prop::collection::vec(prop_oneof![0u8..128, Just(b' '), Just(b'`')], 0..64),
    ) {
        check_ascii_oracle(&String::from_utf8(bytes).expect("ASCII"))?;
    }

    /// The same for visible ASCII and spaces, mostly the plain text that takes the
    /// normalizer's one-step path.
    #[test]
    fn visible_ascii_normalizes_like_a_naive_oracle(text in "[ a-zA-Z0-9`?!.,']{0,64}") {
        check_ascii_oracle(&text)?;
    }

    /// Tokens are the maximal runs of word characters (apostrophes kept between two word
    /// characters), in order, not overlapping, compared with a naive scan.
    #[test]
    fn tokens_match_a_naive_scan(text in text()) {
        let n = Normalizer::default().normalize(&text);
        let got: Vec<&str> = n.tokens().map(|t| t.text(&n)).collect();
        prop_assert_eq!(got, naive_tokens(n.as_str()));
    }
}

/// Checks every normalizer on ASCII `text` against a naive oracle: visible chars kept
/// (lower-cased, backquote as apostrophe), each run of anything else between them one
/// space, each normalized byte spanning its original byte.
fn check_ascii_oracle(text: &str) -> Result<(), TestCaseError> {
    let mut want = String::new();
    let mut want_spans = Vec::new();
    let mut space: Option<usize> = None;
    for (i, b) in text.bytes().enumerate() {
        if !b.is_ascii_graphic() {
            if !want.is_empty() && space.is_none() {
                space = Some(i);
            }
            continue;
        }
        if let Some(at) = space.take() {
            want.push(' ');
            want_spans.push(at..at + 1);
        }
        want.push(if b == b'`' {
            '\''
        } else {
            b.to_ascii_lowercase() as char
        });
        want_spans.push(i..i + 1);
    }
    for normalizer in normalizers() {
        let n = normalizer.normalize(text);
        prop_assert_eq!(n.as_str(), want.as_str());
        let spans: Vec<_> = (0..n.len()).map(|k| n.original_span(k..k + 1)).collect();
        prop_assert_eq!(&spans, &want_spans);
    }
    Ok(())
}

/// Tokens by brute force: split into runs of word chars and apostrophes, then split
/// each run at apostrophes that are not between two word chars.
fn naive_tokens(s: &str) -> Vec<&str> {
    let is_word = |c: char| {
        c.is_alphanumeric() || (!c.is_ascii() && unicode_normalization::char::is_combining_mark(c))
    };
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        let inner_apostrophe = c == '\''
            && start.is_some()
            && k + 1 < chars.len()
            && is_word(chars[k + 1].1)
            && k > 0
            && is_word(chars[k - 1].1);
        if is_word(c) || inner_apostrophe {
            start.get_or_insert(i);
        } else if let Some(st) = start.take() {
            out.push(&s[st..i]);
        }
    }
    if let Some(st) = start {
        out.push(&s[st..]);
    }
    out
}

macro_rules! normalizes {
    ($($name:ident: $input:expr => fold $folded:expr, keep $kept:expr;)*) => {$(
        #[test]
        fn $name() {
            let [fold, keep] = normalizers();
            assert_eq!(fold.normalize($input).as_str(), $folded, "folding accents");
            assert_eq!(keep.normalize($input).as_str(), $kept, "keeping accents");
        }
    )*};
}

normalizes! {
    empty: "" => fold "", keep "";
    only_separators: " \t\u{0}\u{3000}\u{A0}\r\n" => fold "", keep "";
    accents: "DÉMO Ça" => fold "demo ca", keep "démo ça";
    full_width: "ＤＥＭＯ　ｐｌｅａｓｅ" => fold "demo please", keep "demo please";
    ligatures: "\u{FB01}le o\u{FB03}ce" => fold "file office", keep "file office";
    circled_digit: "plan \u{2460}" => fold "plan 1", keep "plan 1";
    typographic_quotes: "I don\u{2019}t \u{201C}know\u{201D}" => fold "i don't \"know\"", keep "i don't \"know\"";
    invisible: "de\u{200B}mo\u{FEFF} \u{AD}x" => fold "demo x", keep "demo x";
    rtl_marks: "\u{200F}مرحبا\u{200E} ok" => fold "مرحبا ok", keep "مرحبا ok";
    emoji_kept: "hi 👍🏽 there" => fold "hi 👍🏽 there", keep "hi 👍🏽 there";
    controls_separate: "a\u{7}b\u{1B}c" => fold "a b c", keep "a b c";
}

/// With accents kept, a decomposed "é" (e + U+0301) and a precomposed "é" should be the
/// same word, as NFKC (step 1 of normalization) makes them.
#[test]
fn decomposed_and_precomposed_are_equal_when_keeping_accents() {
    let keep = Normalizer::new(NormalizeOptions::default().fold_accents(false));
    assert_eq!(
        keep.normalize("de\u{301}mo").as_str(),
        keep.normalize("d\u{e9}mo").as_str()
    );
}

#[test]
fn spans_of_words_show_what_the_user_typed() {
    let original = "  Need a ＤＥＭＯ\u{2019}s \u{FB01}le, DÉMO! ";
    let n = Normalizer::default().normalize(original);
    assert_eq!(n.as_str(), "need a demo's file, demo!");
    let words: Vec<&str> = n
        .tokens()
        .map(|t| &original[n.original_span(t.range)])
        .collect();
    assert_eq!(
        words,
        ["Need", "a", "ＤＥＭＯ\u{2019}s", "\u{FB01}le", "DÉMO"]
    );
    // Out-of-range and empty ranges are clamped to empty spans: past the end, at the end
    // of the last character that made it into the normalized text.
    let end = original.trim_end().len();
    assert_eq!(n.original_span(1000..2000), end..end);
    assert!(n.original_span(3..3).is_empty());
}

/// The case the ignored property found, spelled out.
#[test]
fn span_of_space_for_ideographic_space() {
    let original = "a\u{3000}b";
    let n = Normalizer::default().normalize(original);
    assert_eq!(n.as_str(), "a b");
    assert_eq!(n.original_span(1..2), 1..4);
}
