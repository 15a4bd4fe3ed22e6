//! Onward's sync protocol with no IO. A device and the charity's server exchange
//! [`message::ClientMessage`]s and [`message::ServerMessage`]s, framed by [`codec`]; the
//! device drives each sync with a [`client::ClientSync`], and the server checks every pushed
//! change with [`check::accept_push`]. `PROTOCOL.md` beside this crate describes the exchange.
//!
//! A device with nothing to send asks once and is told there is nothing new:
//!
//! ```
//! use onward_core::vocab::Role;
//! use onward_sync::{client::*, codec, message::*, scope::Scope};
//!
//! let mut sync = ClientSync::new(SyncState::default(), &Scope::default(), []);
//! let request = sync.request("device-token", vec![]).unwrap();
//! let frame = codec::encode(&ClientMessage::Sync(request));
//! assert!(frame.len() < 100);
//!
//! // The server answers: same cursor, same scope, nothing to send.
//! let round = sync.receive(SyncResponse {
//!     server_time: 1_764_000_000_000,
//!     account: Account { role: Role::Mentor, cleared: false, display_name: "Sam".into() },
//!     cursor: 0, more: false, scope_seq: 0, scope: None, acked: vec![], refused: vec![],
//!     changes: vec![], docs: vec![], gone: vec![], notices: vec![], answers: vec![],
//!     directory: None,
//! }).unwrap();
//! assert!(round.changes.is_empty() && round.remove.is_empty());
//! assert!(sync.is_done(true));
//! ```

pub mod check;
pub mod client;
pub mod codec;
pub mod message;
pub mod scope;
