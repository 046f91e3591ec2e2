//! Weighted picks under any current weights a snapshot can hold: no overflow panic
//! (these tests run with overflow checks on) and the same picks and states as a naive
//! smooth weighted round-robin in i128, whose stored weights saturate at the i64 bounds.

use std::collections::BTreeMap;

use handoff::assign::{pick, Agent, AgentStatus, AssignRequest, AssignState, Assigner};
use handoff::assign::{Policy, Roster, Team};
use proptest::prelude::*;

/// One member of the weighted team "t".
#[derive(Clone, Debug)]
struct Member {
    weight: u32,
    current: i64,
    available: bool,
}

fn id(i: usize) -> String {
    format!("a{i}")
}

fn roster(members: &[Member]) -> Roster {
    let mut roster = Roster::new()
        .with_team(Team::new("t", Policy::Weighted).with_members((0..members.len()).map(id)));
    for (i, m) in members.iter().enumerate() {
        let status = if m.available {
            AgentStatus::Available
        } else {
            AgentStatus::Away
        };
        roster = roster.with_agent(Agent::new(id(i)).with_weight(m.weight).with_status(status));
    }
    roster
}

/// The state a host would restore from its database: current weights by agent id.
fn snapshot(members: &[Member]) -> AssignState {
    let weights: BTreeMap<String, i64> = members
        .iter()
        .enumerate()
        .map(|(i, m)| (id(i), m.current))
        .collect();
    let json = serde_json::json!({ "seq": 0, "teams": { "t": { "weights": weights } } });
    serde_json::from_value(json).expect("a valid snapshot")
}

/// The current weights a state holds for team "t", by member (absent means 0).
fn currents(state: &AssignState, members: usize) -> Vec<i64> {
    let json = serde_json::to_value(state).expect("serializable");
    (0..members)
        .map(|i| json["teams"]["t"]["weights"][id(i)].as_i64().unwrap_or(0))
        .collect()
}

fn saturate(v: i128) -> i64 {
    v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

/// Smooth weighted round-robin, exactly: every available member gains its weight, the
/// one with the highest result (first on ties) is picked and loses the total.
fn oracle(members: &mut [Member]) -> Option<usize> {
    let total: i128 = members
        .iter()
        .filter(|m| m.available)
        .map(|m| i128::from(m.weight))
        .sum();
    let gained: Vec<Option<i128>> = members
        .iter()
        .map(|m| {
            m.available
                .then(|| i128::from(m.current) + i128::from(m.weight))
        })
        .collect();
    let mut best: Option<(usize, i128)> = None;
    for (i, v) in gained.iter().enumerate() {
        if let Some(v) = *v {
            if best.map_or(true, |(_, b)| v > b) {
                best = Some((i, v));
            }
        }
    }
    let (chosen, _) = best?;
    for (m, v) in members.iter_mut().zip(&gained) {
        if let Some(v) = v {
            m.current = saturate(*v);
        }
    }
    members[chosen].current = saturate(gained[chosen].unwrap_or(0) - total);
    Some(chosen)
}

/// Runs `steps` picks three ways (the pure `pick` with `apply`, the `Assigner`, the
/// oracle) and checks they agree on every pick and every state.
fn check_agreement(mut members: Vec<Member>, steps: usize) -> Result<(), TestCaseError> {
    let compiled = roster(&members).compile().expect("valid roster");
    let mut state = snapshot(&members);
    let assigner = Assigner::builder()
        .roster(roster(&members))
        .state(snapshot(&members))
        .build()
        .expect("valid assigner");
    let request = AssignRequest::new("t");
    for step in 0..steps {
        let want = oracle(&mut members).map(id);
        let (got, change) = pick(&compiled, &state, &request);
        state.apply(&change);
        let by_assigner = assigner.assign(&request);
        prop_assert_eq!(got.agent(), want.as_deref(), "step {}", step);
        prop_assert_eq!(by_assigner.agent(), want.as_deref(), "step {}", step);
        let expected: Vec<i64> = members.iter().map(|m| m.current).collect();
        prop_assert_eq!(
            currents(&state, members.len()),
            expected.clone(),
            "step {}",
            step
        );
        prop_assert_eq!(
            currents(&assigner.snapshot(), members.len()),
            expected,
            "step {}",
            step
        );
    }
    Ok(())
}

fn extreme_current() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MAX),
        Just(i64::MAX - 1),
        Just(i64::MIN),
        Just(i64::MIN + 1),
        Just(0),
        Just(-1),
        Just(1),
        any::<i64>(),
        -10i64..10,
    ]
}

fn weight() -> impl Strategy<Value = u32> {
    prop_oneof![Just(1u32), Just(u32::MAX), 1u32..5, 1u32..=u32::MAX]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn weighted_picks_agree_with_an_exact_oracle(
        members in proptest::collection::vec(
            (weight(), extreme_current(), proptest::bool::weighted(0.8))
                .prop_map(|(weight, current, available)| Member { weight, current, available }),
            1..6,
        ),
        steps in 1usize..12,
    ) {
        check_agreement(members, steps)?;
    }
}

/// Named cases at the bounds, each run for several picks.
#[test]
fn weighted_picks_at_the_bounds() {
    let m = |weight, current, available| Member {
        weight,
        current,
        available,
    };
    let cases: Vec<(&str, Vec<Member>)> = vec![
        (
            "both at max",
            vec![m(1, i64::MAX, true), m(1, i64::MAX, true)],
        ),
        (
            "both at min",
            vec![m(1, i64::MIN, true), m(1, i64::MIN, true)],
        ),
        (
            "max and min",
            vec![m(u32::MAX, i64::MAX, true), m(u32::MAX, i64::MIN, true)],
        ),
        (
            "min first, heavy",
            vec![m(u32::MAX, i64::MIN, true), m(1, 0, true)],
        ),
        (
            "max away",
            vec![m(1, i64::MAX, false), m(2, 0, true), m(3, -5, true)],
        ),
        (
            "zero and negative",
            vec![m(5, 0, true), m(5, -1, true), m(5, -2, true)],
        ),
        ("one member at max", vec![m(u32::MAX, i64::MAX, true)]),
        (
            "nobody available",
            vec![m(1, i64::MAX, false), m(1, i64::MIN, false)],
        ),
    ];
    for (name, members) in cases {
        if let Err(e) = check_agreement(members, 8) {
            panic!("{name}: {e}");
        }
    }
}
