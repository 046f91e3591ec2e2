//! Negation scope and purpose: which hits a negation covers, and whether the customer
//! declines the keyword ("I don't want a demo") or describes a problem with it ("I can't
//! log in").
//!
//! One forward pass over the message's words finds each hit's negation scope (a cue
//! before it, as described in the [keywords module docs](super)) while noting the kinds
//! of words seen since the cue. Each distinct hit span then reads at most a few words
//! after itself (at most [`LOOKAHEAD_WORDS`] words in [`LOOKAHEAD_BYTES`] bytes) for a
//! trailing "needed" or "arrived", or for a negation that follows the keyword ("login
//! doesn't work", "a demo is not needed"). The whole is `O(n)` in the message length.
//!
//! The rules are a small, ordered set of word lists rather than a parser: see
//! [`Negation`] for what they decide and in which order.

use std::ops::Range;

use super::hit::{KeywordHit, Negation};
use crate::text::next_token;

/// How many words after a negation cue are in its scope.
const NEGATION_WINDOW: usize = 4;
/// How many words after a hit are read for a trailing word or a following negation.
pub const LOOKAHEAD_WORDS: usize = 7;
/// How many bytes after a hit are read at most: it bounds the work per hit whatever
/// the words' lengths.
pub const LOOKAHEAD_BYTES: usize = 256;
/// Words between a keyword and a negation after it (cue within this many words).
const AFTER_CUE_WITHIN: usize = 4;
/// Words between a keyword and a following cue for it to decline the keyword.
const AFTER_DECLINE_WITHIN: usize = 3;
/// Words read after a keyword (cue before it) or after a cue (cue after it).
const TELLING_WITHIN: usize = 3;

/// What a negation cue says by itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cue {
    /// Negates a noun phrase: "no", "none", "nothing", "neither", "nor", "without".
    Determiner,
    /// "not": a noun phrase or a verb.
    Not,
    /// Negates a verb: "don't", "didn't", "never", ...
    Verb,
    /// "don't", "dont": a verb, or a request when it opens a clause.
    Dont,
    /// "can't", "cannot", "couldn't": inability.
    Ability,
    /// "wouldn't": "I wouldn't like a demo".
    Would,
}

/// Whether a normalized word opens a negation scope.
fn is_negation_cue(word: &str) -> bool {
    word.ends_with("n't")
        || matches!(
            word,
            "not"
                | "no"
                | "never"
                | "without"
                | "nothing"
                | "neither"
                | "nor"
                | "none"
                | "cannot"
                | "dont"
                | "doesnt"
                | "didnt"
                | "cant"
                | "wont"
                | "isnt"
                | "arent"
                | "wasnt"
                | "werent"
                | "havent"
                | "hasnt"
                | "hadnt"
                | "shouldnt"
                | "wouldnt"
                | "couldnt"
                | "aint"
        )
}

/// The kind of a negation cue, `None` for any other word.
fn cue_kind(word: &str) -> Option<Cue> {
    if !is_negation_cue(word) {
        return None;
    }
    Some(match word {
        "no" | "none" | "nothing" | "neither" | "nor" | "without" => Cue::Determiner,
        "not" => Cue::Not,
        "don't" | "dont" => Cue::Dont,
        "can't" | "cant" | "cannot" | "couldn't" | "couldnt" => Cue::Ability,
        "wouldn't" | "wouldnt" => Cue::Would,
        _ => Cue::Verb,
    })
}

/// Whether a normalized word closes a negation scope.
fn is_contrast_word(word: &str) -> bool {
    matches!(
        word,
        "but" | "just" | "only" | "instead" | "however" | "although" | "though" | "rather"
    )
}

fn has_clause_boundary(gap: &str) -> bool {
    gap.bytes()
        .any(|b| matches!(b, b',' | b'.' | b';' | b':' | b'!' | b'?'))
}

/// What a word says about the purpose of a nearby negation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Class {
    /// Wanting, needing, accepting, caring: "want", "need", "interested", "thanks".
    Desire,
    /// Asking for something: "ask", "request", "order".
    Request,
    /// "like", "love": declining only after "would" ("I wouldn't like a demo").
    Like,
    /// "would", "i'd", "we'd".
    Would,
    /// Failure, absence or doubt: "get", "receive", "work", "load", "have", "know".
    Failure,
    /// Waiting for something expected: "still", "yet".
    Waiting,
    /// "now", "today": declining for the time being (read after the keyword only).
    Time,
    /// "please".
    Polite,
    /// Small words that leave "not" negating the noun phrase: "a", "the", "any".
    Function,
    /// Words that open a subordinate clause: "that", "because", "which".
    Subordinator,
    /// Anything else.
    Other,
}

