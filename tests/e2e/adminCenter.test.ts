import fs from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectPageErrors, controlsWithoutNames, launchBrowser, saveScreenshot } from '../helpers/browser';
import { enrollPhone, type TestPhone } from '../helpers/enrollPhone';
import { runNodAdmin } from '../helpers/nodCli';
import { answer, readRequest } from '../helpers/signInFlow';
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

  it('signs the admin in through the tenant with a phone approval, into a session the page holds no token of', async () => {
    await page.goto(`${world.relay.url}/admin/`);
    await page.getByLabel('Organization').fill('contoso');
    await page.getByRole('button', { name: 'Sign in with Nod' }).click();
    await page.getByText('to continue to Nod admin center').waitFor();
    await page.getByLabel('Username').fill('alice@contoso.example');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('number').waitFor();
    const details = await readRequest(alice, await markedRequestId(page));
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
  });

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

    await page.reload();
    const devices = page.getByRole('table', { name: 'Devices' });
    await expect.poll(() => devices.textContent()).toContain("Carol's phone");
    // Shown once: the pass is not on the page again.
    expect(await page.getByLabel('Temporary Access Pass', { exact: true }).count()).toBe(0);
    await noUnnamedControls();
    await saveScreenshot(page, 'admin-center-user', { docs: true, fullPage: false });

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: "Remove device Carol's phone" }).click();
    await page.getByRole('status').getByText("Carol's phone is removed.").waitFor();
    await expect.poll(() => devices.textContent()).toContain('No device is registered.');
    expect((await world.contoso.admin('GET', '/users/carol@contoso.example/devices')).body.devices).toEqual([]);
    // The lost phone can no longer act for Carol.
    const mine = await carol.call('GET', '/api/device/registrations');
    expect(mine.status === 401 || mine.body.registrations.length === 0).toBe(true);
  });

  it('reads the sign-in log: filters, a detail view, and exports', async () => {
    await page.getByRole('link', { name: 'Sign-in logs' }).click();
    await page.getByLabel('User', { exact: true }).fill('alice@contoso.example');
    await page.getByLabel('Outcome', { exact: true }).selectOption('success');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const log = page.getByRole('table', { name: 'Sign-ins, newest first' });
    await expect.poll(() => log.textContent()).toContain('oidc.sign_in');
    expect(await log.textContent()).not.toContain('carol@contoso.example');
    await page
      .getByRole('button', { name: /^Details of oidc\.sign_in for alice@contoso\.example/ })
      .first()
      .click();
    const detail = page.getByRole('region', { name: 'Event details' });
    await detail.getByText('Nod admin center').first().waitFor();
    await noUnnamedControls();
    await saveScreenshot(page, 'admin-center-sign-in-log', { docs: true, fullPage: false });

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('at,type,outcome,username,method,origin,ip,userAgent,reason');
    expect(csv).toContain('oidc.sign_in,success,alice@contoso.example');
    // The only failed loads are the two refusals above: the bare call (403) and the save with a typo (400).
    expect(errors.filter((e) => !/status of (400|403)/.test(e))).toEqual([]);
  });
});
