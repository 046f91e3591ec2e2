//! The intent model, from the outside: detection invariants on arbitrary input
//! (proptest), truncation, determinism, thread safety, configuration errors,
//! behaviour on a small sales/support intent set, and accuracy on CLINC150.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use handoff::DEFAULT_MAX_MESSAGE_LEN;
use handoff::{
    BuildError, Detection, ErrorKind, Intent, IntentModel, IntentModelBuilder, KeywordMatcher,
    MatchKind, Negation, Normalizer,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// The sales/support intent set.

fn sales_intents() -> Vec<Intent> {
    vec![
        Intent::new("pricing")
            .phrases([
                "how much does it cost",
                "what are your prices",
                "how much is the pro plan",
                "what does the enterprise plan cost",
                "is there a free tier",
                "do you offer discounts for nonprofits",
                "what is the price per seat",
                "can I get a quote for 50 users",
                "send me your price list",
                "is it billed monthly or yearly",
                "how expensive is your product",
            ])
            .keywords(["pricing", "price", "quote", "cost"]),
        Intent::new("demo")
            .phrases([
                "can I see a demo",
                "I'd like to book a demo",
                "show me how the product works",
                "can someone walk me through the product",
                "schedule a product tour",
                "I want a live demonstration",
                "do you have a trial I can try",
                "can we set up a call to see it in action",
                "demo please",
                "I would love to see the platform",
            ])
            .keywords(["demo", "product tour", "walkthrough"]),
        Intent::new("support")
            .phrases([
                "I can't log in",
                "the app keeps crashing",
                "I forgot my password",
                "reset my password please",
                "something is broken",
                "I get an error when I upload a file",
                "my account is locked",
                "the dashboard does not load",
                "the integration stopped working",
                "I found a bug",
                "help, nothing works",
            ])
            .keywords(["bug", "error", "password", "crash"]),
        Intent::new("sales_contact")
            .phrases([
                "I want to talk to sales",
                "can I speak with someone from your sales team",
                "please have a sales rep contact me",
                "who can I talk to about buying for my company",
                "we want to buy licenses for our team",
                "connect me with an account executive",
                "I'd like to discuss an enterprise contract",
                "get me in touch with a salesperson",
                "we are interested in purchasing",
                "call me back about a purchase",
            ])
            .keywords(["sales", "account executive", "salesperson"]),
    ]
}

const NEGATIVES: &[&str] = &[
    "hello",
    "hi there",
    "thanks",
    "what's the weather like today",
    "tell me a joke",
    "who won the game last night",
    "good morning",
    "how are you",
    "what time is it",
    "bye",
];

fn sales_builder() -> IntentModelBuilder {
    let mut builder = IntentModel::builder();
    builder
        .intents(sales_intents())
        .negatives(NEGATIVES.iter().copied());
    builder
}

fn sales_model() -> &'static IntentModel {
    static MODEL: OnceLock<IntentModel> = OnceLock::new();
    MODEL.get_or_init(|| sales_builder().build().unwrap())
}

/// The sales model with a tiny message limit, to exercise truncation everywhere.
const SMALL_LIMIT: usize = 40;

fn small_limit_model() -> &'static IntentModel {
    static MODEL: OnceLock<IntentModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        sales_builder()
            .max_message_len(SMALL_LIMIT)
            .build()
            .unwrap()
    })
}

/// Messages used for determinism and concurrency checks: the behaviour table plus odd
/// inputs.
fn probe_messages() -> Vec<String> {
    let mut out: Vec<String> = BEHAVIOUR.iter().map(|(m, _)| m.to_string()).collect();
    out.extend(
        [
            "",
            " ",
            "\u{0}\u{FEFF}\u{200B}",
            "ＤＥＭＯ ｐｌｅａｓｅ",
            "مرحبا، أريد عرضًا توضيحيًا",
            "de\u{301}mo \u{FB01}ne quote",
            "👍🏽👍🏽 pricing?? 🎉",
        ]
        .map(String::from),
    );
    out.push("how much ".repeat(3_000));
    out
}

// ---------------------------------------------------------------------------------------
// Invariants of every detection.

fn on_char_boundaries(text: &str, span: &std::ops::Range<usize>) -> bool {
    span.start <= span.end
        && span.end <= text.len()
        && text.is_char_boundary(span.start)
        && text.is_char_boundary(span.end)
}

