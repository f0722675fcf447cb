//! The MCP server with `rmcp`'s own client, against the spec-driven mock over loopback: `douyin mcp` over stdio (a
//! child process) and `douyin serve --mcp` over streamable HTTP list one tool per operation of every spec plus
//! `resolve`, `download` and `job_status`, a tool of every domain answers the decoded JSON, a download job completes
//! with the mock's bytes, paginated tools page with the cursor to continue, bad
//! arguments are tool errors naming them, the API key guards `/mcp`, and no credential appears in any result.

mod common;

use common::served::{douyin_over, mock, runtime, serve_video, spec_routes, start, SECRETS};
use common::TempDir;
use douyin_mock::media::{media_bytes, seed_of};
use douyin_mock::Scenario;
use rmcp::model::{CallToolRequestParams, CallToolResult, JsonObject};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};

type Client = RunningService<RoleClient, ()>;

/// The tool names the specs call for: `<domain>_<operation>` in snake case, plus `resolve`, `download` and
/// `job_status`.
fn spec_tools() -> Vec<String> {
    let mut tools: Vec<String> = spec_routes()
        .iter()
        .map(|r| r.trim_start_matches("/v1/").replace(['/', '-'], "_"))
        .chain(["resolve", "download", "job_status"].map(str::to_owned))
        .collect();
    tools.sort();
    tools
}

async fn tool_names(client: &Client) -> Vec<String> {
    let mut names: Vec<String> = client
        .list_all_tools()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    names.sort();
    names
}

/// Calls `name` with `args`; the result's JSON (structured content, else the text) and whether it is an error.
async fn call(client: &Client, name: &str, args: Value) -> (Value, bool) {
    let Value::Object(args) = args else {
        panic!("arguments are an object")
    };
    let result: CallToolResult = client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(args))
        .await
        .unwrap();
    let text = serde_json::to_string(&result).unwrap();
    for s in SECRETS {
        assert!(!text.contains(s), "{name}: a credential in {text}");
    }
    let value = result.structured_content.clone().unwrap_or_else(|| {
        let first = result.content[0].as_text().expect("text content");
        Value::String(first.text.clone())
    });
    (value, result.is_error == Some(true))
}

/// `douyin mcp` over a fresh mock, as a child process speaking MCP on stdio.
async fn stdio_client(mock: &douyin_mock::MockServer, home: &TempDir) -> Client {
    let mut cmd = douyin_over(mock, home);
    cmd.args(["mcp", "--max-attempts", "1", "--jobs-dir"])
        .arg(home.path().join("jobs"));
    let transport = TokioChildProcess::new(tokio::process::Command::from(cmd)).unwrap();
    ().serve(transport).await.expect("douyin mcp initializes")
}

async fn http_client(base: &str, key: Option<&str>) -> Result<Client, String> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp"));
    if let Some(key) = key {
        config = config.auth_header(key);
    }
    let transport = StreamableHttpClientTransport::from_config(config);
    ().serve(transport).await.map_err(|e| e.to_string())
}

#[test]
fn every_operation_of_every_spec_is_a_tool_over_stdio_and_http() {
    let want = spec_tools();
    assert!(want.len() > 20, "{want:?}");
    let rt = runtime();
    let mock = mock(&rt);
    let home = TempDir::new("mcp");
    rt.block_on(async {
        let client = stdio_client(&mock, &home).await;
        assert_eq!(tool_names(&client).await, want);
        let tools = client.list_all_tools().await.unwrap();
        let detail = tools.iter().find(|t| t.name == "web_aweme_detail").unwrap();
        assert_eq!(detail.input_schema["type"], "object");
        assert!(detail.input_schema["properties"]["aweme_id"].is_object());
        assert_eq!(detail.input_schema["required"], json!(["aweme_id"]));
        client.cancel().await.unwrap();
    });
    let s = start(&["--mcp"]);
    s.rt.block_on(async {
        let client = http_client(&s.base, None).await.unwrap();
        assert_eq!(tool_names(&client).await, want);
        client.cancel().await.unwrap();
    });
}

#[test]
fn a_tool_of_every_domain_answers_the_decoded_json() {
    let rt = runtime();
    let mock = mock(&rt);
    let home = TempDir::new("mcp");
    rt.block_on(async {
        let client = stdio_client(&mock, &home).await;
        let args = json!({ "item_id": "7118694749548072205", "lang": "en" });
        let (v, error) = call(&client, "onebound_item_get_video", args).await;
        assert!(!error && v["item"]["title"].is_string(), "{v}");
        let args = json!({ "open_id": "ba253642", "item_id": "@8hxd+/==", "count": 5 });
        let (v, error) = call(&client, "open_platform_list_comment", args).await;
        assert!(!error, "{v}");
        let q = mock.requests_to("list_comment")[0].query_pairs();
        assert!(
            q.contains(&("item_id".to_owned(), "@8hxd+/==".to_owned())),
            "{q:?}"
        );
        let link = "https://www.douyin.com/video/7331282358999584037";
        let (v, error) = call(&client, "web_aweme_detail", json!({ "aweme_id": link })).await;
        assert!(!error, "{v}");
        assert_eq!(v["aweme_detail"]["aweme_id"], "7331282358999584037");
        let (v, error) = call(&client, "resolve", json!({ "text": link })).await;
        assert!(!error, "{v}");
        assert_eq!(
            (&v["kind"], &v["aweme_id"]),
            (&json!("aweme"), &json!("7331282358999584037"))
        );
        download(&client, &mock, link).await;
        client.cancel().await.unwrap();
    });
}

