//! A simulated one-week pilot: drives the starter bot (`examples/sales_handoff.json`,
//! read at run time) through synthetic conversations on two channels (`web` and
//! `pricing_page`) with `Router::decide` and `Context::apply`, and writes the decision
//! log as JSON lines, with the outcomes a host learns later: first rep reply times,
//! conversions, reps' verdicts and reviewers' corrections.
//!
//! ```text
//! cargo run --release --example pilot_sim -- [--config FILE] [--out FILE]
//!     [--days 7] [--per-day 180] [--seed 7]
//! ```
//!
//! Deterministic: the same arguments give the same log, byte for byte. The visitors
//! are personas with a true need (a lead, a support problem, a product question,
//! small talk, a topic the bot does not know, a visitor who is no lead); the true need
//! decides what a rep or a reviewer says about the bot's routing. Traffic follows the
//! working day and drops at weekends; reps answer faster in office hours.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use handoff::eval::{Correction, DecisionRecord};
use handoff::{Context, Message, Router, RouterConfig, Value};

/// Monday 2026-11-16 00:00 UTC.
const START: i64 = 1_794_787_200;
const DAY: i64 = 86_400;

/// SplitMix64: a small, seedable, portable generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    /// Log-normal with this median and spread (sigma of the log).
    fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        // Box-Muller.
        let (u1, u2) = (self.unit().max(1e-12), self.unit());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        median * (sigma * z).exp()
    }
}

/// What the visitor really wants.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Need {
    /// A buyer; the company size they give when asked.
    Lead(u32),
    /// Clicks a call-to-action button.
    Button,
    Support,
    Product,
    SmallTalk,
    /// A topic the bot was not built for; `true` when it is really a sales lead.
    Unknown(bool),
    /// Sounds like buying, is not (a student, a job seeker).
    NotALead,
    /// A buyer asking a product question first.
    QuietLead,
}

impl Need {
    fn team(self) -> Option<&'static str> {
        match self {
            Need::Lead(_) | Need::Button | Need::QuietLead | Need::Unknown(true) => Some("sales"),
            Need::Support => Some("support"),
            _ => None,
        }
    }
}

/// Buyers' openings, each with the intent a reviewer would give it.
const LEAD: &[(&str, &str)] = &[
    ("how much does it cost for our team", "pricing"),
    ("can I get a quote for 40 seats", "pricing"),
    ("what's the price of the business plan", "pricing"),
    ("we'd like a demo next week", "sales_contact"),
    ("is there a discount if we pay yearly", "pricing"),
    (
        "we are comparing vendors, what would 100 licenses cost",
        "pricing",
    ),
    (
        "I want to talk to sales about an annual contract",
        "sales_contact",
    ),
    (
        "could someone walk our team through the product",
        "sales_contact",
    ),
    ("what does the enterprise tier include and cost", "pricing"),
    ("we're ready to buy, who do I talk to", "sales_contact"),
    ("pricing for a team of 25?", "pricing"),
    ("book a call with your sales team please", "sales_contact"),
];
const QUIET_LEAD: &[&str] = &[
    "we're rolling this out to 300 people, does it support SSO",
    "does it integrate with salesforce? we'd need it for our whole sales org",
    "is there an admin console to manage 500 users",
    "our procurement team needs your security documentation",
];
const SUPPORT: &[&str] = &[
    "I can't log in since this morning",
    "the app keeps crashing when I open reports",
    "password reset email never arrives",
    "I was charged twice this month",
    "export to csv is not working",
    "getting error 500 on the dashboard",
    "my invoice shows the wrong price, please fix it",
    "notifications stopped arriving",
    "sync with hubspot is broken again",
    "my teammate can't accept the invite",
];
const PRODUCT: &[&str] = &[
    "does it integrate with salesforce",
    "is there an API",
    "do you have a mobile app",
    "can I export my data",
    "which languages does the interface support",
    "does it work with slack",
    "where is my data stored",
    "can we customize the dashboard",
    "is there a free trial",
];
const SMALL_TALK: &[&str] = &[
    "hi there",
    "hello",
    "thanks a lot",
    "are you a bot",
    "good morning",
    "ok thanks, bye",
];
/// Topics the starter bot was not built for, in a few families a reviewer should find
/// as clusters; the flag says whether the family is really a sales lead.
const UNKNOWN: &[(&[&str], bool)] = &[
    (
        &[
            "do you offer an on-premise version",
            "can we host it on premise in our own data center",
            "is there a self-hosted on-premise edition",
            "on premise installation possible?",
        ],
        true,
    ),
    (
        &[
            "do you have a partner program for resellers",
            "we are an agency, can we resell your tool",
            "reseller partner program details?",
            "how do I become a reseller partner",
        ],
        true,
    ),
    (
        &[
            "can I pay by bank transfer instead of card",
            "do you accept wire transfer payments",
            "bank transfer payment possible for the invoice?",
        ],
        false,
    ),
    (
        &[
            "what's the weather in berlin",
            "tell me something funny",
            "who won the game last night",
        ],
        false,
    ),
];
const NOT_A_LEAD: &[(&str, Option<&str>)] = &[
    (
        "I'm a student, how much does it cost for a school project",
        Some("pricing"),
    ),
    ("what does a sales rep earn at your company", None),
    (
        "I'm writing an article about pricing models, what are your prices",
        Some("pricing"),
    ),
    (
        "can I get a demo of your careers page, I want to apply",
        None,
    ),
];
const PREFIXES: &[&str] = &["", "", "", "hi, ", "hey! ", "hello, ", "quick question: "];
const SUFFIXES: &[&str] = &["", "", "", "?", " thanks", " please", "!"];

