//! An arbitrary assignment snapshot (`AssignState` JSON, as a host reads it back from its
//! database) and a run of requests: the input is `[snapshot JSON]\0[request bytes]`.
//! Reading the snapshot fails cleanly or gives a state that the pure `pick` and the
//! threaded `Assigner` both accept without panicking (weights near the i64 bounds
//! included); they agree on every pick (the assigner does not count open conversations
//! here, so both see the roster's), and the state survives a save and read back.
#![no_main]

use std::sync::OnceLock;

use handoff::assign::{
    pick, Agent, AgentStatus, AssignRequest, AssignState, Assigner, CompiledRoster, Policy, Roster,
    Team,
};
use libfuzzer_sys::fuzz_target;

const TEAMS: [&str; 3] = ["rr", "balanced", "weighted"];

fn roster() -> Roster {
    let agents = ["ana", "bo", "cy", "di"];
    Roster::new()
        .with_team(
            Team::new("rr", Policy::RoundRobin)
                .with_members(agents)
                .with_cap(6),
        )
        .with_team(
            Team::new("balanced", Policy::Balanced)
                .with_members(["ana", "bo"])
                .with_fallback("weighted"),
        )
        .with_team(Team::new("weighted", Policy::Weighted).with_members(["bo", "cy", "di"]))
        .with_agent(Agent::new("ana").with_cap(3).with_weight(1))
        .with_agent(Agent::new("bo").with_cap(4).with_weight(u32::MAX))
        .with_agent(
            Agent::new("cy")
                .with_weight(2)
                .with_status(AgentStatus::Away),
        )
        .with_agent(Agent::new("di").with_cap(2).with_weight(3))
}

fn compiled() -> &'static CompiledRoster {
    static ROSTER: OnceLock<CompiledRoster> = OnceLock::new();
    ROSTER.get_or_init(|| roster().compile().expect("the fuzz roster compiles"))
}

fuzz_target!(|data: &[u8]| {
    let (snapshot, requests) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Ok(mut state) = serde_json::from_slice::<AssignState>(snapshot) else {
        return;
    };
    let Ok(assigner) = Assigner::builder()
        .roster(roster())
        .state(state.clone())
        .build()
    else {
        return;
    };
    // The Assigner binds the snapshot to its roster (state for agents and teams it does
    // not have is dropped); the pure side does the same before comparing.
    state.bind(compiled());
    for &byte in requests.iter().take(64) {
        let request = AssignRequest::new(TEAMS[usize::from(byte) % TEAMS.len()]);
        let (picked, change) = pick(compiled(), &state, &request);
        state.apply(&change);
        let assigned = assigner.assign(&request);
        assert_eq!(
            picked.agent(),
            assigned.agent(),
            "pick and Assigner disagree"
        );
    }
    assert_eq!(
        state,
        assigner.snapshot(),
        "pick's state and the Assigner's differ"
    );
    let saved = serde_json::to_vec(&assigner.snapshot()).expect("a snapshot serializes");
    let read: AssignState = serde_json::from_slice(&saved).expect("a saved snapshot reads back");
    assert_eq!(
        read,
        assigner.snapshot(),
        "a snapshot survives a round trip"
    );
});
