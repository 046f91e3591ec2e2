//! Saving and loading a [`Router`]: its trained model as saved by the model, and its
//! flow, teams, slot extractors and limits as one JSON document that loading compiles
//! again (compiling is cheap; training, which loading skips, is not).
//!
//! Complexity: linear in the model's size plus the configuration's, both ways; loading
//! also compiles the flow, as building does.

use std::sync::Arc;

use super::decide::Router;
use super::source::{Saved, Source};
use crate::intent::IntentModel;
use crate::persist::{
    hash, open, seal, Fingerprint, Kind, LoadError, LoadErrorKind, Reader, Writer,
};

impl Router {
    /// A stable identifier of this bot: its trained model's fingerprint and its flow's
    /// (see [`Fingerprint`]). Every [`Decision`](crate::Decision) carries it.
    pub fn fingerprint(&self) -> Fingerprint {
        self.inner.fingerprint
    }

    /// The router as bytes, for the host to store: the trained model (weights,
    /// calibration, threshold, keywords) and the flow, teams, slot extractors and
    /// limits. [`Router::from_bytes`] reads them back into a router that decides
    /// exactly as this one does, with the same fingerprint.
    ///
    /// ```
    /// use handoff::{Context, Message, Router, RouterConfig};
    /// let config: RouterConfig = serde_json::from_str(r#"{
    ///   "intents": [{"id": "pricing", "phrases": ["how much is it", "what are your prices"]},
    ///               {"id": "support", "phrases": ["I can't log in", "the app crashes"]}],
    ///   "teams": [{"id": "sales"}],
    ///   "flow": {"rules": [{"id": "price", "when": {"intent": {"id": "pricing"}},
    ///                       "route": {"kind": "handoff", "team": "sales"}}]}
    /// }"#).unwrap();
    /// let router = Router::from_config(config)?;
    /// let bytes = router.to_bytes();
    /// let loaded = Router::from_bytes(&bytes).unwrap();
    /// let message = Message::text("what are your prices?");
    /// let decision = loaded.decide(&message, &Context::default());
    /// assert_eq!(decision, router.decide(&message, &Context::default()));
    /// assert_eq!(decision.fingerprint, router.fingerprint());
    /// # Ok::<(), handoff::BuildError>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.bytes(&self.inner.model.payload());
        w.str(&self.inner.source);
        seal(Kind::Router, &w.bytes)
    }

    /// Reads a router saved by [`Router::to_bytes`]: the model as trained (nothing is
    /// retrained), the flow compiled again from its stored configuration. Damaged,
    /// truncated, foreign or wrong-version bytes are a [`LoadError`] saying which; a
    /// stored configuration this version of the crate no longer accepts is
    /// [`LoadErrorKind::Config`]. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Router, LoadError> {
        let payload = open(bytes, Kind::Router)?;
        let mut r = Reader::new(payload);
        let model_bytes = r.bytes("model")?;
        let source = r.str("router.config")?;
        r.finish("router")?;
        let mut model_reader = Reader::new(model_bytes);
        let model = IntentModel::decode(&mut model_reader)?;
        model_reader.finish("model")?;
        let parsed: Source = serde_json::from_str(source)
            .map_err(|e| LoadError::malformed("router.config", e.to_string()))?;
        let saved = Saved {
            source: Arc::from(source),
            model_hash: hash(model_bytes),
        };
        let mut builder = Router::builder();
        builder
            .model(model)
            .flow(parsed.flow)
            .teams(parsed.teams)
            .slots(parsed.slots)
            .limits(parsed.limits);
        builder
            .build_saved(Some(saved))
            .map_err(|e| LoadError::new("router.config", LoadErrorKind::Config(e)))
    }
}
