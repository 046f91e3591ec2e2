//! Training: from examples (features in extraction order) to a stored model.
//!
//! Complexity: building the vocabulary and matrix is linear in the total feature
//! count; the solver is O(passes × non-zeros × intents / CLASS_BLOCK) for its joint
//! passes plus the lone passes (see [`super::solver`]); storing is O(vocabulary ×
//! log vocabulary) for the frequency order plus the weights' size.

use std::collections::HashMap;

use crate::seeded::Rng;
use crate::word_vectors::WordVectors;

use super::cost::{Oversized, TrainingCost};
use super::features::{block_of, RawFeature, BLOCK_CHAR};
use super::meaning::{weighted_mean, Meaning};
use super::model::LinearModel;
use super::solved::{FeatureRows, SolvedWeights};
use super::solver::{train_one_vs_rest, Matrix, TrainOptions};
use super::table::{
    aligned_rows, dense_stride, quantize, row_pitch, Feature, FeatureTable, DENSE, NO_VECTOR,
};
use super::vector::{weigh_word_chars, SparseVector};

/// Precomputed word vectors take at most this many bytes; the most frequent words of
/// the training data get them first.
pub(super) const WORD_VECTOR_BUDGET: usize = 8 << 20;

/// Chain vectors take at most this many bytes; the most frequent n-grams get them
/// first.
pub(super) const CHAIN_VECTOR_BUDGET: usize = 8 << 20;

/// Rows with weights for at least 1/DENSE_FRACTION of the intents are stored dense.
pub(super) const DENSE_FRACTION: usize = 4;

/// A training example: its features in extraction order, and its class (`None` for a
/// negative example that belongs to no intent).
pub(crate) struct Example {
    pub features: Vec<RawFeature>,
    pub class: Option<usize>,
    /// Its listed words, for the meaning block (see [`super::meaning::listed_words`]);
    /// read only when the training options ask for the block.
    pub meaning: Vec<(u64, u32)>,
}

impl LinearModel {
    /// Trains one-vs-rest over `examples`, `classes` intents: collects the vocabulary,
    /// weighs the examples as detection will, checks the training's cost against
    /// `options.budget`, solves, then stores the weights quantized with the
    /// precomputed character vectors.
    ///
    /// # Errors
    /// [`Oversized`] when the cost is over the budget (or over what the model's layout
    /// can hold), found in time linear in the data, before the solver runs.
    pub(crate) fn train(
        examples: &[Example],
        classes: usize,
        options: TrainOptions,
    ) -> Result<Self, Oversized> {
        let vocabulary = Vocabulary::collect(examples);
        let idf = vocabulary.idf(examples.len());
        // The examples in a random order: the solver's joint passes read the matrix in
        // runs of consecutive rows, and examples come grouped by intent.
        let mut rows_order: Vec<usize> = (0..examples.len()).collect();
        Rng::seeded(examples.len() as u64).shuffle(&mut rows_order);
        let dims = if options.meaning > 0.0 {
            WordVectors::builtin().dims()
        } else {
            0
        };
        let mut matrix = OwnedMatrix::weigh(&vocabulary, &idf, &rows_order);
        if dims > 0 {
            matrix.add_meaning(
                examples,
                &rows_order,
                (vocabulary.len(), dims),
                options.meaning,
            );
        }
        let features = vocabulary.len() + dims;
        options.budget.check(&TrainingCost {
            classes,
            features,
            nonzeros: matrix.index.len(),
        })?;
        let labels: Vec<Option<usize>> = rows_order.iter().map(|&e| examples[e].class).collect();
        let (solved, bias) = matrix.solve(&labels, classes, features, options);
        drop(matrix);
        let rows = FeatureRows::transpose(solved);
        let meaning = if dims > 0 {
            let listed = examples.iter().map(|e| e.meaning.as_slice());
            let shape = (vocabulary.len(), dims, classes);
            Meaning::store(&rows, shape, options.meaning, listed, options.all_listed)
        } else {
            Meaning::default()
        };
        let layout = RowLayout::of(&rows, vocabulary.len(), classes);
        let vectors = CharVectors::precompute(&vocabulary, &idf, &rows, classes);
        let (table, sparse_rows, row_weight) = layout.store(&rows, &vocabulary, &idf, &vectors.of);
        Ok(LinearModel {
            table,
            sparse_rows,
            row_weight,
            word_weight: vectors.weights,
            bias,
            classes,
            stride: layout.stride,
            meaning,
        })
    }
}

