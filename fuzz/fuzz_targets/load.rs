//! Loading saved models and routers from arbitrary bytes: every input loads or returns
//! a `LoadError`; nothing panics or allocates without bound, and a loaded router decides
//! and saves back to bytes that load to the same bot.
//!
//! The checksum rejects almost every random change, so most inputs are turned into
//! payloads the checksum accepts, to reach the payload's own checks. The first byte
//! picks how the rest is used:
//! - 0: as a whole file, as given;
//! - 1: as edits (position, value pairs, then a cut) to a small saved router, resealed;
//! - 2: as a router payload, sealed;
//! - 3: as a model payload, sealed;
//! - 4: as edits (24-bit positions) to a small saved router with word vectors (its
//!   meaning block is most of its bytes), resealed.
#![no_main]

use std::sync::OnceLock;

use handoff::{Context, IntentModel, Message, Router, RouterConfig};
use libfuzzer_sys::fuzz_target;

const HEADER: usize = 28;

fn saved_router() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| save(r#"{}"#))
}

fn saved_router_with_word_vectors() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| save(r#"{"word_vectors": true}"#))
}

/// The small router with these model options, saved.
fn save(options: &str) -> Vec<u8> {
    let config = r#"{
              "options": OPTIONS,
              "intents": [
                {"id": "pricing", "phrases": ["how much is it", "what are your prices"],
                 "keywords": ["quote", "pricing"]},
                {"id": "support", "phrases": ["I can't log in", "the app crashes"]}
              ],
              "negatives": ["hello there"],
              "teams": [{"id": "sales"}, {"id": "support"}],
              "slots": [{"slot": "company_size", "number": {"cues": ["people"]}}],
              "flow": {"rules": [
                {"id": "quote", "when": {"keyword": {"any": ["quote"]}},
                 "route": {"kind": "handoff", "team": "sales"},
                 "actions": [{"kind": "tag", "tag": "Sales Lead"}]},
                {"id": "help", "when": {"intent": {"id": "support"}},
                 "route": {"kind": "handoff", "team": "support"}}
              ]}
            }"#
    .replace("OPTIONS", options);
    let config: RouterConfig = serde_json::from_str(&config).expect("a valid configuration");
    Router::from_config(config).expect("builds").to_bytes()
}

/// `payload` in a file of `kind` (1 model, 2 router) with a correct length and checksum.
fn sealed(kind: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = saved_router()[..12].to_vec();
    out[10] = kind;
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&xxhash_rust::xxh64::xxh64(payload, 0).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// The saved router `saved` with `edits` (positions of `position_bytes` little-endian
/// bytes, then a value) applied to its payload, resealed.
fn edited(saved: &[u8], position_bytes: usize, edits: &[u8]) -> Vec<u8> {
    let mut payload = saved[HEADER..].to_vec();
    let mut pairs = edits.chunks_exact(position_bytes + 1);
    for pair in &mut pairs {
        let position = pair[..position_bytes]
            .iter()
            .rev()
            .fold(0usize, |p, &b| p << 8 | usize::from(b));
        let len = payload.len();
        payload[position % len] = pair[position_bytes];
    }
    if let [cut, ..] = pairs.remainder() {
        let keep = payload.len() * usize::from(*cut) / 256;
        payload.truncate(keep.max(1));
    }
    sealed(2, &payload)
}

fn exercise_router(bytes: &[u8]) {
    let Ok(router) = Router::from_bytes(bytes) else {
        return;
    };
    for text in [
        "how much is a quote?",
        "I can't log in",
        "we are 200 people",
        "",
    ] {
        let decision = router.decide(&Message::text(text), &Context::default());
        assert_eq!(decision.fingerprint, router.fingerprint());
    }
    let again = Router::from_bytes(&router.to_bytes()).expect("a loaded router saves and loads");
    assert_eq!(again.fingerprint(), router.fingerprint());
}

fn exercise_model(bytes: &[u8]) {
    let Ok(model) = IntentModel::from_bytes(bytes) else {
        return;
    };
    let _ = model.detect("how much is a quote?");
    let again = IntentModel::from_bytes(&model.to_bytes()).expect("a loaded model saves and loads");
    assert_eq!(again.fingerprint(), model.fingerprint());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        let _ = Router::from_bytes(data);
        return;
    };
    match mode % 5 {
        0 => {
            exercise_router(rest);
            exercise_model(rest);
        }
        1 => exercise_router(&edited(saved_router(), 2, rest)),
        2 => exercise_router(&sealed(2, rest)),
        3 => exercise_model(&sealed(1, rest)),
        _ => exercise_router(&edited(saved_router_with_word_vectors(), 3, rest)),
    }
});
