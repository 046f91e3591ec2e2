//! What a training will cost, measured on its data before the solver runs, and the
//! limits that refuse a training too large to be worth waiting for.
//!
//! One-vs-rest training is inherently a product of intents and data: every intent
//! learns against every example, and every intent may have a weight for every feature.
//! So the two figures that bound a training are products:
//!
//! - **weights**, intents × distinct features: what the trained weights may take,
//!   one byte each (more for the sparse rows' class indices) in the model, a few
//!   bytes each while training;
//! - **work**, intents × feature occurrences (the nonzeros of the examples' vectors,
//!   summed over the examples): what one pass of the solver reads and updates, and it
//!   makes at most `max_iter` passes.
//!
//! Both are counted in O(1) from the vocabulary and the training matrix, which are
//! built in time linear in the data.

use super::table::{dense_stride, row_pitch, CACHE_LINE};

/// The most weights a model can lay out, whatever the limits say: rows are found by
/// 32-bit offsets.
pub(crate) const MAX_MODEL_WEIGHTS: u64 = u32::MAX as u64 - CACHE_LINE as u64;

/// The size of a training, counted before the solver runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TrainingCost {
    pub(crate) classes: usize,
    /// Distinct features of the training data.
    pub(crate) features: usize,
    /// Feature occurrences: the examples' vectors' nonzeros, summed.
    pub(crate) nonzeros: usize,
}

impl TrainingCost {
    /// Intents × distinct features: the most weights the model can have.
    pub(crate) fn weights(&self) -> u64 {
        (self.classes as u64).saturating_mul(self.features as u64)
    }

    /// Intents × feature occurrences: the weights one solver pass reads and updates.
    pub(crate) fn work(&self) -> u64 {
        (self.classes as u64).saturating_mul(self.nonzeros as u64)
    }

    /// The length of a dense row as laid out, `None` for more classes than a model
    /// could ever index (2^16), whose arithmetic is kept out of range.
    fn pitch(&self) -> Option<u64> {
        (self.classes <= 1 << 24).then(|| row_pitch(dense_stride(self.classes)) as u64)
    }

    /// What laying out every row dense would take, which must fit 32-bit offsets.
    fn layout(&self) -> u64 {
        self.pitch()
            .map_or(u64::MAX, |pitch| pitch.saturating_mul(self.features as u64))
    }

    /// The most [`weights`](TrainingCost::weights) the layout holds for these classes.
    fn layout_limit(&self) -> u64 {
        self.pitch().map_or(0, |pitch| {
            (MAX_MODEL_WEIGHTS / pitch).saturating_mul(self.classes as u64)
        })
    }
}

/// The limits a training is checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Budget {
    /// Most [`TrainingCost::weights`].
    pub(crate) max_weights: u64,
    /// Most [`TrainingCost::work`].
    pub(crate) max_work: u64,
}

impl Budget {
    /// No limit but what the model's layout can hold.
    pub(crate) const UNLIMITED: Budget = Budget {
        max_weights: u64::MAX,
        max_work: u64::MAX,
    };

    /// Checks `cost` against the limits, the layout's own first.
    pub(crate) fn check(&self, cost: &TrainingCost) -> Result<(), Oversized> {
        if cost.layout() > MAX_MODEL_WEIGHTS {
            return Err(Oversized {
                measure: Measure::Weights,
                limit: cost.layout_limit(),
                actual: cost.weights(),
            });
        }
        if cost.weights() > self.max_weights {
            return Err(Oversized {
                measure: Measure::Weights,
                limit: self.max_weights,
                actual: cost.weights(),
            });
        }
        if cost.work() > self.max_work {
            return Err(Oversized {
                measure: Measure::Work,
                limit: self.max_work,
                actual: cost.work(),
            });
        }
        Ok(())
    }
}

/// Which figure of a [`TrainingCost`] is over its limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Measure {
    Weights,
    Work,
}

/// A training refused before it started: `actual` of `measure` is over `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Oversized {
    pub(crate) measure: Measure,
    pub(crate) limit: u64,
    pub(crate) actual: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cost(classes: usize, features: usize, nonzeros: usize) -> TrainingCost {
        TrainingCost {
            classes,
            features,
            nonzeros,
        }
    }

    /// Each limit is inclusive, weights are checked before work, and the layout's own
    /// bound holds whatever the limits say.
    #[test]
    fn budget_checks_each_product_inclusively() {
        let budget = Budget {
            max_weights: 1_000,
            max_work: 5_000,
        };
        let over = |measure, limit, actual| {
            Err(Oversized {
                measure,
                limit,
                actual,
            })
        };
        let cases = [
            (cost(10, 100, 500), Ok(())),
            (cost(10, 101, 500), over(Measure::Weights, 1_000, 1_010)),
            (cost(10, 100, 501), over(Measure::Work, 5_000, 5_010)),
            (cost(10, 200, 900), over(Measure::Weights, 1_000, 2_000)),
            (cost(1, 1_000, 5_000), Ok(())),
        ];
        for (cost, expected) in cases {
            assert_eq!(budget.check(&cost), expected, "{cost:?}");
        }
        // 8 classes: rows of 8 weights. 2^32 / 8 features fill 32-bit offsets.
        let at_layout_bound = cost(8, (MAX_MODEL_WEIGHTS / 8) as usize, 0);
        assert_eq!(Budget::UNLIMITED.check(&at_layout_bound), Ok(()));
        let beyond = cost(8, (MAX_MODEL_WEIGHTS / 8) as usize + 1, 0);
        let err = Budget::UNLIMITED.check(&beyond).unwrap_err();
        assert_eq!(err.measure, Measure::Weights);
        assert!(err.actual > err.limit, "{err:?}");
        // Products saturate instead of wrapping.
        let huge = cost(usize::MAX, usize::MAX, usize::MAX);
        assert_eq!((huge.weights(), huge.work()), (u64::MAX, u64::MAX));
        assert!(Budget::UNLIMITED.check(&huge).is_err());
    }
}
