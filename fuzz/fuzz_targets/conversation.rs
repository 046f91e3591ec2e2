//! A whole conversation through the starter bot: the input is split into turns (text or
//! button), each decided and applied to the context as a host would. Must never panic,
//! and the context must stay bounded however many turns and however odd the messages.
#![no_main]

use std::sync::OnceLock;

use handoff::{Context, Message, Router};
use libfuzzer_sys::fuzz_target;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let text = include_str!("../../examples/sales_handoff.json");
        Router::from_deserializer(&mut serde_json::Deserializer::from_str(text))
            .expect("example configuration builds")
    })
}

/// Far above what a bounded context holds after any number of turns (tags, slots, the
/// summary's capped lists); a context past it grew with the conversation.
const MAX_CONTEXT_JSON: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let mut context = Context::default();
    // Turns are separated by 0 bytes; a turn starting with 1 is a button click.
    for turn in data.split(|&b| b == 0).take(10_000) {
        let message = match turn.split_first() {
            Some((1, rest)) => Message::button(String::from_utf8_lossy(rest).into_owned()),
            _ => Message::text(String::from_utf8_lossy(turn).into_owned()),
        };
        let decision = router().decide(&message, &context);
        let _ = decision.explain();
        context.apply(&decision.updates);
        let size = serde_json::to_string(&context).map_or(0, |s| s.len());
        assert!(size <= MAX_CONTEXT_JSON, "context grew to {size} bytes");
    }
});
