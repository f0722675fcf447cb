//! File names from a template (`{author}_{aweme_id}_{desc}`), safe on Windows, macOS and Linux.
//!
//! Rules, and why: characters Windows forbids (`<>:"/\|?*`) and control characters become `_`; newlines, tabs and
//! runs of spaces become one space; invisible format characters (bidi overrides that make `gpj.exe` read as
//! `exe.jpg`, zero-width joiners) are dropped; emoji are dropped by default (consoles, archivers and SMB shares
//! mangle them); leading dots (hidden files, `..`) and trailing dots and spaces (Windows strips them) go; a stem
//! that Windows reserves (`CON`, `nul`, `COM1`, …, with any extension) gets a `_` prefix; the name is cut to
//! [`MAX_STEM_BYTES`] bytes of UTF-8 on a character boundary, leaving room for a ` (2)` and `.part` within the
//! 255-byte limit of ext4, APFS and NTFS. The caption is cut first, so the aweme id survives.

use crate::error::Error;
use crate::select::{MediaItem, MediaKind, Post};

/// The longest stem produced, in bytes: 255 minus room for ` (999)`, `.jpeg` and `.part`.
pub const MAX_STEM_BYTES: usize = 230;

/// The default template.
pub const DEFAULT_TEMPLATE: &str = "{author}_{aweme_id}_{desc}";

const PLACEHOLDERS: &str = "{aweme_id} {desc} {author} {author_id} {date} {kind} {index}";

/// What to do with emoji in names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Emoji {
    /// Drop them (default).
    #[default]
    Strip,
    /// Keep them.
    Keep,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Text(String),
    Field(Field),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    AwemeId,
    Desc,
    Author,
    AuthorId,
    Date,
    Kind,
    Index,
}

/// A parsed name template. Placeholders: `{aweme_id}`, `{desc}`, `{author}`, `{author_id}`, `{date}` (YYYY-MM-DD,
/// UTC), `{kind}` (`video`, `image`, `live`, `music`, `cover`), `{index}` (two digits, images). A video keeps the
/// template's name; other kinds get `_{kind}` (and `_{index}`) appended unless the template already places them, so
/// the files of one aweme never share a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameTemplate {
    parts: Vec<Part>,
    emoji: Emoji,
}

impl Default for NameTemplate {
    fn default() -> Self {
        NameTemplate::parse(DEFAULT_TEMPLATE).expect("the default template parses")
    }
}

impl NameTemplate {
    /// Parses `template`; an unknown placeholder is an error naming the known ones. `{{` and `}}` are literal braces.
    pub fn parse(template: &str) -> Result<NameTemplate, Error> {
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = template;
        while let Some(c) = rest.chars().next() {
            if let Some(r) = rest.strip_prefix("{{") {
                text.push('{');
                rest = r;
            } else if let Some(r) = rest.strip_prefix("}}") {
                text.push('}');
                rest = r;
            } else if c == '{' {
                let end = rest
                    .find('}')
                    .ok_or_else(|| Error::Template(rest.to_owned(), PLACEHOLDERS))?;
                let field = match &rest[1..end] {
                    "aweme_id" | "id" => Field::AwemeId,
                    "desc" => Field::Desc,
                    "author" => Field::Author,
                    "author_id" => Field::AuthorId,
                    "date" => Field::Date,
                    "kind" => Field::Kind,
                    "index" => Field::Index,
                    other => return Err(Error::Template(other.to_owned(), PLACEHOLDERS)),
                };
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Field(field));
                rest = &rest[end + 1..];
            } else {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(NameTemplate {
            parts,
            emoji: Emoji::Strip,
        })
    }

    /// Keeps or drops emoji.
    pub fn emoji(mut self, emoji: Emoji) -> Self {
        self.emoji = emoji;
        self
    }

    /// The file name (stem and extension) of `item` of `post`, sanitised; not yet made unique in a directory.
    pub fn file_name(&self, post: &Post, item: &MediaItem) -> String {
        let has = |f: Field| self.parts.contains(&Part::Field(f));
        let mut suffix = String::new();
        if item.kind != MediaKind::Video && !has(Field::Kind) {
            suffix.push('_');
            suffix.push_str(item.kind.as_str());
        }
        if item.index > 0 && !has(Field::Index) {
            suffix.push_str(&format!("{:02}", item.index));
        }
        let value = |f: Field| -> String {
            match f {
                Field::AwemeId => post.aweme_id.clone(),
                Field::Desc => post.desc.clone(),
                Field::Author => post.author.clone(),
                Field::AuthorId => post.author_id.clone(),
                Field::Date => post.create_time.map(date_of).unwrap_or_default(),
                Field::Kind => item.kind.as_str().to_owned(),
                Field::Index => format!("{:02}", item.index),
            }
        };
        // Sanitise each piece, then give the caption (then the author) only the bytes the rest leaves.
        let mut pieces: Vec<(Option<Field>, String)> = self
            .parts
            .iter()
            .map(|p| match p {
                Part::Text(t) => (None, clean(t, self.emoji)),
                Part::Field(f) => (Some(*f), clean(&value(*f), self.emoji).trim().to_owned()),
            })
            .collect();
        pieces.push((None, clean(&suffix, self.emoji)));
        for shrink in [Field::Desc, Field::Author, Field::AuthorId] {
            let total: usize = pieces.iter().map(|(_, s)| s.len()).sum();
            let excess = total.saturating_sub(MAX_STEM_BYTES);
            if excess == 0 {
                break;
            }
            if let Some((_, s)) = pieces.iter_mut().find(|(f, _)| *f == Some(shrink)) {
                let keep = s.len().saturating_sub(excess);
                truncate_at_char(s, keep);
            }
        }
        let mut stem: String = pieces.into_iter().map(|(_, s)| s).collect();
        truncate_at_char(&mut stem, MAX_STEM_BYTES);
        let mut stem = finish(&stem);
        if stem.is_empty() {
            stem = finish(&format!("{}{suffix}", clean(&post.aweme_id, Emoji::Strip)));
        }
        if stem.is_empty() {
            stem = "douyin".to_owned();
        }
        let ext = clean(&item.extension, Emoji::Strip);
        format!("{stem}.{}", if ext.is_empty() { "bin" } else { &ext })
    }
}

/// `YYYY-MM-DD` (UTC) of Unix seconds; empty when out of range.
fn date_of(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()))
        .unwrap_or_default()
}

