//! The MCP server (the official Rust SDK, `rmcp`): every route of the generated table as a tool (its name and input
//! JSON Schema generated from the spec), plus `resolve`, `download` and `job_status` (the HTTP API's jobs); served
//! over stdio by `douyin mcp` and over streamable HTTP at `/mcp` by `douyin serve --mcp`. A tool's arguments become the route's query parameters, so checking, links and
//! dispatch are the HTTP routes' own. Results are the decoded JSON; a paginated operation answers
//! `{"items":[…],"next":{"<cursor>":N}|null}`, one page unless `max_pages` asks for more, `next` giving the argument
//! to continue from. A failed call is a tool error carrying the HTTP API's `{"error":{…}}` body.

use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    InitializeResult, JsonObject, ListToolsResult, PaginatedRequestParams, ServerCapabilities,
    ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};

use super::app::App;
use super::errors::ServeError;
use super::host::Answer;
use super::route::Route;
use crate::generated::serve::ROUTES;

/// The tool describing a link or share text.
pub const RESOLVE: &str = "resolve";
/// The tool starting a download job.
pub const DOWNLOAD: &str = "download";
/// The tool telling a job's status and files.
pub const JOB_STATUS: &str = "job_status";

/// At most this many pages per call of a paginated tool: a result must stay small enough for an assistant's context;
/// `next` continues.
pub const MAX_PAGES: u64 = 10;

/// The MCP server over the shared [`App`].
#[derive(Clone)]
pub struct Mcp {
    app: Arc<App>,
    tools: Arc<Vec<Tool>>,
}

impl Mcp {
    /// The server over `app`.
    pub fn new(app: Arc<App>) -> Mcp {
        let mut tools: Vec<Tool> = ROUTES.iter().map(tool).collect();
        tools.extend([resolve_tool(), download_tool(), job_status_tool()]);
        Mcp {
            app,
            tools: Arc::new(tools),
        }
    }

    async fn call(&self, name: &str, args: JsonObject) -> Result<Value, ServeError> {
        match name {
            RESOLVE => return self.resolve(args).await,
            DOWNLOAD => return Ok(self.app.download(&args)?.status(true)),
            JOB_STATUS => return self.job_status(args),
            _ => {}
        }
        let route = ROUTES
            .iter()
            .find(|r| r.tool == name)
            .ok_or_else(|| unknown_tool(name))?;
        let pairs = arguments(route, &args)?;
        let parsed = self.app.parse(route, &pairs)?;
        if parsed.all_pages {
            let pages = self.app.pages(route, parsed.matches).await?;
            let items = pages
                .items
                .iter()
                .map(|line| serde_json::from_str::<Value>(line))
                .collect::<Result<Vec<Value>, _>>()
                .map_err(|e| super::app::internal(&format!("an item is not JSON: {e}")))?;
            let next = match (route.cursor, pages.resume) {
                (Some(param), Some(cursor)) => json!({ param: cursor }),
                _ => Value::Null,
            };
            return Ok(json!({ "items": items, "next": next }));
        }
        match self.app.answer(route, parsed.matches).await? {
            Answer::Json(text) => serde_json::from_str(&text)
                .map_err(|e| super::app::internal(&format!("the answer is not JSON: {e}"))),
            Answer::Text(text) => Ok(Value::String(text)),
        }
    }

    async fn resolve(&self, args: JsonObject) -> Result<Value, ServeError> {
        let text = only(RESOLVE, args, "text", "a link or share text")?;
        self.app.resolve(text).await
    }

    fn job_status(&self, args: JsonObject) -> Result<Value, ServeError> {
        let id = only(
            JOB_STATUS,
            args,
            "id",
            "the job's id, as `download` answered",
        )?;
        Ok(self.app.jobs.get(&id)?.status(true))
    }
}

/// The one argument of `tool`, `takes` (a string, `what`); a missing one or any other is named.
fn only(tool: &str, mut args: JsonObject, takes: &str, what: &str) -> Result<String, ServeError> {
    let Some(Value::String(value)) = args.remove(takes) else {
        return Err(ServeError::bad_request(
            format!("{takes}: {what} (a string) is required"),
            vec![takes.to_owned()],
        ));
    };
    match args.keys().next() {
        Some(extra) => Err(ServeError::bad_request(
            format!("unknown parameter {extra}; {tool} takes: {takes}"),
            vec![extra.clone()],
        )),
        None => Ok(value),
    }
}

fn unknown_tool(name: &str) -> ServeError {
    let mut scored: Vec<(usize, &str)> = ROUTES
        .iter()
        .map(|r| r.tool)
        .chain([RESOLVE, DOWNLOAD, JOB_STATUS])
        .map(|t| (strsim::levenshtein(name, t), t))
        .collect();
    scored.sort();
    let nearest: Vec<String> = scored
        .iter()
        .take(3)
        .map(|(_, t)| (*t).to_owned())
        .collect();
    let mut e = ServeError::not_found(name, nearest);
    e.message = format!("no tool {name}; nearest: {}", e.nearest.join(", "));
    e
}

/// A route's tool: its name and input schema are generated; the description is the route's summary.
fn tool(route: &Route) -> Tool {
    let schema: JsonObject = serde_json::from_str(route.input_schema).unwrap_or_default();
    let mut description = route.summary.to_owned();
    if let Some(cursor) = route.cursor {
        description.push_str(&format!(
            " Paginated: answers {{\"items\":[…],\"next\":{{\"{cursor}\":N}}|null}}; call again with `next` to \
             continue (at most {MAX_PAGES} pages per call, `max_pages`)."
        ));
    }
    Tool::new(route.tool, description, Arc::new(schema))
}

