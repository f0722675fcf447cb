//! The route table (generated: `crate::generated::serve::ROUTES`, of the types in [`super::route`]): finding a
//! route, the nearest names for an unknown one, and turning a query into the arguments of the route's CLI subcommand, so the
//! generated parsing, link resolution and dispatch of the CLI serve HTTP unchanged.

use clap::Command;

use super::errors::ServeError;
use super::route::Route;
use crate::generated::serve::ROUTES;

/// The paging switches a paginated route takes besides its parameters.
pub const PAGING: [&str; 2] = ["all_pages", "max_pages"];

/// The route of `domain`/`op` (`op` as the CLI spells it, or the spec's snake-case name).
pub fn find(domain: &str, op: &str) -> Option<&'static Route> {
    ROUTES
        .iter()
        .find(|r| r.domain == domain && (r.command == op || r.operation == op))
}

/// Every route's path and summary, as `GET /v1` lists them.
pub fn index() -> serde_json::Value {
    let routes: Vec<serde_json::Value> = ROUTES
        .iter()
        .map(|r| serde_json::json!({ "path": r.path(), "summary": r.summary }))
        .collect();
    serde_json::json!({ "routes": routes })
}

/// The paths of the routes nearest to `path` (by edit distance), at most `n`.
pub fn nearest(path: &str, n: usize) -> Vec<String> {
    let mut scored: Vec<(usize, String)> = ROUTES
        .iter()
        .map(|r| {
            let p = r.path();
            (strsim::levenshtein(path, &p), p)
        })
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, p)| p).collect()
}

/// What the query asks of a route: the subcommand's arguments and whether every page is wanted.
#[derive(Debug)]
pub struct Request {
    /// The CLI arguments (`<command> --flag=value …`).
    pub argv: Vec<String>,
    /// `all_pages=true`.
    pub all_pages: bool,
}

/// The long flag of argument `id` of `command`.
fn long_of(command: &Command, id: &str) -> Option<String> {
    command
        .get_arguments()
        .find(|a| a.get_id().as_str() == id)
        .and_then(|a| a.get_long())
        .map(str::to_owned)
}

/// The arguments of `route`'s subcommand (`command`) from the query pairs: unknown, repeated-scalar and missing
/// required parameters are each named; values go through clap as on the command line.
pub fn request(
    route: &Route,
    command: &Command,
    pairs: &[(String, String)],
) -> Result<Request, ServeError> {
    let mut argv = vec![route.command.to_owned()];
    let mut unknown = Vec::new();
    let mut all_pages = false;
    for (name, value) in pairs {
        let known = route.params.iter().any(|p| p.name == name)
            || (route.cursor.is_some() && PAGING.contains(&name.as_str()));
        let Some(long) = known.then(|| long_of(command, name)).flatten() else {
            unknown.push(name.clone());
            continue;
        };
        if name == "all_pages" {
            all_pages = parse_bool(value).ok_or_else(|| {
                ServeError::bad_request(
                    format!("all_pages: `{value}` is not true or false"),
                    vec![name.clone()],
                )
            })?;
            if all_pages {
                argv.push(format!("--{long}"));
            }
            continue;
        }
        argv.push(format!("--{long}={value}"));
    }
    if !unknown.is_empty() {
        let mut accepted: Vec<&str> = route.params.iter().map(|p| p.name).collect();
        if route.cursor.is_some() {
            accepted.extend(PAGING);
        }
        return Err(ServeError::bad_request(
            format!(
                "unknown parameter{} {}; {} takes: {}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", "),
                route.path(),
                accepted.join(", ")
            ),
            unknown,
        ));
    }
    let missing: Vec<String> = route
        .params
        .iter()
        .filter(|p| p.required && !pairs.iter().any(|(n, _)| n == p.name))
        .map(|p| p.name.to_owned())
        .collect();
    if !missing.is_empty() {
        return Err(ServeError::bad_request(
            format!("missing required parameter: {}", missing.join(", ")),
            missing,
        ));
    }
    Ok(Request { argv, all_pages })
}

fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "true" | "1" | "yes" | "" => Some(true),
        "false" | "0" | "no" => Some(false),
        _ => None,
    }
}

/// A clap error about `route`'s arguments as a 400 naming the query parameters at fault (flags turned back into
/// parameter names).
pub fn clap_error(route: &Route, command: &Command, e: &clap::Error) -> ServeError {
    clap_error_naming(command, route.params.iter().map(|p| p.name), e)
}

/// A clap error about `command`'s arguments as a 400 naming those of `names` (argument ids) at fault, their flags
/// turned back into the names.
pub fn clap_error_naming<'a>(
    command: &Command,
    names: impl Iterator<Item = &'a str>,
    e: &clap::Error,
) -> ServeError {
    let rendered = e.render().to_string();
    let mut line = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad arguments")
        .trim_start_matches("error: ")
        .to_owned();
    let mut named = Vec::new();
    for name in names {
        if let Some(long) = long_of(command, name) {
            let flag = format!("--{long}");
            if line.contains(&flag) {
                named.push(name.to_owned());
                line = line.replace(&format!("'{flag} <"), &format!("'{name} <"));
                line = line.replace(&flag, name);
            }
        }
    }
    ServeError::bad_request(line, named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_found_by_both_spellings_and_its_path_is_unique() {
        let mut paths = std::collections::BTreeSet::new();
        for r in ROUTES {
            assert_eq!(find(r.domain, r.command).unwrap().operation, r.operation);
            assert_eq!(find(r.domain, r.operation).unwrap().command, r.command);
            assert!(paths.insert(r.path()), "{}", r.path());
        }
    }

    #[test]
    fn the_nearest_route_of_a_misspelling_is_first() {
        let r = &ROUTES[0];
        let typo = format!("{}x", r.path());
        assert_eq!(nearest(&typo, 3)[0], r.path());
    }
}
