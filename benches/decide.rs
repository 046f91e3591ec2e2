//! `Router::decide` throughput on the sales-handoff configuration, and how it scales with
//! the number of rules (20 vs 1,000; the index keeps it flat).
//!
//! `cargo bench --bench decide -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handoff::flow::{Action, Condition, FieldTest, Flow, Route, Rule};
use handoff::{Context, Message, Router, RouterConfig, Value};

fn config() -> RouterConfig {
    serde_json::from_str(include_str!("../examples/sales_handoff.json")).unwrap()
}

fn messages() -> Vec<Message> {
    [
        "I'm interested in pricing",
        "can i get a qoute",
        "I don't want a demo, I can't log in",
        "does it integrate with salesforce?",
        "can someone call me?",
        "hello",
        "what's the weather like today",
        "the app keeps crashing",
    ]
    .iter()
    .map(|t| Message::text(*t))
    .chain([Message::button("book_demo").on("linkedin")])
    .collect()
}

fn sales_handoff(c: &mut Criterion) {
    let router = Router::from_config(config()).unwrap();
    let msgs = messages();
    let mut ctx = Context::default();
    ctx.user.insert("name".into(), Value::from("Ada"));
    ctx.user.insert("company_size".into(), Value::from(120));
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(msgs.len() as u64));
    group.bench_function("sales_handoff", |b| {
        b.iter(|| {
            for m in &msgs {
                black_box(router.decide(black_box(m), &ctx));
            }
        })
    });
    // The intent model's share: detection alone on the same texts.
    let texts: Vec<&str> = msgs.iter().filter_map(|m| m.text.as_deref()).collect();
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("detect_only", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(router.model().detect(black_box(t)));
            }
        })
    });
    print_interleaved_ratio(&router, &msgs, &texts, &ctx);
    // The router's own share: events and answers need no intent detection.
    let events: Vec<Message> = ["book_demo", "talk_to_sales", "unknown_button"]
        .iter()
        .map(|b| Message::button(*b).on("pricing_page"))
        .collect();
    group.throughput(Throughput::Elements(events.len() as u64));
    group.bench_function("events_only", |b| {
        b.iter(|| {
            for m in &events {
                black_box(router.decide(black_box(m), &ctx));
            }
        })
    });
    group.finish();
}

/// The cost of a decision against detection alone, per message, measured interleaved in
/// one process (a pass of each, alternately, for about two seconds) so that the shared
/// machine's drift hits both alike; the median of the rounds' ratios is printed.
fn print_interleaved_ratio(router: &Router, msgs: &[Message], texts: &[&str], ctx: &Context) {
    use std::time::{Duration, Instant};
    let mut ratios = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(2) || ratios.len() < 101 {
        let t = Instant::now();
        for _ in 0..20 {
            for m in msgs {
                black_box(router.decide(black_box(m), ctx));
            }
        }
        let decide = t.elapsed().as_secs_f64() / (20 * msgs.len()) as f64;
        let t = Instant::now();
        for _ in 0..20 {
            for text in texts {
                black_box(router.model().detect(black_box(text)));
            }
        }
        let detect = t.elapsed().as_secs_f64() / (20 * texts.len()) as f64;
        ratios.push(decide / detect);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "decide/interleaved_ratio: a decision costs {:.2}x detection alone per message \
         (median of {} interleaved rounds)",
        ratios[ratios.len() / 2],
        ratios.len()
    );
}

/// A flow of `n` rules in the shape large deployments have: per-campaign buttons,
/// per-page channel rules combined with an intent, per-segment attribute rules, plus
/// the same few catch-all rules whatever `n` is.
fn big_flow(n: usize) -> Flow {
    let intents = [
        "pricing",
        "sales_contact",
        "product_inquiry",
        "support_request",
        "general",
    ];
    let mut flow = Flow::new();
    for i in 0..n.saturating_sub(4) {
        let rule = Rule::new(format!("r{i}")).priority((i % 7) as i32);
        let rule = match i % 3 {
            0 => rule.when(Condition::button(format!("cta_{i}").as_str())),
            1 => rule.when(Condition::all([
                Condition::intent(intents[i % intents.len()]),
                Condition::channel(format!("page_{i}").as_str()),
            ])),
            _ => rule.when(Condition::all([
                Condition::keyword(["pricing", "demo", "quote"][i % 3]),
                Condition::User(FieldTest::new("segment").eq(format!("seg_{i}"))),
                Condition::channel(format!("page_{i}").as_str()),
            ])),
        };
        flow = flow.rule(
            rule.route(Route::handoff(if i % 2 == 0 { "sales" } else { "support" }))
                .action(Action::tag(format!("Campaign {i}")))
                .action(Action::reply(
                    "Thanks {user.name|there}, connecting you with {team.name}.",
                )),
        );
    }
    flow.rule(
        Rule::new("support")
            .priority(-1)
            .when(Condition::intent("support_request"))
            .route(Route::handoff("support")),
    )
    .rule(
        Rule::new("buying")
            .priority(-2)
            .when(Condition::any([
                Condition::intent("pricing"),
                Condition::keyword(vec!["pricing", "demo", "quote"]),
            ]))
            .route(Route::handoff("sales"))
            .action(Action::tag("Sales Lead")),
    )
    .rule(
        Rule::new("vip")
            .priority(-3)
            .when(Condition::User(FieldTest::new("plan").eq("enterprise")))
            .route(Route::handoff("sales")),
    )
    .rule(
        Rule::new("offer_human")
            .priority(-4)
            .when(Condition::FailedTurns(handoff::flow::NumberTest {
                gte: Some(2.0),
                ..Default::default()
            }))
            .route(Route::ask("Talk to a person?", "wants_human")),
    )
}

fn flow_size(c: &mut Criterion) {
    let base = config();
    let mut msgs = messages();
    // Some messages hit the generated rules' buttons and pages.
    msgs.push(Message::button("cta_9"));
    msgs.push(Message::text("I'm interested in pricing").on("page_10"));
    msgs.push(Message::text("can I get a quote").on("page_5"));
    let mut ctx = Context::default();
    ctx.user.insert("segment".into(), Value::from("seg_5"));
    let mut group = c.benchmark_group("flow_size");
    group.throughput(Throughput::Elements(msgs.len() as u64));
    for n in [20usize, 1000] {
        let mut config = base.clone();
        config.flow = big_flow(n);
        let router = Router::from_config(config).unwrap();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                for m in &msgs {
                    black_box(router.decide(black_box(m), &ctx));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, sales_handoff, flow_size);
criterion_main!(benches);
