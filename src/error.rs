//! Errors: a path and a typed kind.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

use std::error::Error;
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

/// A cause kept behind an error: shareable, and as unwind-safe as the error itself.
type Cause = Arc<dyn Error + Send + Sync + RefUnwindSafe + UnwindSafe>;

/// A configuration or training problem, with the path of the offending item.
///
/// ```
/// use handoff::{ErrorKind, Intent, IntentModel};
/// let err = IntentModel::builder()
///     .intent(Intent::new("pricing").phrase("how much is it"))
///     .intent(Intent::new("pricing").keyword("price"))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.path(), "intents[1].id");
/// assert!(matches!(err.kind(), ErrorKind::Duplicate { id } if id == "pricing"));
/// assert_eq!(err.to_string(), "intents[1].id: duplicate id \"pricing\"");
/// ```
///
/// Errors. Building (a model, a flow, a router, a roster, slot extractors) validates
/// everything up front and reports the first problem as a [`BuildError`]: the path of the
/// offending item, such as `flow.rules[3].when.intent`, and an [`ErrorKind`] a caller can
/// match on. Once built, nothing fails at decision time.
///
/// The kinds carry data (the id, the limit, the value given), not sentences: the words
/// are in their `Display`. A pattern compiler's error stays reachable through
/// [`std::error::Error::source`] without its type being part of this crate's API.
#[derive(Clone, Debug)]
pub struct BuildError {
    path: String,
    kind: ErrorKind,
    /// The underlying cause, kept for `source()` without exposing its type.
    source: Option<Cause>,
}

/// What is wrong with a configuration item. New kinds may be added in minor releases.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An item that must not be empty is empty (an id, a keyword, a list).
    Empty,
    /// An intent with neither phrases nor keywords: nothing could ever detect it.
    NoExamples,
    /// The same id was used twice.
    Duplicate {
        /// The repeated id.
        id: String,
    },
    /// A reference to something that does not exist.
    Unknown {
        /// What kind of thing was referenced.
        what: Item,
        /// The name that was not found.
        name: String,
    },
    /// A number outside its allowed range.
    OutOfRange {
        /// The value given, as written.
        value: String,
        /// The allowed range.
        expected: Expected,
    },
    /// A time of day that is not `HH:MM` from 00:00 to 24:00.
    InvalidTime {
        /// The text given.
        value: String,
    },
    /// A regular expression that does not compile (or compiles too large);
    /// [`Error::source`] gives the compiler's error.
    InvalidPattern,
    /// A template with a `{` that is never closed.
    UnclosedBrace {
        /// Byte offset of the `{` in the template.
        at: usize,
    },
    /// A template with a `}` that closes nothing.
    UnmatchedBrace {
        /// Byte offset of the `}` in the template.
        at: usize,
    },
    /// A test with no operator (`eq`, `gt`, `exists`...).
    MissingOperator,
    /// An `ask` written as an action: it is a route.
    AskIsARoute,
    /// A slot declaration with no kind or more than one (`number`, `email`, `text`).
    SlotKind {
        /// How many kinds were given.
        found: usize,
    },
    /// A rule that can never match because an earlier rule always matches first.
    Unreachable {
        /// The id of the earlier rule that shadows it.
        shadowed_by: String,
    },
    /// More items than a limit allows.
    TooMany {
        /// The limit in force.
        limit: usize,
        /// How many were given.
        actual: usize,
    },
    /// A text longer, in bytes, than a limit allows.
    TooLong {
        /// The limit in force.
        limit: usize,
        /// The length given.
        actual: usize,
    },
    /// Conditions or value lists nested deeper than a limit allows.
    TooDeep {
        /// The deepest nesting allowed.
        limit: usize,
    },
    /// A limit a configuration document asks for above the ceiling the host allows (see
    /// [`RouterBuilder::ceiling`](crate::RouterBuilder::ceiling)).
    AboveCeiling {
        /// The value the document asks for.
        value: usize,
        /// The host's ceiling.
        ceiling: usize,
    },
    /// An id with spaces around it: ids are matched exactly, so it could never be
    /// referred to as written elsewhere.
    Untrimmed {
        /// The id as given.
        id: String,
    },
    /// Both a trained model and intents to train were given.
    ModelAndIntents,
    /// A threshold was given with a trained model, which keeps its own.
    ThresholdWithModel,
    /// Team fallbacks that lead back to a team already on the chain.
    FallbackCycle {
        /// The teams in order, ending with the one seen before.
        teams: Vec<String>,
    },
    /// The keywords could not be compiled into a matcher (too large);
    /// [`Error::source`] gives the automaton builder's error.
    KeywordAutomaton,
    /// A configuration document that does not have the expected shape (a wrong type, a
    /// missing or unknown field). The message is the document parser's.
    Document {
        /// The parser's message.
        message: String,
    },
    /// Training the model would take more than a [`Limits`](crate::Limits) field
    /// allows: the intents times their training data's features, counted before
    /// training starts (see [`Limits::max_model_weights`](crate::Limits::max_model_weights)
    /// and [`Limits::max_training_work`](crate::Limits::max_training_work)).
    TrainingTooLarge {
        /// The field over its value: `"max_model_weights"` or `"max_training_work"`.
        field: &'static str,
        /// The limit in force.
        limit: usize,
        /// What training would need.
        actual: usize,
    },
}

