//! The chat written beside a recording: JSON Lines (each message with its offset on the recording's timeline, its
//! part and its offset in that part) and, beside each part, an ASS subtitle file on that part's own timeline, which
//! a player shows over that part's video. The offset is the recording's media time ([`Timeline::progress`], fed
//! from [`crate::Event::Progress`]) plus the wall time since that report, capped, so a message that arrives while
//! the stream is down lands where the recording resumes rather than in a gap that is not in the file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use douyin_web::webcast::Typed;
use serde_json::{json, Value};

use super::{ChatMessage, Payload};

/// How far past the last progress report an offset may run (reports come every 500 ms while media flows).
const MAX_EXTRAPOLATION: Duration = Duration::from_secs(1);
/// How long a subtitle line stays on screen.
const SHOWN_FOR: Duration = Duration::from_secs(5);
/// Subtitle lines kept for the first part while none is open yet (the newest; a room waited for stays bounded).
const MAX_PENDING: usize = 1_000;

/// The recording's clock and its parts.
#[derive(Debug, Default)]
pub struct Timeline {
    clock: Mutex<Clock>,
}

#[derive(Debug, Default)]
struct Clock {
    last: Option<(Duration, Instant)>,
    /// Each part's file and where it starts on the timeline, in order.
    parts: Vec<(PathBuf, Duration)>,
}

impl Timeline {
    /// A clock at zero until the first report.
    pub fn new() -> Timeline {
        Timeline::default()
    }

    fn lock(&self) -> MutexGuard<'_, Clock> {
        self.clock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The recording has `media` of media so far.
    pub fn progress(&self, media: Duration) {
        self.lock().last = Some((media, Instant::now()));
    }

    /// A part was opened at `path`, starting at `starts_at` on the timeline ([`crate::Event::PartOpened`]).
    pub fn part_opened(&self, path: &Path, starts_at: Duration) {
        let mut clock = self.lock();
        clock.parts.push((path.to_owned(), starts_at));
        clock.last = Some((starts_at, Instant::now()));
    }

    /// Where now is on the recording's timeline.
    pub fn now(&self) -> Duration {
        match self.lock().last {
            Some((media, at)) => media + at.elapsed().min(MAX_EXTRAPOLATION),
            None => Duration::ZERO,
        }
    }

