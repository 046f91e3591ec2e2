//! The sales-handoff configuration routes messages as a sales team would want.

use std::sync::OnceLock;

use handoff::flow::Route;
use handoff::{
    Context, Decision, Event, Form, LocalTime, Message, Pending, Router, RouterConfig, Value,
    Weekday,
};

const CONFIG: &str = include_str!("../examples/sales_handoff.json");

fn router() -> &'static Router {
    static ROUTER: OnceLock<Router> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let config: RouterConfig = serde_json::from_str(CONFIG).expect("config parses");
        Router::from_config(config).expect("config builds")
    })
}

/// `handoff:TEAM:PRIORITY`, `ask:SLOT` or `continue:STEP`.
fn key(route: &Route) -> String {
    match route {
        Route::Handoff { team, priority } => {
            format!("handoff:{team}:{}", format!("{priority:?}").to_lowercase())
        }
        Route::Ask { slot, .. } => format!("ask:{slot}"),
        Route::Continue { step } => format!("continue:{}", step.as_deref().unwrap_or("")),
        other => format!("{other:?}"),
    }
}

fn user(attrs: &[(&str, Value)]) -> Context {
    let mut c = Context::default();
    for (k, v) in attrs {
        c.user.insert(k.to_string(), v.clone());
    }
    c
}

fn pending(slot: &str, options: &[&str]) -> Context {
    let mut c = Context::default();
    c.conversation.pending = Some(Pending {
        slot: slot.into(),
        options: options.iter().map(|s| s.to_string()).collect(),
        rule: None,
    });
    c
}

fn check(message: &Message, context: &Context, want: &str) -> Decision {
    let d = router().decide(message, context);
    assert_eq!(
        key(&d.route),
        want,
        "message {message:?}\ncontext {context:?}\n{}",
        d.explain()
    );
    d
}

macro_rules! routes {
    ($context:expr; $($text:expr => $want:expr),* $(,)?) => {{
        let context = $context;
        let mut n = 0usize;
        $(
            check(&Message::text($text), &context, $want);
            n += 1;
        )*
        n
    }};
}

const ASK_SIZE: &str = "ask:company_size";
const SALES: &str = "handoff:sales:normal";
const SALES_HIGH: &str = "handoff:sales:high";
const SUPPORT: &str = "handoff:support:normal";
const PRODUCT: &str = "continue:product_info";
const TALK: &str = "continue:small_talk";
const FALLBACK: &str = "continue:fallback";

#[test]
fn message_table() {
    let mut n = 0;
    // Unknown company size: qualify first.
    n += routes! { Context::default();
        // buying intent
        "I'm interested in pricing" => ASK_SIZE,
        "can I get a quote?" => ASK_SIZE,
        "I'm ready to upgrade" => ASK_SIZE,
        "How much does it cost?" => ASK_SIZE,
        // The size said with a cue ("seats") is read: no question.
        "what are your prices for 50 seats" => SALES,
        "Do you offer volume discounts?" => ASK_SIZE,
        "we are ready to purchase" => ASK_SIZE,
        "send me a price list please" => ASK_SIZE,
        "how much is the enterprise plan" => ASK_SIZE,
        "Quote for 30 users please" => SALES,
        // explicit requests for a person
        "can someone call me?" => ASK_SIZE,
        "I'd like to talk to a rep" => ASK_SIZE,
        "I want to speak with sales" => ASK_SIZE,
        "put me in touch with your sales team" => ASK_SIZE,
        "can I book a demo?" => ASK_SIZE,
        "I'd like a sales call" => ASK_SIZE,
        "could we schedule a demo next week" => ASK_SIZE,
        // typos
        "can i get a qoute" => ASK_SIZE,
        "whats the pricng for teams" => ASK_SIZE,
        // a four-letter keyword with a typo that is not an English word
        "I want a deemo" => ASK_SIZE,
        "can i book a dmeo" => ASK_SIZE,
        // accents, width, typographic quotes, shouting
        "I\u{2019}m interested in pricing" => ASK_SIZE,
        "PRICING??" => ASK_SIZE,
        "Ｉ need a ｑｕｏｔｅ" => ASK_SIZE,
        "Can I get a quoté for my café?" => ASK_SIZE,
        "Démo please" => ASK_SIZE,
        // negated triggers
        "I don't want a demo, I can't log in" => SUPPORT,
        "no demo needed, my password reset is broken" => SUPPORT,
        // support
        "I can't log in" => SUPPORT,
        "my account is locked" => SUPPORT,
        "I was charged twice" => SUPPORT,
        "the app keeps crashing" => SUPPORT,
        "I found a bug in the export" => SUPPORT,
        "the password reset email never arrives" => SUPPORT,
        "error 500 when I open the dashboard" => SUPPORT,
        "I want a refund" => SUPPORT,
        "notifications are not working" => SUPPORT,
        // product questions: information, no escalation
        "does it integrate with salesforce?" => PRODUCT,
        "do you support SSO?" => ASK_SIZE, // enterprise need: a lead
        "is there an API?" => PRODUCT,
        "what features do you have" => PRODUCT,
        "is there a mobile app" => PRODUCT,
        "can I export my data?" => PRODUCT,
        // chit-chat
        "hello" => TALK,
        "hi there" => TALK,
        "thanks!" => TALK,
        "who are you?" => TALK,
        "are you a bot?" => TALK,
        "good morning" => TALK,
        "are you hiring?" => TALK,
        // out of scope
        "what's the weather like today" => FALLBACK,
        "tell me a joke" => FALLBACK,
        "" => FALLBACK,
        "???" => FALLBACK,
    };
    // Known company size: hand off straight away.
    n += routes! { user(&[("company_size", Value::from(500))]);
        "I'm interested in pricing" => SALES_HIGH,
        "can someone call me?" => SALES_HIGH,
        "can i get a qoute" => SALES_HIGH,
        "I can't log in" => SUPPORT,
        "does it integrate with salesforce?" => PRODUCT,
    };
    n += routes! { user(&[("company_size", Value::from("12"))]);
        "I'm interested in pricing" => SALES,
        "I'd like a sales call" => SALES,
    };
    // Answers to the pending company-size question.
    n += routes! { pending("company_size", &[]);
        "about 200 people" => SALES_HIGH,
        "10k" => SALES_HIGH,
        "1,000" => SALES_HIGH,
        "50-100" => SALES,
        // A bare number answers the question; it must not read as a support request.
        "50" => SALES,
        "just me" => SALES,
        "no idea, sorry" => SALES,
        "actually I can't log in" => SUPPORT,
    };
    // After failed turns, offer a human; accepting hands off.
    let mut failing = Context::default();
    failing.conversation.failed_turns = 2;
    n += routes! { failing;
        "tell me a joke" => "ask:wants_human",
        "hello" => TALK,
    };
    n += routes! { pending("wants_human", &["Yes, please", "No, thanks"]);
        "yes please" => SUPPORT,
        "no thanks" => "continue:resume",
    };
    assert!(n >= 60, "only {n} cases");
}

