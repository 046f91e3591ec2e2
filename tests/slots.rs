//! Slot extraction: numbers in digits and words, ranges, qualifiers, rejections, what is
//! not about the slot, emails and free text; property tests against naive oracles.

use handoff::slots::{read_numbers, Extracted, Qualifier, Rejection, SlotValue, Source};
use handoff::slots::{NumberSlot, SlotConfig, SlotExtractors, TextSlot};
use handoff::ErrorKind;
use proptest::prelude::*;

const CUES: [&str; 7] = [
    "people",
    "employees",
    "staff",
    "seats",
    "users",
    "person",
    "team of",
];

fn extractors() -> SlotExtractors {
    let config: Vec<SlotConfig> = serde_json::from_value(serde_json::json!([
        {"slot": "company_size", "number": {"cues": CUES, "min": 1, "max": 10_000_000}},
        {"slot": "email", "email": {}},
        {"slot": "timeline", "text": {}}
    ]))
    .expect("valid config");
    SlotExtractors::new(&config).expect("valid slots")
}

fn find(found: &[Extracted], slot: &str) -> Option<Extracted> {
    found.iter().find(|e| e.slot == slot).cloned()
}

/// What a case expects of the `company_size` slot.
#[derive(Debug)]
enum Want {
    Nothing,
    Is(f64, Qualifier),
    Between(f64, f64, Qualifier),
    Rejected(Rejection),
}

use Qualifier::{Approximate as About, AtLeast, AtMost, Exact};
use Want::{Between, Is, Nothing, Rejected};

fn check(slots: &SlotExtractors, text: &str, asked: bool, want: &Want) {
    let asked = asked.then_some("company_size");
    let got = find(&slots.extract(text, asked), "company_size");
    let ok = match (want, &got) {
        (Nothing, None) => true,
        (Is(n, q), Some(e)) => {
            e.value == SlotValue::Number(*n) && e.qualifier == *q && e.is_accepted()
        }
        (Between(lo, hi, q), Some(e)) => {
            e.value
                == SlotValue::Range {
                    low: *lo,
                    high: *hi,
                }
                && e.qualifier == *q
                && e.is_accepted()
        }
        (Rejected(r), Some(e)) => e.rejection.as_ref() == Some(r),
        _ => false,
    };
    assert!(
        ok,
        "{text:?} (asked: {asked:?}): want {want:?}, got {got:?}"
    );
    if let Some(e) = got {
        assert!(
            text.get(e.span.clone()).is_some(),
            "{text:?}: span {:?} off the text",
            e.span
        );
    }
}

