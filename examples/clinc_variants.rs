//! Builds two seeded variants of an evaluation data set, for measuring typo tolerance
//! and few-shot learning with the `evaluate` example.
//!
//! ```text
//! cargo run --release --example clinc_variants -- SOURCE_DIR OUT_DIR [--seed N] [--shots K]
//! ```
//!
//! SOURCE_DIR holds `train.jsonl`, `val.jsonl` and `test.jsonl` in the evaluation format
//! (`{"text": ..., "intent": ...}` per line, `oos` for "no intent"), such as
//! `../shared/data/clinc150`. It is read, never modified; the variants are written under
//! OUT_DIR (for example `target/data`), named after SOURCE_DIR:
//!
//! - `NAME-typos/`: train and val unchanged; every test message gets one random edit
//!   (delete, insert, substitute or transpose a letter, each equally likely) in one of
//!   its words of four or more letters, chosen uniformly. A message with no such word is
//!   kept as it is (the count is printed).
//! - `NAME-Kshot/` (K = 10 by default): K training lines per intent drawn without
//!   replacement, every `oos` training line kept, val and test unchanged.
//!
//! The same source and seed always give the same files.

use std::collections::BTreeMap;
use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};

mod dataset;

use dataset::{load, Line, OOS};

/// splitmix64: small, seedable and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is negligible for small `n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    fn letter(&mut self) -> char {
        (b'a' + self.below(26) as u8) as char
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

fn save(path: &Path, lines: &[Line]) -> Result<(), Box<dyn Error>> {
    let mut out = String::new();
    for line in lines {
        out.push_str(&serde_json::to_string(line)?);
        out.push('\n');
    }
    fs::write(path, out).map_err(|e| format!("cannot write {}: {e}", path.display()).into())
}

/// The char ranges (as char indices) of the words of `chars` with at least four
/// letters, a word being a run of alphabetic chars.
fn long_words(chars: &[char]) -> Vec<(usize, usize)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().chain(std::iter::once(&' ')).enumerate() {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= 4 {
                    words.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    words
}

/// `text` with one random edit in one of its words of four or more letters, or `None`
/// when it has no such word.
fn with_typo(text: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = text.chars().collect();
    let words = long_words(&chars);
    if words.is_empty() {
        return None;
    }
    let (start, end) = words[rng.below(words.len())];
    let len = end - start;
    match rng.below(4) {
        0 => {
            chars.remove(start + rng.below(len));
        }
        1 => chars.insert(start + rng.below(len + 1), rng.letter()),
        2 => {
            let at = start + rng.below(len);
            let mut letter = rng.letter();
            while letter == chars[at] {
                letter = rng.letter();
            }
            chars[at] = letter;
        }
        _ => {
            // Swap two adjacent letters that differ, so the edit is never a no-op.
            let places: Vec<usize> = (start..end - 1)
                .filter(|&i| chars[i] != chars[i + 1])
                .collect();
            if places.is_empty() {
                return with_typo(text, rng);
            }
            let at = places[rng.below(places.len())];
            chars.swap(at, at + 1);
        }
    }
    Some(chars.into_iter().collect())
}

fn typo_variant(source: &Path, out: &Path, seed: u64) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let mut rng = Rng(seed);
    let mut test = load(&source.join("test.jsonl"))?;
    let mut untouched = 0;
    for line in &mut test {
        match with_typo(&line.text, &mut rng) {
            Some(text) => line.text = text,
            None => untouched += 1,
        }
    }
    save(&out.join("test.jsonl"), &test)?;
    for split in ["train.jsonl", "val.jsonl"] {
        fs::copy(source.join(split), out.join(split))?;
    }
    println!(
        "{}: {} test messages, {untouched} without a word of four letters left as they were",
        out.display(),
        test.len()
    );
    Ok(())
}

fn few_shot_variant(
    source: &Path,
    out: &Path,
    seed: u64,
    shots: usize,
) -> Result<(), Box<dyn Error>> {
    fs::create_dir_all(out)?;
    let mut rng = Rng(seed);
    let train = load(&source.join("train.jsonl"))?;
    // Line numbers by intent, intents in order of first appearance.
    let mut by_intent: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut order = Vec::new();
    for (i, line) in train.iter().enumerate() {
        let lines = by_intent.entry(&line.intent).or_default();
        if lines.is_empty() {
            order.push(line.intent.as_str());
        }
        lines.push(i);
    }
    let mut kept = Vec::new();
    for intent in order {
        let mut lines = by_intent[intent].clone();
        if intent != OOS {
            rng.shuffle(&mut lines);
            lines.truncate(shots);
            lines.sort_unstable();
        }
        kept.extend(lines);
    }
    kept.sort_unstable();
    let sample: Vec<Line> = kept
        .into_iter()
        .map(|i| Line {
            text: train[i].text.clone(),
            intent: train[i].intent.clone(),
        })
        .collect();
    save(&out.join("train.jsonl"), &sample)?;
    for split in ["val.jsonl", "test.jsonl"] {
        fs::copy(source.join(split), out.join(split))?;
    }
    println!("{}: {} training lines", out.display(), sample.len());
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let usage = "usage: clinc_variants SOURCE_DIR OUT_DIR [--seed N] [--shots K]";
    let mut args = std::env::args().skip(1);
    let mut dirs: Vec<PathBuf> = Vec::new();
    let (mut seed, mut shots) = (20u64, 10usize);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).ok_or(usage)?,
            "--shots" => shots = args.next().and_then(|v| v.parse().ok()).ok_or(usage)?,
            _ => dirs.push(arg.into()),
        }
    }
    let [source, out] = <[PathBuf; 2]>::try_from(dirs).map_err(|_| usage)?;
    let name = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "data".into());
    typo_variant(&source, &out.join(format!("{name}-typos")), seed)?;
    few_shot_variant(
        &source,
        &out.join(format!("{name}-{shots}shot")),
        seed,
        shots,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levenshtein distance with adjacent transpositions (optimal string alignment).
    fn osa(a: &[char], b: &[char]) -> usize {
        let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for j in 0..=b.len() {
            d[0][j] = j;
        }
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                d[i][j] = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
                }
            }
        }
        d[a.len()][b.len()]
    }

    #[test]
    fn one_edit_in_one_long_word() {
        let mut rng = Rng(7);
        for text in [
            "what is my balance",
            "book a table for four",
            "i'd like some help",
        ] {
            for _ in 0..200 {
                let typo = with_typo(text, &mut rng).expect("has a long word");
                let a: Vec<char> = text.chars().collect();
                let b: Vec<char> = typo.chars().collect();
                assert_eq!(osa(&a, &b), 1, "{text} -> {typo}");
                let changed: Vec<_> = text
                    .split(' ')
                    .zip(typo.split(' '))
                    .filter(|(x, y)| x != y)
                    .collect();
                assert_eq!(changed.len(), 1, "{text} -> {typo}");
                assert!(changed[0].0.chars().filter(|c| c.is_alphabetic()).count() >= 4);
            }
        }
        assert_eq!(with_typo("a bb ccc", &mut rng), None);
    }
}
