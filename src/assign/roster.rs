//! Roster configuration (serde data) and its compiled, validated, indexed form.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::layout::Layout;
use crate::error::{BuildError, ErrorKind, Expected, Item};

/// Whether an agent can take new conversations right now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AgentStatus {
    /// Online and taking conversations.
    #[default]
    Available,
    /// Signed in but away (lunch, meeting): never assigned.
    Away,
    /// Signed out: never assigned.
    Offline,
}

/// How a team picks among its eligible members.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Policy {
    /// A per-team rotation that continues where it left off and skips agents who are not
    /// eligible (not available, at a cap, missing a required skill).
    RoundRobin,
    /// Fewest open conversations; ties go to the agent who has waited longest since
    /// their last assignment (then to member order).
    Balanced,
    /// Smooth weighted round-robin (nginx style): picks interleave in proportion to the
    /// agents' weights; ties go to member order.
    Weighted,
}

/// One teammate, as the host sees them now.
///
/// ```
/// use handoff::assign::{Agent, AgentStatus};
/// let ana = Agent::new("ana").with_cap(3).with_skills(["enterprise", "de"]);
/// assert_eq!(ana.status, AgentStatus::Available);
/// assert_eq!(ana.weight, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// Unique id of the agent.
    pub id: Arc<str>,
    /// Whether they take conversations now (default `available`).
    #[serde(default)]
    pub status: AgentStatus,
    /// Conversations they currently have open, across all teams (default 0).
    #[serde(default)]
    pub open: u32,
    /// Their own limit of open conversations (none by default). A cap of 0 means they
    /// take no new conversations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
    /// Skills they hold (`enterprise`, `de`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<Arc<str>>,
    /// Share of assignments under [`Policy::Weighted`] (default 1, must be >= 1).
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

impl Agent {
    /// An available agent with no open conversations, no cap, no skills and weight 1.
    pub fn new(id: impl Into<Arc<str>>) -> Self {
        Agent {
            id: id.into(),
            status: AgentStatus::Available,
            open: 0,
            cap: None,
            skills: Vec::new(),
            weight: 1,
        }
    }

    /// With this status.
    pub fn with_status(mut self, status: AgentStatus) -> Self {
        self.status = status;
        self
    }

    /// With this many open conversations.
    pub fn with_open(mut self, open: u32) -> Self {
        self.open = open;
        self
    }

    /// With this personal cap.
    pub fn with_cap(mut self, cap: u32) -> Self {
        self.cap = Some(cap);
        self
    }

    /// With these skills.
    pub fn with_skills<S: Into<Arc<str>>>(mut self, skills: impl IntoIterator<Item = S>) -> Self {
        self.skills = skills.into_iter().map(Into::into).collect();
        self
    }

    /// With this weight.
    pub fn with_weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }
}

/// A team that conversations are routed to.
///
/// ```
/// use handoff::assign::{Policy, Team};
/// let sales = Team::new("sales", Policy::Balanced)
///     .with_members(["ana", "bob"])
///     .with_cap(5)
///     .with_fallback("support");
/// assert_eq!(sales.members.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    /// Unique id of the team (what a flow's route names).
    pub id: Arc<str>,
    /// Agent ids, in rotation order.
    #[serde(default)]
    pub members: Vec<Arc<str>>,
    /// How the team picks among eligible members.
    pub policy: Policy,
    /// Limit of open conversations per agent when assigning for this team (none by
    /// default). It applies to the agent's total open count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<u32>,
    /// Team to try when nobody here is eligible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Arc<str>>,
}

impl Team {
    /// A team with no members, no cap and no fallback.
    pub fn new(id: impl Into<Arc<str>>, policy: Policy) -> Self {
        Team {
            id: id.into(),
            members: Vec::new(),
            policy,
            cap: None,
            fallback: None,
        }
    }

    /// With these members, in rotation order.
    pub fn with_members<S: Into<Arc<str>>>(mut self, members: impl IntoIterator<Item = S>) -> Self {
        self.members = members.into_iter().map(Into::into).collect();
        self
    }

