//! The participant export: a participant's full record as one JSON document, in a stable,
//! versioned format (documented in `docs/EXPORT.md`). Maps are ordered by key, so the same
//! record always exports to the same bytes.

use serde::{Deserialize, Serialize};

use crate::ids::ParticipantId;
use crate::model::{Concern, Notes, Plan, Restricted};
use crate::time::Timestamp;

/// The value of `format` in every export.
pub const EXPORT_FORMAT: &str = "onward-participant-export";
/// The export format's version. Bump it only with a documented, additive change.
pub const EXPORT_VERSION: u32 = 1;

/// A participant's full record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParticipantExport {
    pub format: String,
    pub version: u32,
    pub participant: ParticipantId,
    pub exported_at: Timestamp,
    pub plan: Plan,
    /// Absent when the exporting user may not see session notes.
    pub notes: Option<Notes>,
    /// Absent when the exporting user may not see restricted information.
    pub restricted: Option<Restricted>,
    /// Safeguarding concerns with documents of their own that the exporting user may read
    /// (left out when there are none, so exports without them read as before).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concerns: Vec<Concern>,
}

impl ParticipantExport {
    /// Wraps the records in the export envelope.
    pub fn new(
        plan: Plan,
        notes: Option<Notes>,
        restricted: Option<Restricted>,
        concerns: Vec<Concern>,
        exported_at: Timestamp,
    ) -> Self {
        Self {
            format: EXPORT_FORMAT.to_string(),
            version: EXPORT_VERSION,
            participant: plan.participant,
            exported_at,
            plan,
            notes,
            restricted,
            concerns,
        }
    }
}
