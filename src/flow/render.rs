//! Rendering: a flow's outcome into the [`Route`] and [`Action`]s the host receives,
//! templates filled from the message, the context and the resolved team.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::conversation::value::format_number;
use crate::conversation::{Summary, MAX_SUMMARY_SLOTS};
use crate::flow::compile::{CAction, CRoute, Facts, Outcome, Team};
use crate::flow::template::{Env, Var};
use crate::flow::{Action, Route, Value};
use crate::keywords::NegationPolicy;
use crate::limits::MAX_TEMPLATE_VALUE;
use crate::text::truncate_at_char_boundary;

/// Renders the outcome's route and actions. A hand-off route adds an `assign` action for
/// its team (unless one is there already) and an ask route an `ask` action, so the host
/// can act on the actions alone.
///
/// `summary` is the conversation's summary after this message, which `{summary}`
/// renders beside the message itself.
pub(crate) fn render(
    outcome: &Outcome<'_>,
    facts: &Facts<'_>,
    summary: &Summary,
) -> (Route, Vec<Action>) {
    let team = match outcome.route {
        CRoute::Handoff { team, .. } => Some(&**team),
        _ => None,
    };
    let env = RenderEnv {
        facts,
        summary,
        team,
        rule: outcome.rule().map(|r| &**r),
    };
    let route = render_route(outcome.route, &env);
    let mut actions: Vec<Action> = outcome
        .actions
        .iter()
        .map(|a| render_action(a, &env))
        .collect();
    if let Some(a) = route_action(outcome.route, &route, &actions) {
        actions.push(a);
    }
    (route, actions)
}

fn render_route(route: &CRoute, env: &RenderEnv<'_, '_>) -> Route {
    match route {
        CRoute::Handoff { team, priority } => Route::Handoff {
            team: team.id.to_string(),
            priority: *priority,
        },
        CRoute::Ask {
            question,
            slot,
            options,
        } => Route::Ask {
            question: question.render(env),
            slot: slot.to_string(),
            options: options.to_vec(),
        },
        CRoute::Continue { step } => Route::Continue {
            step: step.as_deref().map(str::to_string),
        },
    }
}

fn render_action(a: &CAction, env: &RenderEnv<'_, '_>) -> Action {
    match a {
        CAction::Tag(t) => Action::Tag { tag: t.render(env) },
        CAction::Reply(t) => Action::Reply {
            text: t.render(env),
        },
        CAction::Notify { channel, text } => Action::Notify {
            channel: channel.render(env),
            text: text.render(env),
        },
        CAction::Crm { object, fields } => Action::Crm {
            object: object.to_string(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.render(env)))
                .collect(),
        },
        CAction::Assign { team, priority } => assign(team, *priority),
    }
}

fn assign(team: &Team, priority: crate::flow::Priority) -> Action {
    Action::Assign {
        team: team.id.to_string(),
        queue: team.queue.to_string(),
        priority,
    }
}

/// The action a route implies, if the rendered actions do not already carry it.
fn route_action(compiled: &CRoute, route: &Route, actions: &[Action]) -> Option<Action> {
    match (compiled, route) {
        (CRoute::Handoff { team, priority }, _) => {
            let already = actions
                .iter()
                .any(|a| matches!(a, Action::Assign { team: t, .. } if **t == *team.id));
            (!already).then(|| assign(team, *priority))
        }
        (
            _,
            Route::Ask {
                question,
                slot,
                options,
            },
        ) => Some(Action::Ask {
            slot: slot.clone(),
            question: question.clone(),
            options: options.clone(),
        }),
        _ => None,
    }
}

struct RenderEnv<'a, 'f> {
    facts: &'a Facts<'f>,
    summary: &'a Summary,
    team: Option<&'a Team>,
    rule: Option<&'a str>,
}

/// The longest a value or message is shown in `{summary}`.
const SUMMARY_TEXT: usize = 280;

/// `text` cut to [`SUMMARY_TEXT`] bytes at a character boundary, "..." when cut.
fn write_cut(out: &mut String, text: &str) {
    let cut = truncate_at_char_boundary(text, SUMMARY_TEXT);
    out.push_str(cut);
    if cut.len() < text.len() {
        out.push_str("...");
    }
}

