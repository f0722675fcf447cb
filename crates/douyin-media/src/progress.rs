//! Progress reports: bytes and total per item and over a whole batch, plus retries and outcomes.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::error::AttemptError;

/// What happened to one item.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A transfer started (again): `resumed_from` bytes were already on disk.
    Started {
        /// Bytes kept from an earlier attempt or run.
        resumed_from: u64,
    },
    /// More bytes arrived (reported about once per write buffer).
    Data,
    /// An attempt failed; the downloader retries the mirror or moves to the next.
    Retrying {
        /// 0-based index of the mirror that failed.
        mirror: usize,
        /// Attempts so far for this item, over all mirrors.
        attempt: u32,
        /// Why.
        reason: AttemptError,
    },
    /// The file is complete (or already was).
    Done,
    /// The item failed; the batch goes on.
    Failed,
}

/// Totals over a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overall {
    /// Bytes on disk for the batch's items so far (resumed bytes included).
    pub bytes: u64,
    /// Sum of the sizes known so far (an item's size is known once its server answers, or from the aweme).
    pub total: u64,
    /// Items finished (fetched or already present).
    pub done: usize,
    /// Items failed.
    pub failed: usize,
    /// Items in the batch.
    pub items: usize,
}

/// One progress report.
#[derive(Clone, Copy, Debug)]
pub struct Update<'a> {
    /// The item's position in the batch.
    pub index: usize,
    /// The item's label (`<aweme id>/<kind>[/<n>]`).
    pub label: &'a str,
    /// What happened.
    pub event: &'a Event,
    /// The item's bytes on disk.
    pub bytes: u64,
    /// The item's size, when known.
    pub total: Option<u64>,
    /// The batch's totals.
    pub overall: Overall,
}

/// A progress callback.
pub type OnUpdate<'a> = dyn Fn(&Update<'_>) + Send + Sync + 'a;

/// Batch totals shared by the items of one batch.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    bytes: AtomicU64,
    total: AtomicU64,
    done: AtomicUsize,
    failed: AtomicUsize,
    items: usize,
}

impl Totals {
    /// Totals for a batch of `items`.
    pub(crate) fn new(items: usize) -> Totals {
        Totals {
            items,
            ..Totals::default()
        }
    }

    /// A snapshot.
    pub(crate) fn snapshot(&self) -> Overall {
        Overall {
            bytes: self.bytes.load(Ordering::Relaxed),
            total: self.total.load(Ordering::Relaxed),
            done: self.done.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            items: self.items,
        }
    }
}

/// Reports the progress of one item into its batch's totals and to a callback.
pub(crate) struct Tracker<'a> {
    index: usize,
    label: String,
    totals: &'a Totals,
    on_update: &'a OnUpdate<'a>,
    bytes: AtomicU64,
    /// The size counted in the batch total (0: not known yet).
    total: AtomicU64,
}

impl<'a> Tracker<'a> {
    /// A tracker for item `index` (labelled `label`) of the batch `totals`.
    pub fn new(
        index: usize,
        label: String,
        totals: &'a Totals,
        on_update: &'a OnUpdate<'a>,
    ) -> Self {
        Tracker {
            index,
            label,
            totals,
            on_update,
            bytes: AtomicU64::new(0),
            total: AtomicU64::new(0),
        }
    }

    /// Records `event` with the item at `bytes` of `total`, and calls the callback.
    pub(crate) fn emit(&self, event: Event, bytes: u64, total: Option<u64>) {
        let t = self.totals;
        let old = self.bytes.swap(bytes, Ordering::Relaxed);
        if bytes >= old {
            t.bytes.fetch_add(bytes - old, Ordering::Relaxed);
        } else {
            t.bytes.fetch_sub(old - bytes, Ordering::Relaxed);
        }
        if let Some(new) = total {
            let old = self.total.swap(new, Ordering::Relaxed);
            if new >= old {
                t.total.fetch_add(new - old, Ordering::Relaxed);
            } else {
                t.total.fetch_sub(old - new, Ordering::Relaxed);
            }
        }
        match event {
            Event::Done => drop(t.done.fetch_add(1, Ordering::Relaxed)),
            Event::Failed => drop(t.failed.fetch_add(1, Ordering::Relaxed)),
            _ => {}
        }
        let known = self.total.load(Ordering::Relaxed);
        (self.on_update)(&Update {
            index: self.index,
            label: &self.label,
            event: &event,
            bytes,
            total: total.or((known > 0).then_some(known)),
            overall: t.snapshot(),
        });
    }

    /// The item's bytes as last reported.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}
