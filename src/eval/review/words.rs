//! The word and character features the review compares messages by.
//!
//! Deliberately simple and deterministic: lowercase words split at anything that is
//! not a letter or digit, a short English stop-word list, and a crude stem (the first
//! six characters) so "integrate" and "integration" meet. Character trigrams measure
//! how close a message is to a phrase, typos included.

use std::collections::BTreeSet;

/// Words too common to tell messages apart.
const STOP_WORDS: &[&str] = &[
    "a", "about", "am", "an", "and", "any", "are", "as", "at", "be", "but", "by", "can", "could",
    "do", "does", "don", "for", "from", "get", "have", "hello", "hey", "hi", "hmm", "how", "i",
    "if", "im", "in", "is", "it", "its", "just", "me", "my", "need", "no", "not", "of", "ok",
    "okay", "on", "or", "our", "please", "question", "quick", "so", "thank", "thanks", "that",
    "the", "there", "this", "to", "us", "want", "was", "we", "what", "when", "where", "which",
    "who", "why", "will", "with", "would", "yes", "you", "your",
];

/// Characters of a word kept as its stem.
const STEM_CHARS: usize = 6;

/// The lowercase words of a text, in order.
pub(crate) fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.chars().flat_map(char::to_lowercase).collect())
}

/// The key two messages share when they are the same message up to case, spacing and
/// punctuation.
pub(crate) fn dedup_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for w in words(text) {
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&w);
    }
    key
}

/// A content word: its stem and the word as written (lowercased).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Term {
    pub stem: String,
    pub word: String,
}

/// The distinct content words of a text, by stem (stop words, single characters and
/// bare numbers under three digits left out).
pub(crate) fn terms(text: &str) -> Vec<Term> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for word in words(text) {
        if word.chars().count() < 2
            || STOP_WORDS.binary_search(&word.as_str()).is_ok()
            || (word.len() < 3 && word.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        let stem: String = word.chars().take(STEM_CHARS).collect();
        if seen.insert(stem.clone()) {
            out.push(Term { stem, word });
        }
    }
    out
}

/// The character trigrams of a text's dedup key, with word boundaries marked, hashed
/// to `u32` and sorted (a set).
pub(crate) fn trigrams(text: &str) -> Vec<u32> {
    let padded: Vec<char> = format!(" {} ", dedup_key(text)).chars().collect();
    let mut grams: Vec<u32> = padded
        .windows(3)
        .map(|w| {
            // FNV-1a over the three chars: deterministic on every platform.
            w.iter().fold(0x811c_9dc5u32, |h, &c| {
                (h ^ c as u32).wrapping_mul(0x0100_0193)
            })
        })
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Cosine similarity of two trigram sets, in `[0, 1]`.
pub(crate) fn similarity(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f32 / ((a.len() * b.len()) as f32).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn terms_drop_stop_words_and_share_stems() {
        let t = terms("Do you INTEGRATE with Salesforce? integration, please!");
        let stems: Vec<&str> = t.iter().map(|t| t.stem.as_str()).collect();
        assert_eq!(stems, ["integr", "salesf"]);
        assert_eq!(t[0].word, "integrate");
    }

    #[test]
    fn dedup_key_ignores_case_spacing_and_punctuation() {
        assert_eq!(
            dedup_key("  Can I get a QUOTE?? "),
            dedup_key("can i get a quote")
        );
    }

    #[test]
    fn similarity_is_one_for_equal_and_zero_for_disjoint() {
        let a = trigrams("price list");
        assert!((similarity(&a, &a) - 1.0).abs() < 1e-6);
        assert_eq!(similarity(&a, &trigrams("xyz")), 0.0);
        assert_eq!(similarity(&a, &[]), 0.0);
        let typo = similarity(&a, &trigrams("prise list"));
        assert!(typo > 0.3 && typo < 1.0, "{typo}");
    }
}
