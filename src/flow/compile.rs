//! Compiled flows: conditions resolved and precompiled, rules sorted into evaluation
//! order and indexed by what they require, evaluated against a [`Facts`] snapshot.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use regex::{Regex, RegexBuilder};

use crate::error::{BuildError, ValidationError};
use crate::flow::template::Template;
use crate::flow::{
    Action, Condition, FieldTest, Flow, HitPolicy, NumberTest, OfficeHours, Priority, Route, Value,
    Weekday,
};
use crate::intent::Detection;
use crate::keywords::MatchKind;
use crate::router::{ConditionTrace, Context, Message, RuleTrace, Saw};

/// Regexes are compiled with this size limit so a hostile pattern is a build error,
/// not a memory blow-up.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// What a flow is compiled against.
pub(crate) struct CompileEnv<'a> {
    /// Intent ids of the model, in model order.
    pub(crate) intents: &'a [Arc<str>],
    /// Keywords configured on the intents (lower-cased), when known.
    pub(crate) keywords: Option<&'a BTreeSet<String>>,
    /// Team ids to their index.
    pub(crate) teams: &'a BTreeMap<String, usize>,
}

/// A compiled route.
#[derive(Debug)]
pub(crate) enum CRoute {
    Handoff {
        team: usize,
        priority: Priority,
    },
    Ask {
        question: Template,
        slot: Arc<str>,
        options: Arc<[String]>,
    },
    Continue {
        step: Option<Arc<str>>,
    },
}

/// A compiled action.
#[derive(Debug)]
pub(crate) enum CAction {
    Tag(Template),
    Reply(Template),
    Notify {
        channel: Template,
        text: Template,
    },
    Crm {
        object: Arc<str>,
        fields: Vec<(Arc<str>, Template)>,
    },
    Assign {
        team: usize,
        priority: Priority,
    },
}

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct CRule {
    pub(crate) id: Arc<str>,
    pub(crate) priority: i32,
    cond: Option<Node>,
    pub(crate) route: Option<CRoute>,
    pub(crate) actions: Vec<CAction>,
}

#[derive(Debug)]
enum Node {
    Always,
    All(Arc<str>, Vec<Node>),
    Any(Arc<str>, Vec<Node>),
    Not(Arc<str>, Box<Node>),
    Leaf(Arc<str>, Box<Leaf>),
}

#[derive(Debug)]
enum Leaf {
    Intent {
        ids: Vec<u32>,
        min: Option<f32>,
    },
    Keyword {
        any: Vec<Box<str>>,
        fuzzy: bool,
        negated: bool,
    },
    Regex(Regex),
    Button(Vec<Box<str>>),
    Form(Vec<Box<str>>),
    Channel(Vec<Box<str>>),
    User(CField),
    Conversation(CField),
    Slot(CField),
    Tag(Box<str>),
    Answered(Box<str>),
    Pending(Box<str>),
    FailedTurns(NumberTest),
    OfficeHours {
        days: u8,
        from: u16,
        to: u16,
    },
}

#[derive(Debug)]
struct CField {
    name: Box<str>,
    test: FieldTest,
}

/// A key a rule can be indexed under: the rule can only match when the key is active.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Intent(u32),
    Button(Box<str>),
    Form(Box<str>),
    Keyword(Box<str>),
    Channel(Box<str>),
    Pending(Box<str>),
}

#[derive(Debug, Default)]
struct Index {
    /// Rules with no indexable requirement: always candidates.
    always: Vec<u32>,
    intents: Vec<Vec<u32>>,
    buttons: HashMap<Box<str>, Vec<u32>>,
    forms: HashMap<Box<str>, Vec<u32>>,
    keywords: HashMap<Box<str>, Vec<u32>>,
    channels: HashMap<Box<str>, Vec<u32>>,
    /// Rules requiring a pending question (`answered`, `pending`), by slot.
    pending: HashMap<Box<str>, Vec<u32>>,
}

/// A compiled flow.
#[derive(Debug)]
pub(crate) struct CompiledFlow {
    /// Rules in evaluation order (priority descending, then as written).
    pub(crate) rules: Vec<CRule>,
    pub(crate) policy: HitPolicy,
    pub(crate) default_route: CRoute,
    pub(crate) default_actions: Vec<CAction>,
    index: Index,
    intent_lookup: HashMap<Arc<str>, u32>,
}

/// Everything a condition can look at, for one message.
pub(crate) struct Facts<'a> {
    pub(crate) detection: &'a Detection,
    pub(crate) text: &'a str,
    pub(crate) message: &'a Message,
    pub(crate) context: &'a Context,
    /// Slots filled by this message (answer or form), consulted before the context's.
    pub(crate) new_slots: &'a BTreeMap<String, Value>,
    pub(crate) answered: Option<&'a str>,
    pub(crate) pending: Option<&'a str>,
}

impl Facts<'_> {
    pub(crate) fn slot(&self, name: &str) -> Option<&Value> {
        self.new_slots
            .get(name)
            .or_else(|| self.context.conversation.slots.get(name))
    }
}

/// The outcome of evaluating a flow.
pub(crate) struct Outcome {
    /// Index (evaluation order) of the rule whose route applies.
    pub(crate) route_rule: Option<usize>,
    /// Indices of every matching rule, in evaluation order.
    pub(crate) matched: Vec<usize>,
    pub(crate) trace: Vec<RuleTrace>,
    pub(crate) skipped: usize,
}

fn err(path: &str, kind: ValidationError) -> BuildError {
    BuildError::new(path, kind)
}

fn empty(path: &str, what: &str) -> BuildError {
    err(path, ValidationError::Empty { what: what.into() })
}

fn template(src: &str, path: &str) -> Result<Template, BuildError> {
    Template::compile(src).map_err(|k| err(path, k))
}

fn names(list: &crate::flow::Names, path: &str, what: &str) -> Result<Vec<Box<str>>, BuildError> {
    if list.0.is_empty() {
        return Err(empty(path, what));
    }
    list.0
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if n.trim().is_empty() {
                let p = if list.0.len() == 1 {
                    path.to_string()
                } else {
                    format!("{path}[{i}]")
                };
                Err(empty(&p, what))
            } else {
                Ok(Box::from(n.as_str()))
            }
        })
        .collect()
}

