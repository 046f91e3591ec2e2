//! Numbers written in words: "fifty", "twenty-five", "two hundred and fifty",
//! "one thousand two hundred", "twelve hundred", "a hundred", "a dozen", "two dozen",
//! "half a dozen", "half a million", "a couple", "a couple of hundred".
//!
//! A small state machine over the tokens: each place (units, tens, teens, hundreds) is
//! filled at most once per group and scale words must decrease, so "five six" reads as
//! five and stops, and a number never takes more than a couple of dozen tokens.

use super::lexicon::{self, Word};
use super::raw::Core;
use super::scan::{joins_words, Scan};

/// The number being read.
#[derive(Clone, Copy, Debug)]
struct State {
    total: f64,
    group: f64,
    ones: bool,
    tens: bool,
    teen: bool,
    hundred: bool,
    last_scale: f64,
    mult: f64,
    approx: bool,
    any: bool,
    done: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            total: 0.0,
            group: 0.0,
            ones: false,
            tens: false,
            teen: false,
            hundred: false,
            last_scale: f64::INFINITY,
            mult: 1.0,
            approx: false,
            any: false,
            done: false,
        }
    }
}

impl State {
    fn place_free(&self) -> bool {
        !self.done && !self.ones && !self.teen
    }

    /// Takes word `w` if it continues the number; says whether it did.
    fn take(&mut self, w: Word) -> bool {
        let took = match w {
            Word::Zero if !self.any => {
                self.done = true;
                true
            }
            Word::Unit(u) if self.place_free() => {
                self.group += u;
                self.ones = true;
                true
            }
            Word::Teen(t) | Word::Tens(t) if self.place_free() && !self.tens => {
                self.group += t;
                if matches!(w, Word::Teen(_)) {
                    self.teen = true;
                } else {
                    self.tens = true;
                }
                true
            }
            Word::Hundred if !self.done && !self.hundred && (1.0..100.0).contains(&self.group) => {
                self.group *= 100.0;
                self.hundred = true;
                self.mult = 100.0;
                self.clear_places();
                true
            }
            Word::Scale(x) if !self.done && self.group >= 1.0 && x < self.last_scale => {
                self.total += self.group * x;
                self.group = 0.0;
                self.hundred = false;
                self.last_scale = x;
                self.mult = x;
                self.clear_places();
                true
            }
            Word::Dozen
                if !self.done
                    && !self.hundred
                    && self.total == 0.0
                    && (1.0..100.0).contains(&self.group) =>
            {
                self.group *= 12.0;
                self.mult = 12.0;
                self.done = true;
                true
            }
            _ => false,
        };
        self.any |= took;
        took
    }

    fn clear_places(&mut self) {
        self.ones = false;
        self.tens = false;
        self.teen = false;
    }

    /// Whether "and" may join what follows ("two hundred and fifty").
    fn and_allowed(&self) -> bool {
        (self.hundred || self.last_scale.is_finite()) && !self.ones && !self.tens && !self.teen
    }

    fn value(&self) -> f64 {
        self.total + self.group
    }
}

/// The number word of token `i` when it joins the token before it.
fn joined_word(scan: &mut Scan<'_>, i: usize) -> Option<Word> {
    if !joins_words(scan.gap_before(i)?) {
        return None;
    }
    lexicon::word(scan.word(i)?)
}

/// Whether token `i` starts a number in words.
pub(crate) fn starts_number(scan: &mut Scan<'_>, i: usize) -> bool {
    let Some(w) = scan.word(i).and_then(lexicon::word) else {
        return false;
    };
    match w {
        Word::Zero
        | Word::Unit(_)
        | Word::Teen(_)
        | Word::Tens(_)
        | Word::NonFinite
        | Word::Couple => true,
        Word::A => matches!(
            joined_word(scan, i + 1),
            Some(Word::Hundred | Word::Scale(_) | Word::Dozen | Word::Couple)
        ),
        Word::Half => {
            joined_word(scan, i + 1) == Some(Word::A)
                && matches!(joined_word(scan, i + 2), Some(Word::Dozen | Word::Scale(_)))
        }
        Word::Hundred | Word::Scale(_) | Word::Dozen | Word::And => false,
    }
}

