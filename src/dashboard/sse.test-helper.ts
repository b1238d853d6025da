/** A server-sent event stream read by a test: the next event's data, parsed as JSON. */
export interface LiveEvents {
  /** The next event's data (JSON), or a failure after `timeoutMs` with what arrived. */
  next(timeoutMs: number): Promise<unknown>;
  close(): void;
}

/**
 * Opens `url` as an event stream with fetch and reads it as the browser's EventSource would: events end
 * at a blank line, `data:` lines carry the payload, comment lines (`: keep-alive`) are skipped. Written
 * here because a test needs only this much of the format, and Node 20 has no EventSource.
 */
export async function liveEvents(url: string, headers: Record<string, string> = {}): Promise<LiveEvents> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const queue: string[] = [];
  let buffer = '';
  // One read in flight at a time: a read that outlived a timeout is awaited by the next call, not lost.
  let pending: Promise<ReadableStreamReadResult<string>> | undefined;
  const take = (): string | undefined => {
    for (;;) {
      const ready = queue.shift();
      if (ready !== undefined) return ready;
      const end = buffer.indexOf('\n\n');
      if (end < 0) return undefined;
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''));
      if (data.length > 0) queue.push(data.join('\n'));
    }
  };
  return {
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const data = take();
        if (data !== undefined) return JSON.parse(data);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event from ${url} within ${timeoutMs} ms (buffered: ${buffer})`);
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), left);
        });
        pending ??= reader.read();
        const read = await Promise.race([pending, timeout]);
        clearTimeout(timer);
        if (read === 'timeout') continue;
        pending = undefined;
        if (read.done) throw new Error(`${url}: the event stream ended`);
        buffer += read.value.replace(/\r\n?/g, '\n');
      }
    },
    close() {
      controller.abort();
    },
  };
}
