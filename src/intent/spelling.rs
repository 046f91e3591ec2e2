//! Typo-aware vocabulary: the words of the training texts, so that a word of a message
//! the model has never seen but that is one edit (a deleted, inserted or substituted
//! char, or two adjacent chars swapped) away from a word it knows is read as that word.
//!
//! The lookup is SymSpell-style: every known word is indexed under itself and each of
//! its one-char deletions, so the candidates for a message word are found by looking up
//! the word and its own one-char deletions (a deletion on either side covers all four
//! edits), then checked with the exact distance. Among several candidates the most
//! frequent word in the training texts wins, ties to the first in sorted order.
//!
//! Only words of letters are corrected: a word with a digit is a number, a code or a
//! name, whose near neighbours mean something else. Known words must have at least
//! [`MIN_WORD_CHARS`] chars: in shorter ones a single edit makes another real word
//! too often ("cat" / "car" / "card").
//!
//! Complexity: building is O(V × m) for V distinct words of at most m chars (m + 1
//! variants each); a lookup is O(m) hash probes plus an O(m) distance check per
//! candidate (a handful). Memory: the words, their counts and about m + 1 variant
//! entries per word.

use std::collections::BTreeMap;

use crate::english::WordList;
use crate::text::{next_token, Normalized, Normalizer};

use super::morphology::stem_hash;
use crate::word_hash::{hash_chars, hash_chars_skipping, hash_word, HashedMap, HashedSet};

/// Known words shorter than this are never a correction.
pub(crate) const MIN_WORD_CHARS: usize = 4;
/// Words longer than this are neither indexed nor corrected.
const MAX_WORD_CHARS: usize = 32;

/// Which readings of unseen words a model makes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct SpellingOptions {
    /// Read a word one edit away from a known word as that word.
    pub(crate) typos: bool,
    /// Read another inflected form of a known word as that word.
    pub(crate) forms: bool,
    /// Never read a common English word as a typo (see [`WordList::english`]).
    pub(crate) english: bool,
}

/// How an unseen word was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReadAs {
    /// As the known word it is one edit away from.
    Typo(u32),
    /// As the known word it is another form of.
    Form(u32),
}

impl ReadAs {
    /// The known word's id.
    pub(crate) fn word(self) -> u32 {
        match self {
            ReadAs::Typo(id) | ReadAs::Form(id) => id,
        }
    }
}

/// The words a model was trained on, with their frequencies, indexed for correction.
///
/// The options, words and counts are the whole state: the indexes are derived from
/// them ([`Spelling::from_counts`]), so a saved model needs to keep only those.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spelling {
    options: SpellingOptions,
    /// Distinct words of the training texts, sorted.
    words: Vec<Box<str>>,
    /// How often each word occurs in the training texts.
    counts: Vec<u32>,
    /// The hash of every word.
    known: HashedSet,
    /// Hash of a word that can be corrected to, or of one of its one-char deletions ->
    /// range of `candidates`.
    variants: HashedMap<(u32, u32)>,
    /// Word ids, grouped by variant.
    candidates: Vec<u32>,
    /// Hash of a stem -> the most frequent word that can be read as, with that stem.
    stems: HashedMap<u32>,
}

impl Spelling {
    /// Counts the words of the normalized `texts` and indexes them.
    pub(crate) fn from_texts<'a>(
        options: SpellingOptions,
        normalizer: &Normalizer,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Spelling {
        if !(options.typos || options.forms) {
            return Spelling::default();
        }
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        let mut normalized = Normalized::default();
        for text in texts {
            normalizer.normalize_into(text, &mut normalized);
            let text = normalized.as_str();
            let mut pos = 0;
            while let Some(range) = next_token(text, &mut pos) {
                let word = &text[range];
                if word.chars().count() <= MAX_WORD_CHARS {
                    match counts.get_mut(word) {
                        Some(count) => *count = count.saturating_add(1),
                        None => {
                            counts.insert(word.to_string(), 1);
                        }
                    }
                }
            }
        }
        Spelling::from_counts(options, counts)
    }

