//! Hostile configurations, contexts and messages, at sizes that keep `cargo test` fast:
//! each is a clear error or a decision within a stated bound. `examples/hostile.rs` runs
//! the same cases at full size and prints their time and memory.

use std::time::{Duration, Instant};

use handoff::assign::{Roster, Team, MAX_FALLBACK_CHAIN};
use handoff::flow::{Action, Condition, FieldTest, Flow, Route, Rule, Saw};
use handoff::{
    Context, ErrorKind, Intent, KeywordMatcher, Limits, Message, Pending, Router, RouterConfig,
    TeamConfig, Value, MAX_CONDITION_DEPTH, MAX_KEYWORD_OCCURRENCES, MAX_PENDING_OPTIONS,
    MAX_TEMPLATE_VALUE, MAX_TRACE_ITEMS, MAX_TRACE_TEXT, MAX_VALUE_DEPTH,
};
use proptest::prelude::*;

/// A small router: two intents (`pricing` with the keyword "demo"), a sales team and
/// `flow`.
fn router_with(flow: Flow) -> Result<Router, handoff::BuildError> {
    Router::builder()
        .intent(
            Intent::new("pricing")
                .phrases(["how much does it cost", "what are your prices"])
                .keywords(["demo", ".net"]),
        )
        .intent(Intent::new("support").phrases(["I can't log in", "the app is broken"]))
        .team(TeamConfig::new("sales"))
        .flow(flow)
        .build()
}

/// `leaf` wrapped in `depth - 1` levels of `all` / `any` / `not`, in turn.
fn nested(leaf: Condition, depth: usize) -> Condition {
    (1..depth).fold(leaf, |c, level| match level % 4 {
        0 => Condition::all([c]),
        1 => Condition::any([c]),
        2 => Condition::not(c),
        _ => Condition::all([c, Condition::Always]),
    })
}

/// A list nested `depth` deep around a string.
fn deep_value(depth: usize) -> Value {
    (0..depth).fold(Value::from("x"), |v, _| Value::List(vec![v]))
}

/// Drops a value without recursion (a test thread's stack could not drop a very deep
/// one recursively).
fn drop_flat(value: Value) {
    let mut stack = vec![value];
    while let Some(mut v) = stack.pop() {
        if let Value::List(items) = &mut v {
            stack.append(items);
        }
    }
}

fn rule(id: &str, when: Condition) -> Rule {
    Rule::new(id).when(when).route(Route::handoff("sales"))
}

// Finding 1: depth.

#[test]
fn conditions_deeper_than_the_limit_are_a_build_error_with_the_path() {
    let at_limit = nested(Condition::keyword("demo"), MAX_CONDITION_DEPTH);
    assert!(router_with(Flow::new().rule(rule("ok", at_limit))).is_ok());
    let over = Condition::all(
        [Condition::keyword("demo"); 1]
            .map(|c| (1..=MAX_CONDITION_DEPTH).fold(c, |c, _| Condition::all([c]))),
    );
    let err = router_with(Flow::new().rule(rule("deep", over))).unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::TooDeep {
            limit: MAX_CONDITION_DEPTH
        }
    );
    let want = format!(
        "flow.rules[0].when{}",
        ".all[0]".repeat(MAX_CONDITION_DEPTH)
    );
    assert_eq!(err.path(), want);
}

