//! `Router::decide` on the example sales-handoff configuration, over an arbitrary
//! message and context: must never panic, and must decide the same way twice.
#![no_main]

use std::sync::OnceLock;

use handoff::{Context, Message, Router, RouterConfig};
use libfuzzer_sys::fuzz_target;

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let config: RouterConfig =
            serde_json::from_str(include_str!("../../examples/sales_handoff.json"))
                .expect("example configuration parses");
        Router::from_config(config).expect("example configuration builds")
    })
}

fuzz_target!(|data: &[u8]| {
    // Layout: [selector byte][context JSON]\0[message text]. Either part may be junk:
    // junk context JSON falls back to an empty context, junk text is decoded lossily.
    let (selector, rest) = match data.split_first() {
        Some((s, r)) => (*s, r),
        None => (0, &[][..]),
    };
    let (context_bytes, text_bytes) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&[][..], rest),
    };
    let context: Context = serde_json::from_slice(context_bytes).unwrap_or_default();
    let text = String::from_utf8_lossy(text_bytes).into_owned();
    let mut message = match selector % 4 {
        0 => Message::text(text),
        1 => Message::button(text),
        2 => {
            let mut m = Message::text(text.clone());
            m.channel = Some(text);
            m
        }
        _ => serde_json::from_slice(text_bytes).unwrap_or_else(|_| Message::text(text)),
    };
    if selector & 0x80 != 0 {
        message.channel = Some("pricing_page".into());
    }
    let first = router().decide(&message, &context);
    let second = router().decide(&message, &context);
    assert_eq!(format!("{first:?}"), format!("{second:?}"));
    let _ = first.explain();
});
