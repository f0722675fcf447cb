//! What to fetch from a typed aweme: one video rendition, every image of an image post and its live-photo videos,
//! the music and the cover, each with its mirror URLs in the order the site lists them.
//!
//! Field access goes through `as_ref()` chains and calls taking `&T`, so it compiles whether a generated nested
//! field is `Option<T>` or `Option<Box<T>>`.

use douyin_web::types::{Aweme, BitRate, Image, Video};
use serde::Deserialize;

/// The kind of a media file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MediaKind {
    /// The video of a video post.
    Video,
    /// One picture of an image post (图文).
    Image,
    /// The short video of a live photo (实况) in an image post.
    LivePhoto,
    /// The background music.
    Music,
    /// The cover picture.
    Cover,
}

impl MediaKind {
    /// The kind as stored in the archive and printed (`video`, `image`, `live`, `music`, `cover`).
    pub fn as_str(self) -> &'static str {
        match self {
            MediaKind::Video => "video",
            MediaKind::Image => "image",
            MediaKind::LivePhoto => "live",
            MediaKind::Music => "music",
            MediaKind::Cover => "cover",
        }
    }

    fn default_extension(self) -> &'static str {
        match self {
            MediaKind::Video | MediaKind::LivePhoto => "mp4",
            MediaKind::Image | MediaKind::Cover => "jpeg",
            MediaKind::Music => "mp3",
        }
    }
}

/// A video codec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Codec {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC (ByteDance's `bytevc1`).
    H265,
}

/// How to choose among a video's renditions. The default is the highest quality without watermark.
#[derive(Clone, Debug, Default)]
pub struct VideoChoice {
    /// At most this many lines, counted on the shorter side as in "720p" (portrait videos report 1920 as height).
    /// If no rendition fits, the smallest one is taken.
    pub max_height: Option<u32>,
    /// Keep to this codec when a rendition in it exists.
    pub codec: Option<Codec>,
    /// The smallest rendition (bytes, else bit rate) instead of the best.
    pub smallest: bool,
}

/// Which files of an aweme to fetch.
#[derive(Clone, Debug)]
pub struct Selection {
    /// The video (video posts) — default on.
    pub video: bool,
    /// The pictures of an image post and their live-photo videos — default on.
    pub images: bool,
    /// The music — default off.
    pub music: bool,
    /// The cover — default off.
    pub cover: bool,
    /// Which video rendition.
    pub video_choice: VideoChoice,
}

impl Default for Selection {
    fn default() -> Self {
        Selection {
            video: true,
            images: true,
            music: false,
            cover: false,
            video_choice: VideoChoice::default(),
        }
    }
}

/// One file to fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaItem {
    /// The aweme it belongs to.
    pub aweme_id: String,
    /// What it is.
    pub kind: MediaKind,
    /// 1-based position among the images (and live photos) of an image post; 0 for the other kinds.
    pub index: u32,
    /// Mirror URLs, tried in order.
    pub urls: Vec<String>,
    /// The size the aweme announces (`data_size`), when it does.
    pub size: Option<u64>,
    /// File extension without the dot (`mp4`, `webp`, `mp3`, …).
    pub extension: String,
    /// Pixel width and height as announced.
    pub dimensions: Option<(u32, u32)>,
    /// The codec of a video rendition, when known.
    pub codec: Option<Codec>,
}

impl MediaItem {
    /// `7331282358999584037/video`, `…/image/3`: how logs and errors name the item.
    pub fn label(&self) -> String {
        match self.index {
            0 => format!("{}/{}", self.aweme_id, self.kind.as_str()),
            i => format!("{}/{}/{i}", self.aweme_id, self.kind.as_str()),
        }
    }
}

/// An aweme reduced to what naming and fetching need.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Post {
    /// The aweme id.
    pub aweme_id: String,
    /// The caption.
    pub desc: String,
    /// The author's nickname.
    pub author: String,
    /// The author's uid.
    pub author_id: String,
    /// Publication time, Unix seconds.
    pub create_time: Option<i64>,
    /// The files selected.
    pub items: Vec<MediaItem>,
}

