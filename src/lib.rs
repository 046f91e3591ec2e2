//! Intent detection, sales-handoff routing and team assignment for chat products.
//!
//! # Overview
//!
//! A chat product receives a message. `handoff` tells it what the message wants, whether
//! to hand the conversation to a human team (sales, support), ask a qualifying question
//! first, or let the bot carry on, and which teammate gets it. It is a library only: it
//! does no I/O (no files, network, clock or threads of its own). The host owns transport,
//! storage and time, passes them in, and carries out the actions it gets back.
//!
//! The pieces, in the order a message meets them:
//!
//! 1. [`Normalizer`] folds case, accents, width and typographic quotes, keeping a map
//!    back to the original text so every hit can be highlighted where the user typed it.
//! 2. [`KeywordMatcher`] finds keyword triggers (whole words, typo-tolerant, aware of
//!    negation: "I don't need a demo").
//! 3. [`IntentModel`] scores the message against every intent with a linear model over
//!    word and character n-grams, and returns a [`Detection`] with a calibrated
//!    confidence, or no intent when the message fits none well enough.
//! 4. [`Router`] evaluates a declarative [`Flow`](flow::Flow) of [`Rule`](flow::Rule)s over the detection, the
//!    event (a button click), the channel and the conversation's [`Context`], and returns
//!    a [`Decision`]: the [`Route`](flow::Route), the rendered [`Action`](flow::Action)s, what to persist, and a
//!    [`Trace`](flow::Trace) that explains it.
//! 5. [`Assigner`](assign::Assigner) picks the teammate: round-robin, balanced or weighted, with caps,
//!    skills, a sticky owner and away handling; its state can be shared across hosts.
//! 6. [`eval`] measures all of it: accuracy reports, threshold sweeps, cross-validation,
//!    training-data lint, scenario suites and hand-off KPIs.
//!
//! Compiled values ([`IntentModel`], [`Router`]) are immutable, `Send + Sync` and cheap
//! to clone; call them from as many threads as you like. Every configuration type is
//! serde, and every configuration mistake is a [`BuildError`] that names the offending
//! item's path, found when building, never at decision time.
//!
//! # Example: what does a message want?
//!
//! ```
//! use handoff::{Intent, IntentModel};
//!
//! let model = IntentModel::builder()
//!     .intent(Intent::new("pricing")
//!         .phrases(["how much does it cost", "what are your prices", "is there a discount"])
//!         .keywords(["pricing", "quote"]))
//!     .intent(Intent::new("support")
//!         .phrases(["I can't log in", "the app keeps crashing", "how do I reset my password"]))
//!     .build()?;
//!
//! let detection = model.detect("Can I get a qoute for 20 seats?");
//! assert_eq!(detection.intent_id(), Some("pricing"));
//! // The typo still finds the keyword, and the hit points at what the user typed.
//! let hit = &detection.keywords[0];
//! assert_eq!(&*hit.keyword, "quote");
//! assert_eq!(&"Can I get a qoute for 20 seats?"[hit.span.clone()], "qoute");
//! # Ok::<(), handoff::BuildError>(())
//! ```
//!
//! # Example: deciding whether to hand off
//!
//! ```
//! use handoff::{Context, Message, Router, RouterConfig};
//!
//! let config: RouterConfig = serde_json::from_str(r#"{
//!   "intents": [
//!     {"id": "pricing", "phrases": ["how much does it cost", "what are your prices"],
//!      "keywords": ["pricing", "quote", "demo"]},
//!     {"id": "support", "phrases": ["I can't log in", "the app is broken"]}
//!   ],
//!   "teams": [{"id": "sales"}, {"id": "support"}],
//!   "flow": {"rules": [
//!     {"id": "hot_lead", "when": {"keyword": {"any": ["quote", "demo"]}},
//!      "route": {"kind": "handoff", "team": "sales"},
//!      "actions": [{"kind": "tag", "tag": "Sales Lead"}]},
//!     {"id": "help", "when": {"intent": {"id": "support"}},
//!      "route": {"kind": "handoff", "team": "support"}}
//!   ]}
//! }"#).unwrap();
//! let router = Router::from_config(config)?;
//!
//! let decision = router.decide(&Message::text("I'd like a demo"), &Context::default());
//! assert_eq!(decision.route.team(), Some("sales"));
//! assert_eq!(decision.updates.add_tags, ["Sales Lead"]);
//!
//! // A negated trigger does not fire: this is a support request.
//! let decision = router.decide(
//!     &Message::text("I don't want a demo, I can't log in"),
//!     &Context::default(),
//! );
//! assert_eq!(decision.route.team(), Some("support"));
//! println!("{}", decision.explain());
//! # Ok::<(), handoff::BuildError>(())
//! ```
//!
//! # Example: who on the team gets it?
//!
//! ```
//! use handoff::assign::{Agent, AgentStatus, Assigner, AssignRequest, Policy, Roster, Team};
//!
//! let roster = Roster::new()
//!     .with_team(Team::new("sales", Policy::Balanced).with_members(["ana", "bob", "cy"]))
//!     .with_agent(Agent::new("ana").with_open(2))
//!     .with_agent(Agent::new("bob").with_open(1))
//!     .with_agent(Agent::new("cy").with_status(AgentStatus::Away));
//! let assigner = Assigner::builder().roster(roster).track_open(true).build()?;
//! // Fewest open conversations among those available: bob (cy is away).
//! assert_eq!(assigner.assign(&AssignRequest::new("sales")).agent(), Some("bob"));
//! # Ok::<(), handoff::BuildError>(())
//! ```
//!
//! # Crate features
//!
//! - `rasa` (off by default): `import::from_rasa_nlu`, reading Rasa NLU YAML, through
//!   `yaml-rust2`.
//!
//! By default the crate depends on `serde`, `serde_json` (the decision log's JSON
//! lines), `serde_path_to_error` (error paths in configuration documents), `regex`,
//! `aho-corasick`, `unicode-normalization` and `xxhash-rust` (checksums and fingerprints
//! of saved bots) only, and forbids `unsafe` code.
//!
//! # Saving, comparing, importing
//!
//! [`Router::to_bytes`] and [`Router::from_bytes`] save and load a trained bot without
//! retraining it (the format: see [`FORMAT_VERSION`] and [`LoadError`]); every
//! [`Decision`] carries the router's [`Fingerprint`]. [`eval::compare`] shows what a
//! retrained bot would decide differently before it goes live, and [`import`] reads
//! training data kept as CSV or Rasa NLU YAML.
//!
//! # Performance
//!
//! `docs/performance.md` in the repository gives the measured figures and the command
//! for each (`cargo run --release --example evaluate -- DATASET_DIR`, `cargo bench`);
//! `docs/design.md` explains the internals.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod assign;
mod conversation;
mod english;
mod error;
pub mod eval;
pub mod flow;
pub mod import;
mod intent;
mod keywords;
mod limits;
mod persist;
mod router;
mod scorer;
mod seeded;
pub mod slots;
mod text;
mod word_hash;
mod word_vectors;

