import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

/** Whether a listener's address (as addressText prints it) is on the loopback range only. */
export function isLoopback(address: string): boolean {
  return (
    address.startsWith('127.') ||
    address.startsWith('::ffff:127.') ||
    address.startsWith('[0:0:0:0:0:0:0:1]:')
  );
}

/** The addresses a process listens on (from its open sockets in /proc/PID/fd). */
export function listenersOf(pid: number | string): string[] {
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
  return own;
}
