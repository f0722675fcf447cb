//! Proves that signing, decoding and verifying never touch the heap, with a counting global allocator. The count is
//! per thread: the test harness's own threads (its slow-test timer on a loaded machine) allocate too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use douyin_abogus::{decode, verify, ABogus, Stamp};

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
fn sign_decode_and_verify_do_not_allocate() {
    // Built before counting starts; the long UA exercises the streaming path.
    let query = "aid=6383&device_platform=webapp&count=18&cursor=0".repeat(20);
    let body = "sec_user_ids=%5B%5D".repeat(3);
    let long_ua = "Mozilla/5.0 (X11; Linux x86_64) ".repeat(100);
    let x = ABogus::default();
    let stamp = Stamp::new(1_750_000_000_000, 1_750_000_000_004, [1234, 5678, 9999]);
    // A value as it appears in a URL, percent-encoded.
    let escaped = x
        .sign(query.as_bytes(), b"", long_ua.as_bytes(), stamp)
        .as_str()
        .replace('/', "%2F")
        .replace('=', "%3D");

    let before = allocations();
    let a = x.sign(query.as_bytes(), body.as_bytes(), long_ua.as_bytes(), stamp);
    let session = x.for_user_agent(long_ua.as_bytes());
    let b = session.sign_now(query.as_bytes(), b"");
    let verified = verify(
        query.as_bytes(),
        body.as_bytes(),
        long_ua.as_bytes(),
        a.as_str(),
    );
    let db = decode(b.as_str());
    let de = decode(&escaped);
    let after = allocations();

    assert_eq!(after - before, 0, "allocations while signing and decoding");
    assert_eq!(verified.unwrap().stamp(), stamp);
    assert!(db
        .unwrap()
        .check(query.as_bytes(), b"", long_ua.as_bytes())
        .all());
    assert_eq!(de.unwrap().stamp(), stamp);
}
