//! Importing training data: the shipped Rasa `nlu.yml` and CSV imported and trained,
//! and malformed files refused with the line of the problem.

use handoff::import::{from_csv, ImportErrorKind};
use handoff::{Intent, IntentModel};

/// A malformed file, the line its error names, and a check of the error's kind.
type Case = (&'static str, usize, fn(&ImportErrorKind) -> bool);

const CSV: &str = include_str!("../examples/import/training.csv");

fn train(intents: Vec<Intent>) -> IntentModel {
    IntentModel::builder()
        .intents(intents)
        .threshold(0.3)
        .build()
        .unwrap()
}

#[test]
fn the_shipped_csv_imports_and_trains() {
    let intents = from_csv(CSV).unwrap();
    let ids: Vec<&str> = intents.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["pricing", "demo", "support"]);
    assert_eq!(
        intents[0].phrases,
        [
            "how much does the pro plan cost",
            "what are your prices, roughly?",
            "is there a \"startup\" discount",
            "can I get a quote",
        ]
    );
    // A quoted field keeps its line break.
    assert_eq!(intents[1].phrases[2], "I'd like a walkthrough\nfor my team");
    let model = train(intents);
    assert_eq!(
        model.detect("what do you charge?").intent_id(),
        Some("pricing")
    );
    assert_eq!(
        model.detect("the app crashed again").intent_id(),
        Some("support")
    );
}

#[test]
fn csv_details_are_read_as_rfc_4180_says() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        // Columns in any order, extra columns ignored, CRLF, a BOM, a blank line.
        (
            "\u{feff}intent,source,text\r\npricing,web,how much\r\n\r\nsupport,app,\"help, now\"\r\n",
            &[("pricing", "how much"), ("support", "help, now")],
        ),
        // Header names are case-insensitive; no final newline.
        ("Text,Intent\nhi there,greet", &[("greet", "hi there")]),
        // A doubled quote inside quotes.
        ("text,intent\n\"say \"\"hi\"\"\",greet\n", &[("greet", "say \"hi\"")]),
    ];
    for (text, want) in cases {
        let intents = from_csv(text).unwrap();
        let got: Vec<(&str, &str)> = intents
            .iter()
            .flat_map(|i| i.phrases.iter().map(move |p| (i.id.as_str(), p.as_str())))
            .collect();
        assert_eq!(got, *want, "{text:?}");
    }
}

#[test]
fn malformed_csv_is_refused_with_its_line() {
    let cases: &[Case] = &[
        ("", 0, |k| matches!(k, ImportErrorKind::NoExamples)),
        ("text,intent\n", 0, |k| {
            matches!(k, ImportErrorKind::NoExamples)
        }),
        ("words,label\nhi,greet\n", 1, |k| {
            matches!(k, ImportErrorKind::MissingColumn { column: "text" })
        }),
        ("text,intent\nhi,greet\nhello\n", 3, |k| {
            matches!(
                k,
                ImportErrorKind::FieldCount {
                    expected: 2,
                    found: 1
                }
            )
        }),
        ("text,intent\nhi,greet,extra\n", 2, |k| {
            matches!(
                k,
                ImportErrorKind::FieldCount {
                    expected: 2,
                    found: 3
                }
            )
        }),
        ("text,intent\nhi,greet\n\"open,greet\nmore\n", 3, |k| {
            matches!(k, ImportErrorKind::UnclosedQuote)
        }),
        ("text,intent\n\"a\nb\",greet\n  ,greet\n", 4, |k| {
            matches!(k, ImportErrorKind::EmptyValue { field: "text" })
        }),
        ("text,intent\nhi,\n", 2, |k| {
            matches!(k, ImportErrorKind::EmptyValue { field: "intent" })
        }),
    ];
    for (text, line, kind) in cases {
        let err = from_csv(text).unwrap_err();
        assert_eq!(err.line(), *line, "{text:?}: {err}");
        assert!(kind(err.kind()), "{text:?}: {err}");
    }
}

#[cfg(feature = "rasa")]
mod rasa {
    use super::*;
    use handoff::import::from_rasa_nlu;

    const NLU: &str = include_str!("../examples/import/nlu.yml");

