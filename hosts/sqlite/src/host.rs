//! The host: assignments, releases and status changes as optimistic transactions.
//!
//! Every operation runs the same loop:
//!
//! 1. **read** the version, the state and the agents' live rows in one read transaction
//!    (a WAL snapshot: consistent, and it blocks nobody);
//! 2. **decide** with no lock held: [`pick`] is pure, so the new state and open counts are
//!    computed from the snapshot alone;
//! 3. **write** in a `BEGIN IMMEDIATE` transaction that first runs
//!    `UPDATE assign_state SET version = v + 1, ... WHERE id = 1 AND version = v`. If it
//!    changed no row, another process committed since the read: roll back and start over
//!    from 1 (a *conflict*). Otherwise write the agent row, the conversation row and the
//!    log row, and commit.
//!
//! The write lock is held only for a few indexed writes, never during a pick. SQLITE_BUSY
//! (another writer past the 5 s busy timeout) also restarts the operation from its read,
//! after a short back-off; both kinds of retry are bounded.
//!
//! [`Mode::Unchecked`] drops `AND version = v` and nothing else: it is the broken host
//! that the checker must catch (lost updates, caps exceeded, picks from stale state).

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use handoff::assign::{pick, AgentStatus, AssignRequest, AssignState, Assignment, CompiledRoster};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schema::{self, parse_status, status_word};

/// Whether the write checks the version it read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Compare-and-swap on the version: the correct host.
    Checked,
    /// Writes whatever it computed, even if others committed since its read: broken on
    /// purpose, to show that the checker catches it.
    Unchecked,
}

/// Bounds on one operation's retries.
#[derive(Clone, Copy, Debug)]
pub struct Retry {
    /// Version conflicts before giving up.
    pub conflicts: u32,
    /// SQLITE_BUSY errors (each after the busy timeout) before giving up.
    pub busy: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            conflicts: 10_000,
            busy: 20,
        }
    }
}

/// Totals over a host's operations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Operations that committed (one log row each).
    pub committed: u64,
    /// Operations that had nothing to write (releasing a conversation that is not open,
    /// setting a status an agent already has).
    pub unchanged: u64,
    /// Restarts because another process committed between read and write.
    pub conflicts: u64,
    /// Restarts because the database stayed busy past the timeout.
    pub busy_retries: u64,
}

/// What the database held at the read: everything a decision may look at.
pub struct Snapshot {
    /// The version the write will compare against.
    pub version: i64,
    /// The assignment state, bound to `roster`.
    pub state: AssignState,
    /// The roster with the agents' statuses and open counts as stored.
    pub roster: CompiledRoster,
}

/// The result of an operation, and the version it committed (None when there was
/// nothing to write).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Done<T> {
    /// What the operation decided.
    pub value: T,
    /// The version its commit wrote.
    pub version: Option<i64>,
}

/// What an assignment request came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignOutcome {
    /// Picked (assigned or queued) and committed.
    Decided(Assignment),
    /// The conversation was already known (assigned, queued or closed): nothing written,
    /// so a request retried after an uncertain commit never assigns twice.
    AlreadyKnown,
}

/// A released conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Released {
    /// The conversation closed.
    pub conversation: String,
    /// The agent whose open count went down.
    pub agent: String,
}

/// A host process's handle on the shared database.
pub struct Host {
    conn: Connection,
    base: CompiledRoster,
    mode: Mode,
    retry: Retry,
    think: Duration,
    process: u32,
    stats: Stats,
}

/// Everything one operation writes, decided from a snapshot.
struct Write {
    op: &'static str,
    conversation: Option<ConversationRow>,
    agent: Option<AgentRow>,
    log_agent: Option<String>,
    team: Option<String>,
    request: Option<String>,
    status: Option<AgentStatus>,
    new_state: Option<AssignState>,
    open_counts: String,
}

/// The conversation row an operation writes.
enum ConversationRow {
    /// A new conversation, open with an agent or queued.
    Insert {
        id: String,
        team: String,
        agent: Option<String>,
        status: &'static str,
    },
    /// An open conversation closed.
    Close { id: String },
}

impl ConversationRow {
    fn id(&self) -> &str {
        match self {
            ConversationRow::Insert { id, .. } | ConversationRow::Close { id } => id,
        }
    }
}