/// Reads the number in words starting at token `i` (where [`starts_number`] holds).
pub(crate) fn read(scan: &mut Scan<'_>, i: usize) -> Option<Core> {
    let first = scan.tok(i)?;
    let word = lexicon::word(&scan.s[first.clone()])?;
    match word {
        Word::NonFinite => {
            let value = if scan.s[first.clone()].starts_with("nan") {
                f64::NAN
            } else {
                f64::INFINITY
            };
            return Some(Core::words(first.start, first.end, value, 1.0, false));
        }
        Word::Half => return read_half(scan, i),
        Word::Couple | Word::A => return read_couple_or_a(scan, i),
        _ => {}
    }
    read_from(scan, i, State::default())
}

/// "half a dozen" (6), "half a million" (500,000).
fn read_half(scan: &mut Scan<'_>, i: usize) -> Option<Core> {
    let start = scan.tok(i)?.start;
    if joined_word(scan, i + 1) != Some(Word::A) {
        return None;
    }
    let end = scan.tok(i + 2)?.end;
    let (value, mult) = match joined_word(scan, i + 2)? {
        Word::Dozen => (6.0, 12.0),
        Word::Scale(x) => (x / 2.0, x),
        _ => return None,
    };
    Some(Core::words(start, end, value, mult, false))
}

/// "a hundred", "a dozen", "a couple", "couple of hundred", "a couple of people".
fn read_couple_or_a(scan: &mut Scan<'_>, i: usize) -> Option<Core> {
    let start = scan.tok(i)?.start;
    let mut j = i;
    if scan.word(j).and_then(lexicon::word) == Some(Word::A) {
        j += 1;
        if joined_word(scan, j) != Some(Word::Couple) {
            // "a hundred", "a thousand", "a dozen": "a" is one, and a scale word follows.
            let next = joined_word(scan, j)?;
            if !matches!(next, Word::Hundred | Word::Scale(_) | Word::Dozen) {
                return None;
            }
            let mut state = State {
                group: 1.0,
                any: true,
                ..State::default()
            };
            state.take(next);
            return Some(finish(scan, j, j + 1, state, start));
        }
    }
    // "couple" at token j, then maybe "of" and a scale word.
    let mut state = State {
        group: 2.0,
        ones: true,
        approx: true,
        any: true,
        ..State::default()
    };
    let mut end = scan.tok(j)?.end;
    if scan.word(j + 1) == Some("of") && scan.gap_before(j + 1) == Some(" ") {
        match joined_word(scan, j + 2) {
            Some(w @ (Word::Hundred | Word::Scale(_))) => {
                state.take(w);
                return Some(finish(scan, j + 2, j + 3, state, start));
            }
            // "a couple of people": the "of" belongs to the number, so the noun is next to it.
            _ => end = scan.tok(j + 1)?.end,
        }
    } else if let Some(w @ (Word::Hundred | Word::Scale(_))) = joined_word(scan, j + 1) {
        state.take(w);
        return Some(finish(scan, j + 1, j + 2, state, start));
    }
    Some(Core::words(start, end, 2.0, 1.0, true))
}

/// Continues a number whose last token read is `last`, from token `next`.
fn finish(scan: &mut Scan<'_>, last: usize, next: usize, state: State, start: usize) -> Core {
    let end = scan.tok(last).map_or(start, |r| r.end);
    continue_from(scan, next, state, start, end)
}

fn read_from(scan: &mut Scan<'_>, i: usize, mut state: State) -> Option<Core> {
    let first = scan.tok(i)?;
    if !state.take(lexicon::word(&scan.s[first.clone()])?) {
        return None;
    }
    Some(continue_from(scan, i + 1, state, first.start, first.end))
}

/// Takes words from token `j` while they continue the number.
fn continue_from(
    scan: &mut Scan<'_>,
    mut j: usize,
    mut state: State,
    start: usize,
    mut end: usize,
) -> Core {
    // The state and end before an "and", restored when what follows it turns out to
    // start a second number ("between two hundred and three hundred").
    let mut before_and: Option<(State, usize)> = None;
    while let Some(w) = joined_word(scan, j) {
        if w == Word::And {
            let next = joined_word(scan, j + 1);
            let joins = matches!(next, Some(Word::Unit(_) | Word::Teen(_) | Word::Tens(_)));
            if !(state.and_allowed() && joins && scan.gap_before(j) == Some(" ")) {
                break;
            }
            before_and = Some((state, end));
            j += 1;
            continue;
        }
        if !state.take(w) {
            if matches!(w, Word::Hundred | Word::Scale(_) | Word::Dozen) {
                if let Some((saved, saved_end)) = before_and {
                    state = saved;
                    end = saved_end;
                }
            }
            break;
        }
        end = scan.tok(j).map_or(end, |r| r.end);
        j += 1;
    }
    Core::words(start, end, state.value(), state.mult, state.approx)
}
