//! `cargo xtask codegen [--check]`: specs/ → generated crates (load → validate → IR → emit → write/check);
//! `cargo xtask diff [BASE]`: what a spec change means for users of the generated crates;
//! `cargo xtask release [--since REF] [--dry-run]`: version bumps and CHANGELOG entries from that report. The work
//! is in the `xtask` library.

use std::process::ExitCode;

use xtask::{diff, generate, release, workspace_root, write};

/// The project's maintenance tasks.
#[derive(clap::Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
enum Task {
    /// Generate the domain crates, mock tables, CLI and OpenAPI documents from specs/.
    Codegen {
        /// Write nothing; fail with a diff if a generated file is stale, hand-edited, missing or orphaned.
        #[arg(long)]
        check: bool,
    },
    /// Report what the spec changes since BASE mean for users of the generated crates.
    Diff(diff::Args),
    /// Bump the versions of the crates changed since the last release tag and write their CHANGELOG entries.
    Release(release::Args),
}

fn main() -> ExitCode {
    match <Task as clap::Parser>::parse() {
        Task::Codegen { check } => codegen(check),
        Task::Diff(args) => diff::run(&workspace_root(), &args),
        Task::Release(args) => release::run(&workspace_root(), &args),
    }
}

fn codegen(check: bool) -> ExitCode {
    let root = workspace_root();
    let files = match generate(&root) {
        Ok(files) => files,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {e}");
            }
            eprintln!(
                "codegen failed with {} error(s); nothing was written",
                errors.len()
            );
            return ExitCode::FAILURE;
        }
    };
    let result = if check {
        write::check(&root, &files)
    } else {
        write::write(&root, &files)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}
