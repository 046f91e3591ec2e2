//! A YAML document as a small tree whose every node knows its line, built from
//! `yaml-rust2`'s events (its own tree drops the positions that line-numbered errors
//! need).
//!
//! Complexity: linear in the document's length; the tree is built with an explicit
//! stack, so deep nesting cannot overflow the call stack. Aliases are kept as such,
//! never expanded, so a document cannot blow up through them.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::error::{ImportError, ImportErrorKind};

/// A node and the 1-based line it starts on.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) line: usize,
    pub(super) value: Value,
}

#[derive(Debug)]
pub(super) enum Value {
    Scalar(String),
    Sequence(Vec<Node>),
    /// Keys and values, in order.
    Mapping(Vec<(Node, Node)>),
    Alias,
}

impl Node {
    pub(super) fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key`, for a mapping.
    pub(super) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Mapping(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// The first document of `text`; `None` when it has none.
pub(super) fn parse(text: &str) -> Result<Option<Node>, ImportError> {
    let mut builder = Builder::default();
    Parser::new_from_str(text)
        .load(&mut builder, false)
        .map_err(|e| {
            ImportError::new(
                line_of(e.marker()),
                ImportErrorKind::Syntax {
                    message: e.info().to_string(),
                },
            )
        })?;
    Ok(builder.root)
}

fn line_of(marker: &Marker) -> usize {
    marker.line().max(1)
}

/// Builds the tree from events: open containers on a stack (their children so far,
/// a mapping's keys and values alternating), each finished node added to the container
/// below it.
#[derive(Default)]
struct Builder {
    open: Vec<(usize, bool, Vec<Node>)>,
    root: Option<Node>,
}

impl Builder {
    fn add(&mut self, node: Node) {
        match self.open.last_mut() {
            Some((_, _, children)) => children.push(node),
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }

    fn close(&mut self) {
        let Some((line, is_map, children)) = self.open.pop() else {
            return;
        };
        let value = if is_map {
            let mut entries = Vec::with_capacity(children.len() / 2);
            let mut children = children.into_iter();
            while let (Some(key), Some(value)) = (children.next(), children.next()) {
                entries.push((key, value));
            }
            Value::Mapping(entries)
        } else {
            Value::Sequence(children)
        };
        self.add(Node { line, value });
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let line = line_of(&mark);
        match event {
            Event::Scalar(text, ..) => self.add(Node {
                line,
                value: Value::Scalar(text),
            }),
            Event::Alias(_) => self.add(Node {
                line,
                value: Value::Alias,
            }),
            Event::SequenceStart(..) => self.open.push((line, false, Vec::new())),
            Event::MappingStart(..) => self.open.push((line, true, Vec::new())),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_lines() {
        let text =
            "version: \"3.1\"\nnlu:\n- intent: greet\n  examples: |\n    - hey\n    - hello\n";
        let root = parse(text).unwrap().unwrap();
        assert_eq!(root.get("version").unwrap().as_str(), Some("3.1"));
        let nlu = root.get("nlu").unwrap();
        assert_eq!(nlu.line, 3);
        let Value::Sequence(items) = &nlu.value else {
            panic!("{nlu:?}")
        };
        assert_eq!(items[0].get("intent").unwrap().line, 3);
        let examples = items[0].get("examples").unwrap();
        assert_eq!(examples.as_str(), Some("- hey\n- hello\n"));
        // The scanner puts a block scalar at its first line of text.
        assert_eq!(examples.line, 5);
    }

    #[test]
    fn syntax_errors_give_their_line() {
        let err =
            parse("nlu:\n- intent: greet\n  examples: |\n    - hey\n   bad: [\n").unwrap_err();
        assert!(
            matches!(err.kind(), ImportErrorKind::Syntax { .. }),
            "{err}"
        );
        assert!(err.line() >= 4, "{err}");
    }

    #[test]
    fn deep_nesting_and_aliases_are_harmless() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let _ = parse(&deep);
        let aliases = "a: &x [1, 2]\nb: [*x, *x, *x]\n";
        let root = parse(aliases).unwrap().unwrap();
        assert!(matches!(root.get("b").unwrap().value, Value::Sequence(ref v) if v.len() == 3));
    }
}
