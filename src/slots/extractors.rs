//! [`SlotExtractors`]: the compiled slots of a configuration, and the builder that
//! validates and compiles them.

use std::sync::Arc;

use super::config::{self, SlotConfig};
use super::extract;
use super::number::{self, MAX_CANDIDATES};
use super::scan;
use super::types::Extracted;
use crate::error::BuildError;
use crate::text::{NormalizeOptions, Normalized, Normalizer};

/// Compiled slot extractors: immutable, `Send + Sync`, cheap to clone.
///
/// ```
/// use handoff::slots::{NumberSlot, SlotConfig, SlotExtractors};
/// let slots = SlotExtractors::builder()
///     .slot(SlotConfig::number("company_size", NumberSlot::new().cues(["employees"])))
///     .build()?;
/// let found = slots.extract("we have 5000 employees and need SSO", None);
/// assert_eq!(found[0].value.as_number(), Some(5000.0));
/// # Ok::<(), handoff::BuildError>(())
/// ```
#[derive(Clone, Debug)]
pub struct SlotExtractors {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Vec<SlotConfig>,
    slots: Vec<config::Compiled>,
    normalizer: Normalizer,
}

/// Builds [`SlotExtractors`]; reusable.
#[derive(Clone, Debug, Default)]
pub struct SlotExtractorsBuilder {
    slots: Vec<SlotConfig>,
    normalize: NormalizeOptions,
}

impl SlotExtractorsBuilder {
    /// Adds a slot.
    pub fn slot(&mut self, slot: SlotConfig) -> &mut Self {
        self.slots.push(slot);
        self
    }

    /// Adds slots.
    pub fn slots(&mut self, slots: impl IntoIterator<Item = SlotConfig>) -> &mut Self {
        self.slots.extend(slots);
        self
    }

    /// The normalization messages and cues get; use the router's so that
    /// [`SlotExtractors::extract_normalized`] can take its normalized text.
    pub fn normalize(&mut self, options: NormalizeOptions) -> &mut Self {
        self.normalize = options;
        self
    }

    /// Validates the slots, naming the first bad item by its path
    /// (`slots[1].number.max: ...`).
    pub fn build(&self) -> Result<SlotExtractors, BuildError> {
        let normalizer = Normalizer::new(self.normalize);
        let slots = config::compile(&self.slots, &normalizer)?;
        Ok(SlotExtractors {
            inner: Arc::new(Inner {
                config: self.slots.clone(),
                slots,
                normalizer,
            }),
        })
    }
}

impl SlotExtractors {
    /// A builder.
    pub fn builder() -> SlotExtractorsBuilder {
        SlotExtractorsBuilder::default()
    }

    /// Extractors for `slots`, with the default normalization.
    ///
    /// ```
    /// use handoff::slots::{SlotConfig, SlotExtractors};
    /// let config: Vec<SlotConfig> = serde_json::from_str(
    ///     r#"[{"slot": "size", "number": {"min": 10, "max": 5}}]"#,
    /// ).unwrap();
    /// let err = SlotExtractors::new(&config).unwrap_err();
    /// assert_eq!(err.path(), "slots[0].number.max");
    /// ```
    pub fn new(slots: &[SlotConfig]) -> Result<Self, BuildError> {
        Self::builder().slots(slots.iter().cloned()).build()
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &[SlotConfig] {
        &self.inner.config
    }

    /// The normalizer it reads messages with.
    pub fn normalizer(&self) -> Normalizer {
        self.inner.normalizer
    }

    /// Whether a slot of that name is declared.
    pub fn contains(&self, slot: &str) -> bool {
        self.inner.slots.iter().any(|s| s.name == slot)
    }

    /// What `text` fills, at most one value per slot, in the order the slots were
    /// declared. `asked` names the slot the last question asked for, if any: a bare
    /// number then fills a number slot, and the message fills a text slot.
    ///
    /// For each number slot, the first number next to one of its cues that is not
    /// rejected is taken; failing that, when asked, the first number not tied to another
    /// slot's cue; failing both, the first rejected one, so the host can say why.
    pub fn extract(&self, text: &str, asked: Option<&str>) -> Vec<Extracted> {
        let normalized = self.inner.normalizer.normalize(text);
        self.extract_normalized(text, &normalized, asked)
    }

    /// Like [`extract`](Self::extract), for a message the caller already normalized
    /// with [`normalizer`](Self::normalizer). Spans are in `text`; with a `normalized`
    /// that does not come from `text` they are meaningless, but nothing panics.
    pub fn extract_normalized(
        &self,
        text: &str,
        normalized: &Normalized,
        asked: Option<&str>,
    ) -> Vec<Extracted> {
        let mut scan = scan::Scan::new(normalized);
        let mentions = number::read_mentions(&mut scan, MAX_CANDIDATES);
        let mut message = extract::Message {
            original: text,
            normalized,
            scan,
            mentions,
        };
        extract::extract(&self.inner.slots, &mut message, asked)
    }
}