#[test]
fn buttons_and_channels() {
    let ctx = user(&[
        ("name", Value::from("Ada")),
        ("email", Value::from("ada@example.com")),
    ]);
    for button in ["book_demo", "talk_to_sales"] {
        let d = check(&Message::button(button), &ctx, SALES_HIGH);
        assert_eq!(d.rule.as_deref(), Some("cta_button"));
        assert_eq!(d.updates.add_tags, ["Sales Lead"]);
    }
    check(&Message::button("unknown"), &ctx, FALLBACK);
    check(
        &Message::text("does it integrate with salesforce?").on("pricing_page"),
        &ctx,
        "continue:product_info_with_demo_offer",
    );
    check(
        &Message::text("does it integrate with salesforce?").on("docs"),
        &ctx,
        PRODUCT,
    );
}

#[test]
fn handoff_actions_are_rendered() {
    let mut ctx = user(&[
        ("name", Value::from("Ada")),
        ("email", Value::from("ada@example.com")),
    ]);
    ctx.conversation.id = Some("c-42".into());
    let d = check(
        &Message::button("book_demo").on("linkedin"),
        &ctx,
        SALES_HIGH,
    );
    let rendered: Vec<String> = d.actions.iter().map(ToString::to_string).collect();
    let all = rendered.join("\n");
    assert!(
        all.contains("reply \"Thanks Ada! I'm connecting you with a sales specialist now."),
        "{all}"
    );
    assert!(all.contains("notify #sales-leads: \"New sales lead from the linkedin widget: Ada (ada@example.com), company size unknown. Conversation: https://app.example.com/conversations/c-42\""), "{all}");
    assert!(
        all.contains("assign to sales queue \"sales-inbound\" (High)"),
        "{all}"
    );
    let crm = d
        .actions
        .iter()
        .find_map(|a| match a {
            handoff::flow::Action::Crm { object, fields } => Some((object, fields)),
            _ => None,
        })
        .expect("crm action");
    assert_eq!(crm.0, "lead");
    assert_eq!(crm.1["email"], "ada@example.com");
    assert_eq!(crm.1["source"], "linkedin");
    assert!(
        crm.1["summary"].contains("button: book_demo"),
        "{}",
        crm.1["summary"]
    );
    // No template braces survive rendering.
    assert!(!all.contains('{') && !all.contains('}'), "{all}");
}

