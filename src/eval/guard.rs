//! Rollout guards: limits on a [`Comparison`] that a candidate bot must stay within,
//! written as short texts a command line or a CI file can carry.
//!
//! | guard | passes when |
//! |-------|-------------|
//! | `lost:TEAM<=P%` | at most P % of the current router's hand-offs to TEAM are not handed to TEAM by the candidate |
//! | `changed:route<=P%` (`team`, `intent`, `actions`) | at most P % of the decisions change that |
//! | `accuracy-drop<=P` | the candidate's intent accuracy is at most P points below the current one's |
//!
//! Complexity: checking a guard is O(teams) at most.

use std::fmt;
use std::str::FromStr;

use super::compare::Comparison;
use super::ratio::ratio;

/// A limit a candidate must stay within (see the module docs for the syntax).
///
/// ```
/// use handoff::eval::Guard;
/// let guard: Guard = "lost:sales<=2%".parse().unwrap();
/// assert_eq!(guard, Guard::MaxLostHandoffs { team: "sales".into(), percent: 2.0 });
/// assert_eq!(guard.to_string(), "lost:sales<=2%");
/// assert!("lost:sales".parse::<Guard>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Guard {
    /// At most `percent` % of the current router's hand-offs to `team` lost.
    MaxLostHandoffs {
        /// The team id.
        team: String,
        /// The limit, in percent.
        percent: f64,
    },
    /// At most `percent` % of the decisions change `what`.
    MaxChanged {
        /// What may change.
        what: Changed,
        /// The limit, in percent.
        percent: f64,
    },
    /// The candidate's intent accuracy at most `points` percentage points below the
    /// current router's. Fails when no message is labelled: there is nothing to check.
    MaxAccuracyDrop {
        /// The limit, in percentage points.
        points: f64,
    },
}

/// What a [`Guard::MaxChanged`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Changed {
    /// The route (kind, team, slot asked, bot step).
    Route,
    /// The team.
    Team,
    /// The detected intent.
    Intent,
    /// The actions.
    Actions,
}

impl Changed {
    fn name(self) -> &'static str {
        match self {
            Changed::Route => "route",
            Changed::Team => "team",
            Changed::Intent => "intent",
            Changed::Actions => "actions",
        }
    }

    fn count(self, c: &Comparison) -> usize {
        match self {
            Changed::Route => c.route_changed,
            Changed::Team => c.team_changed,
            Changed::Intent => c.intent_changed,
            Changed::Actions => c.actions_changed,
        }
    }
}

/// A guard checked against a comparison: whether it held, and the figure in words.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct GuardCheck {
    /// The guard.
    pub guard: Guard,
    /// Whether the candidate stays within it.
    pub passed: bool,
    /// What was measured, such as `lost 1 of 40 sales hand-offs (2.5%)`.
    pub measured: String,
}

impl fmt::Display for GuardCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "PASS" } else { "FAIL" };
        write!(f, "{verdict} {}: {}", self.guard, self.measured)
    }
}

impl Guard {
    /// Checks the guard against `comparison`.
    pub fn check(&self, comparison: &Comparison) -> GuardCheck {
        let (passed, measured) = match self {
            Guard::MaxLostHandoffs { team, percent } => {
                let shift = comparison.team(team);
                let (lost, current) = shift.map_or((0, 0), |s| (s.lost, s.current));
                let rate = percent_of(lost, current);
                (
                    rate <= *percent,
                    format!("lost {lost} of {current} {team} hand-offs ({rate:.1}%)"),
                )
            }
            Guard::MaxChanged { what, percent } => {
                let count = what.count(comparison);
                let rate = percent_of(count, comparison.messages);
                (
                    rate <= *percent,
                    format!(
                        "{count} of {} decisions changed {} ({rate:.1}%)",
                        comparison.messages,
                        what.name()
                    ),
                )
            }
            Guard::MaxAccuracyDrop { points } => match &comparison.accuracy {
                Some(a) => {
                    let (before, after) = (
                        a.current().unwrap_or(0.0) * 100.0,
                        a.candidate().unwrap_or(0.0) * 100.0,
                    );
                    let drop = before - after;
                    (
                        drop <= *points,
                        format!(
                            "intent accuracy {before:.1}% -> {after:.1}% ({:.1} points {})",
                            drop.abs(),
                            if drop > 0.0 {
                                "lower"
                            } else {
                                "higher or equal"
                            }
                        ),
                    )
                }
                None => (false, "no labelled messages to measure accuracy on".into()),
            },
        };
        GuardCheck {
            guard: self.clone(),
            passed,
            measured,
        }
    }
}

/// `part` of `whole` in percent; 0 when `whole` is 0 (nothing to lose).
fn percent_of(part: usize, whole: usize) -> f64 {
    ratio(part, whole).unwrap_or(0.0) * 100.0
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Guard::MaxLostHandoffs { team, percent } => write!(f, "lost:{team}<={percent}%"),
            Guard::MaxChanged { what, percent } => {
                write!(f, "changed:{}<={percent}%", what.name())
            }
            Guard::MaxAccuracyDrop { points } => write!(f, "accuracy-drop<={points}"),
        }
    }
}

/// A text that is not a guard; the message gives the accepted forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseGuardError {
    text: String,
}

impl fmt::Display for ParseGuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not a guard: {:?}; expected lost:TEAM<=P%, changed:route|team|intent|actions<=P% \
             or accuracy-drop<=POINTS",
            self.text
        )
    }
}

impl std::error::Error for ParseGuardError {}

impl FromStr for Guard {
    type Err = ParseGuardError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let error = || ParseGuardError {
            text: s.to_string(),
        };
        let (name, limit) = s.split_once("<=").ok_or_else(error)?;
        let (name, limit) = (name.trim(), limit.trim());
        let number = |text: &str| {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0)
        };
        let percent = limit.strip_suffix('%').and_then(number);
        if let Some(team) = name.strip_prefix("lost:").filter(|t| !t.trim().is_empty()) {
            let percent = percent.ok_or_else(error)?;
            let team = team.trim().to_string();
            return Ok(Guard::MaxLostHandoffs { team, percent });
        }
        if let Some(what) = name.strip_prefix("changed:") {
            let what = match what.trim() {
                "route" => Changed::Route,
                "team" => Changed::Team,
                "intent" => Changed::Intent,
                "actions" => Changed::Actions,
                _ => return Err(error()),
            };
            let percent = percent.ok_or_else(error)?;
            return Ok(Guard::MaxChanged { what, percent });
        }
        if name == "accuracy-drop" {
            let points = number(limit.trim_end_matches("points")).ok_or_else(error)?;
            return Ok(Guard::MaxAccuracyDrop { points });
        }
        Err(error())
    }
}
