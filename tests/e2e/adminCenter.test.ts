import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, controlsWithoutNames, launchBrowser, saveScreenshot } from '../helpers/browser';
import { enrollPhone, type TestPhone } from '../helpers/enrollPhone';
import { runNodAdmin } from '../helpers/nodCli';
import { answer, createRequest, readRequest } from '../helpers/signInFlow';
import { type SignInWorld, startSignInWorld } from '../helpers/signInWorld';
import { markedRequestId, shownNumber } from './signInPageSupport';

/**
 * The admin center, as an admin uses it: signed in with a phone approval, by accessible names only.
 * Alice (Sales, phone sign-in) is made Global Administrator from the CLI; Carol is new.
 */
describe('Admin center: sign in with Nod, change the policy, issue a pass, read the log, remove a device', () => {
  let world: SignInWorld;
  let browser: Browser;
  let page: Page;
  let alice: TestPhone;
  let errors: string[];

  beforeAll(async () => {
    world = await startSignInWorld();
    alice = await world.enroll('alice@contoso.example');
    await world.contoso.admin('POST', '/users', { username: 'carol@contoso.example', displayName: 'Carol' });
    const assigned = await runNodAdmin(world.relay.dataDir, ['role', 'assign', 'contoso', 'alice@contoso.example', 'global']);
    expect(assigned, assigned.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(assigned.stdout).roles).toEqual(['Global Administrator']);
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, acceptDownloads: true });
    page = await context.newPage();
    errors = collectPageErrors(page);
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  const noUnnamedControls = async () => expect(await controlsWithoutNames(page)).toEqual([]);

  /**
   * From the admin center's page, through "Sign in with Nod" (the username, and the organization by
   * name: contoso registers no domain until the Domain names test), to the tenant's hosted sign-in
   * page, which goes on with the username given.
   */
  const startSignIn = async (on: Page, username: string) => {
    await on.goto(`${world.relay.url}/admin/`);
    await on.getByLabel('Username').fill(username);
    await on.getByRole('button', { name: 'Other organization' }).click();
    await on.getByLabel('Organization').fill('contoso');
    await on.getByRole('button', { name: 'Sign in with Nod' }).click();
  };

  /**
   * The ways to sign in the hosted page offers a user now, read off its "Other ways to sign in" list.
   * Only a browser the user signed in with before sees their real ways; any other sees the same list for everyone.
   */
  const offeredWays = async (on: Page, username: string): Promise<string[]> => {
    await startSignIn(on, username);
    const list = on.getByRole('heading', { name: 'Other ways to sign in' });
    const button = on.getByRole('button', { name: 'Other ways to sign in' });
    await list.or(button).first().waitFor();
    if (!(await list.isVisible())) await button.click();
    const options = on.getByRole('list').getByRole('button');
    await options.first().waitFor();
    // Each option's name is its label; the hint inside it is hidden from the name.
    return await options.evaluateAll((buttons) => buttons.map((b) => (b.firstChild?.textContent ?? '').trim()));
  };

  it('signs the admin in through the tenant with a phone approval, into a session the page holds no token of', async () => {
    await page.goto(`${world.relay.url}/admin/`);
    // The username first; no organization registered its domain yet, so the page asks for the organization's name, in words.
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('username');
    expect(await page.getByLabel('Organization').count()).toBe(0);
    await page.getByLabel('Username').fill('alice@contoso.example');
    await page.getByRole('button', { name: 'Sign in with Nod' }).click();
    await page.getByRole('alert').getByText('We couldn’t find an organization for contoso.example.', { exact: false }).waitFor();
    const organization = page.getByLabel('Organization');
    expect(await organization.getAttribute('required')).toBeNull();
    await page.getByText('The name your admin gave you, such as Contoso.', { exact: false }).waitFor();
    await organization.fill('Contoso Ltd');
    await page.getByRole('button', { name: 'Sign in with Nod' }).click();
    await page.getByRole('alert').getByText('No organization called “Contoso Ltd” uses Nod here.', { exact: false }).waitFor();
    expect(await page.getByLabel('Username').inputValue()).toBe('alice@contoso.example');
    // The organization's name as people know it works, as does its short name.
    await page.getByLabel('Organization').fill('Contoso');
    await page.getByRole('button', { name: 'Sign in with Nod' }).click();
    // The hosted page goes on with the username given: no second Next. (Its "to continue to Nod admin center"
    // shows only until the relay answers the username, too briefly to wait for: the phone names the application.)
    await page.getByTestId('number').waitFor();
    const details = await readRequest(alice, await markedRequestId(page));
    expect(details.body.context.applicationName).toBe('Nod admin center');
    expect((await answer(world.relay.url, alice, details.body, 'approve', { typedNumber: await shownNumber(page) })).status).toBe(200);
    await page.getByRole('heading', { name: 'Authenticator settings' }).waitFor();
    expect(page.url()).toBe(`${world.relay.url}/admin/`);
    await page.getByText('Global Administrator').waitFor();

    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'nod_admin_center')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin/' });
    expect(session.value).not.toContain('nod_admin_');
    // Another site cannot use the session: calls need the page's header, and a bare cookie gets nothing.
    const bare = await page.evaluate(async () => (await fetch('/admin/center/api/session')).status);
    expect(bare).toBe(403);
    await noUnnamedControls();
  }, 60_000); // The first test pays the admin center's cold start; in a loaded full run it once took over 30 s.

  it('creates a group and adds a member, keyboard only', async () => {
    await page.getByRole('link', { name: 'Groups' }).click();
    await page.getByLabel('Group name').focus();
    await page.keyboard.type('Pilot');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Group Pilot is created.').waitFor();
    await page.getByRole('link', { name: 'Pilot', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Members of Pilot' }).waitFor();
    await page.getByLabel('Username').fill('carol@contoso.example');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('carol@contoso.example is a member of Pilot.').waitFor();
    expect((await world.contoso.admin('GET', '/groups/Pilot/members')).body.members.map((m: any) => m.username)).toEqual([
      'carol@contoso.example',
    ]);
    await noUnnamedControls();
  });

  it('turns Sales (Any) into Pilot (Passwordless) with an exclusion, saying clearly what is wrong first', async () => {
    await page.getByRole('link', { name: 'Authenticator policy' }).click();
    await page.getByRole('heading', { name: 'Authenticator settings' }).waitFor();
    expect(await page.getByLabel('Enable').isChecked()).toBe(true);
    expect(await page.getByLabel('Select users and groups').isChecked()).toBe(true);
    expect(await page.getByLabel('Authentication mode for Sales').inputValue()).toBe('any');

    await page.getByRole('button', { name: 'Remove Sales from included users and groups' }).click();
    const include = page.getByRole('group', { name: 'Include' });
    await include.getByLabel('Group name').fill('Pilots');
    await include.getByRole('button', { name: 'Add to the policy' }).click();
    await page.getByLabel('Authentication mode for Pilots').selectOption({ label: 'Passwordless' });
    const exclude = page.getByRole('group', { name: 'Exclude' });
    await exclude.getByLabel('Type').selectOption({ label: 'User' });
    await exclude.getByLabel('Username').fill('gail@fabrikam.example');
    await exclude.getByRole('button', { name: 'Add exclusion' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').getByText('Not saved: includeTargets[1].name: no group named Pilots').waitFor();

    // The typo fixed: the row goes, the right group comes.
    await page.getByRole('button', { name: 'Remove Pilots from included users and groups' }).click();
    await include.getByLabel('Group name').fill('Pilot');
    await include.getByLabel('Group name').press('Enter');
    await page.getByLabel('Authentication mode for Pilot').selectOption({ label: 'Passwordless' });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const saved = (await world.contoso.admin('GET', '/policy')).body;
    expect(saved.includeTargets).toEqual([
      { kind: 'group', name: 'Field', mode: 'push' },
      { kind: 'group', name: 'Pilot', mode: 'passwordless' },
    ]);
    expect(saved.excludeTargets).toEqual([{ kind: 'user', name: 'gail@fabrikam.example' }]);

    await page.getByLabel('Username to check').fill('carol@contoso.example');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('Allowed, in Passwordless mode.').waitFor();
    await noUnnamedControls();
    await page.evaluate(() => scrollTo(0, 0));
    await saveScreenshot(page, 'admin-center-policy', { docs: true, fullPage: false });
  });

  it('issues a pass shown once, with which a phone enrols; then removes that phone', async () => {
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Search users').fill('carol');
    await expect.poll(() => page.getByRole('table', { name: 'Users' }).getByRole('row').count()).toBe(2);
    await page.getByRole('link', { name: 'Carol' }).click();
    await page.getByRole('heading', { name: 'Carol' }).waitFor();
    await page.getByText('Pilot', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'Issue Temporary Access Pass' }).click();
    const pass = await page.getByLabel('Temporary Access Pass', { exact: true }).inputValue();
    expect(pass).not.toBe('');
    await page.getByRole('button', { name: 'Copy pass' }).waitFor();
    const carol = await enrollPhone(
      world.relay.url,
      { tenant: 'contoso', username: 'carol@contoso.example', temporaryAccessPass: pass },
      { deviceName: "Carol's phone" },
    );
    expect(carol.account.username).toBe('carol@contoso.example');
    const enabled = await carol.call('PUT', `/api/registrations/${carol.account.registrationId}/phone-sign-in`, { enabled: true });
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    // Carol signs in once on her own computer with her phone: a browser she used sees her real ways to sign in.
    const carolContext = await browser.newContext();
    const carolPage = await carolContext.newPage();
    await startSignIn(carolPage, 'carol@contoso.example');
    await carolPage.getByTestId('number').waitFor();
    const request = await readRequest(carol, await markedRequestId(carolPage));
    expect((await answer(world.relay.url, carol, request.body, 'approve', { typedNumber: await shownNumber(carolPage) })).status).toBe(200);
    await carolPage.getByText('holds no admin role in Contoso').waitFor();
    expect(await offeredWays(carolPage, 'carol@contoso.example')).toContain('Approve a request on my Authenticator app');

    await page.reload();
    const devices = page.getByRole('table', { name: 'Phones' });
    await expect.poll(() => devices.textContent()).toContain("Carol's phone");
    // Shown once: the pass is not on the page again.
    expect(await page.getByLabel('Temporary Access Pass', { exact: true }).count()).toBe(0);
    await noUnnamedControls();
    await saveScreenshot(page, 'admin-center-user', { docs: true, fullPage: false });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: "Remove device Carol's phone" }).click();
    await page.getByRole('status').getByText("Carol's phone is removed.").waitFor();
    await expect.poll(() => devices.textContent()).toContain('No phone is registered.');
    expect((await world.contoso.admin('GET', '/users/carol@contoso.example/devices')).body.devices).toEqual([]);
    // The lost phone can no longer act for Carol.
    const mine = await carol.call('GET', '/api/device/registrations');
    expect(mine.status === 401 || mine.body.registrations.length === 0).toBe(true);
    // Carol's next sign-in offers no phone: neither phone sign-in nor its verification codes.
    const ways = await offeredWays(carolPage, 'carol@contoso.example');
    expect(ways).not.toContain('Approve a request on my Authenticator app');
    expect(ways).not.toContain('Use a verification code');
    expect(ways).toContain('Use a Temporary Access Pass');
    await carolContext.close();
  });

  it('reads the sign-in log: filters, a detail view, and exports', async () => {
    await page.getByRole('link', { name: 'Sign-in logs' }).click();
    await page.getByLabel('User', { exact: true }).fill('alice@contoso.example');
    await page.getByLabel('Outcome', { exact: true }).selectOption('success');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const log = page.getByRole('table', { name: 'Sign-ins, newest first' });
    // The filtered answer replaces the unfiltered table: wait for it (only Alice's successful sign-ins).
    await expect
      .poll(async () => {
        const text = (await log.textContent()) ?? '';
        return text.includes('oidc.sign_in') && !text.includes('carol@contoso.example');
      })
      .toBe(true);
    await page
      .getByRole('button', { name: /^Details of oidc\.sign_in for alice@contoso\.example/ })
      .first()
      .click();
    const detail = page.getByRole('region', { name: 'Event details' });
    await detail.getByText('Nod admin center').first().waitFor();
    await noUnnamedControls();
    await page.evaluate(() => scrollTo(0, 0));
    await saveScreenshot(page, 'admin-center-sign-in-log', { docs: true, fullPage: false });

    await page.getByRole('img', { name: /^Sign-ins over time: \d+ successful and 0 failed in / }).waitFor();
    await page.getByText('Chart as a table').click();
    await page.getByRole('table', { name: 'Sign-ins over time' }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toBe('sign-in-log.csv');
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('at,type,outcome,reason,username,method,origin,ip,location,userAgent,deviceId,id');
    expect(csv).toContain('oidc.sign_in,success,,alice@contoso.example');
    expect(csv).not.toContain('carol@contoso.example');
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(fs.readFileSync((await json.path())!, 'utf8'));
    expect(exported.signIns.length).toBeGreaterThan(0);
    expect(exported.signIns.every((e: any) => e.username === 'alice@contoso.example' && e.outcome === 'success')).toBe(true);
  });

  it('registers an application keyboard only, with its secret shown once, and refuses a bad redirect URI on edit', async () => {
    await page.getByRole('link', { name: 'Applications' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByLabel('Name shown on the phone').focus();
    await page.keyboard.type('Portal');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-type');
    await page.keyboard.press('Tab');
    await page.keyboard.type('https://portal.contoso.example/callback');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Register');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('Portal is registered.').waitFor();
    expect(await page.getByRole('textbox', { name: 'Client secret' }).inputValue()).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    await page.getByRole('button', { name: 'Copy client secret' }).waitFor();
    await noUnnamedControls();
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByRole('textbox', { name: 'Client secret' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Edit Portal' }).click();
    const edit = page.getByRole('form', { name: 'Edit Portal' });
    await edit.getByLabel('Redirect URIs (one a line; https, or http on localhost)').fill('http://portal.contoso.example/callback');
    await edit.getByRole('button', { name: 'Save application' }).click();
    await page
      .getByRole('alert')
      .getByText(/redirectUris\[0\]: an https URL/)
      .waitFor();
    await edit.getByLabel('Name shown on the phone').fill('Contoso portal');
    await edit.getByLabel('Redirect URIs (one a line; https, or http on localhost)').fill('https://portal.contoso.example/signed-in');
    await edit.getByRole('button', { name: 'Save application' }).click();
    await page.getByRole('status').getByText('Contoso portal is saved.').waitFor();
    const clients = (await world.contoso.admin('GET', '/clients')).body.clients;
    expect(clients.map((c: any) => [c.displayName, c.redirectUris])).toContainEqual([
      'Contoso portal',
      ['https://portal.contoso.example/signed-in'],
    ]);
  });

  it('shows a "No, it\'s not me" report with its evidence, and clears the risk', async () => {
    const bob = await world.enroll('bob@contoso.example', { phoneSignIn: false });
    const created = await createRequest(world.relay.url, 'contoso', {
      username: 'bob@contoso.example',
      kind: 'mfa',
      password: 'correct horse battery',
    });
    expect(created.status).toBe(201);
    const details = await readRequest(bob, created.body.requestId);
    expect((await answer(world.relay.url, bob, details.body, 'report')).status).toBe(200);

    await page.getByRole('link', { name: 'Reports' }).click();
    const report = page.getByRole('article', { name: `"No, it's not me": bob@contoso.example reported a sign-in request` });
    await report.waitFor();
    expect(await report.textContent()).toContain('https://portal.contoso.example');
    await noUnnamedControls();
    await report.getByRole('button', { name: /^Clear the risk of bob@contoso\.example/ }).click();
    await page.getByRole('status').getByText('bob@contoso.example is no longer at risk.').waitFor();
    expect((await world.contoso.admin('GET', '/users/bob@contoso.example')).body.blocked).toBe(false);
  });

  it('Settings → Domain names: adds and removes the organization’s domains; a domain of another organization is refused in words', async () => {
    const fabrikam = await world.relay.tenant('fabrikam', { displayName: 'Fabrikam' });
    expect((await fabrikam.admin('POST', '/domains', { domain: 'fabrikam.example' })).status).toBe(201);
    await page.getByRole('link', { name: 'Domain names' }).click();
    await page.getByRole('heading', { name: 'Domain names' }).waitFor();
    const table = page.getByRole('table', { name: 'Domain names' });
    await table.getByText('No domain name yet', { exact: false }).waitFor();
    await page.getByRole('textbox', { name: 'Domain name' }).fill('Contoso.Example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('status').getByText('contoso.example is added.', { exact: false }).waitFor();
    await table.getByRole('cell', { name: 'contoso.example', exact: true }).waitFor();
    // Home realm discovery answers at once.
    const found = await fetch(`${world.relay.url}/api/discovery?username=someone%40contoso.example`);
    expect(await found.json()).toMatchObject({ tenant: 'contoso' });

    // Taken by another organization: a 409, said in words, nothing added.
    await page.getByRole('textbox', { name: 'Domain name' }).fill('fabrikam.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('alert').getByText('fabrikam.example is registered by another organization.').waitFor();
    expect(await table.getByRole('cell', { name: 'fabrikam.example', exact: true }).count()).toBe(0);
    // Not a domain name: said in words, not as a schema message.
    await page.getByRole('textbox', { name: 'Domain name' }).fill('contoso');
    await page.getByRole('button', { name: 'Add domain' }).click();
    const refused = page.getByRole('alert');
    await expect.poll(() => refused.textContent()).toContain('“contoso” is not a domain name.');
    expect(await refused.textContent()).not.toContain('regex');

    await page.getByRole('textbox', { name: 'Domain name' }).fill('contoso-ltd.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await table.getByRole('cell', { name: 'contoso-ltd.example', exact: true }).waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await table.getByRole('button', { name: 'Remove contoso-ltd.example' }).click();
    await page.getByRole('status').getByText('contoso-ltd.example is removed.').waitFor();
    expect(await table.getByRole('cell', { name: 'contoso-ltd.example', exact: true }).count()).toBe(0);
    expect((await world.contoso.admin('GET', '/domains')).body).toEqual({ domains: ['contoso.example'] });
    await noUnnamedControls();

    // Now the username alone finds the organization at the admin center's sign-in.
    const context = await browser.newContext();
    try {
      const fresh = await context.newPage();
      await fresh.goto(`${world.relay.url}/admin/`);
      await fresh.getByLabel('Username').fill('alice@contoso.example');
      await fresh.getByRole('button', { name: 'Sign in with Nod' }).click();
      await fresh.getByTestId('number').waitFor();
      expect(fresh.url()).toContain('/t/contoso/interaction/');
      expect(await fresh.getByLabel('Organization').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('the audit log says which admin changed the policy, issued the pass and removed the device', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    const log = page.getByRole('table', { name: 'Admin changes, newest first' });
    await expect.poll(() => log.textContent()).toContain('Removed device');
    const rows = await log.getByRole('row').allTextContents();
    for (const change of [
      'Saved the Authenticator policy',
      'Issued a Temporary Access Pass to carol@contoso.example',
      'Removed device',
      'Created group Pilot',
      'Added the domain name contoso.example',
      'Removed the domain name contoso-ltd.example',
    ]) {
      expect(
        rows.find((r) => r.includes(change)),
        change,
      ).toContain('alice@contoso.example (Global Administrator)');
    }
    await noUnnamedControls();

    // The enrollment QR code, for a user whose mode allows the guided path (Bob, Field, Push).
    await page.goto(`${world.relay.url}/admin/#/users/bob@contoso.example`);
    await page.getByRole('button', { name: 'Enrollment QR code' }).click();
    await page.getByRole('img', { name: 'QR code of the enrollment link for bob@contoso.example' }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Enrollment link' }).inputValue()).toMatch(/\/app\/#\/enroll\?code=/);
    await noUnnamedControls();
    // The only failed loads are the refusals above: the bare call (403), the saves with a typo or a bad URI (400),
    // a domain of another organization (409), and the sign-in page's organization not found (404).
    expect(errors.filter((e) => !/status of (400|403|404|409)/.test(e))).toEqual([]);
  });
});
