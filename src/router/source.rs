//! What a router keeps of its configuration besides the model: the document a saved
//! router stores and the flow half of its fingerprint.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::config::TeamConfig;
use crate::flow::Flow;
use crate::limits::Limits;
use crate::slots::SlotConfig;

/// What a router is built from besides its model: the document a saved router keeps,
/// and the flow half of its fingerprint.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Source {
    pub(super) flow: Flow,
    pub(super) teams: Vec<TeamConfig>,
    pub(super) slots: Vec<SlotConfig>,
    pub(super) limits: Limits,
}

impl Source {
    /// The document as JSON. The configuration types hold no hash maps, so the same
    /// configuration always gives the same text.
    pub(super) fn to_json(&self) -> Arc<str> {
        // Serializing plain data structures to a string cannot fail.
        Arc::from(serde_json::to_string(self).unwrap_or_default())
    }
}

/// What a loaded router was saved with: its configuration document and its model's
/// fingerprint.
pub(super) struct Saved {
    pub(super) source: Arc<str>,
    pub(super) model_hash: u64,
}
