//! Scaling study: how `IntentModel::detect` and `Router::decide` grow with the number of
//! intents, phrases per intent, keywords, flow rules and the message length, on
//! deterministic synthetic chat data (`benches/synth/mod.rs`: 8-word phrases from a
//! 20,000-word pseudo-vocabulary, each intent with its own topic words among shared
//! Zipf-distributed filler words).
//!
//! ```text
//! cargo bench --bench scaling
//! ```
//!
//! Every benchmark times one call; calls cycle through 32 messages (three in four about
//! an intent, half of those naming one of its keywords, one in four off-topic). Models
//! are trained once per configuration, outside the timed loop, with
//! `calibration_folds(0)`; the training time of each is printed to stderr ("setup: ...").
//!
//! Message length: the default `Limits::max_message_len` (16 KiB) cuts longer messages
//! before scoring, which would make 64 KiB look as cheap as 16 KiB. That group raises
//! the limit to 64 KiB so that the growth it shows is the real cost of the text.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handoff::flow::{Action, Condition, FieldTest, Flow, Route, Rule};
use handoff::{Context, Intent, IntentModel, Message, Router, TeamConfig, Value};

mod synth;

/// Messages the timed loops cycle through.
const MESSAGES: usize = 32;

fn train(intents: &[Intent], max_message_len: Option<usize>, what: &str) -> IntentModel {
    let started = Instant::now();
    let mut builder = IntentModel::builder();
    builder
        .intents(intents.iter().cloned())
        .calibration_folds(0);
    if let Some(len) = max_message_len {
        builder.max_message_len(len);
    }
    let model = builder.build().expect("synthetic data is valid");
    eprintln!(
        "setup: trained {what} in {:.2} s (model_bytes {})",
        started.elapsed().as_secs_f64(),
        model.model_bytes()
    );
    model
}

/// A small fixed flow, so that `decide` in the model-size groups measures the model.
fn small_flow(intents: usize) -> Flow {
    let mut flow = Flow::new()
        .rule(
            Rule::new("demo_button")
                .priority(10)
                .when(Condition::button("book_demo"))
                .route(Route::handoff("sales"))
                .action(Action::tag("Sales Lead")),
        )
        .rule(
            Rule::new("offer_human")
                .priority(-1)
                .when(Condition::FailedTurns(handoff::flow::NumberTest {
                    gte: Some(2.0),
                    ..Default::default()
                }))
                .route(Route::ask("Talk to a person?", "wants_human")),
        );
    for i in (0..intents).step_by((intents / 8).max(1)).take(8) {
        flow = flow.rule(
            Rule::new(format!("intent_{i}"))
                .when(Condition::intent(synth::intent_id(i)))
                .route(Route::handoff(if i % 2 == 0 { "sales" } else { "support" }))
                .action(Action::reply("Thanks {user.name|there}!")),
        );
    }
    flow
}

fn router(model: &IntentModel, flow: Flow) -> Router {
    Router::builder()
        .model(model.clone())
        .flow(flow)
        .teams([
            TeamConfig::new("sales").channel("#sales"),
            TeamConfig::new("support"),
        ])
        .build()
        .expect("synthetic flow is valid")
}

fn context() -> Context {
    let mut ctx = Context::default();
    ctx.user.insert("name".into(), Value::from("Ada"));
    ctx.user.insert("segment".into(), Value::from("seg_7"));
    ctx
}

/// Times `detect` and `decide` on `model` over `texts`, one call per iteration.
fn detect_and_decide<P: std::fmt::Display>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    parameter: P,
    model: &IntentModel,
    router: &Router,
    texts: &[String],
) {
    let parameter = parameter.to_string();
    group.bench_function(BenchmarkId::new("detect", &parameter), |b| {
        let mut k = 0usize;
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(model.detect(black_box(&texts[k % texts.len()])))
        })
    });
    let messages: Vec<Message> = texts.iter().map(Message::text).collect();
    let ctx = context();
    group.bench_function(BenchmarkId::new("decide", &parameter), |b| {
        let mut k = 0usize;
        b.iter(|| {
            k = k.wrapping_add(1);
            black_box(router.decide(black_box(&messages[k % messages.len()]), &ctx))
        })
    });
}

/// 10, 100, 1,000 intents of 10 phrases each.
fn intents(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling_intents");
    for n in [10usize, 100, 1_000] {
        let data = synth::intents(n, 10, 0);
        let model = train(&data, None, &format!("{n} intents x 10 phrases"));
        let router = router(&model, small_flow(n));
        let texts = synth::messages(MESSAGES, n, 0);
        detect_and_decide(&mut group, n, &model, &router, &texts);
    }
    group.finish();
}

