//! A message or a training example as a sparse TF-IDF vector over the model's known
//! features, and the per-thread buffers detection reuses.
//!
//! Complexity: adding a feature is O(1) expected (a small open-addressing table);
//! finishing a vector is linear in its entries.

use std::cell::RefCell;
use std::ops::Range;

use super::features::{BLOCKS, BLOCK_CHAR};
use super::meaning::ListedWord;
use super::table::DenseRow;

/// One known feature of a message with its weight. `token` is the word it came from
/// (`u32::MAX` for keyword features), for "why".
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub id: u32,
    pub value: f32,
    pub token: u32,
    pub(super) block: u8,
}

/// A message as a sparse TF-IDF vector over known features, each block divided by its
/// length (the character block's taken over its words' own vectors), built feature by
/// feature.
///
/// Word and keyword features are counted over the message; character n-grams are
/// added a word at a time (`word_ids`, then [`SparseVector::add_word_chars`]) or, for a
/// word whose character vector the model has precomputed, as that word
/// ([`SparseVector::add_word`]).
#[derive(Clone, Debug, Default)]
pub(crate) struct SparseVector {
    pub entries: Vec<Entry>,
    /// Known words whose precomputed character vector stands for their n-grams:
    /// (feature whose character vector it is, token). Each is weighted by
    /// `word_value`.
    pub words: Vec<(u32, u32)>,
    pub word_value: f32,
    /// The message's listed words, for the meaning block.
    pub listed: Vec<ListedWord>,
    /// The character n-grams of the word being added.
    pub word_ids: Vec<u32>,
    pub(super) char_norm2: f32,
    /// Dedupe table: (generation, entry). A slot is free when its generation is not
    /// the current one, so nothing needs clearing between messages.
    pub(super) slots: Vec<(u32, u32)>,
    pub(super) generation: u32,
}

impl SparseVector {
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.words.clear();
        self.listed.clear();
        self.word_ids.clear();
        self.word_value = 0.0;
        self.char_norm2 = 0.0;
        if self.slots.len() < 64 {
            self.slots = vec![(0, 0); 64];
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.slots.iter_mut().for_each(|s| *s = (0, 0));
            self.generation = 1;
        }
    }

    #[inline]
    pub(super) fn home(id: u32, mask: usize) -> usize {
        (id as usize).wrapping_mul(0x9E37_79B9) & mask
    }

    /// The entry of feature `id`, created with value 0 on first sight.
    pub(super) fn entry(&mut self, id: u32, block: u8, token: u32) -> &mut Entry {
        if self.entries.len() * 2 >= self.slots.len() {
            self.grow();
        }
        let current = self.generation;
        let mask = self.slots.len() - 1;
        let mut slot = Self::home(id, mask);
        loop {
            let (seen, at) = self.slots[slot];
            if seen != current {
                self.slots[slot] = (current, self.entries.len() as u32);
                self.entries.push(Entry {
                    id,
                    value: 0.0,
                    token,
                    block,
                });
                return self.entries.last_mut().expect("just pushed");
            }
            if self.entries[at as usize].id == id {
                return &mut self.entries[at as usize];
            }
            slot = (slot + 1) & mask;
        }
    }

    pub(super) fn grow(&mut self) {
        let size = self.slots.len() * 2;
        self.slots.clear();
        self.slots.resize(size, (0, 0));
        let (current, mask) = (self.generation, size - 1);
        for (at, entry) in self.entries.iter().enumerate() {
            let mut slot = Self::home(entry.id, mask);
            while self.slots[slot].0 == current {
                slot = (slot + 1) & mask;
            }
            self.slots[slot] = (current, at as u32);
        }
    }

    /// Counts one occurrence of a word or keyword feature.
    pub(super) fn count(&mut self, id: u32, block: u8, token: u32) {
        self.entry(id, block, token).value += 1.0;
    }

    /// Adds the character n-grams collected in `word_ids` as the word `token`.
    pub(super) fn add_word_chars(&mut self, token: u32, idf: impl Fn(u32) -> f32) {
        let mut ids = std::mem::take(&mut self.word_ids);
        self.char_norm2 += weigh_word_chars(&mut ids, idf, |id, value| {
            self.entry(id, BLOCK_CHAR, token).value += value;
        });
        ids.clear();
        self.word_ids = ids;
    }

    /// Adds a word through its precomputed character vector, whose squared length is
    /// `norm2`.
    pub(super) fn add_word(&mut self, vector: u32, token: u32, norm2: f32) {
        self.words.push((vector, token));
        self.char_norm2 += norm2;
    }

    /// Corrects a word's chain vectors for character n-gram `id`, which they hold
    /// `count` times (once per chain it is in) at `idf` each, where the word's own
    /// vector weighs it by its sublinear term frequency.
    pub(super) fn correct_repeat(&mut self, id: u32, token: u32, count: u32, idf: f32) {
        let (weight, chained) = (tf(count) * idf, count as f32 * idf);
        self.entry(id, BLOCK_CHAR, token).value += weight - chained;
        self.char_norm2 += weight * weight - chained * idf;
    }

    /// Turns counts into weights and divides each block by its length.
    pub(super) fn finish(&mut self, idf: impl Fn(u32) -> f32) {
        let mut norms = [0.0f32; BLOCKS];
        for entry in &mut self.entries {
            if entry.block != BLOCK_CHAR {
                entry.value = tf(entry.value as u32) * idf(entry.id);
                norms[entry.block as usize] += entry.value * entry.value;
            }
        }
        norms[BLOCK_CHAR as usize] = self.char_norm2;
        let inv = inverse_norms(norms);
        for entry in &mut self.entries {
            entry.value *= inv[entry.block as usize];
        }
        self.word_value = inv[BLOCK_CHAR as usize];
    }
}