    /// With this per-agent cap.
    pub fn with_cap(mut self, cap: u32) -> Self {
        self.cap = Some(cap);
        self
    }

    /// With this fallback team.
    pub fn with_fallback(mut self, team: impl Into<Arc<str>>) -> Self {
        self.fallback = Some(team.into());
        self
    }
}

/// The live view of teams and agents that the host passes in. Plain data; compile it
/// with [`Roster::compile`] (or hand it to [`Assigner::builder`](super::Assigner::builder))
/// to validate it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// The teams.
    #[serde(default)]
    pub teams: Vec<Team>,
    /// The agents.
    #[serde(default)]
    pub agents: Vec<Agent>,
}

impl Roster {
    /// An empty roster.
    pub fn new() -> Self {
        Roster::default()
    }

    /// With this team added.
    pub fn with_team(mut self, team: Team) -> Self {
        self.teams.push(team);
        self
    }

    /// With this agent added.
    pub fn with_agent(mut self, agent: Agent) -> Self {
        self.agents.push(agent);
        self
    }

    /// Validates and indexes the roster.
    ///
    /// Errors name the offending item: `agents[1].id: duplicate id "ana"`,
    /// `agents[2].weight: 0 is out of range (expected >= 1)`,
    /// `teams[0].members[2]: unknown agent "bob"`, `teams[1].fallback: unknown team "x"`,
    /// `teams[0].fallback: fallback cycle "sales" -> "support" -> "sales"`.
    pub fn compile(&self) -> Result<CompiledRoster, BuildError> {
        Topology::build(self).map(|topo| {
            let mut roster = CompiledRoster {
                status: self.agents.iter().map(|a| a.status).collect(),
                open: self.agents.iter().map(|a| a.open).collect(),
                gate: vec![0; self.agents.len()],
                topo: Arc::new(topo),
            };
            for a in 0..roster.gate.len() {
                roster.refresh(a);
            }
            roster
        })
    }
}

/// A validated roster indexed for allocation-free picks, with the live part (status and
/// open count of every agent) updatable in place. Cloning copies the live part and shares
/// the rest.
#[derive(Clone, Debug)]
pub struct CompiledRoster {
    pub(crate) topo: Arc<Topology>,
    pub(crate) status: Vec<AgentStatus>,
    pub(crate) open: Vec<u32>,
    /// Per agent: the open count when available, u32::MAX otherwise, so that one
    /// comparison against a cap (<= u32::MAX) decides both availability and capacity.
    pub(crate) gate: Vec<u32>,
}

impl CompiledRoster {
    /// Sets an agent's status; false if there is no such agent.
    pub fn set_status(&mut self, agent: &str, status: AgentStatus) -> bool {
        match self.topo.agent_index(agent) {
            Some(a) => {
                self.status[a] = status;
                self.refresh(a);
                true
            }
            None => false,
        }
    }

    /// Sets an agent's open count; false if there is no such agent.
    pub fn set_open(&mut self, agent: &str, open: u32) -> bool {
        match self.topo.agent_index(agent) {
            Some(a) => {
                self.set_open_at(a, open);
                true
            }
            None => false,
        }
    }

    pub(crate) fn set_open_at(&mut self, a: usize, open: u32) {
        self.open[a] = open;
        self.refresh(a);
    }

    fn refresh(&mut self, a: usize) {
        self.gate[a] = if self.status[a] == AgentStatus::Available {
            self.open[a]
        } else {
            u32::MAX
        };
    }

    /// An agent's status, if the agent exists.
    pub fn status(&self, agent: &str) -> Option<AgentStatus> {
        self.topo.agent_index(agent).map(|a| self.status[a])
    }

    /// An agent's open count, if the agent exists.
    pub fn open(&self, agent: &str) -> Option<u32> {
        self.topo.agent_index(agent).map(|a| self.open[a])
    }

    /// Agent ids in roster order.
    pub fn agent_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.topo.layout.agents.iter().map(|a| &**a)
    }

    /// The roster as data, with the current statuses and open counts.
    pub fn to_roster(&self) -> Roster {
        let mut roster = self.topo.source.clone();
        for (i, agent) in roster.agents.iter_mut().enumerate() {
            agent.status = self.status[i];
            agent.open = self.open[i];
        }
        roster
    }
}

