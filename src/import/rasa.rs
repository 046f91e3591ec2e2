//! Training data from Rasa's NLU YAML (`nlu.yml`, format versions 2.0 and 3.x):
//!
//! ```yaml
//! version: "3.1"
//! nlu:
//! - intent: check_balance
//!   examples: |
//!     - how much is in my [savings](account) account
//!     - what's my balance
//! - synonym: savings
//!   examples: |
//!     - pink pig
//! - lookup: banks
//!   examples: |
//!     - JPMC
//! ```
//!
//! Intents become [`Intent`]s with their examples as phrases, entity markup read as the
//! plain text (`[savings](account)` is "savings"); an intent listed twice is one intent.
//! Examples may also be given one by one with metadata (`- text: ...`). Synonyms and
//! lookup tables describe entity values, which the crate's model does not extract: they
//! are returned as they are, and a note says so; regexes and any other top-level section
//! (`stories`, `rules`, `responses`) are noted and skipped.
//!
//! Complexity: linear in the text's length.

use std::collections::{BTreeMap, BTreeSet};

use super::error::{ImportError, ImportErrorKind};
use super::markup::strip_entity_markup;
use super::yaml::{parse, Node, Value};
use crate::intent::Intent;

/// What a Rasa NLU file holds, as this crate uses it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RasaNlu {
    /// The intents, in order of first appearance.
    pub intents: Vec<Intent>,
    /// Entity synonyms (kept for the host; the model does not use them).
    pub synonyms: Vec<Synonym>,
    /// Lookup tables (kept for the host; the model does not use them).
    pub lookups: Vec<Lookup>,
    /// Entity names annotated in the examples, sorted.
    pub entities: Vec<String>,
    /// What was read but not used, and why, one sentence each.
    pub notes: Vec<String>,
}

/// A Rasa synonym: the value entity mentions are mapped to, and its other spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Synonym {
    /// The canonical value.
    pub value: String,
    /// The spellings that map to it.
    pub examples: Vec<String>,
}

/// A Rasa lookup table: a named list of entity values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// The table's name.
    pub name: String,
    /// Its values.
    pub elements: Vec<String>,
}

/// Reads a Rasa NLU YAML document (see the module docs). Errors give the line of the
/// problem: a YAML syntax error, a missing `nlu` or `examples` key, an example line
/// that is not a `- ` item, an empty intent name or example.
///
/// ```
/// use handoff::import::from_rasa_nlu;
/// let nlu = from_rasa_nlu("version: \"3.1\"\nnlu:\n- intent: greet\n  examples: |\n    - hey\n    - hi [Ada](name)\n")?;
/// assert_eq!(nlu.intents[0].id, "greet");
/// assert_eq!(nlu.intents[0].phrases, ["hey", "hi Ada"]);
/// assert_eq!(nlu.entities, ["name"]);
/// # Ok::<(), handoff::import::ImportError>(())
/// ```
pub fn from_rasa_nlu(text: &str) -> Result<RasaNlu, ImportError> {
    let root = parse(text)?.ok_or(ImportError::new(0, ImportErrorKind::NoExamples))?;
    let Value::Mapping(sections) = &root.value else {
        return Err(shape(&root, "(document)", "a mapping with an `nlu` key"));
    };
    let mut out = Reading {
        source: text.lines().collect(),
        ..Reading::default()
    };
    for (key, value) in sections {
        match key.as_str() {
            Some("version") => out.version(value)?,
            Some("nlu") => out.nlu(value)?,
            Some(other) => out.notes.push(format!(
                "line {}: section {other:?} is not NLU training data; skipped",
                key.line
            )),
            None => return Err(shape(key, "(key)", "a text")),
        }
    }
    if root.get("nlu").is_none() {
        return Err(ImportError::new(
            1,
            ImportErrorKind::MissingKey { key: "nlu" },
        ));
    }
    out.finish()
}

/// The file as read so far.
#[derive(Default)]
struct Reading<'a> {
    source: Vec<&'a str>,
    intents: Vec<Intent>,
    index: BTreeMap<String, usize>,
    synonyms: Vec<Synonym>,
    lookups: Vec<Lookup>,
    entities: BTreeSet<String>,
    notes: Vec<String>,
}

