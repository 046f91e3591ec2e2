//! The English words the number reader knows: number words, qualifiers, and the words
//! that say a number is not a count of things (units, money, versions, years).
//!
//! All entries are in normalized form (lower case, single spaces), as
//! [`Normalizer`](crate::Normalizer) produces them.

use super::types::Qualifier;

/// What a number word contributes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Word {
    /// "zero".
    Zero,
    /// "one" to "nine".
    Unit(f64),
    /// "ten" to "nineteen".
    Teen(f64),
    /// "twenty" to "ninety".
    Tens(f64),
    /// "hundred".
    Hundred,
    /// "thousand", "million", "billion".
    Scale(f64),
    /// "dozen".
    Dozen,
    /// "a", "an": one, before a scale word, "dozen" or "couple".
    A,
    /// "couple".
    Couple,
    /// "half" (of "half a dozen", "half a million").
    Half,
    /// "and" inside a number ("two hundred and fifty").
    And,
    /// "inf", "infinity", "infinite", "nan": read so they can be rejected.
    NonFinite,
}

/// The number word `w` is, if any.
pub(crate) fn word(w: &str) -> Option<Word> {
    if w.len() > 9 {
        return None;
    }
    Some(match w {
        "zero" => Word::Zero,
        "one" => Word::Unit(1.0),
        "two" => Word::Unit(2.0),
        "three" => Word::Unit(3.0),
        "four" => Word::Unit(4.0),
        "five" => Word::Unit(5.0),
        "six" => Word::Unit(6.0),
        "seven" => Word::Unit(7.0),
        "eight" => Word::Unit(8.0),
        "nine" => Word::Unit(9.0),
        "ten" => Word::Teen(10.0),
        "eleven" => Word::Teen(11.0),
        "twelve" => Word::Teen(12.0),
        "thirteen" => Word::Teen(13.0),
        "fourteen" => Word::Teen(14.0),
        "fifteen" => Word::Teen(15.0),
        "sixteen" => Word::Teen(16.0),
        "seventeen" => Word::Teen(17.0),
        "eighteen" => Word::Teen(18.0),
        "nineteen" => Word::Teen(19.0),
        "twenty" => Word::Tens(20.0),
        "thirty" => Word::Tens(30.0),
        "forty" | "fourty" => Word::Tens(40.0),
        "fifty" => Word::Tens(50.0),
        "sixty" => Word::Tens(60.0),
        "seventy" => Word::Tens(70.0),
        "eighty" => Word::Tens(80.0),
        "ninety" => Word::Tens(90.0),
        "hundred" => Word::Hundred,
        "thousand" => Word::Scale(1e3),
        "million" => Word::Scale(1e6),
        "billion" => Word::Scale(1e9),
        "dozen" => Word::Dozen,
        "a" | "an" => Word::A,
        "couple" => Word::Couple,
        "half" => Word::Half,
        "and" => Word::And,
        "inf" | "infinity" | "infinite" | "nan" => Word::NonFinite,
        _ => return None,
    })
}

/// Multipliers written right after digits, glued ("10k") or as the next word ("10 k").
pub(crate) fn glued_multiplier(w: &str) -> Option<f64> {
    Some(match w {
        "k" => 1e3,
        "m" | "mn" | "mil" => 1e6,
        "bn" => 1e9,
        _ => return None,
    })
}

/// Scale words after digits ("2 thousand", "1.5 million").
pub(crate) fn spaced_scale(w: &str) -> Option<f64> {
    Some(match w {
        "k" | "thousand" | "thousands" => 1e3,
        "mil" | "million" | "millions" => 1e6,
        "billion" | "billions" => 1e9,
        _ => return None,
    })
}

/// Qualifiers written before a number, longest first so "no more than" wins over
/// "more than".
pub(crate) const BEFORE: &[(&str, Qualifier)] = &[
    ("no more than", Qualifier::AtMost),
    ("no fewer than", Qualifier::AtLeast),
    ("no less than", Qualifier::AtLeast),
    ("in excess of", Qualifier::AtLeast),
    ("approximately", Qualifier::Approximate),
    ("upwards of", Qualifier::AtLeast),
    ("more than", Qualifier::AtLeast),
    ("fewer than", Qualifier::AtMost),
    ("less than", Qualifier::AtMost),
    ("north of", Qualifier::AtLeast),
    ("close to", Qualifier::Approximate),
    ("at least", Qualifier::AtLeast),
    ("at most", Qualifier::AtMost),
    ("roughly", Qualifier::Approximate),
    ("around", Qualifier::Approximate),
    ("nearly", Qualifier::Approximate),
    ("almost", Qualifier::Approximate),
    ("approx", Qualifier::Approximate),
    ("about", Qualifier::Approximate),
    ("circa", Qualifier::Approximate),
    ("maybe", Qualifier::Approximate),
    ("some", Qualifier::Approximate),
    ("over", Qualifier::AtLeast),
    ("above", Qualifier::AtLeast),
    ("under", Qualifier::AtMost),
    ("below", Qualifier::AtMost),
    ("up to", Qualifier::AtMost),
    ("ca", Qualifier::Approximate),
    ("~", Qualifier::Approximate),
    ("\u{2248}", Qualifier::Approximate),
    (">=", Qualifier::AtLeast),
    ("\u{2265}", Qualifier::AtLeast),
    (">", Qualifier::AtLeast),
    ("<=", Qualifier::AtMost),
    ("\u{2264}", Qualifier::AtMost),
    ("<", Qualifier::AtMost),
];

