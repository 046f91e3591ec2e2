//! The router: intent model + compiled flow + teams, deciding per message.
//!
//! The public documentation lives on the facade type (see below), since this
//! module is private and its items are re-exported at the crate root.

mod builder;
mod config;
mod decide;
mod decision;
mod persist;
mod source;
mod summary;
mod turn;

pub use builder::RouterBuilder;
pub use config::{RouterConfig, TeamConfig};
pub use decide::Router;
pub use decision::Decision;
