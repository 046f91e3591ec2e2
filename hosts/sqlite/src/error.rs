//! The host's error: what failed, with the underlying cause kept for `source()`.

use std::fmt;

/// Why a host operation, a stress run or a check could not be carried out (a violation
/// found by the checker is not an error: it is in the [`Report`](crate::Report)).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// SQLite refused a statement (busy past the retries, constraint, I/O).
    Sqlite(rusqlite::Error),
    /// A stored JSON value (roster, state, request, worker report) did not parse.
    Json(serde_json::Error),
    /// The stored roster does not compile.
    Roster(handoff::BuildError),
    /// Spawning or talking to a worker process failed.
    Io(std::io::Error),
    /// The database holds something the host never writes (an unknown agent or status).
    Corrupt(String),
    /// An operation kept conflicting or finding the database busy past its bound.
    TooManyRetries {
        /// Version conflicts seen by this operation.
        conflicts: u32,
        /// Busy errors seen by this operation.
        busy: u32,
    },
    /// A worker process failed or the run went past its time bound.
    Run(String),
    /// The caller named something that does not exist (agent, status word).
    Usage(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Sqlite(e) => write!(f, "sqlite: {e}"),
            Error::Json(e) => write!(f, "json: {e}"),
            Error::Roster(e) => write!(f, "roster: {e}"),
            Error::Io(e) => write!(f, "io: {e}"),
            Error::Corrupt(what) => write!(f, "unexpected database content: {what}"),
            Error::TooManyRetries { conflicts, busy } => write!(
                f,
                "gave up after {conflicts} version conflicts and {busy} busy retries"
            ),
            Error::Run(what) => write!(f, "stress run: {what}"),
            Error::Usage(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Sqlite(e) => Some(e),
            Error::Json(e) => Some(e),
            Error::Roster(e) => Some(e),
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Sqlite(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

impl From<handoff::BuildError> for Error {
    fn from(e: handoff::BuildError) -> Self {
        Error::Roster(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

impl Error {
    /// True for SQLITE_BUSY and SQLITE_LOCKED: another connection holds the lock past the
    /// busy timeout; the whole operation is retried from its read.
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Error::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
        )
    }
}

/// The host's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