/// Qualifiers written after a number.
pub(crate) const AFTER: &[(&str, Qualifier)] = &[
    ("give or take", Qualifier::Approximate),
    ("or thereabouts", Qualifier::Approximate),
    ("or so", Qualifier::Approximate),
    ("-ish", Qualifier::Approximate),
    ("ish", Qualifier::Approximate),
    ("or more", Qualifier::AtLeast),
    ("and up", Qualifier::AtLeast),
    ("and above", Qualifier::AtLeast),
    ("or above", Qualifier::AtLeast),
    ("plus", Qualifier::AtLeast),
    ("+", Qualifier::AtLeast),
    ("or less", Qualifier::AtMost),
    ("or fewer", Qualifier::AtMost),
    ("at most", Qualifier::AtMost),
    ("tops", Qualifier::AtMost),
    ("max", Qualifier::AtMost),
];

/// Words that say the number before them measures something other than a count of
/// things: time, money, size, rates.
pub(crate) fn is_unit(w: &str) -> bool {
    matches!(
        w,
        "am" | "pm"
            | "o'clock"
            | "h"
            | "hr"
            | "hrs"
            | "hour"
            | "hours"
            | "min"
            | "mins"
            | "minute"
            | "minutes"
            | "sec"
            | "secs"
            | "second"
            | "seconds"
            | "day"
            | "days"
            | "week"
            | "weeks"
            | "month"
            | "months"
            | "year"
            | "years"
            | "yr"
            | "yrs"
            | "percent"
            | "pct"
            | "dollar"
            | "dollars"
            | "usd"
            | "eur"
            | "euro"
            | "euros"
            | "gbp"
            | "pound"
            | "pounds"
            | "buck"
            | "bucks"
            | "cent"
            | "cents"
            | "kb"
            | "mb"
            | "gb"
            | "tb"
            | "times"
            | "x"
    )
}

/// Symbols right after a number that make it money, a rate or a time.
pub(crate) fn is_unit_symbol(c: char) -> bool {
    matches!(c, '%' | '$' | '\u{20ac}' | '\u{a3}' | '\u{a5}' | ':')
}

/// Symbols right before a number that make it money or an identifier.
pub(crate) fn is_prefix_symbol(c: char) -> bool {
    matches!(c, '$' | '\u{20ac}' | '\u{a3}' | '\u{a5}' | '#')
}

/// Words before a number that make it a label, a version or money, not a count.
pub(crate) fn is_label_word(w: &str) -> bool {
    matches!(
        w,
        "version"
            | "ver"
            | "v"
            | "release"
            | "rev"
            | "step"
            | "level"
            | "tier"
            | "page"
            | "chapter"
            | "room"
            | "floor"
            | "port"
            | "ticket"
            | "order"
            | "invoice"
            | "id"
            | "number"
            | "usd"
            | "eur"
            | "gbp"
            | "ios"
            | "android"
            | "windows"
    )
}

/// Words before a phone number.
pub(crate) fn is_phone_word(w: &str) -> bool {
    matches!(w, "phone" | "tel" | "mobile" | "cell" | "fax" | "whatsapp")
}

/// Words before a four-digit number that make it a year ("in 2024", "since 2019").
pub(crate) fn is_year_word(w: &str) -> bool {
    matches!(
        w,
        "in" | "since"
            | "by"
            | "until"
            | "till"
            | "before"
            | "after"
            | "during"
            | "early"
            | "late"
            | "mid"
            | "year"
            | "fy"
            | "q1"
            | "q2"
            | "q3"
            | "q4"
    )
}

/// Short function words, and words that make a number an increment. Between a number
/// and a cue word they break the link: in "3 of our users" the 3 does not count users,
/// and "add 5 more seats" does not say how many there are.
pub(crate) fn is_function_word(w: &str) -> bool {
    matches!(
        w,
        "more"
            | "extra"
            | "additional"
            | "new"
            | "fewer"
            | "less"
            | "of"
            | "for"
            | "per"
            | "in"
            | "on"
            | "at"
            | "to"
            | "from"
            | "with"
            | "by"
            | "and"
            | "or"
            | "but"
            | "than"
            | "the"
            | "a"
            | "an"
            | "our"
            | "my"
            | "your"
            | "their"
            | "his"
            | "her"
            | "its"
            | "this"
            | "that"
            | "these"
            | "those"
            | "we"
            | "i"
            | "you"
            | "they"
            | "it"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "have"
            | "has"
            | "had"
            | "do"
            | "does"
            | "did"
            | "not"
            | "no"
            | "if"
            | "when"
            | "who"
            | "which"
    )
}

/// Words allowed between a cue and the number after it ("headcount is 300").
pub(crate) fn is_linking_word(w: &str) -> bool {
    matches!(w, "is" | "are" | "was" | "were" | "of" | "at")
}

/// Answers that mean one person, read only when the slot was asked.
pub(crate) const SOLO: &[&str] = &["just me", "only me", "just myself", "myself", "solo"];
