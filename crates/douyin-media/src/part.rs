//! What is on disk before a transfer starts. The `.part` file itself is written by [`douyin_core::spool::Spool`]
//! (a small file costs one trip to the blocking pool, not one per file operation).

use std::path::{Path, PathBuf};

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
