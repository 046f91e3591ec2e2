//! Property tests for `KeywordMatcher` against naive oracles.

use std::ops::Range;

use handoff::{KeywordHit, KeywordMatcher, MatchKind, Normalizer};
use proptest::prelude::*;
use unicode_normalization::char::is_combining_mark;

/// Same definition as the crate's word chars, restated so the oracle stands alone.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

fn norm(s: &str) -> String {
    Normalizer::default().normalize(s).as_str().to_string()
}

/// Exact hits by brute force: every keyword at every position of the normalized text,
/// kept if its word-char edges sit on word boundaries; overlaps resolved by taking the
/// leftmost, then the longest. Returns (original span, keyword, intent) in order.
fn oracle(entries: &[(String, String)], text: &str) -> Vec<(Range<usize>, String, String)> {
    // Distinct normalized keywords, each with its (intent, configured keyword) targets.
    let mut keywords: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for (intent, kw) in entries {
        let k = norm(kw);
        let pos = match keywords.iter().position(|(n, _)| *n == k) {
            Some(p) => p,
            None => {
                keywords.push((k, Vec::new()));
                keywords.len() - 1
            }
        };
        let targets = &mut keywords[pos].1;
        if !targets.iter().any(|(i, _)| i == intent) {
            targets.push((intent.clone(), kw.clone()));
        }
    }
    let n = Normalizer::default().normalize(text);
    let hay = n.as_str();
    let mut out = Vec::new();
    let mut last_end = 0;
    // Only a keyword's first MAX_KEYWORD_OCCURRENCES occurrences are reported.
    let mut occurrences = vec![0usize; keywords.len()];
    for (i, _) in hay.char_indices() {
        if i < last_end {
            continue;
        }
        let mut best: Option<usize> = None;
        for (k, (kw, _)) in keywords.iter().enumerate() {
            if !hay[i..].starts_with(kw.as_str()) {
                continue;
            }
            let end = i + kw.len();
            let left_ok = !kw.starts_with(is_word) || !hay[..i].ends_with(is_word);
            let right_ok = !kw.ends_with(is_word) || !hay[end..].starts_with(is_word);
            if left_ok && right_ok && best.map_or(true, |b| keywords[b].0.len() < kw.len()) {
                best = Some(k);
            }
        }
        if let Some(b) = best {
            let end = i + keywords[b].0.len();
            occurrences[b] += 1;
            let reported = occurrences[b] <= handoff::MAX_KEYWORD_OCCURRENCES;
            for (intent, kw) in keywords[b].1.iter().filter(|_| reported) {
                out.push((n.original_span(i..end), kw.clone(), intent.clone()));
            }
            last_end = end;
        }
    }
    out
}

/// Optimal string alignment distance, the textbook full table.
fn osa(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

/// The edits `message_word` may be off keyword word `word` by: none for words of up to
/// three chars, one up to eight, two beyond; a four-char word takes none from a message
/// word on the built-in English list.
fn budget(word: &str, message_word: &str) -> usize {
    match word.chars().count() {
        0..=3 => 0,
        4 if is_english(message_word) => 0,
        4..=8 => 1,
        _ => 2,
    }
}

fn is_english(word: &str) -> bool {
    static WORDS: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    WORDS
        .get_or_init(|| {
            include_str!("../lexicon/english-words.txt")
                .lines()
                .collect()
        })
        .contains(word)
}

fn exact_hits(hits: &[KeywordHit]) -> Vec<(Range<usize>, String, String)> {
    hits.iter()
        .filter(|h| h.kind == MatchKind::Exact)
        .map(|h| (h.span.clone(), h.keyword.to_string(), h.intent.to_string()))
        .collect()
}

fn build(entries: &[(String, String)]) -> Option<KeywordMatcher> {
    KeywordMatcher::new(entries.iter().map(|(i, k)| (i.as_str(), k.as_str()))).ok()
}

/// Checks that hold for any input: spans on char boundaries, in order, and exact hits
/// covering text that normalizes to (something containing) the keyword.
fn check_invariants(text: &str, hits: &[KeywordHit]) -> Result<(), TestCaseError> {
    let mut last_start = 0;
    for h in hits {
        prop_assert!(h.span.start <= h.span.end && h.span.end <= text.len());
        prop_assert!(text.is_char_boundary(h.span.start) && text.is_char_boundary(h.span.end));
        prop_assert!(h.span.start >= last_start, "hits out of order: {hits:?}");
        last_start = h.span.start;
        if h.kind == MatchKind::Exact {
            let seen = norm(&text[h.span.clone()]);
            prop_assert!(
                seen.contains(&norm(&h.keyword)),
                "{:?} covers {:?}",
                h.keyword,
                seen
            );
        }
    }
    Ok(())
}

fn entries(keyword: impl Strategy<Value = String>) -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((prop::sample::select(vec!["x", "y"]), keyword), 1..7).prop_map(|v| {
        v.into_iter()
            .map(|(i, k)| (i.to_string(), k))
            .filter(|(_, k)| !norm(k).is_empty())
            .collect()
    })
}

