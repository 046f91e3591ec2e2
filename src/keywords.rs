//! Keyword and phrase triggers: the keyword matcher.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use aho_corasick::{AhoCorasick, Anchored, Input, StartKind};

use crate::english::WordList;
use crate::error::{BuildError, ErrorKind};
use crate::limits::MAX_KEYWORD_OCCURRENCES;
use crate::text::{is_word_char, next_token, NormalizeOptions, Normalized, Normalizer};
use crate::word_hash::{hash_chars_skipping_two, HashedMap};
pub use hit::{KeywordHit, MatchKind, Negation, NegationPolicy};
use negation::mark_negations;
pub use negation::{LOOKAHEAD_BYTES, LOOKAHEAD_WORDS};

/// Finds the keywords and phrases of all intents in a message. The matching rules are below.
///
/// Immutable once built, `Send + Sync`, cheap to clone (an `Arc` inside).
///
/// Keyword and phrase triggers: one Aho-Corasick automaton over every keyword of every
/// intent, matched on normalized text with whole-word semantics, a typo-tolerant fallback
/// and negation scope and purpose.
///
/// # Semantics
///
/// - **Normalization.** Keywords and messages go through the same [`Normalizer`], so a
///   configured "Démo" matches "DEMO", "démo" and full-width "ｄｅｍｏ".
/// - **Whole words.** A keyword matches only where it is not glued to other word
///   characters: "demo" does not fire inside "demolition", "sales" not inside
///   "wholesales". An edge of the keyword that is itself not a word character (the `+` of
///   "c++", the `.` of ".net") needs no boundary.
/// - **Leftmost-longest.** Hits do not overlap. Of the keywords that could match, the one
///   starting first wins, and of those starting at the same place the longest: "sales
///   call" beats "sales". If the longest keyword at a place fails the word-boundary test
///   ("sales call" in "sales caller"), a shorter one at the same place still can
///   ("sales").
/// - **Typo tolerance.** Words of the message not covered by an exact hit are compared
///   with the keyword words of 4 or more characters, allowing an optimal-string-alignment
///   (Damerau) distance of 1, or 2 for words of 9 or more characters. A four-character
///   keyword word takes a typo only if the message word is not on the built-in list of
///   30,000 common English words ("deemo" and "dmeo" are "demo"; "memo" is not). Shorter
///   keyword words are never matched fuzzily. A multi-word phrase matches
///   fuzzily when each of its words matches the consecutive message words (separated by
///   single spaces) exactly or within that word's own budget; the reported distance is
///   the sum. Fuzzy hits follow the same leftmost-longest rule among themselves, the
///   smallest distance winning ties, and are reported as [`MatchKind::Fuzzy`].
/// - **Negation scope.** A cue (`not`, `no`, `never`, `without`, `nothing`, `neither`,
///   `nor`, `none`, `cannot`, any word ending in `n't` such as "don't", "can't", "won't",
///   and the apostrophe-less spellings "dont", "cant", "wont", ...) negates hits that
///   start in the next four words, unless a clause boundary comes first: one of
///   `, . ; : ! ?` or a contrast word (`but`, `just`, `only`, `instead`, `however`,
///   `although`, `though`, `rather`). Negated hits are still reported, with
///   [`KeywordHit::negated`] set.
/// - **Negation purpose.** A customer who declines a keyword must not trigger it; one
///   who says it fails must. [`KeywordHit::negation`] tells them apart:
///   [`Negation::Declined`] when the negation scopes over wanting, needing, accepting or
///   being interested in the keyword, or plainly excludes it ("I don't want a demo",
///   "dont need a quote right now", "not interested in a sales call", "no thanks to the
///   demo", "no pricing info needed", "I'd rather not have a sales call", "please don't
///   send a quote", "a demo is not needed"); [`Negation::Problem`] when it describes a
///   failure, an absence or a doubt ("I can't log in", "cant login", "I never got the
///   password reset email", "no password reset email arrived", "still no invoice", "I
///   don't know the pricing", "login doesn't work", "the app isn't loading"). A
///   negation after the keyword counts too, within its clause, while `negated` stays
///   false for it. The rules, in the order they apply, are on [`Negation`].
///   [`NegationPolicy`] says which hits stop counting as triggers (by default only
///   declined ones) and [`KeywordHit::triggers`] applies it.
///
/// Hits come out ordered by their position in the message; hits at the same place (the
/// same keyword under several intents) keep configuration order. Spans are byte ranges
/// of the *original* message, always on char boundaries.
///
/// # Complexity
///
/// Let `n` be the message length, `L` the longest keyword, `K` the number of keywords
/// and `w` the longest word of the message (capped at 34 characters; longer words are
/// never matched fuzzily).
///
/// - Building: `O(total keyword bytes)` for the automaton plus, for the fuzzy index,
///   `O(m²)` deletion variants per fuzzy-eligible keyword word of `m` characters
///   (SymSpell-style), sorted once: `O(K·m² log(K·m²))`.
/// - Matching: exact matching is one leftmost-longest automaton pass, `O(n)`, plus at
///   most one re-scan of `O(L)` bytes after each candidate that fails the word-boundary
///   test, so `O(n·L)` in the worst case and `O(n)` in practice. The fuzzy fallback
///   costs, per uncovered message word whose length can be near a keyword word,
///   `O(w²)` hashed deletion variants, each checked against a small bit filter (it stays
///   in cache; most variants stop there) and then looked up in `O(1)`; each candidate is
///   verified in `O(w²)`; the number of candidates depends
///   on how many keyword words are that close, not on `K`. Negation is one token pass,
///   `O(n)`, with word-list lookups of `O(1)` per word, plus, per distinct hit span, a
///   look at the next few words, bounded by [`LOOKAHEAD_WORDS`] words and
///   [`LOOKAHEAD_BYTES`] bytes: `O(n)` in all. Apart from the hits it pushes, matching does not allocate (except in
///   pathological configurations with more than 32 keyword words sharing a deletion
///   variant with one message word).
///
/// # Example
///
/// ```
/// use handoff::{Negation, NegationPolicy};
/// use handoff::{KeywordMatcher, MatchKind};
///
/// let matcher = KeywordMatcher::new([
///     ("sales", "demo"),
///     ("sales", "sales call"),
///     ("sales", "quote"),
///     ("pricing", "pricing"),
///     ("pricing", "quote"),
/// ])
/// .unwrap();
///
/// let message = "Can I get a QUOTE? I don't need a démo.";
/// let hits = matcher.find(message);
/// // "quote" belongs to two intents: one hit each; then the negated "demo".
/// assert_eq!(hits.len(), 3);
/// assert_eq!((&*hits[0].intent, &*hits[1].intent), ("sales", "pricing"));
/// assert_eq!(&message[hits[0].span.clone()], "QUOTE");
/// assert!(!hits[0].negated);
/// assert_eq!(&*hits[2].keyword, "demo");
/// assert_eq!(&message[hits[2].span.clone()], "démo");
/// assert!(hits[2].negated);
/// // Declined, so it does not trigger under the default policy.
/// assert_eq!(hits[2].negation, Negation::Declined);
/// assert!(!hits[2].triggers(NegationPolicy::default()));
///
/// // A problem with the keyword still triggers it.
/// let problem = &matcher.find("I cant get a quote from the pricing page")[0];
/// assert!(problem.negated);
/// assert_eq!(problem.negation, Negation::Problem);
/// assert!(problem.triggers(NegationPolicy::default()));
///
/// // Whole words, leftmost-longest, typos.
/// assert!(matcher.find("a demolition crew").is_empty());
/// assert_eq!(&*matcher.find("book a sales call")[0].keyword, "sales call");
/// let typo = &matcher.find("what's your pricng?")[0];
/// assert_eq!(&*typo.keyword, "pricing");
/// assert_eq!(typo.kind, MatchKind::Fuzzy { distance: 1 });
/// ```
#[derive(Clone, Debug)]
pub struct KeywordMatcher {
    inner: Arc<Inner>,
}

