//! [`LoadError`]: why bytes could not be loaded, with where.

use std::fmt;

use crate::error::BuildError;

/// Bytes that could not be loaded as a model or a router: what is wrong
/// ([`LoadErrorKind`]) and where (a path such as `model.features[17].start`, empty for
/// the file as a whole).
///
/// ```
/// use handoff::{IntentModel, LoadErrorKind};
/// let err = IntentModel::from_bytes(b"{\"intents\": []}").unwrap_err();
/// assert!(matches!(err.kind(), LoadErrorKind::NotHandoff));
/// assert_eq!(err.to_string(), "not a saved handoff model or router");
/// ```
#[derive(Clone, Debug)]
pub struct LoadError {
    path: String,
    kind: LoadErrorKind,
}

/// What is wrong with bytes given to `from_bytes`. New kinds may be added in minor
/// releases.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum LoadErrorKind {
    /// No bytes at all.
    Empty,
    /// The bytes do not start with this crate's magic: not a saved model or router.
    NotHandoff,
    /// Saved in a format version this build does not read.
    UnsupportedVersion {
        /// The version in the file.
        found: u16,
        /// The version this build reads.
        supported: u16,
    },
    /// A saved model where a router was expected, or the other way round.
    WrongKind {
        /// What the caller asked for (`"model"` or `"router"`).
        expected: &'static str,
        /// What the file holds (`"model"`, `"router"` or `"unknown"`).
        found: &'static str,
    },
    /// Fewer bytes than the file says it holds: cut short in storage or transfer.
    Truncated {
        /// Bytes the file says it has.
        expected: u64,
        /// Bytes given.
        found: u64,
    },
    /// More bytes than the file says it holds.
    TrailingBytes {
        /// Bytes the file says it has.
        expected: u64,
        /// Bytes given.
        found: u64,
    },
    /// The payload's checksum does not match: the bytes were changed after saving.
    ChecksumMismatch {
        /// The checksum in the header.
        expected: u64,
        /// The checksum of the payload as given.
        found: u64,
    },
    /// The payload passed its checksum but breaks the format's rules (an index out of
    /// range, a bad count): made by something other than this crate.
    Malformed {
        /// What rule is broken.
        detail: String,
    },
    /// The stored configuration no longer builds (a flow saved by a version of the
    /// crate with other rules); the build error says what and where.
    Config(BuildError),
}

impl LoadError {
    pub(crate) fn new(path: impl Into<String>, kind: LoadErrorKind) -> Self {
        LoadError {
            path: path.into(),
            kind,
        }
    }

    /// A payload that breaks the format's rules at `path`.
    pub(crate) fn malformed(path: impl Into<String>, detail: impl Into<String>) -> Self {
        LoadError::new(
            path,
            LoadErrorKind::Malformed {
                detail: detail.into(),
            },
        )
    }

    /// Where in the payload, or empty for the file as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    pub fn kind(&self) -> &LoadErrorKind {
        &self.kind
    }
}

impl fmt::Display for LoadErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadErrorKind::Empty => write!(f, "no bytes to load"),
            LoadErrorKind::NotHandoff => write!(f, "not a saved handoff model or router"),
            LoadErrorKind::UnsupportedVersion { found, supported } => write!(
                f,
                "saved in format version {found}; this build reads version {supported}"
            ),
            LoadErrorKind::WrongKind { expected, found } => {
                write!(f, "expected a saved {expected}, found a saved {found}")
            }
            LoadErrorKind::Truncated { expected, found } => write!(
                f,
                "truncated: the file says {expected} bytes, {found} were given"
            ),
            LoadErrorKind::TrailingBytes { expected, found } => write!(
                f,
                "trailing bytes: the file says {expected} bytes, {found} were given"
            ),
            LoadErrorKind::ChecksumMismatch { expected, found } => write!(
                f,
                "checksum mismatch (saved {expected:016x}, computed {found:016x}): \
                 the bytes were changed after saving"
            ),
            LoadErrorKind::Malformed { detail } => write!(f, "malformed: {detail}"),
            LoadErrorKind::Config(e) => write!(f, "stored configuration: {e}"),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            LoadErrorKind::Config(e) => Some(e),
            _ => None,
        }
    }
}
