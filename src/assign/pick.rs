//! The pick itself: eligibility, policies, sticky, skills and team fallback, as a pure
//! function of (roster, state, request), plus the queue drain.

use std::cmp::Reverse;
use std::sync::Arc;

use super::request::{
    AssignReason, AssignRequest, Assignment, How, QueueReason, SkillMatch, Waiting,
};
use super::roster::{AgentStatus, CompiledRoster, Policy, TeamInfo, Topology};
use super::state::{AssignState, StateChange, NONE};

/// Required skills as a bitset over the roster's skill indices. Up to 256 distinct skills
/// live inline, so building one does not allocate.
pub(crate) struct Need {
    inline: [u64; 4],
    heap: Vec<u64>,
    words: usize,
    pub(crate) required: bool,
    /// A required skill nobody in the roster holds.
    impossible: bool,
}

impl Need {
    pub(crate) fn new(topo: &Topology, skills: &[Arc<str>]) -> Need {
        let words = topo.skill_words;
        let mut need = Need {
            inline: [0; 4],
            heap: if words > 4 {
                vec![0; words]
            } else {
                Vec::new()
            },
            words,
            required: !skills.is_empty(),
            impossible: false,
        };
        for skill in skills {
            match topo.skill_index(skill) {
                Some(b) => {
                    let bits = if words > 4 {
                        &mut need.heap[..]
                    } else {
                        &mut need.inline[..]
                    };
                    bits[b / 64] |= 1 << (b % 64);
                }
                None => need.impossible = true,
            }
        }
        need
    }

    #[inline]
    fn bits(&self) -> &[u64] {
        if self.words > 4 {
            &self.heap
        } else {
            &self.inline[..self.words]
        }
    }

    #[inline]
    fn held_by(&self, held: &[u64]) -> bool {
        !self.impossible && self.bits().iter().zip(held).all(|(r, h)| r & !h == 0)
    }
}

/// Whether agent `a` may get a conversation under effective cap `cap`; `need` is None
/// when skills are not (or no longer) required.
#[inline(always)]
fn ok(roster: &CompiledRoster, a: usize, cap: u32, need: Option<&Need>) -> bool {
    // gate = open when available, u32::MAX otherwise, and cap <= u32::MAX.
    roster.gate[a] < cap && need.map_or(true, |n| n.held_by(roster.topo.agent_skills(a)))
}

/// Whether the member at `pos` of `team` may get a conversation now.
#[inline]
fn eligible(roster: &CompiledRoster, team: &TeamInfo, pos: usize, need: Option<&Need>) -> bool {
    ok(roster, team.members[pos] as usize, team.caps[pos], need)
}

/// Member positions found eligible during a weighted selection, so the commit need not
/// test them again. Teams of more than 256 members are re-tested instead.
#[derive(Clone, Copy)]
pub(crate) struct Mask {
    bits: [u64; 4],
    complete: bool,
}

/// The outcome of selection, before any state is touched.
pub(crate) enum Selection {
    Assigned(Chosen),
    Queued(QueueReason),
}

pub(crate) struct Chosen {
    pub(crate) team: usize,
    pub(crate) pos: usize,
    pub(crate) agent: usize,
    pub(crate) how: How,
    pub(crate) skills: SkillMatch,
    pub(crate) fallback_from: Option<usize>,
    /// For a weighted pick: the total weight of eligible members and which they were.
    wrr: Option<(i128, Mask)>,
}

impl Chosen {
    /// The skill filter in force when this agent was chosen.
    fn need<'a>(&self, need: &'a Need) -> Option<&'a Need> {
        (self.skills == SkillMatch::Matched).then_some(need)
    }
}

/// The state a selection reads, or (in process) updates in place: a weighted pick then
/// applies its smooth-WRR step in the same pass that selects.
pub(crate) enum StateRef<'a> {
    Read(&'a AssignState),
    Write(&'a mut AssignState),
}

impl StateRef<'_> {
    fn get(&self) -> &AssignState {
        match self {
            StateRef::Read(s) => s,
            StateRef::Write(s) => s,
        }
    }
}