#[test]
fn multi_turn_qualification() {
    let mut ctx = user(&[("name", Value::from("Grace"))]);
    ctx.conversation.id = Some("c-7".into());
    let first = check(&Message::text("I'm interested in pricing"), &ctx, ASK_SIZE);
    assert!(
        matches!(&first.route, Route::Ask { question, .. } if question.contains("company size"))
    );
    assert_eq!(
        first.updates.pending.as_ref().map(|p| p.slot.as_str()),
        Some("company_size")
    );
    ctx.apply(&first.updates);

    let second = check(&Message::text("about 200 people"), &ctx, SALES_HIGH);
    assert_eq!(second.rule.as_deref(), Some("qualified_enterprise"));
    assert_eq!(
        second.updates.set_slots["company_size"],
        Value::Number(200.0)
    );
    assert_eq!(second.updates.pending, None);
    assert!(second.updates.add_tags.contains(&"Enterprise".to_string()));
    let crm = second
        .actions
        .iter()
        .find_map(|a| match a {
            handoff::flow::Action::Crm { fields, .. } => Some(fields.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(crm["company_size"], "200");
    ctx.apply(&second.updates);
    assert_eq!(ctx.conversation.slots["company_size"], Value::Number(200.0));
    assert!(ctx.conversation.pending.is_none());

    // The conversation is with sales now: the next buying message does not hand off
    // again (no second lead); in a new conversation the known size goes straight to
    // sales.
    assert_eq!(ctx.conversation.with_team.as_ref().unwrap().team, "sales");
    let held = check(&Message::text("can I get a quote?"), &ctx, "continue:");
    assert!(held.actions.is_empty() && held.trace.held.is_some());
    ctx.conversation.with_team = None;
    check(&Message::text("can I get a quote?"), &ctx, SALES_HIGH);
}

#[test]
fn failed_turns_count_and_reset() {
    let mut ctx = Context::default();
    let d = check(&Message::text("tell me a joke"), &ctx, FALLBACK);
    assert_eq!(d.updates.failed_turns, 1);
    ctx.apply(&d.updates);
    let d = check(
        &Message::text("what's the weather like today"),
        &ctx,
        FALLBACK,
    );
    assert_eq!(d.updates.failed_turns, 2);
    ctx.apply(&d.updates);
    let d = check(&Message::text("tell me a joke"), &ctx, "ask:wants_human");
    assert_eq!(d.updates.failed_turns, 0);
    ctx.apply(&d.updates);
    let d = check(&Message::text("Yes please"), &ctx, SUPPORT);
    assert_eq!(
        d.updates.set_slots["wants_human"],
        Value::from("Yes, please")
    );
}

#[test]
fn form_fields_fill_slots() {
    let mut fields = std::collections::BTreeMap::new();
    fields.insert("company_size".to_string(), Value::from(350));
    let msg = Message {
        text: Some("I'd like a quote".into()),
        event: Some(Event {
            button: None,
            form: Some(Form {
                id: "contact".into(),
                fields,
            }),
        }),
        channel: None,
    };
    let d = check(&msg, &Context::default(), SALES_HIGH);
    assert_eq!(d.updates.set_slots["company_size"], Value::from(350));
}

#[test]
fn decisions_serialize_with_required_fields() {
    let d = router().decide(
        &Message::text("can I get a quote?"),
        &user(&[("company_size", Value::from(5))]),
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["route"]["kind"], "handoff");
    assert_eq!(json["route"]["team"], "sales");
    assert_eq!(json["rule"], "buying_intent");
    // The intent and its confidence appear once, in the detection.
    assert!(json["detection"]["confidence"].is_number());
    assert!(json.get("confidence").is_none() && json.get("intent").is_none());
    assert!(json["actions"].is_array());
    assert!(json["trace"]["rules"].is_array());
}

#[test]
fn explain_names_rules_conditions_and_values() {
    let ctx = Context {
        local_time: Some(LocalTime {
            weekday: Weekday::Tue,
            minutes: 600,
        }),
        ..Context::default()
    };
    let d = router().decide(&Message::text("I don't want a demo, I can't log in"), &ctx);
    let text = d.explain();
    assert!(text.contains("support"), "{text}");
    assert!(text.contains("keywords: demo"), "{text}");
    assert!(text.contains("[x] support"), "{text}");
    assert!(text.contains("route: hand off to support"), "{text}");
}

#[test]
fn router_is_send_sync_and_threads_agree() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<Router>();
    let messages: Vec<Message> = [
        "I'm interested in pricing",
        "can i get a qoute",
        "I don't want a demo, I can't log in",
        "hello",
        "does it integrate with salesforce?",
        "what's the weather like today",
    ]
    .iter()
    .map(|t| Message::text(*t))
    .chain([Message::button("book_demo")])
    .collect();
    let ctx = user(&[("company_size", Value::from(80))]);
    let single: Vec<Decision> = messages.iter().map(|m| router().decide(m, &ctx)).collect();
    let shared = router().clone();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let r = shared.clone();
            let msgs = messages.clone();
            let ctx = ctx.clone();
            std::thread::spawn(move || {
                (0..50)
                    .flat_map(|_| msgs.iter().map(|m| r.decide(m, &ctx)).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        let got = h.join().unwrap();
        for chunk in got.chunks(messages.len()) {
            assert_eq!(chunk, single.as_slice());
        }
    }
}