    #[test]
    fn the_shipped_nlu_yml_imports_and_trains() {
        let nlu = from_rasa_nlu(NLU).unwrap();
        let ids: Vec<&str> = nlu.intents.iter().map(|i| i.id.as_str()).collect();
        // `pricing` is listed twice: one intent with both lists' examples.
        assert_eq!(ids, ["pricing", "demo", "support"]);
        assert_eq!(nlu.intents[0].phrases.len(), 6);
        // Entity markup is read as the text the user typed.
        assert_eq!(nlu.intents[0].phrases[0], "how much does the pro plan cost");
        assert_eq!(
            nlu.intents[0].phrases[2],
            "is there a discount for annual billing"
        );
        assert_eq!(nlu.entities, ["billing", "day", "feature", "plan", "seats"]);
        assert_eq!(nlu.synonyms[0].value, "yearly");
        assert_eq!(nlu.synonyms[0].examples, ["annual", "annually"]);
        assert_eq!(nlu.lookups[0].elements, ["free", "pro", "enterprise"]);
        let notes = nlu.notes.join("\n");
        for said in [
            "regex \"seats\"",
            "synonym \"yearly\"",
            "lookup table \"plan\"",
        ] {
            assert!(notes.contains(said), "{notes}");
        }
        let model = train(nlu.intents);
        assert_eq!(
            model.detect("how much is the pro plan?").intent_id(),
            Some("pricing")
        );
        assert_eq!(model.detect("book a demo please").intent_id(), Some("demo"));
    }

    #[test]
    fn examples_with_metadata_and_other_sections_are_read() {
        let text = "version: \"3.1\"\nnlu:\n- intent: greet\n  examples:\n  - text: |\n      hi there\n    metadata:\n      sentiment: neutral\n  - text: hello\nstories:\n- story: s\n  steps: []\n";
        let nlu = from_rasa_nlu(text).unwrap();
        assert_eq!(nlu.intents[0].phrases, ["hi there", "hello"]);
        assert!(nlu.notes[0].contains("\"stories\""), "{:?}", nlu.notes);
    }

    #[test]
    fn malformed_nlu_is_refused_with_its_line() {
        let cases: &[Case] = &[
            ("", 0, |k| matches!(k, ImportErrorKind::NoExamples)),
            ("version: \"3.1\"\n", 1, |k| {
                matches!(k, ImportErrorKind::MissingKey { key: "nlu" })
            }),
            ("- a\n- b\n", 1, |k| {
                matches!(k, ImportErrorKind::WrongShape { .. })
            }),
            ("nlu:\n  intent: greet\n", 2, |k| {
                matches!(k, ImportErrorKind::WrongShape { .. })
            }),
            ("nlu:\n- intent: greet\n", 2, |k| {
                matches!(k, ImportErrorKind::MissingKey { key: "examples" })
            }),
            (
                "nlu:\n- greeting: greet\n  examples: |\n    - hi\n",
                2,
                |k| matches!(k, ImportErrorKind::WrongShape { .. }),
            ),
            ("nlu:\n- intent: \"\"\n  examples: |\n    - hi\n", 2, |k| {
                matches!(k, ImportErrorKind::EmptyValue { field: "name" })
            }),
            (
                "nlu:\n- intent: greet\n  examples: |\n    - hi\n    hello\n",
                5,
                |k| matches!(k, ImportErrorKind::NotAnExample { text } if text == "hello"),
            ),
            (
                "nlu:\n- intent: greet\n  examples: |\n    - hi\n\n    -   \n",
                6,
                |k| matches!(k, ImportErrorKind::EmptyValue { field: "example" }),
            ),
            ("nlu:\n- intent: greet\n  examples: {a: 1}\n", 3, |k| {
                matches!(k, ImportErrorKind::WrongShape { .. })
            }),
            ("nlu:\n- intent: greet\n  examples: [1, 2]\n", 3, |k| {
                matches!(k, ImportErrorKind::WrongShape { .. })
            }),
            (
                // The parser gives up at the end of the input, after the open bracket.
                "nlu:\n- intent: greet\n  examples: |\n    - hi\n  bad: [unclosed\n",
                6,
                |k| matches!(k, ImportErrorKind::Syntax { .. }),
            ),
            (
                "nlu:\n- synonym: yearly\n  examples: |\n    - annual\n",
                0,
                |k| matches!(k, ImportErrorKind::NoExamples),
            ),
        ];
        for (text, line, kind) in cases {
            let err = from_rasa_nlu(text).unwrap_err();
            assert!(kind(err.kind()), "{text:?}: {err}");
            assert_eq!(err.line(), *line, "{text:?}: {err}");
        }
    }
}