impl Reading<'_> {
    fn version(&mut self, node: &Node) -> Result<(), ImportError> {
        let version = node
            .as_str()
            .ok_or_else(|| shape(node, "version", "a text such as \"3.1\""))?;
        if !(version.starts_with("2.") || version.starts_with("3.")) {
            self.notes.push(format!(
                "line {}: format version {version:?} is not one this reader knows (2.0, 3.x); read as 3.x",
                node.line
            ));
        }
        Ok(())
    }

    fn nlu(&mut self, node: &Node) -> Result<(), ImportError> {
        let Value::Sequence(items) = &node.value else {
            return Err(shape(
                node,
                "nlu",
                "a list of intents, synonyms, lookups and regexes",
            ));
        };
        for item in items {
            self.item(item)?;
        }
        Ok(())
    }

    fn item(&mut self, item: &Node) -> Result<(), ImportError> {
        let expected = "an intent, synonym, lookup or regex";
        let Value::Mapping(entries) = &item.value else {
            return Err(shape(item, "nlu item", expected));
        };
        let kinds = ["intent", "synonym", "lookup", "regex"];
        let Some((kind, name)) = entries
            .iter()
            .find_map(|(k, v)| Some((kinds.into_iter().find(|&n| k.as_str() == Some(n))?, v)))
        else {
            return Err(shape(item, "nlu item", expected));
        };
        let name_text = name
            .as_str()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or(ImportError::new(
                name.line,
                ImportErrorKind::EmptyValue { field: "name" },
            ))?;
        let examples = item.get("examples").ok_or(ImportError::new(
            item.line,
            ImportErrorKind::MissingKey { key: "examples" },
        ))?;
        let examples = example_lines(examples, &self.source)?;
        match kind {
            "intent" => self.intent(name_text, examples),
            "synonym" => self.synonyms.push(Synonym {
                value: name_text.to_string(),
                examples: examples.into_iter().map(|(_, t)| t).collect(),
            }),
            "lookup" => self.lookups.push(Lookup {
                name: name_text.to_string(),
                elements: examples.into_iter().map(|(_, t)| t).collect(),
            }),
            _ => self.notes.push(format!(
                "line {}: regex {name_text:?} describes an entity's form; skipped",
                item.line
            )),
        }
        Ok(())
    }

    fn intent(&mut self, name: &str, examples: Vec<(usize, String)>) {
        let at = *self.index.entry(name.to_string()).or_insert_with(|| {
            self.intents.push(Intent::new(name));
            self.intents.len() - 1
        });
        for (_, example) in examples {
            let (text, mentions) = strip_entity_markup(&example);
            self.entities.extend(mentions.into_iter().map(|m| m.entity));
            self.intents[at].phrases.push(text);
        }
    }

    fn finish(mut self) -> Result<RasaNlu, ImportError> {
        if self.intents.is_empty() {
            return Err(ImportError::new(0, ImportErrorKind::NoExamples));
        }
        for s in &self.synonyms {
            self.notes.push(format!(
                "synonym {:?} ({} spellings) maps entity values, which the model does not \
                 extract; kept in `synonyms`",
                s.value,
                s.examples.len()
            ));
        }
        for l in &self.lookups {
            self.notes.push(format!(
                "lookup table {:?} ({} values) lists entity values, which the model does not \
                 extract; kept in `lookups`",
                l.name,
                l.elements.len()
            ));
        }
        Ok(RasaNlu {
            intents: self.intents,
            synonyms: self.synonyms,
            lookups: self.lookups,
            entities: self.entities.into_iter().collect(),
            notes: self.notes,
        })
    }
}

/// The examples of an item with their lines: a block of `- text` lines, or a list of
/// `text:` entries (the form that carries metadata).
fn example_lines(node: &Node, source: &[&str]) -> Result<Vec<(usize, String)>, ImportError> {
    match &node.value {
        Value::Scalar(text) => {
            let mut lines = SourceLines {
                source,
                next: node.line.saturating_sub(1),
            };
            let mut out = Vec::new();
            for line in text.lines() {
                let trimmed = line.trim();
                if trimmed.is_empty() {
                    continue;
                }
                let at = lines.find(trimmed);
                let Some(example) = trimmed.strip_prefix('-') else {
                    return Err(ImportError::new(
                        at,
                        ImportErrorKind::NotAnExample {
                            text: trimmed.to_string(),
                        },
                    ));
                };
                out.push((at, non_empty(example, at)?));
            }
            Ok(out)
        }
        Value::Sequence(items) => items
            .iter()
            .map(|item| {
                let text = item
                    .get("text")
                    .and_then(Node::as_str)
                    .ok_or_else(|| shape(item, "examples item", "a mapping with a `text`"))?;
                Ok((item.line, non_empty(text, item.line)?))
            })
            .collect(),
        _ => Err(shape(node, "examples", "a block of `- example` lines")),
    }
}

/// The document's lines, searched forward for the lines of a block scalar: the scanner
/// gives a block's position only, and its lines appear in the source in order, each on
/// a line of its own (indented).
struct SourceLines<'a, 'b> {
    source: &'b [&'a str],
    /// The 0-based line to search from.
    next: usize,
}

impl SourceLines<'_, '_> {
    /// The 1-based line holding `text` (trimmed), at or after the last one found.
    fn find(&mut self, text: &str) -> usize {
        let found = self.source[self.next.min(self.source.len())..]
            .iter()
            .position(|l| l.trim() == text);
        match found {
            Some(offset) => {
                self.next += offset + 1;
                self.next
            }
            // A folded block joins lines: no source line holds it whole.
            None => self.next.max(1),
        }
    }
}

fn non_empty(example: &str, line: usize) -> Result<String, ImportError> {
    let example = example.trim();
    if example.is_empty() {
        return Err(ImportError::new(
            line,
            ImportErrorKind::EmptyValue { field: "example" },
        ));
    }
    Ok(example.to_string())
}

fn shape(node: &Node, key: &str, expected: &'static str) -> ImportError {
    ImportError::new(
        node.line,
        ImportErrorKind::WrongShape {
            key: key.to_string(),
            expected,
        },
    )
}
