//! The in-process assigner: roster, state and (optionally) open counts behind one mutex.

use std::sync::{Mutex, MutexGuard};

use super::pick::next_from_queue;
use super::pick::{commit, select, to_assignment, Selection, StateRef};
use super::request::{AssignRequest, Assignment, Waiting};
use super::roster::{Agent, AgentStatus, CompiledRoster, Roster, Team};
use super::state::AssignState;
use crate::error::BuildError;

/// Assigns conversations to teammates, in process. `Send + Sync`: every call takes one
/// short mutex (no threads of its own), so picks and open-count updates are atomic with
/// respect to each other and concurrent callers can never push an agent over a cap.
///
/// With [`AssignerBuilder::track_open`], [`Assigner::assign`] (and
/// [`Assigner::next_from_queue`]) increment the chosen agent's open count and
/// [`Assigner::release`] decrements it; otherwise the host reports counts with
/// [`Assigner::set_open`].
///
/// ```
/// use handoff::assign::{Agent, Assigner, AssignRequest, Policy, Team};
/// let assigner = Assigner::builder()
///     .team(Team::new("support", Policy::RoundRobin).with_members(["ana", "bob"]))
///     .agent(Agent::new("ana"))
///     .agent(Agent::new("bob"))
///     .build()
///     .unwrap();
/// let req = AssignRequest::new("support");
/// let picks: Vec<_> = (0..4).map(|_| assigner.assign(&req).agent().unwrap().to_string()).collect();
/// assert_eq!(picks, ["ana", "bob", "ana", "bob"]);
/// ```
#[derive(Debug)]
pub struct Assigner {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    roster: CompiledRoster,
    state: AssignState,
    track_open: bool,
}

/// Builds an [`Assigner`]; see [`Assigner::builder`].
#[derive(Clone, Debug, Default)]
pub struct AssignerBuilder {
    roster: Roster,
    state: Option<AssignState>,
    track_open: bool,
}

impl AssignerBuilder {
    /// Replaces the whole roster.
    pub fn roster(&mut self, roster: Roster) -> &mut Self {
        self.roster = roster;
        self
    }

    /// Adds a team.
    pub fn team(&mut self, team: Team) -> &mut Self {
        self.roster.teams.push(team);
        self
    }

    /// Adds an agent.
    pub fn agent(&mut self, agent: Agent) -> &mut Self {
        self.roster.agents.push(agent);
        self
    }

    /// Starts from a snapshot (by default, a fresh state).
    pub fn state(&mut self, state: AssignState) -> &mut Self {
        self.state = Some(state);
        self
    }

    /// Whether the assigner counts open conversations itself (default false).
    pub fn track_open(&mut self, track: bool) -> &mut Self {
        self.track_open = track;
        self
    }

    /// Validates the roster (paths like `teams[0].members[2]: unknown agent "bob"`).
    pub fn build(&self) -> Result<Assigner, BuildError> {
        let roster = self.roster.compile()?;
        let mut state = self.state.clone().unwrap_or_default();
        state.bind(&roster);
        Ok(Assigner {
            inner: Mutex::new(Inner {
                roster,
                state,
                track_open: self.track_open,
            }),
        })
    }
}

impl Assigner {
    /// A builder with an empty roster.
    pub fn builder() -> AssignerBuilder {
        AssignerBuilder::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while the lock is held; recover rather than propagate anyway.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Picks who gets a conversation and records it (state, and open count if tracked).
    pub fn assign(&self, request: &AssignRequest) -> Assignment {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let (sel, need) = select(&inner.roster, StateRef::Write(&mut inner.state), request);
        if let Selection::Assigned(c) = &sel {
            commit(&inner.roster, &mut inner.state, c, &need);
            if inner.track_open {
                let open = inner.roster.open[c.agent].saturating_add(1);
                inner.roster.set_open_at(c.agent, open);
            }
        }
        to_assignment(&inner.roster, request, &sel)
    }

    /// One conversation of this agent closed: decrements their open count. False if the
    /// agent is unknown or had none open.
    pub fn release(&self, agent: &str) -> bool {
        let mut inner = self.lock();
        match inner.roster.topo.agent_index(agent) {
            Some(a) if inner.roster.open[a] > 0 => {
                let open = inner.roster.open[a] - 1;
                inner.roster.set_open_at(a, open);
                true
            }
            _ => false,
        }
    }

    /// Which of the `waiting` conversations this agent gets now (see
    /// [`next_from_queue`](super::next_from_queue)); records the assignment like
    /// [`Assigner::assign`]. Returns the index into `waiting`.
    pub fn next_from_queue(&self, agent: &str, waiting: &[Waiting]) -> Option<usize> {
        let mut guard = self.lock();
        let inner = &mut *guard;
        let (i, change) = next_from_queue(&inner.roster, &inner.state, agent, waiting)?;
        inner.state.apply(&change);
        if inner.track_open {
            if let Some(a) = change.agent {
                let a = a as usize;
                let open = inner.roster.open[a].saturating_add(1);
                inner.roster.set_open_at(a, open);
            }
        }
        Some(i)
    }

    /// Marks an agent available, away or offline. False if there is no such agent.
    pub fn update_agent_status(&self, agent: &str, status: AgentStatus) -> bool {
        self.lock().roster.set_status(agent, status)
    }

    /// Sets an agent's open count. False if there is no such agent.
    pub fn set_open(&self, agent: &str, open: u32) -> bool {
        self.lock().roster.set_open(agent, open)
    }

    /// An agent's open count, if the agent exists.
    pub fn open(&self, agent: &str) -> Option<u32> {
        self.lock().roster.open(agent)
    }

    /// Replaces the roster (statuses and open counts included). The state carries over
    /// by id: rotations, weights and last-assignment order of agents and teams that remain.
    pub fn replace_roster(&self, roster: &Roster) -> Result<(), BuildError> {
        let compiled = roster.compile()?;
        let mut inner = self.lock();
        inner.state.bind(&compiled);
        inner.roster = compiled;
        Ok(())
    }

    /// The roster as it is now, with live statuses and open counts.
    pub fn roster(&self) -> Roster {
        self.lock().roster.to_roster()
    }

    /// A snapshot of the state (serialize it to store it).
    pub fn snapshot(&self) -> AssignState {
        self.lock().state.clone()
    }

    /// Restores a snapshot; later picks are those the snapshotted assigner would make.
    pub fn restore(&self, state: AssignState) {
        let mut inner = self.lock();
        let mut state = state;
        state.bind(&inner.roster);
        inner.state = state;
    }
}
