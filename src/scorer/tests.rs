//! Unit tests of the scorer: agreement between scoring paths, the solver against a
//! naive one, the table against a map, the kernels against f32.

use super::features::*;
use super::kernels::*;
use super::solved::FeatureRows;
use super::solver::*;
use super::table::*;
use super::train::*;
use super::vector::*;
use super::vectorize::*;
use super::*;
use proptest::prelude::*;

impl LinearModel {
    /// Forgets the precomputed character vectors, so every word is scored n-gram
    /// by n-gram.
    fn drop_vectors(&mut self) {
        for feature in &mut self.table.slots {
            feature.vector = NO_VECTOR;
        }
        self.word_weight.clear();
    }
}

fn examples(data: &[(&str, Option<usize>)]) -> Vec<Example> {
    let mut buf = Vec::new();
    data.iter()
        .map(|&(text, class)| {
            let mut features = Vec::new();
            extract(text, &mut buf, |f| features.push(f));
            Example {
                features,
                class,
                meaning: Vec::new(),
            }
        })
        .collect()
}

fn scores(model: &LinearModel, text: &str) -> Vec<f32> {
    let mut scratch = Scratch::default();
    model.vectorize(text, std::iter::empty(), &mut scratch);
    model.score(&mut scratch);
    scratch.scores
}

/// A known word scored through its precomputed character vector scores as its
/// n-grams do one by one, up to quantization.
#[test]
fn word_vectors_agree_with_ngram_scoring() {
    let model = support_model();
    assert!(model.table.slots.iter().any(|f| f.vector != NO_VECTOR));
    let mut plain = model.clone();
    plain.drop_vectors();
    for text in [
        "how much does the pro plan cost",
        "the app keeps crashing when i log in",
        "demo demo pricing",
        "pricng for a demoo",
        "",
    ] {
        let (fast, slow) = (scores(&model, text), scores(&plain, text));
        assert_eq!(fast.len(), 3);
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 0.02, "{text:?}: {fast:?} vs {slow:?}");
        }
    }
}

/// Three intents (pricing, support, demo) and a negative.
const SUPPORT_DATA: [(&str, Option<usize>); 9] = [
    ("how much does it cost", Some(0)),
    ("what is the price of the pro plan", Some(0)),
    ("pricing for teams", Some(0)),
    ("i cannot log in", Some(1)),
    ("the app keeps crashing", Some(1)),
    ("password reset does not work", Some(1)),
    ("book a demo please", Some(2)),
    ("can i see a demo of the product", Some(2)),
    ("what is the weather", None),
];

fn support_model() -> LinearModel {
    LinearModel::train(&examples(&SUPPORT_DATA), 3, TrainOptions::default()).expect("within budget")
}

/// Unseen words take chain vectors unless they are too long to check for repeats,
/// with a correction for each known n-gram they repeat; either way they score as
/// their n-grams do one by one, up to quantization.
#[test]
fn chain_vectors_agree_with_ngram_scoring() {
    let model = support_model();
    let mut plain = model.clone();
    plain.drop_vectors();
    let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    let (longest, too_long) = (
        &alphabet[..MAX_CHAINED_WORD],
        &alphabet[..MAX_CHAINED_WORD + 1],
    );
    let (mut buf, mut chains, mut repeats) = (Vec::new(), Vec::new(), Vec::new());
    // (word, takes chains, known n-grams it repeats)
    for (word, chained, repeated) in [
        ("pricng", true, 0),
        ("demoo", true, 0),
        ("crashin", true, 0),
        ("ñandú", true, 0),
        ("zqxj", true, 0),
        // "an", "na", "ana": the training data has "an" ("can") only.
        ("banana", true, 1),
        // "pr", "pri", "pric", "ri", "ric", "ic" twice, all known from "pricing".
        ("pricpric", true, 6),
        ("aaaa", true, 0),
        // "co" three times (known from "cost"); "oc", "coc" are unknown.
        ("cococo", true, 1),
        (longest, true, 0),
        (too_long, false, 0),
    ] {
        chains.clear();
        let taken = model.chains(word.as_bytes(), &mut buf, &mut chains, &mut repeats);
        assert_eq!(taken, chained, "{word}");
        assert_eq!(repeats.len(), repeated, "{word}: {repeats:?}");
        assert!(repeats.iter().all(|&(_, count)| count > 1));
        assert!(
            !plain.chains(word.as_bytes(), &mut buf, &mut chains, &mut repeats)
                || chains.is_empty()
        );
        for text in [word.to_string(), format!("the {word} plan")] {
            let (fast, slow) = (scores(&model, &text), scores(&plain, &text));
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 0.02, "{text:?}: {fast:?} vs {slow:?}");
            }
        }
    }
    // One chain per char an n-gram starts at ("pricin" is a prefix of a training
    // word, so every start has a known n-gram), none where none is known.
    chains.clear();
    assert!(model.chains(b"pricin", &mut buf, &mut chains, &mut repeats));
    assert_eq!(chains.len(), " pricin".len());
    chains.clear();
    assert!(model.chains(b"zqxj", &mut buf, &mut chains, &mut repeats));
    assert!(chains.is_empty(), "{chains:?}");
}

