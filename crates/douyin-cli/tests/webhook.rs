//! `douyin open-platform webhook serve` over loopback: the mock pushes every specced event (each retried with its
//! Msg-Id, plus a bad signature) and the command prints each verified event once, as one compact JSON line; `auth
//! url --for` asks for the scopes the spec records for the named commands.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{douyin, run, TempDir};
use douyin_mock::webhook::{Sender, Spoil};
use serde_json::Value;

const SECRET: &str = "SECRET-webhook-5c1e";

/// Kills the server when the test ends, however it ends.
struct Serving(std::process::Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serve_prints_each_verified_event_once_as_a_compact_json_line() {
    let home = TempDir::new("webhook-serve");
    let mut cmd = douyin(
        home.path(),
        &[("DOUYIN_OPEN_PLATFORM_CLIENT_SECRET", SECRET)],
    );
    cmd.args(["open-platform", "webhook", "serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Serving(cmd.spawn().expect("douyin runs"));
    let mut stderr = BufReader::new(child.0.stderr.take().unwrap());
    let mut banner = String::new();
    stderr.read_line(&mut banner).unwrap();
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_owned();
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap()).lines();

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sender = Sender::new("open-platform", url).unwrap().secret(SECRET);
    let names: Vec<&str> = sender.events().iter().map(|e| e.name).collect();
    rt.block_on(async {
        for (n, name) in names.iter().enumerate() {
            let id = format!("id-{n}");
            for _ in 0..2 {
                assert_eq!(
                    sender.send(name, &id, Spoil::None).await.unwrap().status,
                    200
                );
            }
            let bad = sender.send(name, "bad", Spoil::BadSignature).await.unwrap();
            assert_eq!(bad.status, 401);
        }
    });
    let mut printed = BTreeSet::new();
    for _ in &names {
        let line = stdout.next().unwrap().unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(line, v.to_string(), "one compact JSON value per line");
        assert_eq!(v["typed"], true, "{line}");
        assert_eq!(v["drift"], 0, "{line}");
        assert!(
            printed.insert(v["event"].as_str().unwrap().to_owned()),
            "twice: {line}"
        );
    }
    assert_eq!(printed, names.iter().map(|n| (*n).to_owned()).collect());
    // The next line is the next delivery: no retry was printed in between.
    rt.block_on(sender.send("create_video", "sentinel", Spoil::None))
        .unwrap();
    let next: Value = serde_json::from_str(&stdout.next().unwrap().unwrap()).unwrap();
    assert_eq!(next["msg_id"], "sentinel");
    assert_eq!(next["body"]["event"], "create_video");
}

#[test]
fn auth_url_asks_for_the_scopes_of_the_named_commands() {
    let home = TempDir::new("webhook-auth-url");
    let env = [("DOUYIN_OPEN_PLATFORM_CLIENT_KEY", "ttKEY")];
    let mut cmd = douyin(home.path(), &env);
    cmd.args([
        "open-platform",
        "auth",
        "url",
        "--redirect-uri",
        "https://example.com/cb",
        "--for",
        "list-comment,media-list",
        "--scope",
        "user_info",
    ]);
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let query = r.stdout.trim().split_once('?').unwrap().1.to_owned();
    let scope = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("scope="))
        .unwrap()
        .replace("%2C", ",");
    assert_eq!(scope, "user_info,ma.item.comment,im");
    let mut cmd = douyin(home.path(), &env);
    cmd.args([
        "open-platform",
        "auth",
        "url",
        "--redirect-uri",
        "https://e.com/",
        "--for",
        "no-such",
    ]);
    let r = run(cmd);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("media-list"), "{}", r.stderr);
}
