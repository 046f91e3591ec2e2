//! Comparing a candidate bot with the current one before rollout: what a retrained
//! model or an edited flow would decide differently on a set of messages.
//!
//! Each message is decided by both routers as the first message of a fresh
//! conversation (a default [`Context`]). The [`Comparison`] counts the decisions whose
//! route, team, intent or actions change, ranks the movements (intent `pricing` →
//! `demo`, `handoff sales` → `continue`) with example messages, follows every team's
//! hand-offs (kept, lost, gained), and gives both routers' intent accuracy where the
//! messages are labelled. [`Guard`](super::Guard)s turn it into a pass or a fail.
//!
//! Complexity: two decisions per message, plus O(log m) to count a movement among the m
//! distinct ones; memory is bounded by the distinct movements and teams (at most
//! [`MAX_EXAMPLES`] example texts each), not by the number of messages.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::ratio::{pct, ratio};
use crate::conversation::{Context, Message};
use crate::flow::Route;
use crate::persist::Fingerprint;
use crate::router::{Decision, Router};

/// Example messages kept per movement.
pub const MAX_EXAMPLES: usize = 3;

/// Movements shown per kind when a [`Comparison`] is printed.
const SHOWN_MOVEMENTS: usize = 10;

/// The label that means "no intent should be detected" (as in the evaluation data
/// sets).
pub const NO_INTENT_LABEL: &str = "oos";

/// A message to compare on: its text and, when known, the intent it should get
/// ([`NO_INTENT_LABEL`] for none). Reads from `{"text": "...", "intent": "pricing"}`,
/// the evaluation data sets' lines; other fields are ignored, so log lines that carry
/// more read as well.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareMessage {
    /// What the user wrote.
    pub text: String,
    /// The right intent, when labelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
}

impl CompareMessage {
    /// An unlabelled message.
    pub fn new(text: impl Into<String>) -> Self {
        CompareMessage {
            text: text.into(),
            intent: None,
        }
    }

    /// A message labelled with the intent it should get ([`NO_INTENT_LABEL`] for none).
    pub fn labeled(text: impl Into<String>, intent: impl Into<String>) -> Self {
        CompareMessage {
            text: text.into(),
            intent: Some(intent.into()),
        }
    }
}

/// What a movement moves: the route or the detected intent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Moved {
    /// The route (`handoff sales`, `ask company_size`, `continue`).
    Route,
    /// The detected intent (`none` when no intent).
    Intent,
}

/// Decisions that moved the same way: from one route or intent to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Movement {
    /// What moved.
    pub moved: Moved,
    /// The current router's route or intent.
    pub from: String,
    /// The candidate's.
    pub to: String,
    /// How many messages moved so.
    pub count: usize,
    /// The first few of them (at most [`MAX_EXAMPLES`]).
    pub examples: Vec<String>,
}

/// One team's hand-offs under both routers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TeamShift {
    /// The team id.
    pub team: String,
    /// Messages the current router hands to the team.
    pub current: usize,
    /// Messages the candidate hands to the team.
    pub candidate: usize,
    /// Handed to the team by the current router, not by the candidate.
    pub lost: usize,
    /// Handed to the team by the candidate, not by the current router.
    pub gained: usize,
}

impl TeamShift {
    /// The share of the current router's hand-offs to the team that the candidate
    /// loses (`None` when the current router hands none to it).
    pub fn lost_rate(&self) -> Option<f64> {
        ratio(self.lost, self.current)
    }
}

/// Intent accuracy of both routers on the labelled messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Accuracy {
    /// Labelled messages.
    pub labeled: usize,
    /// Right under the current router.
    pub current_right: usize,
    /// Right under the candidate.
    pub candidate_right: usize,
    /// Wrong under the current router, right under the candidate.
    pub fixed: usize,
    /// Right under the current router, wrong under the candidate.
    pub broken: usize,
}

impl Accuracy {
    /// The current router's accuracy, in `[0, 1]`.
    pub fn current(&self) -> Option<f64> {
        ratio(self.current_right, self.labeled)
    }

    /// The candidate's accuracy, in `[0, 1]`.
    pub fn candidate(&self) -> Option<f64> {
        ratio(self.candidate_right, self.labeled)
    }
}

