//! Framing: every message is `ONWD`, a protocol version byte, then the message in postcard.
//! Both sides refuse a frame over [`MAX_MESSAGE_BYTES`] before reading it.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::message::{ErrorCode, ServerError};

/// The protocol version this crate speaks.
pub const PROTOCOL_VERSION: u8 = 3;

/// The largest message either side accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How large a message a sender aims for when it batches (pushed changes, whole documents,
/// log changes). A single item larger than this still travels alone, up to the maximum.
pub const TARGET_BATCH_BYTES: usize = 2 * 1024 * 1024;

const MAGIC: &[u8; 4] = b"ONWD";

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("the message is {size} bytes, over the limit of {MAX_MESSAGE_BYTES}")]
    TooLarge { size: usize },
    #[error("this is not an Onward sync message")]
    NotOnward,
    #[error(
        "the message uses sync protocol version {found}; this side speaks version {PROTOCOL_VERSION}: update the app or the server"
    )]
    Version { found: u8 },
    #[error("the message is damaged or incomplete: {0}")]
    Malformed(String),
}

impl From<FrameError> for ServerError {
    fn from(e: FrameError) -> Self {
        let code = match e {
            FrameError::TooLarge { .. } => ErrorCode::TooLarge,
            FrameError::Version { .. } => ErrorCode::UnsupportedVersion,
            FrameError::NotOnward | FrameError::Malformed(_) => ErrorCode::Malformed,
        };
        ServerError::new(code, e.to_string())
    }
}

/// Encodes a message into a frame.
pub fn encode<T: Serialize>(message: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(MAGIC);
    out.push(PROTOCOL_VERSION);
    // Serialising our own message types into a Vec cannot fail.
    postcard::to_extend(message, out).expect("messages always serialise")
}

/// Decodes a frame, refusing anything oversized, foreign, of another version, damaged,
/// or with bytes left over.
pub fn decode<T: DeserializeOwned>(frame: &[u8]) -> Result<T, FrameError> {
    if frame.len() > MAX_MESSAGE_BYTES {
        return Err(FrameError::TooLarge { size: frame.len() });
    }
    if frame.len() < 5 || &frame[..4] != MAGIC {
        return Err(FrameError::NotOnward);
    }
    if frame[4] != PROTOCOL_VERSION {
        return Err(FrameError::Version { found: frame[4] });
    }
    let (message, rest) =
        postcard::take_from_bytes(&frame[5..]).map_err(|e| FrameError::Malformed(e.to_string()))?;
    if !rest.is_empty() {
        return Err(FrameError::Malformed(format!(
            "{} unexpected bytes after the message",
            rest.len()
        )));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::*;
    use crate::scope::Scope;

    fn sample() -> ClientMessage {
        ClientMessage::Sync(SyncRequest {
            token: "t".repeat(43),
            cursor: 7,
            scope_seq: 3,
            scope_digest: Scope::default().digest(),
            push: vec![],
            want: vec![],
            notices_after: 0,
            commands: vec![],
            directory: None,
        })
    }

    #[test]
    fn round_trips_and_refuses_damage() {
        let frame = encode(&sample());
        assert!(frame.len() < 100, "{}", frame.len());
        assert_eq!(decode::<ClientMessage>(&frame).unwrap(), sample());
        for cut in 0..frame.len() {
            assert!(
                decode::<ClientMessage>(&frame[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = frame.clone();
        longer.push(0);
        assert!(matches!(
            decode::<ClientMessage>(&longer),
            Err(FrameError::Malformed(_))
        ));
        let mut v1 = frame.clone();
        v1[4] = 1;
        assert_eq!(
            decode::<ClientMessage>(&v1),
            Err(FrameError::Version { found: 1 })
        );
        assert_eq!(
            decode::<ClientMessage>(b"<html>bad gateway</html>"),
            Err(FrameError::NotOnward)
        );
        let huge = vec![0u8; MAX_MESSAGE_BYTES + 1];
        assert!(matches!(
            decode::<ClientMessage>(&huge),
            Err(FrameError::TooLarge { .. })
        ));
    }
}
