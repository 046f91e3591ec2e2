//! Assignment throughput on a 50-agent team, per policy. Target: < 500 ns per pick
//! (>= 2,000,000 assignments/s single-threaded).

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use handoff::assign::pick;
use handoff::assign::{
    Agent, AgentStatus, AssignRequest, AssignState, Assigner, Policy, Roster, Team,
};

const POLICIES: [(&str, Policy); 3] = [
    ("round_robin", Policy::RoundRobin),
    ("balanced", Policy::Balanced),
    ("weighted", Policy::Weighted),
];

/// 50 agents: a few away or offline, varied weights, caps and skills.
fn roster(policy: Policy) -> Roster {
    let agents: Vec<Agent> = (0..50u32)
        .map(|i| {
            let status = match i % 10 {
                3 => AgentStatus::Away,
                7 => AgentStatus::Offline,
                _ => AgentStatus::Available,
            };
            let mut agent = Agent::new(format!("agent-{i:02}"))
                .with_status(status)
                .with_open(i % 4)
                .with_weight(1 + i % 3)
                .with_cap(1_000_000);
            if i % 2 == 0 {
                agent = agent.with_skills(["de"]);
            }
            agent
        })
        .collect();
    Roster {
        teams: vec![Team::new("sales", policy)
            .with_members(agents.iter().map(|a| a.id.clone()))
            .with_cap(2_000_000)],
        agents,
    }
}

fn bench_assign(c: &mut Criterion) {
    let mut group = c.benchmark_group("assign_50_agents");
    group.throughput(Throughput::Elements(1));
    let plain = AssignRequest::new("sales");
    let skilled = AssignRequest::new("sales").with_skills(["de"]);
    for (name, policy) in POLICIES {
        // Host-reported open counts (not tracked): the roster stays as it is.
        let assigner = Assigner::builder().roster(roster(policy)).build().unwrap();
        group.bench_with_input(BenchmarkId::new("untracked", name), &plain, |b, r| {
            b.iter(|| assigner.assign(black_box(r)))
        });
        group.bench_with_input(BenchmarkId::new("skill_de", name), &skilled, |b, r| {
            b.iter(|| assigner.assign(black_box(r)))
        });
        // Tracked open counts: assign then release the same agent.
        let tracked = Assigner::builder()
            .roster(roster(policy))
            .track_open(true)
            .build()
            .unwrap();
        group.bench_with_input(BenchmarkId::new("tracked_release", name), &plain, |b, r| {
            b.iter(|| {
                let got = tracked.assign(black_box(r));
                tracked.release(got.agent().unwrap_or_default());
            })
        });
        // The pure function, applying its change to a host-held state.
        let compiled = roster(policy).compile().unwrap();
        let mut state = AssignState::new(&compiled);
        group.bench_with_input(BenchmarkId::new("pure_pick_apply", name), &plain, |b, r| {
            b.iter(|| {
                let (got, change) = pick(&compiled, &state, black_box(r));
                state.apply(&change);
                got
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_assign);
criterion_main!(benches);
