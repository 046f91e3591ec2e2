//! Light English morphology: a suffix stripper that maps the inflected forms of a word
//! to one stem ("evaluate", "evaluates", "evaluated", "evaluating" -> "evaluat"), so an
//! unseen form of a known word reads as that word.
//!
//! It is deliberately light (plural and verb endings, a final "e" or "y", a doubled
//! final consonant), in the spirit of the first steps of Porter's stemmer: derivations
//! that change the meaning ("use" / "user", "act" / "active") are left apart.
//!
//! Complexity: O(word length), one allocation for the stem.

/// The stem of a lower-case `word`; words shorter than four chars are their own stem.
pub(crate) fn stem(word: &str) -> String {
    let mut s: Vec<char> = word.chars().collect();
    if s.len() < 4 {
        return word.to_string();
    }
    strip_plural(&mut s);
    strip_verb_ending(&mut s);
    tidy_end(&mut s);
    s.into_iter().collect()
}

fn ends_with(s: &[char], suffix: &str) -> bool {
    let n = suffix.chars().count();
    s.len() >= n && s[s.len() - n..].iter().copied().eq(suffix.chars())
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

/// "cities" -> "citi", "classes" -> "class", "vendors" -> "vendor"; "class", "bus" and
/// "analysis" keep their "s".
fn strip_plural(s: &mut Vec<char>) {
    if ends_with(s, "ies") && s.len() > 4 {
        s.truncate(s.len() - 2);
    } else if ends_with(s, "sses") {
        s.truncate(s.len() - 2);
    } else if ends_with(s, "s")
        && !ends_with(s, "ss")
        && !ends_with(s, "us")
        && !ends_with(s, "is")
        && s.len() > 3
    {
        s.truncate(s.len() - 1);
    }
}

/// "booking" -> "book", "booked" -> "book", when at least three chars with a vowel are
/// left ("need" and "sing" stay whole).
fn strip_verb_ending(s: &mut Vec<char>) {
    for suffix in ["ing", "ed"] {
        let n = suffix.len();
        if ends_with(s, suffix) && s.len() >= n + 3 && s[..s.len() - n].iter().any(|&c| is_vowel(c))
        {
            s.truncate(s.len() - n);
            return;
        }
    }
}

/// A final "e" goes ("evaluate" -> "evaluat"), a final "y" reads as "i" ("city" ->
/// "citi", like "cities"), a doubled final consonant is single ("runn" -> "run").
fn tidy_end(s: &mut Vec<char>) {
    let n = s.len();
    if n < 4 {
        return;
    }
    match s[n - 1] {
        'e' => {
            s.pop();
        }
        'y' => s[n - 1] = 'i',
        c if c == s[n - 2] && !is_vowel(c) && !matches!(c, 'l' | 's' | 'z') => {
            s.pop();
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_share_a_stem() {
        let groups: &[&[&str]] = &[
            &["evaluate", "evaluates", "evaluated", "evaluating"],
            &["book", "books", "booked", "booking"],
            &["vendor", "vendors"],
            &["city", "cities"],
            &["run", "runs", "running"],
            &["class", "classes"],
            &["report", "reports", "reported", "reporting"],
        ];
        for group in groups {
            let first = stem(group[0]);
            for word in *group {
                assert_eq!(stem(word), first, "{word} vs {}", group[0]);
            }
        }
    }

    #[test]
    fn different_words_keep_different_stems() {
        for (a, b) in [
            ("use", "user"),
            ("need", "ne"),
            ("sing", "s"),
            ("act", "active"),
        ] {
            assert_ne!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_eq!(stem(""), "");
        assert_eq!(stem("ok"), "ok");
        assert_eq!(stem("analysis"), "analysis");
    }
}
