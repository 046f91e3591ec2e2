//! The checks a configuration gets beyond its shape: keyword identity through the
//! keyword matcher's normalizer, slot names against what fills them, and type errors
//! with the path of the offending field.

use handoff::flow::{Condition, Flow, Route, Rule};
use handoff::{Context, ErrorKind, Intent, IntentModel, Message, Router, RouterConfig, TeamConfig};
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "intents": [
            {"id": "pricing", "phrases": ["how much does it cost", "what are your prices"],
             "keywords": ["quote", "Démo"]},
            {"id": "support", "phrases": ["I can't log in", "the app is broken"]}
        ],
        "teams": [{"id": "sales"}, {"id": "support"}],
        "flow": {"rules": [
            {"id": "ask_size", "when": {"intent": {"id": "pricing"}},
             "route": {"kind": "ask", "slot": "company_size", "question": "How many people?"}},
            {"id": "big", "when": {"slot": {"name": "company_size", "gte": 200}},
             "route": {"kind": "handoff", "team": "sales"}},
            {"id": "help", "when": {"intent": {"id": "support"}},
             "route": {"kind": "handoff", "team": "support"}}
        ]}
    })
}

/// Sets the value at a JSON-pointer-like path, creating missing object keys.
fn set(config: &mut Value, at: &str, value: Value) {
    let mut v = config;
    for seg in at.split('/').filter(|s| !s.is_empty()) {
        v = match seg.parse::<usize>() {
            Ok(i) if v.is_array() => &mut v[i],
            _ => &mut v[seg],
        };
    }
    *v = value;
}

fn build(config: Value) -> Result<Router, handoff::BuildError> {
    let text = config.to_string();
    Router::from_deserializer(&mut serde_json::Deserializer::from_str(&text))
}

fn error(config: Value) -> String {
    build(config)
        .expect_err("configuration must be rejected")
        .to_string()
}

#[test]
fn the_base_configuration_builds() {
    build(base()).unwrap();
}

#[test]
fn misspelled_slots_are_errors_with_their_path() {
    let cases: [(&str, Value, &str); 5] = [
        (
            "/flow/rules/1/when",
            json!({"slot": {"name": "compnay_size", "gte": 200}}),
            "flow.rules[1].when.slot.name: unknown slot \"compnay_size\"",
        ),
        (
            "/flow/rules/1/when",
            json!({"all": [{"channel": "web"}, {"answered": "compnay_size"}]}),
            "flow.rules[1].when.all[1].answered: unknown slot \"compnay_size\"",
        ),
        (
            "/flow/rules/1/when",
            json!({"pending": "size"}),
            "flow.rules[1].when.pending: unknown slot \"size\"",
        ),
        (
            "/flow/rules/1/actions",
            json!([{"kind": "reply", "text": "You have {slots.compnay_size|some} people"}]),
            "flow.rules[1].actions[0].text: unknown slot \"compnay_size\"",
        ),
        (
            "/flow/rules/0/route/question",
            json!("Still {slots.seats} seats?"),
            "flow.rules[0].route.question: unknown slot \"seats\"",
        ),
    ];
    for (at, value, want) in cases {
        let mut c = base();
        set(&mut c, at, value);
        assert_eq!(error(c), want, "{at}");
    }
}

#[test]
fn slots_filled_elsewhere_are_declared() {
    // A form or the host fills `plan`: declared, it may be read.
    let mut c = base();
    c["flow"]["rules"][1]["when"] = json!({"slot": {"name": "plan", "eq": "enterprise"}});
    assert_eq!(
        error(c.clone()),
        "flow.rules[1].when.slot.name: unknown slot \"plan\""
    );
    c["flow"]["slots"] = json!(["plan"]);
    build(c.clone()).unwrap();
    c["flow"]["slots"] = json!(["plan", " "]);
    assert_eq!(error(c), "flow.slots[1]: must not be empty");
}

#[test]
fn the_slot_of_the_default_route_counts() {
    let mut c = base();
    c["flow"]["rules"][1]["when"] = json!({"answered": "topic"});
    c["flow"]["default"] = json!({"kind": "ask", "slot": "topic", "question": "What about?"});
    build(c).unwrap();
}

