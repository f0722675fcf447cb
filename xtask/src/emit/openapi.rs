//! Emits one OpenAPI 3.0.3 document per domain (`crates/douyin-<domain>/openapi.json`) from its IR.

use super::Files;
use crate::ir::Domain;

/// The domain's exported OpenAPI document.
pub fn emit(_domain: &Domain) -> Result<Files, String> {
    Ok(Files::new())
}
