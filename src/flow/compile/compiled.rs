//! The compiled form of a flow (rules, conditions, routes, actions, resolved teams)
//! and the facts of one message it is evaluated against.

use std::collections::BTreeMap;
use std::sync::Arc;

use regex::Regex;

use crate::conversation::{Context, Message, Value};
use crate::flow::template::Template;
use crate::flow::{FieldTest, NumberTest, Priority, Weekday};
use crate::intent::Detection;
use crate::keywords::{Negation, NegationPolicy};

/// A team as compiled routes and actions hold it: resolved once, when building.
#[derive(Debug)]
pub(crate) struct Team {
    pub(crate) id: Arc<str>,
    pub(crate) name: Arc<str>,
    pub(crate) queue: Arc<str>,
    pub(crate) channel: Option<Arc<str>>,
}

/// A compiled route.
#[derive(Debug)]
pub(crate) enum CRoute {
    Handoff {
        team: Arc<Team>,
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
        team: Arc<Team>,
        priority: Priority,
    },
}

/// A compiled rule.
#[derive(Debug)]
pub(crate) struct CRule {
    pub(crate) id: Arc<str>,
    pub(crate) priority: i32,
    pub(super) cond: Option<Node>,
    pub(crate) route: Option<CRoute>,
    pub(crate) actions: Vec<CAction>,
    /// Whether a hand-off to the team the conversation is with applies again.
    pub(crate) repeat: bool,
}

#[derive(Debug)]
pub(super) enum Node {
    Always,
    All(Arc<str>, Vec<Node>),
    Any(Arc<str>, Vec<Node>),
    Not(Arc<str>, Box<Node>),
    Leaf(Arc<str>, Box<Leaf>),
}

#[derive(Debug)]
pub(super) enum Leaf {
    Intent {
        ids: Vec<u32>,
        min: Option<f32>,
    },
    Keyword {
        /// Keyword ids in the flow's keyword vocabulary.
        any: Vec<u32>,
        fuzzy: bool,
        policy: NegationPolicy,
        /// Only hits whose negation has this purpose, when set.
        purpose: Option<Negation>,
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
    /// `Some(true)`: with any team; `Some(false)`: with none; `None`: with one of `teams`.
    WithTeam {
        any: Option<bool>,
        teams: Vec<Box<str>>,
    },
    /// `Some(yes)`: ambiguous between any two (or, `false`, not ambiguous); `None`:
    /// ambiguous between the intents `between` (indices `ids`), in either order.
    Ambiguous {
        any: Option<bool>,
        between: [Arc<str>; 2],
        ids: [u32; 2],
    },
}

#[derive(Debug)]
pub(super) struct CField {
    pub(super) name: Box<str>,
    pub(super) test: FieldTest,
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

impl Node {
    /// Whether the node holds whatever the message.
    pub(super) fn is_unconditional(&self) -> bool {
        match self {
            Node::Always => true,
            Node::All(_, list) => list.iter().all(Node::is_unconditional),
            Node::Any(_, list) => list.iter().any(Node::is_unconditional),
            _ => false,
        }
    }
}

pub(super) fn day_bit(d: Weekday) -> u8 {
    1 << (d as u8)
}