/// Longest keyword word (in chars) that takes part in fuzzy matching.
const MAX_FUZZY_WORD: usize = 32;
/// Longest message word compared fuzzily: a keyword word plus the largest budget.
const MAX_FUZZY_TOKEN: usize = MAX_FUZZY_WORD + 2;

#[derive(Debug)]
struct Inner {
    normalizer: Normalizer,
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    /// Whether some pattern starts with a non-word char and so may start mid-word.
    any_nonword_start: bool,
    fuzzy: FuzzyIndex,
    entries: usize,
}

/// One distinct normalized keyword and everyone who configured it.
#[derive(Debug)]
struct Pattern {
    targets: Vec<Target>,
    /// Whether the first char is a word char (so a word boundary is needed before it).
    first_is_word: bool,
    /// Whether the last char is a word char (so a word boundary is needed after it).
    last_is_word: bool,
}

#[derive(Debug)]
struct Target {
    intent: Arc<str>,
    keyword: Arc<str>,
}

/// A keyword word taking part in fuzzy matching.
#[derive(Debug)]
struct FuzzyWord {
    chars: Box<[char]>,
    /// Allowed edit distance: 0 for words of up to 3 chars (only inside phrases), else
    /// 1 or 2.
    budget: u8,
    /// Whether a message word within the budget must also not be a common English
    /// word: one edit from a four-letter word is too often another real word ("demo"
    /// / "memo", "plan" / "plane"), while "deemo" is only a typo.
    guarded: bool,
}

