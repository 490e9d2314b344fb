import type { AuditEventView } from '../../../shared/schemas/directory';

interface Bucket {
  start: number;
  successes: number;
  failures: number;
}

const hour = 3_600_000;

/** The events in equal time slices (hours, or days over more than two days), oldest first: 24 to 48 of them, the newest last. */
export function bucketSignIns(events: AuditEventView[]): { buckets: Bucket[]; size: number } {
  if (events.length === 0) return { buckets: [], size: hour };
  const times = events.map((e) => Date.parse(e.at));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const size = last - first > 48 * hour ? 24 * hour : hour;
  const start = Math.floor(first / size) * size;
  // At least a day of hours (or 24 days), so that one busy slice does not fill the chart.
  const count = Math.min(48, Math.max(24, Math.floor((last - start) / size) + 1));
  const from = Math.floor(last / size) * size - (count - 1) * size;
  const buckets: Bucket[] = Array.from({ length: count }, (_, i) => ({ start: from + i * size, successes: 0, failures: 0 }));
  events.forEach((e, i) => {
    const at = Math.floor((times[i] - from) / size);
    if (at < 0) return;
    if (e.outcome === 'success') buckets[at].successes++;
    else buckets[at].failures++;
  });
  return { buckets, size };
}

const label = (start: number, size: number) =>
  size === hour
    ? new Date(start).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })
    : new Date(start).toLocaleDateString(undefined, { month: 'short', day: 'numeric' });

/**
 * Sign-ins and failures over time as plain SVG bars (successes over failures per slice). For
 * assistive technology: a one-sentence summary as the image's name, and the same numbers as a table.
 */
export function SignInChart({ events }: { events: AuditEventView[] }) {
  const { buckets, size } = bucketSignIns(events);
  if (buckets.length === 0) return null;
  const successes = buckets.reduce((n, b) => n + b.successes, 0);
  const failures = buckets.reduce((n, b) => n + b.failures, 0);
  const peak = Math.max(1, ...buckets.map((b) => b.successes + b.failures));
  const width = 640;
  const height = 140;
  const bar = width / buckets.length;
  const scale = (n: number) => (n / peak) * (height - 20);
  const summary = `Sign-ins over time: ${successes} successful and ${failures} failed in ${buckets.length} ${size === hour ? 'hours' : 'days'} from ${label(buckets[0].start, size)}; at most ${peak} in one ${size === hour ? 'hour' : 'day'}.`;
  return (
    <figure class="chart">
      <svg role="img" aria-label={summary} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
        <line class="axis" x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} />
        {buckets.map((b, i) => {
          const ok = scale(b.successes);
          const bad = scale(b.failures);
          const x = i * bar + bar * 0.15;
          const w = Math.max(1, bar * 0.7);
          return (
            <g key={b.start}>
              <rect class="bar-success" x={x} y={height - ok} width={w} height={ok} />
              <rect class="bar-failure" x={x} y={height - ok - bad} width={w} height={bad} />
            </g>
          );
        })}
      </svg>
      <figcaption class="muted small">
        <span class="swatch success" aria-hidden="true" /> Successful ({successes}) <span class="swatch failure" aria-hidden="true" />{' '}
        Failed ({failures}) · {label(buckets[0].start, size)} – {label(buckets.at(-1)!.start, size)}
      </figcaption>
      <details>
        <summary>Chart as a table</summary>
        <table class="methods">
          <caption class="visually-hidden">Sign-ins over time</caption>
          <thead>
            <tr>
              <th scope="col">{size === hour ? 'Hour' : 'Day'}</th>
              <th scope="col">Successful</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {buckets
              .filter((b) => b.successes + b.failures > 0)
              .map((b) => (
                <tr key={b.start}>
                  <td>{label(b.start, size)}</td>
                  <td>{b.successes}</td>
                  <td>{b.failures}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
