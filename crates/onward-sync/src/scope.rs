//! Scope: the set of documents a device may hold. The server decides it from roles and
//! assignments; it travels as a sorted list of participants with a bit per document kind,
//! plus the sorted list of concern documents, and a digest lets a device say "I hold this
//! scope" in 16 bytes.

use std::collections::BTreeMap;

use onward_core::document::DocId;
use onward_core::ids::{ConcernId, ParticipantId};
use onward_core::vocab::DocKind;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// A digest of a scope: the first 16 bytes of SHA-256 over its sorted entries.
pub type ScopeDigest = [u8; 16];

/// Which of a participant's documents are in scope, one bit per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Kinds(u8);

impl Kinds {
    fn bit(kind: DocKind) -> u8 {
        match kind {
            DocKind::Plan => 1,
            DocKind::Notes => 2,
            DocKind::Restricted => 4,
            // Concern documents are listed one by one, not as a bit.
            DocKind::Concern => 0,
        }
    }

    pub fn with(self, kind: DocKind) -> Self {
        Kinds(self.0 | Self::bit(kind))
    }

    pub fn contains(self, kind: DocKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = DocKind> {
        [DocKind::Plan, DocKind::Notes, DocKind::Restricted]
            .into_iter()
            .filter(move |k| self.contains(*k))
    }
}

/// The documents a device may hold, sorted by participant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Scope {
    entries: Vec<(ParticipantId, Kinds)>,
    /// Concern documents, sorted.
    concerns: Vec<(ParticipantId, ConcernId)>,
}

impl Scope {
    /// A scope from any list of documents.
    pub fn from_docs(docs: impl IntoIterator<Item = DocId>) -> Self {
        let mut map: BTreeMap<ParticipantId, Kinds> = BTreeMap::new();
        let mut concerns = std::collections::BTreeSet::new();
        for d in docs {
            match d.concern {
                Some(c) => {
                    concerns.insert((d.participant, c));
                }
                None => {
                    let k = map.entry(d.participant).or_default();
                    *k = k.with(d.kind);
                }
            }
        }
        Scope {
            entries: map.into_iter().collect(),
            concerns: concerns.into_iter().collect(),
        }
    }

    /// Whether the scope holds `doc`.
    pub fn contains(&self, doc: DocId) -> bool {
        match doc.concern {
            Some(c) => self.concerns.binary_search(&(doc.participant, c)).is_ok(),
            None => self
                .entries
                .binary_search_by_key(&doc.participant, |(p, _)| *p)
                .is_ok_and(|i| self.entries[i].1.contains(doc.kind)),
        }
    }

    /// Every document in scope.
    pub fn docs(&self) -> impl Iterator<Item = DocId> + '_ {
        self.entries
            .iter()
            .flat_map(|(p, kinds)| kinds.iter().map(|kind| DocId::new(*p, kind)))
            .chain(self.concerns.iter().map(|(p, c)| DocId::concern(*p, *c)))
    }

    pub fn participants(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        self.entries.iter().map(|(p, _)| *p)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the entries are sorted and unique (a scope read from the wire is checked).
    pub fn is_well_formed(&self) -> bool {
        self.entries.windows(2).all(|w| w[0].0 < w[1].0)
            && self.concerns.windows(2).all(|w| w[0] < w[1])
    }

    pub fn digest(&self) -> ScopeDigest {
        let mut h = Sha256::new();
        for (p, k) in &self.entries {
            h.update(p.uuid().as_bytes());
            h.update([k.0]);
        }
        for (p, c) in &self.concerns {
            h.update(p.uuid().as_bytes());
            h.update(c.uuid().as_bytes());
        }
        let full = h.finalize();
        let mut out = [0; 16];
        out.copy_from_slice(&full[..16]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_membership_and_digest() {
        let a = ParticipantId::new();
        let b = ParticipantId::new();
        let doc = DocId::new;
        let s = Scope::from_docs([
            doc(b, DocKind::Plan),
            doc(a, DocKind::Notes),
            doc(a, DocKind::Plan),
        ]);
        assert!(s.is_well_formed());
        assert!(s.contains(doc(a, DocKind::Notes)));
        assert!(!s.contains(doc(b, DocKind::Notes)));
        assert!(!s.contains(doc(ParticipantId::new(), DocKind::Plan)));
        assert_eq!(s.docs().count(), 3);
        let same = Scope::from_docs(s.docs().collect::<Vec<_>>().into_iter().rev());
        assert_eq!(same.digest(), s.digest());
        let fewer = Scope::from_docs([doc(a, DocKind::Plan), doc(b, DocKind::Plan)]);
        assert_ne!(fewer.digest(), s.digest());
        let concern = DocId::concern(a, ConcernId::new());
        let with_concern = Scope::from_docs(s.docs().chain([concern]));
        assert!(with_concern.contains(concern));
        assert!(!s.contains(concern));
        assert_eq!(with_concern.docs().count(), 4);
        assert_ne!(with_concern.digest(), s.digest());
    }
}