#[test]
fn a_condition_nested_100k_deep_through_the_builder_fails_fast_and_drops_flat() {
    let started = Instant::now();
    let deep = (0..100_000).fold(Condition::keyword("demo"), |c, _| Condition::all([c]));
    let err = router_with(Flow::new().rule(rule("deep", deep))).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::TooDeep { .. }));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn documents_nesting_too_deep_are_refused_when_read() {
    let mut json = String::from(r#"{"id": "pricing"}"#);
    for _ in 0..MAX_CONDITION_DEPTH {
        json = format!(r#"{{"not": {json}}}"#);
    }
    let err = serde_json::from_str::<Condition>(&json).unwrap_err();
    assert!(err.to_string().contains("nested deeper"), "{err}");
    // At the limit: read, and built.
    let mut json = String::from(r#"{"keyword": {"any": "demo"}}"#);
    for _ in 1..MAX_CONDITION_DEPTH {
        json = format!(r#"{{"not": {json}}}"#);
    }
    let at_limit: Condition = serde_json::from_str(&json).unwrap();
    assert!(router_with(Flow::new().rule(rule("r", at_limit))).is_ok());
    let json = format!("{}1{}", "[".repeat(40), "]".repeat(40));
    assert!(serde_json::from_str::<Value>(&json).is_err());
    let json = format!(
        r#"{{"user": {{"a": {}1{}}}}}"#,
        "[".repeat(40),
        "]".repeat(40)
    );
    assert!(serde_json::from_str::<Context>(&json).is_err());
    let ok = format!(
        "{}1{}",
        "[".repeat(MAX_VALUE_DEPTH),
        "]".repeat(MAX_VALUE_DEPTH)
    );
    assert!(serde_json::from_str::<Value>(&ok).is_ok());
    // The depth counter is per reading: a failed reading leaves it at zero.
    assert!(serde_json::from_str::<Condition>(r#"{"not": "always"}"#).is_ok());
}

#[test]
fn a_value_deeper_than_the_limit_in_a_flow_is_a_build_error() {
    let test = FieldTest::new("plan").eq(deep_value(MAX_VALUE_DEPTH + 1));
    let err = router_with(Flow::new().rule(rule("r", Condition::User(test)))).unwrap_err();
    assert_eq!(err.path(), "flow.rules[0].when.user.eq");
    assert!(matches!(err.kind(), ErrorKind::TooDeep { .. }));
}

#[test]
fn a_context_value_50k_deep_is_read_cut_not_recursed() {
    let flow = Flow::new().rule(
        Rule::new("r")
            .when(Condition::User(FieldTest::new("deep").eq(Value::from("x"))))
            .route(Route::handoff("sales"))
            .action(Action::reply("{user.deep}")),
    );
    let router = router_with(flow).unwrap();
    let mut context = Context::default();
    context.user.insert("deep".into(), deep_value(50_000));
    let (kind, explained, mut context) = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let d = router.decide(&Message::text("hello"), &context);
            (d.route.kind(), d.explain(), context)
        })
        .unwrap()
        .join()
        .unwrap();
    drop_flat(context.user.remove("deep").unwrap());
    assert!(!explained.is_empty());
    assert_eq!(kind, "continue");
}

#[test]
fn decides_on_a_256_kib_stack_with_the_deepest_config_and_context() {
    let leaves = [
        Condition::keyword("demo"),
        Condition::User(FieldTest::new("plan").eq(deep_value(MAX_VALUE_DEPTH))),
        Condition::regex("d(?:e|a)mo"),
        Condition::Slot(FieldTest {
            contains: Some(deep_value(MAX_VALUE_DEPTH - 1)),
            ..FieldTest::new("size")
        }),
    ];
    let mut flow = Flow::new().slots(["size"]);
    for (i, leaf) in leaves.into_iter().enumerate() {
        let when = nested(leaf, MAX_CONDITION_DEPTH);
        let rule = Rule::new(format!("r{i}")).when(when).action(Action::reply(
            "{user.plan} {slots.size} {message} {summary}",
        ));
        flow = flow.rule(rule);
    }
    let router = router_with(flow.hit_policy(handoff::flow::HitPolicy::Collect)).unwrap();
    let mut context = Context::default();
    context
        .user
        .insert("plan".into(), deep_value(MAX_VALUE_DEPTH));
    let slot = Value::List(vec![deep_value(MAX_VALUE_DEPTH - 1)]);
    context.conversation.slots.insert("size".into(), slot);
    let d = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let d = router.decide(&Message::text("book a demo please"), &context);
            let _ = d.explain();
            let _ = serde_json::to_string(&d.trace).unwrap();
            d
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(d.trace.rules.len(), 4);
}

// Finding 2 and 9: one truncation policy, regexes within bounds.

#[test]
fn costly_regexes_are_build_errors() {
    for pattern in ["(?:a{100}){100}b", "a{10000}", "\\w{1000}"] {
        let err = router_with(Flow::new().rule(rule("r", Condition::regex(pattern)))).unwrap_err();
        assert_eq!(err.path(), "flow.rules[0].when.regex");
        assert_eq!(err.kind(), &ErrorKind::InvalidPattern, "{pattern}");
    }
}

#[test]
fn everything_reads_the_message_as_cut_for_detection() {
    let flow = Flow::new()
        .rule(rule("tail", Condition::regex("zzz")))
        .rule(
            Rule::new("echo")
                .when(Condition::keyword("demo"))
                .route(Route::handoff("sales"))
                .action(Action::reply("{message}")),
        );
    let router = router_with(flow).unwrap();
    let limit = Limits::default().max_message_len;
    let text = format!("demo {}zzz", "a".repeat(limit));
    let d = router.decide(&Message::text(text), &Context::default());
    assert!(d.detection.truncated);
    assert_eq!(
        d.rule.as_deref(),
        Some("echo"),
        "the regex must not see the cut tail"
    );
    let reply = d.actions.iter().find_map(|a| match a {
        Action::Reply { text } => Some(text.len()),
        _ => None,
    });
    assert_eq!(reply, Some(limit));
}

#[test]
fn a_regex_at_the_bounds_stays_fast_on_a_long_message() {
    let flow = Flow::new().rule(rule("r", Condition::regex("(?:a{16}){16}b")));
    let router = router_with(flow).unwrap();
    let message = Message::text("a".repeat(256 * 1024));
    let started = Instant::now();
    let d = router.decide(&message, &Context::default());
    assert_eq!(d.route.kind(), "continue");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

// Finding 3: keyword hits and candidate rules.

#[test]
fn keyword_rules_times_hits_are_deduplicated_and_traces_capped() {
    let mut flow = Flow::new();
    for i in 0..500 {
        let when = Condition::all([
            Condition::keyword("demo"),
            Condition::User(FieldTest::new("plan").eq(Value::from(format!("p{i}")))),
        ]);
        flow = flow.rule(rule(&format!("r{i}"), when));
    }
    let router = router_with(flow).unwrap();
    let message = Message::text("demo ".repeat(2_000));
    let d = router.decide(&message, &Context::default());
    // Each rule is a candidate once, however many hits name its keyword.
    assert_eq!(d.trace.rules.len(), 500);
    let demo_hits = d
        .detection
        .keywords
        .iter()
        .filter(|h| &*h.keyword == "demo");
    assert_eq!(demo_hits.count(), MAX_KEYWORD_OCCURRENCES);
    for r in &d.trace.rules {
        for c in &r.conditions {
            if let Saw::Keywords { hits, more } = &c.saw {
                assert_eq!(hits.len(), MAX_TRACE_ITEMS);
                assert_eq!(hits.len() + more, MAX_KEYWORD_OCCURRENCES);
            }
        }
    }
}

#[test]
fn a_keyword_shared_by_many_intents_reports_bounded_hits() {
    let pairs: Vec<(String, &str)> = (0..200).map(|i| (format!("i{i}"), "demo")).collect();
    let matcher = KeywordMatcher::new(pairs.iter().map(|(i, k)| (i.as_str(), *k))).unwrap();
    let hits = matcher.find(&"demo ".repeat(3_000));
    assert_eq!(hits.len(), 200 * MAX_KEYWORD_OCCURRENCES);
    assert!(hits.windows(2).all(|w| w[0].span.start <= w[1].span.start));
}

// Finding 5: the keyword matcher.

#[test]
fn a_non_word_start_keyword_does_not_make_long_words_quadratic() {
    let mut keywords: Vec<String> = (1..=256).map(|n| "a".repeat(n)).collect();
    keywords.push(".net".into());
    let matcher = KeywordMatcher::new(keywords.iter().map(|k| ("i", k.as_str()))).unwrap();
    let started = Instant::now();
    assert!(matcher.find(&"a".repeat(64 * 1024)).is_empty());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A non-word-start keyword still matches inside a word.
    let hits = matcher.find("we use asp.net daily");
    assert!(hits.iter().any(|h| &*h.keyword == ".net"));
}

fn spans(matcher: &KeywordMatcher, text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    matcher
        .find(text)
        .into_iter()
        .map(|h| (h.keyword.to_string(), h.span))
        .collect()
}

proptest! {
    /// Where the search resumes must not change what it finds: a non-word-start keyword
    /// that never occurs (it turns on the per-position search) leaves every hit as it
    /// is, and hits come out ordered by position.
    #[test]
    fn skipping_impossible_starts_finds_the_same_hits(text in "[ab .-]{0,60}") {
        let words = ["a", "ab", "aba", "b a", "a-b", "-a", ".b"];
        let base = KeywordMatcher::new(words.iter().map(|k| ("i", *k))).unwrap();
        let with = KeywordMatcher::new(
            words.iter().copied().chain(["#q"]).map(|k| ("i", k)),
        )
        .unwrap();
        let found = spans(&base, &text);
        prop_assert_eq!(&found, &spans(&with, &text));
        prop_assert!(found.windows(2).all(|w| w[0].1.start <= w[1].1.start));
    }
}

// Finding 6: fallback chains.

#[test]
fn long_fallback_chains_are_refused_fast() {
    let roster = |n: usize| {
        (0..n).fold(Roster::new(), |r, i| {
            let team = Team::new(format!("t{i}"), handoff::assign::Policy::RoundRobin);
            let team = if i + 1 < n {
                team.with_fallback(format!("t{}", i + 1))
            } else {
                team
            };
            r.with_team(team)
        })
    };
    assert!(roster(MAX_FALLBACK_CHAIN).compile().is_ok());
    let err = roster(MAX_FALLBACK_CHAIN + 1).compile().unwrap_err();
    assert_eq!(err.path(), "teams[0].fallback");
    let started = Instant::now();
    assert!(roster(8_000).compile().is_err());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // A cycle is still named from the first team on.
    let cycle = Roster::new()
        .with_team(Team::new("a", handoff::assign::Policy::RoundRobin).with_fallback("b"))
        .with_team(Team::new("b", handoff::assign::Policy::RoundRobin).with_fallback("a"));
    let err = cycle.compile().unwrap_err();
    assert_eq!(
        err.to_string(),
        "teams[0].fallback: fallback cycle \"a\" -> \"b\" -> \"a\""
    );
}

// Finding 7: context abuse.

fn pending(options: Vec<String>) -> Context {
    let mut context = Context::default();
    context.conversation.pending = Some(Pending {
        slot: "plan".into(),
        options,
        rule: None,
    });
    context
}

#[test]
fn a_pending_question_reads_a_bounded_number_of_options() {
    let flow = Flow::new().slots(["plan"]);
    let router = router_with(flow).unwrap();
    // Options without digits (numeric options would read any number as the answer).
    let letters = |mut i: usize| {
        let mut s = String::from("plan ");
        loop {
            s.push(char::from(b'a' + (i % 26) as u8));
            i /= 26;
            if i == 0 {
                return s;
            }
        }
    };
    let options: Vec<String> = (0..100_000).map(letters).collect();
    let last = options[99_999].clone();
    let first = options[1].clone();
    let d = router.decide(&Message::text(last), &pending(options.clone()));
    assert!(!d.updates.set_slots.contains_key("plan"), "beyond the cap");
    let d = router.decide(&Message::text(first.clone()), &pending(options));
    assert_eq!(d.updates.set_slots.get("plan"), Some(&Value::from(first)));
    let options = vec!["basic".to_string(), " ".to_string(), "pro".to_string()];
    let d = router.decide(&Message::text("2"), &pending(options.clone()));
    assert_eq!(
        d.updates.set_slots.get("plan"),
        None,
        "a blank option is never chosen"
    );
    let d = router.decide(&Message::text("3"), &pending(options));
    assert_eq!(d.updates.set_slots.get("plan"), Some(&Value::from("pro")));
}

#[test]
fn ask_routes_with_too_many_or_blank_options_are_build_errors() {
    let ask = |options: Vec<String>| {
        let route = Route::Ask {
            question: "Which plan?".into(),
            slot: "plan".into(),
            options,
        };
        router_with(Flow::new().rule(Rule::new("r").route(route)))
    };
    let many = (0..=MAX_PENDING_OPTIONS).map(|i| i.to_string()).collect();
    let err = ask(many).unwrap_err();
    assert_eq!(err.path(), "flow.rules[0].route.options");
    let err = ask(vec!["a".into(), "  ".into()]).unwrap_err();
    assert_eq!(err.path(), "flow.rules[0].route.options[1]");
}

#[test]
fn huge_attributes_are_capped_in_traces_and_templates() {
    let flow = Flow::new().rule(
        Rule::new("r")
            .when(Condition::all([
                Condition::User(FieldTest::new("notes").exists(true)),
                Condition::User(FieldTest::new("list").exists(true)),
                Condition::tag("vip"),
            ]))
            .route(Route::handoff("sales"))
            .action(Action::reply("{user.notes}|{tags}")),
    );
    let router = router_with(flow).unwrap();
    let mut context = Context::default();
    context
        .user
        .insert("notes".into(), Value::from("x".repeat(1 << 20)));
    let list = Value::List((0..100_000).map(Value::from).collect());
    context.user.insert("list".into(), list);
    context.conversation.tags = (0..10_000)
        .map(|i| format!("t{i}"))
        .chain(["vip".into()])
        .collect();
    let d = router.decide(&Message::text("hello"), &context);
    assert_eq!(d.rule.as_deref(), Some("r"));
    for c in &d.trace.rules[0].conditions {
        match &c.saw {
            Saw::Value(Value::String(s)) => assert!(s.len() <= MAX_TRACE_TEXT + 3),
            Saw::Value(Value::List(items)) => assert!(items.len() <= MAX_TRACE_ITEMS + 1),
            _ => {}
        }
    }
    let reply = d.actions.iter().find_map(|a| match a {
        Action::Reply { text } => Some(text.len()),
        _ => None,
    });
    assert!(reply.unwrap() <= 2 * (MAX_TEMPLATE_VALUE + 64));
}

// Finding 9: who may change the limits; ids.

fn document(options: &str) -> RouterConfig {
    serde_json::from_str(&format!(
        r#"{{"intents": [{{"id": "hi", "phrases": ["hello there"]}}], "teams": [], "flow": {{}},
            "options": {{"limits": {options}}}}}"#
    ))
    .unwrap()
}

#[test]
fn a_document_may_lower_limits_but_not_raise_them_above_the_ceiling() {
    assert!(Router::from_config(document(r#"{"max_rules": 10}"#)).is_ok());
    let err = Router::from_config(document(r#"{"max_rules": 1000000}"#)).unwrap_err();
    assert_eq!(err.path(), "options.limits.max_rules");
    assert!(matches!(err.kind(), ErrorKind::AboveCeiling { .. }));
    let mut ceiling = Limits::default();
    ceiling.max_rules = 1_000_000;
    let built = Router::builder()
        .ceiling(ceiling)
        .config(document(r#"{"max_rules": 1000000}"#))
        .build();
    assert!(built.is_ok());
    // The host's own setting is trusted.
    let mut mine = Limits::default();
    mine.max_message_len = 1 << 20;
    let built = Router::builder()
        .config(document("{}"))
        .limits(mine)
        .build();
    assert!(built.is_ok());
}

#[test]
fn ids_with_spaces_around_them_are_refused_with_the_path() {
    let err = Router::builder()
        .intent(Intent::new(" pricing ").phrase("how much"))
        .build()
        .unwrap_err();
    assert_eq!(err.path(), "intents[0].id");
    assert!(matches!(err.kind(), ErrorKind::Untrimmed { .. }));
    let err = Router::builder()
        .intent(Intent::new("pricing").phrase("how much"))
        .team(TeamConfig::new("sales "))
        .build()
        .unwrap_err();
    assert_eq!(err.path(), "teams[0].id");
}

#[test]
fn the_summary_renders_a_bounded_number_of_slots() {
    let flow = Flow::new().slots(["s"]).rule(
        Rule::new("r")
            .when(Condition::keyword("demo"))
            .route(Route::handoff("sales"))
            .action(Action::reply("{summary}")),
    );
    let router = router_with(flow).unwrap();
    let mut context = Context::default();
    for i in 0..10_000 {
        context
            .conversation
            .slots
            .insert(format!("s{i}"), Value::from(i));
    }
    let d = router.decide(&Message::text("a demo"), &context);
    let summary = d.actions.iter().find_map(|a| match a {
        Action::Reply { text } => Some(text.clone()),
        _ => None,
    });
    let summary = summary.unwrap();
    assert!(summary.contains("; 9984 more slots"), "{summary}");
    assert!(summary.len() < 4096);
}