#[test]
fn company_size_table() {
    let slots = extractors();
    let no = false;
    let yes = true;
    let table: &[(&str, bool, Want)] = &[
        // Digits, with a cue, unprompted.
        (
            "We're a 2,000-person bank evaluating vendors, who do I talk to?",
            no,
            Is(2000.0, Exact),
        ),
        ("I need pricing for 500 seats", no, Is(500.0, Exact)),
        ("we have 5000 employees and need SSO", no, Is(5000.0, Exact)),
        ("team of 12", no, Is(12.0, Exact)),
        ("we are 2 000 people", no, Is(2000.0, Exact)),
        ("10k users", no, Is(10_000.0, Exact)),
        ("1.5k employees", no, Is(1500.0, Exact)),
        ("2m users on the platform", no, Is(2e6, Exact)),
        ("1'200 staff", no, Is(1200.0, Exact)),
        ("we have 5000 full-time employees", no, Is(5000.0, Exact)),
        ("our staff: 85", no, Is(85.0, Exact)),
        (
            "Acme has \u{ff11}\u{ff12}\u{ff10} employees",
            no,
            Is(120.0, Exact),
        ),
        ("I need pricing for 500 seats please", no, Is(500.0, Exact)),
        ("we're 40-ish people", no, Is(40.0, About)),
        ("2 thousand employees", no, Is(2000.0, Exact)),
        (
            "we need SSO by 2025 for 300 employees",
            no,
            Is(300.0, Exact),
        ),
        ("30 day trial for 5 users", no, Is(5.0, Exact)),
        ("1 employee", no, Is(1.0, Exact)),
        // Words.
        ("about fifty people", no, Is(50.0, About)),
        ("fifty employees", no, Is(50.0, Exact)),
        ("two hundred and fifty people", no, Is(250.0, Exact)),
        ("a dozen users", no, Is(12.0, Exact)),
        ("a couple of hundred staff", no, Is(200.0, About)),
        ("one thousand two hundred employees", no, Is(1200.0, Exact)),
        ("twelve hundred seats", no, Is(1200.0, Exact)),
        ("twenty-five people", no, Is(25.0, Exact)),
        ("a hundred and five users", no, Is(105.0, Exact)),
        ("half a dozen people", no, Is(6.0, Exact)),
        ("just a couple of people", no, Is(2.0, About)),
        ("one person", no, Is(1.0, Exact)),
        (
            "three thousand five hundred and forty two staff",
            no,
            Is(3542.0, Exact),
        ),
        ("Team of about forty", no, Is(40.0, About)),
        ("fifty", yes, Is(50.0, Exact)),
        // Ranges.
        ("50-100 employees", no, Between(50.0, 100.0, Exact)),
        ("50 to 100 people", no, Between(50.0, 100.0, Exact)),
        (
            "between 200 and 300 employees",
            no,
            Between(200.0, 300.0, Exact),
        ),
        ("10-20k users", no, Between(10_000.0, 20_000.0, Exact)),
        (
            "between two and three thousand people",
            no,
            Between(2000.0, 3000.0, Exact),
        ),
        (
            "between two hundred and three hundred people",
            no,
            Between(200.0, 300.0, Exact),
        ),
        ("50-100", yes, Between(50.0, 100.0, Exact)),
        ("100-50", yes, Between(50.0, 100.0, Exact)),
        ("5 or 6 people", no, Between(5.0, 6.0, Exact)),
        ("fifty-sixty people", no, Between(50.0, 60.0, Exact)),
        ("50 \u{2013} 100", yes, Between(50.0, 100.0, Exact)),
        // Approximations.
        ("around 120", yes, Is(120.0, About)),
        ("we're around 120", yes, Is(120.0, About)),
        ("roughly 300 users", no, Is(300.0, About)),
        ("over 500 employees", no, Is(500.0, AtLeast)),
        ("more than 1,000 staff", no, Is(1000.0, AtLeast)),
        ("under 50 people", no, Is(50.0, AtMost)),
        ("~200", yes, Is(200.0, About)),
        ("200+", yes, Is(200.0, AtLeast)),
        ("200ish people", no, Is(200.0, About)),
        ("up to 30 seats", no, Is(30.0, AtMost)),
        ("no more than 10", yes, Is(10.0, AtMost)),
        ("500 or so people", no, Is(500.0, About)),
        ("at least 2k users", no, Is(2000.0, AtLeast)),
        // Rejections: reported, never clamped or read as something else.
        ("-5", yes, Rejected(Rejection::Negative)),
        ("minus 5 people", no, Rejected(Rejection::Negative)),
        ("1e308", yes, Rejected(Rejection::AboveMax { max: 1e7 })),
        ("inf", yes, Rejected(Rejection::NotFinite)),
        ("NaN", yes, Rejected(Rejection::NotFinite)),
        ("1e400 users", no, Rejected(Rejection::NotFinite)),
        (
            "20 million people",
            no,
            Rejected(Rejection::AboveMax { max: 1e7 }),
        ),
        ("0", yes, Rejected(Rejection::BelowMin { min: 1.0 })),
        ("-5 people, sorry, I mean 5 people", no, Is(5.0, Exact)),
        ("between -5 and 5 people", no, Rejected(Rejection::Negative)),
        (
            "999999999999999999999999999999 users",
            no,
            Rejected(Rejection::AboveMax { max: 1e7 }),
        ),
        // Not about the slot.
        ("call me at 5pm", no, Nothing),
        ("call me at 5pm", yes, Nothing),
        ("call me at 5 pm", yes, Nothing),
        ("version 2.0", yes, Nothing),
        ("30 day trial", yes, Nothing),
        ("2024", no, Nothing),
        ("in 2024", yes, Nothing),
        ("$500 per month", yes, Nothing),
        ("500 dollars a month for our users", no, Nothing),
        ("lots of people", no, Nothing),
        ("a few of us", yes, Nothing),
        ("hundreds of users", no, Nothing),
        ("3 of our users complained", no, Nothing),
        ("we have 2 questions", no, Nothing),
        ("ticket #4521 from our users", no, Nothing),
        ("call 1-800-555-1234", yes, Nothing),
        ("our users need it 24/7", no, Nothing),
        ("50% of our staff", no, Nothing),
        ("b2b saas", yes, Nothing),
        ("I'm 3rd in line", yes, Nothing),
        ("30 minutes with your staff", no, Nothing),
        ("meet at 10:30 with staff", no, Nothing),
        ("released 2024-01-05 to users", no, Nothing),
        ("we're a small team", yes, Nothing),
        ("add 3 more users", no, Nothing),
        ("I need one more seat", no, Nothing),
        ("500 additional seats", no, Nothing),
        ("call +1 555 123 4567", yes, Nothing),
        ("phone 555-1234", yes, Nothing),
        ("", yes, Nothing),
        // Solo answers, only when asked.
        ("just me", yes, Is(1.0, Exact)),
        ("just me", no, Nothing),
    ];
    assert!(table.len() >= 60);
    for (text, asked, want) in table {
        check(&slots, text, *asked, want);
    }
}

