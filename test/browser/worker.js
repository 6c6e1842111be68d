// A dedicated module worker that runs the guest with the bundle: the place
// where a guest may block (Atomics.wait), e.g. in poll_oneoff for nanosleep.
// `{ threads: true }` runs the pthreads program instead, its kernel here.
import { closeIdleWorkers, runGuest, runThreads } from './guest.js';

self.onmessage = async (e) => {
  try {
    const result = e.data.threads === true ? await runThreads() : await runGuest(e.data);
    closeIdleWorkers(); // the thread workers this worker started, before the page ends it
    self.postMessage({ result });
  } catch (err) {
    self.postMessage({ error: String((err && err.stack) || err) });
  }
};
