//! The database: how a connection is opened, the tables, and a fresh team's first rows.
//!
//! - `roster`: the team configuration (teams, members, caps, skills, weights) as the
//!   crate's serde JSON, written once. It changes rarely and is read whole.
//! - `assign_state`: one row holding the `version` that every commit bumps by one and the
//!   [`AssignState`] as the crate's serde JSON. The state is small (a few numbers per
//!   agent and team), read and rewritten whole by every assignment, and its JSON form is
//!   keyed by id so it survives roster edits; splitting it into tables would only add
//!   joins. The version guards the whole row *and* the live rows below: one compare-and-swap
//!   covers everything a pick read.
//! - `agents`: the live part of the roster, one row per agent (status, open count), so an
//!   admin screen or a report can query it with SQL.
//! - `conversations`: every conversation the team was asked to take: open with its agent,
//!   closed, or queued.
//! - `op_log`: append-only (triggers refuse updates and deletes): one row per committed
//!   operation with the version it committed, the request, the outcome and the open
//!   counts after it, so a checker can replay the history.

use std::path::Path;
use std::time::Duration;

use handoff::assign::{AgentStatus, AssignState, Roster};
use rusqlite::{params, Connection};

use crate::error::{Error, Result};

/// How long a statement waits for another connection's lock before SQLITE_BUSY.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const TABLES: &str = "
CREATE TABLE roster (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    config TEXT NOT NULL
);
CREATE TABLE assign_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL,
    state TEXT NOT NULL
);
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('available', 'away', 'offline')),
    open_count INTEGER NOT NULL CHECK (open_count >= 0)
) WITHOUT ROWID;
CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    team TEXT NOT NULL,
    agent TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed', 'queued'))
) WITHOUT ROWID;
CREATE INDEX conversations_open ON conversations (id) WHERE status = 'open';
CREATE TABLE op_log (
    seq INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    process INTEGER NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('assign', 'queue', 'release', 'status')),
    conversation TEXT,
    agent TEXT,
    team TEXT,
    request TEXT,
    status TEXT,
    open_counts TEXT NOT NULL
);
CREATE TRIGGER op_log_no_update BEFORE UPDATE ON op_log
    BEGIN SELECT RAISE(ABORT, 'op_log is append-only'); END;
CREATE TRIGGER op_log_no_delete BEFORE DELETE ON op_log
    BEGIN SELECT RAISE(ABORT, 'op_log is append-only'); END;
CREATE TABLE processes (
    process INTEGER PRIMARY KEY,
    created INTEGER NOT NULL
);
";

/// Opens a connection the way every process of the host does: WAL (readers never block
/// the writer, and a reader's snapshot is stable), `synchronous = NORMAL` (durable at
/// checkpoints, safe against corruption), and the busy timeout.
pub fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(conn)
}

/// Creates the tables in an empty database and writes the team: the roster, version 0
/// with a fresh state, and one `agents` row per agent with its status and open count.
pub fn init(conn: &mut Connection, roster: &Roster) -> Result<()> {
    let compiled = roster.compile()?;
    let state = AssignState::new(&compiled);
    let tx = conn.transaction()?;
    tx.execute_batch(TABLES)?;
    tx.execute(
        "INSERT INTO roster (id, config) VALUES (1, ?1)",
        params![serde_json::to_string(roster)?],
    )?;
    tx.execute(
        "INSERT INTO assign_state (id, version, state) VALUES (1, 0, ?1)",
        params![serde_json::to_string(&state)?],
    )?;
    for agent in &roster.agents {
        tx.execute(
            "INSERT INTO agents (id, status, open_count) VALUES (?1, ?2, ?3)",
            params![&*agent.id, status_word(agent.status), agent.open],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// The roster as it was written by [`init`].
pub fn load_roster(conn: &Connection) -> Result<Roster> {
    let json: String =
        conn.query_row("SELECT config FROM roster WHERE id = 1", [], |r| r.get(0))?;
    Ok(serde_json::from_str(&json)?)
}

/// The word stored for a status.
pub fn status_word(status: AgentStatus) -> &'static str {
    match status {
        AgentStatus::Available => "available",
        AgentStatus::Away => "away",
        // Offline, and any status a later crate version adds: never assigned.
        _ => "offline",
    }
}

/// The status a stored word names.
pub fn parse_status(word: &str) -> Result<AgentStatus> {
    match word {
        "available" => Ok(AgentStatus::Available),
        "away" => Ok(AgentStatus::Away),
        "offline" => Ok(AgentStatus::Offline),
        other => Err(Error::Usage(format!(
            "unknown status {other:?} (available, away or offline)"
        ))),
    }
}

/// The conversation id a stress process gives its `n`-th conversation.
pub fn conversation_id(process: u32, n: u64) -> String {
    format!("p{process}-{n}")
}