#[test]
fn spans_point_at_what_was_typed() {
    let slots = extractors();
    let text = "Honestly we're ABOUT Fifty People";
    let e = find(&slots.extract(text, None), "company_size").unwrap();
    assert_eq!(&text[e.span], "ABOUT Fifty");
    assert_eq!(e.source, Source::Cue("people".into()));
    let text = "between 200 and 300 employees";
    let e = find(&slots.extract(text, None), "company_size").unwrap();
    assert_eq!(&text[e.span], "between 200 and 300");
    assert_eq!(e.value.as_number(), Some(250.0));
}

#[test]
fn a_bare_number_answers_only_when_asked() {
    let slots = extractors();
    assert!(find(&slots.extract("around 120", None), "company_size").is_none());
    let e = find(
        &slots.extract("around 120", Some("company_size")),
        "company_size",
    )
    .unwrap();
    assert_eq!(e.source, Source::Answer);
    // Asked something else: still no.
    assert!(find(
        &slots.extract("around 120", Some("timeline")),
        "company_size"
    )
    .is_none());
}

#[test]
fn a_cue_of_another_slot_keeps_a_number_from_the_asked_one() {
    let slots = SlotExtractors::builder()
        .slot(SlotConfig::number(
            "company_size",
            NumberSlot::new().cues(["people"]),
        ))
        .slot(SlotConfig::number(
            "budget",
            NumberSlot::new().cues(["budget"]).max(1e9),
        ))
        .build()
        .unwrap();
    let found = slots.extract("budget: 50k", Some("company_size"));
    assert!(find(&found, "company_size").is_none(), "{found:?}");
    assert_eq!(
        find(&found, "budget").unwrap().value,
        SlotValue::Number(50_000.0)
    );
    let found = slots.extract("50k", Some("company_size"));
    assert_eq!(
        find(&found, "company_size").unwrap().value,
        SlotValue::Number(50_000.0)
    );
}

#[test]
fn emails_are_read_asked_or_not() {
    let slots = extractors();
    let table: &[(&str, Option<&str>)] = &[
        (
            "reach me at Ana.B@Bank.example.com.",
            Some("ana.b@bank.example.com"),
        ),
        ("mail: bob+crm@x.io, thanks", Some("bob+crm@x.io")),
        ("no email here @ all", None),
        ("me@localhost", None),
        ("@ana on twitter", None),
    ];
    for (text, want) in table {
        let got = find(&slots.extract(text, None), "email");
        assert_eq!(
            got.as_ref().and_then(|e| e.value.as_text()),
            *want,
            "{text:?}"
        );
        if let Some(e) = got {
            assert_eq!(text[e.span.clone()].to_lowercase(), want.unwrap());
            assert_eq!(e.source, Source::Pattern);
        }
    }
}

