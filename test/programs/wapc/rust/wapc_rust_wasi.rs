//! waPC guest in Rust with std on wasm32-wasi: uses the filesystem, the
//! environment, stdout/stderr and the arguments through WASI preview 1
//! (imports `wasi_snapshot_preview1`). Operations (test/programs/wapc/README.md):
//!   read   payload = a path (UTF-8); answers the file's bytes, or the guest
//!          error "read failed: <std::io::Error>" (e.g. "read failed: No such
//!          file or directory (os error 44)")
//!   env    payload = a variable name; answers its value, or the error "unset"
//!   print  writes payload + "\n" to stdout and "err:" + payload + "\n" to
//!          stderr (each flushed); answers "printed"
//!   args   the program arguments (argv[0] included) joined by " "
//!   other  guest error `No handler registered for function "<op>"`
//!
//! Initialisation: Rust 1.63 builds a wasm32-wasi cdylib without a
//! crt1-reactor `_initialize`, so wasm-ld treats it as a command and wraps
//! every export in __wasm_call_ctors / __wasm_call_dtors (wasi-libc's
//! constructors: read the environment, find the preopened directories), i.e.
//! on every call. Calling __wasm_call_ctors explicitly (below) stops that: the
//! constructors then run once, from `_initialize` or `wapc_init` (whichever
//! the host runs first; wapc-rs runs only wapc_init, wapc-go both, node:wasi's
//! initialize() `_initialize`), or at the latest at the first __guest_call.
//! Built as a cdylib: rustc --target wasm32-wasi --crate-type cdylib -C panic=abort -O
use std::ffi::OsString;
use std::io::Write;
use std::os::wasi::ffi::{OsStrExt, OsStringExt};

#[link(wasm_import_module = "wapc")]
extern "C" {
    fn __guest_request(op_ptr: *mut u8, ptr: *mut u8);
    fn __guest_response(ptr: *const u8, len: usize);
    fn __guest_error(ptr: *const u8, len: usize);
}

extern "C" {
    /// wasi-libc's (and Rust's) static constructors, synthesised by wasm-ld.
    fn __wasm_call_ctors();
}

static mut INITIALIZED: bool = false;

fn initialize() {
    unsafe {
        if !INITIALIZED {
            INITIALIZED = true;
            __wasm_call_ctors();
        }
    }
}

#[no_mangle]
pub extern "C" fn _initialize() {
    initialize();
}

#[no_mangle]
pub extern "C" fn wapc_init() {
    initialize();
}

fn respond(bytes: &[u8]) -> i32 {
    unsafe { __guest_response(bytes.as_ptr(), bytes.len()) };
    1
}

fn fail(message: &str) -> i32 {
    unsafe { __guest_error(message.as_ptr(), message.len()) };
    0
}

fn read(payload: &[u8]) -> i32 {
    match std::fs::read(OsString::from_vec(payload.to_vec())) {
        Ok(bytes) => respond(&bytes),
        Err(e) => fail(&format!("read failed: {}", e)),
    }
}

fn env(payload: &[u8]) -> i32 {
    match std::env::var_os(OsString::from_vec(payload.to_vec())) {
        Some(value) => respond(value.as_bytes()),
        None => fail("unset"),
    }
}

fn print(payload: &[u8]) -> i32 {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(payload).and_then(|_| out.write_all(b"\n")).and_then(|_| out.flush());
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(b"err:").and_then(|_| err.write_all(payload)).and_then(|_| err.write_all(b"\n")).and_then(|_| err.flush());
    respond(b"printed")
}

fn args() -> i32 {
    let args: Vec<Vec<u8>> = std::env::args_os().map(|a| a.into_vec()).collect();
    respond(&args.join(&b' '))
}

#[no_mangle]
pub extern "C" fn __guest_call(op_len: usize, msg_len: usize) -> i32 {
    initialize();
    let mut op = vec![0u8; op_len];
    let mut msg = vec![0u8; msg_len];
    unsafe { __guest_request(op.as_mut_ptr(), msg.as_mut_ptr()) };
    match &op[..] {
        b"read" => read(&msg),
        b"env" => env(&msg),
        b"print" => print(&msg),
        b"args" => args(),
        _ => fail(&format!("No handler registered for function \"{}\"", String::from_utf8_lossy(&op))),
    }
}