/// A flow keyword and an intent keyword written differently but normalizing alike are
/// one keyword: "demo" names the intent's "Démo".
#[test]
fn keywords_are_the_same_when_they_normalize_alike() {
    let mut c = base();
    c["flow"]["rules"][2] = json!({"id": "demo", "priority": 10,
                                   "when": {"keyword": {"any": "demo"}},
                                   "route": {"kind": "handoff", "team": "sales"}});
    let router = build(c).expect("\"demo\" names the keyword \"Démo\"");
    for text in ["I'd like a demo", "une démo svp", "DEMO please"] {
        let d = router.decide(&Message::text(text), &Context::default());
        assert_eq!(d.rule.as_deref(), Some("demo"), "{text}\n{}", d.explain());
        assert_eq!(d.route.team(), Some("sales"));
    }
    // And the other way round: "DÉMO" in the flow, "Démo" on the intent.
    let mut c = base();
    c["flow"]["rules"][0]["when"] = json!({"keyword": {"any": ["quote", "DÉMO"]}});
    build(c).unwrap();
}

fn model() -> IntentModel {
    IntentModel::builder()
        .intent(
            Intent::new("pricing")
                .phrases(["how much does it cost", "what are your prices"])
                .keywords(["quote", "Démo"]),
        )
        .intent(Intent::new("support").phrases(["I can't log in", "the app is broken"]))
        .build()
        .unwrap()
}

fn with_model(keyword: &str) -> Result<Router, handoff::BuildError> {
    Router::builder()
        .model(model())
        .flow(
            Flow::new().rule(
                Rule::new("kw")
                    .when(Condition::keyword(keyword))
                    .route(Route::handoff("sales")),
            ),
        )
        .team(TeamConfig::new("sales"))
        .build()
}

#[test]
fn keyword_conditions_are_checked_against_a_trained_model() {
    let err = with_model("demmo").expect_err("the model has no keyword \"demmo\"");
    assert_eq!(err.path(), "flow.rules[0].when.keyword.any");
    assert!(matches!(err.kind(), ErrorKind::Unknown { name, .. } if name == "demmo"));
    let router = with_model("demo").expect("\"demo\" names the model's \"Démo\"");
    let d = router.decide(&Message::text("can I book a démo?"), &Context::default());
    assert_eq!(d.rule.as_deref(), Some("kw"), "{}", d.explain());
}

#[test]
fn type_errors_carry_the_path_of_the_field() {
    let mut c = base();
    c["flow"]["rules"][2]["priority"] = json!("high");
    let err = build(c).expect_err("a string is not a priority");
    assert_eq!(err.path(), "flow.rules[2].priority");
    assert!(
        err.to_string()
            .starts_with("flow.rules[2].priority: invalid type: string \"high\""),
        "{err}"
    );

    let cases: [(&str, Value, &str); 4] = [
        ("/teams/1/id", json!(7), "teams[1].id"),
        (
            "/intents/0/phrases",
            json!("one phrase"),
            "intents[0].phrases",
        ),
        ("/flow/hit_policy", json!("all"), "flow.hit_policy"),
        ("/options", json!({"threshold": "0.5"}), "options.threshold"),
    ];
    for (at, value, path) in cases {
        let mut c = base();
        set(&mut c, at, value);
        let err = build(c).expect_err(at);
        assert_eq!(err.path(), path, "{err}");
    }
}

#[test]
fn unknown_fields_and_missing_ones_have_paths_too() {
    let mut c = base();
    c["flow"]["rules"][1]["wen"] = json!("always");
    let err = build(c).unwrap_err();
    assert!(err.path().starts_with("flow.rules[1]"), "{err}");
    assert!(err.to_string().contains("unknown field `wen`"), "{err}");
    let mut c = base();
    c.as_object_mut().unwrap().remove("teams");
    let err = build(c).unwrap_err();
    assert_eq!(err.path(), "", "{err}");
    assert!(err.to_string().contains("missing field `teams`"), "{err}");
}

#[test]
fn from_deserializer_reads_the_same_config_as_serde() {
    let text = base().to_string();
    let direct: RouterConfig = serde_json::from_str(&text).unwrap();
    let read =
        RouterConfig::from_deserializer(&mut serde_json::Deserializer::from_str(&text)).unwrap();
    assert_eq!(read, direct);
}
