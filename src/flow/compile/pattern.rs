//! Regex conditions compiled within bounds, so that no pattern makes a decision slow.
//!
//! The `regex` crate runs in time linear in the text for a fixed compiled pattern, but
//! the factor grows with the pattern: counted repetitions unroll (`a{1000}` is a
//! thousand states, `(?:a{100}){100}` ten thousand) and, once the lazy DFA's cache
//! thrashes, every byte of text costs a step per live state. So a pattern is refused
//! when it is longer than [`MAX_REGEX_LEN`], nests deeper than [`MAX_REGEX_NEST`], when
//! its counted repetitions unroll to more than [`MAX_REGEX_UNROLLED`] characters or
//! classes, or when it compiles to more than [`MAX_REGEX_SIZE`]. With the text cut to
//! the message limit, one regex condition then costs a few milliseconds at worst
//! (see `docs/performance.md`) and microseconds usually.

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Hir, HirKind};
use regex_syntax::ParserBuilder;

use crate::error::{BuildError, ErrorKind};
use crate::limits::{
    Limits, MAX_REGEX_DFA_SIZE, MAX_REGEX_LEN, MAX_REGEX_NEST, MAX_REGEX_SIZE, MAX_REGEX_UNROLLED,
};

/// Compiles `pattern` (case-insensitive unless it says otherwise) within the bounds;
/// errors are at `path`.
pub(super) fn compile(pattern: &str, path: &str) -> Result<Regex, BuildError> {
    if pattern.len() > MAX_REGEX_LEN {
        return Err(Limits::too_long(path, MAX_REGEX_LEN, pattern.len()));
    }
    let invalid = |e: regex::Error| BuildError::new(path, ErrorKind::InvalidPattern).caused_by(e);
    let hir = ParserBuilder::new()
        .case_insensitive(true)
        .nest_limit(MAX_REGEX_NEST as u32)
        .build()
        .parse(pattern)
        .map_err(|e| invalid(regex::Error::Syntax(e.to_string())))?;
    let unrolled = unrolled(&hir, 0);
    if unrolled > MAX_REGEX_UNROLLED as u64 {
        return Err(
            BuildError::new(path, ErrorKind::InvalidPattern).caused_by(TooCostly { unrolled })
        );
    }
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .nest_limit(MAX_REGEX_NEST as u32)
        .size_limit(MAX_REGEX_SIZE)
        .dfa_size_limit(MAX_REGEX_DFA_SIZE)
        .build()
        .map_err(invalid)
}

/// Why a pattern that parses is refused: its counted repetitions unroll too far.
#[derive(Debug)]
struct TooCostly {
    unrolled: u64,
}

impl std::fmt::Display for TooCostly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "its counted repetitions unroll to {} characters or classes (limit {MAX_REGEX_UNROLLED})",
            self.unrolled
        )
    }
}

impl std::error::Error for TooCostly {}

/// How many characters or classes the counted repetitions of `hir` unroll to: a
/// repetition counts its maximum (its minimum, at least 1, when unbounded) times what
/// its body unrolls to; what stands outside any repetition counts nothing (a long
/// alternation of words is cheap). Recursion bounded by the nest limit (`depth`).
fn unrolled(hir: &Hir, depth: usize) -> u64 {
    if depth > MAX_REGEX_NEST * 2 {
        return u64::MAX;
    }
    match hir.kind() {
        HirKind::Repetition(r) => {
            let times = u64::from(r.max.unwrap_or(r.min).max(1));
            times.saturating_mul(size(&r.sub, depth + 1))
        }
        HirKind::Capture(c) => unrolled(&c.sub, depth + 1),
        HirKind::Concat(list) | HirKind::Alternation(list) => list
            .iter()
            .fold(0u64, |sum, h| sum.saturating_add(unrolled(h, depth + 1))),
        _ => 0,
    }
}

/// The size of a repetition's body once its own repetitions are unrolled: a literal
/// counts its bytes, a class 1.
fn size(hir: &Hir, depth: usize) -> u64 {
    if depth > MAX_REGEX_NEST * 2 {
        return u64::MAX;
    }
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(l) => l.0.len() as u64,
        HirKind::Class(_) => 1,
        HirKind::Repetition(_) => unrolled(hir, depth + 1),
        HirKind::Capture(c) => size(&c.sub, depth + 1),
        HirKind::Concat(list) | HirKind::Alternation(list) => list
            .iter()
            .fold(0u64, |sum, h| sum.saturating_add(size(h, depth + 1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrolling_is_measured() {
        let cases = [
            ("demo|pricing|a long list of words", 0),
            (r"\w+", 1),
            ("a{250}b", 250),
            ("(?:a{16}){16}b", 256),
            ("(?:ab){3}", 6),
            (r"(?:\w+\s+){0,2}", 4),
            ("(?:a{100}){100}b", 10_000),
        ];
        for (pattern, want) in cases {
            let hir = ParserBuilder::new().build().parse(pattern).unwrap();
            assert_eq!(unrolled(&hir, 0), want, "{pattern}");
        }
    }

    #[test]
    fn costly_patterns_are_refused() {
        for pattern in ["(?:a{100}){100}b", "a{10000}", "a{257}"] {
            let e = compile(pattern, "p").unwrap_err();
            assert_eq!(e.kind(), &ErrorKind::InvalidPattern, "{pattern}");
            assert!(e.to_string().contains("unroll"), "{e}");
        }
        let long = "a".repeat(MAX_REGEX_LEN + 1);
        assert!(matches!(
            compile(&long, "p").unwrap_err().kind(),
            ErrorKind::TooLong { .. }
        ));
        let nested = format!("{}a{}", "(".repeat(100), ")".repeat(100));
        assert!(compile(&nested, "p").is_err());
        assert!(compile("a{256}", "p").is_ok());
    }
}