fn parse_hhmm(s: &str, path: &str) -> Result<u16, BuildError> {
    let bad = || {
        err(
            path,
            ValidationError::OutOfRange {
                value: format!("{s:?}"),
                expected: "a time HH:MM from 00:00 to 24:00".into(),
            },
        )
    };
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn check_finite(n: Option<f64>, path: &str) -> Result<(), BuildError> {
    match n {
        Some(v) if !v.is_finite() => Err(err(
            path,
            ValidationError::OutOfRange {
                value: v.to_string(),
                expected: "a finite number".into(),
            },
        )),
        _ => Ok(()),
    }
}

fn describe_field(scope: &str, t: &FieldTest) -> String {
    let mut parts = Vec::new();
    let show = |v: &Value| match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if let Some(e) = t.exists {
        parts.push(if e {
            "exists".to_string()
        } else {
            "is missing".to_string()
        });
    }
    if let Some(v) = &t.eq {
        parts.push(format!("== {}", show(v)));
    }
    if let Some(v) = &t.ne {
        parts.push(format!("!= {}", show(v)));
    }
    if let Some(vs) = &t.one_of {
        let list: Vec<String> = vs.iter().map(show).collect();
        parts.push(format!("in [{}]", list.join(", ")));
    }
    for (op, v) in [(">", t.gt), (">=", t.gte), ("<", t.lt), ("<=", t.lte)] {
        if let Some(v) = v {
            parts.push(format!("{op} {}", crate::flow::value::format_number(v)));
        }
    }
    if let Some(v) = &t.contains {
        parts.push(format!("contains {}", show(v)));
    }
    format!("{scope}.{} {}", t.name, parts.join(" and "))
}

fn compile_field(t: &FieldTest, path: &str) -> Result<CField, BuildError> {
    if t.name.trim().is_empty() {
        return Err(empty(&format!("{path}.name"), "name"));
    }
    let has_op = t.eq.is_some()
        || t.ne.is_some()
        || t.one_of.is_some()
        || t.gt.is_some()
        || t.gte.is_some()
        || t.lt.is_some()
        || t.lte.is_some()
        || t.exists.is_some()
        || t.contains.is_some();
    if !has_op {
        return Err(err(
            path,
            ValidationError::Invalid {
                message:
                    "test has no operator (eq, ne, one_of, gt, gte, lt, lte, exists, contains)"
                        .into(),
            },
        ));
    }
    if matches!(&t.one_of, Some(v) if v.is_empty()) {
        return Err(empty(&format!("{path}.one_of"), "one_of"));
    }
    for (op, v) in [("gt", t.gt), ("gte", t.gte), ("lt", t.lt), ("lte", t.lte)] {
        check_finite(v, &format!("{path}.{op}"))?;
    }
    Ok(CField {
        name: t.name.as_str().into(),
        test: t.clone(),
    })
}

fn check_number_test(t: &NumberTest, path: &str) -> Result<(), BuildError> {
    if t.eq.is_none() && t.gt.is_none() && t.gte.is_none() && t.lt.is_none() && t.lte.is_none() {
        return Err(err(
            path,
            ValidationError::Invalid {
                message: "test has no operator (eq, gt, gte, lt, lte)".into(),
            },
        ));
    }
    for (op, v) in [
        ("eq", t.eq),
        ("gt", t.gt),
        ("gte", t.gte),
        ("lt", t.lt),
        ("lte", t.lte),
    ] {
        check_finite(v, &format!("{path}.{op}"))?;
    }
    Ok(())
}

fn describe_number(scope: &str, t: &NumberTest) -> String {
    let mut parts = Vec::new();
    for (op, v) in [
        ("==", t.eq),
        (">", t.gt),
        (">=", t.gte),
        ("<", t.lt),
        ("<=", t.lte),
    ] {
        if let Some(v) = v {
            parts.push(format!("{op} {}", crate::flow::value::format_number(v)));
        }
    }
    format!("{scope} {}", parts.join(" and "))
}

fn number_passes(t: &NumberTest, n: f64) -> bool {
    t.eq.map_or(true, |v| n == v)
        && t.gt.map_or(true, |v| n > v)
        && t.gte.map_or(true, |v| n >= v)
        && t.lt.map_or(true, |v| n < v)
        && t.lte.map_or(true, |v| n <= v)
}

fn field_passes(t: &FieldTest, v: Option<&Value>) -> bool {
    if let Some(e) = t.exists {
        if e != v.is_some() {
            return false;
        }
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

/// `configured` is lower-cased at build time; `hit` is as the model reports it.
fn same_keyword(configured: &str, hit: &str) -> bool {
    if hit.is_ascii() {
        configured.eq_ignore_ascii_case(hit)
    } else {
        *configured == *hit.to_lowercase()
    }
}

fn day_bit(d: Weekday) -> u8 {
    1 << (d as u8)
}

impl CompiledFlow {
    /// Validates and compiles `flow`. Paths in errors are relative to the flow
    /// (`rules[3].when.intent`); the router prefixes `flow.`.
    pub(crate) fn compile(flow: &Flow, env: &CompileEnv<'_>) -> Result<Self, BuildError> {
        let intent_lookup: HashMap<Arc<str>, u32> = env
            .intents
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i as u32))
            .collect();
        let cx = Cx {
            env,
            intent_lookup: &intent_lookup,
        };
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut compiled = Vec::with_capacity(flow.rules.len());
        for (i, rule) in flow.rules.iter().enumerate() {
            let path = format!("rules[{i}]");
            if rule.id.trim().is_empty() {
                return Err(empty(&format!("{path}.id"), "id"));
            }
            if seen.insert(rule.id.as_str(), i).is_some() {
                return Err(err(
                    &format!("{path}.id"),
                    ValidationError::Duplicate {
                        id: rule.id.clone(),
                    },
                ));
            }
            let cond = match &rule.when {
                Some(c) => Some(cx.condition(c, &format!("{path}.when"))?),
                None => None,
            };
            let route = match &rule.route {
                Some(r) => Some(cx.route(r, &format!("{path}.route"))?),
                None => None,
            };
            let actions = cx.actions(&rule.actions, &format!("{path}.actions"))?;
            compiled.push((
                i,
                CRule {
                    id: Arc::from(rule.id.as_str()),
                    priority: rule.priority,
                    cond,
                    route,
                    actions,
                },
            ));
        }
        // Evaluation order: priority descending, ties as written (stable sort).
        compiled.sort_by_key(|r| std::cmp::Reverse(r.1.priority));
        if flow.hit_policy == HitPolicy::First {
            let mut shadow: Option<&CRule> = None;
            for (i, rule) in &compiled {
                if let Some(by) = shadow {
                    return Err(err(
                        &format!("rules[{i}]"),
                        ValidationError::Unreachable {
                            shadowed_by: by.id.to_string(),
                        },
                    ));
                }
                if rule.cond.as_ref().map_or(true, Node::is_unconditional) {
                    shadow = Some(rule);
                }
            }
        }
        let rules: Vec<CRule> = compiled.into_iter().map(|(_, r)| r).collect();
        let default_route = cx.route(&flow.default, "default")?;
        let default_actions = cx.actions(&flow.default_actions, "default_actions")?;
        let index = Index::build(&rules, env.intents.len());
        Ok(CompiledFlow {
            rules,
            policy: flow.hit_policy,
            default_route,
            default_actions,
            index,
            intent_lookup,
        })
    }

    /// The intent index of the top candidate and its confidence.
    fn top(&self, d: &Detection) -> Option<(u32, f32)> {
        let name = d
            .intent
            .as_ref()
            .or_else(|| d.alternatives.first().map(|s| &s.intent))?;
        let idx = *self.intent_lookup.get(&**name)?;
        Some((idx, d.confidence))
    }

    /// Evaluates the flow. Never panics; does no parsing.
    pub(crate) fn evaluate(&self, facts: &Facts<'_>) -> Outcome {
        let top = self.top(facts.detection);
        let candidates = self.candidates(facts, top);
        self.run(facts, top, &candidates)
    }

    /// Evaluates every rule, ignoring the index: the oracle for the index tests.
    #[cfg(test)]
    pub(crate) fn evaluate_naive(&self, facts: &Facts<'_>) -> Outcome {
        let top = self.top(facts.detection);
        let all: Vec<u32> = (0..self.rules.len() as u32).collect();
        self.run(facts, top, &all)
    }

    fn run(&self, facts: &Facts<'_>, top: Option<(u32, f32)>, candidates: &[u32]) -> Outcome {
        let mut outcome = Outcome {
            route_rule: None,
            matched: Vec::new(),
            trace: Vec::with_capacity(candidates.len()),
            skipped: self.rules.len() - candidates.len(),
        };
        let eval = Eval { facts, top };
        for &ri in candidates {
            let ri = ri as usize;
            let rule = &self.rules[ri];
            let mut conditions = Vec::new();
            let matched = match &rule.cond {
                Some(node) => eval.node(node, 0, &mut conditions),
                None => true,
            };
            outcome.trace.push(RuleTrace {
                rule: rule.id.clone(),
                priority: rule.priority,
                matched,
                conditions,
            });
            if !matched {
                continue;
            }
            outcome.matched.push(ri);
            match self.policy {
                HitPolicy::First => {
                    outcome.route_rule = Some(ri);
                    break;
                }
                HitPolicy::Collect => {
                    if outcome.route_rule.is_none() && rule.route.is_some() {
                        outcome.route_rule = Some(ri);
                    }
                }
            }
        }
        if let Some(ri) = outcome.route_rule {
            if self.rules[ri].route.is_none() {
                outcome.route_rule = None;
            }
        }
        outcome
    }

    /// Rules that can possibly match, in evaluation order.
    fn candidates(&self, facts: &Facts<'_>, top: Option<(u32, f32)>) -> Vec<u32> {
        let ix = &self.index;
        let mut out = ix.always.clone();
        if let Some((i, _)) = top {
            if let Some(list) = ix.intents.get(i as usize) {
                out.extend_from_slice(list);
            }
        }
        if let Some(ev) = &facts.message.event {
            if let Some(b) = &ev.button {
                if let Some(list) = ix.buttons.get(b.as_str()) {
                    out.extend_from_slice(list);
                }
            }
            if let Some(f) = &ev.form {
                if let Some(list) = ix.forms.get(f.id.as_str()) {
                    out.extend_from_slice(list);
                }
            }
        }
        if let Some(c) = &facts.message.channel {
            if let Some(list) = ix.channels.get(c.as_str()) {
                out.extend_from_slice(list);
            }
        }
        if let Some(slot) = facts.pending {
            if let Some(list) = ix.pending.get(slot) {
                out.extend_from_slice(list);
            }
        }
        if !ix.keywords.is_empty() {
            for hit in &facts.detection.keywords {
                let list = if hit.keyword.chars().any(char::is_uppercase) {
                    ix.keywords.get(hit.keyword.to_lowercase().as_str())
                } else {
                    ix.keywords.get(&*hit.keyword)
                };
                if let Some(list) = list {
                    out.extend_from_slice(list);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

struct Cx<'a> {
    env: &'a CompileEnv<'a>,
    intent_lookup: &'a HashMap<Arc<str>, u32>,
}

impl Cx<'_> {
    fn team(&self, team: &str, path: &str) -> Result<usize, BuildError> {
        self.env.teams.get(team).copied().ok_or_else(|| {
            err(
                path,
                ValidationError::Unknown {
                    what: "team".into(),
                    name: team.to_string(),
                },
            )
        })
    }

    fn route(&self, route: &Route, path: &str) -> Result<CRoute, BuildError> {
        Ok(match route {
            Route::Handoff { team, priority } => CRoute::Handoff {
                team: self.team(team, &format!("{path}.team"))?,
                priority: *priority,
            },
            Route::Ask {
                question,
                slot,
                options,
            } => {
                if slot.trim().is_empty() {
                    return Err(empty(&format!("{path}.slot"), "slot"));
                }
                if question.trim().is_empty() {
                    return Err(empty(&format!("{path}.question"), "question"));
                }
                for (i, o) in options.iter().enumerate() {
                    if o.trim().is_empty() {
                        return Err(empty(&format!("{path}.options[{i}]"), "option"));
                    }
                }
                CRoute::Ask {
                    question: template(question, &format!("{path}.question"))?,
                    slot: Arc::from(slot.as_str()),
                    options: options.clone().into(),
                }
            }
            Route::Continue { step } => CRoute::Continue {
                step: step.as_deref().map(Arc::from),
            },
        })
    }

    fn actions(&self, actions: &[Action], path: &str) -> Result<Vec<CAction>, BuildError> {
        actions
            .iter()
            .enumerate()
            .map(|(i, a)| self.action(a, &format!("{path}[{i}]")))
            .collect()
    }

    fn action(&self, action: &Action, path: &str) -> Result<CAction, BuildError> {
        let text = |s: &str, field: &str| {
            if s.trim().is_empty() {
                Err(empty(&format!("{path}.{field}"), field))
            } else {
                template(s, &format!("{path}.{field}"))
            }
        };
        Ok(match action {
            Action::Tag { tag } => CAction::Tag(text(tag, "tag")?),
            Action::Reply { text: t } => CAction::Reply(text(t, "text")?),
            Action::Notify { channel, text: t } => CAction::Notify {
                channel: text(channel, "channel")?,
                text: text(t, "text")?,
            },
            Action::Crm { object, fields } => {
                if object.trim().is_empty() {
                    return Err(empty(&format!("{path}.object"), "object"));
                }
                let fields = fields
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            Arc::<str>::from(k.as_str()),
                            template(v, &format!("{path}.fields.{k}"))?,
                        ))
                    })
                    .collect::<Result<_, BuildError>>()?;
                CAction::Crm {
                    object: Arc::from(object.as_str()),
                    fields,
                }
            }
            Action::Assign { team, priority, .. } => CAction::Assign {
                team: self.team(team, &format!("{path}.team"))?,
                priority: *priority,
            },
            Action::Ask { .. } => {
                return Err(err(
                    path,
                    ValidationError::Invalid {
                        message: "an ask is a route ({\"kind\": \"ask\", ...}), not an action"
                            .into(),
                    },
                ))
            }
        })
    }

    fn condition(&self, c: &Condition, path: &str) -> Result<Node, BuildError> {
        let leaf = |desc: String, leaf: Leaf| Ok(Node::Leaf(Arc::from(desc), Box::new(leaf)));
        match c {
            Condition::Always => Ok(Node::Always),
            Condition::All(list) | Condition::Any(list) => {
                let is_all = matches!(c, Condition::All(_));
                let word = if is_all { "all" } else { "any" };
                let p = format!("{path}.{word}");
                if list.is_empty() {
                    return Err(empty(&p, word));
                }
                let nodes = list
                    .iter()
                    .enumerate()
                    .map(|(i, c)| self.condition(c, &format!("{p}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if is_all {
                    Node::All(Arc::from("all of"), nodes)
                } else {
                    Node::Any(Arc::from("any of"), nodes)
                })
            }
            Condition::Not(inner) => Ok(Node::Not(
                Arc::from("not"),
                Box::new(self.condition(inner, &format!("{path}.not"))?),
            )),
            Condition::Intent(t) => {
                let p = format!("{path}.intent");
                let list = names(&t.id, &p, "intent")?;
                let mut ids = Vec::with_capacity(list.len());
                for name in &list {
                    let idx = self.intent_lookup.get(&**name).ok_or_else(|| {
                        err(
                            &p,
                            ValidationError::Unknown {
                                what: "intent".into(),
                                name: name.to_string(),
                            },
                        )
                    })?;
                    ids.push(*idx);
                }
                if let Some(m) = t.min_confidence {
                    if !(0.0..=1.0).contains(&m) {
                        return Err(err(
                            &format!("{p}.min_confidence"),
                            ValidationError::OutOfRange {
                                value: m.to_string(),
                                expected: "0 to 1".into(),
                            },
                        ));
                    }
                }
                let mut desc = if list.len() == 1 {
                    format!("intent is {}", list[0])
                } else {
                    format!("intent is one of [{}]", list.join(", "))
                };
                if let Some(m) = t.min_confidence {
                    desc.push_str(&format!(" (confidence >= {m:.2})"));
                }
                leaf(
                    desc,
                    Leaf::Intent {
                        ids,
                        min: t.min_confidence,
                    },
                )
            }
            Condition::Keyword(t) => {
                let p = format!("{path}.keyword");
                let list = names(&t.any, &format!("{p}.any"), "keyword")?;
                let mut any = Vec::with_capacity(list.len());
                for (i, k) in list.iter().enumerate() {
                    let lower = k.trim().to_lowercase();
                    if let Some(known) = self.env.keywords {
                        if !known.contains(&lower) {
                            let kp = if list.len() == 1 {
                                format!("{p}.any")
                            } else {
                                format!("{p}.any[{i}]")
                            };
                            return Err(err(
                                &kp,
                                ValidationError::Unknown {
                                    what: "keyword (not configured on any intent)".into(),
                                    name: k.to_string(),
                                },
                            ));
                        }
                    }
                    any.push(Box::from(lower));
                }
                let mut desc = format!("keyword hit: {}", list.join(", "));
                if !t.fuzzy {
                    desc.push_str(" (exact only)");
                }
                if t.include_negated {
                    desc.push_str(" (negated hits count)");
                }
                leaf(
                    desc,
                    Leaf::Keyword {
                        any,
                        fuzzy: t.fuzzy,
                        negated: t.include_negated,
                    },
                )
            }
            Condition::Regex(pattern) => {
                let p = format!("{path}.regex");
                if pattern.is_empty() {
                    return Err(empty(&p, "regex"));
                }
                let re = RegexBuilder::new(pattern)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        err(
                            &p,
                            ValidationError::InvalidPattern {
                                message: e.to_string(),
                            },
                        )
                    })?;
                leaf(format!("message matches /{pattern}/"), Leaf::Regex(re))
            }
            Condition::Button(n) => {
                let list = names(n, &format!("{path}.button"), "button")?;
                leaf(
                    format!("button is {}", list.join(" or ")),
                    Leaf::Button(list),
                )
            }
            Condition::Form(n) => {
                let list = names(n, &format!("{path}.form"), "form")?;
                leaf(format!("form is {}", list.join(" or ")), Leaf::Form(list))
            }
            Condition::Channel(n) => {
                let list = names(n, &format!("{path}.channel"), "channel")?;
                leaf(
                    format!("channel is {}", list.join(" or ")),
                    Leaf::Channel(list),
                )
            }
            Condition::User(t) => {
                let f = compile_field(t, &format!("{path}.user"))?;
                leaf(describe_field("user", t), Leaf::User(f))
            }
            Condition::Conversation(t) => {
                let f = compile_field(t, &format!("{path}.conversation"))?;
                leaf(describe_field("conversation", t), Leaf::Conversation(f))
            }
            Condition::Slot(t) => {
                let f = compile_field(t, &format!("{path}.slot"))?;
                leaf(describe_field("slot", t), Leaf::Slot(f))
            }
            Condition::Tag(t) => {
                if t.trim().is_empty() {
                    return Err(empty(&format!("{path}.tag"), "tag"));
                }
                leaf(format!("tagged {t:?}"), Leaf::Tag(t.as_str().into()))
            }
            Condition::Answered(s) => {
                if s.trim().is_empty() {
                    return Err(empty(&format!("{path}.answered"), "slot"));
                }
                leaf(
                    format!("this message answered {s}"),
                    Leaf::Answered(s.as_str().into()),
                )
            }
            Condition::Pending(s) => {
                if s.trim().is_empty() {
                    return Err(empty(&format!("{path}.pending"), "slot"));
                }
                leaf(
                    format!("a question for {s} was pending"),
                    Leaf::Pending(s.as_str().into()),
                )
            }
            Condition::FailedTurns(t) => {
                check_number_test(t, &format!("{path}.failed_turns"))?;
                leaf(
                    describe_number("failed turns", t),
                    Leaf::FailedTurns(t.clone()),
                )
            }
            Condition::OfficeHours(OfficeHours { days, from, to }) => {
                let p = format!("{path}.office_hours");
                if days.is_empty() {
                    return Err(empty(&format!("{p}.days"), "days"));
                }
                let from_m = parse_hhmm(from, &format!("{p}.from"))?;
                let to_m = parse_hhmm(to, &format!("{p}.to"))?;
                let mask = days.iter().fold(0u8, |m, d| m | day_bit(*d));
                let day_names: Vec<String> = days
                    .iter()
                    .map(|d| format!("{d:?}").to_lowercase())
                    .collect();
                leaf(
                    format!("office hours {} {from}-{to}", day_names.join(",")),
                    Leaf::OfficeHours {
                        days: mask,
                        from: from_m,
                        to: to_m,
                    },
                )
            }
        }
    }
}

