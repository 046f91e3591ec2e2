//! Turning a normalized message into its vector over the model's known features:
//! known words through their precomputed character vectors, unseen words through chain
//! vectors (or n-gram by n-gram), keyword features counted.
//!
//! Complexity: linear in the message length: one table probe per word unigram and
//! bigram, and per unseen word at most one probe per n-gram (at most 14 per char).

use super::features::{
    char_ngrams, for_each_word, mix, ngrams_by_start, tag, NgramHashes, BLOCK_CHAR, BLOCK_KEYWORD,
    BLOCK_WORD,
};
use super::model::LinearModel;
use super::vector::{Scratch, WordLookup};

/// Words longer than this many chars are scored n-gram by n-gram, not by chains: the
/// check for repeated n-grams is quadratic in the length.
pub(super) const MAX_CHAINED_WORD: usize = 32;

impl LinearModel {
    /// Turns the normalized `text` and the message's keyword features into its vector
    /// (known features only) in `scratch.vector`, and collects the tokens whose word the
    /// model has never seen into `scratch.unknown`.
    pub(crate) fn vectorize(
        &self,
        text: &str,
        keyword_features: impl Iterator<Item = u64>,
        scratch: &mut Scratch,
    ) {
        let Scratch {
            bytes,
            vector,
            unknown,
            words,
            repeats,
            ..
        } = scratch;
        vector.clear();
        unknown.clear();
        words.clear();
        for_each_word(text, |_, range, unigram, bigram| {
            words.push(WordLookup {
                range: (range.start as u32, range.end as u32),
                unigram,
                bigram,
                unigram_id: u32::MAX,
                bigram_id: u32::MAX,
            });
        });
        // All lookups first, then all use: the probes do not depend on each other, so
        // their cache misses overlap instead of queueing behind each word's work.
        let meaning = self.meaning.dims > 0;
        for (token, word) in words.iter_mut().enumerate() {
            word.unigram_id = self.table.get(word.unigram).unwrap_or(u32::MAX);
            if let Some(hash) = word.bigram {
                word.bigram_id = self.table.get(hash).unwrap_or(u32::MAX);
            }
            if meaning {
                if let Some(listed) = self.meaning.lookup(word.unigram, token as u32) {
                    vector.listed.push(listed);
                }
            }
        }
        let idf = |id: u32| self.table.feature(id).idf;
        for (token, word) in words.iter().enumerate() {
            let token = token as u32;
            let known = (word.unigram_id != u32::MAX).then_some(word.unigram_id);
            match known {
                Some(id) => vector.count(id, BLOCK_WORD, token),
                None => unknown.push(token),
            }
            if word.bigram_id != u32::MAX {
                vector.count(word.bigram_id, BLOCK_WORD, token - 1);
            }
            let range = word.range.0 as usize..word.range.1 as usize;
            if let Some(spelled) = self.table.vector(word.unigram_id) {
                vector.add_word(word.unigram_id, token, spelled.norm2);
            } else if self.chains(
                &text.as_bytes()[range.clone()],
                bytes,
                &mut vector.word_ids,
                repeats,
            ) {
                for k in 0..vector.word_ids.len() {
                    let chain = vector.word_ids[k];
                    vector.add_word(chain, token, self.table.feature(chain).norm2);
                }
                vector.word_ids.clear();
                for &(id, count) in repeats.iter() {
                    vector.correct_repeat(id, token, count, idf(id));
                }
            } else {
                vector.word_ids.clear();
                char_ngrams(&text.as_bytes()[range], bytes, |hash, _| {
                    if let Some(id) = self.table.get(hash) {
                        vector.word_ids.push(id);
                    }
                });
                vector.add_word_chars(token, idf);
            }
        }
        for hash in keyword_features {
            if let Some(id) = self.table.get(hash) {
                vector.count(id, BLOCK_KEYWORD, u32::MAX);
            }
        }
        vector.finish(idf);
    }

    /// Collects into `chains` the chain vectors that make up the character vector of
    /// `word` (unseen, so without a word vector): at each char, that of the longest
    /// n-gram the model knows. Every shorter n-gram there is its prefix, so known too,
    /// and every longer one unknown, so the chains hold exactly the word's known
    /// n-grams, each weighted by its idf once per place it occurs. The word's own
    /// vector weighs an n-gram that occurs more than once by its sublinear term
    /// frequency instead: such n-grams go into `repeats` with their counts, for the
    /// caller to correct.
    ///
    /// Returns false, to score the word n-gram by n-gram, when a longest n-gram has no
    /// chain vector or the word is too long to check for repeats.
    pub(super) fn chains(
        &self,
        word: &[u8],
        buf: &mut Vec<u8>,
        chains: &mut Vec<u32>,
        repeats: &mut Vec<(u32, u32)>,
    ) -> bool {
        repeats.clear();
        // The n-grams' hashes at each char: an n-gram starts at each char of the word
        // and at the space before it.
        let mut at = [(NgramHashes::default(), 0); MAX_CHAINED_WORD + 1];
        let mut starts = 0;
        let fits = ngrams_by_start(word, buf, |hashes, length| {
            if starts == at.len() {
                return false;
            }
            at[starts] = (*hashes, length);
            starts += 1;
            true
        });
        if !fits {
            return false;
        }
        let at = &at[..starts];
        // How many n-grams the model knows at each start: those up to the longest known.
        let mut known = [0usize; MAX_CHAINED_WORD + 1];
        for ((hashes, length), known) in at.iter().zip(&mut known) {
            let longest = (0..*length)
                .rev()
                .find_map(|n| Some((n, self.table.get(tag(mix(hashes[n]), BLOCK_CHAR))?)));
            match longest {
                Some((n, id)) if self.table.vector(id).is_some() => {
                    chains.push(id);
                    *known = n + 1;
                }
                Some(_) => return false,
                None => {}
            }
        }
        // A repeated n-gram repeats its first two chars: most words have no repeated
        // bigram, and only those that do are searched, pairwise (at most 33 starts).
        let repeated_bigram = at
            .iter()
            .enumerate()
            .any(|(i, (first, _))| at[i + 1..].iter().any(|(other, _)| other[0] == first[0]));
        if !repeated_bigram {
            return true;
        }
        for (i, (hashes, _)) in at.iter().enumerate() {
            for (n, &hash) in hashes[..known[i]].iter().enumerate() {
                // Counted where it first occurs. A known n-gram is known wherever it
                // occurs, so its other places are among the known ones too.
                let same = |&(other, length): &(NgramHashes, usize)| n < length && other[n] == hash;
                if at[..i].iter().any(same) {
                    continue;
                }
                let count = 1 + at[i + 1..].iter().filter(|other| same(other)).count();
                if count > 1 {
                    if let Some(id) = self.table.get(tag(mix(hash), BLOCK_CHAR)) {
                        repeats.push((id, count as u32));
                    }
                }
            }
        }
        true
    }
}
