//! Evaluation: conditions against the facts of one message, and the hit policy, which
//! decides here and only here which rule's route applies and whose actions run.

use std::collections::{BTreeMap, HashMap};
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
use crate::keywords::{KeywordHit, MatchKind, Negation, NegationPolicy};
use crate::limits::MAX_TRACE_ITEMS;

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
        let table = HitTable::of(&self.keywords, &facts.detection.keywords);
        let candidates = self.index.candidates(table.ids(), facts, top);
        let hits = self.hits(facts, top, &table, &candidates);
        self.outcome(hits, candidates.len(), facts)
    }

    /// Evaluates every rule, ignoring the index: the oracle for the index tests.
    #[cfg(test)]
    pub(crate) fn evaluate_naive(&self, facts: &Facts<'_>) -> Outcome<'_> {
        let top = self.top(facts.detection);
        let table = HitTable::of(&self.keywords, &facts.detection.keywords);
        let all: Vec<u32> = (0..self.rules.len() as u32).collect();
        self.outcome(self.hits(facts, top, &table, &all), all.len(), facts)
    }

    /// Evaluates the candidates in order, stopping at the first match under first-hit.
    fn hits(
        &self,
        facts: &Facts<'_>,
        top: Option<(u32, f32)>,
        table: &HitTable,
        candidates: &[u32],
    ) -> Hits {
        let mut hits = Hits {
            matched: Vec::new(),
            route_rule: None,
            trace: Vec::with_capacity(candidates.len()),
        };
        let eval = Eval {
            facts,
            top,
            hits: table,
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
        saw: Saw::Value(value.preview()),
    });
    true
}

/// The message's keyword hits grouped by keyword identity (the flow's vocabulary), built
/// once per decision in one pass over the hits, so each keyword condition and the rule
/// index cost O(its keywords), not O(hits).
pub(super) struct HitTable<'h> {
    by_id: BTreeMap<u32, HitsOf<'h>>,
}

/// The hits of one keyword identity.
struct HitsOf<'h> {
    /// The first [`MAX_TRACE_ITEMS`] hits, for traces.
    shown: Vec<&'h KeywordHit>,
    /// How many hits in all.
    count: usize,
    /// Whether some hit triggers, by `[fuzzy allowed][policy][purpose]` (purpose 0: any).
    fires: [[[bool; 4]; 3]; 2],
}

const POLICIES: [NegationPolicy; 3] = [
    NegationPolicy::Decline,
    NegationPolicy::Ignore,
    NegationPolicy::Any,
];

fn policy_slot(policy: NegationPolicy) -> usize {
    POLICIES.iter().position(|p| *p == policy).unwrap_or(0)
}

/// Slot 0 for any purpose, then one per purpose a hit can have.
fn purpose_slot(purpose: Option<Negation>) -> usize {
    match purpose {
        None => 0,
        Some(Negation::Declined) => 2,
        Some(Negation::Problem) => 3,
        Some(_) => 1,
    }
}

impl<'h> HitTable<'h> {
    fn of(vocabulary: &KeywordVocabulary, hits: &'h [KeywordHit]) -> HitTable<'h> {
        let mut by_id: BTreeMap<u32, HitsOf<'h>> = BTreeMap::new();
        for hit in hits {
            let Some(id) = vocabulary.hit(&hit.keyword) else {
                continue;
            };
            let entry = by_id.entry(id).or_insert_with(|| HitsOf {
                shown: Vec::new(),
                count: 0,
                fires: [[[false; 4]; 3]; 2],
            });
            entry.count += 1;
            if entry.shown.len() < MAX_TRACE_ITEMS {
                entry.shown.push(hit);
            }
            let exact = matches!(hit.kind, MatchKind::Exact);
            let purpose = purpose_slot(Some(hit.negation));
            for (slot, policy) in POLICIES.iter().enumerate() {
                if hit.triggers(*policy) {
                    for q in [0, purpose] {
                        entry.fires[1][slot][q] = true;
                        entry.fires[0][slot][q] |= exact;
                    }
                }
            }
        }
        HitTable { by_id }
    }

    /// The keyword identities hit, each once.
    fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.by_id.keys().copied()
    }
}

/// Case-insensitive equality, as [`Value::loosely_equals`] compares strings.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    Value::from(a).loosely_equals(&Value::from(b))
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
        v.map_or(Saw::Nothing, |v| Saw::Value(v.preview())),
    )
}

/// Text for the trace, cut as a value's preview is.
fn text(s: Option<&str>) -> Saw {
    s.map_or(Saw::Nothing, |s| Saw::Text(cut_text(s)))
}

fn cut_text(s: &str) -> String {
    match Value::from(s).preview() {
        Value::String(cut) => cut,
        _ => String::new(),
    }
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
    hits: &'a HitTable<'a>,
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
                Some(m) => (true, Saw::Text(cut_text(m.as_str()))),
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

    /// Whether one of `any` fires; the trace shows the first hits of those keywords and
    /// how many more there were.
    fn keyword(
        &self,
        any: &[u32],
        fuzzy: bool,
        policy: NegationPolicy,
        purpose: Option<Negation>,
    ) -> (bool, Saw) {
        let (f, p, q) = (
            usize::from(fuzzy),
            policy_slot(policy),
            purpose_slot(purpose),
        );
        let of = || any.iter().filter_map(|id| self.hits.by_id.get(id));
        let ok = of().any(|h| h.fires[f][p][q]);
        let mut hits = Vec::new();
        let mut total = 0;
        for h in of() {
            total += h.count;
            let room = MAX_TRACE_ITEMS - hits.len();
            hits.extend(h.shown.iter().take(room).map(|hit| (*hit).clone()));
        }
        let more = total - hits.len();
        (ok, Saw::Keywords { hits, more })
    }

    fn tag(&self, tag: &str) -> (bool, Saw) {
        let tags = &self.facts.context.conversation.tags;
        let want = tag.trim();
        let ok = tags.iter().any(|t| eq_ignore_case(t.trim(), want));
        let mut shown: Vec<Value> = tags
            .iter()
            .take(MAX_TRACE_ITEMS)
            .map(|t| Value::String(cut_text(t)))
            .collect();
        if tags.len() > MAX_TRACE_ITEMS {
            let more = tags.len() - MAX_TRACE_ITEMS;
            shown.push(Value::String(format!("... {more} more")));
        }
        (ok, Saw::Value(Value::List(shown)))
    }
}
