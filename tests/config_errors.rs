//! Every configuration mistake is a `BuildError` naming the path of the offending item.

use handoff::{ErrorKind, Router, RouterConfig};
use serde_json::{json, Value};

fn base() -> Value {
    json!({
        "intents": [
            {"id": "pricing", "phrases": ["how much does it cost"], "keywords": ["quote", "pricing"]},
            {"id": "support", "phrases": ["I can't log in"]}
        ],
        "teams": [{"id": "sales"}, {"id": "support"}],
        "flow": {"rules": [
            {"id": "a", "when": {"intent": {"id": "pricing"}}, "route": {"kind": "handoff", "team": "sales"}},
            {"id": "b", "when": {"intent": {"id": "support"}}, "route": {"kind": "handoff", "team": "support"}}
        ]}
    })
}

fn build(config: Value) -> Result<Router, handoff::BuildError> {
    let config: RouterConfig = serde_json::from_value(config).expect("valid serde shape");
    Router::from_config(config)
}

macro_rules! errors {
    ($($name:ident: |$c:ident| $edit:block => $want:expr;)*) => {$(
        #[test]
        fn $name() {
            let mut $c = base();
            $edit
            let err = build($c).expect_err("configuration must be rejected");
            let want: &str = $want;
            assert!(
                err.to_string().starts_with(want),
                "got {:?}, want it to start with {want:?}",
                err.to_string()
            );
        }
    )*};
}

