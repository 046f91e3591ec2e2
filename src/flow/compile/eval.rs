//! Evaluation: conditions against the facts of one message, and the hit policy, which
//! decides here and only here which rule's route applies and whose actions run.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::compiled::{day_bit, CAction, CField, CRoute, CRule, Facts, Leaf, Node};
use super::index::Index;
use super::validate::KeywordVocabulary;
use crate::conversation::LocalTime;
use crate::flow::{
    ConditionTrace, FieldTest, HeldHandoff, HitPolicy, NumberTest, RuleTrace, Saw, Value,
};
use crate::intent::Detection;
use crate::keywords::{MatchKind, Negation, NegationPolicy};

/// A compiled flow.
#[derive(Debug)]
pub(crate) struct CompiledFlow {
    /// Rules in evaluation order (priority descending, then as written).
    pub(crate) rules: Vec<CRule>,
    pub(super) policy: HitPolicy,
    pub(super) default_route: CRoute,
    pub(super) default_actions: Vec<CAction>,
    pub(super) index: Index,
    pub(super) intent_lookup: HashMap<Arc<str>, u32>,
    pub(super) keywords: KeywordVocabulary,
    /// The route of a held hand-off: continue with no bot step.
    pub(super) hold_route: CRoute,
}

/// Everything the flow decided for one message.
pub(crate) struct Outcome<'c> {
    /// The route that applies: the deciding rule's, or the flow's default.
    pub(crate) route: &'c CRoute,
    /// Index (evaluation order) of the rule whose route applies; `None`: the default.
    pub(crate) route_rule: Option<usize>,
    /// Indices of every matching rule, in evaluation order.
    pub(crate) matched: Vec<usize>,
    /// The actions that apply, in order: the matching rules' (per the hit policy), then
    /// the default actions when the default route is used.
    pub(crate) actions: Vec<&'c CAction>,
    /// Whether the default route is used.
    pub(crate) default_used: bool,
    pub(crate) trace: Vec<RuleTrace>,
    /// Rules not evaluated because the index showed they could not match.
    pub(crate) skipped: usize,
    /// Set when the route was a hand-off to the team the conversation is already with.
    pub(crate) held: Option<HeldHandoff>,
    rules: &'c [CRule],
}

impl<'c> Outcome<'c> {
    /// The id of the rule whose route applies; `None` for the default route.
    pub(crate) fn rule(&self) -> Option<&'c Arc<str>> {
        self.route_rule.map(|ri| &self.rules[ri].id)
    }

    /// The ids of every matching rule, in evaluation order.
    pub(crate) fn matched_ids(&self) -> Vec<Arc<str>> {
        self.matched
            .iter()
            .map(|&ri| self.rules[ri].id.clone())
            .collect()
    }
}

/// Which rules matched and which of them gives the route, before actions are gathered.
struct Hits {
    matched: Vec<usize>,
    route_rule: Option<usize>,
    trace: Vec<RuleTrace>,
}

impl CompiledFlow {
    /// The intent index of the top candidate and its confidence.
    fn top(&self, d: &Detection) -> Option<(u32, f32)> {
        let name = d.intent.as_deref().or_else(|| d.best_candidate())?;
        let idx = *self.intent_lookup.get(name)?;
        Some((idx, d.confidence))
    }