/// The training data's features, numbered in order of first occurrence so the model is
/// deterministic, with what training needs of each.
struct Vocabulary {
    hashes: Vec<u64>,
    /// Document frequency: how many examples have the feature.
    df: Vec<u32>,
    /// Each word unigram's character n-grams, as first seen: (unigram, n-grams).
    spellings: Vec<(u32, Vec<u32>)>,
    /// Each character n-gram's prefix one char shorter (`u32::MAX`: none, a bigram).
    prefix: Vec<u32>,
    /// Each example's features as (id, token), in extraction order.
    docs: Vec<Vec<(u32, u32)>>,
}

impl Vocabulary {
    fn collect(examples: &[Example]) -> Vocabulary {
        let mut index: HashMap<u64, u32> = HashMap::new();
        let mut vocabulary = Vocabulary {
            hashes: Vec::new(),
            df: Vec::new(),
            spellings: Vec::new(),
            prefix: Vec::new(),
            docs: Vec::with_capacity(examples.len()),
        };
        let mut last_doc: Vec<u32> = Vec::new();
        for (doc, example) in examples.iter().enumerate() {
            let doc = doc as u32;
            let mut ids: Vec<(u32, u32)> = Vec::with_capacity(example.features.len());
            // The token whose n-grams are being recorded as a new word's spelling.
            let mut spelling_token = None;
            for feature in &example.features {
                let next = vocabulary.hashes.len() as u32;
                let id = *index.entry(feature.hash).or_insert_with(|| {
                    vocabulary.hashes.push(feature.hash);
                    vocabulary.df.push(0);
                    last_doc.push(u32::MAX);
                    vocabulary.prefix.push(u32::MAX);
                    next
                });
                if feature.extends {
                    if let Some(&(before, _)) = ids.last() {
                        vocabulary.prefix[id as usize] = before;
                    }
                }
                if last_doc[id as usize] != doc {
                    last_doc[id as usize] = doc;
                    vocabulary.df[id as usize] += 1;
                }
                vocabulary.spell(feature, id, id == next, &mut spelling_token);
                ids.push((id, feature.token));
            }
            vocabulary.docs.push(ids);
        }
        vocabulary
    }

    /// Records the character n-grams of a word the first time the word is seen.
    fn spell(&mut self, feature: &RawFeature, id: u32, new: bool, token: &mut Option<u32>) {
        if feature.unigram {
            *token = new.then_some(feature.token);
            if new {
                self.spellings.push((id, Vec::new()));
            }
        } else if block_of(feature.hash) == BLOCK_CHAR && *token == Some(feature.token) {
            if let Some((_, spelling)) = self.spellings.last_mut() {
                spelling.push(id);
            }
        }
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Smoothed inverse document frequency over `examples` examples.
    fn idf(&self, examples: usize) -> Vec<f32> {
        let n = examples as f32;
        self.df
            .iter()
            .map(|&d| ((1.0 + n) / (1.0 + d as f32)).ln() + 1.0)
            .collect()
    }

    /// Feature `f`'s rank key: most frequent first, then first seen.
    fn by_df(&self, f: u32) -> (std::cmp::Reverse<u32>, u32) {
        (std::cmp::Reverse(self.df[f as usize]), f)
    }
}

/// The training matrix, owned: CSR rows of the examples' vectors.
struct OwnedMatrix {
    start: Vec<usize>,
    index: Vec<u32>,
    value: Vec<f32>,
}

impl OwnedMatrix {
    /// The vectors of the examples in `order`, weighted exactly as at detection time.
    fn weigh(vocabulary: &Vocabulary, idf: &[f32], order: &[usize]) -> OwnedMatrix {
        let mut matrix = OwnedMatrix {
            start: Vec::with_capacity(order.len() + 1),
            index: Vec::new(),
            value: Vec::new(),
        };
        matrix.start.push(0usize);
        let mut vector = SparseVector::default();
        let idf_of = |id: u32| idf[id as usize];
        for &example in order {
            vector.clear();
            let mut word = u32::MAX;
            for &(id, token) in &vocabulary.docs[example] {
                let block = block_of(vocabulary.hashes[id as usize]);
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
                matrix.index.push(entry.id);
                matrix.value.push(entry.value);
            }
            matrix.start.push(matrix.index.len());
        }
        matrix
    }