#[test]
fn free_text_is_taken_only_when_asked() {
    let slots = extractors();
    let e = find(
        &slots.extract("  next quarter, ideally ", Some("timeline")),
        "timeline",
    )
    .unwrap();
    assert_eq!(e.value, SlotValue::Text("next quarter, ideally".into()));
    assert_eq!(e.span, 2..23);
    assert!(find(&slots.extract("next quarter", None), "timeline").is_none());
    assert!(find(&slots.extract("   ", Some("timeline")), "timeline").is_none());
    let short = SlotExtractors::builder()
        .slot(SlotConfig::text("timeline", TextSlot::new().max_len(4)))
        .build()
        .unwrap();
    let e = find(&short.extract("soon\u{e9}r", Some("timeline")), "timeline").unwrap();
    assert_eq!(e.value, SlotValue::Text("soon".into()));
}

#[test]
fn configuration_mistakes_name_their_path() {
    type KindTest = fn(&ErrorKind) -> bool;
    let cases: &[(serde_json::Value, &str, KindTest)] = &[
        (
            serde_json::json!([{"slot": "a", "email": {}}, {"slot": "a", "email": {}}]),
            "slots[1].slot",
            |k| matches!(k, ErrorKind::Duplicate { .. }),
        ),
        (
            serde_json::json!([{"slot": " ", "email": {}}]),
            "slots[0].slot",
            |k| matches!(k, ErrorKind::Empty),
        ),
        (
            serde_json::json!([{"slot": "a", "email": {}, "text": {}}]),
            "slots[0]",
            |k| matches!(k, ErrorKind::SlotKind { found: 2 }),
        ),
        (serde_json::json!([{"slot": "a"}]), "slots[0]", |k| {
            matches!(k, ErrorKind::SlotKind { found: 0 })
        }),
        (
            serde_json::json!([{"slot": "a", "email": {}}, {"slot": "b", "number": {"min": 5, "max": 1}}]),
            "slots[1].number.max",
            |k| matches!(k, ErrorKind::OutOfRange { .. }),
        ),
        (
            serde_json::json!([{"slot": "a", "number": {"min": -1}}]),
            "slots[0].number.min",
            |k| matches!(k, ErrorKind::OutOfRange { .. }),
        ),
        (
            serde_json::json!([{"slot": "a", "number": {"cues": ["people", "!!"]}}]),
            "slots[0].number.cues[1]",
            |k| matches!(k, ErrorKind::Empty),
        ),
        (
            serde_json::json!([{"slot": "a", "number": {"cues": ["x".repeat(65)]}}]),
            "slots[0].number.cues[0]",
            |k| matches!(k, ErrorKind::TooLong { .. }),
        ),
        (
            serde_json::json!([{"slot": "a", "text": {"max_len": 0}}]),
            "slots[0].text.max_len",
            |k| matches!(k, ErrorKind::OutOfRange { .. }),
        ),
    ];
    for (json, path, kind) in cases {
        let config: Vec<SlotConfig> = serde_json::from_value(json.clone()).unwrap();
        let err = SlotExtractors::new(&config).expect_err("must be rejected");
        assert_eq!(err.path(), *path, "{json}");
        assert!(kind(err.kind()), "{json}: {err}");
    }
    let max_error = SlotExtractors::new(
        &serde_json::from_value::<Vec<SlotConfig>>(
            serde_json::json!([{"slot": "a", "number": {"min": 5, "max": 1}}]),
        )
        .unwrap(),
    )
    .unwrap_err();
    assert_eq!(
        max_error.to_string(),
        "slots[0].number.max: 1 is out of range (expected a finite number at least 5)"
    );
    for unknown in [
        serde_json::json!({"slot": "a", "email": {}, "color": 1}),
        serde_json::json!({"slot": "a", "number": {"cue": ["people"]}}),
        serde_json::json!({"slot": "a", "email": {"strict": true}}),
    ] {
        assert!(
            serde_json::from_value::<SlotConfig>(unknown.clone()).is_err(),
            "{unknown}"
        );
    }
}

