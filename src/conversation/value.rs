//! The small value type used for user attributes, conversation attributes and slots.

use std::fmt;

use serde::{Deserialize, Serialize};

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
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::String(a), Value::String(b)) => eq_ignore_case(a.trim(), b.trim()),
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.loosely_equals(y))
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
}

fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{}", format_number(*n)),
            Value::String(s) => f.write_str(s),
            Value::List(items) => {
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                Ok(())
            }
        }
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
