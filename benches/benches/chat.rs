//! Decoding live chat frames (the mock's scripted session: gzip-compressed responses of every typed kind and an
//! unknown one): douyin-web's bounded `push::decode_frame` plus the typed dispatch of every message, against a
//! baseline measured in the same run, plain prost and flate2 on the same frames (PushFrame, gunzip without a cap,
//! Response, each message's type picked by a match on its method, no kept bytes). Figures: docs/performance.md.

use std::hint::black_box;
use std::io::Read;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use douyin_core::push::ScriptStep;
use douyin_web::push::{decode_frame, Incoming};
use douyin_web::webcast::{
    ChatMessage, GiftMessage, LikeMessage, MemberMessage, PushFrame, Response,
};
use prost::Message as _;

/// The scripted session's message frames, repeated to `count`.
fn frames(count: usize) -> Vec<Vec<u8>> {
    let steps =
        douyin_web::push::mock_script(include_str!("../../specs/web/push/mock_room.json")).unwrap();
    let good: Vec<Vec<u8>> = steps
        .into_iter()
        .filter_map(|s| match s {
            ScriptStep::Frame {
                bytes,
                ack: Some(_),
                ..
            } => Some(bytes),
            _ => None,
        })
        .collect();
    good.iter().cycle().take(count).cloned().collect()
}

/// Ours: bounded decode, then each message into a `ChatMessage` (typed or unknown, raw bytes kept).
fn ours(frame: &[u8]) -> usize {
    match decode_frame(frame) {
        Ok(Incoming::Response { response, .. }) => response
            .messages_list
            .into_iter()
            .map(douyin_live::chat::message)
            .filter(|m| m.kind() != "unknown")
            .count(),
        _ => 0,
    }
}

/// Baseline: prost and flate2 alone, the four commonest types decoded, the rest skipped.
fn baseline(frame: &[u8]) -> usize {
    let f = PushFrame::decode(frame).unwrap();
    let mut payload = Vec::new();
    flate2::read::GzDecoder::new(f.payload.as_slice())
        .read_to_end(&mut payload)
        .unwrap();
    let r = Response::decode(payload.as_slice()).unwrap();
    let mut n = 0;
    for m in r.messages_list {
        let ok = match m.method.as_str() {
            "WebcastChatMessage" => ChatMessage::decode(m.payload.as_slice()).is_ok(),
            "WebcastGiftMessage" => GiftMessage::decode(m.payload.as_slice()).is_ok(),
            "WebcastLikeMessage" => LikeMessage::decode(m.payload.as_slice()).is_ok(),
            "WebcastMemberMessage" => MemberMessage::decode(m.payload.as_slice()).is_ok(),
            _ => false,
        };
        n += usize::from(ok);
    }
    n
}

fn bench(c: &mut Criterion) {
    let frames = frames(100);
    assert!(frames.iter().all(|f| ours(f) > 0), "every frame decodes");
    let mut g = c.benchmark_group("chat/frames");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("douyin-live", |b| {
        b.iter(|| frames.iter().map(|f| ours(black_box(f))).sum::<usize>())
    });
    g.bench_function("prost-baseline", |b| {
        b.iter(|| frames.iter().map(|f| baseline(black_box(f))).sum::<usize>())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
