//! Features of a message and their hashes: word unigrams and bigrams, character
//! n-grams of each word, and keyword features, each tagged with its block.
//!
//! Complexity: linear in the text's length; a word of `k` chars yields at most
//! `4 (k + 2)` character n-grams (2- to 5-grams of the word padded with spaces).

use std::ops::Range;

use crate::text::next_token;

/// Seeds keep the feature families apart in the hash space.
pub(super) const SEED_WORD: u64 = 0x9E37_79B9_7F4A_7C15;
pub(super) const SEED_BIGRAM: u64 = 0xC2B2_AE3D_27D4_EB4F;
pub(super) const SEED_CHAR: u64 = 0x1656_67B1_9E37_79F9;
pub(super) const SEED_KEYWORD: u64 = 0x27D4_EB2F_1656_67C5;
pub(super) const SEED_NEGATED_KEYWORD: u64 = 0x85EB_CA77_C2B2_AE63;

/// Longest character n-gram.
pub(super) const MAX_NGRAM: usize = 5;
/// Shortest character n-gram.
pub(super) const MIN_NGRAM: usize = 2;

/// A feature occurrence: hash, and the index of the token it came from (for "why").
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawFeature {
    pub hash: u64,
    pub token: u32,
    /// Whether this is a word unigram (counted to tell unknown words).
    pub unigram: bool,
    /// Whether this is a character n-gram that extends the feature before it (its
    /// prefix) by one char.
    pub extends: bool,
}

/// Feature families, each L2-normalized on its own so that the few word features are
/// not drowned by the many character n-grams (as in a union of two vectorizers).
pub(crate) const BLOCKS: usize = 3;
pub(super) const BLOCK_WORD: u8 = 0;
pub(super) const BLOCK_CHAR: u8 = 1;
pub(super) const BLOCK_KEYWORD: u8 = 2;

/// The family of a feature hash: stored in the low two bits, which `mix` leaves free.
#[inline]
pub(super) fn block_of(hash: u64) -> u8 {
    ((hash >> 1) & 3) as u8
}

#[inline]
pub(super) fn tag(hash: u64, block: u8) -> u64 {
    (hash & !0b110) | ((block as u64) << 1)
}

#[inline]
pub(super) fn mix(mut h: u64) -> u64 {
    // splitmix64 finalizer: spreads incremental hashes over all bits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^= h >> 31;
    h | 1 // 0 marks an empty slot in the feature table
}

#[inline]
pub(super) fn step(h: u64, byte: u8) -> u64 {
    (h ^ byte as u64).wrapping_mul(0x0000_0100_0000_01B3)
}

pub(super) fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |h, &b| step(h, b))
}

/// Hash of the keyword feature for intent `class`.
pub(crate) fn keyword_feature(class: usize, negated: bool) -> u64 {
    let seed = if negated {
        SEED_NEGATED_KEYWORD
    } else {
        SEED_KEYWORD
    };
    tag(
        mix(hash_bytes(seed, &(class as u64).to_le_bytes())),
        BLOCK_KEYWORD,
    )
}

/// Calls `each(token, word range, unigram hash, bigram hash)` for every word of the
/// normalized `text`; the bigram joins the word with the one before it.
pub(super) fn for_each_word(text: &str, mut each: impl FnMut(u32, Range<usize>, u64, Option<u64>)) {
    let mut pos = 0;
    let mut prev_word: Option<u64> = None;
    let mut token = 0u32;
    while let Some(range) = next_token(text, &mut pos) {
        let word_hash = hash_bytes(SEED_WORD, &text.as_bytes()[range.clone()]);
        let bigram = prev_word.map(|prev| {
            tag(
                mix(step(prev ^ SEED_BIGRAM, b' ') ^ word_hash.rotate_left(17)),
                BLOCK_WORD,
            )
        });
        each(token, range, tag(mix(word_hash), BLOCK_WORD), bigram);
        prev_word = Some(word_hash);
        token = token.saturating_add(1);
    }
}

/// Calls `sink(hash, extends)` for every character n-gram of `word` padded with
/// spaces, the n-grams starting at a char from the shortest to the longest: `extends`
/// tells an n-gram that extends the one before it by one char.
pub(super) fn char_ngrams(word: &[u8], buf: &mut Vec<u8>, mut sink: impl FnMut(u64, bool)) {
    ngrams_by_start(word, buf, |hashes, length| {
        for (k, &h) in hashes[..length].iter().enumerate() {
            sink(tag(mix(h), BLOCK_CHAR), k > 0);
        }
        true
    });
}

/// Calls `each(hashes, length)` at every char of `word` padded with spaces where a
/// character n-gram starts, with the unmixed hashes of the `length` n-grams starting
/// there, shortest first, until `each` returns false. Returns whether it never did.
pub(super) fn ngrams_by_start(
    word: &[u8],
    buf: &mut Vec<u8>,
    mut each: impl FnMut(&NgramHashes, usize) -> bool,
) -> bool {
    buf.clear();
    buf.push(b' ');
    buf.extend_from_slice(word);
    buf.push(b' ');
    // Every n-gram starting at a char is an extension of the shorter one: hash
    // incrementally, keeping each from MIN_NGRAM chars on.
    let mut start = 0;
    while start < buf.len() {
        let (mut hashes, mut length): (NgramHashes, _) = Default::default();
        let mut h = SEED_CHAR;
        let mut end = start;
        for n in 1..=MAX_NGRAM {
            if end >= buf.len() {
                break;
            }
            let next = end + utf8_len(buf[end]);
            for &b in &buf[end..next.min(buf.len())] {
                h = step(h, b);
            }
            end = next;
            if n >= MIN_NGRAM {
                hashes[length] = h;
                length += 1;
            }
        }
        if length > 0 && !each(&hashes, length) {
            return false;
        }
        start += utf8_len(buf[start]);
    }
    true
}

/// The hashes of the character n-grams starting at one char, shortest first.
pub(super) type NgramHashes = [u64; MAX_NGRAM - MIN_NGRAM + 1];

/// Calls `sink` with every feature of the normalized `text`, word by word: its unigram,
/// its bigram with the word before (attributed to that word), its character n-grams.
pub(crate) fn extract(text: &str, buf: &mut Vec<u8>, mut sink: impl FnMut(RawFeature)) {
    for_each_word(text, |token, range, unigram, bigram| {
        sink(RawFeature {
            hash: unigram,
            token,
            unigram: true,
            extends: false,
        });
        if let Some(hash) = bigram {
            sink(RawFeature {
                hash,
                token: token - 1,
                unigram: false,
                extends: false,
            });
        }
        char_ngrams(&text.as_bytes()[range], buf, |hash, extends| {
            sink(RawFeature {
                hash,
                token,
                unigram: false,
                extends,
            })
        });
    });
}

#[inline]
pub(super) fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}