/// The immutable, indexed part of a compiled roster.
#[derive(Debug)]
pub(crate) struct Topology {
    pub(crate) layout: Arc<Layout>,
    source: Roster,
    agent_lookup: Vec<(Arc<str>, u32)>,
    team_lookup: Vec<(Arc<str>, u32)>,
    skill_lookup: Vec<(Arc<str>, u32)>,
    pub(crate) skill_words: usize,
    skill_bits: Vec<u64>,
    pub(crate) teams: Vec<TeamInfo>,
}

/// A team, indexed: member agent indices with their effective caps.
#[derive(Debug)]
pub(crate) struct TeamInfo {
    pub(crate) policy: Policy,
    pub(crate) members: Vec<u32>,
    /// min(agent cap, team cap) per member position; u32::MAX when neither is set.
    pub(crate) caps: Vec<u32>,
    /// Agent weight per member position.
    pub(crate) weights: Vec<i64>,
    /// This team, then its fallback, then that one's fallback ... (no repeats).
    pub(crate) chain: Vec<u32>,
    /// Offset of this team's members in the per-member state vectors.
    pub(crate) slot0: usize,
}

impl TeamInfo {
    pub(crate) fn position(&self, agent: usize) -> Option<usize> {
        self.members.iter().position(|&m| m as usize == agent)
    }
}

/// Checks one agent on its own; paths are relative to it.
fn check_agent(agent: &Agent) -> Result<(), BuildError> {
    if agent.id.is_empty() {
        return Err(BuildError::new("id", ErrorKind::Empty));
    }
    if agent.weight == 0 {
        return Err(BuildError::new(
            "weight",
            ErrorKind::OutOfRange {
                value: "0".into(),
                expected: Expected::AtLeast(1.0),
            },
        ));
    }
    match agent.skills.iter().position(|s| s.is_empty()) {
        Some(j) => Err(BuildError::new(format!("skills[{j}]"), ErrorKind::Empty)),
        None => Ok(()),
    }
}

fn lookup(table: &[(Arc<str>, u32)], id: &str) -> Option<usize> {
    table
        .binary_search_by(|(k, _)| (**k).cmp(id))
        .ok()
        .map(|i| table[i].1 as usize)
}

fn sorted_lookup(ids: &[Arc<str>]) -> Vec<(Arc<str>, u32)> {
    let mut table: Vec<(Arc<str>, u32)> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i as u32))
        .collect();
    table.sort();
    table
}

impl Topology {
    pub(crate) fn agent_index(&self, id: &str) -> Option<usize> {
        lookup(&self.agent_lookup, id)
    }

    pub(crate) fn team_index(&self, id: &str) -> Option<usize> {
        lookup(&self.team_lookup, id)
    }

    pub(crate) fn skill_index(&self, id: &str) -> Option<usize> {
        lookup(&self.skill_lookup, id)
    }

    #[inline]
    pub(crate) fn agent_skills(&self, agent: usize) -> &[u64] {
        let w = self.skill_words;
        &self.skill_bits[agent * w..(agent + 1) * w]
    }

    fn build(roster: &Roster) -> Result<Topology, BuildError> {
        let AgentIndex {
            ids: agent_ids,
            skills,
            skill_order,
        } = index_agents(roster)?;
        let skill_words = skill_order.len().div_ceil(64);
        let skill_bits = skill_bitsets(roster, &skills, skill_words);
        let team_ids = index_teams(roster)?;
        let (mut teams, fallbacks) = team_infos(roster, &agent_ids, &team_ids)?;
        fill_fallback_chains(roster, &mut teams, &fallbacks)?;

        let agents: Vec<Arc<str>> = roster.agents.iter().map(|a| a.id.clone()).collect();
        let team_names: Vec<Arc<str>> = roster.teams.iter().map(|t| t.id.clone()).collect();
        let layout = Layout::new(
            agents.clone(),
            team_names.clone(),
            teams.iter().map(|t| t.members.clone()).collect(),
        );
        Ok(Topology {
            layout: Arc::new(layout),
            source: roster.clone(),
            agent_lookup: sorted_lookup(&agents),
            team_lookup: sorted_lookup(&team_names),
            skill_lookup: sorted_lookup(&skill_order),
            skill_words,
            skill_bits,
            teams,
        })
    }
}

