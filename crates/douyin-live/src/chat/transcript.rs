//! The chat written beside a recording: JSON Lines (each message with its offset on the recording's timeline) and
//! an ASS subtitle file a player shows over the video. The offset is the recording's media time
//! ([`Timeline::progress`], fed from [`crate::Event::Progress`]) plus the wall time since that report, capped, so
//! a message that arrives while the stream is down lands where the recording resumes rather than in a gap that
//! is not in the file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use douyin_web::webcast::Typed;
use serde_json::{json, Value};

use super::{ChatMessage, Payload};

/// How far past the last progress report an offset may run (reports come every 500 ms while media flows).
const MAX_EXTRAPOLATION: Duration = Duration::from_secs(1);
/// How long a subtitle line stays on screen.
const SHOWN_FOR: Duration = Duration::from_secs(5);

/// The recording's clock.
#[derive(Debug, Default)]
pub struct Timeline {
    last: Mutex<Option<(Duration, Instant)>>,
}

impl Timeline {
    /// A clock at zero until the first report.
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// The recording has `media` of media so far.
    pub fn progress(&self, media: Duration) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((media, Instant::now()));
    }

    /// Where now is on the recording's timeline.
    pub fn now(&self) -> Duration {
        match *self.last.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((media, at)) => media + at.elapsed().min(MAX_EXTRAPOLATION),
            None => Duration::ZERO,
        }
    }
}

/// One message as a compact JSON value: `{"type", "method", "msg_id", "data"}` for a typed message (its fields),
/// `{"type": "unknown", "method", "msg_id", "payload_hex"}` otherwise (`error` too when a typed method did not
/// decode).
pub fn json_line(m: &ChatMessage) -> Value {
    let hex = || m.raw.iter().map(|b| format!("{b:02x}")).collect::<String>();
    match &m.payload {
        Payload::Typed(t) => {
            json!({"type": m.kind(), "method": m.method, "msg_id": m.msg_id, "data": t})
        }
        Payload::Undecodable(e) => json!({
            "type": m.kind(), "method": m.method, "msg_id": m.msg_id, "error": e, "payload_hex": hex()
        }),
        _ => {
            json!({"type": "unknown", "method": m.method, "msg_id": m.msg_id, "payload_hex": hex()})
        }
    }
}

/// The line a viewer would read for `m` (comments, stickers, gifts, follows), if any.
pub fn subtitle(m: &ChatMessage) -> Option<String> {
    let Payload::Typed(t) = &m.payload else {
        return None;
    };
    let name = |u: &Option<douyin_web::webcast::User>| {
        u.as_ref().map_or(String::new(), |u| u.nick_name.clone())
    };
    match &**t {
        Typed::Chat(c) => Some(format!("{}: {}", name(&c.user), c.content)),
        Typed::EmojiChat(e) => Some(format!("{}: {}", name(&e.user), e.default_content)),
        Typed::Gift(g) => Some(format!(
            "{} 送出 {} ×{}",
            name(&g.user),
            g.gift.as_ref().map_or("", |g| g.name.as_str()),
            g.combo_count.max(1)
        )),
        Typed::Social(s) if s.action == 1 => Some(format!("{} 关注了主播", name(&s.user))),
        _ => None,
    }
}

/// `H:MM:SS.cc`, ASS's time.
fn ass_time(t: Duration) -> String {
    let cs = t.as_millis() / 10;
    format!(
        "{}:{:02}:{:02}.{:02}",
        cs / 360_000,
        cs / 6_000 % 60,
        cs / 100 % 60,
        cs % 100
    )
}

/// Text made safe for one ASS dialogue line (no override blocks, no line breaks).
fn ass_text(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
        .replace('{', "(")
        .replace('}', ")")
}

/// The two files of a recording's chat.
#[derive(Debug)]
pub struct Transcript {
    jsonl: std::io::BufWriter<std::fs::File>,
    ass: std::io::BufWriter<std::fs::File>,
    /// The JSON Lines file.
    pub jsonl_path: PathBuf,
    /// The subtitle file.
    pub ass_path: PathBuf,
}

impl Transcript {
    /// `<dir>/<stem>.chat.jsonl` and `<dir>/<stem>.chat.ass`, created (replacing earlier ones).
    pub fn create(dir: &Path, stem: &str) -> std::io::Result<Transcript> {
        std::fs::create_dir_all(dir)?;
        let jsonl_path = dir.join(format!("{stem}.chat.jsonl"));
        let ass_path = dir.join(format!("{stem}.chat.ass"));
        let jsonl = std::io::BufWriter::new(std::fs::File::create(&jsonl_path)?);
        let mut ass = std::io::BufWriter::new(std::fs::File::create(&ass_path)?);
        ass.write_all(
            "[Script Info]\nScriptType: v4.00+\nPlayResX: 1280\nPlayResY: 720\nWrapStyle: 2\n\n\
             [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, \
             BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, \
             Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n\
             Style: Chat,Sans,28,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,0,1,20,20,20,1\n\n\
             [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
                .as_bytes(),
        )?;
        Ok(Transcript {
            jsonl,
            ass,
            jsonl_path,
            ass_path,
        })
    }

    /// Writes `m` at `offset` on the recording's timeline.
    pub fn write(&mut self, offset: Duration, m: &ChatMessage) -> std::io::Result<()> {
        let mut line = json_line(m);
        line["offset_ms"] = json!(offset.as_millis() as u64);
        writeln!(self.jsonl, "{line}")?;
        if let Some(text) = subtitle(m) {
            writeln!(
                self.ass,
                "Dialogue: 0,{},{},Chat,,0,0,0,,{}",
                ass_time(offset),
                ass_time(offset + SHOWN_FOR),
                ass_text(&text)
            )?;
        }
        Ok(())
    }

    /// Flushes both files.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.jsonl.flush()?;
        self.ass.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ass_times_and_text() {
        assert_eq!(ass_time(Duration::from_millis(3_723_456)), "1:02:03.45");
        assert_eq!(ass_text("a{\\b1}\nb"), "a(\\b1) b");
    }

    #[test]
    fn the_clock_starts_at_zero_and_follows_the_media() {
        let t = Timeline::new();
        assert_eq!(t.now(), Duration::ZERO);
        t.progress(Duration::from_secs(7));
        let now = t.now();
        assert!(now >= Duration::from_secs(7) && now <= Duration::from_secs(8));
    }
}
