//! Team assignment: once a decision routes a conversation to a team, pick the teammate
//! who gets it.
//!
//! A [`Roster`] (teams and agents, plain serde data the host keeps live) is compiled and
//! validated once; each pick then looks only at eligible agents: **available** (never
//! away or offline) and **below both caps** (the agent's own and the team's, on the
//! agent's total open conversations). Among them:
//!
//! - a **preferred** agent (the contact's owner or last agent) gets it when eligible
//!   ("sticky");
//! - otherwise the team's [`Policy`] decides: `round_robin` (a rotation that continues
//!   where it left off, skipping ineligible agents), `balanced` (fewest open
//!   conversations, ties to whoever has waited longest since their last assignment) or
//!   `weighted` (nginx-style smooth weighted round-robin: interleaved, proportional,
//!   deterministic);
//! - **required skills** restrict the candidates to agents holding all of them; with
//!   `skill_fallback` the whole team is tried next;
//! - when nobody in the team is eligible, its **fallback** team is tried (chains are
//!   followed; cycles, and chains of more than [`MAX_FALLBACK_CHAIN`] teams, are
//!   rejected when the roster is built);
//! - when nobody anywhere is eligible, the answer is [`Assignment::Queued`] with a
//!   reason. [`next_from_queue`] later tells an agent who freed up which waiting
//!   conversation is theirs: highest priority first, then longest waiting.
//!
//! State (rotation positions, WRR weights, and the logical assignment counter used for
//! "waited longest") lives in [`AssignState`], which serializes by id and restores
//! exactly. The pick is a pure function, [`pick`]`(roster, &state, &request) ->
//! (Assignment, StateChange)`, so hosts sharing state in their own database apply the
//! change and write it back with compare-and-swap. [`Assigner`] wraps all this behind a
//! mutex for in-process use and can track open counts itself so that concurrent callers
//! never push an agent over a cap.
//!
//! # Complexity
//! One pick is O(m) per team tried (m = its members; at most two passes per team when
//! skill fallback is on), plus O(log A + log T) id look-ups and O(k log S) for k required
//! skills. The hot path does not allocate (ids are `Arc<str>`, members are precomputed
//! indices, state is in vectors indexed by agent). [`next_from_queue`] is O(w · c · m)
//! for w waiting conversations. Compiling a roster is O(A log A + T · m) plus
//! O(T · c) for the fallback chains (c ≤ [`MAX_FALLBACK_CHAIN`]).
//!
//! # Example
//! ```
//! use handoff::assign::{Agent, AgentStatus, Assigner, Assignment, AssignRequest, Policy, Roster, Team};
//! use handoff::assign::{How, QueueReason};
//!
//! let roster = Roster::new()
//!     .with_team(Team::new("sales", Policy::Balanced).with_members(["ana", "bob", "cy"]).with_cap(2))
//!     .with_agent(Agent::new("ana").with_open(1))
//!     .with_agent(Agent::new("bob").with_skills(["de"]))
//!     .with_agent(Agent::new("cy").with_status(AgentStatus::Away));
//! let assigner = Assigner::builder().roster(roster).track_open(true).build().unwrap();
//!
//! // The returning customer's rep gets it while eligible.
//! let sticky = assigner.assign(&AssignRequest::new("sales").with_preferred("ana"));
//! assert!(matches!(&sticky, Assignment::Assigned { reason, .. } if reason.how == How::Sticky));
//! assert_eq!(sticky.agent(), Some("ana"));
//! // ana is now at the team cap of 2 and cy is away: bob gets the next two.
//! assert_eq!(assigner.open("ana"), Some(2));
//! assert_eq!(assigner.assign(&AssignRequest::new("sales")).agent(), Some("bob"));
//! let again = assigner.assign(&AssignRequest::new("sales").with_preferred("ana"));
//! assert_eq!(again.agent(), Some("bob"));
//! // Everyone available is at the cap: queued, never over it.
//! let queued = assigner.assign(&AssignRequest::new("sales"));
//! assert!(matches!(queued, Assignment::Queued { reason: QueueReason::AtCapacity, .. }));
//! // When bob closes one, he is the one who can take the next.
//! assert!(assigner.release("bob"));
//! assert_eq!(assigner.assign(&AssignRequest::new("sales")).agent(), Some("bob"));
//! ```

mod assigner;
mod layout;
mod pick;
mod request;
mod roster;
mod state;

pub use assigner::{Assigner, AssignerBuilder};
pub use pick::{next_from_queue, pick};
pub use request::{AssignReason, AssignRequest, Assignment, How, QueueReason, SkillMatch, Waiting};
pub use roster::{Agent, AgentStatus, CompiledRoster, Policy, Roster, Team, MAX_FALLBACK_CHAIN};
pub use state::{AssignState, StateChange};