/// 10 and 100 phrases per intent, 100 intents.
fn phrases(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling_phrases");
    for p in [10usize, 100] {
        let data = synth::intents(100, p, 0);
        let model = train(&data, None, &format!("100 intents x {p} phrases"));
        let router = router(&model, small_flow(100));
        let texts = synth::messages(MESSAGES, 100, 0);
        detect_and_decide(&mut group, p, &model, &router, &texts);
    }
    group.finish();
}

/// 50, 500, 5,000 keywords spread over 100 intents (matched by `KeywordMatcher` inside
/// `detect`; half of the in-scope messages name one).
fn keywords(c: &mut Criterion) {
    let mut group = c.benchmark_group("scaling_keywords");
    for k in [50usize, 500, 5_000] {
        let data = synth::intents(100, 10, k);
        let model = train(
            &data,
            None,
            &format!("100 intents x 10 phrases, {k} keywords"),
        );
        let router = router(&model, small_flow(100));
        let texts = synth::messages(MESSAGES, 100, k);
        detect_and_decide(&mut group, k, &model, &router, &texts);
    }
    group.finish();
}

/// A flow of `n` rules in four shapes, round-robin: on an intent, on a keyword, on a
/// button, and on an intent for one user segment; priorities cycle over 0..7.
fn big_flow(n: usize, intents: usize, keywords: usize) -> Flow {
    let mut flow = Flow::new();
    for i in 0..n {
        let when = match i % 4 {
            0 => Condition::intent(synth::intent_id(i % intents)),
            1 => Condition::keyword(synth::keyword(i % keywords).as_str()),
            2 => Condition::button(format!("cta_{i}").as_str()),
            _ => Condition::all([
                Condition::intent(synth::intent_id(i % intents)),
                Condition::User(FieldTest::new("segment").eq(format!("seg_{}", i % 13))),
            ]),
        };
        flow = flow.rule(
            Rule::new(format!("r{i}"))
                .priority((i % 7) as i32)
                .when(when)
                .route(Route::handoff(if i % 2 == 0 { "sales" } else { "support" }))
                .action(Action::tag(format!("Campaign {i}")))
                .action(Action::reply(
                    "Thanks {user.name|there}, connecting you with {team.name}.",
                )),
        );
    }
    flow
}

/// 20, 200, 2,000 rules; `decide` on a 100-intent model with 200 keywords.
fn rules(c: &mut Criterion) {
    let (intents, keywords) = (100, 200);
    let data = synth::intents(intents, 10, keywords);
    let model = train(&data, None, "100 intents x 10 phrases, 200 keywords");
    let texts = synth::messages(MESSAGES, intents, keywords);
    let ctx = context();
    let mut group = c.benchmark_group("scaling_rules");
    for n in [20usize, 200, 2_000] {
        let router = router(&model, big_flow(n, intents, keywords));
        // Text messages plus clicks on buttons the flow knows (and one it does not).
        let mut messages: Vec<Message> = texts.iter().map(Message::text).collect();
        for i in [2usize, 6, 10, 14] {
            messages.push(Message::button(format!("cta_{}", i % n)));
        }
        messages.push(Message::button("unknown"));
        group.bench_function(BenchmarkId::new("decide", n), |b| {
            let mut k = 0usize;
            b.iter(|| {
                k = k.wrapping_add(1);
                black_box(router.decide(black_box(&messages[k % messages.len()]), &ctx))
            })
        });
    }
    group.finish();
}

/// Messages of 20 B, 200 B, 2 KiB, 16 KiB and 64 KiB; the model's message limit is
/// raised to 64 KiB (see the module docs).
fn message_length(c: &mut Criterion) {
    const LIMIT: usize = 64 * 1024;
    let data = synth::intents(100, 10, 200);
    let model = train(&data, Some(LIMIT), "100 intents x 10 phrases, 64 KiB limit");
    let router = router(&model, small_flow(100));
    let mut group = c.benchmark_group("scaling_message_len");
    for (label, bytes) in [
        ("20B", 20usize),
        ("200B", 200),
        ("2KiB", 2 * 1024),
        ("16KiB", 16 * 1024),
        ("64KiB", LIMIT),
    ] {
        let texts: Vec<String> = (0..4)
            .map(|k| synth::long_message(bytes - k, 100))
            .collect();
        assert!(texts.iter().all(|t| !model.detect(t).truncated));
        group.throughput(Throughput::Bytes(
            (texts.iter().map(String::len).sum::<usize>() / texts.len()) as u64,
        ));
        detect_and_decide(&mut group, label, &model, &router, &texts);
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    targets = intents, phrases, keywords, rules, message_length
}
criterion_main!(benches);
