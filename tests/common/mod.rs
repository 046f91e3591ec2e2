//! Where the data-driven tests find CLINC150, and a loud failure when it is not there.
//!
//! Those tests are `#[ignore]`d, so a plain `cargo test` lists them as ignored with the
//! reason; `cargo test --tests -- --ignored` (as `.ci/run` does) runs them, and then a
//! missing data set is a failure that says where it was looked for, never a silent pass.

use std::path::{Path, PathBuf};

/// `$HANDOFF_CLINC150` if set, else `../shared/data/clinc150` next to the crate.
fn clinc150_dir() -> PathBuf {
    match std::env::var_os("HANDOFF_CLINC150") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/clinc150"),
    }
}

/// The CLINC150 directory, holding `train.jsonl`, `val.jsonl` and `test.jsonl`.
///
/// # Panics
/// When a file is missing, with the path looked at and how to point the tests at the data.
pub fn require_clinc150() -> PathBuf {
    let dir = clinc150_dir();
    for file in ["train.jsonl", "val.jsonl", "test.jsonl"] {
        let path = dir.join(file);
        assert!(
            path.is_file(),
            "CLINC150 not found: {} does not exist. This test needs the data set: put it at \
             ../shared/data/clinc150 next to the crate, or set HANDOFF_CLINC150=DIR",
            path.display()
        );
    }
    dir
}
