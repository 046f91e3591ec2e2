//! An arbitrary JSON context (and message) through the starter bot: the input is
//! `[context JSON]\0[message JSON or text]`. Reading the context either fails cleanly
//! or gives one whose lists nest within the limit; deciding on it never panics, is
//! deterministic, and its trace and actions stay bounded however big the context.
#![no_main]

use std::sync::OnceLock;

use handoff::flow::{Action, Saw};
use handoff::{Context, Message, Router, MAX_TEMPLATE_VALUE, MAX_TRACE_ITEMS, MAX_TRACE_TEXT};
use libfuzzer_sys::fuzz_target;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let text = include_str!("../../examples/sales_handoff.json");
        Router::from_deserializer(&mut serde_json::Deserializer::from_str(text))
            .expect("example configuration builds")
    })
}

fuzz_target!(|data: &[u8]| {
    let (context_bytes, message_bytes) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(context) = serde_json::from_slice::<Context>(context_bytes) else {
        return;
    };
    let message = serde_json::from_slice::<Message>(message_bytes)
        .unwrap_or_else(|_| Message::text(String::from_utf8_lossy(message_bytes).into_owned()));
    let decision = router().decide(&message, &context);
    let again = router().decide(&message, &context);
    assert_eq!(
        decision.route, again.route,
        "decisions must be deterministic"
    );
    let _ = decision.explain();
    for rule in &decision.trace.rules {
        for c in &rule.conditions {
            match &c.saw {
                Saw::Text(t) => assert!(t.len() <= MAX_TRACE_TEXT + 3),
                Saw::Keywords { hits, .. } => assert!(hits.len() <= MAX_TRACE_ITEMS),
                _ => {}
            }
        }
    }
    for action in &decision.actions {
        if let Action::Reply { text } = action {
            // A few variables per template, each capped (the message by its own limit).
            assert!(text.len() <= 16 * (MAX_TEMPLATE_VALUE + 64) + 16 * 1024);
        }
    }
    let mut applied = context;
    applied.apply(&decision.updates);
});
