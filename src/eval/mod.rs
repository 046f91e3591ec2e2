//! Evaluation: accuracy reports, cross-validation, training-data lint, scenario
//! suites and KPIs — the loop teams follow to train a hand-off bot, as pure functions
//! over data the host records.
//!
//! - [`Evaluation`]: accuracy over labelled messages (overall, in scope, out of scope,
//!   per intent, top confusions, intents below a target accuracy), a threshold sweep
//!   and a threshold suggestion. Computed from `(label, Detection)` pairs, so it never
//!   re-runs the model; [`Evaluation::run`] does detect for you.
//! - [`cross_validate`]: k-fold cross-validation over the intents' own phrases, for
//!   teams without a separate test set (stratified, deterministic for a seed).
//! - [`lint`] / [`lint_predictions`]: problems in the training data, each a
//!   [`Finding`] with advice.
//! - [`Scenario`]: scripted multi-turn conversations with expectations per step,
//!   played against a [`Router`](crate::Router).
//! - [`DecisionRecord`]: the decision log, one serde record per decided message
//!   ([`DecisionRecord::from_decision`]), annotated later with outcomes and a human's
//!   [`Correction`]; [`LogReader`] reads JSON lines back, reporting every skipped line.
//! - [`Kpis`]: hand-off rate and accuracy, response times, conversion, bot retention
//!   and escalation reasons from [`DecisionRecord`] logs, per channel, period and team,
//!   over a time window, as serde structs or CSV; [`KpiAccumulator`] streams.
//! - [`review`] / [`Reviewer`]: what to label next, what the bot does not know
//!   (clusters of messages with no intent), phrases to add and misroutes, in bounded
//!   memory over a log of any length.
//! - [`PilotReport`]: all of the above for a pilot, rendered as one self-contained HTML
//!   page with inline SVG charts ([`PilotReport::to_html`]).
//!
//! Rates are fractions in `[0, 1]`; a figure with nothing to divide by is `None`,
//! never NaN.
//!
//! # Complexity
//! Reports, lint and KPIs are `O(n log n)` in their input (the lint's near-duplicate
//! search is a prefix-filtered set-similarity join, near-linear on real phrase sets);
//! cross-validation costs `folds` trainings; a scenario costs one decision per step.
//! KPIs hold a few words per conversation; the review holds state bounded by its
//! options (see [`Reviewer`]), whatever the log's length.
//!
//! # Example
//! ```
//! use handoff::eval::{cross_validate, Evaluation, FindingKind, lint, ThresholdGoal};
//! use handoff::{Intent, IntentModel};
//!
//! let intents = vec![
//!     Intent::new("pricing").phrases([
//!         "how much does it cost", "what are your prices", "can I get a quote",
//!         "price for 50 seats", "how expensive is the pro plan",
//!     ]),
//!     Intent::new("support").phrases([
//!         "I can't log in", "the app crashes", "reset my password",
//!         "I found a bug", "the page won't load",
//!     ]),
//! ];
//! let model = IntentModel::builder().intents(intents.clone()).build()?;
//! let report = Evaluation::run(&model, [
//!     ("what's the price of the team plan", Some("pricing")),
//!     ("my password does not work", Some("support")),
//!     ("tell me a joke", None),
//! ]);
//! assert_eq!(report.examples, 3);
//! assert_eq!(report.in_scope, 2);
//! assert!(report.to_string().contains("in-scope accuracy"));
//! let best = report.suggest_threshold(ThresholdGoal::Balanced).unwrap();
//! assert!((0.0..=1.0).contains(&best.threshold));
//!
//! let cv = cross_validate(&IntentModel::builder(), &intents, 5, 7)?;
//! assert_eq!(cv.examples, 10);
//! assert!(lint(&intents).iter().all(|f| f.kind != FindingKind::DuplicatePhrase));
//! # Ok::<(), handoff::BuildError>(())
//! ```

mod compare;
mod cv;
mod guard;
mod html;
mod jsonl;
mod kpi;
mod lint;
mod log;
mod pilot;
mod ratio;
mod report;
mod review;
mod scenario;
mod svg;
#[cfg(test)]
mod tests;

pub use compare::{
    compare, Accuracy, CompareMessage, Comparison, Moved, Movement, TeamShift, MAX_EXAMPLES,
    NO_INTENT_LABEL,
};
pub use cv::cross_validate;
pub use guard::{Changed, Guard, GuardCheck, ParseGuardError};
pub use jsonl::{
    LogProblem, LogProblemKind, LogReader, LogSummary, MAX_LOG_LINE_BYTES, MAX_LOG_PROBLEMS,
};
pub use kpi::{
    KpiAccumulator, KpiFigures, KpiOptions, Kpis, Reason, TeamCount, RESPONSE_BUCKETS_S,
};
pub use lint::{lint, lint_predictions, lint_with, Finding, FindingKind, LintOptions};
pub use log::{Correction, DecisionRecord, LoggedKeyword, RecordProblem};
pub use pilot::{ConfusionCell, Pilot, PilotOptions, PilotReport, RuleCount};
pub use report::{
    AmbiguityReport, Confusion, Evaluation, IntentReport, LabelCount, SweepPoint, ThresholdGoal,
    DEFAULT_TARGET_ACCURACY,
};
pub use review::{
    review, LabelCandidate, LabelReason, Misroute, MisrouteCount, MisrouteKind, PhraseSuggestion,
    Review, ReviewOptions, Reviewer, UnknownCluster,
};
pub use scenario::{
    run_scenarios, Expect, Mismatch, Scenario, ScenarioReport, Step, StepReport, SuiteReport,
};
