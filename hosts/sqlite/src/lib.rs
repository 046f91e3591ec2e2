//! An example host for `handoff`: several processes share one team's assignment state
//! (the `AssignState` and the agents' statuses and open counts) through one SQLite file,
//! with optimistic transactions, and a stress run with a checker that proves it.
//!
//! [`handoff::assign::pick`] is pure: it reads a roster (with live statuses and open
//! counts) and a state and returns the answer and the state change. A host that shares
//! these across processes therefore needs no lock while it picks: it reads a versioned
//! snapshot, picks, and writes the result only if the version is still the one it read
//! (compare-and-swap), starting over otherwise. [`Host`] does this for assignments,
//! releases and status changes alike, and records every commit in an append-only log.
//!
//! [`run_stress`] spawns worker processes that hammer one database; [`check()`] replays the
//! log and verifies every committed state (caps, availability, no double or lost
//! assignment, decisions made on the latest state) and the final tables. With
//! [`Mode::Unchecked`] the host skips the version check, and the checker reports the
//! resulting violations.
//!
//! ```
//! use handoff::assign::{AgentStatus, AssignRequest};
//! use handoff_sqlite_host::{schema, AssignOutcome, Host};
//!
//! let dir = std::env::temp_dir().join(format!("handoff-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let db = dir.join("team.db");
//! let _ = std::fs::remove_file(&db);
//! let mut conn = schema::connect(&db).unwrap();
//! schema::init(&mut conn, &handoff_sqlite_host::stress_roster()).unwrap();
//!
//! let mut host = Host::open(&db, 0).unwrap();
//! let done = host.assign("c1", &AssignRequest::new("support")).unwrap();
//! assert_eq!(done.version, Some(1));
//! let AssignOutcome::Decided(assignment) = done.value else { panic!() };
//! let agent = assignment.agent().unwrap().to_string();
//! // Asking again for the same conversation writes nothing.
//! assert_eq!(host.assign("c1", &AssignRequest::new("support")).unwrap().value,
//!            AssignOutcome::AlreadyKnown);
//! host.set_status(&agent, AgentStatus::Away).unwrap();
//! let released = host.release("c1").unwrap();
//! assert_eq!(released.value.unwrap().agent, agent);
//! assert_eq!(released.version, Some(3));
//! assert!(handoff_sqlite_host::check(&conn).unwrap().is_ok());
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub mod check;
pub mod driver;
pub mod error;
pub mod host;
pub mod schema;
pub mod worker;

pub use check::{check, Report, Violation, ViolationKind};
pub use driver::{run_stress, StressConfig, StressSummary};
pub use error::{Error, Result};
pub use host::{AssignOutcome, Done, Host, Mode, Released, Retry, Snapshot, Stats};
pub use worker::{run_worker, stress_roster, WorkerConfig, WorkerReport};