/// A keyword that can match fuzzily: a sequence of words.
#[derive(Debug)]
struct FuzzyPattern {
    pattern: u32,
    words: Box<[u32]>,
}

#[derive(Debug, Default)]
struct FuzzyIndex {
    words: Vec<FuzzyWord>,
    patterns: Vec<FuzzyPattern>,
    /// For each word id, the fuzzy patterns starting with it.
    by_first_word: Vec<Vec<u32>>,
    /// Hash of a deletion variant of a first word -> range of `variant_words`.
    variants: HashedMap<(u32, u32)>,
    variant_words: Vec<u32>,
    /// One bit per variant hash, checked before the map: most message words share no
    /// variant with any keyword, and this small table stays in cache where the map
    /// does not.
    filter: Vec<u64>,
    /// Bit `l` is set when a message word of `l` chars can be near some first word.
    token_lengths: u64,
    /// Largest budget of any first word: how many deletions a message word needs.
    max_budget: u8,
}

impl KeywordMatcher {
    /// Builds a matcher from `(intent id, keyword)` pairs, normalizing keywords with the
    /// default [`NormalizeOptions`].
    ///
    /// # Errors
    /// A keyword that is empty after normalization (including whitespace-only) is a
    /// [`BuildError`] at path `keywords[i]`, `i` being its index in `entries`.
    pub fn new<I, S, K>(entries: I) -> Result<Self, BuildError>
    where
        I: IntoIterator<Item = (S, K)>,
        S: AsRef<str>,
        K: AsRef<str>,
    {
        let entries: Vec<(Arc<str>, Arc<str>, String)> = entries
            .into_iter()
            .enumerate()
            .map(|(i, (intent, keyword))| {
                (
                    Arc::from(intent.as_ref()),
                    Arc::from(keyword.as_ref()),
                    format!("[{i}]"),
                )
            })
            .collect();
        Self::from_entries(&entries, NormalizeOptions::default()).map_err(|e| e.within("keywords"))
    }

