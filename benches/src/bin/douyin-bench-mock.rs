//! The mock server for the criterion benches, in its own process: `douyin-bench-mock [pages PAGES PAGE_SIZE]`
//! ([`douyin_bench::serve_mock`]). The bench binaries run as their own mock instead (`MockProcess::start_self`).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    douyin_bench::serve_mock(&args);
}