/// Checks everything a detection promises about itself, given the model and the text.
/// The model must have been built from (some of) the sales intents' keywords.
fn check(model: &IntentModel, limit: usize, text: &str, d: &Detection) -> Result<(), String> {
    let fail = |what: String| Err(format!("{what}\n  text {text:?}\n  detection {d:?}"));
    if !(d.confidence.is_finite() && (0.0..=1.0).contains(&d.confidence)) {
        return fail(format!("confidence {} outside [0, 1]", d.confidence));
    }
    if d.alternatives.len() > 5 {
        return fail("more than five alternatives".into());
    }
    let ids: BTreeSet<&str> = model.intent_ids().collect();
    let mut seen = BTreeSet::new();
    for a in &d.alternatives {
        if !(a.confidence.is_finite() && (0.0..=1.0).contains(&a.confidence)) {
            return fail(format!("alternative confidence {}", a.confidence));
        }
        if !ids.contains(&*a.intent) || !seen.insert(&*a.intent) {
            return fail(format!("alternative {:?} unknown or repeated", a.intent));
        }
    }
    if d.alternatives
        .windows(2)
        .any(|w| w[0].confidence < w[1].confidence)
    {
        return fail("alternatives not sorted by confidence".into());
    }
    // Declined intents are set aside: the best candidate is the best of the rest, and
    // a declined intent is one whose every keyword hit is declined.
    for declined in &d.declined {
        let hits = d.keywords.iter().filter(|h| h.intent == *declined);
        if hits.clone().next().is_none() || hits.clone().any(|h| h.negation != Negation::Declined) {
            return fail(format!("{declined:?} declined without every hit declined"));
        }
    }
    for hit in &d.keywords {
        let all_declined = d
            .keywords
            .iter()
            .filter(|h| h.intent == hit.intent)
            .all(|h| h.negation == Negation::Declined);
        if all_declined != d.declined.contains(&hit.intent) {
            return fail(format!("{:?} declined: {}", hit.intent, !all_declined));
        }
    }
    let best = d
        .alternatives
        .iter()
        .find(|a| !d.declined.contains(&a.intent));
    if d.confidence != best.map_or(0.0, |b| b.confidence) {
        return fail("confidence is not the best candidate's".into());
    }
    if let Some(intent) = &d.intent {
        if Some(intent) != best.map(|b| &b.intent) {
            return fail("intent is not the best alternative".into());
        }
        if d.confidence < model.threshold() {
            return fail("intent below the threshold".into());
        }
    } else if d.confidence >= model.threshold()
        && Normalizer::default()
            .normalize(text)
            .tokens()
            .next()
            .is_some()
        && text.len() <= limit
    {
        return fail("no intent although the best candidate clears the threshold".into());
    }
    if d.truncated != (text.len() > limit) {
        return fail(format!(
            "truncated {} for {} bytes",
            d.truncated,
            text.len()
        ));
    }
    let matcher_keywords: BTreeSet<(String, String)> = sales_intents()
        .iter()
        .flat_map(|i| i.keywords.iter().map(|k| (i.id.clone(), k.clone())))
        .collect();
    for hit in &d.keywords {
        if !on_char_boundaries(text, &hit.span) || hit.span.is_empty() || hit.span.end > limit {
            return fail(format!("keyword span {:?}", hit.span));
        }
        if !ids.contains(&*hit.intent) {
            return fail(format!("keyword hit for unknown intent {:?}", hit.intent));
        }
        if !matcher_keywords.contains(&(hit.intent.to_string(), hit.keyword.to_string())) {
            return fail(format!("keyword {:?} not configured", hit.keyword));
        }
    }
    if d.keywords
        .windows(2)
        .any(|w| w[0].span.start > w[1].span.start)
    {
        return fail("keyword hits out of order".into());
    }
    for e in &d.evidence {
        if !on_char_boundaries(text, &e.span) || e.span.is_empty() || e.span.end > limit {
            return fail(format!("evidence span {:?}", e.span));
        }
        if text[e.span.clone()] != e.text {
            return fail(format!(
                "evidence text {:?} is not the text at its span",
                e.text
            ));
        }
        if !(e.weight.is_finite() && e.weight > 0.0) {
            return fail(format!("evidence weight {}", e.weight));
        }
    }
    if d.evidence.windows(2).any(|w| w[0].weight < w[1].weight) {
        return fail("evidence not strongest first".into());
    }
    if !d.evidence.is_empty() && d.alternatives.is_empty() {
        return fail("evidence without a candidate".into());
    }
    Ok(())
}

fn detect_checked(model: &IntentModel, limit: usize, text: &str) -> Detection {
    let d = model.detect(text);
    if let Err(message) = check(model, limit, text, &d) {
        panic!("{message}");
    }
    d
}