    /// Builds a matcher from `(intent, keyword, error path)` triples; errors carry the
    /// given path (such as `intents[2].keywords[0]`). A failure of the automaton as a
    /// whole (its size limits) has an empty path, for the caller to prefix.
    pub(crate) fn from_entries(
        entries: &[(Arc<str>, Arc<str>, String)],
        options: NormalizeOptions,
    ) -> Result<Self, BuildError> {
        let normalizer = Normalizer::new(options);
        let mut ids: BTreeMap<String, usize> = BTreeMap::new();
        let mut texts: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        let mut entry_count = 0;
        for (intent, keyword, path) in entries {
            let normalized = normalizer.normalize(keyword).as_str().to_string();
            if normalized.is_empty() {
                return Err(BuildError::new(path.clone(), ErrorKind::Empty));
            }
            let id = *ids.entry(normalized.clone()).or_insert_with(|| {
                let first = normalized.chars().next().is_some_and(is_word_char);
                let last = normalized.chars().next_back().is_some_and(is_word_char);
                texts.push(normalized.clone());
                patterns.push(Pattern {
                    targets: Vec::new(),
                    first_is_word: first,
                    last_is_word: last,
                });
                patterns.len() - 1
            });
            let targets = &mut patterns[id].targets;
            // "Démo" and "demo" under one intent are one keyword: keep the first spelling.
            if !targets.iter().any(|t| t.intent == *intent) {
                targets.push(Target {
                    intent: intent.clone(),
                    keyword: keyword.clone(),
                });
                entry_count += 1;
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .start_kind(StartKind::Both)
            .build(&texts)
            .map_err(|e| {
                // No single keyword is at fault: the caller's prefix names the list.
                BuildError::new("", ErrorKind::KeywordAutomaton).caused_by(e)
            })?;
        let any_nonword_start = patterns.iter().any(|p| !p.first_is_word);
        let fuzzy = FuzzyIndex::build(&texts);
        Ok(KeywordMatcher {
            inner: Arc::new(Inner {
                normalizer,
                automaton,
                patterns,
                any_nonword_start,
                fuzzy,
                entries: entry_count,
            }),
        })
    }

    /// Finds the keywords in `text` (normalizing it first).
    pub fn find(&self, text: &str) -> Vec<KeywordHit> {
        let normalized = self.normalizer().normalize(text);
        let mut out = Vec::new();
        self.find_normalized(&normalized, &mut out);
        out
    }

    /// Appends the hits in an already normalized message to `out`. The message must have
    /// been normalized with the same options as the keywords.
    pub(crate) fn find_normalized(&self, n: &Normalized, out: &mut Vec<KeywordHit>) {
        let inner = &*self.inner;
        if inner.patterns.is_empty() || n.is_empty() {
            return;
        }
        let hay = n.as_str();
        let base = out.len();
        let mut seen = Occurrences::default();
        // Spans are normalized-text ranges until the very end.
        inner.find_exact(hay, out, &mut seen);
        let exact_end = out.len();
        if !inner.fuzzy.patterns.is_empty() {
            inner.find_fuzzy(hay, base, exact_end, out, &mut seen);
        }
        // Both runs are ordered by start and do not overlap each other: one stable sort
        // merges them in O(h log h) (it finds the two runs), keeping configuration
        // order among hits at the same place.
        let hits = &mut out[base..];
        hits.sort_by_key(|h| h.span.start);
        mark_negations(hay, hits);
        for hit in hits {
            hit.span = n.original_span(hit.span.clone());
        }
    }

    /// Every keyword as hits report it (the spelling configured on the intent), once
    /// per `(intent, keyword)` entry.
    pub(crate) fn spellings(&self) -> impl Iterator<Item = &Arc<str>> + '_ {
        let patterns = self.inner.patterns.iter();
        patterns.flat_map(|p| p.targets.iter().map(|t| &t.keyword))
    }

    /// Every `(intent, keyword)` entry, in an order that builds the same matcher again
    /// (the distinct normalized keywords in their first order, each with its intents).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&Arc<str>, &Arc<str>)> + '_ {
        let patterns = self.inner.patterns.iter();
        patterns.flat_map(|p| p.targets.iter().map(|t| (&t.intent, &t.keyword)))
    }

    /// The normalizer messages must go through before [`Self::find_normalized`].
    pub(crate) fn normalizer(&self) -> Normalizer {
        self.inner.normalizer
    }

    /// The number of distinct `(intent, keyword)` entries (keywords equal after
    /// normalization count once per intent).
    pub fn len(&self) -> usize {
        self.inner.entries
    }

