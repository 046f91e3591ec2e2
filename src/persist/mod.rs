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
//! A file is a 28-byte header followed by a payload:
//!
//! | bytes  | what |
//! |--------|------|
//! | 0..8   | magic `\x89HANDOFF` (a high byte first, so text tools see a binary file) |
//! | 8..10  | format version, `u16` little-endian ([`FORMAT_VERSION`]) |
//! | 10     | what the payload holds: 1 an intent model, 2 a router |
//! | 11     | reserved, 0 |
//! | 12..20 | payload length in bytes, `u64` little-endian |
//! | 20..28 | XXH64 (seed 0) of the payload, `u64` little-endian |
//!
//! Every number is little-endian and every float is stored as its bits, so a file reads
//! the same on every machine. Lists are a `u32` count then the items; a count is checked
//! against the bytes left before anything is allocated, so no length field, however
//! corrupted, makes loading allocate more than a small multiple of the input's size.
//! Loading checks the magic, the version, the kind, the length and the checksum, in
//! that order, and then every index and length inside the payload, so a damaged or
//! foreign input is a [`LoadError`] naming what is wrong, never a panic and never a
//! model that decides differently.
//!
//! A router's payload is its model's payload (length-prefixed) followed by its flow,
//! teams, slot extractors and limits as one JSON document; loading compiles the flow
//! from it, as building does.
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
