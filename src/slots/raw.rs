//! A number as first read from digits or words, before its surroundings (sign,
//! qualifier, range, unit) are looked at.

/// One number read from digits or words, before its surroundings are looked at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Core {
    pub(super) value: f64,
    pub(super) start: usize,
    pub(super) end: usize,
    /// The multiplier of its last scale ("k", "hundred"), 1 when none: "10-20k" applies
    /// the 20k's to the 10.
    pub(super) mult: f64,
    pub(super) approx: bool,
    /// Four plain digits, which may be a year.
    pub(super) year_like: bool,
}

impl Core {
    pub(crate) fn words(start: usize, end: usize, value: f64, mult: f64, approx: bool) -> Self {
        Core {
            value,
            start,
            end,
            mult,
            approx,
            year_like: false,
        }
    }
}