fn class(word: &str) -> Class {
    match word {
        "want" | "wants" | "wanted" | "wanting" | "wanna" | "need" | "needs" | "needed"
        | "needing" | "require" | "requires" | "required" | "requiring" | "necessary"
        | "interested" | "interest" | "interests" | "intrested" | "intersted" | "interseted"
        | "wnat" | "neccessary" | "necesary" | "neccesary" | "keen" | "looking" | "care"
        | "cares" | "bother" | "bothered" | "thanks" | "thank" | "thx" | "time" | "budget"
        | "important" | "relevant" | "priority" => Class::Desire,
        "ask" | "asked" | "asking" | "request" | "requested" | "requesting" | "order"
        | "ordered" | "subscribe" | "subscribed" => Class::Request,
        "like" | "love" => Class::Like,
        "would" | "i'd" | "we'd" => Class::Would,
        "get" | "gets" | "got" | "gotten" | "getting" | "receive" | "receives" | "received"
        | "recieve" | "recieved" | "recived" | "receiving" | "see" | "sees" | "seeing" | "saw"
        | "seen" | "find" | "finds" | "finding" | "found" | "arrive" | "arrives" | "arrived"
        | "arived" | "arriving" | "come" | "comes" | "came" | "coming" | "show" | "shows"
        | "showed" | "showing" | "shown" | "appear" | "appears" | "appeared" | "appearing"
        | "work" | "works" | "worked" | "working" | "load" | "loads" | "loaded" | "loading"
        | "open" | "opens" | "opened" | "opening" | "access" | "accessing" | "let" | "lets"
        | "letting" | "allow" | "allows" | "allowed" | "able" | "sent" | "delivered" | "go"
        | "goes" | "went" | "through" | "reach" | "reached" | "sync" | "syncs" | "synced"
        | "syncing" | "start" | "starts" | "started" | "launch" | "launches" | "launched"
        | "download" | "downloads" | "downloaded" | "update" | "updated" | "exist" | "exists"
        | "have" | "has" | "had" | "having" | "know" | "knew" | "understand" | "understood"
        | "sure" | "certain" | "clear" | "correct" | "accurate" | "valid" | "happen"
        | "happened" | "respond" | "responding" | "accept" | "accepted" | "accepting"
        | "recognize" | "recognized" | "recognise" | "recognised" => Class::Failure,
        "still" | "yet" => Class::Waiting,
        "now" | "today" | "moment" => Class::Time,
        "please" | "pls" | "plz" => Class::Polite,
        "a" | "an" | "the" | "any" | "my" | "our" | "your" | "their" | "this" | "these"
        | "those" | "for" | "to" | "of" | "about" | "on" | "in" | "with" | "me" | "us" | "you"
        | "it" | "one" | "some" | "more" | "other" | "another" | "extra" | "additional"
        | "further" | "single" => Class::Function,
        "that" | "which" | "who" | "whom" | "because" | "since" | "if" | "when" | "while"
        | "so" | "as" | "where" | "whether" => Class::Subordinator,
        _ => Class::Other,
    }
}

/// The last words read, restarted at each clause.
#[derive(Default)]
struct Clause<'a> {
    /// Index of the clause's first word.
    start: usize,
    prev: Option<&'a str>,
    prev2: Option<&'a str>,
}

impl<'a> Clause<'a> {
    /// A new clause starting at word `start`, after `opener` (a contrast word) if any.
    fn restart(&mut self, start: usize, opener: Option<&'a str>) {
        *self = Clause {
            start,
            prev: opener,
            prev2: None,
        };
    }

    fn push(&mut self, word: &'a str) {
        self.prev2 = self.prev;
        self.prev = Some(word);
    }
}

/// What has been seen since the first cue of the current negation scope.
#[derive(Clone, Copy)]
struct Chain {
    cue: Cue,
    /// One bit per [`Class`] of the words in scope.
    seen: u16,
    ability: bool,
    would: bool,
    imperative: bool,
    rather: bool,
    absence_before: bool,
}