/// Odd pieces of text for the property tests.
const PIECES: &[&str] = &[
    "demo",
    "DÉMO",
    "de\u{301}mo",
    "quote",
    "qoute",
    "pricing",
    "don't",
    "can't",
    "log in",
    "sales",
    "how much",
    ",",
    ".",
    "?",
    " ",
    "\t",
    "\u{0}",
    "\u{1B}",
    "\u{301}",
    "\u{200B}",
    "\u{200F}",
    "\u{202E}",
    "\u{3000}",
    "\u{A0}",
    "\u{FEFF}",
    "\u{FB01}",
    "ｑｕｏｔｅ",
    "🎉",
    "👩\u{200D}💻",
    "مرحبا",
    "שָׁלוֹם",
    "日本語",
    "\u{10FFFF}",
    "\u{A8}",
    "\u{BC}",
    "İ",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z ,.!?'-]{0,80}",
        prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(PIECES).prop_map(str::to_string),
                1 => any::<char>().prop_map(String::from),
                1 => "[a-zA-Z]{1,12}",
            ],
            0..30,
        )
        .prop_map(|pieces| pieces.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn detect_keeps_its_promises(text in text()) {
        let d = sales_model().detect(&text);
        if let Err(message) = check(sales_model(), DEFAULT_MAX_MESSAGE_LEN, &text, &d) {
            return Err(TestCaseError::fail(message));
        }
        // Deterministic, and not influenced by what was detected before on this thread.
        let _ = sales_model().detect("I don't need a demo, I can't log in");
        prop_assert_eq!(&sales_model().detect(&text), &d);
    }

    /// With a tiny limit: `truncated` exactly when the text is longer than the limit, and
    /// a truncated message is detected as its longest prefix within the limit.
    #[test]
    fn truncation_is_cutting_at_a_char_boundary(text in text()) {
        let model = small_limit_model();
        let d = model.detect(&text);
        if let Err(message) = check(model, SMALL_LIMIT, &text, &d) {
            return Err(TestCaseError::fail(message));
        }
        prop_assert_eq!(d.truncated, text.len() > SMALL_LIMIT);
        if d.truncated {
            let mut end = SMALL_LIMIT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let prefix = model.detect(&text[..end]);
            prop_assert!(!prefix.truncated);
            let mut expected = prefix;
            expected.truncated = true;
            prop_assert_eq!(expected, d);
        }
    }

}

proptest! {
    // Each case trains a model (with cross-validation): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any intent set either builds or is a `BuildError`; a built model keeps the
    /// detection promises.
    #[test]
    fn arbitrary_intent_sets_build_or_fail_cleanly(
        intents in prop::collection::vec(
            (
                prop_oneof![Just(String::new()), Just(" ".to_string()), "[a-z_]{1,8}", any::<String>()],
                prop::collection::vec(text(), 0..4),
                prop::collection::vec(prop_oneof![text(), Just(String::new())], 0..3),
            ),
            0..5,
        ),
        threshold in prop::option::of(prop_oneof![0.0..=1.0f32, any::<f32>()]),
        message in text(),
    ) {
        let mut builder = IntentModel::builder();
        for (id, phrases, keywords) in &intents {
            builder.intent(Intent::new(id.clone()).phrases(phrases.clone()).keywords(keywords.clone()));
        }
        if let Some(t) = threshold {
            builder.threshold(t);
        }
        match builder.build() {
            Ok(model) => {
                prop_assert!(!intents.is_empty());
                prop_assert!(threshold.map_or(true, |t| (0.0..=1.0).contains(&t)));
                let d = model.detect(&message);
                let limit = DEFAULT_MAX_MESSAGE_LEN;
                let fail = |what: &str| Err(TestCaseError::fail(format!("{what}: {d:?}")));
                if !(d.confidence.is_finite() && (0.0..=1.0).contains(&d.confidence)) {
                    return fail("confidence");
                }
                prop_assert!(d.alternatives.len() <= 5);
                prop_assert!(d.alternatives.windows(2).all(|w| w[0].confidence >= w[1].confidence));
                prop_assert!(d.intent.is_none() || d.intent.as_ref() == d.alternatives.first().map(|a| &a.intent));
                prop_assert_eq!(d.truncated, message.len() > limit);
                for span in d.keywords.iter().map(|h| &h.span).chain(d.evidence.iter().map(|e| &e.span)) {
                    prop_assert!(on_char_boundaries(&message, span), "{:?} in {:?}", span, message);
                }
            }
            Err(err) => {
                prop_assert!(!err.path().is_empty(), "{err}");
                prop_assert!(err.to_string().starts_with(err.path()));
            }
        }
    }
}

