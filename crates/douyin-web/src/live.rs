//! Live rooms: which address to pull from a `live_room_enter` answer, and a plain "not live" when there is none.
//!
//! A room offers the same stream in several qualities from two places of its `stream_url`: the quality maps
//! (`flv_pull_url`, `hls_pull_url_map`, keyed FULL_HD1, HD1, SD2, SD1) and the player's pull data
//! (`live_core_sdk_data.pull_data.stream_data`, keyed origin, uhd, hd, sd, ld, md, ao), which alone carries the
//! origin (原画) stream. [`streams`] lists both, best first; [`pick`] chooses one by name or the best.

use std::collections::BTreeMap;
use std::fmt;

use crate::types::{
    LivePullData, LiveQualityUrls, LiveRoom, LiveRoomEnterResponse, LiveStreamData,
};

/// The `status` of a room that is on air (public recorders record only this value).
pub const STATUS_LIVE: i64 = 2;

/// Quality names best first, from both naming schemes: the pull data's keys (lower case) beside the quality maps'
/// names (upper case) of about the same picture. `ao` is audio only. Order as the page labels them (原画, 蓝光,
/// 超清, 高清, 标清) and by the bitrates public recorders sort on; names not listed come after, by bitrate.
const RANKING: &[&str] = &[
    "origin", "ORIGION", "FULL_HD1", "uhd", "HD1", "hd", "SD2", "sd", "SD1", "ld", "md", "ao",
];

/// A container the room is pulled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamFormat {
    /// HTTP-FLV: one endless response.
    Flv,
    /// HLS: a playlist of MPEG-TS segments.
    Hls,
}

impl fmt::Display for StreamFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StreamFormat::Flv => "FLV",
            StreamFormat::Hls => "HLS",
        })
    }
}

/// One quality a room offers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamChoice {
    /// Its key: a pull-data key (`origin`, `hd`, …) or a quality-map name (`FULL_HD1`, …).
    pub quality: String,
    /// What the page calls it (原画, 标清, …), when the answer says.
    pub label: Option<String>,
    /// Video bitrate in bit/s, when the answer says (0 or absent for the origin stream).
    pub bitrate: Option<i64>,
    /// The HTTP-FLV address.
    pub flv: Option<String>,
    /// The HLS playlist address.
    pub hls: Option<String>,
}

impl StreamChoice {
    /// The address in `format`, if this quality has one.
    pub fn url(&self, format: StreamFormat) -> Option<&str> {
        match format {
            StreamFormat::Flv => self.flv.as_deref(),
            StreamFormat::Hls => self.hls.as_deref(),
        }
        .filter(|u| !u.is_empty())
    }

    fn rank(&self) -> (usize, i64) {
        let known = RANKING.iter().position(|q| *q == self.quality);
        (known.unwrap_or(RANKING.len()), -self.bitrate.unwrap_or(0))
    }
}

/// Why no address came out of an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LiveError {
    /// The answer holds no room (a wrong web_rid, or the service refused quietly).
    NoRoom,
    /// The room exists but is not on air.
    NotLive {
        /// Its `status` (4: ended), if sent.
        status: Option<i64>,
        /// Its title, if sent.
        title: Option<String>,
    },
    /// The room is live but sends no address in this format.
    NoStream(StreamFormat),
    /// The asked quality is not offered (in this format).
    UnknownQuality {
        /// What was asked.
        wanted: String,
        /// What the room offers in the format, best first.
        available: Vec<String>,
    },
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveError::NoRoom => {
                f.write_str("the answer holds no live room (is the room number right?)")
            }
            LiveError::NotLive { status, title } => {
                f.write_str("the room is not live")?;
                if let Some(t) = title.as_deref().filter(|t| !t.is_empty()) {
                    write!(f, " ({t})")?;
                }
                match status {
                    Some(4) => f.write_str(": the stream has ended"),
                    Some(s) => write!(f, ": status {s}"),
                    None => f.write_str(": no status"),
                }
            }
            LiveError::NoStream(format) => {
                write!(f, "the room is live but offers no {format} address")
            }
            LiveError::UnknownQuality { wanted, available } => write!(
                f,
                "no quality `{wanted}`; the room offers: {}",
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
        }
    }
}

impl std::error::Error for LiveError {}

/// The first room of the answer, if it is on air.
pub fn live_room(answer: &LiveRoomEnterResponse) -> Result<&LiveRoom, LiveError> {
    let room = answer
        .data
        .as_ref()
        .and_then(|d| d.data.as_ref())
        .and_then(|rooms| rooms.first())
        .ok_or(LiveError::NoRoom)?;
    if room.status == Some(STATUS_LIVE) {
        Ok(room)
    } else {
        Err(LiveError::NotLive {
            status: room.status,
            title: room.title.clone(),
        })
    }
}

