//! The meaning block: what a message's words mean, beyond which words they are.
//!
//! A message's meaning is the weighted mean of the built-in vectors of its words (see
//! `crate::word_vectors`), times the block's weight, as `dims` more features of the
//! training matrix: the solver learns one row of weights per dimension, so a word the
//! phrases never used but whose vector is near theirs ("vendors", "suppliers") moves
//! the scores as theirs do.
//!
//! The block is linear in each word's vector, so scoring it needs no vector sums: each
//! listed word of the training data gets a precomputed row (its vector times the
//! dimension rows), one dense row per word as a known word's character vector. A listed
//! word the training data never used goes through the dimension rows themselves: the
//! vectors of all such words of a message are summed, then `dims` dense rows added.
//!
//! Complexity: training adds at most `dims` non-zeros per example, and
//! O(words × dims × k) to precompute the rows of the training data's `words` listed
//! words. Detection: one hash probe per word (two for a word the training data never
//! used), one dense row per listed training word, and for a message with other listed
//! words O(dims) per such word plus `dims` dense rows.

use std::sync::OnceLock;

use crate::persist::{LoadError, Reader, Writer};
use crate::word_hash::HashedMap;
use crate::word_vectors::WordVectors;

use super::features::for_each_word;
use super::solved::FeatureRows;
use super::table::{dense_stride, quantize, DenseRow};

/// Precomputed word rows take at most this many bytes; the training data's most
/// frequent listed words get them first, the rest go through the dimension rows.
const WORD_ROW_BUDGET: usize = 8 << 20;

/// A listed word of the training data: its row in the word vectors and where its
/// precomputed row of weights starts, with that row's scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct MeaningWord {
    pub(super) row: u32,
    pub(super) start: u32,
    pub(super) scale: f32,
    /// Its weight in a message's mean (see [`WordVectors::weight`]), kept so that
    /// detection takes no logarithm.
    pub(super) weight: f32,
}

/// A listed word of a message: its row in the word vectors, its token, and its
/// precomputed row if the training data had the word.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListedWord {
    pub(super) row: u32,
    pub(super) token: u32,
    pub(super) weight: f32,
    pub(super) precomputed: Option<(u32, f32)>,
}

/// The trained meaning block.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Meaning {
    pub(super) dims: usize,
    /// The length of a row: the intent count rounded up to 8.
    pub(super) stride: usize,
    /// The dimension rows then the word rows, quantized, `stride` weights each.
    pub(super) weights: Vec<i8>,
    /// Each dimension row's scale (row `d` starts at `d × stride`).
    pub(super) dim_scale: Vec<f32>,
    /// The training data's listed words that have a precomputed row, by the key of
    /// their unigram feature's hash.
    pub(super) words: HashedMap<MeaningWord>,
    /// Whether every listed word has a precomputed row: a word not in `words` is then
    /// not listed, with no second lookup.
    pub(super) complete: bool,
}

/// The map key of a word unigram's feature hash: its low bits hold the block tag, the
/// same for every word, so they are rotated out of the bits a map indexes by.
#[inline]
pub(super) fn key(unigram: u64) -> u64 {
    unigram.rotate_right(3)
}

/// The listed words: the row in the word vectors of each, by the key of its unigram
/// hash, and each row's key.
struct Listed {
    rows: HashedMap<u32>,
    keys: Vec<u64>,
}

/// The listed words, indexed once per process.
fn listed() -> &'static Listed {
    static LISTED: OnceLock<Listed> = OnceLock::new();
    LISTED.get_or_init(|| {
        let mut listed = Listed {
            rows: HashedMap::default(),
            keys: Vec::new(),
        };
        let words = crate::english::ENGLISH_WORDS.lines();
        for (row, word) in words.filter(|w| !w.is_empty()).enumerate() {
            // A listed word is one word of letters: its only unigram.
            let mut unigram = 0;
            for_each_word(word, |_, _, hash, _| unigram = hash);
            listed.rows.entry(key(unigram)).or_insert(row as u32);
            listed.keys.push(key(unigram));
        }
        listed
    })
}

