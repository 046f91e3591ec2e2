//! The phrase scorer behind [`IntentModel`](crate::IntentModel): a linear one-vs-rest
//! model over hashed TF-IDF features of normalized text, trained with dual coordinate
//! descent for the L2-regularized squared-hinge loss (the LinearSVC objective).
//!
//! Features of a message, in three blocks each divided by its own length:
//! - words: unigrams and bigrams, counted over the message (what the words say);
//! - characters: 2- to 5-grams inside each word padded with spaces (what survives a
//!   typo: "qoute" still shares " qu", "ote", "te " with "quote"), weighted word by
//!   word and summed over the words;
//! - keywords: one feature per intent whose keyword fired, and one per intent whose
//!   keyword fired negated, so keyword triggers are evidence the model weighs, not an
//!   override.
//!
//! The character block is weighted per word (term frequency within the word; the block's
//! length taken over the words' own vectors) so that a word's contribution to every
//! intent's score depends on the word alone. The model precomputes it for the words of
//! its training data: scoring a known word costs one table lookup and one row, not the
//! ~20 lookups and rows of its n-grams. An unseen word (a typo, new vocabulary) is scored
//! through chain vectors: at each char it starts at, the longest n-gram the model knows
//! stands for itself and all its prefixes, so a word costs one row per char, not one per
//! n-gram (plus one correcting entry per n-gram the word repeats). Only unseen words
//! longer than 32 chars are scored n-gram by n-gram.
//!
//! # Complexity
//!
//! With `n` the message's length in bytes, `k` the number of intents, `E` the examples,
//! `Z` their non-zero features and `V` the vocabulary:
//!
//! - **Detection** (`vectorize` then `score`): O(n) to extract and look up features (at
//!   most 14 hashed n-grams per char of an unseen word, one probe each), then one row per
//!   known feature: O(n + rows × k) in all, independent of the number of phrases. Dense
//!   rows cost `k` rounded up to 8 multiply-adds each, done eight at a time; a sparse row
//!   costs its length.
//! - **Training** (`LinearModel::train`): O(Z) to build the vocabulary and the matrix;
//!   the solver makes at most `max_iter` passes per block of 16 intents, a joint pass
//!   costing O(Z × 16) and a lone pass O(non-zeros of the examples still active), so
//!   O(max_iter × Z × k) in all: one-vs-rest trains every intent against every example.
//!   Storing is O(V log V) for the frequency order plus O(V × k) for the rows and the
//!   precomputed character vectors. Memory: the weights found, about 6 bytes each
//!   (at most V × k of them), then the model. Both products, Z × k and V × k, are
//!   counted before the solver runs and checked against the limits (`cost`).
//!   Deterministic for given data: the only randomness is the pass order, from
//!   [`crate::seeded::Rng`] seeded by the data's size.
//!
//! # Map
//!
//! - `features`: hashing words, bigrams, character n-grams and keywords;
//! - `model`: the trained model, `LinearModel`;
//! - `table`: the feature table, the weight rows' layout, i8 quantization;
//! - `vector`: sparse TF-IDF vectors and the per-thread scratch buffers;
//! - `vectorize`: a message to its vector (word and chain vectors);
//! - `kernels`: the vector to one score per intent;
//! - `train`, `solver`: examples to a stored model;
//! - `solved`: the solver's weights, compact, block by block, then feature by feature;
//! - `cost`: a training's size, counted before the solver runs, and its limits;
//! - `reference` (tests only): plain f32 scoring the kernels are checked against.

mod cost;
mod features;
mod kernels;
mod meaning;
mod model;
mod persist;
#[cfg(test)]
mod reference;
mod solved;
mod solver;
mod table;
#[cfg(test)]
mod tests;
mod train;
mod vector;
mod vectorize;

pub(crate) use cost::{Budget, Measure, Oversized};
pub(crate) use features::{extract, keyword_feature, RawFeature};
pub(crate) use meaning::listed_words;
pub(crate) use solver::TrainOptions;
pub(crate) use train::Example;
pub(crate) use vector::{Scratch, SCRATCH};

pub(crate) use model::LinearModel;
