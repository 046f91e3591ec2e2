use super::*;

fn matcher() -> KeywordMatcher {
    KeywordMatcher::new([
        ("sales", "demo"),
        ("sales", "sales call"),
        ("sales", "sales"),
        ("sales", "quote"),
        ("pricing", "pricing"),
        ("pricing", "price"),
        ("pricing", "quote"),
        ("support", "help"),
        ("support", "not working"),
        ("dev", "C++"),
        ("dev", ".NET"),
        ("enterprise", "enterprise plan"),
        ("enterprise", "integration"),
    ])
    .unwrap()
}

/// Renders a hit as `intent:keyword[~distance][!][original text]`.
fn render(message: &str, hit: &KeywordHit) -> String {
    let kind = match hit.kind {
        MatchKind::Exact => String::new(),
        MatchKind::Fuzzy { distance } => format!("~{distance}"),
    };
    let neg = if hit.negated { "!" } else { "" };
    format!(
        "{}:{}{kind}{neg}[{}]",
        hit.intent,
        hit.keyword,
        &message[hit.span.clone()]
    )
}

macro_rules! finds {
    ($m:expr; $($text:expr => [$($want:expr),* $(,)?]),* $(,)?) => {{
        let m = $m;
        $(
            let got: Vec<String> = m.find($text).iter().map(|h| render($text, h)).collect();
            let want: Vec<&str> = vec![$($want),*];
            assert_eq!(got, want, "message {:?}", $text);
        )*
    }};
}

#[test]
fn whole_words() {
    finds! { matcher();
        "I want a demo" => ["sales:demo[demo]"],
        "demo" => ["sales:demo[demo]"],
        "the demolition crew" => [],
        "a demo's length" => ["sales:demo[demo]"],
        "wholesales only" => [],
        "predemo" => [],
        "demo-day" => ["sales:demo[demo]"],
        "helpdesk" => [],
        "I write C++ and .NET code" => ["dev:C++[C++]", "dev:.NET[.NET]"],
        "asp.net core" => ["dev:.NET[.net]"],
        "abc++" => [],
        "" => [],
        "   " => [],
    }
}

#[test]
fn leftmost_longest() {
    finds! { matcher();
        "book a sales call today" => ["sales:sales call[sales call]"],
        "Sales   Call?" => ["sales:sales call[Sales   Call]"],
        "sales caller" => ["sales:sales[sales]"],
        "sales, call me" => ["sales:sales[sales]"],
        "demo sales call demo" => [
            "sales:demo[demo]", "sales:sales call[sales call]", "sales:demo[demo]"
        ],
        "the app is not working" => ["support:not working[not working]"],
    }
}

#[test]
fn one_keyword_many_intents() {
    finds! { matcher();
        "a quote please" => ["sales:quote[quote]", "pricing:quote[quote]"],
    }
    let m =
        KeywordMatcher::new([("a", "demo"), ("a", "Démo"), ("b", "DEMO"), ("a", "demo")]).unwrap();
    assert_eq!(m.len(), 2);
    assert!(!m.is_empty());
    finds! { m;
        "démo time" => ["a:demo[démo]", "b:DEMO[démo]"],
    }
}

#[test]
fn fuzzy() {
    finds! { matcher();
        "can i get a qoute" => ["sales:quote~1[qoute]", "pricing:quote~1[qoute]"],
        "pricng" => ["pricing:pricing~1[pricng]"],
        "what are your Pricng plans?" => ["pricing:pricing~1[Pricng]"],
        "wholesales prices" => ["pricing:price~1[prices]"],
        // A four-letter keyword takes one edit, but never from a common English word.
        "a memo please" => [],
        "a Memo please" => [],
        "MEMO" => [],
        "demos" => [],
        "book a deemo" => ["sales:demo~1[deemo]"],
        "dmeo" => ["sales:demo~1[dmeo]"],
        "dem" => [],
        "integraiton help" => ["enterprise:integration~1[integraiton]", "support:help[help]"],
        "intgraton" => ["enterprise:integration~2[intgraton]"],
        "intgrtn" => [],
        "enterprize plan" => ["enterprise:enterprise plan~1[enterprize plan]"],
        "entreprize plan" => ["enterprise:enterprise plan~2[entreprize plan]"],
        "enterprize plam" => ["enterprise:enterprise plan~2[enterprize plam]"],
        "enterprize plane" => [],
        "enterprize, plan" => [],
        "demo qoute" => ["sales:demo[demo]", "sales:quote~1[qoute]", "pricing:quote~1[qoute]"],
        "sales cal" => ["sales:sales[sales]"],
        "saless" => ["sales:sales~1[saless]"],
        "sales" => ["sales:sales[sales]"],
    }
}

