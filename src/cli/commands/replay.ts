import type { Command } from 'commander';

/** `shoplake replay`: load generator (being written). */
export function registerReplay(_program: Command): void {}
