//! xtask's spec loader (`xtask::spec::load`) reads arbitrary `domain.yaml`, operation and schema files
//! and reports problems as `file:line:col` errors, never panicking. The input is split on `\n---8<---\n` into the three
//! files.
#![no_main]

use xtask::spec::load;

use std::path::PathBuf;

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("douyin-fuzz-spec-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("d/schemas")).unwrap();
    dir
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let root = scratch();
    let mut parts = text.splitn(3, "\n---8<---\n");
    for file in ["d/domain.yaml", "d/op.yaml", "d/schemas/s.yaml"] {
        std::fs::write(root.join(file), parts.next().unwrap_or("")).unwrap();
    }
    match load::load_domain(&root, &root.join("d")) {
        Ok(raw) => {
            for op in &raw.operations {
                let _ = op.map.error(&["parameters", "0", "schema"], "probe");
                let _ = op.map.error(&["response", "schema", "properties"], "probe");
            }
            let _ = raw.domain.map.error(&["errors", "0", "code"], "probe");
        }
        Err(errors) => {
            for e in errors {
                assert!(e.line >= 1 && e.column >= 1, "{e}");
            }
        }
    }
});
