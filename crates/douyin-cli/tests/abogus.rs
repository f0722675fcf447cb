//! `abogus sign` / `abogus decode` with the repository's a_bogus test vectors.

mod common;

use common::{douyin, run, Run, TempDir};
use serde_json::Value;

fn douyin_run(args: &[&str]) -> Run {
    let home = TempDir::new("abogus");
    let mut cmd = douyin(home.path(), &[]);
    cmd.args(args);
    run(cmd)
}

fn vector_file() -> Value {
    let path = common::vectors().join("abogus.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn cases() -> Vec<Value> {
    vector_file()["cases"].as_array().unwrap().clone()
}

#[test]
fn abogus_vectors_all_pass() {
    let cases = cases();
    // The path relative to the workspace, as a developer types it.
    let home = TempDir::new("abogus-vectors");
    let mut cmd = douyin(home.path(), &[]);
    cmd.current_dir(common::workspace()).args([
        "abogus",
        "sign",
        "--vectors",
        "vectors/abogus.json",
    ]);
    let r = run(cmd);
    assert_eq!(r.code, Some(0), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), cases.len() + 1);
    for (line, case) in lines.iter().zip(&cases) {
        let want = format!(
            "pass  {} {}",
            case["id"].as_str().unwrap(),
            case["expected"]["a_bogus"].as_str().unwrap()
        );
        assert_eq!(*line, want);
    }
    assert_eq!(
        lines.last().unwrap(),
        &format!("{} passed, 0 failed", cases.len())
    );
}

#[test]
fn a_wrong_abogus_vector_fails_with_status_1() {
    let mut file = vector_file();
    let case = &mut file["cases"][1];
    case["inputs"]["start_ms"] = Value::from(case["inputs"]["start_ms"].as_u64().unwrap() + 1);
    let (id, want) = (
        case["id"].as_str().unwrap().to_owned(),
        case["expected"]["a_bogus"].as_str().unwrap().to_owned(),
    );
    let dir = TempDir::new("bad-abogus-vectors");
    let path = dir.file("v.json", serde_json::to_vec(&file).unwrap());
    let r = douyin_run(&["abogus", "sign", "--vectors", path.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[1].starts_with(&format!("FAIL  {id} expected {want} got ")),
        "{}",
        lines[1]
    );
    assert_ne!(lines[1].rsplit(' ').next(), Some(want.as_str()));
    let n = file["cases"].as_array().unwrap().len();
    assert_eq!(
        lines.last().unwrap(),
        &format!("{} passed, 1 failed", n - 1)
    );
    assert_eq!(r.stderr, format!("error: 1 of {n} a_bogus cases failed\n"));

    // An X-Bogus vector file is not this format.
    let xbogus = common::vectors().join("xbogus.json");
    let r = douyin_run(&["abogus", "sign", "--vectors", xbogus.to_str().unwrap()]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("not an abogus-vectors/1 file"),
        "{}",
        r.stderr
    );
}

#[test]
fn abogus_sign_and_decode_agree_with_a_vector() {
    // ab-039: a POST with a form body.
    let case = cases()
        .into_iter()
        .find(|c| c["inputs"]["body"] != "")
        .expect("a case with a body");
    let i = &case["inputs"];
    let s = |k: &str| i[k].as_str().unwrap().to_owned();
    let join = |k: &str| {
        i[k].as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let want = case["expected"]["a_bogus"].as_str().unwrap();
    let (start, end) = (i["start_ms"].to_string(), i["end_ms"].to_string());
    let r = douyin_run(&[
        "abogus",
        "sign",
        "--query",
        &s("query"),
        "--body",
        &s("body"),
        "--user-agent",
        &s("user_agent"),
        "--fingerprint",
        &s("fingerprint"),
        "--options",
        &join("options"),
        "--start-ms",
        &start,
        "--end-ms",
        &end,
        "--random",
        &join("random_ints"),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(r.stdout, format!("{want}\n"));

    // Decoding takes the value as it appears in a URL.
    let encoded = case["expected"]["a_bogus_urlencoded"].as_str().unwrap();
    let r = douyin_run(&[
        "abogus",
        "decode",
        encoded,
        "--query",
        &s("query"),
        "--body",
        &s("body"),
        "--user-agent",
        &s("user_agent"),
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    for line in [
        format!("start         {start} ("),
        format!("end           {end} ("),
        format!("random        {}\n", join("random_ints")),
        format!("options       {}\n", join("options")),
        format!("fingerprint   {}\n", s("fingerprint")),
        "query         matches".to_owned(),
        "body          matches".to_owned(),
        "user_agent    matches".to_owned(),
    ] {
        assert!(r.stdout.contains(&line), "{line:?} in\n{}", r.stdout);
    }

    // Another body does not match; the exit status says so.
    let r = douyin_run(&["abogus", "decode", want, "--body", "x=1", "--json"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["matches"], serde_json::json!({ "body": false }));
    assert_eq!(v["start_ms"], i["start_ms"]);
    assert_eq!(v["end_ms"], i["end_ms"]);
    assert_eq!(v["random"], i["random_ints"]);
    assert_eq!(v["fingerprint"], i["fingerprint"]);

    let r = douyin_run(&["abogus", "decode", "Dkdp"]);
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(
        r.stderr,
        "error: not a valid a_bogus value: wrong length: expected a multiple of 4 from 76 to 248 characters, got 4 bytes\n"
    );
}

#[test]
fn abogus_sign_without_pinned_values_decodes_to_now() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let r = douyin_run(&[
        "abogus",
        "sign",
        "--query",
        "aid=6383",
        "--user-agent",
        "UA",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let r = douyin_run(&[
        "abogus",
        "decode",
        r.stdout.trim(),
        "--query",
        "aid=6383",
        "--json",
    ]);
    assert_eq!(r.code, Some(0), "{r:?}");
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    let start = v["start_ms"].as_u64().unwrap();
    assert!(
        start >= before && start < before + 60_000,
        "{start} vs {before}"
    );
    assert_eq!(v["options"], serde_json::json!([0, 1, 14]));
    assert!(v["random"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r.as_u64().unwrap() < 10_000));

    let r = douyin_run(&[
        "abogus",
        "sign",
        "--query",
        "a",
        "--user-agent",
        "b",
        "--options",
        "1,2",
    ]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert_eq!(r.stderr, "error: --options takes 3 values, got 2\n");
}