#[test]
fn config_round_trips_through_serde() {
    let config = vec![
        SlotConfig::number("company_size", NumberSlot::new().cues(CUES).min(1.0)),
        SlotConfig::email("email"),
        SlotConfig::text("timeline", TextSlot::new()),
    ];
    let json = serde_json::to_string(&config).unwrap();
    let back: Vec<SlotConfig> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config);
    assert_eq!(SlotExtractors::new(&back).unwrap().config(), &config[..]);
}

#[test]
fn many_numbers_are_capped() {
    let slots = extractors();
    let text: String = (0..10_000)
        .map(|i| format!("{i} people"))
        .collect::<Vec<_>>()
        .join(", ");
    let numbers = read_numbers(&text);
    assert_eq!(numbers.len(), handoff::slots::MAX_CANDIDATES);
    assert_eq!(numbers[63].value, SlotValue::Number(63.0));
    let found = slots.extract(&text, Some("company_size"));
    assert!(found.len() <= 3);
    // 0 is below the minimum, so the first accepted one is taken.
    assert_eq!(
        find(&found, "company_size").unwrap().value,
        SlotValue::Number(1.0)
    );
}

#[test]
fn a_megabyte_message_is_bounded() {
    let slots = extractors();
    let mb = 1 << 20;
    let words = "lorem ipsum ".repeat(mb / 12) + "we are 40 people, mail a@b.io";
    let found = slots.extract(&words, Some("timeline"));
    assert_eq!(
        find(&found, "company_size").unwrap().value,
        SlotValue::Number(40.0)
    );
    assert_eq!(
        find(&found, "email").unwrap().value.as_text(),
        Some("a@b.io")
    );
    assert_eq!(
        find(&found, "timeline")
            .unwrap()
            .value
            .as_text()
            .unwrap()
            .len(),
        1000
    );
    for filler in ["7", "@", "a@", "1,", "-", "k", "one ", "1-"] {
        let text = filler.repeat(mb / filler.len());
        assert!(
            read_numbers(&text).len() <= handoff::slots::MAX_CANDIDATES,
            "{filler:?}"
        );
        assert!(
            slots.extract(&text, Some("company_size")).len() <= 3,
            "{filler:?}"
        );
    }
    // A megabyte of digits is one number, and not a finite one.
    let digits = "9".repeat(mb);
    let numbers = read_numbers(&digits);
    assert_eq!(numbers.len(), 1);
    assert_eq!(numbers[0].rejection, Some(Rejection::NotFinite));
}

