//! Keyword matching: `KeywordMatcher::find` (normalization, whole words, fuzzy fallback,
//! negation) against a bare leftmost-longest Aho-Corasick pass and a `regex::RegexSet`
//! of `\b(?:kw)\b` patterns, both over pre-normalized text, for 50 / 500 / 5,000
//! keywords and a ~100-character message.

use aho_corasick::{AhoCorasick, MatchKind};
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use handoff::{KeywordMatcher, Normalizer};
use regex::RegexSetBuilder;

/// splitmix64: a fixed-seed generator, so every run benches the same keywords.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A pronounceable pseudo-word of 2-4 syllables.
fn word(rng: &mut Rng) -> String {
    const ONSETS: [&str; 12] = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t"];
    const VOWELS: [&str; 5] = ["a", "e", "i", "o", "u"];
    let syllables = 2 + rng.below(3);
    (0..syllables)
        .map(|_| format!("{}{}", ONSETS[rng.below(12)], VOWELS[rng.below(5)]))
        .collect()
}

/// `n` distinct keywords, one in five a two-word phrase, spread over 10 intents.
fn keywords(n: usize) -> Vec<(String, String)> {
    let mut rng = Rng(42);
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let kw = if rng.below(5) == 0 {
            format!("{} {}", word(&mut rng), word(&mut rng))
        } else {
            word(&mut rng)
        };
        if seen.insert(kw.clone()) {
            out.push((format!("intent{}", out.len() % 10), kw));
        }
    }
    out
}

/// A ~100-character message with two of the keywords in it.
fn message(keywords: &[(String, String)]) -> String {
    let a = &keywords[keywords.len() / 3].1;
    let b = &keywords[2 * keywords.len() / 3].1;
    let mut m = format!(
        "Hi there! We don't need the {a} yet, but could you tell me more about {b} for our team"
    );
    m.truncate(m.len().min(110));
    m
}

fn bench(c: &mut Criterion) {
    let normalizer = Normalizer::default();
    let mut group = c.benchmark_group("keywords");
    for n in [50, 500, 5_000] {
        let entries = keywords(n);
        let msg = message(&entries);
        let normalized = normalizer.normalize(&msg).as_str().to_string();

        let matcher = KeywordMatcher::new(entries.iter().map(|(i, k)| (i, k))).unwrap();
        assert_eq!(matcher.find(&msg).len(), 2, "{msg}");
        group.bench_with_input(BenchmarkId::new("matcher_find", n), &msg, |b, msg| {
            b.iter(|| matcher.find(black_box(msg)))
        });

        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(entries.iter().map(|(_, k)| k))
            .unwrap();
        group.bench_with_input(
            BenchmarkId::new("aho_corasick_raw", n),
            &normalized,
            |b, text| b.iter(|| ac.find_iter(black_box(text.as_str())).count()),
        );

        let set = RegexSetBuilder::new(
            entries
                .iter()
                .map(|(_, k)| format!(r"\b(?:{})\b", regex::escape(k))),
        )
        .size_limit(1 << 30)
        .dfa_size_limit(1 << 30)
        .build()
        .unwrap();
        assert_eq!(set.matches(&normalized).iter().count(), 2);
        group.bench_with_input(BenchmarkId::new("regex_set", n), &normalized, |b, text| {
            b.iter(|| set.matches(black_box(text.as_str())).iter().count())
        });
    }
    group.finish();

    let mut build = c.benchmark_group("keywords_build");
    build.sample_size(10);
    for n in [50, 500, 5_000] {
        let entries = keywords(n);
        build.bench_with_input(BenchmarkId::new("matcher_new", n), &entries, |b, e| {
            b.iter(|| KeywordMatcher::new(e.iter().map(|(i, k)| (i, k))).unwrap())
        });
    }
    build.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
