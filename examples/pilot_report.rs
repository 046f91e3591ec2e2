//! Reads a decision log (JSON lines) and writes the pilot report: one self-contained
//! HTML file with the KPIs, charts and review lists. Prints what it read, the review's
//! sizes and how long it took.
//!
//! ```text
//! cargo run --release --example pilot_report -- LOG [--config FILE] [--out FILE]
//!     [--title TEXT] [--from UNIX_SECONDS] [--until UNIX_SECONDS]
//! ```
//!
//! `--config` is the bot the log came from (default: the starter bot): its intents'
//! phrases are what "phrases to add" compares with, and its threshold is what "near
//! the threshold" means. The log streams through: memory holds a few words per
//! conversation for the KPIs and the review's bounded lists, not the records.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;
use std::time::Instant;

use handoff::eval::{KpiOptions, LogReader, Pilot, PilotOptions, ReviewOptions};
use handoff::{Router, RouterConfig};

struct Args {
    log: String,
    config: String,
    out: String,
    title: String,
    from: Option<i64>,
    until: Option<i64>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        log: String::new(),
        config: concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sales_handoff.json").to_string(),
        out: "pilot-report.html".into(),
        title: "Sales hand-off bot".into(),
        from: None,
        until: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--config" => args.config = value()?,
            "--out" => args.out = value()?,
            "--title" => args.title = value()?,
            "--from" => args.from = Some(value()?.parse().map_err(|e| format!("--from: {e}"))?),
            "--until" => args.until = Some(value()?.parse().map_err(|e| format!("--until: {e}"))?),
            _ if args.log.is_empty() && !a.starts_with("--") => args.log = a,
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if args.log.is_empty() {
        return Err(
            "usage: pilot_report LOG [--config FILE] [--out FILE] [--title TEXT] \
                    [--from UNIX_SECONDS] [--until UNIX_SECONDS]"
                .into(),
        );
    }
    Ok(args)
}

/// The log's lines; invalid UTF-8 is replaced (the line then fails to parse and is
/// reported, or parses with the replacement character in a text). Stops at the first
/// read error, which it keeps.
struct Lines<R> {
    reader: R,
    buf: Vec<u8>,
    error: Option<std::io::Error>,
}

impl<R: BufRead> Iterator for Lines<R> {
    type Item = String;
    fn next(&mut self) -> Option<String> {
        self.buf.clear();
        match self.reader.read_until(b'\n', &mut self.buf) {
            Ok(0) => None,
            Ok(_) => {
                let line = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                Some(String::from_utf8_lossy(line).into_owned())
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pilot_report: {e}");
            return ExitCode::from(2);
        }
    };
    let config = match std::fs::read_to_string(&args.config)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str::<RouterConfig>(&s).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pilot_report: {}: {e}", args.config);
            return ExitCode::from(2);
        }
    };
    let router = match Router::from_config(config.clone()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pilot_report: {}: {e}", args.config);
            return ExitCode::from(2);
        }
    };
    let file = match File::open(&args.log) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("pilot_report: {}: {e}", args.log);
            return ExitCode::from(2);
        }
    };

    let mut review = ReviewOptions::with_threshold(router.model().threshold());
    review.sales_intents = ["pricing", "sales_contact"]
        .into_iter()
        .filter(|i| router.model().has_intent(i))
        .map(str::to_string)
        .collect();
    let mut options = PilotOptions::default();
    options.title = args.title.clone();
    options.kpis = KpiOptions::period(86_400).window(args.from, args.until);
    options.review = review;

    let started = Instant::now();
    let mut lines = Lines {
        reader: BufReader::with_capacity(1 << 16, file),
        buf: Vec::new(),
        error: None,
    };
    let mut reader = LogReader::new(&mut lines);
    let mut pilot = Pilot::new(&config.intents, &options);
    for record in reader.by_ref() {
        pilot.push(&record);
    }
    let summary = reader.into_summary();
    if let Some(e) = lines.error.take() {
        eprintln!(
            "pilot_report: {}: read error after {} lines: {e}",
            args.log, summary.lines
        );
        return ExitCode::FAILURE;
    }
    let read_and_review = started.elapsed();
    let mut report = pilot.finish();
    report.log = Some(summary.clone());
    let html = report.to_html();
    let total = started.elapsed();

    if let Err(e) = File::create(&args.out).and_then(|mut f| f.write_all(html.as_bytes())) {
        eprintln!("pilot_report: {}: {e}", args.out);
        return ExitCode::FAILURE;
    }
    eprintln!("{}: {summary}", args.log);
    let r = &report.review;
    eprintln!(
        "review: {} to label (of {}), {} unknown clusters ({} messages without intent), \
         {} phrases to add, {} misroutes listed",
        r.to_label.len(),
        r.label_records,
        r.unknown.len(),
        r.unknown_messages,
        r.phrases_to_add.len(),
        r.misroutes.len()
    );
    eprintln!(
        "read + KPIs + review: {:.2} s ({:.0} records/s); with the HTML: {:.2} s",
        read_and_review.as_secs_f64(),
        summary.records as f64 / read_and_review.as_secs_f64().max(1e-9),
        total.as_secs_f64()
    );
    eprintln!("wrote {} ({} bytes)", args.out, html.len());
    ExitCode::SUCCESS
}
