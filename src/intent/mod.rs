//! Intents and the intent model: what a message wants, how sure we are, and why.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

mod builder;
mod calibration;
mod detection;
mod model;
mod morphology;
mod options;
mod persist;
mod rank;
#[cfg(test)]
mod reading_tests;
mod spelling;
mod training;
mod types;

pub use builder::IntentModelBuilder;
pub use detection::{Detection, Evidence, IntentScore};
pub use model::IntentModel;
pub use options::ModelOptions;
pub use types::{Intent, LabeledText};
