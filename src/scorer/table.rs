//! Storage of a trained model: the feature table (hash to [`Feature`]), the layout of
//! dense and sparse weight rows, and the i8 quantization of weights.
//!
//! Complexity: a lookup is O(1) expected (the table is at most three quarters full);
//! quantizing a row is linear in its length.

/// Open-addressing map from feature hash to everything detection needs of the
/// feature ([`Feature`]), which is stored in the slot itself, so its index in the
/// table is its id.
///
/// Most probes are for features the model does not know (most bigrams of a message,
/// the n-grams of an unseen word). A probe first reads a byte per slot, 8 bits of the
/// hash (two to four bytes per feature: 128 KiB for the 62,000 features of a CLINC150
/// model), which stays cached better than the slots, and reads a slot only when its
/// byte matches.
#[derive(Clone, Debug, Default)]
pub(crate) struct FeatureTable {
    /// 8 bits of each slot's hash, 0 for an empty slot.
    pub(super) tags: Vec<u8>,
    pub(super) slots: Vec<Feature>,
    pub(super) mask: usize,
}

impl FeatureTable {
    #[inline]
    pub(super) fn home(hash: u64, mask: usize) -> usize {
        // The low bits carry the feature family; the slot comes from the bits above.
        (hash >> 3) as usize & mask
    }

    #[inline]
    pub(super) fn fingerprint(hash: u64) -> u32 {
        (hash >> 32) as u32
    }

    #[inline]
    pub(super) fn tag(hash: u64) -> u8 {
        ((hash >> 56) as u8).max(1) // 0 marks an empty slot
    }

    /// An empty table with room for `features` features: at most three quarters full,
    /// so that a probe for an unknown feature reads a handful of tags (8.5 on average
    /// when full, fewer for most sizes: the capacity is a power of two), while the
    /// slots, 32 bytes each, waste at most 2.7 times the records' own size.
    pub(super) fn with_room_for(features: usize) -> Self {
        let capacity = (features + features / 3).next_power_of_two().max(16);
        FeatureTable {
            tags: vec![0; capacity],
            slots: vec![Feature::default(); capacity],
            mask: capacity - 1,
        }
    }

    /// Stores `feature` under `hash`, which must not be stored yet, and returns its id.
    pub(super) fn insert(&mut self, hash: u64, feature: Feature) -> u32 {
        let mut slot = Self::home(hash, self.mask);
        while self.tags[slot] != 0 {
            slot = (slot + 1) & self.mask;
        }
        self.tags[slot] = Self::tag(hash);
        self.slots[slot] = Feature {
            fingerprint: Self::fingerprint(hash),
            ..feature
        };
        slot as u32
    }

    /// The id of the feature stored under `hash`.
    #[inline]
    pub(crate) fn get(&self, hash: u64) -> Option<u32> {
        let (tag, key) = (Self::tag(hash), Self::fingerprint(hash));
        let mut slot = Self::home(hash, self.mask);
        loop {
            let found = self.tags[slot];
            if found == 0 {
                return None;
            }
            if found == tag && self.slots[slot].fingerprint == key {
                return Some(slot as u32);
            }
            slot = (slot + 1) & self.mask;
        }
    }

    /// The feature with id `id`.
    #[inline]
    pub(super) fn feature(&self, id: u32) -> &Feature {
        &self.slots[id as usize]
    }

    /// The precomputed character vector of feature `id`, if it has one (`id` may be
    /// any number).
    #[inline]
    pub(super) fn vector(&self, id: u32) -> Option<&Feature> {
        self.slots
            .get(id as usize)
            .filter(|f| f.vector != NO_VECTOR)
    }

    pub(super) fn bytes(&self) -> usize {
        self.tags.capacity() + self.slots.capacity() * std::mem::size_of::<Feature>()
    }
}

