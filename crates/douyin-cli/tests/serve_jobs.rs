//! `douyin serve`'s resolve and download jobs against the mock over loopback: `/v1/resolve` describes a link as
//! `douyin resolve` does, `POST /v1/download` starts a job that completes with the mock's exact bytes served at
//! `/v1/jobs/{id}/files/{name}`, bad requests name their fields, no path reaches outside a job's files, and the
//! number of jobs kept is bounded.

mod common;

use std::time::{Duration, Instant};

use common::served::{serve_video, start, Served, SECRETS};
use douyin_mock::media::{media_bytes, seed_of};
use serde_json::{json, Value};

const ID: &str = "7331282358999584037";
const LINK: &str = "https://www.douyin.com/video/7331282358999584037";
const SIZE: u64 = 200_000;

/// Status, `Location` and body of a request; no credential in the body.
fn send(s: &Served, request: reqwest::RequestBuilder) -> (u16, Option<String>, Vec<u8>) {
    s.rt.block_on(async {
        let r = request.send().await.unwrap();
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let body = r.bytes().await.unwrap().to_vec();
        let text = String::from_utf8_lossy(&body);
        for secret in SECRETS {
            assert!(!text.contains(secret), "a credential in {text}");
        }
        (status, location, body)
    })
}

fn get(s: &Served, path: &str) -> (u16, Value) {
    let (status, _, body) = send(s, reqwest::Client::new().get(format!("{}{path}", s.base)));
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn post(s: &Served, body: &Value) -> (u16, Option<String>, Value) {
    let request = reqwest::Client::new()
        .post(format!("{}/v1/download", s.base))
        .json(body);
    let (status, location, body) = send(s, request);
    (status, location, serde_json::from_slice(&body).unwrap())
}

/// The job at `path` once it is done or failed.
fn finished(s: &Served, path: &str) -> Value {
    let start = Instant::now();
    loop {
        let (status, job) = get(s, path);
        assert_eq!(status, 200, "{job}");
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{job}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn resolve_describes_a_link_as_the_cli_does() {
    let s = start(&[]);
    let url = reqwest::Url::parse_with_params(&format!("{}/v1/resolve", s.base), [("link", LINK)]);
    let request = reqwest::Client::new().get(url.unwrap());
    let (status, _, body) = send(&s, request);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{v}");
    assert_eq!((&v["kind"], &v["aweme_id"]), (&json!("aweme"), &json!(ID)));
    let (status, v) = get(&s, "/v1/resolve");
    assert_eq!((status, &v["error"]["parameters"]), (400, &json!(["link"])));
    let (status, v) = get(&s, "/v1/resolve?link=x&dir=y");
    assert_eq!((status, &v["error"]["parameters"]), (400, &json!(["dir"])));
}

#[test]
fn a_download_job_completes_and_its_file_is_served() {
    let home = common::TempDir::new("serve-jobs");
    let jobs = home.path().join("jobs");
    let s = start(&["--jobs-dir", jobs.to_str().unwrap()]);
    serve_video(&s.mock, ID, SIZE, "");
    let (status, location, job) = post(&s, &json!({ "inputs": [LINK] }));
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap();
    assert_eq!(location.as_deref(), Some(format!("/v1/jobs/{id}").as_str()));
    let job = finished(&s, &format!("/v1/jobs/{id}"));
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["failures"], json!([]));
    let files = job["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{job}");
    assert_eq!(files[0]["size"], SIZE);
    assert_eq!(job["progress"]["files"], 1);
    assert!(
        files[0].get("path").is_none(),
        "no server path over HTTP: {job}"
    );
    let url = files[0]["url"].as_str().unwrap();
    let (status, _, bytes) = send(&s, reqwest::Client::new().get(format!("{}{url}", s.base)));
    assert_eq!(status, 200);
    assert!(
        bytes == media_bytes(seed_of(ID, 0), 0, SIZE as usize),
        "the mock's bytes"
    );

    // Nothing outside the job's recorded files: not a traversal, not a file that is there but unrecorded.
    std::fs::write(jobs.join("secret.txt"), "x").unwrap();
    for bad in [
        "..%2Fsecret.txt",
        "../secret.txt",
        "%2E%2E/secret.txt",
        "nothing.mp4",
    ] {
        let (status, v) = get(&s, &format!("/v1/jobs/{id}/files/{bad}"));
        assert_eq!(status, 404, "{bad}: {v}");
    }
    let (status, _) = get(&s, "/v1/jobs/0-0000000000000000");
    assert_eq!(status, 404);
}

#[test]
fn bad_download_requests_name_their_fields() {
    let s = start(&[]);
    let (status, _, v) = post(
        &s,
        &json!({ "inputs": [LINK], "dir": "/", "archive": "/tmp/a" }),
    );
    assert_eq!(
        (status, &v["error"]["parameters"]),
        (400, &json!(["archive", "dir"])),
        "{v}"
    );
    let (status, _, v) = post(&s, &json!({ "inputs": ["-"] }));
    assert_eq!(
        (status, &v["error"]["parameters"]),
        (400, &json!(["inputs"])),
        "{v}"
    );
    let (status, _, v) = post(&s, &json!({ "what": "video" }));
    assert_eq!(status, 400, "{v}");
    let (status, _, v) = post(&s, &json!({ "inputs": [LINK], "max_height": "tall" }));
    assert_eq!(
        (status, &v["error"]["parameters"]),
        (400, &json!(["max_height"])),
        "{v}"
    );
    let (status, _, body) = send(
        &s,
        reqwest::Client::new()
            .post(format!("{}/v1/download", s.base))
            .body(vec![b' '; 300 * 1024]),
    );
    assert_eq!(status, 413, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn jobs_are_bounded_and_the_oldest_finished_one_is_evicted() {
    let home = common::TempDir::new("serve-jobs");
    let jobs = home.path().join("jobs");
    let s = start(&["--jobs-dir", jobs.to_str().unwrap(), "--max-jobs", "1"]);
    serve_video(&s.mock, ID, 1000, "");
    let (_, _, first) = post(&s, &json!({ "inputs": [LINK] }));
    let first = first["id"].as_str().unwrap().to_owned();
    // Slow media: the second job stays unfinished while the third is asked for.
    let job = finished(&s, &format!("/v1/jobs/{first}"));
    assert_eq!(job["status"], "done", "{job}");
    serve_video(&s.mock, ID, 3_000_000, "slow=200");
    let (status, _, second) = post(&s, &json!({ "inputs": [LINK] }));
    assert_eq!(status, 202, "{second}");
    // The finished first job made room, files and all.
    assert_eq!(get(&s, &format!("/v1/jobs/{first}")).0, 404);
    assert!(!jobs.join(&first).exists());
    let (status, _, third) = post(&s, &json!({ "inputs": [LINK] }));
    assert_eq!(
        (status, &third["error"]["kind"]),
        (429, &json!("too_many_jobs")),
        "{third}"
    );
}