/// The listed words of the normalized `text`, in order: the key of each one's unigram
/// hash and its row in the word vectors.
pub(crate) fn listed_words(text: &str, out: &mut Vec<(u64, u32)>) {
    let listed = &listed().rows;
    for_each_word(text, |_, _, unigram, _| {
        if let Some(&row) = listed.get(&key(unigram)) {
            out.push((key(unigram), row));
        }
    });
}

/// The row of a word unigram's feature hash in the word vectors, if it is listed.
#[inline]
pub(super) fn listed_row(unigram: u64) -> Option<u32> {
    listed().rows.get(&key(unigram)).copied()
}

/// Sets `mean` (`dims` long) to `weight` times the weighted mean of the vectors of
/// `words`' rows; all zero when there are none.
pub(super) fn weighted_mean(words: &[(u64, u32)], weight: f32, mean: &mut [f32]) {
    mean.iter_mut().for_each(|m| *m = 0.0);
    let vectors = WordVectors::builtin();
    let total: f32 = words.iter().map(|&(_, r)| vectors.weight(r)).sum();
    if total > 0.0 {
        for &(_, row) in words {
            vectors.add_to(row, weight * vectors.weight(row) / total, mean);
        }
    }
}

/// The words that get precomputed rows, at most `max`: the distinct listed words of
/// `examples`, most frequent first (then first seen), then with `all_listed` every
/// other listed word, most frequent in English first.
fn precomputed_words<'a>(
    examples: impl Iterator<Item = &'a [(u64, u32)]>,
    all_listed: bool,
    max: usize,
) -> Vec<(u64, u32)> {
    let mut seen: HashedMap<(usize, u32, usize)> = HashedMap::default();
    for word in examples.flatten() {
        let next = seen.len();
        seen.entry(word.0).or_insert((0, word.1, next)).0 += 1;
    }
    let mut words: Vec<(u64, (usize, u32, usize))> = seen.iter().map(|(&k, &v)| (k, v)).collect();
    words.sort_by_key(|&(_, (count, _, first))| (std::cmp::Reverse(count), first));
    let mut words: Vec<(u64, u32)> = words.into_iter().map(|(k, (_, row, _))| (k, row)).collect();
    if all_listed {
        let keys = &listed().keys;
        let others = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !seen.contains_key(k));
        words.extend(others.map(|(row, &k)| (k, row as u32)));
    }
    words.truncate(max);
    words
}

impl ListedWord {
    /// The token of the message the word is.
    pub(crate) fn token(&self) -> u32 {
        self.token
    }
}

