//! Size limits on what the runtime reads: response bodies (counted after decompression, as they stream) and files
//! such as saved captures, so memory stays bounded whatever a server or a file holds.

use std::io::Read;

/// The default response body limit: 64 MiB (the largest real page seen is about 1.2 MB).
pub const DEFAULT_MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// A body or file went past its byte limit; reading stopped there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("larger than the limit of {limit} bytes")]
pub struct TooLarge {
    /// The limit in bytes.
    pub limit: u64,
}

/// Collects chunks up to a limit; the chunk that would cross it is refused and nothing more is kept.
#[derive(Debug)]
pub struct LimitedBuf {
    buf: Vec<u8>,
    limit: u64,
}

impl LimitedBuf {
    /// An empty buffer for at most `limit` bytes; `size_hint` (a `Content-Length`) pre-allocates up to the limit.
    pub fn new(limit: u64, size_hint: Option<u64>) -> Result<Self, TooLarge> {
        let hint = size_hint.unwrap_or(0);
        if hint > limit {
            return Err(TooLarge { limit });
        }
        Ok(LimitedBuf {
            buf: Vec::with_capacity(usize::try_from(hint).unwrap_or(0)),
            limit,
        })
    }

    /// Appends `chunk`, or fails if the total would pass the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), TooLarge> {
        if (self.buf.len() as u64).saturating_add(chunk.len() as u64) > self.limit {
            return Err(TooLarge { limit: self.limit });
        }
        self.buf.extend_from_slice(chunk);
        Ok(())
    }

    /// The bytes collected.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }
}

/// Why [`read_limited`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ReadLimitedError {
    /// The input is larger than the limit.
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// Reading failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Reads all of `reader` (a file, stdin) unless it holds more than `limit` bytes; reads at most `limit + 1` bytes
/// either way, so `/dev/zero` ends too.
pub fn read_limited(reader: impl Read, limit: u64) -> Result<Vec<u8>, ReadLimitedError> {
    let mut out = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut out)?;
    if out.len() as u64 > limit {
        return Err(TooLarge { limit }.into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        assert_eq!(read_limited(&b"abcd"[..], 4).unwrap(), b"abcd");
        let zeros = std::io::repeat(0);
        match read_limited(zeros, 1000) {
            Err(ReadLimitedError::TooLarge(TooLarge { limit: 1000 })) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_buffer_refuses_the_chunk_that_crosses_the_limit() {
        assert_eq!(
            LimitedBuf::new(4, Some(5)).unwrap_err(),
            TooLarge { limit: 4 }
        );
        let mut buf = LimitedBuf::new(4, None).unwrap();
        buf.push(b"ab").unwrap();
        assert_eq!(buf.push(b"cde"), Err(TooLarge { limit: 4 }));
        buf.push(b"cd").unwrap();
        assert_eq!(buf.into_inner(), b"abcd");
    }
}