proptest::proptest! {
    /// Messages of made-up words over the training data's letters score the same
    /// through word and chain vectors as n-gram by n-gram, up to quantization.
    #[test]
    fn precomputed_vectors_agree_with_ngram_scoring(
        words in proptest::collection::vec("[a-eh-prstw ]{1,12}", 1..5)
    ) {
        thread_local! {
            static MODELS: (LinearModel, LinearModel) = {
                let model = support_model();
                let mut plain = model.clone();
                plain.drop_vectors();
                (model, plain)
            };
        }
        let text = words.join(" ");
        MODELS.with(|(model, plain)| {
            let (fast, slow) = (scores(model, &text), scores(plain, &text));
            for (a, b) in fast.iter().zip(&slow) {
                proptest::prop_assert!((a - b).abs() < 0.02, "{:?}: {:?} vs {:?}", text, fast, slow);
            }
            Ok(())
        })?;
    }
}

/// Dual coordinate descent for one class with nothing clever: every example, in
/// storage order, every pass, no shrinking, no blocks.
fn naive_svm(x: &Matrix<'_>, y: &[f32], c: f32, passes: usize) -> Vec<f32> {
    let vocab = x.index.iter().map(|&f| f as usize + 1).max().unwrap_or(0);
    let mut w = vec![0.0f32; vocab + 1];
    let mut alpha = vec![0.0f32; y.len()];
    let diag = 0.5 / c;
    for _ in 0..passes {
        for i in 0..y.len() {
            let row = x.start[i]..x.start[i + 1];
            let (index, value) = (&x.index[row.clone()], &x.value[row]);
            let dot: f32 = w[vocab]
                + index
                    .iter()
                    .zip(value)
                    .map(|(&f, &v)| w[f as usize] * v)
                    .sum::<f32>();
            let g = y[i] * dot - 1.0 + diag * alpha[i];
            let qd = diag + 1.0 + value.iter().map(|v| v * v).sum::<f32>();
            let old = alpha[i];
            alpha[i] = (old - g / qd).max(0.0);
            let d = (alpha[i] - old) * y[i];
            for (&f, &v) in index.iter().zip(value) {
                w[f as usize] += d * v;
            }
            w[vocab] += d;
        }
    }
    w
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    /// Given passes enough, the joint solver finds each class's optimum (unique: the
    /// dual is strictly convex), the one plain coordinate descent converges to,
    /// with blocks full and partial (up to 40 classes) and runs of examples.
    #[test]
    fn one_vs_rest_solver_finds_the_optimum(
        rows in proptest::collection::vec(
            (
                proptest::collection::btree_map(0u32..24, 0.05f32..1.0, 0..6),
                proptest::option::weighted(0.8, 0usize..40),
            ),
            1..80,
        ),
    ) {
        let classes = rows.iter().filter_map(|(_, label)| *label).max().map_or(1, |m| m + 1);
        let vocab = 24;
        let mut matrix = (vec![0usize], Vec::new(), Vec::new());
        for (features, _) in &rows {
            for (&f, &v) in features {
                matrix.1.push(f);
                matrix.2.push(v);
            }
            matrix.0.push(matrix.1.len());
        }
        let x = Matrix { start: &matrix.0, index: &matrix.1, value: &matrix.2 };
        let labels: Vec<Option<usize>> = rows.iter().map(|(_, label)| *label).collect();
        let options = TrainOptions { c: 1.0, eps: 1e-5, max_iter: 4000, ..TrainOptions::default() };
        let qd: Vec<f32> = rows
            .iter()
            .map(|(features, _)| 0.5 + 1.0 + features.values().map(|v| v * v).sum::<f32>())
            .collect();
        let (solved, bias) = train_one_vs_rest(&x, &qd, &labels, classes, vocab, options);
        let rows = FeatureRows::transpose(solved);
        for (class, &class_bias) in bias.iter().enumerate() {
            let y: Vec<f32> = labels
                .iter()
                .map(|&label| if label == Some(class) { 1.0 } else { -1.0 })
                .collect();
            let expected = naive_svm(&x, &y, options.c, 4000);
            let mut got = vec![0.0f32; expected.len()];
            for (f, w) in rows.of_class(class) {
                got[f as usize] = w;
            }
            let n = got.len() - 1;
            got[n] = class_bias;
            for (f, (a, b)) in got.iter().zip(&expected).enumerate() {
                proptest::prop_assert!(
                    (a - b).abs() < 2e-3,
                    "class {class} feature {f}: {a} vs {b}"
                );
            }
        }
    }
}

