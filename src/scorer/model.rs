//! The trained model: the feature table and the weight rows it indexes. Scoring is in
//! `kernels`, training in `train`.

use super::meaning::Meaning;
use super::table::FeatureTable;

/// The trained linear model.
#[derive(Clone, Debug, Default)]
pub(crate) struct LinearModel {
    pub(super) table: FeatureTable,
    /// Sparse rows: for each intent with a weight, by intent, its index (16 bits,
    /// little-endian) and its weight, so a row's classes and weights share cache lines.
    pub(super) sparse_rows: Vec<[u8; 3]>,
    /// Dense rows' weights quantized to i8, each row with its own scale (`stride`
    /// weights, see `dense_row`): a quarter of the memory
    /// traffic of f32 on the hot path, at a relative error below 0.4% of the row's
    /// largest weight.
    pub(super) row_weight: Vec<i8>,
    /// Character vectors: a known word's character n-grams, or a character n-gram
    /// with its shorter prefixes (a chain), summed into one dense row of weights,
    /// quantized like the rows.
    pub(super) word_weight: Vec<i8>,
    pub(super) bias: Vec<f32>,
    pub(super) classes: usize,
    /// Length of a dense row: `classes` rounded up to a multiple of 8, zero padded,
    /// so dense rows are summed eight classes at a time with no remainder.
    pub(super) stride: usize,
    /// The meaning block (no dimensions when the model was trained without word
    /// vectors).
    pub(super) meaning: Meaning,
}

impl LinearModel {
    pub(crate) fn bytes(&self) -> usize {
        self.table.bytes()
            + self.sparse_rows.capacity() * 3
            + self.row_weight.capacity()
            + self.word_weight.capacity()
            + self.bias.capacity() * 4
            + self.meaning.bytes()
    }
}
