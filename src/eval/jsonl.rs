//! Reading a decision log back: JSON lines in, valid records out, and every line that
//! is not a valid record reported with its number — never dropped silently.
//!
//! The reader takes lines the host has read (it does no I/O itself) and yields records
//! lazily, so a log of any length streams through in constant memory: it keeps the
//! first [`MAX_LOG_PROBLEMS`] problems in full and counts the rest.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::error::Category;

use super::log::{DecisionRecord, RecordProblem};

/// Why a log line was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LogProblemKind {
    /// Not JSON.
    Syntax,
    /// The line ends in the middle of a record (a partial write).
    Partial,
    /// JSON, but not a record: a missing or unknown field, a wrong type.
    Data,
    /// A record that breaks a rule serde cannot check.
    Invalid(RecordProblem),
    /// Longer than [`MAX_LOG_LINE_BYTES`].
    TooLong,
}

/// One skipped line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogProblem {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub kind: LogProblemKind,
    /// Details (the parser's message, with the column).
    pub message: String,
}

impl fmt::Display for LogProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.kind {
            LogProblemKind::Syntax => "not JSON",
            LogProblemKind::Partial => "partial record",
            LogProblemKind::Data => "not a decision record",
            LogProblemKind::Invalid(_) => "invalid record",
            LogProblemKind::TooLong => "line too long",
        };
        write!(f, "line {}: {what}: {}", self.line, self.message)
    }
}

/// What reading a log found: how many lines, records and skipped lines, and the
/// first problems in full.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LogSummary {
    /// Lines read.
    pub lines: usize,
    /// Valid records yielded.
    pub records: usize,
    /// Blank lines (ignored, not problems).
    pub blank: usize,
    /// Lines skipped because of a problem (all of them, also past the kept ones).
    pub skipped: usize,
    /// The first skipped lines' problems, in line order.
    pub problems: Vec<LogProblem>,
}

impl fmt::Display for LogSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line(s): {} record(s), {} skipped, {} blank",
            self.lines, self.records, self.skipped, self.blank
        )?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        if self.skipped > self.problems.len() {
            write!(f, "\n  ... and {} more", self.skipped - self.problems.len())?;
        }
        Ok(())
    }
}

/// Reads [`DecisionRecord`]s from JSON lines, skipping and reporting bad ones.
///
/// An iterator: it yields the valid records, in order, and keeps a [`LogSummary`] of
/// what it skipped (read it with [`summary`](LogReader::summary) after iterating with
/// `by_ref`). Each line costs one parse; memory stays constant.
///
/// ```
/// use handoff::eval::{LogProblemKind, LogReader};
/// let log = "{\"conversation\":\"c1\",\"at\":10}\n\
///            not json\n\
///            \n\
///            {\"conversation\":\"c2\",\"at\":";
/// let mut reader = LogReader::new(log.lines());
/// let records: Vec<_> = reader.by_ref().collect();
/// assert_eq!(records.len(), 1);
/// let summary = reader.summary();
/// assert_eq!((summary.lines, summary.skipped, summary.blank), (4, 2, 1));
/// assert_eq!(summary.problems[0].line, 2);
/// assert_eq!(summary.problems[1].kind, LogProblemKind::Partial);
/// assert_eq!(summary.problems[1].line, 4);
/// ```
#[derive(Clone, Debug)]
pub struct LogReader<I> {
    lines: I,
    summary: LogSummary,
}

/// Problems a [`LogReader`] keeps in full; later ones are only counted.
pub const MAX_LOG_PROBLEMS: usize = 100;
/// Longest line a [`LogReader`] parses, in bytes (1 MiB): a longer line is skipped
/// unparsed.
pub const MAX_LOG_LINE_BYTES: usize = 1 << 20;

impl<I> LogReader<I> {
    /// A reader over lines (`&str` or `String`), numbered from 1.
    pub fn new(lines: I) -> Self {
        LogReader {
            lines,
            summary: LogSummary::default(),
        }
    }

    /// What was read so far.
    pub fn summary(&self) -> &LogSummary {
        &self.summary
    }

    /// Ends reading and returns the summary.
    pub fn into_summary(self) -> LogSummary {
        self.summary
    }

    fn skip(&mut self, kind: LogProblemKind, message: String) {
        self.summary.skipped += 1;
        if self.summary.problems.len() < MAX_LOG_PROBLEMS {
            self.summary.problems.push(LogProblem {
                line: self.summary.lines,
                kind,
                message,
            });
        }
    }
}

impl<I, L> Iterator for LogReader<I>
where
    I: Iterator<Item = L>,
    L: AsRef<str>,
{
    type Item = DecisionRecord;

    fn next(&mut self) -> Option<DecisionRecord> {
        loop {
            let line = self.lines.next()?;
            let line = line.as_ref();
            self.summary.lines += 1;
            if line.trim().is_empty() {
                self.summary.blank += 1;
                continue;
            }
            if line.len() > MAX_LOG_LINE_BYTES {
                let message = format!("{} bytes", line.len());
                self.skip(LogProblemKind::TooLong, message);
                continue;
            }
            match parse_record(line) {
                Ok(record) => {
                    self.summary.records += 1;
                    return Some(record);
                }
                Err((kind, message)) => self.skip(kind, message),
            }
        }
    }
}

/// Parses and validates one line.
fn parse_record(line: &str) -> Result<DecisionRecord, (LogProblemKind, String)> {
    let record: DecisionRecord = serde_json::from_str(line).map_err(|e| {
        let kind = match e.classify() {
            Category::Eof => LogProblemKind::Partial,
            Category::Data => LogProblemKind::Data,
            Category::Syntax | Category::Io => LogProblemKind::Syntax,
        };
        (kind, parser_message(&e))
    })?;
    record
        .validate()
        .map_err(|p| (LogProblemKind::Invalid(p.clone()), p.to_string()))?;
    Ok(record)
}

/// The parser's message with its column; the line number is the reader's own.
fn parser_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = text.rsplit_once(" at line ").map_or(&*text, |(m, _)| m);
    format!("{text} (column {})", e.column())
}
