//! The small value type used for user attributes, conversation attributes and slots.
//!
//! Values come from the host's database and from messages, so every reading is bounded:
//! lists nest at most [`MAX_VALUE_DEPTH`] deep when deserialized (deeper is an error),
//! and the crate reads a value built in code only down to that depth (deeper lists read
//! as empty). Traces keep a [`Value::preview`], never the whole value.

use std::fmt;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::limits::{MAX_TRACE_ITEMS, MAX_TRACE_TEXT, MAX_VALUE_DEPTH};

/// A user attribute, conversation attribute or slot value: a string, number, bool or list.
///
/// Serialized untagged, so `"pro"`, `200`, `true` and `["a", "b"]` are all values.
///
/// ```
/// use handoff::Value;
/// assert_eq!(Value::from(200).as_number(), Some(200.0));
/// assert_eq!(Value::from("200").as_number(), Some(200.0));
/// assert_eq!(Value::from("Pro").to_string(), "Pro");
/// ```
///
/// Lists nest at most [`MAX_VALUE_DEPTH`] deep: deserializing a deeper one is an error,
/// and a deeper one built in code reads (in conditions, templates and traces) as if its
/// lists below that depth were empty.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// A list of values.
    List(Vec<Value>),
}

impl Value {
    /// The value as a number: numbers as they are, strings that parse as numbers
    /// (after trimming), anything else `None`.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) if n.is_finite() => Some(*n),
            Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// The value as a string slice, for strings only.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Loose equality used by conditions: numbers compare numerically (a numeric string
    /// equals the number), strings compare case-insensitively after trimming, bools
    /// exactly, lists element-wise.
    pub fn loosely_equals(&self, other: &Value) -> bool {
        self.loosely_equals_within(other, MAX_VALUE_DEPTH)
    }

    /// [`Value::loosely_equals`] reading lists down to `depth` more levels (deeper lists
    /// read as empty), so the recursion is bounded whatever the values.
    fn loosely_equals_within(&self, other: &Value, depth: usize) -> bool {
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::String(a), Value::String(b)) => eq_ignore_case(a.trim(), b.trim()),
            (Value::List(_), Value::List(_)) if depth == 0 => true,
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| x.loosely_equals_within(y, depth - 1))
            }
            (Value::Number(_), _) | (_, Value::Number(_)) => {
                matches!((self.as_number(), other.as_number()), (Some(a), Some(b)) if a == b)
            }
            _ => false,
        }
    }

    /// Whether the value contains `needle`: a list holding an element loosely equal to
    /// it, or a string holding it as a case-insensitive substring.
    pub fn contains(&self, needle: &Value) -> bool {
        match (self, needle) {
            (Value::List(items), _) => items.iter().any(|v| v.loosely_equals(needle)),
            (Value::String(hay), Value::String(n)) => {
                hay.to_lowercase().contains(&n.to_lowercase())
            }
            _ => false,
        }
    }

    /// A bounded copy for traces: strings cut to [`MAX_TRACE_TEXT`] bytes (at a char
    /// boundary, ending in "..."), lists to their first [`MAX_TRACE_ITEMS`] items
    /// followed by a string saying how many more there were, and nesting to
    /// [`MAX_VALUE_DEPTH`] (deeper lists empty). Costs O(what it keeps), whatever the
    /// value's size.
    pub fn preview(&self) -> Value {
        self.preview_within(MAX_VALUE_DEPTH)
    }

    fn preview_within(&self, depth: usize) -> Value {
        match self {
            Value::String(s) if s.len() > MAX_TRACE_TEXT => {
                let mut cut = crate::text::truncate_at_char_boundary(s, MAX_TRACE_TEXT).to_string();
                cut.push_str("...");
                Value::String(cut)
            }
            Value::List(_) if depth == 0 => Value::List(Vec::new()),
            Value::List(items) => {
                let mut kept: Vec<Value> = items
                    .iter()
                    .take(MAX_TRACE_ITEMS)
                    .map(|v| v.preview_within(depth - 1))
                    .collect();
                if items.len() > MAX_TRACE_ITEMS {
                    kept.push(Value::String(format!(
                        "... {} more",
                        items.len() - MAX_TRACE_ITEMS
                    )));
                }
                Value::List(kept)
            }
            other => other.shallow_clone(),
        }
    }

    /// A copy that keeps lists down to [`MAX_VALUE_DEPTH`] levels (deeper lists empty):
    /// how the crate copies a value it was handed (a form field into the slots), so the
    /// copy, and dropping it, stay bounded in depth.
    pub(crate) fn bounded_clone(&self) -> Value {
        self.bounded_clone_within(MAX_VALUE_DEPTH)
    }

    fn bounded_clone_within(&self, depth: usize) -> Value {
        match self {
            Value::List(_) if depth == 0 => Value::List(Vec::new()),
            Value::List(items) => Value::List(
                items
                    .iter()
                    .map(|v| v.bounded_clone_within(depth - 1))
                    .collect(),
            ),
            other => other.shallow_clone(),
        }
    }

    /// A copy of a string, number or bool; an empty list for a list.
    fn shallow_clone(&self) -> Value {
        match self {
            Value::Bool(b) => Value::Bool(*b),
            Value::Number(n) => Value::Number(*n),
            Value::String(s) => Value::String(s.clone()),
            Value::List(_) => Value::List(Vec::new()),
        }
    }

    /// Drops the value without recursion, however deep its lists nest.
    pub(crate) fn dismantle(self) {
        let mut stack = vec![self];
        while let Some(mut v) = stack.pop() {
            if let Value::List(items) = &mut v {
                stack.append(items);
            }
        }
    }

    /// Whether lists nest more than `limit` deep in the value, found without recursion.
    pub(crate) fn depth_exceeds(&self, limit: usize) -> bool {
        let mut stack: Vec<(&Value, usize)> = vec![(self, 0)];
        while let Some((v, d)) = stack.pop() {
            if let Value::List(items) = v {
                if d + 1 > limit {
                    return true;
                }
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
        }
        false
    }

    /// Writes the value as [`Display`](fmt::Display) does, stopping once `out` holds
    /// `max_len` bytes or more (then ending in "..."): how templates render a value, so
    /// a huge attribute does not make a huge reply.
    pub(crate) fn write_bounded(&self, out: &mut String, max_len: usize) {
        let start = out.len();
        let mut w = Bounded {
            out,
            left: max_len,
            cut: false,
        };
        let _ = write_value(self, &mut w, MAX_VALUE_DEPTH);
        if w.cut {
            let kept = crate::text::truncate_at_char_boundary(&w.out[start..], max_len).len();
            w.out.truncate(start + kept);
            w.out.push_str("...");
        }
    }
}

