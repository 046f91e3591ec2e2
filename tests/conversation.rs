//! Whole conversations: the team a conversation is with (no second hand-off, escalation,
//! `repeat`), slots read from any message, rejected answers, the summary, and the
//! context staying bounded under hostile conversations.

use std::sync::OnceLock;

use handoff::flow::{Action, Condition, Route};
use handoff::{
    Context, Decision, Message, Router, RouterConfig, SlotSource, Summary, Value, WithTeam,
};

const CONFIG: &str = r##"{
  "intents": [
    {"id": "pricing", "phrases": ["how much does it cost", "what is the price", "pricing please",
      "how much is the business plan", "can I get a quote", "what do you charge"]},
    {"id": "support", "phrases": ["the app keeps crashing", "I cannot log in", "it is broken",
      "the export fails", "error when I save", "it crashed again"]},
    {"id": "general", "phrases": ["thanks", "thank you", "ok", "great", "hello", "cool"]}
  ],
  "teams": [{"id": "sales", "channel": "#sales"}, {"id": "support", "channel": "#support"}],
  "slots": [
    {"slot": "company_size", "number": {"cues": ["people", "employees", "seats", "team of"], "min": 1}},
    {"slot": "email", "email": {}},
    {"slot": "timeline", "text": {}}
  ],
  "flow": {
    "rules": [
      {"id": "vip", "priority": 95, "when": {"all": [{"intent": {"id": "pricing"}}, {"tag": "VIP"}]},
       "route": {"kind": "handoff", "team": "sales", "priority": "urgent"}, "repeat": true,
       "actions": [{"kind": "notify", "channel": "#vip", "text": "{summary}"}]},
      {"id": "qualified", "priority": 91, "when": {"answered": "company_size"},
       "route": {"kind": "handoff", "team": "sales"},
       "actions": [{"kind": "tag", "tag": "Sales Lead"},
                   {"kind": "crm", "object": "lead", "fields": {"summary": "{summary}"}}]},
      {"id": "support", "priority": 90, "when": {"intent": {"id": "support"}},
       "route": {"kind": "handoff", "team": "support"},
       "actions": [{"kind": "tag", "tag": "Support"}, {"kind": "notify", "channel": "{team.channel}", "text": "{message}"}]},
      {"id": "ask_size", "priority": 50, "when": {"intent": {"id": "pricing"}},
       "route": {"kind": "ask", "slot": "company_size", "question": "How many people?"}},
      {"id": "pricing", "priority": 40, "when": {"intent": {"id": "pricing"}},
       "route": {"kind": "handoff", "team": "sales"},
       "actions": [{"kind": "tag", "tag": "Sales Lead"},
                   {"kind": "crm", "object": "lead", "fields": {"summary": "{summary}"}}]},
      {"id": "with_sales_small_talk", "priority": 11,
       "when": {"all": [{"intent": {"id": "general"}}, {"with_team": "sales"}]},
       "route": {"kind": "continue", "step": "stay_quiet"}},
      {"id": "small_talk", "priority": 10, "when": {"intent": {"id": "general"}},
       "route": {"kind": "continue", "step": "small_talk"}}
    ],
    "default": {"kind": "continue", "step": "fallback"}
  }
}"##;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let config: RouterConfig = serde_json::from_str(CONFIG).expect("config parses");
        Router::from_config(config).expect("config builds")
    })
}

/// Decides `text` in `context` and applies the update, as a host does.
fn say(context: &mut Context, text: &str) -> Decision {
    let d = router().decide(&Message::text(text), context);
    context.apply(&d.updates);
    d
}

fn kinds(d: &Decision) -> Vec<&'static str> {
    d.actions.iter().map(Action::kind).collect()
}