/// Every quality the room offers, best first. `second_stream` takes the qualities of the room's other stream
/// (`pull_datas`, when `stream_orientation` is 2) instead of the main pull data, as recorders do when asked for
/// the portrait picture; the quality maps always describe the main stream and are left out then.
pub fn streams(room: &LiveRoom, second_stream: bool) -> Vec<StreamChoice> {
    let Some(url) = room.stream_url.as_deref() else {
        return Vec::new();
    };
    let second = url
        .pull_datas
        .as_ref()
        .filter(|_| second_stream && url.stream_orientation == Some(2))
        .and_then(|raw| raw.parse::<BTreeMap<String, LivePullData>>().ok())
        .and_then(|map| map.into_values().next());
    let mut out = match &second {
        Some(pull) => from_pull_data(pull),
        None => {
            let main = url
                .live_core_sdk_data
                .as_ref()
                .and_then(|d| d.pull_data.as_deref());
            let mut all = main.map(from_pull_data).unwrap_or_default();
            all.extend(from_quality_maps(
                url.flv_pull_url.as_deref(),
                url.hls_pull_url_map.as_deref(),
                url.resolution_name.as_deref(),
            ));
            all
        }
    };
    out.sort_by_key(StreamChoice::rank);
    out
}

/// The address to pull: the quality named `quality` (its key or label, any case), else the best one with an
/// address in `format`.
pub fn pick(
    answer: &LiveRoomEnterResponse,
    quality: Option<&str>,
    format: StreamFormat,
    second_stream: bool,
) -> Result<(StreamChoice, String), LiveError> {
    let room = live_room(answer)?;
    let offered: Vec<StreamChoice> = streams(room, second_stream)
        .into_iter()
        .filter(|c| c.url(format).is_some())
        .collect();
    let chosen = match quality {
        None => offered.first().ok_or(LiveError::NoStream(format))?,
        Some(wanted) => offered
            .iter()
            .find(|c| c.quality.eq_ignore_ascii_case(wanted) || c.label.as_deref() == Some(wanted))
            .ok_or_else(|| LiveError::UnknownQuality {
                wanted: wanted.to_owned(),
                available: offered.iter().map(|c| c.quality.clone()).collect(),
            })?,
    };
    let url = chosen.url(format).unwrap_or_default().to_owned();
    Ok((chosen.clone(), url))
}

/// The qualities in a pull data's `stream_data` JSON text, labelled from its quality list. Text that does not
/// decode gives none (the quality maps still do).
fn from_pull_data(pull: &LivePullData) -> Vec<StreamChoice> {
    let Some(data) = pull
        .stream_data
        .as_deref()
        .and_then(|text| serde_json::from_str::<LiveStreamData>(text).ok())
        .and_then(|d| d.data)
    else {
        return Vec::new();
    };
    let labels = pull.options.as_ref().and_then(|o| o.qualities.as_ref());
    let label = |key: &str| {
        labels?
            .iter()
            .find(|q| q.sdk_key.as_deref() == Some(key))
            .and_then(|q| q.name.clone())
    };
    let known = [
        ("origin", &data.origin),
        ("uhd", &data.uhd),
        ("hd", &data.hd),
        ("sd", &data.sd),
        ("ld", &data.ld),
        ("md", &data.md),
        ("ao", &data.ao),
    ];
    let known = known
        .into_iter()
        .filter_map(|(key, v)| Some((key.to_owned(), v.as_deref()?.clone())));
    let unknown = data.unknown_fields.iter().filter_map(|(key, raw)| {
        let variant = serde_json::from_str(raw.get()).ok()?;
        Some((key.to_owned(), variant))
    });
    known
        .chain(unknown)
        .filter_map(
            |(key, variant): (String, crate::types::LiveStreamVariant)| {
                let main = variant.main?;
                let bitrate = main
                    .sdk_params
                    .as_deref()
                    .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
                    .and_then(|p| p.get("vbitrate")?.as_i64());
                Some(StreamChoice {
                    label: label(&key),
                    quality: key,
                    bitrate,
                    flv: main.flv,
                    hls: main.hls,
                })
            },
        )
        .collect()
}

