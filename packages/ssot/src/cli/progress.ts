/**
 * A one-line progress bar on stderr, drawn only on a terminal and only for trees large enough
 * to take a noticeable moment; redrawn at most ten times a second so it never costs time.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

const LARGE_TREE = 2000;
const INTERVAL_MS = 100;

export interface ProgressBar {
  readonly update: (done: number, total: number) => void;
  readonly finish: () => void;
}

export function progressBar(stream: ProgressStream, enabled: boolean): ProgressBar {
  let lastDraw = 0;
  let drawn = false;
  const active = enabled && stream.isTTY === true;
  return {
    update: (done, total) => {
      if (!active || total < LARGE_TREE) return;
      const now = performance.now();
      if (now - lastDraw < INTERVAL_MS && done < total) return;
      lastDraw = now;
      drawn = true;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 30));
      const filled = Math.round((done / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files`);
    },
    finish: () => {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
