//! One stress process: a seeded random mix of assignments, releases and status changes
//! against the shared database, through [`Host`].
//!
//! The mix per operation: 50 % assign a new conversation (to `sales` 60 %, `support`
//! 25 %, `renewals` 15 %; one in ten prefers a random agent, about one in seven requires
//! the `de` skill), 40 % close a random open conversation (any process's), 10 % set a
//! random agent available (55 %), away (25 %) or offline (20 %). Assignments outpace
//! releases, so the team runs at its caps and queues: the caps are what is under test.
//! The seed fixes each process's choices; which process commits first is up to the OS.

use std::path::Path;
use std::time::{Duration, Instant};

use handoff::assign::{Agent, AgentStatus, AssignRequest, Policy, Roster, Team};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::host::{AssignOutcome, Host, Mode, Stats};
use crate::schema::conversation_id;

/// The team the stress run assigns to: three teams with different policies and caps,
/// agents with their own caps, skills, weights, two agents in two teams, and a fallback.
pub fn stress_roster() -> Roster {
    Roster::new()
        .with_team(
            Team::new("sales", Policy::Balanced)
                .with_members(["ana", "bob", "cy", "dee", "eve"])
                .with_cap(3)
                .with_fallback("support"),
        )
        .with_team(
            Team::new("support", Policy::Weighted)
                .with_members(["fay", "gus", "hal"])
                .with_cap(4),
        )
        .with_team(
            Team::new("renewals", Policy::RoundRobin)
                .with_members(["bob", "dee", "hal"])
                .with_cap(2),
        )
        .with_agent(Agent::new("ana").with_cap(2))
        .with_agent(Agent::new("bob").with_skills(["de"]))
        .with_agent(Agent::new("cy").with_skills(["de"]))
        .with_agent(Agent::new("dee"))
        .with_agent(Agent::new("eve").with_status(AgentStatus::Away))
        .with_agent(Agent::new("fay").with_skills(["de"]))
        .with_agent(Agent::new("gus").with_weight(2))
        .with_agent(Agent::new("hal").with_weight(3))
}

/// What one worker does.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Its number (conversation ids are `p{process}-{n}`).
    pub process: u32,
    /// Operations to perform.
    pub ops: u64,
    /// The run's seed; the worker's own is derived from it and `process`.
    pub seed: u64,
    /// Checked (correct) or unchecked (broken) writes.
    pub mode: Mode,
    /// Sleep between read and write.
    pub think: Duration,
    /// Stop early past this much time.
    pub deadline: Duration,
}

/// What one worker did, printed as one JSON line for the driver.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerReport {
    /// Its number.
    pub process: u32,
    /// Operations performed (committed or with nothing to write).
    pub ops: u64,
    /// Conversations it created (each assigned or queued once).
    pub created: u64,
    /// Of which assigned.
    pub assigned: u64,
    /// Of which queued.
    pub queued: u64,
    /// Conversations it closed.
    pub released: u64,
    /// Status changes it committed.
    pub status_changes: u64,
    /// Commits, conflicts and busy retries.
    pub stats: Stats,
    /// False when it stopped at the deadline.
    pub finished: bool,
    /// Its running time.
    pub elapsed_ms: u64,
}

/// Runs one worker to completion (or its deadline).
pub fn run_worker(db: &Path, config: &WorkerConfig) -> Result<WorkerReport> {
    let start = Instant::now();
    let mut host = Host::open(db, config.process)?
        .with_mode(config.mode)
        .with_think(config.think);
    let agents: Vec<String> = stress_roster()
        .agents
        .iter()
        .map(|a| a.id.to_string())
        .collect();
    let mut rng = fastrand::Rng::with_seed(
        config.seed ^ u64::from(config.process).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let mut report = WorkerReport {
        process: config.process,
        finished: true,
        ..WorkerReport::default()
    };
    for _ in 0..config.ops {
        if start.elapsed() > config.deadline {
            report.finished = false;
            break;
        }
        report.ops += 1;
        match rng.u32(..100) {
            0..=49 => {
                let request = random_request(&mut rng, &agents);
                let id = conversation_id(config.process, report.created);
                let done = host.assign(&id, &request)?;
                report.created += 1;
                match done.value {
                    AssignOutcome::Decided(a) if a.agent().is_some() => report.assigned += 1,
                    _ => report.queued += 1,
                }
            }
            50..=89 => {
                if host.release_any(|n| rng.usize(..n))?.value.is_some() {
                    report.released += 1;
                }
            }
            _ => {
                let agent = &agents[rng.usize(..agents.len())];
                let status = match rng.u32(..100) {
                    0..=54 => AgentStatus::Available,
                    55..=79 => AgentStatus::Away,
                    _ => AgentStatus::Offline,
                };
                if host.set_status(agent, status)?.value {
                    report.status_changes += 1;
                }
            }
        }
    }
    report.stats = host.stats();
    report.elapsed_ms = start.elapsed().as_millis() as u64;
    Ok(report)
}

fn random_request(rng: &mut fastrand::Rng, agents: &[String]) -> AssignRequest {
    let team = match rng.u32(..100) {
        0..=59 => "sales",
        60..=84 => "support",
        _ => "renewals",
    };
    let mut request = AssignRequest::new(team);
    if rng.u32(..10) == 0 {
        request = request.with_preferred(agents[rng.usize(..agents.len())].as_str());
    }
    if rng.u32(..7) == 0 {
        request = request.with_skills(["de"]).with_skill_fallback(rng.bool());
    }
    request
}
