import { createRequire } from 'node:module';
import { BlockList, isIP } from 'node:net';
import maxmind, { type Reader } from 'maxmind';

/** Where a sign-in comes from, in words the phone and the sign-in log show. */
export const thisNetwork = 'This network';
export const unknownLocation = 'Unknown location';

/** Looks a caller's address up: a place in words ("Seattle, Washington, United States"), "This network" or "Unknown location". */
export interface Locator {
  locate(ip: string | null | undefined): string;
  close(): void;
}

/**
 * The default database: CC0 country data from the npm registry (ip-location-db's geo-whois-asn-country),
 * whose records are `{ country_code }`. NOD_GEOIP_DB points at a city database instead (MaxMind
 * GeoLite2/GeoIP2 City, or an ip-location-db city file).
 */
export function defaultGeoipDatabase(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb');
}

/** Addresses that are not on the internet: loopback, private, link-local, shared (CGNAT), unique-local. */
const local = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  local.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  local.addSubnet(network, prefix, 'ipv6');
}

/** An IPv4 address written as IPv6 (`::ffff:10.0.0.1`, as a dual-stack socket reports it) as plain IPv4. */
function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

export function isLocalAddress(ip: string): boolean {
  const address = plainAddress(ip);
  const family = isIP(address);
  return family !== 0 && local.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type Names = { names?: Record<string, string> };
/** The record fields read, of the MaxMind layout (`city.names.en`…) and of ip-location-db's flat one (`city`, `state1`, `country_code`). */
interface PlaceRecord {
  city?: Names | string;
  subdivisions?: Names[];
  state1?: string;
  country?: Names & { iso_code?: string };
  registered_country?: Names & { iso_code?: string };
  country_code?: string;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region' });

function countryName(code: string | undefined, names: Record<string, string> | undefined): string | undefined {
  if (code && /^[A-Z]{2}$/i.test(code)) {
    try {
      const name = countryNames.of(code.toUpperCase());
      if (name && name !== code.toUpperCase()) return name;
    } catch {
      // not a region code Intl knows: fall back to the record's own name
    }
  }
  return names?.en;
}

/** A record in words: "City, Region, Country", as much of it as the record has. */
export function describePlace(record: PlaceRecord | null | undefined): string {
  if (!record) return unknownLocation;
  const city = typeof record.city === 'string' ? record.city : record.city?.names?.en;
  const region = record.subdivisions?.[0]?.names?.en ?? record.state1;
  const country = record.country ?? record.registered_country;
  const nation = countryName(country?.iso_code ?? record.country_code, country?.names);
  const parts = [city, region !== city ? region : undefined, nation].filter((part): part is string => Boolean(part?.trim()));
  return parts.length > 0 ? parts.join(', ') : unknownLocation;
}

/** Open the database (the default country one unless `file` is given); a file that cannot be read stops the start. */
export async function openLocator(file: string = defaultGeoipDatabase()): Promise<Locator> {
  const reader: Reader<PlaceRecord & import('maxmind').Response> = await maxmind.open(file, { cache: { max: 5000 } });
  const placeOf = (ip: string): string => {
    const address = plainAddress(ip);
    if (isIP(address) === 0) return unknownLocation;
    if (isLocalAddress(address)) return thisNetwork;
    try {
      return describePlace(reader.get(address) as PlaceRecord | null);
    } catch {
      return unknownLocation;
    }
  };
  // Each sign-in places its caller's address three times (the phone's context, two audit records): in words, once.
  const places = new Map<string, string>();
  return {
    locate(ip) {
      if (!ip) return unknownLocation;
      let place = places.get(ip);
      if (place === undefined) {
        place = placeOf(ip);
        if (places.size >= 5000) places.clear();
        places.set(ip, place);
      }
      return place;
    },
    close() {
      // The reader holds the file in memory only: nothing to release.
    },
  };
}
