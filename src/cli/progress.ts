import { SingleBar } from 'cli-progress';

/** Shows a long job's phases with a progress bar on stderr, or one line per phase when stderr is not a terminal. */
export interface PhaseProgress {
  update(phase: string, percent: number): void;
  stop(): void;
}

export function phaseProgress(label: string): PhaseProgress {
  let current = '';
  if (!process.stderr.isTTY) {
    return {
      update(phase) {
        if (phase === current) return;
        current = phase;
        process.stderr.write(`${label}: ${phase}\n`);
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {phase}`,
    stream: process.stderr,
    clearOnComplete: true,
    hideCursor: true,
  });
  let started = false;
  return {
    update(phase, percent) {
      if (!started) {
        bar.start(100, 0, { phase });
        started = true;
      }
      current = phase;
      bar.update(Math.round(percent), { phase: current });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
