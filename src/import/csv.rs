//! Training data from CSV: a header naming a `text` and an `intent` column (in any
//! order, other columns ignored), then one example per record.
//!
//! The reader follows RFC 4180: fields separated by commas, optionally quoted with `"`,
//! a quote inside a quoted field written twice, commas and line breaks allowed inside
//! quotes, CRLF or LF line ends. That is all a two-column export needs, so it is a
//! small parser here rather than a dependency. Errors give the line where the record
//! starts (a quoted field may span lines).
//!
//! Complexity: linear in the text's length.

use std::collections::BTreeMap;

use super::error::{ImportError, ImportErrorKind};
use crate::intent::Intent;

/// The intents of a CSV export, in order of first appearance, each with its examples
/// in file order (see the module docs for the format). An intent named `oos` or left
/// empty is an error: "no intent" examples are negatives, not an intent; keep them in
/// a file of their own.
///
/// ```
/// use handoff::import::from_csv;
/// let intents = from_csv("text,intent\n\"how much, roughly?\",pricing\nI can't log in,support\n")?;
/// assert_eq!(intents[0].id, "pricing");
/// assert_eq!(intents[0].phrases, ["how much, roughly?"]);
/// assert_eq!(intents[1].phrases, ["I can't log in"]);
/// # Ok::<(), handoff::import::ImportError>(())
/// ```
pub fn from_csv(text: &str) -> Result<Vec<Intent>, ImportError> {
    let mut records = Records::new(text);
    let (header_line, header) = records
        .next()
        .ok_or(ImportError::new(0, ImportErrorKind::NoExamples))??;
    let column = |name: &'static str| {
        header
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
            .ok_or(ImportError::new(
                header_line,
                ImportErrorKind::MissingColumn { column: name },
            ))
    };
    let (text_at, intent_at) = (column("text")?, column("intent")?);
    let mut order: Vec<Intent> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for record in records {
        let (line, fields) = record?;
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue; // a blank line
        }
        if fields.len() != header.len() {
            return Err(ImportError::new(
                line,
                ImportErrorKind::FieldCount {
                    expected: header.len(),
                    found: fields.len(),
                },
            ));
        }
        let (example, intent) = (fields[text_at].trim(), fields[intent_at].trim());
        for (value, field) in [(example, "text"), (intent, "intent")] {
            if value.is_empty() {
                return Err(ImportError::new(
                    line,
                    ImportErrorKind::EmptyValue { field },
                ));
            }
        }
        let at = *index.entry(intent.to_string()).or_insert_with(|| {
            order.push(Intent::new(intent));
            order.len() - 1
        });
        order[at].phrases.push(example.to_string());
    }
    if order.is_empty() {
        return Err(ImportError::new(0, ImportErrorKind::NoExamples));
    }
    Ok(order)
}

/// CSV records with the line each starts on.
struct Records<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Records<'a> {
    fn new(text: &'a str) -> Self {
        Records {
            rest: text.strip_prefix('\u{feff}').unwrap_or(text),
            line: 1,
        }
    }

    /// Reads one record; `self.line` moves past it.
    fn record(&mut self) -> Result<Vec<String>, ImportError> {
        let start = self.line;
        let mut fields = vec![String::new()];
        let mut quoted = false;
        let mut chars = self.rest.char_indices().peekable();
        let mut at_field_start = true;
        while let Some((i, c)) = chars.next() {
            let field = fields.last_mut().expect("at least one field");
            match c {
                '"' if quoted => {
                    if chars.peek().map(|&(_, n)| n) == Some('"') {
                        chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                }
                '"' if at_field_start => quoted = true,
                ',' if !quoted => {
                    fields.push(String::new());
                    at_field_start = true;
                    continue;
                }
                '\n' if !quoted => {
                    self.line += 1;
                    self.rest = &self.rest[i + 1..];
                    trim_cr(&mut fields);
                    return Ok(fields);
                }
                _ => {
                    if c == '\n' {
                        self.line += 1;
                    }
                    field.push(c);
                }
            }
            at_field_start = false;
        }
        if quoted {
            return Err(ImportError::new(start, ImportErrorKind::UnclosedQuote));
        }
        self.rest = "";
        trim_cr(&mut fields);
        Ok(fields)
    }
}

/// Drops the `\r` of a CRLF line end from the last field.
fn trim_cr(fields: &mut [String]) {
    if let Some(last) = fields.last_mut() {
        if last.ends_with('\r') {
            last.pop();
        }
    }
}

impl Iterator for Records<'_> {
    type Item = Result<(usize, Vec<String>), ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let line = self.line;
        let record = self.record();
        if record.is_err() {
            self.rest = "";
        }
        Some(record.map(|fields| (line, fields)))
    }
}
