//! The `.part` file of a transfer, written on the blocking pool in few large steps: bytes gather in a buffer while
//! the previous buffer is written, the file is opened by its first write, and the last write and the rename to the
//! final name are one step. A small file thus costs one trip to the blocking pool, not one per file operation.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use tokio::task::JoinHandle;

/// A write under way: the file and the buffer come back when it is done.
type Pending = JoinHandle<std::io::Result<(File, Vec<u8>)>>;

/// Appends to a `.part` file through two buffers of `capacity` bytes (one filling, one being written).
pub(crate) struct PartWriter {
    path: PathBuf,
    file: Option<File>,
    buf: Vec<u8>,
    spare: Vec<u8>,
    capacity: usize,
    pending: Option<Pending>,
}

impl PartWriter {
    /// A writer appending to `path` (created by the first write).
    pub(crate) fn new(path: &Path, capacity: usize) -> PartWriter {
        PartWriter {
            path: path.to_owned(),
            file: None,
            buf: Vec::new(),
            spare: Vec::new(),
            capacity,
            pending: None,
        }
    }

    /// Appends `bytes`; a full buffer goes to the blocking pool while the next one fills.
    pub(crate) async fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.buf.capacity() == 0 {
            self.buf.reserve_exact(self.capacity.max(bytes.len()));
        }
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= self.capacity {
            self.settle().await?;
            let buf = std::mem::replace(&mut self.buf, std::mem::take(&mut self.spare));
            let (file, path) = (self.file.take(), self.path.clone());
            self.pending = Some(tokio::task::spawn_blocking(move || {
                let mut file = open(file, &path)?;
                file.write_all(&buf)?;
                let mut buf = buf;
                buf.clear();
                Ok((file, buf))
            }));
        }
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

    /// Writes what is buffered and closes the file; with `rename_to`, then renames it there, in the same step.
    pub(crate) async fn finish(mut self, rename_to: Option<&Path>) -> std::io::Result<()> {
        self.settle().await?;
        let (file, path, buf) = (
            self.file.take(),
            self.path.clone(),
            std::mem::take(&mut self.buf),
        );
        let dest = rename_to.map(Path::to_owned);
        tokio::task::spawn_blocking(move || {
            if !buf.is_empty() || dest.is_some() {
                open(file, &path)?.write_all(&buf)?;
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

fn open(file: Option<File>, path: &Path) -> std::io::Result<File> {
    match file {
        Some(f) => Ok(f),
        None => OpenOptions::new().create(true).append(true).open(path),
    }
}

/// What is on disk for a transfer before it starts, found in one trip to the blocking pool.
pub(crate) struct OnDisk {
    /// The size of the destination, if it exists.
    pub(crate) dest: Option<u64>,
    /// Bytes in the `.part` file (0 if none).
    pub(crate) part: u64,
}

/// Looks at `dest` and `part`, creating `dest`'s directory when `dest` does not exist.
pub(crate) async fn survey(dest: &Path, part: &Path) -> Result<OnDisk, (PathBuf, std::io::Error)> {
    let (dest, part) = (dest.to_owned(), part.to_owned());
    tokio::task::spawn_blocking(move || {
        if let Ok(meta) = std::fs::metadata(&dest) {
            return Ok(OnDisk {
                dest: Some(meta.len()),
                part: 0,
            });
        }
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| (dir.to_owned(), e))?;
        }
        let part = std::fs::metadata(&part).map_or(0, |m| m.len());
        Ok(OnDisk { dest: None, part })
    })
    .await
    .map_err(|e| (PathBuf::new(), std::io::Error::other(e)))?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn appends_across_buffers_then_renames() {
        let dir = tempfile::tempdir().unwrap();
        let (part, dest) = (dir.path().join("a.part"), dir.path().join("a"));
        std::fs::write(&part, b"kept:").unwrap();
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        run(async {
            let mut w = PartWriter::new(&part, 4096);
            for chunk in data.chunks(1000) {
                w.write(chunk).await.unwrap();
            }
            w.finish(Some(&dest)).await.unwrap();
        });
        let mut want = b"kept:".to_vec();
        want.extend_from_slice(&data);
        assert_eq!(std::fs::read(&dest).unwrap(), want);
        assert!(!part.exists());
    }

    #[test]
    fn survey_sees_the_destination_or_the_part() {
        let dir = tempfile::tempdir().unwrap();
        let (part, dest) = (dir.path().join("d/a.part"), dir.path().join("d/a"));
        let seen = run(survey(&dest, &part)).unwrap();
        assert_eq!((seen.dest, seen.part), (None, 0));
        std::fs::write(&part, b"123").unwrap();
        assert_eq!(run(survey(&dest, &part)).unwrap().part, 3);
        std::fs::write(&dest, b"12345").unwrap();
        assert_eq!(run(survey(&dest, &part)).unwrap().dest, Some(5));
    }
}