    /// Rebuilds the matrix with each example's meaning (`dims` features numbered from
    /// `vocab`, the mean vector times `weight`) after its other features.
    fn add_meaning(
        &mut self,
        examples: &[Example],
        order: &[usize],
        (vocab, dims): (usize, usize),
        weight: f32,
    ) {
        let mut start = Vec::with_capacity(self.start.len());
        let mut index = Vec::with_capacity(self.index.len() + order.len() * dims);
        let mut value = Vec::with_capacity(index.capacity());
        let mut mean = vec![0.0f32; dims];
        start.push(0);
        for (i, &example) in order.iter().enumerate() {
            let row = self.start[i]..self.start[i + 1];
            index.extend_from_slice(&self.index[row.clone()]);
            value.extend_from_slice(&self.value[row]);
            weighted_mean(&examples[example].meaning, weight, &mut mean);
            for (d, &m) in mean.iter().enumerate() {
                if m != 0.0 {
                    index.push((vocab + d) as u32);
                    value.push(m);
                }
            }
            start.push(index.len());
        }
        *self = OwnedMatrix {
            start,
            index,
            value,
        };
    }

    /// The classes' nonzero weights and their biases, for rows labelled `labels`.
    fn solve(
        &self,
        labels: &[Option<usize>],
        classes: usize,
        vocab: usize,
        options: TrainOptions,
    ) -> (SolvedWeights, Vec<f32>) {
        // The diagonal of the dual's Hessian is the same for every intent.
        let diag = 0.5 / options.c;
        let qd: Vec<f32> = (0..labels.len())
            .map(|i| {
                let row = &self.value[self.start[i]..self.start[i + 1]];
                diag + row.iter().map(|v| v * v).sum::<f32>() + 1.0
            })
            .collect();
        let matrix = Matrix {
            start: &self.start,
            index: &self.index,
            value: &self.value,
        };
        train_one_vs_rest(&matrix, &qd, labels, classes, vocab, options)
    }
}

/// Which rows are stored dense: those with weights for most intents (a contiguous row
/// vectorizes); the rest are sparse (intent, weight) pairs.
struct RowLayout {
    /// Each feature's number of weights, or `None` for a dense row.
    sparse_len: Vec<Option<usize>>,
    dense_rows: usize,
    sparse_weights: usize,
    stride: usize,
}

impl RowLayout {
    /// The layout of the first `features` rows (those of the feature table).
    fn of(rows: &FeatureRows, features: usize, classes: usize) -> RowLayout {
        let dense_from = (classes / DENSE_FRACTION).max(1);
        let sparse_len: Vec<Option<usize>> = (0..features.min(rows.features()) as u32)
            .map(|f| rows.len(f))
            .map(|len| (len < dense_from).then_some(len))
            .collect();
        let dense_rows = sparse_len.iter().filter(|len| len.is_none()).count();
        let sparse_weights = sparse_len.iter().flatten().sum();
        RowLayout {
            sparse_len,
            dense_rows,
            sparse_weights,
            stride: dense_stride(classes),
        }
    }