#[test]
fn fuzzy_prefers_longest_then_closest() {
    let m =
        KeywordMatcher::new([("a", "pricing"), ("b", "pricing page"), ("c", "pricking")]).unwrap();
    finds! { m;
        // Both one-word keywords are one edit away from "pricng"... "pricking" is two.
        "pricng" => ["a:pricing~1[pricng]"],
        // The phrase covers more words and wins over the single word.
        "pricng page" => ["b:pricing page~1[pricng page]"],
        "pricing pagr" => ["a:pricing[pricing]"],
    }
}

#[test]
fn negation() {
    finds! { matcher();
        "I don't need a demo" => ["sales:demo![demo]"],
        "I don\u{2019}t need a demo" => ["sales:demo![demo]"],
        "I dont want a demo" => ["sales:demo![demo]"],
        "I do not want a demo" => ["sales:demo![demo]"],
        "I don't know the price but I want a demo" => [
            "pricing:price![price]", "sales:demo[demo]"
        ],
        "no pricing questions, just help" => ["pricing:pricing![pricing]", "support:help[help]"],
        "not interested in a quote" => ["sales:quote![quote]", "pricing:quote![quote]"],
        "I never said that we want a demo" => ["sales:demo[demo]"],
        "No, I want a demo" => ["sales:demo[demo]"],
        "I don't just want a demo" => ["sales:demo[demo]"],
        "demo, no pricing" => ["sales:demo[demo]", "pricing:pricing![pricing]"],
        "without a qoute" => ["sales:quote~1![qoute]", "pricing:quote~1![qoute]"],
        "I can't get help. demo please" => ["support:help![help]", "sales:demo[demo]"],
        "neither a demo nor a quote" => [
            "sales:demo![demo]", "sales:quote![quote]", "pricing:quote![quote]"
        ],
        "nothing works: help" => ["support:help[help]"],
    }
}

#[test]
fn accents_and_unicode() {
    finds! { matcher();
        "DÉMO" => ["sales:demo[DÉMO]"],
        "démo" => ["sales:demo[démo]"],
        "de\u{301}mo!" => ["sales:demo[de\u{301}mo]"],
        "ｄｅｍｏ please" => ["sales:demo[ｄｅｍｏ]"],
        "🎉demo🎉" => ["sales:demo[demo]"],
        "zero\u{200B}width demo" => ["sales:demo[demo]"],
        "démolition" => [],
        "PRICÏNG" => ["pricing:pricing[PRICÏNG]"],
    }
    let m = KeywordMatcher::new([("sales", "Démo")]).unwrap();
    finds! { m;
        "a demo" => ["sales:Démo[demo]"],
    }
}

#[test]
fn empty_keywords_are_errors() {
    for bad in ["", "   ", "\t\n", "\u{200B}"] {
        let err = KeywordMatcher::new([("a", "demo"), ("b", bad)]).unwrap_err();
        assert_eq!(err.path(), "keywords[1]", "keyword {bad:?}");
        assert!(matches!(err.kind(), ErrorKind::Empty));
        assert_eq!(err.to_string(), "keywords[1]: must not be empty");
    }
    let entries = vec![
        (
            Arc::from("a"),
            Arc::from("demo"),
            "intents[2].keywords[0]".to_string(),
        ),
        (
            Arc::from("a"),
            Arc::from(" "),
            "intents[2].keywords[1]".to_string(),
        ),
    ];
    let err = KeywordMatcher::from_entries(&entries, NormalizeOptions::default()).unwrap_err();
    assert_eq!(err.path(), "intents[2].keywords[1]");
}

#[test]
fn empty_matcher_finds_nothing() {
    let m = KeywordMatcher::new(Vec::<(&str, &str)>::new()).unwrap();
    assert!(m.is_empty());
    assert_eq!(m.len(), 0);
    assert!(m.find("demo").is_empty());
}

