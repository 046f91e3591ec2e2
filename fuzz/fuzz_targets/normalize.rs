//! The normalizer's span mapping: every span lies on char boundaries of the original,
//! each token maps back to text that normalizes to contain it, and normalizing twice
//! changes nothing.
#![no_main]

use handoff::{NormalizeOptions, Normalizer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(original) = std::str::from_utf8(data) else {
        return;
    };
    for fold in [true, false] {
        let normalizer = Normalizer::new(NormalizeOptions::default().fold_accents(fold));
        let normalized = normalizer.normalize(original);
        let again = normalizer.normalize(normalized.as_str());
        assert_eq!(normalized.as_str(), again.as_str(), "not idempotent");
        let text = normalized.as_str();
        for (start, _) in text.char_indices() {
            for end in [start, text.len()] {
                let span = normalized.original_span(start..end);
                assert!(span.start <= span.end && span.end <= original.len());
                assert!(original.is_char_boundary(span.start));
                assert!(original.is_char_boundary(span.end));
            }
        }
        for token in normalized.tokens() {
            let span = normalized.original_span(token.range.clone());
            let typed = normalizer.normalize(&original[span]);
            assert!(
                typed.as_str().contains(token.text(&normalized)),
                "token {:?} not found in {:?}",
                token.text(&normalized),
                typed.as_str()
            );
        }
    }
});
