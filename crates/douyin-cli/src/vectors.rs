//! The test-vector check `douyin xbogus sign --vectors` and `douyin abogus sign --vectors` share: read the file (or
//! stdin), sign every case, print one `pass`/`FAIL` line per case and a total, fail when a case failed. Each tool
//! says only how its file parses and how one case is signed.

use crate::support::{write_stdout, CliError};

/// One case of a vectors file, signed.
pub struct Outcome {
    /// How the report names the case (`#3`, an id).
    pub label: String,
    /// The signature the file expects.
    pub expected: String,
    /// The signature computed, or why none could be.
    pub got: Result<String, String>,
    /// Where the case comes from, if the file says (shown after the result).
    pub source: Option<String>,
}

/// The text of vectors file `file` (`-`: stdin).
pub fn read(file: &str) -> Result<String, CliError> {
    if file == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(file)
    }
    .map_err(|e| CliError::failure(format!("{file}: {e}")))
}

/// Prints the outcomes and the total; an error naming `signature` (`X-Bogus`) when a case failed.
pub fn report(
    signature: &str,
    outcomes: impl IntoIterator<Item = Outcome>,
) -> Result<(), CliError> {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut out = String::new();
    for o in outcomes {
        let source = o.source.map(|s| format!(" ({s})")).unwrap_or_default();
        let (label, want) = (&o.label, &o.expected);
        let line = match o.got {
            Ok(got) if got == *want => {
                passed += 1;
                format!("pass  {label} {want}{source}")
            }
            Ok(got) => {
                failed += 1;
                format!("FAIL  {label} expected {want} got {got}{source}")
            }
            Err(e) => {
                failed += 1;
                format!("FAIL  {label} expected {want}: {e}{source}")
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&format!("{passed} passed, {failed} failed"));
    write_stdout(&out)?;
    if failed > 0 {
        return Err(CliError::failure(format!(
            "{failed} of {} {signature} cases failed",
            passed + failed
        )));
    }
    Ok(())
}
