//! Compiled flows: conditions resolved and precompiled, rules sorted into evaluation
//! order and indexed by what they require, evaluated against a [`Facts`] snapshot into
//! an [`Outcome`] that holds everything the flow decided (route, applied actions,
//! whether the default was used).
//!
//! The files, each depending only on those listed before it:
//! - `compiled`: the compiled rules, routes, actions and teams, and the [`Facts`].
//! - `validate`: whole-flow checks (rule ids, unreachable rules, the names slots and
//!   keywords may take).
//! - `pattern`: regex conditions compiled within cost bounds.
//! - `lower`: configuration to compiled rules, with per-item validation and paths.
//! - `index`: which rules can possibly match a message.
//! - `eval`: conditions against facts, and the hit policy.

mod compiled;
mod eval;
mod index;
mod lower;
mod pattern;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::error::BuildError;
use crate::flow::Flow;
use crate::text::Normalizer;

pub(crate) use compiled::{CAction, CRoute, Facts, Team};
pub(crate) use eval::{CompiledFlow, Outcome};
use index::Index;
use validate::{KeywordVocabulary, SlotNames};

/// What a flow is compiled against.
pub(crate) struct CompileEnv<'a> {
    /// Intent ids of the model, in model order.
    pub(crate) intents: &'a [Arc<str>],
    /// The keyword matcher's normalizer: two keywords are the same keyword when they
    /// normalize alike (`"Démo"` and `"demo"`).
    pub(crate) normalizer: Normalizer,
    /// Every keyword spelling the model can report in a hit.
    pub(crate) keywords: &'a [Arc<str>],
    /// Team ids to the resolved teams.
    pub(crate) teams: &'a BTreeMap<String, Arc<Team>>,
    /// Slots the router's extractors fill: known slot names, like the flow's `slots`.
    pub(crate) slots: &'a [String],
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
        let keywords = KeywordVocabulary::new(env.normalizer, env.keywords);
        let slots = SlotNames::of(flow, env.slots)?;
        let cx = lower::Cx {
            teams: env.teams,
            intent_lookup: &intent_lookup,
            keywords: &keywords,
            slots: &slots,
        };
        let rules = validate::evaluation_order(cx.rules(&flow.rules)?, flow.hit_policy)?;
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
            keywords,
            hold_route: CRoute::Continue { step: None },
        })
    }
}
