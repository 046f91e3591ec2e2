//! Errors. Building (a model, a flow, a router, a team) validates everything up front and
//! reports the first problem as a [`BuildError`] that names the path of the offending
//! item, such as `rules[3].when.intent: unknown intent "pricng"`. Once built, nothing
//! fails at decision time.

use std::fmt;

/// A configuration or training problem, with the path of the offending item.
///
/// ```
/// use handoff::{Intent, IntentModel};
/// let err = IntentModel::builder()
///     .intent(Intent::new("pricing").phrase("how much is it"))
///     .intent(Intent::new("pricing").keyword("price"))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.path(), "intents[1].id");
/// assert_eq!(err.to_string(), "intents[1].id: duplicate id \"pricing\"");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    path: String,
    kind: ValidationError,
}

/// What is wrong with a configuration item. New kinds may be added in minor releases.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// An item that must not be empty is empty (an intent with no phrases and no
    /// keywords, an empty keyword, an empty id, an empty `all`/`any`).
    Empty {
        /// What was empty, for the message.
        what: String,
    },
    /// The same id was used twice.
    Duplicate {
        /// The repeated id.
        id: String,
    },
    /// A reference to something that does not exist (an intent, a team, a slot).
    Unknown {
        /// What kind of thing was referenced ("intent", "team", ...).
        what: String,
        /// The name that was not found.
        name: String,
    },
    /// A number outside its allowed range.
    OutOfRange {
        /// The value given.
        value: String,
        /// The allowed range, for the message.
        expected: String,
    },
    /// A pattern that does not compile.
    InvalidPattern {
        /// The pattern compiler's message.
        message: String,
    },
    /// A rule that can never match because an earlier rule always matches first.
    Unreachable {
        /// The id of the earlier rule that shadows it.
        shadowed_by: String,
    },
    /// A size limit was exceeded.
    TooLarge {
        /// What was too large.
        what: String,
        /// The limit in force.
        limit: usize,
        /// The size found.
        actual: usize,
    },
    /// Anything else, described in words.
    Invalid {
        /// What is wrong.
        message: String,
    },
}

impl BuildError {
    pub(crate) fn new(path: impl Into<String>, kind: ValidationError) -> Self {
        BuildError {
            path: path.into(),
            kind,
        }
    }

    /// The path of the offending item, such as `intents[2].keywords[0]`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &ValidationError {
        &self.kind
    }

    /// Prefixes the path, for errors found inside a nested item (`flow.` + `rules[0]`).
    pub(crate) fn within(mut self, prefix: &str) -> Self {
        if self.path.is_empty() {
            self.path = prefix.to_string();
        } else if self.path.starts_with('[') {
            self.path = format!("{prefix}{}", self.path);
        } else {
            self.path = format!("{prefix}.{}", self.path);
        }
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::Empty { what } => write!(f, "{what} is empty"),
            ValidationError::Duplicate { id } => write!(f, "duplicate id {id:?}"),
            ValidationError::Unknown { what, name } => write!(f, "unknown {what} {name:?}"),
            ValidationError::OutOfRange { value, expected } => {
                write!(f, "{value} is out of range (expected {expected})")
            }
            ValidationError::InvalidPattern { message } => {
                write!(f, "invalid pattern: {message}")
            }
            ValidationError::Unreachable { shadowed_by } => write!(
                f,
                "rule can never match: rule {shadowed_by:?} before it always matches first"
            ),
            ValidationError::TooLarge {
                what,
                limit,
                actual,
            } => write!(f, "{what} is too large: {actual} (limit {limit})"),
            ValidationError::Invalid { message } => f.write_str(message),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.path, self.kind)
        }
    }
}

impl std::error::Error for BuildError {}
