//! The decision a router returns, and its explanation for a person.

use std::fmt::Write as _;
use std::sync::Arc;

use serde::Serialize;

use crate::conversation::ContextUpdate;
use crate::flow::compile::Outcome;
use crate::flow::{Action, AnswerTrace, Route, Saw, Trace};
use crate::intent::Detection;
use crate::keywords::{MatchKind, Negation};
use crate::persist::Fingerprint;

/// What a decision records of the bot that made it.
pub(super) struct Bot {
    pub(super) threshold: f32,
    pub(super) ambiguity_margin: f32,
    pub(super) fingerprint: Fingerprint,
}

/// A routing decision. The detected intent and its confidence are in `detection`
/// ([`Decision::intent`] and [`Decision::confidence`] read them).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Decision {
    /// Where the conversation goes (templates rendered).
    pub route: Route,
    /// The rule that decided the route; `None` for the default route.
    pub rule: Option<Arc<str>>,
    /// Every matching rule, in evaluation order.
    pub matched: Vec<Arc<str>>,
    /// What the host should do, in order, templates rendered.
    pub actions: Vec<Action>,
    /// What the host should persist.
    pub updates: ContextUpdate,
    /// The intent detection.
    pub detection: Detection,
    /// The evaluation trace.
    pub trace: Trace,
    /// The no-intent threshold the detection was judged against.
    pub threshold: f32,
    /// The ambiguity margin the detection was judged against.
    pub ambiguity_margin: f32,
    /// Which bot decided: the router's [`Fingerprint`] (trained model and flow), for
    /// the host's logs.
    pub fingerprint: Fingerprint,
}

impl Decision {
    /// The detected intent's id (`None`: no intent was confident enough).
    pub fn intent(&self) -> Option<&str> {
        self.detection.intent_id()
    }

    /// The best candidate's calibrated confidence, also when it was below the threshold.
    pub fn confidence(&self) -> f32 {
        self.detection.confidence
    }

    /// A multi-line explanation for a person.
    pub fn explain(&self) -> String {
        let mut s = String::new();
        self.explain_detection(&mut s);
        self.explain_answer(&mut s);
        self.explain_rules(&mut s);
        self.explain_route(&mut s);
        self.explain_updates(&mut s);
        s
    }

    fn explain_detection(&self, s: &mut String) {
        let d = &self.detection;
        match &d.intent {
            Some(i) => {
                let _ = writeln!(
                    s,
                    "intent: {i} (confidence {:.2}, threshold {:.2})",
                    d.confidence, self.threshold
                );
            }
            None if d.best_candidate().is_none() => {
                let _ = writeln!(s, "intent: none (no candidates)");
            }
            None => {
                let top = d.best_candidate().unwrap_or("none");
                let _ = writeln!(
                    s,
                    "intent: none (top candidate {top}, confidence {:.2}, under the threshold {:.2})",
                    d.confidence, self.threshold
                );
            }
        }
        self.explain_runner_up(s);
        if !d.declined.is_empty() {
            let _ = writeln!(
                s,
                "declined: {} (every keyword hit of the intent declined)",
                d.declined.join(", ")
            );
        }
        if !d.keywords.is_empty() {
            let hits: Vec<String> = d
                .keywords
                .iter()
                .map(|h| {
                    let mut l = format!("{} ({})", h.keyword, h.intent);
                    if let MatchKind::Fuzzy { distance } = h.kind {
                        let _ = write!(l, " typo distance {distance}");
                    }
                    match h.negation {
                        Negation::Declined => l.push_str(" DECLINED"),
                        Negation::Problem => l.push_str(" NEGATED (a problem)"),
                        _ if h.negated => l.push_str(" NEGATED"),
                        _ => {}
                    }
                    l
                })
                .collect();
            let _ = writeln!(s, "keywords: {}", hits.join(", "));
        }
    }

    /// The best two candidates against the ambiguity margin: too close to call, or how
    /// far apart.
    fn explain_runner_up(&self, s: &mut String) {
        let d = &self.detection;
        let mut open = d.candidates();
        let (Some(first), Some(second)) = (open.next(), open.next()) else {
            return;
        };
        let gap = first.confidence - second.confidence;
        let margin = self.ambiguity_margin;
        let _ = if d.ambiguous.is_some() {
            writeln!(
                s,
                "ambiguous: {} ({:.2}) vs {} ({:.2}), {gap:.2} apart, under the margin {margin:.2}",
                first.intent, first.confidence, second.intent, second.confidence
            )
        } else if gap < margin {
            writeln!(
                s,
                "runner-up: {} ({:.2}), {gap:.2} behind, under the margin {margin:.2} but \
                 not ambiguous: the best is under half the threshold",
                second.intent, second.confidence
            )
        } else {
            writeln!(
                s,
                "runner-up: {} ({:.2}), {gap:.2} behind (ambiguity margin {margin:.2})",
                second.intent, second.confidence
            )
        };
    }

