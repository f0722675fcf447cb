//! Proves that signing and decoding never touch the heap, with a counting
//! global allocator (one test per binary, so no other thread allocates).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use douyin_xbogus::{decode, XBogus};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
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

    let before = ALLOCATIONS.load(Ordering::SeqCst);
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
    let after = ALLOCATIONS.load(Ordering::SeqCst);

    assert_eq!(after - before, 0, "allocations during signing");
    assert!(matched.all());
    assert_eq!(decode(b.as_str()).unwrap().timestamp, 1_700_000_001);
}
