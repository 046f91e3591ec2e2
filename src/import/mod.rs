//! Importing training data a team already keeps elsewhere: Rasa's NLU YAML (with the
//! `rasa` feature) and CSV exports (`text,intent`). Each importer is a function from the
//! text (the host reads the file) to the crate's [`Intent`](crate::Intent)s, ready for
//! [`IntentModel::builder`](crate::IntentModel::builder) or a
//! [`RouterConfig`](crate::RouterConfig); bad input is an [`ImportError`] with the
//! line of the problem.
//!
//! Complexity: linear in the text's length.

mod csv;
mod error;
mod markup;
#[cfg(feature = "rasa")]
mod rasa;
#[cfg(feature = "rasa")]
mod yaml;

pub use csv::from_csv;
pub use error::{ImportError, ImportErrorKind};
pub use markup::{strip_entity_markup, EntityMention};
#[cfg(feature = "rasa")]
pub use rasa::{from_rasa_nlu, Lookup, RasaNlu, Synonym};