/// A message as a visitor types it: a prefix, a suffix, sometimes a swapped pair of
/// letters.
fn typed(rng: &mut Rng, text: &str) -> String {
    let mut s = format!("{}{}{}", rng.pick(PREFIXES), text, rng.pick(SUFFIXES));
    if rng.chance(0.08) {
        let chars: Vec<char> = s.chars().collect();
        if chars.len() > 4 {
            let i = 1 + rng.below(chars.len() - 3);
            let mut c = chars;
            c.swap(i, i + 1);
            s = c.into_iter().collect();
        }
    }
    if rng.chance(0.3) {
        let mut c = s.chars();
        s = c
            .next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default();
    }
    s
}

fn pick_need(rng: &mut Rng, channel: &str) -> Need {
    let x = rng.unit();
    // Cumulative shares; the pricing page brings more buyers.
    let lead = if channel == "pricing_page" {
        0.40
    } else {
        0.18
    };
    let size = *rng.pick(&[8u32, 15, 25, 40, 60, 120, 250, 400, 1500]);
    let table = [
        (lead, Need::Lead(size)),
        (0.06, Need::Button),
        (0.20, Need::Support),
        (0.18, Need::Product),
        (0.12, Need::SmallTalk),
        (0.10, Need::Unknown(false)),
        (0.05, Need::NotALead),
        (0.04, Need::QuietLead),
    ];
    let total: f64 = table.iter().map(|t| t.0).sum();
    let mut acc = 0.0;
    for (share, need) in table {
        acc += share / total;
        if x < acc {
            return need;
        }
    }
    Need::SmallTalk
}

