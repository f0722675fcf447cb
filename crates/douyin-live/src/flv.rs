//! HTTP-FLV as a recorder needs it: cut the incoming bytes into whole tags, remember the headers a player needs
//! first (script data, AVC and AAC sequence headers), and write parts that each start with them and with their
//! clock at zero, so that every part plays on its own and a dropped connection never leaves half a tag behind.
//!
//! Layout (Adobe FLV spec v10.1, annex E): a 9-byte header `FLV` 1 flags offset, a 4-byte zero, then tags:
//! type (8 audio, 9 video, 18 script), 24-bit size, 24+8-bit timestamp, 24-bit stream id, data, 32-bit size of the
//! tag just ended.

use bytes::{Buf, Bytes, BytesMut};

/// Bytes of the file header plus the first `PreviousTagSize`.
pub const HEADER_LEN: usize = 9 + 4;
/// Bytes of a tag header.
pub const TAG_HEADER_LEN: usize = 11;

/// A tag type byte.
pub const AUDIO: u8 = 8;
/// A tag type byte.
pub const VIDEO: u8 = 9;
/// A tag type byte.
pub const SCRIPT: u8 = 18;

/// Why the bytes are no FLV stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlvError {
    /// The first bytes are not `FLV`.
    #[error("not an FLV stream (it starts with {0:02x?})")]
    NotFlv(Vec<u8>),
    /// A tag of a type FLV does not have (the stream is out of step).
    #[error("bad FLV tag type {0} (the stream is corrupt or out of step)")]
    BadTag(u8),
}

/// One whole tag, its `PreviousTagSize` included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// 8, 9 or 18.
    pub kind: u8,
    /// Milliseconds on the stream's clock.
    pub timestamp: u32,
    /// The tag's bytes: header, data, trailing size.
    pub bytes: Bytes,
}

impl Tag {
    fn data(&self) -> &[u8] {
        &self.bytes[TAG_HEADER_LEN..self.bytes.len() - 4]
    }

    /// An AVC or AAC sequence header (what a decoder needs before any frame).
    pub fn is_sequence_header(&self) -> bool {
        let d = self.data();
        match self.kind {
            VIDEO => d.len() > 1 && d[0] & 0x0f == 7 && d[1] == 0,
            AUDIO => d.len() > 1 && d[0] >> 4 == 10 && d[1] == 0,
            _ => false,
        }
    }

    /// A video key frame (where a new part may start).
    pub fn is_keyframe(&self) -> bool {
        self.kind == VIDEO && self.data().first().is_some_and(|b| b >> 4 == 1)
    }

    /// The tag's header with its timestamp set to `ms`: with [`Tag::rest`], the tag retimed without copying it.
    pub fn header_at(&self, ms: u32) -> [u8; TAG_HEADER_LEN] {
        let mut h = [0; TAG_HEADER_LEN];
        h.copy_from_slice(&self.bytes[..TAG_HEADER_LEN]);
        h[4] = (ms >> 16) as u8;
        h[5] = (ms >> 8) as u8;
        h[6] = ms as u8;
        h[7] = (ms >> 24) as u8;
        h
    }

    /// What follows the header: data and trailing size.
    pub fn rest(&self) -> &[u8] {
        &self.bytes[TAG_HEADER_LEN..]
    }

    /// The same tag with its timestamp set to `ms`.
    pub fn retimed(&self, ms: u32) -> Bytes {
        let mut b = BytesMut::from(&self.header_at(ms)[..]);
        b.extend_from_slice(self.rest());
        b.freeze()
    }
}

/// What [`Reader::next_item`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// The file header (with the first `PreviousTagSize`).
    Header(Bytes),
    /// A whole tag.
    Tag(Tag),
}

/// Cuts a byte stream into an FLV header and whole tags. Holds at most one tag (< 16 MiB, the 24-bit size field).
#[derive(Debug, Default)]
pub struct Reader {
    buf: BytesMut,
    header_seen: bool,
}

impl Reader {
    /// A reader at the start of a stream.
    pub fn new() -> Reader {
        Reader::default()
    }

    /// Appends received bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// Bytes received but not yet part of a whole item (dropped if the connection ends now).
    pub fn pending(&self) -> usize {
        self.buf.len()
    }

    /// The next whole item, `Ok(None)` when more bytes are needed.
    pub fn next_item(&mut self) -> Result<Option<Item>, FlvError> {
        if !self.header_seen {
            if self.buf.len() < 3 {
                return Ok(None);
            }
            if &self.buf[..3] != b"FLV" {
                return Err(FlvError::NotFlv(self.buf[..3].to_vec()));
            }
            if self.buf.len() < HEADER_LEN {
                return Ok(None);
            }
            let offset =
                u32::from_be_bytes([self.buf[5], self.buf[6], self.buf[7], self.buf[8]]) as usize;
            let len = offset.max(9) + 4;
            if self.buf.len() < len {
                return Ok(None);
            }
            self.header_seen = true;
            return Ok(Some(Item::Header(self.buf.split_to(len).freeze())));
        }
        if self.buf.len() < TAG_HEADER_LEN {
            return Ok(None);
        }
        let kind = self.buf[0] & 0x1f;
        if ![AUDIO, VIDEO, SCRIPT].contains(&kind) {
            return Err(FlvError::BadTag(self.buf[0]));
        }
        let size = u32::from_be_bytes([0, self.buf[1], self.buf[2], self.buf[3]]) as usize;
        let total = TAG_HEADER_LEN + size + 4;
        if self.buf.len() < total {
            return Ok(None);
        }
        let timestamp = u32::from_be_bytes([self.buf[7], self.buf[4], self.buf[5], self.buf[6]]);
        let bytes = self.buf.split_to(total).freeze();
        Ok(Some(Item::Tag(Tag {
            kind,
            timestamp,
            bytes,
        })))
    }
}

