//! Filling slots from a message: which number mentions are about which slot (cue
//! words next to them, or the slot was asked), the first email address, the whole
//! message for an asked free-text slot.

use super::config::{Compiled, Kind};
use super::lexicon;
use super::number::Mention;
use super::scan::{joins_words, phrase_after, Scan};
use super::types::{Extracted, Qualifier, Rejection, SlotValue, Source};
use crate::text::{truncate_at_char_boundary, Normalized};

/// Most words between a number and a cue after it ("5000 full-time employees").
const MAX_WORDS_BETWEEN: usize = 2;

/// What one message holds, read once and shared by every slot.
pub(crate) struct Message<'a> {
    pub(crate) original: &'a str,
    pub(crate) normalized: &'a Normalized,
    pub(crate) scan: Scan<'a>,
    pub(crate) mentions: Vec<Mention>,
}

/// Fills each slot at most once, in the order the slots were declared.
pub(crate) fn extract(
    slots: &[Compiled],
    msg: &mut Message<'_>,
    asked: Option<&str>,
) -> Vec<Extracted> {
    let mut out = Vec::new();
    for (index, slot) in slots.iter().enumerate() {
        let was_asked = asked == Some(slot.name.as_str());
        let found = match &slot.kind {
            Kind::Number { cues, min, max } => {
                number_slot(slots, index, cues, (*min, *max), msg, was_asked)
            }
            Kind::Email => email_slot(msg),
            Kind::Text { max_len } => was_asked
                .then(|| text_slot(msg.original, *max_len))
                .flatten(),
        };
        if let Some(mut found) = found {
            found.slot = slot.name.clone();
            out.push(found);
        }
    }
    out
}

fn number_slot(
    slots: &[Compiled],
    index: usize,
    cues: &[Vec<String>],
    bounds: (f64, f64),
    msg: &mut Message<'_>,
    asked: bool,
) -> Option<Extracted> {
    let mut cued = Vec::new();
    for (k, m) in msg.mentions.iter().enumerate() {
        if let Some(cue) = cue_next_to(&mut msg.scan, m, cues) {
            cued.push((k, Source::Cue(cue.join(" "))));
        }
    }
    let mut candidates = cued;
    if candidates.is_empty() && asked {
        // A bare number answers the question, unless a cue ties it to another slot.
        for k in 0..msg.mentions.len() {
            let other = slots.iter().enumerate().any(|(j, s)| match &s.kind {
                Kind::Number { cues, .. } if j != index => {
                    cue_next_to(&mut msg.scan, &msg.mentions[k], cues).is_some()
                }
                _ => false,
            });
            if !other {
                candidates.push((k, Source::Answer));
            }
        }
    }
    let judged: Vec<(usize, Source, Option<Rejection>)> = candidates
        .into_iter()
        .map(|(k, source)| {
            let rejection = judge(&msg.mentions[k], bounds);
            (k, source, rejection)
        })
        .collect();
    let best = judged
        .iter()
        .find(|(_, _, r)| r.is_none())
        .or_else(|| judged.first());
    if let Some((k, source, rejection)) = best {
        let m = &msg.mentions[*k];
        return Some(Extracted {
            slot: String::new(),
            value: m.value.clone(),
            span: msg.normalized.original_span(m.span.clone()),
            qualifier: m.qualifier,
            rejection: rejection.clone(),
            source: source.clone(),
        });
    }
    if asked {
        return solo(msg, bounds);
    }
    None
}

/// The mention's own rejection, else the slot's bounds on every end of it.
fn judge(m: &Mention, (min, max): (f64, f64)) -> Option<Rejection> {
    if let Some(r) = &m.rejection {
        return Some(r.clone());
    }
    let (low, high) = match m.value {
        SlotValue::Range { low, high } => (low, high),
        SlotValue::Number(n) => (n, n),
        SlotValue::Text(_) => return None,
    };
    if low < min {
        Some(Rejection::BelowMin { min })
    } else if high > max {
        Some(Rejection::AboveMax { max })
    } else {
        None
    }
}

/// "just me" and the like, as an answer: one.
fn solo(msg: &Message<'_>, bounds: (f64, f64)) -> Option<Extracted> {
    let s = msg.normalized.as_str();
    lexicon::SOLO.iter().find_map(|phrase| {
        let at = find_phrase(s, phrase)?;
        let value = SlotValue::Number(1.0);
        let rejection = (1.0 < bounds.0).then_some(Rejection::BelowMin { min: bounds.0 });
        Some(Extracted {
            slot: String::new(),
            value,
            span: msg.normalized.original_span(at..at + phrase.len()),
            qualifier: Qualifier::Exact,
            rejection,
            source: Source::Answer,
        })
    })
}