/// Selects an agent. `state` must be bound to `roster`'s layout. With
/// [`StateRef::Write`], only the weighted step is applied; [`commit`] does the rest.
pub(crate) fn select(
    roster: &CompiledRoster,
    mut state: StateRef<'_>,
    req: &AssignRequest,
) -> (Selection, Need) {
    let topo = &*roster.topo;
    let need = Need::new(topo, &req.skills);
    let Some(t0) = topo.team_index(&req.team) else {
        return (Selection::Queued(QueueReason::UnknownTeam), need);
    };
    let preferred = req.preferred.as_deref().and_then(|p| topo.agent_index(p));
    // Skilled agents first; the whole team only when the request allows it.
    let passes: &[bool] = match (need.required, req.skill_fallback) {
        (false, _) => &[false],
        (true, false) => &[true],
        (true, true) => &[true, false],
    };
    for &ti in &topo.teams[t0].chain {
        let ti = ti as usize;
        let team = &topo.teams[ti];
        for &with_skills in passes {
            let nd = with_skills.then_some(&need);
            let skills = match (need.required, with_skills) {
                (false, _) => SkillMatch::NotRequired,
                (true, true) => SkillMatch::Matched,
                (true, false) => SkillMatch::Waived,
            };
            let fallback_from = (ti != t0).then_some(t0);
            if let Some(pos) = preferred.and_then(|p| team.position(p)) {
                if eligible(roster, team, pos, nd) {
                    let chosen = Chosen {
                        team: ti,
                        pos,
                        agent: team.members[pos] as usize,
                        how: How::Sticky,
                        skills,
                        fallback_from,
                        wrr: None,
                    };
                    return (Selection::Assigned(chosen), need);
                }
            }
            let (found, how, wrr) = match team.policy {
                Policy::RoundRobin => (
                    round_robin(roster, state.get(), ti, nd),
                    How::RoundRobin,
                    None,
                ),
                Policy::Balanced => (balanced(roster, state.get(), ti, nd), How::Balanced, None),
                Policy::Weighted => match &mut state {
                    StateRef::Read(s) => match weighted(roster, s, ti, nd) {
                        Some((pos, total, mask)) => (Some(pos), How::Weighted, Some((total, mask))),
                        None => (None, How::Weighted, None),
                    },
                    StateRef::Write(s) => {
                        (weighted_in_place(roster, s, ti, nd), How::Weighted, None)
                    }
                },
            };
            if let Some(pos) = found {
                let chosen = Chosen {
                    team: ti,
                    pos,
                    agent: team.members[pos] as usize,
                    how,
                    skills,
                    fallback_from,
                    wrr,
                };
                return (Selection::Assigned(chosen), need);
            }
        }
    }
    let reason = queue_reason(roster, &topo.teams[t0].chain, &need, req.skill_fallback);
    (Selection::Queued(reason), need)
}

fn round_robin(
    roster: &CompiledRoster,
    state: &AssignState,
    ti: usize,
    need: Option<&Need>,
) -> Option<usize> {
    let team = &roster.topo.teams[ti];
    let m = team.members.len();
    if m == 0 {
        return None;
    }
    let start = match state.rr_last[ti] {
        NONE => 0,
        p => (p as usize + 1) % m,
    };
    (start..m)
        .chain(0..start)
        .find(|&pos| eligible(roster, team, pos, need))
}

fn balanced(
    roster: &CompiledRoster,
    state: &AssignState,
    ti: usize,
    need: Option<&Need>,
) -> Option<usize> {
    let team = &roster.topo.teams[ti];
    // An eligible key is always below this: its open count is below a cap <= u32::MAX.
    let mut best_key = (u32::MAX, u64::MAX);
    let mut best = None;
    for (pos, (&a, &cap)) in team.members.iter().zip(&team.caps).enumerate() {
        let a = a as usize;
        if ok(roster, a, cap, need) {
            let key = (roster.gate[a], state.last[a]);
            // Strictly smaller only, so ties keep the earliest member.
            if key < best_key {
                best_key = key;
                best = Some(pos);
            }
        }
    }
    best
}

