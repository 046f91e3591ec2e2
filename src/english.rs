//! The built-in English word list (see `lexicon/README.md` for its source and licence):
//! the 30,000 most frequent words of letters of the GloVe 6B vocabulary. A word on it
//! that a model or a keyword matcher has never seen is a real word the team did not
//! use, not a typo of one they did.
//!
//! The list is compiled into the crate (about 250 KB) and parsed into a hash set the
//! first time it is asked for; lookups are O(word length).

use std::sync::OnceLock;

use crate::word_hash::{hash_word, HashedSet};

/// The English word list, most frequent first, one word per line; row `i` of the word
/// vectors is line `i`.
pub(crate) static ENGLISH_WORDS: &str = include_str!("../lexicon/english-words.txt");

/// A set of common words, kept as 64-bit hashes (a false hit needs a collision of
/// two 64-bit hashes).
#[derive(Debug)]
pub(crate) struct WordList {
    words: HashedSet,
}

impl WordList {
    /// The built-in English word list, parsed once per process.
    pub(crate) fn english() -> &'static WordList {
        static ENGLISH: OnceLock<WordList> = OnceLock::new();
        ENGLISH.get_or_init(|| WordList {
            words: ENGLISH_WORDS
                .lines()
                .filter(|w| !w.is_empty())
                .map(hash_word)
                .collect(),
        })
    }

    /// Whether `word` (normalized: lower case) is on the list.
    pub(crate) fn contains(&self, word: &str) -> bool {
        self.words.contains(&hash_word(word))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_are_on_the_list_and_typos_are_not() {
        let english = WordList::english();
        for word in ["hole", "dream", "price", "quote", "demo", "evaluating"] {
            assert!(english.contains(word), "{word}");
        }
        for word in ["qoute", "pirce", "dmeo", "", "Price"] {
            assert!(!english.contains(word), "{word}");
        }
    }
}