errors! {
    unknown_intent: |c| { c["flow"]["rules"][1]["when"] = json!({"intent": {"id": "pricng"}}); }
        => "flow.rules[1].when.intent: unknown intent \"pricng\"";
    unknown_intent_nested: |c| {
        c["flow"]["rules"][0]["when"] = json!({"all": [{"channel": "web"}, {"not": {"intent": {"id": ["pricing", "sales"]}}}]});
    } => "flow.rules[0].when.all[1].not.intent: unknown intent \"sales\"";
    unknown_team: |c| { c["flow"]["rules"][0]["route"]["team"] = json!("sale"); }
        => "flow.rules[0].route.team: unknown team \"sale\"";
    unknown_team_in_default: |c| { c["flow"]["default"] = json!({"kind": "handoff", "team": "billing"}); }
        => "flow.default.team: unknown team \"billing\"";
    unknown_team_in_assign: |c| { c["flow"]["rules"][0]["actions"] = json!([{"kind": "assign", "team": "x", "queue": "q"}]); }
        => "flow.rules[0].actions[0].team: unknown team \"x\"";
    duplicate_rule_id: |c| { c["flow"]["rules"][1]["id"] = json!("a"); }
        => "flow.rules[1].id: duplicate id \"a\"";
    empty_rule_id: |c| { c["flow"]["rules"][1]["id"] = json!(" "); }
        => "flow.rules[1].id: must not be empty";
    invalid_regex: |c| { c["flow"]["rules"][0]["when"] = json!({"regex": "quote("}); }
        => "flow.rules[0].when.regex: invalid pattern:";
    huge_regex: |c| { c["flow"]["rules"][0]["when"] = json!({"regex": "\\w{1000}{1000}"}); }
        => "flow.rules[0].when.regex: invalid pattern:";
    threshold_above_one: |c| { c["options"] = json!({"threshold": 1.5}); }
        => "options.threshold: 1.5 is out of range (expected 0 to 1)";
    threshold_negative: |c| { c["options"] = json!({"threshold": -0.1}); }
        => "options.threshold: -0.1 is out of range";
    min_confidence_out_of_range: |c| { c["flow"]["rules"][0]["when"] = json!({"intent": {"id": "pricing", "min_confidence": 2}}); }
        => "flow.rules[0].when.intent.min_confidence: 2 is out of range (expected 0 to 1)";
    empty_any: |c| { c["flow"]["rules"][0]["when"] = json!({"any": []}); }
        => "flow.rules[0].when.any: must not be empty";
    empty_all_nested: |c| { c["flow"]["rules"][0]["when"] = json!({"any": [{"channel": "web"}, {"all": []}]}); }
        => "flow.rules[0].when.any[1].all: must not be empty";
    unreachable_after_unconditional: |c| { c["flow"]["rules"][0].as_object_mut().unwrap().remove("when"); }
        => "flow.rules[1]: rule can never match: rule \"a\" before it always matches first";
    unreachable_by_priority: |c| {
        c["flow"]["rules"][1]["when"] = json!("always");
        c["flow"]["rules"][1]["priority"] = json!(10);
    } => "flow.rules[0]: rule can never match: rule \"b\" before it always matches first";
    unknown_keyword: |c| { c["flow"]["rules"][0]["when"] = json!({"keyword": {"any": ["quote", "demo"]}}); }
        => "flow.rules[0].when.keyword.any[1]: unknown keyword \"demo\" (not configured on any intent)";
    empty_keyword_list: |c| { c["flow"]["rules"][0]["when"] = json!({"keyword": {"any": []}}); }
        => "flow.rules[0].when.keyword.any: must not be empty";
    unknown_template_variable: |c| { c["flow"]["rules"][0]["actions"] = json!([{"kind": "reply", "text": "Hi {usr.name}"}]); }
        => "flow.rules[0].actions[0].text: unknown template variable \"usr.name\"";
    unclosed_template: |c| { c["flow"]["rules"][0]["actions"] = json!([{"kind": "notify", "channel": "#s", "text": "Lead {user.name"}]); }
        => "flow.rules[0].actions[0].text: unclosed";
    template_in_question: |c| { c["flow"]["rules"][0]["route"] = json!({"kind": "ask", "slot": "size", "question": "How big is {company}?"}); }
        => "flow.rules[0].route.question: unknown template variable \"company\"";
    empty_slot: |c| { c["flow"]["rules"][0]["route"] = json!({"kind": "ask", "slot": "", "question": "How big?"}); }
        => "flow.rules[0].route.slot: must not be empty";
    ask_is_not_an_action: |c| { c["flow"]["rules"][0]["actions"] = json!([{"kind": "ask", "slot": "s", "question": "q"}]); }
        => "flow.rules[0].actions[0]: an ask is a route";
    field_test_without_operator: |c| { c["flow"]["rules"][0]["when"] = json!({"user": {"name": "plan"}}); }
        => "flow.rules[0].when.user: test has no operator";
    empty_one_of: |c| { c["flow"]["rules"][0]["when"] = json!({"slot": {"name": "size", "one_of": []}}); }
        => "flow.rules[0].when.slot.one_of: must not be empty";
    failed_turns_without_operator: |c| { c["flow"]["rules"][0]["when"] = json!({"failed_turns": {}}); }
        => "flow.rules[0].when.failed_turns: test has no operator";
    bad_office_hours: |c| { c["flow"]["rules"][0]["when"] = json!({"office_hours": {"from": "9am", "to": "17:00"}}); }
        => "flow.rules[0].when.office_hours.from: \"9am\" is not a time HH:MM";
    office_hours_minutes: |c| { c["flow"]["rules"][0]["when"] = json!({"office_hours": {"from": "09:00", "to": "17:60"}}); }
        => "flow.rules[0].when.office_hours.to:";
    empty_button: |c| { c["flow"]["rules"][0]["when"] = json!({"button": ["book_demo", ""]}); }
        => "flow.rules[0].when.button[1]: must not be empty";
    duplicate_team: |c| { c["teams"][1]["id"] = json!("sales"); }
        => "teams[1].id: duplicate id \"sales\"";
    empty_team_channel: |c| { c["teams"][0]["channel"] = json!(""); }
        => "teams[0].channel: must not be empty";
    duplicate_intent: |c| { c["intents"][1]["id"] = json!("pricing"); }
        => "intents[1].id: duplicate id \"pricing\"";
    no_intents: |c| { c["intents"] = json!([]); }
        => "intents";
}

#[test]
fn paths_are_exposed_structurally() {
    let mut c = base();
    c["flow"]["rules"][1]["when"] = json!({"intent": {"id": "pricng"}});
    let err = build(c).unwrap_err();
    assert_eq!(err.path(), "flow.rules[1].when.intent");
    assert_eq!(
        err.kind(),
        &ErrorKind::Unknown {
            what: handoff::Item::Intent,
            name: "pricng".into()
        }
    );
}

#[test]
fn base_config_builds_and_collect_allows_unconditional_rules() {
    build(base()).expect("base builds");
    let mut c = base();
    c["flow"]["hit_policy"] = json!("collect");
    c["flow"]["rules"][0]
        .as_object_mut()
        .unwrap()
        .remove("when");
    build(c).expect("collect flows may have unconditional rules anywhere");
}

#[test]
fn shipped_example_builds() {
    let config: RouterConfig =
        serde_json::from_str(include_str!("../examples/sales_handoff.json")).unwrap();
    let json = serde_json::to_string(&config).unwrap();
    let back: RouterConfig = serde_json::from_str(&json).unwrap();
    assert_eq!(back, config);
    Router::from_config(config).unwrap();
}
