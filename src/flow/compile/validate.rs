//! Whole-flow checks: rule ids, evaluation order and unreachable rules, and the names
//! keyword and slot references may take.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::compiled::{CRule, Node};
use crate::error::{BuildError, ErrorKind, Item};
use crate::flow::{Flow, HitPolicy, Route, Rule};
use crate::text::Normalizer;

pub(super) fn err(path: &str, kind: ErrorKind) -> BuildError {
    BuildError::new(path, kind)
}

pub(super) fn empty(path: &str) -> BuildError {
    err(path, ErrorKind::Empty)
}

pub(super) fn unknown(path: &str, what: Item, name: &str) -> BuildError {
    err(
        path,
        ErrorKind::Unknown {
            what,
            name: name.to_string(),
        },
    )
}

/// Checks rule `i`'s id: present, and not used by an earlier rule.
pub(super) fn rule_id<'f>(
    rule: &'f Rule,
    i: usize,
    seen: &mut BTreeMap<&'f str, usize>,
) -> Result<(), BuildError> {
    let path = format!("rules[{i}].id");
    if rule.id.trim().is_empty() {
        return Err(empty(&path));
    }
    if seen.insert(rule.id.as_str(), i).is_some() {
        return Err(err(
            &path,
            ErrorKind::Duplicate {
                id: rule.id.clone(),
            },
        ));
    }
    Ok(())
}

/// Sorts `(written index, rule)` pairs into evaluation order (priority descending, ties
/// as written) and, under first-hit, rejects a rule that an unconditional rule before it
/// always shadows.
pub(super) fn evaluation_order(
    mut rules: Vec<(usize, CRule)>,
    policy: HitPolicy,
) -> Result<Vec<CRule>, BuildError> {
    rules.sort_by_key(|r| std::cmp::Reverse(r.1.priority));
    if policy == HitPolicy::First {
        let mut shadow: Option<&CRule> = None;
        for (i, rule) in &rules {
            if let Some(by) = shadow {
                return Err(err(
                    &format!("rules[{i}]"),
                    ErrorKind::Unreachable {
                        shadowed_by: by.id.to_string(),
                    },
                ));
            }
            if rule.cond.as_ref().map_or(true, Node::is_unconditional) {
                shadow = Some(rule);
            }
        }
    }
    Ok(rules.into_iter().map(|(_, r)| r).collect())
}

/// The keywords a flow may name, by identity: the keyword matcher's normalized form.
/// Hits report the keyword as configured on the intent; `by_spelling` maps each such
/// spelling to its identity without normalizing at decision time.
#[derive(Debug)]
pub(super) struct KeywordVocabulary {
    normalizer: Normalizer,
    ids: HashMap<Box<str>, u32>,
    by_spelling: HashMap<Box<str>, u32>,
}

impl KeywordVocabulary {
    pub(super) fn new(normalizer: Normalizer, spellings: &[Arc<str>]) -> Self {
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        let mut by_spelling = HashMap::new();
        for spelling in spellings {
            let normalized = normalizer.normalize(spelling);
            let next = ids.len() as u32;
            let id = *ids.entry(Box::from(normalized.as_str())).or_insert(next);
            by_spelling.insert(Box::from(&**spelling), id);
        }
        KeywordVocabulary {
            normalizer,
            ids,
            by_spelling,
        }
    }

    /// The identity of a keyword named in a condition, if the model has it.
    pub(super) fn configured(&self, keyword: &str) -> Option<u32> {
        let normalized = self.normalizer.normalize(keyword);
        self.ids.get(normalized.as_str()).copied()
    }

    /// The identity of a hit's keyword. Allocation-free.
    pub(super) fn hit(&self, spelling: &str) -> Option<u32> {
        self.by_spelling.get(spelling).copied()
    }
}

/// The slot names `slot`, `answered` and `pending` conditions and `{slots.x}` templates
/// may use: the slots the flow's questions fill, those it declares as filled elsewhere
/// (form fields, the host), and those the router's slot extractors fill.
#[derive(Debug)]
pub(super) struct SlotNames {
    names: BTreeSet<String>,
}

impl SlotNames {
    pub(super) fn of(flow: &Flow, extracted: &[String]) -> Result<Self, BuildError> {
        let mut names: BTreeSet<String> = extracted.iter().cloned().collect();
        let routes = flow.rules.iter().filter_map(|r| r.route.as_ref());
        for route in routes.chain([&flow.default]) {
            // An empty ask slot is reported where the route is lowered.
            if let Route::Ask { slot, .. } = route {
                names.insert(slot.clone());
            }
        }
        for (i, slot) in flow.slots.iter().enumerate() {
            if slot.trim().is_empty() {
                return Err(empty(&format!("slots[{i}]")));
            }
            names.insert(slot.clone());
        }
        Ok(SlotNames { names })
    }

    pub(super) fn check(&self, name: &str, path: &str) -> Result<(), BuildError> {
        if self.names.contains(name) {
            Ok(())
        } else {
            Err(unknown(path, Item::Slot, name))
        }
    }
}
