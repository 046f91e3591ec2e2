//! The eval module against the example configuration: scenario files, the scenario
//! runner's failure reports, the scenario format, and the lint on a real intent set.

use std::path::{Path, PathBuf};

use handoff::eval::{lint, run_scenarios, Expect, FindingKind, Scenario, Step};
use handoff::{Router, RouterConfig};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn config() -> RouterConfig {
    let text = std::fs::read_to_string(root().join("examples/sales_handoff.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn router() -> Router {
    Router::from_config(config()).unwrap()
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn shipped_scenarios_pass() {
    let router = router();
    let files = scenario_files();
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // The original four are still shipped, among the starter bot's full suite.
    for original in [
        "feature_question.json",
        "multi_turn_qualification.json",
        "qualified_lead.json",
        "support_request.json",
    ] {
        assert!(names.iter().any(|n| n == original), "{original} missing");
    }
    assert!(names.len() >= 25, "only {} scenarios shipped", names.len());
    let scenarios: Vec<Scenario> = files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect();
    let report = run_scenarios(&scenarios, &router);
    assert_eq!((report.passed, report.failed), (names.len(), 0), "{report}");
    let steps: usize = report.scenarios.iter().map(|s| s.steps.len()).sum();
    assert!(steps > names.len(), "multi-turn scenarios: {steps} steps");
    let n = names.len();
    assert!(report
        .to_string()
        .ends_with(&format!("{n} scenario(s): {n} passed, 0 failed\n")));
}

#[test]
fn failing_steps_report_expected_actual_and_why() {
    let scenario: Scenario = serde_json::from_str(
        r#"{
          "name": "wrong expectations",
          "user": {"company_size": 500},
          "steps": [
            {"say": "does it integrate with salesforce?",
             "expect": {"team": "sales", "intent": null, "tags": ["Sales Lead"],
                        "actions": ["notify"], "rule": "buying_intent"}},
            {"button": "book_demo",
             "expect": {"route": "handoff", "team": "sales", "no_tags": ["Sales Lead"],
                        "no_actions": ["crm"], "intent": "pricng", "asks": "company_size"}},
            {"expect": {}}
          ]
        }"#,
    )
    .unwrap();
    let report = scenario.run(&router());
    assert!(!report.passed);
    let fields = |i: usize| -> Vec<&str> {
        report.steps[i]
            .mismatches
            .iter()
            .map(|m| m.field.as_str())
            .collect()
    };
    assert_eq!(
        fields(0),
        ["route", "team", "intent", "rule", "tags", "actions"]
    );
    let m = &report.steps[0].mismatches;
    assert_eq!(m[0].expected, "handoff");
    assert_eq!(m[0].actual, "continue with bot step product_info");
    assert_eq!(m[1].actual, "(no team)");
    assert_eq!(m[2].expected, "(no intent)");
    assert!(m[2].actual.starts_with("product_inquiry (confidence"));
    assert_eq!(m[3].actual, "product_info");
    assert_eq!(m[4].expected, "has Sales Lead");
    assert_eq!(m[4].actual, "(none)");
    assert_eq!(fields(1), ["asks", "intent", "tags", "actions"], "{report}");
    let m = &report.steps[1].mismatches;
    assert_eq!(m[0].actual, "(no question)");
    assert_eq!(m[1].expected, "pricng (not an intent of this model)");
    assert_eq!(m[2].expected, "lacks Sales Lead");
    assert_eq!(m[3].expected, "excludes crm");
    assert_eq!(fields(2), ["step"]);
    let text = report.to_string();
    assert!(text.starts_with("FAIL wrong expectations\n"), "{text}");
    assert!(text.contains("- expected: has Sales Lead"), "{text}");
    assert!(text.contains("why:"), "{text}");
    assert!(
        text.contains("route: continue with bot step product_info (rule product_info)"),
        "{text}"
    );
}

#[test]
fn state_expectations_pass_when_met_and_each_can_fail() {
    // One conversation: a pricing question, then a size answer that hands off to sales.
    let run = |second: &str| {
        let text = format!(
            r#"{{"name": "state", "steps": [
              {{"say": "how much is the business plan?", "expect": {{"asks": "company_size"}}}},
              {{"say": "about 250 people", "expect": {second}}}]}}"#
        );
        let scenario: Scenario = serde_json::from_str(&text).unwrap();
        scenario.run(&router())
    };
    let met = run(r#"{"team": "sales", "slots": {"company_size": "250"},
        "no_slots": ["email"], "with_team": "sales",
        "summary_contains": ["HOW MUCH IS THE BUSINESS PLAN", "company_size: 250"]}"#);
    assert!(met.passed, "{met}");
    for (expect, field, expected, actual) in [
        (
            r#"{"slots": {"company_size": 200}}"#,
            "slots",
            "company_size = 200",
            "company_size = 250",
        ),
        (
            r#"{"slots": {"email": "a@b.io"}}"#,
            "slots",
            "email = a@b.io",
            "company_size = 250",
        ),
        (
            r#"{"no_slots": ["company_size", "email"]}"#,
            "slots",
            "no company_size",
            "company_size = 250",
        ),
        (
            r#"{"summary_contains": ["120 people", "business plan"]}"#,
            "summary",
            "contains 120 people",
            "request: \"how much is the business plan?\"",
        ),
        (
            r#"{"with_team": "support"}"#,
            "with_team",
            "support",
            "sales",
        ),
        (r#"{"with_team": null}"#, "with_team", "(no team)", "sales"),
    ] {
        let report = run(expect);
        let m = &report.steps[1].mismatches;
        assert_eq!(m.len(), 1, "{expect}: {report}");
        assert_eq!(m[0].field, field, "{expect}");
        assert_eq!(m[0].expected, expected, "{expect}");
        assert!(m[0].actual.starts_with(actual), "{expect}: {}", m[0].actual);
    }
    // Before the hand-off, the conversation is with no team.
    let scenario: Scenario = serde_json::from_str(
        r#"{"name": "none", "steps": [{"say": "hello", "expect": {"with_team": null}}]}"#,
    )
    .unwrap();
    assert!(scenario.run(&router()).passed);
}

