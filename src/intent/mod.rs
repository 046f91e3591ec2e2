//! Intents and the intent model: what a message wants, how sure we are, and why.
//!
//! An [`Intent`] is an id plus example phrases and keyword triggers. An
//! [`IntentModelBuilder`] trains an [`IntentModel`] from them: a linear scorer over word
//! and character n-grams (see the crate docs for the design), keyword hits as features the
//! model weighs, and a confidence calibrated on held-out examples. [`IntentModel::detect`]
//! returns a [`Detection`]: the intent (or none, when the message fits no intent well
//! enough), a confidence in `[0, 1]`, ranked alternatives, keyword hits and the words that
//! drove the score.
//!
//! The builder and its validation are in `builder` (options as one serde value:
//! [`ModelOptions`]), training in `training`, confidence calibration and the threshold
//! in `calibration`, detection in `model` and `rank`; the taught values ([`Intent`]) are
//! in `types`, the returned ones ([`Detection`]) in `detection`.
//!
//! Complexity: training is roughly linear in the total length of the phrases times the
//! number of intents; `detect` is linear in the message length plus the weight rows of the
//! message's features, independent of the number of phrases.
//!
//! # Example
//! ```
//! use handoff::{Intent, IntentModel};
//!
//! let model = IntentModel::builder()
//!     .intent(Intent::new("pricing")
//!         .phrases(["how much does it cost", "what are your prices", "can I get a quote"])
//!         .keyword("pricing"))
//!     .intent(Intent::new("support")
//!         .phrases(["I can't log in", "the app crashes", "reset my password"]))
//!     .build()?;
//! let detection = model.detect("how much is the pro plan?");
//! assert_eq!(detection.intent_id(), Some("pricing"));
//! assert!(detection.confidence > 0.0 && detection.confidence <= 1.0);
//! # Ok::<(), handoff::BuildError>(())
//! ```

mod builder;
mod calibration;
mod detection;
mod model;
mod options;
mod rank;
mod training;
mod types;

pub use crate::limits::DEFAULT_MAX_MESSAGE_LEN;
pub use builder::IntentModelBuilder;
pub use detection::{Detection, Evidence, IntentScore};
pub use model::IntentModel;
pub use options::ModelOptions;
pub use types::{Intent, LabeledText};
