//! Part files of a recording: `<prefix>_<NNN>.<ext>` in the output directory, one after another, each rotated by
//! duration or size, each written whole units at a time (FLV tags, TS segments) so it always plays.
//!
//! Units gather in a [`Spool`] buffer that reaches the file in one step when full, a second after the last step, or when
//! the part closes: one trip to the blocking pool per tag kept a fast stream at a third of `curl -o`'s rate. The
//! buffer is only ever cut after a whole unit, so even a killed process leaves a file of whole tags on disk.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use douyin_core::spool::Spool;

/// Bytes buffered per part before they go to the file (two such buffers: one filling, one being written).
const BUFFER: usize = 128 << 10;
/// The longest time a written unit stays in memory (a slow stream still reaches the disk every second).
const FLUSH_EVERY: Duration = Duration::from_secs(1);

/// When to start a new part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rotation {
    /// Media time per part (`--segment-time`).
    pub time: Option<Duration>,
    /// Bytes per part (`--segment-size`); a part ends at the first cut point past it.
    pub size: Option<u64>,
}

impl Rotation {
    /// Rotate after `time` of media, `size` bytes, or neither.
    pub fn new(time: Option<Duration>, size: Option<u64>) -> Rotation {
        Rotation { time, size }
    }

    /// Whether a part that holds `media` of media in `bytes` bytes is full.
    pub fn is_due(&self, media: Duration, bytes: u64) -> bool {
        self.time.is_some_and(|t| media >= t) || self.size.is_some_and(|s| bytes >= s)
    }
}

/// A finished part.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Part {
    /// Where it is.
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Its media duration (FLV: last tag time; HLS: sum of segment durations).
    pub duration: Duration,
    /// Where it starts on the recording's timeline (sum of the durations of the parts before it).
    pub starts_at: Duration,
}

/// The part being written and the numbering of the next.
#[derive(Debug)]
pub struct Parts {
    dir: PathBuf,
    prefix: String,
    ext: &'static str,
    next_index: u32,
    current: Option<(Spool, Part)>,
    last_flush: Instant,
    finished: Vec<Part>,
    timeline: Duration,
}

impl Parts {
    /// Parts named `<prefix>_<NNN>.<ext>` in `dir` (created if missing). Numbering continues past existing files,
    /// so a second run never overwrites a first.
    pub async fn new(dir: &Path, prefix: &str, ext: &'static str) -> std::io::Result<Parts> {
        tokio::fs::create_dir_all(dir).await?;
        let mut next_index = 0;
        while tokio::fs::try_exists(dir.join(name(prefix, next_index, ext))).await? {
            next_index += 1;
        }
        Ok(Parts {
            dir: dir.to_owned(),
            prefix: prefix.to_owned(),
            ext,
            next_index,
            current: None,
            last_flush: Instant::now(),
            finished: Vec::new(),
            timeline: Duration::ZERO,
        })
    }

    /// Whether a part is open.
    pub fn is_open(&self) -> bool {
        self.current.is_some()
    }

    /// Bytes and media time of the open part.
    pub fn current(&self) -> Option<&Part> {
        self.current.as_ref().map(|(_, p)| p)
    }

    /// Closes the open part (if any) and opens the next, writing `start` first.
    pub async fn open(&mut self, start: &[u8]) -> std::io::Result<&Part> {
        self.close().await?;
        let path = self.dir.join(name(&self.prefix, self.next_index, self.ext));
        self.next_index += 1;
        let mut file = Spool::create(&path, BUFFER).sync_on_finish();
        // Handed over at once: the file appears with its headers however slowly the stream starts.
        file.push(start);
        file.flush().await?;
        self.last_flush = Instant::now();
        let part = Part {
            path,
            bytes: start.len() as u64,
            duration: Duration::ZERO,
            starts_at: self.timeline,
        };
        self.current = Some((file, part));
        Ok(&self.current.as_ref().expect("just opened").1)
    }

    /// Appends a whole unit reaching `media` into the open part; the unit is `pieces` one after another.
    pub async fn write(&mut self, pieces: &[&[u8]], media: Duration) -> std::io::Result<()> {
        let Some((file, part)) = self.current.as_mut() else {
            return Err(std::io::Error::other("no part is open"));
        };
        let Some((last, first)) = pieces.split_last() else {
            return Ok(());
        };
        for piece in first {
            file.push(piece);
        }
        file.write(last).await?;
        if file.buffered() == 0 {
            self.last_flush = Instant::now();
        } else if self.last_flush.elapsed() >= FLUSH_EVERY {
            file.flush().await?;
            self.last_flush = Instant::now();
        }
        part.bytes += pieces.iter().map(|p| p.len() as u64).sum::<u64>();
        part.duration = part.duration.max(media);
        Ok(())
    }

    /// Flushes and closes the open part.
    pub async fn close(&mut self) -> std::io::Result<()> {
        if let Some((file, part)) = self.current.take() {
            file.finish(None).await?;
            self.timeline += part.duration;
            self.finished.push(part);
        }
        Ok(())
    }

    /// Bytes in the finished parts.
    pub fn finished_bytes(&self) -> u64 {
        self.finished.iter().map(|p| p.bytes).sum()
    }

    /// The recording's timeline so far: finished parts plus the open one.
    pub fn timeline(&self) -> Duration {
        self.timeline + self.current().map_or(Duration::ZERO, |p| p.duration)
    }

    /// Closes the open part and returns every part written, in order.
    pub async fn finish(mut self) -> std::io::Result<Vec<Part>> {
        self.close().await?;
        Ok(self.finished)
    }
}

fn name(prefix: &str, index: u32, ext: &str) -> String {
    format!("{prefix}_{index:03}.{ext}")
}
