//! handoff: intent detection, sales-handoff routing and team assignment for chat products.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod error;
pub mod keywords;
pub mod text;

pub use error::{BuildError, ValidationError};
pub use keywords::{KeywordHit, KeywordMatcher, MatchKind};
pub use text::{NormalizeOptions, Normalized, Normalizer, Token};
