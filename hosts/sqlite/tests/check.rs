//! Each checker rule fires on a database where exactly that rule is broken, and a clean
//! single-process history passes.

use std::path::{Path, PathBuf};

use handoff::assign::{AgentStatus, AssignRequest};
use handoff_sqlite_host::{check, schema, stress_roster, Host, ViolationKind};
use rusqlite::{params, Connection};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sqlite-check-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("team.db")
}

/// A short clean history by one process: three conversations to sales, one released,
/// an agent sent away, a queued one to renewals once its members are away or full.
fn clean_history(db: &Path) -> Connection {
    let mut conn = schema::connect(db).unwrap();
    schema::init(&mut conn, &stress_roster()).unwrap();
    let mut host = Host::open(db, 0).unwrap();
    for id in ["p0-0", "p0-1", "p0-2"] {
        host.assign(id, &AssignRequest::new("sales")).unwrap();
    }
    host.release("p0-1").unwrap();
    for agent in ["bob", "dee", "hal"] {
        host.set_status(agent, AgentStatus::Away).unwrap();
    }
    host.assign("p0-3", &AssignRequest::new("renewals"))
        .unwrap();
    conn.execute("INSERT INTO processes VALUES (0, 4)", [])
        .unwrap();
    conn
}

/// Appends a log row as a host would, with the given op fields and counts.
fn append(conn: &Connection, op: &str, conversation: &str, agent: Option<&str>, counts: &str) {
    let version: i64 = conn
        .query_row("SELECT max(version) FROM op_log", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "INSERT INTO op_log (version, process, op, conversation, agent, team, request, status, open_counts)
         VALUES (?1, 0, ?2, ?3, ?4, 'sales', '{\"team\":\"sales\"}', NULL, ?5)",
        params![version + 1, op, conversation, agent, counts],
    )
    .unwrap();
    conn.execute("UPDATE assign_state SET version = version + 1", [])
        .unwrap();
}

fn counts_now(conn: &Connection) -> String {
    conn.query_row(
        "SELECT open_counts FROM op_log ORDER BY seq DESC LIMIT 1",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_clean_history_passes() {
    let conn = clean_history(&scratch("clean"));
    let report = check(&conn).unwrap();
    assert!(report.is_ok(), "{report}");
    assert_eq!((report.assigns, report.queued, report.releases), (3, 1, 1));
    assert_eq!(report.status_changes, 3);
}

#[test]
fn each_rule_fires_when_broken() {
    type Tamper = fn(&Connection);
    let cases: &[(&str, Tamper, ViolationKind)] = &[
        (
            "version-gap",
            |c| {
                c.execute(
                "INSERT INTO op_log (version, process, op, agent, status, open_counts)
                 SELECT max(version) + 2, 0, 'status', 'eve', 'away', (SELECT open_counts FROM op_log ORDER BY seq DESC LIMIT 1) FROM op_log",
                [],
            )
            .unwrap();
            },
            ViolationKind::VersionNotNext,
        ),
        (
            "assigned-twice",
            |c| {
                let counts = counts_now(c).replace("\"ana\":1", "\"ana\":2");
                append(c, "assign", "p0-0", Some("ana"), &counts);
            },
            ViolationKind::AssignedTwice,
        ),
        (
            "away-agent",
            |c| {
                let counts = counts_now(c).replace("\"dee\":0", "\"dee\":1");
                append(c, "assign", "p0-9", Some("dee"), &counts);
            },
            ViolationKind::AssignedWhileUnavailable,
        ),
        (
            "over-cap",
            |c| {
                // ana's own cap is 2 and she holds 1: two more puts her at 3.
                let two = counts_now(c).replace("\"ana\":1", "\"ana\":2");
                append(c, "assign", "p0-8", Some("ana"), &two);
                let three = two.replace("\"ana\":2", "\"ana\":3");
                append(c, "assign", "p0-9", Some("ana"), &three);
            },
            ViolationKind::CapExceeded,
        ),
        (
            "stale-decision",
            |c| {
                // The balanced pick on this state is not eve (away) nor ana: cy or someone
                // free; logging fay for sales is not what pick gives.
                let counts = counts_now(c).replace("\"fay\":0", "\"fay\":1");
                append(c, "assign", "p0-9", Some("fay"), &counts);
            },
            ViolationKind::StaleDecision,
        ),
        (
            "release-closed",
            |c| {
                append(c, "release", "p0-1", Some("cy"), &counts_now(c));
            },
            ViolationKind::ReleaseNotOpen,
        ),
        (
            "counts-differ",
            |c| {
                let counts = counts_now(c).replace("\"gus\":0", "\"gus\":1");
                c.execute(
                    "INSERT INTO op_log (version, process, op, agent, status, open_counts)
                 SELECT max(version) + 1, 0, 'status', 'eve', 'offline', ?1 FROM op_log",
                    params![counts],
                )
                .unwrap();
                c.execute("UPDATE assign_state SET version = version + 1", [])
                    .unwrap();
                c.execute("UPDATE agents SET status = 'offline' WHERE id = 'eve'", [])
                    .unwrap();
            },
            ViolationKind::CountsDiffer,
        ),
        (
            "final-count-drift",
            |c| {
                c.execute(
                    "UPDATE agents SET open_count = open_count + 1 WHERE id = 'cy'",
                    [],
                )
                .unwrap();
            },
            ViolationKind::FinalDiffers,
        ),
        (
            "lost",
            |c| {
                c.execute("UPDATE processes SET created = 5", []).unwrap();
            },
            ViolationKind::Lost,
        ),
    ];
    for (name, tamper, kind) in cases {
        let conn = clean_history(&scratch(name));
        tamper(&conn);
        let report = check(&conn).unwrap();
        assert!(
            report.counts.contains_key(kind),
            "{name}: expected {kind:?}, got {report}"
        );
    }
}

#[test]
fn the_log_is_append_only() {
    let conn = clean_history(&scratch("append-only"));
    assert!(conn
        .execute("DELETE FROM op_log WHERE seq = 1", [])
        .is_err());
    assert!(conn
        .execute("UPDATE op_log SET agent = 'eve' WHERE seq = 1", [])
        .is_err());
}
