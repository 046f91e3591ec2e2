//! What a pick is asked for and what it answers: requests, assignments and their reasons.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// What to assign: a conversation routed to a team.
///
/// ```
/// use handoff::assign::AssignRequest;
/// let req = AssignRequest::new("sales").with_skills(["de"]).with_skill_fallback(true)
///     .with_preferred("ana").with_priority(2);
/// assert_eq!(&*req.team, "sales");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// The team the conversation is routed to.
    pub team: Arc<str>,
    /// Skills the agent must hold (all of them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<Arc<str>>,
    /// When no eligible agent holds the skills, try the whole team.
    #[serde(default)]
    pub skill_fallback: bool,
    /// The agent to prefer (the contact's owner or last agent) when eligible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferred: Option<Arc<str>>,
    /// Priority for the waiting queue when nobody is eligible (higher goes first).
    #[serde(default)]
    pub priority: i32,
}

impl AssignRequest {
    /// A request for this team with no skills, no preference and priority 0.
    pub fn new(team: impl Into<Arc<str>>) -> Self {
        AssignRequest {
            team: team.into(),
            skills: Vec::new(),
            skill_fallback: false,
            preferred: None,
            priority: 0,
        }
    }

    /// Requiring these skills.
    pub fn with_skills<S: Into<Arc<str>>>(mut self, skills: impl IntoIterator<Item = S>) -> Self {
        self.skills = skills.into_iter().map(Into::into).collect();
        self
    }

    /// Allowing (or not) the whole team when nobody eligible holds the skills.
    pub fn with_skill_fallback(mut self, fallback: bool) -> Self {
        self.skill_fallback = fallback;
        self
    }

    /// Preferring this agent.
    pub fn with_preferred(mut self, agent: impl Into<Arc<str>>) -> Self {
        self.preferred = Some(agent.into());
        self
    }

    /// With this priority.
    pub fn with_priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }
}

/// A conversation waiting for an agent, as the host keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiting {
    /// The host's conversation id.
    pub id: Arc<str>,
    /// The team it was routed to.
    pub team: Arc<str>,
    /// Higher goes first.
    #[serde(default)]
    pub priority: i32,
    /// When it was queued, in any increasing unit the host chooses (a sequence number or
    /// a timestamp); smaller has waited longer.
    pub enqueued_at: u64,
    /// Skills the agent must hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<Arc<str>>,
    /// Whether an agent without the skills may take it.
    #[serde(default)]
    pub skill_fallback: bool,
}

impl Waiting {
    /// The waiting entry for a request that was queued.
    pub fn new(id: impl Into<Arc<str>>, request: &AssignRequest, enqueued_at: u64) -> Self {
        Waiting {
            id: id.into(),
            team: request.team.clone(),
            priority: request.priority,
            enqueued_at,
            skills: request.skills.clone(),
            skill_fallback: request.skill_fallback,
        }
    }
}

/// Who gets the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
#[non_exhaustive]
pub enum Assignment {
    /// An eligible agent got it.
    Assigned {
        /// The team the agent was picked from (a fallback team, if it came to that).
        team: Arc<str>,
        /// The agent.
        agent: Arc<str>,
        /// Why this agent.
        reason: AssignReason,
    },
    /// Nobody is eligible: the conversation waits in the team's queue.
    Queued {
        /// The requested team.
        team: Arc<str>,
        /// Why nobody got it.
        reason: QueueReason,
    },
}

impl Assignment {
    /// The agent, if assigned.
    pub fn agent(&self) -> Option<&str> {
        match self {
            Assignment::Assigned { agent, .. } => Some(agent),
            Assignment::Queued { .. } => None,
        }
    }

    /// The team (the one the agent came from, or the one it is queued for).
    pub fn team(&self) -> &str {
        match self {
            Assignment::Assigned { team, .. } | Assignment::Queued { team, .. } => team,
        }
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Assignment::Assigned {
                team,
                agent,
                reason,
            } => {
                write!(f, "assigned to {agent} in {team} ({:?}", reason.how)?;
                match reason.skills {
                    SkillMatch::Matched => f.write_str(", skills matched")?,
                    SkillMatch::Waived => f.write_str(", skills waived")?,
                    SkillMatch::NotRequired => {}
                }
                if let Some(from) = &reason.fallback_from {
                    write!(f, ", fallback from {from}")?;
                }
                f.write_str(")")
            }
            Assignment::Queued { team, reason } => write!(f, "queued for {team} ({reason:?})"),
        }
    }
}

/// Why an agent was picked.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AssignReason {
    /// Sticky preference or which policy.
    pub how: How,
    /// How required skills were treated.
    pub skills: SkillMatch,
    /// The requested team, when the agent came from a fallback team.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_from: Option<Arc<str>>,
}

/// What chose the agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum How {
    /// The preferred agent was eligible.
    Sticky,
    /// The team's round-robin rotation.
    RoundRobin,
    /// Fewest open conversations, then longest wait.
    Balanced,
    /// Smooth weighted round-robin.
    Weighted,
}

/// How required skills were treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkillMatch {
    /// The request required none.
    NotRequired,
    /// The agent holds all of them.
    Matched,
    /// Nobody eligible held them; the request allowed the whole team.
    Waived,
}

/// Why a conversation was queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum QueueReason {
    /// The requested team does not exist in the roster.
    UnknownTeam,
    /// The team (and its fallbacks) have no members.
    NoMembers,
    /// Every member is away or offline.
    NobodyAvailable,
    /// No available member holds the required skills.
    NoSkilledAgent,
    /// Every available (and skilled) member is at a cap.
    AtCapacity,
}
