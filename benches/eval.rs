//! Evaluation costs. Targets: lint over 15,000 phrases (CLINC150's training split when
//! `../shared/data/clinc150/train.jsonl` exists, else a synthetic set of the same size)
//! in under 1 s; an accuracy report with its operating points over 5,500 detections in
//! under 10 ms; KPIs over 100,000 decision records in under 200 ms.
//!
//! `cargo bench --bench eval -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use handoff::eval::{lint, DecisionRecord, Evaluation, KpiOptions, Kpis};
use handoff::{Detection, Intent};

#[derive(serde::Deserialize)]
struct Line {
    text: String,
    intent: String,
}

/// 150 intents x 100 phrases.
fn intents() -> Vec<Intent> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/clinc150/train.jsonl"
    );
    if let Ok(text) = std::fs::read_to_string(path) {
        let mut intents: Vec<Intent> = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let line: Line = serde_json::from_str(line).unwrap();
            if line.intent == "oos" {
                continue;
            }
            match intents.iter_mut().find(|i| i.id == line.intent) {
                Some(i) => i.phrases.push(line.text),
                None => intents.push(Intent::new(line.intent).phrase(line.text)),
            }
        }
        return intents;
    }
    let words: Vec<String> = (0..3000).map(|i| format!("w{i}")).collect();
    let mut state = 1u64;
    let mut next = move |n: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize % n
    };
    (0..150)
        .map(|i| {
            Intent::new(format!("intent_{i}")).phrases((0..100).map(|_| {
                let len = 4 + next(8);
                (0..len)
                    .map(|_| words[next(words.len())].as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            }))
        })
        .collect()
}

fn detections(n: usize) -> Vec<(Option<String>, Detection)> {
    (0..n)
        .map(|i| {
            let label = (i % 7 != 0).then(|| format!("intent_{}", i % 150));
            let best = format!("intent_{}", (i * 31) % 150);
            let confidence = ((i * 7919) % 1000) as f32 / 1000.0;
            // Outputs are #[non_exhaustive]: a made-up detection comes through serde.
            let detection: Detection = serde_json::from_value(serde_json::json!({
                "intent": (confidence >= 0.5).then_some(&best),
                "confidence": confidence,
                "alternatives": [{"intent": &best, "confidence": confidence}],
                "keywords": [],
                "evidence": [],
                "truncated": false,
            }))
            .expect("a detection's serde shape");
            (label, detection)
        })
        .collect()
}

fn records(n: usize) -> Vec<DecisionRecord> {
    (0..n)
        .map(|i| DecisionRecord {
            conversation: format!("c{}", i / 3),
            channel: ["web", "app", "pricing_page"][i % 3].to_string(),
            at: (i as i64) * 37,
            handed_off: i % 5 == 0,
            first_reply_at: (i % 10 == 0).then_some((i as i64) * 37 + (i % 900) as i64),
            handoff_correct: (i % 15 == 0).then_some(i % 2 == 0),
            converted: (i % 20 == 0).then_some(i % 3 == 0),
            completed_with_bot: (i % 4 == 1).then_some(i % 8 == 1),
            intent: Some(format!("intent_{}", i % 12)),
            rule: Some(format!("rule_{}", i % 5)),
            ..DecisionRecord::default()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let intents = intents();
    let phrases: usize = intents.iter().map(|i| i.phrases.len()).sum();
    let mut group = c.benchmark_group("eval");
    group.sample_size(10);
    group.throughput(Throughput::Elements(phrases as u64));
    group.bench_function("lint_15000_phrases", |b| {
        b.iter(|| lint(black_box(&intents)))
    });

    let dets = detections(5_500);
    group.throughput(Throughput::Elements(dets.len() as u64));
    group.bench_function("report_5500_with_operating_points", |b| {
        b.iter(|| {
            let e = Evaluation::from_detections(dets.iter().map(|(l, d)| (l.as_deref(), d)));
            black_box(e.operating_points().len())
        })
    });

    let log = records(100_000);
    group.throughput(Throughput::Elements(log.len() as u64));
    group.bench_function("kpis_100000_records_daily", |b| {
        b.iter(|| Kpis::compute(black_box(&log), &KpiOptions::period(86_400)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
