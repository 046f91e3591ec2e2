//! Saving and loading a [`LinearModel`]: the feature table, the weight rows and the
//! character vectors as trained, checked on load so that no index can fall outside its
//! rows (detection then cannot panic on a loaded model).
//!
//! The rows are stored without the front padding that aligns them in memory (it
//! depends on where the allocator put them); loading pads them again. So the bytes of
//! a model are the same whatever memory it was in, which its fingerprint relies on.
//!
//! Complexity: linear in the table's capacity plus the rows' length, both ways.

use crate::persist::{LoadError, Reader, Writer};

use super::meaning::Meaning;
use super::model::LinearModel;
use super::table::{aligned_rows, dense_stride, Feature, FeatureTable, DENSE, NO_VECTOR};

/// Bytes of a stored feature: eight 4-byte fields.
const FEATURE_BYTES: usize = 32;

impl LinearModel {
    /// Appends the model (its intent count is stored by the caller).
    pub(crate) fn encode(&self, w: &mut Writer) {
        let LinearModel {
            table,
            sparse_rows,
            row_weight,
            word_weight,
            bias,
            classes: _,
            stride: _,
            meaning,
        } = self;
        for &b in bias {
            w.f32(b);
        }
        let row_pad = first_start(table, |f| (f.len == DENSE).then_some(f.start), row_weight);
        let word_pad = first_start(
            table,
            |f| (f.vector != NO_VECTOR).then_some(f.vector),
            word_weight,
        );
        encode_table(table, row_pad, word_pad, w);
        w.i8s(&row_weight[row_pad..]);
        w.i8s(&word_weight[word_pad..]);
        w.count(sparse_rows.len());
        for packed in sparse_rows {
            w.bytes.extend_from_slice(packed);
        }
        meaning.encode(w);
    }

    /// Reads a model of `classes` intents, checking every row reference.
    pub(crate) fn decode(r: &mut Reader<'_>, classes: usize) -> Result<LinearModel, LoadError> {
        let stride = dense_stride(classes);
        let mut bias = Vec::with_capacity(classes.min(r.remaining() / 4));
        for _ in 0..classes {
            bias.push(r.f32("model.bias")?);
        }
        let mut table = decode_table(r)?;
        let (row_weight, row_pad) = realigned(r.bytes("model.rows")?);
        let (word_weight, word_pad) = realigned(r.bytes("model.vectors")?);
        let sparse = r.count(3, "model.sparse_rows")?;
        let sparse_bytes = r.take(sparse * 3, "model.sparse_rows")?;
        let sparse_rows: Vec<[u8; 3]> = sparse_bytes
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        let lengths = RowLengths {
            stride,
            classes,
            rows: row_weight.len() - row_pad,
            vectors: word_weight.len() - word_pad,
            sparse: &sparse_rows,
        };
        for (slot, feature) in table.slots.iter_mut().enumerate() {
            if table.tags[slot] == 0 {
                continue;
            }
            let error =
                |detail: String| LoadError::malformed(format!("model.table[{slot}]"), detail);
            lengths.check(feature).map_err(error)?;
            // Within rows of at most u32::MAX bytes, so the padded offset fits unless the
            // rows fill nearly all of that.
            let padded = |at: u32, pad: usize| {
                u32::try_from(at as usize + pad)
                    .map_err(|_| error(format!("offset {at} too large")))
            };
            if feature.len == DENSE {
                feature.start = padded(feature.start, row_pad)?;
            }
            if feature.vector != NO_VECTOR {
                feature.vector = padded(feature.vector, word_pad)?;
            }
        }
        let meaning = Meaning::decode(r, stride)?;
        Ok(LinearModel {
            table,
            sparse_rows,
            row_weight,
            word_weight,
            bias,
            classes,
            stride,
            meaning,
        })
    }
}

/// Where the first row referenced by `start` begins: the rows before it are alignment
/// padding. The whole buffer when nothing references it.
fn first_start(
    table: &FeatureTable,
    start: impl Fn(&Feature) -> Option<u32>,
    rows: &[i8],
) -> usize {
    let occupied = table.slots.iter().zip(&table.tags).filter(|(_, &t)| t != 0);
    occupied
        .filter_map(|(f, _)| start(f))
        .min()
        .map_or(rows.len(), |s| (s as usize).min(rows.len()))
}

