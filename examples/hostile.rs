//! The hostile inputs of `tests/hostile.rs` at full size: per case, what happened (a
//! build error, or a decision), the time per call and the peak memory the call added.
//!
//! ```text
//! cargo run --release --example hostile [-- --full-training]
//! ```
//!
//! `--full-training` builds the router of the "one keyword shared by 1,000 intents"
//! case with all 1,000 intents (slow to train); by default it has 100.
//!
//! Every decision on these inputs should take well under 50 ms at the default limits;
//! the last line says whether they all did (exit 1 otherwise).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use handoff::assign::{Policy, Roster, Team};
use handoff::flow::{Action, Condition, FieldTest, Flow, Route, Rule};
use handoff::{
    Context, Intent, KeywordMatcher, Message, Pending, Router, RouterConfig, TeamConfig, Value,
};

/// Counts live heap bytes and their peak, so each case reports what it added at most.
struct Peak;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        System.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        System.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

/// The budget per decision.
const BUDGET_MS: f64 = 50.0;

struct Report {
    over_budget: Vec<String>,
}

impl Report {
    /// Runs `f` `reps` times; prints the time per call and the peak bytes added.
    fn case<T: 'static>(
        &mut self,
        name: &str,
        is_decision: bool,
        reps: u32,
        mut f: impl FnMut() -> T,
    ) {
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let started = Instant::now();
        let mut outcome = String::new();
        for _ in 0..reps {
            let out = f();
            outcome = describe(&out);
            drop(out);
        }
        let ms = started.elapsed().as_secs_f64() * 1e3 / f64::from(reps);
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        println!(
            "{name:<58} {ms:>9.3} ms {:>9.1} MiB  {outcome}",
            peak as f64 / (1 << 20) as f64
        );
        if is_decision && ms > BUDGET_MS {
            self.over_budget.push(name.to_string());
        }
    }
}

fn describe<T: 'static>(out: &T) -> String {
    let any: &dyn std::any::Any = out;
    if let Some(r) = any.downcast_ref::<Result<Router, handoff::BuildError>>() {
        return match r {
            Ok(_) => "built".into(),
            Err(e) => cut(&format!("error: {e}")),
        };
    }
    if let Some(d) = any.downcast_ref::<handoff::Decision>() {
        return format!(
            "{} (rule {:?}, {} rules traced, {} keyword hits)",
            d.route.kind(),
            d.rule.as_deref().unwrap_or("-"),
            d.trace.rules.len(),
            d.detection.keywords.len()
        );
    }
    if let Some(r) =
        any.downcast_ref::<Result<handoff::assign::CompiledRoster, handoff::BuildError>>()
    {
        return match r {
            Ok(_) => "compiled".into(),
            Err(e) => cut(&format!("error: {e}")),
        };
    }
    if let Some(hits) = any.downcast_ref::<Vec<handoff::KeywordHit>>() {
        return format!("{} hits", hits.len());
    }
    String::new()
}

