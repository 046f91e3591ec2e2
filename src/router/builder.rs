//! Building a router: the model (given or trained), the teams resolved, the flow
//! compiled against both.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserializer;

use super::config::{RouterConfig, TeamConfig};
use super::decide::{Inner, Router};
use super::source::{Saved, Source};
use crate::error::{BuildError, ErrorKind};
use crate::flow::compile::{CompileEnv, CompiledFlow, Team};
use crate::flow::{dismantle, Flow};
use crate::intent::{Intent, IntentModel, ModelOptions};
use crate::limits::Limits;
use crate::persist::{hash, Fingerprint};
use crate::slots::{SlotConfig, SlotExtractors};

/// Builds a [`Router`] from an intent model (or intents), a flow and teams.
///
/// # Who may change the limits
/// The [`Limits`] a router is built with come from the configuration (a document's
/// `options.limits`, or [`RouterBuilder::options`]), which may **lower** any of them but
/// not raise one above the host's **ceiling**: [`Limits::default`] unless the host sets
/// [`RouterBuilder::ceiling`] (or sets the limits itself with
/// [`RouterBuilder::limits`], which it trusts). A document asking for more is a
/// [`BuildError`] ([`ErrorKind::AboveCeiling`]) at `options.limits.<name>`. The depth,
/// trace, template, option and regex bounds (see [`crate::MAX_CONDITION_DEPTH`] and the
/// other constants) are fixed: neither a document nor the host changes them.
///
/// ```
/// use handoff::{ErrorKind, Limits, Router, RouterConfig};
/// let config: RouterConfig = serde_json::from_str(r#"{
///   "intents": [{"id": "hi", "phrases": ["hello"]}], "teams": [], "flow": {},
///   "options": {"limits": {"max_message_len": 1000000}}
/// }"#).unwrap();
/// let err = Router::from_config(config.clone()).unwrap_err();
/// assert_eq!(err.path(), "options.limits.max_message_len");
/// assert!(matches!(err.kind(), ErrorKind::AboveCeiling { .. }));
/// // The host may allow more.
/// let mut ceiling = Limits::default();
/// ceiling.max_message_len = 1 << 20;
/// assert!(Router::builder().ceiling(ceiling).config(config).build().is_ok());
/// ```
#[derive(Clone, Debug, Default)]
pub struct RouterBuilder {
    model: Option<IntentModel>,
    intents: Vec<Intent>,
    negatives: Vec<String>,
    options: ModelOptions,
    flow: Flow,
    teams: Vec<TeamConfig>,
    slots: Vec<SlotConfig>,
    /// The most the configuration may ask for; `None`: [`Limits::default`].
    ceiling: Option<Limits>,
}

impl Drop for RouterBuilder {
    /// Takes the flow's conditions apart without recursion: a builder may hold a
    /// condition built in code far deeper than building accepts.
    fn drop(&mut self) {
        for rule in &mut self.flow.rules {
            if let Some(c) = rule.when.take() {
                dismantle(c);
            }
        }
    }
}

