//! `IntentModel::detect` per message: on 200 CLINC150 test messages (150 intents, 15,000
//! training phrases) against a naive nearest-phrase classifier that scans every training
//! phrase (token-set Jaccard) and against the same model with word vectors
//! (`ModelOptions::word_vectors`), and on the sales intent set for messages of 20 B to
//! 16 KiB. The word vectors' cost is also printed as a ratio measured interleaved in one
//! process (`detect/word_vectors_interleaved_ratio`).
//!
//! `cargo bench --bench detect`
//!
//! CLINC150 is read from `../shared/data/clinc150` next to the crate; without it, a
//! generated set of 150 intents of 100 phrases each stands in.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handoff::{Intent, IntentModel, Normalizer};

/// How many test messages one iteration classifies.
const SLICE: usize = 200;

/// A labelled line; `None` is "no intent" (the `oos` label).
struct Labeled {
    text: String,
    intent: Option<String>,
}

struct Data {
    name: &'static str,
    intents: Vec<Intent>,
    negatives: Vec<String>,
    calibration: Vec<Labeled>,
    test: Vec<Labeled>,
}

/// The evaluation data sets' reader, shared with the examples.
#[path = "../examples/dataset/mod.rs"]
mod dataset;

/// The lines with `oos` read as "no intent".
fn labeled(lines: Vec<dataset::Line>) -> Vec<Labeled> {
    lines
        .into_iter()
        .map(|l| Labeled {
            intent: (l.intent != dataset::OOS).then_some(l.intent),
            text: l.text,
        })
        .collect()
}

/// CLINC150 from `../shared/data/clinc150`; an error says what is missing or malformed.
fn clinc150() -> Result<Data, Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/clinc150");
    let train = dataset::load(&dir.join("train.jsonl"))?;
    let calibration = labeled(dataset::load(&dir.join("val.jsonl"))?);
    let test = labeled(dataset::load(&dir.join("test.jsonl"))?);
    let (intents, negatives) = dataset::intents_and_negatives(&train);
    Ok(Data {
        name: "clinc150",
        intents,
        negatives,
        calibration,
        test,
    })
}

/// splitmix64: a fixed-seed generator, so every run benches the same data.
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

