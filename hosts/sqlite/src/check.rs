//! The checker: replays the committed log from the initial roster and verifies every
//! committed state and the final tables.
//!
//! For each log row, in commit order:
//! - its version is the previous one plus one (a gap or a repeat means a write did not
//!   compare-and-swap: two commits were computed from the same read);
//! - an `assign` or `queue` is for a conversation never seen before (never assigned
//!   twice), and is exactly what [`pick`] decides on the replayed previous state: same
//!   agent or same queueing, same team (so no decision used a stale read);
//! - an `assign` goes to an agent who is available at that point (never away or offline)
//!   and leaves them within the cap that applied (their own and the team's);
//! - a `release` closes a conversation that is open with that agent;
//! - the open counts the row recorded equal the replayed counts, and no replayed count is
//!   above the agent's cap.
//!
//! At the end: the stored version is the last logged one, the stored open counts and
//! statuses equal the replay (the sum of the operations), the stored state equals the
//! replayed state, the `conversations` table equals the replay, and every conversation a
//! process created (`processes` table) was assigned or queued exactly once: none lost.
//!
//! O(L · (m + a)) for L log rows, teams of m members and a agents; memory O(C) for C
//! conversations.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use handoff::assign::{pick, AgentStatus, AssignRequest, AssignState, CompiledRoster, Roster};
use rusqlite::Connection;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::schema::{self, conversation_id, parse_status, status_word};

/// What kind of rule a violation breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ViolationKind {
    /// A version is not the previous one plus one: a lost update.
    VersionNotNext,
    /// A logged decision differs from the pick on the previous committed state.
    StaleDecision,
    /// A conversation was assigned or queued a second time.
    AssignedTwice,
    /// An agent got a conversation while away or offline.
    AssignedWhileUnavailable,
    /// An agent held more open conversations than a cap allows.
    CapExceeded,
    /// A release of a conversation that was not open with that agent.
    ReleaseNotOpen,
    /// The open counts a log row recorded differ from the replayed ones.
    CountsDiffer,
    /// A conversation a process created is nowhere in the log.
    Lost,
    /// The final tables differ from the replay.
    FinalDiffers,
}

/// One broken rule, where it was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Which rule.
    pub kind: ViolationKind,
    /// The log row (its `seq`), or None for a check of the final tables.
    pub seq: Option<i64>,
    /// What was seen.
    pub detail: String,
}

/// What the checker found.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// Log rows replayed.
    pub entries: u64,
    /// Of which assignments, queueings, releases and status changes.
    pub assigns: u64,
    /// Conversations queued.
    pub queued: u64,
    /// Conversations closed.
    pub releases: u64,
    /// Status changes.
    pub status_changes: u64,
    /// Per agent: the most conversations held at once, and the cap.
    pub peak: BTreeMap<String, (u32, u32)>,
    /// Number of violations of each kind.
    pub counts: BTreeMap<ViolationKind, u64>,
    /// The first violations found (at most [`Report::KEEP`]).
    pub violations: Vec<Violation>,
}

impl Report {
    /// How many violations are kept in full.
    pub const KEEP: usize = 50;

    /// True when no rule was broken.
    pub fn is_ok(&self) -> bool {
        self.counts.is_empty()
    }

    /// Total violations found.
    pub fn violation_count(&self) -> u64 {
        self.counts.values().sum()
    }

    fn flag(&mut self, kind: ViolationKind, seq: Option<i64>, detail: String) {
        *self.counts.entry(kind).or_default() += 1;
        if self.violations.len() < Report::KEEP {
            self.violations.push(Violation { kind, seq, detail });
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "replayed {} committed operations ({} assign, {} queue, {} release, {} status)",
            self.entries, self.assigns, self.queued, self.releases, self.status_changes
        )?;
        if self.is_ok() {
            return f.write_str(": no violation");
        }
        write!(f, ": {} violations", self.violation_count())?;
        for (kind, n) in &self.counts {
            write!(f, "\n  {kind:?}: {n}")?;
        }
        for v in self.violations.iter().take(10) {
            match v.seq {
                Some(seq) => write!(f, "\n  log row {seq}: {:?}: {}", v.kind, v.detail)?,
                None => write!(f, "\n  final: {:?}: {}", v.kind, v.detail)?,
            }
        }
        Ok(())
    }
}