/// Dense rows stored `row_pitch` apart from a line boundary touch as few cache
/// lines as their length allows, every one of them.
#[test]
fn rows_touch_as_few_lines_as_their_length_allows() {
    for classes in 1..=600 {
        let stride = dense_stride(classes);
        let pitch = row_pitch(stride);
        assert!(
            pitch >= stride && pitch < stride + CACHE_LINE / 2,
            "{stride}: {pitch}"
        );
        for row in 0..CACHE_LINE {
            let start = row * pitch;
            let lines = (start + stride - 1) / CACHE_LINE - start / CACHE_LINE + 1;
            assert_eq!(
                lines,
                stride.div_ceil(CACHE_LINE),
                "stride {stride}, row {row}"
            );
        }
    }
    let rows = aligned_rows(1000);
    assert!(rows.len() < CACHE_LINE && rows.iter().all(|&w| w == 0));
    assert!(rows.capacity() >= rows.len() + 1000);
    assert_eq!((rows.as_ptr() as usize + rows.len()) % CACHE_LINE, 0);
}

/// The table finds what was stored under each hash and nothing else, also when
/// hashes share a home slot, a tag byte or both, and when probes wrap around.
#[test]
fn feature_table_agrees_with_a_map() {
    // Bits 3..31 pick the home slot (the last value: the last slot, whatever the
    // capacity). The fingerprint is bits 32.., the tag the top byte (0 and 1 both
    // give tag 1). Hashes with one fingerprint are one feature to the table, so
    // each hash here has its own.
    let hash = |home: usize, other: u64, top: u64| {
        let homes = [0, 1, 2, (1 << 28) - 1];
        let fingerprint = home as u64 * 3 + other;
        1 | homes[home] << 3 | fingerprint << 32 | top << 56
    };
    let space: Vec<u64> = (0..4)
        .flat_map(|home| {
            (0..3).flat_map(move |other| (0..3).map(move |top| hash(home, other, top)))
        })
        .collect();
    proptest!(|(stored in proptest::sample::subsequence(space.clone(), 0..=space.len()).prop_shuffle())| {
        let mut table = FeatureTable::with_room_for(stored.len());
        for (k, &h) in stored.iter().enumerate() {
            table.insert(h, Feature { idf: k as f32, ..Feature::default() });
        }
        for &h in &space {
            let want = stored.iter().position(|&s| s == h).map(|k| k as f32);
            prop_assert_eq!(table.get(h).map(|id| table.feature(id).idf), want);
        }
    });
}

