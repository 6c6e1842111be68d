// An asynchronous filesystem for the tests: a MemoryFileSystem whose every
// method answers with a Promise that settles on a later timer (0-2 ms), as
// a filesystem over IndexedDB or fetch would. Plain JavaScript, so that
// Node (test/async-backend.test.ts, also in a Node 24 child) and Chromium
// (test/browser/guest.js) load the same file as is.

/** The tree the tests seed the MemoryFileSystem with. */
export const TREE = { 'input.txt': 'hello from memory\n', dir: { 'b.txt': 'bee', 'a.txt': 'ay' } };

/**
 * @param fs a MemoryFileSystem
 * @param options.fail names whose open fails with that Node error code (e.g. { 'input.txt': 'EACCES' })
 * @returns an AsyncFileSystem over it, and `stats.calls`: the backend calls made
 */
export function delayedFileSystem(fs, { fail = {} } = {}) {
  const stats = { calls: 0 };
  const real = new WeakMap();
  const later = (f) => new Promise((resolve, reject) => {
    setTimeout(() => {
      stats.calls++;
      try { resolve(f()); } catch (e) { reject(e); }
    }, Math.floor(Math.random() * 3));
  });
  const unwrap = (w) => real.get(w) ?? w;
  function node(n) {
    if (n === null) return null;
    const w = {
      filetype: n.filetype,
      stat: () => later(() => n.stat()),
      setTimes: (a, m) => later(() => n.setTimes(a, m)),
    };
    if (n.filetype === 7) w.readlink = () => later(() => n.readlink());
    if (n.filetype === 3) Object.assign(w, {
      lookup: (name) => later(() => node(n.lookup(name))),
      list: () => later(() => n.list()),
      mkdir: (name) => later(() => n.mkdir(name)),
      open: (name, o) => later(() => {
        if (fail[name]) throw Object.assign(new Error(fail[name] + ': refused by the double'), { code: fail[name] });
        return file(n.open(name, o));
      }),
      symlink: (name, target) => later(() => n.symlink(name, target)),
      link: (name, existing) => later(() => n.link(name, unwrap(existing))),
      unlink: (name) => later(() => n.unlink(name)),
      rmdir: (name) => later(() => n.rmdir(name)),
      rename: (name, to, toName) => later(() => n.rename(name, unwrap(to), toName)),
    });
    real.set(w, n);
    return w;
  }
  function file(h) {
    const w = {};
    for (const m of ['read', 'write', 'append', 'stat', 'setSize', 'setTimes', 'allocate', 'sync', 'datasync', 'close']) {
      w[m] = (...args) => later(() => h[m](...args));
    }
    return w;
  }
  return { root: node(fs.root), stats };
}
