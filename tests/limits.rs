//! Size limits: each is a `BuildError` naming the item, and long messages are cut, not
//! refused.

use handoff::flow::Flow;
use handoff::{Context, ErrorKind, Intent, IntentModel, Limits, Message, Router, RouterConfig};

fn limits(change: impl FnOnce(&mut Limits)) -> Limits {
    let mut limits = Limits::default();
    change(&mut limits);
    limits
}

fn intents() -> Vec<Intent> {
    vec![
        Intent::new("pricing")
            .phrases(["how much does it cost", "what are your prices"])
            .keywords(["pricing", "quote"]),
        Intent::new("support").phrases(["I can't log in", "the app is broken"]),
    ]
}

macro_rules! too_large {
    ($($name:ident: $limits:expr, $negatives:expr => $path:expr, $kind:ident;)*) => {$(
        #[test]
        fn $name() {
            let err = IntentModel::builder()
                .limits($limits)
                .intents(intents())
                .negatives($negatives)
                .build()
                .unwrap_err();
            assert_eq!(err.path(), $path, "{err}");
            assert!(matches!(err.kind(), ErrorKind::$kind { .. }), "{err}");
        }
    )*};
}

too_large! {
    intents_count: limits(|l| l.max_intents = 1), Vec::<String>::new() => "intents", TooMany;
    phrases_count: limits(|l| l.max_phrases = 4), vec!["hello there"] => "intents", TooMany;
    keywords_count: limits(|l| l.max_keywords = 1), Vec::<String>::new() => "intents", TooMany;
    phrase_length: limits(|l| l.max_phrase_len = 16), Vec::<String>::new() => "intents[0].phrases[0]", TooLong;
    negative_length: limits(|l| l.max_phrase_len = 30), vec!["a negative example longer than thirty bytes"] => "negatives[0]", TooLong;
    keyword_length: limits(|l| l.max_keyword_len = 6), Vec::<String>::new() => "intents[0].keywords[0]", TooLong;
}

/// Raising `max_intents` does not go past what a model can index: 65,536 intents.
#[test]
fn intents_beyond_what_a_model_indexes_are_refused() {
    let many: Vec<Intent> = (0..=65_536)
        .map(|k| Intent::new(format!("intent_{k}")).keyword(format!("word{k}")))
        .collect();
    let err = IntentModel::builder()
        .limits(limits(|l| {
            l.max_intents = usize::MAX;
            l.max_keywords = usize::MAX;
        }))
        .intents(many)
        .build()
        .unwrap_err();
    assert_eq!(err.path(), "intents", "{err}");
    assert!(matches!(err.kind(), ErrorKind::TooMany { .. }), "{err}");
    assert!(err.to_string().contains("65536"), "{err}");
}

#[test]
fn limits_at_the_boundary_are_accepted() {
    let model = IntentModel::builder()
        .limits(limits(|l| {
            l.max_intents = 2;
            l.max_phrases = 4;
            l.max_keywords = 2;
            l.max_keyword_len = 7;
            l.max_phrase_len = 21;
        }))
        .intents(intents())
        .build();
    assert!(model.is_ok(), "{:?}", model.err());
}

#[test]
fn long_messages_are_cut_and_say_so() {
    let model = IntentModel::builder()
        .limits(limits(|l| l.max_message_len = 64))
        .intents(intents())
        .build()
        .unwrap();
    let short = model.detect("how much does it cost");
    assert!(!short.truncated);
    // Multi-byte chars around the cut: it must land on a char boundary.
    let long = format!("how much does it cost {}", "é€😀".repeat(100));
    let detection = model.detect(&long);
    assert!(detection.truncated);
    assert!(detection.confidence.is_finite());
}

#[test]
fn router_rules_limit_and_cut_messages() {
    let config: RouterConfig = serde_json::from_str(
        r#"{
          "intents": [
            {"id": "pricing", "phrases": ["how much does it cost", "what are your prices"]},
            {"id": "support", "phrases": ["I can't log in", "the app is broken"]}
          ],
          "teams": [{"id": "sales"}],
          "flow": {"rules": [
            {"id": "a", "when": {"intent": {"id": "pricing"}}, "route": {"kind": "handoff", "team": "sales"}},
            {"id": "b", "when": {"button": "talk"}, "route": {"kind": "handoff", "team": "sales"}}
          ]},
          "options": {"limits": {"max_rules": 1}}
        }"#,
    )
    .unwrap();
    let err = Router::from_config(config.clone()).unwrap_err();
    assert_eq!(err.path(), "flow.rules");
    assert!(err.to_string().contains("limit 1"), "{err}");

    let mut builder = Router::builder();
    builder
        .intents(config.intents.clone())
        .flow(Flow::default())
        .teams(config.teams.clone())
        .limits(limits(|l| l.max_message_len = 32));
    let router = builder.build().unwrap();
    let decision = router.decide(&Message::text("x".repeat(10_000)), &Context::default());
    assert!(decision.detection.truncated);
}
