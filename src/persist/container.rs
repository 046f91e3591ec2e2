//! The file around a payload: magic, format version, kind, length, checksum.
//!
//! Complexity: O(payload) for the checksum, both ways.

use super::error::{LoadError, LoadErrorKind};
use super::fingerprint::hash;

/// The first bytes of every saved model or router.
const MAGIC: [u8; 8] = *b"\x89HANDOFF";

/// The format version this build writes and reads. It changes whenever the payload's
/// layout does; a file of another version is refused with
/// [`LoadErrorKind::UnsupportedVersion`], never misread.
///
/// # The format
///
/// A file is a 28-byte header followed by a payload:
///
/// | bytes  | what |
/// |--------|------|
/// | 0..8   | magic `\x89HANDOFF` (a high byte first, so text tools see a binary file) |
/// | 8..10  | format version, `u16` little-endian ([`FORMAT_VERSION`]) |
/// | 10     | what the payload holds: 1 an intent model, 2 a router |
/// | 11     | reserved, 0 |
/// | 12..20 | payload length in bytes, `u64` little-endian |
/// | 20..28 | XXH64 (seed 0) of the payload, `u64` little-endian |
///
/// Every number is little-endian and every float is stored as its bits, so a file reads
/// the same on every machine. Lists are a `u32` count then the items; a count is checked
/// against the bytes left before anything is allocated, so no length field, however
/// corrupted, makes loading allocate more than a small multiple of the input's size.
/// Loading checks the magic, the version, the kind, the length and the checksum, in
/// that order, and then every index and length inside the payload, so a damaged or
/// foreign input is a [`LoadError`] naming what is wrong, never a panic and never a
/// model that decides differently.
///
/// A model's payload: its intent ids, normalization options, message length limit,
/// threshold, calibration coefficients and keyword entries, then the scorer's biases,
/// feature table (the occupied count, one tag byte per slot, eight 32-bit fields per
/// occupied slot), dense rows, character vectors and sparse rows, as trained, then the
/// meaning block (its dimension count, 0 without word vectors; otherwise the word
/// vectors' XXH64, its rows and its words). The keyword automaton is compiled again
/// from the entries: nothing trained is recomputed.
///
/// Version 2 added the meaning block; files of version 1 are refused
/// ([`LoadErrorKind::UnsupportedVersion`](crate::LoadErrorKind)): retrain them.
///
/// A router's payload is its model's payload (length-prefixed) followed by its flow,
/// teams, slot extractors and limits as one JSON document; loading compiles the flow
/// from it, as building does.
pub const FORMAT_VERSION: u16 = 2;

/// Bytes before the payload.
const HEADER: usize = 28;

/// What a payload holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Model = 1,
    Router = 2,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Model => "model",
            Kind::Router => "router",
        }
    }

    fn name_of(byte: u8) -> &'static str {
        match byte {
            1 => Kind::Model.name(),
            2 => Kind::Router.name(),
            _ => "unknown",
        }
    }
}

/// The payload in its file: header then payload.
pub(crate) fn seal(kind: Kind, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.push(kind as u8);
    out.push(0);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The payload of a file of `kind`, once the header checks out: magic, version, kind,
/// length, then checksum.
pub(crate) fn open(bytes: &[u8], kind: Kind) -> Result<&[u8], LoadError> {
    if bytes.is_empty() {
        return Err(LoadError::new("", LoadErrorKind::Empty));
    }
    let magic = &bytes[..bytes.len().min(MAGIC.len())];
    if magic != &MAGIC[..magic.len()] {
        return Err(LoadError::new("", LoadErrorKind::NotHandoff));
    }
    if bytes.len() < HEADER {
        return Err(LoadError::new(
            "header",
            LoadErrorKind::Truncated {
                expected: HEADER as u64,
                found: bytes.len() as u64,
            },
        ));
    }
    let (header, payload) = bytes.split_at(HEADER);
    let field = |at: usize, n: usize| {
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(&header[at..at + n]);
        u64::from_le_bytes(buf)
    };
    let version = field(8, 2) as u16;
    if version != FORMAT_VERSION {
        return Err(LoadError::new(
            "header.version",
            LoadErrorKind::UnsupportedVersion {
                found: version,
                supported: FORMAT_VERSION,
            },
        ));
    }
    if header[10] != kind as u8 {
        return Err(LoadError::new(
            "header.kind",
            LoadErrorKind::WrongKind {
                expected: kind.name(),
                found: Kind::name_of(header[10]),
            },
        ));
    }
    if header[11] != 0 {
        return Err(LoadError::malformed("header.reserved", "must be 0"));
    }
    check_length(field(12, 8), payload.len())?;
    let (expected, found) = (field(20, 8), hash(payload));
    if expected != found {
        return Err(LoadError::new(
            "",
            LoadErrorKind::ChecksumMismatch { expected, found },
        ));
    }
    Ok(payload)
}

fn check_length(said: u64, payload: usize) -> Result<(), LoadError> {
    let (expected, found) = (
        said.saturating_add(HEADER as u64),
        (payload + HEADER) as u64,
    );
    if found < expected {
        return Err(LoadError::new(
            "",
            LoadErrorKind::Truncated { expected, found },
        ));
    }
    if found > expected {
        return Err(LoadError::new(
            "",
            LoadErrorKind::TrailingBytes { expected, found },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_payload_opens_as_itself() {
        let file = seal(Kind::Model, b"payload");
        assert_eq!(open(&file, Kind::Model).unwrap(), b"payload");
        assert!(matches!(
            open(&file, Kind::Router).unwrap_err().kind(),
            LoadErrorKind::WrongKind {
                expected: "router",
                found: "model"
            }
        ));
    }

    #[test]
    fn every_damaged_header_is_named() {
        let file = seal(Kind::Router, b"some payload bytes");
        let kind = |bytes: &[u8]| open(bytes, Kind::Router).unwrap_err().kind().clone();
        assert!(matches!(kind(&[]), LoadErrorKind::Empty));
        assert!(matches!(kind(b"PK\x03\x04"), LoadErrorKind::NotHandoff));
        assert!(matches!(kind(&file[..5]), LoadErrorKind::Truncated { .. }));
        assert!(matches!(kind(&file[..20]), LoadErrorKind::Truncated { .. }));
        assert!(matches!(
            kind(&file[..file.len() - 1]),
            LoadErrorKind::Truncated { .. }
        ));
        let mut longer = file.clone();
        longer.push(0);
        assert!(matches!(kind(&longer), LoadErrorKind::TrailingBytes { .. }));
        let mut version = file.clone();
        version[8] = 9;
        assert!(matches!(
            kind(&version),
            LoadErrorKind::UnsupportedVersion {
                found: 9,
                supported: FORMAT_VERSION
            }
        ));
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(matches!(
            kind(&flipped),
            LoadErrorKind::ChecksumMismatch { .. }
        ));
        let mut reserved = file;
        reserved[11] = 1;
        assert!(matches!(kind(&reserved), LoadErrorKind::Malformed { .. }));
    }
}