impl Meaning {
    /// The meaning block of a trained model: the solver's rows of the `dims` features
    /// after the `vocab` others, times the block's `weight` (the features were the mean
    /// vectors times it, so the rows take the plain mean), and precomputed rows for the
    /// listed words of `examples`, most frequent first, within the budget.
    pub(super) fn store<'a>(
        rows: &FeatureRows,
        (vocab, dims, classes): (usize, usize, usize),
        weight: f32,
        examples: impl Iterator<Item = &'a [(u64, u32)]>,
        all_listed: bool,
    ) -> Meaning {
        let (stride, width) = (dense_stride(classes), classes.max(1));
        let mut dim_rows = vec![0.0f32; dims * width];
        for (d, dim_row) in dim_rows.chunks_exact_mut(width).enumerate() {
            let (row_classes, weights) = rows.row((vocab + d) as u32);
            for (&class, &w) in row_classes.iter().zip(weights) {
                dim_row[class as usize] = w * weight;
            }
        }
        let mut meaning = Meaning {
            dims,
            stride,
            ..Meaning::default()
        };
        for dim_row in dim_rows.chunks_exact(width) {
            let (_, scale) = meaning.push_row(dim_row, stride);
            meaning.dim_scale.push(scale);
        }
        let vectors = WordVectors::builtin();
        let mut sum = vec![0.0f32; width];
        let mut vector = vec![0.0f32; dims];
        let words = precomputed_words(examples, all_listed, WORD_ROW_BUDGET / stride.max(1));
        for (unigram_key, row) in words {
            vector.iter_mut().for_each(|v| *v = 0.0);
            vectors.add_to(row, 1.0, &mut vector);
            sum.iter_mut().for_each(|s| *s = 0.0);
            for (&value, dim_row) in vector.iter().zip(dim_rows.chunks_exact(width)) {
                for (s, &w) in sum.iter_mut().zip(dim_row) {
                    *s += value * w;
                }
            }
            let (start, scale) = meaning.push_row(&sum, stride);
            let weight = vectors.weight(row);
            let word = MeaningWord {
                row,
                start,
                scale,
                weight,
            };
            meaning.words.insert(unigram_key, word);
        }
        meaning.complete = meaning.words.len() >= listed().rows.len();
        meaning
    }

    /// The memory the block takes.
    pub(super) fn bytes(&self) -> usize {
        self.weights.capacity()
            + self.dim_scale.capacity() * 4
            + self.words.capacity() * (8 + std::mem::size_of::<MeaningWord>())
    }

    /// Appends `weights` quantized as one row of `stride`; returns its start and scale.
    fn push_row(&mut self, weights: &[f32], stride: usize) -> (u32, f32) {
        let (quantized, scale) = quantize(weights);
        let start = self.weights.len() as u32;
        self.weights.extend_from_slice(&quantized);
        self.weights.resize(start as usize + stride, 0);
        (start, scale)
    }

    /// The listed words of a message's word unigram `unigram` (token `token`), if any.
    #[inline]
    pub(super) fn lookup(&self, unigram: u64, token: u32) -> Option<ListedWord> {
        if let Some(word) = self.words.get(&key(unigram)) {
            return Some(ListedWord {
                row: word.row,
                token,
                weight: word.weight,
                precomputed: Some((word.start, word.scale)),
            });
        }
        if self.complete {
            return None;
        }
        let row = listed_row(unigram)?;
        Some(ListedWord {
            row,
            token,
            weight: WordVectors::builtin().weight(row),
            precomputed: None,
        })
    }

    /// Pushes the dense rows of a message's listed `words` with their multipliers,
    /// summing the vectors of those without a precomputed row into `residual`.
    pub(super) fn push_rows(
        &self,
        words: &[ListedWord],
        dense: &mut Vec<(DenseRow, f32)>,
        residual: &mut Vec<f32>,
    ) {
        let total: f32 = words.iter().map(|w| w.weight).sum();
        if words.is_empty() || total <= 0.0 {
            return;
        }
        let factor = total.recip();
        let mut any_residual = false;
        for word in words {
            let weight = factor * word.weight;
            match word.precomputed {
                Some((start, scale)) => dense.push((DenseRow::Meaning(start), weight * scale)),
                None => {
                    if !any_residual {
                        residual.clear();
                        residual.resize(self.dims, 0.0);
                        any_residual = true;
                    }
                    WordVectors::builtin().add_to(word.row, weight, residual);
                }
            }
        }
        if any_residual {
            let stride = self.stride;
            for (d, (&value, &scale)) in residual.iter().zip(&self.dim_scale).enumerate() {
                if value != 0.0 {
                    dense.push((DenseRow::Meaning((d * stride) as u32), value * scale));
                }
            }
        }
    }

    /// The weight for `class` of the listed word `word` of a message whose listed
    /// words are `words`: what it adds to that intent's score, for "why".
    pub(super) fn word_weight(&self, words: &[ListedWord], word: &ListedWord, class: usize) -> f32 {
        let stride = self.stride;
        let vectors = WordVectors::builtin();
        let total: f32 = words.iter().map(|w| w.weight).sum();
        if total <= 0.0 {
            return 0.0;
        }
        let weight = word.weight / total;
        let at = |start: u32| {
            self.weights
                .get(start as usize + class)
                .map_or(0.0, |&w| f32::from(w))
        };
        match word.precomputed {
            Some((start, scale)) => weight * scale * at(start),
            None => {
                let mut vector = vec![0.0f32; self.dims];
                vectors.add_to(word.row, 1.0, &mut vector);
                let dims = vector.iter().zip(&self.dim_scale).enumerate();
                weight
                    * dims
                        .map(|(d, (&v, &scale))| v * scale * at((d * stride) as u32))
                        .sum::<f32>()
            }
        }
    }
}

