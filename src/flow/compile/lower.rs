//! Lowering: configuration ([`Rule`], [`Route`], [`Action`], [`Condition`]) to compiled
//! rules, validating each item where it is and naming its path in errors.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use super::compiled::{day_bit, CAction, CField, CRoute, CRule, Leaf, Node, Team};
use super::validate::{empty, err, rule_id, unknown, KeywordVocabulary, SlotNames};
use crate::conversation::value::format_number;
use crate::error::{BuildError, ErrorKind, Expected, Item};
use crate::flow::template::Template;
use crate::flow::{
    Action, AmbiguityTest, Condition, FieldTest, IntentTest, KeywordTest, Names, NumberTest,
    OfficeHours, Route, Rule, TeamTest, Value,
};
use crate::keywords::{Negation, NegationPolicy};
use crate::limits::{
    Limits, MAX_CONDITION_DEPTH, MAX_OPTION_LEN, MAX_PENDING_OPTIONS, MAX_VALUE_DEPTH,
};

/// The path of a condition being lowered, written out only when an error needs it: each
/// level borrows its parent, so lowering keeps no string per level.
#[derive(Clone, Copy)]
enum CondPath<'a> {
    /// The rule's `when` (`rules[3].when`).
    Root(&'a str),
    /// A field of the parent (`.all`, `.not`).
    Field(&'a CondPath<'a>, &'static str),
    /// An item of the parent list (`[2]`).
    Index(&'a CondPath<'a>, usize),
}

impl fmt::Display for CondPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Recursion bounded by the depth limit: lowering stops one level past it.
        match self {
            CondPath::Root(p) => f.write_str(p),
            CondPath::Field(parent, name) => write!(f, "{parent}.{name}"),
            CondPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// What lowering resolves names against.
pub(super) struct Cx<'a> {
    pub(super) teams: &'a BTreeMap<String, Arc<Team>>,
    pub(super) intent_lookup: &'a HashMap<Arc<str>, u32>,
    pub(super) keywords: &'a KeywordVocabulary,
    pub(super) slots: &'a SlotNames,
}

fn leaf(desc: String, leaf: Leaf) -> Result<Node, BuildError> {
    Ok(Node::Leaf(Arc::from(desc), Box::new(leaf)))
}

/// A path to item `i` of a list that may be written as a single name.
fn item_path(path: &str, len: usize, i: usize) -> String {
    if len == 1 {
        path.to_string()
    } else {
        format!("{path}[{i}]")
    }
}

fn names(list: &Names, path: &str) -> Result<Vec<Box<str>>, BuildError> {
    if list.0.is_empty() {
        return Err(empty(path));
    }
    list.0
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if n.trim().is_empty() {
                Err(empty(&item_path(path, list.0.len(), i)))
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
            ErrorKind::InvalidTime {
                value: s.to_string(),
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
            ErrorKind::OutOfRange {
                value: v.to_string(),
                expected: Expected::Finite,
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
            parts.push(format!("{op} {}", format_number(v)));
        }
    }
    if let Some(v) = &t.contains {
        parts.push(format!("contains {}", show(v)));
    }
    format!("{scope}.{} {}", t.name, parts.join(" and "))
}

fn compile_field(t: &FieldTest, path: &str) -> Result<CField, BuildError> {
    if t.name.trim().is_empty() {
        return Err(empty(&format!("{path}.name")));
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
        return Err(err(path, ErrorKind::MissingOperator));
    }
    if matches!(&t.one_of, Some(v) if v.is_empty()) {
        return Err(empty(&format!("{path}.one_of")));
    }
    check_value_depth(t, path)?;
    for (op, v) in [("gt", t.gt), ("gte", t.gte), ("lt", t.lt), ("lte", t.lte)] {
        check_finite(v, &format!("{path}.{op}"))?;
    }
    Ok(CField {
        name: t.name.as_str().into(),
        test: t.clone(),
    })
}

/// The values a field test compares with nest at most [`MAX_VALUE_DEPTH`] lists deep.
fn check_value_depth(t: &FieldTest, path: &str) -> Result<(), BuildError> {
    let too_deep = |v: &Value| v.depth_exceeds(MAX_VALUE_DEPTH);
    let deep = [("eq", &t.eq), ("ne", &t.ne), ("contains", &t.contains)]
        .into_iter()
        .find(|(_, v)| v.as_ref().is_some_and(too_deep))
        .map(|(op, _)| format!("{path}.{op}"))
        .or_else(|| {
            let list = t.one_of.as_deref().unwrap_or_default();
            let i = list.iter().position(too_deep)?;
            Some(format!("{path}.one_of[{i}]"))
        });
    match deep {
        Some(p) => Err(err(
            &p,
            ErrorKind::TooDeep {
                limit: MAX_VALUE_DEPTH,
            },
        )),
        None => Ok(()),
    }
}

fn check_number_test(t: &NumberTest, path: &str) -> Result<(), BuildError> {
    if t.eq.is_none() && t.gt.is_none() && t.gte.is_none() && t.lt.is_none() && t.lte.is_none() {
        return Err(err(path, ErrorKind::MissingOperator));
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
            parts.push(format!("{op} {}", format_number(v)));
        }
    }
    format!("{scope} {}", parts.join(" and "))
}

impl Cx<'_> {
    /// Lowers every rule, paired with its written index, in the order written.
    pub(super) fn rules(&self, rules: &[Rule]) -> Result<Vec<(usize, CRule)>, BuildError> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut compiled = Vec::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            rule_id(rule, i, &mut seen)?;
            compiled.push((i, self.rule(rule, &format!("rules[{i}]"))?));
        }
        Ok(compiled)
    }

    fn rule(&self, rule: &Rule, path: &str) -> Result<CRule, BuildError> {
        let cond = match &rule.when {
            Some(c) => {
                let when = format!("{path}.when");
                Some(self.condition(c, &CondPath::Root(&when), 1)?)
            }
            None => None,
        };
        let route = match &rule.route {
            Some(r) => Some(self.route(r, &format!("{path}.route"))?),
            None => None,
        };
        Ok(CRule {
            id: Arc::from(rule.id.as_str()),
            priority: rule.priority,
            cond,
            route,
            actions: self.actions(&rule.actions, &format!("{path}.actions"))?,
            repeat: rule.repeat,
        })
    }

    fn team(&self, team: &str, path: &str) -> Result<Arc<Team>, BuildError> {
        self.teams
            .get(team)
            .cloned()
            .ok_or_else(|| unknown(path, Item::Team, team))
    }

    /// Compiles a template and checks the slots it reads.
    fn template(&self, src: &str, path: &str) -> Result<Template, BuildError> {
        let t = Template::compile(src).map_err(|k| err(path, k))?;
        for slot in t.slots() {
            self.slots.check(slot, path)?;
        }
        Ok(t)
    }

    pub(super) fn route(&self, route: &Route, path: &str) -> Result<CRoute, BuildError> {
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
                    return Err(empty(&format!("{path}.slot")));
                }
                if question.trim().is_empty() {
                    return Err(empty(&format!("{path}.question")));
                }
                check_options(options, &format!("{path}.options"))?;
                CRoute::Ask {
                    question: self.template(question, &format!("{path}.question"))?,
                    slot: Arc::from(slot.as_str()),
                    options: options.clone().into(),
                }
            }
            Route::Continue { step } => CRoute::Continue {
                step: step.as_deref().map(Arc::from),
            },
        })
    }

    pub(super) fn actions(
        &self,
        actions: &[Action],
        path: &str,
    ) -> Result<Vec<CAction>, BuildError> {
        actions
            .iter()
            .enumerate()
            .map(|(i, a)| self.action(a, &format!("{path}[{i}]")))
            .collect()
    }

    fn action(&self, action: &Action, path: &str) -> Result<CAction, BuildError> {
        let text = |s: &str, field: &str| {
            if s.trim().is_empty() {
                Err(empty(&format!("{path}.{field}")))
            } else {
                self.template(s, &format!("{path}.{field}"))
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
                    return Err(empty(&format!("{path}.object")));
                }
                let fields = fields
                    .iter()
                    .map(|(k, v)| {
                        let t = self.template(v, &format!("{path}.fields.{k}"))?;
                        Ok((Arc::<str>::from(k.as_str()), t))
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
            Action::Ask { .. } => return Err(err(path, ErrorKind::AskIsARoute)),
        })
    }

    /// Lowers a condition at nesting `depth` (the rule's `when` is 1); deeper than
    /// [`MAX_CONDITION_DEPTH`] is an error, so the recursion is bounded.
    fn condition(
        &self,
        c: &Condition,
        at: &CondPath<'_>,
        depth: usize,
    ) -> Result<Node, BuildError> {
        if depth > MAX_CONDITION_DEPTH {
            let kind = ErrorKind::TooDeep {
                limit: MAX_CONDITION_DEPTH,
            };
            return Err(err(&at.to_string(), kind));
        }
        match c {
            Condition::Always => Ok(Node::Always),
            Condition::All(list) => Ok(Node::All(
                Arc::from("all of"),
                self.children(list, &CondPath::Field(at, "all"), depth)?,
            )),
            Condition::Any(list) => Ok(Node::Any(
                Arc::from("any of"),
                self.children(list, &CondPath::Field(at, "any"), depth)?,
            )),
            Condition::Not(inner) => Ok(Node::Not(
                Arc::from("not"),
                Box::new(self.condition(inner, &CondPath::Field(at, "not"), depth + 1)?),
            )),
            leaf => self.leaf(leaf, &at.to_string()),
        }
    }

    /// Lowers a condition that is not `all`, `any` or `not`.
    fn leaf(&self, c: &Condition, path: &str) -> Result<Node, BuildError> {
        match c {
            Condition::Always | Condition::All(_) | Condition::Any(_) | Condition::Not(_) => {
                Ok(Node::Always)
            }
            Condition::Intent(t) => self.intent(t, &format!("{path}.intent")),
            Condition::Keyword(t) => self.keyword(t, &format!("{path}.keyword")),
            Condition::Regex(pattern) => regex(pattern, &format!("{path}.regex")),
            Condition::Button(n) => {
                let list = names(n, &format!("{path}.button"))?;
                leaf(
                    format!("button is {}", list.join(" or ")),
                    Leaf::Button(list),
                )
            }
            Condition::Form(n) => {
                let list = names(n, &format!("{path}.form"))?;
                leaf(format!("form is {}", list.join(" or ")), Leaf::Form(list))
            }
            Condition::Channel(n) => {
                let list = names(n, &format!("{path}.channel"))?;
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
                self.slots.check(&t.name, &format!("{path}.slot.name"))?;
                leaf(describe_field("slot", t), Leaf::Slot(f))
            }
            Condition::Tag(t) => {
                if t.trim().is_empty() {
                    return Err(empty(&format!("{path}.tag")));
                }
                leaf(format!("tagged {t:?}"), Leaf::Tag(t.as_str().into()))
            }
            Condition::Answered(s) => {
                let s = self.slot_name(s, &format!("{path}.answered"))?;
                leaf(format!("this message answered {s}"), Leaf::Answered(s))
            }
            Condition::Pending(s) => {
                let s = self.slot_name(s, &format!("{path}.pending"))?;
                leaf(format!("a question for {s} was pending"), Leaf::Pending(s))
            }
            Condition::FailedTurns(t) => {
                check_number_test(t, &format!("{path}.failed_turns"))?;
                leaf(
                    describe_number("failed turns", t),
                    Leaf::FailedTurns(t.clone()),
                )
            }
            Condition::OfficeHours(hours) => office_hours(hours, &format!("{path}.office_hours")),
            Condition::WithTeam(t) => self.with_team(t, &format!("{path}.with_team")),
            Condition::Ambiguous(t) => self.ambiguous(t, &format!("{path}.ambiguous")),
        }
    }

    /// The children of `all` / `any` (at nesting `depth`), at least one.
    fn children(
        &self,
        list: &[Condition],
        at: &CondPath<'_>,
        depth: usize,
    ) -> Result<Vec<Node>, BuildError> {
        if list.is_empty() {
            return Err(empty(&at.to_string()));
        }
        list.iter()
            .enumerate()
            .map(|(i, c)| self.condition(c, &CondPath::Index(at, i), depth + 1))
            .collect()
    }

    /// An `ambiguous` test: the two intents named must be known and distinct.
    fn ambiguous(&self, t: &AmbiguityTest, path: &str) -> Result<Node, BuildError> {
        let none: [Arc<str>; 2] = [Arc::from(""), Arc::from("")];
        match t {
            AmbiguityTest::Any(yes) => leaf(
                if *yes { "ambiguous" } else { "not ambiguous" }.into(),
                Leaf::Ambiguous {
                    any: Some(*yes),
                    between: none,
                    ids: [0, 0],
                },
            ),
            AmbiguityTest::Between { between } => {
                let path = format!("{path}.between");
                for (i, id) in between.iter().enumerate() {
                    let p = format!("{path}[{i}]");
                    if id.trim().is_empty() {
                        return Err(empty(&p));
                    }
                    if !self.intent_lookup.contains_key(id.as_str()) {
                        return Err(unknown(&p, Item::Intent, id));
                    }
                }
                let ids = [0, 1].map(|i| self.intent_lookup[between[i].as_str()]);
                if between[0] == between[1] {
                    return Err(err(
                        &format!("{path}[1]"),
                        ErrorKind::Duplicate {
                            id: between[1].clone(),
                        },
                    ));
                }
                leaf(
                    format!("ambiguous between {} and {}", between[0], between[1]),
                    Leaf::Ambiguous {
                        any: None,
                        between: [Arc::from(&*between[0]), Arc::from(&*between[1])],
                        ids,
                    },
                )
            }
        }
    }

    /// A `with_team` test: its teams must be configured.
    fn with_team(&self, t: &TeamTest, path: &str) -> Result<Node, BuildError> {
        match t {
            TeamTest::Any(true) => leaf(
                "with a team".into(),
                Leaf::WithTeam {
                    any: Some(true),
                    teams: Vec::new(),
                },
            ),
            TeamTest::Any(false) => leaf(
                "with no team".into(),
                Leaf::WithTeam {
                    any: Some(false),
                    teams: Vec::new(),
                },
            ),
            TeamTest::Teams(n) => {
                let list = names(n, path)?;
                for (i, team) in list.iter().enumerate() {
                    self.team(team, &item_path(path, list.len(), i))?;
                }
                leaf(
                    format!("with team {}", list.join(" or ")),
                    Leaf::WithTeam {
                        any: None,
                        teams: list,
                    },
                )
            }
        }
    }

    /// A slot named by `answered` / `pending`: present and filled by something.
    fn slot_name(&self, s: &str, path: &str) -> Result<Box<str>, BuildError> {
        if s.trim().is_empty() {
            return Err(empty(path));
        }
        self.slots.check(s, path)?;
        Ok(s.into())
    }

    fn intent(&self, t: &IntentTest, p: &str) -> Result<Node, BuildError> {
        let list = names(&t.id, p)?;
        let ids = list
            .iter()
            .map(|name| {
                self.intent_lookup
                    .get(&**name)
                    .copied()
                    .ok_or_else(|| unknown(p, Item::Intent, name))
            })
            .collect::<Result<Vec<u32>, _>>()?;
        if let Some(m) = t.min_confidence {
            if !(0.0..=1.0).contains(&m) {
                return Err(err(
                    &format!("{p}.min_confidence"),
                    ErrorKind::OutOfRange {
                        value: m.to_string(),
                        expected: Expected::UnitInterval,
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
        let min = t.min_confidence;
        leaf(desc, Leaf::Intent { ids, min })
    }

    /// A keyword condition: each keyword must be one the model has, by the matcher's
    /// identity (normalized form), whatever its spelling.
    fn keyword(&self, t: &KeywordTest, p: &str) -> Result<Node, BuildError> {
        let any_path = format!("{p}.any");
        let list = names(&t.any, &any_path)?;
        let any = list
            .iter()
            .enumerate()
            .map(|(i, k)| {
                self.keywords.configured(k).ok_or_else(|| {
                    let path = item_path(&any_path, list.len(), i);
                    unknown(&path, Item::Keyword, k)
                })
            })
            .collect::<Result<Vec<u32>, _>>()?;
        let mut desc = format!("keyword hit: {}", list.join(", "));
        if !t.fuzzy {
            desc.push_str(" (exact only)");
        }
        let policy = t.policy();
        match policy {
            NegationPolicy::Ignore => desc.push_str(" (negated hits count)"),
            NegationPolicy::Any => desc.push_str(" (any negated hit is dropped)"),
            _ => {}
        }
        match t.purpose {
            Some(Negation::Problem) => desc.push_str(" (only as a problem)"),
            Some(Negation::Declined) => desc.push_str(" (only declined)"),
            Some(_) => desc.push_str(" (only plain mentions)"),
            None => {}
        }
        let fuzzy = t.fuzzy;
        let purpose = t.purpose;
        leaf(
            desc,
            Leaf::Keyword {
                any,
                fuzzy,
                policy,
                purpose,
            },
        )
    }
}

/// The options of an `ask` route: at most [`MAX_PENDING_OPTIONS`], none blank, none
/// longer than [`MAX_OPTION_LEN`].
fn check_options(options: &[String], path: &str) -> Result<(), BuildError> {
    if options.len() > MAX_PENDING_OPTIONS {
        return Err(Limits::too_many(path, MAX_PENDING_OPTIONS, options.len()));
    }
    for (i, o) in options.iter().enumerate() {
        if o.trim().is_empty() {
            return Err(empty(&format!("{path}[{i}]")));
        }
        if o.len() > MAX_OPTION_LEN {
            return Err(Limits::too_long(
                format!("{path}[{i}]"),
                MAX_OPTION_LEN,
                o.len(),
            ));
        }
    }
    Ok(())
}

/// A regex condition, compiled within the bounds of [`super::pattern`].
fn regex(pattern: &str, p: &str) -> Result<Node, BuildError> {
    if pattern.is_empty() {
        return Err(empty(p));
    }
    let re = super::pattern::compile(pattern, p)?;
    leaf(format!("message matches /{pattern}/"), Leaf::Regex(re))
}

fn office_hours(hours: &OfficeHours, p: &str) -> Result<Node, BuildError> {
    let OfficeHours { days, from, to } = hours;
    if days.is_empty() {
        return Err(empty(&format!("{p}.days")));
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
