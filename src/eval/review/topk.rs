//! A bounded, deduplicating "best k" list for streams.
//!
//! Items are keyed (by their dedup key); a repeated key adds an occurrence instead of
//! a new item. The list holds at most `4 * k` (at least 64) keys and, when it reaches
//! twice that, drops the lower-ranked half, so memory is `O(k)` whatever the stream's
//! length. Exact while the stream has fewer distinct keys than that; past it, a key
//! dropped early and seen again later starts counting again (the usual price of
//! bounded top-k; the best items, which are seldom dropped, are unaffected).

use std::cmp::Ordering;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub(crate) struct Ranked<T> {
    pub item: T,
    /// The strongest single occurrence's score.
    pub score: f64,
    pub occurrences: usize,
    /// Order of first arrival: breaks ties so results never depend on hashing.
    seq: u64,
}

impl<T> Ranked<T> {
    /// More occurrences teach more, with diminishing returns.
    pub fn rank(&self) -> f64 {
        self.score * (1.0 + (self.occurrences as f64).ln())
    }

    fn order(&self, other: &Self) -> Ordering {
        other
            .rank()
            .total_cmp(&self.rank())
            .then(self.seq.cmp(&other.seq))
    }
}

#[derive(Clone, Debug)]
pub(crate) struct TopK<T> {
    entries: HashMap<String, Ranked<T>>,
    keep: usize,
    seq: u64,
}

impl<T> TopK<T> {
    pub fn new(k: usize) -> Self {
        TopK {
            entries: HashMap::new(),
            keep: k.saturating_mul(4).max(64),
            seq: 0,
        }
    }

    /// Adds an occurrence of `key` with `score`; `make` builds the item the first time.
    pub fn add(&mut self, key: String, score: f64, make: impl FnOnce() -> T) {
        self.seq += 1;
        if let Some(e) = self.entries.get_mut(&key) {
            e.occurrences += 1;
            e.score = e.score.max(score);
            return;
        }
        let seq = self.seq;
        self.entries.insert(
            key,
            Ranked {
                item: make(),
                score,
                occurrences: 1,
                seq,
            },
        );
        if self.entries.len() >= 2 * self.keep {
            self.prune(self.keep);
        }
    }

    /// Drops the items `keep` rejects.
    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.entries.retain(|_, e| keep(&e.item));
    }

    /// Items held now (bounded by `8 * k`).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    fn prune(&mut self, keep: usize) {
        let mut all: Vec<(String, Ranked<T>)> = self.entries.drain().collect();
        all.sort_by(|a, b| a.1.order(&b.1));
        all.truncate(keep);
        self.entries.extend(all);
    }

    /// The best `k`, best first.
    pub fn into_best(self, k: usize) -> Vec<Ranked<T>> {
        let mut all: Vec<Ranked<T>> = self.entries.into_values().collect();
        all.sort_by(|a, b| a.order(b));
        all.truncate(k);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_count_and_rank_higher() {
        let mut t = TopK::new(2);
        t.add("a".into(), 0.5, || "a");
        t.add("b".into(), 0.6, || "b");
        t.add("a".into(), 0.4, || unreachable!());
        let best = t.into_best(2);
        assert_eq!(best[0].item, "a");
        assert_eq!((best[0].occurrences, best[0].score), (2, 0.5));
        assert_eq!(best[1].item, "b");
    }

    #[test]
    fn memory_stays_bounded_and_the_best_survive() {
        let mut t = TopK::new(3);
        for i in 0..10_000u32 {
            let score = if i % 1000 == 7 { 1.0 } else { 0.1 };
            t.add(format!("k{i}"), score, || i);
            assert!(t.len() < 2 * 64);
        }
        let best: Vec<u32> = t.into_best(3).into_iter().map(|r| r.item).collect();
        assert_eq!(best, [7, 1007, 2007]);
    }
}