/// Stored rows in a buffer aligned as training aligns them, and the length of the
/// padding in front of them.
fn realigned(bytes: &[u8]) -> (Vec<i8>, usize) {
    let mut rows = aligned_rows(bytes.len());
    let pad = rows.len();
    rows.extend(bytes.iter().map(|&b| b as i8));
    (rows, pad)
}

/// The table: its occupied count, every slot's tag, then each occupied slot's feature
/// with dense starts and vector starts relative to the unpadded rows.
fn encode_table(table: &FeatureTable, row_pad: usize, word_pad: usize, w: &mut Writer) {
    let occupied = table.tags.iter().filter(|&&t| t != 0).count();
    w.count(occupied);
    w.bytes.extend_from_slice(&table.tags);
    for (feature, _) in table.slots.iter().zip(&table.tags).filter(|(_, &t)| t != 0) {
        let Feature {
            fingerprint,
            idf,
            start,
            len,
            scale,
            vector,
            vector_scale,
            norm2,
        } = *feature;
        w.u32(fingerprint);
        w.f32(idf);
        w.u32(if len == DENSE {
            start - row_pad as u32
        } else {
            start
        });
        w.u32(len);
        w.f32(scale);
        w.u32(if vector == NO_VECTOR {
            vector
        } else {
            vector - word_pad as u32
        });
        w.f32(vector_scale);
        w.f32(norm2);
    }
}

fn decode_table(r: &mut Reader<'_>) -> Result<FeatureTable, LoadError> {
    let occupied = r.count(FEATURE_BYTES, "model.table")?;
    // The table's capacity follows from its size, as when training built it.
    let mut table = FeatureTable::with_room_for(occupied);
    let tags = r.take(table.tags.len(), "model.table.tags")?;
    let found = tags.iter().filter(|&&t| t != 0).count();
    if found != occupied {
        return Err(r.error(
            "model.table.tags",
            format_args!("{found} occupied slots, the table says {occupied}"),
        ));
    }
    table.tags.copy_from_slice(tags);
    for slot in 0..table.tags.len() {
        if table.tags[slot] == 0 {
            continue;
        }
        let path = "model.table.features";
        table.slots[slot] = Feature {
            fingerprint: r.u32(path)?,
            idf: r.f32(path)?,
            start: r.u32(path)?,
            len: r.u32(path)?,
            scale: r.f32(path)?,
            vector: r.u32(path)?,
            vector_scale: r.f32(path)?,
            norm2: r.f32(path)?,
        };
    }
    Ok(table)
}

/// The lengths a feature's references must fit in.
struct RowLengths<'a> {
    stride: usize,
    classes: usize,
    rows: usize,
    vectors: usize,
    sparse: &'a [[u8; 3]],
}

impl RowLengths<'_> {
    fn check(&self, f: &Feature) -> Result<(), String> {
        let fits = |start: u32, len: usize, total: usize| {
            (start as usize)
                .checked_add(len)
                .is_some_and(|end| end <= total)
        };
        if f.len == DENSE {
            if !fits(f.start, self.stride, self.rows) {
                return Err(format!("dense row at {} outside the rows", f.start));
            }
        } else {
            if !fits(f.start, f.len as usize, self.sparse.len()) {
                return Err(format!("sparse row at {} outside the rows", f.start));
            }
            let row = &self.sparse[f.start as usize..][..f.len as usize];
            let classes = row
                .iter()
                .map(|p| u16::from_le_bytes([p[0], p[1]]) as usize);
            if classes.clone().any(|c| c >= self.classes)
                || !classes.clone().zip(classes.skip(1)).all(|(a, b)| a < b)
            {
                return Err("sparse row with intents out of range or order".into());
            }
        }
        if f.vector != NO_VECTOR && !fits(f.vector, self.stride, self.vectors) {
            return Err(format!(
                "character vector at {} outside the vectors",
                f.vector
            ));
        }
        Ok(())
    }
}