    /// Indexes words with their counts.
    pub(crate) fn from_counts(
        options: SpellingOptions,
        counts: impl IntoIterator<Item = (String, u32)>,
    ) -> Spelling {
        let sorted: BTreeMap<String, u32> = counts.into_iter().collect();
        let mut spelling = Spelling {
            options,
            ..Spelling::default()
        };
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        let mut chars = Vec::new();
        for (id, (word, count)) in sorted.into_iter().enumerate() {
            spelling.known.insert(hash_word(&word));
            if indexable(&word) {
                chars.clear();
                chars.extend(word.chars());
                if options.typos {
                    for_each_variant(&chars, |h| pairs.push((h, id as u32)));
                }
                if options.forms {
                    // The most frequent word of a stem stands for it; ties to the first.
                    let stem = stem_hash(&word);
                    let counts = &spelling.counts;
                    match spelling.stems.get(&stem) {
                        Some(&other) if counts[other as usize] >= count => {}
                        _ => {
                            spelling.stems.insert(stem, id as u32);
                        }
                    }
                }
            }
            spelling.words.push(word.into_boxed_str());
            spelling.counts.push(count);
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut i = 0;
        while i < pairs.len() {
            let hash = pairs[i].0;
            let start = spelling.candidates.len() as u32;
            while i < pairs.len() && pairs[i].0 == hash {
                spelling.candidates.push(pairs[i].1);
                i += 1;
            }
            let end = spelling.candidates.len() as u32;
            spelling.variants.insert(hash, (start, end));
        }
        spelling
    }

    /// Whether there is no word to read another as.
    pub(crate) fn is_empty(&self) -> bool {
        self.variants.is_empty() && self.stems.is_empty()
    }

    /// Whether `word` is a word of the training texts.
    pub(crate) fn knows(&self, word: &str) -> bool {
        self.known.contains(&hash_word(word))
    }

    /// The options it was built with.
    #[allow(dead_code)]
    pub(crate) fn options(&self) -> SpellingOptions {
        self.options
    }

    /// How an unseen `word` of a message reads: as another form of a known word, or,
    /// unless it is a common English word (with that option), as the known word it is
    /// one typo away from. `None` when it reads as itself.
    pub(crate) fn read(&self, word: &str) -> Option<ReadAs> {
        if self.is_empty() || !word.chars().all(char::is_alphabetic) {
            return None;
        }
        if self.options.forms && word.len() >= MIN_WORD_CHARS {
            if let Some(&id) = self.stems.get(&stem_hash(word)) {
                if *self.words[id as usize] != *word {
                    return Some(ReadAs::Form(id));
                }
            }
        }
        if !self.options.typos || (self.options.english && WordList::english().contains(word)) {
            return None;
        }
        self.correct(word).map(ReadAs::Typo)
    }

    /// The known words with their counts, in sorted order: the state to save.
    pub(crate) fn counts(&self) -> impl Iterator<Item = (&str, u32)> + '_ {
        self.words
            .iter()
            .map(|w| &**w)
            .zip(self.counts.iter().copied())
    }

    /// The word with this id.
    pub(crate) fn word(&self, id: u32) -> &str {
        &self.words[id as usize]
    }