/// Picks the files of `aweme` that `selection` asks for.
pub fn select(aweme: &Aweme, selection: &Selection) -> Post {
    let aweme_id = aweme.aweme_id.clone().unwrap_or_default();
    let author = aweme.author.as_ref();
    let mut post = Post {
        aweme_id: aweme_id.clone(),
        desc: aweme.desc.clone().unwrap_or_default(),
        author: author.and_then(|a| a.nickname.clone()).unwrap_or_default(),
        author_id: author.and_then(|a| a.uid.clone()).unwrap_or_default(),
        create_time: aweme.create_time,
        items: Vec::new(),
    };
    let images = images_of(aweme);
    let item = |kind, index, c: Candidate| MediaItem {
        aweme_id: aweme_id.clone(),
        kind,
        index,
        extension: extension_of(&c.urls, kind),
        urls: c.urls,
        size: c.size,
        dimensions: c.dimensions,
        codec: c.codec,
    };
    let video = aweme.video.as_ref();
    // An image post also carries a slideshow video; its pictures are the content.
    if selection.video && images.is_empty() {
        if let Some(v) = video {
            if let Some(c) = choose(candidates(v), &selection.video_choice) {
                post.items.push(item(MediaKind::Video, 0, c));
            }
        }
    }
    if selection.images {
        for (i, img) in images.into_iter().enumerate() {
            let index = i as u32 + 1;
            if let Some(c) = img.picture() {
                post.items.push(item(MediaKind::Image, index, c));
            }
            if let Some(live) = img.video.and_then(|v| Video::deserialize(v).ok()) {
                if let Some(c) = choose(candidates(&live), &selection.video_choice) {
                    post.items.push(item(MediaKind::LivePhoto, index, c));
                }
            }
        }
    }
    if selection.music {
        let play = aweme.music.as_ref().and_then(|m| m.play_url.as_ref());
        if let Some(c) = play.and_then(|p| Candidate::from_addr(p, None)) {
            post.items.push(item(MediaKind::Music, 0, c));
        }
    }
    if selection.cover {
        // The uncropped cover first; `cover` is a crop for the web grid.
        let origin = video.and_then(|v| v.origin_cover.as_ref());
        let cropped = video.and_then(|v| v.cover.as_ref());
        let c = origin
            .and_then(|p| Candidate::from_addr(p, None))
            .or_else(|| cropped.and_then(|p| Candidate::from_addr(p, None)));
        if let Some(c) = c {
            post.items.push(item(MediaKind::Cover, 0, c));
        }
    }
    post
}

/// One rendition or picture, before it becomes a [`MediaItem`].
#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    urls: Vec<String>,
    size: Option<u64>,
    dimensions: Option<(u32, u32)>,
    codec: Option<Codec>,
    bit_rate: Option<u64>,
}

impl Candidate {
    /// The addresses of a play or image address, watermarked ones rewritten (`/playwm/` → `/play/`: the site serves
    /// the clean file under the same id, as the tools people use rely on).
    fn from_addr(addr: &Image, codec: Option<Codec>) -> Option<Candidate> {
        let mut urls: Vec<String> = Vec::new();
        for u in addr.url_list.iter().flatten() {
            let u = u.replace("/playwm/", "/play/");
            if !u.is_empty() && !urls.contains(&u) {
                urls.push(u);
            }
        }
        if urls.is_empty() {
            return None;
        }
        let dims = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
        Some(Candidate {
            urls,
            size: addr.data_size.and_then(|n| u64::try_from(n).ok()),
            dimensions: dims(addr.width).zip(dims(addr.height)),
            codec,
            bit_rate: None,
        })
    }

    /// The shorter side: "720p" whatever the orientation.
    fn lines(&self) -> u32 {
        self.dimensions.map(|(w, h)| w.min(h)).unwrap_or(0)
    }

    fn weight(&self) -> u64 {
        self.size.or(self.bit_rate).unwrap_or(u64::MAX)
    }
}

fn codec_of(b: &BitRate) -> Codec {
    if b.is_h265 == Some(1) || b.is_bytevc1 == Some(1) {
        Codec::H265
    } else {
        Codec::H264
    }
}

/// Every watermark-free rendition of a video: the `bit_rate` ladder, then the video's own play addresses.
fn candidates(video: &Video) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut push = |c: Option<Candidate>| {
        if let Some(c) = c {
            if !out.iter().any(|o| o.urls[0] == c.urls[0]) {
                out.push(c);
            }
        }
    };
    for b in video.bit_rate.iter().flatten() {
        let rate = b.bit_rate.and_then(|r| u64::try_from(r).ok());
        let codec = codec_of(b);
        if let Some(addr) = b.play_addr.as_ref() {
            push(Candidate::from_addr(addr, Some(codec)).map(|c| Candidate {
                bit_rate: rate,
                ..c
            }));
        }
        if let Some(addr) = b.play_addr_265.as_ref() {
            push(
                Candidate::from_addr(addr, Some(Codec::H265)).map(|c| Candidate {
                    bit_rate: rate,
                    ..c
                }),
            );
        }
    }
    // `download_addr` is left out: it is the watermarked file.
    let own = [
        (video.play_addr_h264.as_ref(), Some(Codec::H264)),
        (video.play_addr_265.as_ref(), Some(Codec::H265)),
        (video.play_addr.as_ref(), None),
    ];
    for (addr, codec) in own {
        if let Some(addr) = addr {
            push(Candidate::from_addr(addr, codec));
        }
    }
    out
}

