//! Stage 1: reads a domain's spec files, keeping a source map so later stages can name `file:line:col`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use super::event_model::EventFile;
use super::model::{DomainFile, OperationFile};

/// A spec problem, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for SpecError {}

/// Positions of the nodes of one YAML file, looked up by path (`["parameters", "0", "schema"]`).
pub struct SourceMap {
    file: PathBuf,
    root: Option<marked_yaml::Node>,
}

impl SourceMap {
    fn new(file: PathBuf, text: &str) -> Self {
        let root = marked_yaml::parse_yaml(0, text).ok();
        SourceMap { file, root }
    }

    /// An error at the deepest node of `path` that exists (the file's start if none does).
    pub fn error(&self, path: &[&str], message: impl Into<String>) -> SpecError {
        let (line, column) = self.locate(path);
        SpecError {
            file: self.file.clone(),
            line,
            column,
            message: message.into(),
        }
    }

    fn locate(&self, path: &[&str]) -> (usize, usize) {
        let Some(mut node) = self.root.as_ref() else {
            return (1, 1);
        };
        let mut best = node.span().start().map(|m| (m.line(), m.column()));
        for seg in path {
            let next = match node {
                marked_yaml::Node::Mapping(m) => {
                    m.iter().find(|(k, _)| k.as_str() == *seg).map(|(k, v)| {
                        // Point a leaf at its key: that is where a reviewer reads it.
                        if !matches!(
                            v,
                            marked_yaml::Node::Mapping(_) | marked_yaml::Node::Sequence(_)
                        ) {
                            if let Some(m) = k.span().start() {
                                best = Some((m.line(), m.column()));
                            }
                        }
                        v
                    })
                }
                marked_yaml::Node::Sequence(s) => seg.parse::<usize>().ok().and_then(|i| s.get(i)),
                marked_yaml::Node::Scalar(_) => None,
            };
            let Some(n) = next else { break };
            node = n;
            if let Some(m) = node.span().start() {
                if matches!(
                    node,
                    marked_yaml::Node::Mapping(_) | marked_yaml::Node::Sequence(_)
                ) {
                    best = Some((m.line(), m.column()));
                }
            }
        }
        best.unwrap_or((1, 1))
    }
}

/// One parsed YAML file with its source map.
pub struct Loaded<T> {
    pub value: T,
    pub map: SourceMap,
    /// Path relative to the workspace root, as printed in errors and generated headers.
    pub rel: PathBuf,
}

/// Everything under `specs/<domain>/`, parsed but not yet checked.
pub struct RawDomain {
    pub dir: PathBuf,
    pub domain: Loaded<DomainFile>,
    pub operations: Vec<Loaded<OperationFile>>,
    /// `events/<event>.yaml`: the webhook events the service pushes.
    pub events: Vec<Loaded<EventFile>>,
    /// `schemas/<file>.yaml` keyed by file name.
    pub schemas: BTreeMap<String, Loaded<Json>>,
}

fn parse<T: DeserializeOwned>(root: &Path, path: &Path) -> Result<Loaded<T>, SpecError> {
    let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let text = std::fs::read_to_string(path).map_err(|e| SpecError {
        file: rel.clone(),
        line: 1,
        column: 1,
        message: format!("cannot read: {e}"),
    })?;
    let value = serde_yaml_ng::from_str::<T>(&text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        SpecError {
            file: rel.clone(),
            line,
            column,
            message: e.to_string(),
        }
    })?;
    Ok(Loaded {
        value,
        map: SourceMap::new(rel.clone(), &text),
        rel,
    })
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    // Sorted, so output does not depend on the file system's listing order.
    files.sort();
    files
}

/// Loads `specs/<domain>/` (paths in errors are relative to `root`, the workspace).
pub fn load_domain(root: &Path, dir: &Path) -> Result<RawDomain, Vec<SpecError>> {
    let mut errors = Vec::new();
    let domain = parse::<DomainFile>(root, &dir.join("domain.yaml"));
    let mut operations = Vec::new();
    for path in yaml_files(dir) {
        if path.file_name().is_some_and(|n| n == "domain.yaml") {
            continue;
        }
        match parse::<OperationFile>(root, &path) {
            Ok(op) => operations.push(op),
            Err(e) => errors.push(e),
        }
    }
    let mut events = Vec::new();
    for path in yaml_files(&dir.join("events")) {
        match parse::<EventFile>(root, &path) {
            Ok(ev) => events.push(ev),
            Err(e) => errors.push(e),
        }
    }
    let mut schemas = BTreeMap::new();
    for path in yaml_files(&dir.join("schemas")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match parse::<Json>(root, &path) {
            Ok(s) => {
                schemas.insert(name, s);
            }
            Err(e) => errors.push(e),
        }
    }
    match domain {
        Ok(domain) if errors.is_empty() => Ok(RawDomain {
            dir: dir.to_path_buf(),
            domain,
            operations,
            events,
            schemas,
        }),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.insert(0, e);
            Err(errors)
        }
    }
}
