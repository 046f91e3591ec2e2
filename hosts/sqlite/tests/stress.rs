//! Real processes on one SQLite file: the checked host passes the checker, the unchecked
//! one is caught.

use std::path::{Path, PathBuf};
use std::time::Duration;

use handoff_sqlite_host::{run_stress, Mode, StressConfig, StressSummary, ViolationKind};

const EXE: &str = env!("CARGO_BIN_EXE_handoff-sqlite-host");

/// A fresh directory per test under the target directory (removed on success).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sqlite-stress-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stress(name: &str, processes: u32, ops: u64, mode: Mode, think_us: u64) -> StressSummary {
    let dir = scratch(name);
    let config = StressConfig {
        processes,
        ops,
        seed: 7,
        mode,
        think: Duration::from_micros(think_us),
        timeout: Duration::from_secs(300),
    };
    let summary = run_stress(Path::new(EXE), &dir.join("team.db"), &config).unwrap();
    println!("{summary}");
    std::fs::remove_dir_all(&dir).unwrap();
    summary
}

#[test]
fn four_processes_ten_thousand_operations_each_pass_the_check() {
    let s = stress("checked-4x10k", 4, 10_000, Mode::Checked, 0);
    assert!(s.report.is_ok(), "{}", s.report);
    assert_eq!(s.ops(), 40_000);
    let committed: u64 = s.workers.iter().map(|w| w.stats.committed).sum();
    assert_eq!(s.report.entries, committed);
    // The run did what it is meant to test: caps were reached, conversations queued,
    // and processes raced (some writes found the version moved and retried).
    assert!(s.report.queued > 0 && s.report.assigns > 0 && s.report.releases > 0);
    assert!(s.report.peak.values().any(|(peak, cap)| peak == cap));
    let conflicts: u64 = s.workers.iter().map(|w| w.stats.conflicts).sum();
    assert!(conflicts > 0, "no process ever raced another");
}

#[test]
fn a_slow_checked_host_retries_and_still_passes() {
    // Sleeping between read and write makes most writes race: the retry path carries
    // the run.
    let s = stress("checked-slow", 4, 500, Mode::Checked, 200);
    assert!(s.report.is_ok(), "{}", s.report);
    assert!(s.retries_per_op() > 0.2, "{}", s.retries_per_op());
}

#[test]
fn the_checker_catches_writes_without_the_version_check() {
    // The same workload with the version check dropped, and a 200 µs pause between read
    // and write so that processes reliably interleave there.
    let s = stress("unchecked", 4, 500, Mode::Unchecked, 200);
    assert!(!s.report.is_ok(), "the broken host went unnoticed");
    // Two commits computed from the same read: the versions repeat, and the counts
    // written from stale reads disagree with the operations.
    for kind in [ViolationKind::VersionNotNext, ViolationKind::CountsDiffer] {
        assert!(
            s.report.counts.contains_key(&kind),
            "{kind:?}: {}",
            s.report
        );
    }
}