/// Stand-in data: 150 intents, each with 8 words of its own mixed with shared filler
/// words, 100 training phrases and 10 test messages per intent, plus off-topic lines.
fn generated() -> Data {
    const FILLER: [&str; 12] = [
        "i", "want", "to", "the", "a", "my", "please", "can", "you", "how", "what", "is",
    ];
    let mut rng = Rng(7);
    let syllable = |rng: &mut Rng| {
        const ONSETS: [&str; 12] = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t"];
        const VOWELS: [&str; 5] = ["a", "e", "i", "o", "u"];
        format!("{}{}", ONSETS[rng.below(12)], VOWELS[rng.below(5)])
    };
    let vocab: Vec<Vec<String>> = (0..150)
        .map(|_| {
            (0..8)
                .map(|_| (0..3).map(|_| syllable(&mut rng)).collect())
                .collect()
        })
        .collect();
    let sentence = |rng: &mut Rng, words: &[String]| {
        (0..4 + rng.below(6))
            .map(|_| {
                if rng.below(2) == 0 {
                    words[rng.below(words.len())].as_str()
                } else {
                    FILLER[rng.below(FILLER.len())]
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut intents = Vec::new();
    let mut calibration = Vec::new();
    let mut test = Vec::new();
    for (k, words) in vocab.iter().enumerate() {
        let id = format!("intent_{k}");
        intents.push(Intent::new(&id).phrases((0..100).map(|_| sentence(&mut rng, words))));
        for _ in 0..10 {
            calibration.push(Labeled {
                text: sentence(&mut rng, words),
                intent: Some(id.clone()),
            });
            test.push(Labeled {
                text: sentence(&mut rng, words),
                intent: Some(id.clone()),
            });
        }
    }
    let off_topic: Vec<String> = (0..20)
        .map(|_| (0..3).map(|_| syllable(&mut rng)).collect())
        .collect();
    let mut negatives = Vec::new();
    for i in 0..300 {
        let line = sentence(&mut rng, &off_topic);
        match i % 3 {
            0 => negatives.push(line),
            1 => calibration.push(Labeled {
                text: line,
                intent: None,
            }),
            _ => test.push(Labeled {
                text: line,
                intent: None,
            }),
        }
    }
    Data {
        name: "generated",
        intents,
        negatives,
        calibration,
        test,
    }
}

fn train(data: &Data, word_vectors: bool) -> IntentModel {
    let mut builder = IntentModel::builder();
    builder
        .word_vectors(word_vectors)
        .intents(data.intents.iter().cloned())
        .negatives(data.negatives.iter().cloned())
        .calibrate_on(
            data.calibration
                .iter()
                .map(|l| (l.text.as_str(), l.intent.as_deref())),
        );
    builder.build().expect("the bench data builds")
}

/// The naive baseline: the label of the training phrase whose token set is nearest to
/// the message's (Jaccard), found by scanning every phrase. Tokens are interned and
/// kept sorted so each comparison is one linear merge; messages are normalized with
/// the crate's normalizer, as the model does.
struct NearestPhrase {
    normalizer: Normalizer,
    vocabulary: BTreeMap<String, u32>,
    phrases: Vec<(Vec<u32>, u32)>,
    labels: Vec<String>,
}

impl NearestPhrase {
    fn new(intents: &[Intent]) -> Self {
        let normalizer = Normalizer::default();
        let mut vocabulary = BTreeMap::new();
        let mut phrases = Vec::new();
        for (label, intent) in intents.iter().enumerate() {
            for phrase in &intent.phrases {
                let n = normalizer.normalize(phrase);
                let mut ids: Vec<u32> = n
                    .tokens()
                    .map(|t| {
                        let next = vocabulary.len() as u32;
                        *vocabulary.entry(t.text(&n).to_string()).or_insert(next)
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                phrases.push((ids, label as u32));
            }
        }
        NearestPhrase {
            normalizer,
            vocabulary,
            phrases,
            labels: intents.iter().map(|i| i.id.clone()).collect(),
        }
    }

    fn classify(&self, text: &str) -> Option<&str> {
        let n = self.normalizer.normalize(text);
        let mut unknown = 0usize;
        let mut ids: Vec<u32> = n
            .tokens()
            .filter_map(|t| {
                let id = self.vocabulary.get(t.text(&n)).copied();
                unknown += id.is_none() as usize;
                id
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let size = ids.len() + unknown;
        let mut best = (0.0f32, None);
        for (phrase, label) in &self.phrases {
            let (mut i, mut j, mut common) = (0, 0, 0usize);
            while i < ids.len() && j < phrase.len() {
                match ids[i].cmp(&phrase[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        common += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            let union = size + phrase.len() - common;
            let score = if union == 0 {
                0.0
            } else {
                common as f32 / union as f32
            };
            if score > best.0 {
                best = (score, Some(*label));
            }
        }
        best.1.map(|l| self.labels[l as usize].as_str())
    }
}

/// Every k-th test message, `SLICE` of them, in-scope and out-of-scope alike.
fn slice(test: &[Labeled]) -> Vec<&Labeled> {
    let step = (test.len() / SLICE).max(1);
    test.iter().step_by(step).take(SLICE).collect()
}

fn accuracy(lines: &[&Labeled], mut predict: impl FnMut(&str) -> Option<String>) -> f64 {
    let right = lines
        .iter()
        .filter(|l| predict(&l.text) == l.intent)
        .count();
    right as f64 * 100.0 / lines.len() as f64
}

fn per_message(c: &mut Criterion) {
    let data = clinc150().unwrap_or_else(|e| {
        eprintln!("CLINC150 not read ({e}): benching a generated intent set");
        generated()
    });
    let model = train(&data, false);
    let with_vectors = train(&data, true);
    let naive = NearestPhrase::new(&data.intents);
    let lines = slice(&data.test);
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    // Context for the timings: both classifiers' exact-match accuracy on the slice
    // (the naive scan has no "no intent", so it is wrong on every out-of-scope line).
    eprintln!(
        "{}: {} intents, {} phrases; on these {} messages the model is {:.1}% right, \
         the phrase scan {:.1}%",
        data.name,
        data.intents.len(),
        naive.phrases.len(),
        texts.len(),
        accuracy(&lines, |t| model.detect(t).intent.map(|i| i.to_string())),
        accuracy(&lines, |t| naive.classify(t).map(str::to_string)),
    );

    let mut group = c.benchmark_group(format!("detect_{}", data.name));
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("model", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(model.detect(black_box(t)));
            }
        })
    });
    group.bench_function("model_word_vectors", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(with_vectors.detect(black_box(t)));
            }
        })
    });
    print_word_vectors_ratio(&model, &with_vectors, &texts);
    // One pass of the scan over the slice takes a few hundred milliseconds.
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("naive_phrase_scan", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(naive.classify(black_box(t)));
            }
        })
    });
    group.finish();
}

