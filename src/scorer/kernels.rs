//! Inference kernels: summing the weight rows of a message's features into one score
//! per intent. Sparse rows are summed in f32; dense rows in 16-bit fixed point, eight
//! intents per instruction.
//!
//! Complexity: O(entries × row length): a sparse row costs its length, a dense row
//! `stride` (the intent count rounded up to 8) multiply-adds, done 8 at a time.

use super::meaning::ListedWord;
use super::model::LinearModel;
use super::table::{sparse_class, sparse_weight, DenseRow, DENSE};
use super::vector::{Scratch, SparseVector};

impl LinearModel {
    /// Sets `scratch.scores` to the class scores of `scratch.vector`.
    pub(crate) fn score(&self, scratch: &mut Scratch) {
        let Scratch {
            vector,
            scores,
            dense,
            fixed,
            residual,
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
        self.meaning.push_rows(&vector.listed, dense, residual);
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
    pub(super) fn dense_row(&self, row: DenseRow) -> &[i8] {
        let (weights, start) = self.dense_weights(row);
        &weights[start as usize..][..self.stride]
    }

    /// The weights a dense row is stored in, and where it starts there.
    #[inline]
    pub(super) fn dense_weights(&self, row: DenseRow) -> (&[i8], u32) {
        match row {
            DenseRow::Feature(start) => (&self.row_weight, start),
            DenseRow::Word(start) => (&self.word_weight, start),
            DenseRow::Meaning(start) => (&self.meaning.weights, start),
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
    pub(super) fn add_dense(
        &self,
        scores: &mut [f32],
        rows: &[(DenseRow, f32)],
        fixed: &mut [i16],
    ) {
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
    pub(super) fn add_group<const N: usize>(
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

    /// What listed word `word` of the last scored message adds to `class`'s score
    /// through the meaning block.
    pub(crate) fn meaning_weight(
        &self,
        vector: &SparseVector,
        word: &ListedWord,
        class: usize,
    ) -> f32 {
        self.meaning.word_weight(&vector.listed, word, class)
    }

    /// The weight for `class` of the character vector of feature `word`.
    pub(crate) fn word_weight(&self, word: u32, class: usize) -> f32 {
        let word = self.table.feature(word);
        self.dense_row(DenseRow::Word(word.vector))
            .get(class)
            .map_or(0.0, |&w| w as f32 * word.vector_scale)
    }
}

/// Dense rows are summed in groups of at most this many.
pub(super) const DENSE_GROUP: usize = 64;

/// Bound on the sum of a group's 16-bit multipliers' magnitudes: with weights of at
/// most 127 in magnitude, `127 × DENSE_BUDGET / 256` plus one rounding unit per row
/// stays below `i16::MAX`, so the 16-bit sums cannot overflow.
pub(super) const DENSE_BUDGET: f32 = 64_000.0;

/// `weight × multiplier / 256`, rounded down: the high half of the 32-bit product of
/// `weight × 256` and `multiplier`.
#[inline(always)]
pub(super) fn mul_high(weight: i8, multiplier: i16) -> i16 {
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
pub(super) fn add_rows_fixed<const N: usize>(
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