    /// Whether the matcher has no keywords.
    pub fn is_empty(&self) -> bool {
        self.inner.entries == 0
    }
}

impl Inner {
    fn boundary_ok(&self, hay: &str, start: usize, end: usize, pattern: usize) -> bool {
        let p = &self.patterns[pattern];
        if p.first_is_word && hay[..start].chars().next_back().is_some_and(is_word_char) {
            return false;
        }
        if p.last_is_word && hay[end..].chars().next().is_some_and(is_word_char) {
            return false;
        }
        true
    }

    fn find_exact(&self, hay: &str, out: &mut Vec<KeywordHit>, seen: &mut Occurrences) {
        let ac = &self.automaton;
        let mut pos = 0;
        while pos < hay.len() {
            let Some(first) = ac
                .try_find(Input::new(hay).span(pos..hay.len()))
                .ok()
                .flatten()
            else {
                break;
            };
            let start = first.start();
            // The leftmost-longest candidate may fail the boundary test while a shorter
            // keyword at the same place passes ("sales" in "sales caller"): try the next
            // longest, anchored at `start`, until one passes.
            let mut candidate = Some(first);
            while let Some(m) = candidate {
                if self.boundary_ok(hay, m.start(), m.end(), m.pattern().as_usize()) {
                    break;
                }
                candidate = if m.end() - 1 > start {
                    let input = Input::new(hay)
                        .span(start..m.end() - 1)
                        .anchored(Anchored::Yes);
                    ac.try_find(input).ok().flatten()
                } else {
                    None
                };
            }
            match candidate {
                Some(m) => {
                    let targets = if seen.admit(m.pattern().as_u32()) {
                        &self.patterns[m.pattern().as_usize()].targets[..]
                    } else {
                        &[]
                    };
                    for t in targets {
                        out.push(KeywordHit {
                            keyword: t.keyword.clone(),
                            intent: t.intent.clone(),
                            kind: MatchKind::Exact,
                            negated: false,
                            negation: Negation::None,
                            span: m.start()..m.end(),
                        });
                    }
                    pos = m.end();
                }
                None => pos = self.next_start(hay, start),
            }
        }
    }

    /// Where to search next after no keyword matched at `start`. A keyword can only
    /// start at a word start (its first char a word char, the one before not) or, when
    /// some keyword starts with a non-word char (".net"), at a non-word char: every
    /// other position is skipped, so a long word is not searched at each of its chars.
    fn next_start(&self, hay: &str, start: usize) -> usize {
        let mut chars = hay[start..].char_indices();
        let step = chars.next().map_or(1, |(_, c)| c.len_utf8());
        if self.any_nonword_start {
            let mut prev_word = hay[start..].chars().next().is_some_and(is_word_char);
            for (off, c) in hay[start + step..].char_indices() {
                let word = is_word_char(c);
                if !word || !prev_word {
                    return start + step + off;
                }
                prev_word = word;
            }
            return hay.len();
        }
        // Every keyword starts with a word char and so at a word start: skip the rest of
        // this word and the separators after it.
        let mut seen_nonword = false;
        for (off, c) in hay[start..].char_indices() {
            if is_word_char(c) {
                if seen_nonword {
                    return start + off;
                }
            } else {
                seen_nonword = true;
            }
        }
        hay.len()
    }

