//! A live room as a [`StreamSource`]: every connection asks `live_room_enter` again, so a stream that moved to
//! another host is followed, and a room that went offline ends the recording (or is waited for).

use douyin_core::BoxFuture;
use douyin_web::live::{pick, LiveError, StreamFormat};
use douyin_web::{Client, LiveRoomEnterParams};

use crate::record::{Resolved, SourceError, StreamSource};

/// The room with this web_rid (the number in `live.douyin.com/<web_rid>`), pulled in `format` at `quality`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RoomSource {
    /// A web API client (cookie, signing).
    pub client: Client,
    /// The room's number.
    pub web_rid: String,
    /// A quality key or label (`origin`, `FULL_HD1`, 原画 …); `None`: the best offered.
    pub quality: Option<String>,
    /// FLV or HLS.
    pub format: StreamFormat,
    /// Take the room's second (portrait) stream when it has one.
    pub second_stream: bool,
}

impl RoomSource {
    /// The room `web_rid` through `client`, best quality, FLV.
    pub fn new(client: Client, web_rid: impl Into<String>) -> RoomSource {
        RoomSource {
            client,
            web_rid: web_rid.into(),
            quality: None,
            format: StreamFormat::Flv,
            second_stream: false,
        }
    }
}

impl StreamSource for RoomSource {
    fn resolve(&self) -> BoxFuture<'_, Result<Resolved, SourceError>> {
        Box::pin(async move {
            let answer = self
                .client
                .live_room_enter(&LiveRoomEnterParams::new(self.web_rid.clone()))
                .await
                .map_err(|e| SourceError::Retry(format!("room {}: {e}", self.web_rid)))?;
            match pick(
                &answer,
                self.quality.as_deref(),
                self.format,
                self.second_stream,
            ) {
                Ok((_, url)) => Ok(Resolved::Live {
                    url,
                    format: self.format,
                }),
                Err(e @ (LiveError::NotLive { .. } | LiveError::NoRoom)) => Ok(Resolved::Offline {
                    reason: format!("room {}: {e}", self.web_rid),
                }),
                Err(e) => Err(SourceError::Fatal(format!("room {}: {e}", self.web_rid))),
            }
        })
    }
}