#[test]
fn a_second_handoff_to_the_same_team_is_held() {
    let mut c = Context::default();
    let first = say(&mut c, "how much does it cost for 300 people");
    assert_eq!(first.route.team(), Some("sales"), "{}", first.explain());
    assert_eq!(c.conversation.with_team, Some(WithTeam::new("sales", 1)));
    assert_eq!(c.conversation.turns, 1);
    let again = say(&mut c, "what is the price");
    assert_eq!(
        again.route,
        Route::Continue { step: None },
        "{}",
        again.explain()
    );
    assert!(again.actions.is_empty(), "{:?}", again.actions);
    assert_eq!(again.rule.as_deref(), Some("pricing"));
    let held = again.trace.held.as_ref().expect("held");
    assert_eq!((held.team.as_str(), held.since_turn), ("sales", 1));
    assert!(again.explain().contains("already with sales since turn 1"));
    // The state stays: still with sales since turn 1, no failed turn for small talk or
    // for what the bot does not understand.
    let thanks = say(&mut c, "thanks");
    assert_eq!(thanks.rule.as_deref(), Some("with_sales_small_talk"));
    say(&mut c, "zzqx blorp");
    say(&mut c, "vvkk qqq");
    assert_eq!(c.conversation.failed_turns, 0);
    assert_eq!(c.conversation.with_team, Some(WithTeam::new("sales", 1)));
    assert_eq!(c.conversation.turns, 5);
}

#[test]
fn escalation_to_another_team_applies_and_repeat_allows_a_second_handoff() {
    let mut c = Context::default();
    say(&mut c, "how much does it cost, we have 40 employees");
    let crash = say(&mut c, "the app keeps crashing");
    assert_eq!(crash.route.team(), Some("support"), "{}", crash.explain());
    assert!(kinds(&crash).contains(&"notify"));
    assert_eq!(c.conversation.with_team, Some(WithTeam::new("support", 2)));
    let again = say(&mut c, "it crashed again");
    assert!(again.trace.held.is_some() && again.actions.is_empty());
    // A rule with "repeat": true hands off again to the team it is with.
    let mut vip = Context::default();
    vip.conversation.tags.push("VIP".into());
    vip.conversation.with_team = Some(WithTeam::new("sales", 1));
    let d = say(&mut vip, "pricing please");
    assert_eq!(d.route.team(), Some("sales"), "{}", d.explain());
    assert!(d.trace.held.is_none());
    assert!(kinds(&d).contains(&"notify"));
}

#[test]
fn hosts_record_the_assigned_agent() {
    let mut c = Context::default();
    assert!(!c.record_assignment("ana"), "no team, nothing recorded");
    let mut d = router().decide(&Message::text("what is the price for 500 seats"), &c);
    assert!(d.updates.record_assignment("ana"));
    c.apply(&d.updates);
    let with = c.conversation.with_team.clone().unwrap();
    assert_eq!(
        (with.team.as_str(), with.agent.as_deref()),
        ("sales", Some("ana"))
    );
    // A later decision that hands off to no one keeps the agent.
    say(&mut c, "thanks");
    assert_eq!(
        c.conversation.with_team.unwrap().agent.as_deref(),
        Some("ana")
    );
}