/// What the model keeps of one feature, in its [`FeatureTable`] slot: its idf, where
/// its weights are, and for a word or n-gram with a precomputed character vector
/// (word vector or chain vector), where that is. 32 bytes, aligned, so a slot never
/// straddles two cache lines.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(32))]
pub(super) struct Feature {
    /// Bits of the hash, to tell the feature from others whose tag matches.
    pub(super) fingerprint: u32,
    pub(super) idf: f32,
    /// Where its row starts: in `row_weight` if dense, in `sparse_rows` if not.
    pub(super) start: u32,
    /// The sparse row's length, or [`DENSE`].
    pub(super) len: u32,
    /// Scale of the row's quantized weights.
    pub(super) scale: f32,
    /// Where its character vector starts in `word_weight`, or [`NO_VECTOR`].
    pub(super) vector: u32,
    /// Scale of the character vector's quantized weights.
    pub(super) vector_scale: f32,
    /// Squared length of the character vector.
    pub(super) norm2: f32,
}

/// [`Feature::len`] of a dense row (`stride` weights).
pub(super) const DENSE: u32 = u32::MAX;

impl Default for Feature {
    /// An empty slot.
    fn default() -> Self {
        Feature {
            fingerprint: 0,
            idf: 0.0,
            start: 0,
            len: 0,
            scale: 0.0,
            vector: NO_VECTOR,
            vector_scale: 0.0,
            norm2: 0.0,
        }
    }
}

/// [`Feature::vector`] of a feature without a character vector.
pub(super) const NO_VECTOR: u32 = u32::MAX;

/// The class of a sparse-row entry.
#[inline]
pub(super) fn sparse_class(packed: [u8; 3]) -> usize {
    u16::from_le_bytes([packed[0], packed[1]]) as usize
}

/// The weight of a sparse-row entry.
#[inline]
pub(super) fn sparse_weight(packed: [u8; 3]) -> i8 {
    packed[2] as i8
}

/// Quantizes `weights` to i8 with one scale: the largest magnitude maps to 127.
pub(super) fn quantize(weights: &[f32]) -> (Vec<i8>, f32) {
    let max = weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 };
    let quantized = weights.iter().map(|w| quantized(w / scale)).collect();
    (quantized, scale)
}

/// `x` rounded half away from zero (as `f32::round`) and clamped to ±127; NaN gives
/// 0. `round` is a libm call on baseline x86-64, and a model rounds millions of
/// weights. The fraction is exact: `x - trunc(x)` is, for every f32 in range.
pub(super) fn quantized(x: f32) -> i8 {
    let x = x.clamp(-127.0, 127.0);
    let whole = x as i8;
    let fraction = x - f32::from(whole);
    whole + i8::from(fraction >= 0.5) - i8::from(fraction <= -0.5)
}

/// The length of a dense row for `classes` intents.
pub(super) fn dense_stride(classes: usize) -> usize {
    classes.div_ceil(8) * 8
}

/// How far apart dense rows of `stride` weights are stored: a power of two up to a
/// cache line, a multiple of half a line beyond, so that rows starting on a line
/// boundary (see [`aligned_rows`]) touch as few lines as their length allows: a row of
/// 152 weights always three, not four one time in four.
pub(super) fn row_pitch(stride: usize) -> usize {
    if stride <= CACHE_LINE {
        stride.next_power_of_two()
    } else {
        stride.next_multiple_of(CACHE_LINE / 2)
    }
}

/// An empty buffer for `len` bytes of dense rows, padded at the front so that the
/// rows (from its current length on) start on a cache line boundary. Only a layout
/// choice: a copy (a clone of the model) keeps the padding and may lose the alignment.
pub(super) fn aligned_rows(len: usize) -> Vec<i8> {
    let mut rows: Vec<i8> = Vec::with_capacity(len + CACHE_LINE);
    let pad = rows.as_ptr().align_offset(CACHE_LINE);
    rows.resize(if pad < CACHE_LINE { pad } else { 0 }, 0);
    rows
}

/// The cache line size of the machines the layout is made for (x86-64, most ARM).
pub(super) const CACHE_LINE: usize = 64;

/// Where a dense row's weights start: in the feature rows or the word vectors.
#[derive(Clone, Copy, Debug)]
pub(super) enum DenseRow {
    Feature(u32),
    Word(u32),
    Meaning(u32),
}
