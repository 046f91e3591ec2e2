//! A plain f32 reference for scoring, for tests: every weight dequantized on its own
//! (`weight × scale`, through [`LinearModel::weight`] and
//! [`LinearModel::word_weight`]) and summed in f32, row by row, with no fixed point,
//! no grouping and no reordering of the rows. The kernels must agree with it within
//! [`Reference::tolerance`].

use super::kernels::{DENSE_BUDGET, DENSE_GROUP};
use super::model::LinearModel;
use super::table::DENSE;
use super::vector::Scratch;

/// What the reference makes of a vectorized message.
pub(super) struct Reference {
    pub scores: Vec<f32>,
    /// How far the kernels' scores may be from `scores`, for every intent.
    pub tolerance: f32,
}

impl LinearModel {
    /// The reference scores of the message in `scratch.vector`.
    ///
    /// The tolerance is the kernels' own error bound plus f32 rounding. Dense rows are
    /// summed in groups of [`DENSE_GROUP`]; in a group whose multipliers are
    /// `v_1..v_r` the step is `s = max(Σ|v| / DENSE_BUDGET, max|v| / 32767)`. Each
    /// multiplier is rounded to a multiple of `s` (error ≤ `s / 2`, times a weight of
    /// at most 127: ≤ 63.5 s) and each product keeps its high 16 bits, in units of
    /// `256 s`, rounded down and corrected by half a unit on average (error ≤ 128 s). So
    /// a group is off by at most `191.5 r s`. Summing in another order in f32 adds a
    /// relative error, bounded generously by `1e-5` of the sum of the terms' magnitudes.
    pub(super) fn reference(&self, scratch: &Scratch) -> Reference {
        let vector = &scratch.vector;
        let mut scores = self.bias.clone();
        let mut magnitude = vec![0.0f32; self.classes];
        let mut add = |class: usize, term: f32| {
            scores[class] += term;
            magnitude[class] += term.abs();
        };
        // The multipliers of the dense rows, in the kernels' order: features, then words.
        let mut dense = Vec::new();
        for entry in &vector.entries {
            for class in 0..self.classes {
                add(class, entry.value * self.weight(entry.id, class));
            }
            let feature = self.table.feature(entry.id);
            if feature.len == DENSE {
                dense.push(entry.value * feature.scale);
            }
        }
        for &(word, _) in &vector.words {
            for class in 0..self.classes {
                add(class, vector.word_value * self.word_weight(word, class));
            }
            dense.push(vector.word_value * self.table.feature(word).vector_scale);
        }
        let fixed_point: f32 = dense
            .chunks(DENSE_GROUP)
            .map(|group| {
                let sum: f32 = group.iter().map(|v| v.abs()).sum();
                let max = group.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                let step = (sum / DENSE_BUDGET).max(max / i16::MAX as f32);
                191.5 * group.len() as f32 * step
            })
            .sum();
        let largest = magnitude
            .iter()
            .zip(&self.bias)
            .fold(0.0f32, |m, (&a, b)| m.max(a + b.abs()));
        Reference {
            scores,
            tolerance: fixed_point * 1.001 + 1e-5 * largest + 1e-6,
        }
    }
}