fn cut(s: &str) -> String {
    match s.char_indices().nth(90) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

fn router(intents: Vec<Intent>, flow: Flow) -> Result<Router, handoff::BuildError> {
    Router::builder()
        .intents(intents)
        .team(TeamConfig::new("sales"))
        .flow(flow)
        .build()
}

fn base_intents() -> Vec<Intent> {
    vec![
        Intent::new("pricing")
            .phrases(["how much does it cost", "what are your prices"])
            .keywords(["demo", "pricing"]),
        Intent::new("support").phrases(["I can't log in", "the app is broken"]),
    ]
}

fn deep_value(depth: usize) -> Value {
    (0..depth).fold(Value::from("x"), |v, _| Value::List(vec![v]))
}

/// Drops a value without recursion.
fn drop_flat(value: Value) {
    let mut stack = vec![value];
    while let Some(mut v) = stack.pop() {
        if let Value::List(items) = &mut v {
            stack.append(items);
        }
    }
}

fn main() {
    let mut r = Report {
        over_budget: Vec::new(),
    };
    println!(
        "{:<58} {:>12} {:>13}  outcome",
        "case", "per call", "peak added"
    );
    depth(&mut r);
    regexes(&mut r);
    keyword_rules(&mut r);
    keyword_matcher(&mut r);
    fallback_chains(&mut r);
    context_abuse(&mut r);
    limits(&mut r);
    if r.over_budget.is_empty() {
        println!("every decision under {BUDGET_MS} ms");
    } else {
        println!("over {BUDGET_MS} ms: {}", r.over_budget.join(", "));
        std::process::exit(1);
    }
}

/// Finding 1: conditions and values nested far beyond the limits.
fn depth(r: &mut Report) {
    for n in [10_000, 20_000, 40_000, 100_000] {
        r.case(&format!("1 build: `all` nested {n} deep"), false, 1, || {
            let deep = (0..n).fold(Condition::keyword("demo"), |c, _| Condition::all([c]));
            let flow = Flow::new().rule(Rule::new("r").when(deep).route(Route::handoff("sales")));
            router(base_intents(), flow)
        });
    }
    r.case("1 read: a JSON condition nested 50,000 deep", false, 1, || {
        let json = format!("{}\"always\"{}", "{\"not\":".repeat(50_000), "}".repeat(50_000));
        let doc = format!(
            r#"{{"intents":[{{"id":"hi","phrases":["hello"]}}],"teams":[],"flow":{{"rules":[{{"id":"r","when":{json}}}]}}}}"#
        );
        Router::from_deserializer(&mut serde_json::Deserializer::from_str(&doc))
    });
    let flow = Flow::new().rule(
        Rule::new("r")
            .when(Condition::User(FieldTest::new("deep").eq(Value::from("x"))))
            .route(Route::handoff("sales"))
            .action(Action::reply("{user.deep}")),
    );
    let router = router(base_intents(), flow).unwrap();
    let mut context = Context::default();
    context.user.insert("deep".into(), deep_value(50_000));
    r.case(
        "1 decide: a user attribute nested 50,000 deep",
        true,
        100,
        || router.decide(&Message::text("a demo please"), &context),
    );
    drop_flat(context.user.remove("deep").unwrap());
}

/// Finding 2: regex conditions.
fn regexes(r: &mut Report) {
    for pattern in ["(?:a{100}){100}b", "a{10000}"] {
        r.case(&format!("2 build: regex {pattern}"), false, 1, || {
            let flow = Flow::new().rule(
                Rule::new("r")
                    .when(Condition::regex(pattern))
                    .route(Route::handoff("sales")),
            );
            router(base_intents(), flow)
        });
    }
    for pattern in ["(?:a{16}){16}b", "a{256}b", r"\w{200}b"] {
        let flow = Flow::new().rule(
            Rule::new("r")
                .when(Condition::regex(pattern))
                .route(Route::handoff("sales")),
        );
        let Ok(router) = router(base_intents(), flow) else {
            println!("2 regex {pattern}: refused");
            continue;
        };
        for kib in [16, 256] {
            let message = Message::text("a".repeat(kib * 1024));
            r.case(
                &format!("2 decide: regex {pattern} on {kib} KiB of 'a'"),
                true,
                10,
                || router.decide(&message, &Context::default()),
            );
        }
    }
}

/// Finding 3: keyword rules times keyword hits.
fn keyword_rules(r: &mut Report) {
    let mut flow = Flow::new();
    for i in 0..10_000 {
        let when = Condition::all([
            Condition::keyword("demo"),
            Condition::User(FieldTest::new("plan").eq(Value::from(format!("p{i}")))),
        ]);
        flow = flow.rule(
            Rule::new(format!("r{i}"))
                .when(when)
                .route(Route::handoff("sales")),
        );
    }
    let router = router(base_intents(), flow).unwrap();
    let message = Message::text("demo ".repeat(16 * 1024 / 5));
    r.case(
        "3 decide: 10,000 keyword rules, 16 KiB of \"demo\"",
        true,
        10,
        || router.decide(&message, &Context::default()),
    );
    // The matcher alone at full size; the router with fewer intents unless asked, as
    // training 1,000 intents is slow (a training-cost matter, not a decision one).
    let pairs: Vec<(String, &str)> = (0..1_000).map(|i| (format!("i{i}"), "demo")).collect();
    let shared = KeywordMatcher::new(pairs.iter().map(|(i, k)| (i.as_str(), *k))).unwrap();
    let text = "demo ".repeat(16 * 1024 / 5);
    r.case(
        "3 find: one keyword shared by 1,000 intents, 16 KiB",
        true,
        10,
        || shared.find(&text),
    );
    let n = if std::env::args().any(|a| a == "--full-training") {
        1_000
    } else {
        100
    };
    let intents: Vec<Intent> = (0..n)
        .map(|i| Intent::new(format!("i{i}")).keyword("demo"))
        .collect();
    match router_keywords_only(intents) {
        Ok(shared) => {
            let name = format!("3 decide: one keyword shared by {n} intents, 16 KiB");
            r.case(&name, true, 10, || {
                shared.decide(&message, &Context::default())
            });
        }
        Err(e) => println!("3 shared keyword: {e}"),
    }
}

fn router_keywords_only(intents: Vec<Intent>) -> Result<Router, handoff::BuildError> {
    let flow = Flow::new().rule(
        Rule::new("r")
            .when(Condition::keyword("demo"))
            .route(Route::handoff("sales")),
    );
    router(intents, flow)
}

/// Finding 5: the keyword matcher.
fn keyword_matcher(r: &mut Report) {
    let matcher = KeywordMatcher::new([("sales", "demo"), ("pricing", "pricing")]).unwrap();
    for kib in [16, 256] {
        let text = "demo pricng ".repeat(kib * 1024 / 12);
        r.case(
            &format!("5 find: \"demo pricng \" x {kib} KiB"),
            true,
            10,
            || matcher.find(&text),
        );
    }
    let mut keywords: Vec<String> = (1..=256).map(|n| "a".repeat(n)).collect();
    keywords.push(".net".into());
    let with_net = KeywordMatcher::new(keywords.iter().map(|k| ("i", k.as_str()))).unwrap();
    for kib in [16, 256] {
        let text = "a".repeat(kib * 1024);
        r.case(
            &format!("5 find: a..a×256 + \".net\" on {kib} KiB of 'a'"),
            true,
            10,
            || with_net.find(&text),
        );
    }
    let intents = vec![
        Intent::new("a")
            .phrases(["aaa bbb"])
            .keywords(keywords.iter().map(String::as_str)),
        Intent::new("b").phrases(["something else"]),
    ];
    let router = router(intents, Flow::new()).unwrap();
    let message = Message::text("a".repeat(16 * 1024));
    r.case(
        "5 decide: a..a×256 + \".net\", 16 KiB of 'a'",
        true,
        10,
        || router.decide(&message, &Context::default()),
    );
}

/// Finding 6: fallback chains.
fn fallback_chains(r: &mut Report) {
    for n in [32, 8_000] {
        let roster = (0..n).fold(Roster::new(), |roster, i| {
            let team = Team::new(format!("t{i}"), Policy::RoundRobin);
            let team = if i + 1 < n {
                team.with_fallback(format!("t{}", i + 1))
            } else {
                team
            };
            roster.with_team(team)
        });
        r.case(&format!("6 compile: {n} chained teams"), false, 1, || {
            roster.compile()
        });
    }
}

/// Finding 7: context abuse.
fn context_abuse(r: &mut Report) {
    let router = router(base_intents(), Flow::new().slots(["plan"])).unwrap();
    let mut context = Context::default();
    context.conversation.pending = Some(Pending {
        slot: "plan".into(),
        options: (0..100_000).map(|i| format!("option {i}")).collect(),
        rule: None,
    });
    r.case(
        "7 decide: a pending question with 100,000 options",
        true,
        10,
        || router.decide(&Message::text("option 5"), &context),
    );
    let flow = Flow::new().rule(
        Rule::new("r")
            .when(Condition::all([
                Condition::User(FieldTest::new("notes").exists(true)),
                Condition::User(FieldTest::new("list").exists(true)),
            ]))
            .route(Route::handoff("sales"))
            .action(Action::reply("{user.notes} {user.list}")),
    );
    let router_attrs = router_with_flow(flow);
    let mut context = Context::default();
    context
        .user
        .insert("notes".into(), Value::from("x".repeat(1 << 20)));
    let list = Value::List((0..1_000_000).map(Value::from).collect());
    context.user.insert("list".into(), list);
    r.case(
        "7 decide: a 1 MiB string and a 1M-item list attribute",
        true,
        10,
        || router_attrs.decide(&Message::text("hello"), &context),
    );
}

fn router_with_flow(flow: Flow) -> Router {
    router(base_intents(), flow).unwrap()
}

/// Finding 9: one truncation for everything; a document raising a limit.
fn limits(r: &mut Report) {
    let flow = Flow::new().rule(
        Rule::new("r")
            .when(Condition::keyword("demo"))
            .route(Route::handoff("sales"))
            .action(Action::reply("{message}")),
    );
    let router = router_with_flow(flow);
    let message = Message::text(format!("demo {}", "a".repeat(16 << 20)));
    r.case(
        "9 decide: a 16 MiB message rendered by {message}",
        true,
        10,
        || router.decide(&message, &Context::default()),
    );
    r.case(
        "9 build: a document raising max_message_len",
        false,
        1,
        || {
            let config: RouterConfig = serde_json::from_str(
                r#"{"intents": [{"id": "hi", "phrases": ["hello"]}], "teams": [], "flow": {},
                "options": {"limits": {"max_message_len": 16777216}}}"#,
            )
            .unwrap();
            Router::from_config(config)
        },
    );
}
