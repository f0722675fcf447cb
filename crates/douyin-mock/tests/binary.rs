//! The `douyin-mock` binary as a user runs it: `--help`, `--list`, `--scenario`, `--fixtures`, bad arguments, and
//! HTTP over loopback to the process it starts.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use douyin_mock::table::{self, ErrorClass};

fn mock() -> Command {
    Command::new(env!("CARGO_BIN_EXE_douyin-mock"))
}

fn output(args: &[&str]) -> Output {
    mock().args(args).output().expect("douyin-mock runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running `douyin-mock` with the base URL of each domain it printed; killed when dropped.
struct Running {
    child: Child,
    bases: Vec<(String, String)>,
    banner: Vec<String>,
}

impl Running {
    fn start(args: &[&str]) -> Running {
        let mut child = mock()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("douyin-mock starts");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout piped")).lines();
        let mut banner = Vec::new();
        for line in lines.by_ref() {
            let line = line.expect("a banner line");
            let done = line == "serving until interrupted";
            banner.push(line);
            if done {
                break;
            }
        }
        assert_eq!(
            banner.last().map(String::as_str),
            Some("serving until interrupted"),
            "{banner:?}"
        );
        let bases = banner
            .iter()
            .filter_map(|l| {
                let (name, url) = l.split_once(char::is_whitespace)?;
                let url = url.trim();
                url.starts_with("http://")
                    .then(|| (name.to_owned(), url.to_owned()))
            })
            .collect();
        Running {
            child,
            bases,
            banner,
        }
    }

    fn base(&self, domain: &str) -> &str {
        self.bases
            .iter()
            .find(|(d, _)| d == domain)
            .map(|(_, u)| u.as_str())
            .unwrap_or_else(|| panic!("no base URL for {domain}: {:?}", self.banner))
    }

    /// `GET base(domain) + path_and_query`: status and body.
    fn get(&self, domain: &str, path_and_query: &str) -> (u16, String) {
        let url = format!("{}{path_and_query}", self.base(domain));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let resp = reqwest::get(&url).await.expect("the mock answers");
            let status = resp.status().as_u16();
            (status, resp.text().await.unwrap())
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ITEM_GET_VIDEO: &str = "/douyin/item_get_video/?key=test-key&secret=test-secret&item_id=1";
const MEDIA_LIST: &str = "/enterprise/media/list/?access_token=act.test&open_id=x";

#[test]
fn help_exits_0_and_documents_the_flags_and_scenarios() {
    let out = output(&["--help"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let help = text(&out.stdout);
    for flag in [
        "--port",
        "--host",
        "--list",
        "--scenario",
        "--fixtures",
        "--max-body-bytes",
    ] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
    for (name, _) in douyin_mock::SCENARIO_NAMES {
        assert!(help.contains(name), "scenario {name} missing from:\n{help}");
    }
}

#[test]
fn list_prints_every_route_with_domain_method_path_and_operation() {
    let out = output(&["--list"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let rows: Vec<Vec<String>> = text(&out.stdout)
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().map(str::to_owned).collect())
        .collect();
    let expected: Vec<Vec<String>> = table::domains()
        .iter()
        .flat_map(|d| {
            d.operations.iter().map(move |o| {
                vec![
                    d.name.to_owned(),
                    o.method.to_owned(),
                    format!("{}{}", d.prefix, o.path),
                    o.name.to_owned(),
                ]
            })
        })
        .collect();
    assert!(expected.len() >= 13, "{expected:?}");
    assert_eq!(rows, expected);
}

#[test]
fn scenarios_chosen_on_the_command_line_answer_per_route_and_for_all() {
    let run = Running::start(&[
        "--scenario",
        "all=rate_limited",
        "--scenario",
        "onebound/item_get_video=status:503*2",
    ]);
    assert!(run.base("onebound").starts_with("http://127.0.0.1:"));
    // The later, route-specific scenario wins on its route: 503 twice, then the documented success.
    assert_eq!(run.get("onebound", ITEM_GET_VIDEO).0, 503);
    assert_eq!(run.get("onebound", ITEM_GET_VIDEO).0, 503);
    let (status, body) = run.get("onebound", ITEM_GET_VIDEO);
    assert_eq!(status, 200);
    assert!(body.contains("\"error_code\": \"0000\""), "{body}");
    // Every other route is rate limited: open-platform documents no rate-limit code, so HTTP 429.
    let op = table::domain("open-platform").unwrap();
    assert!(op.code_of(ErrorClass::RateLimited, "").is_none());
    assert_eq!(run.get("open-platform", MEDIA_LIST).0, 429);
}

#[test]
fn a_cycle_scenario_answers_in_turn() {
    let run = Running::start(&["--scenario", "onebound/item_get_video=status:502|success"]);
    let statuses: Vec<u16> = (0..4)
        .map(|_| run.get("onebound", ITEM_GET_VIDEO).0)
        .collect();
    assert_eq!(statuses, [502, 200, 502, 200]);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("douyin-mock-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn fixtures_replace_success_bodies_by_operation_name() {
    let dir = temp_dir("fixtures");
    let onebound = r#"{"item":{"title":"from the fixtures folder"},"error_code":"0000"}"#;
    let media =
        r#"{"data":{"error_code":0,"medias":[],"has_more":false},"extra":{"error_code":0}}"#;
    std::fs::write(dir.join("item-get-video.json"), onebound).unwrap();
    std::fs::create_dir(dir.join("open-platform")).unwrap();
    std::fs::write(dir.join("open-platform/media_list.json"), media).unwrap();
    let run = Running::start(&["--fixtures", dir.to_str().unwrap()]);
    assert!(
        run.banner
            .iter()
            .any(|l| l.trim() == "onebound/item_get_video"),
        "{:?}",
        run.banner
    );
    assert_eq!(
        run.get("onebound", ITEM_GET_VIDEO),
        (200, onebound.to_owned())
    );
    assert_eq!(
        run.get("open-platform", MEDIA_LIST),
        (200, media.to_owned())
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    let dir = temp_dir("bad-fixtures");
    std::fs::write(dir.join("no_such_operation.json"), "{}").unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--scenario", "nope=empty"], "no domain `nope`"),
        (
            &["--scenario", "web/no_such_op=empty"],
            "web has no operation `no_such_op`",
        ),
        (
            &["--scenario", "web/comment_list=sometimes"],
            "no scenario `sometimes`",
        ),
        (
            &["--scenario", "onebound/item_get_video=pages:2:2"],
            "does not paginate",
        ),
        (&["--scenario", "rate_limited"], "give ROUTE=SCENARIO"),
        (&["--fixtures", dir.to_str().unwrap()], "names no operation"),
    ];
    for (args, want) in cases {
        let out = output(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