fn choose(mut all: Vec<Candidate>, choice: &VideoChoice) -> Option<Candidate> {
    if let Some(max) = choice.max_height {
        let fitting: Vec<Candidate> = all.iter().filter(|c| c.lines() <= max).cloned().collect();
        if fitting.is_empty() {
            return all.into_iter().min_by_key(|c| (c.lines(), c.weight()));
        }
        all = fitting;
    }
    if let Some(codec) = choice.codec {
        if all.iter().any(|c| c.codec == Some(codec)) {
            all.retain(|c| c.codec == Some(codec));
        }
    }
    if choice.smallest {
        all.into_iter().min_by_key(|c| (c.weight(), c.lines()))
    } else {
        // Highest resolution, then highest bit rate; on a tie the site's order (best first) wins.
        let mut best: Option<Candidate> = None;
        for c in all {
            let better = best.as_ref().is_none_or(|b| {
                (c.lines(), c.bit_rate.unwrap_or(0)) > (b.lines(), b.bit_rate.unwrap_or(0))
            });
            if better {
                best = Some(c);
            }
        }
        best
    }
}

/// The part of an image-post picture this crate reads. `images` is raw JSON in the web types today; reading it
/// through its serialised form keeps this working when the spec types it.
#[derive(Deserialize)]
struct PostImage {
    #[serde(default)]
    url_list: Option<Vec<String>>,
    #[serde(default)]
    width: Option<i64>,
    #[serde(default)]
    height: Option<i64>,
    /// The live photo's video, same shape as an aweme's `video`.
    #[serde(default)]
    video: Option<serde_json::Value>,
}

impl PostImage {
    /// `url_list` is the clean picture; `download_url_list` carries the watermark and is left out.
    fn picture(&self) -> Option<Candidate> {
        let mut urls: Vec<String> = Vec::new();
        for u in self.url_list.iter().flatten() {
            if !u.is_empty() && !urls.contains(u) {
                urls.push(u.clone());
            }
        }
        let dim = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok()).filter(|n| *n > 0);
        (!urls.is_empty()).then(|| Candidate {
            urls,
            size: None,
            dimensions: dim(self.width).zip(dim(self.height)),
            codec: None,
            bit_rate: None,
        })
    }
}

fn images_of(aweme: &Aweme) -> Vec<PostImage> {
    serde_json::to_value(&aweme.images)
        .ok()
        .and_then(|v| Option::<Vec<Option<PostImage>>>::deserialize(v).ok())
        .flatten()
        .map(|list| list.into_iter().flatten().collect())
        .unwrap_or_default()
}

