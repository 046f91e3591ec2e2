//! Assignment state (rotation positions, smooth-WRR weights, last-assignment order) and
//! the change a pick makes to it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::layout::Layout;
use super::roster::CompiledRoster;

/// Marks "no rotation position yet".
pub(crate) const NONE: u32 = u32::MAX;

/// The assigner's memory: the assignment sequence number, when each agent was last
/// assigned (in that sequence), each team's round-robin position and smooth-WRR current
/// weights.
///
/// It is plain data: serialize it (serde) to snapshot it, deserialize to restore it; a
/// restored state gives exactly the picks the original would have given. It is keyed by
/// agent and team ids, so it survives roster changes (new agents start as "never
/// assigned"; removed ones are dropped). Internally it is indexed like the roster it was
/// last bound to; [`AssignState::bind`] re-indexes it for another roster (picks do this
/// on the fly, more slowly, when needed).
///
/// A snapshot is host data and may hold any values: smooth-WRR current weights are
/// compared exactly (in 128 bits), and a weight a step would take past the `i64` range
/// stays at its bound, so no value makes a pick overflow or wrap. States that picks
/// produce stay far from the bounds (a team's current weights sum to zero).
///
/// ```
/// use handoff::assign::{Agent, AssignRequest, AssignState, Policy, Roster, Team};
/// use handoff::assign::pick;
/// let roster = Roster::new()
///     .with_team(Team::new("sales", Policy::RoundRobin).with_members(["ana", "bob"]))
///     .with_agent(Agent::new("ana"))
///     .with_agent(Agent::new("bob"))
///     .compile()
///     .unwrap();
/// let mut state = AssignState::new(&roster);
/// let (first, change) = pick(&roster, &state, &AssignRequest::new("sales"));
/// state.apply(&change);
/// let json = serde_json::to_string(&state).unwrap();
/// let restored: AssignState = serde_json::from_str(&json).unwrap();
/// let req = AssignRequest::new("sales");
/// assert_eq!(pick(&roster, &restored, &req).0, pick(&roster, &state, &req).0);
/// assert_eq!(first.agent(), Some("ana"));
/// assert_eq!(pick(&roster, &state, &req).0.agent(), Some("bob"));
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(try_from = "StateRepr", into = "StateRepr")]
pub struct AssignState {
    pub(crate) layout: Arc<Layout>,
    pub(crate) seq: u64,
    /// Per agent: sequence number of their last assignment, 0 = never.
    pub(crate) last: Vec<u64>,
    /// Per team: member position of the last round-robin pick, or NONE.
    pub(crate) rr_last: Vec<u32>,
    /// Per member slot: smooth-WRR current weight.
    pub(crate) weights: Vec<i64>,
}

impl Default for AssignState {
    fn default() -> Self {
        AssignState::with_layout(Arc::new(Layout::default()), 0)
    }
}

impl PartialEq for AssignState {
    /// Equal when they hold the same data by id, whatever their internal indexing.
    fn eq(&self, other: &Self) -> bool {
        StateRepr::from(self.clone()) == StateRepr::from(other.clone())
    }
}

impl Eq for AssignState {}

impl AssignState {
    /// A fresh state for this roster: nobody assigned yet, rotations at the start.
    pub fn new(roster: &CompiledRoster) -> Self {
        AssignState::with_layout(roster.topo.layout.clone(), 0)
    }

    fn with_layout(layout: Arc<Layout>, seq: u64) -> Self {
        AssignState {
            seq,
            last: vec![0; layout.agents.len()],
            rr_last: vec![NONE; layout.teams.len()],
            weights: vec![0; layout.slots],
            layout,
        }
    }

    /// Number of assignments recorded so far (the logical clock used for "waited longest").
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The sequence number of an agent's last assignment, or None if never assigned (or
    /// unknown to this state).
    pub fn last_assigned(&self, agent: &str) -> Option<u64> {
        let i = self.layout.agents.iter().position(|a| &**a == agent)?;
        Some(self.last[i]).filter(|&s| s != 0)
    }

    /// Re-indexes the state for this roster (by id). Cheap when already bound to it.
    pub fn bind(&mut self, roster: &CompiledRoster) {
        let to = &roster.topo.layout;
        if !self.is_bound_to(to) {
            *self = self.rebound(to);
        } else if !Arc::ptr_eq(&self.layout, to) {
            self.layout = to.clone();
        }
    }

    /// Applies the change a [`pick`](super::pick) or
    /// [`next_from_queue`](super::next_from_queue) computed.
    pub fn apply(&mut self, change: &StateChange) {
        let Some(agent) = change.agent else { return };
        if !self.is_bound_to(&change.layout) {
            *self = self.rebound(&change.layout);
        }
        self.seq = change.seq;
        self.last[agent as usize] = change.seq;
        if let Some((team, pos)) = change.rotation {
            self.rr_last[team as usize] = pos;
        }
        if let Some((team, weights)) = &change.weights {
            let s = self.layout.slot0[*team as usize];
            self.weights[s..s + weights.len()].copy_from_slice(weights);
        }
    }