/// What a candidate router decides differently from the current one (see the module
/// docs). Printed, it is the report a person reads before rollout.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Comparison {
    /// The current router's fingerprint.
    pub current: Fingerprint,
    /// The candidate's.
    pub candidate: Fingerprint,
    /// Messages compared.
    pub messages: usize,
    /// Decisions whose route changed (kind, team, slot asked or bot step).
    pub route_changed: usize,
    /// Decisions whose team changed (a hand-off gained, lost or moved).
    pub team_changed: usize,
    /// Decisions whose detected intent changed.
    pub intent_changed: usize,
    /// Decisions whose actions (tags, notifications, replies...) changed.
    pub actions_changed: usize,
    /// Every movement, most frequent first.
    pub movements: Vec<Movement>,
    /// Every team's hand-offs, by team id.
    pub teams: Vec<TeamShift>,
    /// Intent accuracy, when some messages are labelled.
    pub accuracy: Option<Accuracy>,
}

impl Comparison {
    /// The share of messages whose route changed.
    pub fn route_change_rate(&self) -> Option<f64> {
        ratio(self.route_changed, self.messages)
    }

    /// The hand-offs of team `team`.
    pub fn team(&self, team: &str) -> Option<&TeamShift> {
        self.teams.iter().find(|t| t.team == team)
    }

    /// The movements of one kind, most frequent first.
    pub fn movements_of(&self, moved: Moved) -> impl Iterator<Item = &Movement> + '_ {
        self.movements.iter().filter(move |m| m.moved == moved)
    }
}

/// Compares `candidate` with `current` on `messages` (see the module docs).
///
/// ```
/// use handoff::eval::{compare, CompareMessage, Moved};
/// use handoff::{Router, RouterConfig};
/// let config = |phrases: &[&str]| -> RouterConfig {
///     serde_json::from_value(serde_json::json!({
///         "intents": [{"id": "pricing", "phrases": phrases},
///                     {"id": "support", "phrases": ["I can't log in", "the app crashes"]}],
///         "teams": [{"id": "sales"}],
///         "flow": {"rules": [{"id": "price", "when": {"intent": {"id": "pricing"}},
///                             "route": {"kind": "handoff", "team": "sales"}}]}
///     })).unwrap()
/// };
/// let current = Router::from_config(config(&["how much is it", "what are your prices"]))?;
/// let candidate = Router::from_config(config(&["what are your prices"]))?;
/// let messages = [CompareMessage::labeled("how much is it?", "pricing")];
/// let comparison = compare(&current, &candidate, &messages);
/// assert_eq!(comparison.messages, 1);
/// assert_eq!(comparison.accuracy.as_ref().unwrap().current_right, 1);
/// println!("{comparison}");
/// # Ok::<(), handoff::BuildError>(())
/// ```
pub fn compare<'a, I>(current: &Router, candidate: &Router, messages: I) -> Comparison
where
    I: IntoIterator<Item = &'a CompareMessage>,
{
    let mut tally = Tally::default();
    let context = Context::default();
    for message in messages {
        let text = Message::text(message.text.as_str());
        let before = current.decide(&text, &context);
        let after = candidate.decide(&text, &context);
        tally.add(message, &before, &after);
    }
    tally.finish(current.fingerprint(), candidate.fingerprint())
}

/// The counts as messages come.
#[derive(Default)]
struct Tally {
    comparison: Comparison,
    movements: BTreeMap<(Moved, String, String), (usize, Vec<String>)>,
    teams: BTreeMap<String, TeamShift>,
    accuracy: Accuracy,
}

impl Tally {
    fn add(&mut self, message: &CompareMessage, before: &Decision, after: &Decision) {
        let c = &mut self.comparison;
        c.messages += 1;
        let (route_before, route_after) = (route_label(&before.route), route_label(&after.route));
        let (intent_before, intent_after) = (intent_label(before), intent_label(after));
        if route_before != route_after {
            c.route_changed += 1;
            self.moved(Moved::Route, route_before, route_after, &message.text);
        }
        if before.route.team() != after.route.team() {
            self.comparison.team_changed += 1;
        }
        if intent_before != intent_after {
            self.comparison.intent_changed += 1;
            self.moved(Moved::Intent, intent_before, intent_after, &message.text);
        }
        if before.actions != after.actions {
            self.comparison.actions_changed += 1;
        }
        self.count_handoffs(before.route.team(), after.route.team());
        if let Some(label) = &message.intent {
            self.score(label, before.intent(), after.intent());
        }
    }

    fn moved(&mut self, moved: Moved, from: String, to: String, text: &str) {
        let (count, examples) = self.movements.entry((moved, from, to)).or_default();
        *count += 1;
        if examples.len() < MAX_EXAMPLES {
            examples.push(text.to_string());
        }
    }

