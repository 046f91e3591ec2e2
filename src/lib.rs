//! handoff: intent detection, sales-handoff routing and team assignment for chat products.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod assign;
pub mod error;
pub mod eval;
pub mod flow;
pub mod intent;
pub mod keywords;
pub mod router;
mod scorer;
pub mod text;

pub use assign::{
    Agent, AgentStatus, AssignRequest, AssignState, Assigner, AssignerBuilder, Assignment,
    CompiledRoster, Policy, Roster, Team, Waiting,
};
pub use error::{BuildError, ValidationError};
pub use eval::{
    cross_validate, lint, DecisionRecord, Evaluation, Finding, FindingKind, Kpis, Scenario,
    ThresholdGoal,
};
pub use flow::{
    Action, Condition, FieldTest, Flow, HitPolicy, IntentTest, KeywordTest, Names, NumberTest,
    OfficeHours, Priority, Route, Rule, Value, Weekday,
};
pub use intent::{Detection, Evidence, Intent, IntentModel, IntentModelBuilder, IntentScore};
pub use keywords::{KeywordHit, KeywordMatcher, MatchKind};
pub use router::{
    AnswerTrace, ConditionTrace, Context, ContextUpdate, Conversation, Decision, Event, Form,
    LocalTime, Message, Pending, Router, RouterBuilder, RouterConfig, RouterOptions, RuleTrace,
    Saw, TeamConfig, Trace,
};
pub use text::{NormalizeOptions, Normalized, Normalizer, Token};