fn text_from(pieces: Vec<String>, extra: &'static str) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![prop::sample::select(pieces), extra.prop_map(|s| s)],
        0..14,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Tiny alphabet, so keywords overlap, nest and touch all the time.
    #[test]
    fn agrees_with_oracle_on_tiny_alphabet(
        (entries, text) in entries("[ab+][ab +]{0,4}").prop_flat_map(|e| {
            let pieces: Vec<String> = e.iter().map(|(_, k)| k.clone()).collect();
            let pieces = if pieces.is_empty() { vec!["a".to_string()] } else { pieces };
            (Just(e), text_from(pieces, "[ab +,.AB]{1,3}"))
        })
    ) {
        let m = build(&entries).expect("keywords are non-empty");
        let hits = m.find(&text);
        check_invariants(&text, &hits)?;
        prop_assert_eq!(exact_hits(&hits), oracle(&entries, &text));
    }

    /// Chat-like words, accents, case and punctuation.
    #[test]
    fn agrees_with_oracle_on_words(
        (entries, text) in entries(prop::sample::select(vec![
            "demo", "Démo", "sales", "sales call", "call", "c++", ".net", "quote",
            "wholesales", "no demo", "pricing", "price",
        ]).prop_map(str::to_string)).prop_flat_map(|e| {
            let pieces: Vec<String> = e.iter().map(|(_, k)| k.clone()).collect();
            (Just(e), text_from(pieces, "( |, |-|DÉMO|demolition|SALES|caller|\u{2019}s|asp|ｄｅｍｏ|é|\u{301}|ﬁ)"))
        })
    ) {
        let m = build(&entries).expect("keywords are non-empty");
        let hits = m.find(&text);
        check_invariants(&text, &hits)?;
        prop_assert_eq!(exact_hits(&hits), oracle(&entries, &text));
    }

    /// Fuzzy hits are sound (each word within its budget, distance the sum, never 0)
    /// and single-word fuzzy matching is complete: no uncovered word of the message is
    /// within budget of a single-word keyword.
    #[test]
    fn fuzzy_is_sound_and_complete(
        keywords in prop::collection::vec("[abc]{3,10}( [abc]{3,10})?", 1..8),
        words in prop::collection::vec("[abc]{2,11}", 0..10),
    ) {
        let entries: Vec<(String, String)> =
            keywords.iter().map(|k| ("x".to_string(), k.clone())).collect();
        let m = build(&entries).expect("keywords are non-empty");
        // Lower-case ASCII with single spaces: normalized text == original text.
        let text = words.join(" ");
        let hits = m.find(&text);
        check_invariants(&text, &hits)?;
        for h in &hits {
            if let MatchKind::Fuzzy { distance } = h.kind {
                let got: Vec<&str> = text[h.span.clone()].split(' ').collect();
                let want: Vec<&str> = h.keyword.split(' ').collect();
                prop_assert_eq!(got.len(), want.len());
                let mut total = 0;
                for (g, w) in got.iter().zip(&want) {
                    let d = osa(g, w);
                    prop_assert!(d <= budget(w, g), "{g:?} vs {w:?}: {d}");
                    total += d;
                }
                prop_assert!(total >= 1);
                prop_assert_eq!(total, usize::from(distance));
            }
        }
        let mut at = 0;
        for word in &words {
            let span = at..at + word.len();
            at = span.end + 1;
            if hits.iter().any(|h| h.span.start < span.end && span.start < h.span.end) {
                continue;
            }
            for k in keywords.iter().filter(|k| !k.contains(' ')) {
                let d = osa(word, k);
                prop_assert!(
                    d > budget(k, word),
                    "{word:?} is {d} from {k:?} but not matched in {text:?}: {hits:?}"
                );
            }
        }
    }

    /// Nothing panics, whatever the keywords and the message.
    #[test]
    fn never_panics(
        keywords in prop::collection::vec(any::<String>(), 0..6),
        text in prop::collection::vec(prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                '🎉', '\u{301}', '\u{308}', 'א', 'ب', '\u{200F}', '\u{202E}', '\u{200B}',
                '\u{0}', '\u{7}', '\t', '\n', ' ', '\'', '\u{2019}', 'ﬁ', 'İ', 'ß', 'ｄ',
                'e', 'd', 'm', 'o', ',',
            ]),
        ], 0..60).prop_map(|v| v.into_iter().collect::<String>()),
    ) {
        let entries: Vec<(String, String)> = keywords
            .iter()
            .map(|k| ("x".to_string(), k.clone()))
            .chain([("y".to_string(), "demo".to_string())])
            .collect();
        match build(&entries) {
            Some(m) => {
                let hits = m.find(&text);
                check_invariants(&text, &hits)?;
            }
            None => prop_assert!(keywords.iter().any(|k| norm(k).is_empty())),
        }
    }
}
