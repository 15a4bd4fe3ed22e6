//! Onward's core: the domain model of a participant's record, its mapping to Automerge
//! documents, and the named operations that change it. Plain Rust with no IO; it compiles to
//! native code and to wasm32.
//!
//! A participant has three documents, split by who may see them: a [`model::Plan`] shared
//! with the participant, [`model::Notes`] for mentors and coordinators, and a
//! [`model::Restricted`] document for cleared staff. Every change goes through an operation in
//! [`ops`], which validates its input, makes one automerge change recorded against the user
//! and device, and refuses bad input without changing anything.
//!
//! ```
//! use onward_core::{document::Ctx, input::*, model::Author, ops, time::Timestamp, vocab::*};
//! use onward_core::ids::{DeviceId, UserId};
//!
//! let ctx = Ctx::new(Author { user: UserId::new(), device: DeviceId::new() }, Timestamp::now());
//! let mut docs = ops::create_participant(&ctx, &NewParticipant {
//!     preferred_name: "Sam".into(),
//!     programme: "Next Steps".into(),
//!     pathways: vec![Pathway::Employment],
//! }).unwrap();
//!
//! let goal = ops::plan::add_goal(&mut docs.plan, &ctx, &NewGoal {
//!     title: "Get my CSCS card".into(),
//!     pathway: Pathway::Employment,
//!     why_it_matters: "So I can work on building sites".into(),
//!     target_date: None,
//!     review_due: None,
//! }).unwrap();
//!
//! // Bad input is refused and changes nothing.
//! let err = ops::plan::review_goal(&mut docs.plan, &ctx, &NewReview {
//!     goal, rating: 11, comment: String::new(), next_review: None,
//! }).unwrap_err();
//! assert_eq!(err.to_string(), "rating must be between 0 and 10 (it was 11)");
//! assert!(docs.plan.read().goals[&goal.to_string()].reviews.is_empty());
//! ```

pub mod chart;
pub mod document;
pub mod error;
pub mod export;
pub mod ids;
pub mod input;
pub mod judge;
pub mod model;
pub mod ops;
pub mod overview;
pub mod policy;
pub mod reports;
pub mod rules;
pub mod time;
pub mod validate;
pub mod views;
pub mod vocab;

#[cfg(feature = "demo")]
pub mod demo;

pub use document::{Ctx, Doc, DocId};
pub use error::OpError;
