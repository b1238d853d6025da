import assert from 'node:assert/strict';
import { totalmem } from 'node:os';
import { afterEach, describe, it } from 'node:test';
import { ingestMemoryLimit } from './memory.js';

describe('ingestMemoryLimit', () => {
  const saved = process.env.SHOPLAKE_MEMORY_LIMIT;
  afterEach(() => {
    if (saved === undefined) delete process.env.SHOPLAKE_MEMORY_LIMIT;
    else process.env.SHOPLAKE_MEMORY_LIMIT = saved;
  });

  // Issue 15: a lake build took half the machine (11 GB of 24) at 40M events; it must stay under 4 GB.
  it('caps a load at 3 GB, and at half the machine on a small one', () => {
    delete process.env.SHOPLAKE_MEMORY_LIMIT;
    const match = /^(\d+)GB$/.exec(ingestMemoryLimit());
    assert.ok(match, ingestMemoryLimit());
    const gb = Number(match[1]);
    assert.ok(gb >= 1 && gb <= 3, `${gb} GB`);
    assert.ok(gb <= Math.max(1, totalmem() / 2 ** 30 / 2), `${gb} GB on a machine of ${totalmem()} bytes`);
  });

  it('takes SHOPLAKE_MEMORY_LIMIT as it is, above the cap too, and refuses a value that is no size', () => {
    process.env.SHOPLAKE_MEMORY_LIMIT = '8GB';
    assert.equal(ingestMemoryLimit(), '8GB');
    process.env.SHOPLAKE_MEMORY_LIMIT = 'lots';
    assert.throws(() => ingestMemoryLimit(), /SHOPLAKE_MEMORY_LIMIT=lots is not a memory size/);
  });
});
