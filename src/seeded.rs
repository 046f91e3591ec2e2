//! Seeded randomness shared by the crate: one generator ([`Rng`]) and one k-fold
//! assignment ([`Folds`]), used by training (the solver's pass order), calibration
//! (its cross-validation folds) and `eval::cross_validate`.
//!
//! Everything here is a pure function of its seed: the same data and options give the
//! same model on every platform.
//!
//! Complexity: a draw is O(1); a shuffle and a fold assignment are O(items).

/// xorshift64 (Marsaglia 2003, shifts 13, 7, 17): a tiny generator, good enough to
/// order passes and shuffle folds, and the same on every platform.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

/// 2^64 divided by the golden ratio: spreads small seeds over all bits.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Rng {
    /// A generator for `seed`: any seed is fine, small ones included.
    pub(crate) fn seeded(seed: u64) -> Self {
        // Odd, so the state is never 0 (xorshift's one fixed point).
        Rng(seed.wrapping_mul(GOLDEN) | 1)
    }

    /// A generator starting from `state` itself (0 is replaced by 1).
    pub(crate) const fn from_state(state: u64) -> Self {
        Rng(if state == 0 { 1 } else { state })
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (`n > 0`), by modulo: the bias, below `n / 2^64`, is nothing
    /// to shuffling.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Fisher-Yates from the front: each position in turn takes a random item of those
    /// from it to the end. Makes one draw per item.
    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        let n = items.len();
        for s in 0..n {
            let j = s + self.below(n - s);
            items.swap(s, j);
        }
    }

    /// Fisher-Yates from the back: each position from the last down to the second takes
    /// a random item of those up to it. Makes one draw per item but the first.
    ///
    /// The two orders make different permutations from the same stream. Both are kept
    /// because trained models depend on both (the solver's pass order on
    /// [`shuffle`](Rng::shuffle), calibration folds on this one), and a model must not
    /// change with a refactoring.
    pub(crate) fn shuffle_from_back<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// A k-fold assignment of items `0..n`, stratified by group: the items are numbered
/// group after group; each group's items are shuffled and dealt round-robin into the
/// folds, the dealing continuing from group to group, so that every group's folds, and
/// the folds overall, stay within one item of each other in size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Folds {
    count: usize,
    /// The fold of each item.
    fold_of: Vec<usize>,
    /// The items in the order they were dealt.
    dealt: Vec<usize>,
}

impl Folds {
    /// Deals the items of groups of the given sizes into `count` folds (`count > 0`).
    pub(crate) fn deal(
        groups: impl IntoIterator<Item = usize>,
        count: usize,
        rng: &mut Rng,
    ) -> Folds {
        assert!(count > 0, "at least one fold");
        let (mut fold_of, mut dealt) = (Vec::new(), Vec::new());
        for size in groups {
            let first = fold_of.len();
            let mut order: Vec<usize> = (first..first + size).collect();
            rng.shuffle_from_back(&mut order);
            fold_of.resize(first + size, 0);
            for item in order {
                fold_of[item] = dealt.len() % count;
                dealt.push(item);
            }
        }
        Folds {
            count,
            fold_of,
            dealt,
        }
    }

    /// The fold of `item`.
    pub(crate) fn of(&self, item: usize) -> usize {
        self.fold_of[item]
    }

    /// Every fold in turn, as the items to train on and the items held out: both in
    /// the order they were dealt. Folds that were dealt no item (more folds than
    /// items) are left out, so a huge fold count costs nothing.
    pub(crate) fn splits(&self) -> impl Iterator<Item = Split> + '_ {
        (0..self.count.min(self.dealt.len())).map(move |fold| {
            let (held_out, train) = self.dealt.iter().partition(|&&i| self.fold_of[i] == fold);
            Split {
                fold,
                train,
                held_out,
            }
        })
    }
}

