//! waPC guest in Rust, without std: no WASI imports, only `wapc` ones, so any
//! waPC host can run it (the waPC ABI is declared by hand below; the wapc-guest
//! crate is not available offline). Operations (test/programs/wapc/README.md):
//!   echo   the payload back
//!   hello  host call default / kiln:test / greet (payload = request payload);
//!          answers "Hello, " + host response, or the guest error
//!          "host error: <host error>" when the host call fails
//!   fail   guest error "rust failure" (returns 0)
//!   panic  panic!("rust panic"): a trap (panic=abort: `unreachable`)
//!   other  guest error `No handler registered for function "<op>"`
//! Memory: a bump arena above __heap_base, reset at the start of every call,
//! grown with memory.grow as needed.
//! Built as a cdylib: rustc --target wasm32-wasi --crate-type cdylib -C panic=abort -O
#![no_std]

use core::arch::wasm32;
use core::panic::PanicInfo;

#[link(wasm_import_module = "wapc")]
extern "C" {
    fn __guest_request(op_ptr: *mut u8, ptr: *mut u8);
    fn __guest_response(ptr: *const u8, len: usize);
    fn __guest_error(ptr: *const u8, len: usize);
    fn __host_call(
        bd_ptr: *const u8, bd_len: usize,
        ns_ptr: *const u8, ns_len: usize,
        op_ptr: *const u8, op_len: usize,
        ptr: *const u8, len: usize,
    ) -> i32;
    fn __host_response_len() -> usize;
    fn __host_response(ptr: *mut u8);
    fn __host_error_len() -> usize;
    fn __host_error(ptr: *mut u8);
}

extern "C" {
    /// End of static data and stack (defined by wasm-ld).
    static __heap_base: u8;
}

/// Next free byte of the arena.
static mut TOP: usize = 0;

unsafe fn reset_arena() {
    TOP = &__heap_base as *const u8 as usize;
}

/// `len` fresh bytes, growing memory when needed (traps when it cannot).
unsafe fn alloc(len: usize) -> &'static mut [u8] {
    let start = (TOP + 7) & !7;
    let end = start as u64 + len as u64;
    let have = wasm32::memory_size(0) as u64 * 65536;
    if end > have {
        let pages = (end - have + 65535) / 65536;
        if wasm32::memory_grow(0, pages as usize) == usize::MAX {
            wasm32::unreachable();
        }
    }
    TOP = end as usize;
    core::slice::from_raw_parts_mut(start as *mut u8, len)
}

unsafe fn concat(a: &[u8], b: &[u8]) -> &'static [u8] {
    let out = alloc(a.len() + b.len());
    out[..a.len()].copy_from_slice(a);
    out[a.len()..].copy_from_slice(b);
    out
}

unsafe fn respond(bytes: &[u8]) -> i32 {
    __guest_response(bytes.as_ptr(), bytes.len());
    1
}

unsafe fn fail(message: &[u8]) -> i32 {
    __guest_error(message.as_ptr(), message.len());
    0
}

unsafe fn host_call(binding: &[u8], namespace: &[u8], operation: &[u8], payload: &[u8]) -> Result<&'static [u8], &'static [u8]> {
    let ok = __host_call(
        binding.as_ptr(), binding.len(),
        namespace.as_ptr(), namespace.len(),
        operation.as_ptr(), operation.len(),
        payload.as_ptr(), payload.len(),
    );
    if ok == 0 {
        let err = alloc(__host_error_len());
        __host_error(err.as_mut_ptr());
        Err(err)
    } else {
        let res = alloc(__host_response_len());
        __host_response(res.as_mut_ptr());
        Ok(res)
    }
}

#[no_mangle]
pub extern "C" fn __guest_call(op_len: usize, msg_len: usize) -> i32 {
    unsafe {
        reset_arena();
        let op = alloc(op_len);
        let msg = alloc(msg_len);
        __guest_request(op.as_mut_ptr(), msg.as_mut_ptr());
        match &op[..] {
            b"echo" => respond(msg),
            b"hello" => match host_call(b"default", b"kiln:test", b"greet", msg) {
                Ok(name) => respond(concat(b"Hello, ", name)),
                Err(err) => fail(concat(b"host error: ", err)),
            },
            b"fail" => fail(b"rust failure"),
            b"panic" => panic!("rust panic"),
            _ => fail(concat(concat(b"No handler registered for function \"", op), b"\"")),
        }
    }
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    wasm32::unreachable()
}