    fn find_fuzzy(
        &self,
        hay: &str,
        base: usize,
        exact_end: usize,
        out: &mut Vec<KeywordHit>,
        occurrences: &mut Occurrences,
    ) {
        let fuzzy = &self.fuzzy;
        let mut pos = 0;
        let mut next_exact = base;
        let mut covered_until = 0;
        let mut tok = [' '; MAX_FUZZY_TOKEN];
        while let Some(range) = next_token(hay, &mut pos) {
            while next_exact < exact_end && out[next_exact].span.end <= range.start {
                next_exact += 1;
            }
            let limit = if next_exact < exact_end {
                out[next_exact].span.start
            } else {
                hay.len()
            };
            if range.start < covered_until || range.end > limit {
                continue;
            }
            let Some(len) = fill_chars(&hay[range.clone()], &mut tok) else {
                continue;
            };
            let tok = &tok[..len];
            let message_word = MessageWord::new(&hay[range.clone()]);
            let group = out.len();
            let mut seen = SmallSet::<u32, 32>::new();
            fuzzy.for_each_variant(tok, |candidates| {
                for &w in candidates {
                    if !seen.insert(w) {
                        continue;
                    }
                    let word = &fuzzy.words[w as usize];
                    let Some(d) = word.distance(tok, &message_word) else {
                        continue;
                    };
                    for &fp in &fuzzy.by_first_word[w as usize] {
                        let fp = &fuzzy.patterns[fp as usize];
                        let Some((end, total)) =
                            self.match_rest(hay, range.end, limit, &fp.words[1..], d)
                        else {
                            continue;
                        };
                        if total == 0 {
                            continue; // an exact occurrence the automaton did not pick
                        }
                        if !occurrences.admit(fp.pattern) {
                            continue;
                        }
                        for t in &self.patterns[fp.pattern as usize].targets {
                            out.push(KeywordHit {
                                keyword: t.keyword.clone(),
                                intent: t.intent.clone(),
                                kind: MatchKind::Fuzzy { distance: total },
                                negated: false,
                                negation: Negation::None,
                                span: range.start..end,
                            });
                        }
                    }
                }
            });
            if out.len() == group {
                continue;
            }
            // Leftmost-longest among fuzzy hits starting here, then the smallest distance.
            let distance = |h: &KeywordHit| match h.kind {
                MatchKind::Fuzzy { distance } => distance,
                MatchKind::Exact => 0,
            };
            let best_end = out[group..].iter().map(|h| h.span.end).max().unwrap_or(0);
            let best_distance = out[group..]
                .iter()
                .filter(|h| h.span.end == best_end)
                .map(distance)
                .min()
                .unwrap_or(0);
            let mut keep = group;
            for i in group..out.len() {
                if out[i].span.end == best_end && distance(&out[i]) == best_distance {
                    out.swap(keep, i);
                    keep += 1;
                }
            }
            out.truncate(keep);
            covered_until = best_end;
        }
    }

    /// Matches the remaining `words` of a phrase against the message words after `from`,
    /// each separated by exactly one space and ending by `limit`. Returns the end of the
    /// last word and the total distance.
    fn match_rest(
        &self,
        hay: &str,
        mut from: usize,
        limit: usize,
        words: &[u32],
        mut total: u8,
    ) -> Option<(usize, u8)> {
        let mut buf = [' '; MAX_FUZZY_TOKEN];
        for &w in words {
            let mut pos = from;
            let range = next_token(hay, &mut pos)?;
            if &hay[from..range.start] != " " || range.end > limit {
                return None;
            }
            let len = fill_chars(&hay[range.clone()], &mut buf)?;
            let word = &self.fuzzy.words[w as usize];
            let message_word = MessageWord::new(&hay[range.clone()]);
            total = total.saturating_add(word.distance(&buf[..len], &message_word)?);
            from = range.end;
        }
        Some((from, total))
    }
}