    /// Quantizes the rows into the feature table, most frequent first: the rows most
    /// messages need then share cache lines and pages, which the rest rarely displace.
    /// Returns the table, the sparse rows and the dense rows.
    fn store(
        &self,
        rows: &FeatureRows,
        vocabulary: &Vocabulary,
        idf: &[f32],
        vector_of: &[Option<(u32, f32, f32)>],
    ) -> (FeatureTable, Vec<[u8; 3]>, Vec<i8>) {
        let (stride, vocab) = (self.stride, vocabulary.len());
        let pitch = row_pitch(stride);
        let mut order: Vec<u32> = (0..vocab as u32).collect();
        order.sort_by_key(|&f| vocabulary.by_df(f));
        let mut table = FeatureTable::with_room_for(vocab);
        let mut quantized_rows = aligned_rows(self.dense_rows * pitch);
        let mut sparse_rows = Vec::with_capacity(self.sparse_weights);
        // A dense row's weights, all `stride` of them.
        let mut dense: Vec<f32> = Vec::with_capacity(stride);
        for f in order {
            let sparse_len = self.sparse_len[f as usize];
            let (row_classes, weights) = rows.row(f);
            let (quantized, scale) = if sparse_len.is_none() {
                dense.clear();
                dense.resize(stride, 0.0);
                for (&class, &w) in row_classes.iter().zip(weights) {
                    dense[class as usize] = w;
                }
                quantize(&dense)
            } else {
                quantize(weights)
            };
            let (start, len) = match sparse_len {
                None => {
                    let start = quantized_rows.len();
                    quantized_rows.extend_from_slice(&quantized);
                    quantized_rows.resize(start + pitch, 0);
                    (start, DENSE)
                }
                Some(len) => {
                    let start = sparse_rows.len();
                    sparse_rows.extend(row_classes.iter().zip(&quantized).map(|(&class, &w)| {
                        let [low, high] = class.to_le_bytes();
                        [low, high, w as u8]
                    }));
                    (start, len as u32)
                }
            };
            let (vector, vector_scale, norm2) =
                vector_of[f as usize].unwrap_or((NO_VECTOR, 0.0, 0.0));
            let feature = Feature {
                fingerprint: 0,
                idf: idf[f as usize],
                start: start as u32,
                len,
                scale,
                vector,
                vector_scale,
                norm2,
            };
            table.insert(vocabulary.hashes[f as usize], feature);
        }
        (table, sparse_rows, quantized_rows)
    }
}

/// Precomputed character vectors, from the unquantized rows: for the most frequent
/// words, and chain vectors for the most frequent character n-grams (each n-gram with
/// all its shorter prefixes, as an unseen word that has them at one position weighs
/// them). Stored most frequent first, as the rows.
struct CharVectors {
    /// The vectors' quantized weights, one padded dense row each.
    weights: Vec<i8>,
    /// Each feature's vector, if it has one: (start, scale, squared length).
    of: Vec<Option<(u32, f32, f32)>>,
}

impl CharVectors {
    fn precompute(
        vocabulary: &Vocabulary,
        idf: &[f32],
        rows: &FeatureRows,
        classes: usize,
    ) -> CharVectors {
        let (stride, vocab) = (dense_stride(classes), vocabulary.len());
        // Adds `value` times feature `id`'s row to `sum`.
        let add_row = |sum: &mut [f32], id: u32, value: f32| {
            let (row_classes, weights) = rows.row(id);
            for (&class, &w) in row_classes.iter().zip(weights) {
                sum[class as usize] += value * w;
            }
        };
        let mut spellings = vocabulary.spellings.clone();
        spellings.sort_by_key(|(word, _)| vocabulary.by_df(*word));
        spellings.truncate(WORD_VECTOR_BUDGET / classes.max(1));
        let mut chained: Vec<u32> = (0..vocab as u32)
            .filter(|&f| block_of(vocabulary.hashes[f as usize]) == BLOCK_CHAR)
            .collect();
        chained.sort_by_key(|&f| vocabulary.by_df(f));
        chained.truncate(CHAIN_VECTOR_BUDGET / stride.max(1));
        // (start, scale, squared length) of each vector, in the order of `spellings`
        // then `chained`.
        let vectors = spellings.len() + chained.len();
        let mut starts: Vec<(u32, f32, f32)> = Vec::with_capacity(vectors);
        let pitch = row_pitch(stride);
        let mut weights = aligned_rows(vectors * pitch);
        let mut sum = vec![0.0f32; classes];
        let mut push_vector = |sum: &[f32], norm2: f32| {
            let (quantized, scale) = quantize(sum);
            starts.push((weights.len() as u32, scale, norm2));
            weights.extend_from_slice(&quantized);
            weights.resize(weights.len() + pitch - classes, 0);
        };
        let idf_of = |id: u32| idf[id as usize];
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
                link = vocabulary.prefix[link as usize];
            }
            push_vector(&sum, norm2);
        }
        let mut of = vec![None; vocab];
        let with_vector = spellings.iter().map(|(word, _)| *word).chain(chained);
        for (f, &vector) in with_vector.zip(&starts) {
            of[f as usize] = Some(vector);
        }
        CharVectors { weights, of }
    }
}