    fn explain_answer(&self, s: &mut String) {
        if let Some(a) = &self.trace.answer {
            match (&a.value, &a.rejected) {
                (Some(v), _) => {
                    let _ = writeln!(s, "answer: {} = {v} (from {:?})", a.slot, a.text);
                }
                (None, Some(why)) => {
                    let _ = writeln!(
                        s,
                        "answer: {:?} rejected for {}: {why}; the question stays pending",
                        a.text, a.slot
                    );
                }
                (None, None) => {
                    let _ = writeln!(s, "answer: {:?} did not answer {}", a.text, a.slot);
                }
            }
        }
    }

    fn explain_rules(&self, s: &mut String) {
        let _ = writeln!(
            s,
            "rules: {} considered, {} skipped by the index",
            self.trace.rules.len(),
            self.trace.skipped
        );
        for r in &self.trace.rules {
            let mark = if r.matched { "x" } else { " " };
            let _ = writeln!(s, "  [{mark}] {} (priority {})", r.rule, r.priority);
            for c in &r.conditions {
                let mark = if c.outcome { "yes" } else { "no " };
                let pad = "  ".repeat(usize::from(c.depth));
                if c.saw == Saw::Nothing && matches!(&*c.condition, "all of" | "any of" | "not") {
                    let _ = writeln!(s, "        {pad}{mark} {}", c.condition);
                } else {
                    let _ = writeln!(s, "        {pad}{mark} {} -- saw {}", c.condition, c.saw);
                }
            }
        }
    }

    fn explain_route(&self, s: &mut String) {
        if let Some(h) = &self.trace.held {
            let by = h
                .rule
                .as_deref()
                .map_or("the default route".into(), |r| format!("rule {r}"));
            let _ = writeln!(
                s,
                "held: {by} hands off to {team}, but the conversation is already with {team} \
                 since turn {}: no second hand-off, its actions dropped (\"repeat\": true on \
                 the rule allows one)",
                h.since_turn,
                team = h.team,
            );
        }
        match &self.rule {
            Some(r) => {
                let _ = writeln!(s, "route: {} (rule {r})", self.route);
            }
            None => {
                let _ = writeln!(s, "route: {} (default)", self.route);
            }
        }
        for a in &self.actions {
            let _ = writeln!(s, "  action: {a}");
        }
    }

    fn explain_updates(&self, s: &mut String) {
        let u = &self.updates;
        let sources = u.summary.as_ref();
        for (k, v) in &u.set_slots {
            match sources.and_then(|m| m.source(k)) {
                Some(from) => {
                    let _ = writeln!(s, "  update: slot {k} = {v} ({from})");
                }
                None => {
                    let _ = writeln!(s, "  update: slot {k} = {v}");
                }
            }
        }
        for t in &u.add_tags {
            let _ = writeln!(s, "  update: tag {t:?}");
        }
        if let Some(p) = &u.pending {
            let _ = writeln!(s, "  update: awaiting answer for {}", p.slot);
        }
        let _ = writeln!(s, "  update: failed turns = {}", u.failed_turns);
        if let Some(w) = &u.with_team {
            let _ = writeln!(s, "  update: with {} since turn {}", w.team, w.since_turn);
        }
    }
}

impl Decision {
    /// The last step of a decision: the rendered route and actions, the update, the
    /// detection, the flow's outcome (matching rules, rule traces) and how a pending
    /// answer was read, in one value.
    pub(super) fn assemble(
        route: Route,
        actions: Vec<Action>,
        updates: ContextUpdate,
        detection: Detection,
        outcome: Outcome<'_>,
        answer: Option<AnswerTrace>,
        bot: Bot,
    ) -> Decision {
        let matched = outcome.matched_ids();
        let rule = outcome.rule().cloned();
        let trace = Trace {
            answer,
            rules: outcome.trace,
            skipped: outcome.skipped,
            default_route: outcome.default_used,
            held: outcome.held,
        };
        Decision {
            route,
            rule,
            matched,
            actions,
            updates,
            detection,
            trace,
            threshold: bot.threshold,
            ambiguity_margin: bot.ambiguity_margin,
            fingerprint: bot.fingerprint,
        }
    }
}
