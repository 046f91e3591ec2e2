//! 64-bit hashes of words and char sequences, and a hasher for maps keyed by them: the
//! keyword matcher's typo variants and the model's readings of unseen words look words up
//! by hash on every message, where a general-purpose hasher would cost more than the
//! lookup.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A set of word hashes.
pub(crate) type HashedSet = HashSet<u64, BuildHasherDefault<PassThroughHasher>>;
/// A map keyed by word hashes.
pub(crate) type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PassThroughHasher>>;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The hash of a word's chars, `skip` (an index) left out: FNV-1a then a final mix, so
/// that maps can use any of its bits.
pub(crate) fn hash_chars_skipping(chars: &[char], skip: usize) -> u64 {
    hash_chars_skipping_two(chars, skip, usize::MAX)
}

/// The hash of a word's chars with the chars at `skip1` and `skip2` left out (the
/// keyword matcher's deletion variants).
pub(crate) fn hash_chars_skipping_two(chars: &[char], skip1: usize, skip2: usize) -> u64 {
    let mut h = FNV_OFFSET;
    for (i, &c) in chars.iter().enumerate() {
        if i != skip1 && i != skip2 {
            h = (h ^ u64::from(u32::from(c))).wrapping_mul(FNV_PRIME);
        }
    }
    mix(h)
}

/// The hash of a word's chars.
pub(crate) fn hash_chars(chars: &[char]) -> u64 {
    hash_chars_skipping(chars, usize::MAX)
}

/// The hash of a word, equal to [`hash_chars`] of its chars.
pub(crate) fn hash_word(word: &str) -> u64 {
    let mut h = FNV_OFFSET;
    for c in word.chars() {
        h = (h ^ u64::from(u32::from(c))).wrapping_mul(FNV_PRIME);
    }
    mix(h)
}

/// splitmix64's finalizer.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// The keys are already hashes: the map takes them as they are.
#[derive(Default)]
pub(crate) struct PassThroughHasher(u64);

impl Hasher for PassThroughHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_hashes_like_its_chars() {
        for word in ["", "a", "quote", "évaluer", "naïve"] {
            let chars: Vec<char> = word.chars().collect();
            assert_eq!(hash_word(word), hash_chars(&chars), "{word}");
        }
        let chars: Vec<char> = "quote".chars().collect();
        assert_eq!(hash_chars_skipping(&chars, 4), hash_word("quot"));
        assert_ne!(hash_word("quote"), hash_word("qoute"));
    }
}
