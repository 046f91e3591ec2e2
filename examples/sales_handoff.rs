//! The starter sales-handoff bot, as configuration: runs its three test cases, a
//! multi-turn qualification, a button, an ambiguous message and a follow-up after the
//! hand-off, printing each decision's explanation.
//!
//! ```text
//! cargo run --example sales_handoff
//! ```

use handoff::flow::Route;
use handoff::{Context, Decision, Message, Router, Value};

fn show(title: &str, message: &Message, decision: &Decision) {
    println!("=== {title}");
    match (&message.text, &message.event) {
        (Some(t), _) => println!("user: {t:?}"),
        (None, Some(e)) => println!("user clicked: {:?}", e.button.as_deref().unwrap_or("?")),
        _ => {}
    }
    println!("{}", decision.explain());
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sales_handoff.json");
    let text = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sales_handoff.json"
    ));
    let router = Router::from_deserializer(&mut serde_json::Deserializer::from_str(text))
        .unwrap_or_else(|e| panic!("{path}: {e}"));

    let mut lead = Context::default();
    lead.user.insert("name".into(), Value::from("Ada"));
    lead.user
        .insert("email".into(), Value::from("ada@example.com"));
    lead.user.insert("company_size".into(), Value::from(250));
    lead.conversation.id = Some("c-1001".into());

    // 1. A qualified lead with purchase intent goes to sales.
    let m = Message::text("Hi, I'm interested in pricing for our team. Can I get a quote?")
        .on("pricing_page");
    let d = router.decide(&m, &lead);
    show("1. qualified lead with purchase intent", &m, &d);
    assert_eq!(d.route.team(), Some("sales"));

    // 2. A support request goes to support.
    let m = Message::text("I can't log in to my account, the password reset is broken");
    let d = router.decide(&m, &lead);
    show("2. support request", &m, &d);
    assert_eq!(d.route.team(), Some("support"));

    // 3. A casual feature question gets information and no escalation.
    let m = Message::text("Does it integrate with Salesforce?").on("docs");
    let d = router.decide(&m, &Context::default());
    show("3. casual feature question", &m, &d);
    assert_eq!(d.route.kind(), "continue");

    // 4. Multi-turn: unknown company size, so qualify first, then route on the answer.
    let mut ctx = Context::default();
    ctx.user.insert("name".into(), Value::from("Grace"));
    ctx.conversation.id = Some("c-1002".into());
    let m = Message::text("can i get a qoute for my team?");
    let d = router.decide(&m, &ctx);
    show("4a. buying intent, company size unknown", &m, &d);
    assert!(matches!(d.route, Route::Ask { .. }));
    ctx.apply(&d.updates);

    let m = Message::text("about 200 people");
    let d = router.decide(&m, &ctx);
    show("4b. the answer", &m, &d);
    assert_eq!(d.route.team(), Some("sales"));
    ctx.apply(&d.updates);

    // 5. A click on a call-to-action button.
    let m = Message::button("book_demo").on("linkedin");
    let d = router.decide(&m, &lead);
    show("5. Book a Demo button", &m, &d);
    assert_eq!(d.route.team(), Some("sales"));

    // 6. Too close to call: the bot asks which, with the two options as buttons.
    let m = Message::text("the basic plan isn't enough anymore, should we upgrade or just cancel?");
    let d = router.decide(&m, &Context::default());
    show("6. ambiguous between upgrading and cancelling", &m, &d);
    assert!(d.detection.ambiguous.is_some());
    assert!(matches!(d.route, Route::Ask { .. }));

    // 7. Already with sales (4b handed off): a follow-up is not a second lead.
    let m = Message::text("great, and how much for 300 seats?");
    let d = router.decide(&m, &ctx);
    show("7. a follow-up after the hand-off", &m, &d);
    assert_eq!(d.route.kind(), "continue");
}