/// The agents indexed by id, and the skills numbered in first-seen order.
struct AgentIndex<'r> {
    ids: BTreeMap<&'r str, usize>,
    skills: BTreeMap<Arc<str>, u32>,
    skill_order: Vec<Arc<str>>,
}

/// Checks the agents and indexes them by id; numbers the skills in first-seen order.
fn index_agents(roster: &Roster) -> Result<AgentIndex<'_>, BuildError> {
    if roster.agents.len() > u32::MAX as usize {
        return Err(BuildError::new(
            "agents",
            ErrorKind::TooMany {
                limit: u32::MAX as usize,
                actual: roster.agents.len(),
            },
        ));
    }
    let mut agent_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut skills: BTreeMap<Arc<str>, u32> = BTreeMap::new();
    let mut skill_order: Vec<Arc<str>> = Vec::new();
    for (i, agent) in roster.agents.iter().enumerate() {
        check_agent(agent).map_err(|e| e.within(&format!("agents[{i}]")))?;
        if agent_ids.insert(&agent.id, i).is_some() {
            return Err(BuildError::new(
                format!("agents[{i}].id"),
                ErrorKind::Duplicate {
                    id: agent.id.to_string(),
                },
            ));
        }
        for skill in &agent.skills {
            if !skills.contains_key(skill) {
                skills.insert(skill.clone(), skill_order.len() as u32);
                skill_order.push(skill.clone());
            }
        }
    }
    Ok(AgentIndex {
        ids: agent_ids,
        skills,
        skill_order,
    })
}

/// Each agent's skills as a bitset of `skill_words` words.
fn skill_bitsets(
    roster: &Roster,
    skills: &BTreeMap<Arc<str>, u32>,
    skill_words: usize,
) -> Vec<u64> {
    let mut skill_bits = vec![0u64; skill_words * roster.agents.len()];
    for (i, agent) in roster.agents.iter().enumerate() {
        for skill in &agent.skills {
            let b = skills[skill] as usize;
            skill_bits[i * skill_words + b / 64] |= 1 << (b % 64);
        }
    }
    skill_bits
}

/// Checks the team ids and indexes them.
fn index_teams(roster: &Roster) -> Result<BTreeMap<&str, usize>, BuildError> {
    // Team ids first, so fallbacks may name later teams.
    let mut team_ids: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, team) in roster.teams.iter().enumerate() {
        if team.id.is_empty() {
            return Err(BuildError::new(format!("teams[{i}].id"), ErrorKind::Empty));
        }
        if team_ids.insert(&team.id, i).is_some() {
            return Err(BuildError::new(
                format!("teams[{i}].id"),
                ErrorKind::Duplicate {
                    id: team.id.to_string(),
                },
            ));
        }
    }
    Ok(team_ids)
}