/// The extension of the first URL's last path segment (`…~tplv-dy:q75.webp?x=…` → `webp`), else the kind's usual.
fn extension_of(urls: &[String], kind: MediaKind) -> String {
    let from_url = urls.first().and_then(|u| {
        let path = u.split(['?', '#']).next()?;
        let last = path.rsplit('/').next()?;
        let (_, ext) = last.rsplit_once('.')?;
        let ext = ext.to_ascii_lowercase();
        let known = [
            "mp4", "mp3", "m4a", "aac", "jpeg", "jpg", "webp", "png", "heic", "gif", "avif",
        ];
        known.contains(&ext.as_str()).then_some(ext)
    });
    from_url.unwrap_or_else(|| kind.default_extension().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aweme(json: serde_json::Value) -> Aweme {
        serde_json::from_value(json).expect("test aweme decodes")
    }

    fn rendition(url: &str, w: i64, h: i64, rate: i64, h265: i64, size: i64) -> serde_json::Value {
        serde_json::json!({
            "bit_rate": rate, "is_h265": h265, "gear_name": "g",
            "play_addr": {"url_list": [url, format!("{url}?mirror=2")], "width": w, "height": h, "data_size": size}
        })
    }

    fn video_post() -> Aweme {
        aweme(serde_json::json!({
            "aweme_id": "1", "desc": "d", "author": {"nickname": "n", "uid": "9"},
            "video": {
                "bit_rate": [
                    rendition("https://cdn/1080-265", 1080, 1920, 1_300_000, 1, 1_200_000),
                    rendition("https://cdn/1080", 1080, 1920, 2_700_000, 0, 2_600_000),
                    rendition("https://cdn/720", 720, 1280, 2_300_000, 0, 2_200_000),
                    rendition("https://cdn/540", 576, 1024, 900_000, 1, 890_000),
                ],
                "play_addr": {"url_list": ["https://aweme.snssdk.com/aweme/v1/playwm/?video_id=v1"], "width": 1080, "height": 1920},
                "download_addr": {"url_list": ["https://cdn/watermarked"]},
                "origin_cover": {"url_list": ["https://img/origin.jpeg"]},
                "cover": {"url_list": ["https://img/crop.webp"]}
            },
            "music": {"play_url": {"url_list": ["https://music/a.mp3", "https://music2/a.mp3"]}}
        }))
    }

    fn first_url(post: &Post, kind: MediaKind) -> Option<&str> {
        post.items
            .iter()
            .find(|i| i.kind == kind)
            .map(|i| i.urls[0].as_str())
    }

    #[test]
    fn default_is_the_highest_quality_without_watermark() {
        let post = select(&video_post(), &Selection::default());
        assert_eq!(post.items.len(), 1);
        let v = &post.items[0];
        assert_eq!(v.urls, ["https://cdn/1080", "https://cdn/1080?mirror=2"]);
        assert_eq!(
            (v.size, v.codec, v.dimensions),
            (Some(2_600_000), Some(Codec::H264), Some((1080, 1920)))
        );
        assert_eq!(
            (
                v.extension.as_str(),
                post.author.as_str(),
                post.author_id.as_str()
            ),
            ("mp4", "n", "9")
        );
    }

    #[test]
    fn options_pick_height_codec_and_size() {
        let a = video_post();
        let pick = |choice: VideoChoice| {
            let s = Selection {
                video_choice: choice,
                ..Selection::default()
            };
            first_url(&select(&a, &s), MediaKind::Video).map(str::to_owned)
        };
        let max = |h| VideoChoice {
            max_height: Some(h),
            ..VideoChoice::default()
        };
        assert_eq!(pick(max(720)).as_deref(), Some("https://cdn/720"));
        assert_eq!(
            pick(max(100)).as_deref(),
            Some("https://cdn/540"),
            "nothing fits: the smallest"
        );
        let h265 = VideoChoice {
            codec: Some(Codec::H265),
            ..VideoChoice::default()
        };
        assert_eq!(pick(h265).as_deref(), Some("https://cdn/1080-265"));
        let small = VideoChoice {
            smallest: true,
            ..VideoChoice::default()
        };
        assert_eq!(pick(small).as_deref(), Some("https://cdn/540"));
    }

    #[test]
    fn playwm_is_rewritten_when_only_the_play_address_exists() {
        let a = aweme(serde_json::json!({"aweme_id": "2", "video": {
            "play_addr": {"url_list": ["https://aweme.snssdk.com/aweme/v1/playwm/?video_id=v1"]}}}));
        let post = select(&a, &Selection::default());
        assert_eq!(
            first_url(&post, MediaKind::Video),
            Some("https://aweme.snssdk.com/aweme/v1/play/?video_id=v1")
        );
    }

    #[test]
    fn music_and_cover_on_request() {
        let s = Selection {
            music: true,
            cover: true,
            ..Selection::default()
        };
        let post = select(&video_post(), &s);
        let kinds: Vec<_> = post.items.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [MediaKind::Video, MediaKind::Music, MediaKind::Cover]
        );
        assert_eq!(post.items[1].urls.len(), 2);
        assert_eq!(post.items[1].extension, "mp3");
        assert_eq!(
            first_url(&post, MediaKind::Cover),
            Some("https://img/origin.jpeg")
        );
    }

    #[test]
    fn image_post_gives_every_picture_and_live_photo() {
        let a = aweme(serde_json::json!({
            "aweme_id": "3", "aweme_type": 68,
            "video": {"play_addr": {"url_list": ["https://cdn/slideshow.mp4"]}},
            "images": [
                {"url_list": ["https://p3/a~tplv:q75.webp?x=1", "https://p9/a.webp"], "download_url_list": ["https://p3/wm.jpeg"], "width": 1080, "height": 1440},
                {"url_list": ["https://p3/b.jpeg"], "video": {"bit_rate": [
                    {"bit_rate": 1, "play_addr": {"url_list": ["https://cdn/live-b.mp4"], "data_size": 5}}]}},
                null,
                {"url_list": []}
            ]
        }));
        let post = select(&a, &Selection::default());
        let got: Vec<_> = post
            .items
            .iter()
            .map(|i| (i.kind, i.index, i.urls[0].as_str(), i.extension.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    MediaKind::Image,
                    1,
                    "https://p3/a~tplv:q75.webp?x=1",
                    "webp"
                ),
                (MediaKind::Image, 2, "https://p3/b.jpeg", "jpeg"),
                (MediaKind::LivePhoto, 2, "https://cdn/live-b.mp4", "mp4"),
            ]
        );
        assert_eq!(post.items[0].dimensions, Some((1080, 1440)));
        assert_eq!(post.items[2].size, Some(5));
    }

    #[test]
    fn an_empty_aweme_selects_nothing() {
        let post = select(
            &aweme(serde_json::json!({})),
            &Selection {
                music: true,
                cover: true,
                ..Selection::default()
            },
        );
        assert!(post.items.is_empty());
    }
}
