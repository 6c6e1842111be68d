// Rust std on wasm32-wasi: std::fs, std::env, std::io, std::process.
// usage: rustfs DIR EXIT_CODE [ARGS...]
use std::env;
use std::fs::{self, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::process;
use std::time;

fn main() {
    let args: Vec<String> = env::args().collect();
    println!("args after argv[0]: {:?}", &args[1..]);
    let dir = args.get(1).cloned().unwrap_or_else(|| "/sandbox".to_string());
    let code: i32 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);

    let mut vars: Vec<(String, String)> = env::vars().collect();
    vars.sort();
    for (k, v) in &vars {
        println!("env {}={:?}", k, v);
    }
    println!("var RUST_GREETING: {:?}", env::var("RUST_GREETING").ok());
    println!("var MISSING: {:?}", env::var("MISSING").ok());

    let p = |name: &str| format!("{}/{}", dir, name);

    // write, read, append
    fs::write(p("hello.txt"), "hello from rust\n").unwrap();
    println!("read_to_string: {:?}", fs::read_to_string(p("hello.txt")).unwrap());
    {
        let mut f = OpenOptions::new().append(true).open(p("hello.txt")).unwrap();
        f.write_all(b"appended\n").unwrap();
    }
    println!("after append: {:?}", fs::read_to_string(p("hello.txt")).unwrap());
    let meta = fs::metadata(p("hello.txt")).unwrap();
    println!("metadata: len={} is_file={} is_dir={}", meta.len(), meta.is_file(), meta.is_dir());
    let mtime_sane = meta
        .modified()
        .map(|t| t.duration_since(time::UNIX_EPOCH).map(|d| d.as_secs() > 1_704_067_200).unwrap_or(false))
        .unwrap_or(false);
    println!("modified time after 2024: {}", mtime_sane);

    // directories
    fs::create_dir_all(p("nested/deeper")).unwrap();
    fs::write(p("nested/deeper/x.txt"), "x").unwrap();
    fs::write(p("nested/y.txt"), "yy").unwrap();
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = if e.file_type().unwrap().is_dir() { "dir" } else { "file" };
            format!("{} ({})", e.file_name().to_string_lossy(), kind)
        })
        .collect();
    names.sort();
    println!("read_dir: {:?}", names);
    println!("nested/deeper is_dir: {}", fs::metadata(p("nested/deeper")).unwrap().is_dir());

    // rename, copy, remove
    fs::rename(p("hello.txt"), p("renamed.txt")).unwrap();
    println!("hello.txt exists after rename: {}", fs::metadata(p("hello.txt")).is_ok());
    let copied = fs::copy(p("renamed.txt"), p("copy.txt")).unwrap();
    println!("copied bytes: {}", copied);
    fs::remove_file(p("renamed.txt")).unwrap();
    fs::remove_dir_all(p("nested")).unwrap();
    let mut left: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    println!("left: {:?}", left);

    // errors
    match fs::read(p("missing")) {
        Ok(_) => println!("read missing: ok?"),
        Err(e) => println!("read missing: kind={:?} raw_os_error={:?}", e.kind(), e.raw_os_error()),
    }
    match fs::create_dir(p("copy.txt")) {
        Ok(_) => println!("create_dir over file: ok?"),
        Err(e) => println!("create_dir over file: kind={:?} raw_os_error={:?}", e.kind(), e.raw_os_error()),
    }
    fs::create_dir(p("full")).unwrap();
    fs::write(p("full/f"), "").unwrap();
    match fs::remove_dir(p("full")) {
        Ok(_) => println!("remove_dir non-empty: ok?"),
        Err(e) => println!("remove_dir non-empty: raw_os_error={:?}", e.raw_os_error()),
    }
    let outside = fs::read_to_string(format!("{}/../outside", dir));
    println!(
        "read outside the sandbox: {:?}",
        outside.map_err(|e| e.raw_os_error()).map(|_| "read")
    );
    let not_found = fs::metadata(p("nope")).unwrap_err();
    println!("metadata missing is NotFound: {}", not_found.kind() == ErrorKind::NotFound);

    // stdin
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    println!("stdin: {} bytes, {} lines", input.len(), input.lines().count());

    eprintln!("to stderr from rust");
    io::stdout().flush().unwrap();
    process::exit(code);
}
