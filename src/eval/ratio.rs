//! Rates: a ratio that is `None` with nothing to divide by, and its display as a
//! percentage.

/// `num / den`, `None` when `den` is zero.
pub(crate) fn ratio(num: usize, den: usize) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// A rate as a percentage with one decimal, `-` when undefined.
pub(crate) fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{:.1}%", v * 100.0))
}