/// Replaces forbidden characters and whitespace runs, drops invisible and (optionally) emoji characters.
fn clean(s: &str, emoji: Emoji) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{3000}' {
            space = true;
            continue;
        }
        if is_invisible(c) || (emoji == Emoji::Strip && is_emoji(c)) {
            continue;
        }
        if space {
            out.push(' ');
        }
        space = false;
        let forbidden =
            matches!(c, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*') || c.is_control();
        out.push(if forbidden { '_' } else { c });
    }
    if space {
        out.push(' ');
    }
    out
}

/// Trims what Windows strips or Unix hides, and escapes reserved device names.
fn finish(stem: &str) -> String {
    let trimmed = stem
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    let mut s = trimmed.to_owned();
    let device = s
        .split('.')
        .next()
        .unwrap_or("")
        .trim_end()
        .to_ascii_uppercase();
    let reserved = matches!(
        device.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ((device.starts_with("COM") || device.starts_with("LPT"))
        && device.len() == 4
        && device.as_bytes()[3].is_ascii_digit())
        || ((device.starts_with("COM") || device.starts_with("LPT"))
            && matches!(&device[3..], "¹" | "²" | "³"));
    if reserved {
        s.insert(0, '_');
    }
    s
}

fn truncate_at_char(s: &mut String, max_bytes: usize) {
    if s.len() <= max_bytes {
        return;
    }
    let mut cut = max_bytes;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    // Do not leave half of a joined sequence (a dangling joiner or modifier) at the end.
    while s.ends_with(|c: char| {
        is_invisible(c) || matches!(c, '\u{1F3FB}'..='\u{1F3FF}' | '\u{FE0E}' | '\u{FE0F}')
    }) {
        s.pop();
    }
}

/// Format characters that change how a name reads without being seen: bidi controls, zero-width characters, BOM.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}')
}

