//! How many heap allocations one `IntentModel::detect` and one `Router::decide` make on
//! the example configuration (`examples/sales_handoff.json`), after warm-up, and that
//! cloning a `Router` or an `IntentModel` allocates nothing.
//!
//! A counting global allocator wraps the system allocator. Counts are kept per thread
//! (the test harness runs tests on several threads at once), so each test sees only its
//! own allocations. The bounds sit a little above what was measured: a change that adds
//! allocations to the hot path fails here and must raise them on purpose.
//!
//! Run with `cargo test --test allocations -- --nocapture` to see the counts.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use handoff::{Context, Conversation, Message, Pending, Router, RouterConfig, Value};

/// Counts allocations (and reallocations) made by the current thread.
struct Counting;

thread_local! {
    // `const` initialisation: no lazy init, so using it inside the allocator cannot
    // allocate (and recurse).
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static REALLOCS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn count(allocs: u64, reallocs: u64, bytes: usize) {
    // `try_with`: the allocator is also called while thread-locals are torn down.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + allocs));
    let _ = REALLOCS.try_with(|c| c.set(c.get() + reallocs));
    let _ = BYTES.try_with(|c| c.set(c.get() + bytes as u64));
}

// SAFETY: every method forwards to `System` unchanged; counting touches only
// thread-local `Cell`s, which neither allocate nor unwind.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(1, 0, layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(1, 0, layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(0, 1, new_size.saturating_sub(layout.size()));
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by the current thread: (allocations, reallocations, bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    allocs: u64,
    reallocs: u64,
    bytes: u64,
}

fn snapshot() -> Counts {
    Counts {
        allocs: ALLOCS.with(Cell::get),
        reallocs: REALLOCS.with(Cell::get),
        bytes: BYTES.with(Cell::get),
    }
}

/// Runs `f`, returning its result (dropped outside the count) and what it allocated.
fn measure<T>(f: impl FnOnce() -> T) -> (T, Counts) {
    let before = snapshot();
    let out = f();
    let after = snapshot();
    (
        out,
        Counts {
            allocs: after.allocs - before.allocs,
            reallocs: after.reallocs - before.reallocs,
            bytes: after.bytes - before.bytes,
        },
    )
}

fn router() -> Router {
    let config: RouterConfig =
        serde_json::from_str(include_str!("../examples/sales_handoff.json")).unwrap();
    Router::from_config(config).unwrap()
}

/// The counter sees this thread's allocations: a `Vec` of 3 is one allocation, and
/// growing it is counted as reallocations, not allocations.
#[test]
fn counter_counts_this_thread() {
    let (v, c) = measure(|| {
        let mut v: Vec<u64> = Vec::with_capacity(3);
        v.extend([1, 2, 3]);
        v
    });
    assert_eq!((c.allocs, c.reallocs, c.bytes), (1, 0, 24));
    let (_, c) = measure(|| {
        let mut v = v;
        v.reserve_exact(100);
        v
    });
    assert_eq!((c.allocs, c.reallocs), (0, 1));
    // Another thread's allocations are not ours.
    let (_, c) =
        measure(|| std::thread::scope(|s| s.spawn(|| vec![0u8; 1 << 20]).join().unwrap().len()));
    assert!(c.bytes < 1 << 20, "{c:?}");
}

/// Messages and the bounds on `detect`'s allocations: (text, max allocations).
/// A detection holds its `alternatives` (one `Vec`), `keywords` (one `Vec` when there
/// are hits), `evidence` (one `Vec`, plus one `String` per evidence word, at most three)
/// and the evidence's per-token sums (one temporary `Vec`); a message that declines an
/// intent also owns its `declined` list (one `Vec`, found with one temporary map).
const DETECT: &[(&str, u64)] = &[
    ("I'm interested in pricing", 8),
    ("can i get a qoute for 20 seats", 8),
    ("I don't want a demo, I can't log in", 10),
    ("does it integrate with salesforce?", 7),
    ("hello", 5),
    ("what's the weather like today", 5),
];

#[test]
fn detect_allocations_are_bounded() {
    let router = router();
    let model = router.model();
    for &(text, bound) in DETECT {
        // Warm-up: the thread's scratch buffers grow to this message's size once.
        for _ in 0..3 {
            model.detect(text);
        }
        let (detection, c) = measure(|| model.detect(text));
        let (_, again) = measure(|| model.detect(text));
        println!(
            "detect {text:?}: {} allocations, {} reallocations, {} bytes \
             (alternatives {}, keyword hits {}, evidence {})",
            c.allocs,
            c.reallocs,
            c.bytes,
            detection.alternatives.len(),
            detection.keywords.len(),
            detection.evidence.len()
        );
        assert_eq!(
            c, again,
            "{text:?}: allocations must not vary between calls"
        );
        assert_eq!(
            c.reallocs, 0,
            "{text:?}: warm scratch buffers should not grow"
        );
        assert!(
            c.allocs <= bound,
            "{text:?}: detect made {} allocations, bound {bound}",
            c.allocs
        );
        // The floor: the vectors a detection owns, which cannot be fewer.
        let owned = 1
            + u64::from(!detection.keywords.is_empty())
            + u64::from(!detection.evidence.is_empty())
            + u64::from(!detection.declined.is_empty())
            + detection.evidence.len() as u64;
        assert!(c.allocs >= owned, "{text:?}: {c:?} below {owned}");
    }
}

fn pending(slot: &str, options: &[&str]) -> Context {
    Context {
        conversation: Conversation {
            pending: Some(Pending {
                slot: slot.into(),
                options: options.iter().map(|o| o.to_string()).collect(),
                rule: None,
            }),
            ..Conversation::default()
        },
        ..Context::default()
    }
}

/// Messages, contexts and the bounds on `decide`'s allocations (about 20% above the
/// measured counts). A decision owns its detection (see [`DETECT`]), the rendered
/// route and actions (a `String` per text field, a map per CRM record), the context
/// update (tags to add, the pending question, filled slots, the conversation's summary
/// when it changed: its request text and intent entries), the slot extractors' reading
/// of the text (a normalized copy, the numbers it mentions), the matched rule ids and
/// the trace (a `Vec` of conditions per traced rule; what a condition saw may own a
/// value, a string or a copy of the keyword hits).
fn decide_cases() -> Vec<(&'static str, Message, Context, u64)> {
    let mut user = Context::default();
    user.user.insert("name".into(), Value::from("Ada"));
    user.user
        .insert("email".into(), Value::from("ada@example.com"));
    user.user.insert("company_size".into(), Value::from(120));
    let mut failing = Context::default();
    failing.conversation.failed_turns = 2;
    vec![
        (
            "button (4 actions, CRM fields)",
            Message::button("book_demo").on("pricing_page"),
            user.clone(),
            38,
        ),
        (
            "pricing question (ask)",
            Message::text("I'm interested in pricing"),
            Context::default(),
            31,
        ),
        (
            "pricing, size known (hand-off)",
            Message::text("I'm interested in pricing"),
            user.clone(),
            61,
        ),
        (
            "support request",
            Message::text("the app keeps crashing"),
            user.clone(),
            40,
        ),
        (
            "answer to a pending question",
            Message::text("about 300 people"),
            pending("company_size", &[]),
            88,
        ),
        (
            "off-topic (continue)",
            Message::text("what's the weather like today"),
            Context::default(),
            14,
        ),
        (
            "off-topic, failing (offer a human)",
            Message::text("what's the weather like today"),
            failing,
            34,
        ),
    ]
}

#[test]
fn decide_allocations_are_bounded() {
    let router = router();
    for (name, message, context, bound) in decide_cases() {
        for _ in 0..3 {
            router.decide(&message, &context);
        }
        let (decision, c) = measure(|| router.decide(&message, &context));
        let (_, again) = measure(|| router.decide(&message, &context));
        let strings_in_actions: usize = decision
            .actions
            .iter()
            .map(|a| match a {
                handoff::flow::Action::Crm { fields, .. } => 1 + 2 * fields.len(),
                handoff::flow::Action::Notify { .. } | handoff::flow::Action::Assign { .. } => 2,
                _ => 1,
            })
            .sum();
        println!(
            "decide {name}: {} allocations, {} reallocations, {} bytes \
             (route {}, {} actions ~{strings_in_actions} strings, {} rules traced, \
             {} conditions traced)",
            c.allocs,
            c.reallocs,
            c.bytes,
            decision.route.kind(),
            decision.actions.len(),
            decision.trace.rules.len(),
            decision
                .trace
                .rules
                .iter()
                .map(|r| r.conditions.len())
                .sum::<usize>(),
        );
        assert_eq!(c, again, "{name}: allocations must not vary between calls");
        assert!(
            c.allocs <= bound,
            "{name}: decide made {} allocations, bound {bound}",
            c.allocs
        );
    }
}

/// Clones are reference-count bumps: a million of them allocate nothing.
#[test]
fn clones_do_not_allocate() {
    let router = router();
    let model = router.model().clone();
    let (_, c) = measure(|| {
        for _ in 0..1_000_000 {
            let r = std::hint::black_box(router.clone());
            let m = std::hint::black_box(model.clone());
            drop((r, m));
        }
    });
    assert_eq!(c, Counts::default(), "cloning must not allocate");
    // Nor does the same model under another threshold.
    let (_, c) = measure(|| std::hint::black_box(model.with_threshold(0.9)));
    assert_eq!(c, Counts::default());
}

/// A thread's scratch buffers grow to the longest message it has scored and keep that
/// size: this measures that memory for a message at the default limit, of words the
/// model knows and of words it has never seen, and bounds it at twice the 29 and 16
/// bytes per message byte measured.
#[test]
fn scratch_growth_for_a_maximal_message_is_bounded() {
    let router = router();
    let limit = handoff::Limits::default().max_message_len;
    let known = "can I get a quote for our sales team of 200 people? ".repeat(limit / 50 + 1);
    // Words the model has never seen are scored n-gram by n-gram: the most scratch.
    let unseen: String = (0..limit / 8 + 1)
        .map(|k| format!("zq{}xv{} ", k % 977, k % 31))
        .collect();
    for (name, text) in [("known words", &known), ("unseen words", &unseen)] {
        let (short, long) = std::thread::scope(|s| {
            s.spawn(|| {
                let model = router.model();
                model.detect("hello");
                let (_, short) = measure(|| model.detect("I'm interested in pricing"));
                let (detection, long) = measure(|| model.detect(text));
                assert!(detection.truncated);
                (short, long)
            })
            .join()
            .unwrap()
        });
        println!(
            "first {limit}-byte detect of {name} on a thread: {} allocations, {} \
             reallocations, {} bytes ({:.0} bytes per message byte); a short message: {} \
             bytes",
            long.allocs,
            long.reallocs,
            long.bytes,
            long.bytes as f64 / limit as f64,
            short.bytes
        );
        assert!(
            long.bytes <= 64 * limit as u64,
            "scratch grew by {} bytes for a {limit}-byte message of {name}",
            long.bytes
        );
    }
}