/// Weighs the character n-grams of one word (`ids`, sorted in place): sublinear term
/// frequency within the word times idf. Calls `add` once per distinct n-gram and
/// returns the squared length of the word's vector.
pub(super) fn weigh_word_chars(
    ids: &mut [u32],
    idf: impl Fn(u32) -> f32,
    mut add: impl FnMut(u32, f32),
) -> f32 {
    ids.sort_unstable();
    let mut norm2 = 0.0;
    let mut i = 0;
    while i < ids.len() {
        let id = ids[i];
        let mut j = i + 1;
        while j < ids.len() && ids[j] == id {
            j += 1;
        }
        let value = tf((j - i) as u32) * idf(id);
        norm2 += value * value;
        add(id, value);
        i = j;
    }
    norm2
}

/// Reusable per-thread buffers, so detection does not allocate for features.
#[derive(Default)]
pub(crate) struct Scratch {
    pub bytes: Vec<u8>,
    pub normalized: crate::text::Normalized,
    pub vector: SparseVector,
    pub scores: Vec<f32>,
    /// The message's dense rows with their multipliers, and their fixed-point sums.
    pub(super) dense: Vec<(DenseRow, f32)>,
    pub(super) fixed: Vec<i16>,
    /// The summed vectors of the message's listed words without a precomputed row.
    pub(super) residual: Vec<f32>,
    /// Per-token sums for "why".
    pub sums: Vec<f32>,
    /// Tokens of the message whose word is not in the model's vocabulary.
    pub unknown: Vec<u32>,
    pub(super) words: Vec<WordLookup>,
    /// The repeated n-grams of an unseen word taking chain vectors, with their counts.
    pub(super) repeats: Vec<(u32, u32)>,
}

/// A word of the message being vectorized, with its features' hashes and ids
/// (`u32::MAX`: unknown or none).
#[derive(Clone, Copy, Debug)]
pub(super) struct WordLookup {
    pub(super) range: (u32, u32),
    pub(super) unigram: u64,
    pub(super) bigram: Option<u64>,
    pub(super) unigram_id: u32,
    pub(super) bigram_id: u32,
}

impl Scratch {
    /// The number of words of the last vectorized message.
    pub(crate) fn word_count(&self) -> usize {
        self.words.len()
    }

    /// The byte range in the normalized text of the last vectorized message's word
    /// `token`.
    pub(crate) fn word_range(&self, token: usize) -> Option<Range<usize>> {
        let word = self.words.get(token)?;
        Some(word.range.0 as usize..word.range.1 as usize)
    }
}

thread_local! {
    pub(crate) static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

pub(super) fn inverse_norms(norms: [f32; BLOCKS]) -> [f32; BLOCKS] {
    norms.map(|n| if n > 0.0 { n.sqrt().recip() } else { 0.0 })
}

#[inline]
pub(super) fn tf(count: u32) -> f32 {
    // Sublinear term frequency: a word said twice is not twice the evidence.
    if count <= 1 {
        1.0
    } else {
        1.0 + (count as f32).ln()
    }
}
