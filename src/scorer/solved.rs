//! The solver's weights on their way to the layout, nonzero weights only:
//! - [`SolvedWeights`]: block by block of classes (up to [`MAX_BLOCK`]), stored as the
//!   solver finishes each: 4 bytes per weight, plus a class mask and an offset per feature
//!   and block (6 bytes);
//! - [`FeatureRows`]: the same weights feature by feature, each row one slice in class
//!   order (6 bytes per weight), which laying out the model and precomputing its
//!   character vectors read one row at a time. Transposing frees each block once
//!   copied.
//!
//! Complexity: storing a block is O(features × block width); transposing is
//! O(blocks × features + weights); reading a row is O(its length).

/// Which classes of a block have a weight for one feature: bit `k` for the block's
/// `k`-th class.
type Mask = u16;

/// The most classes a block may have: one bit each in a [`Mask`].
pub(super) const MAX_BLOCK: usize = Mask::BITS as usize;

/// Every class's nonzero weights, by block of classes.
#[derive(Debug, Default)]
pub(super) struct SolvedWeights {
    blocks: Vec<Block>,
    vocab: usize,
}

/// One block's nonzero weights, feature by feature.
#[derive(Debug)]
struct Block {
    /// The block's first class.
    first: usize,
    /// Per feature, where its weights start in `weight`; one more entry at the end.
    start: Vec<u32>,
    /// Per feature, which classes have a weight.
    mask: Vec<Mask>,
    /// The nonzero weights, by feature, then class.
    weight: Vec<f32>,
}

impl SolvedWeights {
    /// No weights yet, for `vocab` features.
    pub(super) fn new(vocab: usize) -> Self {
        SolvedWeights {
            blocks: Vec::new(),
            vocab,
        }
    }

    /// Stores the block of classes starting at `first`: `rows` holds `width` weights per
    /// feature (at least `vocab` rows), of which the first `len` are the block's
    /// classes (`len <= width`, `len <= MAX_BLOCK`). The block must follow the one
    /// stored before it.
    ///
    /// A block has at most `len × vocab` weights, which the caller keeps below
    /// `u32::MAX` (see `cost::MAX_MODEL_WEIGHTS`).
    pub(super) fn push_block(&mut self, first: usize, len: usize, width: usize, rows: &[f32]) {
        debug_assert!(len <= width && len <= MAX_BLOCK, "a block of {len} classes");
        let mut block = Block {
            first,
            start: Vec::with_capacity(self.vocab + 1),
            mask: Vec::with_capacity(self.vocab),
            weight: Vec::new(),
        };
        for row in rows.chunks_exact(width).take(self.vocab) {
            block.start.push(block.weight.len() as u32);
            let mut mask: Mask = 0;
            for (k, &w) in row[..len].iter().enumerate() {
                if w != 0.0 {
                    mask |= 1 << k;
                    block.weight.push(w);
                }
            }
            block.mask.push(mask);
        }
        block.start.push(block.weight.len() as u32);
        block.weight.shrink_to_fit();
        self.blocks.push(block);
    }
}

/// Every class's nonzero weights, feature-major: one contiguous row per feature, its
/// classes in order. What laying out and precomputing read, one row at a time.
#[derive(Debug)]
pub(super) struct FeatureRows {
    /// Where each feature's row starts in `class` and `weight`; one more at the end.
    start: Vec<usize>,
    class: Vec<u16>,
    weight: Vec<f32>,
}

