//! The stress driver: a fresh database, N worker processes (the host binary run as
//! `worker`), a time bound, then the checker.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::check::{check, Report};
use crate::error::{Error, Result};
use crate::host::Mode;
use crate::schema;
use crate::worker::{stress_roster, WorkerReport};

/// A stress run's shape.
#[derive(Clone, Debug)]
pub struct StressConfig {
    /// Worker processes.
    pub processes: u32,
    /// Operations per process.
    pub ops: u64,
    /// Seed of the run (each process derives its own).
    pub seed: u64,
    /// Checked (correct) or unchecked (broken) writes.
    pub mode: Mode,
    /// Sleep between read and write in every operation.
    pub think: Duration,
    /// The whole run's bound: workers stop at it, and are killed a little after.
    pub timeout: Duration,
}

/// What a stress run did and what the checker found.
#[derive(Clone, Debug)]
pub struct StressSummary {
    /// The run's shape.
    pub config: StressConfig,
    /// From the first spawn to the last exit.
    pub wall: Duration,
    /// Each worker's report.
    pub workers: Vec<WorkerReport>,
    /// The checker's report.
    pub report: Report,
}

impl StressSummary {
    /// Operations performed, all processes.
    pub fn ops(&self) -> u64 {
        self.workers.iter().map(|w| w.ops).sum()
    }

    /// Operations per second of wall time.
    pub fn ops_per_sec(&self) -> f64 {
        self.ops() as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Restarts (version conflicts and busy retries) per operation.
    pub fn retries_per_op(&self) -> f64 {
        let retries: u64 = self
            .workers
            .iter()
            .map(|w| w.stats.conflicts + w.stats.busy_retries)
            .sum();
        retries as f64 / self.ops().max(1) as f64
    }
}

impl fmt::Display for StressSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        let sum = |g: fn(&WorkerReport) -> u64| self.workers.iter().map(g).sum::<u64>();
        let mode = match c.mode {
            Mode::Checked => "checked",
            Mode::Unchecked => "UNCHECKED (broken on purpose)",
        };
        writeln!(
            f,
            "{} processes x {} operations, {mode} writes, seed {}",
            c.processes, c.ops, c.seed
        )?;
        writeln!(
            f,
            "  {} operations in {:.2} s: {:.0} ops/s",
            self.ops(),
            self.wall.as_secs_f64(),
            self.ops_per_sec()
        )?;
        writeln!(
            f,
            "  committed {} (assigned {}, queued {}, released {}, status {}), unchanged {}",
            sum(|w| w.stats.committed),
            sum(|w| w.assigned),
            sum(|w| w.queued),
            sum(|w| w.released),
            sum(|w| w.status_changes),
            sum(|w| w.stats.unchanged)
        )?;
        writeln!(
            f,
            "  retries per operation {:.3} (version conflicts {}, busy {})",
            self.retries_per_op(),
            sum(|w| w.stats.conflicts),
            sum(|w| w.stats.busy_retries)
        )?;
        let peaks: Vec<String> = self
            .report
            .peak
            .iter()
            .map(|(a, (peak, cap))| format!("{a} {peak}/{cap}"))
            .collect();
        writeln!(f, "  peak open/cap: {}", peaks.join(", "))?;
        write!(f, "  check: {}", self.report)
    }
}

/// Runs the stress: `exe` is the host binary (it must understand `worker`); `db` is
/// replaced by a fresh database.
pub fn run_stress(exe: &Path, db: &Path, config: &StressConfig) -> Result<StressSummary> {
    fresh_database(db)?;
    let start = Instant::now();
    let mut children = Vec::new();
    for process in 0..config.processes {
        match spawn_worker(exe, db, config, process) {
            Ok(child) => children.push(child),
            Err(e) => {
                kill_all(&mut children);
                return Err(e);
            }
        }
    }
    let outputs = wait_all(&mut children, config.timeout + Duration::from_secs(10))?;
    let wall = start.elapsed();
    let mut workers = Vec::new();
    for (process, (ok, stdout, stderr)) in outputs.into_iter().enumerate() {
        if !ok {
            return Err(Error::Run(format!("worker {process} failed: {stderr}")));
        }
        let report: WorkerReport = serde_json::from_str(stdout.trim())?;
        if !report.finished {
            return Err(Error::Run(format!(
                "worker {process} did not finish within {:?}",
                config.timeout
            )));
        }
        workers.push(report);
    }
    let mut conn = schema::connect(db)?;
    let tx = conn.transaction()?;
    for w in &workers {
        tx.execute(
            "INSERT INTO processes (process, created) VALUES (?1, ?2)",
            rusqlite::params![w.process, i64::try_from(w.created).unwrap_or(i64::MAX)],
        )?;
    }
    tx.commit()?;
    let report = check(&conn)?;
    Ok(StressSummary {
        config: config.clone(),
        wall,
        workers,
        report,
    })
}

fn fresh_database(db: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut path = db.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let mut conn = schema::connect(db)?;
    schema::init(&mut conn, &stress_roster())
}

fn spawn_worker(exe: &Path, db: &Path, config: &StressConfig, process: u32) -> Result<Child> {
    let mut cmd = Command::new(exe);
    cmd.arg("worker")
        .arg(db)
        .args(["--process", &process.to_string()])
        .args(["--ops", &config.ops.to_string()])
        .args(["--seed", &config.seed.to_string()])
        .args(["--think-us", &config.think.as_micros().to_string()])
        .args(["--deadline-ms", &config.timeout.as_millis().to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if config.mode == Mode::Unchecked {
        cmd.arg("--broken");
    }
    Ok(cmd.spawn()?)
}

/// Waits for every child up to `bound`; kills the rest past it. Returns per child:
/// success, stdout, stderr. Workers print one short line, so waiting before reading
/// their pipes cannot fill them.
fn wait_all(children: &mut [Child], bound: Duration) -> Result<Vec<(bool, String, String)>> {
    let start = Instant::now();
    let mut status = vec![None; children.len()];
    while status.iter().any(Option::is_none) {
        for (i, child) in children.iter_mut().enumerate() {
            if status[i].is_none() {
                status[i] = child.try_wait()?;
            }
        }
        if start.elapsed() > bound {
            kill_all(children);
            return Err(Error::Run(format!("workers still running after {bound:?}")));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut out = Vec::new();
    for (child, status) in children.iter_mut().zip(status) {
        let (mut stdout, mut stderr) = (String::new(), String::new());
        if let Some(s) = child.stdout.as_mut() {
            s.read_to_string(&mut stdout)?;
        }
        if let Some(s) = child.stderr.as_mut() {
            s.read_to_string(&mut stderr)?;
        }
        out.push((status.is_some_and(|s| s.success()), stdout, stderr));
    }
    Ok(out)
}

fn kill_all(children: &mut [Child]) {
    for child in children {
        // Already exited is fine; these are our own children, killed by handle.
        let _ = child.kill();
        let _ = child.wait();
    }
}