/// A message and the intent a reviewer would give it (`None`: none the bot knows).
type Said = (Message, Option<&'static str>);

/// The opening message of a conversation with this need.
fn opening(rng: &mut Rng, need: &mut Need) -> Said {
    let (text, truth) = match *need {
        Need::Lead(_) => {
            let (text, intent) = *rng.pick(LEAD);
            (text, Some(intent))
        }
        Need::QuietLead => (*rng.pick(QUIET_LEAD), Some("product_inquiry")),
        Need::Support => (*rng.pick(SUPPORT), Some("support_request")),
        Need::Product => (*rng.pick(PRODUCT), Some("product_inquiry")),
        Need::SmallTalk => (*rng.pick(SMALL_TALK), Some("general")),
        Need::NotALead => *rng.pick(NOT_A_LEAD),
        Need::Unknown(_) => {
            let (family, sales) = *rng.pick(UNKNOWN);
            *need = Need::Unknown(sales);
            (*rng.pick(family), None)
        }
        Need::Button => {
            let button = *rng.pick(&["book_demo", "talk_to_sales"]);
            return (Message::button(button), None);
        }
    };
    (Message::text(typed(rng, text)), truth)
}

/// The visitor's next message, given the question the bot asked (if any).
fn reply(
    rng: &mut Rng,
    need: Need,
    asked: Option<&str>,
    turn: usize,
) -> Option<(String, Option<&'static str>)> {
    let answer = match asked {
        Some("company_size") => match need {
            Need::Lead(size) if rng.chance(0.85) => {
                let lead_in = *rng.pick(&["we're about ", "around ", "", "roughly "]);
                format!("{lead_in}{size} people")
            }
            Need::NotALead => "just me".to_string(),
            _ => rng
                .pick(&["not sure, why?", "I'd rather not say"])
                .to_string(),
        },
        Some("wants_human") => {
            let yes = need.team().is_some() || rng.chance(0.3);
            if yes { "Yes, please" } else { "No, thanks" }.to_string()
        }
        Some(_) => "ok".to_string(),
        None if turn >= 3 => return None,
        None => {
            let (retry, truth) = match need {
                // Lost visitors try again in other words, until the bot offers a person.
                Need::Unknown(_) => (*rng.pick(RETRIES), None),
                Need::Product | Need::SmallTalk if rng.chance(0.25) => {
                    (*rng.pick(PRODUCT), Some("product_inquiry"))
                }
                Need::QuietLead if rng.chance(0.5) => {
                    let (text, intent) = *rng.pick(LEAD);
                    (text, Some(intent))
                }
                _ => return None,
            };
            return Some((typed(rng, retry), truth));
        }
    };
    Some((answer, None))
}

const RETRIES: &[&str] = &[
    "you don't understand me",
    "can you answer my question",
    "hmm, that's not what I asked",
];

/// When a conversation starts on `day`: office hours are busier.
fn start_time(rng: &mut Rng, day: i64) -> i64 {
    let hour = loop {
        let h = rng.below(24) as i64;
        let weight = if (8..19).contains(&h) { 1.0 } else { 0.25 };
        if rng.chance(weight) {
            break h;
        }
    };
    START + day * DAY + hour * 3_600 + rng.below(3_600) as i64
}

fn in_office_hours(t: i64) -> bool {
    let day = (t - START).div_euclid(DAY).rem_euclid(7);
    let hour = (t.rem_euclid(DAY)) / 3_600;
    day < 5 && (9..18).contains(&hour)
}

/// The first rep reply after a hand-off at `t` to `team`.
fn first_reply(rng: &mut Rng, team: &str, t: i64) -> i64 {
    let median = if team == "sales" { 240.0 } else { 600.0 };
    let mut wait = rng.log_normal(median, 0.9);
    if !in_office_hours(t) {
        // Someone on call picks it up later.
        wait += rng.log_normal(4.0 * 3_600.0, 0.6);
    }
    t + wait.round() as i64
}

struct Args {
    config: String,
    out: Option<String>,
    days: i64,
    per_day: usize,
    seed: u64,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        config: concat!(env!("CARGO_MANIFEST_DIR"), "/examples/sales_handoff.json").to_string(),
        out: None,
        days: 7,
        per_day: 180,
        seed: 7,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--config" => args.config = value()?,
            "--out" => args.out = Some(value()?),
            "--days" => args.days = value()?.parse().map_err(|e| format!("--days: {e}"))?,
            "--per-day" => {
                args.per_day = value()?.parse().map_err(|e| format!("--per-day: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("pilot_sim: {e}");
            return ExitCode::from(2);
        }
    };
    let router = match std::fs::read_to_string(&args.config)
        .map_err(|e| e.to_string())
        .and_then(|s| serde_json::from_str::<RouterConfig>(&s).map_err(|e| e.to_string()))
        .and_then(|c| Router::from_config(c).map_err(|e| e.to_string()))
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("pilot_sim: {}: {e}", args.config);
            return ExitCode::from(2);
        }
    };
    let out: Box<dyn Write> = match &args.out {
        Some(path) => match File::create(path) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("pilot_sim: {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => Box::new(io::stdout().lock()),
    };
    let mut out = BufWriter::new(out);
    let mut rng = Rng(args.seed);
    let mut written = 0usize;
    for day in 0..args.days {
        let weekend = day.rem_euclid(7) >= 5;
        for channel in ["web", "pricing_page"] {
            let base = if channel == "web" { 0.7 } else { 0.3 };
            let load = if weekend { 0.35 } else { 1.0 } * base;
            let n = (args.per_day as f64 * load * (0.85 + 0.3 * rng.unit())).round() as usize;
            let mut starts: Vec<i64> = (0..n).map(|_| start_time(&mut rng, day)).collect();
            starts.sort_unstable();
            for (i, start) in starts.into_iter().enumerate() {
                let id = format!("{channel}-d{day}-{i:04}");
                for record in conversation(&router, &mut rng, &id, channel, start) {
                    match serde_json::to_string(&record) {
                        Ok(line) => {
                            if let Err(e) = writeln!(out, "{line}") {
                                eprintln!("pilot_sim: {e}");
                                return ExitCode::FAILURE;
                            }
                            written += 1;
                        }
                        Err(e) => eprintln!("pilot_sim: {e}"),
                    }
                }
            }
        }
    }
    if let Err(e) = out.flush() {
        eprintln!("pilot_sim: {e}");
        return ExitCode::FAILURE;
    }
    eprintln!("pilot_sim: {written} records");
    ExitCode::SUCCESS
}

/// Plays one conversation and returns its records, annotated with outcomes.
fn conversation(
    router: &Router,
    rng: &mut Rng,
    id: &str,
    channel: &str,
    start: i64,
) -> Vec<DecisionRecord> {
    let mut need = pick_need(rng, channel);
    let mut context = Context::default();
    context.conversation.id = Some(id.to_string());
    if rng.chance(0.4) {
        context.user.insert("name".into(), Value::from("Visitor"));
    }
    let mut records: Vec<DecisionRecord> = Vec::new();
    let mut truths = Vec::new();
    let (first, mut truth) = opening(rng, &mut need);
    let mut message = first.on(channel);
    let mut at = start;
    for turn in 0..6 {
        let decision = router.decide(&message, &context);
        context.apply(&decision.updates);
        records.push(DecisionRecord::from_decision(id, at, &message, &decision));
        truths.push(truth);
        if decision.route.team().is_some() {
            break;
        }
        let asked = context
            .conversation
            .pending
            .as_ref()
            .map(|p| p.slot.clone());
        match reply(rng, need, asked.as_deref(), turn + 1) {
            Some((text, t)) => {
                message = Message::text(text).on(channel);
                truth = t;
            }
            None => break,
        }
        at += 15 + rng.below(75) as i64;
    }
    annotate(router, rng, need, &truths, &mut records);
    records
}

/// What the host learns later: reply times and conversions from the CRM, verdicts
/// from reps, corrections from a reviewer who reads a sample of conversations.
fn annotate(
    router: &Router,
    rng: &mut Rng,
    need: Need,
    truths: &[Option<&str>],
    records: &mut [DecisionRecord],
) {
    let truth_team = need.team();
    let handoff = records.iter().position(|r| r.handed_off);
    if let Some(i) = handoff {
        let r = &mut records[i];
        let team = r.team.clone().unwrap_or_default();
        if rng.chance(0.93) {
            r.first_reply_at = Some(first_reply(rng, &team, r.at));
        }
        let right = truth_team == Some(team.as_str());
        if team == "sales" {
            r.converted = match need {
                Need::Lead(size) if rng.chance(0.8) => {
                    Some(rng.chance(if size >= 200 { 0.4 } else { 0.25 }))
                }
                Need::Button | Need::QuietLead | Need::Unknown(true) if rng.chance(0.8) => {
                    Some(rng.chance(0.3))
                }
                _ if !right && rng.chance(0.8) => Some(false),
                _ => None,
            };
        }
        // Reps judge most hand-offs; a wrong one gets a correction.
        if rng.chance(0.75) {
            if right {
                r.handoff_correct = Some(true);
            } else {
                r.correction = Some(match (need, truth_team) {
                    (_, Some(t)) => Correction::Team(t.to_string()),
                    (Need::NotALead, None) if team == "sales" => Correction::NotALead,
                    _ => Correction::Bot,
                });
            }
        }
    } else if let Some(last) = records.last_mut() {
        last.completed_with_bot = Some(match need {
            Need::Product | Need::SmallTalk => rng.chance(0.8),
            Need::Unknown(_) => rng.chance(0.15),
            _ => rng.chance(0.4),
        });
        // A reviewer reading missed conversations flags leads that stayed with the bot.
        if let (Some(team), Some(first)) = (truth_team, records.first_mut()) {
            if rng.chance(0.5) && first.text.len() > 2 {
                first.correction = Some(Correction::Team(team.to_string()));
            }
        }
    }
    // A reviewer labels the intents of a sample of the other messages.
    for (r, truth) in records.iter_mut().zip(truths) {
        if r.correction.is_some() || r.text.is_empty() || r.answered.is_some() || !rng.chance(0.15)
        {
            continue;
        }
        // The label may agree with the bot: that confirms the decision.
        r.correction = Some(match truth.filter(|i| router.model().has_intent(i)) {
            Some(i) => Correction::Intent(i.to_string()),
            None => Correction::NoIntent,
        });
    }
}
