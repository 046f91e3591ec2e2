//! Negation purpose: a customer who declines a keyword ("I don't want a demo") against
//! one who describes a problem with it ("I can't log in"), and the policies that decide
//! which hits still trigger.

use handoff::{KeywordHit, KeywordMatcher};
use handoff::{Negation, NegationPolicy};
use proptest::prelude::*;

fn matcher() -> KeywordMatcher {
    KeywordMatcher::new([
        ("sales", "demo"),
        ("sales", "sales call"),
        ("sales", "trial"),
        ("pricing", "pricing"),
        ("pricing", "quote"),
        ("sales", "quote"),
        ("support", "login"),
        ("support", "log in"),
        ("support", "password reset"),
        ("support", "invoice"),
        ("support", "email"),
        ("support", "app"),
        ("support", "export"),
    ])
    .unwrap()
}

/// What a row expects of its keyword's hit: the purpose, and whether the cue comes
/// before the keyword (so the hit is `negated`) or after it.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Declined, cue before the keyword.
    Declined,
    /// Declined, cue after the keyword.
    DeclinedAfter,
    /// Problem, cue before the keyword.
    Problem,
    /// Problem, cue after the keyword.
    ProblemAfter,
}

use Want::*;

const DECLINES: &[(&str, &str, Want)] = &[
    ("I don't want a demo", "demo", Declined),
    ("I dont want a demo right now", "demo", Declined),
    ("not interested in a sales call", "sales call", Declined),
    ("no pricing info needed", "pricing", Declined),
    ("we don't need a quote right now", "quote", Declined),
    ("no thanks to the demo", "demo", Declined),
    (
        "Honestly we are not looking for a trial at this stage",
        "trial",
        Declined,
    ),
    (
        "we do not require a quote for this project",
        "quote",
        Declined,
    ),
    (
        "I don't care about pricing, I need the API docs",
        "pricing",
        Declined,
    ),
    ("no demo please", "demo", Declined),
    (
        "No sales call needed, email is fine",
        "sales call",
        Declined,
    ),
    ("i'd rather not have a sales call", "sales call", Declined),
    ("I wouldn't like a demo", "demo", Declined),
    ("I never asked for a trial", "trial", Declined),
    ("please don't send me a quote", "quote", Declined),
    ("Don't book a demo for us", "demo", Declined),
    (
        "we have no interest in a sales call whatsoever",
        "sales call",
        Declined,
    ),
    ("no need for a demo, we already bought it", "demo", Declined),
    ("thanks but no pricing calls", "pricing", Declined),
    ("I'm not keen on a sales call", "sales call", Declined),
    ("We won't need the trial", "trial", Declined),
    ("not looking for a demo at all", "demo", Declined),
    (
        "I really do not want another sales call",
        "sales call",
        Declined,
    ),
    ("no more demo emails please", "demo", Declined),
    ("Don't bother with a quote", "quote", Declined),
    ("No pricng info needed thx", "pricing", Declined),
    ("we're not intrested in a demo", "demo", Declined),
    ("without a sales call please", "sales call", Declined),
    ("we are good, no quote necessary thanks", "quote", Declined),
    ("I have no time for a demo", "demo", Declined),
    ("neither a demo nor a quote", "demo", Declined),
    (
        "not a sales call, just send the docs",
        "sales call",
        Declined,
    ),
    ("a demo is not needed", "demo", DeclinedAfter),
    ("sales call not necessary", "sales call", DeclinedAfter),
    (
        "a quote isn't required at the moment",
        "quote",
        DeclinedAfter,
    ),
    ("the trial we really don't need", "trial", DeclinedAfter),
    ("demo not now thanks", "demo", DeclinedAfter),
];

const PROBLEMS: &[(&str, &str, Want)] = &[
    ("I cannot login", "login", Problem),
    ("I cant login", "login", Problem),
    ("I can't log in to my account", "log in", Problem),
    (
        "I never got the password reset email",
        "password reset",
        Problem,
    ),
    ("no password reset email arrived", "password reset", Problem),
    ("I didn't get the invoice", "invoice", Problem),
    ("not able to export my data", "export", Problem),
    (
        "I haven't received the invoice for March",
        "invoice",
        Problem,
    ),
    ("still no invoice this month", "invoice", Problem),
    ("there's no export button anywhere", "export", Problem),
    ("there is no export option in settings", "export", Problem),
    ("I don't have a login yet", "login", Problem),
    ("Why can't I log in??", "log in", Problem),
    ("we never recieved the quote you promised", "quote", Problem),
    ("I couldn't find the pricing page", "pricing", Problem),
    ("I don't know the pricing for 50 seats", "pricing", Problem),
    ("it won't let me log in", "log in", Problem),
    ("no reset email yet", "email", Problem),
    (
        "I am not getting the password reset email",
        "password reset",
        Problem,
    ),
    ("we can not access the app from the office", "app", Problem),
    ("didn't receive any email from you", "email", Problem),
    (
        "i havent been able to login since the update",
        "login",
        Problem,
    ),
    ("I'm not sure about the pricing", "pricing", Problem),
    ("i cant seem to export anything", "export", Problem),
    (
        "Didn't get the password reset, can you resend",
        "password reset",
        Problem,
    ),
    ("I did not get a trial extension", "trial", Problem),
    ("no invoice came through this month", "invoice", Problem),
    ("I don't like the pricing at all", "pricing", Problem),
    ("login doesn't work", "login", ProblemAfter),
    ("the app won't load on my phone", "app", ProblemAfter),
    ("the app isnt loading", "app", ProblemAfter),
    (
        "the password reset email never came",
        "password reset",
        ProblemAfter,
    ),
    (
        "the export is not working since yesterday",
        "export",
        ProblemAfter,
    ),
    ("the invoice I got doesn't open", "invoice", ProblemAfter),
    ("the trial didn't start", "trial", ProblemAfter),
    ("my login is not accepted anymore", "login", ProblemAfter),
    ("the pricing page wont open", "pricing", ProblemAfter),
];

