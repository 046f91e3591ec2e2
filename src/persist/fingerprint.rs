//! [`Fingerprint`]: which trained model and which flow made a decision.

use std::fmt;
use std::str::FromStr;

/// XXH64 of `bytes`, seed 0: a specified hash, the same on every machine and in every
/// release (unlike `std`'s `DefaultHasher`), and fast enough to run over a model on
/// every save and load.
pub(crate) fn hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh64::xxh64(bytes, 0)
}

/// A stable identifier of a bot: one hash of the trained model (weights, calibration,
/// threshold, keywords, normalization) and one of the flow (rules, teams, slot
/// extractors, limits). Anything that can change a decision changes one of them; the
/// same bot has the same fingerprint in every process, on every machine, before and
/// after a save and load.
///
/// It prints (and serializes) as `MODEL-FLOW`, sixteen hex digits each, and parses back
/// from that form: logs can say which bot decided, and which half changed.
///
/// ```
/// use handoff::Fingerprint;
/// let f: Fingerprint = "00000000000000ab-00000000000000cd".parse().unwrap();
/// assert_eq!((f.model(), f.flow()), (0xab, 0xcd));
/// assert_eq!(f.to_string(), "00000000000000ab-00000000000000cd");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint {
    model: u64,
    flow: u64,
}

impl Fingerprint {
    /// A fingerprint from its two halves.
    pub fn new(model: u64, flow: u64) -> Self {
        Fingerprint { model, flow }
    }

    /// The trained model's half: [`IntentModel::fingerprint`](crate::IntentModel::fingerprint).
    pub fn model(&self) -> u64 {
        self.model
    }

    /// The flow's half: rules, teams, slot extractors and limits.
    pub fn flow(&self) -> u64 {
        self.flow
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}-{:016x}", self.model, self.flow)
    }
}

/// A text that is not `MODEL-FLOW` in sixteen hex digits each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseFingerprintError;

impl fmt::Display for ParseFingerprintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "a fingerprint is two groups of 16 hex digits joined by '-'"
        )
    }
}

impl std::error::Error for ParseFingerprintError {}

impl FromStr for Fingerprint {
    type Err = ParseFingerprintError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let half = |h: &str| {
            if h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
                u64::from_str_radix(h, 16).map_err(|_| ParseFingerprintError)
            } else {
                Err(ParseFingerprintError)
            }
        };
        let (model, flow) = s.split_once('-').ok_or(ParseFingerprintError)?;
        Ok(Fingerprint::new(half(model)?, half(flow)?))
    }
}

impl serde::Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Fingerprint {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_xxh64_as_specified() {
        // Reference values of XXH64 with seed 0.
        assert_eq!(hash(b""), 0xEF46_DB37_51D8_E999);
        assert_eq!(hash(b"a"), 0xD24E_C4F1_A98C_6E5B);
    }

    #[test]
    fn a_fingerprint_reads_back_what_it_prints() {
        let f = Fingerprint::new(0x0123_4567_89ab_cdef, 42);
        assert_eq!(f.to_string().parse::<Fingerprint>(), Ok(f));
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(json, "\"0123456789abcdef-000000000000002a\"");
        assert_eq!(serde_json::from_str::<Fingerprint>(&json).unwrap(), f);
        for bad in [
            "",
            "-",
            "0123456789abcdef",
            "0123456789abcdeg-000000000000002a",
            "+123456789abcdef-000000000000002a",
        ] {
            assert!(bad.parse::<Fingerprint>().is_err(), "{bad}");
        }
    }
}
