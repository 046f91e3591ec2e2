//! `handoff-sqlite-host`: the SQLite host's command line.
//!
//! ```text
//! handoff-sqlite-host init DB [ROSTER.json]         create the tables (default: the stress roster)
//! handoff-sqlite-host assign DB CONVERSATION TEAM [--prefer AGENT] [--skill S]... [--skill-fallback]
//! handoff-sqlite-host release DB CONVERSATION
//! handoff-sqlite-host status DB AGENT available|away|offline
//! handoff-sqlite-host check DB                      replay the log, verify the tables
//! handoff-sqlite-host stress DB [--processes N] [--ops M] [--seed S] [--timeout-secs T]
//!                               [--think-us U] [--broken]
//! handoff-sqlite-host worker DB --process I --ops M --seed S [--think-us U]
//!                               [--deadline-ms D] [--broken]   (spawned by stress)
//! ```
//!
//! Exit status: 0 on success (for `check` and `stress`: no violation), 1 when the
//! checker found violations, 2 on an error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use handoff::assign::{AssignRequest, Roster};
use handoff_sqlite_host::{
    check, run_stress, run_worker, schema, AssignOutcome, Error, Host, Mode, Result, StressConfig,
    WorkerConfig,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("handoff-sqlite-host: {e}");
            ExitCode::from(2)
        }
    }
}

/// Runs a command; false when a check found violations.
fn run(args: &[String]) -> Result<bool> {
    let (command, rest) = args.split_first().ok_or_else(|| usage("missing command"))?;
    let (db, rest) = rest
        .split_first()
        .map(|(db, rest)| (PathBuf::from(db), rest))
        .ok_or_else(|| usage("missing database path"))?;
    let mut flags = Flags::parse(rest)?;
    match command.as_str() {
        "init" => init(&db, &flags),
        "assign" => assign(&db, &mut flags),
        "release" => {
            let conversation = flags.positional(0, "CONVERSATION")?;
            let done = Host::open(&db, 0)?.release(&conversation)?;
            match done.value {
                Some(r) => println!("released {} from {}", r.conversation, r.agent),
                None => println!("{conversation} is not open: nothing to release"),
            }
            Ok(true)
        }
        "status" => {
            let agent = flags.positional(0, "AGENT")?;
            let status = schema::parse_status(&flags.positional(1, "STATUS")?)?;
            let changed = Host::open(&db, 0)?.set_status(&agent, status)?.value;
            println!("{agent}: {}", if changed { "updated" } else { "unchanged" });
            Ok(true)
        }
        "check" => {
            let report = check(&schema::connect(&db)?)?;
            println!("{report}");
            Ok(report.is_ok())
        }
        "stress" => stress(&db, &mut flags),
        "worker" => worker(&db, &mut flags),
        other => Err(usage(&format!("unknown command {other:?}"))),
    }
}

fn init(db: &Path, flags: &Flags) -> Result<bool> {
    let roster: Roster = match flags.positionals.first() {
        Some(path) => serde_json::from_str(&std::fs::read_to_string(path)?)?,
        None => handoff_sqlite_host::stress_roster(),
    };
    schema::init(&mut schema::connect(db)?, &roster)?;
    println!("initialised {}", db.display());
    Ok(true)
}

fn assign(db: &Path, flags: &mut Flags) -> Result<bool> {
    let conversation = flags.positional(0, "CONVERSATION")?;
    let mut request = AssignRequest::new(flags.positional(1, "TEAM")?);
    if let Some(agent) = flags.take("--prefer")? {
        request = request.with_preferred(agent);
    }
    request = request
        .with_skills(flags.take_all("--skill")?)
        .with_skill_fallback(flags.switch("--skill-fallback"));
    let done = Host::open(db, 0)?.assign(&conversation, &request)?;
    match done.value {
        AssignOutcome::Decided(a) => println!("{conversation}: {a}"),
        AssignOutcome::AlreadyKnown => println!("{conversation}: already known, unchanged"),
    }
    Ok(true)
}

fn stress(db: &Path, flags: &mut Flags) -> Result<bool> {
    let config = StressConfig {
        processes: flags.number("--processes", 4)?,
        ops: flags.number("--ops", 10_000)?,
        seed: flags.number("--seed", 1)?,
        mode: flags.mode(),
        think: Duration::from_micros(flags.number("--think-us", 0)?),
        timeout: Duration::from_secs(flags.number("--timeout-secs", 600)?),
    };
    let exe = std::env::current_exe()?;
    let summary = run_stress(&exe, db, &config)?;
    println!("{summary}");
    Ok(summary.report.is_ok())
}

fn worker(db: &Path, flags: &mut Flags) -> Result<bool> {
    let config = WorkerConfig {
        process: flags.number("--process", 0)?,
        ops: flags.number("--ops", 0)?,
        seed: flags.number("--seed", 1)?,
        mode: flags.mode(),
        think: Duration::from_micros(flags.number("--think-us", 0)?),
        deadline: Duration::from_millis(flags.number("--deadline-ms", 600_000)?),
    };
    let report = run_worker(db, &config)?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(true)
}

fn usage(what: &str) -> Error {
    Error::Usage(format!(
        "{what}\nusage: handoff-sqlite-host init|assign|release|status|check|stress|worker DB ... \
         (see the binary's documentation)"
    ))
}

/// Arguments after the database path: `--name value` pairs, switches and positionals.
struct Flags {
    positionals: Vec<String>,
    named: Vec<(String, Option<String>)>,
}

impl Flags {
    const SWITCHES: [&'static str; 2] = ["--broken", "--skill-fallback"];

    fn parse(args: &[String]) -> Result<Flags> {
        let mut flags = Flags {
            positionals: Vec::new(),
            named: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            if Flags::SWITCHES.contains(&arg.as_str()) {
                flags.named.push((arg.clone(), None));
            } else if arg.starts_with("--") {
                let value = it
                    .next()
                    .ok_or_else(|| usage(&format!("{arg} needs a value")))?;
                flags.named.push((arg.clone(), Some(value.clone())));
            } else {
                flags.positionals.push(arg.clone());
            }
        }
        Ok(flags)
    }

    fn positional(&self, i: usize, name: &str) -> Result<String> {
        self.positionals
            .get(i)
            .cloned()
            .ok_or_else(|| usage(&format!("missing {name}")))
    }

    fn take_all(&mut self, name: &str) -> Result<Vec<String>> {
        let mut out = Vec::new();
        while let Some(v) = self.take(name)? {
            out.push(v);
        }
        Ok(out)
    }

    fn take(&mut self, name: &str) -> Result<Option<String>> {
        match self.named.iter().position(|(n, _)| n == name) {
            Some(i) => Ok(self.named.remove(i).1),
            None => Ok(None),
        }
    }

    fn switch(&mut self, name: &str) -> bool {
        self.named
            .iter()
            .position(|(n, _)| n == name)
            .map(|i| self.named.remove(i))
            .is_some()
    }

    fn number<T: std::str::FromStr>(&mut self, name: &str, default: T) -> Result<T> {
        match self.take(name)? {
            Some(v) => v
                .parse()
                .map_err(|_| usage(&format!("{name}: not a number: {v:?}"))),
            None => Ok(default),
        }
    }

    fn mode(&mut self) -> Mode {
        if self.switch("--broken") {
            Mode::Unchecked
        } else {
            Mode::Checked
        }
    }
}