#[test]
fn scenario_context_carries_over_between_steps() {
    // The pending question of step 1 makes step 2's number an answer.
    let scenario = Scenario {
        name: "carry".into(),
        steps: vec![
            Step {
                say: Some("can I get a quote?".into()),
                expect: Expect {
                    asks: Some("company_size".into()),
                    ..Expect::default()
                },
                ..Step::default()
            },
            Step {
                say: Some("we are about 50 people".into()),
                expect: Expect {
                    team: Some("sales".into()),
                    rule: Some(Some("qualified".into())),
                    tags: vec!["Sales Lead".into()],
                    no_tags: vec!["Enterprise".into()],
                    ..Expect::default()
                },
                ..Step::default()
            },
        ],
        ..Scenario::default()
    };
    let report = scenario.run(&router());
    assert!(report.passed, "{report}");
}

#[test]
fn scenario_format_round_trips_and_distinguishes_null_from_absent() {
    for path in scenario_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let scenario: Scenario = serde_json::from_str(&text).unwrap();
        let again: Scenario =
            serde_json::from_str(&serde_json::to_string(&scenario).unwrap()).unwrap();
        assert_eq!(scenario, again, "{}", path.display());
    }
    let absent: Expect = serde_json::from_str("{}").unwrap();
    assert_eq!(absent.intent, None);
    let null: Expect = serde_json::from_str(r#"{"intent": null, "rule": null}"#).unwrap();
    assert_eq!(null.intent, Some(None));
    assert_eq!(null.rule, Some(None));
    let back: Expect = serde_json::from_str(&serde_json::to_string(&null).unwrap()).unwrap();
    assert_eq!(back, null);
    let err = serde_json::from_str::<Expect>(r#"{"tem": "sales"}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
}

#[test]
fn example_configuration_lints_clean() {
    let config = config();
    let findings = lint(&config.intents);
    assert!(findings.is_empty(), "{findings:#?}");
    // The same set with a planted problem is caught.
    let mut intents = config.intents.clone();
    // "can someone call me" (sales_contact) also under general.
    let phrase = intents[2].phrases[0].clone();
    intents[4].phrases.push(phrase);
    let findings = lint(&intents);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].kind, FindingKind::DuplicatePhrase);
}
