//! Where each agent and team sits in the state's vectors; shared by the compiled roster
//! and the state bound to it.

use std::sync::Arc;

/// Which ids the dense state vectors are indexed by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) agents: Vec<Arc<str>>,
    pub(crate) teams: Vec<Arc<str>>,
    /// Per team, member agent indices into `agents`.
    pub(crate) members: Vec<Vec<u32>>,
    /// Per team, offset of its members in per-member vectors.
    pub(crate) slot0: Vec<usize>,
    pub(crate) slots: usize,
}

impl Layout {
    pub(crate) fn new(agents: Vec<Arc<str>>, teams: Vec<Arc<str>>, members: Vec<Vec<u32>>) -> Self {
        let mut slot0 = Vec::with_capacity(members.len());
        let mut slots = 0;
        for m in &members {
            slot0.push(slots);
            slots += m.len();
        }
        Layout {
            agents,
            teams,
            members,
            slot0,
            slots,
        }
    }
}
