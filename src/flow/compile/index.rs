//! The rule index: each rule is filed under one set of keys (intents, buttons, forms,
//! keywords, channels, pending questions) one of which must be active for the rule to
//! match, so a message only evaluates the rules it can possibly match.

use std::collections::HashMap;

use super::compiled::{CRule, Facts, Leaf, Node};

/// A key a rule can be indexed under: the rule can only match when the key is active.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Key {
    Intent(u32),
    Button(Box<str>),
    Form(Box<str>),
    /// A keyword identity in the flow's vocabulary.
    Keyword(u32),
    Channel(Box<str>),
    Pending(Box<str>),
}

#[derive(Debug, Default)]
pub(super) struct Index {
    /// Rules with no indexable requirement: always candidates.
    always: Vec<u32>,
    intents: Vec<Vec<u32>>,
    buttons: HashMap<Box<str>, Vec<u32>>,
    forms: HashMap<Box<str>, Vec<u32>>,
    keywords: HashMap<u32, Vec<u32>>,
    channels: HashMap<Box<str>, Vec<u32>>,
    /// Rules requiring a pending question (`answered`, `pending`), by slot.
    pending: HashMap<Box<str>, Vec<u32>>,
}

impl Node {
    /// Alternative key sets. For each set returned, the node can only be true when at
    /// least one key of that set is active, so any one set may serve as the index entry.
    /// Empty: nothing indexable is required.
    fn requirements(&self) -> Vec<Vec<Key>> {
        match self {
            Node::Leaf(_, leaf) => leaf_keys(leaf).map_or_else(Vec::new, |keys| vec![keys]),
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

/// The keys one of which a leaf needs; `None` when it needs nothing indexable.
fn leaf_keys(leaf: &Leaf) -> Option<Vec<Key>> {
    Some(match leaf {
        Leaf::Intent { ids, .. } => ids.iter().map(|i| Key::Intent(*i)).collect(),
        Leaf::Keyword { any, .. } => any.iter().map(|k| Key::Keyword(*k)).collect(),
        Leaf::Button(b) => b.iter().cloned().map(Key::Button).collect(),
        Leaf::Form(f) => f.iter().cloned().map(Key::Form).collect(),
        Leaf::Channel(c) => c.iter().cloned().map(Key::Channel).collect(),
        // The pair always holds the top candidate.
        Leaf::Ambiguous { any: None, ids, .. } => ids.iter().map(|i| Key::Intent(*i)).collect(),
        // An answer implies the question was pending.
        Leaf::Answered(s) | Leaf::Pending(s) => vec![Key::Pending(s.clone())],
        _ => return None,
    })
}

impl Index {
    pub(super) fn build(rules: &[CRule], n_intents: usize) -> Index {
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
            let best = opts.iter().min_by_key(|set| {
                set.iter()
                    .map(|k| freq.get(k).copied().unwrap_or(0))
                    .sum::<usize>()
            });
            match best {
                Some(set) => ix.file(ri as u32, set),
                None => ix.always.push(ri as u32),
            }
        }
        ix
    }

    /// Files rule `ri` under every key of `set`.
    fn file(&mut self, ri: u32, set: &[Key]) {
        for k in set {
            let list = match k {
                Key::Intent(i) => &mut self.intents[*i as usize],
                Key::Button(b) => self.buttons.entry(b.clone()).or_default(),
                Key::Form(f) => self.forms.entry(f.clone()).or_default(),
                Key::Keyword(w) => self.keywords.entry(*w).or_default(),
                Key::Channel(c) => self.channels.entry(c.clone()).or_default(),
                Key::Pending(s) => self.pending.entry(s.clone()).or_default(),
            };
            if list.last() != Some(&ri) {
                list.push(ri);
            }
        }
    }
}

impl Index {
    /// Rules that can possibly match, in evaluation order, each once. `keywords`: the
    /// keyword identities the message hit, each once; `top`: the top intent candidate's
    /// index and confidence.
    pub(super) fn candidates(
        &self,
        keywords: impl Iterator<Item = u32>,
        facts: &Facts<'_>,
        top: Option<(u32, f32)>,
    ) -> Vec<u32> {
        let ix = self;
        let mut out = ix.always.clone();
        let mut add = |list: Option<&Vec<u32>>| {
            if let Some(list) = list {
                out.extend_from_slice(list);
            }
        };
        if let Some((i, _)) = top {
            add(ix.intents.get(i as usize));
        }
        if let Some(ev) = &facts.message.event {
            if let Some(b) = &ev.button {
                add(ix.buttons.get(b.as_str()));
            }
            if let Some(f) = &ev.form {
                add(ix.forms.get(f.id.as_str()));
            }
        }
        if let Some(c) = &facts.message.channel {
            add(ix.channels.get(c.as_str()));
        }
        if let Some(slot) = facts.pending {
            add(ix.pending.get(slot));
        }
        if !ix.keywords.is_empty() {
            for k in keywords {
                add(ix.keywords.get(&k));
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
