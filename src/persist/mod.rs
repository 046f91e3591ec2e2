//! Saving and loading trained bots: a versioned byte format with a checksum, and the
//! fingerprints that name what decides.
//!
//! The crate does no I/O: [`IntentModel::to_bytes`](crate::IntentModel::to_bytes) and
//! [`Router::to_bytes`](crate::Router::to_bytes) return bytes for the host to store,
//! and `from_bytes` takes them back. Loading rebuilds nothing trainable: the weights,
//! the feature table, the calibration and the threshold are stored as trained; what is
//! cheap to compile from configuration (the keyword automaton, the flow) is compiled
//! again from the stored configuration.
//!
//! # The format
//!
//! Described on [`FORMAT_VERSION`], the public item hosts see.
//!
//! # Fingerprints
//!
//! A [`Fingerprint`] is the XXH64 of a model's payload and of the router's JSON
//! document: it changes when anything that decides changes (a weight, the threshold, a
//! keyword, a rule), and is the same for the same bot in every process and on every
//! machine.
//!
//! # Complexity
//!
//! Saving and loading are linear in the model's size (its feature table and weight
//! rows) plus the configuration's; loading also compiles the keywords and the flow, as
//! building does, but trains nothing.

mod codec;
mod container;
mod error;
mod fingerprint;

pub(crate) use codec::{Reader, Writer};
pub use container::FORMAT_VERSION;
pub(crate) use container::{open, seal, Kind};
pub use error::{LoadError, LoadErrorKind};
pub(crate) use fingerprint::hash;
pub use fingerprint::{Fingerprint, ParseFingerprintError};
