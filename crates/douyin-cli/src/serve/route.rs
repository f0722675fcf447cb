//! The types of the generated route table of `douyin serve` (`crate::generated::serve::ROUTES`): data only, so the
//! generated table and the code that reads it (`super::routes`) do not import each other.

/// One query parameter of a route.
#[derive(Clone, Copy, Debug)]
pub struct QueryParam {
    /// Its name in the query: the clap argument id (the parameter's Rust name).
    pub name: &'static str,
    /// Whether the operation needs it.
    pub required: bool,
}

/// One served operation: `GET /v1/<domain>/<command>`.
#[derive(Clone, Copy, Debug)]
pub struct Route {
    /// The domain (`web`).
    pub domain: &'static str,
    /// The CLI subcommand (`comment-list`).
    pub command: &'static str,
    /// The spec's operation name (`comment_list`).
    pub operation: &'static str,
    /// One line on what it does.
    pub summary: &'static str,
    /// The parameters a caller gives.
    pub params: &'static [QueryParam],
    /// The cursor parameter of a paginated operation.
    pub cursor: Option<&'static str>,
}

impl Route {
    /// Its path.
    pub fn path(&self) -> String {
        format!("/v1/{}/{}", self.domain, self.command)
    }
}