    pub(crate) fn is_bound_to(&self, layout: &Arc<Layout>) -> bool {
        Arc::ptr_eq(&self.layout, layout) || *self.layout == **layout
    }

    /// A copy of this state indexed by `to`, matching agents and teams by id.
    pub(crate) fn rebound(&self, to: &Arc<Layout>) -> AssignState {
        let from = &*self.layout;
        let mut out = AssignState::with_layout(to.clone(), self.seq);
        let agents: BTreeMap<&str, usize> = from
            .agents
            .iter()
            .enumerate()
            .map(|(i, a)| (&**a, i))
            .collect();
        for (i, id) in to.agents.iter().enumerate() {
            if let Some(&j) = agents.get(&**id) {
                out.last[i] = self.last[j];
            }
        }
        let teams: BTreeMap<&str, usize> = from
            .teams
            .iter()
            .enumerate()
            .map(|(i, t)| (&**t, i))
            .collect();
        for (t, id) in to.teams.iter().enumerate() {
            let Some(&ft) = teams.get(&**id) else {
                continue;
            };
            let old: BTreeMap<&str, usize> = from.members[ft]
                .iter()
                .enumerate()
                .map(|(pos, &a)| (&*from.agents[a as usize], pos))
                .collect();
            let rr_agent = match self.rr_last[ft] {
                NONE => None,
                p => from.members[ft]
                    .get(p as usize)
                    .map(|&a| &*from.agents[a as usize]),
            };
            for (pos, &a) in to.members[t].iter().enumerate() {
                let id = &*to.agents[a as usize];
                if let Some(&op) = old.get(id) {
                    out.weights[to.slot0[t] + pos] = self.weights[from.slot0[ft] + op];
                }
                if rr_agent == Some(id) {
                    out.rr_last[t] = pos as u32;
                }
            }
        }
        out
    }
}

/// What one pick changes in an [`AssignState`]: returned by the pure
/// [`pick`](super::pick) so that hosts sharing state through a database can apply it to
/// the state they read and write it back with compare-and-swap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateChange {
    pub(crate) layout: Arc<Layout>,
    pub(crate) seq: u64,
    pub(crate) agent: Option<u32>,
    pub(crate) rotation: Option<(u32, u32)>,
    pub(crate) weights: Option<(u32, Box<[i64]>)>,
}

impl StateChange {
    pub(crate) fn none(layout: &Arc<Layout>) -> Self {
        StateChange {
            layout: layout.clone(),
            seq: 0,
            agent: None,
            rotation: None,
            weights: None,
        }
    }

    /// True when the pick changed nothing (the conversation was queued).
    pub fn is_empty(&self) -> bool {
        self.agent.is_none()
    }
}

/// The serialized form of an [`AssignState`], keyed by id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateRepr {
    seq: u64,
    #[serde(default)]
    last_assigned: BTreeMap<String, u64>,
    #[serde(default)]
    teams: BTreeMap<String, TeamRepr>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TeamRepr {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rotation_after: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    weights: BTreeMap<String, i64>,
}

impl From<AssignState> for StateRepr {
    fn from(state: AssignState) -> Self {
        let l = &*state.layout;
        let last_assigned = l
            .agents
            .iter()
            .zip(&state.last)
            .filter(|(_, &s)| s != 0)
            .map(|(a, &s)| (a.to_string(), s))
            .collect();
        let mut teams = BTreeMap::new();
        for (t, id) in l.teams.iter().enumerate() {
            let members = &l.members[t];
            let rotation_after = match state.rr_last[t] {
                NONE => None,
                p => members
                    .get(p as usize)
                    .map(|&a| l.agents[a as usize].to_string()),
            };
            let weights: BTreeMap<String, i64> = members
                .iter()
                .enumerate()
                .map(|(pos, &a)| (&l.agents[a as usize], state.weights[l.slot0[t] + pos]))
                .filter(|(_, w)| *w != 0)
                .map(|(a, w)| (a.to_string(), w))
                .collect();
            if rotation_after.is_some() || !weights.is_empty() {
                teams.insert(
                    id.to_string(),
                    TeamRepr {
                        rotation_after,
                        weights,
                    },
                );
            }
        }
        StateRepr {
            seq: state.seq,
            last_assigned,
            teams,
        }
    }
}

impl TryFrom<StateRepr> for AssignState {
    type Error = String;

