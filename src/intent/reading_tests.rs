//! Behaviour of the readings of unseen words, through the public detection API.

use proptest::prelude::*;

use crate::{Intent, IntentModel, IntentModelBuilder};

fn intents(builder: &mut IntentModelBuilder) -> &mut IntentModelBuilder {
    builder
        .intent(Intent::new("pricing").phrases([
            "how much does a quote cost",
            "send me a quote for the pro plan",
            "what is the price of the enterprise plan",
        ]))
        .intent(Intent::new("support").phrases([
            "my password does not work",
            "the app crashes at home",
            "reset my password please",
        ]))
        .negative("what a nice day")
}

fn model(configure: impl FnOnce(&mut IntentModelBuilder)) -> IntentModel {
    let mut builder = IntentModel::builder();
    intents(&mut builder);
    configure(&mut builder);
    builder.build().expect("valid intents")
}

fn read_as(model: &IntentModel, text: &str) -> Vec<(String, String)> {
    model
        .detect(text)
        .evidence
        .iter()
        .filter_map(|e| Some((e.text.clone(), e.read_as.clone()?)))
        .collect()
}

#[test]
fn a_typo_reads_as_the_known_word_and_scores_like_it() {
    let model = model(|_| {});
    let cases = [
        (
            "How much does a QOUTE cost",
            "how much does a quote cost",
            "QOUTE",
            "quote",
        ),
        (
            "my pasword does not work",
            "my password does not work",
            "pasword",
            "password",
        ),
        (
            "reset my passwrod please!",
            "reset my password please!",
            "passwrod",
            "password",
        ),
    ];
    for (typo, clean, typed, known) in cases {
        let (a, b) = (model.detect(typo), model.detect(clean));
        assert_eq!(a.intent, b.intent, "{typo}");
        assert_eq!(
            a.alternatives, b.alternatives,
            "{typo}: same scores, same confidence"
        );
        let evidence = a
            .evidence
            .iter()
            .find(|e| e.read_as.is_some())
            .expect("a reading");
        assert_eq!(evidence.text, typed, "{typo}");
        assert_eq!(&typo[evidence.span.clone()], typed);
        assert_eq!(evidence.read_as.as_deref(), Some(known), "{typo}");
        assert!(b.evidence.iter().all(|e| e.read_as.is_none()), "{clean}");
    }
}

#[test]
fn readings_follow_the_options() {
    let on = model(|_| {});
    let off = model(|b| {
        b.read_typos(false);
    });
    assert_eq!(
        read_as(&on, "send me a qoute"),
        [("qoute".into(), "quote".into())]
    );
    assert!(read_as(&off, "send me a qoute").is_empty());
    // "hole" is a common English word, not a typo of "home"; without the word list
    // it is one edit from a known word like any other.
    assert!(read_as(&on, "the app crashes at hole").is_empty());
    let no_lexicon = model(|b| {
        b.lexicon(false);
    });
    assert_eq!(
        read_as(&no_lexicon, "the app crashes at hole"),
        [("hole".into(), "home".into())]
    );
    // Another form of a known word, only when asked for.
    let forms = model(|b| {
        b.read_word_forms(true);
    });
    assert_eq!(
        read_as(&forms, "send me quotes"),
        [("quotes".into(), "quote".into())]
    );
    assert!(read_as(&on, "send me quotes").is_empty());
}

#[test]
fn every_reading_shows_in_the_evidence() {
    let model = model(|_| {});
    // Four readings for the intent: more than the three strongest words the evidence
    // keeps.
    let text = "qoute qoute qoute qoute";
    let readings = read_as(&model, text);
    assert_eq!(readings.len(), 4, "{readings:?}");
}

proptest! {
    #[test]
    fn evidence_spans_are_the_typed_text(
        words in prop::collection::vec(
            prop_oneof![
                Just("qoute".to_string()),
                Just("pasword".to_string()),
                Just("préce".to_string()),
                "[a-zé]{1,9}",
                "\\PC{0,6}",
            ],
            0..8,
        ),
        separator in prop_oneof![Just(" "), Just(", "), Just("\u{00a0}")],
    ) {
        let model = model(|_| {});
        let text = words.join(separator);
        let detection = model.detect(&text);
        for evidence in &detection.evidence {
            prop_assert_eq!(text.get(evidence.span.clone()), Some(evidence.text.as_str()));
        }
        prop_assert!((0.0..=1.0).contains(&detection.confidence));
    }
}