impl Node {
    fn is_unconditional(&self) -> bool {
        match self {
            Node::Always => true,
            Node::All(_, list) => list.iter().all(Node::is_unconditional),
            Node::Any(_, list) => list.iter().any(Node::is_unconditional),
            _ => false,
        }
    }

    /// Alternative key sets. For each set returned, the node can only be true when at
    /// least one key of that set is active, so any one set may serve as the index entry.
    /// Empty: nothing indexable is required.
    fn requirements(&self) -> Vec<Vec<Key>> {
        match self {
            Node::Leaf(_, leaf) => {
                let keys: Vec<Key> = match &**leaf {
                    Leaf::Intent { ids, .. } => ids.iter().map(|i| Key::Intent(*i)).collect(),
                    Leaf::Keyword { any, .. } => any.iter().cloned().map(Key::Keyword).collect(),
                    Leaf::Button(b) => b.iter().cloned().map(Key::Button).collect(),
                    Leaf::Form(f) => f.iter().cloned().map(Key::Form).collect(),
                    Leaf::Channel(c) => c.iter().cloned().map(Key::Channel).collect(),
                    // An answer implies the question was pending.
                    Leaf::Answered(s) | Leaf::Pending(s) => vec![Key::Pending(s.clone())],
                    _ => return Vec::new(),
                };
                vec![keys]
            }
            // Any child's requirement is necessary for the conjunction.
            Node::All(_, list) => list.iter().flat_map(Node::requirements).collect(),
            // A disjunction needs one of its children: the union of one set per child.
            Node::Any(_, list) => {
                let mut union = Vec::new();
                for child in list {
                    let mut opts = child.requirements();
                    opts.sort_by_key(Vec::len);
                    match opts.into_iter().next() {
                        Some(set) => union.extend(set),
                        None => return Vec::new(),
                    }
                }
                union.sort();
                union.dedup();
                vec![union]
            }
            Node::Always | Node::Not(..) => Vec::new(),
        }
    }
}

