//! handoff: intent detection, sales-handoff routing and team assignment for chat products.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod assign;
pub mod error;
pub mod intent;
pub mod keywords;
mod scorer;
pub mod text;

pub use assign::{
    Agent, AgentStatus, AssignRequest, AssignState, Assigner, AssignerBuilder, Assignment,
    CompiledRoster, Policy, Roster, Team, Waiting,
};
pub use error::{BuildError, ValidationError};
pub use intent::{Detection, Evidence, Intent, IntentModel, IntentModelBuilder, IntentScore};
pub use keywords::{KeywordHit, KeywordMatcher, MatchKind};
pub use text::{NormalizeOptions, Normalized, Normalizer, Token};