/// The first hit of `keyword` in `message`.
fn hit_of(m: &KeywordMatcher, message: &str, keyword: &str) -> KeywordHit {
    let hits = m.find(message);
    hits.iter()
        .find(|h| &*h.keyword == keyword)
        .unwrap_or_else(|| panic!("no {keyword:?} hit in {message:?}: {hits:?}"))
        .clone()
}

fn check(rows: &[(&str, &str, Want)]) -> Vec<String> {
    let m = matcher();
    let mut failures = Vec::new();
    for &(message, keyword, want) in rows {
        let (negation, negated) = match want {
            Declined => (Negation::Declined, true),
            DeclinedAfter => (Negation::Declined, false),
            Problem => (Negation::Problem, true),
            ProblemAfter => (Negation::Problem, false),
        };
        let hit = hit_of(&m, message, keyword);
        if (hit.negation, hit.negated) != (negation, negated) {
            failures.push(format!(
                "{message:?} [{keyword}]: got {:?} negated={}, want {negation:?} negated={negated}",
                hit.negation, hit.negated
            ));
        }
    }
    failures
}

#[test]
fn the_table_is_large_and_balanced() {
    assert!(DECLINES.len() + PROBLEMS.len() >= 60);
    assert_eq!(DECLINES.len(), PROBLEMS.len());
    assert!(DECLINES
        .iter()
        .all(|r| matches!(r.2, Declined | DeclinedAfter)));
    assert!(PROBLEMS
        .iter()
        .all(|r| matches!(r.2, Problem | ProblemAfter)));
}

