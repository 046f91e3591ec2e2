//! No input message or context can make `decide` panic, and decisions are consistent.

use std::sync::OnceLock;

use handoff::flow::Route;
use handoff::{Context, Event, LocalTime, Message, Pending, Router, RouterConfig, Value, Weekday};
use proptest::prelude::*;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let config: RouterConfig =
            serde_json::from_str(include_str!("../examples/sales_handoff.json")).unwrap();
        Router::from_config(config).unwrap()
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z ,.!?'-]{0,80}",
        "[0-9 ,.k+-]{0,30}",
        prop::collection::vec(
            prop_oneof![
                Just("demo".to_string()),
                Just("don't".to_string()),
                Just("quote".to_string()),
                Just("\u{301}".to_string()),
                Just("\u{200B}".to_string()),
                Just("ﬁ".to_string()),
                Just("ｑｕｏｔｅ".to_string()),
                Just("10,000".to_string()),
                Just("-".to_string()),
                Just("{user.name}".to_string()),
                any::<char>().prop_map(String::from),
            ],
            0..40
        )
        .prop_map(|v| v.join(" ")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(Value::Number),
        any::<String>().prop_map(Value::String),
        prop::collection::vec(any::<i32>().prop_map(Value::from), 0..3).prop_map(Value::List),
    ]
}

prop_compose! {
    fn context()(
        size in prop::option::of(value()),
        plan in prop::option::of(value()),
        pending in prop::option::of((prop_oneof![Just("company_size".to_string()), Just("wants_human".to_string()), any::<String>()], prop::collection::vec(any::<String>(), 0..3))),
        failed in any::<u32>(),
        tags in prop::collection::vec(any::<String>(), 0..3),
        time in prop::option::of((0..7u8, any::<u16>())),
    ) -> Context {
        let mut c = Context::default();
        if let Some(v) = size { c.user.insert("company_size".into(), v); }
        if let Some(v) = plan { c.user.insert("plan".into(), v); }
        c.conversation.pending = pending.map(|(slot, options)| Pending { slot, options, rule: None });
        c.conversation.failed_turns = failed;
        c.conversation.tags = tags;
        c.local_time = time.map(|(d, minutes)| LocalTime {
            weekday: [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun][d as usize],
            minutes,
        });
        c
    }
}

prop_compose! {
    fn message()(
        text in prop::option::of(text()),
        button in prop::option::of(prop_oneof![Just("book_demo".to_string()), any::<String>()]),
        channel in prop::option::of(prop_oneof![Just("pricing_page".to_string()), any::<String>()]),
    ) -> Message {
        Message {
            text,
            event: button.map(|b| Event { button: Some(b), form: None }),
            channel,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decide_never_panics(message in message(), context in context()) {
        let d = router().decide(&message, &context);
        let _ = d.explain();
        let _ = serde_json::to_string(&d).unwrap();
        prop_assert!(d.confidence().is_finite() && (0.0..=1.0).contains(&d.confidence()));
        if let Route::Handoff { team, .. } = &d.route {
            prop_assert!(team == "sales" || team == "support");
        }
        // A hand-off always carries the assign action; an ask sets the pending question.
        match &d.route {
            Route::Handoff { .. } => prop_assert!(d.actions.iter().any(|a| a.kind() == "assign")),
            Route::Ask { slot, .. } => prop_assert_eq!(d.updates.pending.as_ref().map(|p| p.slot.as_str()), Some(slot.as_str())),
            _ => prop_assert!(d.updates.pending.is_none()),
        }
        // Deterministic.
        prop_assert_eq!(router().decide(&message, &context), d);
    }

    #[test]
    fn messages_and_contexts_round_trip(message in message(), context in context()) {
        let json = serde_json::to_string(&message).unwrap();
        prop_assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), message);
        // JSON cannot hold non-finite numbers and serde_json (without its float_roundtrip
        // feature) may change the last digit of a float: compare contexts whose numbers
        // are exact integers.
        let finite = context
            .user
            .values()
            .all(|v| !matches!(v, Value::Number(n) if !(n.fract() == 0.0 && n.abs() < 9e15)));
        if finite {
            let json = serde_json::to_string(&context).unwrap();
            prop_assert_eq!(serde_json::from_str::<Context>(&json).unwrap(), context);
        }
    }
}

#[test]
fn very_long_and_odd_inputs() {
    let long = "demo ".repeat(200_000);
    for text in [
        long.as_str(),
        "",
        "\u{0}\u{FEFF}\u{200B}",
        "💥".repeat(10_000).as_str(),
        "9".repeat(5_000).as_str(),
        "1,000,000,000,000,000,000,000k",
    ] {
        let mut ctx = Context::default();
        ctx.conversation.pending = Some(Pending {
            slot: "company_size".into(),
            options: vec![],
            rule: None,
        });
        let d = router().decide(&Message::text(text), &ctx);
        let _ = d.explain();
    }
}