/// The kind of thing a name refers to, in [`ErrorKind::Unknown`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Item {
    /// An intent id.
    Intent,
    /// A keyword (as configured on the intents).
    Keyword,
    /// A team id.
    Team,
    /// An agent id.
    Agent,
    /// A slot name.
    Slot,
    /// A template variable (`{user.name}`).
    TemplateVariable,
}

/// The allowed range in [`ErrorKind::OutOfRange`].
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Expected {
    /// From 0 to 1, both included.
    UnitInterval,
    /// A finite number above 0.
    Positive,
    /// A finite number.
    Finite,
    /// A finite number at least this.
    AtLeast(f64),
    /// A number from the first to the second, both included.
    Between(f64, f64),
}

impl Eq for Expected {}

impl BuildError {
    pub(crate) fn new(path: impl Into<String>, kind: ErrorKind) -> Self {
        BuildError {
            path: path.into(),
            kind,
            source: None,
        }
    }

    /// The same error, keeping `source` as its cause.
    pub(crate) fn caused_by(
        mut self,
        source: impl Error + Send + Sync + RefUnwindSafe + UnwindSafe + 'static,
    ) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// The path of the offending item, such as `intents[2].keywords[0]`; empty for the
    /// document as a whole.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong with it.
    pub fn kind(&self) -> &ErrorKind {
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

impl PartialEq for BuildError {
    /// Errors are equal when their path and kind are; the cause is not compared.
    fn eq(&self, other: &Self) -> bool {
        self.path == other.path && self.kind == other.kind
    }
}

impl Eq for BuildError {}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Item::Intent => "intent",
            Item::Keyword => "keyword",
            Item::Team => "team",
            Item::Agent => "agent",
            Item::Slot => "slot",
            Item::TemplateVariable => "template variable",
        })
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::UnitInterval => f.write_str("0 to 1"),
            Expected::Positive => f.write_str("a positive number"),
            Expected::Finite => f.write_str("a finite number"),
            Expected::AtLeast(n) => write!(f, "a finite number at least {n}"),
            Expected::Between(low, high) => write!(f, "a number from {low} to {high}"),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Empty => f.write_str("must not be empty"),
            ErrorKind::NoExamples => {
                f.write_str("has no phrases and no keywords: nothing could detect it")
            }
            ErrorKind::Duplicate { id } => write!(f, "duplicate id {id:?}"),
            ErrorKind::Unknown {
                what: Item::Keyword,
                name,
            } => write!(f, "unknown keyword {name:?} (not configured on any intent)"),
            ErrorKind::Unknown { what, name } => write!(f, "unknown {what} {name:?}"),
            ErrorKind::OutOfRange { value, expected } => {
                write!(f, "{value} is out of range (expected {expected})")
            }
            ErrorKind::InvalidTime { value } => {
                write!(f, "{value:?} is not a time HH:MM from 00:00 to 24:00")
            }
            ErrorKind::InvalidPattern => f.write_str("invalid pattern"),
            ErrorKind::UnclosedBrace { at } => write!(f, "unclosed '{{' at byte {at}"),
            ErrorKind::UnmatchedBrace { at } => write!(f, "unmatched '}}' at byte {at}"),
            ErrorKind::MissingOperator => f.write_str("test has no operator"),
            ErrorKind::AskIsARoute => {
                f.write_str("an ask is a route ({\"kind\": \"ask\", ...}), not an action")
            }
            ErrorKind::SlotKind { found } => write!(
                f,
                "a slot needs exactly one of \"number\", \"email\" or \"text\" (found {found})"
            ),
            ErrorKind::Unreachable { shadowed_by } => write!(
                f,
                "rule can never match: rule {shadowed_by:?} before it always matches first"
            ),
            ErrorKind::TooMany { limit, actual } => {
                write!(f, "too many: {actual} (limit {limit})")
            }
            ErrorKind::TooLong { limit, actual } => {
                write!(f, "too long: {actual} bytes (limit {limit})")
            }
            ErrorKind::TooDeep { limit } => write!(f, "nested deeper than {limit} levels"),
            ErrorKind::AboveCeiling { value, ceiling } => {
                write!(f, "{value} is above the host's ceiling {ceiling}")
            }
            ErrorKind::Untrimmed { id } => {
                write!(f, "{id:?} has spaces around it (ids are matched exactly)")
            }
            ErrorKind::ModelAndIntents => {
                f.write_str("give either a trained model or intents, not both")
            }
            ErrorKind::ThresholdWithModel => f.write_str("a trained model keeps its own threshold"),
            ErrorKind::FallbackCycle { teams } => {
                f.write_str("fallback cycle ")?;
                for (i, t) in teams.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" -> ")?;
                    }
                    write!(f, "{t:?}")?;
                }
                Ok(())
            }
            ErrorKind::KeywordAutomaton => {
                f.write_str("the keywords do not fit in the keyword matcher")
            }
            ErrorKind::Document { message } => f.write_str(message),
            ErrorKind::TrainingTooLarge {
                field,
                limit,
                actual,
            } => write!(
                f,
                "training too large: {actual} intent-feature pairs (limit {limit}, \
                 Limits::{field}); use fewer intents or phrases, or raise the limit"
            ),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        write!(f, "{}", self.kind)?;
        // The cause's words are what a person needs to fix a pattern; say them here too.
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        Ok(())
    }
}