impl Index {
    fn build(rules: &[CRule], n_intents: usize) -> Index {
        let reqs: Vec<Vec<Vec<Key>>> = rules
            .iter()
            .map(|r| r.cond.as_ref().map_or_else(Vec::new, Node::requirements))
            .collect();
        // Pick, per rule, the alternative whose keys are rarest across all rules, so
        // candidate lists stay short.
        let mut freq: HashMap<&Key, usize> = HashMap::new();
        for opts in &reqs {
            for set in opts {
                for k in set {
                    *freq.entry(k).or_default() += 1;
                }
            }
        }
        let mut ix = Index {
            intents: vec![Vec::new(); n_intents],
            ..Index::default()
        };
        for (ri, opts) in reqs.iter().enumerate() {
            let ri = ri as u32;
            let best = opts.iter().min_by_key(|set| {
                set.iter()
                    .map(|k| freq.get(k).copied().unwrap_or(0))
                    .sum::<usize>()
            });
            let Some(set) = best else {
                ix.always.push(ri);
                continue;
            };
            for k in set {
                let list = match k {
                    Key::Intent(i) => &mut ix.intents[*i as usize],
                    Key::Button(b) => ix.buttons.entry(b.clone()).or_default(),
                    Key::Form(f) => ix.forms.entry(f.clone()).or_default(),
                    Key::Keyword(w) => ix.keywords.entry(w.clone()).or_default(),
                    Key::Channel(c) => ix.channels.entry(c.clone()).or_default(),
                    Key::Pending(s) => ix.pending.entry(s.clone()).or_default(),
                };
                if list.last() != Some(&ri) {
                    list.push(ri);
                }
            }
        }
        ix
    }
}

