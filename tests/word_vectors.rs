//! The built-in word vectors (`ModelOptions::word_vectors`): words the phrases never
//! used count through their meaning, the option is checked, and a model that uses them
//! saves and loads to identical detections.

use handoff::{Intent, IntentModel, IntentModelBuilder};

fn bot(word_vectors: bool) -> IntentModel {
    let mut builder = IntentModel::builder();
    builder
        .intent(Intent::new("pricing").phrases([
            "how much does it cost",
            "what is the price",
            "send me your prices",
        ]))
        .intent(Intent::new("support").phrases([
            "the app crashes",
            "I cannot log in",
            "my password reset fails",
        ]))
        .intent(Intent::new("demo").phrases([
            "book a demo",
            "can I see the product",
            "show me a walkthrough",
        ]))
        .calibration_folds(0)
        .word_vectors(word_vectors);
    builder.build().unwrap()
}

/// Messages whose telling words none of the phrases use.
const UNSEEN: [(&str, &str); 4] = [
    ("what's the fee", "pricing"),
    ("is it expensive", "pricing"),
    ("the software froze", "support"),
    ("arrange a presentation", "demo"),
];

fn confidence(model: &IntentModel, text: &str, intent: &str) -> f32 {
    let detection = model.detect(text);
    detection
        .alternatives
        .iter()
        .find(|a| &*a.intent == intent)
        .map_or(0.0, |a| a.confidence)
}

#[test]
fn words_the_phrases_never_used_count_through_their_meaning() {
    let (with, without) = (bot(true), bot(false));
    for (text, intent) in UNSEEN {
        assert_eq!(
            with.detect(text).best_candidate(),
            Some(intent),
            "{text:?} with word vectors"
        );
        assert!(
            confidence(&with, text, intent) > confidence(&without, text, intent),
            "{text:?}: word vectors should raise {intent}'s confidence"
        );
    }
}

#[test]
fn the_weight_must_be_from_0_to_100() {
    for weight in [-1.0, 100.5, f32::NAN, f32::INFINITY] {
        let mut builder: IntentModelBuilder = IntentModel::builder();
        builder
            .intent(Intent::new("pricing").phrases(["how much is it"]))
            .word_vectors(true)
            .word_vector_weight(weight);
        let err = builder.build().unwrap_err();
        assert_eq!(err.path(), "word_vector_weight", "{weight}: {err}");
    }
}

#[test]
fn a_model_with_word_vectors_round_trips() {
    let model = bot(true);
    let loaded = IntentModel::from_bytes(&model.to_bytes()).unwrap();
    assert_eq!(loaded.to_bytes(), model.to_bytes());
    let texts = UNSEEN.iter().map(|(t, _)| *t);
    for text in texts.chain(["how much for the pro plan", "qwzx", ""]) {
        assert_eq!(loaded.detect(text), model.detect(text), "{text:?}");
    }
    assert!(model.model_bytes() > bot(false).model_bytes());
}

#[test]
fn the_weight_s_ends_are_a_model_without_them_and_a_finite_one() {
    let build = |weight: f32| {
        let mut builder = IntentModel::builder();
        builder
            .intent(Intent::new("pricing").phrases(["how much is it", "what does it cost"]))
            .intent(Intent::new("support").phrases(["the app crashes", "I cannot log in"]))
            .calibration_folds(0)
            .word_vectors(true)
            .word_vector_weight(weight);
        builder.build().unwrap()
    };
    let mut off = IntentModel::builder();
    off.intent(Intent::new("pricing").phrases(["how much is it", "what does it cost"]))
        .intent(Intent::new("support").phrases(["the app crashes", "I cannot log in"]))
        .calibration_folds(0);
    assert_eq!(build(0.0).to_bytes(), off.build().unwrap().to_bytes());
    let heaviest = build(100.0);
    for text in ["is it expensive", "the software froze", "qwzx", ""] {
        let detection = heaviest.detect(text);
        assert!(
            detection
                .alternatives
                .iter()
                .all(|a| a.confidence.is_finite()),
            "{text:?}: {detection:?}"
        );
    }
    assert_eq!(
        heaviest.detect("is it expensive").best_candidate(),
        Some("pricing")
    );
}
