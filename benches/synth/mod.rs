//! Deterministic synthetic chat data for the scaling study (`benches/scaling.rs`) and the
//! model-size report (`examples/model_size.rs`).
//!
//! Words come from a pseudo-vocabulary of 20,000 syllable words (1,600 of four letters,
//! the rest of six). Each intent owns six topic words; a phrase is eight words: three of
//! its intent's topic words among five filler words drawn with a Zipf-like (log-uniform)
//! law over the whole vocabulary, so a few filler words are very common, as in chat.
//! Keywords are syllable words outside the vocabulary. Everything derives from a fixed
//! seed through splitmix64: the same call gives the same data on every run.

#![allow(dead_code)] // each user takes the parts it needs

use handoff::Intent;

/// Size of the pseudo-vocabulary.
pub const VOCABULARY: usize = 20_000;
/// Words per phrase.
pub const PHRASE_WORDS: usize = 8;
/// Topic words per intent, and how many of them a phrase uses.
const TOPIC_WORDS: usize = 6;
const TOPIC_PER_PHRASE: usize = 3;

const SYLLABLES: [&str; 40] = [
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "da", "fe", "gu", "hi", "jo", "ku",
    "la", "me", "no", "pi", "re", "si", "tu", "va", "wo", "ba", "ce", "di", "fo", "ga", "he", "ji",
    "ko", "lu", "ma", "ni", "pe", "ro", "su", "te",
];

/// The splitmix64 generator: tiny, fast, good enough for synthetic text.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Word number `i`: two syllables below 1,600, three above (unique for i < 65,600).
pub fn word(i: usize) -> String {
    let n = SYLLABLES.len();
    if i < n * n {
        format!("{}{}", SYLLABLES[i % n], SYLLABLES[i / n])
    } else {
        let j = i - n * n;
        format!(
            "{}{}{}",
            SYLLABLES[j % n],
            SYLLABLES[(j / n) % n],
            SYLLABLES[(j / n / n) % n]
        )
    }
}

/// A filler word: log-uniform over the vocabulary, so word 0 is far more common than
/// word 19,999 (roughly Zipf's law).
pub fn filler(rng: &mut Rng) -> String {
    let x = (VOCABULARY as f64).powf(rng.unit()) as usize;
    word(x.saturating_sub(1).min(VOCABULARY - 1))
}

/// The id of intent `i`.
pub fn intent_id(i: usize) -> String {
    format!("intent_{i:04}")
}

/// Keyword `k` (outside the vocabulary, unique).
pub fn keyword(k: usize) -> String {
    word(VOCABULARY + 1_600 + k)
}

/// The topic words of intent `i`: six words of the rarer part of the vocabulary.
pub fn topic_words(i: usize) -> Vec<String> {
    let mut rng = Rng::new(0x7091_C000 ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
    (0..TOPIC_WORDS)
        .map(|_| word(2_000 + rng.below(VOCABULARY - 2_000)))
        .collect()
}

/// A chat-like phrase of intent `i` (or, for `None`, filler only: an off-topic message).
pub fn phrase(rng: &mut Rng, topic: Option<&[String]>) -> String {
    let mut words: Vec<String> = (0..PHRASE_WORDS).map(|_| filler(rng)).collect();
    if let Some(topic) = topic {
        for _ in 0..TOPIC_PER_PHRASE {
            let at = rng.below(PHRASE_WORDS);
            words[at] = topic[rng.below(topic.len())].clone();
        }
    }
    words.join(" ")
}

/// `intents` intents of `phrases` phrases each, and `keywords` keywords spread evenly
/// over them (keyword k belongs to intent k mod intents).
pub fn intents(intents: usize, phrases: usize, keywords: usize) -> Vec<Intent> {
    let mut rng = Rng::new(0x5EED_0001);
    (0..intents)
        .map(|i| {
            let topic = topic_words(i);
            Intent::new(intent_id(i))
                .phrases((0..phrases).map(|_| phrase(&mut rng, Some(&topic))))
                .keywords((i..keywords).step_by(intents).map(keyword))
        })
        .collect()
}

/// Test messages for a model of `intents` intents with `keywords` keywords: three in
/// four about some intent (half of those also name one of its keywords), one in four
/// off-topic. Different random draws from the training phrases.
pub fn messages(count: usize, intents: usize, keywords: usize) -> Vec<String> {
    let mut rng = Rng::new(0x7E57_0002);
    (0..count)
        .map(|m| {
            if m % 4 == 3 {
                return phrase(&mut rng, None);
            }
            let i = rng.below(intents);
            let mut text = phrase(&mut rng, Some(&topic_words(i)));
            if m % 2 == 0 && i < keywords {
                // Intent i owns keywords i, i + intents, i + 2 * intents, ...
                let owned = (keywords - i).div_ceil(intents);
                let k = i + intents * rng.below(owned);
                text.push(' ');
                text.push_str(&keyword(k));
            }
            text
        })
        .collect()
}

/// A message of about `bytes` bytes (at most, and never less than one word): chat
/// phrases about random intents, joined by spaces.
pub fn long_message(bytes: usize, intents: usize) -> String {
    let mut rng = Rng::new(0x1046_0003 ^ bytes as u64);
    let mut text = String::new();
    'outer: loop {
        let i = rng.below(intents);
        let p = phrase(&mut rng, Some(&topic_words(i)));
        for w in p.split(' ') {
            let extra = w.len() + usize::from(!text.is_empty());
            if text.len() + extra > bytes && !text.is_empty() {
                break 'outer;
            }
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(w);
        }
    }
    text
}