impl RouterBuilder {
    /// Size limits checked when building (see [`Limits`] for the defaults); passed on
    /// to the intent model when the router trains it. The host's own setting: the
    /// ceiling rises to admit it.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.options.limits = limits;
        self.ceiling = Some(self.ceiling_in_force().widest(&limits));
        self
    }

    /// The most a configuration's `options.limits` may ask for, field by field (default
    /// [`Limits::default`]): what a host loading configurations from others allows.
    pub fn ceiling(&mut self, ceiling: Limits) -> &mut Self {
        self.ceiling = Some(ceiling);
        self
    }

    /// Sets every model option at once (threshold, calibration, regularization,
    /// normalization, limits), as a configuration document's `options` does; its limits
    /// must stay within the [ceiling](RouterBuilder::ceiling).
    pub fn options(&mut self, options: &ModelOptions) -> &mut Self {
        self.options = options.clone();
        self
    }

    /// Sets everything a configuration document says (intents, negatives, flow, teams,
    /// slots, options), adding to what was set before.
    pub fn config(&mut self, config: RouterConfig) -> &mut Self {
        let RouterConfig {
            intents,
            negatives,
            flow,
            teams,
            slots,
            options,
        } = config;
        self.intents(intents)
            .negatives(negatives.iter().map(String::as_str))
            .flow(flow)
            .teams(teams)
            .slots(slots)
            .options(&options)
    }

    fn ceiling_in_force(&self) -> Limits {
        self.ceiling.unwrap_or_default()
    }

    /// Uses an already trained model (keyword conditions are checked against its
    /// keywords).
    pub fn model(&mut self, model: IntentModel) -> &mut Self {
        self.model = Some(model);
        self
    }

    /// Adds an intent to train on.
    pub fn intent(&mut self, intent: Intent) -> &mut Self {
        self.intents.push(intent);
        self
    }

    /// Adds intents to train on.
    pub fn intents(&mut self, intents: impl IntoIterator<Item = Intent>) -> &mut Self {
        self.intents.extend(intents);
        self
    }

    /// Adds out-of-scope phrases.
    pub fn negatives<'a>(&mut self, phrases: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.negatives
            .extend(phrases.into_iter().map(str::to_string));
        self
    }

    /// Sets the no-intent threshold (in [0, 1]) for the model trained from intents.
    pub fn threshold(&mut self, threshold: f32) -> &mut Self {
        self.options.threshold = Some(threshold);
        self
    }

    /// Sets the flow.
    pub fn flow(&mut self, flow: Flow) -> &mut Self {
        self.flow = flow;
        self
    }

    /// Adds a team.
    pub fn team(&mut self, team: TeamConfig) -> &mut Self {
        self.teams.push(team);
        self
    }

    /// Adds teams.
    pub fn teams(&mut self, teams: impl IntoIterator<Item = TeamConfig>) -> &mut Self {
        self.teams.extend(teams);
        self
    }

    /// Adds slot extractors: slots filled from any message that mentions them (see
    /// [`crate::slots`]). Their names count as known slot names for the flow.
    pub fn slots(&mut self, slots: impl IntoIterator<Item = SlotConfig>) -> &mut Self {
        self.slots.extend(slots);
        self
    }

    /// Validates everything and builds the router.
    pub fn build(&self) -> Result<Router, BuildError> {
        self.build_saved(None)
    }

    /// Builds; a loaded router passes what it was saved with (`saved`), which it keeps
    /// as saved, so that saving it again gives the same bytes and fingerprint.
    pub(super) fn build_saved(&self, saved: Option<Saved>) -> Result<Router, BuildError> {
        self.check_sizes()?;
        let model = self.given_or_trained_model()?;
        let teams = resolve_teams(&self.teams)?;
        let intents: Vec<Arc<str>> = model.intent_ids().map(Arc::from).collect();
        let keywords: Vec<Arc<str>> = model.keyword_matcher().spellings().cloned().collect();
        let slots = self.slot_extractors(&model)?;
        let slot_names: Vec<String> = self.slots.iter().map(|s| s.slot.clone()).collect();
        let env = CompileEnv {
            intents: &intents,
            normalizer: model.keyword_matcher().normalizer(),
            keywords: &keywords,
            teams: &teams,
            slots: &slot_names,
        };
        let flow = CompiledFlow::compile(&self.flow, &env).map_err(|e| e.within("flow"))?;
        let saved = saved.unwrap_or_else(|| Saved {
            source: self.source().to_json(),
            model_hash: model.fingerprint(),
        });
        let fingerprint = Fingerprint::new(saved.model_hash, hash(saved.source.as_bytes()));
        Ok(Router {
            inner: Arc::new(Inner {
                model,
                flow,
                slots,
                source: saved.source,
                fingerprint,
            }),
        })
    }

    /// What the router keeps of its configuration besides the model.
    fn source(&self) -> Source {
        Source {
            flow: self.flow.clone(),
            teams: self.teams.clone(),
            slots: self.slots.clone(),
            limits: self.options.limits,
        }
    }

    /// The slot extractors, normalizing as the model does; `None` when none are
    /// declared. Errors name `slots[i]...`.
    fn slot_extractors(&self, model: &IntentModel) -> Result<Option<SlotExtractors>, BuildError> {
        if self.slots.is_empty() {
            return Ok(None);
        }
        let mut b = SlotExtractors::builder();
        b.slots(self.slots.iter().cloned())
            .normalize(model.normalizer().options());
        b.build().map(Some)
    }

    /// A builder holding everything a configuration document says.
    pub(super) fn from_config(config: RouterConfig) -> RouterBuilder {
        let mut b = RouterBuilder::default();
        b.config(config);
        b
    }

    fn check_sizes(&self) -> Result<(), BuildError> {
        let limits = &self.options.limits;
        limits
            .within(&self.ceiling_in_force())
            .map_err(|e| e.within("options.limits"))?;
        check_intent_ids(&self.intents)?;
        if self.flow.rules.len() > limits.max_rules {
            return Err(Limits::too_many(
                "flow.rules",
                limits.max_rules,
                self.flow.rules.len(),
            ));
        }
        self.options.validate().map_err(|e| e.within("options"))
    }

    /// The given model, or one trained on the intents.
    fn given_or_trained_model(&self) -> Result<IntentModel, BuildError> {
        let Some(model) = &self.model else {
            return self.train();
        };
        if !self.intents.is_empty() {
            return Err(BuildError::new("intents", ErrorKind::ModelAndIntents));
        }
        if self.options.threshold.is_some() {
            return Err(BuildError::new(
                "options.threshold",
                ErrorKind::ThresholdWithModel,
            ));
        }
        Ok(model.clone())
    }

    fn train(&self) -> Result<IntentModel, BuildError> {
        if self.intents.is_empty() {
            return Err(BuildError::new("intents", ErrorKind::Empty));
        }
        let mut b = IntentModel::builder();
        b.options(&self.options)
            .intents(self.intents.iter().cloned())
            .negatives(self.negatives.iter().map(String::as_str));
        b.build()
    }
}