    /// The id of the known word `word` is one edit away from, the most frequent if
    /// several are; `None` if there is none or `word` is not a word of letters (or is
    /// a known word itself).
    pub(crate) fn correct(&self, word: &str) -> Option<u32> {
        if self.variants.is_empty() {
            return None;
        }
        let mut buf = ['\0'; MAX_WORD_CHARS + 1];
        let mut len = 0;
        for c in word.chars() {
            if !c.is_alphabetic() {
                return None;
            }
            *buf.get_mut(len)? = c;
            len += 1;
        }
        // A typo of a word of MIN_WORD_CHARS may have lost a char.
        if len + 1 < MIN_WORD_CHARS {
            return None;
        }
        let chars = &buf[..len];
        let mut best: Option<u32> = None;
        let mut is_known = false;
        let mut target = ['\0'; MAX_WORD_CHARS + 1];
        for_each_variant(chars, |h| {
            let Some(&(start, end)) = self.variants.get(&h) else {
                return;
            };
            for &id in &self.candidates[start as usize..end as usize] {
                let known = &self.words[id as usize];
                let mut n = 0;
                for c in known.chars() {
                    target[n] = c;
                    n += 1;
                }
                if target[..n] == *chars {
                    is_known = true;
                }
                if !one_edit_apart(chars, &target[..n]) {
                    continue;
                }
                let better = match best {
                    None => true,
                    Some(b) => {
                        let (count, best_count) =
                            (self.counts[id as usize], self.counts[b as usize]);
                        count > best_count || (count == best_count && id < b)
                    }
                };
                if better {
                    best = Some(id);
                }
            }
        });
        if is_known {
            None
        } else {
            best
        }
    }

    /// Approximate heap memory, in bytes.
    pub(crate) fn bytes(&self) -> usize {
        self.words.iter().map(|w| w.len() + 16).sum::<usize>()
            + self.counts.capacity() * 4
            + self.variants.capacity() * 24
            + self.known.capacity() * 8
            + self.candidates.capacity() * 4
            + self.stems.capacity() * 12
    }
}

/// Whether `word` can be corrected to: letters only, of a length that is indexed.
fn indexable(word: &str) -> bool {
    let len = word.chars().count();
    (MIN_WORD_CHARS..=MAX_WORD_CHARS).contains(&len) && word.chars().all(char::is_alphabetic)
}

/// Calls `f` with the hash of `chars` and of each string made by deleting one char.
fn for_each_variant(chars: &[char], mut f: impl FnMut(u64)) {
    f(hash_chars(chars));
    for i in 0..chars.len() {
        f(hash_chars_skipping(chars, i));
    }
}

