// A dedicated module worker that runs the guest with the bundle: the place
// where a guest may block (Atomics.wait), e.g. in poll_oneoff for nanosleep.
import { runGuest } from './guest.js';

self.onmessage = async (e) => {
  try {
    self.postMessage({ result: await runGuest(e.data) });
  } catch (err) {
    self.postMessage({ error: String((err && err.stack) || err) });
  }
};