/// `download` of `link` starts a job that `job_status` follows to its end; the file on disk is the mock's.
async fn download(client: &Client, mock: &douyin_mock::MockServer, link: &str) {
    let id = "7331282358999584037";
    serve_video(mock, id, 100_000, "");
    let (job, error) = call(
        client,
        "download",
        json!({ "inputs": [link], "what": "video" }),
    )
    .await;
    assert!(!error, "{job}");
    let args = json!({ "id": job["id"] });
    let started = std::time::Instant::now();
    let job = loop {
        let (job, error) = call(client, "job_status", args.clone()).await;
        assert!(!error, "{job}");
        if job["status"] != "queued" && job["status"] != "running" {
            break job;
        }
        assert!(started.elapsed().as_secs() < 60, "{job}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(job["status"], "done", "{job}");
    let path = job["files"][0]["path"].as_str().unwrap();
    let bytes = std::fs::read(path).unwrap();
    assert!(
        bytes == media_bytes(seed_of(id, 0), 0, 100_000),
        "the mock's bytes"
    );
    let (v, error) = call(client, "job_status", json!({ "id": "nope" })).await;
    assert!(error && v["error"]["kind"] == "not_found", "{v}");
}

#[test]
fn paginated_tools_answer_a_page_and_the_cursor_to_continue() {
    let s = start(&["--mcp"]);
    let pages = Scenario::Pages {
        pages: 3,
        page_size: 4,
    };
    s.mock.set_scenario("web", "comment_list", pages);
    s.rt.block_on(async {
        let client = http_client(&s.base, None).await.unwrap();
        let (first, error) = call(&client, "web_comment_list", json!({ "aweme_id": "1" })).await;
        assert!(!error, "{first}");
        assert_eq!(first["items"].as_array().unwrap().len(), 4, "{first}");
        let next = first["next"]
            .as_object()
            .expect("a cursor to continue")
            .clone();
        assert!(next["cursor"].is_i64(), "{first}");
        let mut args: JsonObject = next;
        args.insert("aweme_id".into(), json!("1"));
        args.insert("max_pages".into(), json!(5));
        let (rest, error) = call(&client, "web_comment_list", Value::Object(args)).await;
        assert!(!error, "{rest}");
        assert_eq!(rest["items"].as_array().unwrap().len(), 8, "{rest}");
        assert_eq!(rest["next"], Value::Null, "{rest}");
        assert_ne!(first["items"][0], rest["items"][0]);
        client.cancel().await.unwrap();
    });
    assert_eq!(s.mock.requests_to("comment_list").len(), 3);
}

#[test]
fn bad_calls_are_tool_errors_naming_what_is_wrong() {
    let rt = runtime();
    let mock = mock(&rt);
    let home = TempDir::new("mcp");
    rt.block_on(async {
        let client = stdio_client(&mock, &home).await;
        let (v, error) = call(&client, "web_coment_list", json!({})).await;
        assert!(error, "{v}");
        assert_eq!(v["error"]["kind"], "not_found");
        assert_eq!(v["error"]["nearest"][0], "web_comment_list");
        let args = json!({ "awme_id": "1", "colour": "red" });
        let (v, error) = call(&client, "web_comment_list", args).await;
        assert!(error, "{v}");
        assert_eq!(v["error"]["parameters"], json!(["awme_id", "colour"]));
        let args = json!({ "aweme_id": "1", "max_pages": 11 });
        let (v, error) = call(&client, "web_comment_list", args).await;
        assert_eq!(
            (error, &v["error"]["parameters"]),
            (true, &json!(["max_pages"]))
        );
        let args = json!({ "aweme_id": "1", "count": "many" });
        let (v, error) = call(&client, "web_comment_list", args).await;
        assert!(error, "{v}");
        assert_eq!(v["error"]["parameters"], json!(["count"]), "{v}");
        let (v, error) = call(&client, "resolve", json!({ "text": "no link here" })).await;
        assert_eq!(
            (error, &v["error"]["kind"]),
            (true, &json!("bad_request")),
            "{v}"
        );
        client.cancel().await.unwrap();
    });
}

#[test]
fn the_api_key_guards_mcp_over_http() {
    let s = start(&["--mcp", "--api-key", "k-3f9a"]);
    s.rt.block_on(async {
        assert!(http_client(&s.base, None).await.is_err());
        assert!(http_client(&s.base, Some("wrong")).await.is_err());
        let client = http_client(&s.base, Some("k-3f9a")).await.unwrap();
        assert!(!tool_names(&client).await.is_empty());
        client.cancel().await.unwrap();
    });
}

#[test]
fn an_upstream_echoing_credentials_gets_none_of_them_into_a_result() {
    let rt = runtime();
    let mock = mock(&rt);
    let home = TempDir::new("mcp");
    let echo = |status: u16, body: String| Scenario::Raw {
        status,
        content_type: "application/json".to_owned(),
        body: body.into_bytes(),
    };
    let [key, secret, ..] = SECRETS else {
        unreachable!()
    };
    let body = format!(
        r#"{{"error_code":"4016","reason":"bad key {key}","error":"secret={secret}","request_id":"{key}"}}"#
    );
    mock.set_scenario("onebound", "item_get_video", echo(200, body));
    rt.block_on(async {
        let client = stdio_client(&mock, &home).await;
        // `call` fails the test if any credential appears in a result.
        let (v, error) = call(
            &client,
            "onebound_item_get_video",
            json!({ "item_id": "1" }),
        )
        .await;
        assert!(error, "{v}");
        client.cancel().await.unwrap();
    });
}