/// Smooth WRR selection: the eligible member with the highest current weight plus its
/// weight (first on ties), the total eligible weight, and which members were eligible.
///
/// Sums are exact (i128): current weights come from snapshots, which may hold any i64.
fn weighted(
    roster: &CompiledRoster,
    state: &AssignState,
    ti: usize,
    need: Option<&Need>,
) -> Option<(usize, i128, Mask)> {
    let team = &roster.topo.teams[ti];
    let current = &state.weights[team.slot0..team.slot0 + team.members.len()];
    let mut mask = Mask {
        bits: [0; 4],
        complete: team.members.len() <= 256,
    };
    let (mut best, mut best_v, mut total) = (None, i128::MIN, 0i128);
    for (pos, ((&a, &cap), (&w, &cur))) in team
        .members
        .iter()
        .zip(&team.caps)
        .zip(team.weights.iter().zip(current))
        .enumerate()
    {
        if ok(roster, a as usize, cap, need) {
            total += i128::from(w);
            if mask.complete {
                mask.bits[pos / 64] |= 1 << (pos % 64);
            }
            let v = i128::from(cur) + i128::from(w);
            if v > best_v {
                best_v = v;
                best = Some(pos);
            }
        }
    }
    best.map(|pos| (pos, total, mask))
}

/// `v` kept within the range of a stored current weight: a snapshot's weights near
/// the i64 bounds stay at the bound instead of wrapping. Weights that picks produce
/// sum to zero over a team and stay within a few totals of it, far from the bounds.
fn saturated(v: i128) -> i64 {
    i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX })
}

/// Smooth WRR selection and step in one pass: every eligible member gains its weight,
/// the one with the highest result (first on ties) loses the total. When nobody is
/// eligible nothing was added, so nothing changes. Exact as [`weighted`], then
/// [`saturated`] into the state.
fn weighted_in_place(
    roster: &CompiledRoster,
    state: &mut AssignState,
    ti: usize,
    need: Option<&Need>,
) -> Option<usize> {
    let team = &roster.topo.teams[ti];
    let current = &mut state.weights[team.slot0..team.slot0 + team.members.len()];
    let (mut best, mut best_v, mut total) = (None, i128::MIN, 0i128);
    for (pos, ((&a, &cap), (&w, cur))) in team
        .members
        .iter()
        .zip(&team.caps)
        .zip(team.weights.iter().zip(current.iter_mut()))
        .enumerate()
    {
        if ok(roster, a as usize, cap, need) {
            let v = i128::from(*cur) + i128::from(w);
            *cur = saturated(v);
            total += i128::from(w);
            if v > best_v {
                best_v = v;
                best = Some(pos);
            }
        }
    }
    if let Some(pos) = best {
        current[pos] = saturated(best_v - total);
    }
    best
}

/// The smooth-WRR step: every eligible member gains its weight, the chosen one loses the
/// total. `current` is the team's slice of current weights. Nothing to do when the
/// selection already applied it in place. Gives exactly what [`weighted_in_place`]
/// stores.
fn weighted_step(roster: &CompiledRoster, c: &Chosen, current: &mut [i64], need: Option<&Need>) {
    let team = &roster.topo.teams[c.team];
    let Some((total, mask)) = c.wrr else {
        return;
    };
    let chosen = i128::from(current[c.pos]) + i128::from(team.weights[c.pos]);
    let gain = |pos: usize, cur: &mut i64| {
        *cur = saturated(i128::from(*cur) + i128::from(team.weights[pos]));
    };
    if mask.complete {
        for (word, &bits) in mask.bits.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                let pos = word * 64 + bits.trailing_zeros() as usize;
                gain(pos, &mut current[pos]);
                bits &= bits - 1;
            }
        }
    } else {
        for (pos, cur) in current.iter_mut().enumerate() {
            if eligible(roster, team, pos, need) {
                gain(pos, cur);
            }
        }
    }
    current[c.pos] = saturated(chosen - total);
}

/// Records the selection in `state` (bound to `roster`), before open counts change.
pub(crate) fn commit(roster: &CompiledRoster, state: &mut AssignState, c: &Chosen, need: &Need) {
    state.seq = state.seq.saturating_add(1);
    state.last[c.agent] = state.seq;
    match c.how {
        How::RoundRobin => state.rr_last[c.team] = c.pos as u32,
        How::Weighted => {
            let s = roster.topo.teams[c.team].slot0;
            let m = roster.topo.teams[c.team].members.len();
            weighted_step(roster, c, &mut state.weights[s..s + m], c.need(need));
        }
        How::Sticky | How::Balanced => {}
    }
}