/// The FLV header and the headers a player needs before any frame, from the current connection: what each new
/// part starts with.
#[derive(Debug, Default, Clone)]
pub struct Preamble {
    header: Option<Bytes>,
    script: Option<Tag>,
    video: Option<Tag>,
    audio: Option<Tag>,
}

impl Preamble {
    /// Keeps `item` if it is one of the preamble's; says whether it was.
    pub fn absorb(&mut self, item: &Item) -> bool {
        match item {
            Item::Header(h) => {
                *self = Preamble {
                    header: Some(h.clone()),
                    ..Preamble::default()
                };
                true
            }
            Item::Tag(t) if t.kind == SCRIPT && self.script.is_none() => {
                self.script = Some(t.clone());
                true
            }
            Item::Tag(t) if t.is_sequence_header() => {
                let slot = if t.kind == VIDEO {
                    &mut self.video
                } else {
                    &mut self.audio
                };
                *slot = Some(t.clone());
                true
            }
            Item::Tag(_) => false,
        }
    }

    /// Whether the stream carries video (parts then start on key frames).
    pub fn has_video(&self) -> bool {
        self.video.is_some()
    }

    /// The bytes a part starts with: header, script data and sequence headers at time zero.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if let Some(h) = &self.header {
            out.extend_from_slice(h);
        }
        for tag in [&self.script, &self.video, &self.audio]
            .into_iter()
            .flatten()
        {
            out.extend_from_slice(&tag.retimed(0));
        }
        out
    }
}

/// Checks that `bytes` is a whole FLV file: the header, then tags whose sizes chain up to the end. Returns the
/// number of tags and the last timestamp (ms).
pub fn check_file(bytes: &[u8]) -> Result<(usize, u32), String> {
    let mut reader = Reader::new();
    reader.push(bytes);
    let mut tags = 0;
    let mut last = 0;
    let mut header = false;
    while let Some(item) = reader.next_item().map_err(|e| e.to_string())? {
        match item {
            Item::Header(_) => header = true,
            Item::Tag(t) => {
                let declared = (&t.bytes[t.bytes.len() - 4..]).get_u32() as usize;
                if declared != t.bytes.len() - 4 {
                    return Err(format!(
                        "tag {tags}: PreviousTagSize {declared} != {}",
                        t.bytes.len() - 4
                    ));
                }
                tags += 1;
                last = t.timestamp;
            }
        }
    }
    if !header {
        return Err("no FLV header".into());
    }
    if reader.pending() != 0 {
        return Err(format!(
            "{} trailing bytes after the last whole tag",
            reader.pending()
        ));
    }
    Ok((tags, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use douyin_mock::live_stream as synth;

    #[test]
    fn cuts_whole_tags_whatever_the_chunking_and_keeps_the_preamble() {
        let mut stream = synth::preamble();
        for n in 0..30 {
            stream.extend(synth::frame(n, 100));
        }
        for chunk in [1, 7, 4096] {
            let mut r = Reader::new();
            let mut pre = Preamble::default();
            let (mut frames, mut keys) = (0, 0);
            for c in stream.chunks(chunk) {
                r.push(c);
                while let Some(item) = r.next_item().unwrap() {
                    if !pre.absorb(&item) {
                        frames += 1;
                        keys += matches!(&item, Item::Tag(t) if t.is_keyframe()) as usize;
                    }
                }
            }
            assert_eq!((frames, keys, r.pending()), (45, 2, 0), "chunk {chunk}");
            assert!(pre.has_video());
            assert_eq!(check_file(&pre.bytes()).unwrap().0, 3);
        }
        assert_eq!(check_file(&stream).unwrap(), (48, 29 * 40));
    }

    #[test]
    fn refuses_what_is_not_flv_and_reports_a_cut_file() {
        let mut r = Reader::new();
        r.push(b"<html>");
        assert!(matches!(r.next_item(), Err(FlvError::NotFlv(_))));
        let mut cut = synth::preamble();
        cut.extend(&synth::frame(0, 10)[..12]);
        assert!(check_file(&cut).unwrap_err().contains("trailing"));
        let retimed = Tag {
            kind: VIDEO,
            timestamp: 0,
            bytes: synth::tag(VIDEO, 0x0102_0304, &[0x27, 1]).into(),
        };
        let mut r = Reader::new();
        r.push(&synth::header());
        r.push(&retimed.retimed(0x0102_0304));
        r.next_item().unwrap();
        let Some(Item::Tag(t)) = r.next_item().unwrap() else {
            panic!("a tag")
        };
        assert_eq!(t.timestamp, 0x0102_0304);
    }
}
