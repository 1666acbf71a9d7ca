import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collect = (options: { type: 'minor' | 'major' }) => void;

let collect: Collect | null | undefined;

/**
 * Frees the parse trees of files already extracted. A tree lives in native memory V8 does not
 * see, and is freed only when a collection finds its JavaScript wrapper dead and the finalizer
 * then runs on a later event-loop turn. Extraction leaves little JavaScript garbage, so V8
 * collects rarely and trees pile up: 0.4 GB for a 37 MB tree on one thread, more with
 * several, and the page faults cost time. The wrappers die young, so a young-generation
 * collection (a fraction of a millisecond) after each file or chunk keeps memory flat; the
 * caller must then return to the event loop before the next one for the finalizers to run.
 */
export function releaseParseTrees(): void {
  if (collect === undefined) {
    // `gc` is only exposed to new contexts once the flag is set; the flag is process-wide.
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    collect = typeof gc === 'function' ? (gc as Collect) : null;
  }
  collect?.({ type: 'minor' });
}