/// Quantizing rounds as `f32::round` then clamps, for any value.
#[test]
fn quantized_rounds_like_round() {
    let check = |x: f32| {
        let want = if x.is_nan() {
            0
        } else {
            x.round().clamp(-127.0, 127.0) as i8
        };
        assert_eq!(quantized(x), want, "{x}");
    };
    for x in [
        0.0,
        -0.0,
        0.5,
        -0.5,
        0.49999997,
        -0.49999997,
        1.5,
        2.5,
        126.5,
        127.4,
    ] {
        check(x);
    }
    for x in [
        127.5,
        -127.5,
        1e30,
        -1e30,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ] {
        check(x);
    }
    proptest::proptest!(|(x in proptest::num::f32::ANY)| check(x));
    proptest::proptest!(|(x in -130.0f32..130.0)| check(x));
}

/// Dense rows summed in 16-bit fixed point stay within the rounding bound of
/// f32 arithmetic, across groups, tiny and huge multipliers, and zero rows.
#[test]
fn dense_rows_sum_like_f32() {
    use proptest::prelude::*;
    let rows = (1usize..=5).prop_flat_map(|eighths| {
        let stride = eighths * 8;
        let row = (
            proptest::collection::vec(any::<i8>(), stride),
            prop_oneof![-1.0f32..1.0, -1e-6f32..1e-6, -1e6f32..1e6, Just(0.0)],
        );
        (Just(stride), proptest::collection::vec(row, 0..150))
    });
    proptest!(|((stride, rows) in rows)| {
        let model = LinearModel {
            row_weight: rows.iter().flat_map(|(w, _)| w.iter().copied()).collect(),
            classes: stride - 3,
            stride,
            ..LinearModel::default()
        };
        let dense: Vec<(DenseRow, f32)> = rows
            .iter()
            .enumerate()
            .map(|(k, &(_, value))| (DenseRow::Feature((k * stride) as u32), value))
            .collect();
        let mut scores = vec![0.0f32; model.classes];
        let mut fixed = vec![0i16; stride];
        for group in dense.chunks(DENSE_GROUP) {
            model.add_dense(&mut scores, group, &mut fixed);
        }
        // Per row: half a step from rounding the multiplier (times a weight of
        // at most 127), half a unit of 256 steps left by the rounded-down
        // product; a step is at most the group's Σ|value| / 32767.
        for (c, &score) in scores.iter().enumerate() {
            let mut naive = 0.0f64;
            let mut bound = 1e-3;
            for group in rows.chunks(DENSE_GROUP) {
                let sum: f64 = group.iter().map(|(_, v)| v.abs() as f64).sum();
                bound += group.len() as f64 * 192.0 * sum / 32767.0;
                naive += group.iter().map(|(w, v)| *v as f64 * w[c] as f64).sum::<f64>();
            }
            prop_assert!(
                (score as f64 - naive).abs() <= bound + naive.abs() * 1e-5,
                "class {c}: {score} vs {naive}, bound {bound}"
            );
        }
    });
}

/// The word block has unit length however often a word repeats; a one-word
/// message's character block has unit length.
#[test]
fn blocks_are_unit_length() {
    let data = [("alpha beta", Some(0)), ("gamma delta", Some(1))];
    let model =
        LinearModel::train(&examples(&data), 2, TrainOptions::default()).expect("within budget");
    let mut plain = model.clone();
    plain.drop_vectors();
    let mut scratch = Scratch::default();
    plain.vectorize("alpha alpha beta zzz", std::iter::empty(), &mut scratch);
    let mut norms = [0.0f32; BLOCKS];
    for entry in &scratch.vector.entries {
        norms[entry.block as usize] += entry.value * entry.value;
    }
    assert!((norms[BLOCK_WORD as usize] - 1.0).abs() < 1e-4, "{norms:?}");
    // One word: its character vector is the whole character block.
    plain.vectorize("alpha", std::iter::empty(), &mut scratch);
    let chars: f32 = scratch
        .vector
        .entries
        .iter()
        .filter(|e| e.block == BLOCK_CHAR)
        .map(|e| e.value * e.value)
        .sum();
    assert!((chars - 1.0).abs() < 1e-4, "{chars}");
}