/// The agent row an operation writes: only the column it changes, so that an assignment
/// never writes back a status it read (nor a status change an open count).
struct AgentRow {
    id: String,
    status: Option<AgentStatus>,
    open: Option<u32>,
}

enum Decision<T> {
    Write(Box<Write>, T),
    Nothing(T),
}

enum Attempt<T> {
    Done(Done<T>),
    Conflict,
}

impl Host {
    /// Opens the database (created with [`schema::init`]) as process `process` (recorded
    /// in the log).
    pub fn open(path: &Path, process: u32) -> Result<Host> {
        let conn = schema::connect(path)?;
        let base = schema::load_roster(&conn)?.compile()?;
        Ok(Host {
            conn,
            base,
            mode: Mode::Checked,
            retry: Retry::default(),
            think: Duration::ZERO,
            process,
            stats: Stats::default(),
        })
    }

    /// With this write mode ([`Mode::Checked`] by default).
    pub fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// With these retry bounds.
    pub fn with_retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// Sleeping this long between read and write: stands for a slow host (a GC pause, a
    /// network hop to the database) and widens the window in which others commit.
    pub fn with_think(mut self, think: Duration) -> Self {
        self.think = think;
        self
    }

    /// Totals so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Routes a new conversation to a team: picks the agent (or queues it) and commits
    /// the pick, the agent's new open count and the conversation.
    pub fn assign(
        &mut self,
        conversation: &str,
        request: &AssignRequest,
    ) -> Result<Done<AssignOutcome>> {
        let request_json = serde_json::to_string(request)?;
        self.transact(|snap, tx| {
            if conversation_known(tx, conversation)? {
                return Ok(Decision::Nothing(AssignOutcome::AlreadyKnown));
            }
            let (assignment, change) = pick(&snap.roster, &snap.state, request);
            let mut roster = snap.roster.clone();
            let write = match assignment.agent() {
                Some(agent) => {
                    let open = roster.open(agent).unwrap_or(0) + 1;
                    roster.set_open(agent, open);
                    let mut state = snap.state.clone();
                    state.apply(&change);
                    Write {
                        op: "assign",
                        conversation: Some(ConversationRow::Insert {
                            id: conversation.to_string(),
                            team: assignment.team().to_string(),
                            agent: Some(agent.to_string()),
                            status: "open",
                        }),
                        agent: Some(AgentRow {
                            id: agent.to_string(),
                            status: None,
                            open: Some(open),
                        }),
                        log_agent: Some(agent.to_string()),
                        team: Some(assignment.team().to_string()),
                        request: Some(request_json.clone()),
                        status: None,
                        new_state: Some(state),
                        open_counts: open_counts(&roster)?,
                    }
                }
                None => Write {
                    op: "queue",
                    conversation: Some(ConversationRow::Insert {
                        id: conversation.to_string(),
                        team: assignment.team().to_string(),
                        agent: None,
                        status: "queued",
                    }),
                    agent: None,
                    log_agent: None,
                    team: Some(assignment.team().to_string()),
                    request: Some(request_json.clone()),
                    status: None,
                    new_state: None,
                    open_counts: open_counts(&roster)?,
                },
            };
            Ok(Decision::Write(
                Box::new(write),
                AssignOutcome::Decided(assignment),
            ))
        })
    }

    /// Closes an open conversation: its agent's open count goes down by one. None when
    /// the conversation is not open (unknown, queued or already closed).
    pub fn release(&mut self, conversation: &str) -> Result<Done<Option<Released>>> {
        let mode = self.mode;
        self.transact(|snap, tx| {
            let agent: Option<String> = tx
                .query_row(
                    "SELECT agent FROM conversations WHERE id = ?1 AND status = 'open'",
                    params![conversation],
                    |r| r.get(0),
                )
                .optional()?;
            match agent {
                Some(agent) => release_write(snap, mode, conversation, &agent),
                None => Ok(Decision::Nothing(None)),
            }
        })
    }