impl Chain {
    /// A scope opened by `cue`, the word at `index`, with `clause` the words before it.
    fn open(cue: Cue, clause: &Clause<'_>, index: usize) -> Chain {
        let prev = clause.prev.unwrap_or("");
        let prev2 = clause.prev2.unwrap_or("");
        let opens_clause = index == clause.start;
        let imperative = match cue {
            Cue::Dont => opens_clause || class(prev) == Class::Polite,
            Cue::Not => {
                prev == "do" && (index == clause.start + 1 || class(prev2) == Class::Polite)
            }
            _ => false,
        };
        let absence_before = matches!(class(prev), Class::Failure | Class::Waiting)
            || matches!(prev, "there's" | "theres")
            || (matches!(prev, "is" | "are" | "was" | "were") && prev2 == "there");
        Chain {
            cue,
            seen: 0,
            ability: cue == Cue::Ability || (cue == Cue::Not && matches!(prev, "can" | "could")),
            would: cue == Cue::Would || class(prev) == Class::Would,
            imperative,
            rather: prev == "rather",
            absence_before,
        }
    }

    /// Another cue inside the scope ("I can't log in without a password reset").
    fn extend(&mut self, cue: Cue) {
        self.ability |= cue == Cue::Ability;
        self.would |= cue == Cue::Would;
    }

    fn note(&mut self, word: &str) {
        self.seen |= 1 << class(word) as u8;
    }

    fn saw(&self, class: Class) -> bool {
        self.seen & (1 << class as u8) != 0
    }

    /// The purpose of the negation over a hit in scope; `after` reads the words after
    /// the hit, only when needed.
    fn classify(&self, after: impl FnOnce() -> Option<Negation>) -> Negation {
        if self.saw(Class::Desire) || self.rather || (self.would && self.saw(Class::Like)) {
            return Negation::Declined;
        }
        if self.ability {
            return Negation::Problem;
        }
        if self.saw(Class::Request) {
            return Negation::Declined;
        }
        if self.saw(Class::Failure) || self.saw(Class::Waiting) {
            return Negation::Problem;
        }
        if self.imperative {
            return Negation::Declined;
        }
        if self.absence_before {
            return Negation::Problem;
        }
        if let Some(told) = after() {
            return told;
        }
        let content = self.saw(Class::Other) || self.saw(Class::Like) || self.saw(Class::Would);
        match self.cue {
            Cue::Determiner => Negation::Declined,
            Cue::Not if !content => Negation::Declined,
            _ => Negation::Problem,
        }
    }
}

/// What a word after a keyword (or after a cue that follows it) tells, if anything.
fn telling(word: &str) -> Option<Negation> {
    match class(word) {
        Class::Desire | Class::Request | Class::Time | Class::Polite => Some(Negation::Declined),
        Class::Failure | Class::Waiting => Some(Negation::Problem),
        _ => None,
    }
}

/// The words of the clause after byte `from`, within the lookahead bounds.
struct Ahead<'a> {
    hay: &'a str,
    /// Whether `hay` was cut short of the message's end.
    cut: bool,
    pos: usize,
    last_end: usize,
    words: usize,
}

impl<'a> Ahead<'a> {
    fn new(hay: &'a str, from: usize) -> Ahead<'a> {
        let mut end = hay.len().min(from.saturating_add(LOOKAHEAD_BYTES));
        while !hay.is_char_boundary(end) {
            end -= 1;
        }
        Ahead {
            hay: &hay[..end],
            cut: end < hay.len(),
            pos: from,
            last_end: from,
            words: 0,
        }
    }
}

impl<'a> Iterator for Ahead<'a> {
    type Item = &'a str;

    /// The next word, or `None` at the clause's end, a contrast word or the bounds.
    fn next(&mut self) -> Option<&'a str> {
        if self.words == LOOKAHEAD_WORDS {
            return None;
        }
        let r = next_token(self.hay, &mut self.pos)?;
        // A word cut by the byte bound is not a word of the message.
        let cut = self.cut && r.end == self.hay.len();
        let word = &self.hay[r.clone()];
        if cut || has_clause_boundary(&self.hay[self.last_end..r.start]) || is_contrast_word(word) {
            self.words = LOOKAHEAD_WORDS;
            return None;
        }
        self.last_end = r.end;
        self.words += 1;
        Some(word)
    }
}

