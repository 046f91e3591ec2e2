//! The phrase scorer behind [`IntentModel`](crate::IntentModel): a linear one-vs-rest
//! model over hashed TF-IDF features of normalized text, trained with dual coordinate
//! descent for the L2-regularized squared-hinge loss (the LinearSVC objective).
//!
//! Features of a message:
//! - word unigrams and bigrams (what the words say),
//! - character 2- to 5-grams inside each word padded with spaces (what survives a typo:
//!   "qoute" still shares " qu", "ote", "te " with "quote"),
//! - one feature per intent whose keyword fired, and one per intent whose keyword fired
//!   negated, so keyword triggers are evidence the model weighs, not an override.
//!
//! Complexity: extracting features is linear in the message length (at most 14 hashed
//! n-grams per character); scoring touches only the weight rows of the message's known
//! features, each a sparse list of (intent, weight), so a detection costs
//! O(message length + Σ row lengths) and does not scan intents or phrases. Training is
//! O(iterations × non-zeros) per intent with shrinking, deterministic for given data.

use std::cell::RefCell;
use std::collections::HashMap;

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

/// Calls `sink` with every feature of the normalized `text`.
pub(crate) fn extract(text: &str, buf: &mut Vec<u8>, mut sink: impl FnMut(RawFeature)) {
    let mut pos = 0;
    let mut prev_word: Option<u64> = None;
    let mut token = 0u32;
    while let Some(range) = next_token(text, &mut pos) {
        let word = &text.as_bytes()[range];
        let word_hash = hash_bytes(SEED_WORD, word);
        sink(RawFeature {
            hash: tag(mix(word_hash), BLOCK_WORD),
            token,
            unigram: true,
        });
        if let Some(prev) = prev_word {
            sink(RawFeature {
                hash: tag(
                    mix(step(prev ^ SEED_BIGRAM, b' ') ^ word_hash.rotate_left(17)),
                    BLOCK_WORD,
                ),
                token: token - 1,
                unigram: false,
            });
        }
        prev_word = Some(word_hash);

        buf.clear();
        buf.push(b' ');
        buf.extend_from_slice(word);
        buf.push(b' ');
        // Every n-gram starting at a char is an extension of the shorter one: hash
        // incrementally, emitting at each char boundary from MIN_NGRAM chars on.
        let mut start = 0;
        while start < buf.len() {
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
                    sink(RawFeature {
                        hash: tag(mix(h), BLOCK_CHAR),
                        token,
                        unigram: false,
                    });
                }
            }
            start += utf8_len(buf[start]);
        }
        token = token.saturating_add(1);
    }
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

/// Open-addressing map from feature hash to feature index. A slot holds 32 bits of
/// the hash as a fingerprint and the index, 8 bytes, so a probe is one cache line.
#[derive(Clone, Debug, Default)]
pub(crate) struct FeatureTable {
    slots: Vec<(u32, u32)>,
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
        ((hash >> 32) as u32) | 1 // 0 marks an empty slot
    }

    fn new(hashes: &[u64]) -> Self {
        let capacity = (hashes.len() * 2).next_power_of_two().max(16);
        let mask = capacity - 1;
        let mut slots = vec![(0u32, 0u32); capacity];
        for (index, &hash) in hashes.iter().enumerate() {
            let mut slot = Self::home(hash, mask);
            while slots[slot].0 != 0 {
                slot = (slot + 1) & mask;
            }
            slots[slot] = (Self::fingerprint(hash), index as u32);
        }
        FeatureTable { slots, mask }
    }

    #[inline]
    pub(crate) fn get(&self, hash: u64) -> Option<u32> {
        let key = Self::fingerprint(hash);
        let mut slot = Self::home(hash, self.mask);
        loop {
            let (found, index) = self.slots[slot];
            if found == key {
                return Some(index);
            }
            if found == 0 {
                return None;
            }
            slot = (slot + 1) & self.mask;
        }
    }

    fn bytes(&self) -> usize {
        self.slots.capacity() * 8
    }
}