/// The qualities of the `flv_pull_url` / `hls_pull_url_map` maps, labelled from `resolution_name`.
fn from_quality_maps(
    flv: Option<&LiveQualityUrls>,
    hls: Option<&LiveQualityUrls>,
    labels: Option<&LiveQualityUrls>,
) -> Vec<StreamChoice> {
    let by_name = |urls: Option<&LiveQualityUrls>| -> BTreeMap<String, String> {
        let Some(u) = urls else {
            return BTreeMap::new();
        };
        let known = [
            ("ORIGION", &u.origion),
            ("FULL_HD1", &u.full_hd1),
            ("HD1", &u.hd1),
            ("SD2", &u.sd2),
            ("SD1", &u.sd1),
        ];
        let known = known
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v.clone()?)));
        let unknown = u.unknown_fields.iter().filter_map(|(k, raw)| {
            Some((
                k.to_owned(),
                serde_json::from_str::<String>(raw.get()).ok()?,
            ))
        });
        known.chain(unknown).collect()
    };
    let (mut flv, mut hls, labels) = (by_name(flv), by_name(hls), by_name(labels));
    let names: std::collections::BTreeSet<String> = flv.keys().chain(hls.keys()).cloned().collect();
    names
        .into_iter()
        .map(|name| StreamChoice {
            label: labels.get(&name).cloned(),
            flv: flv.remove(&name),
            hls: hls.remove(&name),
            bitrate: None,
            quality: name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A room/enter answer shaped like the 2025 room cited in specs/web/schemas/live_stream_url.yaml.
    fn answer(
        status: i64,
        orientation: i64,
        pull_datas: serde_json::Value,
    ) -> LiveRoomEnterResponse {
        let stream_data = json!({"common": {"stream": "1"}, "data": {
            "origin": {"main": {"flv": "http://o/or.flv", "hls": "http://o/or.m3u8", "sdk_params": "{\"vbitrate\":0}"}},
            "md": {"main": {"flv": "http://o/md.flv", "hls": "", "sdk_params": "{\"vbitrate\":250000}"}},
            "xd": {"main": {"flv": "http://o/xd.flv", "sdk_params": "{\"vbitrate\":900000}"}}
        }});
        let body = json!({"status_code": 0, "data": {"data": [{"status": status, "title": "晚上好", "stream_url": {
            "flv_pull_url": {"FULL_HD1": "http://m/full.flv", "SD1": "http://m/sd1.flv", "XX9": "http://m/xx9.flv"},
            "hls_pull_url_map": {"FULL_HD1": "http://m/full.m3u8"},
            "resolution_name": {"FULL_HD1": "蓝光", "SD1": "标清"},
            "stream_orientation": orientation,
            "pull_datas": pull_datas,
            "live_core_sdk_data": {"pull_data": {"stream_data": stream_data.to_string(),
                "options": {"qualities": [{"name": "原画", "sdk_key": "origin"}]}}}
        }}]}});
        serde_json::from_value(body).expect("the answer decodes")
    }

    #[test]
    fn lists_every_quality_best_first_with_labels_and_unknown_names() {
        let a = answer(2, 1, json!({}));
        let room = live_room(&a).unwrap();
        let names: Vec<_> = streams(room, false)
            .into_iter()
            .map(|c| c.quality)
            .collect();
        assert_eq!(names, ["origin", "FULL_HD1", "SD1", "md", "xd", "XX9"]);
        let all = streams(room, false);
        assert_eq!(all[0].label.as_deref(), Some("原画"));
        assert_eq!(all[1].label.as_deref(), Some("蓝光"));
        assert_eq!(all[3].bitrate, Some(250_000));
    }

    #[test]
    fn picks_the_best_or_the_named_quality_per_format() {
        let a = answer(2, 1, json!({}));
        let (best, url) = pick(&a, None, StreamFormat::Flv, false).unwrap();
        assert_eq!(
            (best.quality.as_str(), url.as_str()),
            ("origin", "http://o/or.flv")
        );
        let (_, url) = pick(&a, Some("sd1"), StreamFormat::Flv, false).unwrap();
        assert_eq!(url, "http://m/sd1.flv");
        let (_, url) = pick(&a, Some("蓝光"), StreamFormat::Hls, false).unwrap();
        assert_eq!(url, "http://m/full.m3u8");
        // md has an empty HLS address: not offered in HLS.
        let err = pick(&a, Some("md"), StreamFormat::Hls, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no quality `md`; the room offers: origin, FULL_HD1"
        );
    }

    #[test]
    fn a_room_off_air_or_missing_says_so_plainly() {
        let ended = answer(4, 1, json!({}));
        let err = pick(&ended, None, StreamFormat::Flv, false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the room is not live (晚上好): the stream has ended"
        );
        let empty: LiveRoomEnterResponse =
            serde_json::from_value(json!({"status_code": 0, "data": {"data": []}})).unwrap();
        assert_eq!(live_room(&empty).unwrap_err(), LiveError::NoRoom);
    }

    #[test]
    fn the_second_stream_comes_from_pull_datas_only_when_asked_and_present() {
        let second = json!({"stream-9": {"stream_data":
            json!({"data": {"hd": {"main": {"flv": "http://p/hd.flv"}}}}).to_string()}});
        let a = answer(2, 2, second.clone());
        let (choice, url) = pick(&a, None, StreamFormat::Flv, true).unwrap();
        assert_eq!(
            (choice.quality.as_str(), url.as_str()),
            ("hd", "http://p/hd.flv")
        );
        // Orientation 1: pull_datas is ignored even when asked.
        let one = answer(2, 1, second);
        assert_eq!(
            pick(&one, None, StreamFormat::Flv, true).unwrap().1,
            "http://o/or.flv"
        );
    }
}