/// The cost per message of word vectors: `with` against `without` on the same texts, a
/// pass of each alternately for about two seconds, so that the shared machine's drift
/// hits both alike; the median of the rounds' ratios is printed.
fn print_word_vectors_ratio(without: &IntentModel, with: &IntentModel, texts: &[&str]) {
    use std::time::Instant;
    let time_pass = |model: &IntentModel| {
        let t = Instant::now();
        for _ in 0..5 {
            for text in texts {
                black_box(model.detect(black_box(text)));
            }
        }
        t.elapsed().as_secs_f64()
    };
    let mut ratios = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) || ratios.len() < 101 {
        let plain = time_pass(without);
        ratios.push(time_pass(with) / plain);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "detect/word_vectors_interleaved_ratio: with word vectors a detection costs {:.2}x \
         one without (median of {} interleaved rounds)",
        ratios[ratios.len() / 2],
        ratios.len()
    );
}

fn sales_model() -> IntentModel {
    let mut builder = IntentModel::builder();
    builder
        .intent(
            Intent::new("pricing")
                .phrases([
                    "how much does it cost",
                    "what are your prices",
                    "how much is the pro plan",
                    "what does the enterprise plan cost",
                    "is there a free tier",
                    "do you offer discounts for nonprofits",
                    "what is the price per seat",
                    "can I get a quote for 50 users",
                    "send me your price list",
                    "is it billed monthly or yearly",
                ])
                .keywords(["pricing", "price", "quote", "cost"]),
        )
        .intent(
            Intent::new("demo")
                .phrases([
                    "can I see a demo",
                    "I'd like to book a demo",
                    "show me how the product works",
                    "can someone walk me through the product",
                    "schedule a product tour",
                    "I want a live demonstration",
                    "do you have a trial I can try",
                    "can we set up a call to see it in action",
                    "demo please",
                    "I would love to see the platform",
                ])
                .keywords(["demo", "product tour", "walkthrough"]),
        )
        .intent(
            Intent::new("support")
                .phrases([
                    "I can't log in",
                    "the app keeps crashing",
                    "I forgot my password",
                    "reset my password please",
                    "something is broken",
                    "I get an error when I upload a file",
                    "my account is locked",
                    "the dashboard does not load",
                    "the integration stopped working",
                    "I found a bug",
                ])
                .keywords(["bug", "error", "password", "crash"]),
        )
        .intent(
            Intent::new("sales_contact")
                .phrases([
                    "I want to talk to sales",
                    "can I speak with someone from your sales team",
                    "please have a sales rep contact me",
                    "who can I talk to about buying for my company",
                    "we want to buy licenses for our team",
                    "connect me with an account executive",
                    "I'd like to discuss an enterprise contract",
                    "get me in touch with a salesperson",
                    "we are interested in purchasing",
                    "call me back about a purchase",
                ])
                .keywords(["sales", "account executive", "salesperson"]),
        )
        .negatives([
            "hello",
            "thanks",
            "what's the weather like today",
            "tell me a joke",
        ]);
    builder.build().expect("the sales set builds")
}

/// A message of exactly `len` bytes (or one less, at a char boundary): chat-like text
/// with a typo and a negated keyword, repeated.
fn message_of(len: usize) -> String {
    const BASE: &str = "Hi! I don't need a démo yet, but can I get a qoute for 40 seats \
                        and talk to someone about the enterprise plan? ";
    let mut m = BASE.repeat(len / BASE.len() + 1);
    let mut end = len;
    while !m.is_char_boundary(end) {
        end -= 1;
    }
    m.truncate(end);
    m
}

fn by_length(c: &mut Criterion) {
    let model = sales_model();
    let mut group = c.benchmark_group("detect_sales_by_length");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));
    for len in [20, 200, 2 * 1024, 16 * 1024] {
        let message = message_of(len);
        assert!(!model.detect(&message).truncated);
        group.throughput(Throughput::Bytes(message.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(len), &message, |b, m| {
            b.iter(|| model.detect(black_box(m)))
        });
    }
    group.finish();
}

criterion_group!(benches, per_message, by_length);
criterion_main!(benches);
