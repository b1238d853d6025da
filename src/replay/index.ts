export { loopbackTarget, type ReplayOptions, type ReplayResult, replay } from './load.js';
export { type Json, loadSource, type ReplaySource, synthetic } from './source.js';
export { percentiles } from './stats.js';
export { replayShortfall } from './verdict.js';
