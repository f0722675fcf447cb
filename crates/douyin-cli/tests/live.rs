//! `douyin live record` against the mock's live room over loopback: the room's own stream recorded into playable,
//! rotated FLV parts until the stream ends; a named quality; a room that is not live or lacks the quality said
//! plainly.

mod common;

use common::mock::Mock;
use common::{douyin, run, TempDir};
use douyin_mock::Scenario;

fn record(mock: &Mock, home: &TempDir, args: &[&str]) -> common::Run {
    let env = [
        ("DOUYIN_COOKIE", "sessionid=test"),
        ("DOUYIN_MS_TOKEN", "test-ms-token"),
    ];
    let mut c = douyin(home.path(), &env);
    c.args(["live", "record", "https://live.douyin.com/285520721194"])
        .args([
            "--base-url",
            &mock.server.base_url("web"),
            "--retry-secs",
            "0.05",
        ])
        .args(args);
    run(c)
}

#[test]
fn records_the_room_into_playable_rotated_parts_until_the_stream_ends() {
    let (mock, home, out) = (
        Mock::start(),
        TempDir::new("live"),
        TempDir::new("live-out"),
    );
    let dir = out.path().to_str().unwrap();
    let r = record(&mock, &home, &["--dir", dir, "--segment-time", "1"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let parts: Vec<&str> = r.stdout.lines().collect();
    // The best quality (origin): 4 s of 25 fps with a key frame every second, one part per second.
    assert_eq!(parts.len(), 4, "{r:?}");
    let mut last_times = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        assert!(
            part.ends_with(&format!("285520721194_{i:03}.flv")),
            "{part}"
        );
        let bytes = std::fs::read(part).unwrap();
        let (tags, last) =
            douyin_live::flv::check_file(&bytes).unwrap_or_else(|e| panic!("{part}: {e}"));
        assert!(tags > 3, "{part} holds frames after its headers");
        last_times.push(last);
    }
    assert!(
        last_times.iter().all(|t| *t < 1000),
        "each part's clock starts at zero: {last_times:?}"
    );
    assert!(r.stderr.contains("the stream ended"), "{r:?}");
}

#[test]
fn a_named_quality_is_recorded_and_an_absent_one_or_an_ended_room_is_said_plainly() {
    let (mock, home, out) = (
        Mock::start(),
        TempDir::new("live-q"),
        TempDir::new("live-q-out"),
    );
    let dir = out.path().to_str().unwrap();
    let r = record(
        &mock,
        &home,
        &["--dir", dir, "--quality", "SD1", "--format", "hls"],
    );
    assert_eq!(r.code, Some(0), "{r:?}");
    let part = r.stdout.lines().next().unwrap();
    assert!(part.ends_with(".ts"), "{r:?}");
    let bytes = std::fs::read(part).unwrap();
    assert!(
        !bytes.is_empty() && bytes.len().is_multiple_of(188) && bytes[0] == 0x47,
        "MPEG-TS packets"
    );

    let r = record(&mock, &home, &["--dir", dir, "--quality", "uhd"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("no quality `uhd`; the room offers: origin, FULL_HD1, SD1, ld"),
        "{r:?}"
    );

    let ended = r#"{"status_code":0,"data":{"data":[{"status":4,"title":"晚安"}]}}"#;
    let raw = Scenario::Raw {
        status: 200,
        content_type: "application/json".into(),
        body: ended.into(),
    };
    mock.server.set_scenario("web", "live_room_enter", raw);
    let r = record(&mock, &home, &["--dir", dir]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("room 285520721194: the room is not live (晚安): the stream has ended"),
        "{r:?}"
    );
}