/// Words that recur across phrases, so that models have shared, dense rows.
const WORDS: &[&str] = &[
    "price", "plan", "cost", "demo", "login", "crash", "refund", "invoice", "team", "seats",
    "hello", "the", "my", "app", "how", "much", "is", "a", "for", "café",
];

/// A word: a common one, or a random one (an unseen word, a long one, a typo).
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(String::from),
        1 => "[a-zé]{1,12}",
        1 => "[a-z]{30,40}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(word(), 0..8).prop_map(|words| words.join(" "))
}

/// A random training set: `(text, class, with a keyword feature)` for 1 to 24 intents
/// and a few negatives.
fn training_set() -> impl Strategy<Value = (usize, Vec<(String, Option<usize>, bool)>)> {
    (1usize..24).prop_flat_map(|classes| {
        let example = (
            text(),
            prop::option::weighted(0.9, 0..classes),
            any::<bool>(),
        );
        (Just(classes), prop::collection::vec(example, 1..60))
    })
}

fn model_of(classes: usize, data: &[(String, Option<usize>, bool)]) -> LinearModel {
    let mut buf = Vec::new();
    let examples: Vec<Example> = data
        .iter()
        .map(|(text, class, keyword)| {
            let mut features = Vec::new();
            extract(text, &mut buf, |f| features.push(f));
            if let (Some(class), true) = (class, keyword) {
                features.push(RawFeature {
                    hash: keyword_feature(*class, false),
                    token: u32::MAX,
                    unigram: false,
                    extends: false,
                });
            }
            Example {
                features,
                class: *class,
                meaning: Vec::new(),
            }
        })
        .collect();
    LinearModel::train(&examples, classes, TrainOptions::default()).expect("within budget")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The kernels (i8 rows, 16-bit fixed-point sums, chain and word vectors) agree
    /// with plain f32 sums over the same dequantized weights, within the bound the
    /// reference derives from the fixed-point steps.
    #[test]
    fn kernels_agree_with_the_f32_reference(
        (classes, data) in training_set(),
        messages in prop::collection::vec((text(), prop::collection::vec(0usize..24, 0..3)), 1..6),
    ) {
        let model = model_of(classes, &data);
        let mut plain = model.clone();
        plain.drop_vectors();
        let mut scratch = Scratch::default();
        for (message, keywords) in &messages {
            for model in [&model, &plain] {
                let hashes = keywords.iter().map(|&c| keyword_feature(c % classes, c % 2 == 1));
                model.vectorize(message, hashes, &mut scratch);
                model.score(&mut scratch);
                let reference = model.reference(&scratch);
                prop_assert_eq!(scratch.scores.len(), classes);
                for (class, (&got, &want)) in scratch.scores.iter().zip(&reference.scores).enumerate() {
                    prop_assert!(
                        (got - want).abs() <= reference.tolerance,
                        "{:?}, intent {}: kernels {} vs reference {} (tolerance {})",
                        message, class, got, want, reference.tolerance
                    );
                }
            }
        }
    }
}

/// The support model's data with each example's listed words, trained with the
/// meaning block at weight 3.
fn meaning_model(all_listed: bool) -> LinearModel {
    let mut examples = examples(&SUPPORT_DATA);
    for (example, (text, _)) in examples.iter_mut().zip(SUPPORT_DATA) {
        listed_words(text, &mut example.meaning);
    }
    let options = TrainOptions {
        meaning: 3.0,
        all_listed,
        ..TrainOptions::default()
    };
    LinearModel::train(&examples, 3, options).expect("within budget")
}