    fn count_handoffs(&mut self, before: Option<&str>, after: Option<&str>) {
        if let Some(team) = before {
            let s = shift(&mut self.teams, team);
            s.current += 1;
            s.lost += usize::from(after != Some(team));
        }
        if let Some(team) = after {
            let s = shift(&mut self.teams, team);
            s.candidate += 1;
            s.gained += usize::from(before != Some(team));
        }
    }

    fn score(&mut self, label: &str, before: Option<&str>, after: Option<&str>) {
        let want = (label != NO_INTENT_LABEL).then_some(label);
        let (was, is) = (before == want, after == want);
        let a = &mut self.accuracy;
        a.labeled += 1;
        a.current_right += usize::from(was);
        a.candidate_right += usize::from(is);
        a.fixed += usize::from(!was && is);
        a.broken += usize::from(was && !is);
    }

    fn finish(self, current: Fingerprint, candidate: Fingerprint) -> Comparison {
        let mut movements: Vec<Movement> = self
            .movements
            .into_iter()
            .map(|((moved, from, to), (count, examples))| Movement {
                moved,
                from,
                to,
                count,
                examples,
            })
            .collect();
        // Most frequent first; the map's order breaks ties, so the report is stable.
        movements.sort_by_key(|m| std::cmp::Reverse(m.count));
        Comparison {
            current,
            candidate,
            movements,
            teams: self.teams.into_values().collect(),
            accuracy: (self.accuracy.labeled > 0).then_some(self.accuracy),
            ..self.comparison
        }
    }
}

/// Team `team`'s counts, created at zero on first sight.
fn shift<'a>(teams: &'a mut BTreeMap<String, TeamShift>, team: &str) -> &'a mut TeamShift {
    teams.entry(team.to_string()).or_insert_with(|| TeamShift {
        team: team.to_string(),
        ..TeamShift::default()
    })
}

/// A route as compared: its kind and where it goes, not its wording.
fn route_label(route: &Route) -> String {
    match route {
        Route::Handoff { team, .. } => format!("handoff {team}"),
        Route::Ask { slot, .. } => format!("ask {slot}"),
        Route::Continue { step: Some(step) } => format!("continue {step}"),
        _ => "continue".to_string(),
    }
}

fn intent_label(decision: &Decision) -> String {
    decision.intent().unwrap_or("none").to_string()
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "current   {}", self.current)?;
        writeln!(f, "candidate {}", self.candidate)?;
        let n = self.messages;
        writeln!(f, "{n} messages compared")?;
        for (what, count) in [
            ("route", self.route_changed),
            ("team", self.team_changed),
            ("intent", self.intent_changed),
            ("actions", self.actions_changed),
        ] {
            writeln!(
                f,
                "  {what:<8} changed: {count:>5} ({})",
                pct(ratio(count, n))
            )?;
        }
        self.fmt_teams(f)?;
        self.fmt_accuracy(f)?;
        for (moved, title) in [(Moved::Route, "route"), (Moved::Intent, "intent")] {
            self.fmt_movements(f, moved, title)?;
        }
        Ok(())
    }
}

impl Comparison {
    fn fmt_teams(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.teams.is_empty() {
            return Ok(());
        }
        writeln!(f, "hand-offs by team (current -> candidate):")?;
        for t in &self.teams {
            writeln!(
                f,
                "  {:<12} {:>5} -> {:<5} lost {} ({} of current), gained {}",
                t.team,
                t.current,
                t.candidate,
                t.lost,
                pct(t.lost_rate()),
                t.gained
            )?;
        }
        Ok(())
    }

    fn fmt_accuracy(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(a) = &self.accuracy else {
            return writeln!(f, "intent accuracy: no labelled messages");
        };
        writeln!(
            f,
            "intent accuracy on {} labelled: current {}, candidate {} ({} fixed, {} broken)",
            a.labeled,
            pct(a.current()),
            pct(a.candidate()),
            a.fixed,
            a.broken
        )
    }

    fn fmt_movements(&self, f: &mut fmt::Formatter<'_>, moved: Moved, title: &str) -> fmt::Result {
        let mut shown = self.movements_of(moved).take(SHOWN_MOVEMENTS).peekable();
        if shown.peek().is_none() {
            return Ok(());
        }
        writeln!(f, "biggest {title} movements:")?;
        for m in shown {
            writeln!(f, "  {:>5}  {} -> {}", m.count, m.from, m.to)?;
            for example in &m.examples {
                writeln!(f, "           e.g. {example:?}")?;
            }
        }
        let more = self
            .movements_of(moved)
            .count()
            .saturating_sub(SHOWN_MOVEMENTS);
        if more > 0 {
            writeln!(f, "  ... and {more} more")?;
        }
        Ok(())
    }
}
