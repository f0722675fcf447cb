//! Proves that signing and decoding never touch the heap, with a counting
//! global allocator. The count is per thread: the test harness's own threads
//! (its slow-test timer on a loaded machine) allocate too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use douyin_xbogus::{decode, XBogus};

struct Counting;

thread_local! {
    // Const-initialised with no destructor: reading it never allocates.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn allocations() -> usize {
    ALLOCATIONS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn sign_decode_and_check_do_not_allocate() {
    // Built before counting starts; the long UA exercises the streaming path.
    let query = "aid=6383&device_platform=webapp&count=18&cursor=0".repeat(20);
    let body = "sec_user_ids=%5B%5D".repeat(3);
    let long_ua = "Mozilla/5.0 (X11; Linux x86_64) ".repeat(100);
    let x = XBogus::default();

    let before = allocations();
    let a = x.sign(
        query.as_bytes(),
        body.as_bytes(),
        long_ua.as_bytes(),
        1_700_000_000,
    );
    let session = x.for_user_agent(long_ua.as_bytes());
    let b = session.sign(query.as_bytes(), b"", 1_700_000_001);
    let da = decode(a.as_str()).unwrap();
    let matched = da.check(query.as_bytes(), body.as_bytes(), long_ua.as_bytes());
    let after = allocations();

    assert_eq!(after - before, 0, "allocations during signing");
    assert!(matched.all());
    assert_eq!(decode(b.as_str()).unwrap().timestamp, 1_700_000_001);
}
