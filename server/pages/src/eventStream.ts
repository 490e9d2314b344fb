import { type SignInRequestState, signInRequestState } from '../../../shared/schemas/signInRequests';

/**
 * Follow a sign-in request's live state (server-sent events) with the collector secret as a
 * bearer token — EventSource cannot send headers, so this reads the stream with fetch. A dropped
 * connection is resumed with Last-Event-ID until the request reaches an end state.
 */
export function watchRequest(requestId: string, collectorSecret: string, onState: (state: SignInRequestState) => void): () => void {
  const controller = new AbortController();
  let lastEventId = '';
  let finished = false;
  const isEnd = (status: string) => status !== 'pending';

  const connect = async (): Promise<void> => {
    const response = await fetch(`/api/sign-in-requests/${encodeURIComponent(requestId)}/events`, {
      headers: {
        authorization: `Bearer ${collectorSecret}`,
        accept: 'text/event-stream',
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
      signal: controller.signal,
      cache: 'no-store',
    });
    if (!response.ok || !response.body) throw new Error(`event stream: ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        let data = '';
        let event = 'message';
        for (const line of block.split('\n')) {
          if (line.startsWith('data:')) data += line.slice(5).trimStart();
          else if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('id:')) lastEventId = line.slice(3).trim();
        }
        if (event !== 'state' || !data) continue;
        try {
          const parsed = signInRequestState.safeParse(JSON.parse(data));
          if (!parsed.success) continue;
          if (isEnd(parsed.data.status) && parsed.data.status !== 'approved') finished = true;
          onState(parsed.data);
        } catch {
          // a malformed event is skipped
        }
      }
    }
  };

  void (async () => {
    let failures = 0;
    while (!finished && !controller.signal.aborted) {
      try {
        await connect();
        failures = 0;
      } catch {
        if (controller.signal.aborted) return;
        failures++;
      }
      if (finished || controller.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000 * 2 ** failures, 8000)));
    }
  })();
  return () => {
    finished = true;
    controller.abort();
  };
}