impl RenderEnv<'_, '_> {
    /// `Intent: pricing (95%); request: "how much..."; intents: pricing 95%;
    /// company_size: 120 (answer); handed off to sales (rule qualified, turn 2);
    /// channel: pricing_page; message: "we're around 120 people"`.
    fn summary(&self, out: &mut String) {
        let f = self.facts;
        let d = f.detection;
        match &d.intent {
            Some(i) => {
                let _ = write!(out, "Intent: {i} ({:.0}%)", d.confidence * 100.0);
            }
            None => out.push_str("Intent: none"),
        }
        let s = self.summary;
        if let Some(r) = &s.request {
            let _ = write!(out, "; request: {r:?}");
        }
        if !s.intents.is_empty() {
            out.push_str("; intents: ");
            for (i, seen) in s.intents.iter().enumerate() {
                let comma = if i > 0 { ", " } else { "" };
                let pct = (seen.confidence * 100.0).round();
                let _ = write!(out, "{comma}{} {pct}%", seen.intent);
            }
        }
        self.slots(out);
        if let Some(h) = &s.handoff {
            let rule = h.rule.as_deref().unwrap_or("the default route");
            let _ = write!(out, "; handed off to {} by {rule}", h.team);
        }
        if let Some(c) = &f.message.channel {
            out.push_str("; channel: ");
            write_cut(out, c);
        }
        if let Some(b) = f.message.event.as_ref().and_then(|e| e.button.as_deref()) {
            out.push_str("; button: ");
            write_cut(out, b);
        }
        if !f.text.is_empty() {
            out.push_str("; message: \"");
            write_cut(out, f.text);
            out.push('"');
        }
    }

    /// The known slots (the first [`MAX_SUMMARY_SLOTS`] by name, then how many more),
    /// with where each came from when the summary knows.
    fn slots(&self, out: &mut String) {
        let f = self.facts;
        let mut slots: BTreeMap<&str, &Value> = f
            .context
            .conversation
            .slots
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        for (k, v) in f.new_slots {
            slots.insert(k, v);
        }
        let total = slots.len();
        for (k, v) in slots.into_iter().take(MAX_SUMMARY_SLOTS) {
            let _ = write!(out, "; {k}: ");
            let mut shown = String::new();
            v.write_bounded(&mut shown, SUMMARY_TEXT);
            out.push_str(&shown);
            if let Some(source) = self.summary.source(k) {
                let _ = write!(out, " ({source})");
            }
        }
        if total > MAX_SUMMARY_SLOTS {
            let _ = write!(out, "; {} more slots", total - MAX_SUMMARY_SLOTS);
        }
    }
}

impl Env for RenderEnv<'_, '_> {
    fn write(&self, var: &Var, out: &mut String) -> bool {
        let f = self.facts;
        // Each variable renders at most MAX_TEMPLATE_VALUE bytes (`{message}` is cut
        // to the message limit before it gets here).
        let put = |out: &mut String, v: Option<&Value>| match v {
            Some(v) => {
                v.write_bounded(out, MAX_TEMPLATE_VALUE);
                true
            }
            None => false,
        };
        let put_str = |out: &mut String, s: Option<&str>| match s {
            Some(s) if !s.is_empty() => {
                out.push_str(s);
                true
            }
            _ => false,
        };
        let put_list = |out: &mut String, items: &mut dyn Iterator<Item = &str>| {
            let start = out.len();
            for (i, item) in items.enumerate() {
                if out.len() - start > MAX_TEMPLATE_VALUE {
                    out.push_str(", ...");
                    break;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(truncate_at_char_boundary(item, MAX_TEMPLATE_VALUE));
            }
            out.len() > start
        };
        match var {
            Var::User(n) => put(out, f.context.user.get(&**n)),
            Var::Conversation(n) => put(out, f.context.conversation.attributes.get(&**n)),
            Var::ConversationId => put_str(out, f.context.conversation.id.as_deref()),
            Var::Slot(n) => put(out, f.slot(n)),
            Var::Attr(n) => put(
                out,
                f.slot(n)
                    .or_else(|| f.context.user.get(&**n))
                    .or_else(|| f.context.conversation.attributes.get(&**n)),
            ),
            Var::Intent => put_str(out, f.detection.intent.as_deref()),
            Var::Confidence => {
                if f.detection.intent.is_none() {
                    return false;
                }
                let _ = write!(
                    out,
                    "{}",
                    format_number((f.detection.confidence * 100.0).round().into())
                );
                true
            }
            Var::Team => put_str(out, self.team.map(|t| &*t.id)),
            Var::TeamName => put_str(out, self.team.map(|t| &*t.name)),
            Var::TeamQueue => put_str(out, self.team.map(|t| &*t.queue)),
            Var::TeamChannel => put_str(out, self.team.and_then(|t| t.channel.as_deref())),
            Var::Channel => put_str(out, f.message.channel.as_deref()),
            Var::Message => put_str(out, Some(f.text)),
            Var::Rule => put_str(out, self.rule),
            Var::Tags => put_list(
                out,
                &mut f.context.conversation.tags.iter().map(String::as_str),
            ),
            Var::Keywords => put_list(
                out,
                &mut f
                    .detection
                    .keywords
                    .iter()
                    .filter(|h| h.triggers(NegationPolicy::Decline))
                    .map(|h| &*h.keyword),
            ),
            Var::Summary => {
                self.summary(out);
                true
            }
        }
    }
}
