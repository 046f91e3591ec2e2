//! The built-in word vectors (see `lexicon/README.md` for their source and licence): a
//! 256-dimension vector for each word of the English word list, distilled from a
//! public sentence encoder, so that a word the team's phrases never used but whose
//! meaning is near words they did ("vendors" near "suppliers") still says something.
//!
//! The vectors are compiled into the crate (30,000 words × 256 dimensions at 4 bits:
//! about 3.7 MiB) and checked the first time a model asks for them. Row `i` is the
//! vector of line `i` of the word list (the scorer indexes the words by its own word
//! hash); adding a vector to a sum is O(dimensions).
//!
//! A message's meaning is the mean of its listed words' vectors, each weighted by
//! `ln(rank + 2)` (the list is in frequency order, so rarer words weigh more: "the"
//! says less about a message than "refund").

use std::sync::OnceLock;

use crate::english::ENGLISH_WORDS;

static VECTORS: &[u8] = include_bytes!("../lexicon/word-vectors.bin");

/// Signed 4-bit values run from -LEVELS to LEVELS.
const LEVELS: f32 = 7.0;
const MAGIC: &[u8; 4] = b"HOWV";
const VERSION: u32 = 1;

/// Word vectors: one row of `dims` signed 4-bit values per word, each dimension with
/// its own scale.
#[derive(Debug, Default)]
pub(crate) struct WordVectors {
    dims: usize,
    /// Each dimension's step: a stored value `q` stands for `q × step`.
    step: Vec<f32>,
    packed: &'static [u8],
    fingerprint: u64,
}

impl WordVectors {
    /// The built-in vectors, parsed once per process. Empty (no words, no dimensions)
    /// if the compiled-in file were malformed, which a test rules out.
    pub(crate) fn builtin() -> &'static WordVectors {
        static BUILTIN: OnceLock<WordVectors> = OnceLock::new();
        BUILTIN.get_or_init(|| WordVectors::parse(ENGLISH_WORDS, VECTORS).unwrap_or_default())
    }

    fn parse(words: &str, file: &'static [u8]) -> Option<WordVectors> {
        let header = |at: usize| -> Option<u32> {
            Some(u32::from_le_bytes(file.get(at..at + 4)?.try_into().ok()?))
        };
        if file.get(..4)? != MAGIC || header(4)? != VERSION {
            return None;
        }
        let (count, dims) = (header(8)? as usize, header(12)? as usize);
        if dims == 0 || dims % 2 != 0 {
            return None;
        }
        let scales = file.get(16..16 + dims * 4)?;
        let step = scales
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) / LEVELS)
            .collect();
        let packed = file.get(16 + dims * 4..)?;
        let listed: Vec<&str> = words.lines().filter(|w| !w.is_empty()).collect();
        if listed.len() != count || packed.len() != count * dims / 2 {
            return None;
        }
        Some(WordVectors {
            dims,
            step,
            packed,
            fingerprint: crate::persist::hash(file),
        })
    }

    /// The number of dimensions (0 when there are no vectors).
    pub(crate) fn dims(&self) -> usize {
        self.dims
    }

    /// The number of words with a vector.
    pub(crate) fn len(&self) -> usize {
        self.packed.len() / (self.dims / 2).max(1)
    }

    /// A hash of the vectors' file: a saved model records the one it was trained with.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// How much row `row` weighs in a message's mean: `ln(rank + 2)`.
    pub(crate) fn weight(&self, row: u32) -> f32 {
        (row as f32 + 2.0).ln()
    }

    /// Adds `factor` times the vector of `row` to `sum` (`dims` long).
    pub(crate) fn add_to(&self, row: u32, factor: f32, sum: &mut [f32]) {
        let half = self.dims / 2;
        let Some(bytes) = self
            .packed
            .get(row as usize * half..)
            .and_then(|b| b.get(..half))
        else {
            return;
        };
        for ((pair, &byte), step) in sum
            .chunks_exact_mut(2)
            .zip(bytes)
            .zip(self.step.chunks_exact(2))
        {
            // Sign-extend each nibble: the low one shifted up then back.
            let low = ((byte << 4) as i8) >> 4;
            let high = (byte as i8) >> 4;
            pair[0] += factor * step[0] * f32::from(low);
            pair[1] += factor * step[1] * f32::from(high);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl WordVectors {
        /// The row of `word`: its line in the word list.
        fn row(&self, word: &str) -> Option<u32> {
            let mut words = ENGLISH_WORDS.lines().filter(|w| !w.is_empty());
            words.position(|w| w == word).map(|row| row as u32)
        }
    }

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
        dot / (norm(a) * norm(b))
    }

    fn vector(word: &str) -> Vec<f32> {
        let vectors = WordVectors::builtin();
        let mut sum = vec![0.0; vectors.dims()];
        let row = vectors
            .row(word)
            .unwrap_or_else(|| panic!("{word} has no vector"));
        vectors.add_to(row, 1.0, &mut sum);
        sum
    }

    #[test]
    fn the_built_in_file_has_a_unit_vector_for_every_listed_word() {
        let vectors = WordVectors::builtin();
        assert_eq!(vectors.dims(), 256);
        assert_eq!(vectors.len(), ENGLISH_WORDS.lines().count());
        for word in ["the", "price", "refund", "procurement"] {
            let v = vector(word);
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((0.8..1.2).contains(&norm), "{word}: length {norm}");
        }
        assert_eq!(vectors.row("qwzxv"), None);
    }

    #[test]
    fn related_words_are_nearer_than_unrelated_ones() {
        let cases = [
            ("price", "cost", "weather"),
            ("vendors", "suppliers", "birthday"),
            ("cancel", "terminate", "recipe"),
            ("evaluating", "assessing", "holiday"),
        ];
        for (word, near, far) in cases {
            let (w, n, f) = (vector(word), vector(near), vector(far));
            assert!(
                cosine(&w, &n) > cosine(&w, &f) + 0.1,
                "{word}: {near} {} vs {far} {}",
                cosine(&w, &n),
                cosine(&w, &f)
            );
        }
    }

    #[test]
    fn rarer_words_weigh_more() {
        let vectors = WordVectors::builtin();
        let (the, refund) = (vectors.row("the").unwrap(), vectors.row("refund").unwrap());
        assert!(vectors.weight(refund) > 2.0 * vectors.weight(the));
    }
}