impl FuzzyIndex {
    fn build(texts: &[String]) -> FuzzyIndex {
        let mut index = FuzzyIndex::default();
        let mut word_ids: BTreeMap<&str, u32> = BTreeMap::new();
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        for (pattern, text) in texts.iter().enumerate() {
            let mut pos = 0;
            let mut words: Vec<&str> = Vec::new();
            let mut rebuilt_len = 0;
            while let Some(r) = next_token(text, &mut pos) {
                rebuilt_len += r.len() + usize::from(!words.is_empty());
                words.push(&text[r]);
            }
            // Only plain word sequences ("sales call", not "c++" or "a/b") are fuzzy.
            let plain = rebuilt_len == text.len()
                && words.iter().all(|w| w.chars().count() <= MAX_FUZZY_WORD);
            if !plain || !words.iter().any(|w| budget(w) > 0) {
                continue;
            }
            let ids: Box<[u32]> = words
                .iter()
                .map(|w| {
                    *word_ids.entry(w).or_insert_with(|| {
                        index.words.push(FuzzyWord {
                            chars: w.chars().collect(),
                            budget: budget(w),
                            guarded: w.chars().count() <= GUARDED_CHARS,
                        });
                        index.by_first_word.push(Vec::new());
                        (index.words.len() - 1) as u32
                    })
                })
                .collect();
            let first = ids[0];
            let fp = index.patterns.len() as u32;
            if index.by_first_word[first as usize].is_empty() {
                let word = &index.words[first as usize];
                index.max_budget = index.max_budget.max(word.budget);
                let (len, b) = (word.chars.len(), usize::from(word.budget));
                for l in len.saturating_sub(b)..=len + b {
                    index.token_lengths |= 1u64.checked_shl(l as u32).unwrap_or(0);
                }
                for_each_deletion(&word.chars, word.budget, |h| pairs.push((h, first)));
            }
            index.by_first_word[first as usize].push(fp);
            index.patterns.push(FuzzyPattern {
                pattern: pattern as u32,
                words: ids,
            });
        }
        pairs.sort_unstable();
        pairs.dedup();
        // About 8 bits per variant: a false positive rate near 1/8.
        let words = (pairs.len() / 8).max(1).next_power_of_two();
        index.filter = vec![0; words];
        for &(h, _) in &pairs {
            let (word, bit) = index.filter_slot(h);
            index.filter[word] |= bit;
        }
        let mut i = 0;
        while i < pairs.len() {
            let hash = pairs[i].0;
            let start = index.variant_words.len() as u32;
            while i < pairs.len() && pairs[i].0 == hash {
                index.variant_words.push(pairs[i].1);
                i += 1;
            }
            let end = index.variant_words.len() as u32;
            index.variants.insert(hash, (start, end));
        }
        index
    }

    fn filter_slot(&self, h: u64) -> (usize, u64) {
        // The map buckets by the low bits; take the filter's from the high ones.
        let slot = (h >> 32) as usize & (self.filter.len() * 64 - 1);
        (slot / 64, 1 << (slot % 64))
    }

    /// Calls `f` with the first words sharing a deletion variant with `token`.
    fn for_each_variant(&self, token: &[char], mut f: impl FnMut(&[u32])) {
        if self.token_lengths & 1u64.checked_shl(token.len() as u32).unwrap_or(0) == 0 {
            return;
        }
        // A keyword word of budget b has >= 4 chars (b = 1) or >= 9 (b = 2), so only
        // message words of >= 4 or >= 7 chars need deletions: shorter ones are looked up
        // as they are (a 4-char keyword's deletions include them).
        let deletions = match token.len() {
            0..=3 => 0,
            4..=6 => self.max_budget.min(1),
            _ => self.max_budget,
        };
        for_each_deletion(token, deletions, |h| {
            let (word, bit) = self.filter_slot(h);
            if self.filter[word] & bit == 0 {
                return;
            }
            if let Some(&(start, end)) = self.variants.get(&h) {
                f(&self.variant_words[start as usize..end as usize]);
            }
        });
    }
}

/// How many occurrences of each keyword pattern a message has reported: after
/// [`MAX_KEYWORD_OCCURRENCES`], a pattern's further occurrences are not reported, so the
/// hits stay bounded by the patterns hit (times their intents), not the message length.
#[derive(Default)]
struct Occurrences {
    counts: HashMap<u32, usize>,
}

impl Occurrences {
    /// Counts one more occurrence of `pattern`; whether it is still reported.
    fn admit(&mut self, pattern: u32) -> bool {
        let n = self.counts.entry(pattern).or_insert(0);
        *n += 1;
        *n <= MAX_KEYWORD_OCCURRENCES
    }
}

/// Keyword words of at most this many chars match a typo only if the typo is not a
/// common English word.
const GUARDED_CHARS: usize = 4;