/// Each team's members, caps and weights, and the team its `fallback` names.
fn team_infos(
    roster: &Roster,
    agent_ids: &BTreeMap<&str, usize>,
    team_ids: &BTreeMap<&str, usize>,
) -> Result<(Vec<TeamInfo>, Vec<Option<usize>>), BuildError> {
    let mut teams = Vec::with_capacity(roster.teams.len());
    let mut fallbacks = Vec::with_capacity(roster.teams.len());
    let mut slot0 = 0usize;
    for (i, team) in roster.teams.iter().enumerate() {
        let mut members = Vec::with_capacity(team.members.len());
        let mut caps = Vec::with_capacity(team.members.len());
        for (j, member) in team.members.iter().enumerate() {
            let Some(&a) = agent_ids.get(&**member) else {
                return Err(BuildError::new(
                    format!("teams[{i}].members[{j}]"),
                    ErrorKind::Unknown {
                        what: Item::Agent,
                        name: member.to_string(),
                    },
                ));
            };
            if members.contains(&(a as u32)) {
                return Err(BuildError::new(
                    format!("teams[{i}].members[{j}]"),
                    ErrorKind::Duplicate {
                        id: member.to_string(),
                    },
                ));
            }
            members.push(a as u32);
            let own = roster.agents[a].cap.unwrap_or(u32::MAX);
            caps.push(own.min(team.cap.unwrap_or(u32::MAX)));
        }
        let fallback = match &team.fallback {
            None => None,
            Some(f) => match team_ids.get(&**f) {
                Some(&t) => Some(t),
                None => {
                    return Err(BuildError::new(
                        format!("teams[{i}].fallback"),
                        ErrorKind::Unknown {
                            what: Item::Team,
                            name: f.to_string(),
                        },
                    ))
                }
            },
        };
        fallbacks.push(fallback);
        let len = members.len();
        teams.push(TeamInfo {
            policy: team.policy,
            weights: members
                .iter()
                .map(|&a| i64::from(roster.agents[a as usize].weight))
                .collect(),
            members,
            caps,
            chain: Vec::new(),
            slot0,
        });
        slot0 += len;
    }
    Ok((teams, fallbacks))
}

/// The most teams a fallback chain may hold (the team itself, its fallback, that one's
/// fallback...): a longer chain is a build error at the first team whose chain is too
/// long. It bounds a pick, which tries each team of the chain, and the chains kept.
pub const MAX_FALLBACK_CHAIN: usize = 32;

/// Follows each team's fallbacks into its chain; a fallback that loops, or a chain of
/// more than [`MAX_FALLBACK_CHAIN`] teams, is an error. Near-linear: each team's chain
/// length is found once (teams already measured are not walked again), and chains are
/// then copied out at most [`MAX_FALLBACK_CHAIN`] long each.
fn fill_fallback_chains(
    roster: &Roster,
    teams: &mut [TeamInfo],
    fallbacks: &[Option<usize>],
) -> Result<(), BuildError> {
    let lengths = chain_lengths(roster, fallbacks)?;
    for (i, team) in teams.iter_mut().enumerate() {
        if lengths[i] > MAX_FALLBACK_CHAIN {
            return Err(BuildError::new(
                format!("teams[{i}].fallback"),
                ErrorKind::TooMany {
                    limit: MAX_FALLBACK_CHAIN,
                    actual: lengths[i],
                },
            ));
        }
        let mut chain = Vec::with_capacity(lengths[i]);
        let mut next = Some(i);
        while let Some(t) = next {
            chain.push(t as u32);
            next = fallbacks[t];
        }
        team.chain = chain;
    }
    Ok(())
}

/// Each team's chain length, or the cycle met first (in team order) as an error naming
/// the teams from the first one on to the repeat.
fn chain_lengths(roster: &Roster, fallbacks: &[Option<usize>]) -> Result<Vec<usize>, BuildError> {
    const UNSEEN: usize = 0;
    const ON_PATH: usize = usize::MAX;
    // 0: not measured; ON_PATH: on the walk in progress; else the chain length.
    let mut length = vec![UNSEEN; fallbacks.len()];
    let mut path: Vec<usize> = Vec::new();
    for i in 0..fallbacks.len() {
        if length[i] != UNSEEN {
            continue;
        }
        path.clear();
        let mut next = Some(i);
        let mut tail = 0;
        while let Some(t) = next {
            match length[t] {
                UNSEEN => {
                    length[t] = ON_PATH;
                    path.push(t);
                    next = fallbacks[t];
                }
                ON_PATH => {
                    let mut names: Vec<String> = path
                        .iter()
                        .map(|&c| roster.teams[c].id.to_string())
                        .collect();
                    names.push(roster.teams[t].id.to_string());
                    return Err(BuildError::new(
                        format!("teams[{i}].fallback"),
                        ErrorKind::FallbackCycle { teams: names },
                    ));
                }
                measured => {
                    tail = measured;
                    next = None;
                }
            }
        }
        for (k, &t) in path.iter().rev().enumerate() {
            length[t] = tail + k + 1;
        }
    }
    Ok(length)
}