/// Whether `a` and `b` are exactly one edit apart: one char deleted, inserted or
/// substituted, or two adjacent chars swapped. O(len).
pub(crate) fn one_edit_apart(a: &[char], b: &[char]) -> bool {
    // Skip the common prefix and suffix; what is left decides.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    match (a.len(), b.len()) {
        (0, 1) | (1, 0) | (1, 1) => true,
        (2, 2) => a[0] == b[1] && a[1] == b[0],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Optimal string alignment distance by the full table: the naive oracle.
    fn osa(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[a.len()][b.len()]
    }

    /// The correction by scanning every known word: the naive oracle.
    fn correct_by_scanning(words: &BTreeMap<String, u32>, word: &str) -> Option<String> {
        let chars: Vec<char> = word.chars().collect();
        if !chars.iter().all(|c| c.is_alphabetic())
            || chars.len() > MAX_WORD_CHARS
            || words.get(word).is_some_and(|_| indexable(word))
        {
            return None;
        }
        words
            .iter()
            .filter(|(w, _)| indexable(w))
            .filter(|(w, _)| osa(&chars, &w.chars().collect::<Vec<_>>()) == 1)
            // Highest count, then first in sorted order.
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(w, _)| w.clone())
    }

    const TYPOS: SpellingOptions = SpellingOptions {
        typos: true,
        forms: false,
        english: false,
    };

    fn spelling(words: &[(&str, u32)]) -> Spelling {
        Spelling::from_counts(TYPOS, words.iter().map(|&(w, c)| (w.to_string(), c)))
    }

    #[test]
    fn reads_one_edit_as_the_known_word() {
        let known = spelling(&[
            ("quote", 5),
            ("price", 9),
            ("prize", 2),
            ("demo", 3),
            ("cat", 9),
        ]);
        let cases = [
            ("qoute", Some("quote")),  // transposed
            ("quot", Some("quote")),   // deleted
            ("quotes", Some("quote")), // inserted
            ("quite", Some("quote")),  // substituted
            ("prise", Some("price")),  // price (9) and prize (2) are both one edit away
            ("dmo", Some("demo")),     // three chars left of a four-char word
            ("quoet", Some("quote")),
            ("qutoe", Some("quote")),
            ("quote", None), // itself: not a correction
            ("qxyte", None), // two edits
            ("cart", None),  // "cat" is too short to correct to
            ("d3mo", None),  // not a word of letters
            ("", None),
            ("de", None),
        ];
        for (word, want) in cases {
            assert_eq!(known.correct(word).map(|id| known.word(id)), want, "{word}");
        }
        assert_eq!(Spelling::default().correct("quote"), None);
    }

    #[test]
    fn counts_words_of_normalized_texts() {
        let normalizer = Normalizer::default();
        let known =
            Spelling::from_texts(TYPOS, &normalizer, ["Book a DEMO", "demo day", "42 demos?"]);
        let counts: Vec<(&str, u32)> = known.counts().collect();
        assert_eq!(
            counts,
            [
                ("42", 1),
                ("a", 1),
                ("book", 1),
                ("day", 1),
                ("demo", 2),
                ("demos", 1)
            ]
        );
        assert!(known.knows("a") && known.knows("42") && !known.knows("dem"));
        let back = Spelling::from_counts(TYPOS, counts.iter().map(|&(w, c)| (w.to_string(), c)));
        assert_eq!(back.counts().collect::<Vec<_>>(), counts);
    }

    #[test]
    fn reads_forms_first_and_never_a_common_word_as_a_typo() {
        let counts = [("quote", 5), ("home", 4), ("evaluate", 2), ("vendor", 1)];
        let all = SpellingOptions {
            typos: true,
            forms: true,
            english: true,
        };
        let known = Spelling::from_counts(all, counts.map(|(w, c)| (w.to_string(), c)));
        let read = |word: &str| {
            known
                .read(word)
                .map(|r| (matches!(r, ReadAs::Typo(_)), known.word(r.word())))
        };
        assert_eq!(read("qoute"), Some((true, "quote")));
        assert_eq!(read("quotes"), Some((false, "quote")));
        assert_eq!(read("evaluating"), Some((false, "evaluate")));
        assert_eq!(read("vendors"), Some((false, "vendor")));
        assert_eq!(read("hole"), None, "a common word, not a typo of home");
        assert_eq!(read("hoem"), Some((true, "home")));
        assert_eq!(read("quote"), None);
        assert_eq!(read("q2ote"), None);
        let without_english = Spelling::from_counts(
            SpellingOptions {
                english: false,
                ..all
            },
            counts.map(|(w, c)| (w.to_string(), c)),
        );
        assert_eq!(
            without_english
                .read("hole")
                .map(|r| without_english.word(r.word())),
            Some("home")
        );
        let nothing = Spelling::from_texts(
            SpellingOptions::default(),
            &Normalizer::default(),
            ["quote"],
        );
        assert!(nothing.is_empty());
        assert_eq!(nothing.read("qoute"), None);
    }

    proptest! {
        #[test]
        fn one_edit_apart_is_osa_distance_one(a in "[abc]{0,6}", b in "[abc]{0,6}") {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            prop_assert_eq!(one_edit_apart(&a, &b), osa(&a, &b) == 1);
        }

        #[test]
        fn correct_agrees_with_scanning(
            words in prop::collection::btree_map("[abcd]{2,7}", 1u32..4, 0..30),
            word in "[abcd]{0,8}",
        ) {
            let known = Spelling::from_counts(TYPOS, words.clone());
            let got = known.correct(&word).map(|id| known.word(id).to_string());
            let want = if word.chars().count() + 1 < MIN_WORD_CHARS {
                None
            } else {
                correct_by_scanning(&words, &word)
            };
            prop_assert_eq!(got, want);
        }
    }
}