/// A conversation as the replay knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Conv {
    Open(String),
    Queued,
    Closed(String),
}

/// One log row.
struct Row {
    seq: i64,
    version: i64,
    op: String,
    conversation: Option<String>,
    agent: Option<String>,
    team: Option<String>,
    request: Option<String>,
    status: Option<String>,
    open_counts: String,
}

/// The replayed world.
struct Replay {
    config: Roster,
    roster: CompiledRoster,
    state: AssignState,
    convs: HashMap<String, Conv>,
    version: i64,
    /// False after the first stale decision: the replayed state no longer follows the
    /// committed one, so later decisions are not compared.
    decisions_comparable: bool,
}

/// Checks the database: replays the log and compares the final tables.
pub fn check(conn: &Connection) -> Result<Report> {
    let config = schema::load_roster(conn)?;
    let roster = config.compile()?;
    let mut replay = Replay {
        state: AssignState::new(&roster),
        roster,
        config,
        convs: HashMap::new(),
        version: 0,
        decisions_comparable: true,
    };
    let mut report = Report::default();
    for agent in &replay.config.agents {
        let cap = replay.cap_any(&agent.id);
        report.peak.insert(agent.id.to_string(), (agent.open, cap));
    }
    let mut stmt = conn.prepare(
        "SELECT seq, version, op, conversation, agent, team, request, status, open_counts
         FROM op_log ORDER BY seq",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let row = Row {
            seq: r.get(0)?,
            version: r.get(1)?,
            op: r.get(2)?,
            conversation: r.get(3)?,
            agent: r.get(4)?,
            team: r.get(5)?,
            request: r.get(6)?,
            status: r.get(7)?,
            open_counts: r.get(8)?,
        };
        replay.step(&row, &mut report)?;
    }
    replay.check_final(conn, &mut report)?;
    Ok(report)
}

impl Replay {
    fn step(&mut self, row: &Row, report: &mut Report) -> Result<()> {
        report.entries += 1;
        let seq = Some(row.seq);
        if row.version != self.version + 1 {
            report.flag(
                ViolationKind::VersionNotNext,
                seq,
                format!("version {} after {}", row.version, self.version),
            );
        }
        self.version = row.version;
        let conversation = row.conversation.clone().unwrap_or_default();
        match row.op.as_str() {
            "assign" | "queue" => self.step_pick(row, &conversation, report)?,
            "release" => self.step_release(row, &conversation, report),
            "status" => {
                report.status_changes += 1;
                let agent = row.agent.as_deref().unwrap_or_default();
                let status = parse_status(row.status.as_deref().unwrap_or_default())?;
                if !self.roster.set_status(agent, status) {
                    return Err(Error::Corrupt(format!("status of unknown agent {agent:?}")));
                }
            }
            other => return Err(Error::Corrupt(format!("unknown op {other:?}"))),
        }
        self.check_counts(row, report)
    }

    fn step_pick(&mut self, row: &Row, conversation: &str, report: &mut Report) -> Result<()> {
        let seq = Some(row.seq);
        let request: AssignRequest = serde_json::from_str(row.request.as_deref().unwrap_or(""))?;
        if self.convs.contains_key(conversation) {
            report.flag(
                ViolationKind::AssignedTwice,
                seq,
                format!("conversation {conversation:?} seen before"),
            );
        }
        let (expected, change) = pick(&self.roster, &self.state, &request);
        let logged_agent = if row.op == "assign" {
            row.agent.as_deref()
        } else {
            None
        };
        let same = expected.agent() == logged_agent
            && (logged_agent.is_none() || Some(expected.team()) == row.team.as_deref());
        if self.decisions_comparable && !same {
            self.decisions_comparable = false;
            report.flag(
                ViolationKind::StaleDecision,
                seq,
                format!(
                    "logged {} {:?} in {:?}, the committed state gives {expected}",
                    row.op, logged_agent, row.team
                ),
            );
        }
        if same {
            self.state.apply(&change);
        }
        let Some(agent) = logged_agent else {
            report.queued += 1;
            self.convs.insert(conversation.to_string(), Conv::Queued);
            return Ok(());
        };
        report.assigns += 1;
        let status = self.roster.status(agent);
        if status != Some(AgentStatus::Available) {
            report.flag(
                ViolationKind::AssignedWhileUnavailable,
                seq,
                format!("{conversation:?} to {agent:?}, who is {status:?}"),
            );
        }
        let open = self.roster.open(agent).unwrap_or(0) + 1;
        self.roster.set_open(agent, open);
        let team = row.team.as_deref().unwrap_or(&request.team);
        let cap = self.cap_in(agent, team);
        if open > cap {
            report.flag(
                ViolationKind::CapExceeded,
                seq,
                format!("{agent:?} holds {open} after {conversation:?} via {team:?}, cap {cap}"),
            );
        }
        self.convs
            .insert(conversation.to_string(), Conv::Open(agent.to_string()));
        Ok(())
    }