// The curated root: the facade types and everything they take or return. The public
// modules `flow` (the rule language and traces), `assign`, `eval` and `slots` hold the
// rest, each item at one path.
pub use conversation::{
    Context, ContextUpdate, Conversation, Event, Form, HandoffNote, IntentSeen, LocalTime, Message,
    Pending, SlotSeen, SlotSource, Summary, Value, Weekday, WithTeam, MAX_SUMMARY_INTENTS,
    MAX_SUMMARY_SLOTS, MAX_SUMMARY_TEXT,
};
pub use error::{BuildError, ErrorKind, Expected, Item};
pub use intent::{
    Detection, Evidence, Intent, IntentModel, IntentModelBuilder, IntentScore, LabeledText,
    ModelOptions,
};
pub use keywords::{
    KeywordHit, KeywordMatcher, MatchKind, Negation, NegationPolicy, LOOKAHEAD_BYTES,
    LOOKAHEAD_WORDS,
};
pub use limits::{
    Limits, DEFAULT_MAX_MESSAGE_LEN, MAX_CONDITION_DEPTH, MAX_KEYWORD_OCCURRENCES, MAX_OPTION_LEN,
    MAX_PENDING_OPTIONS, MAX_REGEX_LEN, MAX_REGEX_NEST, MAX_REGEX_SIZE, MAX_REGEX_UNROLLED,
    MAX_TEMPLATE_VALUE, MAX_TRACE_ITEMS, MAX_TRACE_TEXT, MAX_VALUE_DEPTH,
};
pub use persist::{Fingerprint, LoadError, LoadErrorKind, ParseFingerprintError, FORMAT_VERSION};
pub use router::{Decision, Router, RouterBuilder, RouterConfig, TeamConfig};
pub use text::{NormalizeOptions, Normalized, Normalizer, Token};