    /// Evaluates the flow. Never panics; does no parsing.
    pub(crate) fn evaluate(&self, facts: &Facts<'_>) -> Outcome<'_> {
        let top = self.top(facts.detection);
        let candidates = self.index.candidates(&self.keywords, facts, top);
        self.outcome(self.hits(facts, top, &candidates), candidates.len(), facts)
    }

    /// Evaluates every rule, ignoring the index: the oracle for the index tests.
    #[cfg(test)]
    pub(crate) fn evaluate_naive(&self, facts: &Facts<'_>) -> Outcome<'_> {
        let top = self.top(facts.detection);
        let all: Vec<u32> = (0..self.rules.len() as u32).collect();
        self.outcome(self.hits(facts, top, &all), all.len(), facts)
    }

    /// Evaluates the candidates in order, stopping at the first match under first-hit.
    fn hits(&self, facts: &Facts<'_>, top: Option<(u32, f32)>, candidates: &[u32]) -> Hits {
        let mut hits = Hits {
            matched: Vec::new(),
            route_rule: None,
            trace: Vec::with_capacity(candidates.len()),
        };
        let eval = Eval {
            facts,
            top,
            flow: self,
        };
        for &ri in candidates {
            let ri = ri as usize;
            let rule = &self.rules[ri];
            let mut conditions = Vec::new();
            let matched = match &rule.cond {
                Some(node) => eval.node(node, 0, &mut conditions),
                None => true,
            } && !asks_known_slot(rule, facts, &mut conditions);
            hits.trace.push(RuleTrace {
                rule: rule.id.clone(),
                priority: rule.priority,
                matched,
                conditions,
            });
            if !matched {
                continue;
            }
            hits.matched.push(ri);
            if hits.route_rule.is_none() && rule.route.is_some() {
                hits.route_rule = Some(ri);
            }
            if self.policy == HitPolicy::First {
                break;
            }
        }
        hits
    }

    /// A hand-off to the team the conversation is already with, unless the deciding rule
    /// allows a repeat: the route is then held back.
    fn held(
        &self,
        route_rule: Option<usize>,
        route: &CRoute,
        f: &Facts<'_>,
    ) -> Option<HeldHandoff> {
        let CRoute::Handoff { team, .. } = route else {
            return None;
        };
        let with = f.context.conversation.with_team.as_ref()?;
        let rule = route_rule.map(|ri| &self.rules[ri]);
        if with.team != *team.id || rule.is_some_and(|r| r.repeat) {
            return None;
        }
        Some(HeldHandoff {
            rule: rule.map(|r| r.id.clone()),
            team: with.team.clone(),
            since_turn: with.since_turn,
        })
    }

    /// The hit policy: which route and actions apply given the matching rules; a held
    /// hand-off drops its rule's actions (or the default actions) and continues.
    fn outcome(&self, hits: Hits, candidates: usize, facts: &Facts<'_>) -> Outcome<'_> {
        let route = hits.route_rule.and_then(|ri| self.rules[ri].route.as_ref());
        let default_used = route.is_none();
        let route = route.unwrap_or(&self.default_route);
        let held = self.held(hits.route_rule, route, facts);
        let dropped = held.as_ref().and(hits.route_rule);
        let rule_actions = |ri: &usize| {
            let keep = dropped != Some(*ri);
            self.rules[*ri].actions.iter().filter(move |_| keep)
        };
        let mut actions: Vec<&CAction> = match self.policy {
            // First-hit: the first matching rule decides alone, route or not.
            HitPolicy::First => hits
                .matched
                .first()
                .into_iter()
                .flat_map(rule_actions)
                .collect(),
            // Collect: every matching rule's actions; the first route wins.
            HitPolicy::Collect => hits.matched.iter().flat_map(rule_actions).collect(),
        };
        if default_used && held.is_none() {
            actions.extend(self.default_actions.iter());
        }
        Outcome {
            route: if held.is_some() {
                &self.hold_route
            } else {
                route
            },
            route_rule: hits.route_rule,
            matched: hits.matched,
            actions,
            default_used,
            trace: hits.trace,
            skipped: self.rules.len() - candidates,
            held,
            rules: &self.rules,
        }
    }
}

/// Whether `rule` asks for a slot already known: such a rule does not match (a known
/// slot is never asked for again), and its trace says why.
fn asks_known_slot(rule: &CRule, facts: &Facts<'_>, trace: &mut Vec<ConditionTrace>) -> bool {
    let Some(CRoute::Ask { slot, .. }) = &rule.route else {
        return false;
    };
    let Some(value) = facts.slot(slot) else {
        return false;
    };
    trace.push(ConditionTrace {
        depth: 0,
        condition: Arc::from(format!("{slot} not yet known (the rule asks for it)")),
        outcome: false,
        saw: Saw::Value(value.clone()),
    });
    true
}

fn number_passes(t: &NumberTest, n: f64) -> bool {
    t.eq.map_or(true, |v| n == v)
        && t.gt.map_or(true, |v| n > v)
        && t.gte.map_or(true, |v| n >= v)
        && t.lt.map_or(true, |v| n < v)
        && t.lte.map_or(true, |v| n <= v)
}

fn field_passes(t: &FieldTest, v: Option<&Value>) -> bool {
    if t.exists.is_some_and(|e| e != v.is_some()) {
        return false;
    }
    if let Some(want) = &t.eq {
        if !v.is_some_and(|v| v.loosely_equals(want)) {
            return false;
        }
    }
    if let Some(not) = &t.ne {
        if v.is_some_and(|v| v.loosely_equals(not)) {
            return false;
        }
    }
    if let Some(list) = &t.one_of {
        if !v.is_some_and(|v| list.iter().any(|w| v.loosely_equals(w))) {
            return false;
        }
    }
    if t.gt.is_some() || t.gte.is_some() || t.lt.is_some() || t.lte.is_some() {
        let Some(n) = v.and_then(Value::as_number) else {
            return false;
        };
        let nt = NumberTest {
            eq: None,
            gt: t.gt,
            gte: t.gte,
            lt: t.lt,
            lte: t.lte,
        };
        if !number_passes(&nt, n) {
            return false;
        }
    }
    if let Some(needle) = &t.contains {
        if !v.is_some_and(|v| v.contains(needle)) {
            return false;
        }
    }
    true
}

fn field(t: &CField, v: Option<&Value>) -> (bool, Saw) {
    (
        field_passes(&t.test, v),
        v.map_or(Saw::Nothing, |v| Saw::Value(v.clone())),
    )
}

fn text(s: Option<&str>) -> Saw {
    s.map_or(Saw::Nothing, |s| Saw::Text(s.to_string()))
}

fn one_of(list: &[Box<str>], s: Option<&str>) -> (bool, Saw) {
    (s.is_some_and(|s| list.iter().any(|x| **x == *s)), text(s))
}

fn office_hours(days: u8, from: u16, to: u16, at: Option<LocalTime>) -> (bool, Saw) {
    let Some(lt) = at else {
        return (false, Saw::Nothing);
    };
    let m = lt.minutes;
    let day_ok = days & day_bit(lt.weekday) != 0;
    let ok = if from <= to {
        day_ok && m >= from && m < to
    } else {
        // Wraps past midnight: the late part belongs to the opening day, the early part
        // to the day before.
        let prev = lt.weekday.previous();
        (day_ok && m >= from) || (days & day_bit(prev) != 0 && m < to)
    };
    (ok, Saw::Time(lt))
}

struct Eval<'a, 'f> {
    facts: &'a Facts<'f>,
    top: Option<(u32, f32)>,
    flow: &'a CompiledFlow,
}

impl Eval<'_, '_> {
    fn node(&self, node: &Node, depth: u8, out: &mut Vec<ConditionTrace>) -> bool {
        let open = |out: &mut Vec<ConditionTrace>, desc: &Arc<str>| {
            out.push(ConditionTrace {
                depth,
                condition: desc.clone(),
                outcome: false,
                saw: Saw::Nothing,
            });
            out.len() - 1
        };
        let child_depth = depth.saturating_add(1);
        match node {
            Node::Always => {
                let at = open(out, &Arc::from("always"));
                out[at].outcome = true;
                true
            }
            Node::All(desc, list) => {
                let at = open(out, desc);
                let result = list.iter().all(|n| self.node(n, child_depth, out));
                out[at].outcome = result;
                result
            }
            Node::Any(desc, list) => {
                let at = open(out, desc);
                let result = list.iter().any(|n| self.node(n, child_depth, out));
                out[at].outcome = result;
                result
            }
            Node::Not(desc, inner) => {
                let at = open(out, desc);
                let result = !self.node(inner, child_depth, out);
                out[at].outcome = result;
                result
            }
            Node::Leaf(desc, leaf) => {
                let (outcome, saw) = self.leaf(leaf);
                out.push(ConditionTrace {
                    depth,
                    condition: desc.clone(),
                    outcome,
                    saw,
                });
                outcome
            }
        }
    }

    fn leaf(&self, leaf: &Leaf) -> (bool, Saw) {
        let f = self.facts;
        let event = f.message.event.as_ref();
        match leaf {
            Leaf::Intent { ids, min } => self.intent(ids, *min),
            Leaf::Keyword {
                any,
                fuzzy,
                policy,
                purpose,
            } => self.keyword(any, *fuzzy, *policy, *purpose),
            Leaf::Regex(re) => match re.find(f.text) {
                Some(m) => (true, Saw::Text(m.as_str().to_string())),
                None => (false, Saw::Nothing),
            },
            Leaf::Button(list) => one_of(list, event.and_then(|e| e.button.as_deref())),
            Leaf::Form(list) => {
                let form = event.and_then(|e| e.form.as_ref());
                one_of(list, form.map(|fm| fm.id.as_str()))
            }
            Leaf::Channel(list) => one_of(list, f.message.channel.as_deref()),
            Leaf::User(t) => field(t, f.context.user.get(&*t.name)),
            Leaf::Conversation(t) => field(t, f.context.conversation.attributes.get(&*t.name)),
            Leaf::Slot(t) => field(t, f.slot(&t.name)),
            Leaf::Tag(tag) => self.tag(tag),
            Leaf::Answered(slot) => (f.answered == Some(&**slot), text(f.answered)),
            Leaf::Pending(slot) => (f.pending == Some(&**slot), text(f.pending)),
            Leaf::FailedTurns(t) => {
                let n = f64::from(f.context.conversation.failed_turns);
                (number_passes(t, n), Saw::Value(Value::from(n)))
            }
            Leaf::OfficeHours { days, from, to } => {
                office_hours(*days, *from, *to, f.context.local_time)
            }
            Leaf::WithTeam { any, teams } => {
                let with = f.context.conversation.with_team.as_ref();
                let ok = match any {
                    Some(yes) => with.is_some() == *yes,
                    None => with.is_some_and(|w| teams.iter().any(|t| **t == *w.team)),
                };
                (ok, text(with.map(|w| w.team.as_str())))
            }
            Leaf::Ambiguous { any, between, .. } => self.ambiguous(*any, between),
        }
    }

    /// Whether the detection flagged its best two intents as too close to call (these
    /// two, in either order, unless `any`); the trace shows the best two and their
    /// confidences.
    fn ambiguous(&self, any: Option<bool>, between: &[Arc<str>; 2]) -> (bool, Saw) {
        let d = self.facts.detection;
        let pair = d.ambiguous.as_ref();
        let ok = match any {
            Some(yes) => pair.is_some() == yes,
            None => pair.is_some_and(|[a, b]| {
                (*a == between[0] && *b == between[1]) || (*a == between[1] && *b == between[0])
            }),
        };
        // One string, written in place: this runs for every candidate rule.
        let mut seen = String::from(match pair {
            Some(_) => "ambiguous: ",
            None => "not ambiguous: ",
        });
        for (i, s) in d.candidates().take(2).enumerate() {
            if i > 0 {
                seen.push_str(" vs ");
            }
            let _ = write!(seen, "{} ({:.2})", s.intent, s.confidence);
        }
        if d.best_candidate().is_none() {
            seen = "no candidates".to_string();
        }
        (ok, Saw::Text(seen))
    }

    fn intent(&self, ids: &[u32], min: Option<f32>) -> (bool, Saw) {
        let d = self.facts.detection;
        let saw = Saw::Intent {
            intent: d
                .intent
                .clone()
                .or_else(|| d.candidates().next().map(|s| s.intent.clone())),
            confidence: d.confidence,
        };
        let ok = match self.top {
            Some((idx, conf)) if ids.contains(&idx) => match min {
                Some(m) => conf >= m,
                None => d.intent.is_some(),
            },
            _ => false,
        };
        (ok, saw)
    }

    fn keyword(
        &self,
        any: &[u32],
        fuzzy: bool,
        policy: NegationPolicy,
        purpose: Option<Negation>,
    ) -> (bool, Saw) {
        let hits = &self.facts.detection.keywords;
        let ok = hits.iter().any(|hit| {
            let kind_ok = fuzzy || matches!(hit.kind, MatchKind::Exact);
            kind_ok
                && hit.triggers(policy)
                && purpose.map_or(true, |p| hit.negation == p)
                && self
                    .flow
                    .keywords
                    .hit(&hit.keyword)
                    .is_some_and(|id| any.contains(&id))
        });
        (ok, Saw::Keywords(hits.clone()))
    }

    fn tag(&self, tag: &str) -> (bool, Saw) {
        let tags = &self.facts.context.conversation.tags;
        let ok = tags
            .iter()
            .any(|t| Value::from(t.as_str()).loosely_equals(&Value::from(tag)));
        let all = tags.iter().map(|t| Value::from(t.as_str())).collect();
        (ok, Saw::Value(Value::List(all)))
    }
}
