//! The phrase scorer behind [`IntentModel`](crate::IntentModel): a linear one-vs-rest
//! model over hashed TF-IDF features of normalized text, trained with dual coordinate
//! descent for the L2-regularized squared-hinge loss (the LinearSVC objective).
//!
//! Features of a message, in three blocks each divided by its own length:
//! - words: unigrams and bigrams, counted over the message (what the words say);
//! - characters: 2- to 5-grams inside each word padded with spaces (what survives a
//!   typo: "qoute" still shares " qu", "ote", "te " with "quote"), weighted word by
//!   word and summed over the words;
//! - keywords: one feature per intent whose keyword fired, and one per intent whose
//!   keyword fired negated, so keyword triggers are evidence the model weighs, not an
//!   override.
//!
//! The character block is weighted per word (term frequency within the word; the block's
//! length taken over the words' own vectors) so that a word's contribution to every
//! intent's score depends on the word alone. The model precomputes it for the words of
//! its training data: scoring a known word costs one table lookup and one row, not the
//! ~20 lookups and rows of its n-grams. An unseen word (a typo, new vocabulary) is scored
//! through chain vectors: at each char it starts at, the longest n-gram the model knows
//! stands for itself and all its prefixes, so a word costs one row per char, not one per
//! n-gram (plus one correcting entry per n-gram the word repeats). Only unseen words
//! longer than 32 chars are scored n-gram by n-gram.
//!
//! Complexity: extracting features is linear in the message length (at most 14 hashed
//! n-grams per character of an unseen word); scoring touches one row per known feature,
//! so a detection costs O(message length + rows × intents) and does not scan phrases.
//! Training is O(iterations × non-zeros) per intent with shrinking, deterministic for
//! given data.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::seeded::Rng;
use crate::text::next_token;

/// Seeds keep the feature families apart in the hash space.
const SEED_WORD: u64 = 0x9E37_79B9_7F4A_7C15;
const SEED_BIGRAM: u64 = 0xC2B2_AE3D_27D4_EB4F;
const SEED_CHAR: u64 = 0x1656_67B1_9E37_79F9;
const SEED_KEYWORD: u64 = 0x27D4_EB2F_1656_67C5;
const SEED_NEGATED_KEYWORD: u64 = 0x85EB_CA77_C2B2_AE63;

/// Longest character n-gram.
const MAX_NGRAM: usize = 5;
/// Shortest character n-gram.
const MIN_NGRAM: usize = 2;

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
const BLOCK_WORD: u8 = 0;
const BLOCK_CHAR: u8 = 1;
const BLOCK_KEYWORD: u8 = 2;

/// The family of a feature hash: stored in the low two bits, which `mix` leaves free.
#[inline]
fn block_of(hash: u64) -> u8 {
    ((hash >> 1) & 3) as u8
}

#[inline]
fn tag(hash: u64, block: u8) -> u64 {
    (hash & !0b110) | ((block as u64) << 1)
}

#[inline]
fn mix(mut h: u64) -> u64 {
    // splitmix64 finalizer: spreads incremental hashes over all bits.
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^= h >> 31;
    h | 1 // 0 marks an empty slot in the feature table
}

#[inline]
fn step(h: u64, byte: u8) -> u64 {
    (h ^ byte as u64).wrapping_mul(0x0000_0100_0000_01B3)
}

fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
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
fn for_each_word(text: &str, mut each: impl FnMut(u32, Range<usize>, u64, Option<u64>)) {
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
fn char_ngrams(word: &[u8], buf: &mut Vec<u8>, mut sink: impl FnMut(u64, bool)) {
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
fn ngrams_by_start(
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
type NgramHashes = [u64; MAX_NGRAM - MIN_NGRAM + 1];

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
fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

/// Open-addressing map from feature hash to everything detection needs of the
/// feature ([`Feature`]), which is stored in the slot itself, so its index in the
/// table is its id.
///
/// Most probes are for features the model does not know (most bigrams of a message,
/// the n-grams of an unseen word). A probe first reads a byte per slot, 8 bits of the
/// hash (two to four bytes per feature: 128 KiB for the 62,000 features of a CLINC150
/// model), which stays cached better than the slots, and reads a slot only when its
/// byte matches.
#[derive(Clone, Debug, Default)]
pub(crate) struct FeatureTable {
    /// 8 bits of each slot's hash, 0 for an empty slot.
    tags: Vec<u8>,
    slots: Vec<Feature>,
    mask: usize,
}

impl FeatureTable {
    #[inline]
    fn home(hash: u64, mask: usize) -> usize {
        // The low bits carry the feature family; the slot comes from the bits above.
        (hash >> 3) as usize & mask
    }

    #[inline]
    fn fingerprint(hash: u64) -> u32 {
        (hash >> 32) as u32
    }

    #[inline]
    fn tag(hash: u64) -> u8 {
        ((hash >> 56) as u8).max(1) // 0 marks an empty slot
    }

    /// An empty table with room for `features` features: at most three quarters full,
    /// so that a probe for an unknown feature reads a handful of tags (8.5 on average
    /// when full, fewer for most sizes: the capacity is a power of two), while the
    /// slots, 32 bytes each, waste at most 2.7 times the records' own size.
    fn with_room_for(features: usize) -> Self {
        let capacity = (features + features / 3).next_power_of_two().max(16);
        FeatureTable {
            tags: vec![0; capacity],
            slots: vec![Feature::default(); capacity],
            mask: capacity - 1,
        }
    }

    /// Stores `feature` under `hash`, which must not be stored yet, and returns its id.
    fn insert(&mut self, hash: u64, feature: Feature) -> u32 {
        let mut slot = Self::home(hash, self.mask);
        while self.tags[slot] != 0 {
            slot = (slot + 1) & self.mask;
        }
        self.tags[slot] = Self::tag(hash);
        self.slots[slot] = Feature {
            fingerprint: Self::fingerprint(hash),
            ..feature
        };
        slot as u32
    }

    /// The id of the feature stored under `hash`.
    #[inline]
    pub(crate) fn get(&self, hash: u64) -> Option<u32> {
        let (tag, key) = (Self::tag(hash), Self::fingerprint(hash));
        let mut slot = Self::home(hash, self.mask);
        loop {
            let found = self.tags[slot];
            if found == 0 {
                return None;
            }
            if found == tag && self.slots[slot].fingerprint == key {
                return Some(slot as u32);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// The feature with id `id`.
    #[inline]
    fn feature(&self, id: u32) -> &Feature {
        &self.slots[id as usize]
    }

    /// The precomputed character vector of feature `id`, if it has one (`id` may be
    /// any number).
    #[inline]
    fn vector(&self, id: u32) -> Option<&Feature> {
        self.slots
            .get(id as usize)
            .filter(|f| f.vector != NO_VECTOR)
    }

    fn bytes(&self) -> usize {
        self.tags.capacity() + self.slots.capacity() * std::mem::size_of::<Feature>()
    }
}

/// One known feature of a message with its weight. `token` is the word it came from
/// (`u32::MAX` for keyword features), for "why".
#[derive(Clone, Copy, Debug)]
pub(crate) struct Entry {
    pub id: u32,
    pub value: f32,
    pub token: u32,
    block: u8,
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
    /// The character n-grams of the word being added.
    pub word_ids: Vec<u32>,
    char_norm2: f32,
    /// Dedupe table: (generation, entry). A slot is free when its generation is not
    /// the current one, so nothing needs clearing between messages.
    slots: Vec<(u32, u32)>,
    generation: u32,
}

impl SparseVector {
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.words.clear();
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
    fn home(id: u32, mask: usize) -> usize {
        (id as usize).wrapping_mul(0x9E37_79B9) & mask
    }

    /// The entry of feature `id`, created with value 0 on first sight.
    fn entry(&mut self, id: u32, block: u8, token: u32) -> &mut Entry {
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

    fn grow(&mut self) {
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
    fn count(&mut self, id: u32, block: u8, token: u32) {
        self.entry(id, block, token).value += 1.0;
    }

    /// Adds the character n-grams collected in `word_ids` as the word `token`.
    fn add_word_chars(&mut self, token: u32, idf: impl Fn(u32) -> f32) {
        let mut ids = std::mem::take(&mut self.word_ids);
        self.char_norm2 += weigh_word_chars(&mut ids, idf, |id, value| {
            self.entry(id, BLOCK_CHAR, token).value += value;
        });
        ids.clear();
        self.word_ids = ids;
    }

    /// Adds a word through its precomputed character vector, whose squared length is
    /// `norm2`.
    fn add_word(&mut self, vector: u32, token: u32, norm2: f32) {
        self.words.push((vector, token));
        self.char_norm2 += norm2;
    }

    /// Corrects a word's chain vectors for character n-gram `id`, which they hold
    /// `count` times (once per chain it is in) at `idf` each, where the word's own
    /// vector weighs it by its sublinear term frequency.
    fn correct_repeat(&mut self, id: u32, token: u32, count: u32, idf: f32) {
        let (weight, chained) = (tf(count) * idf, count as f32 * idf);
        self.entry(id, BLOCK_CHAR, token).value += weight - chained;
        self.char_norm2 += weight * weight - chained * idf;
    }

    /// Turns counts into weights and divides each block by its length.
    fn finish(&mut self, idf: impl Fn(u32) -> f32) {
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
fn weigh_word_chars(
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
    dense: Vec<(DenseRow, f32)>,
    fixed: Vec<i16>,
    /// Per-token sums for "why".
    pub sums: Vec<f32>,
    /// Tokens of the message whose word is not in the model's vocabulary.
    pub unknown: Vec<u32>,
    words: Vec<WordLookup>,
    /// The repeated n-grams of an unseen word taking chain vectors, with their counts.
    repeats: Vec<(u32, u32)>,
}

/// A word of the message being vectorized, with its features' hashes and ids
/// (`u32::MAX`: unknown or none).
#[derive(Clone, Copy, Debug)]
struct WordLookup {
    range: (u32, u32),
    unigram: u64,
    bigram: Option<u64>,
    unigram_id: u32,
    bigram_id: u32,
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

/// What the model keeps of one feature, in its [`FeatureTable`] slot: its idf, where
/// its weights are, and for a word or n-gram with a precomputed character vector
/// (word vector or chain vector), where that is. 32 bytes, aligned, so a slot never
/// straddles two cache lines.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
struct Feature {
    /// Bits of the hash, to tell the feature from others whose tag matches.
    fingerprint: u32,
    idf: f32,
    /// Where its row starts: in `row_weight` if dense, in `sparse_rows` if not.
    start: u32,
    /// The sparse row's length, or [`DENSE`].
    len: u32,
    /// Scale of the row's quantized weights.
    scale: f32,
    /// Where its character vector starts in `word_weight`, or [`NO_VECTOR`].
    vector: u32,
    /// Scale of the character vector's quantized weights.
    vector_scale: f32,
    /// Squared length of the character vector.
    norm2: f32,
}

/// [`Feature::len`] of a dense row (`stride` weights).
const DENSE: u32 = u32::MAX;

impl Default for Feature {
    /// An empty slot.
    fn default() -> Self {
        Feature {
            fingerprint: 0,
            idf: 0.0,
            start: 0,
            len: 0,
            scale: 0.0,
            vector: NO_VECTOR,
            vector_scale: 0.0,
            norm2: 0.0,
        }
    }
}

/// [`Feature::vector`] of a feature without a character vector.
const NO_VECTOR: u32 = u32::MAX;

/// Where a feature's unquantized weights are while training: in the training rows,
/// and for a sparse row, its classes.
#[derive(Clone, Copy, Debug)]
struct TrainingRow {
    start: u32,
    len: u32,
    /// Where its classes start, `u32::MAX` if dense.
    sparse: u32,
}

/// Precomputed word vectors take at most this many bytes; the most frequent words of
/// the training data get them first.
const WORD_VECTOR_BUDGET: usize = 8 << 20;

/// Chain vectors take at most this many bytes; the most frequent n-grams get them
/// first.
const CHAIN_VECTOR_BUDGET: usize = 8 << 20;

/// Words longer than this many chars are scored n-gram by n-gram, not by chains: the
/// check for repeated n-grams is quadratic in the length.
const MAX_CHAINED_WORD: usize = 32;

/// The trained linear model.
#[derive(Clone, Debug, Default)]
pub(crate) struct LinearModel {
    table: FeatureTable,
    /// Sparse rows: for each intent with a weight, by intent, its index (16 bits,
    /// little-endian) and its weight, so a row's classes and weights share cache lines.
    sparse_rows: Vec<[u8; 3]>,
    /// Dense rows' weights quantized to i8, each row with its own scale (`stride`
    /// weights, see `dense_row`): a quarter of the memory
    /// traffic of f32 on the hot path, at a relative error below 0.4% of the row's
    /// largest weight.
    row_weight: Vec<i8>,
    /// Character vectors: a known word's character n-grams, or a character n-gram
    /// with its shorter prefixes (a chain), summed into one dense row of weights,
    /// quantized like the rows.
    word_weight: Vec<i8>,
    bias: Vec<f32>,
    classes: usize,
    /// Length of a dense row: `classes` rounded up to a multiple of 8, zero padded,
    /// so dense rows are summed eight classes at a time with no remainder.
    stride: usize,
}

/// Rows with weights for at least 1/DENSE_FRACTION of the intents are stored dense.
const DENSE_FRACTION: usize = 4;

/// Training options.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TrainOptions {
    /// The SVM's C: higher fits the training phrases more closely.
    pub c: f32,
    /// Stopping tolerance on the projected gradient.
    pub eps: f32,
    pub max_iter: usize,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            c: 1.0,
            eps: 0.1,
            max_iter: 10,
        }
    }
}

/// A training example: its features in extraction order, and its class (`None` for a
/// negative example that belongs to no intent).
pub(crate) struct Example {
    pub features: Vec<RawFeature>,
    pub class: Option<usize>,
}

impl LinearModel {
    pub(crate) fn bytes(&self) -> usize {
        self.table.bytes()
            + self.sparse_rows.capacity() * 3
            + self.row_weight.capacity()
            + self.word_weight.capacity()
            + self.bias.capacity() * 4
    }

    /// Trains one-vs-rest over `examples`, `classes` intents.
    pub(crate) fn train(examples: &[Example], classes: usize, options: TrainOptions) -> Self {
        // Vocabulary in order of first occurrence, so the model is deterministic.
        let mut index: HashMap<u64, u32> = HashMap::new();
        let mut hashes: Vec<u64> = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        let mut last_doc: Vec<u32> = Vec::new();
        // Each word unigram's character n-grams, as first seen: (unigram, n-grams).
        let mut spellings: Vec<(u32, Vec<u32>)> = Vec::new();
        // Each character n-gram's prefix one char shorter (`u32::MAX`: none, a bigram).
        let mut prefix: Vec<u32> = Vec::new();
        let mut docs: Vec<Vec<(u32, u32)>> = Vec::with_capacity(examples.len());
        for (doc, example) in examples.iter().enumerate() {
            let doc = doc as u32;
            let mut ids: Vec<(u32, u32)> = Vec::with_capacity(example.features.len());
            // The token whose n-grams are being recorded as a new word's spelling.
            let mut spelling_token = None;
            for feature in &example.features {
                let next = hashes.len() as u32;
                let id = *index.entry(feature.hash).or_insert_with(|| {
                    hashes.push(feature.hash);
                    df.push(0);
                    last_doc.push(u32::MAX);
                    prefix.push(u32::MAX);
                    next
                });
                if feature.extends {
                    if let Some(&(before, _)) = ids.last() {
                        prefix[id as usize] = before;
                    }
                }
                if last_doc[id as usize] != doc {
                    last_doc[id as usize] = doc;
                    df[id as usize] += 1;
                }
                if feature.unigram {
                    spelling_token = (id == next).then_some(feature.token);
                    if id == next {
                        spellings.push((id, Vec::new()));
                    }
                } else if block_of(feature.hash) == BLOCK_CHAR
                    && spelling_token == Some(feature.token)
                {
                    if let Some((_, spelling)) = spellings.last_mut() {
                        spelling.push(id);
                    }
                }
                ids.push((id, feature.token));
            }
            docs.push(ids);
        }
        let n = examples.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        let vocab = hashes.len();

        // CSR matrix of the examples' vectors, weighted exactly as at detection time, in
        // a random order: the solver's joint passes read it in runs of consecutive rows,
        // and examples come grouped by intent.
        let mut rows_order: Vec<usize> = (0..examples.len()).collect();
        Rng::seeded(examples.len() as u64).shuffle(&mut rows_order);
        let mut x_start = Vec::with_capacity(examples.len() + 1);
        let mut x_index: Vec<u32> = Vec::new();
        let mut x_value: Vec<f32> = Vec::new();
        x_start.push(0usize);
        let mut vector = SparseVector::default();
        let idf_of = |id: u32| idf[id as usize];
        for &example in &rows_order {
            let ids = &docs[example];
            vector.clear();
            let mut word = u32::MAX;
            for &(id, token) in ids {
                let block = block_of(hashes[id as usize]);
                if block != BLOCK_CHAR {
                    vector.count(id, block, token);
                    continue;
                }
                if token != word && !vector.word_ids.is_empty() {
                    vector.add_word_chars(word, idf_of);
                }
                word = token;
                vector.word_ids.push(id);
            }
            if !vector.word_ids.is_empty() {
                vector.add_word_chars(word, idf_of);
            }
            vector.finish(idf_of);
            for entry in &vector.entries {
                x_index.push(entry.id);
                x_value.push(entry.value);
            }
            x_start.push(x_index.len());
        }
        drop(docs);

        let matrix = Matrix {
            start: &x_start,
            index: &x_index,
            value: &x_value,
        };
        // The diagonal of the dual's Hessian is the same for every intent.
        let diag = 0.5 / options.c;
        let qd: Vec<f32> = (0..examples.len())
            .map(|i| {
                let row = &x_value[x_start[i]..x_start[i + 1]];
                diag + row.iter().map(|v| v * v).sum::<f32>() + 1.0
            })
            .collect();
        let labels: Vec<Option<usize>> = rows_order.iter().map(|&e| examples[e].class).collect();
        let (per_class, bias) = train_one_vs_rest(&matrix, &qd, &labels, classes, vocab, options);

        // Transpose to feature-major rows: dense where most intents have a weight (a
        // contiguous row vectorizes), sparse (intent, weight) pairs elsewhere.
        let mut row_len = vec![0usize; vocab];
        for list in &per_class {
            for &(f, _) in list {
                row_len[f as usize] += 1;
            }
        }
        let dense_from = (classes / DENSE_FRACTION).max(1);
        let stride = dense_stride(classes);
        let mut rows = Vec::with_capacity(vocab);
        let (mut weights, mut sparse_len) = (0usize, 0usize);
        for &len in &row_len {
            let dense = len >= dense_from;
            let len = if dense { stride } else { len };
            rows.push(TrainingRow {
                start: weights as u32,
                len: len as u32,
                sparse: if dense { u32::MAX } else { sparse_len as u32 },
            });
            weights += len;
            if !dense {
                sparse_len += len;
            }
        }
        let mut row_weight = vec![0.0f32; weights];
        let mut row_class = vec![0u16; sparse_len];
        let mut fill = vec![0usize; vocab];
        for (class, list) in per_class.iter().enumerate() {
            for &(f, v) in list {
                let row = rows[f as usize];
                if row.sparse == u32::MAX {
                    row_weight[row.start as usize + class] = v;
                } else {
                    let at = fill[f as usize];
                    row_weight[row.start as usize + at] = v;
                    row_class[row.sparse as usize + at] = class as u16;
                    fill[f as usize] += 1;
                }
            }
        }
        drop(per_class);

        // Precomputed character vectors, from the unquantized rows: for the most
        // frequent words, and chain vectors for the most frequent character n-grams
        // (each n-gram with all its shorter prefixes, as an unseen word that has them
        // at one position weighs them). Stored most frequent first, as the rows below.
        let by_df = |f: u32| (std::cmp::Reverse(df[f as usize]), f);
        spellings.sort_by_key(|(word, _)| by_df(*word));
        spellings.truncate(WORD_VECTOR_BUDGET / classes.max(1));
        let mut chained: Vec<u32> = (0..vocab as u32)
            .filter(|&f| block_of(hashes[f as usize]) == BLOCK_CHAR)
            .collect();
        chained.sort_by_key(|&f| by_df(f));
        chained.truncate(CHAIN_VECTOR_BUDGET / stride.max(1));
        let vectors = spellings.len() + chained.len();
        // (start, scale, squared length) of each vector, in the order of `spellings`
        // then `chained`.
        let mut word_vectors: Vec<(u32, f32, f32)> = Vec::with_capacity(vectors);
        let pitch = row_pitch(stride);
        let mut word_weight = aligned_rows(vectors * pitch);
        let mut sum = vec![0.0f32; classes];
        // Adds `value` times feature `id`'s row to `sum`.
        let add_row = |sum: &mut [f32], id: u32, value: f32| {
            let at = rows[id as usize];
            let row = &row_weight[at.start as usize..][..at.len as usize];
            if at.sparse == u32::MAX {
                for (s, &w) in sum.iter_mut().zip(row) {
                    *s += value * w;
                }
            } else {
                let row_classes = &row_class[at.sparse as usize..][..row.len()];
                for (&class, &w) in row_classes.iter().zip(row) {
                    sum[class as usize] += value * w;
                }
            }
        };
        let mut push_vector = |sum: &[f32], norm2: f32| {
            let (quantized, scale) = quantize(sum);
            word_vectors.push((word_weight.len() as u32, scale, norm2));
            word_weight.extend_from_slice(&quantized);
            word_weight.resize(word_weight.len() + pitch - classes, 0);
        };
        for (_, spelling) in &mut spellings {
            sum.iter_mut().for_each(|v| *v = 0.0);
            let norm2 =
                weigh_word_chars(spelling, idf_of, |id, value| add_row(&mut sum, id, value));
            push_vector(&sum, norm2);
        }
        for &ngram in &chained {
            sum.iter_mut().for_each(|v| *v = 0.0);
            let mut norm2 = 0.0;
            let mut link = ngram;
            while link != u32::MAX {
                let value = idf[link as usize];
                norm2 += value * value;
                add_row(&mut sum, link, value);
                link = prefix[link as usize];
            }
            push_vector(&sum, norm2);
        }
        drop(prefix);
        let mut vector_of = vec![None; vocab];
        let with_vector = spellings.iter().map(|(word, _)| *word).chain(chained);
        for (f, &vector) in with_vector.zip(&word_vectors) {
            vector_of[f as usize] = Some(vector);
        }
        drop(spellings);

        // Rows are stored most frequent first: the rows most messages need then share
        // cache lines and pages, which the rest rarely displace.
        let mut order: Vec<u32> = (0..vocab as u32).collect();
        order.sort_by_key(|&f| by_df(f));
        let mut table = FeatureTable::with_room_for(vocab);
        let mut quantized_rows = aligned_rows((weights - sparse_len) / stride.max(1) * pitch);
        let mut sparse_rows = Vec::with_capacity(sparse_len);
        for f in order.into_iter().map(|f| f as usize) {
            let row = rows[f];
            let range = row.start as usize..(row.start + row.len) as usize;
            let (quantized, scale) = quantize(&row_weight[range]);
            let (start, len) = if row.sparse == u32::MAX {
                let start = quantized_rows.len();
                quantized_rows.extend_from_slice(&quantized);
                quantized_rows.resize(start + pitch, 0);
                (start, DENSE)
            } else {
                let row_classes = &row_class[row.sparse as usize..][..quantized.len()];
                let start = sparse_rows.len();
                sparse_rows.extend(row_classes.iter().zip(&quantized).map(|(&class, &w)| {
                    let [low, high] = class.to_le_bytes();
                    [low, high, w as u8]
                }));
                (start, row.len)
            };
            let (vector, vector_scale, norm2) = vector_of[f].unwrap_or((NO_VECTOR, 0.0, 0.0));
            let feature = Feature {
                fingerprint: 0,
                idf: idf[f],
                start: start as u32,
                len,
                scale,
                vector,
                vector_scale,
                norm2,
            };
            table.insert(hashes[f], feature);
        }
        LinearModel {
            table,
            sparse_rows,
            row_weight: quantized_rows,
            word_weight,
            bias,
            classes,
            stride,
        }
    }

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
        for word in words.iter_mut() {
            word.unigram_id = self.table.get(word.unigram).unwrap_or(u32::MAX);
            if let Some(hash) = word.bigram {
                word.bigram_id = self.table.get(hash).unwrap_or(u32::MAX);
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
    fn chains(
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

    /// Sets `scratch.scores` to the class scores of `scratch.vector`.
    pub(crate) fn score(&self, scratch: &mut Scratch) {
        let Scratch {
            vector,
            scores,
            dense,
            fixed,
            ..
        } = scratch;
        scores.clear();
        scores.extend_from_slice(&self.bias);
        let scores = &mut scores[..self.classes];
        dense.clear();
        // The rows are read in three passes so that their cache misses overlap: the
        // first gathers the dense rows and touches each sparse row, the second touches
        // each dense row, the third sums the sparse rows. Summed as they come, the
        // rows would wait for their misses one after another, which shows most when
        // other processes crowd the shared cache.
        let mut touched = 0u8;
        for entry in &vector.entries {
            let feature = self.table.feature(entry.id);
            if feature.len == DENSE {
                let value = entry.value * feature.scale;
                dense.push((DenseRow::Feature(feature.start), value));
            } else if let Some(packed) = self.sparse_rows.get(feature.start as usize) {
                touched ^= packed[0];
            }
        }
        for &(word, _) in &vector.words {
            let word = self.table.feature(word);
            dense.push((
                DenseRow::Word(word.vector),
                vector.word_value * word.vector_scale,
            ));
        }
        for &(row, _) in dense.iter() {
            // The first line only: touching every line of a row measured slower, as
            // the prefetcher fetches the next lines when the sums read them.
            let (weights, start) = self.dense_weights(row);
            touched ^= weights.get(start as usize).map_or(0, |&w| w as u8);
        }
        // Only the loads matter: the value keeps them from being optimized away.
        std::hint::black_box(touched);
        for entry in &vector.entries {
            let feature = self.table.feature(entry.id);
            if feature.len == DENSE {
                continue;
            }
            let value = entry.value * feature.scale;
            let row = &self.sparse_rows[feature.start as usize..][..feature.len as usize];
            for &packed in row {
                scores[sparse_class(packed)] += value * sparse_weight(packed) as f32;
            }
        }
        // Only sized here: each group starts its sums from zero.
        fixed.resize(self.stride, 0);
        for group in dense.chunks(DENSE_GROUP) {
            self.add_dense(scores, group, fixed);
        }
    }

    /// The `stride` weights of a dense row, its intents first, then zero padding.
    fn dense_row(&self, row: DenseRow) -> &[i8] {
        let (weights, start) = self.dense_weights(row);
        &weights[start as usize..][..self.stride]
    }

    /// The weights a dense row is stored in, and where it starts there.
    #[inline]
    fn dense_weights(&self, row: DenseRow) -> (&[i8], u32) {
        match row {
            DenseRow::Feature(start) => (&self.row_weight, start),
            DenseRow::Word(start) => (&self.word_weight, start),
        }
    }

    /// Adds `rows`, dense rows with their multipliers, to `scores`.
    ///
    /// Converting every weight to f32 costs more than the multiply-add itself, so the
    /// rows are summed in 16-bit fixed point instead: the multipliers share one step,
    /// chosen so that no sum can overflow; each product keeps its high 16 bits (one
    /// `pmulhw` on x86-64 for eight classes), and the sums are converted once. The
    /// result differs from f32 arithmetic by far less than the weights' own
    /// quantization error.
    fn add_dense(&self, scores: &mut [f32], rows: &[(DenseRow, f32)], fixed: &mut [i16]) {
        let (sum, max) = rows
            .iter()
            .fold((0.0f32, 0.0f32), |(sum, max), &(_, value)| {
                (sum + value.abs(), max.max(value.abs()))
            });
        if sum == 0.0 {
            return;
        }
        if !sum.is_finite() {
            for &(row, value) in rows {
                for (score, &weight) in scores.iter_mut().zip(self.dense_row(row)) {
                    *score += value * weight as f32;
                }
            }
            return;
        }
        // value ≈ step × multiplier, and a product keeps weight × multiplier / 256.
        let step = (sum / DENSE_BUDGET).max(max / i16::MAX as f32);
        let per_step = step.recip();
        fixed.iter_mut().for_each(|f| *f = 0);
        // Four rows at a time, then the last two and the last one: a partial group of
        // four would read and multiply rows of zeros.
        let mut fours = rows.chunks_exact(4);
        for four in &mut fours {
            self.add_group::<4>(four, per_step, fixed);
        }
        let rest = fours.remainder();
        let (two, one) = rest.split_at(rest.len() & !1);
        if !two.is_empty() {
            self.add_group::<2>(two, per_step, fixed);
        }
        if !one.is_empty() {
            self.add_group::<1>(one, per_step, fixed);
        }
        // Each product is rounded down: half a unit per row, on average.
        let bias = 0.5 * rows.len() as f32;
        let unit = step * 256.0;
        for (score, &f) in scores.iter_mut().zip(fixed.iter()) {
            *score += unit * (f as f32 + bias);
        }
    }

    /// Adds the `N` dense rows of `group` to `fixed`, each multiplier in steps of
    /// `1 / per_step`.
    fn add_group<const N: usize>(
        &self,
        group: &[(DenseRow, f32)],
        per_step: f32,
        fixed: &mut [i16],
    ) {
        let weights: [&[i8]; N] = std::array::from_fn(|k| self.dense_row(group[k].0));
        let multipliers: [[i16; 8]; N] = std::array::from_fn(|k| {
            let value = group[k].1;
            // `as` saturates; adding half away from zero then truncating rounds.
            let multiplier = (value * per_step + 0.5f32.copysign(value)) as i16;
            [multiplier.max(-i16::MAX); 8]
        });
        add_rows_fixed(fixed, weights, &multipliers);
    }

    /// The weight of feature `id` for `class` (0 when absent).
    pub(crate) fn weight(&self, id: u32, class: usize) -> f32 {
        let feature = self.table.feature(id);
        if feature.len == DENSE {
            return self
                .dense_row(DenseRow::Feature(feature.start))
                .get(class)
                .map_or(0.0, |&w| w as f32 * feature.scale);
        }
        let row = &self.sparse_rows[feature.start as usize..][..feature.len as usize];
        match row.binary_search_by_key(&class, |&packed| sparse_class(packed)) {
            Ok(at) => sparse_weight(row[at]) as f32 * feature.scale,
            Err(_) => 0.0,
        }
    }

    /// The weight for `class` of the character vector of feature `word`.
    pub(crate) fn word_weight(&self, word: u32, class: usize) -> f32 {
        let word = self.table.feature(word);
        self.dense_row(DenseRow::Word(word.vector))
            .get(class)
            .map_or(0.0, |&w| w as f32 * word.vector_scale)
    }
}

/// The class of a sparse-row entry.
#[inline]
fn sparse_class(packed: [u8; 3]) -> usize {
    u16::from_le_bytes([packed[0], packed[1]]) as usize
}

/// The weight of a sparse-row entry.
#[inline]
fn sparse_weight(packed: [u8; 3]) -> i8 {
    packed[2] as i8
}

/// Quantizes `weights` to i8 with one scale: the largest magnitude maps to 127.
fn quantize(weights: &[f32]) -> (Vec<i8>, f32) {
    let max = weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let quantized = weights.iter().map(|w| quantized(w / scale)).collect();
    (quantized, scale)
}

/// `x` rounded half away from zero (as `f32::round`) and clamped to ±127; NaN gives
/// 0. `round` is a libm call on baseline x86-64, and a model rounds millions of
/// weights. The fraction is exact: `x - trunc(x)` is, for every f32 in range.
fn quantized(x: f32) -> i8 {
    let x = x.clamp(-127.0, 127.0);
    let whole = x as i8;
    let fraction = x - f32::from(whole);
    whole + i8::from(fraction >= 0.5) - i8::from(fraction <= -0.5)
}

/// Dense rows are summed in groups of at most this many.
const DENSE_GROUP: usize = 64;

/// Bound on the sum of a group's 16-bit multipliers' magnitudes: with weights of at
/// most 127 in magnitude, `127 × DENSE_BUDGET / 256` plus one rounding unit per row
/// stays below `i16::MAX`, so the 16-bit sums cannot overflow.
const DENSE_BUDGET: f32 = 64_000.0;

/// Where a dense row's weights start: in the feature rows or the word vectors.
#[derive(Clone, Copy, Debug)]
enum DenseRow {
    Feature(u32),
    Word(u32),
}

/// `weight × multiplier / 256`, rounded down: the high half of the 32-bit product of
/// `weight × 256` and `multiplier`.
#[inline(always)]
fn mul_high(weight: i8, multiplier: i16) -> i16 {
    ((((weight as i16) << 8) as i32 * multiplier as i32) >> 16) as i16
}

/// `fixed[c] += Σ_k mul_high(rows[k][c], multipliers[k][0])` over `N` rows, for
/// `fixed.len()` a multiple of 8 and rows at least that long.
///
/// Written so that the optimizer turns each row's eight lanes into one 16-bit
/// high-half multiply and add (`pmulhw`, `paddw` on x86-64): the multipliers come as
/// eight copies read from memory and the function is not inlined, since a multiplier
/// seen broadcast from a scalar is widened to 32 bits first; the sums stay in a
/// local array, so they are not stored back after every row.
#[inline(never)]
fn add_rows_fixed<const N: usize>(
    fixed: &mut [i16],
    rows: [&[i8]; N],
    multipliers: &[[i16; 8]; N],
) {
    for (chunk, lanes) in fixed.chunks_exact_mut(8).enumerate() {
        let lanes: &mut [i16; 8] = lanes.try_into().expect("chunks of 8");
        let mut sum = *lanes;
        let at = chunk * 8;
        for k in 0..N {
            let weights: &[i8; 8] = rows[k][at..at + 8].try_into().expect("8 weights");
            let multiplier = &multipliers[k];
            for j in 0..8 {
                sum[j] = sum[j].wrapping_add(mul_high(weights[j], multiplier[j]));
            }
        }
        *lanes = sum;
    }
}

/// The length of a dense row for `classes` intents.
fn dense_stride(classes: usize) -> usize {
    classes.div_ceil(8) * 8
}

/// How far apart dense rows of `stride` weights are stored: a power of two up to a
/// cache line, a multiple of half a line beyond, so that rows starting on a line
/// boundary (see [`aligned_rows`]) touch as few lines as their length allows: a row of
/// 152 weights always three, not four one time in four.
fn row_pitch(stride: usize) -> usize {
    if stride <= CACHE_LINE {
        stride.next_power_of_two()
    } else {
        stride.next_multiple_of(CACHE_LINE / 2)
    }
}

/// An empty buffer for `len` bytes of dense rows, padded at the front so that the
/// rows (from its current length on) start on a cache line boundary. Only a layout
/// choice: a copy (a clone of the model) keeps the padding and may lose the alignment.
fn aligned_rows(len: usize) -> Vec<i8> {
    let mut rows: Vec<i8> = Vec::with_capacity(len + CACHE_LINE);
    let pad = rows.as_ptr().align_offset(CACHE_LINE);
    rows.resize(if pad < CACHE_LINE { pad } else { 0 }, 0);
    rows
}

/// The cache line size of the machines the layout is made for (x86-64, most ARM).
const CACHE_LINE: usize = 64;

fn inverse_norms(norms: [f32; BLOCKS]) -> [f32; BLOCKS] {
    norms.map(|n| if n > 0.0 { n.sqrt().recip() } else { 0.0 })
}

#[inline]
fn tf(count: u32) -> f32 {
    // Sublinear term frequency: a word said twice is not twice the evidence.
    if count <= 1 {
        1.0
    } else {
        1.0 + (count as f32).ln()
    }
}

/// The training matrix: CSR rows of L2-normalized TF-IDF values.
struct Matrix<'a> {
    start: &'a [usize],
    index: &'a [u32],
    value: &'a [f32],
}

/// Classes trained together. Their joint passes keep the weights feature-major, a row
/// of `CLASS_BLOCK` per feature: one cache line, and memory bounded however many
/// intents there are.
const CLASS_BLOCK: usize = 16;

/// Joint passes visit the examples in runs of this many consecutive rows, in random
/// order: the rows are stored in random order already, and reading them in runs lets
/// the memory system stream them.
const RUN: usize = 32;

/// Joint passes before the classes first go on alone (each stretch alone is followed
/// by one more, which checks on all examples).
const JOINT_PASSES: usize = 2;

/// One L2-loss SVM per class (one-vs-rest), by dual coordinate descent with shrinking
/// (Hsieh et al., 2008). Returns each class's nonzero weights and its bias.
///
/// A pass over all examples costs about the same for one class as for several when
/// they go through it together: each example is read once, and its features' weights
/// for the block of classes are one contiguous row, so dot products and updates
/// vectorize across classes instead of gathering one weight per feature and class.
/// So the passes that must see every example are joint. After the first two, each class
/// keeps only the examples not already beyond its margin (most negatives are) and goes
/// on alone over those; then a joint pass over everything checks on what the shrinking
/// set aside, and the classes it finds unsettled go on alone again, for at most
/// `max_iter` passes in all. Each class gets exactly the updates sequential coordinate
/// descent makes in that order; the joint passes only share the order.
///
/// Cost: a joint pass reads the matrix once per block of `CLASS_BLOCK` classes and does
/// `CLASS_BLOCK` multiply-adds per nonzero; a lone pass reads only its class's
/// remaining examples.
fn train_one_vs_rest(
    x: &Matrix<'_>,
    qd: &[f32],
    labels: &[Option<usize>],
    classes: usize,
    vocab: usize,
    options: TrainOptions,
) -> (Vec<Vec<(u32, f32)>>, Vec<f32>) {
    let l = labels.len();
    let mut per_class: Vec<Vec<(u32, f32)>> = vec![Vec::new(); classes];
    let mut bias = Vec::with_capacity(classes);
    let mut first = 0;
    while first < classes {
        let block = (classes - first).min(CLASS_BLOCK);
        let mut joint = JointProblem {
            x,
            qd,
            labels,
            classes: first..first + block,
            weights: vec![0.0; (vocab + 1) * CLASS_BLOCK],
            alpha: vec![0.0; l * CLASS_BLOCK],
            diag: 0.5 / options.c,
        };
        let mut rng = Rng::seeded(!(first as u64));
        let mut runs: Vec<usize> = (0..l.div_ceil(RUN)).collect();
        let mut order = Vec::with_capacity(l);
        let mut reorder = |order: &mut Vec<usize>, rng: &mut Rng| {
            rng.shuffle(&mut runs);
            order.clear();
            order.extend(
                runs.iter()
                    .flat_map(|&run| run * RUN..((run + 1) * RUN).min(l)),
            );
        };
        let mut active: Vec<Vec<usize>> = vec![Vec::new(); block];
        let mut class_rngs: Vec<Rng> = (first..first + block)
            .map(|c| Rng::seeded(c as u64))
            .collect();
        let mut passes = 0;
        while passes < options.max_iter {
            reorder(&mut order, &mut rng);
            passes += 1;
            if passes < JOINT_PASSES {
                joint.pass(&order, None);
                continue;
            }
            let spread = joint.pass(&order, Some(&mut active));
            // One pass is kept for the joint pass that checks on all examples.
            let alone = options.max_iter.saturating_sub(passes + 1);
            let unsettled = || (0..block).filter(|&k| spread[k] > options.eps);
            if alone == 0 || unsettled().next().is_none() {
                break;
            }
            // The budget counts passes as the slowest class of the block makes them.
            passes += unsettled()
                .map(|k| {
                    joint.solve_alone(k, &mut active[k], alone, options.eps, &mut class_rngs[k])
                })
                .max()
                .unwrap_or(0);
        }
        for (f, row) in joint
            .weights
            .chunks_exact(CLASS_BLOCK)
            .take(vocab)
            .enumerate()
        {
            for (k, &w) in row[..block].iter().enumerate() {
                if w != 0.0 {
                    per_class[first + k].push((f as u32, w));
                }
            }
        }
        bias.extend_from_slice(&joint.weights[vocab * CLASS_BLOCK..][..block]);
        first += block;
    }
    (per_class, bias)
}

/// Moves the dual variable `alpha` (label `y`, gradient `g`, Hessian diagonal `qd`) to
/// its optimum along its own coordinate, kept at 0 or above; returns how much its
/// example's vector is to be added to the weights.
fn coordinate_step(alpha: &mut f32, g: f32, qd: f32, y: f32) -> f32 {
    let old = *alpha;
    *alpha = (old - g / qd).max(0.0);
    (*alpha - old) * y
}

/// A block of binary problems (one class against the rest each) solved together.
/// Weights are feature-major, `CLASS_BLOCK` per feature (the last row is the bias, a
/// feature that is 1 in every example); dual variables are example-major, also
/// `CLASS_BLOCK` per example. A block with fewer classes leaves the rest of each row 0.
struct JointProblem<'a, 'b> {
    x: &'a Matrix<'b>,
    /// `qd[i]`: the diagonal of the dual Hessian for example `i`.
    qd: &'a [f32],
    labels: &'a [Option<usize>],
    classes: Range<usize>,
    weights: Vec<f32>,
    alpha: Vec<f32>,
    diag: f32,
}

impl JointProblem<'_, '_> {
    fn label(&self, i: usize, k: usize) -> f32 {
        if self.labels[i] == Some(self.classes.start + k) {
            1.0
        } else {
            -1.0
        }
    }

    /// One coordinate-descent pass over the examples in `order`, for every class of the
    /// block; returns each class's spread of projected gradients (0 at the optimum).
    /// With `active`, each class's list is set to the examples it still has to look at:
    /// all but those beyond its margin with a zero dual variable.
    fn pass(
        &mut self,
        order: &[usize],
        mut active: Option<&mut [Vec<usize>]>,
    ) -> [f32; CLASS_BLOCK] {
        let bias_at = self.weights.len() - CLASS_BLOCK;
        let mut dots = [0.0f32; CLASS_BLOCK];
        let mut deltas = [0.0f32; CLASS_BLOCK];
        let mut pg_max = [f32::NEG_INFINITY; CLASS_BLOCK];
        let mut pg_min = [f32::INFINITY; CLASS_BLOCK];
        if let Some(active) = active.as_deref_mut() {
            active.iter_mut().for_each(Vec::clear);
        }
        for &i in order {
            let (begin, end) = (self.x.start[i], self.x.start[i + 1]);
            let (index, value) = (&self.x.index[begin..end], &self.x.value[begin..end]);
            dots.copy_from_slice(&self.weights[bias_at..]);
            for (&f, &v) in index.iter().zip(value) {
                let row = &self.weights[f as usize * CLASS_BLOCK..][..CLASS_BLOCK];
                for (dot, &w) in dots.iter_mut().zip(row) {
                    *dot += v * w;
                }
            }
            let mut changed = false;
            for k in 0..self.classes.len() {
                let y = self.label(i, k);
                let alpha = &mut self.alpha[i * CLASS_BLOCK + k];
                let g = y * dots[k] - 1.0 + self.diag * *alpha;
                let pg = if *alpha == 0.0 { g.min(0.0) } else { g };
                pg_max[k] = pg_max[k].max(pg);
                pg_min[k] = pg_min[k].min(pg);
                let d = if pg.abs() > 1e-12 {
                    coordinate_step(alpha, g, self.qd[i], y)
                } else {
                    0.0
                };
                if let Some(active) = active.as_deref_mut() {
                    if *alpha != 0.0 || g <= 0.0 {
                        active[k].push(i);
                    }
                }
                deltas[k] = d;
                changed |= d != 0.0;
            }
            if !changed {
                continue;
            }
            for (&f, &v) in index.iter().zip(value) {
                let row = &mut self.weights[f as usize * CLASS_BLOCK..][..CLASS_BLOCK];
                for (w, &d) in row.iter_mut().zip(&deltas) {
                    *w += v * d;
                }
            }
            for (w, &d) in self.weights[bias_at..].iter_mut().zip(&deltas) {
                *w += d;
            }
        }
        std::array::from_fn(|k| pg_max[k] - pg_min[k])
    }

    /// Coordinate descent for class `k` alone over the examples in `order`, at most
    /// `passes` passes, until the projected gradient spread is below `eps`; returns the
    /// passes made. Examples beyond the margin with a zero dual variable are shrunk away
    /// as the passes find them; the next joint pass looks at them again.
    fn solve_alone(
        &mut self,
        k: usize,
        order: &mut [usize],
        passes: usize,
        eps: f32,
        rng: &mut Rng,
    ) -> usize {
        let bias_at = self.weights.len() - CLASS_BLOCK + k;
        let mut active = order.len();
        // Shrink nothing until one pass has been seen.
        let mut pg_max_old = f32::INFINITY;
        for pass in 1..=passes {
            let mut pg_max_new = f32::NEG_INFINITY;
            let mut pg_min_new = f32::INFINITY;
            rng.shuffle(&mut order[..active]);
            let mut s = 0;
            while s < active {
                let i = order[s];
                let y = self.label(i, k);
                let (begin, end) = (self.x.start[i], self.x.start[i + 1]);
                let (index, value) = (&self.x.index[begin..end], &self.x.value[begin..end]);
                let column = |f: u32| f as usize * CLASS_BLOCK + k;
                let mut dot = self.weights[bias_at];
                for (&f, &v) in index.iter().zip(value) {
                    dot += self.weights[column(f)] * v;
                }
                let alpha = &mut self.alpha[i * CLASS_BLOCK + k];
                let g = y * dot - 1.0 + self.diag * *alpha;
                let mut pg = g;
                if *alpha == 0.0 {
                    if g > pg_max_old {
                        active -= 1;
                        order.swap(s, active);
                        continue;
                    }
                    pg = g.min(0.0);
                }
                pg_max_new = pg_max_new.max(pg);
                pg_min_new = pg_min_new.min(pg);
                if pg.abs() > 1e-12 {
                    let d = coordinate_step(alpha, g, self.qd[i], y);
                    if d != 0.0 {
                        for (&f, &v) in index.iter().zip(value) {
                            self.weights[column(f)] += d * v;
                        }
                        self.weights[bias_at] += d;
                    }
                }
                s += 1;
            }
            if pg_max_new - pg_min_new <= eps {
                return pass;
            }
            pg_max_old = if pg_max_new <= 0.0 {
                f32::INFINITY
            } else {
                pg_max_new
            };
        }
        passes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl LinearModel {
        /// Forgets the precomputed character vectors, so every word is scored n-gram
        /// by n-gram.
        fn drop_vectors(&mut self) {
            for feature in &mut self.table.slots {
                feature.vector = NO_VECTOR;
            }
            self.word_weight.clear();
        }
    }

    fn examples(data: &[(&str, Option<usize>)]) -> Vec<Example> {
        let mut buf = Vec::new();
        data.iter()
            .map(|&(text, class)| {
                let mut features = Vec::new();
                extract(text, &mut buf, |f| features.push(f));
                Example { features, class }
            })
            .collect()
    }

    fn scores(model: &LinearModel, text: &str) -> Vec<f32> {
        let mut scratch = Scratch::default();
        model.vectorize(text, std::iter::empty(), &mut scratch);
        model.score(&mut scratch);
        scratch.scores
    }

    /// A known word scored through its precomputed character vector scores as its
    /// n-grams do one by one, up to quantization.
    #[test]
    fn word_vectors_agree_with_ngram_scoring() {
        let model = support_model();
        assert!(model.table.slots.iter().any(|f| f.vector != NO_VECTOR));
        let mut plain = model.clone();
        plain.drop_vectors();
        for text in [
            "how much does the pro plan cost",
            "the app keeps crashing when i log in",
            "demo demo pricing",
            "pricng for a demoo",
            "",
        ] {
            let (fast, slow) = (scores(&model, text), scores(&plain, text));
            assert_eq!(fast.len(), 3);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 0.02, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
    }

    fn support_model() -> LinearModel {
        let data = [
            ("how much does it cost", Some(0)),
            ("what is the price of the pro plan", Some(0)),
            ("pricing for teams", Some(0)),
            ("i cannot log in", Some(1)),
            ("the app keeps crashing", Some(1)),
            ("password reset does not work", Some(1)),
            ("book a demo please", Some(2)),
            ("can i see a demo of the product", Some(2)),
            ("what is the weather", None),
        ];
        LinearModel::train(&examples(&data), 3, TrainOptions::default())
    }

    /// Unseen words take chain vectors unless they are too long to check for repeats,
    /// with a correction for each known n-gram they repeat; either way they score as
    /// their n-grams do one by one, up to quantization.
    #[test]
    fn chain_vectors_agree_with_ngram_scoring() {
        let model = support_model();
        let mut plain = model.clone();
        plain.drop_vectors();
        let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        let (longest, too_long) = (
            &alphabet[..MAX_CHAINED_WORD],
            &alphabet[..MAX_CHAINED_WORD + 1],
        );
        let (mut buf, mut chains, mut repeats) = (Vec::new(), Vec::new(), Vec::new());
        // (word, takes chains, known n-grams it repeats)
        for (word, chained, repeated) in [
            ("pricng", true, 0),
            ("demoo", true, 0),
            ("crashin", true, 0),
            ("ñandú", true, 0),
            ("zqxj", true, 0),
            // "an", "na", "ana": the training data has "an" ("can") only.
            ("banana", true, 1),
            // "pr", "pri", "pric", "ri", "ric", "ic" twice, all known from "pricing".
            ("pricpric", true, 6),
            ("aaaa", true, 0),
            // "co" three times (known from "cost"); "oc", "coc" are unknown.
            ("cococo", true, 1),
            (longest, true, 0),
            (too_long, false, 0),
        ] {
            chains.clear();
            let taken = model.chains(word.as_bytes(), &mut buf, &mut chains, &mut repeats);
            assert_eq!(taken, chained, "{word}");
            assert_eq!(repeats.len(), repeated, "{word}: {repeats:?}");
            assert!(repeats.iter().all(|&(_, count)| count > 1));
            assert!(
                !plain.chains(word.as_bytes(), &mut buf, &mut chains, &mut repeats)
                    || chains.is_empty()
            );
            for text in [word.to_string(), format!("the {word} plan")] {
                let (fast, slow) = (scores(&model, &text), scores(&plain, &text));
                for (a, b) in fast.iter().zip(&slow) {
                    assert!((a - b).abs() < 0.02, "{text:?}: {fast:?} vs {slow:?}");
                }
            }
        }
        // One chain per char an n-gram starts at ("pricin" is a prefix of a training
        // word, so every start has a known n-gram), none where none is known.
        chains.clear();
        assert!(model.chains(b"pricin", &mut buf, &mut chains, &mut repeats));
        assert_eq!(chains.len(), " pricin".len());
        chains.clear();
        assert!(model.chains(b"zqxj", &mut buf, &mut chains, &mut repeats));
        assert!(chains.is_empty(), "{chains:?}");
    }

    proptest::proptest! {
        /// Messages of made-up words over the training data's letters score the same
        /// through word and chain vectors as n-gram by n-gram, up to quantization.
        #[test]
        fn precomputed_vectors_agree_with_ngram_scoring(
            words in proptest::collection::vec("[a-eh-prstw ]{1,12}", 1..5)
        ) {
            thread_local! {
                static MODELS: (LinearModel, LinearModel) = {
                    let model = support_model();
                    let mut plain = model.clone();
                    plain.drop_vectors();
                    (model, plain)
                };
            }
            let text = words.join(" ");
            MODELS.with(|(model, plain)| {
                let (fast, slow) = (scores(model, &text), scores(plain, &text));
                for (a, b) in fast.iter().zip(&slow) {
                    proptest::prop_assert!((a - b).abs() < 0.02, "{:?}: {:?} vs {:?}", text, fast, slow);
                }
                Ok(())
            })?;
        }
    }

    /// Dual coordinate descent for one class with nothing clever: every example, in
    /// storage order, every pass, no shrinking, no blocks.
    fn naive_svm(x: &Matrix<'_>, y: &[f32], c: f32, passes: usize) -> Vec<f32> {
        let vocab = x.index.iter().map(|&f| f as usize + 1).max().unwrap_or(0);
        let mut w = vec![0.0f32; vocab + 1];
        let mut alpha = vec![0.0f32; y.len()];
        let diag = 0.5 / c;
        for _ in 0..passes {
            for i in 0..y.len() {
                let row = x.start[i]..x.start[i + 1];
                let (index, value) = (&x.index[row.clone()], &x.value[row]);
                let dot: f32 = w[vocab]
                    + index
                        .iter()
                        .zip(value)
                        .map(|(&f, &v)| w[f as usize] * v)
                        .sum::<f32>();
                let g = y[i] * dot - 1.0 + diag * alpha[i];
                let qd = diag + 1.0 + value.iter().map(|v| v * v).sum::<f32>();
                let old = alpha[i];
                alpha[i] = (old - g / qd).max(0.0);
                let d = (alpha[i] - old) * y[i];
                for (&f, &v) in index.iter().zip(value) {
                    w[f as usize] += d * v;
                }
                w[vocab] += d;
            }
        }
        w
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// Given passes enough, the joint solver finds each class's optimum (unique: the
        /// dual is strictly convex), the one plain coordinate descent converges to,
        /// with blocks full and partial (up to 40 classes) and runs of examples.
        #[test]
        fn one_vs_rest_solver_finds_the_optimum(
            rows in proptest::collection::vec(
                (
                    proptest::collection::btree_map(0u32..24, 0.05f32..1.0, 0..6),
                    proptest::option::weighted(0.8, 0usize..40),
                ),
                1..80,
            ),
        ) {
            let classes = rows.iter().filter_map(|(_, label)| *label).max().map_or(1, |m| m + 1);
            let vocab = 24;
            let mut matrix = (vec![0usize], Vec::new(), Vec::new());
            for (features, _) in &rows {
                for (&f, &v) in features {
                    matrix.1.push(f);
                    matrix.2.push(v);
                }
                matrix.0.push(matrix.1.len());
            }
            let x = Matrix { start: &matrix.0, index: &matrix.1, value: &matrix.2 };
            let labels: Vec<Option<usize>> = rows.iter().map(|(_, label)| *label).collect();
            let options = TrainOptions { c: 1.0, eps: 1e-5, max_iter: 4000 };
            let qd: Vec<f32> = rows
                .iter()
                .map(|(features, _)| 0.5 + 1.0 + features.values().map(|v| v * v).sum::<f32>())
                .collect();
            let (weights, bias) = train_one_vs_rest(&x, &qd, &labels, classes, vocab, options);
            for class in 0..classes {
                let y: Vec<f32> = labels
                    .iter()
                    .map(|&label| if label == Some(class) { 1.0 } else { -1.0 })
                    .collect();
                let expected = naive_svm(&x, &y, options.c, 4000);
                let mut got = vec![0.0f32; expected.len()];
                for &(f, w) in &weights[class] {
                    got[f as usize] = w;
                }
                let n = got.len() - 1;
                got[n] = bias[class];
                for (f, (a, b)) in got.iter().zip(&expected).enumerate() {
                    proptest::prop_assert!(
                        (a - b).abs() < 2e-3,
                        "class {class} feature {f}: {a} vs {b}"
                    );
                }
            }
        }
    }

    /// Dense rows stored `row_pitch` apart from a line boundary touch as few cache
    /// lines as their length allows, every one of them.
    #[test]
    fn rows_touch_as_few_lines_as_their_length_allows() {
        for classes in 1..=600 {
            let stride = dense_stride(classes);
            let pitch = row_pitch(stride);
            assert!(
                pitch >= stride && pitch < stride + CACHE_LINE / 2,
                "{stride}: {pitch}"
            );
            for row in 0..CACHE_LINE {
                let start = row * pitch;
                let lines = (start + stride - 1) / CACHE_LINE - start / CACHE_LINE + 1;
                assert_eq!(
                    lines,
                    stride.div_ceil(CACHE_LINE),
                    "stride {stride}, row {row}"
                );
            }
        }
        let rows = aligned_rows(1000);
        assert!(rows.len() < CACHE_LINE && rows.iter().all(|&w| w == 0));
        assert!(rows.capacity() >= rows.len() + 1000);
        assert_eq!((rows.as_ptr() as usize + rows.len()) % CACHE_LINE, 0);
    }

    /// The table finds what was stored under each hash and nothing else, also when
    /// hashes share a home slot, a tag byte or both, and when probes wrap around.
    #[test]
    fn feature_table_agrees_with_a_map() {
        use proptest::prelude::*;
        // Bits 3..31 pick the home slot (the last value: the last slot, whatever the
        // capacity). The fingerprint is bits 32.., the tag the top byte (0 and 1 both
        // give tag 1). Hashes with one fingerprint are one feature to the table, so
        // each hash here has its own.
        let hash = |home: usize, other: u64, top: u64| {
            let homes = [0, 1, 2, (1 << 28) - 1];
            let fingerprint = home as u64 * 3 + other;
            1 | homes[home] << 3 | fingerprint << 32 | top << 56
        };
        let space: Vec<u64> = (0..4)
            .flat_map(|home| {
                (0..3).flat_map(move |other| (0..3).map(move |top| hash(home, other, top)))
            })
            .collect();
        proptest!(|(stored in proptest::sample::subsequence(space.clone(), 0..=space.len()).prop_shuffle())| {
            let mut table = FeatureTable::with_room_for(stored.len());
            for (k, &h) in stored.iter().enumerate() {
                table.insert(h, Feature { idf: k as f32, ..Feature::default() });
            }
            for &h in &space {
                let want = stored.iter().position(|&s| s == h).map(|k| k as f32);
                prop_assert_eq!(table.get(h).map(|id| table.feature(id).idf), want);
            }
        });
    }

    /// Quantizing rounds as `f32::round` then clamps, for any value.
    #[test]
    fn quantized_rounds_like_round() {
        let check = |x: f32| {
            let want = if x.is_nan() {
                0
            } else {
                x.round().clamp(-127.0, 127.0) as i8
            };
            assert_eq!(quantized(x), want, "{x}");
        };
        for x in [
            0.0,
            -0.0,
            0.5,
            -0.5,
            0.49999997,
            -0.49999997,
            1.5,
            2.5,
            126.5,
            127.4,
        ] {
            check(x);
        }
        for x in [
            127.5,
            -127.5,
            1e30,
            -1e30,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ] {
            check(x);
        }
        proptest::proptest!(|(x in proptest::num::f32::ANY)| check(x));
        proptest::proptest!(|(x in -130.0f32..130.0)| check(x));
    }

    /// Dense rows summed in 16-bit fixed point stay within the rounding bound of
    /// f32 arithmetic, across groups, tiny and huge multipliers, and zero rows.
    #[test]
    fn dense_rows_sum_like_f32() {
        use proptest::prelude::*;
        let rows = (1usize..=5).prop_flat_map(|eighths| {
            let stride = eighths * 8;
            let row = (
                proptest::collection::vec(any::<i8>(), stride),
                prop_oneof![-1.0f32..1.0, -1e-6f32..1e-6, -1e6f32..1e6, Just(0.0)],
            );
            (Just(stride), proptest::collection::vec(row, 0..150))
        });
        proptest!(|((stride, rows) in rows)| {
            let model = LinearModel {
                row_weight: rows.iter().flat_map(|(w, _)| w.iter().copied()).collect(),
                classes: stride - 3,
                stride,
                ..LinearModel::default()
            };
            let dense: Vec<(DenseRow, f32)> = rows
                .iter()
                .enumerate()
                .map(|(k, &(_, value))| (DenseRow::Feature((k * stride) as u32), value))
                .collect();
            let mut scores = vec![0.0f32; model.classes];
            let mut fixed = vec![0i16; stride];
            for group in dense.chunks(DENSE_GROUP) {
                model.add_dense(&mut scores, group, &mut fixed);
            }
            // Per row: half a step from rounding the multiplier (times a weight of
            // at most 127), half a unit of 256 steps left by the rounded-down
            // product; a step is at most the group's Σ|value| / 32767.
            for (c, &score) in scores.iter().enumerate() {
                let mut naive = 0.0f64;
                let mut bound = 1e-3;
                for group in rows.chunks(DENSE_GROUP) {
                    let sum: f64 = group.iter().map(|(_, v)| v.abs() as f64).sum();
                    bound += group.len() as f64 * 192.0 * sum / 32767.0;
                    naive += group.iter().map(|(w, v)| *v as f64 * w[c] as f64).sum::<f64>();
                }
                prop_assert!(
                    (score as f64 - naive).abs() <= bound + naive.abs() * 1e-5,
                    "class {c}: {score} vs {naive}, bound {bound}"
                );
            }
        });
    }

    /// The word block has unit length however often a word repeats; a one-word
    /// message's character block has unit length.
    #[test]
    fn blocks_are_unit_length() {
        let data = [("alpha beta", Some(0)), ("gamma delta", Some(1))];
        let model = LinearModel::train(&examples(&data), 2, TrainOptions::default());
        let mut plain = model.clone();
        plain.drop_vectors();
        let mut scratch = Scratch::default();
        plain.vectorize("alpha alpha beta zzz", std::iter::empty(), &mut scratch);
        let mut norms = [0.0f32; BLOCKS];
        for entry in &scratch.vector.entries {
            norms[entry.block as usize] += entry.value * entry.value;
        }
        assert!((norms[BLOCK_WORD as usize] - 1.0).abs() < 1e-4, "{norms:?}");
        // One word: its character vector is the whole character block.
        plain.vectorize("alpha", std::iter::empty(), &mut scratch);
        let chars: f32 = scratch
            .vector
            .entries
            .iter()
            .filter(|e| e.block == BLOCK_CHAR)
            .map(|e| e.value * e.value)
            .sum();
        assert!((chars - 1.0).abs() < 1e-4, "{chars}");
    }
}