#[test]
fn odd_and_huge_inputs_never_panic() {
    let mb = 1 << 20;
    let cases: Vec<String> = vec![
        String::new(),
        " ".repeat(100_000),
        "a".repeat(mb),
        "demo".repeat(mb / 4),
        "how much is it ".repeat(mb / 15),
        "🎉".repeat(mb / 4),
        format!("e{}", "\u{301}".repeat(mb / 2)),
        "\u{0}\u{1}\u{7}\u{1B}\u{7F}\u{85}".repeat(1_000),
        "مرحبا بالعالم ".repeat(5_000),
        "\u{202E}quote\u{202C}".repeat(2_000),
        "\u{10FFFF}\u{E000}\u{FFFD}\u{FFFF}".repeat(1_000),
        "\u{FDFA}".repeat(3_000), // expands ~18x under NFKC
        "ｑｕｏｔｅ".repeat(10_000),
        "don't ".repeat(20_000),
    ];
    let unlimited = sales_builder().max_message_len(usize::MAX).build().unwrap();
    for text in &cases {
        let d = detect_checked(sales_model(), DEFAULT_MAX_MESSAGE_LEN, text);
        assert_eq!(d.truncated, text.len() > DEFAULT_MAX_MESSAGE_LEN);
        let whole = detect_checked(&unlimited, usize::MAX, text);
        assert!(!whole.truncated);
        if text.trim().is_empty() {
            assert_eq!(d.intent, None);
        }
    }
}

#[test]
fn truncated_exactly_past_the_default_limit() {
    let model = sales_model();
    let at_limit = "a".repeat(DEFAULT_MAX_MESSAGE_LEN);
    assert!(!model.detect(&at_limit).truncated);
    assert!(model.detect(&format!("{at_limit}b")).truncated);
    // A multi-byte char straddling the limit is dropped whole.
    let straddling = format!("{}é", "a".repeat(DEFAULT_MAX_MESSAGE_LEN - 1));
    assert_eq!(straddling.len(), DEFAULT_MAX_MESSAGE_LEN + 1);
    let d = detect_checked(model, DEFAULT_MAX_MESSAGE_LEN, &straddling);
    assert!(d.truncated);
    // A keyword past the limit is not seen; before it, it is.
    let late = format!("{} quote", " ".repeat(DEFAULT_MAX_MESSAGE_LEN));
    assert!(detect_checked(model, DEFAULT_MAX_MESSAGE_LEN, &late)
        .keywords
        .is_empty());
    let early = format!("quote{}", " ".repeat(DEFAULT_MAX_MESSAGE_LEN));
    assert_eq!(
        detect_checked(model, DEFAULT_MAX_MESSAGE_LEN, &early).keywords[0].span,
        0..5
    );
}

// ---------------------------------------------------------------------------------------
// Determinism and thread safety.

#[allow(dead_code)]
fn assert_send_sync<T: Send + Sync>() {}

const _: fn() = || {
    assert_send_sync::<IntentModel>();
    assert_send_sync::<Detection>();
    assert_send_sync::<IntentModelBuilder>();
    assert_send_sync::<KeywordMatcher>();
    assert_send_sync::<Normalizer>();
    assert_send_sync::<BuildError>();
};

#[test]
fn training_twice_gives_the_same_model() {
    let a = sales_builder().build().unwrap();
    let b = sales_builder().build().unwrap();
    assert_eq!(a.model_bytes(), b.model_bytes());
    assert_eq!(a.threshold(), b.threshold());
    for m in probe_messages() {
        let (x, y) = (a.detect(&m), b.detect(&m));
        assert_eq!(format!("{x:?}"), format!("{y:?}"), "{m:?}");
        assert_eq!(x, y);
    }
}

#[test]
fn builder_clones_build_the_same_model() {
    let builder = sales_builder();
    let clone = builder.clone();
    // A clone changed after cloning does not affect the original.
    let mut changed = builder.clone();
    changed.intent(Intent::new("extra").phrase("a completely different request"));
    let (a, b) = (builder.build().unwrap(), clone.build().unwrap());
    assert_eq!(a.model_bytes(), b.model_bytes());
    assert_eq!(
        a.intent_ids().collect::<Vec<_>>(),
        ["pricing", "demo", "support", "sales_contact"]
    );
    assert!(changed.build().unwrap().has_intent("extra"));
    assert!(!a.has_intent("extra"));
    for m in probe_messages() {
        assert_eq!(a.detect(&m), b.detect(&m), "{m:?}");
    }
    // Building again from the same builder is also the same.
    let again = builder.build().unwrap();
    for m in probe_messages() {
        assert_eq!(a.detect(&m), again.detect(&m), "{m:?}");
    }
}

