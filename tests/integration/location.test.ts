import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFor, loadConfig } from '../../server/config';
import { createApp } from '../../server/createApp';
import { defaultGeoipDatabase, describePlace } from '../../server/location/locator';
import type { TestPhone } from '../helpers/enrollPhone';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';

const alice = 'alice@contoso.example';

describe('where a sign-in comes from: the caller’s address located with a MaxMind-format database', () => {
  let world: SignInWorld;
  let phone: TestPhone;

  beforeAll(async () => {
    // Behind a reverse proxy: the caller's address is the X-Forwarded-For one.
    world = await startSignInWorld({}, { config: { trustProxy: true } });
    phone = await world.enroll(alice);
  });
  afterAll(() => world.close());

  /** A request from `ip`, as the phone shows it. */
  const shownFor = async (ip: string) => {
    const created = await createRequest(world.relay.url, 'contoso', { username: alice }, { 'x-forwarded-for': ip });
    expect(created.status).toBe(201);
    const details = await readRequest(phone, created.body.requestId);
    expect(details.status).toBe(200);
    return { created: created.body, details: details.body };
  };

  it('a public address is shown as its country, in words (the default country database)', async () => {
    expect((await shownFor('8.8.8.8')).details.context.location).toBe('United States');
    expect((await shownFor('81.2.69.142')).details.context.location).toBe('United Kingdom');
    expect((await shownFor('2001:4860:4860::8888')).details.context.location).toBe('United States');
  });

  it('private and loopback addresses say "This network"; an address with no known place says "Unknown location"', async () => {
    for (const ip of ['10.1.2.3', '192.168.0.7', '127.0.0.1', '::1', 'fd12:3456::1']) {
      expect((await shownFor(ip)).details.context.location, ip).toBe('This network');
    }
    // TEST-NET-1 (RFC 5737): documentation only, in no registry.
    expect((await shownFor('192.0.2.1')).details.context.location).toBe('Unknown location');
  });

  it('the sign-in log keeps the address and its place with each attempt', async () => {
    const { created, details } = await shownFor('81.2.69.142');
    const answered = await answer(world.relay.url, phone, details, 'deny');
    expect(answered.status).toBe(200);
    const log = await world.contoso.admin('GET', `/audit?user=${encodeURIComponent(alice)}`);
    expect(log.status).toBe(200);
    const createdEvent = log.body.events.find(
      (e: { type: string; detail: { requestId?: string } | null }) =>
        e.type === 'sign_in_request.created' && e.detail?.requestId === created.requestId,
    );
    expect(createdEvent).toMatchObject({ ip: '81.2.69.142', location: 'United Kingdom' });
  });

  it('a policy that hides the location hides it from the phone', async () => {
    const policy = await world.contoso.admin('GET', '/policy');
    await world.contoso.admin('PUT', '/policy', { ...policy.body, showLocation: false });
    try {
      expect((await shownFor('8.8.8.8')).details.context.location).toBeUndefined();
    } finally {
      await world.contoso.admin('PUT', '/policy', { ...policy.body, showLocation: true });
    }
  });
});

describe('NOD_GEOIP_DB', () => {
  it('names a city database in words: city, region and country (MaxMind and ip-location-db layouts)', () => {
    expect(
      describePlace({
        city: { names: { en: 'Seattle' } },
        subdivisions: [{ names: { en: 'Washington' } }],
        country: { iso_code: 'US', names: { en: 'United States' } },
      }),
    ).toBe('Seattle, Washington, United States');
    expect(describePlace({ city: 'Lyon', state1: 'Auvergne-Rhone-Alpes', country_code: 'FR' })).toBe('Lyon, Auvergne-Rhone-Alpes, France');
    expect(describePlace({ country_code: 'JP' })).toBe('Japan');
    expect(describePlace({})).toBe('Unknown location');
    expect(describePlace(null)).toBe('Unknown location');
  });

  it('a file that is not a MaxMind database stops the start with a line naming the setting', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-geoip-'));
    const bad = path.join(dataDir, 'not-a-database.mmdb');
    fs.writeFileSync(bad, 'not a database');
    await expect(createApp(configFor({ dataDir, geoipDb: bad }))).rejects.toThrow(/^NOD_GEOIP_DB: cannot read .*not-a-database\.mmdb/);
  });

  it('points the relay at another database file', async () => {
    expect(loadConfig({ NOD_GEOIP_DB: 'geo/City.mmdb' }).geoipDb).toBe(path.resolve('geo/City.mmdb'));
    expect(loadConfig({}).geoipDb).toBeUndefined();
    // The IPv4 file of the same package stands in for a city database here.
    const ipv4Only = path.join(path.dirname(defaultGeoipDatabase()), 'geo-whois-asn-country-ipv4.mmdb');
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nod-geoip-'));
    const { app, ctx } = await createApp(configFor({ dataDir, geoipDb: ipv4Only }));
    try {
      expect(ctx.locator.locate('8.8.8.8')).toBe('United States');
      expect(ctx.locator.locate('127.0.0.1')).toBe('This network');
    } finally {
      await app.close();
    }
  });
});
