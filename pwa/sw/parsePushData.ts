import { type PushPayload, pushPayload } from '../../shared/schemas/devices';

/** A push's data, validated against the shared schema; undefined when it is not one of ours. */
export function parsePushData(data: { json(): unknown } | null | undefined): PushPayload | undefined {
  if (!data) return undefined;
  try {
    const parsed = pushPayload.safeParse(data.json());
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