#[test]
fn intents_round_trip_through_json_into_the_same_model() {
    let intents = sales_intents();
    let json = serde_json::to_string(&intents).unwrap();
    let back: Vec<Intent> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, intents);
    // Missing lists default to empty.
    let bare: Intent = serde_json::from_str(r#"{"id": "x", "keywords": ["k"]}"#).unwrap();
    assert_eq!(bare, Intent::new("x").keyword("k"));
    let mut builder = IntentModel::builder();
    builder.intents(back).negatives(NEGATIVES.iter().copied());
    let model = builder.build().unwrap();
    for m in probe_messages() {
        assert_eq!(model.detect(&m), sales_model().detect(&m), "{m:?}");
    }
}

#[test]
fn four_threads_share_one_model() {
    let model = sales_model().clone();
    let messages = probe_messages();
    let single: Vec<Detection> = messages.iter().map(|m| model.detect(m)).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (model, messages) = (&model, &messages);
                scope.spawn(move || {
                    // Each thread walks the messages from a different place, many times.
                    let n = messages.len();
                    let mut out = vec![None; n];
                    for round in 0..20 {
                        for k in 0..n {
                            let i = (k * (t + 1) + round) % n;
                            out[i] = Some(model.detect(&messages[i]));
                        }
                    }
                    out
                })
            })
            .collect();
        for handle in handles {
            let got = handle.join().unwrap();
            for (i, d) in got.into_iter().enumerate() {
                if let Some(d) = d {
                    assert_eq!(d, single[i], "{:?}", messages[i]);
                }
            }
        }
    });
}

#[test]
fn with_threshold_shares_weights_and_moves_the_cut() {
    let model = sales_model();
    let m = "is there a discount for startups";
    let d = model.detect(m);
    let open = model.with_threshold(0.0);
    let shut = model.with_threshold(1.0);
    assert_eq!(open.detect(m).intent.as_deref(), d.best_candidate());
    assert_eq!(open.detect(m).alternatives, d.alternatives);
    assert_eq!(shut.detect("how much does it cost").intent, None);
    assert_eq!(
        model.with_threshold(f32::NAN).threshold(),
        model.threshold()
    );
    assert_eq!(model.with_threshold(7.0).threshold(), 1.0);
    assert_eq!(model.with_threshold(-7.0).threshold(), 0.0);
    assert_eq!(open.model_bytes(), model.model_bytes());
}

// ---------------------------------------------------------------------------------------
// Configuration errors.

fn pricing() -> Intent {
    Intent::new("pricing")
        .phrases(["how much is it"])
        .keyword("price")
}

fn demo() -> Intent {
    Intent::new("demo").phrases(["can I see a demo"])
}

/// `name: |builder| { setup } => "path", Kind;` — the build must fail with a
/// `BuildError` at that path, of that kind, displayed as "path: ...".
macro_rules! rejects {
    ($($name:ident: |$b:ident| $setup:block => $path:expr, $kind:ident;)*) => {$(
        #[test]
        fn $name() {
            #[allow(unused_mut)] // the empty-list case adds nothing
            let mut $b = IntentModel::builder();
            $setup
            let err = $b.build().expect_err("configuration must be rejected");
            assert_eq!(err.path(), $path, "{err}");
            assert!(matches!(err.kind(), ErrorKind::$kind { .. }), "{err:?}");
            assert!(err.to_string().starts_with(&format!("{}: ", $path)), "{err}");
        }
    )*};
}

