//! [`ImportError`]: why training data could not be imported, with the line.

use std::fmt;

/// Training data that could not be imported: the 1-based line of the problem (0 when
/// it concerns the whole text) and what is wrong.
///
/// ```
/// use handoff::import::from_csv;
/// let err = from_csv("text,intent\nhow much is it,pricing\n\"unclosed,pricing\n").unwrap_err();
/// assert_eq!(err.line(), 3);
/// assert_eq!(err.to_string(), "line 3: a quoted field is never closed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    line: usize,
    kind: ImportErrorKind,
}

/// What is wrong with imported training data. New kinds may be added in minor
/// releases.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportErrorKind {
    /// The text holds no training example at all.
    NoExamples,
    /// Not valid in the file's syntax (YAML, CSV); the message is the parser's.
    Syntax {
        /// What the parser says.
        message: String,
    },
    /// A quoted CSV field with no closing quote.
    UnclosedQuote,
    /// A CSV record with another number of fields than the header.
    FieldCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in the record.
        found: usize,
    },
    /// A CSV header without the named column.
    MissingColumn {
        /// The column (`text` or `intent`).
        column: &'static str,
    },
    /// A required value is empty (an example's text, an intent's name).
    EmptyValue {
        /// Which value.
        field: &'static str,
    },
    /// A required key is missing (`nlu`, `examples`).
    MissingKey {
        /// The key.
        key: &'static str,
    },
    /// A value of the wrong shape (a list where a text was expected...).
    WrongShape {
        /// The key or item.
        key: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A line of an `examples` block that is not a `- ` list item.
    NotAnExample {
        /// The line as written.
        text: String,
    },
}

impl ImportError {
    pub(crate) fn new(line: usize, kind: ImportErrorKind) -> Self {
        ImportError { line, kind }
    }

    /// The 1-based line of the problem; 0 when it concerns the whole text.
    pub fn line(&self) -> usize {
        self.line
    }

    /// What is wrong.
    pub fn kind(&self) -> &ImportErrorKind {
        &self.kind
    }
}

impl fmt::Display for ImportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportErrorKind::NoExamples => write!(f, "no training examples"),
            ImportErrorKind::Syntax { message } => write!(f, "syntax error: {message}"),
            ImportErrorKind::UnclosedQuote => write!(f, "a quoted field is never closed"),
            ImportErrorKind::FieldCount { expected, found } => {
                write!(f, "{found} fields, the header has {expected}")
            }
            ImportErrorKind::MissingColumn { column } => {
                write!(f, "the header has no {column:?} column")
            }
            ImportErrorKind::EmptyValue { field } => write!(f, "empty {field}"),
            ImportErrorKind::MissingKey { key } => write!(f, "missing key {key:?}"),
            ImportErrorKind::WrongShape { key, expected } => {
                write!(f, "{key:?} should be {expected}")
            }
            ImportErrorKind::NotAnExample { text } => {
                write!(f, "not an example item (\"- text\"): {text:?}")
            }
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: ", self.line)?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for ImportError {}
