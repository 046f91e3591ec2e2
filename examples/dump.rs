use handoff::{Intent, IntentModel};
use std::collections::BTreeMap;
#[derive(serde::Deserialize)]
struct Line {
    text: String,
    intent: String,
}
fn load(p: &str) -> Vec<Line> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}
fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}
fn main() {
    let d = std::env::args().nth(1).unwrap();
    let train = load(&format!("{d}/train.jsonl"));
    let mut order = vec![];
    let mut ph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut neg = vec![];
    for l in &train {
        if l.intent == "oos" {
            neg.push(l.text.clone());
            continue;
        }
        let e = ph.entry(l.intent.clone()).or_default();
        if e.is_empty() {
            order.push(l.intent.clone());
        }
        e.push(l.text.clone());
    }
    let mut b = IntentModel::builder();
    for id in &order {
        b.intent(Intent::new(id.clone()).phrases(ph[id].clone()));
    }
    b.negatives(neg);
    b.calibration_folds(0);
    let t = cpu();
    let m = b.build().unwrap();
    eprintln!("train cpu {:.2}s bytes {}", cpu() - t, m.model_bytes());
    for split in ["val", "test"] {
        let mut out = String::new();
        let lines = load(&format!("{d}/{split}.jsonl"));
        for l in &lines {
            let s = m.debug_scores(&l.text);
            let label = order
                .iter()
                .position(|o| *o == l.intent)
                .map(|x| x as i64)
                .unwrap_or(-1);
            out.push_str(&format!("{label}"));
            for v in s {
                out.push_str(&format!(" {v}"));
            }
            out.push('\n');
        }
        std::fs::write(format!("/tmp/{split}.scores"), out).unwrap();
        if split == "test" {
            let t = cpu();
            let mut n = 0usize;
            let mut k = 0usize;
            while cpu() - t < 2.0 {
                for l in &lines {
                    k += m.detect(&l.text).alternatives.len();
                    n += 1;
                }
            }
            eprintln!("detect cpu: {:.0} msgs/s ({k})", n as f64 / (cpu() - t));
            let t = cpu();
            let mut n = 0usize;
            while cpu() - t < 1.0 {
                for _ in 0..1000 {
                    k += m.detect(&lines[7].text).alternatives.len();
                    n += 1;
                }
            }
            eprintln!(
                "same msg cpu: {:.0} msgs/s ({k}) {}",
                n as f64 / (cpu() - t),
                lines[7].text
            );
            let t = cpu();
            let mut n = 0usize;
            while cpu() - t < 1.0 {
                for l in &lines[..50] {
                    k += m.detect(&l.text).alternatives.len();
                    n += 1;
                }
            }
            eprintln!("50 msgs cpu: {:.0} msgs/s ({k})", n as f64 / (cpu() - t));
        }
    }
}
