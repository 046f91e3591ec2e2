//! Runs scenario files against a router configuration.
//!
//! ```text
//! cargo run --example scenarios -- CONFIG_FILE SCENARIO_FILE...
//! cargo run --example scenarios -- examples/sales_handoff.json examples/scenarios/*.json
//! ```
//!
//! Each scenario file holds one scenario or a JSON array of them (see
//! `handoff::eval::Scenario` for the format). Prints every step with pass/fail, and
//! for a failing step the expected and actual values and the decision's explanation.
//! Exits with status 1 when any scenario fails, 2 when a file cannot be read.

use handoff::eval::{run_scenarios, Scenario};
use handoff::Router;

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    Many(Vec<Scenario>),
    One(Box<Scenario>),
}

fn fail(message: String) -> ! {
    eprintln!("{message}");
    std::process::exit(2);
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| fail(format!("cannot read {path}: {e}")))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        fail("usage: scenarios CONFIG_FILE SCENARIO_FILE...".into());
    }
    let text = read(&args[0]);
    let router = Router::from_deserializer(&mut serde_json::Deserializer::from_str(&text))
        .unwrap_or_else(|e| fail(format!("{}: {e}", args[0])));
    let mut scenarios = Vec::new();
    for path in &args[1..] {
        match serde_json::from_str::<OneOrMany>(&read(path)) {
            Ok(OneOrMany::Many(list)) => scenarios.extend(list),
            Ok(OneOrMany::One(one)) => scenarios.push(*one),
            // Untagged errors are vague: parse again as one scenario for the message.
            Err(_) => match serde_json::from_str::<Scenario>(&read(path)) {
                Ok(one) => scenarios.push(one),
                Err(e) => fail(format!("{path}: {e}")),
            },
        }
    }
    let report = run_scenarios(&scenarios, &router);
    print!("{report}");
    if report.failed > 0 {
        std::process::exit(1);
    }
}