    fn try_from(repr: StateRepr) -> Result<Self, String> {
        let mut ids: BTreeSet<&str> = repr.last_assigned.keys().map(|k| k.as_str()).collect();
        for (agent, &s) in &repr.last_assigned {
            if s > repr.seq {
                return Err(format!(
                    "last_assigned[{agent:?}]: {s} is greater than seq {}",
                    repr.seq
                ));
            }
        }
        for team in repr.teams.values() {
            ids.extend(team.weights.keys().map(|k| k.as_str()));
            ids.extend(team.rotation_after.as_deref());
        }
        let agents: Vec<Arc<str>> = ids.iter().map(|&a| Arc::from(a)).collect();
        // Every id looked up below was collected into `agents` above.
        let index = |agents: &[Arc<str>], id: &str| {
            agents.binary_search_by(|a| (**a).cmp(id)).unwrap_or(0) as u32
        };
        let mut members = Vec::with_capacity(repr.teams.len());
        for team in repr.teams.values() {
            let mut m: BTreeSet<&str> = team.weights.keys().map(|k| k.as_str()).collect();
            m.extend(team.rotation_after.as_deref());
            members.push(
                m.into_iter()
                    .map(|id| index(&agents, id))
                    .collect::<Vec<u32>>(),
            );
        }
        let teams: Vec<Arc<str>> = repr.teams.keys().map(|t| Arc::from(t.as_str())).collect();
        let layout = Arc::new(Layout::new(agents, teams, members));
        let mut state = AssignState::with_layout(layout.clone(), repr.seq);
        for (agent, &s) in &repr.last_assigned {
            state.last[index(&layout.agents, agent) as usize] = s;
        }
        for (t, team) in repr.teams.values().enumerate() {
            for (pos, &a) in layout.members[t].iter().enumerate() {
                let id = &*layout.agents[a as usize];
                if let Some(&w) = team.weights.get(id) {
                    state.weights[layout.slot0[t] + pos] = w;
                }
                if team.rotation_after.as_deref() == Some(id) {
                    state.rr_last[t] = pos as u32;
                }
            }
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assign::{pick, Agent, AssignRequest, Policy, Roster, Team};

    #[test]
    fn rebind_maps_by_id() {
        let old = Roster::new()
            .with_team(Team::new("w", Policy::Weighted).with_members(["x", "y", "z"]))
            .with_team(Team::new("r", Policy::RoundRobin).with_members(["x", "y", "z"]))
            .with_agent(Agent::new("x").with_weight(3))
            .with_agent(Agent::new("y"))
            .with_agent(Agent::new("z"))
            .compile()
            .unwrap();
        let mut state = AssignState::new(&old);
        for team in ["w", "w", "r", "r"] {
            let (_, change) = pick(&old, &state, &AssignRequest::new(team));
            state.apply(&change);
        }
        // w (3,1,1): x then y, leaving weights 1,-3,2. r: x then y.
        assert_eq!(state.last_assigned("x"), Some(3));
        assert_eq!(state.last_assigned("y"), Some(4));
        let before = StateRepr::from(state.clone());
        assert_eq!(before.teams["r"].rotation_after.as_deref(), Some("y"));
        assert_eq!(before.teams["w"].weights["x"], 1);
        assert_eq!(before.teams["w"].weights["y"], -3);
        assert_eq!(before.teams["w"].weights["z"], 2);

        // New roster: teams and agents reordered, z removed, q added.
        let new = Roster::new()
            .with_team(Team::new("r", Policy::RoundRobin).with_members(["q", "y", "x"]))
            .with_team(Team::new("w", Policy::Weighted).with_members(["y", "q", "x"]))
            .with_agent(Agent::new("q"))
            .with_agent(Agent::new("y"))
            .with_agent(Agent::new("x").with_weight(3))
            .compile()
            .unwrap();
        let mut moved = state.clone();
        moved.bind(&new);
        assert!(Arc::ptr_eq(&moved.layout, &new.topo.layout));
        let after = StateRepr::from(moved.clone());
        assert_eq!(after.seq, 4);
        assert_eq!(after.last_assigned.get("x"), Some(&3));
        assert_eq!(after.last_assigned.get("q"), None);
        assert_eq!(after.teams["r"].rotation_after.as_deref(), Some("y"));
        assert_eq!(
            after.teams["w"].weights.get("x"),
            before.teams["w"].weights.get("x")
        );
        assert_eq!(
            after.teams["w"].weights.get("y"),
            before.teams["w"].weights.get("y")
        );
        assert!(!after.teams["w"].weights.contains_key("z"));
        // Rotation continues after y: x is next in the new member order.
        let (got, _) = pick(&new, &moved, &AssignRequest::new("r"));
        assert_eq!(got.agent(), Some("x"));
    }

    #[test]
    fn apply_rebinds_an_unbound_state_and_empty_change_is_noop() {
        let roster = Roster::new()
            .with_team(Team::new("t", Policy::Balanced).with_members(["x"]))
            .with_agent(Agent::new("x"))
            .compile()
            .unwrap();
        let mut state = AssignState::default();
        let queued = StateChange::none(&roster.topo.layout);
        state.apply(&queued);
        assert_eq!(state.seq(), 0);
        let (_, change) = pick(&roster, &state, &AssignRequest::new("t"));
        state.apply(&change);
        assert_eq!((state.seq(), state.last_assigned("x")), (1, Some(1)));
        assert!(Arc::ptr_eq(&state.layout, &roster.topo.layout));
    }
}
