//! Routes messages read from stdin with a router configuration file.
//!
//! ```text
//! cargo run --example route -- examples/sales_handoff.json < messages.jsonl
//! ```
//!
//! Each input line is one JSON object: `{"text": ..., "event": {"button": ...},
//! "channel": ..., "user": {...}, "conversation": {...}, "local_time": {...}}`; every
//! field is optional but one of `text` or `event` is required. Each output line is one
//! JSON decision (`route`, `intent`, `confidence`, `rule`, `matched`, `actions`,
//! `updates`, `keywords`), or `{"line": N, "error": "..."}` for a line that could not be
//! read; the run goes on.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use handoff::{Context, Conversation, Event, LocalTime, Message, Router, Value};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    event: Option<Event>,
    #[serde(default)]
    channel: Option<String>,
    #[serde(default)]
    user: BTreeMap<String, Value>,
    #[serde(default)]
    conversation: Conversation,
    #[serde(default)]
    local_time: Option<LocalTime>,
}

#[derive(Serialize)]
struct Out<'a> {
    route: &'a handoff::flow::Route,
    intent: Option<&'a str>,
    confidence: f32,
    rule: Option<&'a str>,
    matched: &'a [std::sync::Arc<str>],
    actions: &'a [handoff::flow::Action],
    updates: &'a handoff::ContextUpdate,
    keywords: &'a [handoff::KeywordHit],
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: route CONFIG_FILE < messages.jsonl");
        std::process::exit(2);
    };
    let config = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    // Errors name the offending field's path, for a type error as for a bad value.
    let router = match Router::from_deserializer(&mut serde_json::Deserializer::from_str(&config)) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (n, line) in stdin.lock().lines().enumerate() {
        let n = n + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                let _ = writeln!(out, "{}", error_line(n, &format!("unreadable line: {e}")));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = match serde_json::from_str(&line) {
            Ok(p) => p,
            Err(e) => {
                let _ = writeln!(out, "{}", error_line(n, &format!("invalid JSON: {e}")));
                continue;
            }
        };
        if parsed.text.is_none() && parsed.event.is_none() {
            let _ = writeln!(
                out,
                "{}",
                error_line(n, "a message needs \"text\" or \"event\"")
            );
            continue;
        }
        let message = Message {
            text: parsed.text,
            event: parsed.event,
            channel: parsed.channel,
        };
        let context = Context {
            user: parsed.user,
            conversation: parsed.conversation,
            local_time: parsed.local_time,
        };
        let d = router.decide(&message, &context);
        let o = Out {
            route: &d.route,
            intent: d.intent(),
            confidence: d.confidence(),
            rule: d.rule.as_deref(),
            matched: &d.matched,
            actions: &d.actions,
            updates: &d.updates,
            keywords: &d.detection.keywords,
        };
        match serde_json::to_string(&o) {
            Ok(s) => {
                let _ = writeln!(out, "{s}");
            }
            Err(e) => {
                let _ = writeln!(out, "{}", error_line(n, &format!("cannot serialize: {e}")));
            }
        }
    }
}

fn error_line(line: usize, message: &str) -> String {
    serde_json::json!({ "line": line, "error": message }).to_string()
}