#[test]
fn with_team_conditions_build_and_name_unknown_teams() {
    let mut config: RouterConfig = serde_json::from_str(CONFIG).unwrap();
    config.flow.rules[5].when = Some(Condition::with_team("sails"));
    let err = Router::from_config(config).unwrap_err();
    assert_eq!(err.path(), "flow.rules[5].when.with_team");
    for (json, with, expect) in [
        (r#"true"#, Some("sales"), true),
        (r#"true"#, None, false),
        (r#"false"#, None, true),
        (r#"["support", "sales"]"#, Some("sales"), true),
        (r#""support""#, Some("sales"), false),
    ] {
        let mut config: RouterConfig = serde_json::from_str(CONFIG).unwrap();
        config.flow.rules[5].when = Some(
            serde_json::from_str(&format!(
                r#"{{"all": [{{"intent": {{"id": "general"}}}}, {{"with_team": {json}}}]}}"#
            ))
            .unwrap(),
        );
        let router = Router::from_config(config).unwrap();
        let mut c = Context::default();
        c.conversation.with_team = with.map(|t| WithTeam::new(t, 1));
        let d = router.decide(&Message::text("thanks"), &c);
        let hit = d.rule.as_deref() == Some("with_sales_small_talk");
        assert_eq!(
            hit,
            expect,
            "with_team {json}, with {with:?}\n{}",
            d.explain()
        );
    }
}

#[test]
fn slots_from_any_message_are_kept_and_never_asked_for_again() {
    let mut c = Context::default();
    let d = say(&mut c, "hi, we're a team of 12, write to Ana@Example.com");
    assert_eq!(c.conversation.slots["company_size"], Value::from(12));
    assert_eq!(
        c.conversation.slots["email"],
        Value::from("ana@example.com")
    );
    assert_eq!(d.updates.set_slots.len(), 2);
    let summary = &c.conversation.summary;
    assert_eq!(
        summary.source("company_size"),
        Some(&SlotSource::Cue("team of".into()))
    );
    assert_eq!(summary.source("email"), Some(&SlotSource::Pattern));
    // Known: the pricing question is not asked, and a new mention does not overwrite.
    let d = say(&mut c, "what is the price for 5000 employees");
    assert_eq!(d.rule.as_deref(), Some("pricing"), "{}", d.explain());
    assert!(d.explain().contains("company_size not yet known"));
    assert_eq!(c.conversation.slots["company_size"], Value::from(12));
    // A text slot is filled only when asked.
    assert!(!c.conversation.slots.contains_key("timeline"));
}

#[test]
fn rejected_answers_stay_pending_and_words_answer() {
    for (answer, filled) in [
        ("-5", None),
        ("1e308", None),
        ("minus 3", None),
        ("two hundred and fifty", Some(250.0)),
        ("a dozen", Some(12.0)),
        ("50-100", Some(75.0)),
    ] {
        let mut c = Context::default();
        let ask = say(&mut c, "how much does it cost");
        assert_eq!(ask.route.kind(), "ask", "{}", ask.explain());
        let d = say(&mut c, answer);
        match filled {
            Some(n) => {
                assert_eq!(d.route.team(), Some("sales"), "{answer}: {}", d.explain());
                assert_eq!(c.conversation.slots["company_size"].as_number(), Some(n));
                assert_eq!(c.conversation.pending, None);
            }
            None => {
                let a = d.trace.answer.as_ref().unwrap();
                assert!(a.rejected.is_some() && a.value.is_none(), "{answer}: {a:?}");
                assert!(d.explain().contains("rejected for company_size"));
                assert!(!c.conversation.slots.contains_key("company_size"));
                let p = c.conversation.pending.as_ref().map(|p| p.slot.as_str());
                assert_eq!(p, Some("company_size"), "{answer}: still pending");
            }
        }
    }
}

#[test]
fn the_summary_keeps_the_request_and_renders_into_the_crm() {
    let mut c = Context::default();
    say(&mut c, "how much is the business plan");
    let d = say(&mut c, "about 120 people");
    let crm = d
        .actions
        .iter()
        .find_map(|a| match a {
            Action::Crm { fields, .. } => Some(fields["summary"].clone()),
            _ => None,
        })
        .expect("a CRM record");
    for part in [
        "request: \"how much is the business plan\"",
        "intents: pricing",
        "company_size: 120 (answer)",
        "handed off to sales by qualified",
        "message: \"about 120 people\"",
    ] {
        assert!(crm.contains(part), "{part:?} not in {crm:?}");
    }
    let s = &c.conversation.summary;
    assert_eq!(s.handoff.as_ref().map(|h| h.turn), Some(2));
    assert_eq!(s.intents[0].intent, "pricing");
}

/// The serialized size of a context: what a host persists.
fn size(c: &Context) -> usize {
    serde_json::to_string(c).unwrap().len()
}

#[test]
fn hostile_conversations_stay_bounded() {
    let mut c = Context::default();
    let huge = format!("how much for {} people ", "9".repeat(8)).repeat(40_000);
    assert!(huge.len() > 1_000_000);
    let numbers: String = (0..10_000).map(|i| format!("{i} seats, ")).collect();
    let timeline = "next quarter ".repeat(100_000);
    for text in [
        huge.as_str(),
        numbers.as_str(),
        "how much?",
        timeline.as_str(),
    ] {
        if text == timeline {
            // A free-text slot asked for takes the message, cut.
            c.conversation.pending = Some(handoff::Pending {
                slot: "timeline".into(),
                options: Vec::new(),
                rule: None,
            });
        }
        let d = say(&mut c, text);
        assert!(
            size(&c) < 8_000,
            "{} bytes after {} bytes",
            size(&c),
            text.len()
        );
        assert!(d.explain().len() < 64_000);
    }
    let kept = c.conversation.slots["timeline"].as_str().unwrap();
    assert!(
        kept.starts_with("next quarter") && kept.len() <= 1_200,
        "{}",
        kept.len()
    );
    // Ten thousand turns, every one filling the summary some more.
    let mut c = Context::default();
    for i in 0..10_000u32 {
        let text = match i % 4 {
            0 => format!("how much for {i} seats? write to u{i}@example.com"),
            1 => "the app keeps crashing".to_string(),
            2 => format!("thanks {}", "x".repeat((i % 300) as usize)),
            _ => format!("{i}"),
        };
        say(&mut c, &text);
    }
    assert_eq!(c.conversation.turns, 10_000);
    assert!(size(&c) < 8_000, "{} bytes after 10,000 turns", size(&c));
    assert!(c.conversation.summary.intents.len() <= handoff::MAX_SUMMARY_INTENTS);
}

#[test]
fn summaries_are_bounded_whatever_is_noted() {
    let mut s = Summary::default();
    let long = "é".repeat(10_000);
    s.note_request(&long);
    s.note_request("not kept: the first request stays");
    for i in 0..1_000 {
        s.note_intent(&format!("intent{i}{long}"), 0.5, i);
        s.note_slot(
            &format!("slot{i}"),
            &Value::from(long.as_str()),
            SlotSource::Cue(long.clone()),
            i,
        );
    }
    let request = s.request.as_deref().unwrap();
    assert!(request.len() <= handoff::MAX_SUMMARY_TEXT + 3);
    assert!(request.starts_with('é'));
    assert_eq!(s.intents.len(), handoff::MAX_SUMMARY_INTENTS);
    assert_eq!(s.slots.len(), handoff::MAX_SUMMARY_SLOTS);
    assert!(s.to_string().len() < 32 * 1024);
    // The best confidence of an intent is kept; a slot noted again is updated in place.
    let mut s = Summary::default();
    s.note_intent("pricing", 0.4, 1);
    s.note_intent("pricing", 0.9, 2);
    s.note_intent("pricing", 0.6, 3);
    assert_eq!((s.intents[0].confidence, s.intents[0].turn), (0.9, 1));
    s.note_slot("size", &Value::from(5), SlotSource::Answer, 1);
    s.note_slot("size", &Value::from(7), SlotSource::Form, 2);
    assert_eq!(s.slots.len(), 1);
    assert_eq!(
        (s.slots[0].value.as_number(), s.slots[0].turn),
        (Some(7.0), 2)
    );
}

mod properties {
    use super::*;
    use handoff::{MAX_SUMMARY_INTENTS, MAX_SUMMARY_SLOTS, MAX_SUMMARY_TEXT};
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            Just("how much does it cost".to_string()),
            Just("the app keeps crashing".to_string()),
            Just("thanks".to_string()),
            "[0-9 ,.k+-]{0,20}",
            "(we are|team of|about) [0-9]{1,6} (people|seats|employees)",
            "[a-z]{1,8}@[a-z]{1,8}\\.io",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever the conversation: turns count every message, the team is the last
        /// hand-off's, a held hand-off carries no actions, and the summary stays within
        /// its bounds.
        #[test]
        fn conversations_keep_their_state_consistent(texts in prop::collection::vec(text(), 1..40)) {
            let mut c = Context::default();
            let mut last_team: Option<String> = None;
            for (i, t) in texts.iter().enumerate() {
                let d = say(&mut c, t);
                if let Some(team) = d.route.team() {
                    last_team = Some(team.to_string());
                }
                if d.trace.held.is_some() {
                    prop_assert!(d.actions.is_empty(), "{}", d.explain());
                    prop_assert_eq!(d.route.kind(), "continue");
                }
                prop_assert_eq!(c.conversation.turns as usize, i + 1);
                prop_assert_eq!(
                    c.conversation.with_team.as_ref().map(|w| w.team.clone()),
                    last_team.clone()
                );
                let s = &c.conversation.summary;
                prop_assert!(s.intents.len() <= MAX_SUMMARY_INTENTS);
                prop_assert!(s.slots.len() <= MAX_SUMMARY_SLOTS);
                prop_assert!(s.request.as_ref().map_or(0, String::len) <= MAX_SUMMARY_TEXT + 3);
            }
        }
    }
}