/// For a hit in scope: the first telling word among the few after it, if any.
fn told_after(hay: &str, end: usize) -> Option<Negation> {
    Ahead::new(hay, end)
        .take(TELLING_WITHIN)
        .take_while(|w| cue_kind(w).is_none())
        .find_map(telling)
}

/// For a hit outside any scope: the purpose of a negation that follows it in its
/// clause ("login doesn't work", "a demo is not needed"), `None` when there is none.
fn negation_after(hay: &str, end: usize) -> Negation {
    let mut words = Ahead::new(hay, end);
    let mut between = 0;
    let mut subordinate = false;
    let cue = loop {
        let Some(word) = words.next() else {
            return Negation::None;
        };
        if let Some(cue) = cue_kind(word) {
            break cue;
        }
        between += 1;
        if between > AFTER_CUE_WITHIN {
            return Negation::None;
        }
        subordinate |= class(word) == Class::Subordinator;
    };
    let told = words
        .take(TELLING_WITHIN)
        .take_while(|w| cue_kind(w).is_none())
        .find_map(telling);
    match told {
        Some(Negation::Declined) if between <= AFTER_DECLINE_WITHIN && !subordinate => {
            Negation::Declined
        }
        Some(Negation::Problem) => Negation::Problem,
        _ if cue == Cue::Ability => Negation::Problem,
        _ => Negation::None,
    }
}

/// Sets `negated` and `negation` on hits (ordered by start, spans in `hay`).
///
/// `negated`: the hit starts within [`NEGATION_WINDOW`] words after a cue with no
/// clause boundary or contrast word in between.
pub(super) fn mark_negations(hay: &str, hits: &mut [KeywordHit]) {
    let mut pos = 0;
    let mut last_end = 0;
    let mut index = 0; // index of the next token
    let mut scope_until: Option<usize> = None; // last token index in scope
    let mut clause = Clause::default();
    let mut chain: Option<Chain> = None;
    let mut previous: Option<(usize, usize, bool, Negation)> = None;
    // The next token and the position after it, read once however many hits come
    // before it (a run of hits between two words must not re-read the run).
    let mut upcoming: Option<Option<(Range<usize>, usize)>> = None;
    // How far the gap after the last token has been checked for a clause boundary.
    let mut gap_checked = 0;
    for hit in hits {
        let at = hit.span.start;
        loop {
            let token = upcoming
                .get_or_insert_with(|| {
                    let mut next = pos;
                    next_token(hay, &mut next).map(|r| (r, next))
                })
                .clone();
            let Some((r, next)) = token.filter(|(r, _)| r.start < at) else {
                break;
            };
            upcoming = None;
            let boundary = has_clause_boundary(&hay[last_end..r.start]);
            if boundary || scope_until.is_some_and(|last| index > last) {
                scope_until = None;
            }
            if boundary {
                clause.restart(index, None);
            }
            let word = &hay[r.clone()];
            if is_contrast_word(word) {
                scope_until = None;
                clause.restart(index + 1, Some(word));
            } else {
                if let Some(cue) = cue_kind(word) {
                    match (&mut chain, scope_until) {
                        (Some(chain), Some(_)) => chain.extend(cue),
                        _ => chain = Some(Chain::open(cue, &clause, index)),
                    }
                    scope_until = Some(index + NEGATION_WINDOW);
                } else if let (Some(chain), Some(_)) = (&mut chain, scope_until) {
                    chain.note(word);
                }
                clause.push(word);
            }
            last_end = r.end;
            gap_checked = r.end;
            pos = next;
            index += 1;
        }
        if at > gap_checked {
            // Once found, the boundary's effect (no scope) lasts until the next word.
            if has_clause_boundary(&hay[gap_checked..at]) {
                scope_until = None;
            }
            gap_checked = at;
        }
        hit.negated = scope_until.is_some_and(|last| index <= last);
        let (start, end) = (hit.span.start, hit.span.end);
        hit.negation = match previous {
            // The same keyword under several intents: read once.
            Some((s, e, negated, negation)) if (s, e, negated) == (start, end, hit.negated) => {
                negation
            }
            _ => match chain.filter(|_| hit.negated) {
                Some(chain) => chain.classify(|| told_after(hay, end)),
                None => negation_after(hay, end),
            },
        };
        previous = Some((start, end, hit.negated, hit.negation));
    }
}