/// Bytes of a stored word: key, row, start, scale.
const WORD_BYTES: usize = 20;

/// Saving and loading the block.
impl Meaning {
    /// Appends the block: its dimensions (0: none), then the word vectors' fingerprint,
    /// the rows, the dimension scales and the words, by key so that the bytes do not
    /// depend on the map's order.
    pub(super) fn encode(&self, w: &mut Writer) {
        let meaning = self;
        w.count(meaning.dims);
        if meaning.dims == 0 {
            return;
        }
        w.u64(WordVectors::builtin().fingerprint());
        w.i8s(&meaning.weights);
        for &scale in &meaning.dim_scale {
            w.f32(scale);
        }
        let mut words: Vec<(&u64, &MeaningWord)> = meaning.words.iter().collect();
        words.sort_unstable_by_key(|(key, _)| **key);
        w.count(words.len());
        for (&key, word) in words {
            w.u64(key);
            w.u32(word.row);
            w.u32(word.start);
            w.f32(word.scale);
        }
    }

    /// Reads a block for rows of `stride` weights, checking that it was trained with
    /// the built-in word vectors and that every row lies within the weights.
    pub(super) fn decode(r: &mut Reader<'_>, stride: usize) -> Result<Meaning, LoadError> {
        let path = "model.meaning";
        let dims = r.count(4, path)?;
        if dims == 0 {
            return Ok(Meaning::default());
        }
        let vectors = WordVectors::builtin();
        if r.u64(path)? != vectors.fingerprint() || dims != vectors.dims() {
            return Err(LoadError::malformed(
                path,
                "trained with other word vectors than this version's",
            ));
        }
        let weights: Vec<i8> = r.bytes(path)?.iter().map(|&b| b as i8).collect();
        let fits = |start: u32| {
            (start as usize) % stride.max(1) == 0
                && (start as usize)
                    .checked_add(stride)
                    .is_some_and(|end| end <= weights.len())
        };
        if !fits(((dims - 1) * stride) as u32) {
            return Err(LoadError::malformed(path, "fewer rows than dimensions"));
        }
        let mut dim_scale = Vec::with_capacity(dims);
        for _ in 0..dims {
            dim_scale.push(r.f32(path)?);
        }
        let count = r.count(WORD_BYTES, path)?;
        let mut meaning = Meaning {
            dims,
            stride,
            weights: Vec::new(),
            dim_scale,
            words: Default::default(),
            complete: false,
        };
        meaning.words.reserve(count);
        let mut previous = None;
        for _ in 0..count {
            let key = r.u64(path)?;
            // Saved in increasing key order: a model saves back to the bytes it was
            // loaded from, which its fingerprint relies on.
            if previous.is_some_and(|p| key <= p) {
                return Err(LoadError::malformed(path, "words out of order or repeated"));
            }
            previous = Some(key);
            let (row, start, scale) = (r.u32(path)?, r.u32(path)?, r.f32(path)?);
            let word = MeaningWord {
                row,
                start,
                scale,
                weight: vectors.weight(row),
            };
            if word.row as usize >= vectors.len() || !fits(word.start) {
                return Err(LoadError::malformed(
                    path,
                    format!("word row {} or start {} out of range", word.row, word.start),
                ));
            }
            meaning.words.insert(key, word);
        }
        meaning.weights = weights;
        meaning.complete = meaning.words.len() >= listed().rows.len();
        Ok(meaning)
    }
}
