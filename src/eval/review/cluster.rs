//! Grouping messages the bot had no intent for, so a person can name a new intent.
//!
//! Online leader clustering over content-word stems: each message joins the most
//! similar cluster (cosine between the message's stems and the cluster's stem counts)
//! when that similarity reaches the threshold, and starts a new cluster otherwise. An
//! inverted index from stem to clusters means a message is compared only with the
//! clusters that share a word with it. Deterministic for a given log order.
//!
//! Bounded: at most `2 * max_clusters` clusters live (the smallest are dropped, and
//! counted, when there are more), each keeps at most [`MAX_TERMS`] stems and a few
//! sample messages.

use std::collections::{BTreeMap, HashMap};

use super::words::{dedup_key, terms, Term};
use crate::eval::log::DecisionRecord;

/// Stems kept per cluster (its most frequent).
pub(crate) const MAX_TERMS: usize = 64;

#[derive(Clone, Debug)]
struct TermStat {
    count: u32,
    word: String,
}

#[derive(Clone, Debug)]
pub(crate) struct Cluster {
    terms: HashMap<String, TermStat>,
    /// Sum of squared counts: the centroid's squared norm.
    norm2: f64,
    pub size: usize,
    pub samples: Vec<DecisionRecord>,
    sample_keys: Vec<String>,
    seq: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Clusters {
    clusters: Vec<Cluster>,
    index: HashMap<String, Vec<usize>>,
    similarity: f64,
    max_clusters: usize,
    samples: usize,
    seq: u64,
}

impl Clusters {
    pub fn new(similarity: f32, max_clusters: usize, samples: usize) -> Self {
        Clusters {
            clusters: Vec::new(),
            index: HashMap::new(),
            similarity: f64::from(similarity),
            max_clusters: max_clusters.max(1),
            samples,
            seq: 0,
        }
    }

    pub fn add(&mut self, record: &DecisionRecord) {
        let terms = terms(&record.text);
        if terms.is_empty() {
            return;
        }
        self.seq += 1;
        let idx = match self.most_similar(&terms) {
            Some(i) => i,
            None => {
                self.clusters.push(Cluster {
                    terms: HashMap::new(),
                    norm2: 0.0,
                    size: 0,
                    samples: Vec::new(),
                    sample_keys: Vec::new(),
                    seq: self.seq,
                });
                self.clusters.len() - 1
            }
        };
        self.join(idx, &terms, record);
        if self.clusters.len() > 2 * self.max_clusters {
            self.prune();
        }
    }

    /// The cluster most similar to the message, if similar enough; ties go to the
    /// older cluster.
    fn most_similar(&self, terms: &[Term]) -> Option<usize> {
        let mut dots: BTreeMap<usize, f64> = BTreeMap::new();
        for t in terms {
            for &i in self.index.get(&t.stem).into_iter().flatten() {
                let count = self.clusters[i].terms.get(&t.stem).map_or(0, |s| s.count);
                *dots.entry(i).or_default() += f64::from(count);
            }
        }
        let norm = (terms.len() as f64).sqrt();
        let mut best: Option<(usize, f64)> = None;
        for (i, dot) in dots {
            let sim = dot / (norm * self.clusters[i].norm2.sqrt());
            if sim >= self.similarity && best.map_or(true, |(_, b)| sim > b) {
                best = Some((i, sim));
            }
        }
        best.map(|(i, _)| i)
    }

    fn join(&mut self, idx: usize, terms: &[Term], record: &DecisionRecord) {
        let cluster = &mut self.clusters[idx];
        cluster.size += 1;
        for t in terms {
            match cluster.terms.get_mut(&t.stem) {
                Some(s) => {
                    cluster.norm2 += f64::from(2 * s.count + 1);
                    s.count += 1;
                }
                None => {
                    cluster.norm2 += 1.0;
                    let stat = TermStat {
                        count: 1,
                        word: t.word.clone(),
                    };
                    cluster.terms.insert(t.stem.clone(), stat);
                    self.index.entry(t.stem.clone()).or_default().push(idx);
                }
            }
        }
        if cluster.samples.len() < self.samples {
            let key = dedup_key(&record.text);
            if !cluster.sample_keys.contains(&key) {
                cluster.sample_keys.push(key);
                cluster.samples.push(record.clone());
            }
        }
        if cluster.terms.len() > 2 * MAX_TERMS {
            self.trim_terms(idx);
        }
    }

    /// Keeps a cluster's most frequent stems (ties: alphabetical) and unindexes the rest.
    fn trim_terms(&mut self, idx: usize) {
        let cluster = &mut self.clusters[idx];
        let mut all: Vec<(String, TermStat)> = cluster.terms.drain().collect();
        all.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
        for (stem, _) in all.drain(MAX_TERMS..) {
            if let Some(postings) = self.index.get_mut(&stem) {
                postings.retain(|&i| i != idx);
                if postings.is_empty() {
                    self.index.remove(&stem);
                }
            }
        }
        cluster.norm2 = all.iter().map(|(_, s)| f64::from(s.count).powi(2)).sum();
        cluster.terms.extend(all);
    }

    /// Keeps the largest `max_clusters` (ties: the older) and rebuilds the index.
    fn prune(&mut self) {
        self.clusters
            .sort_by(|a, b| b.size.cmp(&a.size).then(a.seq.cmp(&b.seq)));
        self.clusters.truncate(self.max_clusters);
        self.index.clear();
        for (i, c) in self.clusters.iter().enumerate() {
            for stem in c.terms.keys() {
                self.index.entry(stem.clone()).or_default().push(i);
            }
        }
        // Postings in cluster order, so candidates are visited deterministically.
        for postings in self.index.values_mut() {
            postings.sort_unstable();
        }
    }

    /// Stems, samples and clusters held now.
    pub fn held(&self) -> usize {
        self.clusters
            .iter()
            .map(|c| 1 + c.terms.len() + c.samples.len())
            .sum()
    }

    /// Clusters of at least `min_size`, largest first (ties: the older), each with its
    /// most telling words.
    pub fn finish(mut self, min_size: usize, words: usize) -> Vec<(Cluster, Vec<String>)> {
        let live = self.clusters.len() as f64;
        self.clusters
            .sort_by(|a, b| b.size.cmp(&a.size).then(a.seq.cmp(&b.seq)));
        let mut out = Vec::new();
        for c in self.clusters.iter().filter(|c| c.size >= min_size.max(1)) {
            out.push((c.clone(), self.telling_words(c, live, words)));
        }
        out
    }

    /// Words frequent in the cluster and rare in the others (count times inverse
    /// cluster frequency), as the users wrote them.
    fn telling_words(&self, c: &Cluster, live: f64, n: usize) -> Vec<String> {
        let mut scored: Vec<(f64, &str, &str)> = c
            .terms
            .iter()
            .filter(|(_, s)| s.count >= 2 || c.size == 1)
            .map(|(stem, s)| {
                let df = self.index.get(stem).map_or(1, Vec::len) as f64;
                let idf = (1.0 + live / df).ln();
                (f64::from(s.count) * idf, stem.as_str(), s.word.as_str())
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored
            .into_iter()
            .take(n)
            .map(|(_, _, w)| w.to_string())
            .collect()
    }
}
