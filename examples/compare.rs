//! Compares a candidate bot with the current one before rollout, on a set of messages.
//!
//! ```text
//! cargo run --release --example compare -- CURRENT CANDIDATE MESSAGES.jsonl [--guard G]... [--json]
//! cargo run --release --example compare -- examples/sales_handoff.json \
//!     examples/compare/sales_handoff.no_sales_contact_phrases.json \
//!     examples/compare/messages.jsonl --guard 'lost:sales<=2%' --guard 'accuracy-drop<=1'
//! ```
//!
//! CURRENT and CANDIDATE are router configurations (JSON) or saved routers (the bytes
//! of `Router::to_bytes`, told apart by their magic). MESSAGES.jsonl holds one
//! `{"text": ..., "intent": ...}` per line (`intent` optional; `oos` for "no intent"),
//! as the evaluation data sets and decision logs do. Prints the report
//! (`handoff::eval::Comparison`), then one line per guard (`handoff::eval::Guard`:
//! `lost:TEAM<=P%`, `changed:route|team|intent|actions<=P%`, `accuracy-drop<=POINTS`);
//! `--json` prints the comparison as one JSON line at the end too.
//!
//! Exit status: 0 when every guard holds, 1 when one fails, 2 when an input cannot be
//! read or the command line is wrong.

use handoff::eval::{compare, CompareMessage, Guard};
use handoff::Router;

const USAGE: &str = "usage: compare CURRENT CANDIDATE MESSAGES.jsonl [--guard GUARD]... [--json]";

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(2);
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| fail(format!("cannot read {path}: {e}")))
}

/// A saved router (by its magic) or a configuration document.
fn router(path: &str) -> Router {
    let bytes = read(path);
    if bytes.starts_with(b"\x89HANDOFF") {
        return Router::from_bytes(&bytes).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    }
    let text = String::from_utf8(bytes).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    Router::from_deserializer(&mut serde_json::Deserializer::from_str(&text))
        .unwrap_or_else(|e| fail(format!("{path}: {e}")))
}

fn messages(path: &str) -> Vec<CompareMessage> {
    let text = String::from_utf8(read(path)).unwrap_or_else(|e| fail(format!("{path}: {e}")));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            serde_json::from_str(line).unwrap_or_else(|e| fail(format!("{path}:{}: {e}", n + 1)))
        })
        .collect()
}

struct Args {
    files: Vec<String>,
    guards: Vec<Guard>,
    json: bool,
}

fn args() -> Args {
    let mut out = Args {
        files: Vec::new(),
        guards: Vec::new(),
        json: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--guard" => {
                let text = args.next().unwrap_or_else(|| fail(USAGE.into()));
                let guard = text.parse().unwrap_or_else(|e| fail(format!("{e}")));
                out.guards.push(guard);
            }
            "--json" => out.json = true,
            _ if arg.starts_with("--") => fail(USAGE.into()),
            _ => out.files.push(arg),
        }
    }
    if out.files.len() != 3 {
        fail(USAGE.into());
    }
    out
}

fn main() {
    let args = args();
    let current = router(&args.files[0]);
    let candidate = router(&args.files[1]);
    let messages = messages(&args.files[2]);
    let comparison = compare(&current, &candidate, &messages);
    print!("{comparison}");
    let mut failed = 0;
    for guard in &args.guards {
        let check = guard.check(&comparison);
        println!("{check}");
        failed += usize::from(!check.passed);
    }
    if !args.guards.is_empty() {
        println!(
            "{} guard(s): {} passed, {failed} failed",
            args.guards.len(),
            args.guards.len() - failed
        );
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&comparison).unwrap_or_else(|e| fail(e.to_string()))
        );
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
