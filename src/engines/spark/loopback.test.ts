import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, it } from 'node:test';
import { sparkRemoteForTests } from './spark-remote.test-helper.js';

/** Listening TCP sockets of the machine: socket inode → local address as text. */
function listeningSockets(): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const [local = '', , state, , , , , , inode = ''] = fields.slice(1);
      if (state !== '0A') continue; // 0A = LISTEN
      out.set(inode, addressText(local));
    }
  }
  return out;
}

/** /proc/net/tcp{,6} prints addresses as little-endian 32-bit words in hex. */
export function addressText(hexAddress: string): string {
  const [hex = '', portHex = ''] = hexAddress.split(':');
  const port = Number.parseInt(portHex, 16);
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.length === 4) return `${bytes.join('.')}:${port}`;
  const v4mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255;
  if (v4mapped) return `::ffff:${bytes.slice(12).join('.')}:${port}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return `[${groups.join(':')}]:${port}`;
}

function isLoopback(address: string): boolean {
  return (
    address.startsWith('127.') ||
    address.startsWith('::ffff:127.') ||
    address.startsWith('[0:0:0:0:0:0:0:1]:')
  );
}

const spark = sparkRemoteForTests();

describe('the Spark Connect server the tests start', { skip: 'skip' in spark ? spark.skip : false }, () => {
  it('listens on 127.0.0.1 only (gRPC, driver, block manager)', () => {
    const pid = process.env.SHOPLAKE_SPARK_PID;
    assert.ok(pid, 'scripts/run-tests.sh exports SHOPLAKE_SPARK_PID with the server it started');
    const sockets = listeningSockets();
    const own: string[] = [];
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue; // closed between the listing and the read
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const address = inode ? sockets.get(inode) : undefined;
      if (address) own.push(address);
    }
    const port = 'remote' in spark ? spark.remote.split(':').pop() : undefined;
    assert.ok(
      own.some((a) => a.endsWith(`:${port}`)),
      `the gRPC port ${port} is among the listeners: ${own.join(', ')}`,
    );
    assert.deepEqual(
      own.filter((a) => !isLoopback(a)),
      [],
      `every listener is on loopback: ${own.join(', ')}`,
    );
  });

  it('reads /proc/net addresses correctly (hand-encoded examples)', () => {
    assert.equal(addressText('0100007F:1F90'), '127.0.0.1:8080');
    assert.equal(addressText('00000000:0050'), '0.0.0.0:80');
    assert.equal(addressText('0000000000000000FFFF00000100007F:3A98'), '::ffff:127.0.0.1:15000');
    assert.equal(addressText('00000000000000000000000001000000:0016'), '[0:0:0:0:0:0:0:1]:22');
    assert.equal(addressText('00000000000000000000000000000000:0016'), '[0:0:0:0:0:0:0:0]:22');
  });
});