    /// Closes one of the open conversations, chosen by `choose(count)` (an index below
    /// `count`) among them in id order; None when none is open. The choice is made on
    /// the snapshot, so two processes may choose the same one: the version check lets
    /// only one of them commit it.
    pub fn release_any(
        &mut self,
        mut choose: impl FnMut(usize) -> usize,
    ) -> Result<Done<Option<Released>>> {
        let mode = self.mode;
        self.transact(|snap, tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT id, agent FROM conversations WHERE status = 'open' ORDER BY id",
            )?;
            let open: Vec<(String, String)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            if open.is_empty() {
                return Ok(Decision::Nothing(None));
            }
            let (conversation, agent) = &open[choose(open.len()).min(open.len() - 1)];
            release_write(snap, mode, conversation, agent)
        })
    }

    /// Marks an agent available, away or offline. False when the agent already had that
    /// status (nothing written).
    pub fn set_status(&mut self, agent: &str, status: AgentStatus) -> Result<Done<bool>> {
        if self.base.status(agent).is_none() {
            return Err(Error::Usage(format!("unknown agent {agent:?}")));
        }
        self.transact(|snap, _| {
            if snap.roster.status(agent) == Some(status) {
                return Ok(Decision::Nothing(false));
            }
            let mut roster = snap.roster.clone();
            roster.set_status(agent, status);
            let write = Write {
                op: "status",
                conversation: None,
                agent: Some(AgentRow {
                    id: agent.to_string(),
                    status: Some(status),
                    open: None,
                }),
                log_agent: Some(agent.to_string()),
                team: None,
                request: None,
                status: Some(status),
                new_state: None,
                open_counts: open_counts(&roster)?,
            };
            Ok(Decision::Write(Box::new(write), true))
        })
    }

    /// Reads the current snapshot (for reports; operations read their own).
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let tx = self.conn.transaction()?;
        let snap = read_snapshot(&tx, &self.base)?;
        tx.commit()?;
        Ok(snap)
    }

    /// The optimistic loop: read, decide, write if the version is unchanged, else retry.
    fn transact<T>(
        &mut self,
        mut decide: impl FnMut(&Snapshot, &Transaction<'_>) -> Result<Decision<T>>,
    ) -> Result<Done<T>> {
        let (mut conflicts, mut busy) = (0u32, 0u32);
        loop {
            match self.attempt(&mut decide) {
                Ok(Attempt::Done(done)) => {
                    match done.version {
                        Some(_) => self.stats.committed += 1,
                        None => self.stats.unchanged += 1,
                    }
                    return Ok(done);
                }
                Ok(Attempt::Conflict) => {
                    conflicts += 1;
                    self.stats.conflicts += 1;
                }
                Err(e) if e.is_busy() => {
                    busy += 1;
                    self.stats.busy_retries += 1;
                    std::thread::sleep(Duration::from_millis(u64::from(busy.min(10))));
                }
                Err(e) => return Err(e),
            }
            if conflicts > self.retry.conflicts || busy > self.retry.busy {
                return Err(Error::TooManyRetries { conflicts, busy });
            }
        }
    }

    fn attempt<T>(
        &mut self,
        decide: &mut impl FnMut(&Snapshot, &Transaction<'_>) -> Result<Decision<T>>,
    ) -> Result<Attempt<T>> {
        let (snap, decision) = {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Deferred)?;
            let snap = read_snapshot(&tx, &self.base)?;
            let decision = decide(&snap, &tx)?;
            tx.commit()?;
            (snap, decision)
        };
        let (write, value) = match decision {
            Decision::Nothing(value) => {
                return Ok(Attempt::Done(Done {
                    value,
                    version: None,
                }))
            }
            Decision::Write(write, value) => (write, value),
        };
        if !self.think.is_zero() {
            std::thread::sleep(self.think);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version = snap.version + 1;
        if !swap_version(&tx, self.mode, snap.version, write.new_state.as_ref())? {
            return Ok(Attempt::Conflict); // dropping `tx` rolls back
        }
        write_rows(&tx, &write, version, self.process)?;
        tx.commit()?;
        Ok(Attempt::Done(Done {
            value,
            version: Some(version),
        }))
    }
}

/// Reads version, state and live agent rows; binds the state to the roster.
fn read_snapshot(tx: &Transaction<'_>, base: &CompiledRoster) -> Result<Snapshot> {
    let (version, json): (i64, String) = tx
        .prepare_cached("SELECT version, state FROM assign_state WHERE id = 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut state: AssignState = serde_json::from_str(&json)?;
    let mut roster = base.clone();
    let mut stmt = tx.prepare_cached("SELECT id, status, open_count FROM agents")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let id: String = row.get(0)?;
        let status = parse_status(&row.get::<_, String>(1)?)?;
        let open: u32 = row.get(2)?;
        if !(roster.set_status(&id, status) && roster.set_open(&id, open)) {
            return Err(Error::Corrupt(format!("agent {id:?} is not in the roster")));
        }
    }
    state.bind(&roster);
    Ok(Snapshot {
        version,
        state,
        roster,
    })
}

/// Bumps the version and stores the new state; in [`Mode::Checked`] only if the version
/// is still the one read. False when it was not (a conflict).
fn swap_version(
    tx: &Transaction<'_>,
    mode: Mode,
    read: i64,
    state: Option<&AssignState>,
) -> Result<bool> {
    let state = state.map(serde_json::to_string).transpose()?;
    let changed = match mode {
        Mode::Checked => tx.prepare_cached(
            "UPDATE assign_state SET version = ?1 + 1, state = COALESCE(?2, state)
             WHERE id = 1 AND version = ?1",
        )?,
        Mode::Unchecked => tx.prepare_cached(
            "UPDATE assign_state SET version = ?1 + 1, state = COALESCE(?2, state)
             WHERE id = 1",
        )?,
    }
    .execute(params![read, state])?;
    Ok(changed == 1)
}

/// Writes the agent, conversation and log rows of a decided operation.
fn write_rows(tx: &Transaction<'_>, write: &Write, version: i64, process: u32) -> Result<()> {
    if let Some(a) = &write.agent {
        tx.prepare_cached(
            "UPDATE agents SET status = COALESCE(?2, status), open_count = COALESCE(?3, open_count)
             WHERE id = ?1",
        )?
        .execute(params![a.id, a.status.map(status_word), a.open])?;
    }
    match &write.conversation {
        Some(ConversationRow::Insert {
            id,
            team,
            agent,
            status,
        }) => {
            tx.prepare_cached(
                "INSERT INTO conversations (id, team, agent, status) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![id, team, agent, status])?;
        }
        Some(ConversationRow::Close { id }) => {
            tx.prepare_cached("UPDATE conversations SET status = 'closed' WHERE id = ?1")?
                .execute(params![id])?;
        }
        None => {}
    }
    tx.prepare_cached(
        "INSERT INTO op_log (version, process, op, conversation, agent, team, request, status,
                             open_counts)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        version,
        process,
        write.op,
        write.conversation.as_ref().map(ConversationRow::id),
        write.log_agent,
        write.team,
        write.request,
        write.status.map(status_word),
        write.open_counts,
    ])?;
    Ok(())
}