/// The first whole-word occurrence of `phrase` in `s`.
fn find_phrase(s: &str, phrase: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(off) = s[from..].find(phrase) {
        let at = from + off;
        let before_ok = !s[..at].ends_with(|c: char| c.is_alphanumeric());
        if before_ok && phrase_after(s, at, phrase).is_some() {
            return Some(at);
        }
        from = at + phrase.len();
    }
    None
}

fn email_slot(msg: &Message<'_>) -> Option<Extracted> {
    let span = super::email::find_email(msg.normalized.as_str())?;
    Some(Extracted {
        slot: String::new(),
        value: SlotValue::Text(msg.normalized.as_str()[span.clone()].to_string()),
        span: msg.normalized.original_span(span),
        qualifier: Qualifier::Exact,
        rejection: None,
        source: Source::Pattern,
    })
}

fn text_slot(original: &str, max_len: usize) -> Option<Extracted> {
    let trimmed = original.trim();
    if trimmed.is_empty() {
        return None;
    }
    let start = original.len() - original.trim_start().len();
    let kept = truncate_at_char_boundary(trimmed, max_len);
    Some(Extracted {
        slot: String::new(),
        value: SlotValue::Text(kept.to_string()),
        span: start..start + kept.len(),
        qualifier: Qualifier::Exact,
        rejection: None,
        source: Source::Answer,
    })
}

/// The cue next to mention `m`, after it or before it.
fn cue_next_to<'c>(
    scan: &mut Scan<'_>,
    m: &Mention,
    cues: &'c [Vec<String>],
) -> Option<&'c [String]> {
    if cues.is_empty() {
        return None;
    }
    cue_after(scan, m, cues).or_else(|| cue_before(scan, m, cues))
}

fn cue_after<'c>(
    scan: &mut Scan<'_>,
    m: &Mention,
    cues: &'c [Vec<String>],
) -> Option<&'c [String]> {
    let mut prev_end = m.span.end;
    let last = m.token_after + MAX_WORDS_BETWEEN;
    for j in m.token_after..=last {
        let r = scan.tok(j)?;
        if !separates_words(&scan.s[prev_end..r.start]) {
            return None;
        }
        if let Some(cue) = cues.iter().find(|cue| cue_at(scan, j, cue)) {
            return Some(cue);
        }
        let word = &scan.s[r.clone()];
        let filler = word.len() <= 32
            && !word.as_bytes()[0].is_ascii_digit()
            && !lexicon::is_function_word(word)
            && lexicon::word(word).is_none();
        if j == last || !filler {
            return None;
        }
        prev_end = r.end;
    }
    None
}

/// Spaces or a hyphen between a number and the words after it ("2,000-person").
fn separates_words(gap: &str) -> bool {
    gap.len() <= 3 && gap.bytes().all(|b| b == b' ' || b == b'-')
}

fn cue_before<'c>(
    scan: &mut Scan<'_>,
    m: &Mention,
    cues: &'c [Vec<String>],
) -> Option<&'c [String]> {
    let last = m.tokens_before.checked_sub(1)?;
    let r = scan.tok(last)?;
    let gap = scan.s[r.end..m.span.start].trim_matches(' ');
    if !matches!(gap, "" | ":" | "=" | "-") {
        return None;
    }
    if let Some(cue) = cues.iter().find(|cue| cue_ending_at(scan, last, cue)) {
        return Some(cue);
    }
    let linked = lexicon::is_linking_word(&scan.s[r]) && scan.gap_before(last) == Some(" ");
    let before_link = last.checked_sub(1)?;
    if linked {
        return cues
            .iter()
            .find(|cue| cue_ending_at(scan, before_link, cue))
            .map(Vec::as_slice);
    }
    None
}

/// Whether cue `cue` starts at token `j`.
fn cue_at(scan: &mut Scan<'_>, j: usize, cue: &[String]) -> bool {
    cue.iter().enumerate().all(|(k, want)| {
        let joined = k == 0 || scan.gap_before(j + k).is_some_and(joins_words);
        joined && scan.word(j + k).is_some_and(|w| same_word(w, want))
    })
}

/// Whether cue `cue` ends at token `last`.
fn cue_ending_at(scan: &mut Scan<'_>, last: usize, cue: &[String]) -> bool {
    match (last + 1).checked_sub(cue.len()) {
        Some(first) => cue_at(scan, first, cue),
        None => false,
    }
}

/// A word and a cue word match as they are or with a final "s" added to either.
fn same_word(word: &str, cue: &str) -> bool {
    let plural = |long: &str, short: &str| {
        long.len() == short.len() + 1 && long.ends_with('s') && long.starts_with(short)
    };
    word == cue || plural(word, cue) || plural(cue, word)
}