const MEANING_TEXTS: [&str; 6] = [
    "how much does the pro plan cost",
    "what would the subscription fee be",
    "the application crashed again",
    "arrange a presentation of your software",
    "qwzx vbnm",
    "",
];

/// A listed word scored through its precomputed meaning row scores as through the
/// dimension rows (the path of a listed word without one), up to quantization.
#[test]
fn precomputed_meaning_rows_agree_with_dimension_rows() {
    let model = meaning_model(true);
    assert!(model.meaning.dims > 0 && !model.meaning.words.is_empty());
    let mut through_dims = model.clone();
    through_dims.meaning.words.clear();
    through_dims.meaning.complete = false;
    for text in MEANING_TEXTS {
        let (fast, slow) = (scores(&model, text), scores(&through_dims, text));
        for (a, b) in fast.iter().zip(&slow) {
            assert!((a - b).abs() < 0.02, "{text:?}: {fast:?} vs {slow:?}");
        }
    }
}

/// The meaning block adds to each score the plain f32 product of the message's mean
/// word vector and the block's dimension rows: the naive computation.
#[test]
fn the_meaning_block_adds_the_mean_vector_times_its_rows() {
    let model = meaning_model(false);
    let mut without = model.clone();
    without.meaning = Default::default();
    let dims = model.meaning.dims;
    for text in MEANING_TEXTS {
        let mut words = Vec::new();
        listed_words(text, &mut words);
        let mut mean = vec![0.0f32; dims];
        super::meaning::weighted_mean(&words, 1.0, &mut mean);
        let stride = model.meaning.stride;
        let naive: Vec<f32> = (0..3)
            .map(|class| {
                (0..dims)
                    .map(|d| {
                        let w = model.meaning.weights[d * stride + class];
                        mean[d] * f32::from(w) * model.meaning.dim_scale[d]
                    })
                    .sum()
            })
            .collect();
        let (with, plain) = (scores(&model, text), scores(&without, text));
        for class in 0..3 {
            let added = with[class] - plain[class];
            assert!(
                (added - naive[class]).abs() < 0.02,
                "{text:?} class {class}: added {added}, naive {}",
                naive[class]
            );
        }
        if words.is_empty() {
            assert_eq!(with, plain, "{text:?} has no listed word");
        }
    }
}

/// A model with the meaning block saves and loads to the same bytes and scores.
#[test]
fn the_meaning_block_round_trips() {
    let model = meaning_model(true);
    let mut w = crate::persist::Writer::default();
    model.encode(&mut w);
    let mut r = crate::persist::Reader::new(&w.bytes);
    let loaded = LinearModel::decode(&mut r, 3).expect("loads");
    assert_eq!(loaded.meaning, model.meaning);
    let mut again = crate::persist::Writer::default();
    loaded.encode(&mut again);
    assert_eq!(again.bytes, w.bytes);
    for text in MEANING_TEXTS {
        assert_eq!(scores(&loaded, text), scores(&model, text), "{text:?}");
    }
}

/// Words are saved in increasing key order, and bytes in another order are refused: a
/// model loaded from them would save back to other bytes, under another fingerprint
/// (found by the `load` fuzz target).
#[test]
fn a_meaning_block_with_words_out_of_order_is_refused() {
    let model = meaning_model(true);
    let mut w = crate::persist::Writer::default();
    model.encode(&mut w);
    // The words end the model's bytes, 20 bytes each: swap the first two.
    let first = w.bytes.len() - model.meaning.words.len() * 20;
    let (a, b) = (first..first + 20, first + 20..first + 40);
    let (one, two) = (w.bytes[a.clone()].to_vec(), w.bytes[b.clone()].to_vec());
    w.bytes[a].copy_from_slice(&two);
    w.bytes[b].copy_from_slice(&one);
    let err = LinearModel::decode(&mut crate::persist::Reader::new(&w.bytes), 3).unwrap_err();
    assert!(err.to_string().contains("out of order"), "{err}");
}
