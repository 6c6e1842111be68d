// The example app: mounts a MemoryFileSystem at /data, runs cat.wasm (a tiny
// `cat`, cat.wat) on a file in it, and shows what the guest printed and its
// exit code. build.mjs bundles it, with Kiln, into dist/app.js.
import { MemoryFileSystem, WasiBuilder, setWorkerUrls } from 'kiln-wasm/browser';

// Where build.mjs put Kiln's worker entries: on a cross-origin isolated
// page, run() starts the guest in a worker loaded from there.
setWorkerUrls({
  process: new URL('./kiln.browser-process.js', import.meta.url),
  thread: new URL('./kiln.browser-thread.js', import.meta.url),
});

const output = document.getElementById('output');

async function main() {
  const wasm = await (await fetch(new URL('./cat.wasm', import.meta.url))).arrayBuffer();
  const files = new MemoryFileSystem({ 'hello.txt': 'Hello from a MemoryFileSystem!\n' });
  const result = await new WasiBuilder()
    .args(['cat', 'hello.txt'])
    .preopen('/data', files)
    .stdout('capture')
    .stderr('capture')
    .run(wasm);
  output.textContent = `${result.stdoutText}${result.stderrText}exit code ${result.exitCode}\n`;
}

main().then(
  () => { output.dataset.state = 'done'; },
  (e) => { output.textContent = `failed: ${e}\n`; output.dataset.state = 'failed'; },
);