    /// The parts opened after the first `known`.
    fn parts_after(&self, known: usize) -> Vec<(PathBuf, Duration)> {
        self.lock().parts.get(known..).unwrap_or_default().to_vec()
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

/// The ASS file's header: one style, bottom left.
const ASS_HEADER: &str =
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 1280\nPlayResY: 720\nWrapStyle: 2\n\n\
     [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, \
     Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, \
     MarginL, MarginR, MarginV, Encoding\n\
     Style: Chat,Sans,28,&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,2,0,1,20,20,20,1\n\n\
     [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n";

/// One subtitle line shown from `at` on.
fn dialogue(ass: &mut impl Write, at: Duration, text: &str) -> std::io::Result<()> {
    writeln!(
        ass,
        "Dialogue: 0,{},{},Chat,,0,0,0,,{}",
        ass_time(at),
        ass_time(at + SHOWN_FOR),
        ass_text(text)
    )
}

/// The subtitle file of the part at `part`: `room_000.flv` → `room_000.chat.ass`, beside it.
pub fn ass_path(part: &Path) -> PathBuf {
    part.with_extension("chat.ass")
}

/// The chat files of a recording: one JSON Lines file for the whole recording, one ASS file per part.
#[derive(Debug)]
pub struct Transcript {
    jsonl: std::io::BufWriter<std::fs::File>,
    /// The newest part's subtitle file and where that part starts.
    ass: Option<(std::io::BufWriter<std::fs::File>, Duration)>,
    /// Subtitle lines of messages that came before the first part: they open its file, at its start.
    pending: std::collections::VecDeque<String>,
    /// The JSON Lines file.
    pub jsonl_path: PathBuf,
    /// The subtitle files, one per part so far, in the parts' order.
    pub ass_paths: Vec<PathBuf>,
}

impl Transcript {
    /// `<dir>/<stem>.chat.jsonl`, created (replacing an earlier one); the subtitle files follow the parts.
    pub fn create(dir: &Path, stem: &str) -> std::io::Result<Transcript> {
        std::fs::create_dir_all(dir)?;
        let jsonl_path = dir.join(format!("{stem}.chat.jsonl"));
        let jsonl = std::io::BufWriter::new(std::fs::File::create(&jsonl_path)?);
        Ok(Transcript {
            jsonl,
            ass: None,
            pending: std::collections::VecDeque::new(),
            jsonl_path,
            ass_paths: Vec::new(),
        })
    }

    /// Opens the subtitle files of the parts `timeline` has opened since the last call (each closes the one
    /// before), so every part gets one, with or without messages.
    fn follow(&mut self, timeline: &Timeline) -> std::io::Result<()> {
        for (part, starts_at) in timeline.parts_after(self.ass_paths.len()) {
            if let Some((mut old, _)) = self.ass.take() {
                old.flush()?;
            }
            let path = ass_path(&part);
            let mut ass = std::io::BufWriter::new(std::fs::File::create(&path)?);
            ass.write_all(ASS_HEADER.as_bytes())?;
            for text in self.pending.drain(..) {
                dialogue(&mut ass, Duration::ZERO, &text)?;
            }
            self.ass = Some((ass, starts_at));
            self.ass_paths.push(path);
        }
        Ok(())
    }

    /// Writes `m` where the recording is now on `timeline`: in the JSON Lines with `offset_ms` (the whole
    /// recording's timeline), `part` (its index in the recording) and `part_offset_ms`; as a subtitle line in that
    /// part's file at its offset in that part. A message that comes before the first part opens is at the
    /// recording's start: part 0, offset 0.
    pub fn write(&mut self, timeline: &Timeline, m: &ChatMessage) -> std::io::Result<()> {
        self.follow(timeline)?;
        let offset = timeline.now();
        let part = self.ass_paths.len().saturating_sub(1);
        let in_part = match &self.ass {
            Some((_, starts_at)) => offset.saturating_sub(*starts_at),
            None => Duration::ZERO,
        };
        let mut line = json_line(m);
        line["offset_ms"] = json!(offset.as_millis() as u64);
        line["part"] = json!(part);
        line["part_offset_ms"] = json!(in_part.as_millis() as u64);
        writeln!(self.jsonl, "{line}")?;
        let Some(text) = subtitle(m) else {
            return Ok(());
        };
        match &mut self.ass {
            Some((ass, _)) => dialogue(ass, in_part, &text),
            None => {
                if self.pending.len() == MAX_PENDING {
                    self.pending.pop_front();
                }
                self.pending.push_back(text);
                Ok(())
            }
        }
    }

    /// Opens the files of parts still without one, flushes them all, and returns the subtitle files' paths.
    pub fn finish(mut self, timeline: &Timeline) -> std::io::Result<Vec<PathBuf>> {
        self.follow(timeline)?;
        if let Some((ass, _)) = &mut self.ass {
            ass.flush()?;
        }
        self.jsonl.flush()?;
        Ok(self.ass_paths)
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

    fn chat(user: &str, content: &str) -> ChatMessage {
        let chat = douyin_web::webcast::ChatMessage {
            user: Some(douyin_web::webcast::User {
                nick_name: user.into(),
                ..Default::default()
            }),
            content: content.into(),
            ..Default::default()
        };
        ChatMessage {
            method: "WebcastChatMessage".into(),
            msg_id: 1,
            payload: Payload::Typed(Box::new(Typed::Chat(chat))),
            raw: Vec::new(),
        }
    }

    fn lines(path: &Path, prefix: &str) -> Vec<String> {
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.starts_with("[Script Info]"), "{text}");
        text.lines()
            .filter(|l| l.starts_with(prefix))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn each_part_gets_its_subtitles_on_its_own_timeline() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let mut t = Transcript::create(d, "room").unwrap();
        let clock = Timeline::new();
        t.write(&clock, &chat("a", "before the first part"))
            .unwrap();
        clock.part_opened(&d.join("room_000.flv"), Duration::ZERO);
        clock.progress(Duration::from_millis(1_500));
        t.write(&clock, &chat("b", "in part 0")).unwrap();
        // Part 1 starts 2 s into the recording; part 2 gets no message.
        clock.part_opened(&d.join("room_001.flv"), Duration::from_secs(2));
        clock.progress(Duration::from_millis(2_750));
        t.write(&clock, &chat("c", "in part 1")).unwrap();
        clock.part_opened(&d.join("room_002.flv"), Duration::from_secs(4));
        let ass = t.finish(&clock).unwrap();
        let names: Vec<_> = ass
            .iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "room_000.chat.ass",
                "room_001.chat.ass",
                "room_002.chat.ass"
            ]
        );
        let starts = |path: &Path| -> Vec<String> {
            lines(path, "Dialogue: ")
                .iter()
                .map(|l| {
                    l.split(',').nth(1).unwrap().to_owned() + " " + l.rsplit(",,").next().unwrap()
                })
                .collect()
        };
        // Wall time since the last report may add up to a few ms; the centiseconds say where each line is.
        let p0 = starts(&ass[0]);
        assert_eq!(p0.len(), 2, "{p0:?}");
        assert_eq!(p0[0], "0:00:00.00 a: before the first part");
        assert!(
            p0[1].starts_with("0:00:01.5") && p0[1].ends_with("b: in part 0"),
            "{p0:?}"
        );
        let p1 = starts(&ass[1]);
        assert!(
            p1.len() == 1 && p1[0].starts_with("0:00:00.7") && p1[0].ends_with("c: in part 1"),
            "{p1:?}"
        );
        assert!(starts(&ass[2]).is_empty());
        let json: Vec<Value> = std::fs::read_to_string(d.join("room.chat.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let at = |i: usize, k: &str| json[i][k].as_u64().unwrap();
        assert_eq!(
            (at(0, "offset_ms"), at(0, "part"), at(0, "part_offset_ms")),
            (0, 0, 0)
        );
        assert_eq!(at(1, "part"), 0);
        assert_eq!(at(2, "part"), 1);
        assert_eq!(at(2, "offset_ms") - at(2, "part_offset_ms"), 2_000);
        assert!((2_750..2_800).contains(&at(2, "offset_ms")), "{json:?}");
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
