//! Which `Msg-Id`s were already received, so a retried delivery is handled once: a pluggable store and a bounded
//! in-memory one.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use douyin_core::BoxFuture;

/// Remembers delivery ids. Implement it over a shared database when several receivers share the work.
pub trait SeenStore: Send + Sync + 'static {
    /// Records `msg_id` and says whether this is its first delivery (`false` for a retry already received).
    fn first_delivery<'a>(&'a self, msg_id: &'a str) -> BoxFuture<'a, bool>;
}

/// The most recent `capacity` ids in memory; the oldest is forgotten first, so memory stays bounded whatever the
/// peer sends (a retry arrives within seconds, long before its id is evicted).
#[derive(Debug)]
pub struct MemorySeen {
    capacity: usize,
    ids: Mutex<Ids>,
}

#[derive(Debug, Default)]
struct Ids {
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl MemorySeen {
    /// The longest id kept; longer ids are remembered by their first bytes (ids are short hashes in practice).
    pub const MAX_ID_BYTES: usize = 256;

    /// A store of at most `capacity` ids (at least one).
    pub fn new(capacity: usize) -> Self {
        MemorySeen {
            capacity: capacity.max(1),
            ids: Mutex::new(Ids::default()),
        }
    }

    /// Records `msg_id`; `true` when it was not known.
    pub fn insert(&self, msg_id: &str) -> bool {
        let mut end = msg_id.len().min(Self::MAX_ID_BYTES);
        while !msg_id.is_char_boundary(end) {
            end -= 1;
        }
        let id = &msg_id[..end];
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        if ids.set.contains(id) {
            return false;
        }
        if ids.order.len() == self.capacity {
            if let Some(old) = ids.order.pop_front() {
                ids.set.remove(&old);
            }
        }
        ids.set.insert(id.to_owned());
        ids.order.push_back(id.to_owned());
        true
    }

    /// How many ids are remembered.
    pub fn len(&self) -> usize {
        self.ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .order
            .len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for MemorySeen {
    /// Ten thousand ids.
    fn default() -> Self {
        MemorySeen::new(10_000)
    }
}

impl SeenStore for MemorySeen {
    fn first_delivery<'a>(&'a self, msg_id: &'a str) -> BoxFuture<'a, bool> {
        let first = self.insert(msg_id);
        Box::pin(async move { first })
    }
}

#[cfg(test)]
mod tests {
    use super::MemorySeen;

    #[test]
    fn a_retry_is_known_and_the_oldest_id_is_forgotten_first() {
        let seen = MemorySeen::new(2);
        assert!(seen.insert("a"));
        assert!(!seen.insert("a"));
        assert!(seen.insert("b"));
        assert!(seen.insert("c"));
        assert_eq!(seen.len(), 2);
        assert!(seen.insert("a"), "evicted, so new again");
        assert!(!seen.insert("c"));
    }

    #[test]
    fn long_ids_are_kept_by_their_first_bytes() {
        let seen = MemorySeen::new(4);
        let long = "é".repeat(MemorySeen::MAX_ID_BYTES);
        assert!(seen.insert(&long));
        assert!(!seen.insert(&long));
    }
}
