//! The router's configuration as one serde document, and loading it with error paths.

use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{BuildError, ErrorKind};
use crate::flow::Flow;
use crate::intent::{Intent, ModelOptions};
use crate::slots::SlotConfig;

/// A team the flow can hand off to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamConfig {
    /// The id rules refer to (`sales`).
    pub id: String,
    /// Display name (`{team.name}`); default: the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Queue (`{team.queue}`, the `assign` action); default: the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Notification channel (`{team.channel}`), such as `#sales`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl TeamConfig {
    /// A team with this id and defaults.
    pub fn new(id: impl Into<String>) -> Self {
        TeamConfig {
            id: id.into(),
            name: None,
            queue: None,
            channel: None,
        }
    }

    /// Sets the notification channel.
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }
}

/// The whole router configuration as one serde document (JSON, TOML...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// Intents to train the model on.
    pub intents: Vec<Intent>,
    /// Out-of-scope example phrases (chit-chat the model should not take for intents).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub negatives: Vec<String>,
    /// The flow.
    pub flow: Flow,
    /// Teams.
    pub teams: Vec<TeamConfig>,
    /// Slot extractors: slots filled from any message that mentions them, asked or not
    /// (`[{"slot": "company_size", "number": {"cues": ["people", "seats"]}}]`, see
    /// [`crate::slots`]). Their names count as known slot names for the flow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<SlotConfig>,
    /// Model options: a fixed threshold, calibration, regularization, normalization
    /// and size limits (see [`ModelOptions`]); all optional.
    #[serde(default)]
    pub options: ModelOptions,
}

impl RouterConfig {
    /// Reads a configuration from any serde [`Deserializer`] (JSON, TOML, YAML... the
    /// host picks the format and reads the text). A document that does not fit the
    /// configuration's shape is a [`BuildError`] whose path names the offending field,
    /// such as `flow.rules[3].priority: invalid type: string "high", expected i32`.
    ///
    /// Only the value is read: a format that checks for trailing input (as
    /// `serde_json::from_str` does) needs its own end check after this call.
    ///
    /// ```
    /// use handoff::RouterConfig;
    /// let text = r#"{"intents": [], "teams": [], "flow": {"rules": [{"id": "r", "priority": "high"}]}}"#;
    /// let err = RouterConfig::from_deserializer(&mut serde_json::Deserializer::from_str(text))
    ///     .unwrap_err();
    /// assert_eq!(err.path(), "flow.rules[0].priority");
    /// ```
    pub fn from_deserializer<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<RouterConfig, BuildError> {
        serde_path_to_error::deserialize(deserializer).map_err(document_error)
    }
}

/// A malformed document as a [`BuildError`] at the path serde reached.
fn document_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> BuildError {
    let path = e.path().to_string();
    // The whole document (an empty path) prints as "."; report it as no path.
    let path = if path == "." { String::new() } else { path };
    BuildError::new(
        path,
        ErrorKind::Document {
            message: e.inner().to_string(),
        },
    )
}
