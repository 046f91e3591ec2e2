//! Parsing the answer to a pending qualification question.
//!
//! Numbers: the first number in the text, with thousands separators ("1,000"), decimals,
//! and multipliers `k`/`thousand`, `m`/`million` ("10k" is 10000). A range ("50-100",
//! "50 to 100", "between 50 and 100", "10-20k") gives its **midpoint** (75), so it lands
//! in the same bracket whichever end a rule tests against most of the time; "200+" and
//! "over 200" give 200. "just me" gives 1.
//!
//! Options: matched after normalization (case, accents), by exact text, as a whole
//! phrase inside the answer, by position ("2") when no option is numeric, or within a
//! small edit distance (typos), and only when the best match is unique. A numeric answer
//! to numeric options ("1-50", "51-200", "201+") keeps the number itself.
//!
//! Complexity: linear in the answer for numbers; O(options × answer × option) for the
//! typo-tolerant option match, on answers and options cut to 256 bytes
//! ([`MAX_OPTION_LEN`]) and at most [`MAX_PENDING_OPTIONS`] options (a pending question
//! from the host with more is read up to that many). Blank options are never chosen.

use crate::flow::Value;
use crate::limits::{MAX_OPTION_LEN, MAX_PENDING_OPTIONS};
use crate::text::truncate_at_char_boundary;
use crate::text::Normalizer;

/// Longest answer looked at: answers are short; this bounds the edit-distance work.
const MAX_ANSWER: usize = MAX_OPTION_LEN;

/// Parses an answer. With no options, only a number counts as an answer.
pub(crate) fn parse_answer(text: &str, options: &[String]) -> Option<Value> {
    let options = &options[..options.len().min(MAX_PENDING_OPTIONS)];
    let text = truncate_at_char_boundary(text, MAX_ANSWER);
    let norm = Normalizer::default();
    let answer = norm.normalize(text);
    let answer = answer.as_str();
    let number = parse_number_normalized(answer);
    if options.is_empty() {
        return number.map(Value::Number);
    }
    let opts: Vec<String> = options
        .iter()
        .map(|o| {
            norm.normalize(truncate_at_char_boundary(o, MAX_ANSWER))
                .as_str()
                .to_string()
        })
        .collect();
    let numeric_options = opts.iter().any(|o| parse_number_normalized(o).is_some());
    if let (Some(n), true) = (number, numeric_options) {
        return Some(Value::Number(n));
    }
    let chosen = match_option(answer, &opts, numeric_options)?;
    Some(match parse_number_normalized(&opts[chosen]) {
        Some(n) => Value::Number(n),
        None => Value::String(options[chosen].clone()),
    })
}

fn match_option(answer: &str, opts: &[String], numeric_options: bool) -> Option<usize> {
    if answer.is_empty() {
        return None;
    }
    if let Some(i) = opts.iter().position(|o| o == answer) {
        return Some(i);
    }
    if !numeric_options {
        if let Ok(n) = answer.trim_end_matches(['.', ')']).parse::<usize>() {
            // A blank option is never chosen, by position either.
            if (1..=opts.len()).contains(&n) && !opts[n - 1].is_empty() {
                return Some(n - 1);
            }
        }
    }
    let unique = |found: Vec<usize>| (found.len() == 1).then(|| found[0]);
    let inside: Vec<usize> = (0..opts.len())
        .filter(|&i| !opts[i].is_empty() && contains_phrase(answer, &opts[i]))
        .collect();
    if let Some(i) = unique(inside) {
        return Some(i);
    }
    // Typos: compare the whole answer, and each window of as many words as the option.
    let words: Vec<&str> = answer.split(' ').collect();
    let mut best: Option<(usize, usize)> = None;
    let mut tie = false;
    for (i, o) in opts.iter().enumerate().filter(|(_, o)| !o.is_empty()) {
        let n = o.split(' ').count().max(1);
        let allowed = (o.chars().count() / 4).clamp(1, 3);
        let mut d = distance(answer, o, allowed + 1);
        if words.len() > n {
            for w in words.windows(n) {
                d = d.min(distance(&w.join(" "), o, allowed + 1));
            }
        }
        if d <= allowed {
            match best {
                Some((_, bd)) if d > bd => {}
                Some((_, bd)) if d == bd => tie = true,
                _ => {
                    best = Some((i, d));
                    tie = false;
                }
            }
        }
    }
    if tie {
        return None;
    }
    best.map(|(i, _)| i)
}