fn resolve_tool() -> Tool {
    let schema = json!({
        "type": "object",
        "properties": { "text": {
            "type": "string",
            "description": "A link, short link or share-sheet text.",
        }},
        "required": ["text"],
        "additionalProperties": false,
    });
    let Value::Object(schema) = schema else {
        unreachable!("a JSON object literal")
    };
    Tool::new(
        RESOLVE,
        "What a share link, short link or share-sheet text points at (aweme, user, mix, live room), as JSON.",
        Arc::new(schema),
    )
}

fn download_tool() -> Tool {
    let Value::Object(schema) = super::jobs::request_schema() else {
        unreachable!("a JSON object literal")
    };
    Tool::new(
        DOWNLOAD,
        "Start downloading what links or ids point at (videos without watermark, pictures, music, covers); \
         answers the job: its `id`, `status` and files so far. Ask `job_status` until it is done or failed.",
        Arc::new(schema),
    )
}

fn job_status_tool() -> Tool {
    let schema = json!({
        "type": "object",
        "properties": { "id": { "type": "string", "description": "The job's id, as `download` answered." } },
        "required": ["id"],
        "additionalProperties": false,
    });
    let Value::Object(schema) = schema else {
        unreachable!("a JSON object literal")
    };
    Tool::new(
        JOB_STATUS,
        "A download job's status (queued, running, done, failed), progress, files (name, size, path on the \
         server's disk, url under `douyin serve`) and failures.",
        Arc::new(schema),
    )
}

/// A tool's arguments as the route's query parameters: strings as given, numbers and booleans as text, a list of
/// scalars as one parameter per item, any other JSON value as JSON text; a paginated route's pages bounded. Each
/// argument of the wrong kind is named.
fn arguments(route: &Route, args: &JsonObject) -> Result<Vec<(String, String)>, ServeError> {
    let mut pairs = Vec::new();
    let mut bad = Vec::new();
    for (name, value) in args {
        if name == "all_pages" {
            bad.push(name.clone());
            continue;
        }
        match value {
            Value::Null => {}
            Value::Array(items) if items.iter().all(|v| scalar(v).is_some()) => {
                pairs.extend(items.iter().filter_map(scalar).map(|v| (name.clone(), v)));
            }
            other => pairs.push((
                name.clone(),
                scalar(other).unwrap_or_else(|| other.to_string()),
            )),
        }
    }
    if !bad.is_empty() {
        return Err(ServeError::bad_request(
            format!(
                "unknown parameter {}; tools page with max_pages",
                bad.join(", ")
            ),
            bad,
        ));
    }
    if route.cursor.is_some() {
        let asked = args.get("max_pages").and_then(Value::as_u64).unwrap_or(1);
        if !(1..=MAX_PAGES).contains(&asked) {
            return Err(ServeError::bad_request(
                format!("max_pages: between 1 and {MAX_PAGES}; continue with `next`"),
                vec!["max_pages".to_owned()],
            ));
        }
        pairs.retain(|(name, _)| name != "max_pages");
        pairs.push(("all_pages".to_owned(), "true".to_owned()));
        pairs.push(("max_pages".to_owned(), asked.to_string()));
    }
    Ok(pairs)
}

/// A string, number or boolean as query text.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl ServerHandler for Mcp {
    fn get_info(&self) -> ServerConfig {
        InitializeResult::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("douyin", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Every operation of every douyin-rs spec as a tool named <domain>_<operation>, plus `resolve` for \
                 share links and `download` / `job_status` for files. Results are the decoded JSON; paginated \
                 tools answer {items, next}.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.to_vec()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        let result = match self.call(&request.name, args).await {
            Ok(Value::String(text)) => CallToolResult::success(vec![ContentBlock::text(text)]),
            Ok(value) => CallToolResult::structured(value),
            Err(e) => CallToolResult::structured_error(e.body()),
        };
        Ok(result.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_a_tool_with_an_object_schema_naming_its_parameters() {
        for r in ROUTES {
            let schema: JsonObject = serde_json::from_str(r.input_schema).unwrap();
            assert_eq!(schema["type"], "object", "{}", r.tool);
            for p in r.params {
                assert!(
                    schema["properties"].get(p.name).is_some(),
                    "{} {}",
                    r.tool,
                    p.name
                );
            }
        }
    }

    #[test]
    fn arguments_become_query_parameters() {
        let route = ROUTES.iter().find(|r| r.cursor.is_some()).unwrap();
        let mut args = JsonObject::new();
        args.insert("a".into(), json!(["x", 2, true]));
        args.insert("b".into(), json!({ "k": [1] }));
        args.insert("max_pages".into(), json!(3));
        let pairs = arguments(route, &args).unwrap();
        let text: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
        assert_eq!(
            text,
            [
                "a=x",
                "a=2",
                "a=true",
                r#"b={"k":[1]}"#,
                "all_pages=true",
                "max_pages=3"
            ]
        );
        args.insert("max_pages".into(), json!(MAX_PAGES + 1));
        let e = arguments(route, &args).unwrap_err();
        assert_eq!(e.parameters, ["max_pages"]);
    }
}