/// A writer that stops (with an error) once `left` bytes were written.
struct Bounded<'a> {
    out: &'a mut String,
    left: usize,
    cut: bool,
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if s.len() > self.left {
            // Keep what fits (and a little more, cut at a char boundary by the caller).
            let end = ceil_boundary(s, self.left);
            self.out.push_str(&s[..end]);
            self.left = 0;
            self.cut = true;
            return Err(fmt::Error);
        }
        self.out.push_str(s);
        self.left -= s.len();
        Ok(())
    }
}

/// The first char boundary of `s` at or after `at` (or its end).
fn ceil_boundary(s: &str, at: usize) -> usize {
    (at..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len())
}

/// Writes `v`, lists as their items separated by ", ", down to `depth` list levels.
fn write_value(v: &Value, f: &mut dyn fmt::Write, depth: usize) -> fmt::Result {
    match v {
        Value::Bool(b) => write!(f, "{b}"),
        Value::Number(n) => f.write_str(&format_number(*n)),
        Value::String(s) => f.write_str(s),
        Value::List(_) if depth == 0 => Ok(()),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write_value(item, f, depth - 1)?;
            }
            Ok(())
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    /// Reads a string, number, bool or list, refusing lists nested deeper than
    /// [`MAX_VALUE_DEPTH`] (whatever the format's own recursion limit).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor { depth: 0 })
    }
}

struct ValueVisitor {
    /// Lists around the value being read.
    depth: usize,
}

impl<'de> de::DeserializeSeed<'de> for ValueVisitor {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number, bool or list")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_VALUE_DEPTH {
            return Err(de::Error::custom(format_args!(
                "lists nested deeper than {MAX_VALUE_DEPTH}"
            )));
        }
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        let depth = self.depth + 1;
        while let Some(v) = seq.next_element_seed(ValueVisitor { depth })? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

impl fmt::Display for Value {
    /// Lists as their items separated by ", ", down to [`MAX_VALUE_DEPTH`] levels.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_value(self, f, MAX_VALUE_DEPTH)
    }
}

/// Formats a number without a trailing `.0` for whole numbers.
pub(crate) fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n as f64)
    }
}

impl From<i32> for Value {
    fn from(n: i32) -> Self {
        Value::Number(f64::from(n))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(depth: usize) -> Value {
        (0..depth).fold(Value::from("x"), |v, _| Value::List(vec![v]))
    }

    #[test]
    fn previews_are_bounded() {
        let long = Value::from("é".repeat(MAX_TRACE_TEXT));
        let Value::String(cut) = long.preview() else {
            panic!("a string previews as a string");
        };
        assert!(cut.len() <= MAX_TRACE_TEXT + 3 && cut.ends_with("..."));
        let list = Value::List((0..100).map(Value::from).collect());
        let Value::List(items) = list.preview() else {
            panic!("a list previews as a list");
        };
        assert_eq!(items.len(), MAX_TRACE_ITEMS + 1);
        assert_eq!(items[MAX_TRACE_ITEMS], Value::from("... 92 more"));
        let short = Value::List(vec![Value::from(1), Value::from("a")]);
        assert_eq!(short.preview(), short);
    }

    #[test]
    fn writing_stops_at_the_bound_on_a_char_boundary() {
        for (value, max, want) in [
            (Value::from("abcdef"), 3, "abc..."),
            (Value::from("ééé"), 3, "é..."),
            (Value::from("abc"), 3, "abc"),
            (
                Value::List(vec![1.into(), 2.into(), 3.into()]),
                4,
                "1, 2...",
            ),
        ] {
            let mut out = String::from(">");
            value.write_bounded(&mut out, max);
            assert_eq!(out, format!(">{want}"), "{value:?}");
        }
    }

    #[test]
    fn depth_is_read_up_to_the_limit() {
        assert!(!deep(MAX_VALUE_DEPTH).depth_exceeds(MAX_VALUE_DEPTH));
        assert!(deep(MAX_VALUE_DEPTH + 1).depth_exceeds(MAX_VALUE_DEPTH));
        assert_eq!(deep(MAX_VALUE_DEPTH).to_string(), "x");
        assert_eq!(deep(MAX_VALUE_DEPTH + 1).to_string(), "");
        assert!(deep(3).loosely_equals(&deep(3)));
        let json = serde_json::to_string(&deep(MAX_VALUE_DEPTH)).unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&json).unwrap(),
            deep(MAX_VALUE_DEPTH)
        );
        let too_deep = format!("[{json}]");
        assert!(serde_json::from_str::<Value>(&too_deep).is_err());
        deep(100_000).dismantle();
    }
}