/// The write that closes `conversation`. An open conversation whose agent has no open
/// count cannot happen with checked writes (an error says so); the unchecked host does
/// not notice and writes 0, as a host without the check would.
fn release_write(
    snap: &Snapshot,
    mode: Mode,
    conversation: &str,
    agent: &str,
) -> Result<Decision<Option<Released>>> {
    let mut roster = snap.roster.clone();
    let open = match (roster.open(agent).and_then(|n| n.checked_sub(1)), mode) {
        (Some(open), _) => open,
        (None, Mode::Unchecked) => 0,
        (None, Mode::Checked) => {
            return Err(Error::Corrupt(format!(
                "conversation {conversation:?} is open with {agent:?}, who has none open"
            )))
        }
    };
    roster.set_open(agent, open);
    let write = Write {
        op: "release",
        conversation: Some(ConversationRow::Close {
            id: conversation.to_string(),
        }),
        agent: Some(AgentRow {
            id: agent.to_string(),
            status: None,
            open: Some(open),
        }),
        log_agent: Some(agent.to_string()),
        team: None,
        request: None,
        status: None,
        new_state: None,
        open_counts: open_counts(&roster)?,
    };
    let released = Released {
        conversation: conversation.to_string(),
        agent: agent.to_string(),
    };
    Ok(Decision::Write(Box::new(write), Some(released)))
}

fn conversation_known(tx: &Transaction<'_>, conversation: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1")?
        .query_row(params![conversation], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The open counts of every agent as a JSON object keyed by agent id.
pub(crate) fn open_counts(roster: &CompiledRoster) -> Result<String> {
    let counts: BTreeMap<&str, u32> = roster
        .agent_ids()
        .map(|a| (a, roster.open(a).unwrap_or(0)))
        .collect();
    Ok(serde_json::to_string(&counts)?)
}