fn contains_phrase(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(at) = hay[from..].find(needle) {
        let start = from + at;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        let boundary = |c: Option<char>| c.map_or(true, |c| !c.is_alphanumeric());
        if boundary(before) && boundary(after) {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Damerau-Levenshtein (optimal string alignment) distance, giving up at `cap`.
pub(crate) fn distance(a: &str, b: &str, cap: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) >= cap {
        return cap;
    }
    let m = b.len();
    let mut prev2 = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min >= cap {
            return cap;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m].min(cap)
}

/// The number an answer states, per the module docs.
#[cfg(test)]
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let n = Normalizer::default().normalize(truncate_at_char_boundary(text, MAX_ANSWER));
    parse_number_normalized(n.as_str())
}

struct Num {
    value: f64,
    has_multiplier: bool,
    end: usize,
}

fn parse_number_normalized(s: &str) -> Option<f64> {
    for solo in ["just me", "only me", "myself", "solo", "one person"] {
        if contains_phrase(s, solo) {
            return Some(1.0);
        }
    }
    let first = find_number(s, 0)?;
    // A range: "50-100", "50 - 100", "50 to 100", "between 50 and 100", "50 or 60".
    let rest = &s[first.end..];
    let trimmed = rest.trim_start();
    let connector = ["-", "–", "—", "to ", "and ", "or "]
        .iter()
        .find(|c| trimmed.starts_with(*c));
    if let Some(c) = connector {
        let after = first.end + (rest.len() - trimmed.len()) + c.len();
        let gap = &s[after..];
        let lead = gap.len() - gap.trim_start().len();
        if gap[lead..].starts_with(|ch: char| ch.is_ascii_digit()) {
            if let Some(second) = find_number(s, after + lead) {
                let mut lo = first.value;
                let hi = second.value;
                if !first.has_multiplier && second.has_multiplier {
                    // "10-20k": the multiplier applies to both ends.
                    let scale = hi / parse_digits_only(s, after + lead).unwrap_or(hi).max(1.0);
                    if lo * scale <= hi {
                        lo *= scale;
                    }
                }
                if hi >= lo {
                    return Some((lo + hi) / 2.0);
                }
            }
        }
    }
    Some(first.value)
}

fn parse_digits_only(s: &str, at: usize) -> Option<f64> {
    let digits: String = s[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    digits.trim_end_matches('.').parse().ok()
}

/// Finds the first number at or after byte `from` that does not start inside a word.
fn find_number(s: &str, from: usize) -> Option<Num> {
    let bytes = s.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit()
            && (i == 0
                || !s[..i]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric))
        {
            return Some(read_number(s, i));
        }
        i += 1;
    }
    None
}

fn read_number(s: &str, start: usize) -> Num {
    let bytes = s.as_bytes();
    let mut i = start;
    let mut digits = String::new();
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        digits.push(bytes[i] as char);
        i += 1;
    }
    // Thousands separators: ",ddd" groups.
    while bytes.get(i) == Some(&b',')
        && bytes.len() >= i + 4
        && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit)
        && !bytes.get(i + 4).is_some_and(u8::is_ascii_digit)
    {
        digits.push_str(&s[i + 1..i + 4]);
        i += 4;
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        digits.push('.');
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            digits.push(bytes[i] as char);
            i += 1;
        }
    }
    let mut value: f64 = digits.parse().unwrap_or(0.0);
    let rest = &s[i..];
    let word_end = |w: &str| {
        rest.trim_start()
            .strip_prefix(w)
            .is_some_and(|after| !after.starts_with(char::is_alphanumeric))
    };
    let mut has_multiplier = false;
    let mut end = i;
    for (words, scale) in [
        (&["k", "thousand", "thousands"][..], 1e3),
        (&["m", "mm", "million", "millions", "mil"][..], 1e6),
    ] {
        if let Some(w) = words.iter().find(|w| word_end(w)) {
            value *= scale;
            has_multiplier = true;
            end = i + (rest.len() - rest.trim_start().len()) + w.len();
            break;
        }
    }
    Num {
        value,
        has_multiplier,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! numbers {
        ($($text:expr => $want:expr),* $(,)?) => {$(
            assert_eq!(parse_number($text), $want, "parsing {:?}", $text);
        )*};
    }

    #[test]
    fn number_table() {
        numbers! {
            "about 200 people" => Some(200.0),
            "200" => Some(200.0),
            "50-100" => Some(75.0),
            "50 - 100 employees" => Some(75.0),
            "between 50 and 100" => Some(75.0),
            "50 to 100" => Some(75.0),
            "10k" => Some(10_000.0),
            "10K employees" => Some(10_000.0),
            "1,000" => Some(1000.0),
            "1,000,000 users" => Some(1_000_000.0),
            "1.5k" => Some(1500.0),
            "2 million" => Some(2_000_000.0),
            "10-20k" => Some(15_000.0),
            "200+" => Some(200.0),
            "over 500" => Some(500.0),
            "just me" => Some(1.0),
            "we are a small team" => None,
            "" => None,
            "b2b" => None,
            "１２０ people" => Some(120.0),
            "100-50" => Some(100.0),
        }
    }

    fn opts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    macro_rules! answers {
        ($options:expr; $($text:expr => $want:expr),* $(,)?) => {$(
            assert_eq!(parse_answer($text, &opts($options)), $want, "answer {:?}", $text);
        )*};
    }

    #[test]
    fn option_table() {
        let roles = &["Engineering", "Marketing", "Sales", "Other"];
        answers! { roles;
            "engineering" => Some(Value::from("Engineering")),
            "I work in marketing" => Some(Value::from("Marketing")),
            "Enginering" => Some(Value::from("Engineering")),
            "markting team" => Some(Value::from("Marketing")),
            "2" => Some(Value::from("Marketing")),
            "MÁRKETING" => Some(Value::from("Marketing")),
            "banana" => None,
            "" => None,
            "9" => None,
        }
        let sizes = &["1-50", "51-200", "201+"];
        answers! { sizes;
            "51-200" => Some(Value::Number(125.5)),
            "about 300" => Some(Value::Number(300.0)),
            "201+" => Some(Value::Number(201.0)),
            "no idea" => None,
        }
        answers! { &[];
            "about 200 people" => Some(Value::Number(200.0)),
            "no idea" => None,
        }
    }

    #[test]
    fn distance_table() {
        assert_eq!(distance("quote", "qoute", 5), 1);
        assert_eq!(distance("", "abc", 5), 3);
        assert_eq!(distance("kitten", "sitting", 5), 3);
        assert_eq!(distance("kitten", "sitting", 2), 2);
        assert_eq!(distance("same", "same", 3), 0);
    }
}