fn change_for(
    roster: &CompiledRoster,
    state: &AssignState,
    c: &Chosen,
    need: &Need,
) -> StateChange {
    let layout = &roster.topo.layout;
    let weights = (c.how == How::Weighted).then(|| {
        let team = &roster.topo.teams[c.team];
        let s = team.slot0;
        let mut current: Box<[i64]> = state.weights[s..s + team.members.len()].into();
        weighted_step(roster, c, &mut current, c.need(need));
        (c.team as u32, current)
    });
    StateChange {
        layout: layout.clone(),
        seq: state.seq.saturating_add(1),
        agent: Some(c.agent as u32),
        rotation: (c.how == How::RoundRobin).then_some((c.team as u32, c.pos as u32)),
        weights,
    }
}

fn queue_reason(
    roster: &CompiledRoster,
    chain: &[u32],
    need: &Need,
    skill_fallback: bool,
) -> QueueReason {
    let topo = &*roster.topo;
    let (mut member, mut available, mut skilled) = (false, false, false);
    for &ti in chain {
        for &a in &topo.teams[ti as usize].members {
            let a = a as usize;
            member = true;
            if roster.status[a] == AgentStatus::Available {
                available = true;
                if !need.required || skill_fallback || need.held_by(topo.agent_skills(a)) {
                    skilled = true;
                }
            }
        }
    }
    if !member {
        QueueReason::NoMembers
    } else if !available {
        QueueReason::NobodyAvailable
    } else if !skilled {
        QueueReason::NoSkilledAgent
    } else {
        QueueReason::AtCapacity
    }
}

/// Turns a selection into the public answer.
pub(crate) fn to_assignment(
    roster: &CompiledRoster,
    req: &AssignRequest,
    sel: &Selection,
) -> Assignment {
    let layout = &roster.topo.layout;
    match sel {
        Selection::Assigned(c) => Assignment::Assigned {
            team: layout.teams[c.team].clone(),
            agent: layout.agents[c.agent].clone(),
            reason: AssignReason {
                how: c.how,
                skills: c.skills,
                fallback_from: c.fallback_from.map(|t| layout.teams[t].clone()),
            },
        },
        Selection::Queued(reason) => Assignment::Queued {
            team: match roster.topo.team_index(&req.team) {
                Some(t) => layout.teams[t].clone(),
                None => req.team.clone(),
            },
            reason: *reason,
        },
    }
}

/// Picks who gets a conversation: a pure function of the roster (with its live statuses
/// and open counts), the state and the request. Returns the answer and the change to
/// apply to the state ([`AssignState::apply`]); the roster's open counts are the host's to
/// update.
///
/// Order: for the requested team, then each fallback team in turn: the preferred agent if
/// they are a member and eligible, else the team's policy among eligible members. When
/// skills are required, this runs first over members holding every required skill and
/// then, if the request allows fallback, over the whole team, before moving on to the
/// fallback team. Eligible: available, below their own cap and below the team's cap.
///
/// O(m) per team tried, m = members; allocation-free except for a `weighted` pick, whose
/// change carries the team's new weights (m integers). A state not bound to this roster
/// ([`AssignState::bind`]) is re-indexed on the fly, which allocates.
pub fn pick(
    roster: &CompiledRoster,
    state: &AssignState,
    request: &AssignRequest,
) -> (Assignment, StateChange) {
    let rebound;
    let state = if state.is_bound_to(&roster.topo.layout) {
        state
    } else {
        rebound = state.rebound(&roster.topo.layout);
        &rebound
    };
    let (sel, need) = select(roster, StateRef::Read(state), request);
    let change = match &sel {
        Selection::Assigned(c) => change_for(roster, state, c, &need),
        Selection::Queued(_) => StateChange::none(&roster.topo.layout),
    };
    (to_assignment(roster, request, &sel), change)
}