#[test]
fn declines_are_declined() {
    let failures = check(DECLINES);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn problems_are_problems() {
    let failures = check(PROBLEMS);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn under_the_default_policy_problems_trigger_and_declines_do_not() {
    let m = matcher();
    assert_eq!(NegationPolicy::default(), NegationPolicy::Decline);
    for &(message, keyword, _) in DECLINES {
        let hit = hit_of(&m, message, keyword);
        assert!(!hit.triggers(NegationPolicy::default()), "{message:?}");
        assert!(hit.triggers(NegationPolicy::Ignore), "{message:?}");
    }
    for &(message, keyword, _) in PROBLEMS {
        let hit = hit_of(&m, message, keyword);
        assert!(hit.triggers(NegationPolicy::default()), "{message:?}");
        assert!(hit.triggers(NegationPolicy::Ignore), "{message:?}");
        // The old behaviour: anything in a cue's scope was off.
        assert_eq!(
            hit.triggers(NegationPolicy::Any),
            !hit.negated,
            "{message:?}"
        );
    }
}

#[test]
fn hits_without_a_negation_are_untouched() {
    let m = matcher();
    let rows: &[(&str, &str)] = &[
        ("I want a demo", "demo"),
        ("I need pricing not a sales call", "pricing"),
        ("I don't want pricing but I need a demo", "demo"),
        ("demo, no thanks to the sales call", "demo"),
        ("unable to log in", "log in"),
        ("we don't think that we ever need a quote", "quote"), // beyond the scope window
        ("the demo for the team that doesn't need training", "demo"),
        ("can I get a quote? we don't need a demo", "quote"),
        ("I never said we want a demo", "demo"),
        ("a demo would not hurt", "demo"),
    ];
    for &(message, keyword) in rows {
        let hit = hit_of(&m, message, keyword);
        assert_eq!(
            (hit.negation, hit.negated),
            (Negation::None, false),
            "{message:?}"
        );
        for policy in [
            NegationPolicy::Decline,
            NegationPolicy::Ignore,
            NegationPolicy::Any,
        ] {
            assert!(hit.triggers(policy), "{message:?} under {policy:?}");
        }
    }
}

#[test]
fn each_hit_of_a_message_gets_its_own_purpose() {
    let m = matcher();
    let message = "I can't log in and I don't need a demo, no quote needed either";
    let got: Vec<(String, Negation)> = m
        .find(message)
        .iter()
        .map(|h| (format!("{}:{}", h.intent, h.keyword), h.negation))
        .collect();
    assert_eq!(
        got,
        [
            ("support:log in".to_string(), Negation::Problem),
            ("sales:demo".to_string(), Negation::Declined),
            ("pricing:quote".to_string(), Negation::Declined),
            ("sales:quote".to_string(), Negation::Declined),
        ]
    );
}

#[test]
fn serde_names() {
    for (policy, name) in [
        (NegationPolicy::Decline, "\"decline\""),
        (NegationPolicy::Ignore, "\"ignore\""),
        (NegationPolicy::Any, "\"any\""),
    ] {
        assert_eq!(serde_json::to_string(&policy).unwrap(), name);
        assert_eq!(
            serde_json::from_str::<NegationPolicy>(name).unwrap(),
            policy
        );
    }
    for (negation, name) in [
        (Negation::None, "\"none\""),
        (Negation::Declined, "\"declined\""),
        (Negation::Problem, "\"problem\""),
    ] {
        assert_eq!(serde_json::to_string(&negation).unwrap(), name);
        assert_eq!(serde_json::from_str::<Negation>(name).unwrap(), negation);
    }
    assert!(serde_json::from_str::<NegationPolicy>("\"declined\"").is_err());
}

#[test]
fn hits_round_trip_and_old_hits_still_read() {
    let m = matcher();
    for message in ["I cant login", "a demo", "a demo is not needed"] {
        for hit in m.find(message) {
            let json = serde_json::to_string(&hit).unwrap();
            assert_eq!(json.contains("\"negation\""), !hit.negation.is_none());
            assert_eq!(serde_json::from_str::<KeywordHit>(&json).unwrap(), hit);
        }
    }
    // A hit serialized before `negation` existed.
    let old = r#"{"keyword":"demo","intent":"sales","kind":"exact","negated":true,"span":{"start":0,"end":4}}"#;
    let hit: KeywordHit = serde_json::from_str(old).unwrap();
    assert!(hit.negated);
    assert_eq!(hit.negation, Negation::None);
}

#[test]
fn long_hostile_messages_stay_bounded() {
    let m = KeywordMatcher::new([("a", "demo"), ("b", "+"), ("c", "login")]).unwrap();
    // Many hits in front of one huge word: each hit reads a bounded window.
    // Only a keyword's first MAX_KEYWORD_OCCURRENCES occurrences are reported.
    let message = format!("no {} {}", "+".repeat(100_000), "x".repeat(1_000_000));
    let hits = m.find(&message);
    assert_eq!(hits.len(), handoff::MAX_KEYWORD_OCCURRENCES);
    assert!(hits
        .iter()
        .all(|h| h.negated && h.negation == Negation::Declined));
    let message = "I can't login. no demo needed. ".repeat(20_000);
    let hits = m.find(&message);
    assert_eq!(hits.len(), 2 * handoff::MAX_KEYWORD_OCCURRENCES);
    for pair in hits.chunks(2) {
        assert_eq!(pair[0].negation, Negation::Problem);
        assert_eq!(pair[1].negation, Negation::Declined);
    }
}

/// Words that steer negation, and keywords, in any order.
fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "no", "not", "don't", "dont", "can't", "never", "without", "want", "need", "needed",
            "got", "arrived", "working", "please", "the", "a", "demo", "login", "log", "in",
            "quote", "but", "rather", "would", "still", "there's", ",", ".", "thanks", "now", "+",
        ]),
        0..16,
    )
    .prop_map(|v| v.join(" "))
}

proptest! {
    /// A hit in a cue's scope always has a purpose; hits at one place share it; the
    /// policies answer as documented.
    #[test]
    fn purpose_is_consistent(message in words()) {
        let m = KeywordMatcher::new([
            ("a", "demo"), ("b", "demo"), ("c", "login"), ("c", "log in"), ("d", "quote"),
            ("e", "+"),
        ]).unwrap();
        let hits = m.find(&message);
        for (i, h) in hits.iter().enumerate() {
            if h.negated {
                prop_assert!(h.negation != Negation::None, "{message:?}: {h:?}");
            }
            if let Some(prev) = i.checked_sub(1).map(|j| &hits[j]) {
                if prev.span == h.span {
                    prop_assert_eq!(prev.negation, h.negation);
                    prop_assert_eq!(prev.negated, h.negated);
                }
            }
            prop_assert!(h.triggers(NegationPolicy::Ignore));
            prop_assert_eq!(h.triggers(NegationPolicy::Any), !h.negated);
            prop_assert_eq!(
                h.triggers(NegationPolicy::Decline),
                h.negation != Negation::Declined
            );
        }
    }
}