    fn step_release(&mut self, row: &Row, conversation: &str, report: &mut Report) {
        report.releases += 1;
        let agent = row.agent.as_deref().unwrap_or_default();
        match self.convs.get(conversation) {
            Some(Conv::Open(a)) if a == agent => {}
            other => report.flag(
                ViolationKind::ReleaseNotOpen,
                Some(row.seq),
                format!("{conversation:?} released by {agent:?} while {other:?}"),
            ),
        }
        let open = self.roster.open(agent).unwrap_or(0);
        if open == 0 {
            report.flag(
                ViolationKind::ReleaseNotOpen,
                Some(row.seq),
                format!("{agent:?} released {conversation:?} holding none"),
            );
        }
        self.roster.set_open(agent, open.saturating_sub(1));
        self.convs
            .insert(conversation.to_string(), Conv::Closed(agent.to_string()));
    }

    /// The logged counts equal the replayed ones, and none is above its agent's cap.
    fn check_counts(&self, row: &Row, report: &mut Report) -> Result<()> {
        let logged: BTreeMap<String, u32> = serde_json::from_str(&row.open_counts)?;
        let replayed = self.counts();
        if logged != replayed {
            let diff: Vec<String> = replayed
                .iter()
                .filter(|(a, n)| logged.get(*a) != Some(n))
                .map(|(a, n)| format!("{a}: logged {:?}, replayed {n}", logged.get(a)))
                .collect();
            report.flag(ViolationKind::CountsDiffer, Some(row.seq), diff.join(", "));
        }
        for (agent, &open) in &replayed {
            let cap = self.cap_any(agent);
            let logged_open = logged.get(agent).copied().unwrap_or(0);
            if let Some(peak) = report.peak.get_mut(agent) {
                peak.0 = peak.0.max(open).max(logged_open);
            }
            if open.max(logged_open) > cap && row.op != "assign" {
                // Assignments were checked against the team's cap in `step_pick`; other
                // rows must not show anyone above the largest cap they can have.
                report.flag(
                    ViolationKind::CapExceeded,
                    Some(row.seq),
                    format!("{agent:?} holds {open} (logged {logged_open}), cap {cap}"),
                );
            }
        }
        Ok(())
    }

    fn counts(&self) -> BTreeMap<String, u32> {
        self.roster
            .agent_ids()
            .map(|a| (a.to_string(), self.roster.open(a).unwrap_or(0)))
            .collect()
    }

    /// The cap on `agent` when assigned through `team`: the smaller of theirs and the
    /// team's (u32::MAX when neither is set).
    fn cap_in(&self, agent: &str, team: &str) -> u32 {
        let own = self.agent_cap(agent);
        let team_cap = self
            .config
            .teams
            .iter()
            .find(|t| &*t.id == team)
            .and_then(|t| t.cap)
            .unwrap_or(u32::MAX);
        own.min(team_cap)
    }

    /// The largest cap `agent` can be held to: the loosest of their teams' caps.
    fn cap_any(&self, agent: &str) -> u32 {
        self.config
            .teams
            .iter()
            .filter(|t| t.members.iter().any(|m| &**m == agent))
            .map(|t| self.cap_in(agent, &t.id))
            .max()
            .unwrap_or_else(|| self.agent_cap(agent))
    }