/// One round of cross-validation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Split {
    pub fold: usize,
    pub train: Vec<usize>,
    pub held_out: Vec<usize>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{Folds, Rng, GOLDEN};

    #[test]
    fn xorshift64_matches_the_reference_sequence() {
        // x ^= x << 13; x ^= x >> 7; x ^= x << 17, from 1, computed by hand.
        let mut rng = Rng::from_state(1);
        assert_eq!(rng.next_u64(), 0x4082_2041);
        assert_eq!(rng.next_u64(), 0x1000_4106_0C01_1441);
        let mut zero = Rng::from_state(0);
        assert_ne!(zero.next_u64(), 0);
        assert_ne!(Rng::seeded(42).next_u64(), Rng::seeded(43).next_u64());
    }

    /// The shuffles as written before they were shared, inline in the solver and in
    /// calibration: the models depend on these exact permutations.
    fn solver_shuffle(order: &mut [usize], rng: &mut u64) {
        let n = order.len();
        for s in 0..n {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 7;
            *rng ^= *rng << 17;
            let j = s + (*rng % (n - s) as u64) as usize;
            order.swap(s, j);
        }
    }

    fn calibration_shuffle(order: &mut [usize], mut rng: u64) {
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
    }

    proptest! {
        #[test]
        fn shuffles_are_the_permutations_models_were_trained_with(
            n in 0usize..300,
            seed in any::<u64>(),
        ) {
            let mut expected: Vec<usize> = (0..n).collect();
            let mut state = seed.wrapping_mul(GOLDEN) | 1;
            solver_shuffle(&mut expected, &mut state);
            let mut rng = Rng::seeded(seed);
            let mut actual: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut actual);
            prop_assert_eq!(&actual, &expected);
            // The stream continues where the reference left it.
            prop_assert_eq!(rng.next_u64(), {
                solver_shuffle(&mut [0], &mut state);
                state
            });

            let state = seed | 1;
            let mut expected: Vec<usize> = (0..n).collect();
            calibration_shuffle(&mut expected, state);
            let mut actual: Vec<usize> = (0..n).collect();
            Rng::from_state(state).shuffle_from_back(&mut actual);
            prop_assert_eq!(actual, expected);
        }

        #[test]
        fn folds_are_balanced_stratified_and_cover_every_item_once(
            groups in prop::collection::vec(0usize..20, 0..8),
            count in 1usize..7,
            seed in any::<u64>(),
        ) {
            let folds = Folds::deal(groups.iter().copied(), count, &mut Rng::seeded(seed));
            let n: usize = groups.iter().sum();
            let balanced = |items: &mut dyn Iterator<Item = usize>| {
                let mut sizes = vec![0usize; count];
                items.for_each(|i| sizes[folds.of(i)] += 1);
                sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1
            };
            prop_assert!(balanced(&mut (0..n)));
            let mut first = 0;
            for &size in &groups {
                prop_assert!(balanced(&mut (first..first + size)));
                first += size;
            }
            let mut held_out = vec![0usize; n];
            prop_assert_eq!(folds.splits().count(), count.min(n));
            for split in folds.splits() {
                prop_assert_eq!(split.train.len() + split.held_out.len(), n);
                for &i in &split.held_out {
                    prop_assert_eq!(folds.of(i), split.fold);
                    held_out[i] += 1;
                }
                prop_assert!(split.train.iter().all(|&i| folds.of(i) != split.fold));
            }
            prop_assert!(held_out.iter().all(|&h| h == 1));
            prop_assert_eq!(&folds, &Folds::deal(groups.iter().copied(), count, &mut Rng::seeded(seed)));
        }
    }

    #[test]
    fn one_group_deals_in_shuffled_order_round_robin() {
        // Calibration's folds as they were computed inline: shuffle, then position k
        // goes to fold k % count, items listed in shuffled order.
        let (n, count, state) = (23, 5, 0x2545_F491_4F6C_DD1D);
        let mut order: Vec<usize> = (0..n).collect();
        calibration_shuffle(&mut order, state);
        let folds = Folds::deal([n], count, &mut Rng::from_state(state));
        for split in folds.splits() {
            let train: Vec<usize> = order
                .iter()
                .enumerate()
                .filter(|(k, _)| k % count != split.fold)
                .map(|(_, &i)| i)
                .collect();
            let held_out: Vec<usize> = order
                .iter()
                .enumerate()
                .filter(|(k, _)| k % count == split.fold)
                .map(|(_, &i)| i)
                .collect();
            assert_eq!((split.train, split.held_out), (train, held_out));
        }
    }
}