/// Which waiting conversation an agent who just freed up should get: the highest
/// priority first, then the longest waiting (smallest `enqueued_at`), then the smallest
/// id, among conversations this agent is eligible for. Eligible: the agent is available,
/// a member of the conversation's team or of a team in its fallback chain, below their
/// caps there, and holds the required skills (unless the conversation allows skill
/// fallback). Returns the index into `waiting` and the state change recording the
/// assignment, or None.
///
/// O(w · c · m) for w waiting conversations, fallback chains of c teams of m members.
pub fn next_from_queue(
    roster: &CompiledRoster,
    state: &AssignState,
    agent: &str,
    waiting: &[Waiting],
) -> Option<(usize, StateChange)> {
    let topo = &*roster.topo;
    let a = topo.agent_index(agent)?;
    if roster.status[a] != AgentStatus::Available {
        return None;
    }
    // Order: priority (higher first), enqueued_at, id.
    type Key<'a> = (Reverse<i64>, u64, &'a str);
    let mut best: Option<(Key<'_>, usize)> = None;
    for (i, w) in waiting.iter().enumerate() {
        let Some(t0) = topo.team_index(&w.team) else {
            continue;
        };
        let need = Need::new(topo, &w.skills);
        let ok = topo.teams[t0].chain.iter().any(|&ti| {
            let team = &topo.teams[ti as usize];
            team.position(a).is_some_and(|pos| {
                eligible(roster, team, pos, Some(&need))
                    || (w.skill_fallback && eligible(roster, team, pos, None))
            })
        });
        if ok {
            let key = (Reverse(i64::from(w.priority)), w.enqueued_at, &*w.id);
            if best.as_ref().map_or(true, |(b, _)| key < *b) {
                best = Some((key, i));
            }
        }
    }
    let (_, i) = best?;
    let change = StateChange {
        layout: topo.layout.clone(),
        seq: state.seq.saturating_add(1),
        agent: Some(a as u32),
        rotation: None,
        weights: None,
    };
    Some((i, change))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::{Agent, Assigner, Roster, Team};

    fn skills(range: std::ops::Range<usize>) -> Vec<String> {
        range.map(|i| format!("s{i}")).collect()
    }

    #[test]
    fn need_bitsets_inline_and_heap() {
        // 70 skills: two words inline; 300 skills: the heap path.
        for total in [3usize, 70, 300] {
            let roster = Roster::new()
                .with_agent(Agent::new("all").with_skills(skills(0..total)))
                .with_agent(Agent::new("last").with_skills([format!("s{}", total - 1)]))
                .with_agent(Agent::new("first").with_skills(["s0"]))
                .compile()
                .unwrap();
            let topo = &*roster.topo;
            assert_eq!(topo.skill_words, total.div_ceil(64));
            let holders = |want: &[String]| -> Vec<&str> {
                let want: Vec<Arc<str>> = want.iter().map(|s| Arc::from(s.as_str())).collect();
                let need = Need::new(topo, &want);
                ["all", "last", "first"]
                    .into_iter()
                    .filter(|&a| need.held_by(topo.agent_skills(topo.agent_index(a).unwrap())))
                    .collect()
            };
            let last = format!("s{}", total - 1);
            assert_eq!(holders(&[]), ["all", "last", "first"], "{total}");
            assert_eq!(
                holders(std::slice::from_ref(&last)),
                ["all", "last"],
                "{total}"
            );
            assert_eq!(holders(&["s0".into(), last]), ["all"], "{total}");
            assert_eq!(holders(&["nope".into()]), Vec::<&str>::new(), "{total}");
        }
    }

    #[test]
    fn weighted_large_team_pure_and_in_place_agree() {
        // 300 members: the eligible mask is incomplete, so the pure path re-tests.
        let agents: Vec<Agent> = (0..300u32)
            .map(|i| Agent::new(format!("a{i}")).with_weight(1 + i % 4))
            .collect();
        let mut roster = Roster::new().with_team(
            Team::new("t", Policy::Weighted).with_members(agents.iter().map(|a| a.id.clone())),
        );
        roster.agents = agents;
        roster.agents[7].status = AgentStatus::Away;
        let compiled = roster.compile().unwrap();
        let assigner = Assigner::builder().roster(roster).build().unwrap();
        let mut state = AssignState::new(&compiled);
        let req = AssignRequest::new("t");
        let total: u32 = (0..300u32).filter(|&i| i != 7).map(|i| 1 + i % 4).sum();
        let mut counts = vec![0u32; 300];
        for _ in 0..total {
            let (got, change) = pick(&compiled, &state, &req);
            state.apply(&change);
            assert_eq!(got, assigner.assign(&req));
            counts[got.agent().unwrap()[1..].parse::<usize>().unwrap()] += 1;
        }
        for (i, &c) in counts.iter().enumerate() {
            let want = if i == 7 { 0 } else { 1 + i as u32 % 4 };
            assert_eq!(c, want, "a{i}");
        }
        assert_eq!(state, assigner.snapshot());
    }
}