/// A message as a sparse, L2-normalized TF-IDF vector over known features.
#[derive(Clone, Debug, Default)]
pub(crate) struct SparseVector {
    /// (feature index, value, first token index)
    pub entries: Vec<(u32, f32, u32)>,
}

/// Reusable per-thread buffers, so detection does not allocate for features.
#[derive(Default)]
pub(crate) struct Scratch {
    pub bytes: Vec<u8>,
    pub raw: Vec<RawFeature>,
    pub normalized: crate::text::Normalized,
    pub vector: SparseVector,
    /// Dedupe table for one message: (generation, entry). A slot is free when its
    /// generation is not the current one, so nothing needs clearing between messages.
    slots: Vec<(u32, u32)>,
    generation: u32,
    pub scores: Vec<f32>,
    /// Tokens of the message whose word is not in the model's vocabulary.
    pub unknown: Vec<u32>,
}

thread_local! {
    pub(crate) static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// The trained linear model.
#[derive(Clone, Debug, Default)]
pub(crate) struct LinearModel {
    table: FeatureTable,
    idf: Vec<f32>,
    block: Vec<u8>,
    /// Row `f` of the weight matrix: `rows[f]`, ending where `rows[f + 1]` starts.
    rows: Vec<Row>,
    row_class: Vec<u16>,
    /// Weights quantized to i8, each row with its own scale: a quarter of the memory
    /// traffic of f32 on the hot path, at a relative error below 0.4% of the row's
    /// largest weight.
    row_weight: Vec<i8>,
    row_scale: Vec<f32>,
    bias: Vec<f32>,
    classes: usize,
}

/// A row of the weight matrix: its weights start at `start` in `row_weight`; a dense
/// row has one weight per intent (`sparse == u32::MAX`), a sparse row has its intents at
/// `sparse` in `row_class`.
#[derive(Clone, Copy, Debug)]
struct Row {
    start: u32,
    sparse: u32,
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

/// A training example: its features and its class (`None` for a negative example that
/// belongs to no intent).
pub(crate) struct Example {
    pub features: Vec<u64>,
    pub class: Option<usize>,
}

impl LinearModel {
    pub(crate) fn bytes(&self) -> usize {
        self.table.bytes()
            + self.idf.capacity() * 4
            + self.block.capacity()
            + self.rows.capacity() * std::mem::size_of::<Row>()
            + self.row_class.capacity() * 2
            + self.row_weight.capacity()
            + self.row_scale.capacity() * 4
            + self.bias.capacity() * 4
    }

    /// Trains one-vs-rest over `examples`, `classes` intents.
    pub(crate) fn train(examples: &[Example], classes: usize, options: TrainOptions) -> Self {
        // Vocabulary in order of first occurrence, so the model is deterministic.
        let mut index: HashMap<u64, u32> = HashMap::new();
        let mut hashes: Vec<u64> = Vec::new();
        let mut df: Vec<u32> = Vec::new();
        let mut doc_features: Vec<Vec<(u32, u32)>> = Vec::with_capacity(examples.len());
        for example in examples {
            let mut counts: Vec<(u32, u32)> = Vec::with_capacity(example.features.len());
            for &hash in &example.features {
                let next = hashes.len() as u32;
                let id = *index.entry(hash).or_insert_with(|| {
                    hashes.push(hash);
                    df.push(0);
                    next
                });
                counts.push((id, 1));
            }
            counts.sort_unstable_by_key(|&(id, _)| id);
            counts.dedup_by(|b, a| {
                if a.0 == b.0 {
                    a.1 += b.1;
                    true
                } else {
                    false
                }
            });
            for &(id, _) in &counts {
                df[id as usize] += 1;
            }
            doc_features.push(counts);
        }
        let n = examples.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect();
        let vocab = hashes.len();

        // CSR matrix of L2-normalized TF-IDF rows, plus a constant bias feature.
        let mut x_start = Vec::with_capacity(examples.len() + 1);
        let mut x_index: Vec<u32> = Vec::new();
        let mut x_value: Vec<f32> = Vec::new();
        x_start.push(0usize);
        for counts in &doc_features {
            let begin = x_index.len();
            let mut norms = [0.0f32; BLOCKS];
            for &(id, count) in counts {
                let v = tf(count) * idf[id as usize];
                norms[block_of(hashes[id as usize]) as usize] += v * v;
                x_index.push(id);
                x_value.push(v);
            }
            let inv = inverse_norms(norms);
            for k in begin..x_index.len() {
                x_value[k] *= inv[block_of(hashes[x_index[k] as usize]) as usize];
            }
            x_start.push(x_index.len());
        }
        drop(doc_features);

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
        let mut per_class: Vec<Vec<(u32, f32)>> = Vec::with_capacity(classes);
        let mut bias = Vec::with_capacity(classes);
        let mut w = vec![0.0f32; vocab + 1];
        for class in 0..classes {
            w.iter_mut().for_each(|v| *v = 0.0);
            let labels: Vec<f32> = examples
                .iter()
                .map(|e| if e.class == Some(class) { 1.0 } else { -1.0 })
                .collect();
            train_binary(&matrix, &qd, &labels, &mut w, options, class as u64);
            let nonzero: Vec<(u32, f32)> = w[..vocab]
                .iter()
                .enumerate()
                .filter(|(_, &v)| v != 0.0)
                .map(|(i, &v)| (i as u32, v))
                .collect();
            per_class.push(nonzero);
            bias.push(w[vocab]);
        }

        // Transpose to feature-major rows: dense where most intents have a weight (a
        // contiguous row vectorizes), sparse (intent, weight) pairs elsewhere.
        let mut row_len = vec![0usize; vocab];
        for list in &per_class {
            for &(f, _) in list {
                row_len[f as usize] += 1;
            }
        }
        let dense_from = (classes / DENSE_FRACTION).max(1);
        let mut rows = Vec::with_capacity(vocab);
        let (mut weights, mut sparse_len) = (0usize, 0usize);
        for &len in &row_len {
            if len >= dense_from {
                rows.push(Row {
                    start: weights as u32,
                    sparse: u32::MAX,
                });
                weights += classes;
            } else {
                rows.push(Row {
                    start: weights as u32,
                    sparse: sparse_len as u32,
                });
                weights += len;
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
        rows.push(Row {
            start: weights as u32,
            sparse: sparse_len as u32,
        });
        let mut row_scale = Vec::with_capacity(vocab);
        let mut quantized = vec![0i8; weights];
        for f in 0..vocab {
            let range = rows[f].start as usize..rows[f + 1].start as usize;
            let max = row_weight[range.clone()]
                .iter()
                .fold(0.0f32, |m, w| m.max(w.abs()));
            let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
            for k in range {
                quantized[k] = (row_weight[k] / scale).round().clamp(-127.0, 127.0) as i8;
            }
            row_scale.push(scale);
        }
        let row_weight = quantized;
        LinearModel {
            table: FeatureTable::new(&hashes),
            idf,
            block: hashes.iter().map(|&h| block_of(h)).collect(),
            rows,
            row_class,
            row_weight,
            row_scale,
            bias,
            classes,
        }
    }

    /// Turns raw features into the message's TF-IDF vector (known features only), and
    /// collects the tokens whose word the model has never seen into `unknown`.
    pub(crate) fn vectorize(
        &self,
        raw: &[RawFeature],
        (slots, generation): (&mut Vec<(u32, u32)>, &mut u32),
        out: &mut SparseVector,
        unknown: &mut Vec<u32>,
    ) {
        out.entries.clear();
        unknown.clear();
        let want = (raw.len() * 2).next_power_of_two().max(64);
        if slots.len() < want {
            slots.resize(want, (0, 0));
        }
        *generation = generation.wrapping_add(1);
        if *generation == 0 {
            slots.iter_mut().for_each(|s| *s = (0, 0));
            *generation = 1;
        }
        let current = *generation;
        let mask = want - 1;
        for feature in raw {
            let Some(id) = self.table.get(feature.hash) else {
                if feature.unigram {
                    unknown.push(feature.token);
                }
                continue;
            };
            let mut slot = (id as usize).wrapping_mul(0x9E37_79B9) & mask;
            loop {
                let (seen, at) = slots[slot];
                if seen != current {
                    slots[slot] = (current, out.entries.len() as u32);
                    out.entries.push((id, 1.0, feature.token));
                    break;
                }
                if out.entries[at as usize].0 == id {
                    out.entries[at as usize].1 += 1.0;
                    break;
                }
                slot = (slot + 1) & mask;
            }
        }
        let mut norms = [0.0f32; BLOCKS];
        for entry in &mut out.entries {
            entry.1 = tf(entry.1 as u32) * self.idf[entry.0 as usize];
            norms[self.block[entry.0 as usize] as usize] += entry.1 * entry.1;
        }
        let inv = inverse_norms(norms);
        for entry in &mut out.entries {
            entry.1 *= inv[self.block[entry.0 as usize] as usize];
        }
    }

    /// Adds the class scores of `vector` into `scores` (resized to the class count).
    pub(crate) fn score(&self, vector: &SparseVector, scores: &mut Vec<f32>) {
        scores.clear();
        scores.extend_from_slice(&self.bias);
        let classes = self.classes;
        let scores = &mut scores[..classes];
        // Dense rows go four at a time, so each score is loaded and stored once per four
        // rows instead of once per row.
        let mut pending: [(&[i8], f32); 4] = [(&[], 0.0); 4];
        let mut queued = 0;
        for &(id, value, _) in &vector.entries {
            let (row, next) = (self.rows[id as usize], self.rows[id as usize + 1]);
            let weights = &self.row_weight[row.start as usize..next.start as usize];
            let value = value * self.row_scale[id as usize];
            if row.sparse == u32::MAX {
                pending[queued] = (weights, value);
                queued += 1;
                if queued == 4 {
                    add_four(scores, &pending);
                    queued = 0;
                }
            } else {
                let row_classes = &self.row_class[row.sparse as usize..][..weights.len()];
                for (&class, &weight) in row_classes.iter().zip(weights) {
                    scores[class as usize] += value * weight as f32;
                }
            }
        }
        for &(weights, value) in &pending[..queued] {
            for (score, &weight) in scores.iter_mut().zip(weights) {
                *score += value * weight as f32;
            }
        }
    }

    /// The weight of feature `id` for `class` (0 when absent).
    pub(crate) fn weight(&self, id: u32, class: usize) -> f32 {
        let (row, next) = (self.rows[id as usize], self.rows[id as usize + 1]);
        let weights = &self.row_weight[row.start as usize..next.start as usize];
        let scale = self.row_scale[id as usize];
        if row.sparse == u32::MAX {
            return weights.get(class).map_or(0.0, |&w| w as f32 * scale);
        }
        let classes = &self.row_class[row.sparse as usize..][..weights.len()];
        match classes.binary_search(&(class as u16)) {
            Ok(at) => weights[at] as f32 * scale,
            Err(_) => 0.0,
        }
    }

    pub(crate) fn vectorize_into(&self, raw: &[RawFeature], scratch: &mut Scratch) {
        self.vectorize(
            raw,
            (&mut scratch.slots, &mut scratch.generation),
            &mut scratch.vector,
            &mut scratch.unknown,
        );
    }
}

fn inverse_norms(norms: [f32; BLOCKS]) -> [f32; BLOCKS] {
    norms.map(|n| if n > 0.0 { n.sqrt().recip() } else { 0.0 })
}

/// `scores += Σ value_k × row_k` over four dense rows of `scores.len()` weights.
#[inline]
fn add_four(scores: &mut [f32], rows: &[(&[i8], f32); 4]) {
    let n = scores.len();
    let (r0, r1, r2, r3) = (
        &rows[0].0[..n],
        &rows[1].0[..n],
        &rows[2].0[..n],
        &rows[3].0[..n],
    );
    let (v0, v1, v2, v3) = (rows[0].1, rows[1].1, rows[2].1, rows[3].1);
    for c in 0..n {
        scores[c] += v0 * r0[c] as f32 + v1 * r1[c] as f32 + v2 * r2[c] as f32 + v3 * r3[c] as f32;
    }
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

/// Dual coordinate descent for the L2-loss SVM with shrinking (Hsieh et al., 2008).
/// `w` has one extra slot for the bias feature (value 1 in every example).
///
/// Warm start: most examples of a one-vs-rest problem are easy negatives. Solving first
/// on the positives plus one negative in eight, then on everything while dropping at once
/// the examples already on the right side of the margin, reaches the same optimum with
/// about a third of the passes over the data.
/// `qd[i]` is the diagonal of the dual Hessian for example `i`.
fn train_binary(
    x: &Matrix<'_>,
    qd: &[f32],
    labels: &[f32],
    w: &mut [f32],
    options: TrainOptions,
    seed: u64,
) {
    let l = labels.len();
    let diag = 0.5 / options.c;
    let mut alpha = vec![0.0f32; l];
    let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut sample: Vec<usize> = (0..l)
        .filter(|&i| labels[i] > 0.0 || (mix(i as u64 ^ seed) & 7) == 0)
        .collect();
    let mut state = Solver {
        x,
        labels,
        w,
        alpha: &mut alpha,
        qd,
        diag,
        rng: &mut rng,
    };
    state.solve(&mut sample, f32::INFINITY, options);
    let mut all: Vec<usize> = (0..l).collect();
    state.solve(&mut all, 0.0, options);
}

struct Solver<'a, 'b> {
    x: &'a Matrix<'b>,
    labels: &'a [f32],
    w: &'a mut [f32],
    alpha: &'a mut [f32],
    qd: &'a [f32],
    diag: f32,
    rng: &'a mut u64,
}

impl Solver<'_, '_> {
    /// Coordinate descent over the examples in `order` until the projected gradient
    /// spread is below `eps` on all of them. `pg_max_start` is the shrinking bound of the
    /// first pass (infinity: shrink nothing until one pass has been seen).
    fn solve(&mut self, order: &mut [usize], pg_max_start: f32, options: TrainOptions) {
        let l = order.len();
        let bias_at = self.w.len() - 1;
        let mut active = l;
        let mut pg_max_old = pg_max_start;
        for _ in 0..options.max_iter {
            let mut pg_max_new = f32::NEG_INFINITY;
            let mut pg_min_new = f32::INFINITY;
            for s in 0..active {
                let r = &mut *self.rng;
                *r ^= *r << 13;
                *r ^= *r >> 7;
                *r ^= *r << 17;
                let j = s + (*r % (active - s) as u64) as usize;
                order.swap(s, j);
            }
            let mut s = 0;
            while s < active {
                let i = order[s];
                let y = self.labels[i];
                let (begin, end) = (self.x.start[i], self.x.start[i + 1]);
                let (index, value) = (&self.x.index[begin..end], &self.x.value[begin..end]);
                let mut dot = self.w[bias_at];
                for (&f, &v) in index.iter().zip(value) {
                    dot += self.w[f as usize] * v;
                }
                let g = y * dot - 1.0 + self.diag * self.alpha[i];
                let mut pg = g;
                if self.alpha[i] == 0.0 {
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
                    let old = self.alpha[i];
                    self.alpha[i] = (old - g / self.qd[i]).max(0.0);
                    let d = (self.alpha[i] - old) * y;
                    if d != 0.0 {
                        for (&f, &v) in index.iter().zip(value) {
                            self.w[f as usize] += d * v;
                        }
                        self.w[bias_at] += d;
                    }
                }
                s += 1;
            }
            if pg_max_new - pg_min_new <= options.eps {
                if active == l {
                    break;
                }
                active = l;
                pg_max_old = f32::INFINITY;
                continue;
            }
            pg_max_old = if pg_max_new <= 0.0 {
                f32::INFINITY
            } else {
                pg_max_new
            };
        }
    }
}
