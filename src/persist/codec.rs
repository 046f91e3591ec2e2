//! Little-endian writing and bounds-checked reading of a payload's numbers, strings and
//! lists.
//!
//! Complexity: every read and write is O(its size); a list's count is checked against
//! the bytes left before the caller allocates for it.

use super::error::LoadError;

/// Appends values to a payload.
#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn f32(&mut self, v: f32) {
        self.u32(v.to_bits());
    }

    /// A count of items, as a `u32`. Every count the crate stores fits: the limits keep
    /// models far below 4 G of anything.
    pub(crate) fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// A length-prefixed byte string.
    pub(crate) fn bytes(&mut self, v: &[u8]) {
        self.count(v.len());
        self.bytes.extend_from_slice(v);
    }

    /// A length-prefixed run of signed bytes (two's complement).
    pub(crate) fn i8s(&mut self, v: &[i8]) {
        self.count(v.len());
        self.bytes.extend(v.iter().map(|&x| x as u8));
    }

    pub(crate) fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
}

/// Reads values back from a payload, each read checked against the bytes left. Errors
/// name the path given by the caller and the byte offset in the payload.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    /// An error at `path` for the value that starts at the current offset.
    pub(crate) fn error(&self, path: &str, detail: impl std::fmt::Display) -> LoadError {
        LoadError::malformed(path, format!("{detail} (payload offset {})", self.at))
    }

    pub(crate) fn take(&mut self, n: usize, path: &str) -> Result<&'a [u8], LoadError> {
        if n > self.remaining() {
            return Err(self.error(
                path,
                format_args!("needs {n} bytes, {} left", self.remaining()),
            ));
        }
        let out = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(out)
    }

    fn array<const N: usize>(&mut self, path: &str) -> Result<[u8; N], LoadError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N, path)?);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, path: &str) -> Result<u8, LoadError> {
        Ok(self.array::<1>(path)?[0])
    }

    pub(crate) fn u32(&mut self, path: &str) -> Result<u32, LoadError> {
        self.array(path).map(u32::from_le_bytes)
    }

    pub(crate) fn u64(&mut self, path: &str) -> Result<u64, LoadError> {
        self.array(path).map(u64::from_le_bytes)
    }

    /// A float that must be finite: the crate never stores NaN or infinity.
    pub(crate) fn f32(&mut self, path: &str) -> Result<f32, LoadError> {
        let v = f32::from_bits(self.u32(path)?);
        if !v.is_finite() {
            self.at -= 4;
            return Err(self.error(path, format_args!("{v} is not a finite number")));
        }
        Ok(v)
    }

    /// A count of items of at least `item_bytes` bytes each, checked against the bytes
    /// left, so that allocating for the items is bounded by the input's size.
    pub(crate) fn count(&mut self, item_bytes: usize, path: &str) -> Result<usize, LoadError> {
        let n = self.u32(path)? as usize;
        if n.saturating_mul(item_bytes.max(1)) > self.remaining() {
            self.at -= 4;
            return Err(self.error(
                path,
                format_args!(
                    "count {n} needs at least {} bytes, {} left",
                    n.saturating_mul(item_bytes.max(1)),
                    self.remaining() - 4
                ),
            ));
        }
        Ok(n)
    }

    /// A length-prefixed byte string.
    pub(crate) fn bytes(&mut self, path: &str) -> Result<&'a [u8], LoadError> {
        let n = self.count(1, path)?;
        self.take(n, path)
    }

    pub(crate) fn str(&mut self, path: &str) -> Result<&'a str, LoadError> {
        let start = self.at;
        let bytes = self.bytes(path)?;
        std::str::from_utf8(bytes).map_err(|e| {
            LoadError::malformed(path, format!("invalid UTF-8: {e} (payload offset {start})"))
        })
    }

    /// Checks that every byte was read.
    pub(crate) fn finish(&self, path: &str) -> Result<(), LoadError> {
        if self.remaining() > 0 {
            return Err(self.error(path, format_args!("{} bytes left over", self.remaining())));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        let mut w = Writer::default();
        w.u8(7);
        w.u32(0xDEAD_BEEF);
        w.u64(u64::MAX - 1);
        w.f32(-1.5);
        w.str("héllo");
        let mut r = Reader::new(&w.bytes);
        assert_eq!(r.u8("a").unwrap(), 7);
        assert_eq!(r.u32("b").unwrap(), 0xDEAD_BEEF);
        assert_eq!(r.u64("c").unwrap(), u64::MAX - 1);
        assert_eq!(r.f32("d").unwrap(), -1.5);
        assert_eq!(r.str("e").unwrap(), "héllo");
        r.finish("end").unwrap();
    }

    #[test]
    fn a_count_larger_than_the_input_is_refused_before_allocating() {
        let mut w = Writer::default();
        w.u32(u32::MAX);
        w.u32(1);
        let mut r = Reader::new(&w.bytes);
        let err = r.count(32, "model.features").unwrap_err();
        assert_eq!(err.path(), "model.features");
        assert!(err.to_string().contains("count 4294967295"), "{err}");
    }

    #[test]
    fn reads_past_the_end_and_bad_values_are_errors() {
        let mut r = Reader::new(&[1, 2]);
        assert!(r.u32("x").is_err());
        let nan = f32::NAN.to_bits().to_le_bytes();
        assert!(Reader::new(&nan).f32("x").is_err());
        let bad_utf8 = [1, 0, 0, 0, 0xFF];
        assert!(Reader::new(&bad_utf8).str("x").is_err());
        let mut r = Reader::new(&[1, 2, 3]);
        r.u8("x").unwrap();
        assert!(r.finish("end").is_err());
    }
}