impl FeatureRows {
    /// The rows of `solved`, whose blocks are freed as they are copied, so that the
    /// two are not held whole at once.
    pub(super) fn transpose(solved: SolvedWeights) -> FeatureRows {
        let mut lens = vec![0usize; solved.vocab];
        for block in &solved.blocks {
            for (len, mask) in lens.iter_mut().zip(&block.mask) {
                *len += mask.count_ones() as usize;
            }
        }
        let mut start = Vec::with_capacity(solved.vocab + 1);
        start.push(0usize);
        for len in lens {
            start.push(start[start.len() - 1] + len);
        }
        let nonzeros = start[solved.vocab];
        // Zeroed, so only the pages written so far take memory.
        let mut class = vec![0u16; nonzeros];
        let mut weight = vec![0.0f32; nonzeros];
        let mut fill = start.clone();
        for block in solved.blocks {
            for (f, (&mask, &at)) in block.mask.iter().zip(&block.start).enumerate() {
                let (mut mask, mut at) = (mask, at as usize);
                while mask != 0 {
                    class[fill[f]] = (block.first + mask.trailing_zeros() as usize) as u16;
                    weight[fill[f]] = block.weight[at];
                    fill[f] += 1;
                    at += 1;
                    mask &= mask - 1;
                }
            }
        }
        FeatureRows {
            start,
            class,
            weight,
        }
    }

    /// The number of features.
    pub(super) fn features(&self) -> usize {
        self.start.len() - 1
    }

    /// How many classes have a weight for `feature`.
    pub(super) fn len(&self, feature: u32) -> usize {
        let f = feature as usize;
        self.start[f + 1] - self.start[f]
    }

    /// Feature `feature`'s classes and weights, in class order.
    pub(super) fn row(&self, feature: u32) -> (&[u16], &[f32]) {
        let f = feature as usize;
        let range = self.start[f]..self.start[f + 1];
        (&self.class[range.clone()], &self.weight[range])
    }

    /// Class `class`'s nonzero weights, by feature.
    #[cfg(test)]
    pub(super) fn of_class(&self, class: usize) -> Vec<(u32, f32)> {
        let vocab = self.start.len() - 1;
        (0..vocab as u32)
            .filter_map(|f| {
                let (classes, weights) = self.row(f);
                let at = classes.iter().position(|&c| c as usize == class)?;
                Some((f, weights[at]))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The solver's block width.
    const WIDTH: usize = 16;

    proptest! {
        /// Stored block by block and transposed, the weights are each class's nonzero
        /// weights, in feature then class order, for full and partial blocks.
        #[test]
        fn rows_hold_every_nonzero_weight_in_class_order(
            classes in 1usize..40,
            vocab in 0usize..12,
            seed in any::<u64>(),
        ) {
            let mut rng = crate::seeded::Rng::seeded(seed);
            // weights[class][feature], a third of them zero.
            let weights: Vec<Vec<f32>> = (0..classes)
                .map(|_| {
                    (0..vocab)
                        .map(|_| match rng.below(3) {
                            0 => 0.0,
                            _ => rng.below(1000) as f32 - 499.5,
                        })
                        .collect()
                })
                .collect();
            let mut solved = SolvedWeights::new(vocab);
            for first in (0..classes).step_by(WIDTH) {
                let len = (classes - first).min(WIDTH);
                // WIDTH per feature and a bias row; what is not the block's
                // (7.0) is never read.
                let mut rows = vec![7.0f32; (vocab + 1) * WIDTH];
                for f in 0..vocab {
                    for k in 0..WIDTH {
                        if k < len {
                            rows[f * WIDTH + k] = weights[first + k][f];
                        }
                    }
                }
                solved.push_block(first, len, WIDTH, &rows);
            }
            let rows = FeatureRows::transpose(solved);
            prop_assert_eq!(rows.features(), vocab);
            // Each feature's (class, weight) pairs, nonzero only, in class order.
            let mut by_feature: Vec<Vec<(u16, f32)>> = vec![Vec::new(); vocab];
            for (c, row) in weights.iter().enumerate() {
                for (pairs, &w) in by_feature.iter_mut().zip(row) {
                    if w != 0.0 {
                        pairs.push((c as u16, w));
                    }
                }
            }
            for (f, expected) in by_feature.into_iter().enumerate() {
                let (got_classes, got_weights) = rows.row(f as u32);
                let got: Vec<(u16, f32)> =
                    got_classes.iter().copied().zip(got_weights.iter().copied()).collect();
                prop_assert_eq!(rows.len(f as u32), expected.len());
                prop_assert_eq!(got, expected);
            }
        }
    }
}
