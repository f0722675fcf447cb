//! A file written on tokio's blocking pool in few large steps: bytes gather in a buffer while the previous buffer
//! is written, the file is opened by its first write, and the last write (with the rename to a final name, or the
//! sync) is one step. Writing a stream costs one trip to the blocking pool per buffer, not one per chunk: handing
//! each small chunk to `tokio::fs::File` costs a thread wake-up per chunk, which caps a fast stream far below what
//! the disk takes.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tokio::task::JoinHandle;

/// A write under way: the file and the emptied buffer come back when it is done.
type Pending = JoinHandle<std::io::Result<(File, Vec<u8>)>>;

/// Writes a file through two buffers of `capacity` bytes (one filling, one being written).
#[derive(Debug)]
pub struct Spool {
    path: PathBuf,
    truncate: bool,
    sync: bool,
    file: Option<File>,
    buf: Vec<u8>,
    spare: Vec<u8>,
    capacity: usize,
    pending: Option<Pending>,
}

impl Spool {
    /// A writer appending to `path` (created if missing by the first write).
    pub fn append(path: &Path, capacity: usize) -> Spool {
        Spool {
            path: path.to_owned(),
            truncate: false,
            sync: false,
            file: None,
            buf: Vec::new(),
            spare: Vec::new(),
            capacity,
            pending: None,
        }
    }

    /// A writer replacing `path` (created or emptied by the first write or by [`Spool::finish`]).
    pub fn create(path: &Path, capacity: usize) -> Spool {
        Spool {
            truncate: true,
            ..Spool::append(path, capacity)
        }
    }

    /// Also syncs the file's data to the disk in [`Spool::finish`] (a finished file survives a power cut).
    pub fn sync_on_finish(mut self) -> Spool {
        self.sync = true;
        self
    }

    /// Appends `bytes` to the buffer without handing anything to the pool, so that the next [`Spool::write`]'s
    /// bytes and these reach the file in the same step (a unit written in pieces is never cut at a buffer's end).
    pub fn push(&mut self, bytes: &[u8]) {
        if self.buf.capacity() == 0 {
            self.buf.reserve_exact(self.capacity.max(bytes.len()));
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Appends `bytes`; a full buffer goes to the blocking pool while the next one fills.
    pub async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.push(bytes);
        if self.buf.len() >= self.capacity {
            self.flush().await?;
        }
        Ok(())
    }

    /// Bytes buffered and not yet handed to the pool.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Hands what is buffered to the pool now (after the write under way, if any); does not wait for it.
    pub async fn flush(&mut self) -> std::io::Result<()> {
        self.settle().await?;
        if self.buf.is_empty() && self.file.is_some() {
            return Ok(());
        }
        let buf = std::mem::replace(&mut self.buf, std::mem::take(&mut self.spare));
        let (file, path, truncate) = (self.file.take(), self.path.clone(), self.truncate);
        self.pending = Some(tokio::task::spawn_blocking(move || {
            let mut file = open(file, &path, truncate)?;
            file.write_all(&buf)?;
            let mut buf = buf;
            buf.clear();
            Ok((file, buf))
        }));
        Ok(())
    }

    /// Waits for the write under way, if any.
    async fn settle(&mut self) -> std::io::Result<()> {
        if let Some(pending) = self.pending.take() {
            let (file, spare) = pending.await.map_err(std::io::Error::other)??;
            self.file = Some(file);
            self.spare = spare;
        }
        Ok(())
    }

    /// Writes what is buffered (and syncs, if asked) and closes the file; with `rename_to`, then renames it there,
    /// in the same step.
    pub async fn finish(mut self, rename_to: Option<&Path>) -> std::io::Result<()> {
        self.settle().await?;
        let (file, path, buf) = (
            self.file.take(),
            self.path.clone(),
            std::mem::take(&mut self.buf),
        );
        let (truncate, sync) = (self.truncate, self.sync);
        let dest = rename_to.map(Path::to_owned);
        tokio::task::spawn_blocking(move || {
            if !buf.is_empty() || dest.is_some() || truncate || file.is_some() {
                let mut file = open(file, &path, truncate)?;
                file.write_all(&buf)?;
                if sync {
                    file.sync_data()?;
                }
            }
            match dest {
                Some(dest) => std::fs::rename(&path, dest),
                None => Ok(()),
            }
        })
        .await
        .map_err(std::io::Error::other)?
    }
}

fn open(file: Option<File>, path: &Path, truncate: bool) -> std::io::Result<File> {
    match file {
        Some(f) => Ok(f),
        None if truncate => File::create(path),
        None => OpenOptions::new().create(true).append(true).open(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn appends_across_buffers_then_renames() {
        let dir = tempfile::tempdir().unwrap();
        let (part, dest) = (dir.path().join("a.part"), dir.path().join("a"));
        std::fs::write(&part, b"kept:").unwrap();
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let mut w = Spool::append(&part, 4096);
        for chunk in data.chunks(1000) {
            w.write(chunk).await.unwrap();
        }
        w.finish(Some(&dest)).await.unwrap();
        let mut want = b"kept:".to_vec();
        want.extend_from_slice(&data);
        assert_eq!(std::fs::read(&dest).unwrap(), want);
        assert!(!part.exists());
    }

    #[tokio::test]
    async fn create_replaces_and_keeps_pushed_pieces_with_the_next_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.flv");
        std::fs::write(&path, b"an older file, longer than the new one").unwrap();
        let mut w = Spool::create(&path, 8).sync_on_finish();
        w.push(b"head");
        assert_eq!(w.buffered(), 4);
        w.write(b"body").await.unwrap();
        // Full: handed over whole, head and body together.
        assert_eq!(w.buffered(), 0);
        w.write(b"+").await.unwrap();
        w.flush().await.unwrap();
        w.flush().await.unwrap();
        w.finish(None).await.unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"headbody+");
        let empty = dir.path().join("empty.flv");
        Spool::create(&empty, 8).finish(None).await.unwrap();
        assert_eq!(std::fs::read(&empty).unwrap(), b"");
    }
}