    fn agent_cap(&self, agent: &str) -> u32 {
        self.config
            .agents
            .iter()
            .find(|a| &*a.id == agent)
            .and_then(|a| a.cap)
            .unwrap_or(u32::MAX)
    }

    /// The stored version, agents, state and conversations equal the replay, and no
    /// created conversation is missing.
    fn check_final(&self, conn: &Connection, report: &mut Report) -> Result<()> {
        let (version, json): (i64, String) = conn.query_row(
            "SELECT version, state FROM assign_state WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if version != self.version {
            report.flag(
                ViolationKind::FinalDiffers,
                None,
                format!("stored version {version}, last logged {}", self.version),
            );
        }
        let stored: AssignState = serde_json::from_str(&json)?;
        if self.decisions_comparable && stored != self.state {
            report.flag(
                ViolationKind::FinalDiffers,
                None,
                format!(
                    "stored state (seq {}) differs from the replayed one (seq {})",
                    stored.seq(),
                    self.state.seq()
                ),
            );
        }
        self.check_final_agents(conn, report)?;
        self.check_final_conversations(conn, report)?;
        self.check_none_lost(conn, report)
    }

    fn check_final_agents(&self, conn: &Connection, report: &mut Report) -> Result<()> {
        let mut stmt = conn.prepare("SELECT id, status, open_count FROM agents ORDER BY id")?;
        let stored: BTreeMap<String, (String, u32)> = stmt
            .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?
            .collect::<rusqlite::Result<_>>()?;
        let replayed: BTreeMap<String, (String, u32)> = self
            .roster
            .agent_ids()
            .map(|a| {
                let status = status_word(self.roster.status(a).unwrap_or(AgentStatus::Offline));
                let open = self.roster.open(a).unwrap_or(0);
                (a.to_string(), (status.to_string(), open))
            })
            .collect();
        for (agent, want) in &replayed {
            let got = stored.get(agent);
            if got != Some(want) {
                report.flag(
                    ViolationKind::FinalDiffers,
                    None,
                    format!("agent {agent:?}: stored {got:?}, the operations sum to {want:?}"),
                );
            }
        }
        Ok(())
    }

    fn check_final_conversations(&self, conn: &Connection, report: &mut Report) -> Result<()> {
        let mut stmt = conn.prepare("SELECT id, agent, status FROM conversations")?;
        let mut rows = stmt.query([])?;
        let mut stored = 0usize;
        while let Some(r) = rows.next()? {
            stored += 1;
            let id: String = r.get(0)?;
            let agent: Option<String> = r.get(1)?;
            let status: String = r.get(2)?;
            let got = match (status.as_str(), agent) {
                ("open", Some(a)) => Some(Conv::Open(a)),
                ("closed", Some(a)) => Some(Conv::Closed(a)),
                ("queued", None) => Some(Conv::Queued),
                _ => None,
            };
            let want = self.convs.get(&id);
            if got.as_ref() != want {
                report.flag(
                    ViolationKind::FinalDiffers,
                    None,
                    format!("conversation {id:?}: stored {status} {got:?}, replayed {want:?}"),
                );
            }
        }
        if stored != self.convs.len() {
            report.flag(
                ViolationKind::FinalDiffers,
                None,
                format!(
                    "{stored} conversations stored, {} in the log",
                    self.convs.len()
                ),
            );
        }
        Ok(())
    }

    /// Every conversation each process says it created was assigned or queued.
    fn check_none_lost(&self, conn: &Connection, report: &mut Report) -> Result<()> {
        let mut stmt = conn.prepare("SELECT process, created FROM processes ORDER BY process")?;
        let created: Vec<(u32, i64)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut total = 0u64;
        for (process, n) in created {
            let n = u64::try_from(n).unwrap_or(0);
            total += n;
            for i in 0..n {
                let id = conversation_id(process, i);
                if !self.convs.contains_key(&id) {
                    report.flag(
                        ViolationKind::Lost,
                        None,
                        format!("{id:?} was created but never assigned or queued"),
                    );
                }
            }
        }
        if total > 0 && total != self.convs.len() as u64 {
            report.flag(
                ViolationKind::FinalDiffers,
                None,
                format!(
                    "processes created {total} conversations, the log has {}",
                    self.convs.len()
                ),
            );
        }
        Ok(())
    }
}