struct Eval<'a, 'f> {
    facts: &'a Facts<'f>,
    top: Option<(u32, f32)>,
}

impl Eval<'_, '_> {
    fn node(&self, node: &Node, depth: u8, out: &mut Vec<ConditionTrace>) -> bool {
        match node {
            Node::Always => {
                out.push(ConditionTrace {
                    depth,
                    condition: Arc::from("always"),
                    outcome: true,
                    saw: Saw::Nothing,
                });
                true
            }
            Node::All(desc, list) | Node::Any(desc, list) => {
                let is_all = matches!(node, Node::All(..));
                let at = out.len();
                out.push(ConditionTrace {
                    depth,
                    condition: desc.clone(),
                    outcome: false,
                    saw: Saw::Nothing,
                });
                let child_depth = depth.saturating_add(1);
                let result = if is_all {
                    list.iter().all(|n| self.node(n, child_depth, out))
                } else {
                    list.iter().any(|n| self.node(n, child_depth, out))
                };
                out[at].outcome = result;
                result
            }
            Node::Not(desc, inner) => {
                let at = out.len();
                out.push(ConditionTrace {
                    depth,
                    condition: desc.clone(),
                    outcome: false,
                    saw: Saw::Nothing,
                });
                let result = !self.node(inner, depth.saturating_add(1), out);
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
        let value = |v: Option<&Value>| v.map_or(Saw::Nothing, |v| Saw::Value(v.clone()));
        let text = |s: Option<&str>| s.map_or(Saw::Nothing, |s| Saw::Text(s.to_string()));
        match leaf {
            Leaf::Intent { ids, min } => {
                let d = f.detection;
                let saw = Saw::Intent {
                    intent: d
                        .intent
                        .clone()
                        .or_else(|| d.alternatives.first().map(|s| s.intent.clone())),
                    confidence: d.confidence,
                };
                let ok = match self.top {
                    Some((idx, conf)) if ids.contains(&idx) => match min {
                        Some(m) => conf >= *m,
                        None => d.intent.is_some(),
                    },
                    _ => false,
                };
                (ok, saw)
            }
            Leaf::Keyword {
                any,
                fuzzy,
                negated,
            } => {
                let hits = &f.detection.keywords;
                let ok = hits.iter().any(|hit| {
                    let kind_ok = *fuzzy || matches!(hit.kind, MatchKind::Exact);
                    kind_ok
                        && (*negated || !hit.negated)
                        && any.iter().any(|k| same_keyword(k, &hit.keyword))
                });
                (ok, Saw::Keywords(hits.clone()))
            }
            Leaf::Regex(re) => match re.find(f.text) {
                Some(m) => (true, Saw::Text(m.as_str().to_string())),
                None => (false, Saw::Nothing),
            },
            Leaf::Button(list) => {
                let b = f.message.event.as_ref().and_then(|e| e.button.as_deref());
                (b.is_some_and(|b| list.iter().any(|x| **x == *b)), text(b))
            }
            Leaf::Form(list) => {
                let form = f
                    .message
                    .event
                    .as_ref()
                    .and_then(|e| e.form.as_ref())
                    .map(|fm| fm.id.as_str());
                (
                    form.is_some_and(|b| list.iter().any(|x| **x == *b)),
                    text(form),
                )
            }
            Leaf::Channel(list) => {
                let c = f.message.channel.as_deref();
                (c.is_some_and(|c| list.iter().any(|x| **x == *c)), text(c))
            }
            Leaf::User(t) => {
                let v = f.context.user.get(&*t.name);
                (field_passes(&t.test, v), value(v))
            }
            Leaf::Conversation(t) => {
                let v = f.context.conversation.attributes.get(&*t.name);
                (field_passes(&t.test, v), value(v))
            }
            Leaf::Slot(t) => {
                let v = f.slot(&t.name);
                (field_passes(&t.test, v), value(v))
            }
            Leaf::Tag(tag) => {
                let tags = &f.context.conversation.tags;
                let ok = tags
                    .iter()
                    .any(|t| Value::from(t.as_str()).loosely_equals(&Value::from(&**tag)));
                (
                    ok,
                    Saw::Value(Value::List(
                        tags.iter().map(|t| Value::from(t.as_str())).collect(),
                    )),
                )
            }
            Leaf::Answered(slot) => (f.answered == Some(&**slot), text(f.answered)),
            Leaf::Pending(slot) => (f.pending == Some(&**slot), text(f.pending)),
            Leaf::FailedTurns(t) => {
                let n = f.context.conversation.failed_turns;
                (
                    number_passes(t, f64::from(n)),
                    Saw::Value(Value::from(f64::from(n))),
                )
            }
            Leaf::OfficeHours { days, from, to } => match f.context.local_time {
                None => (false, Saw::Nothing),
                Some(lt) => {
                    let m = lt.minutes;
                    let day_ok = days & day_bit(lt.weekday) != 0;
                    let ok = if from <= to {
                        day_ok && m >= *from && m < *to
                    } else {
                        // Wraps past midnight: the late part belongs to the opening day,
                        // the early part to the day before.
                        let prev = lt.weekday.previous();
                        (day_ok && m >= *from) || (days & day_bit(prev) != 0 && m < *to)
                    };
                    (ok, Saw::Time(lt))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{Condition, FieldTest, KeywordTest, Names, Rule};
    use crate::intent::IntentScore;
    use crate::keywords::KeywordHit;
    use crate::router::{Event, Form, LocalTime};
    use proptest::prelude::*;

    const INTENTS: [&str; 3] = ["pricing", "support", "general"];
    const KEYWORDS: [&str; 3] = ["demo", "quote", "sales call"];

    fn compile(flow: &Flow) -> Result<CompiledFlow, BuildError> {
        let intents: Vec<Arc<str>> = INTENTS.iter().map(|s| Arc::from(*s)).collect();
        let keywords: BTreeSet<String> = KEYWORDS.iter().map(|s| s.to_string()).collect();
        let mut teams = BTreeMap::new();
        teams.insert("sales".to_string(), 0);
        teams.insert("support".to_string(), 1);
        CompiledFlow::compile(
            flow,
            &CompileEnv {
                intents: &intents,
                keywords: Some(&keywords),
                teams: &teams,
            },
        )
    }

    fn detection(top: Option<(&str, f32)>, hits: &[(&str, bool, bool)]) -> Detection {
        let (intent, confidence, alternatives) = match top {
            Some((id, c)) => (
                (c >= 0.5).then(|| Arc::from(id)),
                c,
                vec![IntentScore {
                    intent: Arc::from(id),
                    confidence: c,
                }],
            ),
            None => (None, 0.0, Vec::new()),
        };
        Detection {
            intent,
            confidence,
            alternatives,
            keywords: hits
                .iter()
                .map(|(k, fuzzy, negated)| KeywordHit {
                    keyword: Arc::from(*k),
                    intent: Arc::from("pricing"),
                    kind: if *fuzzy {
                        MatchKind::Fuzzy { distance: 1 }
                    } else {
                        MatchKind::Exact
                    },
                    negated: *negated,
                    span: 0..0,
                })
                .collect(),
            evidence: Vec::new(),
            truncated: false,
        }
    }

    #[derive(Debug)]
    struct Case {
        detection: Detection,
        message: Message,
        context: Context,
        slots: BTreeMap<String, Value>,
        /// A pending question's slot and whether this message answered it.
        pending_slot: Option<(String, bool)>,
    }

    impl Case {
        fn new(detection: Detection) -> Self {
            Case {
                detection,
                message: Message::default(),
                context: Context::default(),
                slots: BTreeMap::new(),
                pending_slot: None,
            }
        }

        fn facts(&self) -> Facts<'_> {
            Facts {
                detection: &self.detection,
                text: self.message.text.as_deref().unwrap_or(""),
                message: &self.message,
                context: &self.context,
                new_slots: &self.slots,
                answered: self
                    .pending_slot
                    .as_ref()
                    .filter(|p| p.1)
                    .map(|p| p.0.as_str()),
                pending: self.pending_slot.as_ref().map(|p| p.0.as_str()),
            }
        }
    }

    fn holds(cond: Condition, case: &Case) -> bool {
        let flow = Flow::new().rule(Rule::new("r").when(cond));
        let c = compile(&flow).expect("compiles");
        !c.evaluate(&case.facts()).matched.is_empty()
    }

    macro_rules! conditions {
        ($case:expr; $($cond:expr => $want:expr),* $(,)?) => {{
            let case = $case;
            $(
                assert_eq!(holds($cond, &case), $want, "{:?}", $cond);
            )*
        }};
    }

    #[test]
    fn condition_table() {
        let mut case = Case::new(detection(
            Some(("pricing", 0.8)),
            &[("demo", false, true), ("quote", true, false)],
        ));
        case.message = Message {
            text: Some("Can I get a QUOTE for 50 seats?".into()),
            event: Some(Event {
                button: Some("book_demo".into()),
                form: None,
            }),
            channel: Some("pricing_page".into()),
        };
        case.context.user.insert("plan".into(), Value::from("Pro"));
        case.context.user.insert("seats".into(), Value::from("42"));
        case.context
            .user
            .insert("regions".into(), Value::from(vec!["EU", "US"]));
        case.context.conversation.tags.push("VIP".into());
        case.context.conversation.failed_turns = 3;
        case.context.local_time = Some(LocalTime {
            weekday: Weekday::Fri,
            minutes: 17 * 60 + 30,
        });
        case.slots.insert("company_size".into(), Value::from(120));
        let field = |name: &str| FieldTest::new(name);
        conditions! { case;
            Condition::intent("pricing") => true,
            Condition::intent("support") => false,
            Condition::intent_at_least("pricing", 0.9) => false,
            Condition::intent_at_least("pricing", 0.8) => true,
            Condition::keyword("quote") => true,
            Condition::Keyword(KeywordTest { any: "quote".into(), fuzzy: false, include_negated: false }) => false,
            Condition::keyword("demo") => false,
            Condition::Keyword(KeywordTest { any: "demo".into(), fuzzy: true, include_negated: true }) => true,
            Condition::keyword("sales call") => false,
            Condition::regex(r"\bquote\b") => true,
            Condition::regex(r"(?-i)\bquote\b") => false,
            Condition::regex(r"\d+ seats") => true,
            Condition::button("book_demo") => true,
            Condition::button(vec!["talk_to_sales", "book_demo"]) => true,
            Condition::button("talk_to_sales") => false,
            Condition::Form("contact".into()) => false,
            Condition::channel("pricing_page") => true,
            Condition::channel("docs") => false,
            Condition::User(field("plan").eq("pro")) => true,
            Condition::User(field("plan").one_of([Value::from("free"), Value::from("PRO")])) => true,
            Condition::User(field("plan").eq("free")) => false,
            Condition::User(FieldTest { ne: Some(Value::from("free")), ..field("plan") }) => true,
            Condition::User(FieldTest { ne: Some(Value::from("free")), ..field("missing") }) => true,
            Condition::User(field("seats").gte(42.0)) => true,
            Condition::User(field("seats").gte(42.5)) => false,
            Condition::User(field("seats").gte(10.0).lt(50.0)) => true,
            Condition::User(field("plan").gte(1.0)) => false,
            Condition::User(field("missing").exists(false)) => true,
            Condition::User(field("plan").exists(false)) => false,
            Condition::User(FieldTest { contains: Some(Value::from("eu")), ..field("regions") }) => true,
            Condition::User(FieldTest { contains: Some(Value::from("APAC")), ..field("regions") }) => false,
            Condition::User(FieldTest { contains: Some(Value::from("r")), ..field("plan") }) => true,
            Condition::Conversation(field("plan").exists(true)) => false,
            Condition::tag("vip") => true,
            Condition::tag("Sales Lead") => false,
            Condition::slot_exists("company_size") => true,
            Condition::Slot(field("company_size").gte(100.0)) => true,
            Condition::Slot(field("budget").exists(true)) => false,
            Condition::Answered("company_size".into()) => false,
            Condition::Pending("company_size".into()) => false,
            Condition::FailedTurns(NumberTest { gte: Some(3.0), ..NumberTest::default() }) => true,
            Condition::FailedTurns(NumberTest { gt: Some(3.0), ..NumberTest::default() }) => false,
            Condition::OfficeHours(OfficeHours { days: vec![Weekday::Fri], from: "09:00".into(), to: "18:00".into() }) => true,
            Condition::OfficeHours(OfficeHours { days: vec![Weekday::Fri], from: "09:00".into(), to: "17:30".into() }) => false,
            Condition::OfficeHours(OfficeHours { days: vec![Weekday::Mon], from: "09:00".into(), to: "18:00".into() }) => false,
            Condition::OfficeHours(OfficeHours { days: vec![Weekday::Fri], from: "17:00".into(), to: "02:00".into() }) => true,
            Condition::all([Condition::intent("pricing"), Condition::channel("pricing_page")]) => true,
            Condition::all([Condition::intent("pricing"), Condition::channel("docs")]) => false,
            Condition::any([Condition::intent("support"), Condition::channel("docs")]) => false,
            Condition::any([Condition::intent("support"), Condition::tag("VIP")]) => true,
            Condition::not(Condition::intent("support")) => true,
            Condition::Always => true,
        }
    }

    #[test]
    fn overnight_office_hours_belong_to_the_opening_day() {
        let hours = || {
            Condition::OfficeHours(OfficeHours {
                days: vec![Weekday::Fri],
                from: "22:00".into(),
                to: "02:00".into(),
            })
        };
        let at = |weekday, minutes| {
            let mut case = Case::new(detection(None, &[]));
            case.context.local_time = Some(LocalTime { weekday, minutes });
            case
        };
        assert!(holds(hours(), &at(Weekday::Fri, 23 * 60)));
        assert!(holds(hours(), &at(Weekday::Sat, 60)));
        assert!(!holds(hours(), &at(Weekday::Fri, 60)));
        assert!(!holds(hours(), &at(Weekday::Sat, 23 * 60)));
        assert!(!holds(hours(), &Case::new(detection(None, &[]))));
    }

    #[test]
    fn first_and_collect_policies() {
        let rules = || {
            vec![
                Rule::new("tag_vip")
                    .priority(50)
                    .when(Condition::tag("VIP"))
                    .action(Action::tag("Priority")),
                Rule::new("pricing")
                    .priority(10)
                    .when(Condition::intent("pricing"))
                    .route(Route::handoff("sales"))
                    .action(Action::tag("Sales Lead")),
                Rule::new("low")
                    .priority(1)
                    .when(Condition::intent("pricing"))
                    .route(Route::handoff("support")),
            ]
        };
        let mut case = Case::new(detection(Some(("pricing", 0.9)), &[]));
        case.context.conversation.tags.push("VIP".into());
        let first = compile(&Flow {
            rules: rules(),
            ..Flow::default()
        })
        .unwrap();
        let o = first.evaluate(&case.facts());
        assert_eq!(o.matched, [0]);
        // The first matching rule has no route: the default route applies.
        assert_eq!(o.route_rule, None);
        let collect = compile(&Flow {
            rules: rules(),
            hit_policy: HitPolicy::Collect,
            ..Flow::default()
        })
        .unwrap();
        let o = collect.evaluate(&case.facts());
        assert_eq!(o.matched, [0, 1, 2]);
        assert_eq!(o.route_rule, Some(1));
        assert_eq!(&*collect.rules[1].id, "pricing");
    }

    #[test]
    fn priority_orders_evaluation_and_ties_keep_order() {
        let flow = Flow::new()
            .rule(
                Rule::new("a")
                    .when(Condition::intent("pricing"))
                    .route(Route::handoff("support")),
            )
            .rule(
                Rule::new("b")
                    .priority(5)
                    .when(Condition::intent("pricing"))
                    .route(Route::handoff("sales")),
            )
            .rule(
                Rule::new("c")
                    .priority(5)
                    .when(Condition::intent("pricing")),
            );
        let c = compile(&flow).unwrap();
        let ids: Vec<&str> = c.rules.iter().map(|r| &*r.id).collect();
        assert_eq!(ids, ["b", "c", "a"]);
        let case = Case::new(detection(Some(("pricing", 0.9)), &[]));
        assert_eq!(c.evaluate(&case.facts()).route_rule, Some(0));
    }

    #[test]
    fn trace_records_short_circuited_tree() {
        let flow = Flow::new().rule(Rule::new("r").when(Condition::all([
            Condition::intent("pricing"),
            Condition::any([Condition::channel("docs"), Condition::tag("VIP")]),
            Condition::button("never_evaluated"),
        ])));
        let c = compile(&flow).unwrap();
        let case = Case::new(detection(Some(("pricing", 0.9)), &[]));
        let o = c.evaluate(&case.facts());
        let t = &o.trace[0];
        assert!(!t.matched);
        let lines: Vec<(u8, &str, bool)> = t
            .conditions
            .iter()
            .map(|c| (c.depth, &*c.condition, c.outcome))
            .collect();
        assert_eq!(
            lines,
            [
                (0, "all of", false),
                (1, "intent is pricing", true),
                (1, "any of", false),
                (2, "channel is docs", false),
                (2, "tagged \"VIP\"", false),
            ]
        );
        assert_eq!(
            t.conditions[1].saw,
            Saw::Intent {
                intent: Some(Arc::from("pricing")),
                confidence: 0.9
            }
        );
    }

    #[test]
    fn index_skips_rules_that_cannot_match() {
        let mut flow = Flow::new();
        for i in 0..100 {
            flow = flow.rule(
                Rule::new(format!("b{i}"))
                    .when(Condition::all([
                        Condition::intent("pricing"),
                        Condition::button(format!("btn{i}").as_str()),
                    ]))
                    .route(Route::handoff("sales")),
            );
        }
        let c = compile(&flow).unwrap();
        let mut case = Case::new(detection(Some(("pricing", 0.9)), &[]));
        case.message = Message::button("btn42");
        let o = c.evaluate(&case.facts());
        assert_eq!(o.trace.len(), 1);
        assert_eq!(o.skipped, 99);
        assert_eq!(o.route_rule.map(|i| &*c.rules[i].id), Some("b42"));
    }

    // Random flows over a small vocabulary: the index never changes the outcome.

    fn leaf() -> impl Strategy<Value = Condition> {
        prop_oneof![
            (0..3usize, prop::option::of(0.0f32..1.0)).prop_map(|(i, m)| Condition::Intent(
                crate::flow::IntentTest {
                    id: Names::from(INTENTS[i]),
                    min_confidence: m
                }
            )),
            (0..3usize, any::<bool>(), any::<bool>()).prop_map(|(i, f, n)| Condition::Keyword(
                KeywordTest {
                    any: Names::from(KEYWORDS[i]),
                    fuzzy: f,
                    include_negated: n
                }
            )),
            (0..3usize).prop_map(|i| Condition::button(format!("b{i}").as_str())),
            (0..2usize).prop_map(|i| Condition::Form(Names::from(format!("f{i}")))),
            (0..3usize).prop_map(|i| Condition::channel(format!("c{i}").as_str())),
            (0..2usize).prop_map(|i| Condition::tag(format!("t{i}"))),
            (0..2usize).prop_map(|i| Condition::Answered(format!("s{i}"))),
            (0..2usize).prop_map(|i| Condition::Pending(format!("s{i}"))),
            (0..4u32).prop_map(|n| Condition::FailedTurns(NumberTest {
                gte: Some(f64::from(n)),
                ..NumberTest::default()
            })),
        ]
    }

    fn condition() -> impl Strategy<Value = Condition> {
        leaf().prop_recursive(3, 16, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..4).prop_map(Condition::All),
                prop::collection::vec(inner.clone(), 1..4).prop_map(Condition::Any),
                inner.prop_map(Condition::not),
            ]
        })
    }

    fn flow() -> impl Strategy<Value = Flow> {
        (
            prop::collection::vec((condition(), 0..3i32, any::<bool>()), 1..12),
            any::<bool>(),
        )
            .prop_map(|(rules, collect)| Flow {
                hit_policy: if collect {
                    HitPolicy::Collect
                } else {
                    HitPolicy::First
                },
                rules: rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, p, routed))| {
                        let r = Rule::new(format!("r{i}")).priority(p).when(c);
                        if routed {
                            r.route(Route::handoff("sales"))
                        } else {
                            r
                        }
                    })
                    .collect(),
                ..Flow::default()
            })
    }

    prop_compose! {
        fn case()(
            top in prop::option::of((0..3usize, 0.0f32..1.0)),
            hits in prop::collection::vec((0..3usize, any::<bool>(), any::<bool>()), 0..4),
            button in prop::option::of(0..4usize),
            form in prop::option::of(0..3usize),
            channel in prop::option::of(0..4usize),
            tags in prop::collection::vec(0..3usize, 0..3),
            failed in 0..5u32,
            pending in prop::option::of((0..3usize, any::<bool>())),
        ) -> Case {
            let hits: Vec<(&str, bool, bool)> =
                hits.iter().map(|(k, f, n)| (KEYWORDS[*k], *f, *n)).collect();
            let mut case = Case::new(detection(top.map(|(i, c)| (INTENTS[i], c)), &hits));
            case.message = Message {
                text: None,
                event: Some(Event {
                    button: button.map(|b| format!("b{b}")),
                    form: form.map(|f| Form { id: format!("f{f}"), fields: BTreeMap::new() }),
                }),
                channel: channel.map(|c| format!("c{c}")),
            };
            case.context.conversation.tags = tags.iter().map(|t| format!("t{t}")).collect();
            case.context.conversation.failed_turns = failed;
            case.pending_slot = pending.map(|(s, answered)| (format!("s{s}"), answered));
            case
        }
    }

    proptest! {
        #[test]
        fn index_agrees_with_naive_evaluation(flow in flow(), cases in prop::collection::vec(case(), 1..8)) {
            let Ok(compiled) = compile(&flow) else {
                // Unreachable rules under first-hit are rejected; nothing to compare.
                return Ok(());
            };
            for case in &cases {
                let fast = compiled.evaluate(&case.facts());
                let slow = compiled.evaluate_naive(&case.facts());
                prop_assert_eq!(fast.route_rule, slow.route_rule);
                prop_assert_eq!(&fast.matched, &slow.matched);
                let considered: Vec<_> = slow.trace.iter().filter(|t| t.matched).map(|t| t.rule.clone()).collect();
                let fast_matched: Vec<_> = fast.trace.iter().filter(|t| t.matched).map(|t| t.rule.clone()).collect();
                prop_assert_eq!(considered, fast_matched);
            }
        }

        #[test]
        fn flows_round_trip_through_json(flow in flow()) {
            let json = serde_json::to_string(&flow).unwrap();
            let back: Flow = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, flow);
        }
    }
}