impl Error for BuildError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_error_keeps_its_cause() {
        // An unclosed group, built at run time so the invalid_regex lint does not see it.
        let pattern = String::from("(");
        let cause = regex::Regex::new(&pattern).unwrap_err();
        let err = BuildError::new("rules[0].when.regex", ErrorKind::InvalidPattern)
            .caused_by(cause.clone());
        assert_eq!(err.source().unwrap().to_string(), cause.to_string());
        assert!(err
            .to_string()
            .starts_with("rules[0].when.regex: invalid pattern: "));
    }

    #[test]
    fn within_prefixes_paths() {
        let e = BuildError::new("rules[0]", ErrorKind::Empty).within("flow");
        assert_eq!(e.path(), "flow.rules[0]");
        let e = BuildError::new("[2].id", ErrorKind::Empty).within("intents");
        assert_eq!(e.path(), "intents[2].id");
        let e = BuildError::new("", ErrorKind::Empty).within("teams");
        assert_eq!(e.path(), "teams");
    }

    #[test]
    fn messages_name_the_data() {
        let cases = [
            (ErrorKind::Empty, "must not be empty"),
            (
                ErrorKind::Unknown {
                    what: Item::Team,
                    name: "sale".into(),
                },
                "unknown team \"sale\"",
            ),
            (
                ErrorKind::OutOfRange {
                    value: "1.5".into(),
                    expected: Expected::UnitInterval,
                },
                "1.5 is out of range (expected 0 to 1)",
            ),
            (
                ErrorKind::FallbackCycle {
                    teams: vec!["a".into(), "b".into(), "a".into()],
                },
                "fallback cycle \"a\" -> \"b\" -> \"a\"",
            ),
            (
                ErrorKind::TooMany {
                    limit: 2,
                    actual: 3,
                },
                "too many: 3 (limit 2)",
            ),
        ];
        for (kind, text) in cases {
            assert_eq!(kind.to_string(), text);
        }
    }
}
