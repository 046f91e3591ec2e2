//! The solver: one L2-regularized squared-hinge SVM per intent (one-vs-rest), by dual
//! coordinate descent with shrinking (Hsieh et al., 2008), classes in blocks.
//!
//! Complexity: a joint pass reads the matrix once per block of `CLASS_BLOCK` classes
//! and does `CLASS_BLOCK` multiply-adds per non-zero; a lone pass reads only its
//! class's remaining examples; at most `max_iter` passes per block.

use std::ops::Range;

use crate::seeded::Rng;

use super::cost::Budget;
use super::solved::{SolvedWeights, MAX_BLOCK};

/// Training options.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TrainOptions {
    /// The SVM's C: higher fits the training phrases more closely.
    pub c: f32,
    /// Stopping tolerance on the projected gradient.
    pub eps: f32,
    pub max_iter: usize,
    /// The limits on the training's size, checked before the solver runs.
    pub budget: Budget,
    /// The meaning block's weight against the other blocks (each of unit length);
    /// 0 trains without it.
    pub meaning: f32,
    /// Whether every listed word gets a precomputed meaning row (within the budget),
    /// not only those of the training data: the model then scores any listed word in
    /// one row. Off for models that only score held-out data for calibration.
    pub all_listed: bool,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            c: 1.0,
            eps: 0.1,
            max_iter: 10,
            budget: Budget::UNLIMITED,
            meaning: 0.0,
            all_listed: false,
        }
    }
}

/// The training matrix: CSR rows of L2-normalized TF-IDF values.
pub(super) struct Matrix<'a> {
    pub(super) start: &'a [usize],
    pub(super) index: &'a [u32],
    pub(super) value: &'a [f32],
}

/// Classes trained together. Their joint passes keep the weights feature-major, a row
/// of `CLASS_BLOCK` per feature: one cache line, and memory bounded however many
/// intents there are.
pub(super) const CLASS_BLOCK: usize = 16;

// Which classes of a block have a weight is kept in one bit each.
const _: () = assert!(CLASS_BLOCK <= MAX_BLOCK);

/// Joint passes visit the examples in runs of this many consecutive rows, in random
/// order: the rows are stored in random order already, and reading them in runs lets
/// the memory system stream them.
pub(super) const RUN: usize = 32;

/// Joint passes before the classes first go on alone (each stretch alone is followed
/// by one more, which checks on all examples).
pub(super) const JOINT_PASSES: usize = 2;

/// One L2-loss SVM per class (one-vs-rest), by dual coordinate descent with shrinking
/// (Hsieh et al., 2008). Returns the classes' nonzero weights and their biases.
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
pub(super) fn train_one_vs_rest(
    x: &Matrix<'_>,
    qd: &[f32],
    labels: &[Option<usize>],
    classes: usize,
    vocab: usize,
    options: TrainOptions,
) -> (SolvedWeights, Vec<f32>) {
    let l = labels.len();
    let mut solved = SolvedWeights::new(vocab);
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
        solved.push_block(first, block, CLASS_BLOCK, &joint.weights);
        bias.extend_from_slice(&joint.weights[vocab * CLASS_BLOCK..][..block]);
        first += block;
    }
    (solved, bias)
}

/// Moves the dual variable `alpha` (label `y`, gradient `g`, Hessian diagonal `qd`) to
/// its optimum along its own coordinate, kept at 0 or above; returns how much its
/// example's vector is to be added to the weights.
pub(super) fn coordinate_step(alpha: &mut f32, g: f32, qd: f32, y: f32) -> f32 {
    let old = *alpha;
    *alpha = (old - g / qd).max(0.0);
    (*alpha - old) * y
}

/// A block of binary problems (one class against the rest each) solved together.
/// Weights are feature-major, `CLASS_BLOCK` per feature (the last row is the bias, a
/// feature that is 1 in every example); dual variables are example-major, also
/// `CLASS_BLOCK` per example. A block with fewer classes leaves the rest of each row 0.
pub(super) struct JointProblem<'a, 'b> {
    pub(super) x: &'a Matrix<'b>,
    /// `qd[i]`: the diagonal of the dual Hessian for example `i`.
    pub(super) qd: &'a [f32],
    pub(super) labels: &'a [Option<usize>],
    pub(super) classes: Range<usize>,
    pub(super) weights: Vec<f32>,
    pub(super) alpha: Vec<f32>,
    pub(super) diag: f32,
}

impl JointProblem<'_, '_> {
    pub(super) fn label(&self, i: usize, k: usize) -> f32 {
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
    pub(super) fn pass(
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
    pub(super) fn solve_alone(
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
