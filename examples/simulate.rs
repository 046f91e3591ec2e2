//! Simulates a stream of conversations against one team and checks every assignment
//! independently of the assigner.
//!
//! ```text
//! cargo run --release --example simulate -- ROSTER_FILE --conversations N [--seed S] [--release-prob P]
//! ```
//!
//! ROSTER_FILE is JSON: `{"team": {"id", "policy", "cap"?, "fallback"?}, "agents": [...]}`
//! (agents as in `handoff::assign::Agent`; the team's members default to every agent). Each step,
//! every open conversation closes with probability P (default 0.3), agents who freed up
//! take waiting conversations (highest priority, then oldest), then one new conversation
//! arrives and is assigned or queued. The last line is one JSON object:
//! `{"assigned", "queued", "from_queue", "waiting_at_end", "per_agent", "max_over_cap",
//! "away_assigned", "not_member_assigned", "assignments_per_s"}`. `max_over_cap`,
//! `away_assigned` and `not_member_assigned` are computed here from the file's caps and
//! statuses and the simulator's own open counts, not taken from the assigner.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use handoff::assign::{
    Agent, AgentStatus, AssignRequest, Assigner, Assignment, Roster, Team, Waiting,
};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterFile {
    team: Team,
    agents: Vec<Agent>,
}

struct Args {
    file: String,
    conversations: u64,
    seed: u64,
    release_prob: f64,
}

const USAGE: &str = "usage: simulate ROSTER_FILE --conversations N [--seed S] [--release-prob P]";

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut file, mut conversations, mut seed, mut release_prob) = (None, None, 1u64, 0.3f64);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--conversations" => {
                let v = value("--conversations")?;
                conversations = Some(
                    v.parse()
                        .map_err(|_| format!("--conversations: not a count: {v:?}"))?,
                );
            }
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed: not an integer: {v:?}"))?;
            }
            "--release-prob" => {
                let v = value("--release-prob")?;
                release_prob = v
                    .parse()
                    .ok()
                    .filter(|p: &f64| (0.0..=1.0).contains(p))
                    .ok_or(format!(
                        "--release-prob: expected a number in 0..=1, got {v:?}"
                    ))?;
            }
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    Ok(Args {
        file: file.ok_or("missing ROSTER_FILE")?,
        conversations: conversations.ok_or("missing --conversations N")?,
        seed,
        release_prob,
    })
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The simulator's own bookkeeping, used to check every assignment.
struct Checker {
    ids: Vec<String>,
    status: Vec<AgentStatus>,
    limit: Vec<u64>,
    member: Vec<bool>,
    open: Vec<u64>,
    per_agent: Vec<u64>,
    max_over_cap: u64,
    away_assigned: u64,
    not_member_assigned: u64,
}

impl Checker {
    fn record(&mut self, agent: &str) -> usize {
        let Some(i) = self.ids.iter().position(|a| a == agent) else {
            self.not_member_assigned += 1;
            return usize::MAX;
        };
        if self.status[i] != AgentStatus::Available {
            self.away_assigned += 1;
        }
        if !self.member[i] {
            self.not_member_assigned += 1;
        }
        self.open[i] += 1;
        self.per_agent[i] += 1;
        self.max_over_cap = self
            .max_over_cap
            .max(self.open[i].saturating_sub(self.limit[i]));
        i
    }
}

fn run(args: &Args) -> Result<(), String> {
    let text = std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file))?;
    let file: RosterFile =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", args.file))?;
    let mut team = file.team;
    if team.members.is_empty() {
        team.members = file.agents.iter().map(|a| a.id.clone()).collect();
    }
    let roster = Roster {
        teams: vec![team.clone()],
        agents: file.agents.clone(),
    };
    let assigner = Assigner::builder()
        .roster(roster)
        .track_open(true)
        .build()
        .map_err(|e| format!("{}: {e}", args.file))?;

    let mut check = Checker {
        ids: file.agents.iter().map(|a| a.id.to_string()).collect(),
        status: file.agents.iter().map(|a| a.status).collect(),
        limit: file
            .agents
            .iter()
            .map(|a| u64::from(a.cap.unwrap_or(u32::MAX).min(team.cap.unwrap_or(u32::MAX))))
            .collect(),
        member: file
            .agents
            .iter()
            .map(|a| team.members.contains(&a.id))
            .collect(),
        open: file.agents.iter().map(|a| u64::from(a.open)).collect(),
        per_agent: vec![0; file.agents.len()],
        max_over_cap: 0,
        away_assigned: 0,
        not_member_assigned: 0,
    };
    let mut rng = Rng(args.seed);
    let request = AssignRequest::new(team.id.clone());
    // Conversations this simulation opened, by agent index.
    let mut open_convs: Vec<usize> = Vec::new();
    let mut waiting: Vec<Waiting> = Vec::new();
    let (mut queued, mut from_queue) = (0u64, 0u64);
    let mut freed: Vec<usize> = Vec::new();
    let start = Instant::now();
    for step in 0..args.conversations {
        freed.clear();
        open_convs.retain(|&i| {
            if rng.unit() < args.release_prob {
                freed.push(i);
                false
            } else {
                true
            }
        });
        for &i in &freed {
            if !assigner.release(&check.ids[i]) {
                return Err(format!(
                    "release of {} failed although it had an open conversation",
                    check.ids[i]
                ));
            }
            check.open[i] -= 1;
        }
        for &i in &freed {
            if waiting.is_empty() {
                break;
            }
            if let Some(k) = assigner.next_from_queue(&check.ids[i], &waiting) {
                waiting.remove(k);
                let j = check.record(&check.ids[i].clone());
                open_convs.push(j);
                from_queue += 1;
            }
        }
        match assigner.assign(&request) {
            Assignment::Assigned { agent, .. } => {
                let i = check.record(&agent);
                if i != usize::MAX {
                    open_convs.push(i);
                }
            }
            Assignment::Queued { .. } => {
                queued += 1;
                waiting.push(Waiting::new(format!("c{step}"), &request, step));
            }
            other => return Err(format!("unexpected outcome {other:?}")),
        }
    }
    let secs = start.elapsed().as_secs_f64();

    println!(
        "{:<12} {:<10} {:>5} {:>9} {:>9}",
        "agent", "status", "limit", "assigned", "open_end"
    );
    for (i, id) in check.ids.iter().enumerate() {
        let limit = if check.limit[i] == u64::from(u32::MAX) {
            "-".to_string()
        } else {
            check.limit[i].to_string()
        };
        println!(
            "{:<12} {:<10} {:>5} {:>9} {:>9}",
            id,
            format!("{:?}", check.status[i]).to_lowercase(),
            limit,
            check.per_agent[i],
            check.open[i]
        );
    }
    let per_agent: BTreeMap<&str, u64> = check
        .ids
        .iter()
        .map(|s| s.as_str())
        .zip(check.per_agent.iter().copied())
        .collect();
    let assigned: u64 = check.per_agent.iter().sum();
    let summary = serde_json::json!({
        "assigned": assigned,
        "queued": queued,
        "from_queue": from_queue,
        "waiting_at_end": waiting.len(),
        "per_agent": per_agent,
        "max_over_cap": check.max_over_cap,
        "away_assigned": check.away_assigned,
        "not_member_assigned": check.not_member_assigned,
        "assignments_per_s": if secs > 0.0 { (args.conversations as f64 / secs).round() } else { 0.0 },
    });
    println!("{summary}");
    Ok(())
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
