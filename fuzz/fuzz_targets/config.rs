//! Loading a router configuration from arbitrary JSON: parsing and building either
//! succeed or return an error; nothing panics, and a built router decides.
#![no_main]

use handoff::{Context, Message, Router, RouterConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = serde_json::from_slice::<RouterConfig>(data) else {
        return;
    };
    // Keep each run short: huge generated configurations only slow the fuzzer down.
    let phrases: usize = config
        .intents
        .iter()
        .map(|i| i.phrases.len() + i.keywords.len())
        .sum();
    if phrases > 2_000 {
        return;
    }
    if let Ok(router) = Router::from_config(config) {
        let decision = router.decide(&Message::text("how much is a demo?"), &Context::default());
        let _ = decision.explain();
    }
});
