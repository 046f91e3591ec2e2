//! Ranking the best candidates of a detection among all intents' scores.

/// How many alternatives a detection ranks.
pub(super) const ALTERNATIVES: usize = 5;

/// Scores are scanned this many at a time by [`best_scores`]: for its floor, and for
/// its mask, where eight groups of eight fill a 64-bit word.
const LANES: usize = 8;
const _: () = assert!(LANES * LANES == 64);

/// The best `(class, score)` pairs, best first, ties to the lower class, and how many
/// there are (fewer than [`ALTERNATIVES`] only with fewer classes; NaN never ranks).
///
/// Inserting class by class mispredicts a branch at almost every insertion while the
/// ranking fills up, so a floor comes first. The maxima of the lanes (every eighth
/// score) are scores of different classes, so the fifth best of them is at most the
/// fifth best score: only scores at or above it can rank. They are picked out as a
/// bitmask, 64 scores a word, and only they are inserted, typically five to ten (in
/// the mask's order, so insertion breaks ties by class). O(classes).
pub(super) fn best_scores(scores: &[f32]) -> ([(usize, f32); ALTERNATIVES], usize) {
    let mut floor = f32::NEG_INFINITY;
    if scores.len() >= LANES {
        let mut lanes = [f32::NEG_INFINITY; LANES];
        for chunk in scores.chunks_exact(LANES) {
            for (lane, &s) in lanes.iter_mut().zip(chunk) {
                // `>` keeps the lane's maximum on NaN.
                *lane = if s > *lane { s } else { *lane };
            }
        }
        let mut best = [f32::NEG_INFINITY; ALTERNATIVES];
        for max in lanes {
            insert(&mut best, max, |&other| max > other);
        }
        floor = best[ALTERNATIVES - 1];
    }
    // -inf never ranks, whatever the floor (nor NaN: it compares false).
    let floor = floor.max(f32::MIN);
    let mut top = [(usize::MAX, f32::NEG_INFINITY); ALTERNATIVES];
    for (block, chunk) in scores.chunks(64).enumerate() {
        // Bit 8i + k stands for score 8k + i of the block: at or above the floor. The
        // compares of each eight vectorize into one byte each, and the eights
        // interleave by a shift, with no branch and no multiply. Full eights apart
        // from the last partial one: a shared path built each word in memory from two
        // half stores, and reading it back could not be forwarded from them.
        let mut above = 0u64;
        let mut eights = chunk.chunks_exact(LANES);
        for (k, eight) in (&mut eights).enumerate() {
            let mut bytes = [0u8; LANES];
            for (byte, &s) in bytes.iter_mut().zip(eight) {
                *byte = u8::from(s >= floor);
            }
            above |= u64::from_le_bytes(bytes) << k;
        }
        let k = chunk.len() / LANES;
        for (i, &s) in eights.remainder().iter().enumerate() {
            above |= u64::from(s >= floor) << (LANES * i + k);
        }
        while above != 0 {
            let bit = above.trailing_zeros() as usize;
            above &= above - 1;
            let class = block * 64 + bit % LANES * LANES + bit / LANES;
            let s = scores[class];
            // The mask's order is not the classes': ties go to the lower class here.
            let beats = |&(other, score): &(usize, f32)| s > score || (s == score && class < other);
            insert(&mut top, (class, s), beats);
        }
    }
    let count = top
        .iter()
        .take_while(|&&(class, _)| class != usize::MAX)
        .count();
    (top, count)
}

/// Inserts `item` into `ranked` (best first) if it `beats` the last, above every entry
/// it beats.
fn insert<T: Copy>(ranked: &mut [T; ALTERNATIVES], item: T, beats: impl Fn(&T) -> bool) {
    if beats(&ranked[ALTERNATIVES - 1]) {
        let mut at = ALTERNATIVES - 1;
        while at > 0 && beats(&ranked[at - 1]) {
            ranked[at] = ranked[at - 1];
            at -= 1;
        }
        ranked[at] = item;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The ranking by a stable sort: so simple it is unlikely to be wrong.
    fn best_by_sorting(scores: &[f32]) -> Vec<(usize, f32)> {
        let mut ranked: Vec<(usize, f32)> = scores
            .iter()
            .copied()
            .enumerate()
            .filter(|&(_, s)| s > f32::NEG_INFINITY)
            .collect();
        ranked.sort_by(|a, b| b.1.partial_cmp(&a.1).expect("no NaN left"));
        ranked.truncate(ALTERNATIVES);
        ranked
    }

    fn score() -> impl Strategy<Value = f32> {
        prop_oneof![
            // Few distinct values, so ties are common.
            (-3i8..3).prop_map(|v| v as f32 * 0.5),
            any::<f32>(),
            Just(f32::NAN),
            Just(f32::INFINITY),
            Just(f32::NEG_INFINITY),
            Just(-0.0f32),
        ]
    }

    #[test]
    fn best_scores_find_the_best_anywhere() {
        for len in [1, 4, 5, 7, 8, 9, 63, 64, 65, 127, 128, 129, 150, 300] {
            for best in [0, len / 2, len - 1] {
                let mut scores: Vec<f32> = (0..len).map(|i| -(i as f32) / 1000.0).collect();
                scores[best] = 1.0;
                let (top, count) = best_scores(&scores);
                assert_eq!(count, len.min(ALTERNATIVES), "{len} scores");
                assert_eq!(top[0], (best, 1.0), "{len} scores, best at {best}");
                assert_eq!(best_by_sorting(&scores), top[..count].to_vec());
            }
        }
    }

    proptest! {
        #[test]
        fn best_scores_rank_like_a_sort(scores in prop::collection::vec(score(), 0..400)) {
            let (top, count) = best_scores(&scores);
            let want = best_by_sorting(&scores);
            prop_assert_eq!(count, want.len());
            for (got, want) in top[..count].iter().zip(&want) {
                prop_assert_eq!(got.0, want.0);
                prop_assert_eq!(got.1.to_bits(), want.1.to_bits());
            }
        }
    }
}