/// Intent ids are matched exactly wherever a flow names them, so one with spaces around
/// it is refused rather than trimmed in one place and not another.
fn check_intent_ids(intents: &[Intent]) -> Result<(), BuildError> {
    match intents.iter().position(|i| i.id.trim() != i.id) {
        Some(i) => Err(BuildError::new(
            format!("intents[{i}].id"),
            ErrorKind::Untrimmed {
                id: intents[i].id.clone(),
            },
        )),
        None => Ok(()),
    }
}

/// Checks the teams and resolves each once: the compiled flow holds them.
fn resolve_teams(configs: &[TeamConfig]) -> Result<BTreeMap<String, Arc<Team>>, BuildError> {
    let mut teams = BTreeMap::new();
    for (i, t) in configs.iter().enumerate() {
        let path = format!("teams[{i}]");
        if t.id.trim().is_empty() {
            return Err(BuildError::new(format!("{path}.id"), ErrorKind::Empty));
        }
        if t.id.trim() != t.id {
            let id = t.id.clone();
            return Err(BuildError::new(
                format!("{path}.id"),
                ErrorKind::Untrimmed { id },
            ));
        }
        if teams.contains_key(&t.id) {
            return Err(BuildError::new(
                format!("{path}.id"),
                ErrorKind::Duplicate { id: t.id.clone() },
            ));
        }
        for (field, v) in [
            ("name", &t.name),
            ("queue", &t.queue),
            ("channel", &t.channel),
        ] {
            if v.as_ref().is_some_and(|v| v.trim().is_empty()) {
                return Err(BuildError::new(format!("{path}.{field}"), ErrorKind::Empty));
            }
        }
        let id: Arc<str> = Arc::from(t.id.as_str());
        let team = Team {
            name: t.name.as_deref().map_or_else(|| id.clone(), Arc::from),
            queue: t.queue.as_deref().map_or_else(|| id.clone(), Arc::from),
            channel: t.channel.as_deref().map(Arc::from),
            id,
        };
        teams.insert(t.id.clone(), Arc::new(team));
    }
    Ok(teams)
}

impl Router {
    /// A builder.
    pub fn builder() -> RouterBuilder {
        RouterBuilder::default()
    }

    /// Builds a router from one configuration document.
    pub fn from_config(config: RouterConfig) -> Result<Router, BuildError> {
        RouterBuilder::from_config(config).build()
    }

    /// Reads a configuration from any serde [`Deserializer`] and builds the router. A
    /// document of the wrong shape and an invalid configuration are both a
    /// [`BuildError`] naming the path of the offending item (see
    /// [`RouterConfig::from_deserializer`]).
    pub fn from_deserializer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Router, BuildError> {
        Router::from_config(RouterConfig::from_deserializer(deserializer)?)
    }
}