rejects! {
    empty_intent_list: |b| {} => "intents", Empty;
    empty_intent_list_with_negatives: |b| { b.negative("hello"); } => "intents", Empty;
    intent_without_phrases_or_keywords: |b| { b.intent(pricing()).intent(Intent::new("demo")); }
        => "intents[1]", NoExamples;
    intent_with_blank_phrases_only: |b| { b.intent(Intent::new("demo").phrases(["", "  \t", "\u{200B}"])); }
        => "intents[0]", NoExamples;
    duplicate_intent_id: |b| { b.intent(pricing()).intent(demo()).intent(pricing()); }
        => "intents[2].id", Duplicate;
    empty_intent_id: |b| { b.intent(pricing()).intent(Intent::new("").phrase("hi")); }
        => "intents[1].id", Empty;
    blank_intent_id: |b| { b.intent(Intent::new(" \t ").phrase("hi")); }
        => "intents[0].id", Empty;
    empty_keyword: |b| { b.intent(pricing()).intent(demo()).intent(Intent::new("x").keyword("")); }
        => "intents[2].keywords[0]", Empty;
    whitespace_keyword: |b| { b.intent(pricing()).intent(demo()).intent(Intent::new("x").keyword("   ")); }
        => "intents[2].keywords[0]", Empty;
    invisible_keyword: |b| { b.intent(pricing().keyword("\u{200B}\u{FEFF}")); }
        => "intents[0].keywords[1]", Empty;
    threshold_above_one: |b| { b.intent(pricing()).threshold(1.5); } => "threshold", OutOfRange;
    threshold_negative: |b| { b.intent(pricing()).threshold(-0.01); } => "threshold", OutOfRange;
    threshold_nan: |b| { b.intent(pricing()).threshold(f32::NAN); } => "threshold", OutOfRange;
    threshold_infinite: |b| { b.intent(pricing()).threshold(f32::INFINITY); } => "threshold", OutOfRange;
    calibration_unknown_intent: |b| {
        b.intent(pricing()).intent(demo()).calibrate_on([
            ("how much", Some("pricing")),
            ("hello", None),
            ("a demo", Some("dmeo")),
        ]);
    } => "calibrate_on[2].intent", Unknown;
    in_scope_loss_nan: |b| { b.intent(pricing()).max_in_scope_loss(f32::NAN); }
        => "max_in_scope_loss", OutOfRange;
    in_scope_loss_above_one: |b| { b.intent(pricing()).max_in_scope_loss(2.0); }
        => "max_in_scope_loss", OutOfRange;
    regularization_zero: |b| { b.intent(pricing()).regularization(0.0); }
        => "regularization", OutOfRange;
    regularization_nan: |b| { b.intent(pricing()).regularization(f32::NAN); }
        => "regularization", OutOfRange;
    regularization_infinite: |b| { b.intent(pricing()).regularization(f32::INFINITY); }
        => "regularization", OutOfRange;
}

/// "pricing" and "pricing " are the same id to anyone reading a flow: an id with white
/// space around it is refused, as the router refuses it.
#[test]
fn an_id_with_surrounding_whitespace_is_refused() {
    let Err(err) = IntentModel::builder()
        .intent(pricing())
        .intent(Intent::new("pricing ").phrase("what does it cost"))
        .build()
    else {
        panic!("an id differing only by whitespace must be rejected");
    };
    assert_eq!(err.path(), "intents[1].id");
    assert!(matches!(err.kind(), ErrorKind::Untrimmed { .. }));
}

/// A phrase with no word in it teaches nothing; an intent whose phrases are all like that
/// (and that has no keywords) can never be detected and should be rejected like an
/// intent with no phrases.
#[test]
fn intent_with_punctuation_phrases_only() {
    let Err(err) = IntentModel::builder()
        .intent(pricing())
        .intent(Intent::new("demo").phrases(["?!", "..."]))
        .build()
    else {
        panic!("an intent without a single word must be rejected");
    };
    assert_eq!(err.path(), "intents[1]");
    assert!(matches!(err.kind(), ErrorKind::NoExamples));
}

#[test]
fn error_messages_name_the_item() {
    let err = IntentModel::builder()
        .intent(pricing())
        .intent(pricing())
        .build()
        .unwrap_err();
    assert_eq!(err.to_string(), "intents[1].id: duplicate id \"pricing\"");
    let err = IntentModel::builder()
        .intent(pricing())
        .threshold(1.5)
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "threshold: 1.5 is out of range (expected 0 to 1)"
    );
}

/// Valid edge cases build: a keyword-only intent, the threshold's end points, calibration
/// examples that are all "no intent".
#[test]
fn edge_cases_that_are_valid() {
    for t in [0.0, 1.0] {
        let model = IntentModel::builder()
            .intent(pricing())
            .threshold(t)
            .build()
            .unwrap();
        assert_eq!(model.threshold(), t);
    }
    let keyword_only = IntentModel::builder()
        .intent(Intent::new("demo").keyword("demo"))
        .intent(pricing())
        .build()
        .unwrap();
    let d = detect_checked(&keyword_only, DEFAULT_MAX_MESSAGE_LEN, "a demo");
    assert_eq!(&*d.keywords[0].intent, "demo");
    let model = IntentModel::builder()
        .intent(pricing())
        .intent(demo())
        .calibrate_on([("hello", None), ("bye", None)])
        .build()
        .unwrap();
    assert!((0.0..=1.0).contains(&model.threshold()));
}

// ---------------------------------------------------------------------------------------
// Behaviour on the sales set.

