//! The `douyin` binary: all of it lives in the `douyin_cli` library (see its documentation).

fn main() -> std::process::ExitCode {
    douyin_cli::main()
}