/// The edit distance a keyword word may be off by.
fn budget(word: &str) -> u8 {
    match word.chars().count() {
        0..=3 => 0,
        4..=8 => 1,
        _ => 2,
    }
}

/// A message word compared fuzzily: whether it is a common English word is looked up
/// at most once, when the first guarded (four-letter) keyword word is a candidate.
struct MessageWord<'a> {
    text: &'a str,
    english: std::cell::Cell<Option<bool>>,
}

impl<'a> MessageWord<'a> {
    fn new(text: &'a str) -> Self {
        MessageWord {
            text,
            english: std::cell::Cell::new(None),
        }
    }

    fn is_english(&self) -> bool {
        *self
            .english
            .get()
            .get_or_insert_with(|| WordList::english().contains(self.text))
    }
}

impl FuzzyWord {
    /// The edit distance from the message word `token` (its chars; `word` is the same
    /// word as text) within the budget, or `None`: over the budget, or a guarded word's
    /// typo that is itself a common English word.
    fn distance(&self, token: &[char], word: &MessageWord<'_>) -> Option<u8> {
        if self.guarded && word.is_english() {
            // Only the word itself: a common word has many four-letter neighbours, and
            // skipping their distance checks keeps large keyword sets fast.
            return (*token == *self.chars).then_some(0);
        }
        osa_within(token, &self.chars, self.budget)
    }
}

/// Copies the chars of `s` into `buf`; `None` if it does not fit.
fn fill_chars(s: &str, buf: &mut [char; MAX_FUZZY_TOKEN]) -> Option<usize> {
    let mut len = 0;
    for c in s.chars() {
        *buf.get_mut(len)? = c;
        len += 1;
    }
    Some(len)
}

/// Calls `f` with the hash of `chars` and of every string made by deleting up to
/// `deletions` (at most 2) chars from it.
fn for_each_deletion(chars: &[char], deletions: u8, mut f: impl FnMut(u64)) {
    const NONE: usize = usize::MAX;
    f(hash_chars_skipping_two(chars, NONE, NONE));
    if deletions >= 1 {
        for i in 0..chars.len() {
            f(hash_chars_skipping_two(chars, i, NONE));
        }
    }
    if deletions >= 2 {
        for i in 0..chars.len() {
            for j in i + 1..chars.len() {
                f(hash_chars_skipping_two(chars, i, j));
            }
        }
    }
}

/// Optimal string alignment distance between `a` and `b` if it is at most `max`.
fn osa_within(a: &[char], b: &[char], max: u8) -> Option<u8> {
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > usize::from(max) || n > MAX_FUZZY_TOKEN || m > MAX_FUZZY_TOKEN {
        return None;
    }
    if max == 0 {
        return (a == b).then_some(0);
    }
    const W: usize = MAX_FUZZY_TOKEN + 1;
    let mut before = [0u8; W];
    let mut prev = [0u8; W];
    let mut cur = [0u8; W];
    for (j, p) in prev.iter_mut().enumerate().take(m + 1) {
        *p = j as u8;
    }
    for i in 1..=n {
        cur[0] = i as u8;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        before = prev;
        prev = cur;
    }
    (prev[m] <= max).then_some(prev[m])
}

/// A set of a few small values kept inline, spilling to the heap only when large.
struct SmallSet<T, const N: usize> {
    inline: [T; N],
    len: usize,
    spill: Vec<T>,
}

impl<T: Copy + Default + PartialEq, const N: usize> SmallSet<T, N> {
    fn new() -> Self {
        SmallSet {
            inline: [T::default(); N],
            len: 0,
            spill: Vec::new(),
        }
    }

    /// Inserts `v`; false if it was already there.
    fn insert(&mut self, v: T) -> bool {
        if self.inline[..self.len].contains(&v) || self.spill.contains(&v) {
            return false;
        }
        if self.len < N {
            self.inline[self.len] = v;
            self.len += 1;
        } else {
            self.spill.push(v);
        }
        true
    }
}

mod hit;
mod negation;
#[cfg(test)]
mod tests;
