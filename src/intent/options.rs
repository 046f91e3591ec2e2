//! [`ModelOptions`]: every option of [`IntentModelBuilder`], as one serde value.

use serde::{Deserialize, Serialize};

use crate::error::{BuildError, ValidationError};
use crate::limits::Limits;
use crate::text::NormalizeOptions;

use super::LabeledText;

#[cfg(doc)]
use super::IntentModelBuilder;

/// How an intent model is trained and calibrated: every option of
/// [`IntentModelBuilder`] as one value that a configuration file can hold. A missing
/// field takes its default; an unknown field is an error.
///
/// Set it with [`IntentModelBuilder::options`]; [`IntentModelBuilder::build`] checks
/// the values (a path in a [`BuildError`] is the field's name, such as `threshold`).
///
/// ```
/// use handoff::{Intent, IntentModel};
/// use handoff::intent::ModelOptions;
///
/// let options: ModelOptions = serde_json::from_str(
///     r#"{ "threshold": 0.4, "calibration_folds": 0, "limits": { "max_message_len": 4096 } }"#,
/// )?;
/// let model = IntentModel::builder()
///     .options(&options)
///     .intent(Intent::new("pricing").phrases(["how much is it", "what are your prices"]))
///     .build()?;
/// assert_eq!(model.threshold(), 0.4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ModelOptions {
    /// A fixed no-intent threshold on the calibrated confidence, in `[0, 1]`; `None`
    /// (the default) chooses it on held-out data (see
    /// [`IntentModelBuilder::threshold`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f32>,
    /// How much in-scope accuracy (a fraction in `[0, 1]`, default 0.01) the chosen
    /// threshold may cost on held-out data; ignored with a fixed `threshold`.
    pub max_in_scope_loss: f32,
    /// Cross-validation folds used for calibration when `calibrate_on` is empty
    /// (default 5); 0 or 1 skips calibration for a fixed score-to-confidence map.
    pub calibration_folds: usize,
    /// The SVM's C, a positive number (default 1.0): higher fits the example phrases
    /// more closely.
    pub regularization: f32,
    /// Text normalization (default: accent folding on), as
    /// `{ "fold_accents": true }`.
    pub normalize: NormalizeOptions,
    /// Size limits checked when building, `max_message_len` (the bytes of a message
    /// that are scored) included; see [`Limits`] for the defaults.
    pub limits: Limits,
    /// Held-out labelled messages to calibrate on instead of cross-validation folds,
    /// as `[text, intent]` pairs, `null` for "no intent":
    /// `[["how much is it", "pricing"], ["nice weather", null]]`. Default: none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calibrate_on: Vec<LabeledText>,
}

impl Default for ModelOptions {
    fn default() -> Self {
        ModelOptions {
            threshold: None,
            max_in_scope_loss: 0.01,
            calibration_folds: 5,
            regularization: 1.0,
            normalize: NormalizeOptions::default(),
            limits: Limits::default(),
            calibrate_on: Vec::new(),
        }
    }
}

impl ModelOptions {
    /// Checks the values that have a range; the builder calls it before training.
    pub(super) fn validate(&self) -> Result<(), BuildError> {
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(out_of_range("threshold", t, "0 to 1"));
            }
        }
        if !(0.0..=1.0).contains(&self.max_in_scope_loss) {
            return Err(out_of_range(
                "max_in_scope_loss",
                self.max_in_scope_loss,
                "0 to 1",
            ));
        }
        if !(self.regularization.is_finite() && self.regularization > 0.0) {
            return Err(out_of_range(
                "regularization",
                self.regularization,
                "a positive number",
            ));
        }
        Ok(())
    }
}

fn out_of_range(path: &str, value: f32, expected: &str) -> BuildError {
    BuildError::new(
        path,
        ValidationError::OutOfRange {
            value: value.to_string(),
            expected: expected.into(),
        },
    )
}