/// Emoji and their joiners and modifiers: the pictographic blocks of Unicode's Extended_Pictographic property and
/// the characters that only combine with them. Letters, digits and CJK punctuation are never matched.
fn is_emoji(c: char) -> bool {
    matches!(c,
        '\u{200D}' | '\u{20E3}' | '\u{FE0E}' | '\u{FE0F}'
        | '\u{203C}' | '\u{2049}' | '\u{2122}' | '\u{2139}' | '\u{2194}'..='\u{21AA}'
        | '\u{231A}'..='\u{23FF}' | '\u{24C2}' | '\u{25AA}'..='\u{25FE}' | '\u{2600}'..='\u{27BF}'
        | '\u{2934}' | '\u{2935}' | '\u{2B05}'..='\u{2B55}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{1F000}'..='\u{1FAFF}' | '\u{1FC00}'..='\u{1FFFD}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(desc: &str, author: &str) -> Post {
        Post {
            aweme_id: "7331282358999584037".into(),
            desc: desc.into(),
            author: author.into(),
            author_id: "61069823274".into(),
            create_time: Some(1_706_103_533),
            items: Vec::new(),
        }
    }

    fn item(kind: MediaKind, index: u32) -> MediaItem {
        MediaItem {
            aweme_id: "7331282358999584037".into(),
            kind,
            index,
            urls: vec!["https://x/y".into()],
            size: None,
            extension: "mp4".into(),
            dimensions: None,
            codec: None,
        }
    }

    fn name(desc: &str) -> String {
        NameTemplate::default().file_name(&post(desc, "喵喵"), &item(MediaKind::Video, 0))
    }

    #[test]
    fn hostile_captions() {
        let id = "7331282358999584037";
        let table: &[(&str, String)] = &[
            ("plain", format!("喵喵_{id}_plain.mp4")),
            (
                "a/b\\c:d*e?f\"g<h>i|j",
                format!("喵喵_{id}_a_b_c_d_e_f_g_h_i_j.mp4"),
            ),
            (
                "line1\nline2\r\n\ttab",
                format!("喵喵_{id}_line1 line2 tab.mp4"),
            ),
            ("💖✨ 好看 👨‍👩‍👧 #舞蹈", format!("喵喵_{id}_好看 #舞蹈.mp4")),
            ("\u{202E}gpj.exe", format!("喵喵_{id}_gpj.exe.mp4")),
            ("nul\0byte\u{7}bell", format!("喵喵_{id}_nul_byte_bell.mp4")),
            ("trailing dots...  ", format!("喵喵_{id}_trailing dots.mp4")),
            ("", format!("喵喵_{id}_.mp4")),
        ];
        for (desc, want) in table {
            assert_eq!(&name(desc), want, "caption {desc:?}");
        }
    }

    #[test]
    fn long_captions_keep_the_id_and_fit_in_bytes() {
        for desc in [
            "长".repeat(400),
            "a".repeat(1000),
            "🎉x".repeat(300),
            "é".repeat(500),
        ] {
            let n = name(&desc);
            assert!(n.len() <= MAX_STEM_BYTES + 4, "{} bytes: {n}", n.len());
            assert!(n.contains("7331282358999584037"), "{n}");
            assert!(n.ends_with(".mp4"));
        }
        let long_author = NameTemplate::default()
            .file_name(&post("x", &"作者".repeat(200)), &item(MediaKind::Video, 0));
        assert!(
            long_author.len() <= MAX_STEM_BYTES + 4 && long_author.contains("7331282358999584037"),
            "{long_author}"
        );
    }

    #[test]
    fn reserved_and_dot_names() {
        let t = NameTemplate::parse("{desc}").unwrap();
        let n = |d: &str| t.file_name(&post(d, ""), &item(MediaKind::Video, 0));
        assert_eq!(n("CON"), "_CON.mp4");
        assert_eq!(n("com1.txt"), "_com1.txt.mp4");
        assert_eq!(n("LPT9"), "_LPT9.mp4");
        assert_eq!(n("console"), "console.mp4");
        assert_eq!(n(".."), "7331282358999584037.mp4");
        assert_eq!(n(".hidden"), "hidden.mp4");
        assert_eq!(n("   "), "7331282358999584037.mp4");
        assert_eq!(n("🔥🔥"), "7331282358999584037.mp4");
    }

    #[test]
    fn kinds_and_indices_never_share_a_name() {
        let t = NameTemplate::default();
        let p = post("d", "a");
        let names: Vec<String> = [
            item(MediaKind::Video, 0),
            item(MediaKind::Image, 1),
            item(MediaKind::Image, 2),
            item(MediaKind::LivePhoto, 2),
            item(MediaKind::Music, 0),
            item(MediaKind::Cover, 0),
        ]
        .iter()
        .map(|i| t.file_name(&p, i))
        .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{names:?}");
        assert_eq!(names[2], "a_7331282358999584037_d_image02.mp4");
    }

    #[test]
    fn template_fields_and_errors() {
        let t = NameTemplate::parse("{date} {{{author_id}}} {kind}-{index}").unwrap();
        assert_eq!(
            t.file_name(&post("d", "a"), &item(MediaKind::Image, 3)),
            "2024-01-24 {61069823274} image-03.mp4"
        );
        assert!(matches!(NameTemplate::parse("{nope}"), Err(Error::Template(p, _)) if p == "nope"));
        assert!(NameTemplate::parse("{desc").is_err());
        let keep = NameTemplate::parse("{desc}").unwrap().emoji(Emoji::Keep);
        assert_eq!(
            keep.file_name(&post("好看💖", ""), &item(MediaKind::Video, 0)),
            "好看💖.mp4"
        );
    }
}
