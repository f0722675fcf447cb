//! Live rooms of douyin.com, recorded, and their chat: HTTP-FLV or HLS pulled into parts that each play on their own, rotated
//! by duration or size, resumed in a new part after a dropped connection (with backoff, following a changed
//! host), ended cleanly when the stream ends or the caller stops, and optionally waiting for an offline room.
//!
//! - [`record()`] runs a recording from a [`StreamSource`]: a [`RoomSource`] (the room asked again before every
//!   connection) or a [`FixedUrl`];
//! - [`flv`] cuts FLV into whole tags and checks finished files; [`parts`] names and rotates the files;
//! - [`chat`] joins the room's live chat (webcast push channel) and reports its messages as typed events, and
//!   writes them beside a recording on its timeline ([`chat::Transcript`]: JSON Lines and ASS subtitles).
//!
//! ```no_run
//! # async fn demo(client: douyin_web::Client) -> Result<(), douyin_live::RecordError> {
//! use douyin_live::{record, RecordOptions, RoomSource};
//!
//! let source = RoomSource::new(client, "285520721194");
//! let options = RecordOptions::new("recordings", "285520721194");
//! let stop = Box::pin(async { let _ = tokio::signal::ctrl_c().await; });
//! let recording = record(&reqwest::Client::new(), &source, &options, stop, &mut |e| eprintln!("{e:?}")).await?;
//! println!("{} parts", recording.parts.len());
//! # Ok(()) }
//! ```

pub mod chat;
pub mod flv;
pub mod parts;
pub mod record;
pub mod room;
mod session;

pub use parts::{Part, Rotation};
pub use record::{
    record, Ending, Event, FixedUrl, RecordError, RecordOptions, Recording, Resolved, SourceError,
    Stop, StreamSource,
};
pub use room::RoomSource;

/// The README's example, compiled as a doctest so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
