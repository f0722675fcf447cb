//! Emits the mock server's route tables (`crates/douyin-mock/src/generated/`) from every domain's IR.

use super::Files;
use crate::ir::Domain;

/// The mock server's generated files.
pub fn emit(_domains: &[Domain]) -> Result<Files, String> {
    Ok(Files::new())
}