#[test]
fn keeping_accents_when_asked() {
    let entries = vec![(Arc::from("a"), Arc::from("Démo"), "k".to_string())];
    let options = NormalizeOptions::default().fold_accents(false);
    let m = KeywordMatcher::from_entries(&entries, options).unwrap();
    assert_eq!(m.find("DÉMO").len(), 1);
    assert!(m.find("demo").is_empty());
}

#[test]
fn find_normalized_appends() {
    let m = matcher();
    let n = Normalizer::default().normalize("a demo");
    let mut out = vec![KeywordHit {
        keyword: "x".into(),
        intent: "y".into(),
        kind: MatchKind::Exact,
        negated: true,
        negation: Negation::Problem,
        span: 0..0,
    }];
    m.find_normalized(&n, &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].span, 0..0);
    assert_eq!(out[1].span, 2..6);
}

#[test]
fn osa_distance() {
    let c = |s: &str| s.chars().collect::<Vec<_>>();
    let cases: &[(&str, &str, u8, Option<u8>)] = &[
        ("quote", "quote", 1, Some(0)),
        ("qoute", "quote", 1, Some(1)),
        ("quot", "quote", 1, Some(1)),
        ("quotes", "quote", 1, Some(1)),
        ("qvote", "quote", 1, Some(1)),
        ("qote", "quote", 1, Some(1)),
        ("qotue", "quote", 1, None),
        ("qotue", "quote", 2, Some(2)),
        ("ca", "abc", 3, Some(3)), // OSA, not unrestricted Damerau
        ("", "", 0, Some(0)),
        ("abc", "abd", 0, None),
    ];
    for &(a, b, max, want) in cases {
        assert_eq!(
            osa_within(&c(a), &c(b), max),
            want,
            "{a:?} vs {b:?} within {max}"
        );
    }
}

#[test]
fn is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<KeywordMatcher>();
    let m = matcher();
    let c = m.clone();
    assert!(Arc::ptr_eq(&m.inner, &c.inner));
}

#[test]
fn shared_across_threads_gives_the_same_hits() {
    let m = matcher();
    let messages = [
        "can i get a qoute",
        "I don't need a demo",
        "book a sales call today",
        "integraiton help",
    ];
    let want: Vec<Vec<KeywordHit>> = messages.iter().map(|t| m.find(t)).collect();
    std::thread::scope(|s| {
        for _ in 0..2 {
            let m = m.clone();
            let want = &want;
            s.spawn(move || {
                for _ in 0..100 {
                    for (t, w) in messages.iter().zip(want) {
                        assert_eq!(&m.find(t), w);
                    }
                }
            });
        }
    });
}

#[test]
fn negation_purpose() {
    let m = matcher();
    let purposes = |text: &str| -> Vec<(String, bool, Negation)> {
        m.find(text)
            .iter()
            .map(|h| (h.keyword.to_string(), h.negated, h.negation))
            .collect()
    };
    let (d, p, none) = (Negation::Declined, Negation::Problem, Negation::None);
    type Want<'a> = &'a [(&'a str, bool, Negation)];
    let cases: &[(&str, Want)] = &[
        ("I don't need a demo", &[("demo", true, d)]),
        (
            "I don't know the price but I want a demo",
            &[("price", true, p), ("demo", false, none)],
        ),
        (
            "no pricing questions, just help",
            &[("pricing", true, d), ("help", false, none)],
        ),
        (
            "not interested in a quote",
            &[("quote", true, d), ("quote", true, d)],
        ),
        ("without a qoute", &[("quote", true, d), ("quote", true, d)]),
        (
            "I can't get help. demo please",
            &[("help", true, p), ("demo", false, none)],
        ),
        ("the sales call is not needed", &[("sales call", false, d)]),
        (
            "the integration is not working",
            &[("integration", false, p), ("not working", false, none)],
        ),
        // The keyword itself is a negation cue's phrase: nothing follows it.
        ("the app is not working", &[("not working", false, none)]),
        // "rather" closes the scope of "don't" and reads as a decline before "not".
        (
            "I don't mind, I'd rather not have a demo",
            &[("demo", true, d)],
        ),
    ];
    for &(text, want) in cases {
        let want: Vec<(String, bool, Negation)> = want
            .iter()
            .map(|&(k, n, g)| (k.to_string(), n, g))
            .collect();
        assert_eq!(purposes(text), want, "message {text:?}");
    }
}