/// Formats `n` with thousands separator `sep` ("" for none).
fn with_separators(n: u64, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A naive English speller for `n` < 1,000,000.
fn spell(n: u64, and: bool, hyphen: bool) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let below_100 = |n: u64| -> String {
        if n < 20 {
            ONES[n as usize].to_string()
        } else if n % 10 == 0 {
            TENS[(n / 10) as usize].to_string()
        } else {
            let join = if hyphen { "-" } else { " " };
            format!(
                "{}{join}{}",
                TENS[(n / 10) as usize],
                ONES[(n % 10) as usize]
            )
        }
    };
    let below_1000 = |n: u64| -> String {
        let (h, r) = (n / 100, n % 100);
        match (h, r) {
            (0, r) => below_100(r),
            (h, 0) => format!("{} hundred", ONES[h as usize]),
            (h, r) => {
                let join = if and { " and " } else { " " };
                format!("{} hundred{join}{}", ONES[h as usize], below_100(r))
            }
        }
    };
    if n == 0 {
        return "zero".into();
    }
    let (th, r) = (n / 1000, n % 1000);
    match (th, r) {
        (0, r) => below_1000(r),
        (th, 0) => format!("{} thousand", below_1000(th)),
        (th, r) => {
            let join = if and && r < 100 { " and " } else { " " };
            format!("{} thousand{join}{}", below_1000(th), below_1000(r))
        }
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

proptest! {
    #[test]
    fn digits_read_back(n in 0u64..1_000_000_000_000, sep in prop::sample::select(vec!["", ",", " ", "'"])) {
        let text = with_separators(n, sep);
        let found = read_numbers(&text);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        prop_assert_eq!(&found[0].value, &SlotValue::Number(n as f64), "{:?}", text);
        prop_assert_eq!(found[0].span.clone(), 0..text.len());
    }

    #[test]
    fn suffixed_numbers_read_back(thousands in 1u64..100_000, tenths in 0u64..10, suffix in prop::sample::select(vec!["k", "K", " thousand", "m", " million"])) {
        let scale = if suffix.contains('m') { 1e6 } else { 1e3 };
        let text = format!("we have {thousands}.{tenths}{suffix} employees");
        let want = (thousands as f64 + tenths as f64 / 10.0) * scale;
        let found = read_numbers(&text);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        let got = found[0].value.as_number().unwrap();
        prop_assert!(close(got, want), "{:?}: {} != {}", text, got, want);
        let slot = find(&extractors().extract(&text, None), "company_size").unwrap();
        prop_assert_eq!(slot.is_accepted(), want <= 1e7, "{:?}: {:?}", text, slot);
    }

    #[test]
    fn words_read_back(n in 0u64..1_000_000, and: bool, hyphen: bool) {
        let text = spell(n, and, hyphen);
        let found = read_numbers(&text);
        prop_assert_eq!(found.len(), 1, "{:?}: {:?}", text, found);
        prop_assert_eq!(&found[0].value, &SlotValue::Number(n as f64), "{:?}", text);
        let sentence = format!("we're about {text} people");
        let slot = find(&extractors().extract(&sentence, None), "company_size").unwrap();
        prop_assert_eq!(&slot.value, &SlotValue::Number(n as f64), "{:?}", sentence);
        prop_assert_eq!(slot.qualifier, Qualifier::Approximate);
    }

    #[test]
    fn ranges_read_back(a in 1u64..100_000, b in 1u64..100_000, connector in prop::sample::select(vec!["-", " - ", " to ", "\u{2013}"])) {
        let text = format!("{a}{connector}{b} users");
        let found = read_numbers(&text);
        prop_assert_eq!(found.len(), 1, "{:?}", text);
        let (low, high) = (a.min(b) as f64, a.max(b) as f64);
        prop_assert_eq!(&found[0].value, &SlotValue::Range { low, high }, "{:?}", text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>(), asked in prop::option::of(prop::sample::select(vec!["company_size", "email", "timeline", "other"]))) {
        let slots = extractors();
        for e in slots.extract(&text, asked) {
            prop_assert!(text.get(e.span.clone()).is_some(), "{:?}: {:?}", text, e);
        }
        for m in read_numbers(&text) {
            prop_assert!(text.get(m.span.clone()).is_some(), "{:?}: {:?}", text, m);
        }
    }

    #[test]
    fn numbery_text_never_panics(text in "[0-9 ,.'+~kKmMe$%:/@a-z\\-\u{2013}\u{ff11}\u{e9}]{0,48}", asked: bool) {
        let slots = extractors();
        let asked = asked.then_some("company_size");
        for e in slots.extract(&text, asked) {
            prop_assert!(text.get(e.span.clone()).is_some(), "{:?}: {:?}", text, e);
            if let Some(n) = e.value.as_number() {
                prop_assert!(e.rejection.is_some() || (1.0..=1e7).contains(&n), "{:?}: {:?}", text, e);
            }
        }
    }
}

#[test]
fn extractors_are_shareable_and_reuse_a_normalization() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<SlotExtractors>();
    let slots = extractors();
    let text = "We're ABOUT 2,000 people, mail Ana@Bank.example";
    let normalized = slots.normalizer().normalize(text);
    assert_eq!(
        slots.extract_normalized(text, &normalized, None),
        slots.extract(text, None)
    );
    // A normalization of another text gives meaningless spans, but no panic.
    let other = slots
        .normalizer()
        .normalize("team of 12 and a much longer text than the original one");
    let found = slots.extract_normalized("hi", &other, Some("timeline"));
    assert_eq!(
        find(&found, "company_size").unwrap().value,
        SlotValue::Number(12.0)
    );
}