/// What a message should give.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// This intent, confidently.
    Is(&'static str),
    /// No intent.
    Nothing,
    /// This intent ranked first, whether or not it clears the threshold.
    Ranks(&'static str),
    /// Not this intent (chit-chat that shares a word with it).
    Not(&'static str),
}

use Want::{Is, Not, Nothing, Ranks};

const BEHAVIOUR: &[(&str, Want)] = &[
    // Paraphrases of the training phrases.
    ("how much is it", Is("pricing")),
    ("what's the price of the team plan", Is("pricing")),
    (
        "how much does the enterprise plan cost per year",
        Is("pricing"),
    ),
    ("your pricing page is confusing", Is("pricing")),
    ("is there a discount for startups", Ranks("pricing")),
    ("could you show me a demo of the product", Is("demo")),
    ("book a product tour for next week", Is("demo")),
    ("I need a demo for my team", Is("demo")),
    ("my password reset email never arrives", Is("support")),
    ("I'm getting error 500", Is("support")),
    ("the app crashes when I open it", Ranks("support")),
    ("I can't find the invoice", Ranks("support")),
    ("I want to talk to a salesperson", Is("sales_contact")),
    ("can someone from sales call me", Is("sales_contact")),
    (
        "who should I talk to about an enterprise deal",
        Is("sales_contact"),
    ),
    ("we'd like to buy 200 seats", Ranks("sales_contact")),
    // Typos, case, accents, width.
    ("can i get a qoute", Is("pricing")),
    ("pricng", Is("pricing")),
    ("DÉMO please", Is("demo")),
    ("ＤＥＭＯ ｐｌｅａｓｅ", Is("demo")),
    // Negation.
    ("I don't need a demo, I can't log in", Is("support")),
    ("no demo needed, just tell me the price", Is("pricing")),
    // Chit-chat and noise.
    ("what's the weather like on mars", Nothing),
    ("hello", Nothing),
    ("thanks!", Nothing),
    ("tell me a story", Nothing),
    ("what is the meaning of life", Nothing),
    ("asdfgh qwerty", Nothing),
    ("", Nothing),
    ("?!", Nothing),
    ("i love pizza", Not("demo")),
    ("what's your refund policy", Not("sales_contact")),
];

#[test]
fn behaviour_table() {
    let model = sales_model();
    let mut failures = Vec::new();
    for &(message, want) in BEHAVIOUR {
        let d = detect_checked(model, DEFAULT_MAX_MESSAGE_LEN, message);
        let ok = match want {
            Is(id) => d.intent_id() == Some(id),
            Nothing => d.intent.is_none(),
            Ranks(id) => d.best_candidate() == Some(id),
            Not(id) => d.intent_id() != Some(id),
        };
        if !ok {
            failures.push(format!(
                "{message:?}: want {want:?}, got {:?} ({:.3}, best {:?})",
                d.intent_id(),
                d.confidence,
                d.best_candidate()
            ));
        }
        // Evidence: for confident detections, non-empty, and each piece a word of the
        // message.
        if d.intent.is_some() {
            if d.evidence.is_empty() {
                failures.push(format!("{message:?}: confident but no evidence"));
            }
            let words: Vec<&str> = message
                .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
                .filter(|w| !w.is_empty())
                .collect();
            for e in &d.evidence {
                if !words.contains(&e.text.as_str()) {
                    failures.push(format!(
                        "{message:?}: evidence {:?} is not a word of it",
                        e.text
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn typo_is_a_fuzzy_keyword_hit() {
    let message = "can i get a qoute";
    let d = sales_model().detect(message);
    assert_eq!(d.intent_id(), Some("pricing"));
    let hit = d
        .keywords
        .iter()
        .find(|h| &*h.keyword == "quote")
        .expect("a quote hit");
    assert_eq!(hit.kind, MatchKind::Fuzzy { distance: 1 });
    assert_eq!(&message[hit.span.clone()], "qoute");
    assert!(!hit.negated);
}

#[test]
fn negated_demo_goes_to_support() {
    let message = "I don't need a demo, I can't log in";
    let d = sales_model().detect(message);
    assert_eq!(d.intent_id(), Some("support"));
    let demo: Vec<_> = d.keywords.iter().filter(|h| &*h.intent == "demo").collect();
    assert_eq!(demo.len(), 1, "{:?}", d.keywords);
    assert!(demo[0].negated);
    assert_eq!(&message[demo[0].span.clone()], "demo");
    // The same keyword, not negated, wins the demo intent.
    assert_eq!(
        sales_model()
            .detect("I need a demo, I can log in")
            .intent_id(),
        Some("demo")
    );
}

#[test]
fn accents_and_case_show_in_spans() {
    let message = "DÉMO please";
    let d = sales_model().detect(message);
    assert_eq!(d.intent_id(), Some("demo"));
    assert_eq!(&message[d.keywords[0].span.clone()], "DÉMO");
    assert_eq!(d.keywords[0].kind, MatchKind::Exact);
    assert_eq!(d.evidence[0].text, "DÉMO");
}

// ---------------------------------------------------------------------------------------
// Accuracy on CLINC150.

mod common;

#[derive(serde::Deserialize)]
struct Line {
    text: String,
    intent: String,
}

fn load(path: &std::path::Path) -> Vec<Line> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
#[ignore = "needs CLINC150 at ../shared/data/clinc150 (or $HANDOFF_CLINC150): cargo test --tests -- --ignored"]
fn clinc150_accuracy_floor() {
    let dir = common::require_clinc150();
    let (train, val, test) = (
        load(&dir.join("train.jsonl")),
        load(&dir.join("val.jsonl")),
        load(&dir.join("test.jsonl")),
    );
    let mut order: Vec<&str> = Vec::new();
    let mut phrases: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    let mut builder = IntentModel::builder();
    for line in &train {
        if line.intent == "oos" {
            builder.negative(line.text.as_str());
            continue;
        }
        let list = phrases.entry(&line.intent).or_default();
        if list.is_empty() {
            order.push(&line.intent);
        }
        list.push(&line.text);
    }
    for id in &order {
        builder.intent(Intent::new(*id).phrases(phrases[id].iter().copied()));
    }
    builder.calibrate_on(val.iter().map(|l| {
        (
            l.text.as_str(),
            (l.intent != "oos").then_some(l.intent.as_str()),
        )
    }));
    let model = builder.build().unwrap();
    assert_eq!(model.intent_ids().count(), 150);
    let predictions: Vec<Option<String>> = test
        .iter()
        .map(|l| model.detect(&l.text).intent_id().map(str::to_string))
        .collect();
    let (mut in_scope, mut in_right, mut oos, mut oos_right) = (0, 0, 0, 0);
    for (line, predicted) in test.iter().zip(&predictions) {
        if line.intent == "oos" {
            oos += 1;
            oos_right += predicted.is_none() as usize;
        } else {
            in_scope += 1;
            in_right += (predicted.as_deref() == Some(line.intent.as_str())) as usize;
        }
    }
    let in_scope_acc = in_right as f64 * 100.0 / in_scope as f64;
    let oos_recall = oos_right as f64 * 100.0 / oos as f64;
    eprintln!("CLINC150: in-scope accuracy {in_scope_acc:.2}, oos recall {oos_recall:.2}");
    assert_eq!((in_scope, oos), (4500, 1000));
    assert!(
        in_scope_acc >= 90.0,
        "in-scope accuracy {in_scope_acc:.2} < 90"
    );
    assert!(oos_recall >= 60.0, "oos recall {oos_recall:.2} < 60");
}

/// Each thread reuses one set of scoring buffers for every model: models with more and
/// fewer intents, used in turn on one thread, detect exactly as they do on their own.
#[test]
fn models_of_different_sizes_share_a_thread() {
    let small = IntentModel::builder()
        .intent(Intent::new("pricing").phrases(["how much does it cost", "what is the price"]))
        .intent(Intent::new("support").phrases(["i cannot log in", "the app is broken"]))
        .build()
        .unwrap();
    // Twelve intents: rows of 16 weights, against 8 for the small model.
    let topics = [
        "price", "demo", "login", "refund", "invoice", "upgrade", "password", "export", "crash",
        "contract", "security", "holiday",
    ];
    let large = IntentModel::builder()
        .intents(topics.map(|topic| {
            Intent::new(topic).phrases([format!("question about {topic}"), format!("my {topic}")])
        }))
        .build()
        .unwrap();
    let large = &large;
    let messages = [
        "how much does it cost",
        "i cannot log in to the app",
        "book a demo",
    ];
    let alone = |model: &IntentModel| -> Vec<Detection> {
        let model = model.clone();
        std::thread::spawn(move || messages.iter().map(|m| model.detect(m)).collect())
            .join()
            .unwrap()
    };
    let (small_alone, large_alone) = (alone(&small), alone(large));
    for (i, message) in messages.iter().enumerate() {
        assert_eq!(large.detect(message), large_alone[i], "{message}");
        assert_eq!(small.detect(message), small_alone[i], "{message}");
        assert_eq!(large.detect(message), large_alone[i], "{message}");
    }
}
